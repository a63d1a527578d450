//! `GET /pinning/pinJobs`: the queue of pin-by-hash jobs.

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use serde::{Deserialize, Serialize};

use crate::endpoint::{Endpoint, Paginated};
use crate::error::{BuildError, DecodeError};
use crate::query::Query;

/// Order of the job list by queue date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobSort {
    /// Oldest first.
    Ascending,
    /// Newest first.
    Descending,
}

impl JobSort {
    /// The wire name: `ASC` or `DESC` (the legacy `sort` and the v3 queue's `order` alike).
    pub fn as_str(self) -> &'static str {
        match self {
            JobSort::Ascending => "ASC",
            JobSort::Descending => "DESC",
        }
    }
}

/// A job's state. A state this library does not know yet is kept as [`PinJobStatus::Unknown`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PinJobStatus {
    /// Being checked.
    Prechecking,
    /// Looking for the content on the network.
    Searching,
    /// Fetching it.
    Retrieving,
    /// Not found in time.
    Expired,
    /// The account's free limit would be exceeded.
    OverFreeLimit,
    /// Too large.
    OverMaxSize,
    /// Not valid content.
    InvalidObject,
    /// A host node was not usable.
    BadHostNode,
    /// Beyond the queue's capacity.
    Backfilled,
    /// A state not listed here, by its wire name.
    Unknown(String),
}

impl PinJobStatus {
    /// The known states.
    pub const KNOWN: [PinJobStatus; 9] = [
        PinJobStatus::Prechecking,
        PinJobStatus::Searching,
        PinJobStatus::Retrieving,
        PinJobStatus::Expired,
        PinJobStatus::OverFreeLimit,
        PinJobStatus::OverMaxSize,
        PinJobStatus::InvalidObject,
        PinJobStatus::BadHostNode,
        PinJobStatus::Backfilled,
    ];

    /// The state with wire name `name` (an unknown name is [`PinJobStatus::Unknown`]).
    pub fn from_wire(name: &str) -> Self {
        Self::KNOWN
            .into_iter()
            .find(|s| s.as_str() == name)
            .unwrap_or_else(|| PinJobStatus::Unknown(name.to_owned()))
    }

    /// Whether the job is still in progress (it may yet be pinned).
    pub fn is_pending(&self) -> bool {
        matches!(
            self,
            PinJobStatus::Prechecking | PinJobStatus::Searching | PinJobStatus::Retrieving
        )
    }

    /// The wire name.
    pub fn as_str(&self) -> &str {
        match self {
            PinJobStatus::Prechecking => "prechecking",
            PinJobStatus::Searching => "searching",
            PinJobStatus::Retrieving => "retrieving",
            PinJobStatus::Expired => "expired",
            PinJobStatus::OverFreeLimit => "over_free_limit",
            PinJobStatus::OverMaxSize => "over_max_size",
            PinJobStatus::InvalidObject => "invalid_object",
            PinJobStatus::BadHostNode => "bad_host_node",
            PinJobStatus::Backfilled => "backfilled",
            PinJobStatus::Unknown(name) => name,
        }
    }
}

impl std::fmt::Display for PinJobStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// As the API writes it (`prechecking`, …; an unknown status as it came).
impl Serialize for PinJobStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PinJobStatus {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Ok(PinJobStatus::from_wire(&name))
    }
}

/// Lists pin-by-hash jobs, with filters; walk all pages with `client.paginate(…)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPinJobs {
    sort: Option<JobSort>,
    status: Option<PinJobStatus>,
    cid: Option<String>,
    limit: u64,
    offset: u64,
}

impl Default for ListPinJobs {
    fn default() -> Self {
        Self::new()
    }
}

impl ListPinJobs {
    /// All jobs, 5 per page (the API's default).
    pub fn new() -> Self {
        Self {
            sort: None,
            status: None,
            cid: None,
            limit: 5,
            offset: 0,
        }
    }

    /// Order by queue date.
    pub fn sort(mut self, sort: JobSort) -> Self {
        self.sort = Some(sort);
        self
    }

    /// Only jobs in `status`.
    pub fn status(mut self, status: PinJobStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Only jobs for `cid`.
    pub fn cid(mut self, cid: impl Into<String>) -> Self {
        self.cid = Some(cid.into());
        self
    }

    /// Jobs per page, 1 to 1000.
    pub fn limit(mut self, limit: u64) -> Result<Self, BuildError> {
        if !(1..=1000).contains(&limit) {
            return Err(BuildError::InvalidInput(format!(
                "limit must be 1 to 1000, not {limit}"
            )));
        }
        self.limit = limit;
        Ok(self)
    }

    /// Starts at `offset`.
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }
}

/// One page of jobs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PinJobPage {
    /// Matching jobs in all.
    pub count: u64,
    /// This page.
    pub rows: Vec<PinJob>,
}

/// A pin-by-hash job. `Serialize` writes the shape it is read from; `Debug` shows `date_queued`
/// as a date.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PinJob {
    /// Job id.
    pub id: String,
    /// The CID.
    pub ipfs_pin_hash: String,
    /// When it was queued.
    #[serde(
        serialize_with = "crate::time::serialize",
        deserialize_with = "crate::time::deserialize"
    )]
    pub date_queued: std::time::SystemTime,
    /// The pin's name.
    #[serde(default)]
    pub name: Option<String>,
    /// The state.
    pub status: PinJobStatus,
    /// Key-values.
    #[serde(default)]
    pub keyvalues: Option<serde_json::Value>,
    /// Host nodes given.
    #[serde(default)]
    pub host_nodes: Option<Vec<String>>,
}

debug_with_dates!(PinJob {
    id,
    ipfs_pin_hash,
    date_queued as date,
    name,
    status,
    keyvalues,
    host_nodes,
});

impl Endpoint for ListPinJobs {
    type Output = PinJobPage;

    fn method(&self) -> Method {
        Method::GET
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        let mut q = Query::new();
        q.push_opt("sort", self.sort.map(JobSort::as_str))
            .push_opt("status", self.status.as_ref().map(PinJobStatus::as_str))
            .push_opt("ipfs_pin_hash", self.cid.as_deref())
            .push("limit", self.limit)
            .push("offset", self.offset);
        Ok(q.append_to("/pinning/pinJobs"))
    }

    fn parse(
        &self,
        status: StatusCode,
        _: &HeaderMap,
        body: &Bytes,
    ) -> Result<PinJobPage, DecodeError> {
        DecodeError::decode_json(status, body)
    }
}

impl Paginated for ListPinJobs {
    type Item = PinJob;

    fn next_page(&self, page: &PinJobPage) -> Option<Self> {
        super::next_offset(self.offset, page.rows.len(), self.limit, Some(page.count))
            .map(|offset| self.clone().offset(offset))
    }

    fn into_items(page: PinJobPage) -> Vec<PinJob> {
        page.rows
    }
}

//! v3 pin by CID (public network only): `POST /v3/files/public/pin_by_cid` queues a pin of content
//! already on IPFS, `GET` the same path lists the queue, `DELETE …/{id}` cancels a request.
//! Scopes: `org:files:write` to queue and cancel, `org:files:read` to list (or an admin key).

use std::collections::BTreeMap;
use std::time::SystemTime;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use serde::{Deserialize, Serialize};

use super::pinning::{JobSort, MAX_HOST_NODES, PinJobStatus, validate_multiaddr};
use super::v3::{decode_data, next_page_token};
use crate::cid::Cid;
use crate::endpoint::{Body, Endpoint, Paginated};
use crate::error::{BuildError, DecodeError};
use crate::query::{Query, encode_segment};

const PATH: &str = "/v3/files/public/pin_by_cid";

/// The most queued requests one page may ask for.
pub const MAX_QUEUE_PAGE: u32 = 1000;

/// Queues a pin of `cid` on the public network. Needs `org:files:write`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinByCid {
    cid: String,
    name: Option<String>,
    keyvalues: BTreeMap<String, String>,
    group_id: Option<String>,
    host_nodes: Vec<String>,
}

impl PinByCid {
    /// A pin of `cid`; refused when it is not a CID.
    pub fn new(cid: impl Into<String>) -> Result<Self, BuildError> {
        let cid = cid.into();
        cid.parse::<Cid>()
            .map_err(|_| BuildError::InvalidInput(format!("{cid:?} is not a CID")))?;
        Ok(Self {
            cid,
            name: None,
            keyvalues: BTreeMap::new(),
            group_id: None,
            host_nodes: Vec::new(),
        })
    }

    /// The file's name (the official SDK sends the CID when there is none).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// A key-value on the file (v3 key-values are strings).
    pub fn keyvalue(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.keyvalues.insert(key.into(), value.into());
        self
    }

    /// Puts the file in the group `group_id`.
    pub fn group(mut self, group_id: impl Into<String>) -> Self {
        self.group_id = Some(group_id.into());
        self
    }

    /// A node that has the content, as a multiaddr (at most [`MAX_HOST_NODES`]).
    pub fn host_node(mut self, addr: impl Into<String>) -> Result<Self, BuildError> {
        let addr = addr.into();
        validate_multiaddr(&addr)?;
        if self.host_nodes.len() >= MAX_HOST_NODES {
            return Err(BuildError::InvalidInput(format!(
                "at most {MAX_HOST_NODES} host nodes"
            )));
        }
        self.host_nodes.push(addr);
        Ok(self)
    }
}

#[derive(Serialize)]
struct Wire<'a> {
    cid: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    keyvalues: &'a BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_id: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    host_nodes: &'a [String],
}

/// A queued pin-by-CID request, as the API answers the queueing and lists the queue.
/// `Serialize` writes the shape it is read from; `Debug` shows `date_queued` as a date;
/// [`PinByCidJob::new`] makes one for a test.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PinByCidJob {
    /// The request's id (to cancel it).
    pub id: String,
    /// The CID (the queue spells it `ipfs_pin_hash` in some answers).
    #[serde(alias = "ipfs_pin_hash")]
    pub cid: String,
    /// When it was queued.
    #[serde(
        serialize_with = "crate::time::serialize",
        deserialize_with = "crate::time::deserialize"
    )]
    pub date_queued: SystemTime,
    /// The file's name.
    #[serde(default)]
    pub name: Option<String>,
    /// Where it stands.
    pub status: PinJobStatus,
    /// Its key-values.
    #[serde(default)]
    pub keyvalues: Option<BTreeMap<String, serde_json::Value>>,
    /// The host nodes given. (The spec's example spells it `hose_nodes`.)
    #[serde(default, alias = "hose_nodes")]
    pub host_nodes: Option<Vec<String>>,
    /// The group, if one was given.
    #[serde(default)]
    pub group_id: Option<String>,
}

debug_with_dates!(PinByCidJob {
    id,
    cid,
    date_queued as date,
    name,
    status,
    keyvalues,
    host_nodes,
    group_id,
});

impl PinByCidJob {
    /// Request `id` pinning `cid`, standing at `status` (for a test's fake): queued at the Unix
    /// epoch, nothing else given.
    pub fn new(id: impl Into<String>, cid: impl Into<String>, status: PinJobStatus) -> Self {
        Self {
            id: id.into(),
            cid: cid.into(),
            date_queued: std::time::UNIX_EPOCH,
            name: None,
            status,
            keyvalues: None,
            host_nodes: None,
            group_id: None,
        }
    }
}

impl Endpoint for PinByCid {
    type Output = PinByCidJob;

    fn method(&self) -> Method {
        Method::POST
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        Ok(PATH.to_owned())
    }

    fn body(&self) -> Result<Body, BuildError> {
        Body::json(&Wire {
            cid: &self.cid,
            name: self.name.as_deref().unwrap_or(&self.cid),
            keyvalues: &self.keyvalues,
            group_id: self.group_id.as_deref(),
            host_nodes: &self.host_nodes,
        })
    }

    fn parse(
        &self,
        status: StatusCode,
        _: &HeaderMap,
        body: &Bytes,
    ) -> Result<PinByCidJob, DecodeError> {
        decode_data(status, body)
    }
}

/// One page of the pin-by-CID queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PinQueuePage {
    /// This page.
    #[serde(default)]
    pub jobs: Vec<PinByCidJob>,
    /// The token of the next page (absent or empty on the last).
    #[serde(default)]
    pub next_page_token: Option<String>,
}

/// Lists the pin-by-CID queue, with filters; walk it all with `client.paginate(…)`. Needs
/// `org:files:read`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListPinQueue {
    order: Option<JobSort>,
    status: Option<PinJobStatus>,
    cid: Option<String>,
    limit: Option<u32>,
    page_token: Option<String>,
}

impl ListPinQueue {
    /// The whole queue, newest first.
    pub fn new() -> Self {
        Self::default()
    }

    /// Oldest or newest first.
    pub fn order(mut self, order: JobSort) -> Self {
        self.order = Some(order);
        self
    }

    /// Only requests in `status`.
    pub fn status(mut self, status: PinJobStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Only requests for `cid`.
    pub fn cid(mut self, cid: impl Into<String>) -> Self {
        self.cid = Some(cid.into());
        self
    }

    /// At most `limit` requests per page (1 to [`MAX_QUEUE_PAGE`]).
    pub fn limit(mut self, limit: u32) -> Result<Self, BuildError> {
        if !(1..=MAX_QUEUE_PAGE).contains(&limit) {
            return Err(BuildError::InvalidInput(format!(
                "a page holds 1 to {MAX_QUEUE_PAGE} requests, not {limit}"
            )));
        }
        self.limit = Some(limit);
        Ok(self)
    }

    /// The page after the one that answered with `token`.
    pub fn page_token(mut self, token: impl Into<String>) -> Self {
        self.page_token = Some(token.into());
        self
    }
}

impl Endpoint for ListPinQueue {
    type Output = PinQueuePage;

    fn method(&self) -> Method {
        Method::GET
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        let mut q = Query::new();
        q.push_opt("order", self.order.map(JobSort::as_str))
            .push_opt("status", self.status.as_ref().map(PinJobStatus::as_str))
            .push_opt("cid", self.cid.as_deref())
            .push_opt("limit", self.limit)
            .push_opt("pageToken", self.page_token.as_deref());
        Ok(q.append_to(PATH))
    }

    fn parse(
        &self,
        status: StatusCode,
        _: &HeaderMap,
        body: &Bytes,
    ) -> Result<PinQueuePage, DecodeError> {
        decode_data(status, body)
    }
}

impl Paginated for ListPinQueue {
    type Item = PinByCidJob;

    /// The next page while the API gives a new token and the page was not empty.
    fn next_page(&self, page: &PinQueuePage) -> Option<Self> {
        let token = next_page_token(
            page.next_page_token.as_deref(),
            page.jobs.len(),
            self.page_token.as_deref(),
        )?;
        Some(self.clone().page_token(token))
    }

    fn into_items(page: PinQueuePage) -> Vec<PinByCidJob> {
        page.jobs
    }
}

/// Cancels (removes) a pin-by-CID request. Needs `org:files:write`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelPinByCid {
    id: String,
}

impl CancelPinByCid {
    /// Cancels the request `id`.
    pub fn new(id: impl Into<String>) -> Self {
        Self { id: id.into() }
    }
}

impl Endpoint for CancelPinByCid {
    type Output = ();

    fn method(&self) -> Method {
        Method::DELETE
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        if self.id.is_empty() {
            return Err(BuildError::InvalidInput("a request id is empty".into()));
        }
        Ok(format!("{PATH}/{}", encode_segment(&self.id)))
    }

    /// Any 2xx is success (the official SDK reads the text `OK`).
    fn parse(&self, _: StatusCode, _: &HeaderMap, _: &Bytes) -> Result<(), DecodeError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CID: &str = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";

    #[test]
    fn requests_are_as_the_sdk_sends_them() {
        let pin = PinByCid::new(CID).unwrap().keyvalue("env", "prod");
        assert_eq!(
            pin.body().unwrap(),
            Body::Json(Bytes::from(format!(
                r#"{{"cid":"{CID}","name":"{CID}","keyvalues":{{"env":"prod"}}}}"#
            )))
        );
        assert!(PinByCid::new("not a cid").is_err());
        assert!(PinByCid::new(CID).unwrap().host_node("nope").is_err());
        let list = ListPinQueue::new()
            .order(JobSort::Ascending)
            .status(PinJobStatus::Searching)
            .limit(3)
            .unwrap();
        assert_eq!(
            list.path_and_query().unwrap(),
            "/v3/files/public/pin_by_cid?order=ASC&status=searching&limit=3"
        );
        assert_eq!(
            CancelPinByCid::new("a/b").path_and_query().unwrap(),
            "/v3/files/public/pin_by_cid/a%2Fb"
        );
    }

    #[test]
    fn the_queue_decodes_with_either_cid_spelling() {
        let body = Bytes::from(format!(
            r#"{{"data":{{"jobs":[{{"id":"j","ipfs_pin_hash":"{CID}","date_queued":"2026-01-01T00:00:00.000Z","status":"retreiving","hose_nodes":null}}],"next_page_token":""}}}}"#
        ));
        let page = ListPinQueue::new()
            .parse(StatusCode::OK, &HeaderMap::new(), &body)
            .unwrap();
        assert_eq!(page.jobs[0].cid, CID);
        // The spec's misspelt state is kept, not refused.
        assert_eq!(
            page.jobs[0].status,
            PinJobStatus::Unknown("retreiving".into())
        );
        assert!(ListPinQueue::new().next_page(&page).is_none());
    }
}

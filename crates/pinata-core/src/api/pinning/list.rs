//! `GET /data/pinList`: the account's pins, with every filter the API takes.

use std::time::SystemTime;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use serde::{Deserialize, Serialize};

use super::MetadataValue;
use crate::endpoint::{Endpoint, Paginated};
use crate::error::{BuildError, DecodeError};
use crate::query::Query;
use crate::time::format_iso8601;

/// Which pins by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PinStatusFilter {
    /// Pinned and unpinned (the API's default).
    #[default]
    All,
    /// Only current pins.
    Pinned,
    /// Only removed pins.
    Unpinned,
}

/// A comparison on a key-value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyValueOp {
    /// Greater than.
    Gt,
    /// Greater than or equal.
    Gte,
    /// Less than.
    Lt,
    /// Less than or equal.
    Lte,
    /// Not equal.
    Ne,
    /// Equal.
    Eq,
    /// Between two values (inclusive).
    Between,
    /// Outside two values.
    NotBetween,
    /// SQL `LIKE` (`%` matches any run of characters).
    Like,
    /// Not `LIKE`.
    NotLike,
    /// Case-insensitive `LIKE`.
    ILike,
    /// Not case-insensitive `LIKE`.
    NotILike,
    /// Matches a regular expression.
    Regexp,
    /// Matches a regular expression, ignoring case.
    IRegexp,
}

impl KeyValueOp {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyValueOp::Gt => "gt",
            KeyValueOp::Gte => "gte",
            KeyValueOp::Lt => "lt",
            KeyValueOp::Lte => "lte",
            KeyValueOp::Ne => "ne",
            KeyValueOp::Eq => "eq",
            KeyValueOp::Between => "between",
            KeyValueOp::NotBetween => "notBetween",
            KeyValueOp::Like => "like",
            KeyValueOp::NotLike => "notLike",
            KeyValueOp::ILike => "iLike",
            KeyValueOp::NotILike => "notILike",
            KeyValueOp::Regexp => "regexp",
            KeyValueOp::IRegexp => "iRegexp",
        }
    }

    /// The operator with wire name `name`.
    pub fn parse(name: &str) -> Option<Self> {
        use KeyValueOp::*;
        [
            Gt, Gte, Lt, Lte, Ne, Eq, Between, NotBetween, Like, NotLike, ILike, NotILike, Regexp,
            IRegexp,
        ]
        .into_iter()
        .find(|op| op.as_str() == name)
    }

    /// Whether the operator takes two values.
    pub fn is_range(self) -> bool {
        matches!(self, KeyValueOp::Between | KeyValueOp::NotBetween)
    }
}

/// A condition on one key-value.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyValueFilter {
    key: String,
    op: KeyValueOp,
    value: MetadataValue,
    second: Option<MetadataValue>,
}

impl KeyValueFilter {
    /// `key op value`; `between`/`notBetween` need [`KeyValueFilter::range`].
    pub fn new(
        key: impl Into<String>,
        op: KeyValueOp,
        value: impl Into<MetadataValue>,
    ) -> Result<Self, BuildError> {
        if op.is_range() {
            return Err(BuildError::InvalidInput(format!(
                "{} compares with two values: use KeyValueFilter::range",
                op.as_str()
            )));
        }
        Ok(Self {
            key: key.into(),
            op,
            value: value.into(),
            second: None,
        })
    }

    /// `key between low and high` (or `notBetween` with `inside = false`).
    pub fn range(
        key: impl Into<String>,
        low: impl Into<MetadataValue>,
        high: impl Into<MetadataValue>,
        inside: bool,
    ) -> Self {
        Self {
            key: key.into(),
            op: if inside {
                KeyValueOp::Between
            } else {
                KeyValueOp::NotBetween
            },
            value: low.into(),
            second: Some(high.into()),
        }
    }
}

/// Lists pins, newest first. Every filter of the API is a method; pages are walked with
/// `client.paginate(ListPins::new())`.
#[derive(Debug, Clone, PartialEq)]
pub struct ListPins {
    cid: Option<String>,
    hash_contains: Option<String>,
    pinned_after: Option<SystemTime>,
    pinned_before: Option<SystemTime>,
    unpinned_after: Option<SystemTime>,
    unpinned_before: Option<SystemTime>,
    size_min: Option<u64>,
    size_max: Option<u64>,
    status: PinStatusFilter,
    name_contains: Option<String>,
    keyvalues: Vec<KeyValueFilter>,
    group_id: Option<String>,
    include_count: bool,
    limit: u64,
    offset: u64,
}

impl Default for ListPins {
    fn default() -> Self {
        Self::new()
    }
}

impl ListPins {
    /// Every pin, 10 per page (the API's default).
    pub fn new() -> Self {
        Self {
            cid: None,
            hash_contains: None,
            pinned_after: None,
            pinned_before: None,
            unpinned_after: None,
            unpinned_before: None,
            size_min: None,
            size_max: None,
            status: PinStatusFilter::All,
            name_contains: None,
            keyvalues: Vec::new(),
            group_id: None,
            include_count: true,
            limit: 10,
            offset: 0,
        }
    }

    /// Only this exact CID.
    pub fn cid(mut self, cid: impl Into<String>) -> Self {
        self.cid = Some(cid.into());
        self
    }

    /// Only CIDs containing this text (the legacy `hashContains`).
    pub fn hash_contains(mut self, part: impl Into<String>) -> Self {
        self.hash_contains = Some(part.into());
        self
    }

    /// Only pins made at or after `t`.
    pub fn pinned_after(mut self, t: SystemTime) -> Self {
        self.pinned_after = Some(t);
        self
    }

    /// Only pins made at or before `t`.
    pub fn pinned_before(mut self, t: SystemTime) -> Self {
        self.pinned_before = Some(t);
        self
    }

    /// Only pins removed at or after `t`.
    pub fn unpinned_after(mut self, t: SystemTime) -> Self {
        self.unpinned_after = Some(t);
        self
    }

    /// Only pins removed at or before `t`.
    pub fn unpinned_before(mut self, t: SystemTime) -> Self {
        self.unpinned_before = Some(t);
        self
    }

    /// Only pins of at least `bytes`.
    pub fn size_min(mut self, bytes: u64) -> Self {
        self.size_min = Some(bytes);
        self
    }

    /// Only pins of at most `bytes`.
    pub fn size_max(mut self, bytes: u64) -> Self {
        self.size_max = Some(bytes);
        self
    }

    /// Only pinned, or only unpinned, pins.
    pub fn status(mut self, status: PinStatusFilter) -> Self {
        self.status = status;
        self
    }

    /// Only pins whose name contains this text.
    pub fn name_contains(mut self, text: impl Into<String>) -> Self {
        self.name_contains = Some(text.into());
        self
    }

    /// Only pins whose key-values meet `filter` (all filters must hold).
    pub fn keyvalue(mut self, filter: KeyValueFilter) -> Self {
        self.keyvalues.push(filter);
        self
    }

    /// Only pins in this group.
    pub fn group(mut self, group_id: impl Into<String>) -> Self {
        self.group_id = Some(group_id.into());
        self
    }

    /// Leave out the total count (faster on the real service).
    pub fn without_count(mut self) -> Self {
        self.include_count = false;
        self
    }

    /// Pins per page, 1 to 1000.
    pub fn page_limit(mut self, limit: u64) -> Result<Self, BuildError> {
        if !(1..=1000).contains(&limit) {
            return Err(BuildError::InvalidInput(format!(
                "pageLimit must be 1 to 1000, not {limit}"
            )));
        }
        self.limit = limit;
        Ok(self)
    }

    /// Starts at `offset`.
    pub fn page_offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }
}

/// One page of pins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PinPage {
    /// Matching pins in all (absent with [`ListPins::without_count`]).
    #[serde(default)]
    pub count: Option<u64>,
    /// This page.
    pub rows: Vec<PinRow>,
}

impl PinPage {
    /// A page of `rows` out of `count` in all (for a test's fake).
    pub fn new(rows: Vec<PinRow>, count: Option<u64>) -> Self {
        Self { count, rows }
    }
}

/// A pin as listed. `Serialize` writes the shape it is read from; `Debug` shows the dates as
/// dates; [`PinRow::new`] makes one for a test.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PinRow {
    /// Row id.
    pub id: String,
    /// The CID.
    pub ipfs_pin_hash: String,
    /// DAG size in bytes.
    pub size: u64,
    /// Owner.
    #[serde(default)]
    pub user_id: Option<String>,
    /// When it was pinned.
    #[serde(
        serialize_with = "crate::time::serialize",
        deserialize_with = "crate::time::deserialize"
    )]
    pub date_pinned: SystemTime,
    /// When it was unpinned, if it was.
    #[serde(
        default,
        serialize_with = "crate::time::serialize_optional",
        deserialize_with = "crate::time::deserialize_optional"
    )]
    pub date_unpinned: Option<SystemTime>,
    /// Name and key-values.
    pub metadata: PinRowMetadata,
    /// MIME type of a single file.
    #[serde(default)]
    pub mime_type: Option<String>,
    /// Files in the pin.
    #[serde(default)]
    pub number_of_files: Option<u64>,
}

/// `metadata` of a listed pin.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PinRowMetadata {
    /// The pin's name.
    #[serde(default)]
    pub name: Option<String>,
    /// Its key-values.
    #[serde(default)]
    pub keyvalues: Option<serde_json::Map<String, serde_json::Value>>,
}

debug_with_dates!(PinRow {
    id,
    ipfs_pin_hash,
    size,
    user_id,
    date_pinned as date,
    date_unpinned as maybe_date,
    metadata,
    mime_type,
    number_of_files,
});

impl PinRow {
    /// Row `id`, a pin of `ipfs_pin_hash` at `size` bytes (for a test's fake): pinned at the Unix
    /// epoch, no name or key-values.
    pub fn new(id: impl Into<String>, ipfs_pin_hash: impl Into<String>, size: u64) -> Self {
        Self {
            id: id.into(),
            ipfs_pin_hash: ipfs_pin_hash.into(),
            size,
            user_id: None,
            date_pinned: std::time::UNIX_EPOCH,
            date_unpinned: None,
            metadata: PinRowMetadata::default(),
            mime_type: None,
            number_of_files: None,
        }
    }
}

impl Endpoint for ListPins {
    type Output = PinPage;

    fn method(&self) -> Method {
        Method::GET
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        let mut q = Query::new();
        if !self.include_count {
            q.push("includeCount", false);
        }
        q.push_opt("cid", self.cid.as_deref())
            .push_opt("hashContains", self.hash_contains.as_deref())
            .push_opt("pinStart", self.pinned_after.map(format_iso8601))
            .push_opt("pinEnd", self.pinned_before.map(format_iso8601))
            .push_opt("unpinStart", self.unpinned_after.map(format_iso8601))
            .push_opt("unpinEnd", self.unpinned_before.map(format_iso8601))
            .push_opt("pinSizeMin", self.size_min)
            .push_opt("pinSizeMax", self.size_max)
            .push_opt(
                "status",
                match self.status {
                    PinStatusFilter::All => None,
                    PinStatusFilter::Pinned => Some("pinned"),
                    PinStatusFilter::Unpinned => Some("unpinned"),
                },
            )
            .push_opt("groupId", self.group_id.as_deref())
            .push_opt("metadata[name]", self.name_contains.as_deref());
        if !self.keyvalues.is_empty() {
            let mut conditions = serde_json::Map::new();
            for f in &self.keyvalues {
                if conditions.contains_key(&f.key) {
                    return Err(BuildError::InvalidInput(format!(
                        "two conditions on the key-value {:?}: the API takes one per key (use KeyValueFilter::range for a range)",
                        f.key
                    )));
                }
                let mut c = serde_json::json!({ "value": f.value, "op": f.op.as_str() });
                if let Some(second) = &f.second {
                    c["secondValue"] =
                        serde_json::to_value(second).map_err(BuildError::Serialize)?;
                }
                conditions.insert(f.key.clone(), c);
            }
            q.push("metadata[keyvalues]", serde_json::Value::Object(conditions));
        }
        q.push("pageLimit", self.limit)
            .push("pageOffset", self.offset);
        Ok(q.append_to("/data/pinList"))
    }

    fn parse(
        &self,
        status: StatusCode,
        _: &HeaderMap,
        body: &Bytes,
    ) -> Result<PinPage, DecodeError> {
        DecodeError::decode_json(status, body)
    }
}

impl Paginated for ListPins {
    type Item = PinRow;

    fn next_page(&self, page: &PinPage) -> Option<Self> {
        super::next_offset(self.offset, page.rows.len(), self.limit, page.count)
            .map(|offset| self.clone().page_offset(offset))
    }

    fn into_items(page: PinPage) -> Vec<PinRow> {
        page.rows
    }
}

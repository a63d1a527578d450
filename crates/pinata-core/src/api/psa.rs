//! The IPFS Pinning Service API at `/psa` (`pinata-v3-api.md` §2): list pins with every filter and
//! `before` paging, add, get, replace, remove. Bearer (JWT) authentication, as Kubo's
//! `ipfs pin remote service add pinata https://api.pinata.cloud/psa <JWT>` uses it.
//!
//! Pinata deviates from the spec (§2.3): `POST /pins` answers 200 rather than 202, `DELETE` answers
//! 200 `OK` rather than 202 with no body, and lists come oldest first. Every one of these is
//! accepted here; paging takes the oldest `created` of each page whatever the order, so it works
//! against both.

use std::collections::BTreeMap;
use std::time::SystemTime;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use serde::{Deserialize, Serialize};

use crate::endpoint::{Body, Endpoint, Paginated};
use crate::error::{BuildError, DecodeError};
use crate::query::{Query, encode_segment};

/// The most CIDs one listing may filter by.
pub const MAX_PSA_CIDS: usize = 10;
/// The longest pin name.
pub const MAX_PSA_NAME: usize = 255;
/// The most origins a pin may name.
pub const MAX_PSA_ORIGINS: usize = 20;
/// The most `meta` entries a pin may carry.
pub const MAX_PSA_META: usize = 1000;
/// The most pins one page may ask for.
pub const MAX_PSA_PAGE: u32 = 1000;

/// What to pin: a CID, with an optional name, origins (multiaddrs that have it) and metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PsaPin {
    /// The CID.
    pub cid: String,
    /// A name (at most [`MAX_PSA_NAME`] characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Multiaddrs of peers that hold the content.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "crate::api::v3::null_as_empty"
    )]
    pub origins: Vec<String>,
    /// Free-form metadata.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "crate::api::v3::string_map"
    )]
    pub meta: BTreeMap<String, String>,
}

impl PsaPin {
    /// A pin of `cid`; an empty CID is refused.
    pub fn new(cid: impl Into<String>) -> Result<Self, BuildError> {
        let cid = cid.into();
        if cid.is_empty() {
            return Err(BuildError::InvalidInput("a pin needs a CID".into()));
        }
        Ok(Self {
            cid,
            name: None,
            origins: Vec::new(),
            meta: BTreeMap::new(),
        })
    }

    /// Its name.
    pub fn name(mut self, name: impl Into<String>) -> Result<Self, BuildError> {
        let name = name.into();
        check_name(&name)?;
        self.name = Some(name);
        Ok(self)
    }

    /// A peer that holds the content (a multiaddr; at most [`MAX_PSA_ORIGINS`]).
    pub fn origin(mut self, multiaddr: impl Into<String>) -> Result<Self, BuildError> {
        let multiaddr = multiaddr.into();
        crate::api::pinning::validate_multiaddr(&multiaddr)?;
        if self.origins.len() >= MAX_PSA_ORIGINS {
            return Err(BuildError::InvalidInput(format!(
                "a pin names at most {MAX_PSA_ORIGINS} origins"
            )));
        }
        if !self.origins.contains(&multiaddr) {
            self.origins.push(multiaddr);
        }
        Ok(self)
    }

    /// A metadata entry (at most [`MAX_PSA_META`]).
    pub fn meta(
        mut self,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<Self, BuildError> {
        self.meta.insert(key.into(), value.into());
        if self.meta.len() > MAX_PSA_META {
            return Err(BuildError::InvalidInput(format!(
                "a pin carries at most {MAX_PSA_META} metadata entries"
            )));
        }
        Ok(self)
    }
}

fn check_name(name: &str) -> Result<(), BuildError> {
    if name.chars().count() > MAX_PSA_NAME {
        return Err(BuildError::InvalidInput(format!(
            "a pin name has at most {MAX_PSA_NAME} characters"
        )));
    }
    Ok(())
}

/// Where a pin request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum PsaStatus {
    /// Waiting.
    Queued,
    /// Being pinned.
    Pinning,
    /// Pinned.
    Pinned,
    /// Given up.
    Failed,
}

impl PsaStatus {
    fn as_str(self) -> &'static str {
        match self {
            PsaStatus::Queued => "queued",
            PsaStatus::Pinning => "pinning",
            PsaStatus::Pinned => "pinned",
            PsaStatus::Failed => "failed",
        }
    }
}

/// A pin request as the service answers it. `Serialize` writes the shape it is read from; `Debug`
/// shows `created` as a date.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PsaPinStatus {
    /// Its id.
    pub requestid: String,
    /// Where it stands.
    pub status: PsaStatus,
    /// When it was made (unique per request: the paging key).
    #[serde(
        serialize_with = "crate::time::serialize",
        deserialize_with = "crate::time::deserialize"
    )]
    pub created: SystemTime,
    /// What is pinned.
    pub pin: PsaPin,
    /// Multiaddrs of the service's peers to connect to.
    #[serde(default, deserialize_with = "crate::api::v3::null_as_empty")]
    pub delegates: Vec<String>,
    /// Extra information (Pinata's `pinata_pinjob_status`, say).
    #[serde(default, deserialize_with = "crate::api::v3::string_map")]
    pub info: BTreeMap<String, String>,
}

debug_with_dates!(PsaPinStatus {
    requestid,
    status,
    created as date,
    pin,
    delegates,
    info,
});

/// One page of pin requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PsaPinResults {
    /// How many match in all.
    pub count: u64,
    /// This page.
    #[serde(default, deserialize_with = "crate::api::v3::null_as_empty")]
    pub results: Vec<PsaPinStatus>,
}

/// How a name filter matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NameMatch {
    /// The whole name, case-sensitive (the spec's default).
    Exact,
    /// The whole name, ignoring case.
    IExact,
    /// Part of the name, case-sensitive.
    Partial,
    /// Part of the name, ignoring case.
    IPartial,
}

impl NameMatch {
    fn as_str(self) -> &'static str {
        match self {
            NameMatch::Exact => "exact",
            NameMatch::IExact => "iexact",
            NameMatch::Partial => "partial",
            NameMatch::IPartial => "ipartial",
        }
    }
}

/// Lists pin requests, newest first (Pinata: oldest first), a page at a time; walk them all with
/// `client.paginate(…)`. Without a status filter the service lists pinned ones only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPsaPins {
    cids: Vec<String>,
    name: Option<(String, NameMatch)>,
    statuses: Vec<PsaStatus>,
    before: Option<SystemTime>,
    after: Option<SystemTime>,
    limit: Option<u32>,
    meta: BTreeMap<String, String>,
}

impl Default for ListPsaPins {
    fn default() -> Self {
        Self::new()
    }
}

impl ListPsaPins {
    /// Every pinned request.
    pub fn new() -> Self {
        Self {
            cids: Vec::new(),
            name: None,
            statuses: Vec::new(),
            before: None,
            after: None,
            limit: None,
            meta: BTreeMap::new(),
        }
    }

    /// Only requests for `cid` (call up to [`MAX_PSA_CIDS`] times).
    pub fn cid(mut self, cid: impl Into<String>) -> Result<Self, BuildError> {
        if self.cids.len() >= MAX_PSA_CIDS {
            return Err(BuildError::InvalidInput(format!(
                "a listing filters by at most {MAX_PSA_CIDS} CIDs"
            )));
        }
        self.cids.push(cid.into());
        Ok(self)
    }

    /// Only requests whose name matches `name` as `how` says.
    pub fn name(mut self, name: impl Into<String>, how: NameMatch) -> Result<Self, BuildError> {
        let name = name.into();
        check_name(&name)?;
        self.name = Some((name, how));
        Ok(self)
    }

    /// Only requests in `status` (call again for more; none means pinned only).
    pub fn status(mut self, status: PsaStatus) -> Self {
        if !self.statuses.contains(&status) {
            self.statuses.push(status);
        }
        self
    }

    /// Only requests made before `t`.
    pub fn before(mut self, t: SystemTime) -> Self {
        self.before = Some(t);
        self
    }

    /// Only requests made after `t`.
    pub fn after(mut self, t: SystemTime) -> Self {
        self.after = Some(t);
        self
    }

    /// At most `limit` per page (1 to [`MAX_PSA_PAGE`]; the service's default is 10).
    pub fn limit(mut self, limit: u32) -> Result<Self, BuildError> {
        if !(1..=MAX_PSA_PAGE).contains(&limit) {
            return Err(BuildError::InvalidInput(format!(
                "a page holds 1 to {MAX_PSA_PAGE} pins, not {limit}"
            )));
        }
        self.limit = Some(limit);
        Ok(self)
    }

    /// Only requests whose metadata has `key` = `value` (all given entries must match).
    pub fn meta(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.meta.insert(key.into(), value.into());
        self
    }
}

impl Endpoint for ListPsaPins {
    type Output = PsaPinResults;

    fn method(&self) -> Method {
        Method::GET
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        let mut q = Query::new();
        if !self.cids.is_empty() {
            q.push("cid", self.cids.join(","));
        }
        if let Some((name, how)) = &self.name {
            q.push("name", name).push("match", how.as_str());
        }
        if !self.statuses.is_empty() {
            let statuses: Vec<&str> = self.statuses.iter().map(|s| s.as_str()).collect();
            q.push("status", statuses.join(","));
        }
        q.push_opt("before", self.before.map(crate::time::format_iso8601))
            .push_opt("after", self.after.map(crate::time::format_iso8601))
            .push_opt("limit", self.limit);
        if !self.meta.is_empty() {
            q.push(
                "meta",
                serde_json::to_string(&self.meta).map_err(BuildError::Serialize)?,
            );
        }
        Ok(q.append_to("/psa/pins"))
    }

    fn parse(
        &self,
        status: StatusCode,
        _: &HeaderMap,
        body: &Bytes,
    ) -> Result<PsaPinResults, DecodeError> {
        DecodeError::decode_json(status, body)
    }
}

impl Paginated for ListPsaPins {
    type Item = PsaPinStatus;

    /// The next page is everything before the oldest request of this one (whatever order the
    /// service lists in), while the service says more match and the page moved back in time.
    fn next_page(&self, page: &PsaPinResults) -> Option<Self> {
        let oldest = page.results.iter().map(|p| p.created).min()?;
        let more = page.count > page.results.len() as u64;
        let moved = self.before.is_none_or(|b| oldest < b);
        (more && moved).then(|| self.clone().before(oldest))
    }

    fn into_items(page: PsaPinResults) -> Vec<PsaPinStatus> {
        page.results
    }
}

fn request_path(id: &str) -> Result<String, BuildError> {
    if id.is_empty() {
        return Err(BuildError::InvalidInput("a pin request id is empty".into()));
    }
    Ok(format!("/psa/pins/{}", encode_segment(id)))
}

/// Asks the service to pin `pin` (`POST /psa/pins`; 202, or Pinata's 200).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddPsaPin(pub PsaPin);

impl Endpoint for AddPsaPin {
    type Output = PsaPinStatus;

    fn method(&self) -> Method {
        Method::POST
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        Ok("/psa/pins".to_owned())
    }

    fn body(&self) -> Result<Body, BuildError> {
        Body::json(&self.0)
    }

    fn parse(
        &self,
        status: StatusCode,
        _: &HeaderMap,
        body: &Bytes,
    ) -> Result<PsaPinStatus, DecodeError> {
        DecodeError::decode_json(status, body)
    }
}

/// One pin request (`GET /psa/pins/{requestid}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetPsaPin(pub String);

impl Endpoint for GetPsaPin {
    type Output = PsaPinStatus;

    fn method(&self) -> Method {
        Method::GET
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        request_path(&self.0)
    }

    fn parse(
        &self,
        status: StatusCode,
        _: &HeaderMap,
        body: &Bytes,
    ) -> Result<PsaPinStatus, DecodeError> {
        DecodeError::decode_json(status, body)
    }
}

/// Replaces a pin request with another pin (`POST /psa/pins/{requestid}`): the answer has a new
/// request id, and the old one is gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplacePsaPin {
    /// The request replaced.
    pub requestid: String,
    /// The new pin.
    pub pin: PsaPin,
}

impl Endpoint for ReplacePsaPin {
    type Output = PsaPinStatus;

    fn method(&self) -> Method {
        Method::POST
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        request_path(&self.requestid)
    }

    fn body(&self) -> Result<Body, BuildError> {
        Body::json(&self.pin)
    }

    fn parse(
        &self,
        status: StatusCode,
        _: &HeaderMap,
        body: &Bytes,
    ) -> Result<PsaPinStatus, DecodeError> {
        DecodeError::decode_json(status, body)
    }
}

/// Removes a pin request (`DELETE /psa/pins/{requestid}`; 202 with no body, or Pinata's 200 `OK`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemovePsaPin(pub String);

impl Endpoint for RemovePsaPin {
    type Output = ();

    fn method(&self) -> Method {
        Method::DELETE
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        request_path(&self.0)
    }

    /// Any 2xx is success.
    fn parse(&self, _: StatusCode, _: &HeaderMap, _: &Bytes) -> Result<(), DecodeError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn list_filters_are_as_the_spec_writes_them() {
        let list = ListPsaPins::new()
            .cid("a")
            .unwrap()
            .cid("b")
            .unwrap()
            .name("My Pin", NameMatch::IPartial)
            .unwrap()
            .status(PsaStatus::Queued)
            .status(PsaStatus::Failed)
            .before(UNIX_EPOCH + Duration::from_millis(1_700_000_000_123))
            .limit(5)
            .unwrap()
            .meta("app", "x");
        assert_eq!(
            list.path_and_query().unwrap(),
            "/psa/pins?cid=a%2Cb&name=My%20Pin&match=ipartial&status=queued%2Cfailed\
             &before=2023-11-14T22%3A13%3A20.123Z&limit=5&meta=%7B%22app%22%3A%22x%22%7D"
        );
        let mut many = ListPsaPins::new();
        for i in 0..MAX_PSA_CIDS {
            many = many.cid(i.to_string()).unwrap();
        }
        assert!(many.cid("one too many").is_err());
        assert!(ListPsaPins::new().limit(0).is_err());
        assert!(
            ListPsaPins::new()
                .name("x".repeat(256), NameMatch::Exact)
                .is_err()
        );
        assert!(
            PsaPin::new("bafy")
                .unwrap()
                .origin("not a multiaddr")
                .is_err()
        );
        assert!(RemovePsaPin(String::new()).path_and_query().is_err());
    }

    #[test]
    fn pages_walk_back_in_time_in_either_order() {
        let status = |id: &str, ms: u64| {
            format!(
                r#"{{"requestid":"{id}","status":"pinned","created":"{}","pin":{{"cid":"c","origins":null}},"delegates":["/ip4/1.2.3.4/tcp/4001/p2p/QmX"],"info":{{"pinata_pinjob_status":"prechecking"}}}}"#,
                crate::time::format_iso8601(UNIX_EPOCH + Duration::from_millis(ms))
            )
        };
        // Oldest first, as Pinata lists: the next page still starts before the oldest.
        let body = format!(
            r#"{{"count":5,"results":[{},{}]}}"#,
            status("a", 1000),
            status("b", 2000)
        );
        let first = ListPsaPins::new();
        let page = first
            .parse(StatusCode::OK, &HeaderMap::new(), &Bytes::from(body))
            .unwrap();
        assert_eq!(page.results[0].info["pinata_pinjob_status"], "prechecking");
        let next = first.next_page(&page).unwrap();
        assert_eq!(next.before, Some(UNIX_EPOCH + Duration::from_millis(1000)));
        // No progress (the same page again), or all seen: the walk ends.
        assert!(next.next_page(&page).is_none());
        let done = PsaPinResults {
            count: 2,
            results: page.results.clone(),
        };
        assert!(first.next_page(&done).is_none());
        let add = AddPsaPin(
            PsaPin::new("bafy")
                .unwrap()
                .name("n")
                .unwrap()
                .meta("k", "v")
                .unwrap(),
        );
        assert_eq!(
            add.body().unwrap(),
            Body::Json(Bytes::from_static(
                br#"{"cid":"bafy","name":"n","meta":{"k":"v"}}"#
            ))
        );
    }
}

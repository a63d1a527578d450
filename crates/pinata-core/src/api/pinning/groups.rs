//! Legacy (v1) groups of pins (`pinata-api.md` §3.9): `POST|GET /groups`,
//! `GET|PUT|DELETE /groups/{id}`, and `PUT|DELETE /groups/{id}/cids` to add or remove pins. The v3
//! groups are in [`crate::api::groups`].

use std::time::SystemTime;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use serde::{Deserialize, Serialize};

use crate::api::validate::check_cid;
use crate::endpoint::{Body, Endpoint, Paginated};
use crate::error::{BuildError, DecodeError};
use crate::query::{Query, encode_segment};

/// Groups per page unless [`ListLegacyGroups::limit`] says otherwise.
pub const LEGACY_GROUP_PAGE: u32 = 10;

/// A legacy group as the API returns it. `Serialize` writes the shape it is read from; `Debug`
/// shows the dates as dates; [`LegacyGroup::new`] makes one for a test.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LegacyGroup {
    /// Its id.
    pub id: String,
    /// The owner.
    #[serde(default)]
    pub user_id: Option<String>,
    /// Its name.
    pub name: String,
    /// When it was made.
    #[serde(
        rename = "createdAt",
        serialize_with = "crate::time::serialize",
        deserialize_with = "crate::time::deserialize"
    )]
    pub created_at: SystemTime,
    /// When it last changed.
    #[serde(
        rename = "updatedAt",
        default,
        serialize_with = "crate::time::serialize_optional",
        deserialize_with = "crate::time::deserialize_optional"
    )]
    pub updated_at: Option<SystemTime>,
}

debug_with_dates!(LegacyGroup {
    id,
    user_id,
    name,
    created_at as date,
    updated_at as maybe_date,
});

impl LegacyGroup {
    /// A group `id` called `name` (for a test's fake), made at the Unix epoch.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            user_id: None,
            name: name.into(),
            created_at: std::time::UNIX_EPOCH,
            updated_at: None,
        }
    }
}

fn check_name(name: &str) -> Result<(), BuildError> {
    if name.trim().is_empty() {
        Err(BuildError::InvalidInput("a group needs a name".into()))
    } else {
        Ok(())
    }
}

fn group_path(id: &str, rest: &str) -> Result<String, BuildError> {
    if id.is_empty() {
        return Err(BuildError::InvalidInput("a group id is empty".into()));
    }
    Ok(format!("/groups/{}{rest}", encode_segment(id)))
}

#[derive(Serialize)]
struct Named<'a> {
    name: &'a str,
}

/// Creates a legacy group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateLegacyGroup {
    name: String,
}

impl CreateLegacyGroup {
    /// A group named `name`; refused when the name is empty.
    pub fn new(name: impl Into<String>) -> Result<Self, BuildError> {
        let name = name.into();
        check_name(&name)?;
        Ok(Self { name })
    }
}

impl Endpoint for CreateLegacyGroup {
    type Output = LegacyGroup;

    fn method(&self) -> Method {
        Method::POST
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        Ok("/groups".to_owned())
    }

    fn body(&self) -> Result<Body, BuildError> {
        Body::json(&Named { name: &self.name })
    }

    fn parse(
        &self,
        status: StatusCode,
        _: &HeaderMap,
        body: &Bytes,
    ) -> Result<LegacyGroup, DecodeError> {
        DecodeError::decode_json(status, body)
    }
}

/// Lists legacy groups a page at a time (by offset); walk them all with `client.paginate(…)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListLegacyGroups {
    name_contains: Option<String>,
    offset: u64,
    limit: u32,
}

impl Default for ListLegacyGroups {
    fn default() -> Self {
        Self {
            name_contains: None,
            offset: 0,
            limit: LEGACY_GROUP_PAGE,
        }
    }
}

impl ListLegacyGroups {
    /// Every group, [`LEGACY_GROUP_PAGE`] per page.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only groups whose name contains `text`.
    pub fn name_contains(mut self, text: impl Into<String>) -> Self {
        self.name_contains = Some(text.into());
        self
    }

    /// Groups per page (1 to 1000).
    pub fn limit(mut self, limit: u32) -> Result<Self, BuildError> {
        if !(1..=1000).contains(&limit) {
            return Err(BuildError::InvalidInput(format!(
                "a page holds 1 to 1000 groups, not {limit}"
            )));
        }
        self.limit = limit;
        Ok(self)
    }

    /// Starts after `offset` groups.
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }
}

impl Endpoint for ListLegacyGroups {
    type Output = Vec<LegacyGroup>;

    fn method(&self) -> Method {
        Method::GET
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        let mut q = Query::new();
        q.push_opt("nameContains", self.name_contains.as_deref())
            .push("offset", self.offset)
            .push("limit", self.limit);
        Ok(q.append_to("/groups"))
    }

    fn parse(
        &self,
        status: StatusCode,
        _: &HeaderMap,
        body: &Bytes,
    ) -> Result<Vec<LegacyGroup>, DecodeError> {
        DecodeError::decode_json(status, body)
    }
}

impl Paginated for ListLegacyGroups {
    type Item = LegacyGroup;

    /// The next page while pages come back full.
    fn next_page(&self, page: &Vec<LegacyGroup>) -> Option<Self> {
        (page.len() as u64 == u64::from(self.limit)).then(|| {
            let mut next = self.clone();
            next.offset = self.offset.saturating_add(page.len() as u64);
            next
        })
    }

    fn into_items(page: Vec<LegacyGroup>) -> Vec<LegacyGroup> {
        page
    }
}

/// One legacy group, by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetLegacyGroup {
    id: String,
}

impl GetLegacyGroup {
    /// The group `id`.
    pub fn new(id: impl Into<String>) -> Self {
        Self { id: id.into() }
    }
}

impl Endpoint for GetLegacyGroup {
    type Output = LegacyGroup;

    fn method(&self) -> Method {
        Method::GET
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        group_path(&self.id, "")
    }

    fn parse(
        &self,
        status: StatusCode,
        _: &HeaderMap,
        body: &Bytes,
    ) -> Result<LegacyGroup, DecodeError> {
        DecodeError::decode_json(status, body)
    }
}

/// Renames a legacy group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenameLegacyGroup {
    id: String,
    name: String,
}

impl RenameLegacyGroup {
    /// Renames the group `id` to `name`; refused when the name is empty.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Result<Self, BuildError> {
        let name = name.into();
        check_name(&name)?;
        Ok(Self {
            id: id.into(),
            name,
        })
    }
}

impl Endpoint for RenameLegacyGroup {
    type Output = LegacyGroup;

    fn method(&self) -> Method {
        Method::PUT
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        group_path(&self.id, "")
    }

    fn body(&self) -> Result<Body, BuildError> {
        Body::json(&Named { name: &self.name })
    }

    fn parse(
        &self,
        status: StatusCode,
        _: &HeaderMap,
        body: &Bytes,
    ) -> Result<LegacyGroup, DecodeError> {
        DecodeError::decode_json(status, body)
    }
}

/// Deletes a legacy group (its pins stay, outside any group). Answers `OK`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteLegacyGroup {
    id: String,
}

impl DeleteLegacyGroup {
    /// Deletes the group `id`.
    pub fn new(id: impl Into<String>) -> Self {
        Self { id: id.into() }
    }
}

impl Endpoint for DeleteLegacyGroup {
    type Output = ();

    fn method(&self) -> Method {
        Method::DELETE
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        group_path(&self.id, "")
    }

    fn parse(&self, status: StatusCode, _: &HeaderMap, body: &Bytes) -> Result<(), DecodeError> {
        super::expect_ok(status, body)
    }
}

/// Adds pins to a legacy group, or removes them: `PUT` or `DELETE /groups/{id}/cids`. Answers
/// `OK`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyGroupCids {
    id: String,
    cids: Vec<String>,
    add: bool,
}

#[derive(Serialize)]
struct Cids<'a> {
    cids: &'a [String],
}

impl LegacyGroupCids {
    /// Adds the pins of `cids` to the group `id`; refused when a CID is not one, or there are none.
    pub fn add(
        id: impl Into<String>,
        cids: impl IntoIterator<Item = impl Into<String>>,
    ) -> Result<Self, BuildError> {
        Self::new(id.into(), cids, true)
    }

    /// Removes the pins of `cids` from the group `id`.
    pub fn remove(
        id: impl Into<String>,
        cids: impl IntoIterator<Item = impl Into<String>>,
    ) -> Result<Self, BuildError> {
        Self::new(id.into(), cids, false)
    }

    fn new(
        id: String,
        cids: impl IntoIterator<Item = impl Into<String>>,
        add: bool,
    ) -> Result<Self, BuildError> {
        let cids: Vec<String> = cids.into_iter().map(Into::into).collect();
        if cids.is_empty() {
            return Err(BuildError::InvalidInput("no CIDs given".into()));
        }
        for cid in &cids {
            check_cid(cid)?;
        }
        Ok(Self { id, cids, add })
    }
}

impl Endpoint for LegacyGroupCids {
    type Output = ();

    fn method(&self) -> Method {
        if self.add {
            Method::PUT
        } else {
            Method::DELETE
        }
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        group_path(&self.id, "/cids")
    }

    fn body(&self) -> Result<Body, BuildError> {
        Body::json(&Cids { cids: &self.cids })
    }

    fn parse(&self, status: StatusCode, _: &HeaderMap, body: &Bytes) -> Result<(), DecodeError> {
        super::expect_ok(status, body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CID: &str = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";

    #[test]
    fn requests_and_paging() {
        let list = ListLegacyGroups::new()
            .name_contains("a b")
            .limit(2)
            .unwrap();
        assert_eq!(
            list.path_and_query().unwrap(),
            "/groups?nameContains=a%20b&offset=0&limit=2"
        );
        let group = |id: &str| LegacyGroup {
            id: id.into(),
            user_id: None,
            name: "g".into(),
            created_at: SystemTime::UNIX_EPOCH,
            updated_at: None,
        };
        let next = list.next_page(&vec![group("1"), group("2")]).unwrap();
        assert_eq!(next.offset, 2);
        assert!(next.next_page(&vec![group("3")]).is_none());
        let add = LegacyGroupCids::add("g/1", [CID]).unwrap();
        assert_eq!(
            (add.method(), add.path_and_query().unwrap()),
            (Method::PUT, "/groups/g%2F1/cids".to_owned())
        );
        assert_eq!(
            add.body().unwrap(),
            Body::Json(Bytes::from(format!(r#"{{"cids":["{CID}"]}}"#)))
        );
        assert!(LegacyGroupCids::remove("g", ["nope"]).is_err());
        assert!(LegacyGroupCids::add("g", Vec::<String>::new()).is_err());
        assert!(CreateLegacyGroup::new("").is_err());
    }
}

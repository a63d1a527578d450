//! v3 groups, on either network: `POST|GET /v3/groups/{network}`,
//! `GET|PUT|DELETE /v3/groups/{network}/{id}`. Scopes: `org:groups:read` to list and get,
//! `org:groups:write` to create, update and delete (or an admin key). Answers are `{"data": …}`.

use std::time::SystemTime;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use serde::{Deserialize, Serialize};

use super::v3::{Network, decode_data, next_page_token};
use crate::endpoint::{Body, Endpoint, Paginated};
use crate::error::{BuildError, DecodeError};
use crate::query::{Query, encode_segment};

/// The longest group name this library sends (the API's limit is not documented; names are for
/// people, and a long one is surely a mistake).
pub const MAX_GROUP_NAME: usize = 1024;

/// The most groups one page may ask for.
pub const MAX_GROUP_PAGE: u32 = 1000;

/// A group as the API returns it. `Serialize` writes the shape it is read from (the spec's
/// spelling); `Debug` shows `created_at` as a date; [`Group::new`] makes one for a test.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Group {
    /// Its id (a UUID).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Whether its files are listed publicly. (The spec's create example spells it `public`.)
    #[serde(default, alias = "public")]
    pub is_public: bool,
    /// When it was made. (The SDK's types spell it `createdAt`; the spec `created_at`.)
    #[serde(
        alias = "createdAt",
        serialize_with = "crate::time::serialize",
        deserialize_with = "crate::time::deserialize"
    )]
    pub created_at: SystemTime,
}

debug_with_dates!(Group {
    id,
    name,
    is_public,
    created_at as date,
});

impl Group {
    /// A private group `id` called `name` (for a test's fake), made at the Unix epoch.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            is_public: false,
            created_at: std::time::UNIX_EPOCH,
        }
    }
}

/// One page of groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GroupPage {
    /// This page.
    #[serde(default, deserialize_with = "super::v3::null_as_empty")]
    pub groups: Vec<Group>,
    /// The token of the next page (absent or empty on the last).
    #[serde(default)]
    pub next_page_token: Option<String>,
}

impl GroupPage {
    /// A page of `groups`, followed by the page `next_page_token` names (for a test's fake).
    pub fn new(groups: Vec<Group>, next_page_token: Option<String>) -> Self {
        Self {
            groups,
            next_page_token,
        }
    }
}

fn check_name(name: &str) -> Result<(), BuildError> {
    if name.trim().is_empty() {
        return Err(BuildError::InvalidInput("a group needs a name".into()));
    }
    if name.chars().count() > MAX_GROUP_NAME {
        return Err(BuildError::InvalidInput(format!(
            "a group name has at most {MAX_GROUP_NAME} characters"
        )));
    }
    Ok(())
}

fn check_id(id: &str) -> Result<(), BuildError> {
    if id.is_empty() {
        Err(BuildError::InvalidInput("a group id is empty".into()))
    } else {
        Ok(())
    }
}

fn group_path(network: Network, id: &str) -> Result<String, BuildError> {
    check_id(id)?;
    Ok(format!("/v3/groups/{network}/{}", encode_segment(id)))
}

#[derive(Serialize)]
struct GroupFields<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_public: Option<bool>,
}

/// Creates a group. Needs `org:groups:write`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateGroup {
    network: Network,
    name: String,
    is_public: Option<bool>,
}

impl CreateGroup {
    /// A group named `name` on `network`; refused when the name is empty or too long.
    pub fn new(network: Network, name: impl Into<String>) -> Result<Self, BuildError> {
        let name = name.into();
        check_name(&name)?;
        Ok(Self {
            network,
            name,
            is_public: None,
        })
    }

    /// Whether the group's files are listed publicly (the API's default: not).
    pub fn public(mut self, is_public: bool) -> Self {
        self.is_public = Some(is_public);
        self
    }
}

impl Endpoint for CreateGroup {
    type Output = Group;

    fn method(&self) -> Method {
        Method::POST
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        Ok(format!("/v3/groups/{}", self.network))
    }

    fn body(&self) -> Result<Body, BuildError> {
        Body::json(&GroupFields {
            name: Some(&self.name),
            is_public: self.is_public,
        })
    }

    fn parse(&self, status: StatusCode, _: &HeaderMap, body: &Bytes) -> Result<Group, DecodeError> {
        decode_data(status, body)
    }
}

/// Lists groups, newest first, a page at a time; walk them all with `client.paginate(…)`. Needs
/// `org:groups:read`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListGroups {
    network: Network,
    name: Option<String>,
    is_public: Option<bool>,
    limit: Option<u32>,
    page_token: Option<String>,
}

impl ListGroups {
    /// Every group on `network`.
    pub fn new(network: Network) -> Self {
        Self {
            network,
            name: None,
            is_public: None,
            limit: None,
            page_token: None,
        }
    }

    /// Only groups whose name contains `name`.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Only public (or only non-public) groups.
    pub fn public(mut self, is_public: bool) -> Self {
        self.is_public = Some(is_public);
        self
    }

    /// At most `limit` groups per page (1 to [`MAX_GROUP_PAGE`]).
    pub fn limit(mut self, limit: u32) -> Result<Self, BuildError> {
        if !(1..=MAX_GROUP_PAGE).contains(&limit) {
            return Err(BuildError::InvalidInput(format!(
                "a page holds 1 to {MAX_GROUP_PAGE} groups, not {limit}"
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

impl Endpoint for ListGroups {
    type Output = GroupPage;

    fn method(&self) -> Method {
        Method::GET
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        let mut q = Query::new();
        q.push_opt("name", self.name.as_deref())
            .push_opt("isPublic", self.is_public)
            .push_opt("limit", self.limit)
            .push_opt("pageToken", self.page_token.as_deref());
        Ok(q.append_to(&format!("/v3/groups/{}", self.network)))
    }

    fn parse(
        &self,
        status: StatusCode,
        _: &HeaderMap,
        body: &Bytes,
    ) -> Result<GroupPage, DecodeError> {
        decode_data(status, body)
    }
}

impl Paginated for ListGroups {
    type Item = Group;

    /// The next page, while the API gives a token and the page was not empty (an empty page with a
    /// token would otherwise be asked for forever).
    fn next_page(&self, page: &GroupPage) -> Option<Self> {
        let token = next_page_token(
            page.next_page_token.as_deref(),
            page.groups.len(),
            self.page_token.as_deref(),
        )?;
        Some(self.clone().page_token(token))
    }

    fn into_items(page: GroupPage) -> Vec<Group> {
        page.groups
    }
}

/// One group by id. Needs `org:groups:read`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetGroup {
    network: Network,
    id: String,
}

impl GetGroup {
    /// The group `id` on `network`.
    pub fn new(network: Network, id: impl Into<String>) -> Self {
        Self {
            network,
            id: id.into(),
        }
    }
}

impl Endpoint for GetGroup {
    type Output = Group;

    fn method(&self) -> Method {
        Method::GET
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        group_path(self.network, &self.id)
    }

    fn parse(&self, status: StatusCode, _: &HeaderMap, body: &Bytes) -> Result<Group, DecodeError> {
        decode_data(status, body)
    }
}

/// Renames a group or changes whether it is public. Needs `org:groups:write`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateGroup {
    network: Network,
    id: String,
    name: Option<String>,
    is_public: Option<bool>,
}

impl UpdateGroup {
    /// Changes to the group `id` on `network` (set them with [`UpdateGroup::name`] and
    /// [`UpdateGroup::public`]).
    pub fn new(network: Network, id: impl Into<String>) -> Self {
        Self {
            network,
            id: id.into(),
            name: None,
            is_public: None,
        }
    }

    /// The new name; refused when empty or too long.
    pub fn name(mut self, name: impl Into<String>) -> Result<Self, BuildError> {
        let name = name.into();
        check_name(&name)?;
        self.name = Some(name);
        Ok(self)
    }

    /// Whether its files are listed publicly.
    pub fn public(mut self, is_public: bool) -> Self {
        self.is_public = Some(is_public);
        self
    }
}

impl Endpoint for UpdateGroup {
    type Output = Group;

    fn method(&self) -> Method {
        Method::PUT
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        group_path(self.network, &self.id)
    }

    fn body(&self) -> Result<Body, BuildError> {
        if self.name.is_none() && self.is_public.is_none() {
            return Err(BuildError::InvalidInput(
                "an update of a group changes its name or whether it is public".into(),
            ));
        }
        Body::json(&GroupFields {
            name: self.name.as_deref(),
            is_public: self.is_public,
        })
    }

    fn parse(&self, status: StatusCode, _: &HeaderMap, body: &Bytes) -> Result<Group, DecodeError> {
        decode_data(status, body)
    }
}

/// Deletes a group (its files stay, outside any group). Needs `org:groups:write`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteGroup {
    network: Network,
    id: String,
}

impl DeleteGroup {
    /// Deletes the group `id` on `network`.
    pub fn new(network: Network, id: impl Into<String>) -> Self {
        Self {
            network,
            id: id.into(),
        }
    }
}

impl Endpoint for DeleteGroup {
    type Output = ();

    fn method(&self) -> Method {
        Method::DELETE
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        group_path(self.network, &self.id)
    }

    /// Any 2xx is success: the official SDK reads only the status (its answer is `statusText`).
    fn parse(&self, _: StatusCode, _: &HeaderMap, _: &Bytes) -> Result<(), DecodeError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_as_the_sdk_sends_them() {
        let create = CreateGroup::new(Network::Private, "photos")
            .unwrap()
            .public(true);
        assert_eq!(create.path_and_query().unwrap(), "/v3/groups/private");
        assert_eq!(
            create.body().unwrap(),
            Body::Json(Bytes::from_static(br#"{"name":"photos","is_public":true}"#))
        );
        let list = ListGroups::new(Network::Public)
            .name("a b")
            .limit(2)
            .unwrap()
            .page_token("t/1");
        assert_eq!(
            list.path_and_query().unwrap(),
            "/v3/groups/public?name=a%20b&limit=2&pageToken=t%2F1"
        );
        assert_eq!(
            GetGroup::new(Network::Public, "a/b")
                .path_and_query()
                .unwrap(),
            "/v3/groups/public/a%2Fb"
        );
        assert!(CreateGroup::new(Network::Public, " ").is_err());
        assert!(ListGroups::new(Network::Public).limit(0).is_err());
        assert!(GetGroup::new(Network::Public, "").path_and_query().is_err());
        assert!(UpdateGroup::new(Network::Public, "g").body().is_err());
    }

    #[test]
    fn answers_decode_in_both_spellings_and_paging_stops() {
        let body = Bytes::from_static(
            br#"{"data":{"groups":[
                {"id":"1","name":"a","is_public":true,"created_at":"2026-01-01T00:00:00.000Z"},
                {"id":"2","name":"b","public":false,"createdAt":"2026-01-02T00:00:00Z"}
            ],"next_page_token":"n"}}"#,
        );
        let first = ListGroups::new(Network::Public);
        let page = first
            .parse(StatusCode::OK, &HeaderMap::new(), &body)
            .unwrap();
        assert_eq!(page.groups.len(), 2);
        assert!(page.groups[0].is_public && !page.groups[1].is_public);
        let next = first.next_page(&page).unwrap();
        assert_eq!(next.page_token.as_deref(), Some("n"));
        // The same token again, an empty page, or no token: the walk ends.
        assert!(next.next_page(&page).is_none());
        let empty = GroupPage {
            groups: Vec::new(),
            next_page_token: Some("m".into()),
        };
        assert!(first.next_page(&empty).is_none());
    }
}

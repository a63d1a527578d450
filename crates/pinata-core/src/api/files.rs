//! v3 files on either network: `GET /v3/files/{network}` (list, every filter the API takes),
//! `GET|PUT|DELETE /v3/files/{network}/{id}`, and a file's place in a group,
//! `PUT|DELETE /v3/groups/{network}/{group}/ids/{file}`. Scopes: `org:files:read` to list and get,
//! `org:files:write` to update and delete, `org:groups:write` to move a file into or out of a
//! group (or an admin key). Answers are `{"data": …}`.

use std::collections::BTreeMap;
use std::time::SystemTime;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use serde::{Deserialize, Serialize};

use super::uploads::UploadedFile;
use super::v3::{Network, decode_data, next_page_token, string_map};
use super::validate::{check_expiry, check_keyvalues};
use crate::endpoint::{Body, Endpoint, Paginated};
use crate::error::{BuildError, DecodeError};
use crate::query::{Query, encode_segment};

/// The most files one page may ask for (the API's documented maximum).
pub const MAX_FILE_PAGE: u32 = 1000;

pub use super::validate::MAX_FILE_KEYVALUES;

/// A file as the v3 API lists it. `Serialize` writes the shape it is read from; `Debug` shows
/// `created_at` as a date; [`FileItem::new`] makes one for a test.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FileItem {
    /// Its id (a UUIDv7 on the real service).
    pub id: String,
    /// Its name, if it has one.
    #[serde(default)]
    pub name: Option<String>,
    /// Its CID, or `pending` while a CAR upload or a pin is still being processed.
    pub cid: String,
    /// Size in bytes.
    #[serde(default)]
    pub size: u64,
    /// Files inside (1 for a file, more for a folder).
    #[serde(default)]
    pub number_of_files: u64,
    /// Detected MIME type (`directory` for a folder).
    #[serde(default)]
    pub mime_type: Option<String>,
    /// Key-values (strings, as the v3 API keeps them).
    #[serde(default, deserialize_with = "string_map")]
    pub keyvalues: BTreeMap<String, String>,
    /// The group it belongs to.
    #[serde(default)]
    pub group_id: Option<String>,
    /// When it was added.
    #[serde(
        serialize_with = "crate::time::serialize",
        deserialize_with = "crate::time::deserialize"
    )]
    pub created_at: SystemTime,
    /// When it is removed, if it expires (unix seconds; not in the spec's examples, so optional).
    #[serde(default)]
    pub expires_at: Option<u64>,
}

debug_with_dates!(FileItem {
    id,
    name,
    cid,
    size,
    number_of_files,
    mime_type,
    keyvalues,
    group_id,
    created_at as date,
    expires_at,
});

impl FileItem {
    /// A file with `id` and `cid` (for a test's fake): everything else empty or zero, created at
    /// the Unix epoch. Set the public fields for the rest.
    ///
    /// ```
    /// let mut file = pinata_core::api::files::FileItem::new("file-1", "bafkqaaa");
    /// file.size = 3;
    /// assert_eq!((file.id.as_str(), file.size), ("file-1", 3));
    /// ```
    pub fn new(id: impl Into<String>, cid: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: None,
            cid: cid.into(),
            size: 0,
            number_of_files: 0,
            mime_type: None,
            keyvalues: BTreeMap::new(),
            group_id: None,
            created_at: std::time::UNIX_EPOCH,
            expires_at: None,
        }
    }

    /// Whether the CID is still being worked out (`cid == "pending"`).
    pub fn is_pending(&self) -> bool {
        self.cid == "pending"
    }
}

/// One page of files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FilePage {
    /// This page.
    #[serde(default, deserialize_with = "super::v3::null_as_empty")]
    pub files: Vec<FileItem>,
    /// The token of the next page (absent or empty on the last).
    #[serde(default)]
    pub next_page_token: Option<String>,
}

impl FilePage {
    /// A page of `files`, followed by the page `next_page_token` names (for a test's fake).
    pub fn new(files: Vec<FileItem>, next_page_token: Option<String>) -> Self {
        Self {
            files,
            next_page_token,
        }
    }
}

// `UploadedFile` is declared in `uploads.rs`; its `Debug` and constructor sit here, beside
// `FileItem`'s, which it mirrors.
debug_with_dates!(UploadedFile {
    id,
    name,
    cid,
    size,
    number_of_files,
    mime_type,
    group_id,
    keyvalues,
    created_at as date,
    network,
    is_duplicate,
});

impl UploadedFile {
    /// An upload's answer with `id` and `cid` (for a test's fake): everything else empty or zero,
    /// created at the Unix epoch. Set the public fields for the rest.
    ///
    /// ```
    /// let mut up = pinata_core::api::uploads::UploadedFile::new("file-1", "bafkqaaa");
    /// up.name = Some("a.txt".into());
    /// assert_eq!(up.cid, "bafkqaaa");
    /// ```
    pub fn new(id: impl Into<String>, cid: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: None,
            cid: cid.into(),
            size: 0,
            number_of_files: 0,
            mime_type: None,
            group_id: None,
            keyvalues: BTreeMap::new(),
            created_at: std::time::UNIX_EPOCH,
            network: None,
            is_duplicate: None,
        }
    }
}

/// The order of a listing, by creation time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Order {
    /// Oldest first.
    Ascending,
    /// Newest first (the API's default).
    Descending,
}

impl Order {
    fn as_str(self) -> &'static str {
        match self {
            Order::Ascending => "ASC",
            Order::Descending => "DESC",
        }
    }
}

fn check_id(what: &str, id: &str) -> Result<(), BuildError> {
    if id.is_empty() {
        Err(BuildError::InvalidInput(format!("a {what} id is empty")))
    } else {
        Ok(())
    }
}

fn file_path(network: Network, id: &str) -> Result<String, BuildError> {
    check_id("file", id)?;
    Ok(format!("/v3/files/{network}/{}", encode_segment(id)))
}

/// Lists files, newest first unless [`ListFiles::order`] says otherwise, a page at a time; walk
/// them all with `client.paginate(…)`. Needs `org:files:read`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListFiles {
    network: Network,
    name: Option<String>,
    cid: Option<String>,
    cid_pending: bool,
    mime_type: Option<String>,
    group: Option<GroupFilter>,
    keyvalues: BTreeMap<String, String>,
    order: Option<Order>,
    limit: Option<u32>,
    page_token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum GroupFilter {
    In(String),
    None,
}

impl ListFiles {
    /// Every file on `network`.
    pub fn new(network: Network) -> Self {
        Self {
            network,
            name: None,
            cid: None,
            cid_pending: false,
            mime_type: None,
            group: None,
            keyvalues: BTreeMap::new(),
            order: None,
            limit: None,
            page_token: None,
        }
    }

    /// Only files whose name contains `name`.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Only files with this CID.
    pub fn cid(mut self, cid: impl Into<String>) -> Self {
        self.cid = Some(cid.into());
        self
    }

    /// Only files whose CID is still pending.
    pub fn cid_pending(mut self) -> Self {
        self.cid_pending = true;
        self
    }

    /// Only files of this MIME type.
    pub fn mime_type(mut self, mime_type: impl Into<String>) -> Self {
        self.mime_type = Some(mime_type.into());
        self
    }

    /// Only files in the group `id`.
    pub fn group(mut self, id: impl Into<String>) -> Self {
        self.group = Some(GroupFilter::In(id.into()));
        self
    }

    /// Only files in no group (sent as `group=null`, as the official SDK does).
    pub fn no_group(mut self) -> Self {
        self.group = Some(GroupFilter::None);
        self
    }

    /// Only files whose key-value `key` is `value` (repeat for more conditions, all of which hold).
    pub fn keyvalue(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.keyvalues.insert(key.into(), value.into());
        self
    }

    /// The order, by creation time.
    pub fn order(mut self, order: Order) -> Self {
        self.order = Some(order);
        self
    }

    /// At most `limit` files per page (1 to [`MAX_FILE_PAGE`]).
    pub fn limit(mut self, limit: u32) -> Result<Self, BuildError> {
        if !(1..=MAX_FILE_PAGE).contains(&limit) {
            return Err(BuildError::InvalidInput(format!(
                "a page holds 1 to {MAX_FILE_PAGE} files, not {limit}"
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

impl Endpoint for ListFiles {
    type Output = FilePage;

    fn method(&self) -> Method {
        Method::GET
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        let mut q = Query::new();
        q.push_opt("name", self.name.as_deref())
            .push_opt("cid", self.cid.as_deref())
            .push_opt("mimeType", self.mime_type.as_deref());
        match &self.group {
            Some(GroupFilter::In(id)) => q.push("group", id),
            Some(GroupFilter::None) => q.push("group", "null"),
            None => &mut q,
        };
        if self.cid_pending {
            q.push("cidPending", "true");
        }
        for (key, value) in &self.keyvalues {
            q.push(format!("keyvalues[{key}]"), value);
        }
        q.push_opt("order", self.order.map(Order::as_str))
            .push_opt("limit", self.limit)
            .push_opt("pageToken", self.page_token.as_deref());
        Ok(q.append_to(&format!("/v3/files/{}", self.network)))
    }

    fn parse(
        &self,
        status: StatusCode,
        _: &HeaderMap,
        body: &Bytes,
    ) -> Result<FilePage, DecodeError> {
        decode_data(status, body)
    }
}

impl Paginated for ListFiles {
    type Item = FileItem;

    /// The next page, while the API gives a new token and the page was not empty.
    fn next_page(&self, page: &FilePage) -> Option<Self> {
        let token = next_page_token(
            page.next_page_token.as_deref(),
            page.files.len(),
            self.page_token.as_deref(),
        )?;
        Some(self.clone().page_token(token))
    }

    fn into_items(page: FilePage) -> Vec<FileItem> {
        page.files
    }
}

/// One file by id. Needs `org:files:read`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetFile {
    network: Network,
    id: String,
}

impl GetFile {
    /// The file `id` on `network`.
    pub fn new(network: Network, id: impl Into<String>) -> Self {
        Self {
            network,
            id: id.into(),
        }
    }
}

impl Endpoint for GetFile {
    type Output = FileItem;

    fn method(&self) -> Method {
        Method::GET
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        file_path(self.network, &self.id)
    }

    fn parse(
        &self,
        status: StatusCode,
        _: &HeaderMap,
        body: &Bytes,
    ) -> Result<FileItem, DecodeError> {
        decode_data(status, body)
    }
}

/// Renames a file, replaces its key-values or sets when it expires. Needs `org:files:write`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateFile {
    network: Network,
    id: String,
    name: Option<String>,
    keyvalues: Option<BTreeMap<String, String>>,
    expires_at: Option<u64>,
}

#[derive(Serialize)]
struct FileFields<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    keyvalues: Option<&'a BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_at: Option<u64>,
}

impl UpdateFile {
    /// Changes to the file `id` on `network` (at least one must be set before sending).
    pub fn new(network: Network, id: impl Into<String>) -> Self {
        Self {
            network,
            id: id.into(),
            name: None,
            keyvalues: None,
            expires_at: None,
        }
    }

    /// The new name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The key-values the file carries from now on; refused above [`MAX_FILE_KEYVALUES`].
    pub fn keyvalues(mut self, keyvalues: BTreeMap<String, String>) -> Result<Self, BuildError> {
        check_keyvalues(&keyvalues)?;
        self.keyvalues = Some(keyvalues);
        Ok(self)
    }

    /// When the file is removed, in unix seconds (1 to the end of year 9999).
    pub fn expires_at(mut self, unix_seconds: u64) -> Result<Self, BuildError> {
        check_expiry(unix_seconds)?;
        self.expires_at = Some(unix_seconds);
        Ok(self)
    }
}

impl Endpoint for UpdateFile {
    type Output = FileItem;

    fn method(&self) -> Method {
        Method::PUT
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        file_path(self.network, &self.id)
    }

    fn body(&self) -> Result<Body, BuildError> {
        if self.name.is_none() && self.keyvalues.is_none() && self.expires_at.is_none() {
            return Err(BuildError::InvalidInput(
                "an update of a file changes its name, key-values or expiry".into(),
            ));
        }
        Body::json(&FileFields {
            name: self.name.as_deref(),
            keyvalues: self.keyvalues.as_ref(),
            expires_at: self.expires_at,
        })
    }

    fn parse(
        &self,
        status: StatusCode,
        _: &HeaderMap,
        body: &Bytes,
    ) -> Result<FileItem, DecodeError> {
        decode_data(status, body)
    }
}

/// Deletes a file (unpins it). Needs `org:files:write`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteFile {
    network: Network,
    id: String,
}

impl DeleteFile {
    /// Deletes the file `id` on `network`.
    pub fn new(network: Network, id: impl Into<String>) -> Self {
        Self {
            network,
            id: id.into(),
        }
    }
}

impl Endpoint for DeleteFile {
    type Output = ();

    fn method(&self) -> Method {
        Method::DELETE
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        file_path(self.network, &self.id)
    }

    /// Any 2xx is success (`{"data":null}` on the real service).
    fn parse(&self, _: StatusCode, _: &HeaderMap, _: &Bytes) -> Result<(), DecodeError> {
        Ok(())
    }
}

/// Puts a file into a group, or takes it out: `PUT|DELETE /v3/groups/{network}/{group}/ids/{file}`
/// (no body). Needs `org:groups:write`. The official SDK does this one file at a time too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupFile {
    network: Network,
    group: String,
    file: String,
    add: bool,
}

impl GroupFile {
    /// Adds the file `file` to the group `group`.
    pub fn add(network: Network, group: impl Into<String>, file: impl Into<String>) -> Self {
        Self {
            network,
            group: group.into(),
            file: file.into(),
            add: true,
        }
    }

    /// Removes the file `file` from the group `group`.
    pub fn remove(network: Network, group: impl Into<String>, file: impl Into<String>) -> Self {
        Self {
            add: false,
            ..Self::add(network, group, file)
        }
    }
}

impl Endpoint for GroupFile {
    type Output = ();

    fn method(&self) -> Method {
        if self.add {
            Method::PUT
        } else {
            Method::DELETE
        }
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        check_id("group", &self.group)?;
        check_id("file", &self.file)?;
        Ok(format!(
            "/v3/groups/{}/{}/ids/{}",
            self.network,
            encode_segment(&self.group),
            encode_segment(&self.file)
        ))
    }

    /// Any 2xx is success (the SDK reads only the status).
    fn parse(&self, _: StatusCode, _: &HeaderMap, _: &Bytes) -> Result<(), DecodeError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_sends_every_filter_as_the_sdk_does() {
        let list = ListFiles::new(Network::Private)
            .name("a b")
            .cid("bafy")
            .mime_type("text/plain")
            .no_group()
            .cid_pending()
            .keyvalue("env", "prod")
            .order(Order::Ascending)
            .limit(5)
            .unwrap()
            .page_token("t");
        assert_eq!(
            list.path_and_query().unwrap(),
            "/v3/files/private?name=a%20b&cid=bafy&mimeType=text%2Fplain&group=null\
             &cidPending=true&keyvalues%5Benv%5D=prod&order=ASC&limit=5&pageToken=t"
        );
        assert_eq!(
            ListFiles::new(Network::Public)
                .group("g1")
                .path_and_query()
                .unwrap(),
            "/v3/files/public?group=g1"
        );
        assert!(ListFiles::new(Network::Public).limit(1001).is_err());
    }

    #[test]
    fn files_decode_and_paging_stops() {
        let body = Bytes::from_static(
            br#"{"data":{"files":[{"id":"01919976-955f-7d06-bd59-72e80743fb95","name":null,
            "cid":"pending","size":3,"number_of_files":1,"mime_type":"text/plain",
            "keyvalues":{"a":"b","n":1,"z":null},"group_id":null,
            "created_at":"2024-08-27T14:57:51.485934Z"}],"next_page_token":"MDE5"}}"#,
        );
        let first = ListFiles::new(Network::Public);
        let page = first
            .parse(StatusCode::OK, &HeaderMap::new(), &body)
            .unwrap();
        let file = &page.files[0];
        assert!(file.is_pending());
        assert_eq!(file.keyvalues.get("n").map(String::as_str), Some("1"));
        assert!(!file.keyvalues.contains_key("z"));
        let next = first.next_page(&page).unwrap();
        assert!(next.path_and_query().unwrap().ends_with("pageToken=MDE5"));
        assert!(next.next_page(&page).is_none());
    }

    #[test]
    fn updates_and_membership() {
        let update = UpdateFile::new(Network::Public, "f/1")
            .name("n")
            .expires_at(9)
            .unwrap();
        assert!(UpdateFile::new(Network::Public, "f").expires_at(0).is_err());
        assert_eq!(update.path_and_query().unwrap(), "/v3/files/public/f%2F1");
        assert_eq!(
            update.body().unwrap(),
            Body::Json(Bytes::from_static(br#"{"name":"n","expires_at":9}"#))
        );
        assert!(UpdateFile::new(Network::Public, "f").body().is_err());
        let too_many = (0..=MAX_FILE_KEYVALUES)
            .map(|i| (i.to_string(), String::new()))
            .collect();
        assert!(
            UpdateFile::new(Network::Public, "f")
                .keyvalues(too_many)
                .is_err()
        );
        let add = GroupFile::add(Network::Private, "g", "f");
        assert_eq!(add.method(), Method::PUT);
        assert_eq!(add.path_and_query().unwrap(), "/v3/groups/private/g/ids/f");
        assert_eq!(
            GroupFile::remove(Network::Private, "g", "f").method(),
            Method::DELETE
        );
        assert!(
            GroupFile::add(Network::Public, "", "f")
                .path_and_query()
                .is_err()
        );
        assert!(
            DeleteFile::new(Network::Public, "")
                .path_and_query()
                .is_err()
        );
    }
}

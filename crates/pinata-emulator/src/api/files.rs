//! v3 files (`pinata-v3-api.md` §1.1, §1.2): uploads (`POST /v3/files`, and the same form posted
//! to a signed URL), `GET /v3/files/{network}` (list), `GET|PUT|DELETE /v3/files/{network}/{id}`,
//! and a file's group, `PUT|DELETE /v3/groups/{network}/{group}/ids/{file}`. Mirrors
//! `pinata-core`'s `api::files` and `api::uploads`; the store is `store/files.rs`.
//!
//! Uploads take the SDK's form: one or more `file` parts (several make a folder, named
//! `<folder>/<relative>`, addressed as `pinFileToIPFS` addresses one without `wrapWithDirectory`),
//! `network` (default **private**, the spec's), `name`, `group_id` (or `group`, which a Pinata
//! guide sends), `keyvalues` (a JSON string of string values; `{"keyvalues":{…}}`, which a guide
//! sends, is unwrapped), `cid_version` (`v0`|`v1`, default v1), `expires_at` (Unix seconds),
//! `car` and `streamable`.
//!
//! A file's `mime_type` is its part's `Content-Type` (parameters dropped, lower-cased), or, when
//! the part has none or `application/octet-stream`, the type its file name suggests
//! (`receive.rs`); a folder's is `directory`. A signed URL's allowed types are checked against that
//! type with pinata-core's own rule (`mime_pattern_allows`). An upload of a CID the network holds
//! already is a file of its own, answered with `is_duplicate: true` (`store/files.rs`).
//!
//! Emulator's choices where the real service is not documented: errors are
//! `{"error":{"code":…,"message":…}}` (400 for a bad form or field, and for a `group_id` that names
//! no group of the network: the request is wrong, not the path; 404 `File not found` / `Group not
//! found` for ids in a path); `size` is the bytes of content; `expires_at` must not have passed;
//! a CAR (`car=true`, one file, public only) is not read: it is answered with CID `pending` and
//! its bytes are dropped; `streamable` is accepted and ignored; taking a file out of a group it is
//! not in changes nothing and still answers 200 `{"data":null}`, as a deletion does. Without a
//! `name`, a file is named after its part's file name (a folder after its root folder), which must
//! then be at most [`MAX_NAME`] characters as a `name` must (else 400: a file name may be as long
//! as a part's headers, 16 KiB). A group deleted while an upload is received leaves the file in
//! no group (the store checks it again as it records the file), as the deletion would have had it
//! come a moment later.

use std::collections::BTreeMap;
use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use http::{HeaderMap, StatusCode};
use hyper::body::Incoming;
use pinata_core::api::Network;
use pinata_core::api::files::{MAX_FILE_KEYVALUES, MAX_FILE_PAGE};
use pinata_core::cid::CidVersion;
use pinata_core::server::Query;
use pinata_core::time::format_iso8601;
use serde::Serialize;
use serde_json::Value;

use crate::api::receive::{self, Refused};
use crate::reply::{self, Closed, Reply, data};
use crate::state::State;
use crate::store::files::{
    Changes, FileFilter, FileRecord, InsertError, MAX_FILE_BYTES, MAX_FILES, MAX_KEYVALUE_LEN,
    MAX_NAME, NewFile, PENDING, Regrouped, UpdateError,
};
use crate::store::grants::Grant;

/// Files per page without a `limit`.
const DEFAULT_PAGE: usize = 10;
/// The latest expiry accepted: 9999-12-31T23:59:59Z, the last second ISO 8601 writes in four
/// digits.
const MAX_EXPIRES_AT: u64 = 253_402_300_799;
/// The text fields an upload reads.
const READ_FIELDS: &[&str] = &[
    "network",
    "name",
    "group_id",
    "group",
    "keyvalues",
    "cid_version",
    "expires_at",
    "car",
    "streamable",
];

fn bad(message: &str) -> Reply {
    reply::coded(StatusCode::BAD_REQUEST, message)
}

fn file_not_found() -> Reply {
    reply::coded(StatusCode::NOT_FOUND, "File not found")
}

/// A file as the API lists it: `FileItem` in pinata-core, in shape. The emulator's own type, as
/// the core's cannot write it: `FileItem` writes `"expires_at": null` for a file that does not
/// expire, where the emulator leaves the field out (the tests below hold the two to that one
/// difference).
#[derive(Serialize)]
struct Shown<'a> {
    id: &'a str,
    name: Option<&'a str>,
    cid: &'a str,
    size: u64,
    number_of_files: u64,
    mime_type: &'a str,
    keyvalues: &'a BTreeMap<String, String>,
    group_id: Option<&'a str>,
    created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_at: Option<u64>,
}

impl<'a> From<&'a FileRecord> for Shown<'a> {
    fn from(f: &'a FileRecord) -> Self {
        Self {
            id: &f.id,
            name: f.name.as_deref(),
            cid: &f.cid,
            size: f.size,
            number_of_files: f.number_of_files,
            mime_type: &f.mime_type,
            keyvalues: &f.keyvalues,
            group_id: f.group_id.as_deref(),
            created_at: format_iso8601(f.created_at),
            expires_at: f.expires_at,
        }
    }
}

/// The answer to an upload: `UploadedFile` in pinata-core, in shape, with what the uploads spec
/// adds and the core does not model (`user_id`, `vectorized`, and a file's `expires_at`). The
/// emulator's own type: besides those fields, `UploadedFile` writes `"is_duplicate": null` for a
/// first upload, where the emulator leaves the field out.
#[derive(Serialize)]
struct Uploaded<'a> {
    #[serde(flatten)]
    file: Shown<'a>,
    network: Network,
    user_id: &'a str,
    vectorized: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_duplicate: Option<bool>,
}

impl<'a> Uploaded<'a> {
    fn new(file: &'a FileRecord, user_id: &'a str, duplicate: bool) -> Self {
        Self {
            file: Shown::from(file),
            network: file.network,
            user_id,
            vectorized: false,
            is_duplicate: duplicate.then_some(true),
        }
    }
}

/// The answer to an upload ([`Uploaded`]).
fn uploaded(state: &State, file: &FileRecord, duplicate: bool) -> Reply {
    data(Uploaded::new(file, &state.user_id, duplicate))
}

/// Key-values from JSON: an object of at most [`MAX_FILE_KEYVALUES`] string values, each key and
/// value at most [`MAX_KEYVALUE_LEN`] bytes.
pub(crate) fn keyvalues(json: &Value) -> Result<BTreeMap<String, String>, Reply> {
    let refused = || {
        bad(&format!(
            "keyvalues must be an object of at most {MAX_FILE_KEYVALUES} string values \
             (keys and values of at most {MAX_KEYVALUE_LEN} bytes)"
        ))
    };
    let Value::Object(map) = json else {
        return Err(refused());
    };
    if map.len() > MAX_FILE_KEYVALUES {
        return Err(refused());
    }
    map.iter()
        .map(|(k, v)| match v {
            Value::String(s) if k.len() <= MAX_KEYVALUE_LEN && s.len() <= MAX_KEYVALUE_LEN => {
                Ok((k.clone(), s.clone()))
            }
            _ => Err(refused()),
        })
        .collect()
}

/// A name: 1 to [`MAX_NAME`] characters.
pub(crate) fn check_name(text: &str) -> Result<String, Reply> {
    if text.is_empty() || text.chars().count() > MAX_NAME {
        return Err(bad(&format!("name must be 1 to {MAX_NAME} characters")));
    }
    Ok(text.to_owned())
}

/// The refusal of a private folder on `POST /v3/files`, in Pinata's documented words.
const PRIVATE_FOLDER: &str = "Folder uploads are currently only supported on Public IPFS";

/// A default name (a part's file name, a folder's root name): at most [`MAX_NAME`] characters, as
/// a `name` is.
fn check_default_name(text: &str) -> Result<String, Reply> {
    if text.chars().count() > MAX_NAME {
        return Err(bad(&format!(
            "the file name must be at most {MAX_NAME} characters (or send a shorter name)"
        )));
    }
    Ok(text.to_owned())
}

/// The answer to a store that is full.
pub(crate) fn store_full(e: InsertError) -> Reply {
    match e {
        InsertError::Full => bad(&format!("the emulator holds at most {MAX_FILES} files")),
        InsertError::TooHeavy => too_heavy(),
        InsertError::NoId => reply::internal("no random bytes for a file id"),
    }
}

fn too_heavy() -> Reply {
    bad(&format!(
        "the emulator keeps at most {MAX_FILE_BYTES} bytes of file names, key-values and types"
    ))
}

/// An expiry: Unix seconds not yet passed (the current second or later), at most
/// [`MAX_EXPIRES_AT`].
pub(crate) fn expiry(at: Option<u64>, now: SystemTime) -> Result<u64, Reply> {
    match at {
        Some(at) if at >= crate::store::files::unix_seconds(now) && at <= MAX_EXPIRES_AT => Ok(at),
        _ => Err(bad(&format!(
            "expires_at must be a time not yet passed, in Unix seconds (at most {MAX_EXPIRES_AT})"
        ))),
    }
}

/// The upload's settings, from its form and (for a signed URL) its grant.
struct Settings {
    network: Network,
    name: Option<String>,
    group_id: Option<String>,
    keyvalues: BTreeMap<String, String>,
    version: CidVersion,
    expires_at: Option<u64>,
    car: bool,
}

/// The text field `name` as UTF-8.
fn text<'f>(form: &'f receive::Form, name: &str) -> Result<Option<&'f str>, Reply> {
    match form.field(name) {
        None => Ok(None),
        Some(bytes) => std::str::from_utf8(bytes)
            .map(Some)
            .map_err(|_| bad(&format!("{name} is not UTF-8 text"))),
    }
}

/// Reads the form's fields. With a `grant`, the fields it binds (network, name, group, key-values)
/// are the grant's, whatever the form says ("fields added later will not go through"); the rest
/// (CID version, expiry, CAR) are the form's.
fn settings(
    form: &receive::Form,
    grant: Option<&Grant>,
    now: SystemTime,
) -> Result<Settings, Reply> {
    let version = match text(form, "cid_version")? {
        None | Some("v1") => CidVersion::V1,
        Some("v0") => CidVersion::V0,
        Some(_) => return Err(bad("cid_version must be v0 or v1")),
    };
    let expires_at = match text(form, "expires_at")? {
        None => None,
        Some(t) => Some(expiry(t.trim().parse().ok(), now)?),
    };
    let car = match text(form, "car")? {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(bad("car must be true or false")),
    };
    let mut settings = Settings {
        network: Network::Private,
        name: None,
        group_id: None,
        keyvalues: BTreeMap::new(),
        version,
        expires_at,
        car,
    };
    if let Some(grant) = grant {
        settings.network = grant.network;
        settings.name = grant.name.clone();
        settings.group_id = grant.group_id.clone();
        settings.keyvalues = grant.keyvalues.clone();
        return Ok(settings);
    }
    if let Some(n) = text(form, "network")? {
        settings.network =
            Network::parse(n).ok_or_else(|| bad("network must be public or private"))?;
    }
    settings.name = match text(form, "name")? {
        None | Some("") => None,
        Some(n) => Some(check_name(n)?),
    };
    settings.group_id = match text(form, "group_id")?.or(text(form, "group")?) {
        None | Some("") => None,
        Some(g) => Some(g.to_owned()),
    };
    if let Some(kv) = text(form, "keyvalues")? {
        settings.keyvalues = keyvalues_text(kv)?;
    }
    Ok(settings)
}

/// Key-values sent as text (a form field, a resumable upload's metadata): a JSON object of
/// strings, as [`keyvalues`] reads it; `{"keyvalues":{…}}`, which a Pinata guide sends, is
/// unwrapped.
pub(crate) fn keyvalues_text(text: &str) -> Result<BTreeMap<String, String>, Reply> {
    let json: Value = serde_json::from_str(text)
        .map_err(|_| bad("keyvalues must be a JSON object of strings"))?;
    let json = match json {
        Value::Object(mut m)
            if m.len() == 1 && m.get("keyvalues").is_some_and(Value::is_object) =>
        {
            m.remove("keyvalues").unwrap_or_default()
        }
        other => other,
    };
    keyvalues(&json)
}

/// `POST /v3/files` (the caller is authenticated, with `org:files:write`), or a signed upload
/// (`grant`: what its URL's signature grants, already checked). The body is read here.
pub(crate) async fn upload(
    state: &State,
    headers: &HeaderMap,
    body: Incoming,
    now: SystemTime,
    stall: Option<(u64, std::time::Duration)>,
    grant: Option<&Grant>,
) -> Result<Reply, Closed> {
    let Ok(boundary) = receive::boundary(headers) else {
        return Ok(crate::body::drain(body, bad("the body must be multipart/form-data")).await);
    };
    let rules = receive::Rules {
        read_fields: READ_FIELDS,
        max_file_bytes: grant.and_then(|g| g.max_file_size),
    };
    let form = match receive::receive(&state.content, &boundary, body, rules, stall).await? {
        Ok(form) => form,
        Err(Refused::Malformed) => return Ok(bad("Invalid request format.")),
        Err(Refused::TooLarge) => {
            return Ok(reply::coded(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!(
                    "the file is larger than this signed URL allows ({} bytes)",
                    grant.and_then(|g| g.max_file_size).unwrap_or(0)
                ),
            ));
        }
    };
    Ok(finish(state, &form, grant, now))
}

fn finish(state: &State, form: &receive::Form, grant: Option<&Grant>, now: SystemTime) -> Reply {
    let s = match settings(form, grant, now) {
        Ok(s) => s,
        Err(r) => return r,
    };
    if let Some(g) = &s.group_id
        && !state.groups.exists(s.network, g)
    {
        return bad(&format!(
            "group_id names no group on the {} network",
            s.network
        ));
    }
    let Some(first) = form.files.first() else {
        return bad("a file part is required");
    };
    let size: u64 = form.files.iter().map(receive::Received::len).sum();
    let files = form.files.len() as u64;
    let (cid, mime, default_name, addressed) = if s.car {
        if s.network != Network::Public || form.files.len() != 1 {
            return bad("a CAR upload is one file, on the public network");
        }
        (
            PENDING.to_owned(),
            first.mime_type(),
            first.filename.clone(),
            None,
        )
    } else {
        let addressed = match receive::address(&form.files, s.version, false) {
            Ok(a) => a,
            Err(e) => return bad(&e.to_string()),
        };
        let (mime, default_name) = match &addressed.root_name {
            Some(root) if !addressed.is_file => ("directory".to_owned(), root.clone()),
            _ => (first.mime_type(), first.filename.clone()),
        };
        (
            addressed.cid.to_string(),
            mime,
            default_name,
            Some(addressed),
        )
    };
    let name = match s.name {
        Some(name) => name,
        None => match check_default_name(&default_name) {
            Ok(name) => name,
            Err(r) => return r,
        },
    };
    if let Some(grant) = grant
        && !grant.allows(&mime)
    {
        return super::signed::mime_refused(&mime);
    }
    // Pinata documents folder uploads for public IPFS only (its Go CLI refuses private ones); a
    // signed URL's grant decides its own network, so only the keyed endpoint refuses here.
    if grant.is_none() && mime == "directory" && s.network != Network::Public {
        return bad(PRIVATE_FOLDER);
    }
    if let Some(addressed) = &addressed {
        let public = s.network == Network::Public;
        if receive::commit(state, form, addressed, s.version, public).is_err() {
            return reply::internal("could not store the upload");
        }
    }
    let new = NewFile {
        network: s.network,
        name: Some(name),
        cid,
        size,
        number_of_files: files,
        mime_type: mime,
        keyvalues: s.keyvalues,
        group_id: s.group_id,
        expires_at: s.expires_at,
    };
    let group_exists = |network: Network, g: &str| state.groups.exists(network, g);
    match state.files.insert(new, now, &group_exists) {
        Ok((file, duplicate)) => uploaded(state, &file, duplicate),
        Err(e) => store_full(e),
    }
}

/// The most `keyvalues[…]` conditions a listing takes (a file carries at most this many, so more
/// could never all hold).
const MAX_KEYVALUE_CONDITIONS: usize = MAX_FILE_KEYVALUES;

/// `GET /v3/files/{network}?name&cid&cidPending&mimeType&group&keyvalues[k]&order&limit&pageToken`.
/// The last page answers an empty `next_page_token` (the official SDK pages until it gets one).
pub(crate) fn list(state: &State, network: Network, query: &str, now: SystemTime) -> Reply {
    let f = match parse_filter(query) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let (page, more) = state.files.list(network, &f, now);
    let next_page_token = match (more, page.last()) {
        (true, Some(last)) => BASE64.encode(&last.id),
        _ => String::new(),
    };
    /// `FilePage` in pinata-core, in shape; the emulator's own for its files ([`Shown`]).
    #[derive(Serialize)]
    struct Page<'a> {
        files: Vec<Shown<'a>>,
        next_page_token: String,
    }
    data(Page {
        files: page.iter().map(Shown::from).collect(),
        next_page_token,
    })
}

/// The list query: the filter, or the 400 the emulator answers. Unknown parameters are ignored.
pub(crate) fn parse_filter(query: &str) -> Result<FileFilter, Reply> {
    let mut f = FileFilter {
        limit: DEFAULT_PAGE,
        ..FileFilter::default()
    };
    for (key, value) in Query::parse(query) {
        match key.as_str() {
            "name" => f.name = Some(value.to_lowercase()),
            "cid" => f.cid = Some(value),
            "cidPending" => match value.as_str() {
                "true" => f.pending = true,
                "false" => {}
                _ => return Err(bad("cidPending must be true or false")),
            },
            "mimeType" => f.mime_type = Some(value),
            "group" if value == "null" => f.group = Some(None),
            "group" => f.group = Some(Some(value)),
            "order" => match value.to_ascii_uppercase().as_str() {
                "ASC" => f.ascending = true,
                "DESC" => f.ascending = false,
                _ => return Err(bad("order must be ASC or DESC")),
            },
            "limit" => match value.parse::<usize>() {
                Ok(n) if (1..=MAX_FILE_PAGE as usize).contains(&n) => f.limit = n,
                _ => return Err(bad(&format!("limit must be 1 to {MAX_FILE_PAGE}"))),
            },
            "pageToken" if value.is_empty() => {}
            "pageToken" => match page_position(&value) {
                Some(id) => f.after = Some(id),
                None => return Err(bad("invalid pageToken")),
            },
            other => {
                if let Some(k) = other
                    .strip_prefix("keyvalues[")
                    .and_then(|r| r.strip_suffix(']'))
                {
                    if f.keyvalues.len() >= MAX_KEYVALUE_CONDITIONS {
                        return Err(bad(&format!(
                            "at most {MAX_KEYVALUE_CONDITIONS} keyvalues conditions"
                        )));
                    }
                    f.keyvalues.push((k.to_owned(), value));
                }
            }
        }
    }
    Ok(f)
}

/// The id a page token stands for: the base64 of a file id (36 characters of hex and dashes).
fn page_position(token: &str) -> Option<String> {
    let bytes = BASE64.decode(token.as_bytes()).ok()?;
    let id = String::from_utf8(bytes).ok()?;
    (id.len() == 36 && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')).then_some(id)
}

/// `GET /v3/files/{network}/{id}`.
pub(crate) fn get(state: &State, network: Network, id: &str, now: SystemTime) -> Reply {
    match state.files.get(network, id, now) {
        Some(f) => data(Shown::from(&f)),
        None => file_not_found(),
    }
}

/// `PUT /v3/files/{network}/{id} {name?, keyvalues?, expires_at?}`: key-values are replaced;
/// at least one field must be given (`null` counts as not given).
pub(crate) fn update(
    state: &State,
    network: Network,
    id: &str,
    json: &Value,
    now: SystemTime,
) -> Reply {
    /// The body, as pinata-core's `UpdateFile` sends it.
    #[derive(serde::Deserialize)]
    struct UpdateBody {
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        keyvalues: Option<Value>,
        #[serde(default)]
        expires_at: Option<u64>,
    }
    let body: UpdateBody = match super::typed(json) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut changes = Changes::default();
    if let Some(n) = body.name.as_deref() {
        match check_name(n) {
            Ok(n) => changes.name = Some(n),
            Err(r) => return r,
        }
    }
    if let Some(kv) = body.keyvalues.as_ref().filter(|v| !v.is_null()) {
        match keyvalues(kv) {
            Ok(kv) => changes.keyvalues = Some(kv),
            Err(r) => return r,
        }
    }
    if let Some(at) = body.expires_at {
        match expiry(Some(at), now) {
            Ok(at) => changes.expires_at = Some(at),
            Err(r) => return r,
        }
    }
    if changes.name.is_none() && changes.keyvalues.is_none() && changes.expires_at.is_none() {
        return bad("an update needs name, keyvalues or expires_at");
    }
    match state.files.update(network, id, changes, now) {
        Ok(f) => data(Shown::from(&f)),
        Err(UpdateError::NotFound) => file_not_found(),
        Err(UpdateError::TooHeavy) => too_heavy(),
    }
}

/// `DELETE /v3/files/{network}/{id}`: `{"data":null}`.
pub(crate) fn delete(state: &State, network: Network, id: &str, now: SystemTime) -> Reply {
    if state.files.remove(network, id, now) {
        data(())
    } else {
        file_not_found()
    }
}

/// `PUT` (`add`) or `DELETE /v3/groups/{network}/{group}/ids/{file}`: `{"data":null}`.
pub(crate) fn group_file(
    state: &State,
    network: Network,
    group: &str,
    file: &str,
    add: bool,
    now: SystemTime,
) -> Reply {
    let group_not_found = || reply::coded(StatusCode::NOT_FOUND, "Group not found");
    if !state.groups.exists(network, group) {
        return group_not_found();
    }
    // Checked again under the file store's lock: a group deleted meanwhile is not joined.
    let group_exists = |network: Network, g: &str| state.groups.exists(network, g);
    let target = add.then_some(group);
    match state
        .files
        .set_group(network, file, target, group, now, &group_exists)
    {
        Regrouped::Done => data(()),
        Regrouped::NoFile => file_not_found(),
        Regrouped::NoGroup => group_not_found(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pinata_core::api::files::FileItem;
    use pinata_core::api::uploads::UploadedFile;
    use std::time::{Duration, UNIX_EPOCH};

    fn record(expires_at: Option<u64>) -> FileRecord {
        FileRecord {
            id: "0190c3f2-0000-7000-8000-000000000001".into(),
            network: Network::Public,
            name: Some("a.txt".into()),
            cid: "bafkqaaa".into(),
            size: 3,
            number_of_files: 1,
            mime_type: "text/plain".into(),
            keyvalues: BTreeMap::from([("k".to_owned(), "v".to_owned())]),
            group_id: Some("g".into()),
            created_at: UNIX_EPOCH + Duration::from_nanos(1_720_740_807_665_123_456),
            expires_at,
        }
    }

    /// `ours` as the core's `T` reads and writes it again.
    fn through<T: serde::de::DeserializeOwned + Serialize>(ours: &Value) -> Value {
        let theirs: T = serde_json::from_value(ours.clone()).unwrap();
        serde_json::to_value(theirs).unwrap()
    }

    #[test]
    fn a_file_is_the_core_s_file_item_but_for_a_missing_expiry() {
        let with = serde_json::to_value(Shown::from(&record(Some(1_900_000_000)))).unwrap();
        assert_eq!(through::<FileItem>(&with), with);
        assert_eq!(with["created_at"], "2024-07-11T23:33:27.665Z");
        let without = serde_json::to_value(Shown::from(&record(None))).unwrap();
        let mut theirs = through::<FileItem>(&without);
        assert_eq!(theirs["expires_at"], Value::Null);
        theirs.as_object_mut().unwrap().remove("expires_at");
        assert_eq!(theirs, without);
    }

    #[test]
    fn an_upload_is_the_core_s_uploaded_file_with_what_it_does_not_model() {
        let file = record(None);
        let duplicate = serde_json::to_value(Uploaded::new(&file, "u1", true)).unwrap();
        let mut theirs = through::<UploadedFile>(&duplicate);
        let mut ours = duplicate.clone();
        for field in ["user_id", "vectorized"] {
            ours.as_object_mut().unwrap().remove(field);
        }
        assert_eq!(theirs, ours);
        let first = serde_json::to_value(Uploaded::new(&file, "u1", false)).unwrap();
        theirs = through::<UploadedFile>(&first);
        assert_eq!(theirs["is_duplicate"], Value::Null);
        assert!(first.get("is_duplicate").is_none());
    }
}

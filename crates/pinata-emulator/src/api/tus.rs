//! Resumable uploads (`pinata-v3-api.md` §1.3, §1.4, §1.9, §6): TUS 1.0 core with the `creation`
//! and `termination` extensions, as Pinata's SDK, its Go CLI and tus-js-client use them. The store
//! is `store/tus.rs`; a finished upload becomes a v3 file exactly as a multipart upload does.
//!
//! - **Creation**: `POST /v3/files` (Bearer, `org:files:write`) or `POST` to a signed upload URL
//!   (no credentials: the signature is the grant, checked as for a multipart upload), with
//!   `Upload-Length` and no body, optional `Upload-Metadata` (`filename`, `filetype`, `network`,
//!   `name`, `group_id`, `keyvalues`, `streamable`, `car`, `cid_version`, `expires_at`; others are
//!   ignored) and query `X-Upload-Option-Cid-Version=v0|v1`. Answers 201 with an absolute
//!   `Location: http://<Host>/v3/files/<file id>/<upload token>` (the Go CLI reads the file id as
//!   the second-to-last segment; the token, 32 random hex digits, is the capability for every
//!   later request), `Upload-Offset: 0`. An empty upload (`Upload-Length: 0`) is finished at once
//!   and its 201 carries `Upload-Cid`.
//! - **`HEAD`** the upload's URL: 200 with `Upload-Offset`, `Upload-Length`, `Upload-Metadata` (as
//!   sent), `Cache-Control: no-store`; a finished upload answers offset = length and its
//!   `Upload-Cid` until it expires.
//! - **`PATCH`** it with `Content-Type: application/offset+octet-stream` (else 415) and
//!   `Upload-Offset` equal to the upload's (else 409, with the upload's `Upload-Offset`): the body
//!   goes straight to the partial file on disk, the offset moving as each frame is written, so what
//!   arrived before a broken connection is kept. 204 with the new `Upload-Offset`; the `PATCH` that
//!   reaches `Upload-Length` also carries `Upload-Cid`, once the file has been read back from disk
//!   for its CID, committed to the content store and recorded as a v3 file.
//! - **`DELETE`** it (termination): 204; its bytes are removed, and it is a 404 from then on.
//! - **`OPTIONS`** `/v3/files` (or any upload's URL): 204 with `Tus-Version`, `Tus-Extension` and
//!   `Tus-Max-Size`. No credentials.
//!
//! Every answer carries `Tus-Resumable: 1.0.0`. A request's `Tus-Resumable` is not required
//! (Pinata's SDK sends none); another version than 1.0.0 is a 412 with `Tus-Version`.
//!
//! Emulator's choices where the real service is not documented: after creation the upload token
//! in the path is the only capability, and an `Authorization` header is ignored (tus-js-client and
//! signed-URL uploads send none, the SDK sends one), so neither key uses nor key faults apply to
//! `HEAD`/`PATCH`/`DELETE`; errors are the v3 `{"error":{"code":…,"message":…}}` (empty for `HEAD`);
//! a `PATCH` while another is writing the upload is 423 (as tusd answers; tus-js-client retries
//! it); a `PATCH` body that would pass `Upload-Length` is a 400 and nothing of it is kept; a
//! creation with a body (`creation-with-upload`, not offered) or with `Upload-Defer-Length` is a
//! 400; with [`MAX_TUS_UPLOADS`] kept, creation drops the expired and the finished ones first,
//! then answers 429; a key with [`MAX_TUS_UPLOADS_PER_KEY`] in progress (its own, and those
//! through the upload URLs it signed) gets a 429 of its own, so no one key blocks the others; an
//! `Upload-Length` more than the disk's free space is a 507 (lengths declared by other uploads are
//! not set aside: only bytes written take room, so declaring costs an attacker nothing); the metadata's `cid_version` wins over the query's; `expires_at` and the
//! group are checked at creation, and the group again as the file is recorded, under the file
//! store's lock (a group deleted meanwhile leaves the file in none); a CAR is
//! received but not read (CID `pending`, as for a multipart CAR); a signed URL is checked at
//! creation, and is held by the upload until it finishes (spent) or is terminated, lost or
//! expires (given back); an upload through a signed URL expires when the URL does, so `PATCH`es
//! after the URL's end are 404s (the URL bounds the upload, not only its creation); an upload expires [`EmulatorConfig::tus_expiry`] after its creation, its
//! last `PATCH` or its completion, and a finished one's record is kept that long for `HEAD`, with
//! `Upload-Cid` (TUS has no header for it); the file id in the URL is the file's, even when the
//! network holds the CID already (a duplicate is a file of its own, as for a multipart upload).
//! `filetype` is the file's MIME type (parameters dropped, lower-cased; a `type/subtype` without
//! wildcards, as a multipart part's `Content-Type` is read), else the type its `filename`
//! suggests.
//! `X-HTTP-Method-Override` (TUS core) is honoured on a `POST` to an upload's URL.
//!
//! [`EmulatorConfig::tus_expiry`]: crate::EmulatorConfig::tus_expiry

use std::collections::HashMap;
use std::io::SeekFrom;
use std::path::Path;
use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use http_body_util::BodyExt;
use hyper::body::{Body as _, Incoming};
use pinata_core::api::Network;
use pinata_core::api::uploads::mime_type_of;
use pinata_core::cid::{CidVersion, FileImporter, ImportOptions, ImportedFile};
use pinata_core::server::Query;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use crate::api::control::fault_status;
use crate::api::files::{expiry, keyvalues_text, store_full};
use crate::api::receive::media_type;
use crate::api::signed::host_of;
use crate::body::drain;
use crate::faults::{Fault, TusRequest};
use crate::reply::{self, Closed, Reply};
use crate::state::State;
use crate::store::files::{InsertError, NewFile, PENDING};
use crate::store::grants::{Grant, GrantUse};
use crate::store::tus::{
    Dropped, Lease, LeaseError, MAX_METADATA, MAX_TUS_UPLOADS, MAX_TUS_UPLOADS_PER_KEY, NewUpload,
    Plan, Refused, UPLOAD_TOKEN_LEN,
};

/// The TUS version served.
const TUS_VERSION: &str = "1.0.0";
/// The extensions served.
const TUS_EXTENSIONS: &str = "creation,termination";
/// The content type of a `PATCH` body.
const OFFSET_STREAM: &str = "application/offset+octet-stream";
/// The longest file name (characters), as for a multipart upload's name.
const MAX_FILENAME: usize = crate::store::files::MAX_NAME;
/// How much of a finished upload is read at once for its CID.
const READ_CHUNK: usize = 256 * 1024;
/// The metadata keys an upload reads.
const METADATA_KEYS: &[&str] = &[
    "filename",
    "filetype",
    "network",
    "name",
    "group_id",
    "keyvalues",
    "streamable",
    "car",
    "cid_version",
    "expires_at",
];

/// Base64 as `Upload-Metadata` carries it: the standard alphabet, padded or not.
const METADATA_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// `r` with `Tus-Resumable`, which every TUS answer carries.
pub(crate) fn with_version(mut r: Reply) -> Reply {
    r.headers_mut()
        .insert("tus-resumable", HeaderValue::from_static(TUS_VERSION));
    r
}

fn bad(message: &str) -> Reply {
    reply::coded(StatusCode::BAD_REQUEST, message)
}

fn not_found() -> Reply {
    reply::coded(StatusCode::NOT_FOUND, "Upload not found")
}

/// 409: the upload stands at `offset`.
fn conflict(offset: u64) -> Reply {
    let mut r = reply::coded(
        StatusCode::CONFLICT,
        &format!("Upload-Offset must be the upload's offset, {offset}"),
    );
    r.headers_mut().insert("upload-offset", offset.into());
    r
}

fn overflow() -> Reply {
    bad("the body would pass the upload's Upload-Length")
}

/// 204 with the upload's offset, and its CID once finished.
fn written(offset: u64, cid: Option<&str>) -> Reply {
    let mut r = reply::empty(StatusCode::NO_CONTENT);
    let h = r.headers_mut();
    h.insert("upload-offset", offset.into());
    if let Some(value) = cid.and_then(|c| HeaderValue::from_str(c).ok()) {
        h.insert("upload-cid", value);
    }
    r
}

/// The one value of header `name`: `None` when absent; a 400 when sent twice or not text.
fn single<'h>(headers: &'h HeaderMap, name: &str) -> Result<Option<&'h str>, Reply> {
    let mut values = headers.get_all(name).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(bad(&format!("{name} must be sent once")));
    }
    first
        .to_str()
        .map(Some)
        .map_err(|_| bad(&format!("{name} must be ASCII text")))
}

/// A TUS length or offset: 1 to 20 decimal digits that fit a `u64`.
fn number(text: &str) -> Option<u64> {
    if text.is_empty() || text.len() > 20 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// A request's `Tus-Resumable`: absent (Pinata's SDK sends none) or 1.0.0; else 412 with the
/// version served.
fn check_version(headers: &HeaderMap) -> Result<(), Reply> {
    match single(headers, "tus-resumable")? {
        None | Some(TUS_VERSION) => Ok(()),
        Some(_) => {
            let mut r = reply::coded(
                StatusCode::PRECONDITION_FAILED,
                &format!("only TUS {TUS_VERSION} is served"),
            );
            r.headers_mut()
                .insert("tus-version", HeaderValue::from_static(TUS_VERSION));
            Err(r)
        }
    }
}

/// Whether the request's body is an offset stream (`Content-Type`, parameters aside).
fn is_offset_stream(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case(OFFSET_STREAM))
}

/// Parses `Upload-Metadata`: comma-separated `key base64(value)` pairs, the value possibly absent
/// (empty). Keys the upload does not read are skipped; those it reads must come once, with a
/// base64 value of UTF-8 text. At most [`MAX_METADATA`] bytes; one pass over the header.
pub(crate) fn parse_metadata(header: &str) -> Result<HashMap<&'static str, String>, String> {
    if header.len() > MAX_METADATA {
        return Err(format!(
            "Upload-Metadata must be at most {MAX_METADATA} bytes"
        ));
    }
    let mut fields = HashMap::new();
    for pair in header.split(',') {
        let pair = pair.trim_matches([' ', '\t']);
        if pair.is_empty() {
            continue;
        }
        let (key, value) = pair.split_once(' ').unwrap_or((pair, ""));
        let value = value.trim_matches([' ', '\t']);
        if value.contains([' ', '\t']) {
            return Err(format!(
                "Upload-Metadata pairs are a key, a space and a base64 value: {key:?} has more"
            ));
        }
        let Some(known) = METADATA_KEYS.iter().find(|k| **k == key) else {
            continue;
        };
        let bytes = METADATA_BASE64
            .decode(value)
            .map_err(|_| format!("the Upload-Metadata value of {key} is not base64"))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| format!("the Upload-Metadata value of {key} is not UTF-8"))?;
        if fields.insert(*known, text).is_some() {
            return Err(format!("Upload-Metadata gives {key} twice"));
        }
    }
    Ok(fields)
}

/// What the finished upload will be, from its metadata, the query and (through a signed URL) the
/// grant, whose bound fields (network, name, group, key-values) win as they do for a multipart
/// upload.
fn plan(
    meta: &HashMap<&str, String>,
    query: &str,
    grant: Option<&Grant>,
    now: SystemTime,
) -> Result<Plan, Reply> {
    let text = |key: &str| meta.get(key).map(String::as_str).filter(|v| !v.is_empty());
    let flag = |key: &str| match text(key) {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(bad(&format!("{key} must be true or false"))),
    };
    let query_version = Query::parse(query)
        .into_iter()
        .find(|(k, _)| k == "X-Upload-Option-Cid-Version")
        .map(|(_, v)| v);
    let version = match text("cid_version").or(query_version.as_deref()) {
        None | Some("v1") => CidVersion::V1,
        Some("v0") => CidVersion::V0,
        Some(_) => return Err(bad("cid_version must be v0 or v1")),
    };
    let expires_at = match text("expires_at") {
        None => None,
        Some(t) => Some(expiry(t.trim().parse().ok(), now)?),
    };
    let car = flag("car")?;
    // Accepted and ignored, as for a multipart upload.
    flag("streamable")?;
    let filename = match text("filename") {
        Some(f) if f.chars().count() > MAX_FILENAME => {
            return Err(bad(&format!(
                "filename must be at most {MAX_FILENAME} characters"
            )));
        }
        f => f.map(str::to_owned),
    };
    let mime_type = match text("filetype") {
        Some(t) => media_type(t).ok_or_else(|| bad("filetype must be a MIME type"))?,
        None => mime_type_of(filename.as_deref().unwrap_or("")).to_owned(),
    };
    let mut plan = Plan {
        network: Network::Private,
        name: None,
        mime_type,
        keyvalues: Default::default(),
        group_id: None,
        version,
        expires_at,
        car,
    };
    if let Some(grant) = grant {
        plan.network = grant.network;
        plan.name = grant.name.clone().or(filename);
        plan.group_id = grant.group_id.clone();
        plan.keyvalues = grant.keyvalues.clone();
        return Ok(plan);
    }
    if let Some(n) = text("network") {
        plan.network = Network::parse(n).ok_or_else(|| bad("network must be public or private"))?;
    }
    plan.name = match text("name") {
        Some(n) => Some(crate::api::files::check_name(n)?),
        None => filename,
    };
    plan.group_id = text("group_id").map(str::to_owned);
    if let Some(kv) = text("keyvalues") {
        plan.keyvalues = keyvalues_text(kv)?;
    }
    Ok(plan)
}

/// Removes what dropped uploads leave: their partial files, and the signed URLs they held, given
/// back.
fn clean(state: &State, dropped: Vec<Dropped>) {
    for d in dropped {
        let _ = std::fs::remove_file(&d.path);
        if let Some(grant) = d.grant {
            state.grants.settle(&grant, false);
        }
    }
}

/// Forgets an upload (terminated, or lost by a fault); `false` if there was none.
fn forget(state: &State, token: &str, file_id: &str) -> bool {
    match state.tus.remove(token, file_id) {
        Some(d) => {
            clean(state, vec![d]);
            true
        }
        None => false,
    }
}

/// `OPTIONS /v3/files` (or an upload's URL): what is served.
pub(crate) fn options(state: &State) -> Reply {
    let mut r = with_version(reply::empty(StatusCode::NO_CONTENT));
    let h = r.headers_mut();
    h.insert("tus-version", HeaderValue::from_static(TUS_VERSION));
    h.insert("tus-extension", HeaderValue::from_static(TUS_EXTENSIONS));
    h.insert("tus-max-size", state.tus.max_length().into());
    r
}

/// Creation: `POST /v3/files` by the key `creator` (authenticated, with `org:files:write`), or a
/// `POST` to a signed upload URL (`grant`: its use, already checked), with `Upload-Length`.
pub(crate) async fn create(
    state: &State,
    headers: &HeaderMap,
    query: &str,
    mut body: Incoming,
    now: SystemTime,
    creator: Option<&str>,
    grant: Option<GrantUse<'_>>,
) -> Reply {
    // No body is taken: `creation-with-upload` is not offered.
    if !body.is_end_stream() {
        while let Some(frame) = body.frame().await {
            let data = frame.map(|f| f.data_ref().is_some_and(|d| !d.is_empty()));
            if !matches!(data, Ok(false)) {
                let refusal = bad(
                    "a creation has no body (creation-with-upload is not served): create, then PATCH",
                );
                return with_version(drain(body, refusal).await);
            }
        }
    }
    with_version(begin(state, headers, query, now, creator, grant).await)
}

async fn begin(
    state: &State,
    headers: &HeaderMap,
    query: &str,
    now: SystemTime,
    creator: Option<&str>,
    grant: Option<GrantUse<'_>>,
) -> Reply {
    if let Err(r) = check_version(headers) {
        return r;
    }
    let length = match single(headers, "upload-length") {
        Ok(Some(text)) => match number(text) {
            Some(n) => n,
            None => return bad("Upload-Length must be a whole number of bytes"),
        },
        Ok(None) => {
            return bad("Upload-Length is required (Upload-Defer-Length is not served)");
        }
        Err(r) => return r,
    };
    let cap = state.tus.max_length();
    if length > cap {
        return reply::coded(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("Upload-Length must be at most {cap} bytes"),
        );
    }
    if let Some(max) = grant.as_ref().and_then(|g| g.grant().max_file_size)
        && length > max
    {
        return reply::coded(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("the file is larger than this signed URL allows ({max} bytes)"),
        );
    }
    let metadata = match single(headers, "upload-metadata") {
        Ok(m) => m,
        Err(r) => return r,
    };
    let meta = match metadata.map(parse_metadata).transpose() {
        Ok(m) => m.unwrap_or_default(),
        Err(e) => return bad(&e),
    };
    let plan = match plan(&meta, query, grant.as_ref().map(GrantUse::grant), now) {
        Ok(p) => p,
        Err(r) => return r,
    };
    if let Some(g) = &plan.group_id
        && !state.groups.exists(plan.network, g)
    {
        return bad(&format!(
            "group_id names no group on the {} network",
            plan.network
        ));
    }
    if plan.car && plan.network != Network::Public {
        return bad("a CAR upload is one file, on the public network");
    }
    if let Some(g) = &grant
        && !g.grant().allows(&plan.mime_type)
    {
        return super::signed::mime_refused(&plan.mime_type);
    }
    let Some(host) = host_of(headers) else {
        return bad("a Host header is needed for the upload's URL");
    };
    let Ok(token) = crate::ids::random_hex(UPLOAD_TOKEN_LEN) else {
        return reply::internal("no random bytes for an upload token");
    };
    let Ok(file_id) = state.files.reserve_id(now) else {
        return reply::internal("no random bytes for a file id");
    };
    clean(state, state.tus.sweep(now));
    let path = state.content.tus_path(&token);
    if crate::disk::create_private_file_async(&path).await.is_err() {
        return reply::internal("could not store the upload");
    }
    let owner = creator.or(grant.as_ref().and_then(GrantUse::signer));
    let owner = owner.map(str::to_owned);
    let url_ends = grant.as_ref().map(GrantUse::ends);
    let held = grant.map(GrantUse::hold);
    let new = NewUpload {
        file_id: file_id.clone(),
        length,
        metadata: metadata.map(str::to_owned),
        plan,
        creator: creator.map(str::to_owned),
        grant: held.clone(),
        owner,
        url_ends,
        path: path.clone(),
    };
    // Not measured (an unknown platform, a failed statvfs): only --max-upload-bytes holds.
    let available = crate::disk::available(&path).ok();
    if let Err(refused) = state.tus.insert(token.clone(), new, now, available) {
        clean(state, vec![Dropped { path, grant: held }]);
        return refusal(refused, length);
    }
    let mut r = reply::empty(StatusCode::CREATED);
    // An empty upload is complete from the start.
    if length == 0 {
        let cid = match state.tus.lease(&token, &file_id, 0, now) {
            Ok(lease) => match finish(state, lease, now).await {
                Ok(cid) => cid,
                Err(refusal) => return refusal,
            },
            Err(_) => return reply::internal("the upload went away while it was created"),
        };
        if let Ok(v) = HeaderValue::from_str(&cid) {
            r.headers_mut().insert("upload-cid", v);
        }
    }
    let location = format!("{}://{host}/v3/files/{file_id}/{token}", state.scheme);
    let h = r.headers_mut();
    // The host was checked to be letters, digits and `-.:[]`; the id and token are hex and dashes.
    if let Ok(v) = HeaderValue::from_str(&location) {
        h.insert(header::LOCATION, v);
    }
    h.insert("upload-offset", 0.into());
    r
}

/// The answer to a creation the store refused.
fn refusal(refused: Refused, length: u64) -> Reply {
    match refused {
        Refused::Full => reply::coded(
            StatusCode::TOO_MANY_REQUESTS,
            &format!("at most {MAX_TUS_UPLOADS} resumable uploads may be in progress"),
        ),
        Refused::KeyFull => reply::coded(
            StatusCode::TOO_MANY_REQUESTS,
            &format!(
                "this key has {MAX_TUS_UPLOADS_PER_KEY} resumable uploads in progress (with those \
                 through the upload URLs it signed), the most one key may have: finish or \
                 terminate one first"
            ),
        ),
        Refused::NoRoom { available } => reply::coded(
            StatusCode::INSUFFICIENT_STORAGE,
            &format!(
                "Upload-Length {length} does not fit: the emulator's disk has {available} bytes free"
            ),
        ),
    }
}

/// `HEAD /v3/files/{file_id}/{token}`.
pub(crate) async fn head(
    state: &State,
    file_id: &str,
    token: &str,
    headers: &HeaderMap,
    now: SystemTime,
) -> Reply {
    clean(state, state.tus.sweep(now));
    with_version(head_answer(state, file_id, token, headers, now).await)
}

async fn head_answer(
    state: &State,
    file_id: &str,
    token: &str,
    headers: &HeaderMap,
    now: SystemTime,
) -> Reply {
    if let Err(r) = check_version(headers) {
        return r;
    }
    // A HEAD answer has no body: a 404 is its status alone.
    let Some(mut seen) = state.tus.seen(token, file_id) else {
        return reply::empty(StatusCode::NOT_FOUND);
    };
    if let Some(Fault::TusLose) = state
        .faults
        .take_tus(TusRequest::Head, seen.creator.as_deref())
    {
        forget(state, token, file_id);
        return reply::empty(StatusCode::NOT_FOUND);
    }
    // Written to its end, but the request that wrote the last byte went away before finishing
    // it: finished now.
    if seen.cid.is_none()
        && seen.offset == seen.length
        && let Ok(lease) = state.tus.lease(token, file_id, seen.length, now)
    {
        match finish(state, lease, now).await {
            Ok(cid) => seen.cid = Some(cid),
            Err(r) => return r,
        }
    }
    let mut r = reply::empty(StatusCode::OK);
    let h = r.headers_mut();
    h.insert("upload-offset", seen.offset.into());
    h.insert("upload-length", seen.length.into());
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(v) = seen
        .metadata
        .as_deref()
        .and_then(|m| HeaderValue::from_str(m).ok())
    {
        h.insert("upload-metadata", v);
    }
    if let Some(v) = seen
        .cid
        .as_deref()
        .and_then(|c| HeaderValue::from_str(c).ok())
    {
        h.insert("upload-cid", v);
    }
    r
}

/// `DELETE /v3/files/{file_id}/{token}` (termination).
pub(crate) async fn terminate(
    state: &State,
    file_id: &str,
    token: &str,
    headers: &HeaderMap,
    body: Incoming,
    now: SystemTime,
) -> Reply {
    clean(state, state.tus.sweep(now));
    let answer = match check_version(headers) {
        Err(r) => r,
        Ok(()) if forget(state, token, file_id) => reply::empty(StatusCode::NO_CONTENT),
        Ok(()) => not_found(),
    };
    with_version(drain(body, answer).await)
}

/// `PATCH /v3/files/{file_id}/{token}`: `Err(Closed)` when the connection is to be closed without
/// an answer (a `tus_break` fault, or a body that broke off, which no one is left to read).
pub(crate) async fn patch(
    state: &State,
    file_id: &str,
    token: &str,
    headers: &HeaderMap,
    body: Incoming,
    now: SystemTime,
) -> Result<Reply, Closed> {
    clean(state, state.tus.sweep(now));
    patch_answer(state, file_id, token, headers, body, now)
        .await
        .map(with_version)
}

async fn patch_answer(
    state: &State,
    file_id: &str,
    token: &str,
    headers: &HeaderMap,
    body: Incoming,
    now: SystemTime,
) -> Result<Reply, Closed> {
    if let Err(r) = check_version(headers) {
        return Ok(drain(body, r).await);
    }
    let Some(seen) = state.tus.seen(token, file_id) else {
        return Ok(drain(body, not_found()).await);
    };
    let mut cut = None;
    match state
        .faults
        .take_tus(TusRequest::Patch, seen.creator.as_deref())
    {
        Some(Fault::TusStatus { status }) => {
            return Ok(drain(body, fault_status(status, None)).await);
        }
        Some(Fault::TusLose) => {
            forget(state, token, file_id);
            return Ok(drain(body, not_found()).await);
        }
        Some(Fault::TusBreak { after_bytes }) => cut = Some(after_bytes),
        _ => {}
    }
    if !is_offset_stream(headers) {
        let refusal = reply::coded(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            &format!("Content-Type must be {OFFSET_STREAM}"),
        );
        return Ok(drain(body, refusal).await);
    }
    let offset = match single(headers, "upload-offset") {
        Ok(Some(text)) => number(text),
        Ok(None) => None,
        Err(r) => return Ok(drain(body, r).await),
    };
    let Some(offset) = offset else {
        let refusal = bad("Upload-Offset must be a whole number of bytes");
        return Ok(drain(body, refusal).await);
    };
    let lease = match state.tus.lease(token, file_id, offset, now) {
        Ok(lease) => lease,
        Err(LeaseError::Gone) => return Ok(drain(body, not_found()).await),
        Err(LeaseError::Busy) => {
            let refusal =
                reply::coded(StatusCode::LOCKED, "another request is writing this upload");
            return Ok(drain(body, refusal).await);
        }
        Err(LeaseError::Offset(at)) => return Ok(drain(body, conflict(at)).await),
        // Finished: an empty PATCH at its end is answered as the last one was (its answer may
        // have been lost).
        Err(LeaseError::Done { cid, length }) => {
            if offset != length {
                return Ok(drain(body, conflict(length)).await);
            }
            return Ok(if crate::body::is_empty(body).await {
                written(length, Some(&cid))
            } else {
                overflow()
            });
        }
    };
    let room = lease.upload.length - lease.offset;
    if body.size_hint().exact().is_some_and(|n| n > room) {
        return Ok(drain(body, overflow()).await);
    }
    write(state, lease, body, cut, now).await
}

/// How a `PATCH` body's reading ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// The body ended.
    Whole,
    /// The body broke off (the connection went away).
    Broken,
    /// A `tus_break` fault's bytes were stored.
    Cut,
    /// The body would pass `Upload-Length`.
    Overflow,
    /// The disk refused a write.
    Failed,
    /// The upload was forgotten meanwhile (terminated, lost).
    Gone,
}

/// Streams the body to the upload's file from the lease's offset, frame by frame, moving the
/// offset as each frame is written; `cut`: a `tus_break` fault's byte count.
async fn write(
    state: &State,
    mut lease: Lease<'_>,
    mut body: Incoming,
    cut: Option<u64>,
    now: SystemTime,
) -> Result<Reply, Closed> {
    let start = lease.offset;
    let length = lease.upload.length;
    let Ok(mut file) = open_at(&lease.upload.path, start).await else {
        return Ok(drain(body, reply::internal("could not open the upload")).await);
    };
    let mut stored: u64 = 0;
    let mut ending = if cut == Some(0) {
        Ending::Cut
    } else {
        Ending::Whole
    };
    while ending == Ending::Whole {
        let Some(frame) = body.frame().await else {
            break;
        };
        let Ok(frame) = frame else {
            ending = Ending::Broken;
            break;
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        let mut data: &[u8] = &data;
        if let Some(limit) = cut {
            let left = limit.saturating_sub(stored);
            if data.len() as u64 >= left {
                // `left` is at most the frame's length here, so it fits a usize.
                data = &data[..usize::try_from(left).unwrap_or(data.len())];
                ending = Ending::Cut;
            }
        }
        if data.len() as u64 > length - lease.offset {
            ending = Ending::Overflow;
            break;
        }
        if file.write_all(data).await.is_err() || file.flush().await.is_err() {
            ending = Ending::Failed;
            break;
        }
        stored += data.len() as u64;
        if !lease.advance(data.len() as u64) {
            ending = Ending::Gone;
        }
    }
    if cut.is_some() && ending == Ending::Whole {
        // The whole body was shorter than the fault's count: stored, and still no answer.
        ending = Ending::Cut;
    }
    drop(file);
    let finished = lease.offset == length;
    match ending {
        Ending::Whole if finished => Ok(match finish(state, lease, now).await {
            Ok(cid) => written(length, Some(&cid)),
            Err(refusal) => refusal,
        }),
        Ending::Whole => Ok(written(lease.offset, None)),
        Ending::Broken | Ending::Cut => {
            // No one is left to answer; what was written stays, and a finished upload is finished
            // (a HEAD will tell its CID).
            if finished {
                let _ = finish(state, lease, now).await;
            }
            Err(Closed)
        }
        Ending::Overflow => {
            // Nothing of a refused PATCH is kept.
            let kept = match crate::disk::open_options_async()
                .write(true)
                .open(&lease.upload.path)
                .await
            {
                Ok(f) => f.set_len(start).await.is_ok(),
                Err(_) => false,
            };
            if !lease.rewind(start) {
                return Ok(drain(body, not_found()).await);
            }
            if !kept {
                return Ok(drain(body, reply::internal("could not store the upload")).await);
            }
            Ok(drain(body, overflow()).await)
        }
        Ending::Failed => Ok(drain(body, reply::internal("could not store the upload")).await),
        Ending::Gone => Ok(drain(body, not_found()).await),
    }
}

/// The upload's file, open for writing at `offset`: anything past it (bytes whose write was never
/// recorded, from a request that went away mid-write) is dropped first.
async fn open_at(path: &Path, offset: u64) -> std::io::Result<tokio::fs::File> {
    let mut file = crate::disk::open_options_async()
        .write(true)
        .open(path)
        .await?;
    file.set_len(offset).await?;
    file.seek(SeekFrom::Start(offset)).await?;
    Ok(file)
}

/// The CID of the first `length` bytes of `path` (cut to that length first), read from disk.
async fn import(path: &Path, length: u64, version: CidVersion) -> std::io::Result<ImportedFile> {
    let mut file = crate::disk::open_options_async()
        .read(true)
        .write(true)
        .open(path)
        .await?;
    file.set_len(length).await?;
    let mut importer =
        FileImporter::new(ImportOptions::new(version)).map_err(std::io::Error::other)?;
    let mut buf = vec![0u8; READ_CHUNK];
    let mut left = length;
    while left > 0 {
        let want = usize::try_from(left).map_or(READ_CHUNK, |l| l.min(READ_CHUNK));
        let n = file.read(&mut buf[..want]).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        importer.update(&buf[..n]);
        left -= n as u64;
    }
    Ok(importer.finish())
}

/// Finishes an upload written to its end: its CID from the file on disk, the content committed
/// to the store, and the v3 file recorded as a multipart upload records it (under the id in the
/// upload's URL). The CID, or the answer to give instead.
async fn finish(state: &State, lease: Lease<'_>, now: SystemTime) -> Result<String, Reply> {
    let upload = &lease.upload;
    let plan = &upload.plan;
    let (cid, dag_size) = if plan.car {
        (PENDING.to_owned(), 0)
    } else {
        match import(&upload.path, upload.length, plan.version).await {
            Ok(f) => (f.cid.to_string(), f.dag_size),
            Err(_) => return Err(reply::internal("could not read the upload back")),
        }
    };
    if !lease.alive() {
        return Err(not_found());
    }
    if plan.car {
        let _ = std::fs::remove_file(&upload.path);
    } else {
        let public = plan.network == Network::Public;
        if state
            .content
            .commit_file(&upload.path, &cid, public)
            .is_err()
        {
            return Err(reply::internal("could not store the upload"));
        }
        state.content.remember(&cid, dag_size, 1);
    }
    let new = NewFile {
        network: plan.network,
        name: plan.name.clone(),
        cid: cid.clone(),
        size: upload.length,
        number_of_files: 1,
        mime_type: plan.mime_type.clone(),
        keyvalues: plan.keyvalues.clone(),
        // Checked again under the file store's lock: a group deleted meanwhile is dropped.
        group_id: plan.group_id.clone(),
        expires_at: plan.expires_at,
    };
    let group_exists = |network: Network, g: &str| state.groups.exists(network, g);
    match state
        .files
        .insert_as(new, Some(upload.file_id.clone()), now, &group_exists)
    {
        Ok(_) => {}
        Err(e @ (InsertError::Full | InsertError::TooHeavy)) => {
            let (token_file, token) = (upload.file_id.clone(), lease.token().to_owned());
            drop(lease);
            forget(state, &token, &token_file);
            return Err(store_full(e));
        }
        Err(e @ InsertError::NoId) => return Err(store_full(e)),
    }
    if let Some(grant) = lease.complete(cid.clone(), now) {
        state.grants.settle(&grant, true);
    }
    Ok(cid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(text: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(text)
    }

    #[test]
    fn metadata_pairs() {
        let header = format!(
            "filename {},filetype {}, network {},flag,unknown !!notbase64!!,name",
            b64("a b.txt"),
            b64("text/plain"),
            b64("public").trim_end_matches('='),
        );
        let m = parse_metadata(&header).unwrap();
        assert_eq!(m["filename"], "a b.txt");
        assert_eq!(m["filetype"], "text/plain");
        assert_eq!(m["network"], "public", "padding is optional");
        assert_eq!(m["name"], "", "a key without a value");
        assert_eq!(m.len(), 4, "unknown keys are skipped, even malformed");
        assert!(parse_metadata("").unwrap().is_empty());
        assert!(parse_metadata("filename !!").is_err(), "not base64");
        assert!(parse_metadata(&format!("name {}", b64("\u{e9}"))).is_ok());
        let latin1 = base64::engine::general_purpose::STANDARD.encode([0xe9]);
        assert!(
            parse_metadata(&format!("name {latin1}")).is_err(),
            "not UTF-8"
        );
        assert!(
            parse_metadata(&format!("name {0},name {0}", b64("x"))).is_err(),
            "twice"
        );
        assert!(parse_metadata("name a b").is_err(), "two values");
        let long = format!("filename {}", "A".repeat(MAX_METADATA));
        assert!(parse_metadata(&long).is_err());
    }

    #[test]
    fn numbers_and_media_types() {
        assert_eq!(number("0"), Some(0));
        assert_eq!(number("18446744073709551615"), Some(u64::MAX));
        for not in ["", "-1", "+1", "1.5", " 1", "18446744073709551616", "1e3"] {
            assert_eq!(number(not), None, "{not:?}");
        }
        assert_eq!(
            media_type("Text/Plain; charset=utf-8").as_deref(),
            Some("text/plain")
        );
        for not in ["", "text", "a/b/c", "/x", "a b/c", "image/*"] {
            assert_eq!(media_type(not), None, "{not:?}");
        }
    }

    #[test]
    fn plans_take_the_grant_s_bound_fields() {
        let now = SystemTime::now();
        let meta: HashMap<&str, String> = [
            ("filename", "f.png"),
            ("name", "Named"),
            ("network", "public"),
            ("keyvalues", r#"{"a":"b"}"#),
            ("cid_version", "v0"),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_owned()))
        .collect();
        let p = plan(&meta, "X-Upload-Option-Cid-Version=v1", None, now).unwrap();
        assert_eq!(p.name.as_deref(), Some("Named"));
        assert_eq!(p.network, Network::Public);
        assert_eq!(p.mime_type, "image/png", "from the file name");
        assert_eq!(
            p.version,
            CidVersion::V0,
            "the metadata wins over the query"
        );
        assert_eq!(p.keyvalues.get("a").map(String::as_str), Some("b"));
        let grant = Grant {
            network: Network::Private,
            name: None,
            group_id: None,
            keyvalues: Default::default(),
            max_file_size: None,
            allow_mime_types: Vec::new(),
        };
        let p = plan(&meta, "", Some(&grant), now).unwrap();
        assert_eq!(p.network, Network::Private);
        assert_eq!(
            p.name.as_deref(),
            Some("f.png"),
            "the file name, not the name"
        );
        assert!(p.keyvalues.is_empty());
        let empty = HashMap::new();
        let p = plan(&empty, "X-Upload-Option-Cid-Version=v0", None, now).unwrap();
        assert_eq!(
            (p.version, p.name, p.network),
            (CidVersion::V0, None, Network::Private)
        );
        assert!(plan(&empty, "X-Upload-Option-Cid-Version=v2", None, now).is_err());
    }
}

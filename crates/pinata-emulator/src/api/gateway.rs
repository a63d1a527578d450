//! The gateway, on the same listener as the API (no credentials on either path):
//!
//! - `GET /ipfs/{cid}[/path]`: public content. Served unless only private files hold the CID:
//!   content first stored by a private upload (a file, a folder, each file inside) is marked
//!   private (`store/content.rs`) and not served here, unless a public upload or a legacy pin stores the
//!   same content, or a public file or an active legacy pin holds that very CID. A CID the account
//!   swapped on the public network serves the CID swapped in (one hop, emulator's choice), under
//!   the same rule, while the swap is in force: deleting the swapped CID's files does not end it
//!   (`swaps.rs`), deleting the swap does.
//! - `GET /files/{cid}[/path]?X-…`: a private file (or a file inside a private folder), only with
//!   a valid, unexpired download-link signature for exactly that CID and path (`signed.rs`).
//!
//! Both stream from disk. A folder asked for without a trailing slash is a `301` to the same URL
//! with one (as IPFS gateways answer, boxo's among them: a client that does not follow redirects
//! learns the CID is a folder, not a file); with the slash it answers the names inside it, one per
//! line, with an `ETag` of the `"DirIndex-…"` form boxo gives its generated listings. A miss is
//! `404 Not found` in plain text, whatever the reason (so a private CID looks like a missing one).
//!
//! The `Content-Type` of a CID that is a file is the type it was uploaded with, as the upload's
//! record keeps it (a multipart part's `Content-Type`, else the type of its name; `application/json`
//! for `pinJSONToIPFS`): on `/files/`, the oldest private file of that CID; on `/ipfs/`, the first
//! upload of it the account still holds, the oldest public file or the active legacy pin, whichever
//! came first (emulator's choice, the same "first upload" rule on both paths: a later upload of the
//! same bytes under another name does not change what earlier links serve). Content no upload
//! describes (a pin by hash) is `application/octet-stream`. A path inside a folder gets the type of
//! its name.

use std::time::SystemTime;

use http::StatusCode;
use pinata_core::api::Network;
use pinata_core::api::uploads::mime_type_of;
use pinata_core::server::Query;

use crate::api::signed;
use crate::reply::{self, Reply};
use crate::state::State;
use crate::store::content::Resolved;

/// `GET /ipfs/{cid}[/path]`.
pub(crate) async fn public(state: &State, rest: &str, uri: &http::Uri, now: SystemTime) -> Reply {
    let (cid, path) = rest.split_once('/').unwrap_or((rest, ""));
    let path = percent_decode_path(path);
    let swapped = state.swaps.current(Network::Public, cid);
    let cid = swapped.as_deref().unwrap_or(cid);
    let visible = !state.content.is_private(cid)
        || state.files.holds(Network::Public, cid, now)
        || state.pins.pins_cid(cid);
    if !visible {
        return not_found();
    }
    let mime = uploaded_type(state, cid, now);
    serve(state, cid, &path, mime.as_deref(), uri).await
}

/// The type `/ipfs/{cid}` serves `cid` itself as: that of the first upload of it the account
/// still holds (the oldest live public file, or the active legacy pin, whichever is older), as
/// the module says. `None` when no upload describes it, or when it is a folder.
fn uploaded_type(state: &State, cid: &str, now: SystemTime) -> Option<String> {
    let file = state
        .files
        .find_cid(Network::Public, cid, now)
        .map(|f| (f.created_at, f.mime_type));
    let pin = state
        .pins
        .active_pin(cid)
        .and_then(|p| Some((p.date_pinned, p.mime_type?)));
    let first = match (file, pin) {
        (Some(f), Some(p)) => Some(if p.0 < f.0 { p } else { f }),
        (f, p) => f.or(p),
    };
    first
        .map(|(_, mime)| mime)
        .filter(|mime| !mime.is_empty() && mime != "directory")
}

/// `GET /files/{cid}[/path]?X-Algorithm=PINATA1&X-Date&X-Expires&X-Method&X-Signature`.
pub(crate) async fn private(state: &State, rest: &str, uri: &http::Uri, now: SystemTime) -> Reply {
    let query = uri.query().unwrap_or("");
    let (cid, path) = rest.split_once('/').unwrap_or((rest, ""));
    let path = percent_decode_path(path);
    let path = path.trim_matches('/');
    if let Err(refusal) = signed::check_link(state, cid, path, query, now) {
        return refusal;
    }
    let Some(file) = state.files.find_cid(Network::Private, cid, now) else {
        return not_found();
    };
    serve(state, cid, path, Some(&file.mime_type), uri).await
}

/// Streams what `cid` and `path` name. `root_mime`: the content type of the CID itself when it
/// is a file (its file's MIME type; `application/octet-stream` without one); a path inside a
/// folder gets the type of its name.
/// `uri`: the request's, for a folder's redirect.
async fn serve(
    state: &State,
    cid: &str,
    path: &str,
    root_mime: Option<&str>,
    uri: &http::Uri,
) -> Reply {
    match state.content.resolve(cid, path) {
        Some(Resolved::File(file)) => match crate::disk::open_options_async()
            .read(true)
            .open(&file)
            .await
        {
            Ok(f) => {
                let length = f.metadata().await.ok().map(|meta| meta.len());
                let mut r = http::Response::new(reply::file_body(f));
                let mime = if path.trim_matches('/').is_empty() {
                    root_mime.unwrap_or("application/octet-stream")
                } else {
                    mime_type_of(path)
                };
                if let Ok(v) = http::HeaderValue::from_str(mime) {
                    r.headers_mut().insert(http::header::CONTENT_TYPE, v);
                }
                if let Some(length) = length {
                    r.headers_mut()
                        .insert(http::header::CONTENT_LENGTH, length.into());
                }
                r
            }
            Err(_) => reply::internal("could not read stored content"),
        },
        Some(Resolved::Directory(_)) if !uri.path().ends_with('/') => {
            let location = match uri.query() {
                Some(q) => format!("{}/?{q}", uri.path()),
                None => format!("{}/", uri.path()),
            };
            let mut r = reply::with_body(
                StatusCode::MOVED_PERMANENTLY,
                "text/plain; charset=utf-8",
                b"a folder: its listing is at the same path with a trailing slash\n".to_vec(),
            );
            // The path and query were parsed as a URI's: they make a header value.
            if let Ok(v) = http::HeaderValue::from_str(&location) {
                r.headers_mut().insert(http::header::LOCATION, v);
            }
            r
        }
        Some(Resolved::Directory(names)) => {
            let mut r = reply::with_body(
                StatusCode::OK,
                "text/plain; charset=utf-8",
                (names.join("\n") + "\n").into_bytes(),
            );
            if let Ok(v) = http::HeaderValue::from_str(&format!("\"DirIndex-emulator_CID-{cid}\""))
            {
                r.headers_mut().insert(http::header::ETAG, v);
            }
            r
        }
        None => not_found(),
    }
}

fn not_found() -> Reply {
    reply::with_body(
        StatusCode::NOT_FOUND,
        "text/plain; charset=utf-8",
        b"Not found\n".to_vec(),
    )
}

/// A path of percent-encoded segments, decoded segment by segment (`+` stays a plus: it is a
/// path, not a form). The gateway and the download-link signer read paths with this one rule.
pub(crate) fn percent_decode_path(path: &str) -> String {
    path.split('/')
        .map(|seg| {
            Query::parse(&format!("k={}", seg.replace('+', "%2B")))
                .pop()
                .map(|(_, v)| v)
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("/")
}

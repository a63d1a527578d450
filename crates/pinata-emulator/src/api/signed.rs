//! Signed URLs (`pinata-v3-api.md` §1.4, §1.5), on one path with two meanings:
//! `POST /v3/files/sign` signs an **upload URL** (`org:files:write`) unless its body holds `url`,
//! when it signs a **download link** (`org:files:read`; the official SDK's
//! `gateways.private.get` still calls it so), as `POST /v3/files/private/download_link` and
//! `POST /v3/files/download_link` do.
//!
//! Both are HMAC-SHA256 signatures with a key of the emulator's own (derived from its JWT secret,
//! so fixed secrets give reproducible URLs), in lower-case hex:
//!
//! - An upload URL, `http://<Host>/v3/files/<uuid>?X-Algorithm=PINATA2&X-Date&X-Expires&X-Method
//!   &X-Upload-Option-Network&X-User-ID&X-Signature`, signs its uuid, date, validity, methods,
//!   network and user, and the grant: the fields bound at signing (file name, group, key-values,
//!   network, largest size, MIME types), which the emulator keeps by uuid (at most
//!   [`MAX_SIGNED_UPLOADS`]). It is good for one upload: an upload in progress or done makes
//!   another 409; a failed one (too large, a refused type, a bad form) gives the URL back for a
//!   retry. The URL takes the multipart form, or (a `POST` with `Upload-Length`) creates a
//!   resumable upload (`api/tus.rs`), which holds the URL until it completes (spent), or is
//!   terminated, lost or expires (given back).
//! - A download link, `<url>?X-Algorithm=PINATA1&X-Date&X-Expires&X-Method=GET&X-Signature`
//!   (`&…` when the URL has a query already), signs the CID and path after `/files/` in the URL,
//!   the date, the validity and the method. The gateway (`gateway.rs`) checks it.
//!
//! Emulator's choices where the real service is not documented: `date` must be at most a day old
//! and at most five minutes ([`MAX_CLOCK_SKEW`]) ahead of the emulator's clock, and `expires` 1 s
//! to 7 days; a URL is valid from its date (less that skew) and expired once
//! `X-Date + X-Expires` has passed, so it never lasts longer than it was signed for; every signature problem (missing, malformed, altered, unknown uuid) is
//! `401 {"error":{"code":401,"message":"invalid or missing signature"}}`, expiry
//! `401 "signed URL has expired"`; with [`MAX_SIGNED_UPLOADS`] outstanding, signing first drops
//! the expired URLs, then the used ones (oldest first), and otherwise answers 429. The URL's
//! scheme is `http` (the emulator serves no TLS) and its host the request's `Host`.
//!
//! Allowed MIME types are validated and matched by pinata-core's own rule (`is_mime_pattern`,
//! `mime_pattern_allows`, at most `MAX_MIME_PATTERNS` of at most `MAX_MIME_PATTERN_LEN` bytes), so
//! the client and the emulator never disagree: a folder is `directory`, which only `directory`
//! allows (no wildcard, nor `application/x-directory` or `inode/directory`, which are file types).

use std::collections::{BTreeMap, HashMap};
use std::time::SystemTime;

use http::{HeaderMap, StatusCode};
use pinata_core::api::Network;
use pinata_core::api::keys::ResourceScope;
use pinata_core::api::signed::{MAX_MIME_PATTERN_LEN, MAX_MIME_PATTERNS, is_mime_pattern};
use pinata_core::server::Query;
use serde_json::Value;

use crate::access::Requirement;
use crate::api::files::{check_name, keyvalues};
use crate::api::gateway::percent_decode_path;
use crate::reply::{self, Reply, data};
use crate::state::State;
use crate::store::files::unix_seconds;
use crate::store::grants::{ClaimError, Grant, GrantUse, MAX_SIGNED_UPLOADS, SignedUpload};

/// The longest validity a URL may be signed for (seconds): a week.
pub(crate) const MAX_VALIDITY: u64 = 7 * 86_400;
/// How far in the past a signing `date` may be (seconds): a day.
pub(crate) const MAX_DATE_AGE: u64 = 86_400;
/// How far in the future a signing `date` may be (seconds): a small clock skew, five minutes (S3
/// allows fifteen). A URL is valid from its date (less this skew) until `date + expires`, so a URL
/// signed for a week lasts a week, not a week and a day.
pub(crate) const MAX_CLOCK_SKEW: u64 = 300;
/// The largest `max_file_size`: JSON's largest exact integer.
const MAX_FILE_SIZE: u64 = (1 << 53) - 1;
/// The longest URL a download link is signed for.
const MAX_URL: usize = 8 * 1024;
/// The methods an upload URL grants, as the URL names them.
const UPLOAD_METHODS: &str = r#"["HEAD","PATCH","POST"]"#;

/// Why a signature is refused (the text is the emulator's choice).
const INVALID: &str = "invalid or missing signature";

fn bad(message: &str) -> Reply {
    reply::coded(StatusCode::BAD_REQUEST, message)
}

fn invalid() -> Reply {
    reply::coded(StatusCode::UNAUTHORIZED, INVALID)
}

fn expired() -> Reply {
    reply::coded(StatusCode::UNAUTHORIZED, "signed URL has expired")
}

/// Whether a URL signed at `date` for `expires` seconds is valid at `now`: from `date` (less
/// [`MAX_CLOCK_SKEW`]) until `date + expires`, the one rule for upload URLs and download links.
fn in_window(date: u64, expires: u64, now: SystemTime) -> Result<(), Reply> {
    let now = unix_seconds(now);
    if date > now.saturating_add(MAX_CLOCK_SKEW) {
        return Err(reply::coded(
            StatusCode::UNAUTHORIZED,
            "signed URL is not valid yet (its date is in the future)",
        ));
    }
    if date.saturating_add(expires) < now {
        return Err(expired());
    }
    Ok(())
}

/// The 400 for an upload of a type the URL does not allow. Pinata's text says "detected"; the
/// emulator does not read a file's bytes for its type: a file's type is the one its upload
/// declares (the part's `Content-Type` or TUS `filetype`, else its name's), and only a folder's,
/// `directory`, is detected, so the message says which (emulator's choice).
pub(crate) fn mime_refused(mime: &str) -> Reply {
    let how = if mime == "directory" {
        "detected"
    } else {
        "declared"
    };
    bad(&format!(
        "Presigned URL does not grant permissions to upload {how} MIME type: {mime}"
    ))
}

/// The HMAC (hex) of `text` under the emulator's URL key.
fn signature(state: &State, text: &str) -> String {
    crate::ids::hex(&crate::token::mac(&state.url_secret, text.as_bytes()))
}

/// Whether `hex` is the signature of `text`.
fn signed(state: &State, text: &str, hex: &str) -> bool {
    crate::ids::unhex(hex)
        .is_some_and(|tag| crate::token::mac_matches(&state.url_secret, text.as_bytes(), &tag))
}

/// What an upload URL signs.
fn upload_text(
    id: &str,
    date: u64,
    expires: u64,
    network: &str,
    user: &str,
    grant: &Grant,
) -> String {
    // Serialising a struct of strings, numbers and string maps cannot fail.
    let grant = serde_json::to_string(grant).unwrap_or_default();
    format!("PINATA2\n{id}\n{date}\n{expires}\n{UPLOAD_METHODS}\n{network}\n{user}\n{grant}")
}

/// What a download link signs.
fn link_text(cid: &str, path: &str, date: u64, expires: u64) -> String {
    format!("PINATA1\n{cid}\n{path}\n{date}\n{expires}\nGET")
}

/// A signing request's body, typed: an upload URL's grant (as pinata-core's
/// `CreateSignedUploadUrl` sends it) or a download link's (`url` present, as `CreateDownloadLink`
/// sends it). Unknown fields are ignored, as the real API ignores them.
#[derive(serde::Deserialize)]
pub(crate) struct SignBody {
    #[serde(default)]
    date: Option<u64>,
    #[serde(default)]
    expires: Option<u64>,
    #[serde(default)]
    network: Option<String>,
    #[serde(default)]
    filename: Option<String>,
    #[serde(default)]
    group_id: Option<String>,
    #[serde(default)]
    keyvalues: Option<Value>,
    #[serde(default)]
    max_file_size: Option<u64>,
    #[serde(default)]
    allow_mime_types: Option<Vec<String>>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    method: Option<String>,
}

/// `date` and `expires` of a signing request, range-checked.
fn validity(body: &SignBody, now: SystemTime) -> Result<(u64, u64), Reply> {
    let now = unix_seconds(now);
    let date = match body.date {
        Some(d)
            if d <= now.saturating_add(MAX_CLOCK_SKEW) && now.saturating_sub(d) <= MAX_DATE_AGE =>
        {
            d
        }
        _ => {
            return Err(bad(&format!(
                "date must be the signing time in Unix seconds: at most {MAX_DATE_AGE} s ago \
                 and at most {MAX_CLOCK_SKEW} s ahead of the emulator's clock"
            )));
        }
    };
    let expires = match body.expires {
        Some(e) if (1..=MAX_VALIDITY).contains(&e) => e,
        _ => {
            return Err(bad(&format!("expires must be 1 to {MAX_VALIDITY} seconds")));
        }
    };
    Ok((date, expires))
}

/// A `POST /v3/files/sign` request, typed once: what it asks for decides both the permission the
/// caller needs ([`SignRequest::requirement`]) and what [`sign`] does, so the two cannot disagree
/// (a `"url": null` is no URL for either).
pub(crate) enum SignRequest {
    /// No `url` (absent or `null`): an upload URL, which needs `org:files:write`.
    UploadUrl(SignBody),
    /// A `url`: a download link, which needs only `org:files:read`.
    DownloadLink(SignBody),
}

impl SignRequest {
    /// Types a signing request's JSON body; a body of the wrong shape is a 400.
    pub(crate) fn parse(json: &Value) -> Result<SignRequest, Reply> {
        let body: SignBody = super::typed(json)?;
        Ok(match body.url {
            Some(_) => SignRequest::DownloadLink(body),
            None => SignRequest::UploadUrl(body),
        })
    }

    /// What the caller must hold for this request.
    pub(crate) fn requirement(&self) -> Requirement {
        match self {
            SignRequest::UploadUrl(_) => Requirement::AdminOr(ResourceScope::FilesWrite),
            SignRequest::DownloadLink(_) => Requirement::AdminOr(ResourceScope::FilesRead),
        }
    }
}

/// `POST /v3/files/sign`: a download link or an upload URL, as the typed request says.
/// `signer` is the calling key.
pub(crate) fn sign(
    state: &State,
    headers: &HeaderMap,
    signer: &str,
    request: &SignRequest,
    now: SystemTime,
) -> Reply {
    match request {
        SignRequest::DownloadLink(body) => link(state, body, now),
        SignRequest::UploadUrl(body) => upload_url(state, headers, signer, body, now),
    }
}

/// `POST /v3/files/sign {date, expires, network, filename?, group_id?, keyvalues?,
/// max_file_size?, allow_mime_types?, streamable?}` → `{"data":"<upload URL>"}`.
fn upload_url(
    state: &State,
    headers: &HeaderMap,
    signer: &str,
    body: &SignBody,
    now: SystemTime,
) -> Reply {
    let (date, expires) = match validity(body, now) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let grant = match grant(state, body) {
        Ok(g) => g,
        Err(r) => return r,
    };
    let Some(host) = host_of(headers) else {
        return bad("a Host header is needed to sign an upload URL");
    };
    let Ok(id) = crate::ids::uuid_v4() else {
        return reply::internal("no random bytes for an upload id");
    };
    let network = grant.network.as_str();
    let text = upload_text(&id, date, expires, network, &state.user_id, &grant);
    let sig = signature(state, &text);
    let signed = SignedUpload {
        grant,
        ends: date.saturating_add(expires),
        signer: Some(signer.to_owned()),
    };
    if !state.grants.insert(id.clone(), signed, unix_seconds(now)) {
        return reply::coded(
            StatusCode::TOO_MANY_REQUESTS,
            &format!("at most {MAX_SIGNED_UPLOADS} signed upload URLs may be outstanding"),
        );
    }
    let mut q = Query::new();
    q.push("X-Algorithm", "PINATA2")
        .push("X-Date", date)
        .push("X-Expires", expires)
        .push("X-Method", UPLOAD_METHODS)
        .push("X-Upload-Option-Network", network)
        .push("X-User-ID", &state.user_id)
        .push("X-Signature", sig);
    data(q.append_to(&format!("{}://{host}/v3/files/{id}", state.scheme)))
}

/// The request's `Host`, when it is one a URL can be made of (a name or address and a port: at
/// most 255 characters of letters, digits and `-.:[]`).
pub(crate) fn host_of(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
        })
}

/// The grant of a signing request, validated.
fn grant(state: &State, body: &SignBody) -> Result<Grant, Reply> {
    let network = match body.network.as_deref() {
        None => Network::Private,
        Some(n) => Network::parse(n).ok_or_else(|| bad("network must be public or private"))?,
    };
    let name = body.filename.as_deref().map(check_name).transpose()?;
    let group_id = body.group_id.clone();
    if let Some(g) = &group_id
        && !state.groups.exists(network, g)
    {
        return Err(bad(&format!(
            "group_id names no group on the {network} network"
        )));
    }
    let keyvalues = match &body.keyvalues {
        None | Some(Value::Null) => BTreeMap::new(),
        Some(kv) => keyvalues(kv)?,
    };
    let max_file_size = match body.max_file_size {
        None => None,
        Some(n) if (1..=MAX_FILE_SIZE).contains(&n) => Some(n),
        Some(_) => {
            return Err(bad(&format!(
                "max_file_size must be 1 to {MAX_FILE_SIZE} bytes"
            )));
        }
    };
    let allow_mime_types = match &body.allow_mime_types {
        None => Vec::new(),
        Some(types)
            if types.len() <= MAX_MIME_PATTERNS && types.iter().all(|t| is_mime_pattern(t)) =>
        {
            types.clone()
        }
        Some(_) => {
            return Err(bad(&format!(
                "allow_mime_types must be at most {MAX_MIME_PATTERNS} of type/subtype, type/*, * \
                 or directory (each at most {MAX_MIME_PATTERN_LEN} bytes)"
            )));
        }
    };
    Ok(Grant {
        network,
        name,
        group_id,
        keyvalues,
        max_file_size,
        allow_mime_types,
    })
}

/// The query parameters of a signed URL, by name; `None` when one of `names` is missing or sent
/// twice (which of two would count is ambiguous: refused).
fn params<'n>(query: &str, names: &[&'n str]) -> Option<HashMap<&'n str, String>> {
    let mut found = HashMap::new();
    for (key, value) in Query::parse(query) {
        if let Some(name) = names.iter().find(|n| **n == key)
            && found.insert(*name, value).is_some()
        {
            return None;
        }
    }
    (found.len() == names.len()).then_some(found)
}

/// Checks an upload to the signed URL `/v3/files/{id}?{query}` and takes its one use.
pub(crate) fn begin<'s>(
    state: &'s State,
    id: &str,
    query: &str,
    now: SystemTime,
) -> Result<GrantUse<'s>, Reply> {
    const NAMES: [&str; 7] = [
        "X-Algorithm",
        "X-Date",
        "X-Expires",
        "X-Method",
        "X-Upload-Option-Network",
        "X-User-ID",
        "X-Signature",
    ];
    let p = params(query, &NAMES).ok_or_else(invalid)?;
    let (Ok(date), Ok(expires)) = (p["X-Date"].parse::<u64>(), p["X-Expires"].parse::<u64>())
    else {
        return Err(invalid());
    };
    if p["X-Algorithm"] != "PINATA2" || p["X-Method"] != UPLOAD_METHODS {
        return Err(invalid());
    }
    let verify = |grant: &Grant| {
        let text = upload_text(
            id,
            date,
            expires,
            &p["X-Upload-Option-Network"],
            &p["X-User-ID"],
            grant,
        );
        if !signed(state, &text, &p["X-Signature"]) {
            return Err(invalid());
        }
        in_window(date, expires, now)
    };
    state.grants.claim(id, verify).map_err(|e| match e {
        ClaimError::Unknown => invalid(),
        ClaimError::Refused(refusal) => refusal,
        ClaimError::InFlight => reply::coded(
            StatusCode::CONFLICT,
            "an upload to this signed URL is in progress",
        ),
        ClaimError::Used => reply::coded(
            StatusCode::CONFLICT,
            "this signed URL has already been used",
        ),
    })
}

/// The CID and path (decoded, without outer slashes) after the first `/files/` of `url`'s path.
pub(crate) fn link_target(url: &str) -> Option<(String, String)> {
    let base = url.split(['?', '#']).next().unwrap_or("");
    let after_scheme = base.split_once("://").map_or(base, |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("", |at| &after_scheme[at..]);
    let mut segments = path.split('/').skip_while(|s| *s != "files");
    segments.next()?;
    let cid = segments
        .next()
        .filter(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_alphanumeric()))?;
    let rest: Vec<&str> = segments.collect();
    let path = percent_decode_path(&rest.join("/"));
    Some((cid.to_owned(), path.trim_matches('/').to_owned()))
}

/// `POST /v3/files/private/download_link` (also `/v3/files/download_link`, and `/v3/files/sign`
/// with a `url`) `{url, date, expires, method}` → `{"data":"<url>?X-Algorithm=PINATA1&…"}`.
pub(crate) fn download_link(state: &State, json: &Value, now: SystemTime) -> Reply {
    match super::typed::<SignBody>(json) {
        Ok(body) => link(state, &body, now),
        Err(r) => r,
    }
}

/// A download link for a typed signing body.
fn link(state: &State, body: &SignBody, now: SystemTime) -> Reply {
    let target = match body.url.as_deref() {
        Some(url) if url.len() <= MAX_URL => link_target(url).map(|t| (url, t)),
        _ => None,
    };
    let Some((url, (cid, path))) = target else {
        return bad(&format!(
            "url must be <gateway>/files/<cid>[/path] (at most {MAX_URL} bytes)"
        ));
    };
    let (date, expires) = match validity(body, now) {
        Ok(v) => v,
        Err(r) => return r,
    };
    match body.method.as_deref() {
        None => {}
        Some(m) if m.eq_ignore_ascii_case("GET") => {}
        Some(_) => return bad("method must be GET"),
    }
    let sig = signature(state, &link_text(&cid, &path, date, expires));
    let mut q = Query::new();
    q.push("X-Algorithm", "PINATA1")
        .push("X-Date", date)
        .push("X-Expires", expires)
        .push("X-Method", "GET")
        .push("X-Signature", sig);
    let query = q.append_to("");
    let link = match url.contains('?') {
        true => format!("{url}&{}", &query[1..]),
        false => format!("{url}{query}"),
    };
    data(link)
}

/// Checks the download-link signature in `query` for `cid` and `path` (decoded, without outer
/// slashes): `Err` with the 401 to answer.
pub(crate) fn check_link(
    state: &State,
    cid: &str,
    path: &str,
    query: &str,
    now: SystemTime,
) -> Result<(), Reply> {
    const NAMES: [&str; 5] = [
        "X-Algorithm",
        "X-Date",
        "X-Expires",
        "X-Method",
        "X-Signature",
    ];
    let p = params(query, &NAMES).ok_or_else(invalid)?;
    let (Ok(date), Ok(expires)) = (p["X-Date"].parse::<u64>(), p["X-Expires"].parse::<u64>())
    else {
        return Err(invalid());
    };
    if p["X-Algorithm"] != "PINATA1" || p["X-Method"] != "GET" {
        return Err(invalid());
    }
    if !signed(
        state,
        &link_text(cid, path, date, expires),
        &p["X-Signature"],
    ) {
        return Err(invalid());
    }
    in_window(date, expires, now)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_valid_from_its_date_until_its_expiry_and_no_longer() {
        let at = |secs: u64| SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(secs);
        let date = 1_000_000;
        let week = MAX_VALIDITY;
        assert!(in_window(date, week, at(date)).is_ok());
        assert!(in_window(date, week, at(date + week)).is_ok());
        assert!(in_window(date, week, at(date + week + 1)).is_err());
        // A date ahead of the clock by more than the skew is not valid yet.
        assert!(in_window(date, week, at(date - MAX_CLOCK_SKEW)).is_ok());
        assert!(in_window(date, week, at(date - MAX_CLOCK_SKEW - 1)).is_err());
    }

    #[test]
    fn link_targets() {
        let t = |u: &str| link_target(u);
        assert_eq!(
            t("http://127.0.0.1:1/files/bafy1"),
            Some(("bafy1".into(), String::new()))
        );
        assert_eq!(
            t("https://gw.example/prefix/files/bafy1/a%20b/c.txt?img-width=10"),
            Some(("bafy1".into(), "a b/c.txt".into()))
        );
        assert_eq!(
            t("https://gw/files/Qm1/"),
            Some(("Qm1".into(), String::new()))
        );
        assert_eq!(t("https://gw/ipfs/bafy1"), None);
        assert_eq!(t("https://gw/files/"), None);
        assert_eq!(t("https://gw/files/a%2Fb"), None);
        assert_eq!(t("files/bafy"), None, "a path, not a URL");
    }

    #[test]
    fn repeated_or_missing_parameters_are_refused() {
        let names = ["A", "B"];
        assert!(params("A=1&B=2&C=3", &names).is_some());
        assert!(params("A=1", &names).is_none());
        assert!(params("A=1&B=2&A=1", &names).is_none());
    }
}

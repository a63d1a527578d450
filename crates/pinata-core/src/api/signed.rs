//! URLs the API signs (`pinata-v3-api.md` §1.4, §1.5): upload URLs that let a client without
//! credentials upload one file (`POST {uploads}/v3/files/sign`, needs `org:files:write`), and
//! download links to private files (`POST /v3/files/private/download_link`, needs
//! `org:files:read`). Both answer `{"data":"<url>"}`.
//!
//! A signed URL is a bearer credential for what it grants, so [`SignedUrl`] does not show its
//! query (where the signature is) in `Debug`.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use serde::{Deserialize, Serialize};

use super::v3::{Network, decode_data};
use crate::config::{BaseUrl, Origin};
use crate::endpoint::{Body, Endpoint};
use crate::error::{BuildError, DecodeError};
use crate::query::encode_segment;

/// The longest validity this library asks for (the API's limit is not documented; a week is far
/// beyond any upload or download link a caller needs).
pub const MAX_SIGNED_VALIDITY: Duration = Duration::from_secs(7 * 24 * 3600);

/// The most MIME patterns one signed URL allows.
pub const MAX_MIME_PATTERNS: usize = 32;
/// The longest MIME pattern.
pub const MAX_MIME_PATTERN_LEN: usize = 255;

/// Whether `pattern` is something a signed URL can allow: `type/subtype`, `type/*`, `*`, `*/*` or
/// `directory` (visible ASCII, at most [`MAX_MIME_PATTERN_LEN`] bytes).
pub fn is_mime_pattern(pattern: &str) -> bool {
    if pattern.len() > MAX_MIME_PATTERN_LEN || !pattern.bytes().all(|b| b.is_ascii_graphic()) {
        return false;
    }
    pattern == "directory"
        || pattern == "*"
        || pattern
            .split_once('/')
            .is_some_and(|(t, s)| !t.is_empty() && !s.is_empty() && !s.contains('/'))
}

/// Whether the allowed `pattern` covers a file of `mime_type` (`directory` for a folder), as
/// Pinata matches them: exact (ignoring case and parameters), `type/*` for any subtype, `*` and
/// `*/*` for any file type but never a folder, and `directory` only for folders.
pub fn mime_pattern_allows(pattern: &str, mime_type: &str) -> bool {
    let mime = mime_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let pattern = pattern.trim().to_ascii_lowercase();
    if mime == "directory" || pattern == "directory" {
        return mime == pattern;
    }
    if pattern == "*" || pattern == "*/*" {
        return true;
    }
    match pattern.strip_suffix("/*") {
        Some(kind) => mime.split_once('/').is_some_and(|(t, _)| t == kind),
        None => mime == pattern,
    }
}

/// A URL the API signed. `Debug` shows the origin and path only: the query holds the signature.
/// `Serialize` writes the whole URL (a string, as it is read), signature included, to keep it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SignedUrl(String);

impl SignedUrl {
    /// A signed URL received some other way (from a server of your own, say).
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into())
    }

    /// The whole URL, signature included: give it only to whoever the grant is for.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SignedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = self.0.split('?').next().unwrap_or("");
        write!(f, "SignedUrl({}?…)", shown.escape_debug())
    }
}

fn unix(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn check_validity(expires: Duration) -> Result<u64, BuildError> {
    if expires.is_zero() || expires > MAX_SIGNED_VALIDITY {
        return Err(BuildError::InvalidInput(format!(
            "a signed URL is valid for 1 s to {} s, not {} s",
            MAX_SIGNED_VALIDITY.as_secs(),
            expires.as_secs()
        )));
    }
    Ok(expires.as_secs().max(1))
}

/// Signs an upload URL: one upload, within `expires`, bound to the fields given here (name, group,
/// key-values, network; "fields added later will not go through"). Needs `org:files:write`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateSignedUploadUrl {
    network: Network,
    date: u64,
    expires: u64,
    max_file_size: Option<u64>,
    allow_mime_types: Vec<String>,
    filename: Option<String>,
    group_id: Option<String>,
    keyvalues: std::collections::BTreeMap<String, String>,
    streamable: bool,
}

#[derive(Serialize)]
struct SignFields<'a> {
    date: u64,
    expires: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    filename: Option<&'a str>,
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    keyvalues: &'a std::collections::BTreeMap<String, String>,
    network: Network,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_file_size: Option<u64>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    allow_mime_types: &'a [String],
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    streamable: bool,
}

impl CreateSignedUploadUrl {
    /// An upload URL for `network`, valid for `expires` from now (1 s to
    /// [`MAX_SIGNED_VALIDITY`]). The signing date is read from the clock here; set another with
    /// [`CreateSignedUploadUrl::date`].
    pub fn new(network: Network, expires: Duration) -> Result<Self, BuildError> {
        Ok(Self {
            network,
            date: unix(SystemTime::now()),
            expires: check_validity(expires)?,
            max_file_size: None,
            allow_mime_types: Vec::new(),
            filename: None,
            group_id: None,
            keyvalues: Default::default(),
            streamable: false,
        })
    }

    /// The moment the validity counts from.
    pub fn date(mut self, date: SystemTime) -> Self {
        self.date = unix(date);
        self
    }

    /// The largest file the URL accepts, in bytes (at least 1).
    pub fn max_file_size(mut self, bytes: u64) -> Result<Self, BuildError> {
        if bytes == 0 {
            return Err(BuildError::InvalidInput(
                "a signed URL that accepts files of at most 0 bytes accepts nothing".into(),
            ));
        }
        self.max_file_size = Some(bytes);
        Ok(self)
    }

    /// Accepts only files of `mime_type`: `type/subtype`, a wildcard `type/*`, `*`, or
    /// `directory` for folders (`*` and `*/*` do not cover folders). Call once per type, at most
    /// [`MAX_MIME_PATTERNS`] times.
    pub fn allow_mime_type(mut self, mime_type: impl Into<String>) -> Result<Self, BuildError> {
        let mime_type = mime_type.into();
        if !is_mime_pattern(&mime_type) {
            return Err(BuildError::InvalidInput(format!(
                "{} is not a MIME type, a wildcard such as image/*, or directory",
                mime_type.escape_debug()
            )));
        }
        if self.allow_mime_types.len() >= MAX_MIME_PATTERNS {
            return Err(BuildError::InvalidInput(format!(
                "a signed URL allows at most {MAX_MIME_PATTERNS} MIME types"
            )));
        }
        self.allow_mime_types.push(mime_type);
        Ok(self)
    }

    /// The name the uploaded file gets (not empty).
    pub fn filename(mut self, name: impl Into<String>) -> Result<Self, BuildError> {
        let name = name.into();
        if name.trim().is_empty() {
            return Err(BuildError::InvalidInput("a file name is empty".into()));
        }
        self.filename = Some(name);
        Ok(self)
    }

    /// Marks the uploaded file for streaming playback.
    pub fn streamable(mut self) -> Self {
        self.streamable = true;
        self
    }

    /// The group the uploaded file joins.
    pub fn group(mut self, group_id: impl Into<String>) -> Self {
        self.group_id = Some(group_id.into());
        self
    }

    /// A key-value the uploaded file carries.
    pub fn keyvalue(
        mut self,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<Self, BuildError> {
        self.keyvalues.insert(key.into(), value.into());
        super::validate::check_keyvalues(&self.keyvalues)?;
        Ok(self)
    }
}

impl Endpoint for CreateSignedUploadUrl {
    type Output = SignedUrl;

    fn method(&self) -> Method {
        Method::POST
    }

    fn origin(&self) -> Origin {
        Origin::Uploads
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        Ok("/v3/files/sign".to_owned())
    }

    fn body(&self) -> Result<Body, BuildError> {
        Body::json(&SignFields {
            date: self.date,
            expires: self.expires,
            group_id: self.group_id.as_deref(),
            filename: self.filename.as_deref(),
            keyvalues: &self.keyvalues,
            network: self.network,
            max_file_size: self.max_file_size,
            allow_mime_types: &self.allow_mime_types,
            streamable: self.streamable,
        })
    }

    fn parse(
        &self,
        status: StatusCode,
        _: &HeaderMap,
        body: &Bytes,
    ) -> Result<SignedUrl, DecodeError> {
        decode_data(status, body)
    }

    /// Signing has no effect of its own, so a lost answer may be asked for again (the official
    /// SDK retries it too).
    fn repeatable(&self) -> crate::retry::Repeatable {
        crate::retry::Repeatable::Safe
    }
}

/// Which path signs a download link: the SDK's, the guides', or the older one the SDK's
/// `gateways.private.get` still uses. The emulator serves all three.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum DownloadLinkPath {
    /// `POST /v3/files/private/download_link` (the official SDK's `createAccessLink`).
    #[default]
    PrivateDownloadLink,
    /// `POST /v3/files/download_link` (Pinata's guides).
    DownloadLink,
    /// `POST /v3/files/sign` on the API host (the SDK's `gateways.private.get`).
    Sign,
}

/// Signs a link to a private file on the account's gateway, valid for `expires`. Needs
/// `org:files:read`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateDownloadLink {
    url: String,
    date: u64,
    expires: u64,
    path: DownloadLinkPath,
}

impl CreateDownloadLink {
    /// A link to `cid` (and `path` inside it, if not empty) on `gateway`, valid for `expires` from
    /// now (1 s to [`MAX_SIGNED_VALIDITY`]).
    pub fn new(
        gateway: &BaseUrl,
        cid: &str,
        path: &str,
        expires: Duration,
    ) -> Result<Self, BuildError> {
        Ok(Self {
            url: gateway_url(gateway, "files", cid, path)?,
            date: unix(SystemTime::now()),
            expires: check_validity(expires)?,
            path: DownloadLinkPath::default(),
        })
    }

    /// The moment the validity counts from.
    pub fn date(mut self, date: SystemTime) -> Self {
        self.date = unix(date);
        self
    }

    /// An image option the link is signed with (`width`, `height`, `format`, … of
    /// [`IMAGE_OPTIONS`]; Pinata's image optimisation needs them inside the signed URL).
    pub fn image_option(mut self, name: &str, value: impl ToString) -> Result<Self, BuildError> {
        let name = image_option_name(name)?;
        let mut q = crate::query::Query::new();
        q.push(name, value.to_string());
        let rendered = q.append_to("");
        let sep = if self.url.contains('?') { "&" } else { "" };
        let rendered = if sep.is_empty() {
            rendered
        } else {
            rendered.replacen('?', "&", 1)
        };
        self.url.push_str(&rendered);
        Ok(self)
    }

    /// Signs through another of the API's paths.
    pub fn via(mut self, path: DownloadLinkPath) -> Self {
        self.path = path;
        self
    }
}

/// The gateway's image options (`img-width`, …), by the name after `img-`.
pub const IMAGE_OPTIONS: [&str; 11] = [
    "width", "height", "dpr", "fit", "gravity", "quality", "format", "anim", "sharpen", "onerror",
    "metadata",
];

/// Checks an image option and returns its query name (`img-<name>`).
pub(crate) fn image_option_name(name: &str) -> Result<String, BuildError> {
    let bare = name.strip_prefix("img-").unwrap_or(name);
    if IMAGE_OPTIONS.contains(&bare) {
        Ok(format!("img-{bare}"))
    } else {
        Err(BuildError::InvalidInput(format!(
            "{} is not one of the gateway's image options ({})",
            name.escape_debug(),
            IMAGE_OPTIONS.join(", ")
        )))
    }
}

/// `{gateway}/{kind}/{cid}[/{path}]`, each path segment percent-encoded.
pub(crate) fn gateway_url(
    gateway: &BaseUrl,
    kind: &str,
    cid: &str,
    path: &str,
) -> Result<String, BuildError> {
    Ok(format!("{gateway}{}", gateway_path(kind, cid, path)?))
}

/// `/{kind}/{cid}[/{path}]`, each path segment percent-encoded; an empty CID, or a path with an
/// empty, `.` or `..` segment, is refused.
pub(crate) fn gateway_path(kind: &str, cid: &str, path: &str) -> Result<String, BuildError> {
    if cid.is_empty() || cid.contains('/') {
        return Err(BuildError::InvalidInput(format!(
            "{} is not a CID",
            cid.escape_debug()
        )));
    }
    let mut out = format!("/{kind}/{}", encode_segment(cid));
    let path = path.trim_matches('/');
    if !path.is_empty() {
        for segment in path.split('/') {
            if segment.is_empty() || segment == "." || segment == ".." {
                return Err(BuildError::InvalidInput(format!(
                    "{} is not a path inside a folder",
                    path.escape_debug()
                )));
            }
            out.push('/');
            out.push_str(&encode_segment(segment));
        }
    }
    Ok(out)
}

impl Endpoint for CreateDownloadLink {
    type Output = SignedUrl;

    fn method(&self) -> Method {
        Method::POST
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        Ok(match self.path {
            DownloadLinkPath::PrivateDownloadLink => "/v3/files/private/download_link",
            DownloadLinkPath::DownloadLink => "/v3/files/download_link",
            DownloadLinkPath::Sign => "/v3/files/sign",
        }
        .to_owned())
    }

    fn body(&self) -> Result<Body, BuildError> {
        #[derive(Serialize)]
        struct LinkFields<'a> {
            url: &'a str,
            date: u64,
            expires: u64,
            method: &'static str,
        }
        Body::json(&LinkFields {
            url: &self.url,
            date: self.date,
            expires: self.expires,
            method: "GET",
        })
    }

    fn parse(
        &self,
        status: StatusCode,
        _: &HeaderMap,
        body: &Bytes,
    ) -> Result<SignedUrl, DecodeError> {
        decode_data(status, body)
    }

    /// Signing has no effect of its own.
    fn repeatable(&self) -> crate::retry::Repeatable {
        crate::retry::Repeatable::Safe
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_requests_are_as_the_sdk_sends_them() {
        let at = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let sign = CreateSignedUploadUrl::new(Network::Private, Duration::from_secs(60))
            .unwrap()
            .date(at)
            .max_file_size(10)
            .unwrap()
            .allow_mime_type("image/*")
            .unwrap()
            .allow_mime_type("directory")
            .unwrap()
            .filename("a.png")
            .unwrap();
        assert_eq!(sign.origin(), Origin::Uploads);
        assert_eq!(
            sign.body().unwrap(),
            Body::Json(Bytes::from(
                r#"{"date":1700000000,"expires":60,"filename":"a.png","network":"private","max_file_size":10,"allow_mime_types":["image/*","directory"]}"#
            ))
        );
        for bad in ["image", "/x", "a/b/c", "a b/c", ""] {
            assert!(
                CreateSignedUploadUrl::new(Network::Public, Duration::from_secs(1))
                    .unwrap()
                    .allow_mime_type(bad)
                    .is_err(),
                "{bad}"
            );
        }
        assert!(CreateSignedUploadUrl::new(Network::Public, Duration::ZERO).is_err());
        let base = CreateSignedUploadUrl::new(Network::Public, Duration::from_secs(1)).unwrap();
        assert!(base.clone().filename(" ").is_err());
        assert!(base.clone().max_file_size(0).is_err());
        assert!(
            base.clone()
                .allow_mime_type("a/".to_owned() + &"b".repeat(300))
                .is_err()
        );
        let mut many = base;
        for _ in 0..MAX_MIME_PATTERNS {
            many = many.allow_mime_type("text/plain").unwrap();
        }
        assert!(many.allow_mime_type("text/plain").is_err());
        for (pattern, mime, allowed) in [
            ("image/*", "image/png", true),
            ("image/*", "text/plain", false),
            ("*", "text/plain", true),
            ("*/*", "directory", false),
            ("directory", "directory", true),
            ("directory", "text/plain", false),
            ("Text/Plain", "text/plain; charset=utf-8", true),
        ] {
            assert_eq!(
                mime_pattern_allows(pattern, mime),
                allowed,
                "{pattern} {mime}"
            );
        }
        assert!(CreateSignedUploadUrl::new(Network::Public, MAX_SIGNED_VALIDITY * 2).is_err());
    }

    #[test]
    fn download_links_name_the_gateway_file() {
        let gw = BaseUrl::parse("https://x.mypinata.cloud").unwrap();
        let link = CreateDownloadLink::new(&gw, "bafy", "a b/c.txt", Duration::from_secs(30))
            .unwrap()
            .date(UNIX_EPOCH + Duration::from_secs(5));
        assert_eq!(
            link.path_and_query().unwrap(),
            "/v3/files/private/download_link"
        );
        assert_eq!(
            link.body().unwrap(),
            Body::Json(Bytes::from(
                r#"{"url":"https://x.mypinata.cloud/files/bafy/a%20b/c.txt","date":5,"expires":30,"method":"GET"}"#
            ))
        );
        assert_eq!(
            link.clone()
                .via(DownloadLinkPath::Sign)
                .path_and_query()
                .unwrap(),
            "/v3/files/sign"
        );
        let sized = link
            .image_option("width", 100)
            .unwrap()
            .image_option("img-format", "webp")
            .unwrap();
        assert!(
            sized
                .url
                .ends_with("/files/bafy/a%20b/c.txt?img-width=100&img-format=webp")
        );
        assert!(sized.image_option("colour", 1).is_err());
        assert!(CreateDownloadLink::new(&gw, "", "", Duration::from_secs(1)).is_err());
        assert!(CreateDownloadLink::new(&gw, "c", "../etc", Duration::from_secs(1)).is_err());
        let url = SignedUrl::new("https://x/files/c?X-Signature=secret");
        assert!(!format!("{url:?}").contains("secret"));
    }
}

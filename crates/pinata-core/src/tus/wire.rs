//! TUS requests on the wire: what each of the session's requests sends (method, target,
//! `Tus-Resumable`, `Upload-Length`, `Upload-Metadata`, `Upload-Offset`, the chunk's body) and
//! how its answer reads ([`TusAnswer`]). The session decides which request comes next; this
//! module only builds and parses them.

use base64::Engine as _;
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};

use super::token::TusFields;
use crate::api::signed::SignedUrl;
use crate::api::uploads::mime_type_of;
use crate::config::{BaseUrl, Origin};
use crate::endpoint::{Body, Endpoint};
use crate::error::{BuildError, DecodeError};
use crate::retry::Repeatable;
use crate::upload::MultipartUpload;

// The fields' wire form lives with the other headers.
impl TusFields {
    /// `Upload-Metadata`: `key base64(value)` pairs in the SDK's order; values are the UTF-8
    /// bytes, so any file name travels (the SDK's `btoa` fails on non-Latin-1 names).
    pub(super) fn metadata(&self) -> Result<HeaderValue, BuildError> {
        let b64 = |v: &str| base64::engine::general_purpose::STANDARD.encode(v.as_bytes());
        let mut pairs = vec![
            format!("filename {}", b64(&self.filename)),
            format!("filetype {}", b64(mime_type_of(&self.filename))),
            format!("network {}", b64(&self.network)),
        ];
        if let Some(name) = &self.name {
            pairs.push(format!("name {}", b64(name)));
        }
        if let Some(group) = &self.group_id {
            pairs.push(format!("group_id {}", b64(group)));
        }
        if !self.keyvalues.is_empty() {
            let json = serde_json::to_string(&self.keyvalues).map_err(BuildError::Serialize)?;
            pairs.push(format!("keyvalues {}", b64(&json)));
        }
        if self.streamable {
            pairs.push(format!("streamable {}", b64("true")));
        }
        if let Some(v) = &self.cid_version {
            pairs.push(format!("cid_version {}", b64(v)));
        }
        if let Some(at) = self.expires_at {
            pairs.push(format!("expires_at {}", b64(&at.to_string())));
        }
        HeaderValue::from_str(&pairs.join(","))
            .map_err(|_| BuildError::InvalidInput("the upload's metadata is not a header".into()))
    }
}

/// The origin (`scheme://authority`) of a base URL, or empty.
fn origin_of(base: &str) -> String {
    BaseUrl::parse(base).map(|b| b.origin()).unwrap_or_default()
}

/// Where a TUS request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// A path on the configured uploads origin (credentials sent).
    Uploads(String),
    /// Any other URL: a signed URL, or an upload URL elsewhere (no credential).
    Absolute(String),
}

/// What a TUS request does.
#[derive(Debug)]
pub(super) enum TusKind {
    Create {
        length: u64,
        metadata: HeaderValue,
        /// The origin a relative `Location` is resolved against.
        base: String,
    },
    Patch {
        offset: u64,
        len: u64,
        body: MultipartUpload,
    },
    Head,
    Delete,
}

/// One TUS request: an [`Endpoint`] whose answer is a [`TusAnswer`].
#[derive(Debug)]
pub struct TusRequest {
    target: Target,
    pub(super) kind: TusKind,
}

impl TusRequest {
    /// The creation of an upload of `length` bytes with `fields`: `POST` to the signed URL when
    /// there is one, else to `{uploads_base}/v3/files`; the CID version, when the fields name one,
    /// as the `X-Upload-Option-Cid-Version` query option.
    pub(super) fn create(
        signed: Option<&SignedUrl>,
        uploads_base: &str,
        fields: &TusFields,
        length: u64,
    ) -> Result<Self, BuildError> {
        let query = match &fields.cid_version {
            Some(v) => format!("X-Upload-Option-Cid-Version={v}"),
            None => String::new(),
        };
        let target = match signed {
            Some(url) => {
                let sep = if url.as_str().contains('?') { '&' } else { '?' };
                Target::Absolute(if query.is_empty() {
                    url.as_str().to_owned()
                } else {
                    format!("{}{sep}{query}", url.as_str())
                })
            }
            None if query.is_empty() => Target::Uploads("/v3/files".to_owned()),
            None => Target::Uploads(format!("/v3/files?{query}")),
        };
        Ok(TusRequest {
            target,
            kind: TusKind::Create {
                length,
                metadata: fields.metadata()?,
                base: match signed {
                    Some(url) => BaseUrl::split_absolute(url.as_str())
                        .map(|(b, _)| b.origin())
                        .unwrap_or_default(),
                    None => origin_of(uploads_base),
                },
            },
        })
    }

    /// A `kind` request to the upload URL `url`. Credentials go only to the configured uploads
    /// origin (`uploads_base`); any other URL is a capability and is sent bare.
    pub(super) fn at(url: &str, uploads_base: &str, kind: TusKind) -> Self {
        let target = match url.strip_prefix(uploads_base) {
            Some(rest) if rest.starts_with('/') => Target::Uploads(rest.to_owned()),
            _ => Target::Absolute(url.to_owned()),
        };
        TusRequest { target, kind }
    }
}

/// What a TUS request answered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TusAnswer {
    /// The upload was created at this absolute URL.
    Created {
        /// The upload URL.
        location: String,
    },
    /// The server holds this many bytes (and, when complete, says the CID).
    Offset {
        /// `Upload-Offset`.
        offset: u64,
        /// `Upload-Cid`, when the upload is complete.
        cid: Option<String>,
    },
    /// The upload was ended.
    Terminated,
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

impl Endpoint for TusRequest {
    type Output = TusAnswer;

    fn method(&self) -> Method {
        match self.kind {
            TusKind::Create { .. } => Method::POST,
            TusKind::Patch { .. } => Method::PATCH,
            TusKind::Head => Method::HEAD,
            TusKind::Delete => Method::DELETE,
        }
    }

    fn origin(&self) -> Origin {
        match self.target {
            Target::Uploads(_) => Origin::Uploads,
            Target::Absolute(_) => Origin::Signed,
        }
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        Ok(match &self.target {
            Target::Uploads(p) | Target::Absolute(p) => p.clone(),
        })
    }

    fn headers(&self) -> Result<HeaderMap, BuildError> {
        let mut h = HeaderMap::new();
        h.insert(
            HeaderName::from_static("tus-resumable"),
            HeaderValue::from_static("1.0.0"),
        );
        match &self.kind {
            TusKind::Create {
                length, metadata, ..
            } => {
                h.insert(HeaderName::from_static("upload-length"), (*length).into());
                h.insert(HeaderName::from_static("upload-metadata"), metadata.clone());
            }
            TusKind::Patch { offset, .. } => {
                h.insert(HeaderName::from_static("upload-offset"), (*offset).into());
            }
            TusKind::Head | TusKind::Delete => {}
        }
        Ok(h)
    }

    fn body(&self) -> Result<Body, BuildError> {
        match &self.kind {
            TusKind::Patch { body, .. } => Ok(Body::Multipart(body.clone())),
            _ => Ok(Body::Empty),
        }
    }

    fn parse(
        &self,
        status: StatusCode,
        headers: &HeaderMap,
        _: &Bytes,
    ) -> Result<TusAnswer, DecodeError> {
        match &self.kind {
            TusKind::Create { base, .. } => {
                let location = header(headers, "location").ok_or_else(|| {
                    DecodeError::new(status, "", "the upload was created without a Location", &[])
                })?;
                let location = if location.starts_with('/') {
                    // The SDK needs an absolute Location; a relative one is resolved here.
                    format!("{base}{location}")
                } else {
                    location.to_owned()
                };
                Ok(TusAnswer::Created { location })
            }
            TusKind::Patch { offset, len, .. } => {
                // The SDK ignores the answer's offset; a server that omits it has taken the chunk.
                let offset = match header(headers, "upload-offset") {
                    Some(v) => v.parse::<u64>().map_err(|_| {
                        DecodeError::new(status, "", "Upload-Offset is not a number", &[])
                    })?,
                    None => offset + len,
                };
                Ok(TusAnswer::Offset {
                    offset,
                    cid: header(headers, "upload-cid").map(str::to_owned),
                })
            }
            TusKind::Head => {
                let offset = header(headers, "upload-offset")
                    .and_then(|v| v.parse::<u64>().ok())
                    .ok_or_else(|| {
                        DecodeError::new(status, "", "HEAD answered without Upload-Offset", &[])
                    })?;
                Ok(TusAnswer::Offset {
                    offset,
                    cid: header(headers, "upload-cid").map(str::to_owned),
                })
            }
            TusKind::Delete => Ok(TusAnswer::Terminated),
        }
    }

    /// The session decides what is sent again; the client never repeats a TUS request itself.
    fn repeatable(&self) -> Repeatable {
        Repeatable::Unsafe
    }
}

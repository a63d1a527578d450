//! Resumable uploads over TUS 1.0, as Pinata serves them (`pinata-v3-api.md` §1.3, §6): create
//! (`POST {uploads}/v3/files` with `Upload-Length` and `Upload-Metadata`, or the same to a signed
//! URL), then `PATCH` chunks streamed from disk, each with an exact `Content-Length`, until the
//! server holds every byte (its `Upload-Offset` equals `Upload-Length`: complete, as TUS says);
//! Pinata's final answer also carries `Upload-Cid`. Then the file's record is found: under the id
//! Pinata's upload URLs carry (`…/v3/files/{file_id}/{token}`), checked to hold the upload's CID,
//! else as the newest file with that CID (`GET /v3/files/{network}?cid=…`, as the SDK finds it),
//! so a server whose upload URLs have another shape (a stock TUS server) works too.
//!
//! Better than the official SDK on every point it is weak on:
//! - after a failure (a transport error, 409, 5xx) the session asks the server where it stands
//!   (`HEAD`) and continues from there, with the client's retry policy as the budget, instead of
//!   re-sending the same chunk blindly;
//! - the CID of the whole file is computed on the same pass as the chunks are sent, bytes re-sent
//!   after a failure are not hashed twice, and the server's `Upload-Cid` is checked against it;
//!   when the server names no CID (a final answer lost, then a `HEAD` that says only the offset, or
//!   a server without Pinata's header) the client's own CID is used;
//! - every session has a serialisable [`ResumeToken`] (upload URL, file fingerprint, fields) the
//!   caller may persist; `resume_upload(token)` in a new process refuses a file that changed,
//!   re-reads (never re-sends) the part the server holds to hash it, and continues;
//! - a [`CancelToken`] stops it at the next step, keeping the upload for a later resume or ending
//!   it (`DELETE`), as the caller chooses.
//!
//! The session is a pure state machine ([`TusSession::next_request`] / [`TusSession::on_answer`]);
//! the clients drive it (`upload_resumable`, and `upload_file` above the configured threshold), and
//! the transports read the file.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use serde::{Deserialize, Serialize};

use crate::api::Network;
use crate::api::signed::SignedUrl;
use crate::api::uploads::{UploadedFile, mime_type_of};
use crate::cid::{Cid, CidVersion, FileImporter, ImportOptions};
use crate::config::{BaseUrl, Config, Origin};
use crate::endpoint::{Body, Endpoint};
use crate::error::{BuildError, DecodeError, Error, VerifyError};
use crate::local::LocalError;
use crate::multipart::{MultipartPlan, Segment};
use crate::retry::{Decision, Repeatable};
use crate::upload::{CancelToken, MultipartUpload, ProgressFn, UploadProgress};

/// A callback given each new resume token (to persist it).
pub type TokenFn = Arc<dyn Fn(&ResumeToken) + Send + Sync>;

pub use crate::local::FileFingerprint;

pub use crate::config::limits::{
    DEFAULT_TUS_CHUNK, DEFAULT_TUS_THRESHOLD, MAX_TUS_CHUNK, MIN_TUS_CHUNK,
};

/// The fields of a TUS upload, sent in `Upload-Metadata` (what a multipart upload sends as form
/// fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct TusFields {
    pub(crate) filename: String,
    pub(crate) network: String,
    pub(crate) name: Option<String>,
    pub(crate) group_id: Option<String>,
    pub(crate) keyvalues: BTreeMap<String, String>,
    pub(crate) cid_version: Option<String>,
    pub(crate) expires_at: Option<u64>,
    pub(crate) streamable: bool,
}

impl TusFields {
    fn version(&self) -> CidVersion {
        if self.cid_version.as_deref() == Some("v0") {
            CidVersion::V0
        } else {
            CidVersion::V1
        }
    }

    fn network(&self) -> Network {
        Network::parse(&self.network).unwrap_or(Network::Private)
    }

    /// `Upload-Metadata`: `key base64(value)` pairs in the SDK's order; values are the UTF-8
    /// bytes, so any file name travels (the SDK's `btoa` fails on non-Latin-1 names).
    fn metadata(&self) -> Result<HeaderValue, BuildError> {
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

/// A resume: the [`ResumeToken`] of the upload to continue, with the same hooks an upload takes
/// (progress over the whole file, a cancel token, and whether a cancellation ends the upload on
/// the server). `resume_upload` takes this or a bare token (`&ResumeToken` converts).
#[derive(Clone)]
pub struct ResumeUpload {
    token: ResumeToken,
    progress: Option<ProgressFn>,
    cancel: Option<CancelToken>,
    terminate_on_cancel: bool,
}

impl fmt::Debug for ResumeUpload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResumeUpload")
            .field("token", &self.token)
            .field("progress", &self.progress.is_some())
            .field("cancel", &self.cancel)
            .field("terminate_on_cancel", &self.terminate_on_cancel)
            .finish()
    }
}

impl ResumeUpload {
    /// A resume of `token`'s upload, with no hooks.
    pub fn new(token: ResumeToken) -> Self {
        Self {
            token,
            progress: None,
            cancel: None,
            terminate_on_cancel: false,
        }
    }

    /// Reports progress over the whole file, as [`UploadFile::on_progress`] does (the part the
    /// server already holds counts as sent once it said so).
    ///
    /// [`UploadFile::on_progress`]: crate::api::uploads::UploadFile::on_progress
    pub fn on_progress(
        mut self,
        progress: impl Fn(UploadProgress) + Send + Sync + 'static,
    ) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// Stops at the next step when `token` is cancelled; the upload stays resumable unless
    /// [`ResumeUpload::terminate_on_cancel`] says otherwise.
    pub fn cancel_with(mut self, token: CancelToken) -> Self {
        self.cancel = Some(token);
        self
    }

    /// Ends the upload on the server when cancelled, instead of keeping it for another resume.
    pub fn terminate_on_cancel(mut self, terminate: bool) -> Self {
        self.terminate_on_cancel = terminate;
        self
    }

    /// The token of the upload this continues.
    pub fn token(&self) -> &ResumeToken {
        &self.token
    }

    /// The session continuing the upload, for the file as it is now (`current`).
    fn session(&self, current: &FileFingerprint, config: &Config) -> Result<TusSession, Error> {
        let mut session = TusSession::resume(&self.token, current, config)?
            .terminate_on_cancel(self.terminate_on_cancel);
        session.progress = self.progress.clone();
        session.cancel = self.cancel.clone();
        Ok(session)
    }
}

impl From<ResumeToken> for ResumeUpload {
    fn from(token: ResumeToken) -> Self {
        Self::new(token)
    }
}

impl From<&ResumeToken> for ResumeUpload {
    fn from(token: &ResumeToken) -> Self {
        Self::new(token.clone())
    }
}

/// What a crashed or cancelled TUS upload needs to continue in another process: persist
/// [`ResumeToken::to_json`], and give [`ResumeToken::from_json`]'s value to `resume_upload`.
///
/// The upload URL is a credential for the upload, so `Debug` does not show it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResumeToken {
    /// The token format (1).
    format: u32,
    upload_url: String,
    fingerprint: FileFingerprint,
    fields: TusFields,
    chunk_size: u64,
    verify: bool,
    signed: bool,
}

impl fmt::Debug for ResumeToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResumeToken")
            .field("fingerprint", &self.fingerprint)
            .field("chunk_size", &self.chunk_size)
            .finish_non_exhaustive()
    }
}

impl ResumeToken {
    /// The token as JSON, to persist.
    pub fn to_json(&self) -> String {
        // Invariant: every field is a string, number, bool, map of strings or path; a path that is
        // not UTF-8 cannot occur (uploads need UTF-8 names), so serialising cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A token read back from [`ResumeToken::to_json`].
    pub fn from_json(json: &str) -> Result<Self, BuildError> {
        let token: Self = serde_json::from_str(json)
            .map_err(|e| BuildError::InvalidInput(format!("not a resume token: {e}")))?;
        if token.format != 1 {
            return Err(BuildError::InvalidInput(format!(
                "a resume token of format {}, not 1",
                token.format
            )));
        }
        Ok(token)
    }

    /// The file the upload reads.
    pub fn fingerprint(&self) -> &FileFingerprint {
        &self.fingerprint
    }
}

/// The server's hashing position and importer: bytes are hashed once, in file order, whatever
/// the chunks re-sent.
struct Hasher {
    hashed: u64,
    importer: Option<FileImporter>,
}

impl Hasher {
    /// `bytes` at file position `position` were read: hash those that extend what was hashed.
    fn feed(&mut self, position: u64, bytes: &[u8]) {
        let end = position + bytes.len() as u64;
        if position > self.hashed || end <= self.hashed {
            return;
        }
        let skip = usize::try_from(self.hashed - position).unwrap_or(bytes.len());
        if let Some(importer) = &mut self.importer {
            importer.update(&bytes[skip..]);
        }
        self.hashed = end;
    }
}

/// Where a TUS upload stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Create,
    Patch,
    /// Ask the server for its offset before going on.
    Head,
    /// The part before `offset` must be read again to hash it (after a resume, or to learn the
    /// CID of an upload the server completed without naming it).
    Rehash,
    /// The upload is complete (its CID known): find its record.
    Lookup(LookupBy),
    Done,
}

/// How a complete upload's record is looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LookupBy {
    /// Under the file id the upload URL carries (Pinata's shape), checked to hold the CID.
    Id,
    /// The newest file with the upload's CID.
    Cid,
}

/// What a session asks its driver to do next.
#[derive(Debug)]
#[non_exhaustive]
pub enum TusStep {
    /// Send this request once (no retries: the session decides) and give the answer to
    /// [`TusSession::on_answer`].
    Send(TusRequest),
    /// Read `len` bytes of the file at `path` from `offset` and give them to
    /// [`TusSession::rehash`] (after a resume, to hash what the server already holds).
    Rehash {
        /// The file.
        path: PathBuf,
        /// The first byte.
        offset: u64,
        /// How many bytes.
        len: u64,
    },
    /// Send this API call (an ordinary one: the client's retry policy applies) and give its
    /// result to [`TusSession::on_lookup`]: the upload is complete, and this looks for its record.
    Lookup(FileLookup),
    /// The upload is complete: its record (the server's, or what is known without one). Its CID
    /// is the server's, checked when CID checking was asked for, or the client's own when the
    /// server named none.
    Finished {
        /// The file.
        file: Box<UploadedFile>,
    },
}

/// What the driver does after an answer.
#[derive(Debug)]
#[non_exhaustive]
pub enum TusNext {
    /// Ask for the next step.
    Continue,
    /// Wait this long, then ask for the next step.
    Wait(Duration),
    /// The upload failed.
    Fail(Error),
}

/// One resumable upload of a file on disk, as a state machine.
pub struct TusSession {
    path: PathBuf,
    len: u64,
    fingerprint: FileFingerprint,
    fields: TusFields,
    chunk_size: u64,
    verify: bool,
    signed: Option<SignedUrl>,
    allow_restart: bool,
    progress: Option<ProgressFn>,
    cancel: Option<CancelToken>,
    on_token: Option<TokenFn>,
    uploads_base: String,
    upload_url: Option<String>,
    offset: u64,
    hasher: Arc<Mutex<Hasher>>,
    phase: Phase,
    /// Failures since the last progress (the retry budget counts these).
    failures: u32,
    /// Bytes of the file handed to the transport more than once (a measure of what a failure
    /// cost), counted by the chunk bodies' tap as they go.
    resent: Arc<std::sync::atomic::AtomicU64>,
    /// The end of the furthest byte of the file ever handed to the transport to send, as the
    /// chunk bodies' tap saw it (not the end of a planned chunk: a chunk cut short sent less).
    furthest: Arc<std::sync::atomic::AtomicU64>,
    /// The upload's CID, once it is complete.
    final_cid: Option<String>,
    /// The file's record, once looked up.
    record: Option<UploadedFile>,
    /// The server said the upload URL's file id is not this upload's file (404, or a record with
    /// another CID).
    id_refuted: bool,
    /// The server holds every byte (offset = length): a cancellation no longer stops the
    /// session, whatever is left to do locally (reading the file for its CID, finding its record).
    server_complete: bool,
    /// The CID the server's last answer named (kept across a re-hash).
    server_cid: Option<String>,
    /// A failure found outside an answer (a re-hash that ended in a mismatch).
    failure: Option<Error>,
    terminate_on_cancel: bool,
}

impl fmt::Debug for TusSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TusSession")
            .field("path", &self.path)
            .field("len", &self.len)
            .field("offset", &self.offset)
            .field("phase", &self.phase)
            .field("failures", &self.failures)
            .finish_non_exhaustive()
    }
}

/// How a TUS session is set up (from an `UploadFile` or a resume token).
pub(crate) struct TusPlan {
    pub(crate) path: PathBuf,
    pub(crate) len: u64,
    pub(crate) fingerprint: FileFingerprint,
    pub(crate) fields: TusFields,
    pub(crate) verify: bool,
    pub(crate) signed: Option<SignedUrl>,
    pub(crate) progress: Option<ProgressFn>,
    pub(crate) cancel: Option<CancelToken>,
    pub(crate) on_token: Option<TokenFn>,
    pub(crate) allow_restart: bool,
    pub(crate) terminate_on_cancel: bool,
}

impl TusPlan {
    /// The file's fingerprint as the transport reads it now, when the upload was described
    /// without one (`UploadFile::path` rather than the adapters' `upload_request`), so that its
    /// resume token can be resumed. Kept only if the length agrees with the plan.
    fn with_fingerprint(&mut self, found: FileFingerprint) {
        if found.len == self.len {
            self.fingerprint = found;
        }
    }
}

/// Whether `e` says the server no longer holds the upload (404 or 410 on its URL: terminated,
/// expired or lost): resuming cannot go on, the file has to be uploaded again (a session does so
/// by itself only with `restart_if_lost`).
pub fn upload_is_gone(e: &Error) -> bool {
    matches!(e.status(), Some(StatusCode::NOT_FOUND | StatusCode::GONE))
}

impl TusSession {
    pub(crate) fn new(plan: TusPlan, config: &Config) -> Result<Self, BuildError> {
        let version = plan.fields.version();
        let importer = if plan.verify {
            Some(
                FileImporter::new(ImportOptions::new(version))
                    .map_err(|e| BuildError::InvalidInput(e.to_string()))?,
            )
        } else {
            None
        };
        Ok(Self {
            path: plan.path,
            len: plan.len,
            fingerprint: plan.fingerprint,
            fields: plan.fields,
            chunk_size: config.tus_chunk_size(),
            verify: plan.verify,
            signed: plan.signed,
            allow_restart: plan.allow_restart,
            progress: plan.progress,
            cancel: plan.cancel,
            on_token: plan.on_token,
            uploads_base: config.uploads_url().to_string(),
            upload_url: None,
            offset: 0,
            hasher: Arc::new(Mutex::new(Hasher {
                hashed: 0,
                importer,
            })),
            phase: Phase::Create,
            failures: 0,
            resent: Arc::default(),
            furthest: Arc::default(),
            final_cid: None,
            record: None,
            id_refuted: false,
            server_complete: false,
            server_cid: None,
            failure: None,
            terminate_on_cancel: plan.terminate_on_cancel,
        })
    }

    /// A TUS session for `upload` whatever its size (a file on disk; `None` for bytes, a reader, a
    /// folder or a CAR, which TUS does not carry here).
    pub fn for_upload(
        upload: &crate::api::uploads::UploadFile,
        config: &Config,
    ) -> Option<Result<Self, BuildError>> {
        upload.tus_plan(0).map(|plan| Self::new(plan, config))
    }

    /// Whether a cancelled upload is ended on the server (see
    /// [`TusSession::terminate_on_cancel`]).
    pub fn terminates_on_cancel(&self) -> bool {
        self.terminate_on_cancel
    }

    /// A session continuing `token`'s upload of the file whose fingerprint is now `current`
    /// (refused when it changed). It first asks the server where it stands.
    pub fn resume(
        token: &ResumeToken,
        current: &FileFingerprint,
        config: &Config,
    ) -> Result<Self, Error> {
        if *current != token.fingerprint {
            return Err(Error::Local(LocalError::Changed {
                path: token.fingerprint.path.clone(),
                expected: token.fingerprint.len,
                actual: current.len,
            }));
        }
        let plan = TusPlan {
            path: token.fingerprint.path.clone(),
            len: token.fingerprint.len,
            fingerprint: token.fingerprint.clone(),
            fields: token.fields.clone(),
            verify: token.verify,
            signed: token
                .signed
                .then(|| SignedUrl::new(token.upload_url.clone())),
            progress: None,
            cancel: None,
            on_token: None,
            allow_restart: false,
            terminate_on_cancel: false,
        };
        let mut session = Self::new(plan, config)?;
        session.chunk_size = token.chunk_size;
        session.upload_url = Some(token.upload_url.clone());
        session.phase = Phase::Head;
        Ok(session)
    }

    /// Reports progress over the whole file (bytes the server confirmed or is being sent).
    pub fn on_progress(
        mut self,
        progress: impl Fn(UploadProgress) + Send + Sync + 'static,
    ) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// Stops at the next step when `token` is cancelled.
    pub fn cancel_with(mut self, token: CancelToken) -> Self {
        self.cancel = Some(token);
        self
    }

    /// The token to persist for a resume, once the server created the upload.
    pub fn resume_token(&self) -> Option<ResumeToken> {
        Some(ResumeToken {
            format: 1,
            upload_url: self.upload_url.clone()?,
            fingerprint: self.fingerprint.clone(),
            fields: self.fields.clone(),
            chunk_size: self.chunk_size,
            verify: self.verify,
            signed: self.signed.is_some(),
        })
    }

    /// The bytes the server confirmed.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Bytes sent more than once because of failures.
    pub fn resent(&self) -> u64 {
        self.resent.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Whether the caller cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.as_ref().is_some_and(CancelToken::is_cancelled)
    }

    /// The request that ends (terminates) the upload on the server, if it was created.
    pub fn terminate(&self) -> Option<TusRequest> {
        let url = self.upload_url.as_ref()?;
        Some(self.at_url(url, TusKind::Delete))
    }

    fn at_url(&self, url: &str, kind: TusKind) -> TusRequest {
        // Credentials go only to the configured uploads origin; any other URL is a capability.
        let target = match url.strip_prefix(&self.uploads_base) {
            Some(rest) if rest.starts_with('/') => Target::Uploads(rest.to_owned()),
            _ => Target::Absolute(url.to_owned()),
        };
        TusRequest { target, kind }
    }

    /// The next thing to do.
    pub fn next_request(&mut self) -> Result<TusStep, Error> {
        if let Some(e) = self.failure.take() {
            return Err(e);
        }
        // Once the server holds every byte the upload is done: a cancellation no longer stops it
        // (nor ends it on the server), even while the file is read again for its CID.
        if self.is_cancelled()
            && !self.server_complete
            && !matches!(self.phase, Phase::Lookup(_) | Phase::Done)
        {
            return Err(Error::Local(LocalError::Cancelled));
        }
        match self.phase {
            Phase::Create => {
                let query = match &self.fields.cid_version {
                    Some(v) => format!("X-Upload-Option-Cid-Version={v}"),
                    None => String::new(),
                };
                let target = match &self.signed {
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
                Ok(TusStep::Send(TusRequest {
                    target,
                    kind: TusKind::Create {
                        length: self.len,
                        metadata: self.fields.metadata()?,
                        base: match &self.signed {
                            Some(url) => BaseUrl::split_absolute(url.as_str())
                                .map(|(b, _)| b.origin())
                                .unwrap_or_default(),
                            None => origin_of(&self.uploads_base),
                        },
                    },
                }))
            }
            Phase::Head => {
                let url = self.url()?;
                Ok(TusStep::Send(self.at_url(&url, TusKind::Head)))
            }
            Phase::Rehash => {
                let hashed = self.hashed();
                Ok(TusStep::Rehash {
                    path: self.path.clone(),
                    offset: hashed,
                    len: self.offset - hashed,
                })
            }
            Phase::Patch => {
                let url = self.url()?;
                let len = (self.len - self.offset).min(self.chunk_size);
                let body = self.chunk_body(len);
                Ok(TusStep::Send(self.at_url(
                    &url,
                    TusKind::Patch {
                        offset: self.offset,
                        len,
                        body,
                    },
                )))
            }
            Phase::Lookup(LookupBy::Id) => match self.file_id() {
                Some(id) => Ok(TusStep::Lookup(FileLookup {
                    kind: LookupKind::Id(crate::api::files::GetFile::new(
                        self.fields.network(),
                        id,
                    )),
                })),
                None => {
                    self.phase = Phase::Lookup(LookupBy::Cid);
                    self.next_request()
                }
            },
            Phase::Lookup(LookupBy::Cid) => Ok(TusStep::Lookup(FileLookup {
                kind: LookupKind::Cid(
                    crate::api::files::ListFiles::new(self.fields.network())
                        .cid(self.final_cid.clone().unwrap_or_default()),
                ),
            })),
            Phase::Done => {
                let file = match &self.record {
                    Some(file) => file.clone(),
                    None => self.known(),
                };
                Ok(TusStep::Finished {
                    file: Box::new(file),
                })
            }
        }
    }

    fn url(&self) -> Result<String, Error> {
        self.upload_url
            .clone()
            .ok_or_else(|| Error::Build(BuildError::InvalidInput("no upload URL yet".into())))
    }

    fn hashed(&self) -> u64 {
        self.hasher
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .hashed
    }

    /// The body of the chunk at the current offset: a range of the file, hashed as it is sent.
    fn chunk_body(&self, len: u64) -> MultipartUpload {
        let plan = MultipartPlan::raw(
            "application/offset+octet-stream",
            Segment::FileRange {
                path: self.path.clone(),
                offset: self.offset,
                len,
            },
        );
        let progress = self.progress.clone().map(|p| {
            let (base, total) = (self.offset, self.len);
            Arc::new(move |sent: UploadProgress| {
                p(UploadProgress {
                    sent: base + sent.sent,
                    total,
                })
            }) as ProgressFn
        });
        let hasher = Arc::clone(&self.hasher);
        let (furthest, resent) = (Arc::clone(&self.furthest), Arc::clone(&self.resent));
        MultipartUpload::new(plan, progress, None)
            .tapped(Arc::new(move |position, bytes| {
                use std::sync::atomic::Ordering::Relaxed;
                let end = position + bytes.len() as u64;
                let before = furthest.fetch_max(end, Relaxed);
                if position < before {
                    resent.fetch_add(before.min(end) - position, Relaxed);
                }
                hasher
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .feed(position, bytes);
            }))
            .cancelled_by(self.cancel.clone())
    }

    /// Bytes of the file read again after a resume (in order, from the position the step gave).
    pub fn rehash(&mut self, bytes: &[u8]) {
        let mut h = self.hasher.lock().unwrap_or_else(PoisonError::into_inner);
        let at = h.hashed;
        h.feed(at, bytes);
        if h.hashed >= self.offset {
            drop(h);
            if self.offset < self.len {
                self.phase = Phase::Patch;
                return;
            }
            // The server holds it all (the last answer was lost before a resume, or the file was
            // read again to learn its CID): the CID it named, checked, else the client's own.
            let named = self.server_cid.take();
            if let TusNext::Fail(e) = self.complete(named) {
                self.failure = Some(e);
            }
        }
    }

    /// The answer to the request of the last step. `elapsed` is the time since the last progress,
    /// `now` the clock, `jitter` a draw in `[0, 1)`: the retry policy decides the waits.
    pub fn on_answer(
        &mut self,
        answer: Result<TusAnswer, Error>,
        policy: &crate::retry::RetryPolicy,
        elapsed: Duration,
        now: SystemTime,
        jitter: f64,
    ) -> TusNext {
        match (self.phase, answer) {
            (Phase::Create, Ok(TusAnswer::Created { location })) => {
                self.upload_url = Some(location);
                self.phase = Phase::Patch;
                self.failures = 0;
                if let (Some(cb), Some(token)) = (&self.on_token, self.resume_token()) {
                    cb(&token);
                }
                TusNext::Continue
            }
            (Phase::Patch | Phase::Head, Ok(TusAnswer::Offset { offset, cid })) => {
                if offset > self.len {
                    return TusNext::Fail(Error::Decode(Box::new(DecodeError::new(
                        StatusCode::OK,
                        "",
                        format!(
                            "the server holds {offset} bytes of a {}-byte upload",
                            self.len
                        ),
                        &[],
                    ))));
                }
                if offset > self.offset || self.phase == Phase::Head {
                    self.failures = 0;
                }
                self.offset = offset;
                self.server_cid = cid.clone();
                if self.is_hashing() && self.hashed() < offset {
                    // A resumed upload: hash what the server holds before going on.
                    self.phase = Phase::Rehash;
                    return TusNext::Continue;
                }
                if offset < self.len {
                    self.phase = Phase::Patch;
                    return TusNext::Continue;
                }
                // Offset = length: complete, with or without a CID in the answer (TUS's rule; a
                // HEAD after a lost final answer, or a server without Pinata's `Upload-Cid`).
                self.complete(cid)
            }
            (_, Ok(other)) => TusNext::Fail(Error::Decode(Box::new(DecodeError::new(
                StatusCode::OK,
                "",
                format!("an answer that does not fit the upload's state: {other:?}"),
                &[],
            )))),
            (_, Err(e)) => self.failed(e, policy, elapsed, now, jitter),
        }
    }

    /// The server holds every byte. Its CID is the one the server named (checked against the
    /// client's own when checking was asked for), else the client's own: hashed as the chunks
    /// went, or, when nothing was hashed (checking off), by reading the file once more.
    fn complete(&mut self, named: Option<String>) -> TusNext {
        self.server_complete = true;
        if let Some(cid) = named {
            return self.finish(cid);
        }
        let mut hasher = self.hasher.lock().unwrap_or_else(PoisonError::into_inner);
        if hasher.hashed >= self.len
            && let Some(importer) = hasher.importer.take()
        {
            drop(hasher);
            let cid = importer.finish().cid.to_string();
            self.found_cid(cid);
            return TusNext::Continue;
        }
        // Nothing hashed: read the whole file to learn its CID (a local read, nothing re-sent).
        match FileImporter::new(ImportOptions::new(self.fields.version())) {
            Ok(importer) => {
                *hasher = Hasher {
                    hashed: 0,
                    importer: Some(importer),
                };
                self.phase = Phase::Rehash;
                TusNext::Continue
            }
            Err(e) => TusNext::Fail(Error::Build(BuildError::InvalidInput(e.to_string()))),
        }
    }

    /// Whether the bytes are hashed (CID checking on, or a CID being learnt).
    fn is_hashing(&self) -> bool {
        self.hasher
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .importer
            .is_some()
    }

    fn finish(&mut self, cid: String) -> TusNext {
        if self.verify {
            let importer = self
                .hasher
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .importer
                .take();
            if let Some(importer) = importer {
                let expected = importer.finish().cid;
                match cid.parse::<Cid>() {
                    Ok(received) if received == expected => {}
                    _ => {
                        return TusNext::Fail(Error::Verify(VerifyError::CidMismatch {
                            expected,
                            received: cid,
                        }));
                    }
                }
            }
        }
        self.found_cid(cid);
        TusNext::Continue
    }

    /// The upload's CID is known: look for its record (a signed URL's uploader holds no
    /// credentials to ask with, so its record is what is known).
    fn found_cid(&mut self, cid: String) {
        self.final_cid = Some(cid);
        self.phase = if self.signed.is_some() {
            Phase::Done
        } else {
            Phase::Lookup(LookupBy::Id)
        };
    }

    /// The result of the [`TusStep::Lookup`] step: the files the server answered, or why not.
    ///
    /// The record under the upload URL's id counts only if it holds the upload's CID (otherwise,
    /// or when there is none, the newest file with the CID, preferring this upload's name and
    /// size); when nothing is found the upload still succeeded, and its record is what is known
    /// without asking (an empty id unless the upload URL carried one the server did not refute).
    pub fn on_lookup(&mut self, found: Result<Vec<crate::api::files::FileItem>, Error>) {
        let Phase::Lookup(by) = self.phase else {
            return;
        };
        let cid = self.final_cid.clone().unwrap_or_default();
        match (by, found) {
            (LookupBy::Id, Ok(files)) => match files.into_iter().find(|f| same_cid(&f.cid, &cid)) {
                Some(file) => self.found_record(file),
                None => {
                    self.id_refuted = true;
                    self.phase = Phase::Lookup(LookupBy::Cid);
                }
            },
            (LookupBy::Id, Err(e)) => {
                self.id_refuted |= upload_is_gone(&e);
                self.phase = Phase::Lookup(LookupBy::Cid);
            }
            (LookupBy::Cid, Ok(files)) => {
                let name = self.fields.name.as_ref().unwrap_or(&self.fields.filename);
                let mut same: Vec<_> = files
                    .into_iter()
                    .filter(|f| same_cid(&f.cid, &cid))
                    .collect();
                let at = same
                    .iter()
                    .position(|f| f.size == self.len && f.name.as_ref() == Some(name))
                    .or_else(|| same.iter().position(|f| f.size == self.len))
                    .unwrap_or(0);
                if at < same.len() {
                    let file = same.swap_remove(at);
                    self.found_record(file);
                } else {
                    self.phase = Phase::Done;
                }
            }
            (LookupBy::Cid, Err(_)) => self.phase = Phase::Done,
        }
    }

    fn found_record(&mut self, file: crate::api::files::FileItem) {
        self.record = Some(UploadedFile {
            network: Some(self.fields.network()),
            ..file.into()
        });
        self.phase = Phase::Done;
    }

    fn failed(
        &mut self,
        e: Error,
        policy: &crate::retry::RetryPolicy,
        elapsed: Duration,
        now: SystemTime,
        jitter: f64,
    ) -> TusNext {
        if matches!(e, Error::Local(_) | Error::Build(_) | Error::Verify(_)) {
            return TusNext::Fail(e);
        }
        let status = e.status();
        let gone = upload_is_gone(&e);
        match self.phase {
            Phase::Create => {
                // Creating twice would leave an orphan: retried only when surely not sent.
                self.failures += 1;
                match policy.decide(Repeatable::Unsafe, &e, self.failures, elapsed, now, jitter) {
                    Decision::RetryAfter(wait) => TusNext::Wait(wait),
                    Decision::GiveUp => TusNext::Fail(e.with_attempts(self.failures)),
                }
            }
            _ if gone => {
                if self.allow_restart {
                    self.upload_url = None;
                    self.offset = 0;
                    self.phase = Phase::Create;
                    TusNext::Continue
                } else {
                    TusNext::Fail(e)
                }
            }
            // 423: another request is writing this upload (an earlier PATCH the server has not
            // finished with); like a conflict, ask where it stands.
            _ if status == Some(StatusCode::CONFLICT) || status == Some(StatusCode::LOCKED) => {
                // The offsets disagree: ask, at once (counts against the budget, so a server that
                // keeps disagreeing ends the upload).
                self.failures += 1;
                if self.failures >= policy.attempts_allowed() {
                    return TusNext::Fail(e.with_attempts(self.failures));
                }
                self.phase = Phase::Head;
                TusNext::Continue
            }
            _ => {
                self.failures += 1;
                match policy.decide(Repeatable::Safe, &e, self.failures, elapsed, now, jitter) {
                    Decision::RetryAfter(wait) => {
                        self.phase = Phase::Head;
                        TusNext::Wait(wait)
                    }
                    Decision::GiveUp => TusNext::Fail(e.with_attempts(self.failures)),
                }
            }
        }
    }
}

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

#[derive(Debug)]
enum TusKind {
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
    kind: TusKind,
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

/// The look-up of a complete upload's record ([`TusStep::Lookup`]): `GET /v3/files/{network}/{id}`
/// or `GET /v3/files/{network}?cid=…` (needs `org:files:read`), answered as the files found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileLookup {
    kind: LookupKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum LookupKind {
    Id(crate::api::files::GetFile),
    Cid(crate::api::files::ListFiles),
}

impl Endpoint for FileLookup {
    type Output = Vec<crate::api::files::FileItem>;

    fn method(&self) -> Method {
        Method::GET
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        match &self.kind {
            LookupKind::Id(get) => get.path_and_query(),
            LookupKind::Cid(list) => list.path_and_query(),
        }
    }

    fn parse(
        &self,
        status: StatusCode,
        headers: &HeaderMap,
        body: &Bytes,
    ) -> Result<Self::Output, DecodeError> {
        match &self.kind {
            LookupKind::Id(get) => get.parse(status, headers, body).map(|f| vec![f]),
            LookupKind::Cid(list) => list.parse(status, headers, body).map(|page| page.files),
        }
    }
}

/// Whether two CIDs name the same content address (the same CID however it is written).
fn same_cid(a: &str, b: &str) -> bool {
    match (a.parse::<Cid>(), b.parse::<Cid>()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// The file id in an upload URL of Pinata's shape, `…/v3/files/{file_id}/{token}` (the emulator's
/// too): an id of letters, digits, `-`, `_` and `.`. Any other shape names no file id (a stock TUS
/// server's `…/files/{upload_id}` names its upload, not a file record).
fn pinata_file_id(upload_url: &str) -> Option<String> {
    let uri = upload_url.parse::<http::Uri>().ok()?;
    let segments: Vec<&str> = uri.path().trim_end_matches('/').split('/').collect();
    let [.., v3, files, id, token] = segments.as_slice() else {
        return None;
    };
    let plain = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    (*v3 == "v3"
        && *files == "files"
        && plain(id)
        && !token.is_empty()
        && *id != "."
        && *id != "..")
        .then(|| (*id).to_owned())
}

impl TusSession {
    /// Ends the upload on the server when cancelled, instead of keeping it for a resume.
    pub fn terminate_on_cancel(mut self, terminate: bool) -> Self {
        self.terminate_on_cancel = terminate;
        self
    }

    /// The file id the upload URL carries, if it has Pinata's shape and the server did not
    /// refute it.
    fn file_id(&self) -> Option<String> {
        if self.id_refuted {
            return None;
        }
        pinata_file_id(self.upload_url.as_deref()?)
    }

    /// What is known of the file without asking (as the SDK reports a signed-URL upload): the id
    /// is the upload URL's when it carries one, else empty.
    fn known(&self) -> UploadedFile {
        let cid = self.final_cid.as_deref().unwrap_or_default();
        UploadedFile {
            id: self.file_id().unwrap_or_default(),
            name: Some(
                self.fields
                    .name
                    .clone()
                    .unwrap_or_else(|| self.fields.filename.clone()),
            ),
            cid: cid.to_owned(),
            size: self.len,
            number_of_files: 1,
            mime_type: Some(mime_type_of(&self.fields.filename).to_owned()),
            group_id: self.fields.group_id.clone(),
            keyvalues: self.fields.keyvalues.clone(),
            created_at: SystemTime::now(),
            network: Some(self.fields.network()),
            is_duplicate: None,
        }
    }
}

impl From<crate::api::files::FileItem> for UploadedFile {
    fn from(f: crate::api::files::FileItem) -> Self {
        UploadedFile {
            id: f.id,
            name: f.name,
            cid: f.cid,
            size: f.size,
            number_of_files: f.number_of_files,
            mime_type: f.mime_type,
            group_id: f.group_id,
            keyvalues: f.keyvalues,
            created_at: f.created_at,
            network: None,
            is_duplicate: None,
        }
    }
}

impl<T: crate::transport::BlockingTransport> crate::BlockingClient<T> {
    /// `POST {uploads}/v3/files` (or a signed URL): uploads a file or folder (needs
    /// `org:files:write`; a signed URL needs no credential). A file on disk larger than the
    /// config's TUS threshold goes through TUS ([`BlockingClient::upload_resumable`]).
    ///
    /// [`BlockingClient::upload_resumable`]: crate::BlockingClient::upload_resumable
    pub fn upload_file(
        &self,
        request: &crate::api::uploads::UploadFile,
    ) -> Result<UploadedFile, Error> {
        match request.tus_plan(self.config().tus_threshold()) {
            Some(mut plan) => {
                if plan.fingerprint.modified.is_none()
                    && let Ok(found) = self.transport().fingerprint(&plan.path)
                {
                    plan.with_fingerprint(found);
                }
                self.upload_resumable(&mut TusSession::new(plan, self.config())?)
            }
            None => {
                let routed = request.routed_for(self.credentials().scheme());
                let request = routed.as_ref().unwrap_or(request);
                match self.execute(request) {
                    Err(e) => match request.legacy_fallback(&e) {
                        Some(legacy) => self.execute(&legacy),
                        None => Err(e),
                    },
                    done => done,
                }
            }
        }
    }

    /// Runs a TUS session to its end: chunks streamed from disk, failures realigned with the
    /// server (`HEAD`) within the retry policy's budget, complete when the server holds every
    /// byte, the CID checked (or the client's own when the server names none), then the file
    /// record as the session looks for it ([`TusSession::on_lookup`]; a record that cannot be
    /// found does not fail the upload). On cancellation the upload is kept for a resume, or ended
    /// if the session says so.
    pub fn upload_resumable(&self, session: &mut TusSession) -> Result<UploadedFile, Error> {
        let policy = self.config().retry_policy().clone();
        let mut jitter = crate::retry::Jitter::new();
        let mut since = std::time::Instant::now();
        loop {
            let step = match session.next_request() {
                Ok(step) => step,
                Err(e) => return Err(self.cancelled(session, e)),
            };
            match step {
                TusStep::Send(request) => {
                    let before = session.offset();
                    let answer = self.attempt(&request);
                    let next = session.on_answer(
                        answer,
                        &policy,
                        since.elapsed(),
                        SystemTime::now(),
                        jitter.draw(),
                    );
                    if session.offset() > before {
                        since = std::time::Instant::now();
                    }
                    match next {
                        TusNext::Continue => {}
                        TusNext::Wait(wait) => self.transport().sleep(wait),
                        TusNext::Fail(e) => return Err(self.cancelled(session, e)),
                    }
                }
                TusStep::Rehash { path, offset, len } => {
                    self.transport()
                        .read_range(&path, offset, len, &mut |bytes| session.rehash(bytes))?;
                }
                TusStep::Lookup(lookup) => session.on_lookup(self.execute(&lookup)),
                TusStep::Finished { file } => return Ok(*file),
            }
        }
    }

    /// Continues the upload a token describes (persisted before a crash or a cancellation): the
    /// file must be unchanged; the part the server holds is read again to hash it, not re-sent.
    /// Takes a `&ResumeToken`, or a [`ResumeUpload`] with progress and cancel hooks.
    pub fn resume_upload(&self, resume: impl Into<ResumeUpload>) -> Result<UploadedFile, Error> {
        let resume = resume.into();
        let current = self
            .transport()
            .fingerprint(&resume.token.fingerprint().path)?;
        let mut session = resume.session(&current, self.config())?;
        self.upload_resumable(&mut session)
    }

    /// Ends the upload `token` describes on the server (`DELETE`).
    pub fn terminate_upload(&self, token: &ResumeToken) -> Result<(), Error> {
        let session = TusSession::resume(token, token.fingerprint(), self.config())?;
        match session.terminate() {
            Some(request) => self.attempt(&request).map(|_| ()),
            None => Ok(()),
        }
    }

    /// A cancellation, after ending the upload if the session says so.
    fn cancelled(&self, session: &TusSession, e: Error) -> Error {
        if matches!(e, Error::Local(LocalError::Cancelled))
            && session.terminate_on_cancel
            && let Some(request) = session.terminate()
        {
            let _ = self.attempt(&request);
        }
        e
    }
}

impl<T: crate::transport::AsyncTransport> crate::AsyncClient<T> {
    /// `POST {uploads}/v3/files` (or a signed URL): uploads a file or folder (see
    /// `BlockingClient::upload_file`; above the TUS threshold, through TUS).
    pub async fn upload_file(
        &self,
        request: &crate::api::uploads::UploadFile,
    ) -> Result<UploadedFile, Error> {
        match request.tus_plan(self.config().tus_threshold()) {
            Some(mut plan) => {
                if plan.fingerprint.modified.is_none()
                    && let Ok(found) = self.transport().fingerprint(&plan.path).await
                {
                    plan.with_fingerprint(found);
                }
                let mut session = TusSession::new(plan, self.config())?;
                self.upload_resumable(&mut session).await
            }
            None => {
                let routed = request.routed_for(self.credentials().scheme());
                let request = routed.as_ref().unwrap_or(request);
                match self.execute(request).await {
                    Err(e) => match request.legacy_fallback(&e) {
                        Some(legacy) => self.execute(&legacy).await,
                        None => Err(e),
                    },
                    done => done,
                }
            }
        }
    }

    /// Runs a TUS session to its end (see `BlockingClient::upload_resumable`).
    pub async fn upload_resumable(&self, session: &mut TusSession) -> Result<UploadedFile, Error> {
        let policy = self.config().retry_policy().clone();
        let mut jitter = crate::retry::Jitter::new();
        let mut since = std::time::Instant::now();
        loop {
            let step = match session.next_request() {
                Ok(step) => step,
                Err(e) => return Err(self.cancelled(session, e).await),
            };
            match step {
                TusStep::Send(request) => {
                    let before = session.offset();
                    let answer = self.attempt(&request).await;
                    let next = session.on_answer(
                        answer,
                        &policy,
                        since.elapsed(),
                        SystemTime::now(),
                        jitter.draw(),
                    );
                    if session.offset() > before {
                        since = std::time::Instant::now();
                    }
                    match next {
                        TusNext::Continue => {}
                        TusNext::Wait(wait) => self.transport().sleep(wait).await,
                        TusNext::Fail(e) => return Err(self.cancelled(session, e).await),
                    }
                }
                TusStep::Rehash { path, offset, len } => {
                    self.transport()
                        .read_range(&path, offset, len, &mut |bytes| session.rehash(bytes))
                        .await?;
                }
                TusStep::Lookup(lookup) => session.on_lookup(self.execute(&lookup).await),
                TusStep::Finished { file } => return Ok(*file),
            }
        }
    }

    /// Continues the upload a token describes (see `BlockingClient::resume_upload`): a
    /// `&ResumeToken`, or a [`ResumeUpload`] with progress and cancel hooks.
    pub async fn resume_upload(
        &self,
        resume: impl Into<ResumeUpload>,
    ) -> Result<UploadedFile, Error> {
        let resume = resume.into();
        let current = self
            .transport()
            .fingerprint(&resume.token.fingerprint().path)
            .await?;
        let mut session = resume.session(&current, self.config())?;
        self.upload_resumable(&mut session).await
    }

    /// Ends the upload `token` describes on the server (`DELETE`).
    pub async fn terminate_upload(&self, token: &ResumeToken) -> Result<(), Error> {
        let session = TusSession::resume(token, token.fingerprint(), self.config())?;
        match session.terminate() {
            Some(request) => self.attempt(&request).await.map(|_| ()),
            None => Ok(()),
        }
    }

    async fn cancelled(&self, session: &TusSession, e: Error) -> Error {
        if matches!(e, Error::Local(LocalError::Cancelled))
            && session.terminate_on_cancel
            && let Some(request) = session.terminate()
        {
            let _ = self.attempt(&request).await;
        }
        e
    }
}

#[cfg(test)]
mod tests;

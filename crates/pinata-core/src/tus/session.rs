//! The TUS session: one resumable upload as a pure state machine. It says what to do next
//! ([`TusSession::next_request`]: a request to send, a part of the file to read again, a record
//! to look up, or the end), and takes each result back ([`TusSession::on_answer`],
//! [`TusSession::rehash`], [`TusSession::on_lookup`]), deciding the retries, the realignments with
//! the server (`HEAD`), the CID and the record. It does no I/O.

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use http::StatusCode;

use super::lookup::{FileLookup, pinata_file_id, same_cid};
use super::token::{ResumeToken, ResumeUpload, TokenFn, TusFields, TusPlan};
use super::wire::{TusAnswer, TusKind, TusRequest};
use crate::api::files::FileItem;
use crate::api::signed::SignedUrl;
use crate::api::uploads::{UploadFile, UploadedFile, mime_type_of};
use crate::cid::{Cid, FileImporter, ImportOptions};
use crate::config::Config;
use crate::error::{BuildError, DecodeError, Error, VerifyError};
use crate::local::{FileFingerprint, LocalError};
use crate::multipart::{MultipartPlan, Segment};
use crate::retry::{Decision, Repeatable, RetryPolicy};
use crate::upload::{CancelToken, MultipartUpload, ProgressFn, UploadProgress};

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
    pub(super) len: u64,
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

/// Whether `e` says the server no longer holds the upload (404 or 410 on its URL: terminated,
/// expired or lost): resuming cannot go on, the file has to be uploaded again (a session does so
/// by itself only with `restart_if_lost`).
pub fn upload_is_gone(e: &Error) -> bool {
    matches!(e.status(), Some(StatusCode::NOT_FOUND | StatusCode::GONE))
}

impl TusSession {
    /// A session for `plan`, with the config's chunk size and uploads origin.
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
    pub fn for_upload(upload: &UploadFile, config: &Config) -> Option<Result<Self, BuildError>> {
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
        TusRequest::at(url, &self.uploads_base, kind)
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
            Phase::Create => Ok(TusStep::Send(TusRequest::create(
                self.signed.as_ref(),
                &self.uploads_base,
                &self.fields,
                self.len,
            )?)),
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
                Some(id) => Ok(TusStep::Lookup(FileLookup::by_id(
                    self.fields.network(),
                    id,
                ))),
                None => {
                    self.phase = Phase::Lookup(LookupBy::Cid);
                    self.next_request()
                }
            },
            Phase::Lookup(LookupBy::Cid) => Ok(TusStep::Lookup(FileLookup::by_cid(
                self.fields.network(),
                self.final_cid.clone().unwrap_or_default(),
            ))),
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
        policy: &RetryPolicy,
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
    pub fn on_lookup(&mut self, found: Result<Vec<FileItem>, Error>) {
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

    fn found_record(&mut self, file: FileItem) {
        self.record = Some(UploadedFile {
            network: Some(self.fields.network()),
            ..file.into()
        });
        self.phase = Phase::Done;
    }

    fn failed(
        &mut self,
        e: Error,
        policy: &RetryPolicy,
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

impl ResumeUpload {
    /// The session continuing the upload, for the file as it is now (`current`).
    pub(super) fn session(
        &self,
        current: &FileFingerprint,
        config: &Config,
    ) -> Result<TusSession, Error> {
        let mut session = TusSession::resume(&self.token, current, config)?
            .terminate_on_cancel(self.terminate_on_cancel);
        session.progress = self.progress.clone();
        session.cancel = self.cancel.clone();
        Ok(session)
    }
}

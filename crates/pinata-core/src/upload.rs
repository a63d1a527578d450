//! What happens while an upload streams: progress reports, and the CID of what is sent, computed on
//! the same pass (no second read of any file). The transport reports every byte it sends to an
//! [`UploadWatch`]; the core does the rest.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::cid::{Cid, CidError, DirectoryBuilder, FileImporter, ImportOptions};
use crate::local::LocalError;
use bytes::Bytes;

use crate::multipart::{MultipartPlan, Segment};

pub use crate::multipart::ReaderSource;

/// The path a reader's failures are reported under (it has none of its own).
pub(crate) fn reader_label() -> PathBuf {
    PathBuf::from("(reader)")
}

/// Bytes sent so far out of the body's total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadProgress {
    /// Bytes handed to the connection.
    pub sent: u64,
    /// The whole body.
    pub total: u64,
}

/// A progress callback.
pub type ProgressFn = Arc<dyn Fn(UploadProgress) + Send + Sync>;

/// Where each file segment goes in the DAG the server will build, to compute its CID.
#[derive(Debug, Clone)]
pub(crate) struct CidPlan {
    pub(crate) options: ImportOptions,
    /// Segment index → path in the DAG (`""` for a lone file that is the root itself).
    pub(crate) files: HashMap<usize, String>,
}

impl CidPlan {
    /// The plan for `plan`'s file parts, in order, at `dag_paths`.
    pub(crate) fn new(
        options: ImportOptions,
        plan: &MultipartPlan,
        dag_paths: Vec<String>,
    ) -> Self {
        Self {
            options,
            files: plan.file_parts().iter().copied().zip(dag_paths).collect(),
        }
    }
}

/// Checks the CID the server answered (`received`) against the one computed while `sent` (the
/// upload a body carried, if it was one) streamed; accepts when the body was sent without CID
/// checking.
pub(crate) fn verify_sent_cid(
    sent: Option<&MultipartUpload>,
    received: &str,
) -> Result<(), crate::error::VerifyError> {
    use crate::error::VerifyError;
    match sent.and_then(|u| u.watch().computed_cid()) {
        None => Ok(()),
        Some(Err(e)) => Err(VerifyError::Unavailable(e)),
        Some(Ok(expected)) => match received.parse::<Cid>() {
            Ok(cid) if cid == expected => Ok(()),
            _ => Err(VerifyError::CidMismatch {
                expected,
                received: received.to_owned(),
            }),
        },
    }
}

#[derive(Default)]
struct State {
    sent: u64,
    progress: Option<ProgressFn>,
    cid: Option<CidState>,
    failure: Option<LocalError>,
    tap: Option<ContentTap>,
    cancel: Option<CancelToken>,
}

/// Sees every byte of file content as it is sent, with its position in the file (a TUS upload
/// hashes the whole file across chunks this way).
pub(crate) type ContentTap = Arc<dyn Fn(u64, &[u8]) + Send + Sync>;

/// Cancels an upload from anywhere: another thread or task, or the upload's own progress
/// callback. The transport stops at its next step and the call fails with
/// [`LocalError::Cancelled`]. Clones share the flag.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<std::sync::atomic::AtomicBool>);

impl CancelToken {
    /// A token not yet cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Cancels every upload holding this token (or a clone).
    pub fn cancel(&self) {
        self.0.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Whether [`CancelToken::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

struct CidState {
    plan: CidPlan,
    current: Option<(usize, FileImporter)>,
    single: Option<Cid>,
    dir: DirectoryBuilder,
    error: Option<CidError>,
}

/// Shared between the request (which the transport streams) and the endpoint (which checks the
/// answer). Cloning shares the same state.
#[derive(Clone)]
pub struct UploadWatch {
    total: u64,
    state: Arc<Mutex<State>>,
}

impl fmt::Debug for UploadWatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UploadWatch")
            .field("total", &self.total)
            .finish_non_exhaustive()
    }
}

impl PartialEq for UploadWatch {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.state, &other.state)
    }
}

impl Eq for UploadWatch {}

impl UploadWatch {
    pub(crate) fn new(
        plan: &MultipartPlan,
        progress: Option<ProgressFn>,
        cid: Option<CidPlan>,
    ) -> Self {
        let state = State {
            progress,
            cid: cid.map(|plan| CidState {
                plan,
                current: None,
                single: None,
                dir: DirectoryBuilder::new(),
                error: None,
            }),
            ..State::default()
        };
        Self {
            total: plan.content_length(),
            state: Arc::new(Mutex::new(state)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Updates are plain field writes; a panic in a progress callback cannot leave them half done.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The transport starts (again) from the first byte: progress and hashing restart.
    pub fn restart(&self) {
        let mut s = self.lock();
        s.sent = 0;
        s.failure = None;
        if let Some(c) = &mut s.cid {
            c.current = None;
            c.single = None;
            c.dir = DirectoryBuilder::new();
            c.error = None;
        }
    }

    /// The transport sent `bytes` of segment `index`.
    pub fn sent(&self, index: usize, bytes: &[u8]) {
        let (progress, report) = {
            let mut s = self.lock();
            s.sent += bytes.len() as u64;
            let report = UploadProgress {
                sent: s.sent,
                total: self.total,
            };
            if let Some(c) = &mut s.cid
                && c.plan.files.contains_key(&index)
            {
                match &mut c.current {
                    Some((i, importer)) if *i == index => importer.update(bytes),
                    _ => {
                        if let Ok(mut importer) = FileImporter::new(c.plan.options) {
                            importer.update(bytes);
                            c.current = Some((index, importer));
                        }
                    }
                }
            }
            (s.progress.clone(), report)
        };
        // Called without the lock held, so a callback may do anything.
        if let Some(progress) = progress {
            progress(report);
        }
    }

    /// The transport finished file segment `index` (of `path`, planned as `expected` bytes) after
    /// reading `read` bytes; `more` says whether the file had bytes beyond `expected`. A length that
    /// differs from the plan is an error (and is remembered, see [`UploadWatch::take_failure`]).
    pub fn file_done(
        &self,
        index: usize,
        path: &std::path::Path,
        expected: u64,
        read: u64,
        more: bool,
    ) -> Result<(), LocalError> {
        let mut s = self.lock();
        if read != expected || more {
            let actual = if more { read + 1 } else { read };
            let error = LocalError::Changed {
                path: path.to_owned(),
                expected,
                actual,
            };
            s.failure = Some(LocalError::Changed {
                path: path.to_owned(),
                expected,
                actual,
            });
            return Err(error);
        }
        finish_cid_file(&mut s, index);
        Ok(())
    }

    /// The transport sent the in-memory segment `index` whole (a file part given as bytes).
    pub(crate) fn bytes_done(&self, index: usize) {
        finish_cid_file(&mut self.lock(), index);
    }

    /// Whether the upload was cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.lock()
            .cancel
            .as_ref()
            .is_some_and(CancelToken::is_cancelled)
    }

    fn tap(&self, position: u64, bytes: &[u8]) {
        let tap = self.lock().tap.clone();
        // Called without the lock held, like the progress callback.
        if let Some(tap) = tap {
            tap(position, bytes);
        }
    }

    /// Records a local failure the transport met (a file that could not be opened or read).
    pub fn fail(&self, error: LocalError) {
        self.lock().failure = Some(error);
    }

    /// The local failure recorded during the last send, if any.
    pub fn take_failure(&self) -> Option<LocalError> {
        self.lock().failure.take()
    }

    /// Bytes sent so far.
    pub fn bytes_sent(&self) -> u64 {
        self.lock().sent
    }

    /// The CID of what was sent, once the whole body went out; `None` without CID checking.
    pub(crate) fn computed_cid(&self) -> Option<Result<Cid, CidError>> {
        let s = self.lock();
        let c = s.cid.as_ref()?;
        if let Some(e) = &c.error {
            return Some(Err(e.clone()));
        }
        if let Some(cid) = c.single {
            return Some(Ok(cid));
        }
        Some(c.dir.finish(c.plan.options.version).map(|d| d.cid))
    }
}

/// The CID plan's file at segment `index` has all its bytes: add it to the DAG.
fn finish_cid_file(s: &mut State, index: usize) {
    if let Some(c) = &mut s.cid
        && let Some(dag_path) = c.plan.files.get(&index).cloned()
    {
        let importer = match c.current.take() {
            Some((i, importer)) if i == index => importer,
            // An empty file sends no bytes, so it was never started.
            _ => match FileImporter::new(c.plan.options) {
                Ok(i) => i,
                Err(e) => {
                    c.error = Some(e);
                    return;
                }
            },
        };
        let file = importer.finish();
        if dag_path.is_empty() {
            c.single = Some(file.cid);
        } else if let Err(e) = c.dir.add_file(&dag_path, file) {
            c.error = Some(e);
        }
    }
}

/// A multipart body with its watch: what [`crate::Body::Multipart`] carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultipartUpload {
    plan: Arc<MultipartPlan>,
    watch: UploadWatch,
}

impl MultipartUpload {
    pub(crate) fn new(
        plan: MultipartPlan,
        progress: Option<ProgressFn>,
        cid: Option<CidPlan>,
    ) -> Self {
        let watch = UploadWatch::new(&plan, progress, cid);
        Self {
            plan: Arc::new(plan),
            watch,
        }
    }

    /// The same body, cancelled by `token`.
    pub(crate) fn cancelled_by(self, token: Option<CancelToken>) -> Self {
        self.watch.lock().cancel = token;
        self
    }

    /// The same body, its file content shown to `tap` as it is sent.
    pub(crate) fn tapped(self, tap: ContentTap) -> Self {
        self.watch.lock().tap = Some(tap);
        self
    }

    /// The body's segments and boundary.
    pub fn plan(&self) -> &MultipartPlan {
        &self.plan
    }

    /// Where the transport reports what it sends.
    pub fn watch(&self) -> &UploadWatch {
        &self.watch
    }

    /// The file segments with their index, path and planned length.
    pub fn files(&self) -> impl Iterator<Item = (usize, &PathBuf, u64)> {
        self.plan
            .segments()
            .iter()
            .enumerate()
            .filter_map(|(i, s)| match s {
                Segment::File { path, len } => Some((i, path, *len)),
                Segment::Bytes(_) | Segment::FileRange { .. } | Segment::Reader { .. } => None,
            })
    }
}

/// How much a transport reads from a file at a time.
pub const READ_CHUNK: usize = 256 * 1024;

/// What the transport should do next to send a multipart body (see [`UploadCursor`]). New steps
/// may come: a transport fails the body on one it does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UploadStep {
    /// Send these bytes.
    Send(Bytes),
    /// Open this file as for [`UploadStep::OpenFile`], then move to byte `offset` (a range of the
    /// file, such as a TUS chunk) before reading.
    OpenFileAt {
        /// The file.
        path: PathBuf,
        /// Where reading starts.
        offset: u64,
    },
    /// The upload was cancelled ([`CancelToken`]): abort the request (the failure is recorded).
    Cancelled,
    /// Take the reader out of this source (with [`ReaderSource::take`]) and read it like a file:
    /// [`UploadStep::ReadFile`] and [`UploadStep::CheckEnd`] follow. A reader already taken, or
    /// of another transport's kind, is reported with [`UploadCursor::reader_unavailable`].
    OpenReader(ReaderSource),
    /// Open this file without blocking on it (`O_NONBLOCK` on Unix: the open of a FIFO would wait
    /// for a writer), then report what the handle is with [`UploadCursor::file_opened`] before
    /// reading it; report a failure to open with [`UploadCursor::open_failed`].
    OpenFile(PathBuf),
    /// Read up to `max` bytes from the open file and report them with [`UploadCursor::file_read`]
    /// (an empty read means end of file), then send them.
    ReadFile {
        /// The most to read now.
        max: usize,
    },
    /// The planned length has been read: try to read one more byte and report with
    /// [`UploadCursor::file_end`] whether there was one; then close the file.
    CheckEnd,
    /// The body is complete.
    Finished,
}

/// The sending side of a multipart body as a state machine: it says what to read and send next and
/// checks what was read, so a transport only does the I/O. A file that is shorter or longer than
/// planned fails the body (the transport must then abort the request, never send a truncated one).
#[derive(Debug)]
pub struct UploadCursor {
    upload: MultipartUpload,
    index: usize,
    /// Bytes read of the current file segment, once it is open.
    read: Option<u64>,
}

impl UploadCursor {
    /// A cursor at the start of `upload`'s body (progress and hashing restart too).
    pub fn new(upload: MultipartUpload) -> Self {
        upload.watch().restart();
        Self {
            upload,
            index: 0,
            read: None,
        }
    }

    /// The next thing to do.
    pub fn next_step(&mut self) -> UploadStep {
        if self.upload.watch().is_cancelled() {
            self.upload.watch().fail(LocalError::Cancelled);
            return UploadStep::Cancelled;
        }
        loop {
            let Some(segment) = self.upload.plan().segments().get(self.index) else {
                return UploadStep::Finished;
            };
            match segment {
                Segment::Bytes(bytes) => {
                    let bytes = bytes.clone();
                    self.upload.watch().sent(self.index, &bytes);
                    self.upload.watch().bytes_done(self.index);
                    self.index += 1;
                    if bytes.is_empty() {
                        continue;
                    }
                    return UploadStep::Send(bytes);
                }
                Segment::File { len, .. }
                | Segment::FileRange { len, .. }
                | Segment::Reader { len, .. } => {
                    return match self.read {
                        None => {
                            self.read = Some(0);
                            match segment {
                                Segment::Reader { source, .. } => {
                                    UploadStep::OpenReader(source.clone())
                                }
                                Segment::File { path, .. } => UploadStep::OpenFile(path.clone()),
                                Segment::FileRange { path, offset, .. } => UploadStep::OpenFileAt {
                                    path: path.clone(),
                                    offset: *offset,
                                },
                                Segment::Bytes(_) => UploadStep::Finished,
                            }
                        }
                        Some(read) if read < *len => UploadStep::ReadFile {
                            max: usize::try_from(len - read)
                                .unwrap_or(usize::MAX)
                                .min(READ_CHUNK),
                        },
                        Some(_) => UploadStep::CheckEnd,
                    };
                }
            }
        }
    }

    fn current_file(&self) -> Option<(PathBuf, u64)> {
        match self.upload.plan().segments().get(self.index) {
            Some(Segment::File { path, len }) | Some(Segment::FileRange { path, len, .. }) => {
                Some((path.clone(), *len))
            }
            Some(Segment::Reader { len, .. }) => Some((reader_label(), *len)),
            _ => None,
        }
    }

    /// The reader of the current step was taken already (a second send of a body read from a
    /// reader), or is not of the kind this transport reads.
    pub fn reader_unavailable(&mut self, used: bool) -> LocalError {
        let error = || {
            if used {
                LocalError::ReaderUsed
            } else {
                LocalError::ReaderKind
            }
        };
        self.upload.watch().fail(error());
        error()
    }

    /// The file of the current step could not be opened or read.
    pub fn open_failed(&mut self, error: std::io::Error) -> LocalError {
        let path = self.current_file().map(|(p, _)| p).unwrap_or_default();
        let e = LocalError::io(&path, error);
        self.upload
            .watch()
            .fail(LocalError::io(path, std::io::Error::other(e.to_string())));
        e
    }

    /// The file of the current step is open, and its handle is of `kind` (from the handle's own
    /// metadata, an fstat, not the path's: the path may have been replaced since it was planned).
    /// Anything but a regular file fails the body with [`LocalError::UnsupportedFileType`]
    /// (remembered, as every local failure, see [`UploadWatch::take_failure`]), before any read
    /// that could block.
    pub fn file_opened(&mut self, kind: crate::local::EntryKind) -> Result<(), LocalError> {
        let Some((path, _)) = self.current_file() else {
            return Ok(());
        };
        match kind.regular_file(&path) {
            Ok(_) => Ok(()),
            Err(e) => {
                self.upload
                    .watch()
                    .fail(LocalError::UnsupportedFileType(path));
                Err(e)
            }
        }
    }

    /// `data` was read from the current file (empty: end of file). Reaching the end before the
    /// planned length is an error.
    pub fn file_read(&mut self, data: &[u8]) -> Result<(), LocalError> {
        let Some((path, len)) = self.current_file() else {
            return Ok(());
        };
        let read = self.read.unwrap_or(0);
        if data.is_empty() {
            return self
                .upload
                .watch()
                .file_done(self.index, &path, len, read, false);
        }
        self.upload.watch().sent(self.index, data);
        let start = match self.upload.plan().segments().get(self.index) {
            Some(Segment::FileRange { offset, .. }) => *offset,
            _ => 0,
        };
        self.upload.watch().tap(start + read, data);
        self.read = Some(read + data.len() as u64);
        Ok(())
    }

    /// The planned length was read; `more` says whether the file had more bytes (it grew; a
    /// range of a file may be followed by more, so it is not asked).
    pub fn file_end(&mut self, more: bool) -> Result<(), LocalError> {
        let Some((path, len)) = self.current_file() else {
            return Ok(());
        };
        let more = more
            && !matches!(
                self.upload.plan().segments().get(self.index),
                Some(Segment::FileRange { .. })
            );
        let read = self.read.unwrap_or(0);
        let result = self
            .upload
            .watch()
            .file_done(self.index, &path, len, read, more);
        self.index += 1;
        self.read = None;
        result
    }
}

#[cfg(test)]
mod tests;

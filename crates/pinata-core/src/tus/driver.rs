//! The loop that runs a session to its end, once, for both clients: a state machine that says what
//! to do next ([`Do`]) and takes back what came of it. The blocking and async clients only do the
//! I/O each step names (send, sleep, read the file, look up the record) and hand the result back;
//! every decision is made here or in the session: the retry budget's clock, the jitter of each
//! wait, when the upload has failed, and whether a cancelled upload is ended on the server first.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use super::lookup::FileLookup;
use super::session::{TusNext, TusSession, TusStep};
use super::wire::{TusAnswer, TusRequest};
use crate::api::files::FileItem;
use crate::api::uploads::UploadedFile;
use crate::error::Error;
use crate::local::LocalError;
use crate::retry::{Jitter, RetryPolicy};

/// What the client does next for a TUS upload.
#[derive(Debug)]
pub(crate) enum Do {
    /// Send this request once (the session decides what is sent again) and give the answer to
    /// [`TusDriver::answered`].
    Send(TusRequest),
    /// Wait this long before the next step.
    Sleep(Duration),
    /// Read `len` bytes of the file at `path` from `offset`, giving them in order to
    /// [`TusDriver::read`], then the outcome to [`TusDriver::read_done`].
    Read {
        /// The file.
        path: PathBuf,
        /// The first byte.
        offset: u64,
        /// How many bytes.
        len: u64,
    },
    /// Call this API endpoint (with the client's retries) and give its result to
    /// [`TusDriver::looked_up`].
    Lookup(FileLookup),
    /// Send this request once and ignore its answer: a cancelled upload ended on the server.
    Terminate(TusRequest),
    /// The upload is over: return this.
    Finish(Result<UploadedFile, Error>),
}

/// One run of a [`TusSession`]: the session, the retry policy, and the clock and jitter of its
/// waits.
pub(crate) struct TusDriver<'s> {
    session: &'s mut TusSession,
    policy: RetryPolicy,
    jitter: Jitter,
    /// When the server last confirmed progress (failures are budgeted from then).
    since: Instant,
    /// The server's offset when the request being answered was sent.
    sent_at: u64,
    /// Steps decided ahead of asking the session again (a wait, a termination, the end).
    queue: VecDeque<Do>,
}

impl<'s> TusDriver<'s> {
    /// A run of `session` within `policy`'s retry budget.
    pub(crate) fn new(session: &'s mut TusSession, policy: &RetryPolicy) -> Self {
        Self {
            session,
            policy: policy.clone(),
            jitter: Jitter::new(),
            since: Instant::now(),
            sent_at: 0,
            queue: VecDeque::new(),
        }
    }

    /// What to do next.
    pub(crate) fn next(&mut self) -> Do {
        if let Some(step) = self.queue.pop_front() {
            return step;
        }
        match self.session.next_request() {
            Ok(TusStep::Send(request)) => {
                self.sent_at = self.session.offset();
                Do::Send(request)
            }
            Ok(TusStep::Rehash { path, offset, len }) => Do::Read { path, offset, len },
            Ok(TusStep::Lookup(lookup)) => Do::Lookup(lookup),
            Ok(TusStep::Finished { file }) => Do::Finish(Ok(*file)),
            Err(e) => {
                self.fail(e);
                self.next()
            }
        }
    }

    /// The answer to the request of the last [`Do::Send`].
    pub(crate) fn answered(&mut self, answer: Result<TusAnswer, Error>) {
        let next = self.session.on_answer(
            answer,
            &self.policy,
            self.since.elapsed(),
            SystemTime::now(),
            self.jitter.draw(),
        );
        if self.session.offset() > self.sent_at {
            self.since = Instant::now();
        }
        match next {
            TusNext::Continue => {}
            TusNext::Wait(wait) => self.queue.push_back(Do::Sleep(wait)),
            TusNext::Fail(e) => self.fail(e),
        }
    }

    /// Bytes of the file a [`Do::Read`] asked for, in order.
    pub(crate) fn read(&mut self, bytes: &[u8]) {
        self.session.rehash(bytes);
    }

    /// How the last [`Do::Read`] ended: a file that cannot be read fails the upload as it is (the
    /// server is not asked to end it).
    pub(crate) fn read_done(&mut self, read: Result<(), LocalError>) {
        if let Err(e) = read {
            self.queue.push_back(Do::Finish(Err(Error::from(e))));
        }
    }

    /// The result of the last [`Do::Lookup`].
    pub(crate) fn looked_up(&mut self, found: Result<Vec<FileItem>, Error>) {
        self.session.on_lookup(found);
    }

    /// The upload failed with `e`; a cancellation of an upload the session says to end is ended
    /// on the server first, when it was created there.
    fn fail(&mut self, e: Error) {
        if matches!(e, Error::Local(LocalError::Cancelled))
            && self.session.terminates_on_cancel()
            && let Some(request) = self.session.terminate()
        {
            self.queue.push_back(Do::Terminate(request));
        }
        self.queue.push_back(Do::Finish(Err(e)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::uploads::UploadFile;
    use crate::config::Config;
    use crate::error::{TransportError, TransportErrorKind};
    use crate::tus::wire::TusKind;
    use crate::upload::CancelToken;

    /// A session of a 1 MiB file (never read here: no step of these tests streams it) that ends
    /// the upload on the server when `cancel` is cancelled.
    fn session(cancel: &CancelToken) -> TusSession {
        let upload = UploadFile::path("/nowhere/big.bin", 1 << 20)
            .unwrap()
            .cancel_with(cancel.clone())
            .terminate_on_cancel(true);
        TusSession::for_upload(&upload, &Config::default())
            .unwrap()
            .unwrap()
    }

    fn created() -> Result<TusAnswer, Error> {
        Ok(TusAnswer::Created {
            location: "https://uploads.pinata.cloud/v3/files/f1/t0k3n".to_owned(),
        })
    }

    #[test]
    fn a_creation_that_was_not_sent_is_waited_for_then_sent_again() {
        let cancel = CancelToken::new();
        let mut session = session(&cancel);
        let mut driver = TusDriver::new(&mut session, &RetryPolicy::default());
        let Do::Send(create) = driver.next() else {
            panic!("the upload starts by creating it")
        };
        assert!(matches!(create.kind, TusKind::Create { .. }));
        driver.answered(Err(Error::Transport(TransportError::not_sent(
            TransportErrorKind::Connect,
            "refused",
        ))));
        assert!(matches!(driver.next(), Do::Sleep(wait) if wait > Duration::ZERO));
        let Do::Send(again) = driver.next() else {
            panic!("created again after the wait")
        };
        assert!(matches!(again.kind, TusKind::Create { .. }));
        driver.answered(created());
        let Do::Send(patch) = driver.next() else {
            panic!("then the first chunk")
        };
        assert!(matches!(patch.kind, TusKind::Patch { offset: 0, .. }));
    }

    #[test]
    fn a_cancelled_upload_is_ended_on_the_server_then_fails() {
        let cancel = CancelToken::new();
        let mut session = session(&cancel);
        let mut driver = TusDriver::new(&mut session, &RetryPolicy::default());
        assert!(matches!(driver.next(), Do::Send(_)));
        driver.answered(created());
        cancel.cancel();
        let Do::Terminate(end) = driver.next() else {
            panic!("a cancellation ends the created upload first")
        };
        assert!(matches!(end.kind, TusKind::Delete));
        assert!(matches!(
            driver.next(),
            Do::Finish(Err(Error::Local(LocalError::Cancelled)))
        ));
    }

    #[test]
    fn a_file_that_cannot_be_read_fails_the_upload_as_it_is() {
        let cancel = CancelToken::new();
        let mut session = session(&cancel);
        let mut driver = TusDriver::new(&mut session, &RetryPolicy::default());
        assert!(matches!(driver.next(), Do::Send(_)));
        driver.answered(created());
        driver.read_done(Err(LocalError::io(
            "/nowhere/big.bin",
            std::io::Error::from(std::io::ErrorKind::NotFound),
        )));
        assert!(matches!(
            driver.next(),
            Do::Finish(Err(Error::Local(LocalError::Io { .. })))
        ));
    }
}

//! The clients' TUS calls: `upload_file` (through TUS above the config's threshold),
//! `upload_resumable`, `resume_upload` and `terminate_upload`, for the blocking and the async
//! client. Each runs the one [`TusDriver`] and only does the I/O it asks for.

use super::driver::{Do, TusDriver};
use super::session::TusSession;
use super::token::{ResumeToken, ResumeUpload};
use crate::api::uploads::{UploadFile, UploadedFile};
use crate::client::{AsyncClient, BlockingClient};
use crate::error::Error;
use crate::transport::{AsyncTransport, BlockingTransport};

impl<T: BlockingTransport> BlockingClient<T> {
    /// `POST {uploads}/v3/files` (or a signed URL): uploads a file or folder (needs
    /// `org:files:write`; a signed URL needs no credential). A file on disk larger than the
    /// config's TUS threshold goes through TUS ([`BlockingClient::upload_resumable`]).
    pub fn upload_file(&self, request: &UploadFile) -> Result<UploadedFile, Error> {
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
        let mut driver = TusDriver::new(session, self.config().retry_policy());
        loop {
            match driver.next() {
                Do::Send(request) => driver.answered(self.attempt(&request)),
                Do::Sleep(wait) => self.transport().sleep(wait),
                Do::Read { path, offset, len } => {
                    let read = self
                        .transport()
                        .read_range(&path, offset, len, &mut |bytes| {
                            driver.read(bytes);
                        });
                    driver.read_done(read);
                }
                Do::Lookup(lookup) => driver.looked_up(self.execute(&lookup)),
                Do::Terminate(request) => {
                    let _ = self.attempt(&request);
                }
                Do::Finish(result) => return result,
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
            .fingerprint(&resume.token().fingerprint().path)?;
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
}

impl<T: AsyncTransport> AsyncClient<T> {
    /// `POST {uploads}/v3/files` (or a signed URL): uploads a file or folder (see
    /// `BlockingClient::upload_file`; above the TUS threshold, through TUS).
    pub async fn upload_file(&self, request: &UploadFile) -> Result<UploadedFile, Error> {
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
        let mut driver = TusDriver::new(session, self.config().retry_policy());
        loop {
            match driver.next() {
                Do::Send(request) => driver.answered(self.attempt(&request).await),
                Do::Sleep(wait) => self.transport().sleep(wait).await,
                Do::Read { path, offset, len } => {
                    let read = self
                        .transport()
                        .read_range(&path, offset, len, &mut |bytes| driver.read(bytes))
                        .await;
                    driver.read_done(read);
                }
                Do::Lookup(lookup) => driver.looked_up(self.execute(&lookup).await),
                Do::Terminate(request) => {
                    let _ = self.attempt(&request).await;
                }
                Do::Finish(result) => return result,
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
            .fingerprint(&resume.token().fingerprint().path)
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
}

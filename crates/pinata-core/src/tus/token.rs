//! What a TUS session is made of and what it hands out: the upload's fields (what
//! `Upload-Metadata` carries), the plan a session is set up from (an `UploadFile` above the
//! threshold, or a resume token), the serialisable [`ResumeToken`] a caller persists, and a
//! resume's hooks ([`ResumeUpload`]). Plain data: `api::uploads` builds plans from here without
//! depending on the session.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::api::Network;
use crate::api::signed::SignedUrl;
use crate::cid::CidVersion;
use crate::error::BuildError;
use crate::local::FileFingerprint;
use crate::upload::{CancelToken, ProgressFn, UploadProgress};

/// A callback given each new resume token (to persist it).
pub type TokenFn = Arc<dyn Fn(&ResumeToken) + Send + Sync>;

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
    /// The CID version the fields ask for (v1 unless `v0`).
    pub(super) fn version(&self) -> CidVersion {
        if self.cid_version.as_deref() == Some("v0") {
            CidVersion::V0
        } else {
            CidVersion::V1
        }
    }

    /// The network the fields name (private unless a known one).
    pub(super) fn network(&self) -> Network {
        Network::parse(&self.network).unwrap_or(Network::Private)
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
    pub(super) fn with_fingerprint(&mut self, found: FileFingerprint) {
        if found.len == self.len {
            self.fingerprint = found;
        }
    }
}

/// What a crashed or cancelled TUS upload needs to continue in another process: persist
/// [`ResumeToken::to_json`], and give [`ResumeToken::from_json`]'s value to `resume_upload`.
///
/// The upload URL is a credential for the upload, so `Debug` does not show it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResumeToken {
    /// The token format (1).
    pub(super) format: u32,
    pub(super) upload_url: String,
    pub(super) fingerprint: FileFingerprint,
    pub(super) fields: TusFields,
    pub(super) chunk_size: u64,
    pub(super) verify: bool,
    pub(super) signed: bool,
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

/// A resume: the [`ResumeToken`] of the upload to continue, with the same hooks an upload takes
/// (progress over the whole file, a cancel token, and whether a cancellation ends the upload on
/// the server). `resume_upload` takes this or a bare token (`&ResumeToken` converts).
#[derive(Clone)]
pub struct ResumeUpload {
    pub(super) token: ResumeToken,
    pub(super) progress: Option<ProgressFn>,
    pub(super) cancel: Option<CancelToken>,
    pub(super) terminate_on_cancel: bool,
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

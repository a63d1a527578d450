//! `POST /pinning/pinFileToIPFS`: upload a file or a folder, streamed from disk, or bytes in
//! memory.

use std::fmt;
use std::path::PathBuf;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use serde::Serialize;

use super::{PinMetadata, PinResponse};
use crate::cid::{CidVersion, ImportOptions};
use crate::endpoint::{Body, Endpoint};
use crate::error::{BuildError, DecodeError, VerifyError};
use crate::local::Folder;
use crate::multipart::{MultipartBuilder, fresh_boundary};
use crate::upload::{CidPlan, MultipartUpload, ProgressFn, UploadProgress, verify_sent_cid};

/// `pinataOptions` of an upload.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PinOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    cid_version: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    wrap_with_directory: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_id: Option<String>,
}

impl PinOptions {
    /// The CID version `pinFileToIPFS` uses when the options name none: v0, as `ipfs add`.
    pub const DEFAULT_CID_VERSION: CidVersion = CidVersion::V0;

    /// The server's defaults (CIDv0, no wrapping, no group).
    pub fn new() -> Self {
        Self::default()
    }

    /// The CID version of the pin.
    pub fn cid_version(mut self, version: CidVersion) -> Self {
        self.cid_version = Some(version.as_number());
        self
    }

    /// Wraps the upload in a directory (so a file keeps its name in the DAG).
    pub fn wrap_with_directory(mut self, wrap: bool) -> Self {
        self.wrap_with_directory = Some(wrap);
        self
    }

    /// Adds the pin to a group.
    pub fn group(mut self, group_id: impl Into<String>) -> Self {
        self.group_id = Some(group_id.into());
        self
    }

    fn version(&self) -> CidVersion {
        match self.cid_version {
            Some(1) => CidVersion::V1,
            Some(_) => CidVersion::V0,
            None => Self::DEFAULT_CID_VERSION,
        }
    }

    fn is_empty(&self) -> bool {
        self == &PinOptions::default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    File {
        path: PathBuf,
        len: u64,
        name: String,
    },
    Folder(Folder),
    Bytes {
        content: Bytes,
        name: String,
    },
}

/// Uploads one file, or a folder (every file a `file` part whose name carries its path under the
/// folder's name, as the API requires), or bytes in memory ([`PinFile::bytes`]). The body is
/// streamed from disk by the transport; its `Content-Length` is exact, so a file that changes
/// while it is sent fails the upload.
///
/// With [`PinFile::verify_cid`], the CID of the bytes is computed while they stream and a different
/// `IpfsHash` in the answer is an error ([`VerifyError::CidMismatch`]).
///
/// A `PinFile` is an immutable description: one value may be sent by many calls at once, and each
/// call streams, hashes and checks its own body.
#[derive(Clone)]
pub struct PinFile {
    source: Source,
    metadata: PinMetadata,
    options: PinOptions,
    verify: bool,
    progress: Option<ProgressFn>,
    boundary: Option<String>,
    cancel: Option<crate::upload::CancelToken>,
}

impl fmt::Debug for PinFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PinFile")
            .field("source", &self.source)
            .field("metadata", &self.metadata)
            .field("options", &self.options)
            .field("verify", &self.verify)
            .finish_non_exhaustive()
    }
}

impl PinFile {
    fn with_source(source: Source) -> Self {
        Self {
            source,
            metadata: PinMetadata::new(),
            options: PinOptions::new(),
            verify: false,
            progress: None,
            boundary: None,
            cancel: None,
        }
    }

    /// Uploads the file at `path`, `len` bytes long (from its metadata; the adapters'
    /// `pin_request` stats the path for you and checks it is a regular file). The part is named
    /// after the file.
    pub fn file(path: impl Into<PathBuf>, len: u64) -> Result<Self, BuildError> {
        let path = path.into();
        let name = crate::multipart::file_name_of(&path)?;
        Ok(Self::with_source(Source::File { path, len, name }))
    }

    /// Uploads `content`, in memory, as a file named `filename` (as `UploadFile::bytes` does for
    /// v3 uploads). An empty name, or one with `"`, CR, LF or NUL, is refused.
    ///
    /// ```
    /// use pinata_core::api::pinning::PinFile;
    /// let pin = PinFile::bytes("hello.txt", "hello")?.verify_cid(true);
    /// assert_eq!(pin.content_len(), 5);
    /// # Ok::<(), pinata_core::BuildError>(())
    /// ```
    pub fn bytes(
        filename: impl Into<String>,
        content: impl Into<Bytes>,
    ) -> Result<Self, BuildError> {
        let name = filename.into();
        crate::multipart::check_name(&name)?;
        if name.is_empty() {
            return Err(BuildError::InvalidInput(
                "an uploaded file needs a name".into(),
            ));
        }
        Ok(Self::with_source(Source::Bytes {
            content: content.into(),
            name,
        }))
    }

    /// Uploads a scanned folder (see `pinata_core::local::FolderScan`). Empty directories are not
    /// sent: a multipart body cannot carry them.
    pub fn folder(folder: Folder) -> Result<Self, BuildError> {
        if folder.files.is_empty() {
            return Err(BuildError::InvalidInput(format!(
                "the folder {:?} has no files to upload",
                folder.name
            )));
        }
        Ok(Self::with_source(Source::Folder(folder)))
    }

    /// Name and key-values of the pin.
    pub fn metadata(mut self, metadata: PinMetadata) -> Self {
        self.metadata = metadata;
        self
    }

    /// `pinataOptions`.
    pub fn options(mut self, options: PinOptions) -> Self {
        self.options = options;
        self
    }

    /// Computes the CID while the upload streams and refuses an answer with another CID.
    pub fn verify_cid(mut self, verify: bool) -> Self {
        self.verify = verify;
        self
    }

    /// Calls `progress` as bytes are sent (from the transport's thread or task).
    pub fn on_progress(
        mut self,
        progress: impl Fn(UploadProgress) + Send + Sync + 'static,
    ) -> Self {
        self.progress = Some(std::sync::Arc::new(progress));
        self
    }

    /// Stops the upload at its next step when `token` is cancelled (from another thread or task,
    /// or from the progress callback); the call fails with `LocalError::Cancelled`.
    pub fn cancel_with(mut self, token: crate::upload::CancelToken) -> Self {
        self.cancel = Some(token);
        self
    }

    /// Fixes the multipart boundary (for reproducible requests in tests).
    pub fn boundary(mut self, boundary: impl Into<String>) -> Self {
        self.boundary = Some(boundary.into());
        self
    }

    /// Total bytes of the files.
    pub fn content_len(&self) -> u64 {
        match &self.source {
            Source::File { len, .. } => *len,
            Source::Folder(f) => f.total_len(),
            Source::Bytes { content, .. } => content.len() as u64,
        }
    }

    fn build(&self) -> Result<MultipartUpload, BuildError> {
        let boundary = self.boundary.clone().unwrap_or_else(fresh_boundary);
        let mut body = MultipartBuilder::new(boundary);
        if !self.options.is_empty() {
            let json = serde_json::to_string(&self.options).map_err(BuildError::Serialize)?;
            body = body.text("pinataOptions", &json)?;
        }
        if !self.metadata.is_empty() {
            body = body.text("pinataMetadata", &self.metadata.to_json()?)?;
        }
        let wrap = self.options.wrap_with_directory == Some(true);
        // Each file part with the path it takes in the DAG the server builds.
        let mut dag_paths = Vec::new();
        match &self.source {
            Source::File { path, len, name } => {
                body = body.file("file", name, path.clone(), *len)?;
                dag_paths.push(if wrap { name.clone() } else { String::new() });
            }
            Source::Folder(folder) => {
                for f in &folder.files {
                    let part_name = format!("{}/{}", folder.name, f.relative);
                    body = body.file("file", &part_name, f.path.clone(), f.len)?;
                    dag_paths.push(if wrap { part_name } else { f.relative.clone() });
                }
            }
            Source::Bytes { content, name } => {
                body =
                    body.file_bytes("file", name, "application/octet-stream", content.clone())?;
                dag_paths.push(if wrap { name.clone() } else { String::new() });
            }
        }
        let plan = body.finish();
        let cid = self
            .verify
            .then(|| CidPlan::new(ImportOptions::new(self.options.version()), &plan, dag_paths));
        Ok(
            MultipartUpload::new(plan, self.progress.clone(), cid)
                .cancelled_by(self.cancel.clone()),
        )
    }
}

impl Endpoint for PinFile {
    type Output = PinResponse;

    fn method(&self) -> Method {
        Method::POST
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        Ok("/pinning/pinFileToIPFS".to_owned())
    }

    fn body(&self) -> Result<Body, BuildError> {
        Ok(Body::Multipart(self.build()?))
    }

    fn parse(
        &self,
        status: StatusCode,
        _: &HeaderMap,
        body: &Bytes,
    ) -> Result<PinResponse, DecodeError> {
        DecodeError::decode_json(status, body)
    }

    fn repeatable(&self) -> crate::retry::Repeatable {
        crate::retry::Repeatable::Upload
    }

    fn verify(&self, sent: &Body, output: &PinResponse) -> Result<(), VerifyError> {
        verify_sent_cid(sent.upload(), &output.ipfs_hash)
    }
}

//! v3 uploads: `POST {uploads}/v3/files` (multipart, `pinata-v3-api.md` §1.2), and the same form
//! posted to a signed upload URL by a client that holds no credentials. Needs `org:files:write`
//! (a signed URL needs nothing: its signature is the grant).
//!
//! One call for every source: a file on disk (streamed, with progress and CID checking as the
//! legacy upload does), bytes in memory, any reader of known length (streamed once), or a folder.
//! Folders go to v3 as repeated `file` parts (what the SDK 2.5.6 sends to a signed URL, and what
//! its open PR #97 sends for every folder), or to the legacy `pinFileToIPFS` for keys that hold
//! only legacy permissions ([`FolderEndpoint`]: chosen by the credentials, and by the answer — a
//! Bearer key the v3 endpoint refuses with `NO_SCOPES_FOUND` is tried once on the legacy one).
//! Pinata documents folder uploads for public IPFS only, so a private folder without a signed URL
//! is refused before sending.
//!
//! Resumable (TUS) uploads of large files are a separate protocol on the same URL; this module is
//! the single-request form, and its fields are what TUS's `Upload-Metadata` carries too.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use serde::{Deserialize, Serialize};

use super::pinning::{PinFile, PinMetadata, PinOptions};
use super::signed::SignedUrl;
use super::v3::{Network, decode_data};
use super::validate::{check_expiry, check_keyvalues};
use crate::cid::{CidVersion, ImportOptions};
use crate::config::Origin;
use crate::endpoint::{Body, Endpoint};
use crate::error::{BuildError, DecodeError, VerifyError};
use crate::local::Folder;
use crate::multipart::{MultipartBuilder, fresh_boundary};
use crate::retry::Repeatable;
use crate::upload::{CidPlan, MultipartUpload, ProgressFn, UploadProgress, verify_sent_cid};

pub use crate::multipart::ReaderSource;

/// The answer to a v3 upload. `Serialize` writes the shape it is read from; `Debug` shows
/// `created_at` as a date; [`UploadedFile::new`] makes one for a test.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UploadedFile {
    /// The file's id.
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// Its CID (`pending` for a CAR being processed).
    pub cid: String,
    /// Size in bytes.
    #[serde(default)]
    pub size: u64,
    /// Files inside.
    #[serde(default)]
    pub number_of_files: u64,
    /// Detected MIME type.
    #[serde(default)]
    pub mime_type: Option<String>,
    /// The group it joined.
    #[serde(default)]
    pub group_id: Option<String>,
    /// Its key-values.
    #[serde(default, deserialize_with = "super::v3::string_map")]
    pub keyvalues: BTreeMap<String, String>,
    /// When it was added.
    #[serde(
        serialize_with = "crate::time::serialize",
        deserialize_with = "crate::time::deserialize"
    )]
    pub created_at: SystemTime,
    /// The network, when the server says.
    #[serde(default)]
    pub network: Option<Network>,
    /// `true` when the account already held this CID.
    #[serde(default)]
    pub is_duplicate: Option<bool>,
}

/// The legacy folder answer, mapped to [`UploadedFile`] as the official SDK maps it.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LegacyAnswer {
    #[serde(rename = "ID", default)]
    id: String,
    #[serde(default)]
    name: Option<String>,
    ipfs_hash: String,
    pin_size: u64,
    #[serde(deserialize_with = "crate::time::deserialize")]
    timestamp: SystemTime,
    #[serde(default)]
    number_of_files: Option<u64>,
    #[serde(default)]
    mime_type: Option<String>,
    #[serde(default)]
    group_id: Option<String>,
    #[serde(rename = "isDuplicate", default)]
    is_duplicate: Option<bool>,
}

pub use super::validate::MAX_EXPIRES_AT;

/// A content type from a file name's extension (the types a browser would give the common web
/// files; `application/octet-stream` otherwise).
pub fn mime_type_of(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "txt" => "text/plain",
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "js" | "mjs" => "application/javascript",
        "json" => "application/json",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        "pdf" => "application/pdf",
        "mp4" => "video/mp4",
        "md" => "text/markdown",
        "car" => "application/vnd.ipld.car",
        _ => "application/octet-stream",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    File { path: PathBuf, len: u64 },
    Bytes(Bytes),
    Reader { source: ReaderSource, len: u64 },
    Folder(Folder),
}

/// Where a folder upload without a signed URL goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FolderEndpoint {
    /// `POST {uploads}/v3/files`, one `file` part per file plus the v3 fields: needs Bearer
    /// credentials with `org:files:write`.
    V3,
    /// The legacy `POST /pinning/pinFileToIPFS` (the answer mapped as the SDK maps it): needs the
    /// `pinFileToIPFS` endpoint permission; cannot expire, be a CAR or streamable.
    Legacy,
}

/// Uploads a file or folder through the v3 API (or to a signed URL).
///
/// The network defaults to **private**: the v3 spec's default, and the one that publishes nothing
/// by accident. The CID version defaults to **v1**, what the v3 API answers when not told (its
/// examples are `bafy…`/`bafk…` CIDs; an inference, written down here).
///
/// Like [`PinFile`], a value is an immutable description: many calls may send it at once, each
/// streaming and checking its own body (except a reader, which can be sent once).
#[derive(Clone)]
pub struct UploadFile {
    source: Source,
    filename: String,
    network: Network,
    name: Option<String>,
    group_id: Option<String>,
    keyvalues: BTreeMap<String, String>,
    cid_version: Option<CidVersion>,
    expires_at: Option<u64>,
    car: bool,
    streamable: bool,
    verify: bool,
    progress: Option<ProgressFn>,
    boundary: Option<String>,
    signed_url: Option<SignedUrl>,
    fingerprint: Option<crate::local::FileFingerprint>,
    cancel: Option<crate::upload::CancelToken>,
    on_token: Option<crate::tus::TokenFn>,
    terminate_on_cancel: bool,
    restart_if_lost: bool,
    /// Set: the folder goes there and nowhere else. Unset: chosen by the client (see
    /// [`UploadFile::folder_endpoint`]).
    folder_endpoint: Option<FolderEndpoint>,
}

impl fmt::Debug for UploadFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UploadFile")
            .field("source", &self.source)
            .field("filename", &self.filename)
            .field("network", &self.network)
            .field("name", &self.name)
            .field("group_id", &self.group_id)
            .field("verify", &self.verify)
            .field("signed_url", &self.signed_url)
            .finish_non_exhaustive()
    }
}

impl UploadFile {
    /// The CID version of a v3 upload that names none: v1.
    pub const DEFAULT_CID_VERSION: CidVersion = CidVersion::V1;

    fn with_source(source: Source, filename: String) -> Result<Self, BuildError> {
        crate::multipart::check_name(&filename)?;
        if filename.is_empty() {
            return Err(BuildError::InvalidInput(
                "an uploaded file needs a name".into(),
            ));
        }
        Ok(Self {
            source,
            filename,
            network: Network::Private,
            name: None,
            group_id: None,
            keyvalues: BTreeMap::new(),
            cid_version: None,
            expires_at: None,
            car: false,
            streamable: false,
            verify: false,
            progress: None,
            boundary: None,
            signed_url: None,
            fingerprint: None,
            cancel: None,
            on_token: None,
            terminate_on_cancel: false,
            restart_if_lost: false,
            folder_endpoint: None,
        })
    }

    /// The file at `path`, `len` bytes long (the adapters' `upload_request` stats it for you),
    /// named after the path's last component.
    pub fn path(path: impl Into<PathBuf>, len: u64) -> Result<Self, BuildError> {
        let path = path.into();
        let filename = crate::multipart::file_name_of(&path)?;
        Self::with_source(Source::File { path, len }, filename)
    }

    /// `content`, uploaded as a file named `filename`.
    pub fn bytes(
        filename: impl Into<String>,
        content: impl Into<Bytes>,
    ) -> Result<Self, BuildError> {
        Self::with_source(Source::Bytes(content.into()), filename.into())
    }

    /// `len` bytes read from `reader` (made by `pinata_ureq::reader` or `pinata_hyper::reader`),
    /// uploaded as a file named `filename`. A reader that yields another length fails the upload.
    pub fn reader(
        filename: impl Into<String>,
        reader: ReaderSource,
        len: u64,
    ) -> Result<Self, BuildError> {
        Self::with_source(
            Source::Reader {
                source: reader,
                len,
            },
            filename.into(),
        )
    }

    /// A scanned folder (see `pinata_core::local::FolderScan`); public IPFS only unless sent to a
    /// signed URL.
    ///
    /// Without a signed URL a folder goes to the legacy `POST /pinning/pinFileToIPFS`, as the
    /// official SDK's `fileArray` does: the key needs that endpoint's permission (or admin; a key
    /// scoped only with v3 resources is refused there), and the answer's `id` is the pin's, which
    /// the v3 file calls do not know.
    pub fn folder(folder: Folder) -> Result<Self, BuildError> {
        if folder.files.is_empty() {
            return Err(BuildError::InvalidInput(format!(
                "the folder {:?} has no files to upload",
                folder.name
            )));
        }
        let filename = folder.name.clone();
        Self::with_source(Source::Folder(folder), filename)
    }

    /// The network (private unless set).
    pub fn network(mut self, network: Network) -> Self {
        self.network = network;
        self
    }

    /// The file's name in the account (the file name unless set).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The group the file joins.
    pub fn group(mut self, group_id: impl Into<String>) -> Self {
        self.group_id = Some(group_id.into());
        self
    }

    /// A key-value the file carries (at most [`MAX_FILE_KEYVALUES`](super::files::MAX_FILE_KEYVALUES)).
    pub fn keyvalue(
        mut self,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<Self, BuildError> {
        self.keyvalues.insert(key.into(), value.into());
        check_keyvalues(&self.keyvalues)?;
        Ok(self)
    }

    /// The CID version (v1 unless set).
    pub fn cid_version(mut self, version: CidVersion) -> Self {
        self.cid_version = Some(version);
        self
    }

    /// Removes the file at this moment (unix seconds, 1 to the end of year 9999; a moment already
    /// past is refused by the server).
    pub fn expires_at(mut self, unix_seconds: u64) -> Result<Self, BuildError> {
        check_expiry(unix_seconds)?;
        self.expires_at = Some(unix_seconds);
        Ok(self)
    }

    /// The file is a CAR whose root becomes the CID (public only; processed asynchronously, so
    /// the answer may say `pending`).
    pub fn car(mut self) -> Self {
        self.car = true;
        self
    }

    /// Marks the file for streaming playback (video).
    pub fn streamable(mut self) -> Self {
        self.streamable = true;
        self
    }

    /// Computes the CID while the upload streams and refuses an answer with another CID.
    pub fn verify_cid(mut self, verify: bool) -> Self {
        self.verify = verify;
        self
    }

    /// Calls `progress` as bytes are sent.
    pub fn on_progress(
        mut self,
        progress: impl Fn(UploadProgress) + Send + Sync + 'static,
    ) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// Fixes the multipart boundary (for reproducible requests in tests).
    pub fn boundary(mut self, boundary: impl Into<String>) -> Self {
        self.boundary = Some(boundary.into());
        self
    }

    /// Posts to `url`, a signed upload URL, with no credential at all: what a browser or a
    /// third-party uploader does with a URL a server signed for it.
    pub fn to_signed_url(mut self, url: SignedUrl) -> Self {
        self.signed_url = Some(url);
        self
    }

    /// Stops the upload at its next step when `token` is cancelled (from another thread or task,
    /// or from the progress callback); the call fails with `LocalError::Cancelled`.
    pub fn cancel_with(mut self, token: crate::upload::CancelToken) -> Self {
        self.cancel = Some(token);
        self
    }

    /// A cancelled resumable upload is ended on the server (`DELETE`) rather than kept for a
    /// resume.
    pub fn terminate_on_cancel(mut self, terminate: bool) -> Self {
        self.terminate_on_cancel = terminate;
        self
    }

    /// Sends a folder (without a signed URL) to `endpoint` and nowhere else. Unset, the clients'
    /// `upload_file` chooses: v3 for Bearer (JWT) credentials — and, should the v3 endpoint refuse
    /// the key with 403 `NO_SCOPES_FOUND` (a key made with legacy permissions only), the legacy
    /// endpoint once — and the legacy endpoint for a key pair, which v3 endpoints do not take.
    pub fn folder_endpoint(mut self, endpoint: FolderEndpoint) -> Self {
        self.folder_endpoint = Some(endpoint);
        self
    }

    /// This upload as sent with credentials of `scheme`: a folder whose endpoint was not chosen
    /// goes to the legacy endpoint with a key pair (v3 takes Bearer only), else as it is.
    pub(crate) fn routed_for(&self, scheme: crate::credentials::Scheme) -> Option<UploadFile> {
        let automatic = matches!(self.source, Source::Folder(_))
            && self.signed_url.is_none()
            && self.folder_endpoint.is_none();
        (automatic && scheme == crate::credentials::Scheme::KeyPair)
            .then(|| self.clone().folder_endpoint(FolderEndpoint::Legacy))
    }

    /// What to send after `error` answered this upload: the same folder to the legacy endpoint,
    /// when it went to v3 by the client's choice and the key holds no v3 files scope (403
    /// `NO_SCOPES_FOUND`). Anything else is final.
    pub(crate) fn legacy_fallback(&self, error: &crate::Error) -> Option<UploadFile> {
        let automatic = matches!(self.source, Source::Folder(_))
            && self.signed_url.is_none()
            && self.folder_endpoint.is_none();
        let no_scope = error.status() == Some(StatusCode::FORBIDDEN)
            && error.reason() == Some(crate::api::reason::NO_SCOPES_FOUND);
        (automatic && no_scope).then(|| self.clone().folder_endpoint(FolderEndpoint::Legacy))
    }

    /// A resumable (TUS) upload the server lost (404 or 410) starts over from the first byte
    /// instead of failing (the default: it fails, so nothing is sent twice unasked).
    pub fn restart_if_lost(mut self, restart: bool) -> Self {
        self.restart_if_lost = restart;
        self
    }

    /// Calls `persist` with the resume token once a resumable (TUS) upload was created, so the
    /// caller can store it and resume after a crash.
    pub fn on_resume_token(
        mut self,
        persist: impl Fn(&crate::tus::ResumeToken) + Send + Sync + 'static,
    ) -> Self {
        self.on_token = Some(Arc::new(persist));
        self
    }

    /// The file's fingerprint (canonical path, length, modification time), which a resume checks;
    /// the adapters' `upload_request` sets it.
    pub fn fingerprint(mut self, fingerprint: crate::local::FileFingerprint) -> Self {
        self.fingerprint = Some(fingerprint);
        self
    }

    /// The TUS plan of this upload when it goes through TUS: a file on disk larger than
    /// `threshold` (not a CAR, a reader, bytes or a folder).
    pub(crate) fn tus_plan(&self, threshold: u64) -> Option<crate::tus::TusPlan> {
        let Source::File { path, len } = &self.source else {
            return None;
        };
        if *len <= threshold || self.car {
            return None;
        }
        Some(crate::tus::TusPlan {
            path: path.clone(),
            len: *len,
            fingerprint: self
                .fingerprint
                .clone()
                .unwrap_or_else(|| crate::local::FileFingerprint::new(path.clone(), *len, None)),
            fields: crate::tus::TusFields {
                filename: self.filename.clone(),
                network: self.network.as_str().to_owned(),
                name: self.name.clone(),
                group_id: self.group_id.clone(),
                keyvalues: self.keyvalues.clone(),
                cid_version: self
                    .cid_version
                    .map(|v| if v == CidVersion::V0 { "v0" } else { "v1" }.to_owned()),
                expires_at: self.expires_at,
                streamable: self.streamable,
            },
            verify: self.verify,
            signed: self.signed_url.clone(),
            progress: self.progress.clone(),
            cancel: self.cancel.clone(),
            on_token: self.on_token.clone(),
            allow_restart: self.restart_if_lost,
            terminate_on_cancel: self.terminate_on_cancel,
        })
    }

    /// Total bytes of the content.
    pub fn content_len(&self) -> u64 {
        match &self.source {
            Source::File { len, .. } | Source::Reader { len, .. } => *len,
            Source::Bytes(b) => b.len() as u64,
            Source::Folder(f) => f.total_len(),
        }
    }

    fn version(&self) -> CidVersion {
        self.cid_version.unwrap_or(Self::DEFAULT_CID_VERSION)
    }

    /// Whether this upload goes to the legacy folder endpoint.
    fn is_legacy_folder(&self) -> bool {
        matches!(self.source, Source::Folder(_))
            && self.signed_url.is_none()
            && self.folder_endpoint == Some(FolderEndpoint::Legacy)
    }

    /// Refuses a private folder without a signed URL, before anything is sent.
    fn check_folder_network(&self) -> Result<(), BuildError> {
        if matches!(self.source, Source::Folder(_))
            && self.signed_url.is_none()
            && self.network != Network::Public
        {
            return Err(BuildError::PrivateFolder);
        }
        Ok(())
    }

    fn legacy_folder(&self, folder: &Folder) -> Result<PinFile, BuildError> {
        self.check_folder_network()?;
        if self.expires_at.is_some() || self.car || self.streamable {
            return Err(BuildError::InvalidInput(
                "a folder upload (the legacy endpoint) cannot expire, be a CAR or streamable"
                    .into(),
            ));
        }
        let mut metadata =
            PinMetadata::new().name(self.name.clone().unwrap_or_else(|| folder.name.clone()));
        for (k, v) in &self.keyvalues {
            metadata = metadata.keyvalue(k.clone(), v.clone())?;
        }
        let mut options = PinOptions::new().cid_version(self.version());
        if let Some(group) = &self.group_id {
            options = options.group(group.clone());
        }
        let mut pin = PinFile::folder(folder.clone())?
            .metadata(metadata)
            .options(options)
            .verify_cid(self.verify);
        if let Some(boundary) = &self.boundary {
            pin = pin.boundary(boundary.clone());
        }
        if let Some(progress) = &self.progress {
            let progress = Arc::clone(progress);
            pin = pin.on_progress(move |p| progress(p));
        }
        if let Some(cancel) = &self.cancel {
            pin = pin.cancel_with(cancel.clone());
        }
        Ok(pin)
    }

    fn build(&self) -> Result<MultipartUpload, BuildError> {
        self.check_folder_network()?;
        if self.car && self.verify {
            return Err(BuildError::InvalidInput(
                "a CAR upload's CID is its root's, which CID checking cannot compute".into(),
            ));
        }
        let boundary = self.boundary.clone().unwrap_or_else(fresh_boundary);
        let mut body = MultipartBuilder::new(boundary);
        let mut dag_paths = Vec::new();
        let content_type = if self.car {
            "application/vnd.ipld.car"
        } else {
            mime_type_of(&self.filename)
        };
        match &self.source {
            Source::File { path, len } => {
                body = body.file_typed("file", &self.filename, content_type, path.clone(), *len)?;
                dag_paths.push(String::new());
            }
            Source::Bytes(content) => {
                body = body.file_bytes("file", &self.filename, content_type, content.clone())?;
                dag_paths.push(String::new());
            }
            Source::Reader { source, len } => {
                body =
                    body.file_reader("file", &self.filename, content_type, source.clone(), *len)?;
                dag_paths.push(String::new());
            }
            Source::Folder(folder) => {
                for f in &folder.files {
                    let part_name = format!("{}/{}", folder.name, f.relative);
                    let part_type = mime_type_of(&f.relative);
                    body = body.file_typed("file", &part_name, part_type, f.path.clone(), f.len)?;
                    dag_paths.push(f.relative.clone());
                }
            }
        }
        body = body
            .text("network", self.network.as_str())?
            .text("name", self.name.as_deref().unwrap_or(&self.filename))?;
        if let Some(group) = &self.group_id {
            body = body.text("group_id", group)?;
        }
        if !self.keyvalues.is_empty() {
            let json = serde_json::to_string(&self.keyvalues).map_err(BuildError::Serialize)?;
            body = body.text("keyvalues", &json)?;
        }
        if self.streamable {
            body = body.text("streamable", "true")?;
        }
        if self.car {
            body = body.text("car", "true")?;
        }
        if let Some(version) = self.cid_version {
            body = body.text(
                "cid_version",
                if version == CidVersion::V0 {
                    "v0"
                } else {
                    "v1"
                },
            )?;
        }
        if let Some(at) = self.expires_at {
            body = body.text("expires_at", &at.to_string())?;
        }
        let plan = body.finish();
        let cid = self
            .verify
            .then(|| CidPlan::new(ImportOptions::new(self.version()), &plan, dag_paths));
        Ok(
            MultipartUpload::new(plan, self.progress.clone(), cid)
                .cancelled_by(self.cancel.clone()),
        )
    }
}

impl Endpoint for UploadFile {
    type Output = UploadedFile;

    fn method(&self) -> Method {
        Method::POST
    }

    fn origin(&self) -> Origin {
        match (&self.signed_url, self.is_legacy_folder()) {
            (Some(_), _) => Origin::Signed,
            (None, true) => Origin::Api,
            (None, false) => Origin::Uploads,
        }
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        match (&self.signed_url, &self.source) {
            (Some(url), _) => Ok(url.as_str().to_owned()),
            (None, Source::Folder(folder)) if self.is_legacy_folder() => {
                self.legacy_folder(folder)?.path_and_query()
            }
            (None, _) => Ok("/v3/files".to_owned()),
        }
    }

    fn body(&self) -> Result<Body, BuildError> {
        match (&self.signed_url, &self.source) {
            (None, Source::Folder(folder)) if self.is_legacy_folder() => {
                self.legacy_folder(folder)?.body()
            }
            _ => Ok(Body::Multipart(self.build()?)),
        }
    }

    fn parse(
        &self,
        status: StatusCode,
        _: &HeaderMap,
        body: &Bytes,
    ) -> Result<UploadedFile, DecodeError> {
        if !self.is_legacy_folder() {
            return decode_data(status, body);
        }
        let legacy: LegacyAnswer = DecodeError::decode_json(status, body)?;
        Ok(UploadedFile {
            id: legacy.id,
            name: legacy.name,
            cid: legacy.ipfs_hash,
            size: legacy.pin_size,
            number_of_files: legacy.number_of_files.unwrap_or(0),
            mime_type: legacy.mime_type,
            group_id: legacy.group_id,
            keyvalues: self.keyvalues.clone(),
            created_at: legacy.timestamp,
            // What the official SDK reports for a folder upload.
            network: Some(Network::Public),
            is_duplicate: legacy.is_duplicate,
        })
    }

    fn verify(&self, sent: &Body, output: &UploadedFile) -> Result<(), VerifyError> {
        verify_sent_cid(sent.upload(), &output.cid)
    }

    /// An upload may be sent again only from a source that can be read again.
    fn repeatable(&self) -> Repeatable {
        match self.source {
            Source::Reader { .. } => Repeatable::Unsafe,
            _ => Repeatable::Upload,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::multipart::Segment;

    fn rendered(body: &Body) -> String {
        let upload = body.upload().unwrap();
        upload
            .plan()
            .segments()
            .iter()
            .map(|s| match s {
                Segment::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
                other => "#".repeat(other.len() as usize),
            })
            .collect()
    }

    #[test]
    fn the_form_is_the_sdks() {
        let upload = UploadFile::bytes("hello.txt", "hi!")
            .unwrap()
            .network(Network::Public)
            .group("g1")
            .keyvalue("env", "prod")
            .unwrap()
            .cid_version(CidVersion::V0)
            .expires_at(1_900_000_000)
            .unwrap()
            .boundary("B");
        assert_eq!(upload.origin(), Origin::Uploads);
        assert_eq!(upload.path_and_query().unwrap(), "/v3/files");
        let body = upload.body().unwrap();
        assert_eq!(
            rendered(&body),
            "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"hello.txt\"\r\n\
             Content-Type: text/plain\r\n\r\nhi!\r\n\
             --B\r\nContent-Disposition: form-data; name=\"network\"\r\n\r\npublic\r\n\
             --B\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nhello.txt\r\n\
             --B\r\nContent-Disposition: form-data; name=\"group_id\"\r\n\r\ng1\r\n\
             --B\r\nContent-Disposition: form-data; name=\"keyvalues\"\r\n\r\n{\"env\":\"prod\"}\r\n\
             --B\r\nContent-Disposition: form-data; name=\"cid_version\"\r\n\r\nv0\r\n\
             --B\r\nContent-Disposition: form-data; name=\"expires_at\"\r\n\r\n1900000000\r\n--B--\r\n"
        );
        assert_eq!(body.content_length(), rendered(&body).len() as u64);
    }

    #[test]
    fn defaults_signed_urls_and_folders() {
        let upload = UploadFile::bytes("a.bin", vec![1u8, 2]).unwrap();
        assert!(rendered(&upload.body().unwrap()).contains("\r\n\r\nprivate\r\n"));
        let signed = upload.clone().to_signed_url(SignedUrl::new(
            "https://uploads.pinata.cloud/v3/files/x?X-Signature=s",
        ));
        assert_eq!(signed.origin(), Origin::Signed);
        assert_eq!(
            signed.path_and_query().unwrap(),
            "https://uploads.pinata.cloud/v3/files/x?X-Signature=s"
        );
        let folder = Folder {
            name: "site".into(),
            files: vec![crate::local::LocalFile {
                path: "/tmp/site/index.html".into(),
                relative: "index.html".into(),
                len: 3,
            }],
            empty_dirs: Vec::new(),
        };
        let private = UploadFile::folder(folder.clone()).unwrap();
        assert!(private.body().is_err(), "private folders need a signed URL");
        let public = UploadFile::folder(folder.clone())
            .unwrap()
            .network(Network::Public);
        // A folder goes to v3 unless told, or routed, otherwise.
        assert_eq!(public.origin(), Origin::Uploads);
        assert_eq!(public.path_and_query().unwrap(), "/v3/files");
        let v3 = rendered(&public.body().unwrap());
        assert!(v3.contains("filename=\"site/index.html\""), "{v3}");
        assert!(v3.contains("name=\"network\"\r\n\r\npublic"), "{v3}");
        let legacy = public.clone().folder_endpoint(FolderEndpoint::Legacy);
        assert_eq!(legacy.origin(), Origin::Api);
        assert_eq!(legacy.path_and_query().unwrap(), "/pinning/pinFileToIPFS");
        assert!(rendered(&legacy.body().unwrap()).contains("filename=\"site/index.html\""));
        assert!(
            UploadFile::folder(folder.clone())
                .unwrap()
                .folder_endpoint(FolderEndpoint::Legacy)
                .body()
                .is_err(),
            "private folders are refused on either endpoint"
        );
        let to_url = UploadFile::folder(folder)
            .unwrap()
            .to_signed_url(SignedUrl::new("http://127.0.0.1:1/v3/files/x"));
        assert!(rendered(&to_url.body().unwrap()).contains("name=\"network\""));
        assert!(UploadFile::bytes("", "x").is_err());
        assert!(UploadFile::bytes("a\"b", "x").is_err());
        assert!(
            UploadFile::bytes("c.car", "x")
                .unwrap()
                .car()
                .verify_cid(true)
                .body()
                .is_err()
        );
    }

    #[test]
    fn a_folder_s_endpoint_follows_the_credentials_and_the_answer() {
        use crate::credentials::Scheme;
        let folder = UploadFile::folder(Folder {
            name: "f".into(),
            files: vec![crate::local::LocalFile {
                path: "/x".into(),
                relative: "x".into(),
                len: 1,
            }],
            empty_dirs: Vec::new(),
        })
        .unwrap()
        .network(Network::Public);
        // A key pair: v3 endpoints take Bearer only.
        let routed = folder.routed_for(Scheme::KeyPair).unwrap();
        assert_eq!(routed.path_and_query().unwrap(), "/pinning/pinFileToIPFS");
        assert!(folder.routed_for(Scheme::Jwt).is_none());
        // A Bearer key v3 refuses for want of a scope: once more, on the legacy endpoint.
        let answer = |status: u16, body: &str| {
            let response = http::Response::builder()
                .status(status)
                .body(Bytes::from(body.to_owned()))
                .unwrap();
            crate::interpret_response(&folder, &folder.body().unwrap(), response).unwrap_err()
        };
        let no_scope = answer(
            403,
            r#"{"error":{"reason":"NO_SCOPES_FOUND","details":"no scope"}}"#,
        );
        let fallback = folder.legacy_fallback(&no_scope).unwrap();
        assert_eq!(fallback.path_and_query().unwrap(), "/pinning/pinFileToIPFS");
        assert!(fallback.legacy_fallback(&no_scope).is_none(), "tried once");
        for other in [
            answer(
                403,
                r#"{"error":{"reason":"API_KEY_REVOKED","details":"x"}}"#,
            ),
            answer(500, r#"{"error":"boom"}"#),
        ] {
            assert!(folder.legacy_fallback(&other).is_none(), "{other}");
        }
        // A chosen endpoint, a file, or a signed URL: never rerouted.
        let chosen = folder.clone().folder_endpoint(FolderEndpoint::V3);
        assert!(chosen.routed_for(Scheme::KeyPair).is_none());
        assert!(chosen.legacy_fallback(&no_scope).is_none());
        let file = UploadFile::bytes("a", "x").unwrap();
        assert!(file.routed_for(Scheme::KeyPair).is_none());
        assert!(file.legacy_fallback(&no_scope).is_none());
    }

    #[test]
    fn legacy_folder_answers_map_like_the_sdk() {
        let upload = UploadFile::folder(Folder {
            name: "f".into(),
            files: vec![crate::local::LocalFile {
                path: "/x".into(),
                relative: "x".into(),
                len: 1,
            }],
            empty_dirs: Vec::new(),
        })
        .unwrap()
        .network(Network::Public)
        .folder_endpoint(FolderEndpoint::Legacy);
        let answer = upload
            .parse(
                StatusCode::OK,
                &HeaderMap::new(),
                &Bytes::from_static(
                    br#"{"ID":"i","Name":"f","IpfsHash":"bafy","PinSize":9,"Timestamp":"2026-01-01T00:00:00Z","NumberOfFiles":1}"#,
                ),
            )
            .unwrap();
        assert_eq!((answer.cid.as_str(), answer.size), ("bafy", 9));
        assert_eq!(answer.network, Some(Network::Public));
    }
}

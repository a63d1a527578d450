//! Downloads from the account's gateway, streamed: a public CID (`/ipfs/<cid>[/path]`, with the
//! gateway key) or a signed link to a private file (`/files/<cid>?X-…`, no credential). The body is
//! never held whole: the transport hands it over piece by piece ([`crate::transport`]'s
//! `send_streaming`), and [`DownloadCheck`] counts each piece against the cap, reports progress
//! and, when asked, computes the CID of the bytes on the same pass.
//!
//! The clients drive this (`download_to` on the blocking client, `download` on the async one);
//! the adapters add `download_to_path`, which writes beside the destination and renames only once
//! every check passed.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode, header};

use std::io::Read;
use std::time::SystemTime;

use http::Response;

use crate::api::signed::{CreateDownloadLink, SignedUrl, gateway_path};
use crate::cid::{Cid, FileImporter, ImportOptions};
use crate::client::{AsyncClient, BlockingClient};
use crate::config::Origin;
use crate::endpoint::Endpoint;
use crate::error::{
    BuildError, DecodeError, Error, TransportError, TransportErrorKind, VerifyError,
};
use crate::exchange::{error_response, prepare_request};
use crate::retry::{Attempts, Next};
use crate::transport::{AsyncTransport, BlockingTransport, BodyReader, BodyStream};

/// The default cap of a download: 1 GiB.
pub const DEFAULT_MAX_DOWNLOAD: u64 = 1 << 30;

/// A fresh temporary file name for a download to `path`, in the same directory (so the final
/// rename stays on one file system): `.<name>.<process>-<n>.pinata-part`, different for every
/// call, so two downloads to one path never write the same file. Create it with `create_new`
/// (never following a link already there).
pub fn partial_path(path: &std::path::Path) -> std::path::PathBuf {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}-{n}.pinata-part", std::process::id()))
}

/// How far a download has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DownloadProgress {
    /// Bytes received so far.
    pub received: u64,
    /// The whole body, when the server announced its length.
    pub total: Option<u64>,
}

/// A progress callback of a download.
pub type DownloadProgressFn = Arc<dyn Fn(DownloadProgress) + Send + Sync>;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Public {
        cid: String,
        path: String,
        /// Image options, in order.
        options: Vec<(String, String)>,
    },
    Signed(SignedUrl),
}

/// One download: what to fetch, the most bytes to accept, and what to check.
#[derive(Clone)]
pub struct Download {
    target: Target,
    max_bytes: u64,
    expected: Option<Cid>,
    progress: Option<DownloadProgressFn>,
}

impl fmt::Debug for Download {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Download")
            .field("target", &self.target)
            .field("max_bytes", &self.max_bytes)
            .field("expected", &self.expected)
            .finish_non_exhaustive()
    }
}

impl Download {
    fn with_target(target: Target) -> Self {
        Self {
            target,
            max_bytes: DEFAULT_MAX_DOWNLOAD,
            expected: None,
            progress: None,
        }
    }

    /// `cid` (and `path` inside it, if not empty) from the configured gateway's `/ipfs/`, with the
    /// gateway key when one is configured. Refused: an empty CID, a path with `.`/`..` segments.
    pub fn public(cid: impl Into<String>, path: impl Into<String>) -> Result<Self, BuildError> {
        let (cid, path) = (cid.into(), path.into());
        gateway_path("ipfs", &cid, &path)?;
        Ok(Self::with_target(Target::Public {
            cid,
            path,
            options: Vec::new(),
        }))
    }

    /// An image option of a public download (`width`, `format`, … of
    /// [`crate::api::signed::IMAGE_OPTIONS`]); a signed link carries its options inside (see
    /// `CreateDownloadLink::image_option`). A transformed image has another CID: do not
    /// combine with CID checking.
    pub fn image_option(mut self, name: &str, value: impl ToString) -> Result<Self, BuildError> {
        let name = crate::api::signed::image_option_name(name)?;
        match &mut self.target {
            Target::Public { options, .. } => {
                options.push((name, value.to_string()));
                Ok(self)
            }
            Target::Signed(_) => Err(BuildError::InvalidInput(
                "a signed link's image options are signed into it".into(),
            )),
        }
    }

    /// The file a signed link points at (see `private_download_link`); no credential is sent.
    pub fn signed(url: SignedUrl) -> Self {
        Self::with_target(Target::Signed(url))
    }

    /// Accepts at most `bytes` (1 GiB unless set): a larger body fails the download with
    /// [`TransportErrorKind::BodyTooLarge`] as soon as it passes the cap (or before reading, when
    /// the server announces a larger `Content-Length`).
    pub fn max_bytes(mut self, bytes: u64) -> Self {
        self.max_bytes = bytes;
        self
    }

    /// Checks that the bytes received have the CID `cid`, computed as `ipfs add` (and Pinata)
    /// import a file with default parameters: CIDv0 with dag-pb leaves, CIDv1 with raw leaves. Use
    /// the file's own CID (for a file inside a folder, its CID, not the folder's).
    pub fn verify_cid(mut self, cid: &str) -> Result<Self, BuildError> {
        let cid: Cid = cid.parse().map_err(|_| {
            BuildError::InvalidInput(format!("{} is not a CID", cid.escape_debug()))
        })?;
        self.expected = Some(cid);
        Ok(self)
    }

    /// [`Download::verify_cid`] with the CID being downloaded (a public download of a whole CID).
    pub fn verify(self) -> Result<Self, BuildError> {
        match &self.target {
            Target::Public { cid, path, .. } if path.trim_matches('/').is_empty() => {
                let cid = cid.clone();
                self.verify_cid(&cid)
            }
            _ => Err(BuildError::InvalidInput(
                "only a whole public CID checks against itself; give the file's CID to verify_cid"
                    .into(),
            )),
        }
    }

    /// Calls `progress` as bytes arrive.
    pub fn on_progress(
        mut self,
        progress: impl Fn(DownloadProgress) + Send + Sync + 'static,
    ) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// The cap.
    pub fn max(&self) -> u64 {
        self.max_bytes
    }

    /// Starts checking a response whose headers are `headers`.
    pub fn check(&self, headers: &HeaderMap) -> Result<DownloadCheck, Error> {
        DownloadCheck::new(self, headers)
    }
}

/// The request of a download: a GET that accepts anything. Its success body is not read by
/// [`Endpoint::parse`] (the clients stream it); use the clients' download methods.
impl Endpoint for Download {
    type Output = ();

    fn method(&self) -> Method {
        Method::GET
    }

    fn origin(&self) -> Origin {
        match self.target {
            Target::Public { .. } => Origin::Gateway,
            Target::Signed(_) => Origin::Signed,
        }
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        match &self.target {
            Target::Public { cid, path, options } => {
                let mut q = crate::query::Query::new();
                for (name, value) in options {
                    q.push(name.clone(), value);
                }
                Ok(q.append_to(&gateway_path("ipfs", cid, path)?))
            }
            Target::Signed(url) => Ok(url.as_str().to_owned()),
        }
    }

    fn accept(&self) -> &'static str {
        "*/*"
    }

    fn parse(&self, _: StatusCode, _: &HeaderMap, _: &Bytes) -> Result<(), DecodeError> {
        Ok(())
    }

    fn repeatable(&self) -> crate::retry::Repeatable {
        crate::retry::Repeatable::Safe
    }
}

impl Download {
    /// The CID and the path inside it the download names: the public target's, or a signed
    /// link's `/files/<cid>[/<path>]` (never its query, which holds the signature); a link of
    /// another shape is all path.
    fn cid_and_path(&self) -> (String, String) {
        match &self.target {
            Target::Public { cid, path, .. } => (cid.clone(), path.trim_matches('/').to_owned()),
            Target::Signed(url) => {
                let path = url_path(url.as_str());
                match path.strip_prefix("/files/") {
                    Some(rest) => {
                        let (cid, inside) = rest.split_once('/').unwrap_or((rest, ""));
                        (cid.to_owned(), inside.trim_matches('/').to_owned())
                    }
                    None => (String::new(), path.to_owned()),
                }
            }
        }
    }

    /// Whether an answer says the target is a folder: a redirect to the same path with a trailing
    /// slash (what IPFS gateways answer for a folder, boxo's among them), or a generated listing
    /// (boxo's `ETag: "DirIndex-…"`).
    fn names_a_folder(&self, status: StatusCode, headers: &HeaderMap) -> bool {
        let listing = headers
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|etag| etag.trim_start_matches("W/").starts_with("\"DirIndex-"));
        if listing {
            return true;
        }
        let Some(location) = status
            .is_redirection()
            .then(|| headers.get(header::LOCATION))
            .flatten()
            .and_then(|v| v.to_str().ok())
        else {
            return false;
        };
        let asked = match self.path_and_query() {
            Ok(p) => url_path(&p).to_owned(),
            Err(_) => return false,
        };
        url_path(location).strip_suffix('/') == Some(asked.as_str())
    }

    /// The error an answer that is not a success means: a folder's redirect is
    /// [`VerifyError::Directory`], anything else as any endpoint's error.
    fn refusal(&self, status: StatusCode, headers: &HeaderMap, body: &Bytes) -> Error {
        if self.names_a_folder(status, headers) {
            return self.folder_error();
        }
        error_response(status, headers, body)
    }

    fn folder_error(&self) -> Error {
        let (cid, path) = self.cid_and_path();
        Error::Verify(VerifyError::Directory { cid, path })
    }
}

/// The path of a URL or of a path-and-query: no scheme, host or query.
fn url_path(url: &str) -> &str {
    let after_host = match url.find("://") {
        Some(at) => {
            let rest = &url[at + 3..];
            rest.find('/').map_or("/", |slash| &rest[slash..])
        }
        None => url,
    };
    after_host.split(['?', '#']).next().unwrap_or(after_host)
}

/// What a finished download received.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Downloaded {
    /// Bytes received.
    pub bytes: u64,
    /// The `Content-Type` the gateway gave.
    pub content_type: Option<String>,
    /// The CID the bytes were checked to have, when checking was asked for.
    pub verified_cid: Option<Cid>,
}

/// The receiving side of a download as a state machine: each piece is counted against the cap
/// and hashed when a CID is to be checked; [`DownloadCheck::finish`] says whether it all held.
pub struct DownloadCheck {
    received: u64,
    max: u64,
    announced: Option<u64>,
    content_type: Option<String>,
    hashing: Option<(Cid, FileImporter)>,
    progress: Option<DownloadProgressFn>,
}

impl fmt::Debug for DownloadCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DownloadCheck")
            .field("received", &self.received)
            .field("max", &self.max)
            .field("announced", &self.announced)
            .finish_non_exhaustive()
    }
}

/// Over the cap: `announced`, the length the answer gave, when it gave one.
fn too_large(max: u64, announced: Option<u64>) -> Error {
    let text = match announced {
        Some(n) => format!("the download is {n} bytes, larger than its cap of {max} bytes"),
        None => format!("the download is larger than its cap of {max} bytes"),
    };
    Error::Transport(TransportError::maybe_sent(
        TransportErrorKind::BodyTooLarge,
        text,
    ))
}

impl DownloadCheck {
    fn new(download: &Download, headers: &HeaderMap) -> Result<Self, Error> {
        if download.names_a_folder(StatusCode::OK, headers) {
            return Err(download.folder_error());
        }
        let announced = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if announced.is_some_and(|n| n > download.max_bytes) {
            return Err(too_large(download.max_bytes, announced));
        }
        let hashing = match download.expected {
            None => None,
            Some(cid) => {
                let version = cid.version();
                let importer = FileImporter::new(ImportOptions::new(version))
                    .map_err(|e| Error::Verify(VerifyError::Unavailable(e)))?;
                Some((cid, importer))
            }
        };
        Ok(Self {
            received: 0,
            max: download.max_bytes,
            announced,
            content_type: headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            hashing,
            progress: download.progress.clone(),
        })
    }

    /// `data` arrived. Passing the cap is an error (stop reading and drop what was written).
    pub fn chunk(&mut self, data: &[u8]) -> Result<(), Error> {
        let received = self.received.saturating_add(data.len() as u64);
        if received > self.max {
            return Err(too_large(self.max, self.announced));
        }
        self.received = received;
        if let Some((_, importer)) = &mut self.hashing {
            importer.update(data);
        }
        if let Some(progress) = &self.progress {
            progress(DownloadProgress {
                received,
                total: self.announced,
            });
        }
        Ok(())
    }

    /// The body ended: a short body, or bytes of another CID, are errors.
    pub fn finish(self) -> Result<Downloaded, Error> {
        if let Some(expected) = self.announced
            && expected != self.received
        {
            return Err(Error::Verify(VerifyError::Truncated {
                expected,
                received: self.received,
            }));
        }
        let verified_cid = match self.hashing {
            None => None,
            Some((expected, importer)) => {
                let received = importer.finish().cid;
                // A CIDv1 of a one-block file is the raw block's; compare content, not spelling.
                if received != expected && !received.same_content(&expected) {
                    return Err(Error::Verify(VerifyError::ContentMismatch {
                        expected: Box::new(expected),
                        received: Box::new(received),
                    }));
                }
                Some(expected)
            }
        };
        Ok(Downloaded {
            bytes: self.received,
            content_type: self.content_type,
            verified_cid,
        })
    }
}

/// The most of an error answer's body a download reads (it is decoded as an API error).
const MAX_ERROR_BODY: u64 = 64 * 1024;

impl<T: BlockingTransport> BlockingClient<T> {
    /// Downloads `download` into `out`, streamed (one read buffer in memory), with its cap,
    /// progress and CID check. Bytes already written stay written when a check fails: write to a
    /// file you discard on error (the adapters' `download_to_path` does).
    pub fn download_to(
        &self,
        download: &Download,
        out: &mut dyn std::io::Write,
    ) -> Result<Downloaded, Error> {
        let redact = |e: Error| {
            crate::client::redact_signed(
                download,
                e.redact_client_secrets(self.credentials(), self.config()),
            )
        };
        self.stream_to(download, out).map_err(redact)
    }

    fn stream_to(
        &self,
        download: &Download,
        out: &mut dyn std::io::Write,
    ) -> Result<Downloaded, Error> {
        let mut attempts = Attempts::new(self.config().retry_policy(), download);
        let response = loop {
            attempts.begin();
            match attempts.after(self.open_download(download)) {
                Next::Done(result) => break result?,
                Next::Wait(wait) => self.transport().sleep(wait),
            }
        };
        let (parts, mut body) = response.into_parts();
        let mut check = download.check(&parts.headers)?;
        let mut buf = vec![0u8; crate::upload::READ_CHUNK];
        loop {
            let n = match body.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::Transport(body_failure(e))),
            };
            check.chunk(&buf[..n])?;
            out.write_all(&buf[..n]).map_err(writer_failure)?;
        }
        out.flush().map_err(writer_failure)?;
        check.finish()
    }

    /// Signs a link to `cid` (and `path` inside it) on the configured gateway, valid for
    /// `expires`: `POST /v3/files/private/download_link` (needs `org:files:read`).
    pub fn private_download_link(
        &self,
        cid: &str,
        path: &str,
        expires: std::time::Duration,
    ) -> Result<SignedUrl, Error> {
        self.execute(&link_to(self.config(), cid, path, expires)?)
    }

    /// One attempt at the response headers; an error status becomes its error.
    fn open_download(&self, download: &Download) -> Result<Response<BodyReader>, Error> {
        let request = prepare_request(
            download,
            self.credentials(),
            self.config(),
            SystemTime::now(),
        )?;
        let sending = crate::client::Sending::of(download, &request);
        let response = self
            .transport()
            .send_streaming(request)
            .map_err(|e| Error::Transport(sending.failed(e)))?;
        if response.status().is_success() {
            return Ok(response);
        }
        let (parts, body) = response.into_parts();
        let mut kept = Vec::new();
        // What could be read of the error body; a failure here leaves the status to speak.
        let _ = body.take(MAX_ERROR_BODY).read_to_end(&mut kept);
        Err(sending.answered(download.refusal(parts.status, &parts.headers, &Bytes::from(kept))))
    }
}

impl<T: AsyncTransport> AsyncClient<T> {
    /// Starts downloading `download`: the answer's headers are in, and [`DownloadBody::next`]
    /// hands over the body piece by piece (one piece in memory at a time), checked against the
    /// cap; [`DownloadBody::finish`] checks the length and the CID. Bytes already written stay
    /// written when a check fails: write to a file you discard on error
    /// (`pinata_hyper::download_to_path` does).
    pub async fn download(&self, download: &Download) -> Result<DownloadBody, Error> {
        let redact = |e: Error| {
            crate::client::redact_signed(
                download,
                e.redact_client_secrets(self.credentials(), self.config()),
            )
        };
        let mut attempts = Attempts::new(self.config().retry_policy(), download);
        let response = loop {
            attempts.begin();
            match attempts.after(self.open_download(download).await) {
                Next::Done(result) => break result.map_err(&redact)?,
                Next::Wait(wait) => self.transport().sleep(wait).await,
            }
        };
        let (parts, body) = response.into_parts();
        let check = download.check(&parts.headers)?;
        Ok(DownloadBody { body, check })
    }

    /// Signs a link to `cid` (and `path` inside it) on the configured gateway, valid for
    /// `expires`: `POST /v3/files/private/download_link` (needs `org:files:read`).
    pub async fn private_download_link(
        &self,
        cid: &str,
        path: &str,
        expires: std::time::Duration,
    ) -> Result<SignedUrl, Error> {
        self.execute(&link_to(self.config(), cid, path, expires)?)
            .await
    }

    /// One attempt at the response headers; an error status becomes its error.
    async fn open_download(&self, download: &Download) -> Result<Response<BodyStream>, Error> {
        let request = prepare_request(
            download,
            self.credentials(),
            self.config(),
            SystemTime::now(),
        )?;
        let sending = crate::client::Sending::of(download, &request);
        let response = self
            .transport()
            .send_streaming(request)
            .await
            .map_err(|e| Error::Transport(sending.failed(e)))?;
        if response.status().is_success() {
            return Ok(response);
        }
        let (parts, mut body) = response.into_parts();
        let mut kept = Vec::new();
        while let Some(Ok(piece)) = next(&mut body).await {
            let room = (MAX_ERROR_BODY as usize).saturating_sub(kept.len());
            kept.extend_from_slice(&piece[..piece.len().min(room)]);
            if kept.len() as u64 >= MAX_ERROR_BODY {
                break;
            }
        }
        Err(sending.answered(download.refusal(parts.status, &parts.headers, &Bytes::from(kept))))
    }
}

/// The download link request for the configured gateway.
fn link_to(
    config: &crate::Config,
    cid: &str,
    path: &str,
    expires: std::time::Duration,
) -> Result<CreateDownloadLink, BuildError> {
    let gateway = config.gateway().ok_or_else(|| {
        BuildError::InvalidInput(
            "no gateway is configured: set PINATA_GATEWAY or Config::with_gateway".into(),
        )
    })?;
    CreateDownloadLink::new(gateway, cid, path, expires)
}

/// The body of a download in progress (from [`AsyncClient::download`]).
pub struct DownloadBody {
    body: BodyStream,
    check: DownloadCheck,
}

impl fmt::Debug for DownloadBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DownloadBody")
            .field("check", &self.check)
            .finish_non_exhaustive()
    }
}

impl DownloadBody {
    /// The next piece, or `None` at the end of the body; passing the cap is an error.
    pub async fn next(&mut self) -> Result<Option<Bytes>, Error> {
        match next(&mut self.body).await {
            None => Ok(None),
            Some(Err(e)) => Err(Error::Transport(e)),
            Some(Ok(piece)) => {
                self.check.chunk(&piece)?;
                Ok(Some(piece))
            }
        }
    }

    /// After the last piece: whether the length and CID checks hold.
    pub fn finish(self) -> Result<Downloaded, Error> {
        self.check.finish()
    }
}

/// The next piece of a body stream.
async fn next(body: &mut BodyStream) -> Option<Result<Bytes, TransportError>> {
    std::future::poll_fn(|cx| body.as_mut().poll_next(cx)).await
}

/// A failure while reading a blocking body: the request was sent.
fn body_failure(e: std::io::Error) -> TransportError {
    TransportError::maybe_sent(TransportErrorKind::of_io(e.kind()), e)
}

/// The caller's writer failed.
fn writer_failure(e: std::io::Error) -> Error {
    Error::Local(crate::LocalError::io("(download destination)", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cid::{CidVersion, import_bytes};

    fn headers(len: Option<u64>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(len) = len {
            h.insert(header::CONTENT_LENGTH, len.into());
        }
        h
    }

    #[test]
    fn caps_progress_and_cids() {
        let content = vec![7u8; 300_000];
        let cid = import_bytes(&content, ImportOptions::new(CidVersion::V1))
            .unwrap()
            .cid
            .to_string();
        let seen = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let s = Arc::clone(&seen);
        let download = Download::public(&cid, "")
            .unwrap()
            .verify()
            .unwrap()
            .on_progress(move |p| s.store(p.received, std::sync::atomic::Ordering::SeqCst));
        let mut check = download.check(&headers(Some(300_000))).unwrap();
        for piece in content.chunks(65536) {
            check.chunk(piece).unwrap();
        }
        let done = check.finish().unwrap();
        assert_eq!(done.bytes, 300_000);
        assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), 300_000);

        // Other bytes: a content mismatch.
        let mut check = download.check(&headers(None)).unwrap();
        check.chunk(&content[1..]).unwrap();
        assert!(matches!(
            check.finish(),
            Err(Error::Verify(VerifyError::ContentMismatch { .. }))
        ));
        // Short of the announced length.
        let mut check = download.check(&headers(Some(10))).unwrap();
        check.chunk(b"abc").unwrap();
        assert!(matches!(
            check.finish(),
            Err(Error::Verify(VerifyError::Truncated { .. }))
        ));
        // The cap, announced or reached.
        let small = Download::public(&cid, "").unwrap().max_bytes(4);
        assert!(small.check(&headers(Some(5))).is_err());
        let mut check = small.check(&headers(None)).unwrap();
        check.chunk(b"1234").unwrap();
        assert!(check.chunk(b"5").is_err());
    }

    #[test]
    fn a_folder_is_named_as_such_never_as_corruption() {
        let folder = Download::public("bafyfolder", "").unwrap();
        let redirect = |location: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::LOCATION, location.parse().unwrap());
            h
        };
        for location in [
            "/ipfs/bafyfolder/",
            "https://gw.example/ipfs/bafyfolder/?x=1",
        ] {
            let e = folder.refusal(
                StatusCode::MOVED_PERMANENTLY,
                &redirect(location),
                &Bytes::new(),
            );
            assert!(
                matches!(&e, Error::Verify(VerifyError::Directory { cid, path }) if cid == "bafyfolder" && path.is_empty()),
                "{location}: {e:?}"
            );
            let text = e.to_string();
            assert!(
                text.contains("bafyfolder is a folder, not a file"),
                "{text}"
            );
            assert!(
                !text.contains("corrupt") || text.contains("nothing is corrupt"),
                "{text}"
            );
        }
        // A redirect elsewhere stays a redirect.
        let elsewhere = folder.refusal(
            StatusCode::FOUND,
            &redirect("/ipfs/bafyother/"),
            &Bytes::new(),
        );
        assert!(matches!(elsewhere, Error::Redirect(_)), "{elsewhere:?}");
        // A generated listing served as a success is refused before a byte is counted.
        let mut listing = HeaderMap::new();
        listing.insert(
            header::ETAG,
            "\"DirIndex-abc_CID-bafyfolder\"".parse().unwrap(),
        );
        let inner = Download::public("bafyfolder", "css").unwrap();
        match inner.check(&listing) {
            Err(Error::Verify(VerifyError::Directory { cid, path })) => {
                assert_eq!((cid.as_str(), path.as_str()), ("bafyfolder", "css"));
            }
            other => panic!("{other:?}"),
        }
        let mut file = HeaderMap::new();
        file.insert(header::ETAG, "\"bafyfile\"".parse().unwrap());
        assert!(inner.check(&file).is_ok());
        // A signed link names its path, never its signature.
        let signed = Download::signed(SignedUrl::new(
            "https://gw.example/files/bafyfolder?X-Signature=secret",
        ));
        let e = signed.refusal(
            StatusCode::MOVED_PERMANENTLY,
            &redirect("https://gw.example/files/bafyfolder/?X-Signature=secret"),
            &Bytes::new(),
        );
        assert!(!e.to_string().contains("secret"), "{e}");
        assert!(
            matches!(&e, Error::Verify(VerifyError::Directory { cid, path }) if cid == "bafyfolder" && path.is_empty()),
            "{e:?}"
        );
        assert!(e.to_string().starts_with("bafyfolder is a folder"), "{e}");
    }

    #[test]
    fn requests_go_to_the_gateway_or_the_signed_url() {
        let d = Download::public("bafy", "a b/c").unwrap();
        assert_eq!(d.origin(), Origin::Gateway);
        assert_eq!(d.path_and_query().unwrap(), "/ipfs/bafy/a%20b/c");
        assert_eq!(d.accept(), "*/*");
        let sized = Download::public("bafy", "")
            .unwrap()
            .image_option("width", 64)
            .unwrap();
        assert_eq!(sized.path_and_query().unwrap(), "/ipfs/bafy?img-width=64");
        assert!(
            d.verify().is_err(),
            "a path inside a folder has another CID"
        );
        let s = Download::signed(SignedUrl::new("https://gw/files/c?X-Signature=x"));
        assert_eq!(s.origin(), Origin::Signed);
        assert!(Download::public("bafy", "../x").is_err());
        assert!(
            Download::public("bafy", "")
                .unwrap()
                .verify_cid("nope")
                .is_err()
        );
    }
}

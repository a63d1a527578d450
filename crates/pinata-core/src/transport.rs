//! For transport authors: the seam between the core and an HTTP library, two small traits over
//! `http` types, and the machinery a transport follows to stream uploads ([`upload`]) and read local
//! files and folders ([`local`]).
//!
//! A transport moves one request and its response, and nothing else: it does not add headers, follow
//! redirects, retry, or look at status codes. It must apply [`TransportOptions`] (timeouts and the
//! response-size cap) and report failures as [`TransportError`]s of the right kind, saying whether
//! the request may have been sent ([`TransportError::not_sent`] / [`TransportError::maybe_sent`]).
//! `pinata-hyper` and `pinata-ureq` are the two transports of this project.
//!
//! A request marked [`LoopbackOnly`] (plain http, let through because its host is loopback) must
//! only be connected to loopback addresses: the transport judges every address it resolved with
//! [`LoopbackOnly::check`] (and an IP literal it does not resolve with
//! [`LoopbackOnly::check_literal`]) and, on a refusal, connects to nothing and returns
//! `TransportError::not_sent(TransportErrorKind::NotLoopback, the NotLoopback)`.

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response};

use crate::config::TransportOptions;
use crate::endpoint::Body;
use crate::error::TransportError;
use crate::local::{FileFingerprint, LocalError};

pub use crate::error::{BoxError, TransportCause, find_cause};
pub use crate::loopback::{LoopbackOnly, NotLoopback};
#[doc(hidden)]
pub use crate::proxy::{DecisionCase, decision_table};
pub use crate::proxy::{ProxyScheme, ProxySettings, Route};

/// Streaming a multipart body: [`UploadCursor`](upload::UploadCursor) says what to open, read and
/// send next; the [`UploadWatch`](upload::UploadWatch) turns what was sent into progress and a CID.
pub mod upload {
    pub use crate::multipart::{MultipartPlan, Segment};
    pub use crate::upload::{
        MultipartUpload, READ_CHUNK, ReaderSource, UploadCursor, UploadStep, UploadWatch,
    };
}

/// Local files and folders *described* to the core: [`FolderScan`](local::FolderScan) says which
/// directory to list next, [`FolderImport`](local::FolderImport) which file to read next; the
/// transport does the reading, with its own file API.
pub mod local {
    pub use crate::local::{
        EntryKind, Folder, FolderImport, FolderScan, ListedEntry, LocalError, LocalFile,
    };
}

/// A response body handed over piece by piece (downloads), for async transports.
pub type BodyStream =
    std::pin::Pin<Box<dyn futures_core::Stream<Item = Result<Bytes, TransportError>> + Send>>;

/// A response body handed over piece by piece (downloads), for blocking transports.
pub type BodyReader = Box<dyn std::io::Read + Send>;

/// A stream of one piece: the default `send_streaming` over a transport that reads whole bodies.
struct Once(Option<Bytes>);

impl futures_core::Stream for Once {
    type Item = Result<Bytes, TransportError>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        std::task::Poll::Ready(self.0.take().map(Ok))
    }
}

/// An asynchronous HTTP transport.
#[async_trait::async_trait]
pub trait AsyncTransport: Send + Sync {
    /// Sends `request` and returns the whole response, whatever its status.
    async fn send(&self, request: Request<Body>) -> Result<Response<Bytes>, TransportError>;

    /// Sends `request` and returns the response once its headers arrived, its body to be read
    /// piece by piece, with no cap of its own (the caller counts; downloads have their own cap).
    /// The request timeout covers the wait for the headers; each piece is awaited at most that
    /// long too. By default: [`AsyncTransport::send`], its body as one piece.
    async fn send_streaming(
        &self,
        request: Request<Body>,
    ) -> Result<Response<BodyStream>, TransportError> {
        let response = self.send(request).await?;
        Ok(response.map(|body| Box::pin(Once(Some(body))) as BodyStream))
    }

    /// Waits `duration` on the transport's runtime (between retries).
    async fn sleep(&self, duration: std::time::Duration);

    /// The fingerprint of the file at `path` (canonical path, length, modification time), for
    /// resumable uploads. Unsupported by default.
    async fn fingerprint(&self, path: &Path) -> Result<FileFingerprint, LocalError> {
        Err(unsupported(path))
    }

    /// Reads `len` bytes of the file at `path` from `offset`, handing them to `each` in order (a
    /// resumed upload hashes what the server already holds). Unsupported by default.
    async fn read_range(
        &self,
        path: &Path,
        offset: u64,
        len: u64,
        each: &mut (dyn for<'b> FnMut(&'b [u8]) + Send),
    ) -> Result<(), LocalError> {
        let _ = (offset, len, each);
        Err(unsupported(path))
    }
}

/// What a transport without local file access answers.
fn unsupported(path: &Path) -> LocalError {
    LocalError::io(
        path,
        std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            "this transport does not read local files",
        ),
    )
}

/// A blocking HTTP transport.
pub trait BlockingTransport: Send + Sync {
    /// Sends `request` and returns the whole response, whatever its status.
    fn send(&self, request: Request<Body>) -> Result<Response<Bytes>, TransportError>;

    /// Sends `request` and returns the response once its headers arrived, its body to be read
    /// piece by piece, with no cap of its own (see [`AsyncTransport::send_streaming`]). By
    /// default: [`BlockingTransport::send`], its body read from memory.
    fn send_streaming(
        &self,
        request: Request<Body>,
    ) -> Result<Response<BodyReader>, TransportError> {
        let response = self.send(request)?;
        Ok(response.map(|body| Box::new(std::io::Cursor::new(body)) as BodyReader))
    }

    /// Waits `duration` (between retries). Blocks the thread by default.
    fn sleep(&self, duration: std::time::Duration) {
        std::thread::sleep(duration);
    }

    /// The fingerprint of the file at `path` (see [`AsyncTransport::fingerprint`]).
    fn fingerprint(&self, path: &Path) -> Result<FileFingerprint, LocalError> {
        Err(unsupported(path))
    }

    /// Reads `len` bytes of the file at `path` from `offset` (see [`AsyncTransport::read_range`]).
    fn read_range(
        &self,
        path: &Path,
        offset: u64,
        len: u64,
        each: &mut dyn FnMut(&[u8]),
    ) -> Result<(), LocalError> {
        let _ = (offset, len, each);
        Err(unsupported(path))
    }
}

/// A transport that can be made from [`TransportOptions`] alone, so clients can build their own.
pub trait TransportFactory: Sized {
    /// A transport that applies `options`.
    fn from_options(options: &TransportOptions) -> Result<Self, TransportError>;

    /// A transport for `config`, which the clients' constructors call: `from_options` with the
    /// config's transport options unless overridden. A transport that applies the proxy setting
    /// ([`crate::Config::proxy`], resolved with [`crate::ProxyConfig::resolve`], then
    /// [`ProxySettings::route`] per request) overrides this.
    fn from_config(config: &crate::Config) -> Result<Self, TransportError> {
        Self::from_options(config.transport_options())
    }
}

/// Any function from request to response is a blocking transport: handy in tests.
impl<F> BlockingTransport for F
where
    F: Fn(Request<Body>) -> Result<Response<Bytes>, TransportError> + Send + Sync,
{
    fn send(&self, request: Request<Body>) -> Result<Response<Bytes>, TransportError> {
        self(request)
    }
}

#[async_trait::async_trait]
impl<T: AsyncTransport + ?Sized> AsyncTransport for Arc<T> {
    async fn send(&self, request: Request<Body>) -> Result<Response<Bytes>, TransportError> {
        (**self).send(request).await
    }

    async fn send_streaming(
        &self,
        request: Request<Body>,
    ) -> Result<Response<BodyStream>, TransportError> {
        (**self).send_streaming(request).await
    }

    async fn sleep(&self, duration: std::time::Duration) {
        (**self).sleep(duration).await
    }

    async fn fingerprint(&self, path: &Path) -> Result<FileFingerprint, LocalError> {
        (**self).fingerprint(path).await
    }

    async fn read_range(
        &self,
        path: &Path,
        offset: u64,
        len: u64,
        each: &mut (dyn for<'b> FnMut(&'b [u8]) + Send),
    ) -> Result<(), LocalError> {
        (**self).read_range(path, offset, len, each).await
    }
}

#[async_trait::async_trait]
impl<T: AsyncTransport + ?Sized> AsyncTransport for Box<T> {
    async fn send(&self, request: Request<Body>) -> Result<Response<Bytes>, TransportError> {
        (**self).send(request).await
    }

    async fn send_streaming(
        &self,
        request: Request<Body>,
    ) -> Result<Response<BodyStream>, TransportError> {
        (**self).send_streaming(request).await
    }

    async fn sleep(&self, duration: std::time::Duration) {
        (**self).sleep(duration).await
    }

    async fn fingerprint(&self, path: &Path) -> Result<FileFingerprint, LocalError> {
        (**self).fingerprint(path).await
    }

    async fn read_range(
        &self,
        path: &Path,
        offset: u64,
        len: u64,
        each: &mut (dyn for<'b> FnMut(&'b [u8]) + Send),
    ) -> Result<(), LocalError> {
        (**self).read_range(path, offset, len, each).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt;

    #[derive(Debug)]
    struct Marker;
    impl fmt::Display for Marker {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("marker")
        }
    }
    impl std::error::Error for Marker {}

    #[test]
    fn finds_causes_inside_nested_io_errors() {
        let inner = std::io::Error::new(std::io::ErrorKind::InvalidData, Marker);
        let outer = std::io::Error::other(inner);
        let top = crate::TransportError::maybe_sent(crate::TransportErrorKind::Other, outer);
        assert!(find_cause::<Marker>(&top).is_some());
        let plain = std::io::Error::other("no marker here");
        assert!(find_cause::<Marker>(&plain).is_none());
        assert!(find_cause::<std::io::Error>(&plain).is_some());
    }
}

//! Requests through a proxy: hyper-util's [`Tunnel`] connector (`CONNECT host:port`, with
//! `Proxy-Authorization` when the proxy URL has credentials), wrapped so that a failure names the
//! proxy and the step as the core's [`ProxyFailure`].
//!
//! hyper-util's tunnel error tells a `407` apart but no other status, and its type is not
//! exported. [`ThroughProxy`] therefore makes a fresh `Tunnel` per connection over a connector
//! ([`ToProxy`]) that marks failures to reach the proxy and reads the status line of the proxy's
//! answer as it passes ([`Sniffed`]); the bytes are handed on unchanged, and once the status line
//! has passed the wrapper only forwards.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, ready};

use http::{HeaderValue, Uri};
use hyper::rt::{Read, ReadBuf, ReadBufCursor, Write};
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection};
use pinata_core::transport::ProxyScheme;
use pinata_core::transport::{BoxError, find_cause};
use pinata_core::{Proxy, ProxyFailure, ProxyStep};

/// A connector that reaches every destination through `proxy`'s tunnel, connecting to the proxy
/// with `C`.
#[derive(Clone)]
pub(crate) struct ThroughProxy<C> {
    connector: C,
    proxy: Arc<Proxy>,
    uri: Uri,
    authorization: Option<HeaderValue>,
}

impl<C> ThroughProxy<C> {
    /// Tunnels through `proxy`, connecting to it with `connector` (which must speak TLS for an
    /// `https://` proxy).
    pub(crate) fn new(proxy: &Proxy, connector: C) -> Result<Self, http::Error> {
        let scheme = match proxy.scheme() {
            ProxyScheme::Https => "https",
            _ => "http",
        };
        let uri = Uri::builder()
            .scheme(scheme)
            .authority(proxy.authority())
            .path_and_query("/")
            .build()?;
        Ok(Self {
            connector,
            proxy: Arc::new(proxy.clone()),
            uri,
            authorization: proxy.authorization(),
        })
    }
}

impl<C> tower_service::Service<Uri> for ThroughProxy<C>
where
    C: tower_service::Service<Uri> + Clone + Send + 'static,
    C::Future: Send + 'static,
    C::Response: Read + Write + Connection + Unpin + Send + 'static,
    C::Error: Into<BoxError>,
{
    type Response = Sniffed<C::Response>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.connector.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, destination: Uri) -> Self::Future {
        let status = Arc::new(OnceLock::new());
        let to_proxy = ToProxy {
            connector: self.connector.clone(),
            status: Arc::clone(&status),
        };
        let mut tunnel = Tunnel::new(self.uri.clone(), to_proxy);
        if let Some(authorization) = &self.authorization {
            tunnel = tunnel.with_auth(authorization.clone());
        }
        let tunnelling = tower_service::Service::call(&mut tunnel, destination);
        let proxy = Arc::clone(&self.proxy);
        Box::pin(async move {
            tunnelling.await.map_err(|e| {
                let step = if let Some(&status) = status.get() {
                    ProxyStep::Refused {
                        status: Some(status),
                    }
                } else if find_cause::<Unreachable>(&e).is_some() {
                    ProxyStep::Unreachable
                } else {
                    ProxyStep::NoAnswer
                };
                Box::new(ProxyFailure::new(&proxy, step).caused_by(e)) as BoxError
            })
        })
    }
}

/// The connection to the proxy could not be made: the connector's error, marked.
#[derive(Debug)]
struct Unreachable(BoxError);

impl std::fmt::Display for Unreachable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Unreachable {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.0.as_ref())
    }
}

/// The connector to the proxy itself, for one connection: marks its failures [`Unreachable`]
/// and watches the proxy's answer for its status.
#[derive(Clone)]
struct ToProxy<C> {
    connector: C,
    status: Arc<OnceLock<u16>>,
}

impl<C> tower_service::Service<Uri> for ToProxy<C>
where
    C: tower_service::Service<Uri> + Send,
    C::Future: Send + 'static,
    C::Error: Into<BoxError>,
{
    type Response = Sniffed<C::Response>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.connector
            .poll_ready(cx)
            .map_err(|e| Box::new(Unreachable(e.into())) as BoxError)
    }

    fn call(&mut self, proxy: Uri) -> Self::Future {
        let connecting = self.connector.call(proxy);
        let status = Arc::clone(&self.status);
        Box::pin(async move {
            let inner = connecting
                .await
                .map_err(|e| Box::new(Unreachable(e.into())) as BoxError)?;
            Ok(Sniffed {
                inner,
                watch: Some(StatusLine::new(status)),
            })
        })
    }
}

/// The first bytes of a proxy's answer, until its status is known.
struct StatusLine {
    status: Arc<OnceLock<u16>>,
    seen: [u8; 12],
    len: usize,
}

impl StatusLine {
    fn new(status: Arc<OnceLock<u16>>) -> Self {
        Self {
            status,
            seen: [0; 12],
            len: 0,
        }
    }

    /// Takes in `bytes`; `true` once there is nothing more to learn (the status is set, or the
    /// answer does not start like HTTP/1.x).
    fn observe(&mut self, bytes: &[u8]) -> bool {
        let take = bytes.len().min(self.seen.len() - self.len);
        self.seen[self.len..self.len + take].copy_from_slice(&bytes[..take]);
        self.len += take;
        if self.len < self.seen.len() {
            return false;
        }
        // `HTTP/1.1 407`: the version, a space, three digits.
        let line = &self.seen;
        if line.starts_with(b"HTTP/1.") && line[8] == b' ' {
            let digits = &line[9..12];
            if digits.iter().all(u8::is_ascii_digit) {
                let status = digits
                    .iter()
                    .fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
                let _ = self.status.set(status);
            }
        }
        true
    }
}

/// A connection to a proxy, its answer's status line watched as it is read.
pub(crate) struct Sniffed<T> {
    inner: T,
    /// `None` once the status line has passed.
    watch: Option<StatusLine>,
}

impl<T: Read + Unpin> Read for Sniffed<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let Some(watch) = &mut this.watch else {
            return Pin::new(&mut this.inner).poll_read(cx, buf);
        };
        // Read a little through a buffer of our own, to see the bytes, then hand them on.
        let mut own = [0u8; 64];
        let want = buf.remaining().min(own.len());
        let mut read = ReadBuf::new(&mut own[..want]);
        ready!(Pin::new(&mut this.inner).poll_read(cx, read.unfilled()))?;
        let got = read.filled();
        if got.is_empty() || watch.observe(got) {
            this.watch = None;
        }
        buf.put_slice(got);
        Poll::Ready(Ok(()))
    }
}

impl<T: Write + Unpin> Write for Sniffed<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }
}

impl<T: Connection> Connection for Sniffed<T> {
    fn connected(&self) -> Connected {
        // A tunnel: requests inside it go in origin form, as to the destination itself.
        self.inner.connected().proxy(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status_of(chunks: &[&[u8]]) -> Option<u16> {
        let status = Arc::new(OnceLock::new());
        let mut line = StatusLine::new(Arc::clone(&status));
        for chunk in chunks {
            if line.observe(chunk) {
                break;
            }
        }
        status.get().copied()
    }

    #[test]
    fn the_status_is_read_however_the_answer_is_split() {
        assert_eq!(
            status_of(&[b"HTTP/1.1 407 Proxy Authentication Required\r\n"]),
            Some(407)
        );
        assert_eq!(
            status_of(&[b"HTTP/1.0 5", b"02 Bad", b" Gateway"]),
            Some(502)
        );
        assert_eq!(status_of(&[b"HTTP/1.1 200 OK\r\n\r\n"]), Some(200));
    }

    #[test]
    fn an_answer_that_is_not_http_has_no_status() {
        assert_eq!(status_of(&[b"SSH-2.0-OpenSSH_9.6\r\n"]), None);
        assert_eq!(status_of(&[b"HTTP/1.1 20"]), None);
        assert_eq!(status_of(&[b"HTTP/1.1 2x0 OK\r\n"]), None);
    }
}

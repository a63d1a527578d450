//! The seam between the core and an HTTP library: two small traits over `http` types.
//!
//! A transport moves one request and its response, and nothing else: it does not add headers, follow
//! redirects, retry, or look at status codes. It must apply [`TransportOptions`] (timeouts and the
//! response-size cap) and report failures as [`TransportError`]s of the right kind.

use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response};

use crate::config::TransportOptions;
use crate::endpoint::Body;
use crate::error::TransportError;

/// An asynchronous HTTP transport.
#[async_trait::async_trait]
pub trait AsyncTransport: Send + Sync {
    /// Sends `request` and returns the whole response, whatever its status.
    async fn send(&self, request: Request<Body>) -> Result<Response<Bytes>, TransportError>;
}

/// A blocking HTTP transport.
pub trait BlockingTransport: Send + Sync {
    /// Sends `request` and returns the whole response, whatever its status.
    fn send(&self, request: Request<Body>) -> Result<Response<Bytes>, TransportError>;
}

/// A transport that can be made from [`TransportOptions`] alone, so clients can build their own.
pub trait TransportFactory: Sized {
    /// A transport that applies `options`.
    fn from_options(options: &TransportOptions) -> Result<Self, TransportError>;
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
}

#[async_trait::async_trait]
impl<T: AsyncTransport + ?Sized> AsyncTransport for Box<T> {
    async fn send(&self, request: Request<Body>) -> Result<Response<Bytes>, TransportError> {
        (**self).send(request).await
    }
}

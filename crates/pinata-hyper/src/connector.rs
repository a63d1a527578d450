//! A connector wrapper that puts the whole connection setup, TCP *and* TLS handshake, under the
//! connect timeout. (`HttpConnector::set_connect_timeout` covers TCP only, so a server that accepts
//! and then stalls the handshake would otherwise run into the request timeout.) And a resolver
//! wrapper that marks a failed lookup, which hyper-util reports as any other connect error.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use http::Uri;
use hyper_util::client::legacy::connect::dns::Name;
use pinata_core::transport::BoxError;

/// The connection was not set up within the connect timeout. Nothing was sent.
#[derive(Debug)]
pub(crate) struct ConnectTimedOut(pub(crate) Duration);

impl fmt::Display for ConnectTimedOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no connection (TCP and TLS) within {:?}", self.0)
    }
}

impl std::error::Error for ConnectTimedOut {}

/// Wraps a connector `C` so that each connection must be ready within `timeout`.
#[derive(Clone)]
pub(crate) struct TimeoutConnector<C> {
    inner: C,
    timeout: Duration,
}

impl<C> TimeoutConnector<C> {
    pub(crate) fn new(inner: C, timeout: Duration) -> Self {
        Self { inner, timeout }
    }
}

impl<C> tower_service::Service<Uri> for TimeoutConnector<C>
where
    C: tower_service::Service<Uri> + Send,
    C::Future: Send + 'static,
    C::Error: Into<BoxError>,
{
    type Response = C::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<C::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let connecting = self.inner.call(uri);
        let timeout = self.timeout;
        Box::pin(async move {
            match tokio::time::timeout(timeout, connecting).await {
                Ok(result) => result.map_err(Into::into),
                Err(_) => Err(Box::new(ConnectTimedOut(timeout)) as BoxError),
            }
        })
    }
}

/// A host name that did not resolve: the resolver's error, marked so [`crate::classify`] can say
/// so in words. Transparent: it shows and continues as the resolver's error does.
#[derive(Debug)]
pub(crate) struct NotResolved(pub(crate) BoxError);

impl fmt::Display for NotResolved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for NotResolved {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

/// Wraps a resolver `R` so that its failures are [`NotResolved`].
#[derive(Clone)]
pub(crate) struct MarkResolveFailures<R>(pub(crate) R);

impl<R> tower_service::Service<Name> for MarkResolveFailures<R>
where
    R: tower_service::Service<Name> + Send,
    R::Future: Send + 'static,
    R::Error: Into<BoxError>,
{
    type Response = R::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<R::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.0.poll_ready(cx).map_err(mark)
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let resolving = self.0.call(name);
        Box::pin(async move { resolving.await.map_err(mark) })
    }
}

fn mark(e: impl Into<BoxError>) -> BoxError {
    Box::new(NotResolved(e.into()))
}

//! Plain http to loopback addresses only, for requests pinata-core marks
//! [`LoopbackOnly`](pinata_core::transport::LoopbackOnly).
//!
//! hyper-util's connector looks a host name up through its resolver and connects to what it
//! answers; an IP literal it connects to without a lookup. So marked requests go through a
//! connector of their own whose resolver, [`LoopbackResolver`], judges every address with
//! pinata-core's [`LoopbackOnly::check`] before handing any to the connector: a name that resolves
//! elsewhere fails the connection before a socket is opened, so no byte of the request can reach
//! another machine. Literals are judged by the transport before the request is handed to hyper
//! ([`LoopbackOnly::check_literal`]).

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use hyper_util::client::legacy::connect::dns::{GaiResolver, Name};
use pinata_core::transport::{BoxError, LoopbackOnly};

/// A boxed, sendable future.
type Boxed<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Looks a host name up: getaddrinfo on Tokio's blocking pool, or a stand-in in tests.
pub(crate) type Lookup = Arc<dyn Fn(Name) -> Boxed<io::Result<Vec<SocketAddr>>> + Send + Sync>;

/// hyper-util's own resolver (getaddrinfo on the blocking pool), as a [`Lookup`].
pub(crate) fn system_lookup() -> Lookup {
    Arc::new(|name: Name| {
        let mut gai = GaiResolver::new();
        Box::pin(async move {
            let addrs = tower_service::Service::call(&mut gai, name).await?;
            Ok(addrs.collect())
        })
    })
}

/// A resolver that answers only loopback addresses: any other address fails the lookup with
/// pinata-core's [`NotLoopback`](pinata_core::transport::NotLoopback).
#[derive(Clone)]
pub(crate) struct LoopbackResolver {
    lookup: Lookup,
}

impl LoopbackResolver {
    pub(crate) fn new(lookup: Lookup) -> Self {
        Self { lookup }
    }
}

impl tower_service::Service<Name> for LoopbackResolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = BoxError;
    type Future = Boxed<Result<Self::Response, BoxError>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let looking_up = (self.lookup)(name.clone());
        Box::pin(async move {
            let addrs = looking_up
                .await
                .map_err(|e| crate::connector::NotResolved(e.into()))?;
            LoopbackOnly::check(name.as_str(), &addrs)?;
            Ok(addrs.into_iter())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Body, HyperTransport, TransportErrorKind, TransportOptions};
    use pinata_core::transport::{AsyncTransport, NotLoopback, find_cause};
    use std::io::{Read, Write};
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A loopback server that answers every request with an empty 200 and counts connections.
    fn server() -> (u16, Arc<AtomicUsize>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let count = Arc::new(AtomicUsize::new(0));
        let seen = count.clone();
        std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                seen.fetch_add(1, Ordering::SeqCst);
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
            }
        });
        (port, count)
    }

    /// Every name resolves to `ip`.
    fn resolving_to(ip: [u8; 4]) -> Lookup {
        Arc::new(move |_name: Name| Box::pin(async move { Ok(vec![SocketAddr::from((ip, 0))]) }))
    }

    fn marked(url: &str) -> http::Request<Body> {
        let mut request = http::Request::get(url).body(Body::Empty).unwrap();
        request.extensions_mut().insert(LoopbackOnly);
        request
    }

    #[tokio::test]
    async fn a_name_that_resolves_elsewhere_is_refused_before_connecting() {
        let (port, connections) = server();
        let options = TransportOptions::default();
        // 0.0.0.0 is not loopback, yet on Linux connecting to it reaches this very listener: a
        // missing check would show as a connection.
        let elsewhere = HyperTransport::with_lookup(&options, resolving_to([0, 0, 0, 0])).unwrap();
        let e = elsewhere
            .send(marked(&format!("http://localhost:{port}/")))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), TransportErrorKind::NotLoopback, "{e}");
        assert!(!e.may_have_been_sent());
        let cause = find_cause::<NotLoopback>(&e).expect("the refusal is the cause");
        assert_eq!(cause.host(), "localhost");
        assert_eq!(connections.load(Ordering::SeqCst), 0);

        // The same name resolving to loopback is connected to.
        let home = HyperTransport::with_lookup(&options, resolving_to([127, 0, 0, 1])).unwrap();
        let ok = home
            .send(marked(&format!("http://localhost:{port}/")))
            .await;
        assert_eq!(ok.unwrap().status(), 200);
        assert_eq!(connections.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_literal_that_is_not_loopback_is_refused_before_connecting() {
        let (port, connections) = server();
        let transport =
            HyperTransport::with_lookup(&TransportOptions::default(), resolving_to([127, 0, 0, 1]))
                .unwrap();
        let e = transport
            .send(marked(&format!("http://0.0.0.0:{port}/")))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), TransportErrorKind::NotLoopback, "{e}");
        assert!(!e.may_have_been_sent());
        assert_eq!(connections.load(Ordering::SeqCst), 0);
    }
}

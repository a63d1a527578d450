//! Plain http to loopback addresses only, for requests pinata-core marks
//! [`LoopbackOnly`](pinata_core::transport::LoopbackOnly).
//!
//! ureq resolves the host (IP literals included, see [`crate::resolver`]) and then connects only to
//! the addresses its resolver answered. The resolver does not see the request, so marked requests
//! go through an agent of their own whose resolver is wrapped in [`LoopbackResolver`]: it judges
//! every address with pinata-core's [`LoopbackOnly::check`] and fails the lookup on the first one
//! that is not loopback, before any connection is opened. The failure carries pinata-core's
//! [`NotLoopback`] (see [`crate::stage::classify`]).

use pinata_core::transport::{LoopbackOnly, NotLoopback};
use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// A resolver whose answers must all be loopback addresses.
#[derive(Debug, Default)]
pub(crate) struct LoopbackResolver<R>(pub(crate) R);

impl<R: Resolver> Resolver for LoopbackResolver<R> {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let addrs = self.0.resolve(uri, config, timeout)?;
        let host = uri.host().unwrap_or_default();
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        LoopbackOnly::check(host, &addrs).map_err(refusal)?;
        Ok(addrs)
    }
}

/// The refusal as the error ureq passes back up.
fn refusal(e: NotLoopback) -> ureq::Error {
    ureq::Error::Other(Box::new(e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Body, TransportErrorKind, TransportOptions, UreqTransport};
    use pinata_core::transport::{BlockingTransport, find_cause};
    use std::io::{Read, Write};
    use std::net::SocketAddr;
    use std::sync::Arc;
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

    /// Resolves every name to one address, on the URI's port.
    #[derive(Debug)]
    struct ResolvingTo([u8; 4]);

    impl Resolver for ResolvingTo {
        fn resolve(
            &self,
            uri: &Uri,
            _: &Config,
            _: NextTimeout,
        ) -> Result<ResolvedSocketAddrs, ureq::Error> {
            let mut addrs = self.empty();
            addrs.push(SocketAddr::from((self.0, uri.port_u16().unwrap_or(80))));
            Ok(addrs)
        }
    }

    fn marked(url: &str) -> http::Request<Body> {
        let mut request = http::Request::get(url).body(Body::Empty).unwrap();
        request.extensions_mut().insert(LoopbackOnly);
        request
    }

    #[test]
    fn a_name_that_resolves_elsewhere_is_refused_before_connecting() {
        let (port, connections) = server();
        let options = TransportOptions::default();
        // 0.0.0.0 is not loopback, yet on Linux connecting to it reaches this very listener: a
        // missing check would show as a connection.
        let elsewhere = UreqTransport::with_lookup(&options, || ResolvingTo([0, 0, 0, 0]));
        let e = elsewhere
            .send(marked(&format!("http://localhost:{port}/")))
            .unwrap_err();
        assert_eq!(e.kind(), TransportErrorKind::NotLoopback, "{e}");
        assert!(!e.may_have_been_sent());
        let cause = find_cause::<NotLoopback>(&e).expect("the refusal is the cause");
        assert_eq!(cause.host(), "localhost");
        assert_eq!(connections.load(Ordering::SeqCst), 0);

        // The same name resolving to loopback is connected to.
        let home = UreqTransport::with_lookup(&options, || ResolvingTo([127, 0, 0, 1]));
        let ok = home.send(marked(&format!("http://localhost:{port}/")));
        assert_eq!(ok.unwrap().status(), 200);
        assert_eq!(connections.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_literal_that_is_not_loopback_is_refused_before_connecting() {
        let (port, connections) = server();
        let transport = UreqTransport::with_lookup(&TransportOptions::default(), || {
            ResolvingTo([127, 0, 0, 1])
        });
        let e = transport
            .send(marked(&format!("http://0.0.0.0:{port}/")))
            .unwrap_err();
        assert_eq!(e.kind(), TransportErrorKind::NotLoopback, "{e}");
        assert!(!e.may_have_been_sent());
        assert_eq!(connections.load(Ordering::SeqCst), 0);
    }
}

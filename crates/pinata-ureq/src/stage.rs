//! Which side of sending a failure is on, as ureq knows it.
//!
//! ureq reports every failure as one `ureq::Error`, whether the host did not resolve or the
//! connection broke halfway through the answer. Yet only the first kind is safe to repeat for an
//! unsafe request. ureq resolves and connects (TLS handshake included) before it writes a byte of
//! the request, through the resolver and connector the agent is built with; [`BeforeSending`] wraps
//! both and marks what they return as [`NotSent`]. [`classify`] unwraps the mark, so the error the
//! caller sees is ureq's own.

use std::fmt;

use pinata_core::transport::{NotLoopback, TransportCause, find_cause};
use pinata_core::{Proxy, ProxyFailure, ProxyStep, TransportError, TransportErrorKind};
use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{ConnectionDetails, Connector, NextTimeout};

/// A resolver or connector whose failures are marked [`NotSent`].
#[derive(Debug, Default)]
pub(crate) struct BeforeSending<T>(pub(crate) T);

/// A failure that happened before any byte of the request was written: looking the host up
/// (`resolving`) or connecting to it.
#[derive(Debug)]
struct NotSent {
    error: ureq::Error,
    resolving: bool,
}

impl fmt::Display for NotSent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for NotSent {}

fn mark(error: ureq::Error, resolving: bool) -> ureq::Error {
    match error {
        // Marked already: ureq's CONNECT step runs the whole chain again for the connection to
        // the proxy, so its failures pass through here twice.
        ureq::Error::Other(marked) if marked.is::<NotSent>() => ureq::Error::Other(marked),
        error => ureq::Error::Other(Box::new(NotSent { error, resolving })),
    }
}

impl<R: Resolver> Resolver for BeforeSending<R> {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        self.0
            .resolve(uri, config, timeout)
            .map_err(|e| mark(e, true))
    }
}

impl<C: Connector> Connector for BeforeSending<C> {
    type Out = C::Out;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<()>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        self.0.connect(details, chained).map_err(|e| mark(e, false))
    }
}

/// Sorts a ureq error into a transport error: its kind, and whether the request may have been
/// sent (only failures marked [`NotSent`], or those ureq raises only before connecting, were not),
/// with the cause in words ([`cause`]).
pub(crate) fn classify(error: ureq::Error) -> TransportError {
    classify_through(error, None)
}

/// [`classify`] for a request tunnelled through `proxy` (when `Some`): a failure before sending
/// that is not TLS happened on the way to or at the proxy (the destination is not resolved nor
/// connected to here; the proxy does that), so it is a [`ProxyFailure`] naming the proxy: ureq's
/// `CONNECT proxy failed` with the status it carries, or the proxy unreachable.
pub(crate) fn classify_through(error: ureq::Error, proxy: Option<&Proxy>) -> TransportError {
    let error = match error {
        ureq::Error::Other(boxed) => match boxed.downcast::<NotSent>() {
            Ok(not_sent) => {
                let NotSent { error, resolving } = *not_sent;
                return match error {
                    // The loopback resolver's refusal: the core's own error is the cause.
                    ureq::Error::Other(refusal) if refusal.is::<NotLoopback>() => {
                        TransportError::not_sent(TransportErrorKind::NotLoopback, refusal)
                    }
                    other => {
                        let why = cause(&other, resolving);
                        let kind = before_sending(&other);
                        match proxy {
                            Some(proxy) if kind != TransportErrorKind::Tls => {
                                let step = proxy_step(&other);
                                let why = match step {
                                    ProxyStep::Unreachable => why,
                                    _ => None,
                                };
                                let failure = ProxyFailure::new(proxy, step).caused_by(other);
                                TransportError::not_sent(TransportErrorKind::Proxy, failure)
                                    .because(why)
                            }
                            _ => TransportError::not_sent(kind, other).because(why),
                        }
                    }
                };
            }
            Err(other) => ureq::Error::Other(other),
        },
        other => other,
    };
    let why = cause(&error, false);
    match error {
        ureq::Error::HostNotFound
        | ureq::Error::ConnectionFailed
        | ureq::Error::Timeout(ureq::Timeout::Resolve | ureq::Timeout::Connect) => {
            TransportError::not_sent(TransportErrorKind::Connect, error).because(why)
        }
        other => TransportError::maybe_sent(after_connecting(&other), other).because(why),
    }
}

/// Which step of the tunnel a failure before sending (not TLS) was at: ureq's own CONNECT error
/// says `proxy server responded 407/407` or `proxy server did not respond`; an answer that is not
/// HTTP is a protocol error; anything else failed to reach the proxy.
fn proxy_step(error: &ureq::Error) -> ProxyStep {
    match error {
        ureq::Error::ConnectProxyFailed(message) => {
            match pinata_core::proxy::status_in_message(message) {
                Some(status) => ProxyStep::Refused {
                    status: Some(status),
                },
                None => ProxyStep::NoAnswer,
            }
        }
        ureq::Error::Protocol(_) => ProxyStep::NoAnswer,
        _ => ProxyStep::Unreachable,
    }
}

/// The cause, as pinata-hyper gives the same failure. ureq's error keeps its socket error out of
/// `source()`, so the core cannot read it there: it is mapped here, with the core's
/// [`TransportCause::of_io`].
fn cause(error: &ureq::Error, resolving: bool) -> Option<TransportCause> {
    match error {
        ureq::Error::Timeout(_) => Some(TransportCause::TimedOut),
        ureq::Error::HostNotFound => Some(TransportCause::NameNotResolved),
        _ if resolving => Some(TransportCause::NameNotResolved),
        ureq::Error::Protocol(_) => Some(TransportCause::InvalidHttp),
        ureq::Error::Io(e) => TransportCause::of_io(e.kind()),
        _ => None,
    }
}

fn is_tls(error: &ureq::Error) -> bool {
    match error {
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::TlsRequired => true,
        ureq::Error::Io(e) => find_cause::<rustls::Error>(e).is_some(),
        _ => false,
    }
}

/// The kind of a failure to resolve or connect: TLS, or not connected at all.
fn before_sending(error: &ureq::Error) -> TransportErrorKind {
    if is_tls(error) {
        TransportErrorKind::Tls
    } else {
        TransportErrorKind::Connect
    }
}

/// The kind of a failure once connected.
fn after_connecting(error: &ureq::Error) -> TransportErrorKind {
    match error {
        e if is_tls(e) => TransportErrorKind::Tls,
        ureq::Error::Timeout(_) => TransportErrorKind::Timeout,
        ureq::Error::BodyExceedsLimit(_) => TransportErrorKind::BodyTooLarge,
        ureq::Error::Protocol(_) | ureq::Error::LargeResponseHeader(..) => {
            TransportErrorKind::Protocol
        }
        ureq::Error::Io(e) => TransportErrorKind::of_io(e.kind()),
        _ => TransportErrorKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marked_failures_are_not_sent_and_keep_ureq_s_error() {
        let e = classify(mark(
            ureq::Error::Io(std::io::Error::other("lookup failed")),
            true,
        ));
        assert_eq!(e.kind(), TransportErrorKind::Connect);
        assert!(!e.may_have_been_sent());
        let source = std::error::Error::source(&e).map(ToString::to_string);
        assert_eq!(source.as_deref(), Some("io: lookup failed"));
        assert_eq!(e.why(), Some(TransportCause::NameNotResolved));
        let tls = classify(mark(ureq::Error::Tls("bad handshake"), false));
        assert_eq!(
            (tls.kind(), tls.may_have_been_sent()),
            (TransportErrorKind::Tls, false)
        );
    }

    #[test]
    fn tunnel_failures_name_the_proxy_and_the_step() {
        let proxy: Proxy = "http://u:secret@proxy.corp:3128".parse().unwrap();
        let refused = classify_through(
            mark(
                ureq::Error::ConnectProxyFailed("proxy server responded 407/407".into()),
                false,
            ),
            Some(&proxy),
        );
        assert_eq!(refused.kind(), TransportErrorKind::Proxy);
        assert!(!refused.may_have_been_sent());
        let failure = refused.proxy_failure().unwrap();
        assert_eq!(failure.step(), ProxyStep::Refused { status: Some(407) });
        assert_eq!(failure.proxy(), "proxy.corp:3128");
        let silent = classify_through(
            mark(
                ureq::Error::ConnectProxyFailed("proxy server did not respond".into()),
                false,
            ),
            Some(&proxy),
        );
        assert_eq!(silent.proxy_failure().unwrap().step(), ProxyStep::NoAnswer);
        let unresolved = classify_through(mark(ureq::Error::HostNotFound, true), Some(&proxy));
        assert_eq!(
            unresolved.proxy_failure().unwrap().step(),
            ProxyStep::Unreachable
        );
        assert_eq!(unresolved.why(), Some(TransportCause::NameNotResolved));
        // TLS inside the tunnel is the destination's handshake: a TLS failure, as direct.
        let tls = classify_through(
            mark(ureq::Error::Tls("bad certificate"), false),
            Some(&proxy),
        );
        assert_eq!(tls.kind(), TransportErrorKind::Tls);
    }

    #[test]
    fn failures_after_connecting_may_have_been_sent() {
        let reset = ureq::Error::Io(std::io::ErrorKind::ConnectionReset.into());
        let e = classify(reset);
        assert_eq!(e.kind(), TransportErrorKind::Protocol);
        assert!(e.may_have_been_sent());
        assert_eq!(e.why(), Some(TransportCause::ConnectionReset));
        let timeout = classify(ureq::Error::Timeout(ureq::Timeout::Global));
        assert_eq!(timeout.kind(), TransportErrorKind::Timeout);
        assert!(timeout.may_have_been_sent());
        let other = classify(ureq::Error::Other("unmarked".into()));
        assert!(other.may_have_been_sent());
    }
}

//! Why a transport failed, as a value: each cause has one wording, here, so every transport says
//! the same failure in the same words and nothing compares text. And [`find_cause`], which finds
//! a cause of a given type in an error's chain (the core reads the socket error, the proxy's
//! failure or a refused root with it; transports sort failures into kinds with it).

use std::fmt;

/// Why a transport failure happened, beyond its [`crate::TransportErrorKind`]: what
/// [`crate::TransportError::why`] returns and its `Display` shows after the target
/// (`… failed: the connection was reset`).
///
/// A transport that knows the cause gives it with [`crate::TransportError::because`]; otherwise
/// the core reads the `std::io::Error` among the failure's causes ([`TransportCause::of_io`]).
/// Its `Display` is the one wording of each cause; there is no way to give a cause as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportCause {
    /// `the host name did not resolve`: looking the host up failed or found no address.
    NameNotResolved,
    /// `connection refused`.
    ConnectionRefused,
    /// `the connection was reset`.
    ConnectionReset,
    /// `the connection was aborted`.
    ConnectionAborted,
    /// `the connection closed while the request was sent` (a broken pipe).
    ClosedWhileSending,
    /// `the connection closed before the response ended`: the response was cut short.
    ClosedEarly,
    /// `the response is not valid HTTP`.
    InvalidHttp,
    /// `timed out`: connecting, or a socket operation, took too long.
    TimedOut,
    /// `the network is unreachable`.
    NetworkUnreachable,
    /// `the host is unreachable`.
    HostUnreachable,
    /// `the network is down`.
    NetworkDown,
    /// `the address is not available`.
    AddressNotAvailable,
    /// `permission denied`.
    PermissionDenied,
}

impl TransportCause {
    /// The cause in words (what `Display` writes).
    pub fn as_str(self) -> &'static str {
        use TransportCause as C;
        match self {
            C::NameNotResolved => "the host name did not resolve",
            C::ConnectionRefused => "connection refused",
            C::ConnectionReset => "the connection was reset",
            C::ConnectionAborted => "the connection was aborted",
            C::ClosedWhileSending => "the connection closed while the request was sent",
            C::ClosedEarly => "the connection closed before the response ended",
            C::InvalidHttp => "the response is not valid HTTP",
            C::TimedOut => "timed out",
            C::NetworkUnreachable => "the network is unreachable",
            C::HostUnreachable => "the host is unreachable",
            C::NetworkDown => "the network is down",
            C::AddressNotAvailable => "the address is not available",
            C::PermissionDenied => "permission denied",
        }
    }

    /// What a failed socket operation means, by its [`std::io::ErrorKind`]: the one mapping both
    /// transports use (beside [`crate::TransportErrorKind::of_io`] for the kind). `None` for
    /// kinds whose own text says more than a general phrase would.
    ///
    /// [`crate::TransportError::why`] reads the `std::io::Error` among a failure's causes with
    /// it; a transport whose error type hides its socket error from `source()` passes the result
    /// to [`crate::TransportError::because`] itself.
    pub fn of_io(kind: std::io::ErrorKind) -> Option<Self> {
        use TransportCause as C;
        use std::io::ErrorKind as Io;
        Some(match kind {
            Io::ConnectionRefused => C::ConnectionRefused,
            Io::ConnectionReset => C::ConnectionReset,
            Io::ConnectionAborted => C::ConnectionAborted,
            Io::BrokenPipe => C::ClosedWhileSending,
            Io::UnexpectedEof => C::ClosedEarly,
            Io::TimedOut => C::TimedOut,
            Io::NetworkUnreachable => C::NetworkUnreachable,
            Io::HostUnreachable => C::HostUnreachable,
            Io::NetworkDown => C::NetworkDown,
            Io::AddrNotAvailable => C::AddressNotAvailable,
            Io::PermissionDenied => C::PermissionDenied,
            _ => return None,
        })
    }
}

impl fmt::Display for TransportCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Finds an error of type `E` in `err` or its causes, for transports that sort failures into
/// [`crate::TransportErrorKind`]s. It also looks inside `std::io::Error`s, whose own `source()` skips
/// the error they wrap.
pub fn find_cause<'a, E: std::error::Error + 'static>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a E> {
    let mut next = Some(err);
    while let Some(e) = next {
        if let Some(found) = e.downcast_ref::<E>() {
            return Some(found);
        }
        next = match e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(wrapped) => Some(wrapped as &(dyn std::error::Error + 'static)),
            None => e.source(),
        };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Error, Origin, RequestTarget, TransportError, TransportErrorKind};
    use TransportCause as C;

    /// Every cause, once.
    const ALL: [TransportCause; 13] = [
        C::NameNotResolved,
        C::ConnectionRefused,
        C::ConnectionReset,
        C::ConnectionAborted,
        C::ClosedWhileSending,
        C::ClosedEarly,
        C::InvalidHttp,
        C::TimedOut,
        C::NetworkUnreachable,
        C::HostUnreachable,
        C::NetworkDown,
        C::AddressNotAvailable,
        C::PermissionDenied,
    ];

    /// The words a user reads, as the e2e suite (`tests/src/cases/errors.rs`) and the README
    /// expect them through both transports. A new cause does not compile until it is listed here.
    fn shown(cause: TransportCause) -> &'static str {
        match cause {
            C::NameNotResolved => "the host name did not resolve",
            C::ConnectionRefused => "connection refused",
            C::ConnectionReset => "the connection was reset",
            C::ConnectionAborted => "the connection was aborted",
            C::ClosedWhileSending => "the connection closed while the request was sent",
            C::ClosedEarly => "the connection closed before the response ended",
            C::InvalidHttp => "the response is not valid HTTP",
            C::TimedOut => "timed out",
            C::NetworkUnreachable => "the network is unreachable",
            C::HostUnreachable => "the host is unreachable",
            C::NetworkDown => "the network is down",
            C::AddressNotAvailable => "the address is not available",
            C::PermissionDenied => "permission denied",
        }
    }

    fn at_api(e: TransportError) -> String {
        let uri = "http://127.0.0.1:9/pinning/pinJSONToIPFS".parse().unwrap();
        let target = RequestTarget::new(Origin::Api, &http::Method::POST, &uri);
        Error::from(e.with_target(target)).to_string()
    }

    #[test]
    fn each_cause_has_one_wording_of_its_own() {
        for (i, cause) in ALL.into_iter().enumerate() {
            assert_eq!(cause.to_string(), shown(cause));
            assert_eq!(cause.as_str(), shown(cause));
            // One cause, one wording: two causes never read alike, so comparing causes is
            // comparing what the user reads.
            for other in &ALL[i + 1..] {
                assert_ne!(cause, *other);
                assert_ne!(cause.as_str(), other.as_str(), "{cause:?} and {other:?}");
            }
        }
    }

    /// pinata-hyper leaves the socket error among the causes, for the core to read; pinata-ureq,
    /// whose error hides it, passes `of_io` of it to `because`. Both read the same.
    #[test]
    fn a_socket_error_reads_the_same_whether_read_or_given() {
        use std::io::ErrorKind as Io;
        let kinds = [
            Io::ConnectionRefused,
            Io::ConnectionReset,
            Io::ConnectionAborted,
            Io::BrokenPipe,
            Io::UnexpectedEof,
            Io::TimedOut,
            Io::NetworkUnreachable,
            Io::HostUnreachable,
            Io::NetworkDown,
            Io::AddrNotAvailable,
            Io::PermissionDenied,
        ];
        for kind in kinds {
            let cause = TransportCause::of_io(kind).unwrap();
            let error_kind = TransportErrorKind::of_io(kind);
            let read = TransportError::maybe_sent(error_kind, std::io::Error::new(kind, "os text"));
            let given = TransportError::maybe_sent(error_kind, "ureq's text").because(cause);
            assert_eq!((read.why(), given.why()), (Some(cause), Some(cause)));
            // A transport that has no cause of its own to give leaves the socket error's.
            let none = TransportError::maybe_sent(error_kind, std::io::Error::new(kind, "os text"))
                .because(None);
            assert_eq!(none.why(), Some(cause));
            assert_eq!(at_api(read), at_api(given), "{kind:?}");
        }
        assert_eq!(TransportCause::of_io(Io::Other), None);
        assert_eq!(TransportCause::of_io(Io::NotFound), None);
    }

    /// What the adapters give from their own view (a failed lookup, a connect timeout, hyper's or
    /// ureq's parser), as a user reads it.
    #[test]
    fn causes_the_transports_give_read_as_the_e2e_suite_expects() {
        let e = |kind, cause| at_api(TransportError::not_sent(kind, "x").because(cause));
        assert_eq!(
            e(TransportErrorKind::Connect, C::NameNotResolved),
            "could not connect to 127.0.0.1:9 (the API origin; set PINATA_API_URL, or PINATA_EMULATOR_URL for every origin): the host name did not resolve; nothing was sent"
        );
        assert_eq!(
            e(TransportErrorKind::Connect, C::TimedOut),
            "could not connect to 127.0.0.1:9 (the API origin; set PINATA_API_URL, or PINATA_EMULATOR_URL for every origin): timed out; nothing was sent"
        );
        let sent = |kind, cause| at_api(TransportError::maybe_sent(kind, "x").because(cause));
        assert_eq!(
            sent(TransportErrorKind::Protocol, C::InvalidHttp),
            "POST http://127.0.0.1:9/pinning/pinJSONToIPFS failed: the response is not valid HTTP"
        );
        assert_eq!(
            sent(TransportErrorKind::Protocol, C::ClosedEarly),
            "POST http://127.0.0.1:9/pinning/pinJSONToIPFS failed: the connection closed before the response ended"
        );
        // A timeout says so once.
        assert_eq!(
            sent(TransportErrorKind::Timeout, C::TimedOut),
            "POST http://127.0.0.1:9/pinning/pinJSONToIPFS timed out"
        );
    }
}

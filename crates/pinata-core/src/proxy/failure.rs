//! What went wrong with a proxy, as a value both transports give, so a failure reads the same
//! whichever library met it: `the proxy at proxy.corp:3128 refused the tunnel to
//! api.pinata.cloud:443: 407 Proxy Authentication Required`.

use std::fmt;

use super::Proxy;

/// A failure of the proxy a request was tunnelled through: the source of a
/// [`TransportError`](crate::TransportError) of kind
/// [`TransportErrorKind::Proxy`](crate::TransportErrorKind::Proxy). Every such failure happens
/// before the request is written (the tunnel is set up first), so nothing was sent.
///
/// It names the proxy by host and port only: never its user or password. The transport
/// library's own error, when there is one, is its [`source`](std::error::Error::source).
#[derive(Debug)]
pub struct ProxyFailure {
    proxy: String,
    step: ProxyStep,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

/// Which step of reaching the destination through the proxy failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProxyStep {
    /// No connection to the proxy: its name did not resolve, it refused the connection, it did not
    /// answer in time, or the TLS handshake with an `https://` proxy failed.
    Unreachable,
    /// The proxy answered the `CONNECT` request with something other than 2xx: the status when
    /// the transport library tells it (`407`: the proxy wants other credentials; `403`: it does
    /// not allow the destination; `502`/`503`/`504`: it could not reach the destination).
    Refused {
        /// The status the proxy answered with, if known.
        status: Option<u16>,
    },
    /// The proxy closed the connection, or answered something that is not HTTP, instead of
    /// answering the `CONNECT` request.
    NoAnswer,
}

impl ProxyFailure {
    /// A failure at `step` of the tunnel through `proxy`.
    pub fn new(proxy: &Proxy, step: ProxyStep) -> Self {
        Self {
            proxy: proxy.authority(),
            step,
            source: None,
        }
    }

    /// The same failure with the transport library's error as its source.
    pub fn caused_by(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        self.source = Some(source.into());
        self
    }

    /// The proxy as `host:port` (an IPv6 host in brackets).
    pub fn proxy(&self) -> &str {
        &self.proxy
    }

    /// Which step failed.
    pub fn step(&self) -> ProxyStep {
        self.step
    }

    /// Whether the same request may get through later: the proxy could not be reached or did not
    /// answer, or it could not reach the destination (`502`, `503`, `504`). A refusal that names
    /// the client (`407`, `403`, any other status) comes again.
    pub fn is_transient(&self) -> bool {
        match self.step {
            ProxyStep::Unreachable | ProxyStep::NoAnswer => true,
            ProxyStep::Refused { status } => matches!(status, Some(502..=504)),
        }
    }

    /// Writes the failure, naming the destination `to` (`host:port`) when known.
    pub(crate) fn describe(&self, f: &mut fmt::Formatter<'_>, to: Option<&str>) -> fmt::Result {
        let proxy = &self.proxy;
        match self.step {
            ProxyStep::Unreachable => write!(f, "could not reach the proxy at {proxy}")?,
            ProxyStep::Refused { .. } => write!(f, "the proxy at {proxy} refused the tunnel")?,
            ProxyStep::NoAnswer => write!(
                f,
                "the proxy at {proxy} did not answer the request for a tunnel"
            )?,
        }
        if let Some(to) = to {
            write!(f, " to {to}")?;
        }
        if let ProxyStep::Refused {
            status: Some(status),
        } = self.step
        {
            write!(f, ": {status}")?;
            if let Some(reason) = http::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
            {
                write!(f, " {reason}")?;
            }
            match status {
                407 => f.write_str(
                    " (give the proxy's user and password in its URL: http://user:password@host:port)",
                )?,
                403 => f.write_str(" (the proxy does not allow this destination)")?,
                _ => {}
            }
        }
        Ok(())
    }
}

impl fmt::Display for ProxyFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.describe(f, None)
    }
}

impl std::error::Error for ProxyFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e.as_ref() as &(dyn std::error::Error + 'static))
    }
}

/// The status of a proxy's answer to `CONNECT`, from a transport library's message that carries
/// it as text (ureq says `proxy server responded 407/407`): the first run of three digits after
/// `responded`, if any. Linear, and `None` rather than a guess.
#[doc(hidden)]
pub fn status_in_message(message: &str) -> Option<u16> {
    let (_, after) = message.split_once("responded")?;
    let digits: String = after
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    if digits.len() != 3 {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxy() -> Proxy {
        Proxy::parse("http://user:hunter2@proxy.corp:3128").unwrap()
    }

    #[test]
    fn each_step_reads_naming_the_proxy_and_never_its_password() {
        let cases = [
            (
                ProxyStep::Refused { status: Some(407) },
                "the proxy at proxy.corp:3128 refused the tunnel: 407 Proxy Authentication Required \
                 (give the proxy's user and password in its URL: http://user:password@host:port)",
            ),
            (
                ProxyStep::Refused { status: Some(502) },
                "the proxy at proxy.corp:3128 refused the tunnel: 502 Bad Gateway",
            ),
            (
                ProxyStep::Refused { status: None },
                "the proxy at proxy.corp:3128 refused the tunnel",
            ),
            (
                ProxyStep::Unreachable,
                "could not reach the proxy at proxy.corp:3128",
            ),
            (
                ProxyStep::NoAnswer,
                "the proxy at proxy.corp:3128 did not answer the request for a tunnel",
            ),
        ];
        for (step, shown) in cases {
            let failure = ProxyFailure::new(&proxy(), step).caused_by("library: hunter2?");
            assert_eq!(failure.to_string(), shown);
            assert!(!format!("{failure:?}").contains("hunter2@"));
        }
    }

    #[test]
    fn only_failures_that_may_pass_are_transient() {
        let transient = |step| ProxyFailure::new(&proxy(), step).is_transient();
        assert!(transient(ProxyStep::Unreachable));
        assert!(transient(ProxyStep::NoAnswer));
        assert!(transient(ProxyStep::Refused { status: Some(503) }));
        assert!(!transient(ProxyStep::Refused { status: Some(407) }));
        assert!(!transient(ProxyStep::Refused { status: Some(403) }));
        assert!(!transient(ProxyStep::Refused { status: None }));
    }

    #[test]
    fn the_status_is_read_from_a_library_message_or_not_at_all() {
        assert_eq!(
            status_in_message("proxy server responded 407/407"),
            Some(407)
        );
        assert_eq!(status_in_message("proxy server responded 4070"), None);
        assert_eq!(status_in_message("proxy server did not respond"), None);
        assert_eq!(status_in_message("responded"), None);
    }
}

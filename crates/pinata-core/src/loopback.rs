//! Plain `http://` only to this machine: the rule is decided here, and applied by each transport
//! where it resolves host names.
//!
//! [`crate::prepare_request`] lets a request with credentials go over plain http only when its host
//! is loopback *by its text* (`localhost`, `127.0.0.0/8`, `::1`, and, deliberately, the
//! IPv4-mapped `::ffff:127.0.0.0/104`, which is the IPv4 loopback address as an IPv6 socket names
//! it; not the deprecated IPv4-compatible `::127.0.0.1` nor `::ffff:0:127.0.0.1`, which no kernel
//! delivers to loopback; see [`crate::BaseUrl::is_loopback`]),
//! unless [`crate::Config::allow_insecure_http`] opts out. Text is not enough for a name: `localhost`
//! may resolve elsewhere (a hosts file, a resolver that answers anything). So such a request carries
//! a [`LoopbackOnly`] mark in its `http::Extensions`, and a transport that finds the mark must judge
//! the addresses it is about to connect to with [`LoopbackOnly::check`] (or, for a host that is an
//! IP literal it does not resolve, [`LoopbackOnly::check_literal`]) and refuse before connecting.
//! The refusal is a [`crate::TransportError::not_sent`] of kind
//! [`crate::TransportErrorKind::NotLoopback`] whose source is a [`NotLoopback`].

use std::fmt;
use std::net::{IpAddr, SocketAddr};

use http::{Request, Uri};

/// The mark, in a request's extensions, that its plain-http destination may only be a loopback
/// address: every address its host resolves to must be loopback, or nothing is sent.
///
/// [`crate::prepare_request`] inserts it on every plain-http request it lets through because the
/// host is loopback; with [`crate::Config::allow_insecure_http`] it does not. On an `https`
/// request it has no effect (TLS authenticates the server).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoopbackOnly;

impl LoopbackOnly {
    /// Whether `request` carries the mark and goes over plain http, so its transport must check the
    /// addresses it connects to.
    pub fn is_required<B>(request: &Request<B>) -> bool {
        request.extensions().get::<LoopbackOnly>().is_some()
            && request.uri().scheme() == Some(&http::uri::Scheme::HTTP)
    }

    /// Judges the addresses `host` resolved to: all must be loopback (an IPv4-mapped IPv6 address
    /// counts as its IPv4 address). Pure; the first address that is not loopback is the refusal.
    /// An empty list passes: there is nothing to connect to, so nothing can be sent.
    pub fn check(host: &str, addrs: &[SocketAddr]) -> Result<(), NotLoopback> {
        match addrs.iter().find(|a| !is_loopback_ip(a.ip())) {
            Some(bad) => Err(NotLoopback {
                host: host.to_owned(),
                address: bad.ip(),
            }),
            None => Ok(()),
        }
    }

    /// Judges the host of `uri` when it is an IP literal (with or without IPv6 brackets), for
    /// transports that connect to literals without resolving them. A host name passes here: it is
    /// judged by [`LoopbackOnly::check`] once resolved.
    pub fn check_literal(uri: &Uri) -> Result<(), NotLoopback> {
        let host = uri.host().unwrap_or_default();
        let bare = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        match bare.parse::<IpAddr>() {
            Ok(ip) => Self::check(bare, &[SocketAddr::new(ip, 0)]),
            Err(_) => Ok(()),
        }
    }
}

/// Whether `ip` is this machine's loopback: `127.0.0.0/8`, `::1`, or `::ffff:127.x.y.z`.
pub(crate) fn is_loopback_ip(ip: IpAddr) -> bool {
    ip.to_canonical().is_loopback()
}

/// Whether `host` (IPv6 without brackets) *names* this machine by its text: `localhost` (or
/// `localhost.`, in any case) or a loopback IP literal. Nothing is resolved. The one rule behind
/// [`crate::BaseUrl::is_loopback`] and the proxy decision's "loopback is always direct".
pub(crate) fn is_loopback_host(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.eq_ignore_ascii_case("localhost.")
        || host.parse::<IpAddr>().is_ok_and(is_loopback_ip)
}

/// A plain-http request was refused because its host resolved to an address that is not loopback:
/// the credentials would have travelled in clear text to another machine. Nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotLoopback {
    host: String,
    address: IpAddr,
}

impl NotLoopback {
    /// The host of the request (a name, or the IP literal itself).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The address that is not loopback.
    pub fn address(&self) -> IpAddr {
        self.address
    }
}

impl fmt::Display for NotLoopback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host: String = self
            .host
            .chars()
            .take(255)
            .map(|c| if c.is_ascii_graphic() { c } else { '?' })
            .collect();
        if host == self.address.to_string() {
            write!(
                f,
                "refusing plain http to {host}, which is not a loopback address"
            )?;
        } else {
            write!(
                f,
                "refusing plain http to {host}: it resolves to {}, which is not a loopback address",
                self.address
            )?;
        }
        f.write_str("; credentials would travel in clear text (use https, or allow_insecure_http)")
    }
}

impl std::error::Error for NotLoopback {}

#[cfg(test)]
mod tests {
    use super::*;

    fn addrs(list: &[&str]) -> Vec<SocketAddr> {
        list.iter().map(|a| a.parse().unwrap()).collect()
    }

    #[test]
    fn only_loopback_addresses_pass() {
        assert_eq!(
            LoopbackOnly::check("localhost", &addrs(&["127.0.0.1:80", "[::1]:80"])),
            Ok(())
        );
        assert_eq!(
            LoopbackOnly::check("localhost", &addrs(&["127.8.9.10:1"])),
            Ok(())
        );
        assert_eq!(
            LoopbackOnly::check("localhost", &addrs(&["[::ffff:127.0.0.1]:80"])),
            Ok(())
        );
        assert_eq!(LoopbackOnly::check("localhost", &[]), Ok(()));
    }

    #[test]
    fn any_other_address_is_refused() {
        let e = LoopbackOnly::check("localhost", &addrs(&["10.0.0.1:80"])).unwrap_err();
        assert_eq!(e.host(), "localhost");
        assert_eq!(e.address(), "10.0.0.1".parse::<IpAddr>().unwrap());
        assert!(
            e.to_string().contains("localhost: it resolves to 10.0.0.1"),
            "{e}"
        );
        // One bad address among good ones is enough: the connector may try any of them.
        let mixed = addrs(&["127.0.0.1:80", "[::1]:80", "192.168.1.2:80"]);
        assert_eq!(
            LoopbackOnly::check("localhost", &mixed)
                .unwrap_err()
                .address(),
            "192.168.1.2".parse::<IpAddr>().unwrap()
        );
        for bad in [
            "0.0.0.0:80",
            "[::]:80",
            "[::ffff:10.0.0.1]:80",
            "[fe80::1]:80",
            "169.254.1.1:80",
        ] {
            assert!(
                LoopbackOnly::check("localhost", &addrs(&[bad])).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn literals_are_judged_as_they_are_and_names_wait_for_resolution() {
        let uri = |u: &str| u.parse::<Uri>().unwrap();
        assert_eq!(
            LoopbackOnly::check_literal(&uri("http://127.0.0.1:3000/")),
            Ok(())
        );
        assert_eq!(
            LoopbackOnly::check_literal(&uri("http://[::1]:3000/")),
            Ok(())
        );
        assert_eq!(
            LoopbackOnly::check_literal(&uri("http://localhost/")),
            Ok(())
        );
        let e = LoopbackOnly::check_literal(&uri("http://0.0.0.0:3000/")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "refusing plain http to 0.0.0.0, which is not a loopback address; credentials would travel in clear text (use https, or allow_insecure_http)"
        );
        assert!(LoopbackOnly::check_literal(&uri("http://[::]:1/")).is_err());
    }

    #[test]
    fn the_mark_applies_to_plain_http_only() {
        let mut request = Request::get("http://localhost/").body(()).unwrap();
        assert!(!LoopbackOnly::is_required(&request));
        request.extensions_mut().insert(LoopbackOnly);
        assert!(LoopbackOnly::is_required(&request));
        let mut tls = Request::get("https://localhost/").body(()).unwrap();
        tls.extensions_mut().insert(LoopbackOnly);
        assert!(!LoopbackOnly::is_required(&tls));
    }
}

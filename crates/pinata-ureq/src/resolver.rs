//! Host-name resolution for the agent.
//!
//! ureq resolves the host before it looks in its connection pool, so it does so on *every*
//! request, including those that reuse a pooled connection. When a timeout applies to the lookup
//! (and pinata-ureq always sets a whole-request timeout, which does), ureq's default resolver runs
//! the lookup on a newly spawned thread so it can give up on time. On loopback that thread costs
//! about 40 µs per request, more than half of a whole request (measured in BENCHMARKS.md).
//!
//! [`ReusingResolver`] removes that cost without changing what gets connected to:
//! - a host that is an IP literal (the emulator's `127.0.0.1`, say) is parsed, not looked up, and
//!   kept only if the config's IP family allows it, as the default resolver answers it;
//! - a host name is looked up by the wrapped resolver (ureq's default, with its timeout), and the
//!   answer is reused for [`REUSE_FOR`]. The addresses are only used when a new connection is
//!   opened (ureq pools connections by scheme and authority, not by address), so reuse only
//!   delays by at most that long the moment a new connection follows a DNS change.
//!
//! The `Resolver` trait is in ureq's `unversioned` module (no semver promise within 3.x); this
//! module is the only place that uses it, written against ureq 3.5, which is why the workspace
//! asks for ureq `~3.5`.

use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::http::uri::Scheme;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// How long a looked-up answer for a host name is reused.
pub(crate) const REUSE_FOR: Duration = Duration::from_secs(30);

/// A resolver that parses IP literals and reuses host-name answers for [`REUSE_FOR`].
#[derive(Debug, Default)]
pub(crate) struct ReusingResolver<R = DefaultResolver> {
    inner: R,
    last: Mutex<Option<Answer>>,
}

/// The last host-name answer: which `host:port` it is for, and when it was looked up.
#[derive(Debug)]
struct Answer {
    host_port: String,
    addrs: ResolvedSocketAddrs,
    at: Instant,
}

impl<R: Resolver> ReusingResolver<R> {
    /// Looks host names up with `inner`.
    pub(crate) fn new(inner: R) -> Self {
        Self {
            inner,
            last: Mutex::new(None),
        }
    }

    /// The last answer for `host_port`, if it is recent enough.
    fn reusable(&self, host_port: &str, now: Instant) -> Option<ResolvedSocketAddrs> {
        // A poisoned lock only means another thread panicked while replacing the answer; the
        // cache is then just missed, never trusted.
        let last = self.last.lock().ok()?;
        last.as_ref()
            .filter(|a| a.host_port == host_port && now.saturating_duration_since(a.at) < REUSE_FOR)
            .map(|a| a.addrs.clone())
    }

    fn remember(&self, host_port: String, addrs: &ResolvedSocketAddrs, at: Instant) {
        if let Ok(mut last) = self.last.lock() {
            *last = Some(Answer {
                host_port,
                addrs: addrs.clone(),
                at,
            });
        }
    }
}

impl<R: Resolver> Resolver for ReusingResolver<R> {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let (Some(scheme), Some(authority)) = (uri.scheme(), uri.authority()) else {
            // Let the wrapped resolver report the malformed URL in its own words.
            return self.inner.resolve(uri, config, timeout);
        };
        let port = match authority.port_u16() {
            Some(port) => port,
            None if *scheme == Scheme::HTTPS => 443,
            None if *scheme == Scheme::HTTP => 80,
            None => return self.inner.resolve(uri, config, timeout),
        };
        let host = authority.host();
        let literal = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        if let Ok(ip) = literal.parse::<IpAddr>() {
            // As ureq's resolver: an address of a family the config excludes is no address at all.
            let mut addrs = self.empty();
            for addr in config
                .ip_family()
                .keep_wanted(std::iter::once(SocketAddr::new(ip, port)))
            {
                addrs.push(addr);
            }
            return if addrs.is_empty() {
                Err(ureq::Error::HostNotFound)
            } else {
                Ok(addrs)
            };
        }
        let host_port = format!("{host}:{port}");
        let now = Instant::now();
        if let Some(addrs) = self.reusable(&host_port, now) {
            return Ok(addrs);
        }
        let addrs = self.inner.resolve(uri, config, timeout)?;
        self.remember(host_port, &addrs, now);
        Ok(addrs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Answers every lookup with one address and counts the lookups.
    #[derive(Debug, Default)]
    struct Counting(AtomicUsize);

    impl Resolver for Counting {
        fn resolve(
            &self,
            uri: &Uri,
            _: &Config,
            _: NextTimeout,
        ) -> Result<ResolvedSocketAddrs, ureq::Error> {
            let n = self.0.fetch_add(1, Ordering::SeqCst);
            let port = uri.port_u16().unwrap_or(443);
            let mut addrs = self.empty();
            addrs.push(SocketAddr::from((
                [10, 0, 0, u8::try_from(n).unwrap_or(0)],
                port,
            )));
            Ok(addrs)
        }
    }

    fn resolve(r: &ReusingResolver<Counting>, url: &str) -> Vec<SocketAddr> {
        let uri: Uri = url.parse().unwrap();
        r.resolve(&uri, &Config::default(), NextTimeout::default())
            .unwrap()
            .to_vec()
    }

    #[test]
    fn ip_literals_are_parsed_not_looked_up() {
        let r = ReusingResolver::new(Counting::default());
        assert_eq!(
            resolve(&r, "http://127.0.0.1:3000/data"),
            [SocketAddr::from(([127, 0, 0, 1], 3000))]
        );
        assert_eq!(
            resolve(&r, "https://[::1]/x"),
            ["[::1]:443".parse::<SocketAddr>().unwrap()]
        );
        assert_eq!(
            resolve(&r, "http://10.1.2.3/"),
            [SocketAddr::from(([10, 1, 2, 3], 80))]
        );
        assert_eq!(r.inner.0.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn an_ip_literal_of_an_excluded_family_is_not_found() {
        let r = ReusingResolver::new(Counting::default());
        let config = Config::builder()
            .ip_family(ureq::config::IpFamily::Ipv4Only)
            .build();
        let v6: Uri = "https://[::1]/".parse().unwrap();
        let v4: Uri = "https://127.0.0.1/".parse().unwrap();
        assert!(matches!(
            r.resolve(&v6, &config, NextTimeout::default()),
            Err(ureq::Error::HostNotFound)
        ));
        assert_eq!(
            r.resolve(&v4, &config, NextTimeout::default())
                .unwrap()
                .to_vec(),
            [SocketAddr::from(([127, 0, 0, 1], 443))]
        );
    }

    #[test]
    fn a_host_name_is_looked_up_once_then_reused() {
        let r = ReusingResolver::new(Counting::default());
        let first = resolve(&r, "https://api.pinata.cloud/data/testAuthentication");
        let second = resolve(&r, "https://api.pinata.cloud/pinning/pinJSONToIPFS");
        assert_eq!(first, [SocketAddr::from(([10, 0, 0, 0], 443))]);
        assert_eq!(second, first);
        assert_eq!(r.inner.0.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn another_host_or_port_is_looked_up_afresh() {
        let r = ReusingResolver::new(Counting::default());
        resolve(&r, "https://api.pinata.cloud/");
        assert_eq!(
            resolve(&r, "https://api.pinata.cloud:8443/"),
            [SocketAddr::from(([10, 0, 0, 1], 8443))]
        );
        assert_eq!(
            resolve(&r, "https://uploads.pinata.cloud/"),
            [SocketAddr::from(([10, 0, 0, 2], 443))]
        );
        assert_eq!(r.inner.0.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn an_old_answer_is_looked_up_again() {
        let r = ReusingResolver::new(Counting::default());
        resolve(&r, "https://api.pinata.cloud/");
        // Age the answer past the reuse window.
        {
            let mut last = r.last.lock().unwrap();
            let answer = last.as_mut().expect("the answer was remembered");
            answer.at = answer.at.checked_sub(REUSE_FOR).unwrap();
        }
        assert_eq!(
            resolve(&r, "https://api.pinata.cloud/"),
            [SocketAddr::from(([10, 0, 0, 1], 443))]
        );
        assert_eq!(r.inner.0.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_failed_lookup_is_not_remembered() {
        #[derive(Debug)]
        struct Failing;
        impl Resolver for Failing {
            fn resolve(
                &self,
                _: &Uri,
                _: &Config,
                _: NextTimeout,
            ) -> Result<ResolvedSocketAddrs, ureq::Error> {
                Err(ureq::Error::HostNotFound)
            }
        }
        let r = ReusingResolver::new(Failing);
        let uri: Uri = "https://nowhere.invalid/".parse().unwrap();
        let err = r.resolve(&uri, &Config::default(), NextTimeout::default());
        assert!(matches!(err, Err(ureq::Error::HostNotFound)));
        assert!(r.last.lock().unwrap().is_none());
    }
}

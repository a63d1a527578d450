//! Checking multiaddrs (`/ip4/1.2.3.4/tcp/4001/p2p/Qm…`) before they are sent as host nodes.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::error::BuildError;

/// Checks that `addr` is a well-formed multiaddr of the common protocols; returns why not.
pub fn validate_multiaddr(addr: &str) -> Result<(), BuildError> {
    let bad = |why: &str| BuildError::InvalidInput(format!("{addr:?} is not a multiaddr: {why}"));
    let Some(rest) = addr.strip_prefix('/') else {
        return Err(bad("it must start with '/'"));
    };
    let mut parts = rest.split('/');
    let mut any = false;
    while let Some(protocol) = parts.next() {
        any = true;
        let mut value = || {
            parts
                .next()
                .filter(|v| !v.is_empty())
                .ok_or_else(|| bad(&format!("{protocol} needs a value")))
        };
        match protocol {
            "ip4" => {
                value()?
                    .parse::<Ipv4Addr>()
                    .map_err(|_| bad("bad ip4 address"))?;
            }
            "ip6" => {
                value()?
                    .parse::<Ipv6Addr>()
                    .map_err(|_| bad("bad ip6 address"))?;
            }
            "tcp" | "udp" | "sctp" | "dccp" => {
                value()?.parse::<u16>().map_err(|_| bad("bad port"))?;
            }
            "dns" | "dns4" | "dns6" | "dnsaddr" => {
                let host = value()?;
                if !host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
                {
                    return Err(bad("bad host name"));
                }
            }
            "p2p" | "ipfs" => {
                let id = value()?;
                if !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err(bad("bad peer id"));
                }
            }
            "quic" | "quic-v1" | "ws" | "wss" | "tls" | "noise" | "http" | "https"
            | "webtransport" | "webrtc" | "webrtc-direct" | "p2p-circuit" => {}
            "" => return Err(bad("empty protocol")),
            other => return Err(bad(&format!("unknown protocol {other:?}"))),
        }
    }
    if any { Ok(()) } else { Err(bad("empty")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_refuses() {
        for ok in [
            "/ip4/1.2.3.4/tcp/4001/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N",
            "/dnsaddr/bootstrap.libp2p.io/p2p/QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN",
            "/ip6/::1/udp/4001/quic-v1",
            "/dns4/example.com/tcp/443/wss",
        ] {
            assert!(validate_multiaddr(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "/",
            "ip4/1.2.3.4",
            "/ip4/999.1.1.1",
            "/tcp/http",
            "/ip4",
            "/foo/bar",
            "/p2p/Qm/x!",
        ] {
            assert!(validate_multiaddr(bad).is_err(), "{bad}");
        }
    }
}

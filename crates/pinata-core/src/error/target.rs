//! Where a failed request went, as its error names it, and the causes of transport failures in
//! words.

use std::fmt;

use http::{Method, Uri};

use crate::config::{ENV_BASE_URL, ENV_EMULATOR_URL, ENV_GATEWAY, ENV_UPLOADS_URL, Origin};

/// A path segment this long or longer is not shown for the uploads origin or a signed URL: it may
/// be a capability (a resumable upload's token). The same bound as the signed-URL redaction.
const HIDDEN_SEGMENT: usize = 16;

/// Where a request went, as an error shows it: the [`Origin`] it was for, its method, and its
/// URL's scheme, host, port and path.
///
/// Never the query string, which can hold a signature or the gateway key, and never credentials
/// (a base URL cannot carry `user:password@`). On the uploads origin and on a signed URL, a path
/// segment of 16 characters or more is shown as `…`: a resumable upload's URL holds its token
/// there.
///
/// The clients attach it to every [`crate::TransportError`] they return
/// ([`crate::TransportError::target`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestTarget {
    origin: Origin,
    method: Method,
    https: bool,
    host: String,
    port: u16,
    path: String,
    /// The name of the endpoint's metadata entry (a name, so errors depend on nothing above them).
    endpoint: Option<&'static str>,
}

impl RequestTarget {
    /// The target of a request with `method` to `uri`, for `origin`. A URI without a host (which
    /// [`crate::prepare_request`] never makes) shows an empty host.
    pub fn new(origin: Origin, method: &Method, uri: &Uri) -> Self {
        let https = uri.scheme() != Some(&http::uri::Scheme::HTTP);
        let host = uri
            .host()
            .unwrap_or("")
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        let hide = matches!(origin, Origin::Uploads | Origin::Signed);
        let path = uri
            .path()
            .split('/')
            .map(|segment| {
                if hide && segment.len() >= HIDDEN_SEGMENT {
                    "…"
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        Self {
            origin,
            method: method.clone(),
            https,
            host,
            port,
            path,
            endpoint: None,
        }
    }

    /// The same target, naming the endpoint called by the name of its metadata entry (the
    /// clients set it from [`crate::api::metadata::of_endpoint`]).
    pub fn for_endpoint(mut self, name: Option<&'static str>) -> Self {
        self.endpoint = name;
        self
    }

    /// The name of the endpoint called, when known (`pinning.pinFileToIPFS`): its facts, such as
    /// who may call it, are `pinata_core::api::metadata::named(name)`, so a refusal can say what
    /// the key lacks.
    pub fn endpoint(&self) -> Option<&'static str> {
        self.endpoint
    }

    /// The origin the request was for.
    pub fn origin(&self) -> Origin {
        self.origin
    }

    /// The request's method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The host name or address (an IPv6 address without brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port, the scheme's default when the URL names none.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The path as shown (without the query; long segments hidden on the uploads origin and
    /// signed URLs).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// `host:port` (`[::1]:8080` for an IPv6 address): what a connection is made to.
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// `the uploads origin`, `a signed URL`, …: what the origin is to a reader.
    pub(crate) fn origin_name(&self) -> &'static str {
        match self.origin {
            Origin::Api => "the API origin",
            Origin::Uploads => "the uploads origin",
            Origin::Gateway => "the gateway",
            Origin::Signed => "a signed URL",
        }
    }

    /// The environment variable that moves this origin elsewhere, if one does.
    pub(crate) fn origin_variable(&self) -> Option<&'static str> {
        match self.origin {
            Origin::Api => Some(ENV_BASE_URL),
            Origin::Uploads => Some(ENV_UPLOADS_URL),
            Origin::Gateway => Some(ENV_GATEWAY),
            Origin::Signed => None,
        }
    }

    /// ` (the uploads origin; set PINATA_UPLOADS_URL, or PINATA_EMULATOR_URL for every origin)`:
    /// which origin failed to connect and how to point it elsewhere.
    pub(crate) fn write_origin_hint(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.origin_variable() {
            Some(variable) => write!(
                f,
                " ({}; set {variable}, or {ENV_EMULATOR_URL} for every origin)",
                self.origin_name()
            ),
            None => write!(f, " ({})", self.origin_name()),
        }
    }
}

/// `https://uploads.pinata.cloud:443/v3/files`: scheme, host, port and the path as shown.
impl fmt::Display for RequestTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.https { "https" } else { "http" };
        write!(f, "{scheme}://{}{}", self.authority(), self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(origin: Origin, method: Method, uri: &str) -> RequestTarget {
        RequestTarget::new(origin, &method, &uri.parse().unwrap())
    }

    #[test]
    fn the_query_and_long_segments_of_capability_urls_are_never_shown() {
        let tus = target(
            Origin::Uploads,
            Method::PATCH,
            "https://uploads.pinata.cloud/v3/files/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b/9f86d081884c7d659a2feaa0c55ad015?x=1",
        );
        assert_eq!(
            tus.to_string(),
            "https://uploads.pinata.cloud:443/v3/files/…/…"
        );
        let signed = target(
            Origin::Signed,
            Method::GET,
            "https://gw.example/files/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy?X-Signature=0123456789abcdef",
        );
        assert_eq!(signed.to_string(), "https://gw.example:443/files/…");
        let gateway = target(
            Origin::Gateway,
            Method::GET,
            "http://127.0.0.1:8080/ipfs/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy?pinataGatewayToken=secret-gateway-key",
        );
        assert_eq!(
            gateway.to_string(),
            "http://127.0.0.1:8080/ipfs/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"
        );
        let v6 = target(Origin::Api, Method::GET, "http://[::1]:9/data/x");
        assert_eq!((v6.host(), v6.authority()), ("::1", "[::1]:9".to_owned()));
    }
}

#![doc = include_str!("../README.md")]

use std::error::Error as StdError;
use std::sync::Arc;

use crate::connector::{ConnectTimedOut, MarkResolveFailures, NotResolved, TimeoutConnector};
use crate::loopback::{Lookup, LoopbackResolver};
use bytes::Bytes;
use http::{Request, Response};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Empty, Full, LengthLimitError, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::dns::GaiResolver;
use hyper_util::rt::TokioExecutor;
use pinata_core::transport::{
    AsyncTransport, BodyStream, BoxError, LoopbackOnly, NotLoopback, ProxySettings, Route,
    TransportFactory, find_cause,
};

// Everything a user needs from the core, under this crate's name: one dependency is enough
// (`pinata_ureq::api::pinning::PinFile`, `pinata_ureq::Error`, …). The core itself stays reachable
// as `pinata_core` for code that names it.
#[doc(no_inline)]
pub use pinata_core;
#[doc(inline)]
pub use pinata_core::*;

mod connector;
mod fetch;
pub mod local;
mod loopback;
mod roots;
mod tunnel;
mod upload;

pub use fetch::download_to_path;
pub use local::{cid_of_path, pin_request, upload_cid_of_path, upload_request};
pub use upload::reader;

#[cfg(not(any(feature = "webpki-roots", feature = "native-roots")))]
compile_error!("pinata-hyper needs a root store: enable `webpki-roots` or `native-roots`");

/// The async Pinata client over hyper.
pub type Client = pinata_core::AsyncClient<HyperTransport>;

type RequestBody = UnsyncBoxBody<Bytes, BoxError>;

/// TCP with failed lookups marked, then TLS (or plain http to loopback).
type Tcp = HttpConnector<MarkResolveFailures<GaiResolver>>;
/// The connector of direct requests.
type Direct = TimeoutConnector<HttpsConnector<Tcp>>;
/// The connector of tunnelled requests: TLS to the destination inside a `CONNECT` tunnel through
/// the proxy, reached over TCP (and TLS for an `https://` proxy).
type Tunnelled = TimeoutConnector<HttpsConnector<tunnel::ThroughProxy<HttpsConnector<Tcp>>>>;

/// hyper-util's pooled client with an HTTPS (and loopback HTTP) connector; implements
/// [`AsyncTransport`]. Cloning shares the connection pool.
///
/// A request pinata-core marks [`LoopbackOnly`] (plain http without
/// [`Config::allow_insecure_http`]) goes through a plain-http connector of its own, whose resolver
/// refuses a host name that resolves to any address that is not loopback; an IP literal is judged
/// as it is. The refusal happens before a connection is opened: a [`TransportError`] of kind
/// [`TransportErrorKind::NotLoopback`], not sent, whose cause is a [`NotLoopback`].
#[derive(Clone)]
pub struct HyperTransport {
    client: HyperClient<Direct, RequestBody>,
    /// For `https://` requests the proxy settings send through a tunnel.
    tunnel: Option<HyperClient<Tunnelled, RequestBody>>,
    proxy: Arc<ProxySettings>,
    /// For requests marked [`LoopbackOnly`]: plain http, every resolved address checked.
    loopback: HyperClient<TimeoutConnector<HttpConnector<LoopbackResolver>>, RequestBody>,
    options: Arc<TransportOptions>,
}

impl std::fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HyperTransport")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl TransportFactory for HyperTransport {
    /// The transport for `options`, with the proxy variables of the environment and the default
    /// roots (what [`TransportFactory::from_config`] does with a default [`Config`]).
    fn from_options(options: &TransportOptions) -> Result<Self, TransportError> {
        Self::from_config(&Config::default().with_transport_options(options.clone()))
    }

    /// The transport for `config`: its transport options, proxy setting and root certificates. A
    /// proxy setting that is refused (a bad `HTTPS_PROXY`) is an error of kind
    /// [`TransportErrorKind::Proxy`] naming the variable.
    fn from_config(config: &Config) -> Result<Self, TransportError> {
        Self::build(config, loopback::system_lookup())
    }
}

impl HyperTransport {
    /// The transport for `options` without a proxy, with `lookup` (tests).
    #[cfg(test)]
    fn with_lookup(options: &TransportOptions, lookup: Lookup) -> Result<Self, TransportError> {
        let config = Config::default()
            .with_transport_options(options.clone())
            .without_proxy();
        Self::build(&config, lookup)
    }

    /// The transport, with `lookup` resolving host names for [`LoopbackOnly`] requests.
    fn build(config: &Config, lookup: Lookup) -> Result<Self, TransportError> {
        let options = config.transport_options();
        let proxy = config
            .proxy()
            .resolve()
            .map_err(|e| TransportError::not_sent(TransportErrorKind::Proxy, e))?;
        let tls = roots::client_config(config.root_certificates())?;
        let mut http = HttpConnector::new_with_resolver(MarkResolveFailures(GaiResolver::new()));
        http.enforce_http(false);
        http.set_connect_timeout(Some(options.connect_timeout));
        http.set_nodelay(true);
        // Plain http is let through here so the emulator on loopback works; pinata-core refuses
        // plain http to other hosts before a request reaches the transport.
        // ALPN: `http/1.1` alone (the default), or `h2` then `http/1.1` with `HttpVersion::Auto`;
        // hyper-util speaks what the server picked. Plain http stays HTTP/1.1 (no prior knowledge).
        let version = options.http_version;
        let connector = TimeoutConnector::new(
            https(tls.clone(), version, http.clone()),
            options.connect_timeout,
        );
        let client = HyperClient::builder(TokioExecutor::new()).build(connector);
        let tunnel = match proxy.https_proxy() {
            Some(p) => {
                // To the proxy itself: HTTP/1.1 (a `CONNECT` request), TLS for an https proxy.
                let to_proxy = https(tls.clone(), HttpVersion::Http1Only, http);
                let through = tunnel::ThroughProxy::new(p, to_proxy)
                    .map_err(|e| TransportError::not_sent(TransportErrorKind::Proxy, e))?;
                let connector =
                    TimeoutConnector::new(https(tls, version, through), options.connect_timeout);
                Some(HyperClient::builder(TokioExecutor::new()).build(connector))
            }
            None => None,
        };
        // Plain http only (hyper-util refuses other schemes here), to loopback addresses only.
        let mut plain = HttpConnector::new_with_resolver(LoopbackResolver::new(lookup));
        plain.set_connect_timeout(Some(options.connect_timeout));
        plain.set_nodelay(true);
        let loopback = HyperClient::builder(TokioExecutor::new())
            .build(TimeoutConnector::new(plain, options.connect_timeout));
        Ok(Self {
            client,
            tunnel,
            proxy: Arc::new(proxy),
            loopback,
            options: Arc::new(options.clone()),
        })
    }
}

#[async_trait::async_trait]
impl AsyncTransport for HyperTransport {
    async fn send(&self, request: Request<Body>) -> Result<Response<Bytes>, TransportError> {
        let deadline = self.options.deadline_for(request.body());
        match tokio::time::timeout(deadline, self.exchange(request)).await {
            Ok(result) => result,
            Err(_) => Err(TransportError::maybe_sent(
                TransportErrorKind::Timeout,
                format!("no complete response within {deadline:?}"),
            )),
        }
    }

    async fn send_streaming(
        &self,
        request: Request<Body>,
    ) -> Result<Response<BodyStream>, TransportError> {
        let deadline = self.options.request_timeout;
        let response = match tokio::time::timeout(deadline, self.head(request)).await {
            Ok(result) => result?,
            Err(_) => {
                return Err(TransportError::maybe_sent(
                    TransportErrorKind::Timeout,
                    format!("no response headers within {deadline:?}"),
                ));
            }
        };
        Ok(response.map(|body| fetch::stream(body, deadline, self.options.download_timeout)))
    }

    async fn sleep(&self, duration: std::time::Duration) {
        tokio::time::sleep(duration).await;
    }

    async fn fingerprint(
        &self,
        path: &std::path::Path,
    ) -> Result<pinata_core::tus::FileFingerprint, pinata_core::LocalError> {
        local::fingerprint(path).await
    }

    async fn read_range(
        &self,
        path: &std::path::Path,
        offset: u64,
        len: u64,
        each: &mut (dyn for<'b> FnMut(&'b [u8]) + Send),
    ) -> Result<(), pinata_core::LocalError> {
        local::read_range(path, offset, len, each).await
    }
}

impl HyperTransport {
    /// Sends `request` and waits for the response headers.
    async fn head(
        &self,
        request: Request<Body>,
    ) -> Result<Response<hyper::body::Incoming>, TransportError> {
        let loopback_only = LoopbackOnly::is_required(&request);
        if loopback_only {
            // hyper-util connects to an IP literal without asking the resolver.
            LoopbackOnly::check_literal(request.uri())
                .map_err(|e| TransportError::not_sent(TransportErrorKind::NotLoopback, e))?;
        }
        let tunnel = if loopback_only {
            None
        } else {
            self.tunnel_for(request.uri())
        };
        let request = request.map(into_hyper_body);
        if loopback_only {
            self.loopback.request(request).await
        } else if let Some(tunnel) = tunnel {
            tunnel.request(request).await
        } else {
            self.client.request(request).await
        }
        .map_err(classify)
    }

    /// The tunnelling client, if the core's decision for `uri` is a tunnel.
    fn tunnel_for(&self, uri: &http::Uri) -> Option<&HyperClient<Tunnelled, RequestBody>> {
        match self.proxy.route_uri(uri) {
            Route::Tunnel(_) => self.tunnel.as_ref(),
            _ => None,
        }
    }

    /// Where a request to `uri` goes: `None` direct, else the proxy (`host:port`) it is
    /// tunnelled through, as [`HyperTransport::head`] decides.
    #[doc(hidden)]
    pub fn route_of(&self, uri: &http::Uri) -> Option<String> {
        self.tunnel_for(uri)?;
        self.proxy.https_proxy().map(Proxy::authority)
    }

    async fn exchange(&self, request: Request<Body>) -> Result<Response<Bytes>, TransportError> {
        let response = self.head(request).await?;
        let (parts, body) = response.into_parts();
        let cap = self.options.max_response_body;
        let declared = parts
            .headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > cap) {
            return Err(too_large(cap));
        }
        let limit = usize::try_from(cap).unwrap_or(usize::MAX);
        let collected = Limited::new(body, limit).collect().await.map_err(|e| {
            if e.downcast_ref::<LengthLimitError>().is_some() {
                too_large(cap)
            } else {
                classify_body(e)
            }
        })?;
        Ok(Response::from_parts(parts, collected.to_bytes()))
    }
}

/// TLS (or plain http to loopback) over `inner` with the ALPN protocols of `version`.
fn https<H>(tls: rustls::ClientConfig, version: HttpVersion, inner: H) -> HttpsConnector<H> {
    let builder = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http();
    if version == HttpVersion::Auto {
        builder.enable_all_versions().wrap_connector(inner)
    } else {
        builder.enable_http1().wrap_connector(inner)
    }
}

/// rustls's *ring* provider, named explicitly.
///
/// rustls 0.23.48 deprecates `crypto::ring::default_provider` because *ring* has no
/// post-quantum key exchange, and offers no other way to build *ring*'s provider. The only
/// provider with one, aws-lc-rs, is kept out of this project's tree on purpose (`cargo xtask ci`
/// refuses it). Leaving the choice to rustls's process default instead would panic in a program
/// whose tree enables both providers, so the provider stays explicit and the deprecation is
/// allowed here, the one place it is used. (`allow`, not `expect`: with rustls before 0.23.48
/// there is nothing to allow.)
#[allow(deprecated)]
fn ring_provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::ring::default_provider()
}

fn into_hyper_body(body: Body) -> RequestBody {
    match body {
        Body::Empty => Empty::new().map_err(|never| match never {}).boxed_unsync(),
        Body::Json(bytes) => Full::new(bytes)
            .map_err(|never| match never {})
            .boxed_unsync(),
        Body::Multipart(upload) => upload::body(upload).boxed_unsync(),
    }
}

fn too_large(cap: u64) -> TransportError {
    TransportError::maybe_sent(
        TransportErrorKind::BodyTooLarge,
        format!("the response body exceeds the {cap}-byte limit"),
    )
}

/// Sorts a hyper-util client error into a transport error. A connector failure (resolving, TCP,
/// TLS handshake, the connect timeout) happened before any byte of the request was written;
/// anything else may have been sent. What the socket error does not say (a name that did not
/// resolve, a response cut short or not HTTP) is given as the core's [`TransportCause`], with
/// [`TransportError::because`].
fn classify(err: hyper_util::client::legacy::Error) -> TransportError {
    if find_cause::<NotLoopback>(&err).is_some() {
        return TransportError::not_sent(TransportErrorKind::NotLoopback, err);
    }
    if find_cause::<ProxyFailure>(&err).is_some() {
        let why = if find_cause::<NotResolved>(&err).is_some() {
            Some(TransportCause::NameNotResolved)
        } else if find_cause::<ConnectTimedOut>(&err).is_some() {
            Some(TransportCause::TimedOut)
        } else {
            None
        };
        return TransportError::not_sent(TransportErrorKind::Proxy, err).because(why);
    }
    let tls = find_cause::<rustls::Error>(&err).is_some();
    if err.is_connect() {
        let kind = if tls {
            TransportErrorKind::Tls
        } else {
            TransportErrorKind::Connect
        };
        let why = if find_cause::<NotResolved>(&err).is_some() {
            Some(TransportCause::NameNotResolved)
        } else if find_cause::<ConnectTimedOut>(&err).is_some() {
            Some(TransportCause::TimedOut)
        } else {
            None
        };
        return TransportError::not_sent(kind, err).because(why);
    }
    // HTTP/2's REFUSED_STREAM: the server did not process the request (RFC 9113 §8.7).
    if let Some(h2) = find_cause::<h2::Error>(&err)
        && h2.is_remote()
        && h2.reason() == Some(h2::Reason::REFUSED_STREAM)
    {
        return TransportError::not_sent(TransportErrorKind::Protocol, err);
    }
    let kind = if tls {
        TransportErrorKind::Tls
    } else {
        after_connecting(&err)
    };
    let why = hyper_cause(&err);
    TransportError::maybe_sent(kind, err).because(why)
}

/// Sorts an error from reading the response body (the request was sent).
pub(crate) fn classify_body(err: BoxError) -> TransportError {
    let kind = after_connecting(err.as_ref());
    let why = hyper_cause(err.as_ref());
    TransportError::maybe_sent(kind, err).because(why)
}

/// The cause when hyper saw it rather than the socket: the connection closed before the response
/// was complete, or the response is not HTTP. (A socket error among the causes speaks for itself:
/// the core reads it.)
fn hyper_cause(err: &(dyn StdError + 'static)) -> Option<TransportCause> {
    if find_cause::<std::io::Error>(err).is_some() {
        return None;
    }
    let hyper = find_cause::<hyper::Error>(err)?;
    if hyper.is_incomplete_message() {
        Some(TransportCause::ClosedEarly)
    } else if hyper.is_parse() {
        Some(TransportCause::InvalidHttp)
    } else {
        None
    }
}

/// The kind of a failure on an open connection: the socket's own error if there is one (mapped
/// as the core maps it for every transport), else hyper's view of the exchange. An HTTP/2 error
/// (the stream reset, the connection gone away, a frame the protocol forbids) is a protocol
/// failure, as a broken or malformed HTTP/1.1 exchange is.
fn after_connecting(err: &(dyn StdError + 'static)) -> TransportErrorKind {
    if let Some(io) = find_cause::<std::io::Error>(err) {
        TransportErrorKind::of_io(io.kind())
    } else if find_cause::<hyper::Error>(err)
        .is_some_and(|e| e.is_incomplete_message() || e.is_parse())
        || find_cause::<h2::Error>(err).is_some()
    {
        TransportErrorKind::Protocol
    } else {
        TransportErrorKind::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The core's decision table, through this transport's own choice of client: every row goes
    /// the way the core decides (pinata-ureq runs the same table).
    #[tokio::test]
    async fn each_request_goes_the_way_the_decision_table_says() {
        for case in pinata_core::transport::decision_table() {
            let config = Config::default().with_proxy_config(case.proxy_config());
            let transport = HyperTransport::from_config(&config).unwrap();
            let uri: http::Uri = case.url.parse().unwrap();
            assert_eq!(transport.route_of(&uri).as_deref(), case.via, "{case:?}");
        }
    }

    #[tokio::test]
    async fn a_root_that_is_not_a_certificate_fails_the_build_saying_which() {
        let good =
            RootCertificates::from_pem(include_bytes!("../../pinata-core/tests/data/root.pem"))
                .unwrap();
        let config = Config::default().with_root_certificates(good);
        assert!(HyperTransport::from_config(&config).is_ok());
        let bad = RootCertificates::from_der([vec![0x30u8, 2, 3]]);
        let err = HyperTransport::from_config(&Config::default().with_root_certificates(bad))
            .unwrap_err();
        assert_eq!(err.kind(), TransportErrorKind::Tls);
        assert!(!err.may_have_been_sent());
        assert!(
            err.to_string()
                .starts_with("root certificate 1 is not usable"),
            "{err}"
        );
    }

    #[test]
    fn an_http2_stream_reset_is_a_protocol_failure() {
        let reset = h2::Error::from(h2::Reason::INTERNAL_ERROR);
        assert_eq!(after_connecting(&reset), TransportErrorKind::Protocol);
        let error = classify_body(Box::new(reset));
        assert_eq!(error.kind(), TransportErrorKind::Protocol);
        assert!(error.may_have_been_sent());
    }

    #[tokio::test]
    async fn a_proxy_password_shows_nowhere() {
        let proxy: Proxy = "http://alice:hunter2@proxy.corp:3128".parse().unwrap();
        let config = Config::default().with_proxy(proxy, NoProxy::none());
        let transport = HyperTransport::from_config(&config).unwrap();
        for shown in [format!("{transport:?}"), format!("{config:?}")] {
            assert!(!shown.contains("hunter2"), "{shown}");
            // `alice:hunter2` in base64, as a Basic token would carry it.
            assert!(!shown.contains("YWxpY2U6aHVudGVyMg"), "{shown}");
        }
    }
}

#![doc = include_str!("../README.md")]

use bytes::Bytes;
use http::{Request, Response};
use pinata_core::transport::{
    BlockingTransport, BodyReader, LoopbackOnly, ProxyScheme, ProxySettings, Route,
    TransportFactory,
};
use ureq::SendBody;
use ureq::unversioned::resolver::{DefaultResolver, Resolver};

// Everything a user needs from the core, under this crate's name: one dependency is enough
// (`pinata_ureq::api::pinning::PinFile`, `pinata_ureq::Error`, …). The core itself stays reachable
// as `pinata_core` for code that names it.
#[doc(no_inline)]
pub use pinata_core;
#[doc(inline)]
pub use pinata_core::*;

mod fetch;
pub mod local;
mod loopback;
mod resolver;
mod roots;
mod stage;
mod upload;

use stage::{BeforeSending, classify, classify_through};
use upload::UploadReader;

pub use fetch::download_to_path;
pub use local::{cid_of_path, pin_request, upload_cid_of_path, upload_request};
pub use upload::reader;

/// The blocking Pinata client over ureq.
pub type Client = pinata_core::BlockingClient<UreqTransport>;

/// A ureq [`Agent`](ureq::Agent) set up for Pinata; implements [`BlockingTransport`]. Cloning shares
/// the connection pool.
///
/// The agent resolves hosts its own way: an IP literal is used as it is, and a host name's addresses
/// are looked up (with ureq's resolver and timeout) at most once per 30 s. ureq would otherwise look
/// the name up before every request, on a new thread whenever a timeout applies.
///
/// Proxies: the setting of the [`Config`] ([`Config::proxy`], the curl variables by default) is
/// resolved when the transport is built, and each request goes where
/// [`ProxySettings::route`](pinata_core::transport::ProxySettings::route) says: direct, or through
/// an agent of its own with ureq's `Proxy`, which sends `CONNECT host:port` (with
/// `Proxy-Authorization` when the proxy URL has credentials) and speaks TLS to the destination
/// inside the tunnel. A failure at the proxy is a [`TransportError`] of kind
/// [`TransportErrorKind::Proxy`] whose source is a [`ProxyFailure`] naming it.
///
/// A request pinata-core marks [`LoopbackOnly`] (plain http without
/// [`Config::allow_insecure_http`]) goes through an agent of its own whose resolver refuses a host
/// whose addresses are not all loopback, IP literals included. The refusal happens before a
/// connection is opened: a [`TransportError`] of kind [`TransportErrorKind::NotLoopback`], not
/// sent, whose cause is a [`NotLoopback`](pinata_core::transport::NotLoopback).
#[derive(Clone)]
pub struct UreqTransport {
    agent: ureq::Agent,
    /// For `https://` requests the proxy settings send through a tunnel: the agent with the proxy.
    tunnel: Option<(ureq::Agent, Proxy)>,
    proxy: ProxySettings,
    /// For requests marked `LoopbackOnly`: every resolved address checked.
    loopback: ureq::Agent,
    max_response_body: u64,
    options: TransportOptions,
}

impl std::fmt::Debug for UreqTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UreqTransport")
            .field("max_response_body", &self.max_response_body)
            .finish_non_exhaustive()
    }
}

impl TransportFactory for UreqTransport {
    /// The transport for `options`, with the proxy variables of the environment and the default
    /// roots (what [`TransportFactory::from_config`] does with a default [`Config`]).
    fn from_options(options: &TransportOptions) -> Result<Self, TransportError> {
        Self::from_config(&Config::default().with_transport_options(options.clone()))
    }

    /// The transport for `config`: its transport options, proxy setting and root certificates. A
    /// proxy setting that is refused (a bad `HTTPS_PROXY`) is an error of kind
    /// [`TransportErrorKind::Proxy`] naming the variable.
    fn from_config(config: &Config) -> Result<Self, TransportError> {
        let proxy = config
            .proxy()
            .resolve()
            .map_err(|e| TransportError::not_sent(TransportErrorKind::Proxy, e))?;
        let tls = roots::tls_config(config.root_certificates())?;
        Self::build(
            config.transport_options(),
            proxy,
            tls,
            DefaultResolver::default,
        )
    }
}

impl UreqTransport {
    /// The transport without a proxy and with default roots, `lookup` making the resolver (tests).
    #[cfg(test)]
    fn with_lookup<R: Resolver>(options: &TransportOptions, lookup: impl Fn() -> R) -> Self {
        match Self::build(
            options,
            ProxySettings::off(),
            ureq::tls::TlsConfig::default(),
            lookup,
        ) {
            Ok(transport) => transport,
            Err(e) => panic!("a transport without a proxy builds: {e}"),
        }
    }

    /// The transport, with `lookup` making the resolver that host names are looked up with.
    fn build<R: Resolver>(
        options: &TransportOptions,
        proxy: ProxySettings,
        tls: ureq::tls::TlsConfig,
        lookup: impl Fn() -> R,
    ) -> Result<Self, TransportError> {
        let builder = || {
            ureq::Agent::config_builder()
                // The core decodes error statuses from their bodies.
                .http_status_as_error(false)
                // 0: the redirect response itself comes back, and the core reports it.
                .max_redirects(0)
                .proxy(None)
                .timeout_connect(Some(options.connect_timeout))
                .timeout_global(Some(options.request_timeout))
                .tls_config(tls.clone())
        };
        let config = builder().build();
        // ureq's own connector chain, with a resolver that does not spawn a lookup thread per
        // request (see `resolver`); both mark their failures as before sending (see `stage`).
        let agent_with = |config: ureq::config::Config| {
            ureq::Agent::with_parts(
                config,
                BeforeSending(ureq::unversioned::transport::DefaultConnector::default()),
                BeforeSending(resolver::ReusingResolver::new(lookup())),
            )
        };
        let agent = agent_with(config.clone());
        // ureq's `Proxy` refuses only what the core's parser refused already; if it ever did,
        // the build fails rather than sending those requests direct.
        let tunnel = match proxy.https_proxy() {
            Some(p) => {
                let ureq_proxy = ureq_proxy(p)
                    .map_err(|e| TransportError::not_sent(TransportErrorKind::Proxy, e))?;
                let tunnelled = builder().proxy(Some(ureq_proxy)).build();
                Some((agent_with(tunnelled), p.clone()))
            }
            None => None,
        };
        let loopback = ureq::Agent::with_parts(
            config,
            BeforeSending(ureq::unversioned::transport::DefaultConnector::default()),
            BeforeSending(loopback::LoopbackResolver(resolver::ReusingResolver::new(
                lookup(),
            ))),
        );
        Ok(Self {
            agent,
            tunnel,
            proxy,
            loopback,
            max_response_body: options.max_response_body,
            options: options.clone(),
        })
    }
}

/// The ureq `Proxy` for the core's: the same scheme, host, port and credentials.
fn ureq_proxy(proxy: &Proxy) -> Result<ureq::Proxy, ureq::Error> {
    let protocol = match proxy.scheme() {
        ProxyScheme::Https => ureq::ProxyProtocol::Https,
        _ => ureq::ProxyProtocol::Http,
    };
    let host = if proxy.host().contains(':') {
        format!("[{}]", proxy.host())
    } else {
        proxy.host().to_owned()
    };
    let mut builder = ureq::Proxy::builder(protocol)
        .host(&host)
        .port(proxy.port());
    if let Some(credentials) = proxy.credentials() {
        builder = builder
            .username(credentials.user())
            .password(credentials.password().expose_secret());
    }
    builder.build()
}

impl UreqTransport {
    /// The agent for `request` (loopback-only, tunnelled or direct, as the core's proxy
    /// decision says), the proxy it goes through, and the request in ureq's body type.
    fn prepare(
        &self,
        request: Request<Body>,
    ) -> (&ureq::Agent, Option<&Proxy>, Request<SendBody<'static>>) {
        let (agent, via) = if LoopbackOnly::is_required(&request) {
            (&self.loopback, None)
        } else {
            match self.tunnel_for(request.uri()) {
                Some((agent, proxy)) => (agent, Some(proxy)),
                None => (&self.agent, None),
            }
        };
        let request = request.map(|body| match body {
            Body::Empty => SendBody::none(),
            // The core sets Content-Length, so ureq sends these readers with a fixed length.
            Body::Json(bytes) => SendBody::from_owned_reader(std::io::Cursor::new(bytes)),
            Body::Multipart(upload) => SendBody::from_owned_reader(UploadReader::new(upload)),
        });
        (agent, via, request)
    }

    /// Where a request to `uri` goes: `None` direct, else the proxy (`host:port`) it is
    /// tunnelled through, as [`UreqTransport::prepare`] decides.
    #[doc(hidden)]
    pub fn route_of(&self, uri: &http::Uri) -> Option<String> {
        self.tunnel_for(uri).map(|(_, proxy)| proxy.authority())
    }

    /// The tunnelling agent and its proxy, if the core's decision for `uri` is a tunnel.
    fn tunnel_for(&self, uri: &http::Uri) -> Option<&(ureq::Agent, Proxy)> {
        match self.proxy.route_uri(uri) {
            Route::Tunnel(_) => self.tunnel.as_ref(),
            _ => None,
        }
    }
}

impl BlockingTransport for UreqTransport {
    fn fingerprint(
        &self,
        path: &std::path::Path,
    ) -> Result<pinata_core::tus::FileFingerprint, pinata_core::LocalError> {
        local::fingerprint(path)
    }

    fn read_range(
        &self,
        path: &std::path::Path,
        offset: u64,
        len: u64,
        each: &mut dyn FnMut(&[u8]),
    ) -> Result<(), pinata_core::LocalError> {
        local::read_range(path, offset, len, each)
    }

    fn send_streaming(
        &self,
        request: Request<Body>,
    ) -> Result<Response<BodyReader>, TransportError> {
        let (agent, via, request) = self.prepare(request);
        // A download's body is not bound by the request timeout (which covers the headers) but
        // by the download timeout; ureq has no per-read timeout.
        let request = agent
            .configure_request(request)
            .timeout_global(None)
            .timeout_recv_response(Some(self.options.request_timeout))
            .timeout_recv_body(Some(self.options.download_timeout))
            .build();
        let response = agent.run(request).map_err(|e| classify_through(e, via))?;
        Ok(response.map(|body| Box::new(body.into_reader()) as BodyReader))
    }

    fn send(&self, request: Request<Body>) -> Result<Response<Bytes>, TransportError> {
        let deadline = self.options.deadline_for(request.body());
        let (agent, via, request) = self.prepare(request);
        let request = if deadline > self.options.request_timeout {
            // An upload: the transfer budget, not the request timeout, bounds it.
            agent
                .configure_request(request)
                .timeout_global(Some(deadline))
                .build()
        } else {
            request
        };
        let response = agent.run(request).map_err(|e| classify_through(e, via))?;
        let (parts, mut body) = response.into_parts();
        let bytes = body
            .with_config()
            .limit(self.max_response_body)
            .read_to_vec()
            .map_err(classify)?;
        Ok(Response::from_parts(parts, Bytes::from(bytes)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The core's decision table, through this transport's own choice of agent: every row goes
    /// the way the core decides (pinata-hyper runs the same table).
    #[test]
    fn each_request_goes_the_way_the_decision_table_says() {
        for case in pinata_core::transport::decision_table() {
            let config = Config::default().with_proxy_config(case.proxy_config());
            let transport = UreqTransport::from_config(&config).unwrap();
            let uri: http::Uri = case.url.parse().unwrap();
            assert_eq!(transport.route_of(&uri).as_deref(), case.via, "{case:?}");
        }
    }

    #[test]
    fn a_root_that_is_not_a_certificate_fails_the_build_saying_which() {
        let good =
            RootCertificates::from_pem(include_bytes!("../../pinata-core/tests/data/root.pem"))
                .unwrap();
        let config = Config::default()
            .with_root_certificates(good.clone())
            .with_root_certificates(good);
        assert!(UreqTransport::from_config(&config).is_ok());
        let bad = RootCertificates::from_der([vec![0x30u8, 2, 3]]);
        let err =
            UreqTransport::from_config(&Config::default().with_root_certificates(bad)).unwrap_err();
        assert_eq!(err.kind(), TransportErrorKind::Tls);
        assert!(!err.may_have_been_sent());
        assert!(
            std::error::Error::source(&err)
                .unwrap()
                .to_string()
                .starts_with("root certificate 1 is not usable"),
            "{err:#?}"
        );
    }

    #[test]
    fn a_proxy_password_shows_nowhere() {
        let proxy: Proxy = "http://alice:hunter2@proxy.corp:3128".parse().unwrap();
        let config = Config::default().with_proxy(proxy, NoProxy::none());
        let transport = UreqTransport::from_config(&config).unwrap();
        for shown in [format!("{transport:?}"), format!("{config:?}")] {
            assert!(!shown.contains("hunter2"), "{shown}");
            // `alice:hunter2` in base64, as a Basic token would carry it.
            assert!(!shown.contains("YWxpY2U6aHVudGVyMg"), "{shown}");
        }
    }
}

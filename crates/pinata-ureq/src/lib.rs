#![doc = include_str!("../README.md")]

use bytes::Bytes;
use http::{Request, Response};
use pinata_core::transport::{BlockingTransport, BodyReader, LoopbackOnly, TransportFactory};
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
mod stage;
mod upload;

use stage::{BeforeSending, classify};
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
/// A request pinata-core marks [`LoopbackOnly`] (plain http without
/// [`Config::allow_insecure_http`]) goes through an agent of its own whose resolver refuses a host
/// whose addresses are not all loopback, IP literals included. The refusal happens before a
/// connection is opened: a [`TransportError`] of kind [`TransportErrorKind::NotLoopback`], not
/// sent, whose cause is a [`NotLoopback`](pinata_core::transport::NotLoopback).
#[derive(Clone)]
pub struct UreqTransport {
    agent: ureq::Agent,
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
    fn from_options(options: &TransportOptions) -> Result<Self, TransportError> {
        Ok(Self::build(options, DefaultResolver::default))
    }
}

impl UreqTransport {
    /// The transport, with `lookup` making the resolver that host names are looked up with.
    fn build<R: Resolver>(options: &TransportOptions, lookup: impl Fn() -> R) -> Self {
        let builder = ureq::Agent::config_builder()
            // The core decodes error statuses from their bodies.
            .http_status_as_error(false)
            // 0: the redirect response itself comes back, and the core reports it.
            .max_redirects(0)
            .proxy(None)
            .timeout_connect(Some(options.connect_timeout))
            .timeout_global(Some(options.request_timeout));
        #[cfg(feature = "native-roots")]
        let builder = builder.tls_config(
            ureq::tls::TlsConfig::builder()
                .root_certs(ureq::tls::RootCerts::PlatformVerifier)
                .build(),
        );
        let config = builder.build();
        // ureq's own connector chain, with a resolver that does not spawn a lookup thread per
        // request (see `resolver`); both mark their failures as before sending (see `stage`).
        let agent = ureq::Agent::with_parts(
            config.clone(),
            BeforeSending(ureq::unversioned::transport::DefaultConnector::default()),
            BeforeSending(resolver::ReusingResolver::new(lookup())),
        );
        let loopback = ureq::Agent::with_parts(
            config,
            BeforeSending(ureq::unversioned::transport::DefaultConnector::default()),
            BeforeSending(loopback::LoopbackResolver(resolver::ReusingResolver::new(
                lookup(),
            ))),
        );
        Self {
            agent,
            loopback,
            max_response_body: options.max_response_body,
            options: options.clone(),
        }
    }
}

impl UreqTransport {
    /// The agent for `request` (loopback-only or not) and the request in ureq's body type.
    fn prepare(&self, request: Request<Body>) -> (&ureq::Agent, Request<SendBody<'static>>) {
        let agent = if LoopbackOnly::is_required(&request) {
            &self.loopback
        } else {
            &self.agent
        };
        let request = request.map(|body| match body {
            Body::Empty => SendBody::none(),
            // The core sets Content-Length, so ureq sends these readers with a fixed length.
            Body::Json(bytes) => SendBody::from_owned_reader(std::io::Cursor::new(bytes)),
            Body::Multipart(upload) => SendBody::from_owned_reader(UploadReader::new(upload)),
        });
        (agent, request)
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
        let (agent, request) = self.prepare(request);
        // A download's body is not bound by the request timeout (which covers the headers) but
        // by the download timeout; ureq has no per-read timeout.
        let request = agent
            .configure_request(request)
            .timeout_global(None)
            .timeout_recv_response(Some(self.options.request_timeout))
            .timeout_recv_body(Some(self.options.download_timeout))
            .build();
        let response = agent.run(request).map_err(classify)?;
        Ok(response.map(|body| Box::new(body.into_reader()) as BodyReader))
    }

    fn send(&self, request: Request<Body>) -> Result<Response<Bytes>, TransportError> {
        let deadline = self.options.deadline_for(request.body());
        let (agent, request) = self.prepare(request);
        let request = if deadline > self.options.request_timeout {
            // An upload: the transfer budget, not the request timeout, bounds it.
            agent
                .configure_request(request)
                .timeout_global(Some(deadline))
                .build()
        } else {
            request
        };
        let response = agent.run(request).map_err(classify)?;
        let (parts, mut body) = response.into_parts();
        let bytes = body
            .with_config()
            .limit(self.max_response_body)
            .read_to_vec()
            .map_err(classify)?;
        Ok(Response::from_parts(parts, Bytes::from(bytes)))
    }
}

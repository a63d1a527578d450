//! One synchronous face over both transports, so each case is written once.

use std::sync::OnceLock;

use bytes::Bytes;
use http::{Request, Response};
use pinata_core::api::AuthenticationOk;
use pinata_core::{
    AsyncTransport, BlockingTransport, Body, Config, Credentials, Endpoint, Error, TransportError,
    TransportFactory,
};

/// What a case needs from a transport.
pub trait Driver: Sync {
    /// `"hyper"` or `"ureq"`.
    fn name(&self) -> &'static str;

    /// Builds a client with `credentials` and `config` and calls `test_authentication` on it.
    fn test_authentication(
        &self,
        credentials: Credentials,
        config: Config,
    ) -> Result<AuthenticationOk, Error>;

    /// Builds a client and calls any endpoint.
    fn execute<E>(
        &self,
        credentials: Credentials,
        config: Config,
        endpoint: &E,
    ) -> Result<E::Output, Error>
    where
        E: Endpoint + Sync,
        E::Output: Send;

    /// Sends a hand-made request through the bare transport (no client checks, no credentials added).
    fn send_raw(
        &self,
        config: &Config,
        request: Request<Body>,
    ) -> Result<Response<Bytes>, TransportError>;
}

/// The async client over hyper, driven from a shared Tokio runtime.
#[derive(Debug, Default)]
pub struct HyperDriver;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a Tokio runtime for the hyper driver")
    })
}

impl Driver for HyperDriver {
    fn name(&self) -> &'static str {
        "hyper"
    }

    fn test_authentication(
        &self,
        credentials: Credentials,
        config: Config,
    ) -> Result<AuthenticationOk, Error> {
        runtime().block_on(async {
            pinata_hyper::Client::with_config(credentials, config)?
                .test_authentication()
                .await
        })
    }

    fn execute<E>(
        &self,
        credentials: Credentials,
        config: Config,
        endpoint: &E,
    ) -> Result<E::Output, Error>
    where
        E: Endpoint + Sync,
        E::Output: Send,
    {
        runtime().block_on(async {
            pinata_hyper::Client::with_config(credentials, config)?
                .execute(endpoint)
                .await
        })
    }

    fn send_raw(
        &self,
        config: &Config,
        request: Request<Body>,
    ) -> Result<Response<Bytes>, TransportError> {
        runtime().block_on(async {
            pinata_hyper::HyperTransport::from_options(config.transport())?
                .send(request)
                .await
        })
    }
}

/// The blocking client over ureq.
#[derive(Debug, Default)]
pub struct UreqDriver;

impl Driver for UreqDriver {
    fn name(&self) -> &'static str {
        "ureq"
    }

    fn test_authentication(
        &self,
        credentials: Credentials,
        config: Config,
    ) -> Result<AuthenticationOk, Error> {
        pinata_ureq::Client::with_config(credentials, config)?.test_authentication()
    }

    fn execute<E>(
        &self,
        credentials: Credentials,
        config: Config,
        endpoint: &E,
    ) -> Result<E::Output, Error>
    where
        E: Endpoint + Sync,
        E::Output: Send,
    {
        pinata_ureq::Client::with_config(credentials, config)?.execute(endpoint)
    }

    fn send_raw(
        &self,
        config: &Config,
        request: Request<Body>,
    ) -> Result<Response<Bytes>, TransportError> {
        pinata_ureq::UreqTransport::from_options(config.transport())?.send(request)
    }
}

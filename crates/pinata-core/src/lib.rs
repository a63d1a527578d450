//! Sans-IO core of a client for the [Pinata](https://pinata.cloud) IPFS pinning API.
//!
//! This crate knows the API (paths, headers, bodies, error shapes, retry decisions) and nothing
//! about sockets: it builds `http::Request`s and reads `http::Response`s. **To talk to Pinata, depend
//! on a transport crate instead**: `pinata-hyper` (async, Tokio) or `pinata-ureq` (blocking). Each
//! re-exports everything here under its own name and shows every task on its root page. Use this
//! crate directly to bring your own HTTP library, or to test against exact requests.
//!
//! ## Where each task lives
//!
//! | task | here |
//! |---|---|
//! | credentials, from values or the environment | [`Credentials`] |
//! | base URL, timeouts, retries | [`Config`], [`TransportOptions`], [`retry::RetryPolicy`] |
//! | a proxy (curl's `https_proxy`, `NO_PROXY`…) | [`ProxyConfig`], [`Proxy`], [`NoProxy`], [`proxy`] |
//! | test the credentials | [`api::TestAuthentication`] |
//! | create, list, revoke keys | [`api::keys`] |
//! | pin a file or folder, JSON, a CID; jobs; metadata; list; unpin; usage | [`api::pinning`] |
//! | CIDs of bytes, files and folders, locally | [`cid`] |
//! | errors, and what a caller asks of them | [`Error`] (`status`, `reason`, `is_transient`, `may_have_been_sent`) |
//! | calling any endpoint with retries | [`BlockingClient::execute`], [`AsyncClient::execute`] |
//! | writing a transport | [`transport`] |
//! | reading credentials on a server | [`server`] |
//!
//! ## One request, by hand
//!
//! ```
//! use pinata_core::{Credentials, Config, prepare_request, interpret_response, api::TestAuthentication};
//! use std::time::SystemTime;
//!
//! let creds = Credentials::key_pair("0123456789abcdef0123", "s3cr3t")?;
//! let request = prepare_request(&TestAuthentication, &creds, &Config::default(), SystemTime::now())?;
//! assert_eq!(request.uri(), "https://api.pinata.cloud/data/testAuthentication");
//! assert_eq!(request.headers()["pinata_api_key"], "0123456789abcdef0123");
//!
//! // …send it with any HTTP library, then:
//! let response = http::Response::builder()
//!     .status(200)
//!     .body(bytes::Bytes::from_static(br#"{"message":"Congratulations! You are communicating with the Pinata API!"}"#))?;
//! let sent = request.body().clone(); // what the answer is checked against
//! let ok = interpret_response(&TestAuthentication, &sent, response)?;
//! assert!(ok.message.starts_with("Congratulations"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## A client over your own transport
//!
//! Any `Fn(http::Request<Body>) -> Result<http::Response<Bytes>, TransportError>` is a blocking
//! transport, so a test can assert the exact request and script the answer:
//!
//! ```
//! use bytes::Bytes;
//! use pinata_core::api::pinning::PinJson;
//! use pinata_core::{BlockingClient, Body, Config, Credentials, TransportError};
//!
//! let transport = |request: http::Request<Body>| -> Result<http::Response<Bytes>, TransportError> {
//!     assert_eq!(request.uri().path(), "/pinning/pinJSONToIPFS");
//!     assert_eq!(request.body(), &Body::Json(Bytes::from_static(br#"{"pinataContent":{"a":1}}"#)));
//!     Ok(http::Response::new(Bytes::from_static(
//!         br#"{"IpfsHash":"QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o","PinSize":20,"Timestamp":"2026-01-01T00:00:00.000Z"}"#,
//!     )))
//! };
//! let credentials = Credentials::key_pair("0123456789abcdef0123", "s3cr3t")?;
//! let client = BlockingClient::with_transport(transport, credentials, Config::default());
//! let pinned = client.pin_json(&PinJson::new(&std::collections::BTreeMap::from([("a", 1)]))?)?;
//! assert_eq!(pinned.pin_size, 20);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

/// Implements `Debug` for a struct field by field, in the order given, showing the fields marked
/// `as date` (a `SystemTime`) or `as maybe_date` (an `Option<SystemTime>`) as dates rather than
/// seconds since 1970. Every field must be listed: the struct is destructured without `..`, so a
/// field added later and not listed does not compile.
macro_rules! debug_with_dates {
    ($ty:ident { $($field:ident $(as $how:ident)?),* $(,)? }) => {
        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                let Self { $($field),* } = self;
                f.debug_struct(stringify!($ty))
                    $(.field(stringify!($field), debug_with_dates!(@show $field $($how)?)))*
                    .finish()
            }
        }
    };
    (@show $field:ident date) => { &$crate::time::Dated($field) };
    (@show $field:ident maybe_date) => { &$crate::time::MaybeDated($field) };
    (@show $field:ident) => { $field };
}

pub mod api;
mod auth;
pub mod cid;
mod client;
mod config;
mod credentials;
pub mod download;
pub mod endpoint;
mod error;
mod exchange;
pub mod jwt;
mod local;
mod loopback;
mod multipart;
mod paging;
pub mod proxy;
mod query;
pub mod retry;
mod roots;
mod secret;
pub mod server;
pub mod time;
pub mod transport;
pub mod tus;
mod upload;

pub use client::{AsyncClient, BlockingClient};
pub use config::{
    BaseUrl, Config, ConfigError, DEFAULT_BASE_URL, DEFAULT_UPLOADS_URL, ENV_BASE_URL,
    ENV_EMULATOR_URL, ENV_GATEWAY, ENV_GATEWAY_KEY, ENV_UPLOADS_URL, HttpVersion, Origin,
    TransportOptions, USER_AGENT,
};
pub use credentials::{
    CredentialField, Credentials, CredentialsError, ENV_API_KEY, ENV_API_SECRET, ENV_JWT, Scheme,
};
pub use endpoint::{Body, Endpoint, Paginated};
pub use error::shown::{escape_untrusted, is_unprintable};
pub use error::{
    ApiError, ApiErrorBody, BuildError, DecodeError, Error, RateLimit, RedirectError,
    RequestTarget, RetryAfter, TransportCause, TransportError, TransportErrorKind, VerifyError,
};
pub use exchange::{interpret_response, prepare_request};
/// The `http` crate the requests and responses are made of (for `StatusCode`, say).
pub use http;
pub use local::LocalError;
pub use paging::{ItemStream, Items};
pub use proxy::{
    NoProxy, Proxy, ProxyConfig, ProxyCredentials, ProxyError, ProxyErrorKind, ProxyFailure,
    ProxyStep,
};
pub use roots::{RootCertificates, RootCertificatesError};
pub use secret::SecretString;
pub use upload::{CancelToken, ProgressFn, UploadProgress};

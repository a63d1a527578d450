//! Sans-IO core of a client for the [Pinata](https://pinata.cloud) IPFS pinning API.
//!
//! This crate knows the API (paths, headers, bodies, error shapes) and nothing about sockets: it builds
//! `http::Request`s and reads `http::Response`s. Pick a transport crate to talk to the network:
//! `pinata-hyper` (async) or `pinata-ureq` (blocking). Both are thin bindings of the clients here.
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

pub mod api;
mod auth;
pub mod cid;
mod client;
mod config;
mod credentials;
pub mod endpoint;
mod error;
mod exchange;
pub mod jwt;
mod local;
mod multipart;
mod paging;
mod query;
pub mod retry;
mod secret;
pub mod server;
pub mod time;
pub mod transport;
mod upload;

pub use client::{AsyncClient, BlockingClient};
pub use config::{
    BaseUrl, Config, ConfigError, DEFAULT_BASE_URL, ENV_BASE_URL, TransportOptions, USER_AGENT,
};
pub use credentials::{
    CredentialField, Credentials, CredentialsError, ENV_API_KEY, ENV_API_SECRET, ENV_JWT, Scheme,
};
pub use endpoint::{Body, Endpoint, Paginated};
pub use error::{
    ApiError, ApiErrorBody, BuildError, DecodeError, Error, RateLimit, RedirectError, RetryAfter,
    TransportError, TransportErrorKind, VerifyError,
};
pub use exchange::{interpret_response, prepare_request};
/// The `http` crate the requests and responses are made of (for `StatusCode`, say).
pub use http;
pub use local::LocalError;
pub use paging::{ItemStream, Items};
pub use secret::SecretString;
pub use upload::{ProgressFn, UploadProgress};

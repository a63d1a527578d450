//! `GET /data/testAuthentication`: checks that the credentials are accepted.

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use serde::{Deserialize, Serialize};

use crate::endpoint::Endpoint;
use crate::error::{BuildError, DecodeError};

/// Checks the credentials. Succeeds for any valid, non-revoked key, even one with no permissions, so
/// it does not prove that the key may upload.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TestAuthentication;

/// The API's answer to a successful [`TestAuthentication`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AuthenticationOk {
    /// `"Congratulations! You are communicating with the Pinata API!"`.
    pub message: String,
}

impl AuthenticationOk {
    /// An answer with `message` (for a test's fake).
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl Endpoint for TestAuthentication {
    type Output = AuthenticationOk;

    fn method(&self) -> Method {
        Method::GET
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        Ok("/data/testAuthentication".to_owned())
    }

    fn parse(
        &self,
        status: StatusCode,
        _headers: &HeaderMap,
        body: &Bytes,
    ) -> Result<AuthenticationOk, DecodeError> {
        DecodeError::decode_json(status, body)
    }
}

//! Revoking a key: `PUT /users/revokeApiKey` or `PUT /v3/pinata/keys/{key}`.

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};

use super::KeyApi;
use crate::endpoint::{Body, Endpoint};
use crate::error::{BuildError, DecodeError};
use crate::query::encode_segment;

/// Revokes a key: it, and its JWT, stop working at once. The answer is the JSON string `"Revoked"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokeApiKey {
    api_key: String,
    api: KeyApi,
}

impl RevokeApiKey {
    /// Revokes the key whose public key (`pinata_api_key`) is `api_key`.
    pub fn new(api_key: impl Into<String>) -> Self {
        Self {
            api_key: api_key.into(),
            api: KeyApi::Legacy,
        }
    }

    /// Sends the request to the given generation of the key paths (legacy by default).
    pub fn via(mut self, api: KeyApi) -> Self {
        self.api = api;
        self
    }
}

impl Endpoint for RevokeApiKey {
    type Output = ();

    fn method(&self) -> Method {
        Method::PUT
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        if self.api_key.is_empty() {
            return Err(BuildError::InvalidInput(
                "the key to revoke is empty".into(),
            ));
        }
        Ok(match self.api {
            KeyApi::Legacy => "/users/revokeApiKey".to_owned(),
            KeyApi::V3 => format!("/v3/pinata/keys/{}", encode_segment(&self.api_key)),
        })
    }

    fn body(&self) -> Result<Body, BuildError> {
        match self.api {
            KeyApi::Legacy => Body::json(&serde_json::json!({ "apiKey": self.api_key })),
            KeyApi::V3 => Ok(Body::Empty),
        }
    }

    fn parse(&self, status: StatusCode, _: &HeaderMap, body: &Bytes) -> Result<(), DecodeError> {
        // The API answers the JSON string `"Revoked"`; anything else is reported, not guessed at.
        let text: String = DecodeError::decode_json(status, body)?;
        if text == "Revoked" {
            Ok(())
        } else {
            Err(DecodeError::new(
                status,
                ".",
                format!("expected \"Revoked\", got {text:?}"),
                body,
            ))
        }
    }
}

//! Test support: the two key-management calls the suite needs to make and revoke keys.
//!
//! These are minimal local [`Endpoint`] implementations (which also shows that the trait is open to
//! downstream code); the typed key-management API of pinata-core replaces them.

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use pinata_core::{Body, BuildError, DecodeError, Endpoint};
use serde::Deserialize;

/// `POST /users/generateApiKey`.
#[derive(Debug, Clone)]
pub struct GenerateKey {
    /// The request body.
    pub body: serde_json::Value,
}

impl GenerateKey {
    /// A key named `name` with `permissions`.
    pub fn new(name: &str, permissions: serde_json::Value) -> Self {
        Self {
            body: serde_json::json!({"keyName": name, "permissions": permissions}),
        }
    }
}

/// The created key.
#[derive(Debug, Clone, Deserialize)]
pub struct CreatedKey {
    /// Public key.
    pub pinata_api_key: String,
    /// Secret.
    pub pinata_api_secret: String,
    /// JWT.
    #[serde(rename = "JWT")]
    pub jwt: String,
}

impl Endpoint for GenerateKey {
    type Output = CreatedKey;
    fn method(&self) -> Method {
        Method::POST
    }
    fn path_and_query(&self) -> Result<String, BuildError> {
        Ok("/users/generateApiKey".into())
    }
    fn body(&self) -> Result<Body, BuildError> {
        Body::json(&self.body)
    }
    fn parse(
        &self,
        status: StatusCode,
        _: &HeaderMap,
        body: &Bytes,
    ) -> Result<CreatedKey, DecodeError> {
        DecodeError::decode_json(status, body)
    }
}

/// `PUT /users/revokeApiKey`.
#[derive(Debug, Clone)]
pub struct RevokeKey {
    /// The public key to revoke.
    pub api_key: String,
}

impl Endpoint for RevokeKey {
    type Output = String;
    fn method(&self) -> Method {
        Method::PUT
    }
    fn path_and_query(&self) -> Result<String, BuildError> {
        Ok("/users/revokeApiKey".into())
    }
    fn body(&self) -> Result<Body, BuildError> {
        Body::json(&serde_json::json!({ "apiKey": self.api_key }))
    }
    fn parse(
        &self,
        status: StatusCode,
        _: &HeaderMap,
        body: &Bytes,
    ) -> Result<String, DecodeError> {
        DecodeError::decode_json(status, body)
    }
}

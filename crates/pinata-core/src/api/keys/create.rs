//! Creating a key: `POST /users/generateApiKey` or `POST /v3/pinata/keys`.

use std::fmt;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use serde::{Deserialize, Serialize};

use super::{KeyApi, KeySpecError, Permissions};
use crate::credentials::{Credentials, CredentialsError};
use crate::endpoint::{Body, Endpoint};
use crate::error::{BuildError, DecodeError};
use crate::secret::SecretString;

impl From<KeySpecError> for crate::Error {
    fn from(e: KeySpecError) -> Self {
        crate::Error::Build(BuildError::InvalidKey(e))
    }
}

/// A request to create an API key: a name, permissions and an optional maximum number of uses.
///
/// ```
/// use pinata_core::api::keys::{CreateApiKey, EndpointPermission, Permissions};
///
/// let request = CreateApiKey::new(
///     "ci uploads",
///     Permissions::endpoints([EndpointPermission::PinFileToIpfs, EndpointPermission::PinList]),
/// )?
/// .max_uses(100)?;
/// # Ok::<(), pinata_core::api::keys::KeySpecError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateApiKey {
    key_name: String,
    permissions: Permissions,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_uses: Option<u32>,
    #[serde(skip)]
    api: KeyApi,
}

impl CreateApiKey {
    /// A key called `name` with `permissions`. Refuses an empty name and permissions that grant
    /// nothing or mix admin with other grants.
    pub fn new(name: impl Into<String>, permissions: Permissions) -> Result<Self, KeySpecError> {
        let key_name = name.into();
        if key_name.trim().is_empty() {
            return Err(KeySpecError::EmptyName);
        }
        permissions.validate().map_err(KeySpecError::Permissions)?;
        Ok(Self {
            key_name,
            permissions,
            max_uses: None,
            api: KeyApi::Legacy,
        })
    }

    /// Limits the key to `uses` successful calls (at least 1).
    pub fn max_uses(mut self, uses: u32) -> Result<Self, KeySpecError> {
        if uses == 0 {
            return Err(KeySpecError::ZeroMaxUses);
        }
        self.max_uses = Some(uses);
        Ok(self)
    }

    /// Sends the request to the given generation of the key paths (legacy by default).
    pub fn via(mut self, api: KeyApi) -> Self {
        self.api = api;
        self
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.key_name
    }

    /// The permissions.
    pub fn permissions(&self) -> &Permissions {
        &self.permissions
    }

    /// The maximum number of uses, if limited.
    pub fn max_uses_limit(&self) -> Option<u32> {
        self.max_uses
    }
}

/// A newly created key. The secret and the JWT are shown once: keep them.
///
/// `Debug` shows the public key only. `Serialize` writes the answer as the API sent it,
/// **secret and JWT included** (that is what keeping it means): store the result as you would
/// store the secret.
#[derive(Clone, Serialize, Deserialize)]
pub struct CreatedApiKey {
    #[serde(rename = "pinata_api_key")]
    api_key: String,
    #[serde(
        rename = "pinata_api_secret",
        serialize_with = "expose",
        deserialize_with = "secret"
    )]
    api_secret: SecretString,
    #[serde(rename = "JWT", serialize_with = "expose", deserialize_with = "secret")]
    jwt: SecretString,
}

fn secret<'de, D: serde::Deserializer<'de>>(d: D) -> Result<SecretString, D::Error> {
    String::deserialize(d).map(SecretString::new)
}

/// Writes a secret as the API sent it.
pub(super) fn expose<S: serde::Serializer>(secret: &SecretString, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(secret.expose_secret())
}

impl CreatedApiKey {
    /// A created key (for a test's fake, or a key kept elsewhere): the public key, its secret and
    /// its JWT, which are not checked here (see [`CreatedApiKey::jwt_credentials`]).
    pub fn new(
        api_key: impl Into<String>,
        api_secret: impl Into<String>,
        jwt: impl Into<String>,
    ) -> Self {
        Self {
            api_key: api_key.into(),
            api_secret: SecretString::new(api_secret),
            jwt: SecretString::new(jwt),
        }
    }

    /// The public API key (`pinata_api_key`).
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// The API secret.
    pub fn api_secret(&self) -> &SecretString {
        &self.api_secret
    }

    /// The JWT.
    pub fn jwt(&self) -> &SecretString {
        &self.jwt
    }

    /// Credentials that authenticate with the JWT (`Authorization: Bearer`).
    pub fn jwt_credentials(&self) -> Result<Credentials, CredentialsError> {
        Credentials::jwt(self.jwt.expose_secret())
    }

    /// Credentials that authenticate with the key pair headers.
    pub fn key_pair_credentials(&self) -> Result<Credentials, CredentialsError> {
        Credentials::key_pair(self.api_key.as_str(), self.api_secret.expose_secret())
    }
}

impl fmt::Debug for CreatedApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreatedApiKey")
            .field("api_key", &self.api_key)
            .field("api_secret", &self.api_secret)
            .field("jwt", &self.jwt)
            .finish()
    }
}

impl Endpoint for CreateApiKey {
    type Output = CreatedApiKey;

    fn method(&self) -> Method {
        Method::POST
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        Ok(match self.api {
            KeyApi::Legacy => "/users/generateApiKey",
            KeyApi::V3 => "/v3/pinata/keys",
        }
        .to_owned())
    }

    fn body(&self) -> Result<Body, BuildError> {
        Body::json(self)
    }

    fn parse(
        &self,
        status: StatusCode,
        _headers: &HeaderMap,
        body: &Bytes,
    ) -> Result<CreatedApiKey, DecodeError> {
        DecodeError::decode_json(status, body)
    }
}

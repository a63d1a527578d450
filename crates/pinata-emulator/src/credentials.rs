//! The credentials the emulator hands out for a key: its JWT, public key and secret.

use std::fmt;

use pinata_core::{Credentials, CredentialsError};
use serde::Serialize;

/// A key's credentials in both schemes: the admin key's, or one made with
/// [`EmulatorHandle::create_key`](crate::EmulatorHandle::create_key). `Debug` shows the public key only.
#[derive(Clone, Serialize)]
pub struct KeyCredentials {
    /// JWT for the key.
    pub jwt: String,
    /// Public key.
    pub api_key: String,
    /// Secret.
    pub api_secret: String,
}

/// The admin key the emulator starts with, in both schemes.
pub type AdminCredentials = KeyCredentials;

impl KeyCredentials {
    /// The key's JWT as client credentials (the scheme the v3 endpoints take).
    pub fn jwt_credentials(&self) -> Result<Credentials, CredentialsError> {
        Credentials::jwt(self.jwt.as_str())
    }

    /// The key's public key and secret as client credentials (the legacy endpoints' scheme).
    pub fn key_pair_credentials(&self) -> Result<Credentials, CredentialsError> {
        Credentials::key_pair(self.api_key.as_str(), self.api_secret.as_str())
    }
}

impl fmt::Debug for KeyCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyCredentials")
            .field("api_key", &self.api_key)
            .finish_non_exhaustive()
    }
}

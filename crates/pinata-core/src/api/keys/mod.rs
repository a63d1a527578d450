//! API key management: create, list and revoke keys, through the legacy (`/users/*`) or the v3
//! (`/v3/pinata/keys`) paths. Only admin keys may call these.

mod create;
mod list;
mod permissions;
mod refused;
mod revoke;

pub use create::{CreateApiKey, CreatedApiKey};
pub use list::{ApiKeyInfo, ApiKeyPage, ListApiKeys};
pub use permissions::{EndpointPermission, Permissions, PermissionsError, ResourceScope};
pub use refused::KeySpecError;
pub use revoke::RevokeApiKey;

/// Which generation of the key-management paths a request uses. Both manage the same keys.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum KeyApi {
    /// `POST /users/generateApiKey`, `GET /users/apiKeys`, `PUT /users/revokeApiKey`.
    #[default]
    Legacy,
    /// `POST /v3/pinata/keys`, `GET /v3/pinata/keys`, `PUT /v3/pinata/keys/{key}`: the paths every
    /// official SDK uses, including `pinata` 2.5.6. (The 2025 docs also name `/v3/api_keys`; the SDKs'
    /// paths are the most recent evidence of what clients send.)
    V3,
}

//! The API's endpoints, one module each, holding the request type and its response type.

pub mod files;
pub mod gateways;
pub mod groups;
pub mod keys;
pub mod metadata;
pub mod pin_by_cid;
pub mod pinning;
pub mod psa;
pub mod reason;
pub mod signed;
pub mod swaps;
mod test_authentication;
pub mod uploads;
mod v3;
mod validate;

pub use test_authentication::{AuthenticationOk, TestAuthentication};
pub use v3::Network;

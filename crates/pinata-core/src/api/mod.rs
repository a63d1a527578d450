//! The API's endpoints, one module each, holding the request type and its response type.

pub mod groups;
pub mod keys;
pub mod pin_by_cid;
pub mod pinning;
mod test_authentication;
mod v3;

pub use test_authentication::{AuthenticationOk, TestAuthentication};
pub use v3::Network;

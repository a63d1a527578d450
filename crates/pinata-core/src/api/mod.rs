//! The API's endpoints, one module each, holding the request type and its response type.

pub mod keys;
pub mod pinning;
mod test_authentication;

pub use test_authentication::{AuthenticationOk, TestAuthentication};

//! The API's endpoints, one module each, holding the request type and its response type.

mod test_authentication;

pub use test_authentication::{AuthenticationOk, TestAuthentication};

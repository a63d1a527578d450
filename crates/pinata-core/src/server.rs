//! For servers that speak Pinata's API (the emulator, or a mock of your own): the auth headers read
//! in reverse, with the same rules the client writes them by, and query strings parsed as the API
//! reads them.
//!
//! ```
//! use pinata_core::server::{PresentedCredentials, parse_credentials};
//!
//! let mut headers = http::HeaderMap::new();
//! assert!(matches!(parse_credentials(&headers), PresentedCredentials::Missing));
//! headers.insert("pinata_api_key", "0123456789abcdef0123".parse()?);
//! headers.insert("pinata_secret_api_key", "s3cr3t".parse()?);
//! assert!(matches!(parse_credentials(&headers), PresentedCredentials::KeyPair(_)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub use crate::auth::{
    API_KEY_HEADER, API_SECRET_HEADER, MalformedBearer, PairHeader, PresentedCredentials,
    parse_credentials,
};
pub use crate::query::Query;

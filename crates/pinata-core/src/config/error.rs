//! Why a configuration was refused: [`ConfigError`], part of the error taxonomy
//! ([`BuildError::Config`](crate::BuildError::Config)), kept apart from [`Config`](crate::Config)
//! so that the errors need nothing of the config itself.

use std::fmt;

use super::limits::{MAX_TUS_CHUNK, MIN_TUS_CHUNK};
use super::origin::DEFAULT_BASE_URL;

/// Why a base URL was refused. The URL itself is never repeated: it may carry a password or a token
/// (`user:pass@`, `?key=…`), even a malformed one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// Not an absolute URL with a host.
    NotAbsolute,
    /// A scheme other than `http` or `https` (the scheme, when it is plain letters).
    UnsupportedScheme(String),
    /// The URL carries `user:password@`; credentials belong in [`crate::Credentials`].
    UserInfoInUrl,
    /// The URL has a query or fragment, which a base URL cannot carry.
    QueryOrFragment,
    /// `PINATA_API_URL` (or another `PINATA_*` variable) is set but not valid Unicode.
    EnvironmentNotUnicode,
    /// The gateway key is empty or not a valid header/query value (whitespace, control characters).
    InvalidGatewayKey,
    /// A TUS chunk size outside the accepted range.
    TusChunkSize(u64),
    /// A proxy variable (`https_proxy`, `all_proxy`…) holds a proxy URL that is refused; the
    /// error names the variable, never its value.
    Proxy(crate::proxy::ProxyError),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::NotAbsolute => write!(
                f,
                "the base URL is not an absolute http(s) URL such as {DEFAULT_BASE_URL}"
            ),
            ConfigError::UnsupportedScheme(s) => {
                write!(
                    f,
                    "base URL scheme {s:?} is not supported; use https (or http)"
                )
            }
            ConfigError::TusChunkSize(n) => write!(
                f,
                "a TUS chunk is {} to {} bytes, not {n}",
                MIN_TUS_CHUNK, MAX_TUS_CHUNK
            ),
            ConfigError::UserInfoInUrl => f.write_str(
                "the base URL contains user:password@; pass credentials as Credentials instead",
            ),
            ConfigError::QueryOrFragment => {
                f.write_str("the base URL has a query or fragment; give only scheme, host and path")
            }
            ConfigError::EnvironmentNotUnicode => {
                f.write_str("a PINATA_* environment variable is not valid Unicode")
            }
            ConfigError::Proxy(e) => e.fmt(f),
            ConfigError::InvalidGatewayKey => f.write_str(
                "the gateway key is empty or contains whitespace or characters outside visible ASCII",
            ),
        }
    }
}

impl std::error::Error for ConfigError {}

impl From<crate::proxy::ProxyError> for ConfigError {
    fn from(e: crate::proxy::ProxyError) -> Self {
        ConfigError::Proxy(e)
    }
}

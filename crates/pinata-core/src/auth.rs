//! Authentication as a pure change to HTTP headers, in both directions: a client puts credentials on
//! a request, a server (the emulator, or a proxy) reads them back off.

use http::HeaderMap;
use http::header::{AUTHORIZATION, HeaderName, HeaderValue};

use crate::credentials::{CredentialField, Credentials, CredentialsError, check_header_safe};

/// Header carrying the public API key of a key pair.
pub const API_KEY_HEADER: HeaderName = HeaderName::from_static("pinata_api_key");
/// Header carrying the API secret of a key pair.
pub const API_SECRET_HEADER: HeaderName = HeaderName::from_static("pinata_secret_api_key");

impl Credentials {
    /// Sets the headers of this scheme on `headers` and removes those of the other scheme, so a request
    /// never carries two identities. Values are marked sensitive (`Debug` of the header map and HTTP/2
    /// header compression both leave them out).
    pub fn apply_to(&self, headers: &mut HeaderMap) {
        if let Some(token) = self.expose_jwt() {
            headers.remove(&API_KEY_HEADER);
            headers.remove(&API_SECRET_HEADER);
            let value = zeroize::Zeroizing::new(format!("Bearer {token}"));
            headers.insert(AUTHORIZATION, sensitive(&value));
        } else if let Some((key, secret)) = self.expose_key_pair() {
            headers.remove(AUTHORIZATION);
            headers.insert(API_KEY_HEADER, sensitive(key));
            headers.insert(API_SECRET_HEADER, sensitive(secret));
        }
    }
}

/// A sensitive header value from text that [`check_header_safe`] accepted when the credentials were made.
fn sensitive(text: &str) -> HeaderValue {
    // Invariant: `Credentials` can only be built from visible ASCII (0x21..=0x7E), plus the single
    // space after "Bearer"; `HeaderValue::from_str` accepts every such string, so this cannot fail.
    #[allow(clippy::expect_used)]
    let mut value = HeaderValue::from_str(text).expect("credentials are validated as header-safe");
    value.set_sensitive(true);
    value
}

/// Which header of the key pair a request lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairHeader {
    /// `pinata_api_key`.
    ApiKey,
    /// `pinata_secret_api_key`.
    ApiSecret,
}

/// Why an `Authorization` header could not be read as a bearer JWT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MalformedBearer {
    /// The header does not use the `Bearer` scheme (for example `Basic …`), or has no token after it.
    NotBearer,
    /// The token is not a valid JWT (the reason never quotes the token).
    InvalidToken(CredentialsError),
}

/// What credentials a request presents, as the Pinata API tells the cases apart.
///
/// When a request carries both an `Authorization` header and key-pair headers, the `Authorization`
/// header decides: the real service's precedence is not documented, and this is the emulator's choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PresentedCredentials {
    /// No `Authorization` header and neither key-pair header.
    Missing,
    /// One header of the key pair without the other.
    IncompletePair {
        /// The header that is absent.
        missing: PairHeader,
    },
    /// An `Authorization` header that is not a well-formed bearer JWT.
    MalformedBearer(MalformedBearer),
    /// Both key-pair headers, but a value is not valid (empty, whitespace, non-ASCII…).
    InvalidPair(CredentialsError),
    /// A well-formed bearer JWT (its signature is for the server to verify).
    Jwt(Credentials),
    /// A well-formed key pair (whether it is a real key is for the server to check).
    KeyPair(Credentials),
}

/// Reads the credentials a request presents from its headers (the server side of [`Credentials::apply_to`]).
pub fn parse_credentials(headers: &HeaderMap) -> PresentedCredentials {
    if let Some(value) = headers.get(AUTHORIZATION) {
        return parse_bearer(value);
    }
    match (
        headers.get(&API_KEY_HEADER),
        headers.get(&API_SECRET_HEADER),
    ) {
        (None, None) => PresentedCredentials::Missing,
        (Some(_), None) => PresentedCredentials::IncompletePair {
            missing: PairHeader::ApiSecret,
        },
        (None, Some(_)) => PresentedCredentials::IncompletePair {
            missing: PairHeader::ApiKey,
        },
        (Some(key), Some(secret)) => {
            let key = header_text(key, CredentialField::ApiKey);
            let secret = header_text(secret, CredentialField::ApiSecret);
            match key.and_then(|k| secret.and_then(|s| Credentials::key_pair(k, s))) {
                Ok(creds) => PresentedCredentials::KeyPair(creds),
                Err(e) => PresentedCredentials::InvalidPair(e),
            }
        }
    }
}

fn parse_bearer(value: &HeaderValue) -> PresentedCredentials {
    let bytes = value.as_bytes();
    let scheme_ok =
        bytes.len() > 6 && bytes[..6].eq_ignore_ascii_case(b"bearer") && bytes[6] == b' ';
    if !scheme_ok {
        return PresentedCredentials::MalformedBearer(MalformedBearer::NotBearer);
    }
    let rest = &bytes[7..];
    let start = rest.iter().position(|b| *b != b' ').unwrap_or(rest.len());
    let token = &rest[start..];
    if token.is_empty() {
        return PresentedCredentials::MalformedBearer(MalformedBearer::NotBearer);
    }
    let parsed = match std::str::from_utf8(token) {
        Ok(text) => Credentials::jwt(text),
        Err(_) => Err(CredentialsError::NonAscii(CredentialField::Jwt)),
    };
    match parsed {
        Ok(creds) => PresentedCredentials::Jwt(creds),
        Err(e) => PresentedCredentials::MalformedBearer(MalformedBearer::InvalidToken(e)),
    }
}

/// A header value as text, refused with the same errors as credential construction.
fn header_text(value: &HeaderValue, field: CredentialField) -> Result<String, CredentialsError> {
    let text = String::from_utf8(value.as_bytes().to_vec())
        .map_err(|_| CredentialsError::NonAscii(field))?;
    check_header_safe(&text, field)?;
    Ok(text)
}

#[cfg(test)]
mod tests;

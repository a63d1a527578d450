//! Pinata credentials: a JWT, or an API key with its secret. Validated when they are made.

use std::fmt;

use crate::jwt::{self, JwtError, UnverifiedClaims};
use crate::secret::SecretString;

/// Environment variable holding a JWT.
pub const ENV_JWT: &str = "PINATA_JWT";
/// Environment variable holding the public API key of a key pair.
pub const ENV_API_KEY: &str = "PINATA_API_KEY";
/// Environment variable holding the API secret of a key pair.
pub const ENV_API_SECRET: &str = "PINATA_API_SECRET";

/// How credentials authenticate a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// `Authorization: Bearer <JWT>`.
    Jwt,
    /// The header pair `pinata_api_key` + `pinata_secret_api_key`.
    KeyPair,
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Scheme::Jwt => "JWT",
            Scheme::KeyPair => "API key pair",
        })
    }
}

/// Credentials for the Pinata API.
///
/// Made only through the validating constructors, so every value is safe to put in a header.
/// `Debug` and `Display` show the scheme and the public API key, never the JWT or the secret; the
/// secret parts are zeroed when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    inner: Inner,
}

#[derive(Clone, PartialEq, Eq)]
enum Inner {
    Jwt {
        token: SecretString,
        /// `scopedKeyKey` read from the token when it was made; only for display.
        api_key: Option<String>,
    },
    KeyPair {
        api_key: String,
        secret: SecretString,
    },
}

/// Which credential value a [`CredentialsError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialField {
    /// The JWT.
    Jwt,
    /// The public API key (`pinata_api_key`).
    ApiKey,
    /// The API secret (`pinata_secret_api_key`).
    ApiSecret,
}

impl fmt::Display for CredentialField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CredentialField::Jwt => "JWT",
            CredentialField::ApiKey => "API key",
            CredentialField::ApiSecret => "API secret",
        })
    }
}

/// Why credentials were refused. The message names the problem and the field, never the value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialsError {
    /// The value is empty.
    Empty(CredentialField),
    /// The value contains a space, tab or line break (often a copy-paste leftover).
    Whitespace(CredentialField),
    /// The value contains a control character.
    ControlCharacter(CredentialField),
    /// The value contains a character outside ASCII.
    NonAscii(CredentialField),
    /// The JWT starts with `Bearer `: pass the token alone, the client adds the scheme.
    BearerPrefix,
    /// The JWT is not a well-formed JWT.
    MalformedJwt(JwtError),
    /// Neither `PINATA_JWT` nor `PINATA_API_KEY` + `PINATA_API_SECRET` is set.
    NotInEnvironment,
    /// Only one of `PINATA_API_KEY` / `PINATA_API_SECRET` is set; this one is missing.
    IncompleteEnvironment {
        /// The variable that is missing.
        missing: &'static str,
    },
    /// An environment variable is set but is not valid Unicode.
    EnvironmentNotUnicode {
        /// The variable.
        variable: &'static str,
    },
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialsError::Empty(field) => write!(f, "the {field} is empty"),
            CredentialsError::Whitespace(field) => write!(
                f,
                "the {field} contains whitespace (a space, tab or line break); check for a copy-paste leftover"
            ),
            CredentialsError::ControlCharacter(field) => {
                write!(f, "the {field} contains a control character")
            }
            CredentialsError::NonAscii(field) => {
                write!(f, "the {field} contains a character outside ASCII")
            }
            CredentialsError::BearerPrefix => f.write_str(
                "the JWT starts with \"Bearer \"; pass the token alone, the client adds the scheme",
            ),
            CredentialsError::MalformedJwt(_) => f.write_str("malformed JWT"),
            CredentialsError::NotInEnvironment => write!(
                f,
                "no credentials in the environment: set {ENV_JWT}, or {ENV_API_KEY} and {ENV_API_SECRET}"
            ),
            CredentialsError::IncompleteEnvironment { missing } => write!(
                f,
                "incomplete key pair in the environment: {missing} is not set"
            ),
            CredentialsError::EnvironmentNotUnicode { variable } => {
                write!(
                    f,
                    "the environment variable {variable} is not valid Unicode"
                )
            }
        }
    }
}

impl std::error::Error for CredentialsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CredentialsError::MalformedJwt(e) => Some(e),
            _ => None,
        }
    }
}

impl Credentials {
    /// Credentials from a JWT (the long token shown once when a key is created).
    ///
    /// Refuses an empty value, whitespace, control or non-ASCII characters, a pasted `Bearer ` prefix,
    /// and anything that is not three base64url parts whose middle is a JSON object.
    pub fn jwt(token: impl Into<String>) -> Result<Self, CredentialsError> {
        let token = SecretString::new(token.into());
        let text = token.expose_secret();
        if has_bearer_prefix(text) {
            return Err(CredentialsError::BearerPrefix);
        }
        check_header_safe(text, CredentialField::Jwt)?;
        let claims = jwt::decode_unverified(text).map_err(CredentialsError::MalformedJwt)?;
        let api_key = claims.api_key().map(str::to_owned);
        Ok(Self {
            inner: Inner::Jwt { token, api_key },
        })
    }

    /// Credentials from an API key and its secret (sent as `pinata_api_key` + `pinata_secret_api_key`).
    ///
    /// Both must be non-empty printable ASCII without whitespace.
    pub fn key_pair(
        api_key: impl Into<String>,
        secret: impl Into<String>,
    ) -> Result<Self, CredentialsError> {
        let api_key = api_key.into();
        let secret = SecretString::new(secret.into());
        check_header_safe(&api_key, CredentialField::ApiKey)?;
        check_header_safe(secret.expose_secret(), CredentialField::ApiSecret)?;
        Ok(Self {
            inner: Inner::KeyPair { api_key, secret },
        })
    }

    /// Reads `PINATA_JWT`, or else `PINATA_API_KEY` and `PINATA_API_SECRET`, from the process environment.
    pub fn from_env() -> Result<Self, CredentialsError> {
        Self::from_lookup(|name| match std::env::var(name) {
            Ok(v) => Ok(Some(v)),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(()),
        })
    }

    /// Like [`Credentials::from_env`], with the variables read through `lookup` (for tests and for
    /// configuration sources other than the process environment). `lookup` returns `Err(())` for a
    /// variable that is set but not Unicode. An empty variable counts as unset.
    pub fn from_lookup(
        lookup: impl Fn(&'static str) -> Result<Option<String>, ()>,
    ) -> Result<Self, CredentialsError> {
        let get = |name: &'static str| -> Result<Option<String>, CredentialsError> {
            match lookup(name) {
                Ok(Some(v)) if !v.is_empty() => Ok(Some(v)),
                Ok(_) => Ok(None),
                Err(()) => Err(CredentialsError::EnvironmentNotUnicode { variable: name }),
            }
        };
        if let Some(token) = get(ENV_JWT)? {
            return Self::jwt(token);
        }
        match (get(ENV_API_KEY)?, get(ENV_API_SECRET)?) {
            (Some(key), Some(secret)) => Self::key_pair(key, secret),
            (Some(_), None) => Err(CredentialsError::IncompleteEnvironment {
                missing: ENV_API_SECRET,
            }),
            (None, Some(_)) => Err(CredentialsError::IncompleteEnvironment {
                missing: ENV_API_KEY,
            }),
            (None, None) => Err(CredentialsError::NotInEnvironment),
        }
    }

    /// Which header scheme these credentials use.
    pub fn scheme(&self) -> Scheme {
        match self.inner {
            Inner::Jwt { .. } => Scheme::Jwt,
            Inner::KeyPair { .. } => Scheme::KeyPair,
        }
    }

    /// The public API key: the pair's key, or the JWT's `scopedKeyKey` claim (unverified).
    pub fn api_key(&self) -> Option<&str> {
        match &self.inner {
            Inner::Jwt { api_key, .. } => api_key.as_deref(),
            Inner::KeyPair { api_key, .. } => Some(api_key),
        }
    }

    /// The JWT's claims, decoded **without verifying the signature**; `None` for a key pair.
    pub fn unverified_claims(&self) -> Option<UnverifiedClaims> {
        match &self.inner {
            // The token was checked to decode when these credentials were made.
            Inner::Jwt { token, .. } => jwt::decode_unverified(token.expose_secret()).ok(),
            Inner::KeyPair { .. } => None,
        }
    }

    /// The JWT itself, for code that must handle the raw token (a server verifying it, say).
    pub fn expose_jwt(&self) -> Option<&str> {
        match &self.inner {
            Inner::Jwt { token, .. } => Some(token.expose_secret()),
            Inner::KeyPair { .. } => None,
        }
    }

    /// Every secret these credentials hold, for redaction: the API secret, or the JWT with its
    /// payload and signature segments and the API secret its payload carries (`scopedKeySecret`).
    pub(crate) fn secrets(&self) -> Vec<zeroize::Zeroizing<String>> {
        use zeroize::Zeroizing;
        match &self.inner {
            Inner::KeyPair { secret, .. } => {
                vec![Zeroizing::new(secret.expose_secret().to_owned())]
            }
            Inner::Jwt { token, .. } => {
                let token = token.expose_secret();
                let mut out = vec![Zeroizing::new(token.to_owned())];
                let mut parts = token.split('.').skip(1);
                let (payload, signature) = (parts.next(), parts.next());
                out.extend(
                    [payload, signature]
                        .into_iter()
                        .flatten()
                        .map(|p| Zeroizing::new(p.to_owned())),
                );
                if let Some(secret) = payload
                    .and_then(jwt::base64url_decode)
                    .map(Zeroizing::new)
                    .and_then(|bytes| {
                        let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
                        claims
                            .get("scopedKeySecret")?
                            .as_str()
                            .map(|s| Zeroizing::new(s.to_owned()))
                    })
                {
                    out.push(secret);
                }
                out
            }
        }
    }

    /// The API key and the secret, for code that must handle the raw secret.
    pub fn expose_key_pair(&self) -> Option<(&str, &str)> {
        match &self.inner {
            Inner::Jwt { .. } => None,
            Inner::KeyPair { api_key, secret } => Some((api_key, secret.expose_secret())),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("scheme", &self.scheme())
            .field("api_key", &self.api_key())
            .field("secret", &"[REDACTED]")
            .finish()
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.api_key() {
            Some(key) => write!(f, "{} credentials for key {key}", self.scheme()),
            None => write!(f, "{} credentials", self.scheme()),
        }
    }
}

/// `Bearer ` (any case) followed by anything: someone pasted a whole header value.
fn has_bearer_prefix(text: &str) -> bool {
    text.len() > 6
        && text.as_bytes()[..6].eq_ignore_ascii_case(b"bearer")
        && text.as_bytes()[6].is_ascii_whitespace()
}

/// Accepts exactly the non-empty strings of visible ASCII (0x21..=0x7E): the values that go into an
/// HTTP header unchanged and come back out the same.
pub(crate) fn check_header_safe(
    text: &str,
    field: CredentialField,
) -> Result<(), CredentialsError> {
    if text.is_empty() {
        return Err(CredentialsError::Empty(field));
    }
    for c in text.chars() {
        if matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{0c}') {
            return Err(CredentialsError::Whitespace(field));
        }
        if c.is_ascii_control() {
            return Err(CredentialsError::ControlCharacter(field));
        }
        if !c.is_ascii() {
            return Err(CredentialsError::NonAscii(field));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;

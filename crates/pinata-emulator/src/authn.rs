//! Authenticating a request as the real API does, with its status codes and error bodies
//! (`pinata-api.md` §1.4). Headers are read with pinata-core's parser; the key store admits the key
//! and holds one of its uses for the call.

use std::time::SystemTime;

use http::{HeaderMap, StatusCode};
use pinata_core::CredentialsError;
use pinata_core::jwt::{JwtError, JwtSegment};
use pinata_core::server::{MalformedBearer, PresentedCredentials, parse_credentials};

use crate::reply::{self, Reply};
use crate::store::keys::{KeyRefusal, KeyStore, UseReservation};
use crate::token::{self, TokenError};

/// The result of authenticating a request: the held use of its key, or the refusal to send.
pub(crate) type Caller<'s> = Result<UseReservation<'s>, Reply>;

/// Authenticates the request's credentials and holds one use of the key for this call, or returns
/// the response the API gives for them.
pub fn authenticate<'s>(
    headers: &HeaderMap,
    keys: &'s KeyStore,
    jwt_secret: &[u8],
    now: SystemTime,
) -> Caller<'s> {
    let (key, secret) = match parse_credentials(headers) {
        // Sources disagree over time (400 KEYS_MUST_BE_STRINGS in 2022-23, 401 in 2025-26); the
        // most recent evidence wins.
        PresentedCredentials::Missing => return Err(missing_credentials()),
        PresentedCredentials::IncompletePair { .. } => {
            return Err(reply::reason(
                StatusCode::BAD_REQUEST,
                pinata_core::api::reason::KEYS_MUST_BE_STRINGS,
                "pinata_api_key and pinata_secret_api_key must both be strings",
            ));
        }
        PresentedCredentials::MalformedBearer(MalformedBearer::InvalidToken(
            CredentialsError::MalformedJwt(e),
        )) => return Err(reply::invalid_credentials(malformed_details(&e))),
        PresentedCredentials::MalformedBearer(_) | PresentedCredentials::InvalidPair(_) => {
            return Err(invalid());
        }
        PresentedCredentials::Jwt(creds) => {
            let token = creds.expose_jwt().unwrap_or_default();
            match token::verify(token, jwt_secret, now) {
                Ok(claims) => (claims.scoped_key_key, claims.scoped_key_secret),
                Err(TokenError::Malformed(details)) => {
                    return Err(reply::invalid_credentials(details));
                }
                Err(TokenError::Invalid | TokenError::Expired) => return Err(invalid()),
            }
        }
        PresentedCredentials::KeyPair(creds) => {
            let (k, s) = creds.expose_key_pair().unwrap_or_default();
            (k.to_owned(), s.to_owned())
        }
    };
    keys.admit(&key, &secret).map_err(|refusal| match refusal {
        KeyRefusal::Invalid => invalid(),
        KeyRefusal::Revoked => reply::reason(
            StatusCode::FORBIDDEN,
            pinata_core::api::reason::API_KEY_REVOKED,
            "This API Key has been revoked",
        ),
        KeyRefusal::Exhausted => reply::max_uses_reached(),
    })
}

/// The answer to a request with no credentials at all.
pub(crate) fn missing_credentials() -> Reply {
    reply::invalid_credentials("No Authentication method provided")
}

fn invalid() -> Reply {
    reply::invalid_credentials("Invalid/expired credentials")
}

/// The `details` the API gives for a token that is not a JWT: the wording of the Go JWT library its
/// gateway uses (observed: "token is malformed: could not base64 decode header: …").
fn malformed_details(e: &JwtError) -> &'static str {
    match e {
        JwtError::SegmentCount(_) => {
            "token is malformed: token contains an invalid number of segments"
        }
        JwtError::NotBase64Url(JwtSegment::Header) => {
            "token is malformed: could not base64 decode header"
        }
        JwtError::NotBase64Url(JwtSegment::Payload) => {
            "token is malformed: could not base64 decode claim"
        }
        JwtError::NotBase64Url(JwtSegment::Signature) => {
            "token is malformed: could not base64 decode signature"
        }
        JwtError::NotJsonObject(JwtSegment::Header) => {
            "token is malformed: could not JSON decode header"
        }
        _ => "token is malformed: could not JSON decode claim",
    }
}

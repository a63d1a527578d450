//! HS256 JWTs with Pinata's claim set, signed and verified with the emulator's own secret.

use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use pinata_core::jwt::{base64url_decode, base64url_encode};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The claims of an emulator JWT, in the order and shape Pinata uses (newer tokens: `exp`, no `iat`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Claims {
    /// The account the key belongs to.
    pub user_information: UserInformation,
    /// Always `"scopedKey"`.
    pub authentication_type: String,
    /// The public API key.
    pub scoped_key_key: String,
    /// The API secret.
    pub scoped_key_secret: String,
    /// Expiry, Unix seconds.
    pub exp: u64,
}

/// `userInformation` of the claims.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct UserInformation {
    /// User UUID.
    pub id: String,
    /// E-mail address.
    pub email: String,
    /// Whether the e-mail address is verified.
    pub email_verified: bool,
    /// The account's pin policy.
    pub pin_policy: serde_json::Value,
    /// Whether MFA is on.
    pub mfa_enabled: bool,
    /// Account status.
    pub status: String,
}

impl Claims {
    /// Claims for `key`/`secret` of `user_id`, expiring at `exp`.
    pub fn new(user_id: &str, key: &str, secret: &str, exp: u64) -> Self {
        Self {
            user_information: UserInformation {
                id: user_id.to_owned(),
                email: "emulator@pinata.invalid".to_owned(),
                email_verified: true,
                pin_policy: serde_json::json!({
                    "regions": [
                        {"id": "FRA1", "desiredReplicationCount": 1},
                        {"id": "NYC1", "desiredReplicationCount": 1}
                    ],
                    "version": 1
                }),
                mfa_enabled: false,
                status: "ACTIVE".to_owned(),
            },
            authentication_type: "scopedKey".to_owned(),
            scoped_key_key: key.to_owned(),
            scoped_key_secret: secret.to_owned(),
            exp,
        }
    }
}

/// Signs `claims` as an HS256 JWT with `secret`.
pub fn sign(claims: &Claims, secret: &[u8]) -> String {
    let header = base64url_encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    // Serialising a struct of strings, numbers and a JSON value cannot fail.
    let payload = base64url_encode(&serde_json::to_vec(claims).unwrap_or_default());
    let signing_input = format!("{header}.{payload}");
    let signature = base64url_encode(&mac(secret, signing_input.as_bytes()));
    format!("{signing_input}.{signature}")
}

/// HMAC-SHA256 of `data` under `secret`.
pub(crate) fn mac(secret: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail.
    let Ok(mut m) = HmacSha256::new_from_slice(secret) else {
        return Vec::new();
    };
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

/// Whether `tag` is the HMAC-SHA256 of `data` under `secret` (compared in constant time).
pub(crate) fn mac_matches(secret: &[u8], data: &[u8], tag: &[u8]) -> bool {
    let Ok(mut m) = HmacSha256::new_from_slice(secret) else {
        return false;
    };
    m.update(data);
    m.verify_slice(tag).is_ok()
}

/// Why a token was refused, with the `details` text the API sends for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    /// Not three parts, or a part that does not decode. The text follows the Go JWT library's wording
    /// that Pinata's responses carry.
    Malformed(&'static str),
    /// The signature does not match, or the claims are not Pinata's.
    Invalid,
    /// `exp` has passed.
    Expired,
}

/// Verifies the signature and expiry of `token` and returns its claims.
pub fn verify(token: &str, secret: &[u8], now: SystemTime) -> Result<Claims, TokenError> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed(
            "token is malformed: token contains an invalid number of segments",
        ));
    };
    if base64url_decode(header).is_none() {
        return Err(TokenError::Malformed(
            "token is malformed: could not base64 decode header",
        ));
    }
    let Some(payload_bytes) = base64url_decode(payload) else {
        return Err(TokenError::Malformed(
            "token is malformed: could not base64 decode claim",
        ));
    };
    let Some(signature) = base64url_decode(signature) else {
        return Err(TokenError::Malformed(
            "token is malformed: could not base64 decode signature",
        ));
    };
    let Ok(mut m) = HmacSha256::new_from_slice(secret) else {
        return Err(TokenError::Invalid);
    };
    m.update(format!("{header}.{payload}").as_bytes());
    m.verify_slice(&signature)
        .map_err(|_| TokenError::Invalid)?;
    let claims: Claims = serde_json::from_slice(&payload_bytes).map_err(|_| TokenError::Invalid)?;
    let now = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    if claims.exp <= now {
        return Err(TokenError::Expired);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn sign_then_verify() {
        let c = Claims::new("u", "k", "s", 2_000_000_000);
        let t = sign(&c, b"secret");
        assert_eq!(verify(&t, b"secret", SystemTime::now()), Ok(c.clone()));
        assert_eq!(
            verify(&t, b"other", SystemTime::now()),
            Err(TokenError::Invalid)
        );
        let late = UNIX_EPOCH + Duration::from_secs(2_000_000_000);
        assert_eq!(verify(&t, b"secret", late), Err(TokenError::Expired));
        // The token is a valid JWT for the client-side validator too.
        let creds = pinata_core::Credentials::jwt(t.clone()).unwrap();
        assert_eq!(creds.api_key(), Some("k"));
    }

    #[test]
    fn tampering_is_detected() {
        let t = sign(&Claims::new("u", "k", "s", 2_000_000_000), b"secret");
        let forged = sign(&Claims::new("u", "admin", "s", 2_000_000_000), b"guess");
        let (head, _) = t.rsplit_once('.').unwrap();
        let (_, forged_sig) = forged.rsplit_once('.').unwrap();
        assert_eq!(
            verify(
                &format!("{head}.{forged_sig}"),
                b"secret",
                SystemTime::now()
            ),
            Err(TokenError::Invalid)
        );
        assert!(matches!(
            verify("a.b", b"secret", SystemTime::now()),
            Err(TokenError::Malformed(_))
        ));
    }
}

//! Reading a Pinata JWT **without verifying its signature**.
//!
//! Pinata signs its JWTs with a server secret that clients never see, so a client can only look inside
//! the token, not check it. Everything here is therefore *unverified*: good for telling the user which
//! key a token belongs to or that it has expired, never for making a security decision. The emulator
//! verifies signatures with its own secret, in its own crate.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// base64url as JWTs use it: no padding expected, padding tolerated.
const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Which of the three dot-separated parts of a JWT a problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtSegment {
    /// The first part: the JOSE header.
    Header,
    /// The second part: the claims.
    Payload,
    /// The third part: the signature.
    Signature,
}

impl fmt::Display for JwtSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            JwtSegment::Header => "header",
            JwtSegment::Payload => "payload",
            JwtSegment::Signature => "signature",
        })
    }
}

/// Why a string is not a well-formed JWT. Never contains any part of the token.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwtError {
    /// A JWT has exactly three parts separated by `.`; this many were found.
    SegmentCount(usize),
    /// A part is empty or is not valid base64url.
    NotBase64Url(JwtSegment),
    /// The header or payload decoded, but is not a JSON object.
    NotJsonObject(JwtSegment),
}

impl fmt::Display for JwtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JwtError::SegmentCount(n) => write!(
                f,
                "a JWT has three base64url parts separated by '.', this has {n}"
            ),
            JwtError::NotBase64Url(seg) => write!(f, "the JWT {seg} is not valid base64url"),
            JwtError::NotJsonObject(seg) => write!(f, "the JWT {seg} is not a JSON object"),
        }
    }
}

impl std::error::Error for JwtError {}

/// The claims of a Pinata JWT, read **without verifying the signature**.
///
/// Holds only the non-secret claims: the token's payload also carries the API secret
/// (`scopedKeySecret`), which is deliberately not decoded here.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UnverifiedClaims {
    scoped_key_key: Option<String>,
    issued_at: Option<u64>,
    expires_at: Option<u64>,
    user_id: Option<String>,
    authentication_type: Option<String>,
}

impl UnverifiedClaims {
    /// `scopedKeyKey`: the public API key (the `pinata_api_key` value) the token belongs to.
    pub fn api_key(&self) -> Option<&str> {
        self.scoped_key_key.as_deref()
    }

    /// `iat`: when the token was issued, in seconds since the Unix epoch (older tokens carry it).
    pub fn issued_at(&self) -> Option<u64> {
        self.issued_at
    }

    /// `exp`: when the token expires, in seconds since the Unix epoch (newer tokens carry it).
    pub fn expires_at(&self) -> Option<u64> {
        self.expires_at
    }

    /// `userInformation.id`: the Pinata user the key belongs to.
    pub fn user_id(&self) -> Option<&str> {
        self.user_id.as_deref()
    }

    /// `authenticationType` (`"scopedKey"` for API-key JWTs).
    pub fn authentication_type(&self) -> Option<&str> {
        self.authentication_type.as_deref()
    }

    /// Whether `exp` lies more than `leeway` before `now`. A token without `exp` never expires.
    pub fn is_expired_at(&self, now: SystemTime, leeway: Duration) -> bool {
        let Some(exp) = self.expires_at else {
            return false;
        };
        let now = now
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .as_secs();
        exp.saturating_add(leeway.as_secs()) < now
    }
}

/// Checks the structure of a JWT: three base64url parts, header and payload JSON objects.
#[cfg(test)]
fn check_shape(token: &str) -> Result<(), JwtError> {
    decode_payload(token).map(|_| ())
}

/// Decodes the claims of `token` **without verifying its signature** (clients cannot: Pinata keeps the
/// signing key). Use it to show which key a token is for or to notice that it has expired.
///
/// Claims are read leniently: one of an unexpected type (a fractional `iat`, a numeric user id) or
/// a key that is not header-safe text is treated as absent rather than failing the whole token.
pub fn decode_unverified(token: &str) -> Result<UnverifiedClaims, JwtError> {
    let payload = decode_payload(token)?;
    let claims: serde_json::Value = serde_json::from_slice(&payload)
        .map_err(|_| JwtError::NotJsonObject(JwtSegment::Payload))?;
    let text = |v: Option<&serde_json::Value>| v.and_then(|v| v.as_str()).map(str::to_owned);
    // Only visible ASCII may pass: the key is shown in `Debug`/`Display` and must not be able to
    // inject line breaks or control characters into logs.
    let scoped_key_key = text(claims.get("scopedKeyKey"))
        .filter(|k| !k.is_empty() && k.bytes().all(|b| (0x21..=0x7e).contains(&b)));
    Ok(UnverifiedClaims {
        scoped_key_key,
        issued_at: claims.get("iat").and_then(seconds),
        expires_at: claims.get("exp").and_then(seconds),
        user_id: text(claims.pointer("/userInformation/id")),
        authentication_type: text(claims.get("authenticationType")),
    })
}

/// A NumericDate (RFC 7519: seconds, possibly fractional) as whole seconds; `None` if negative or
/// not a number.
fn seconds(value: &serde_json::Value) -> Option<u64> {
    value.as_u64().or_else(|| {
        value
            .as_f64()
            .filter(|f| f.is_finite() && *f >= 0.0)
            .map(|f| f as u64)
    })
}

/// Splits, decodes and checks the three segments; returns the decoded payload bytes.
fn decode_payload(token: &str) -> Result<Vec<u8>, JwtError> {
    let parts: Vec<&str> = token.split('.').collect();
    let [header, payload, signature] = parts.as_slice() else {
        return Err(JwtError::SegmentCount(parts.len()));
    };
    let header = decode_segment(header, JwtSegment::Header)?;
    require_object(&header, JwtSegment::Header)?;
    let payload_bytes = decode_segment(payload, JwtSegment::Payload)?;
    require_object(&payload_bytes, JwtSegment::Payload)?;
    decode_segment(signature, JwtSegment::Signature)?;
    Ok(payload_bytes)
}

fn decode_segment(segment: &str, which: JwtSegment) -> Result<Vec<u8>, JwtError> {
    if segment.is_empty() {
        return Err(JwtError::NotBase64Url(which));
    }
    BASE64URL
        .decode(segment)
        .map_err(|_| JwtError::NotBase64Url(which))
}

fn require_object(bytes: &[u8], which: JwtSegment) -> Result<(), JwtError> {
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(serde_json::Value::Object(_)) => Ok(()),
        _ => Err(JwtError::NotJsonObject(which)),
    }
}

/// Encodes bytes as unpadded base64url (used by tests and by the emulator to mint tokens).
pub fn base64url_encode(bytes: &[u8]) -> String {
    BASE64URL.encode(bytes)
}

/// Decodes unpadded (or padded) base64url.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    BASE64URL.decode(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(payload: &str) -> String {
        format!(
            "{}.{}.{}",
            base64url_encode(br#"{"alg":"HS256","typ":"JWT"}"#),
            base64url_encode(payload.as_bytes()),
            base64url_encode(b"signature-bytes")
        )
    }

    #[test]
    fn decodes_pinata_claims() {
        let t = token(
            r#"{"userInformation":{"id":"u-1","email":"a@b.c","email_verified":true},
                "authenticationType":"scopedKey","scopedKeyKey":"0123456789abcdef0123",
                "scopedKeySecret":"ssss","exp":1900000000}"#,
        );
        let c = decode_unverified(&t).unwrap();
        assert_eq!(c.api_key(), Some("0123456789abcdef0123"));
        assert_eq!(c.user_id(), Some("u-1"));
        assert_eq!(c.expires_at(), Some(1_900_000_000));
        assert_eq!(c.issued_at(), None);
        assert_eq!(c.authentication_type(), Some("scopedKey"));
        assert!(!format!("{c:?}").contains("ssss"));
    }

    #[test]
    fn expiry_respects_leeway() {
        let c = decode_unverified(&token(r#"{"exp":1000}"#)).unwrap();
        let at = |s| UNIX_EPOCH + Duration::from_secs(s);
        assert!(!c.is_expired_at(at(999), Duration::ZERO));
        assert!(!c.is_expired_at(at(1000), Duration::ZERO));
        assert!(c.is_expired_at(at(1001), Duration::ZERO));
        assert!(!c.is_expired_at(at(1030), Duration::from_secs(30)));
        assert!(c.is_expired_at(at(1031), Duration::from_secs(30)));
        let no_exp = decode_unverified(&token(r#"{"iat":5}"#)).unwrap();
        assert!(!no_exp.is_expired_at(at(u32::MAX as u64), Duration::ZERO));
    }

    #[test]
    fn rejects_bad_shapes() {
        assert_eq!(check_shape("a.b"), Err(JwtError::SegmentCount(2)));
        assert_eq!(check_shape("a.b.c.d"), Err(JwtError::SegmentCount(4)));
        assert_eq!(
            check_shape("!!.e30.c2ln"),
            Err(JwtError::NotBase64Url(JwtSegment::Header))
        );
        let h = base64url_encode(br#"{"alg":"HS256"}"#);
        assert_eq!(
            check_shape(&format!("{h}.{}.c2ln", base64url_encode(b"[1]"))),
            Err(JwtError::NotJsonObject(JwtSegment::Payload))
        );
        assert_eq!(
            check_shape(&format!("{h}.e30.")),
            Err(JwtError::NotBase64Url(JwtSegment::Signature))
        );
        assert_eq!(check_shape(&format!("{h}.e30.c2ln")), Ok(()));
    }

    #[test]
    fn odd_claim_types_are_read_leniently() {
        let c = decode_unverified(&token(
            r#"{"exp":"soon","iat":1700000000.5,"userInformation":{"id":42}}"#,
        ))
        .unwrap();
        assert_eq!(c.expires_at(), None);
        assert_eq!(c.issued_at(), Some(1_700_000_000));
        assert_eq!(c.user_id(), None);
        let c = decode_unverified(&token(r#"{"exp":-1}"#)).unwrap();
        assert_eq!(c.expires_at(), None);
    }

    #[test]
    fn a_key_claim_that_could_forge_log_lines_is_dropped() {
        let c = decode_unverified(&token(r#"{"scopedKeyKey":"abc\nFAKE LOG LINE"}"#)).unwrap();
        assert_eq!(c.api_key(), None);
    }
}

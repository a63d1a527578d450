//! The `reason` strings of Pinata's error bodies (`{"error":{"reason":"…","details":"…"}}`), once:
//! what [`crate::Error::reason`] returns and a server sends.

/// 401: the credentials are not valid (unknown key, wrong secret, a JWT that does not verify).
pub const INVALID_CREDENTIALS: &str = "INVALID_CREDENTIALS";
/// 403: the key lacks the permission or scope the endpoint needs.
pub const NO_SCOPES_FOUND: &str = "NO_SCOPES_FOUND";
/// 403: the key was revoked.
pub const API_KEY_REVOKED: &str = "API_KEY_REVOKED";
/// 403: the key has used all its uses (`maxUses`).
pub const API_KEY_MAX_USES_REACHED: &str = "API_KEY_MAX_USES_REACHED";
/// 400: the key-pair headers are not strings.
pub const KEYS_MUST_BE_STRINGS: &str = "KEYS_MUST_BE_STRINGS";
/// 404: no such key.
pub const KEY_NOT_FOUND: &str = "KEY_NOT_FOUND";
/// 404: no such group.
pub const GROUP_NOT_FOUND: &str = "GROUP_NOT_FOUND";
/// 400: unpinning a CID the account has not pinned.
pub const CURRENT_USER_HAS_NOT_PINNED_CID: &str = "CURRENT_USER_HAS_NOT_PINNED_CID";
/// 404: nothing at that path or with that id.
pub const NOT_FOUND: &str = "NOT_FOUND";
/// 400: the request is malformed (the Pinning Service API's wording).
pub const BAD_REQUEST: &str = "BAD_REQUEST";
/// 401: no credentials (the Pinning Service API's wording).
pub const UNAUTHORIZED: &str = "UNAUTHORIZED";
/// 429: too many requests.
pub const RATE_LIMITED: &str = "RATE_LIMITED";
/// 500: the server failed.
pub const INTERNAL_SERVER_ERROR: &str = "INTERNAL_SERVER_ERROR";
/// The Pinning Service API's limit of pin requests was reached.
pub const PIN_REQUEST_LIMIT_REACHED: &str = "PIN_REQUEST_LIMIT_REACHED";
/// A refusal the server gives no reason for.
pub const UNKNOWN_REASON: &str = "UNKNOWN_REASON";

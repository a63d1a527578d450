//! The body of an API error answer, in whichever of the shapes Pinata uses
//! ([`ApiErrorBody`] and its decoding), and how much of a body an error keeps.

use serde::Deserialize;

/// How much of a response body an error keeps (the rest is dropped).
pub(super) const MAX_KEPT_BODY: usize = 64 * 1024;

/// The body of an API error response, in whichever of the shapes Pinata uses.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiErrorBody {
    /// `{"error":{"reason":"INVALID_CREDENTIALS","details":"…"}}` (legacy API: auth, unpin, PSA).
    Reason {
        /// The machine-readable reason, `UPPER_SNAKE_CASE`.
        reason: String,
        /// The human-readable details, if any.
        details: Option<String>,
    },
    /// `{"error":"…"}` (legacy pinning validation).
    Message(String),
    /// `{"error":{"code":401,"message":"…"}}` (v3 API).
    Coded {
        /// The code in the body (the HTTP status, as Pinata sends it).
        code: i64,
        /// The message.
        message: String,
    },
    /// Anything else: plain text, HTML, other JSON, or nothing. Kept as (lossy UTF-8) text.
    Text(String),
}

impl ApiErrorBody {
    /// Reads an error body in any of the shapes Pinata is known to send; falls back to text.
    pub fn parse(body: &[u8]) -> Self {
        #[derive(Deserialize)]
        struct Envelope {
            error: Inner,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Inner {
            Reason {
                reason: String,
                #[serde(default)]
                details: Option<serde_json::Value>,
            },
            Coded {
                code: i64,
                message: String,
            },
            Message(String),
        }
        match serde_json::from_slice::<Envelope>(body) {
            Ok(Envelope {
                error: Inner::Reason { reason, details },
            }) => ApiErrorBody::Reason {
                reason,
                details: details.map(|d| match d {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                }),
            },
            Ok(Envelope {
                error: Inner::Coded { code, message },
            }) => ApiErrorBody::Coded { code, message },
            Ok(Envelope {
                error: Inner::Message(m),
            }) => ApiErrorBody::Message(m),
            Err(_) => ApiErrorBody::Text(lossy_prefix(body).trim().to_owned()),
        }
    }
}

/// At most [`MAX_KEPT_BODY`] bytes of `body`, as lossy UTF-8.
pub(super) fn lossy_prefix(body: &[u8]) -> String {
    let cut = &body[..body.len().min(MAX_KEPT_BODY)];
    String::from_utf8_lossy(cut).into_owned()
}

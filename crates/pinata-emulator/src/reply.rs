//! Responses in Pinata's formats: JSON bodies, the error shapes of the legacy API, and the headers
//! the real service sends; and [`Closed`], the ending without one.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full};
use serde::Serialize;

/// What a request ends with instead of a [`Reply`]: the connection is to be closed without a
/// response (an injected fault).
#[derive(Debug)]
pub struct Closed;

impl std::fmt::Display for Closed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection closed by an injected fault")
    }
}

impl std::error::Error for Closed {}

/// The body of every response: bytes in memory, or a file streamed from disk.
pub type ReplyBody = UnsyncBoxBody<Bytes, std::io::Error>;

/// The response type of every handler.
pub type Reply = Response<ReplyBody>;

/// A body of bytes in memory.
pub fn full(bytes: Bytes) -> ReplyBody {
    Full::new(bytes)
        .map_err(|never| match never {})
        .boxed_unsync()
}

/// A JSON response with `status`.
pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Reply {
    let body = serde_json::to_vec(value).unwrap_or_else(|_| b"null".to_vec());
    with_body(status, "application/json; charset=utf-8", body)
}

/// A response with `status`, `content_type` and `body`.
pub fn with_body(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> Reply {
    let mut r = Response::new(full(Bytes::from(body)));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert("x-powered-by", HeaderValue::from_static("Express"));
    // The real API gives every response a 32-hex request id.
    if let Ok(id) = crate::ids::random_hex(32)
        && let Ok(value) = HeaderValue::from_str(&id)
    {
        h.insert("x-request-id", value);
    }
    r
}

/// A response with `status` and no body (TUS answers: 201, 204, `HEAD`'s 200), with the headers
/// every response has.
pub fn empty(status: StatusCode) -> Reply {
    let mut r = with_body(status, "text/plain", Vec::new());
    r.headers_mut().remove(header::CONTENT_TYPE);
    r
}

/// `{"error": …}`: every error body's outer shape.
#[derive(Serialize)]
struct ErrorEnvelope<T> {
    error: T,
}

/// The plain-text `OK` several endpoints answer with.
pub fn ok_text() -> Reply {
    with_body(StatusCode::OK, "text/plain; charset=utf-8", b"OK".to_vec())
}

/// `{"error":{"reason":…,"details":…}}`: the legacy structured error.
pub fn reason(status: StatusCode, reason: &str, details: &str) -> Reply {
    // Structs, not `json!`, so the keys keep the API's order (`reason` before `details`).
    #[derive(Serialize)]
    struct Inner<'a> {
        reason: &'a str,
        details: &'a str,
    }
    json(
        status,
        &ErrorEnvelope {
            error: Inner { reason, details },
        },
    )
}

/// `{"error":"…"}`: the legacy plain error of pinning validation.
pub fn message(status: StatusCode, message: &str) -> Reply {
    json(status, &ErrorEnvelope { error: message })
}

/// 401 `INVALID_CREDENTIALS` with `details`.
pub fn invalid_credentials(details: &str) -> Reply {
    reason(
        StatusCode::UNAUTHORIZED,
        pinata_core::api::reason::INVALID_CREDENTIALS,
        details,
    )
}

/// 403 `NO_SCOPES_FOUND`: a valid key without the permission an endpoint needs.
pub fn no_scopes() -> Reply {
    reason(
        StatusCode::FORBIDDEN,
        pinata_core::api::reason::NO_SCOPES_FOUND,
        "This key does not have the required scopes associated with it",
    )
}

/// 403 for a key that has used up its maximum number of uses.
///
/// The real answer has never been captured; this is the emulator's choice, in the style of
/// `API_KEY_REVOKED` (a 403 with a reason that says what happened).
pub fn max_uses_reached() -> Reply {
    reason(
        StatusCode::FORBIDDEN,
        pinata_core::api::reason::API_KEY_MAX_USES_REACHED,
        "This API Key has reached its maximum number of uses",
    )
}

/// 200 `{"data": …}`: the v3 API's answer shape.
pub fn data<T: Serialize>(value: T) -> Reply {
    #[derive(Serialize)]
    struct Data<T> {
        data: T,
    }
    json(StatusCode::OK, &Data { data: value })
}

/// `t` to the whole millisecond, as the API writes times (`…T23:33:27.665Z`): the core's answer
/// types write every digit a time holds, so a time put in one goes through here first.
pub fn to_millis(t: SystemTime) -> SystemTime {
    let since = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let millis = u64::try_from(since.as_millis()).unwrap_or(u64::MAX);
    UNIX_EPOCH + Duration::from_millis(millis)
}

/// `{"error":{"code":…,"message":…}}`: the v3 API's error shape.
pub fn coded(status: StatusCode, message: &str) -> Reply {
    #[derive(Serialize)]
    struct Inner<'a> {
        code: u16,
        message: &'a str,
    }
    json(
        status,
        &ErrorEnvelope {
            error: Inner {
                code: status.as_u16(),
                message,
            },
        },
    )
}

/// 404 for a path the API does not serve.
///
/// The real service answers unknown paths with Express's HTML page; the emulator's choice is a JSON
/// body in the legacy structured shape, so clients see a parseable error.
pub fn not_found(method: &str, path: &str) -> Reply {
    reason(
        StatusCode::NOT_FOUND,
        pinata_core::api::reason::NOT_FOUND,
        &format!("Cannot {method} {path}"),
    )
}

/// 500 for a failure inside the emulator (e.g. no randomness).
pub fn internal(details: &str) -> Reply {
    reason(
        StatusCode::INTERNAL_SERVER_ERROR,
        pinata_core::api::reason::INTERNAL_SERVER_ERROR,
        details,
    )
}

/// A file streamed from disk in 256 KiB reads.
pub fn file_body(file: tokio::fs::File) -> ReplyBody {
    use futures_util::stream;
    use tokio::io::AsyncReadExt;
    let frames = stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let mut buf = bytes::BytesMut::with_capacity(256 * 1024);
        match file.read_buf(&mut buf).await {
            Ok(0) => None,
            Ok(_) => Some((Ok(hyper::body::Frame::data(buf.freeze())), Some(file))),
            Err(e) => Some((Err(e), None)),
        }
    });
    http_body_util::StreamBody::new(frames).boxed_unsync()
}

/// `answer` with its full `Content-Length` but only the first half of its body, then an error that
/// makes the server drop the connection (an injected "body cut short").
pub async fn truncated(answer: Reply) -> Reply {
    let (mut parts, body) = answer.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    parts
        .headers
        .insert(http::header::CONTENT_LENGTH, bytes.len().into());
    let half = bytes.slice(..bytes.len() / 2);
    let frames = futures_util::stream::iter([
        Ok(hyper::body::Frame::data(half)),
        Err(std::io::Error::other("body cut short by an injected fault")),
    ]);
    Response::from_parts(
        parts,
        http_body_util::StreamBody::new(frames).boxed_unsync(),
    )
}

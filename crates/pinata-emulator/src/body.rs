//! Reading request bodies, the one place that does: a body read whole into memory up to a limit,
//! a refused one drained (so a client still sending sees the answer), and JSON parsed as the
//! real API's body parser (Express over Node's `JSON.parse`) parses it, with its error messages.
//! Uploads stream their bodies elsewhere (`api/receive.rs`, `api/tus.rs`) and drain through here.

use bytes::Bytes;
use http::StatusCode;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use serde_json::Value;

use crate::reply::{self, Reply};

/// The most of a body read for a caller whose credentials were refused: enough to tell a
/// malformed JSON body (400, which the real API answers before looking at credentials) in any
/// ordinary request, and little enough that unauthenticated callers cannot make the emulator hold
/// much. A longer body is answered as its credentials deserve without being parsed (emulator's
/// choice).
pub(crate) const UNAUTHENTICATED_BODY_LIMIT: usize = 64 * 1024;

/// The most of a refused body read and dropped before answering (64 MiB): past it the
/// connection is closed with the answer unsent or half-sent rather than the body read on.
pub(crate) const DRAIN_LIMIT: usize = 64 * 1024 * 1024;

/// A body a route takes whole, as read for it.
#[derive(Debug)]
pub(crate) struct Whole {
    /// Its bytes; `None` when the caller's credentials were refused and the body was longer than
    /// [`UNAUTHENTICATED_BODY_LIMIT`] (not read further).
    pub(crate) bytes: Option<Bytes>,
    /// The JSON it holds, for a route that takes JSON (`Value::Null` otherwise, or when not read).
    pub(crate) json: Value,
}

/// Reads the body of a route that takes it whole (every route but uploads, the gateway and the
/// control surface): at most `limit` bytes from a caller that `authenticated`, else at most
/// [`UNAUTHENTICATED_BODY_LIMIT`] (the prefix still tells a malformed JSON body, which the real
/// API refuses before it looks at credentials). `json`: the route's body is JSON, parsed here.
/// `Err` is the answer: 413 for a longer body, 400 for malformed JSON.
pub(crate) async fn read_whole(
    body: Incoming,
    limit: usize,
    authenticated: bool,
    json: bool,
) -> Result<Whole, Reply> {
    let limit = if authenticated {
        limit
    } else {
        UNAUTHENTICATED_BODY_LIMIT
    };
    let bytes = match (read(body, limit).await, authenticated) {
        (Ok(body), _) => Some(body),
        (Err(_), true) => {
            return Err(reply::message(
                StatusCode::PAYLOAD_TOO_LARGE,
                "request entity too large",
            ));
        }
        // Not read further (see UNAUTHENTICATED_BODY_LIMIT): the prefix still tells a malformed
        // body, which the real API refuses before it looks at credentials.
        (Err(prefix), false) => {
            if json
                && let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(&prefix)
                && !e.is_eof()
            {
                return Err(reply::reason(
                    StatusCode::BAD_REQUEST,
                    pinata_core::api::reason::UNKNOWN_REASON,
                    &js_parse_error(&prefix, &e),
                ));
            }
            None
        }
    };
    let json = match (json, &bytes) {
        (true, Some(bytes)) => parse_json(bytes)?,
        _ => Value::Null,
    };
    Ok(Whole { bytes, json })
}

/// Reads a body up to `limit` bytes: `Ok` with all of it, or `Err` with the first `limit` bytes
/// when it is longer (or broke off).
pub(crate) async fn read(mut body: Incoming, limit: usize) -> Result<Bytes, Bytes> {
    let mut kept: Vec<u8> = Vec::new();
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return Err(kept.into());
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        let room = limit - kept.len();
        if data.len() > room {
            kept.extend_from_slice(&data[..room]);
            return Err(kept.into());
        }
        kept.extend_from_slice(&data);
    }
    Ok(kept.into())
}

/// Reads and discards (up to [`DRAIN_LIMIT`] of) a refused upload before answering, so a client
/// that is still sending sees the answer rather than a reset connection.
pub(crate) async fn drain(mut body: Incoming, answer: Reply) -> Reply {
    let mut left: usize = DRAIN_LIMIT;
    while let Some(Ok(frame)) = body.frame().await {
        let n = frame.data_ref().map_or(0, |d| d.len());
        match left.checked_sub(n) {
            Some(l) => left = l,
            None => break,
        }
    }
    answer
}

/// Reads the body to its end (at most [`DRAIN_LIMIT`], as a drain): whether it held no byte.
pub(crate) async fn is_empty(mut body: Incoming) -> bool {
    let mut seen: usize = 0;
    while let Some(Ok(frame)) = body.frame().await {
        seen = seen.saturating_add(frame.data_ref().map_or(0, |d| d.len()));
        if seen > DRAIN_LIMIT {
            break;
        }
    }
    seen == 0
}

/// Parses a JSON body the way the API's body parser does: malformed JSON is a 400 before anything
/// else is looked at.
fn parse_json(body: &Bytes) -> Result<Value, Reply> {
    serde_json::from_slice(body).map_err(|e| {
        reply::reason(
            StatusCode::BAD_REQUEST,
            pinata_core::api::reason::UNKNOWN_REASON,
            &js_parse_error(body, &e),
        )
    })
}

/// The message Node's `JSON.parse` (behind Express's body parser) gives for `body`:
/// `Unexpected token o in JSON at position 1`, or `Unexpected end of JSON input`.
fn js_parse_error(body: &[u8], e: &serde_json::Error) -> String {
    if e.is_eof() {
        return "Unexpected end of JSON input".to_owned();
    }
    // serde_json reports 1-based line and column (in bytes, pointing at or just past the culprit).
    let line_start: usize = body
        .split(|b| *b == b'\n')
        .take(e.line().saturating_sub(1))
        .map(|l| l.len() + 1)
        .sum();
    let mut at = (line_start + e.column().saturating_sub(1)).min(body.len().saturating_sub(1));
    // Step back over whitespace serde may have consumed, to the offending character.
    while at > 0 && body.get(at).is_some_and(|b| b.is_ascii_whitespace()) {
        at -= 1;
    }
    let text = String::from_utf8_lossy(body);
    let position = String::from_utf8_lossy(&body[..at]).chars().count();
    match text.chars().nth(position) {
        Some(c) => format!("Unexpected token {c} in JSON at position {position}"),
        None => "Unexpected end of JSON input".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_errors_read_like_node() {
        let msg = |body: &str| {
            let e = serde_json::from_slice::<serde_json::Value>(body.as_bytes()).unwrap_err();
            js_parse_error(body.as_bytes(), &e)
        };
        assert_eq!(msg("not json"), "Unexpected token o in JSON at position 1");
        assert_eq!(msg("-"), "Unexpected end of JSON input");
        assert_eq!(
            msg("{\"a\":1,}"),
            "Unexpected token } in JSON at position 7"
        );
        assert_eq!(
            msg("{\n  \"a\": x}"),
            "Unexpected token x in JSON at position 9"
        );
        assert_eq!(msg(""), "Unexpected end of JSON input");
    }
}

//! The emulator's own control endpoints (`/emulator/faults`, `/emulator/rate_limit`, admin only)
//! and the answers faults and rate limits give.

use std::time::SystemTime;

use http::{Method, StatusCode};
use hyper::body::Incoming;
use pinata_core::server::Query;

use crate::faults::{FaultRule, RateLimitRule, RateVerdict};
use crate::reply::{self, Reply};
use crate::router::{MAX_JSON_BODY, Route};
use crate::routes::{Caller, read_body};
use crate::state::State;

/// The answer for an injected status fault.
pub(crate) fn fault_status(status: u16, retry_after: Option<u64>) -> Reply {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match status {
        StatusCode::TOO_MANY_REQUESTS => {
            let wait = retry_after.unwrap_or(1);
            let mut r = rate_limited(RateVerdict::Limited {
                limit: 0,
                reset: 0,
                retry_after: wait,
            });
            r.headers_mut().remove("x-ratelimit-limit");
            r.headers_mut().remove("x-ratelimit-reset");
            r
        }
        s if s.is_server_error() && s != StatusCode::INTERNAL_SERVER_ERROR => reply::with_body(
            s,
            "text/html; charset=utf-8",
            format!("<html><body><h1>{s}</h1></body></html>\n").into_bytes(),
        ),
        s => reply::reason(s, "INTERNAL_SERVER_ERROR", "An injected fault"),
    }
}

/// 429 with `Retry-After` and the rate-limit headers. The real body was never captured (135 bytes
/// of JSON, per the one observation); this one is the emulator's choice.
pub(crate) fn rate_limited(verdict: RateVerdict) -> Reply {
    let wait = match verdict {
        RateVerdict::Limited { retry_after, .. } => retry_after,
        _ => 1,
    };
    let r = reply::reason(
        StatusCode::TOO_MANY_REQUESTS,
        "RATE_LIMITED",
        &format!("Rate limit exceeded. Please wait {wait} seconds and try again"),
    );
    with_rate_headers(r, verdict)
}

/// Adds `X-RateLimit-*` (and `Retry-After` when limited) to `reply`.
pub(crate) fn with_rate_headers(mut r: Reply, verdict: RateVerdict) -> Reply {
    let h = r.headers_mut();
    match verdict {
        RateVerdict::Unlimited => {}
        RateVerdict::Allowed {
            limit,
            remaining,
            reset,
        } => {
            h.insert("x-ratelimit-limit", limit.into());
            h.insert("x-ratelimit-remaining", remaining.into());
            h.insert("x-ratelimit-reset", reset.into());
        }
        RateVerdict::Limited {
            limit,
            reset,
            retry_after,
        } => {
            h.insert("x-ratelimit-limit", limit.into());
            h.insert("x-ratelimit-remaining", 0.into());
            h.insert("x-ratelimit-reset", reset.into());
            h.insert(http::header::RETRY_AFTER, retry_after.into());
        }
    }
    r
}

/// `/emulator/faults` and `/emulator/rate_limit`: admin only.
pub(crate) async fn control(
    state: &State,
    route: &Route,
    parts: http::request::Parts,
    body: Incoming,
    caller: Caller<'_>,
    now: SystemTime,
) -> Reply {
    let caller = match caller {
        Ok(r) => r,
        Err(refusal) => return refusal,
    };
    if !route.requirement().is_met_by(&caller.permissions) {
        return reply::no_scopes();
    }
    let Ok(body) = read_body(body, MAX_JSON_BODY).await else {
        return reply::message(StatusCode::PAYLOAD_TOO_LARGE, "request entity too large");
    };
    let key = Query::parse(parts.uri.query().unwrap_or(""))
        .into_iter()
        .find(|(k, _)| k == "key")
        .map(|(_, v)| v);
    let ok = || reply::json(StatusCode::OK, &serde_json::json!({"ok": true}));
    let invalid = |what: &str, e: &dyn std::fmt::Display| {
        reply::message(StatusCode::BAD_REQUEST, &format!("invalid {what}: {e}"))
    };
    match (route, &parts.method) {
        (Route::Faults, &Method::POST) => match serde_json::from_slice::<FaultRule>(&body)
            .map_err(|e| e.to_string())
            .and_then(|rule| rule.validate().map(|()| rule))
            .and_then(|rule| rule.fits_idle_timeout(state.idle_timeout).map(|()| rule))
            .and_then(|rule| state.faults.add(rule))
        {
            Ok(()) => ok(),
            Err(e) => invalid("fault rule", &e),
        },
        (Route::Faults, &Method::GET) => reply::json(
            StatusCode::OK,
            &serde_json::json!({ "requests": state.faults.seen() }),
        ),
        (Route::RateLimit, &Method::PUT) => match serde_json::from_slice::<RateLimitRule>(&body)
            .map_err(|e| e.to_string())
            .and_then(|rule| rule.validate().map(|()| rule))
        {
            Ok(rule) => {
                state.faults.set_rate_limit(rule, now);
                ok()
            }
            Err(e) => invalid("rate limit", &e),
        },
        _ => {
            state.faults.clear(key.as_deref());
            ok()
        }
    }
}

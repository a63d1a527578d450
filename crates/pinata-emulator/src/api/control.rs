//! The emulator's own control surface, under `/emulator/`, and the answers faults and rate limits
//! give:
//!
//! - `GET /emulator/health` (no credentials): 200 `{"status":"ok","version":"<crate version>"}`;
//! - `POST /emulator/reset`: back to the state at start-up (see `State::reset`), 200
//!   `{"reset":true}`;
//! - `GET /emulator/requests?method&path&key&status&since&limit`: the journal,
//!   `{"requests":[{"method","path","key","status","time","duration_ms"}…],"dropped":N}`;
//!   `DELETE /emulator/requests` empties it;
//! - `POST /emulator/faults` (a rule), `GET /emulator/faults` (requests seen per key),
//!   `DELETE /emulator/faults[?key=K]` (the rules; rate limits stay);
//! - `PUT /emulator/rate_limit` (a limit), `DELETE /emulator/rate_limit[?key=K]` (the limits;
//!   fault rules stay).
//!
//! All but the health check take an admin key. None is faulted, rate-limited or journaled.

use std::time::SystemTime;

use http::{Method, StatusCode};
use hyper::body::Incoming;
use pinata_core::server::Query;

use crate::authn::Caller;
use crate::body;
use crate::faults::{FaultRule, RateLimitRule, RateVerdict};
use crate::journal::JournalFilter;
use crate::reply::{self, Reply};
use crate::router::{MAX_JSON_BODY, Route};
use crate::state::State;

/// The `key` a clear is scoped to, if the query names one.
fn key(query: &str) -> Option<String> {
    Query::parse(query)
        .into_iter()
        .find(|(k, _)| k == "key")
        .map(|(_, v)| v)
}

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
        s => reply::reason(
            s,
            pinata_core::api::reason::INTERNAL_SERVER_ERROR,
            "An injected fault",
        ),
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
        pinata_core::api::reason::RATE_LIMITED,
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

/// `GET /emulator/health`, for anyone: 200 `{"status":"ok","version":…}`, or once a write to the
/// database failed (see [`crate::db`]) 503 `{"status":"failing","version":…,"error":…}`.
pub(crate) fn health(state: &State) -> Reply {
    #[derive(serde::Serialize)]
    struct Health {
        status: &'static str,
        version: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    }
    let error = state.db.failure();
    let (status, text) = match error {
        None => (StatusCode::OK, "ok"),
        Some(_) => (StatusCode::SERVICE_UNAVAILABLE, "failing"),
    };
    reply::json(
        status,
        &Health {
            status: text,
            version: crate::VERSION,
            error,
        },
    )
}

/// The admin-only control endpoints: `/emulator/reset`, `/emulator/requests`, `/emulator/faults`
/// and `/emulator/rate_limit`.
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
    let Ok(body) = body::read(body, MAX_JSON_BODY).await else {
        return reply::message(StatusCode::PAYLOAD_TOO_LARGE, "request entity too large");
    };
    let ok = || reply::json(StatusCode::OK, &serde_json::json!({"ok": true}));
    let invalid = |what: &str, e: &dyn std::fmt::Display| {
        reply::message(StatusCode::BAD_REQUEST, &format!("invalid {what}: {e}"))
    };
    let query = parts.uri.query().unwrap_or("");
    match (route, &parts.method) {
        (Route::Faults, &Method::POST) => {
            let added = FaultRule::from_json(&body)
                .and_then(|rule| state.add_fault(rule).map_err(|e| e.to_string()));
            match added {
                Ok(()) => ok(),
                Err(e) => invalid("fault rule", &e),
            }
        }
        (Route::Faults, &Method::GET) => reply::json(
            StatusCode::OK,
            &serde_json::json!({ "requests": state.faults.seen() }),
        ),
        (Route::Faults, _) => {
            state.faults.clear_rules(key(query).as_deref());
            ok()
        }
        (Route::RateLimit, &Method::PUT) => match RateLimitRule::from_json(&body) {
            Ok(rule) => {
                state.faults.set_rate_limit(rule, now);
                ok()
            }
            Err(e) => invalid("rate limit", &e),
        },
        (Route::RateLimit, _) => {
            state.faults.clear_limits(key(query).as_deref());
            ok()
        }
        (Route::Reset, _) => match state.reset() {
            Ok(()) => reply::json(StatusCode::OK, &serde_json::json!({"reset": true})),
            Err(e) => reply::internal(&format!("the content could not be removed: {e}")),
        },
        (Route::Requests, &Method::GET) => match JournalFilter::parse(query) {
            Ok(filter) => {
                let (requests, dropped) = state.journal.find(&filter);
                reply::json(
                    StatusCode::OK,
                    &serde_json::json!({ "requests": requests, "dropped": dropped }),
                )
            }
            Err(e) => invalid("filter", &e),
        },
        (Route::Requests, _) => {
            state.journal.clear();
            ok()
        }
        _ => reply::internal("unrouted control request"),
    }
}

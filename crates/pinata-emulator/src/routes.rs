//! Routing and the endpoint handlers.
//!
//! Every request goes through the same steps, in the real API's order (`pinata-api.md` §1.4): parse
//! the JSON body → authenticate (and hold one use of the key) → check the route's [`Requirement`] →
//! validate → act. A call that ends in 2xx commits the use; anything else gives it back.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use pinata_core::api::keys::{EndpointPermission, Permissions, ResourceScope};
use pinata_core::server::Query;
use serde::Serialize;

use crate::access::{Requirement, may_manage};
use crate::authn::authenticate;
use crate::faults::{Fault, FaultRule, RateLimitRule, RateVerdict};
use crate::keys::{KeyRecord, NewKey, StoreError};
use crate::pinning;
use crate::reply::{self, Reply};
use crate::state::State;
use crate::token::{self, Claims};
use pinata_core::time::format_iso8601 as iso8601;

/// Largest JSON body accepted by the JSON endpoints.
const MAX_JSON_BODY: usize = 1024 * 1024;

/// The longest key name accepted (emulator's choice: every key is kept in memory).
const MAX_KEY_NAME: usize = 256;

/// Which generation of the key paths a request came in on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyPaths {
    /// `/users/*`.
    Legacy,
    /// `/v3/pinata/keys` (the SDKs) or `/v3/api_keys` (the 2025 docs).
    V3,
}

/// The endpoints the emulator serves.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Route {
    TestAuthentication,
    CreateKey(KeyPaths),
    ListKeys(KeyPaths),
    RevokeKeyInBody,
    RevokeKeyInPath(String),
    PinFile,
    PinJson,
    PinByHash,
    PinJobs,
    HashMetadata,
    Unpin(String),
    PinList,
    Usage,
    /// `/ipfs/{cid}[/path]`, with what follows `/ipfs/`.
    Gateway(String),
    /// `/emulator/faults` (POST a rule, GET counters, DELETE to clear): the emulator's own control
    /// endpoint, admin only.
    Faults,
    /// `/emulator/rate_limit` (PUT a limit, DELETE to clear), admin only.
    RateLimit,
}

impl Route {
    fn find(method: &Method, path: &str) -> Option<Route> {
        // Express's defaults: routes match case-insensitively, with or without one trailing slash.
        let trimmed = match path.strip_suffix('/') {
            Some(p) if !p.is_empty() => p,
            _ => path,
        };
        let lower = trimmed.to_ascii_lowercase();
        // Path parameters (a key) keep their case: take them from the original at the same offset.
        let original = |lowered_rest: &str| &trimmed[trimmed.len() - lowered_rest.len()..];
        let path = lower.as_str();
        // Clients configured with a `…/v3` base (the official `pinata` SDK's `endpointUrl`) send the
        // legacy `/data/*` paths under `/v3`; accept both.
        let path = match path.strip_prefix("/v3") {
            Some(rest) if rest.starts_with("/data/") => rest,
            _ => path,
        };
        let v3_key = path
            .strip_prefix("/v3/pinata/keys/")
            .map(|k| (Method::PUT, k))
            .or_else(|| {
                path.strip_prefix("/v3/api_keys/")
                    .map(|k| (Method::DELETE, k))
            });
        if let Some(rest) = path.strip_prefix("/ipfs/") {
            return (*method == Method::GET && !rest.is_empty())
                .then(|| Route::Gateway(original(rest).to_owned()));
        }
        if let Some(cid) = path.strip_prefix("/pinning/unpin/") {
            return (*method == Method::DELETE && !cid.is_empty() && !cid.contains('/'))
                .then(|| Route::Unpin(percent_decode(original(cid))));
        }
        if let Some((revoke_method, key)) = v3_key {
            return (*method == revoke_method && !key.is_empty() && !key.contains('/'))
                .then(|| Route::RevokeKeyInPath(percent_decode(original(key))));
        }
        match (method, path) {
            (&Method::GET, "/data/testauthentication") => Some(Route::TestAuthentication),
            (&Method::POST, "/users/generateapikey") => Some(Route::CreateKey(KeyPaths::Legacy)),
            (&Method::GET, "/users/apikeys") => Some(Route::ListKeys(KeyPaths::Legacy)),
            (&Method::PUT, "/users/revokeapikey") => Some(Route::RevokeKeyInBody),
            (&Method::POST, "/v3/pinata/keys" | "/v3/api_keys") => {
                Some(Route::CreateKey(KeyPaths::V3))
            }
            (&Method::GET, "/v3/pinata/keys" | "/v3/api_keys") => {
                Some(Route::ListKeys(KeyPaths::V3))
            }
            (&Method::POST, "/pinning/pinfiletoipfs") => Some(Route::PinFile),
            (&Method::POST, "/pinning/pinjsontoipfs") => Some(Route::PinJson),
            (&Method::POST, "/pinning/pinbyhash") => Some(Route::PinByHash),
            (&Method::GET, "/pinning/pinjobs") => Some(Route::PinJobs),
            (&Method::PUT, "/pinning/hashmetadata") => Some(Route::HashMetadata),
            (&Method::GET, "/data/pinlist") => Some(Route::PinList),
            (&Method::GET, "/data/userpinneddatatotal") => Some(Route::Usage),
            (&Method::POST | &Method::GET | &Method::DELETE, "/emulator/faults") => {
                Some(Route::Faults)
            }
            (&Method::PUT | &Method::DELETE, "/emulator/rate_limit") => Some(Route::RateLimit),
            _ => None,
        }
    }

    /// The permission table: what the calling key must hold.
    fn requirement(&self) -> Requirement {
        match self {
            Route::TestAuthentication => Requirement::Authenticated,
            Route::CreateKey(KeyPaths::Legacy)
            | Route::ListKeys(KeyPaths::Legacy)
            | Route::RevokeKeyInBody => Requirement::Admin,
            // The v3 spec annotates key management with `org:write` (listing: the read scope,
            // which `org:write` implies) — an inference from the spec's scope annotations.
            Route::ListKeys(KeyPaths::V3) => Requirement::AdminOrResource(ResourceScope::OrgRead),
            Route::CreateKey(KeyPaths::V3) | Route::RevokeKeyInPath(_) => {
                Requirement::AdminOrResource(ResourceScope::OrgWrite)
            }
            Route::PinFile => Requirement::Endpoint(EndpointPermission::PinFileToIpfs),
            Route::PinJson => Requirement::Endpoint(EndpointPermission::PinJsonToIpfs),
            Route::PinByHash => Requirement::Endpoint(EndpointPermission::PinByHash),
            Route::PinJobs => Requirement::Endpoint(EndpointPermission::PinJobs),
            Route::HashMetadata => Requirement::Endpoint(EndpointPermission::HashMetadata),
            Route::Unpin(_) => Requirement::Endpoint(EndpointPermission::Unpin),
            Route::PinList => Requirement::Endpoint(EndpointPermission::PinList),
            Route::Usage => Requirement::Endpoint(EndpointPermission::UserPinnedDataTotal),
            // The gateway is public: it is not an API endpoint and takes no credentials.
            Route::Gateway(_) => Requirement::Authenticated,
            Route::Faults | Route::RateLimit => Requirement::Admin,
        }
    }

    /// v3 endpoints are documented with Bearer authentication only.
    fn is_v3(&self) -> bool {
        matches!(
            self,
            Route::CreateKey(KeyPaths::V3)
                | Route::ListKeys(KeyPaths::V3)
                | Route::RevokeKeyInPath(_)
        )
    }

    fn takes_json(&self) -> bool {
        matches!(
            self,
            Route::CreateKey(_)
                | Route::RevokeKeyInBody
                | Route::PinJson
                | Route::PinByHash
                | Route::HashMetadata
        )
    }

    /// The largest body the route reads into memory.
    fn body_limit(&self) -> usize {
        match self {
            Route::PinJson => pinata_core::api::pinning::MAX_JSON_BODY + 64 * 1024,
            _ => MAX_JSON_BODY,
        }
    }
}

/// The connection is to be closed without a response (an injected fault).
#[derive(Debug)]
pub struct Closed;

impl std::fmt::Display for Closed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection closed by an injected fault")
    }
}

impl std::error::Error for Closed {}

/// Answers one request, or closes the connection (`Err`) when a fault says so.
///
/// The credentials are checked from the headers before anything else is read or counted: faults,
/// rate limits and the per-key counters apply to the key that *authenticated*, never to one a
/// request merely claims, and no more of a refused caller's body is kept than
/// [`UNAUTHENTICATED_BODY_LIMIT`] (a refused upload is drained, never kept, up to 64 MiB, so that a
/// client still sending sees the answer). The answer keeps the real API's order of outcomes (a
/// malformed JSON body is a 400 even with bad credentials) as far as that prefix tells.
pub async fn handle(state: &State, request: Request<Incoming>) -> Result<Reply, Closed> {
    let (parts, body) = request.into_parts();
    let Some(route) = Route::find(&parts.method, parts.uri.path()) else {
        return Ok(reply::not_found(parts.method.as_str(), parts.uri.path()));
    };
    if let Route::Gateway(rest) = &route {
        return Ok(pinning::gateway(state, rest).await);
    }
    let now = SystemTime::now();
    let caller = if route.is_v3() && !parts.headers.contains_key(http::header::AUTHORIZATION) {
        // v3 endpoints take Bearer authentication only (the key pair is not looked at).
        Err(reply::coded(
            StatusCode::UNAUTHORIZED,
            "no Authorization header found",
        ))
    } else {
        authenticate(&parts.headers, &state.keys, &state.jwt_secret, now)
    };
    let key = caller.as_ref().ok().map(|r| r.key().to_owned());
    if matches!(route, Route::Faults | Route::RateLimit) {
        return Ok(control(state, &route, parts, body, caller, now).await);
    }
    state.faults.record(key.as_deref());
    // Faults and limits are for authenticated callers only: an anonymous or forged request can
    // neither spend a key's limit nor a rule meant for the next real call (emulator's choice; a
    // refused caller gets its refusal).
    let Some(key) = key else {
        return answer(state, &route, parts, body, caller, now, None).await;
    };
    let key = Some(key.as_str());
    let rate = state.faults.rate(key, now);
    if let RateVerdict::Limited { .. } = rate {
        return Ok(with_rate_headers(
            drain(body, rate_limited(rate)).await,
            rate,
        ));
    }
    let mut stall = None;
    let mut truncate = false;
    match state.faults.take(key) {
        Some(Fault::Status {
            status,
            retry_after,
        }) => {
            return Ok(drain(body, fault_status(status, retry_after)).await);
        }
        Some(Fault::SlowHeaders { ms }) => tokio::time::sleep(Duration::from_millis(ms)).await,
        Some(Fault::Close) => return Err(Closed),
        Some(Fault::TruncateBody) => truncate = true,
        Some(Fault::StallUpload { ms, after_bytes }) => {
            stall = Some((after_bytes, Duration::from_millis(ms)));
        }
        None => {}
    }
    let answer = answer(state, &route, parts, body, caller, now, stall).await?;
    let answer = with_rate_headers(answer, rate);
    Ok(if truncate {
        reply::truncated(answer).await
    } else {
        answer
    })
}

/// The route's own answer, once faults and limits have had their say.
async fn answer(
    state: &State,
    route: &Route,
    parts: http::request::Parts,
    body: Incoming,
    caller: Caller<'_>,
    now: SystemTime,
    stall: Option<(u64, Duration)>,
) -> Result<Reply, Closed> {
    if *route == Route::PinFile {
        upload(state, route, parts, body, caller, now, stall).await
    } else {
        Ok(respond(state, route.clone(), parts, body, caller, now).await)
    }
}

/// The most of a body read for a caller whose credentials were refused: enough to tell a
/// malformed JSON body (400, which the real API answers before looking at credentials) in any
/// ordinary request, and little enough that unauthenticated callers cannot make the emulator hold
/// much. A longer body is answered as its credentials deserve without being parsed (emulator's
/// choice).
const UNAUTHENTICATED_BODY_LIMIT: usize = 64 * 1024;

/// The result of authenticating a request: the held use of its key, or the refusal to send.
type Caller<'s> = Result<crate::keys::UseReservation<'s>, Reply>;

/// `POST /pinning/pinFileToIPFS`: the caller is checked before the body is read (it is streamed
/// to disk).
async fn upload(
    state: &State,
    route: &Route,
    parts: http::request::Parts,
    body: Incoming,
    caller: Caller<'_>,
    now: SystemTime,
    stall: Option<(u64, Duration)>,
) -> Result<Reply, Closed> {
    let reservation = match caller {
        Ok(r) => r,
        Err(refusal) => return Ok(drain(body, refusal).await),
    };
    if !route.requirement().is_met_by(&reservation.permissions) {
        return Ok(drain(body, reply::no_scopes()).await);
    }
    let answer = pinning::pin_file(state, &parts.headers, body, now, stall).await?;
    if answer.status().is_success() {
        reservation.commit();
    }
    Ok(answer)
}

/// Reads a body up to `limit` bytes: `Ok` with all of it, or `Err` with the first `limit` bytes
/// when it is longer (or broke off).
async fn read_body(mut body: Incoming, limit: usize) -> Result<Bytes, Bytes> {
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

/// The answer for an injected status fault.
fn fault_status(status: u16, retry_after: Option<u64>) -> Reply {
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
fn rate_limited(verdict: RateVerdict) -> Reply {
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
fn with_rate_headers(mut r: Reply, verdict: RateVerdict) -> Reply {
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
async fn control(
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

/// Everything but uploads, the gateway and the control endpoints.
async fn respond(
    state: &State,
    route: Route,
    parts: http::request::Parts,
    body: Incoming,
    caller: Caller<'_>,
    now: SystemTime,
) -> Reply {
    let limit = match &caller {
        Ok(_) => route.body_limit(),
        Err(_) => UNAUTHENTICATED_BODY_LIMIT,
    };
    let body = match (read_body(body, limit).await, &caller) {
        (Ok(body), _) => Some(body),
        (Err(_), Ok(_)) => {
            return reply::message(StatusCode::PAYLOAD_TOO_LARGE, "request entity too large");
        }
        // Not read further (see UNAUTHENTICATED_BODY_LIMIT): the prefix still tells a malformed
        // body, which the real API refuses before it looks at credentials.
        (Err(prefix), Err(_)) => {
            if route.takes_json()
                && let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(&prefix)
                && !e.is_eof()
            {
                return reply::reason(
                    StatusCode::BAD_REQUEST,
                    "UNKNOWN_REASON",
                    &js_parse_error(&prefix, &e),
                );
            }
            None
        }
    };
    let json = if let (true, Some(body)) = (route.takes_json(), &body) {
        match parse_json(body) {
            Ok(v) => v,
            Err(r) => return r,
        }
    } else {
        serde_json::Value::Null
    };
    let reservation = match caller {
        Ok(r) => r,
        Err(refusal) => return refusal,
    };
    if !route.requirement().is_met_by(&reservation.permissions) {
        return reply::no_scopes();
    }
    let permissions = &reservation.permissions;
    let answer = match &route {
        Route::TestAuthentication => reply::json(
            StatusCode::OK,
            &serde_json::json!({
                "message": "Congratulations! You are communicating with the Pinata API!"
            }),
        ),
        Route::CreateKey(_) => create_key(state, &reservation, &json, now),
        Route::ListKeys(_) => list_keys(state, parts.uri.query().unwrap_or("")),
        Route::RevokeKeyInBody => match json.get("apiKey").and_then(|k| k.as_str()) {
            Some(key) => revoke_key(state, permissions, key),
            None => reply::message(StatusCode::BAD_REQUEST, "apiKey is required"),
        },
        Route::RevokeKeyInPath(key) => revoke_key(state, permissions, key),
        Route::PinJson => pinning::pin_json(state, body.as_ref().unwrap_or(&Bytes::new()), now),
        other => {
            pinning::advance_jobs(state, now);
            match other {
                Route::PinByHash => pinning::pin_by_hash(state, &json, now),
                Route::PinJobs => pinning::pin_jobs(state, parts.uri.query().unwrap_or("")),
                Route::HashMetadata => pinning::hash_metadata(state, &json),
                Route::Unpin(cid) => pinning::unpin(state, cid, now),
                Route::PinList => pinning::pin_list(state, parts.uri.query().unwrap_or("")),
                Route::Usage => pinning::usage(state),
                // Handled above.
                _ => reply::internal("unrouted request"),
            }
        }
    };
    if answer.status().is_success() {
        reservation.commit();
    }
    answer
}

/// Reads and discards (up to 64 MiB of) a refused upload before answering, so a client that is
/// still sending sees the answer rather than a reset connection.
async fn drain(mut body: Incoming, answer: Reply) -> Reply {
    let mut left: usize = 64 * 1024 * 1024;
    while let Some(Ok(frame)) = body.frame().await {
        let n = frame.data_ref().map_or(0, |d| d.len());
        match left.checked_sub(n) {
            Some(l) => left = l,
            None => break,
        }
    }
    answer
}

/// Parses a JSON body the way the API's body parser does: malformed JSON is a 400 before anything
/// else is looked at.
fn parse_json(body: &Bytes) -> Result<serde_json::Value, Reply> {
    serde_json::from_slice(body).map_err(|e| {
        reply::reason(
            StatusCode::BAD_REQUEST,
            "UNKNOWN_REASON",
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

/// The key-creation body, validated. Validation messages are the emulator's choice (the real ones
/// were never captured), in the legacy `{"error":"…"}` shape of the API's other validation errors.
pub(crate) fn parse_new_key(json: &serde_json::Value) -> Result<NewKey, String> {
    let name = match json.get("keyName") {
        Some(serde_json::Value::String(s)) if s.chars().count() > MAX_KEY_NAME => {
            return Err(format!("keyName must be at most {MAX_KEY_NAME} characters"));
        }
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => s.clone(),
        _ => return Err("keyName is required".into()),
    };
    let permissions = json
        .get("permissions")
        .ok_or_else(|| "permissions are required".to_owned())
        .and_then(|p| Permissions::from_request_json(p).map_err(|e| e.to_string()))?;
    permissions.validate().map_err(|e| e.to_string())?;
    let max_uses = match json.get("maxUses") {
        None | Some(serde_json::Value::Null) => None,
        Some(v) => match v.as_u64() {
            Some(n) if n >= 1 => Some(n),
            _ => return Err("maxUses must be a whole number of at least 1".into()),
        },
    };
    Ok(NewKey {
        name,
        permissions,
        max_uses,
    })
}

fn create_key(
    state: &State,
    caller: &crate::keys::UseReservation<'_>,
    json: &serde_json::Value,
    now: SystemTime,
) -> Reply {
    let new = match parse_new_key(json) {
        Ok(n) => n,
        Err(e) => return reply::message(StatusCode::BAD_REQUEST, &e),
    };
    if !may_manage(&caller.permissions, &new.permissions) {
        return cannot_manage();
    }
    // A key with limited uses cannot mint a key with more uses than it has left after this call
    // (least privilege; the real service's rule is not documented: emulator's choice).
    if let Some(holder) = state.keys.get(caller.key())
        && let Some(max) = holder.max_uses
    {
        let left = max.saturating_sub(holder.uses.saturating_add(1));
        if new.max_uses.is_none_or(|n| n > left) {
            return cannot_manage();
        }
    }
    let record = match state.keys.create(new) {
        Ok(r) => r,
        Err(e @ StoreError::Full) => {
            return reply::message(StatusCode::BAD_REQUEST, &e.to_string());
        }
        Err(e) => return reply::internal(&e.to_string()),
    };
    #[derive(Serialize)]
    struct Created<'a> {
        pinata_api_key: &'a str,
        pinata_api_secret: &'a str,
        #[serde(rename = "JWT")]
        jwt: String,
    }
    reply::json(
        StatusCode::OK,
        &Created {
            pinata_api_key: &record.key,
            pinata_api_secret: record.secret.expose_secret(),
            jwt: state.mint(&record.key, record.secret.expose_secret(), now),
        },
    )
}

/// The listing filters (`pinata-api.md` §2.4): `name` (case-insensitive substring), `revoked`,
/// `limitedUse`, `exhausted` (only together with `limitedUse=true`) and `offset`.
#[derive(Debug, Default)]
struct KeyFilter {
    name: Option<String>,
    revoked: Option<bool>,
    limited_use: Option<bool>,
    exhausted: Option<bool>,
    offset: usize,
}

fn parse_key_filter(query: &str) -> Result<KeyFilter, String> {
    let mut f = KeyFilter::default();
    let boolean = |name: &str, v: &str| match v {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!("{name} must be true or false")),
    };
    for (name, value) in Query::parse(query) {
        match name.as_str() {
            "name" => f.name = Some(value.to_lowercase()),
            "revoked" => f.revoked = Some(boolean(&name, &value)?),
            "limitedUse" => f.limited_use = Some(boolean(&name, &value)?),
            "exhausted" => f.exhausted = Some(boolean(&name, &value)?),
            "offset" => {
                f.offset = value
                    .parse()
                    .map_err(|_| "offset must be a whole number".to_owned())?
            }
            _ => {}
        }
    }
    Ok(f)
}

impl KeyFilter {
    fn keeps(&self, r: &KeyRecord) -> bool {
        self.name
            .as_ref()
            .is_none_or(|n| r.name.to_lowercase().contains(n))
            && self.revoked.is_none_or(|v| r.revoked == v)
            && self.limited_use.is_none_or(|v| r.max_uses.is_some() == v)
            && (self.limited_use != Some(true)
                || self.exhausted.is_none_or(|v| r.is_exhausted() == v))
    }
}

fn list_keys(state: &State, query: &str) -> Reply {
    let filter = match parse_key_filter(query) {
        Ok(f) => f,
        Err(e) => return reply::message(StatusCode::BAD_REQUEST, &e),
    };
    let matching = state.keys.list(|r| filter.keeps(r));
    let page: Vec<ListedKey> = matching
        .iter()
        .skip(filter.offset)
        .take(state.key_page_size)
        .map(|r| ListedKey::new(r, &state.user_id))
        .collect();
    #[derive(Serialize)]
    struct Page<'a> {
        keys: Vec<ListedKey<'a>>,
        count: usize,
    }
    reply::json(
        StatusCode::OK,
        &Page {
            keys: page,
            count: matching.len(),
        },
    )
}

/// A key as the listing shows it (`pinata-api.md` §2.3), fields in the API's order.
#[derive(Serialize)]
struct ListedKey<'a> {
    id: &'a str,
    name: &'a str,
    key: &'a str,
    /// Always `null`: a secret is shown once, when the key is created, and never again (the real
    /// listing includes it; leaving it out is the emulator's least-privilege choice, so a key that
    /// may list keys cannot read, and then use, another key's secret).
    secret: Option<&'a str>,
    max_uses: Option<u64>,
    uses: u64,
    user_id: &'a str,
    scopes: Scopes,
    revoked: bool,
    #[serde(rename = "createdAt")]
    created_at: String,
    #[serde(rename = "updatedAt")]
    updated_at: String,
}

/// `scopes` as listed: only the `true` leaves of the endpoint tree, then `admin`, then resources.
#[derive(Serialize)]
struct Scopes {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    endpoints: BTreeMap<&'static str, BTreeMap<&'static str, bool>>,
    admin: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    resources: Vec<&'static str>,
}

impl<'a> ListedKey<'a> {
    fn new(r: &'a KeyRecord, user_id: &'a str) -> Self {
        let mut endpoints: BTreeMap<&'static str, BTreeMap<&'static str, bool>> = BTreeMap::new();
        for p in r.permissions.endpoint_permissions() {
            endpoints
                .entry(p.group())
                .or_default()
                .insert(p.leaf(), true);
        }
        Self {
            id: &r.id,
            name: &r.name,
            key: &r.key,
            secret: None,
            max_uses: r.max_uses,
            uses: r.uses,
            user_id,
            scopes: Scopes {
                endpoints,
                admin: r.permissions.is_admin(),
                resources: r
                    .permissions
                    .resource_scopes()
                    .iter()
                    .map(|s| s.as_str())
                    .collect(),
            },
            revoked: r.revoked,
            created_at: iso8601(r.created_at),
            updated_at: iso8601(r.updated_at),
        }
    }
}

/// 403 for a key that would create or revoke a key with rights it does not hold. Not documented
/// for the real service; the reason and wording are the emulator's choice.
fn cannot_manage() -> Reply {
    reply::reason(
        StatusCode::FORBIDDEN,
        "NO_SCOPES_FOUND",
        "A key cannot create or revoke a key with rights it does not hold",
    )
}

fn revoke_key(state: &State, caller: &Permissions, key: &str) -> Reply {
    if let Some(target) = state.keys.get(key)
        && !may_manage(caller, &target.permissions)
    {
        return cannot_manage();
    }
    if state.keys.revoke(key) {
        reply::json(StatusCode::OK, &"Revoked")
    } else {
        // Not captured from the real service; the emulator's choice.
        reply::reason(
            StatusCode::NOT_FOUND,
            "KEY_NOT_FOUND",
            "No API key matches the one provided",
        )
    }
}

fn percent_decode(text: &str) -> String {
    Query::parse(&format!("k={text}"))
        .pop()
        .map(|(_, v)| v)
        .unwrap_or_default()
}

impl State {
    /// A JWT for `key`/`secret`, expiring after the configured lifetime.
    pub(crate) fn mint(&self, key: &str, secret: &str, now: SystemTime) -> String {
        let exp = now
            .checked_add(self.jwt_lifetime)
            .unwrap_or(now)
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .as_secs();
        token::sign(
            &Claims::new(&self.user_id, key, secret, exp),
            &self.jwt_secret,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_match_like_express() {
        let t = Some(Route::TestAuthentication);
        assert_eq!(Route::find(&Method::GET, "/data/testAuthentication"), t);
        assert_eq!(Route::find(&Method::GET, "/data/testauthentication/"), t);
        assert_eq!(Route::find(&Method::GET, "/v3/data/testAuthentication"), t);
        assert_eq!(Route::find(&Method::POST, "/data/testAuthentication"), None);
        assert_eq!(
            Route::find(&Method::GET, "/data/testAuthentication//"),
            None
        );
        assert_eq!(
            Route::find(&Method::PUT, "/v3/pinata/keys/AbC%20d"),
            Some(Route::RevokeKeyInPath("AbC d".into()))
        );
        assert_eq!(
            Route::find(&Method::DELETE, "/V3/API_KEYS/Key1/"),
            Some(Route::RevokeKeyInPath("Key1".into()))
        );
        assert_eq!(Route::find(&Method::DELETE, "/v3/pinata/keys/k"), None);
    }

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

//! Request routing and the endpoint handlers. Each handler follows the real API's order: read the
//! body, authenticate, check permissions, validate, act.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use serde::Deserialize;

use crate::authn::{Caller, authenticate};
use crate::keys::NewKey;
use crate::reply::{self, Reply};
use crate::state::State;
use crate::token::{self, Claims};

/// Largest JSON body accepted by the JSON endpoints.
const MAX_JSON_BODY: usize = 1024 * 1024;

/// The endpoints the emulator serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    TestAuthentication,
    GenerateApiKey,
    RevokeApiKey,
}

fn route(method: &Method, path: &str) -> Option<Route> {
    // Clients configured with a `…/v3` base (the official `pinata` SDK's `endpointUrl`) send the
    // legacy `/data/*` paths under `/v3`; accept both.
    let path = match path.strip_prefix("/v3") {
        Some(rest) if rest.starts_with("/data/") => rest,
        _ => path,
    };
    match (method, path) {
        (&Method::GET, "/data/testAuthentication") => Some(Route::TestAuthentication),
        (&Method::POST, "/users/generateApiKey") => Some(Route::GenerateApiKey),
        (&Method::PUT, "/users/revokeApiKey") => Some(Route::RevokeApiKey),
        _ => None,
    }
}

/// Answers one request.
pub async fn handle(state: &State, request: Request<Incoming>) -> Reply {
    let (parts, body) = request.into_parts();
    let Some(route) = route(&parts.method, parts.uri.path()) else {
        return reply::not_found(parts.method.as_str(), parts.uri.path());
    };
    let body = match Limited::new(body, MAX_JSON_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return reply::message(StatusCode::PAYLOAD_TOO_LARGE, "request entity too large");
        }
    };
    let now = SystemTime::now();
    match route {
        Route::TestAuthentication => {
            match authenticate(&parts.headers, &state.keys, &state.jwt_secret, now) {
                Ok(_) => reply::json(
                    StatusCode::OK,
                    &serde_json::json!({
                        "message": "Congratulations! You are communicating with the Pinata API!"
                    }),
                ),
                Err(refusal) => refusal,
            }
        }
        Route::GenerateApiKey => {
            let input: GenerateApiKey = match parse_json(&body) {
                Ok(v) => v,
                Err(r) => return r,
            };
            match admin(state, &parts.headers, now) {
                Ok(_) => generate_api_key(state, input, now),
                Err(r) => r,
            }
        }
        Route::RevokeApiKey => {
            let input: RevokeApiKey = match parse_json(&body) {
                Ok(v) => v,
                Err(r) => return r,
            };
            match admin(state, &parts.headers, now) {
                Ok(_) => revoke_api_key(state, &input),
                Err(r) => r,
            }
        }
    }
}

/// Authenticates and requires an admin key (key management needs one).
fn admin(state: &State, headers: &http::HeaderMap, now: SystemTime) -> Result<Caller, Reply> {
    let caller = authenticate(headers, &state.keys, &state.jwt_secret, now)?;
    if caller.admin {
        Ok(caller)
    } else {
        Err(reply::no_scopes())
    }
}

/// Parses a JSON body the way the API's body parser does: malformed JSON is a 400 before anything
/// else is looked at.
fn parse_json<T: for<'de> Deserialize<'de>>(body: &Bytes) -> Result<T, Reply> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        reply::reason(
            StatusCode::BAD_REQUEST,
            "UNKNOWN_REASON",
            &format!("Unexpected token in JSON at position {}", e.column()),
        )
    })?;
    // Shape errors (a missing or mistyped field) are validation errors: the emulator's choice of
    // wording, as the real text was not captured.
    serde_json::from_value(value)
        .map_err(|e| reply::message(StatusCode::BAD_REQUEST, &format!("Invalid request: {e}")))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GenerateApiKey {
    key_name: String,
    permissions: serde_json::Value,
    #[serde(default)]
    max_uses: Option<u64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RevokeApiKey {
    api_key: String,
}

fn generate_api_key(state: &State, input: GenerateApiKey, now: SystemTime) -> Reply {
    if input.key_name.trim().is_empty() {
        return reply::message(StatusCode::BAD_REQUEST, "keyName is required");
    }
    if !input.permissions.is_object() {
        return reply::message(StatusCode::BAD_REQUEST, "permissions must be an object");
    }
    let record = match state.keys.create(NewKey {
        name: input.key_name,
        permissions: input.permissions,
        max_uses: input.max_uses,
    }) {
        Ok(r) => r,
        Err(e) => return reply::internal(&e.to_string()),
    };
    let jwt = state.mint(&record.key, record.secret.expose_secret(), now);
    reply::json(
        StatusCode::OK,
        &serde_json::json!({
            "pinata_api_key": record.key,
            "pinata_api_secret": record.secret.expose_secret(),
            "JWT": jwt,
        }),
    )
}

fn revoke_api_key(state: &State, input: &RevokeApiKey) -> Reply {
    if state.keys.revoke(&input.api_key) {
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

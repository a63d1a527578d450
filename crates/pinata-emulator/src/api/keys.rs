//! Key management, legacy (`/users/*`) and v3 (`/v3/pinata/keys`, `/v3/api_keys`): create, list,
//! revoke. Mirrors `pinata-core`'s `api::keys`.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::StatusCode;
use pinata_core::api::keys::Permissions;
use pinata_core::server::Query;
use pinata_core::time::format_iso8601 as iso8601;
use serde::Serialize;

use crate::access::may_manage;
use crate::credentials::KeyCredentials;
use crate::error::HandleError;
use crate::keys::{KeyRecord, NewKey, StoreError, UseReservation};
use crate::reply::{self, Reply};
use crate::state::State;
use crate::token::{self, Claims};

/// The longest key name accepted (emulator's choice: every key is kept in memory).
const MAX_KEY_NAME: usize = 256;

/// The key-creation body, validated. Validation messages are the emulator's choice (the real ones
/// were never captured), in the legacy `{"error":"…"}` shape of the API's other validation errors.
pub(crate) fn parse_new_key(json: &serde_json::Value) -> Result<NewKey, String> {
    let name = match json.get("keyName") {
        Some(serde_json::Value::String(s)) => {
            check_name(s)?;
            s.clone()
        }
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

/// A key name's rule: not blank, at most [`MAX_KEY_NAME`] characters.
fn check_name(name: &str) -> Result<(), String> {
    if name.chars().count() > MAX_KEY_NAME {
        Err(format!("keyName must be at most {MAX_KEY_NAME} characters"))
    } else if name.trim().is_empty() {
        Err("keyName is required".into())
    } else {
        Ok(())
    }
}

/// A key made from Rust ([`EmulatorHandle::create_key`](crate::EmulatorHandle::create_key)), by
/// the rules of the API's key creation (name, permissions, the store's cap) as an admin makes it.
pub(crate) fn seed_key(
    state: &State,
    name: &str,
    permissions: Permissions,
    now: SystemTime,
) -> Result<KeyCredentials, HandleError> {
    check_name(name).map_err(HandleError::invalid)?;
    permissions
        .validate()
        .map_err(|e| HandleError::invalid(e.to_string()))?;
    let record = state
        .keys
        .create(NewKey {
            name: name.to_owned(),
            permissions,
            max_uses: None,
        })
        .map_err(|e| match e {
            StoreError::Full => HandleError::full(e.to_string()),
            StoreError::Io(source) => {
                HandleError::io("could not draw random bytes for a key", Some(source))
            }
        })?;
    let secret = record.secret.expose_secret();
    Ok(KeyCredentials {
        jwt: state.mint(&record.key, secret, now),
        api_key: record.key.clone(),
        api_secret: secret.to_owned(),
    })
}

pub(crate) fn create_key(
    state: &State,
    caller: &UseReservation<'_>,
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
    // A key with limited uses creates no keys at all: a key it made would have a budget of its
    // own, and uses would multiply down a tree of keys (12 uses became 233 calls through 143
    // keys). Refusing is the least-privilege rule; the real service's rule is not documented
    // (emulator's choice).
    if state
        .keys
        .get(caller.key())
        .is_some_and(|holder| holder.max_uses.is_some())
    {
        return reply::reason(
            StatusCode::FORBIDDEN,
            pinata_core::api::reason::NO_SCOPES_FOUND,
            "A key with limited uses (maxUses) cannot create keys",
        );
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

pub(crate) fn list_keys(state: &State, query: &str) -> Reply {
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
        pinata_core::api::reason::NO_SCOPES_FOUND,
        "A key cannot create or revoke a key with rights it does not hold",
    )
}

pub(crate) fn revoke_key(state: &State, caller: &Permissions, key: &str) -> Reply {
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
            pinata_core::api::reason::KEY_NOT_FOUND,
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

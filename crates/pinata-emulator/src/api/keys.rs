//! Key management, legacy (`/users/*`) and v3 (`/v3/pinata/keys`, `/v3/api_keys`): create, list,
//! revoke. Mirrors `pinata-core`'s `api::keys`.

use std::collections::BTreeMap;
use std::time::SystemTime;

use http::StatusCode;
use pinata_core::api::keys::{CreatedApiKey, Permissions};
use pinata_core::server::Query;
use pinata_core::time::format_iso8601 as iso8601;
use serde::Serialize;

use crate::access::may_manage;
use crate::reply::{self, Reply};
use crate::state::State;
use crate::store::keys::{KeyRecord, StoreError, UseReservation, parse_new_key};

/// `POST /users/generateApiKey`, `POST /v3/pinata/keys`: a key with rights the caller holds.
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
    // The core's own type: `{pinata_api_key, pinata_api_secret, JWT}`, secrets written out.
    let secret = record.secret.expose_secret();
    let jwt = state.mint(&record.key, secret, now);
    reply::json(
        StatusCode::OK,
        &CreatedApiKey::new(record.key.as_str(), secret, jwt),
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

/// `GET /users/apiKeys`, `GET /v3/pinata/keys`: a page of the keys `query` keeps, newest first.
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
///
/// The emulator's own shape, not the core's `keys::ApiKeyInfo`, which cannot write it: the core
/// never serialises a key's `secret` (the API sends the field; the emulator sends it `null`), and
/// its `scopes` serialise as key creation takes them (every endpoint leaf, `false` ones included,
/// and `admin` only when true), not as the listing shows them ([`Scopes`]). The page around it,
/// `{keys, count}`, is the core's `ApiKeyPage` in shape, kept beside it for the same reason.
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

/// `PUT /users/revokeApiKey`, `PUT /v3/pinata/keys/{key}`, `DELETE /v3/api_keys/{key}`: `Revoked`.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::keys::{KeyStore, NewKey};
    use pinata_core::api::keys::{ApiKeyInfo, EndpointPermission, ResourceScope};
    use serde_json::Value;

    #[test]
    fn a_listed_key_is_the_core_s_key_info_but_for_its_secret_and_scopes() {
        let store = KeyStore::default();
        for permissions in [
            Permissions::admin(),
            Permissions::endpoints([EndpointPermission::PinList]),
            Permissions::none().allow_resource(ResourceScope::FilesRead),
        ] {
            let new = NewKey {
                name: "ci".into(),
                permissions: permissions.clone(),
                max_uses: Some(10),
            };
            let key = format!("{:020x}", store.list(|_| true).len());
            let record = store.insert_with(new, key, "0".repeat(64)).unwrap();
            let ours = serde_json::to_value(ListedKey::new(&record, "u1")).unwrap();
            let info: ApiKeyInfo = serde_json::from_value(ours.clone()).unwrap();
            assert_eq!(info.scopes, permissions, "{ours}");
            assert_eq!(ours["secret"], Value::Null, "sent, and null");
            let mut theirs = serde_json::to_value(&info).unwrap();
            let mut ours = ours;
            for v in [&mut theirs, &mut ours] {
                let fields = v.as_object_mut().unwrap();
                fields.remove("secret");
                fields.remove("scopes");
            }
            assert_eq!(theirs, ours);
        }
    }
}

//! v3 groups on both networks: `POST|GET /v3/groups/{network}`,
//! `GET|PUT|DELETE /v3/groups/{network}/{id}`. Mirrors `pinata-core`'s `api::groups`, whose
//! `Group` and `GroupPage` it answers with; the store is `store/groups.rs`. The legacy
//! `/groups` endpoints (`pinata-api.md` §3.9) are served from the same store as the public
//! network's groups (emulator's choice: the real relation is not documented), with their own
//! shapes: a bare object or array, `createdAt`/`updatedAt`, `OK` for deletions, admin keys only.
//!
//! Not documented for the real service, so the emulator's choice: names are matched as a
//! case-insensitive substring, pages hold 10 groups unless `limit` says otherwise (at most 1000),
//! the page token is opaque (the position after the last group of the page, so deleting groups
//! between pages skips none), a missing group is `404 {"error":{"code":404,"message":…}}`, and a
//! deletion answers `{"data":null}`.

use std::time::SystemTime;

use http::StatusCode;
use pinata_core::api::Network;
use pinata_core::api::groups::{Group, GroupPage};
use pinata_core::api::pinning::LegacyGroup;
use pinata_core::server::Query;
use serde::Deserialize;

use crate::reply::{self, Reply, data, to_millis};
use crate::state::State;
use crate::store::groups::{GroupFilter, GroupRecord, InsertError, MAX_GROUP_NAME, check_name};

/// Groups per page without a `limit`.
const DEFAULT_PAGE: usize = 10;
/// The most groups per page.
const MAX_PAGE: usize = 1000;

/// A group as the API answers it: the core's own type, so the emulator answers the shape a client
/// decodes.
fn shown(g: &GroupRecord) -> Group {
    let mut group = Group::new(g.id.clone(), g.name.clone());
    group.is_public = g.is_public;
    group.created_at = to_millis(g.created_at);
    group
}

fn bad(message: &str) -> Reply {
    reply::coded(StatusCode::BAD_REQUEST, message)
}

fn not_found() -> Reply {
    reply::coded(StatusCode::NOT_FOUND, "Group not found")
}

/// The body of a create or update.
#[derive(Deserialize)]
struct Fields {
    #[serde(default)]
    name: Option<String>,
    #[serde(default, alias = "public")]
    is_public: Option<bool>,
}

fn fields(json: &serde_json::Value) -> Result<Fields, Reply> {
    let fields: Fields = super::typed(json)?;
    if let Some(name) = &fields.name {
        check_name(name).map_err(|e| bad(&e))?;
    }
    Ok(fields)
}

/// The answer to a store that could not make a group.
fn refused(e: InsertError) -> Reply {
    match e {
        InsertError::Full => bad(&e.to_string()),
        InsertError::NoId => reply::internal(&e.to_string()),
    }
}

/// `POST /v3/groups/{network}`.
pub(crate) fn create(
    state: &State,
    network: Network,
    json: &serde_json::Value,
    now: SystemTime,
) -> Reply {
    let fields = match fields(json) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let Some(name) = fields.name else {
        return bad("name is required");
    };
    let is_public = fields.is_public.unwrap_or(false);
    match state.groups.insert(network, name, is_public, now) {
        Ok(g) => data(shown(&g)),
        Err(e) => refused(e),
    }
}

/// `GET /v3/groups/{network}?name&isPublic&limit&pageToken`.
pub(crate) fn list(state: &State, network: Network, query: &str) -> Reply {
    let mut filter = GroupFilter::first(DEFAULT_PAGE);
    for (key, value) in Query::parse(query) {
        match key.as_str() {
            "name" => filter.name = Some(value.to_lowercase()),
            "isPublic" => match value.as_str() {
                "true" => filter.is_public = Some(true),
                "false" => filter.is_public = Some(false),
                _ => return bad("isPublic must be true or false"),
            },
            "limit" => match value.parse::<usize>() {
                Ok(n) if (1..=MAX_PAGE).contains(&n) => filter.limit = n,
                _ => return bad(&format!("limit must be 1 to {MAX_PAGE}")),
            },
            "pageToken" => match value.parse::<u64>() {
                Ok(n) => filter.before = n,
                Err(_) => return bad("invalid pageToken"),
            },
            _ => {}
        }
    }
    let (page, more) = state.groups.list(network, &filter);
    // The last page's token is empty, as the service sends it.
    let next_page_token = match (more, page.last()) {
        (true, Some(last)) => last.sequence.to_string(),
        _ => String::new(),
    };
    data(GroupPage::new(
        page.iter().map(shown).collect(),
        Some(next_page_token),
    ))
}

/// `GET /v3/groups/{network}/{id}`.
pub(crate) fn get(state: &State, network: Network, id: &str) -> Reply {
    match state.groups.get(network, id) {
        Some(g) => data(shown(&g)),
        None => not_found(),
    }
}

/// `PUT /v3/groups/{network}/{id}`.
pub(crate) fn update(state: &State, network: Network, id: &str, json: &serde_json::Value) -> Reply {
    let fields = match fields(json) {
        Ok(f) => f,
        Err(r) => return r,
    };
    match state.groups.update(
        network,
        id,
        fields.name,
        fields.is_public,
        SystemTime::now(),
    ) {
        Some(g) => data(shown(&g)),
        None => not_found(),
    }
}

/// `DELETE /v3/groups/{network}/{id}`: the group's files stay, outside any group.
pub(crate) fn delete(state: &State, network: Network, id: &str) -> Reply {
    if !state.groups.remove(network, id) {
        return not_found();
    }
    state.files.ungroup(network, id);
    data(())
}

/// A group as the legacy API answers it: the core's own type (`createdAt` before `updatedAt`, as it
/// writes them).
fn legacy_shown(g: &GroupRecord, user_id: &str) -> LegacyGroup {
    let mut group = LegacyGroup::new(g.id.clone(), g.name.clone());
    group.user_id = Some(user_id.to_owned());
    group.created_at = to_millis(g.created_at);
    group.updated_at = Some(to_millis(g.updated_at));
    group
}

fn legacy_not_found() -> Reply {
    reply::reason(
        StatusCode::NOT_FOUND,
        pinata_core::api::reason::GROUP_NOT_FOUND,
        "No group matches the id provided",
    )
}

fn legacy_name(json: &serde_json::Value) -> Result<String, Reply> {
    match json.get("name") {
        Some(serde_json::Value::String(n)) if check_name(n).is_ok() => Ok(n.clone()),
        _ => Err(reply::message(
            StatusCode::BAD_REQUEST,
            &format!("name must be a string of 1 to {MAX_GROUP_NAME} characters"),
        )),
    }
}

/// `POST /groups {name}`.
pub(crate) fn legacy_create(state: &State, json: &serde_json::Value, now: SystemTime) -> Reply {
    let name = match legacy_name(json) {
        Ok(n) => n,
        Err(r) => return r,
    };
    match state.groups.insert(Network::Public, name, false, now) {
        Ok(g) => reply::json(StatusCode::OK, &legacy_shown(&g, &state.user_id)),
        Err(e) => refused(e),
    }
}

/// `GET /groups?nameContains&offset&limit`: newest first (emulator's choice), 10 per page unless
/// `limit` says otherwise.
pub(crate) fn legacy_list(state: &State, query: &str) -> Reply {
    let mut filter = GroupFilter::first(DEFAULT_PAGE);
    for (key, value) in Query::parse(query) {
        match key.as_str() {
            "nameContains" => filter.name = Some(value.to_lowercase()),
            "offset" => match value.parse() {
                Ok(n) => filter.offset = n,
                Err(_) => {
                    return reply::message(
                        StatusCode::BAD_REQUEST,
                        "offset must be a whole number",
                    );
                }
            },
            "limit" => match value.parse::<usize>() {
                Ok(n) if (1..=MAX_PAGE).contains(&n) => filter.limit = n,
                _ => {
                    return reply::message(
                        StatusCode::BAD_REQUEST,
                        &format!("limit must be 1 to {MAX_PAGE}"),
                    );
                }
            },
            _ => {}
        }
    }
    let (page, _) = state.groups.list(Network::Public, &filter);
    let page: Vec<LegacyGroup> = page
        .iter()
        .map(|g| legacy_shown(g, &state.user_id))
        .collect();
    reply::json(StatusCode::OK, &page)
}

/// `GET /groups/{id}`.
pub(crate) fn legacy_get(state: &State, id: &str) -> Reply {
    match state.groups.get(Network::Public, id) {
        Some(g) => reply::json(StatusCode::OK, &legacy_shown(&g, &state.user_id)),
        None => legacy_not_found(),
    }
}

/// `PUT /groups/{id} {name}`.
pub(crate) fn legacy_rename(state: &State, id: &str, json: &serde_json::Value) -> Reply {
    let name = match legacy_name(json) {
        Ok(n) => n,
        Err(r) => return r,
    };
    match state
        .groups
        .update(Network::Public, id, Some(name), None, SystemTime::now())
    {
        Some(g) => reply::json(StatusCode::OK, &legacy_shown(&g, &state.user_id)),
        None => legacy_not_found(),
    }
}

/// `DELETE /groups/{id}`: the group's pins (and the public files in it) stay, outside any group.
pub(crate) fn legacy_delete(state: &State, id: &str) -> Reply {
    if !state.groups.remove(Network::Public, id) {
        return legacy_not_found();
    }
    state.pins.ungroup(id);
    state.files.ungroup(Network::Public, id);
    ok()
}

/// `PUT` (add) or `DELETE` (remove) `/groups/{id}/cids {"cids":[…]}`.
pub(crate) fn legacy_cids(state: &State, id: &str, json: &serde_json::Value, add: bool) -> Reply {
    let cids: Vec<String> = match json.get("cids") {
        Some(serde_json::Value::Array(items)) if !items.is_empty() && items.len() <= 1000 => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => {
            return reply::message(
                StatusCode::BAD_REQUEST,
                "cids must be an array of 1 to 1000 CIDs",
            );
        }
    };
    if !state.groups.exists(Network::Public, id) {
        return legacy_not_found();
    }
    if add {
        state.pins.regroup(&cids, Some(id), None);
    } else {
        state.pins.regroup(&cids, None, Some(id));
    }
    ok()
}

fn ok() -> Reply {
    reply::with_body(StatusCode::OK, "text/plain; charset=utf-8", b"OK".to_vec())
}

//! v3 groups on both networks: `POST|GET /v3/groups/{network}`,
//! `GET|PUT|DELETE /v3/groups/{network}/{id}`. Mirrors `pinata-core`'s `api::groups`. The legacy
//! `/groups` endpoints (`pinata-api.md` §3.9) are served from the same store as the public
//! network's groups (emulator's choice: the real relation is not documented), with their own
//! shapes: a bare object or array, `createdAt`/`updatedAt`, `OK` for deletions, admin keys only.
//!
//! Not documented for the real service, so the emulator's choice: names are matched as a
//! case-insensitive substring, pages hold 10 groups unless `limit` says otherwise (at most 1000),
//! the page token is opaque (the position after the last group of the page, so deleting groups
//! between pages skips none), a missing group is `404 {"error":{"code":404,"message":…}}`, and a
//! deletion answers `{"data":null}`.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use http::StatusCode;
use pinata_core::api::Network;
use pinata_core::server::Query;
use pinata_core::time::format_iso8601 as iso8601;
use serde::{Deserialize, Serialize};

use crate::db::{Persist, Table};
use crate::error::HandleError;
use crate::reply::{self, Reply, data};
use crate::state::State;

/// The most groups the emulator holds on both networks together (each is kept in memory).
pub const MAX_GROUPS: usize = 10_000;
/// The longest group name accepted.
const MAX_NAME: usize = 1024;
/// Groups per page without a `limit`.
const DEFAULT_PAGE: usize = 10;
/// The most groups per page.
const MAX_PAGE: usize = 1000;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct GroupRecord {
    #[serde(with = "crate::db::form::network")]
    network: Network,
    id: String,
    name: String,
    is_public: bool,
    created_at: SystemTime,
    updated_at: SystemTime,
    /// Creation order, for a newest-first listing and page tokens.
    sequence: u64,
}

#[derive(Debug, Default)]
struct Inner {
    groups: Vec<GroupRecord>,
    next_sequence: u64,
    /// Where every change is written.
    db: Persist,
}

impl Inner {
    fn save(db: &Persist, g: &GroupRecord) {
        db.put(Table::Groups, &g.id, g);
    }
}

/// Every group of the account, behind one lock.
#[derive(Debug, Default)]
pub struct GroupStore {
    inner: Mutex<Inner>,
}

impl GroupStore {
    /// Reads the groups `db` keeps and writes every change there from now on.
    pub(crate) fn restore(&mut self, db: Persist) -> std::io::Result<()> {
        let inner = self.inner.get_mut().unwrap_or_else(PoisonError::into_inner);
        for (_, g) in db.load::<GroupRecord>(Table::Groups)? {
            inner.next_sequence = inner.next_sequence.max(g.sequence + 1);
            inner.groups.push(g);
        }
        inner.db = db;
        Ok(())
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every update is a push, a removal or a few field writes: consistent after any panic.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether `network` has the group `id`.
    pub(crate) fn exists(&self, network: Network, id: &str) -> bool {
        self.lock()
            .groups
            .iter()
            .any(|g| g.network == network && g.id == id)
    }
}

/// A group as the API answers it.
#[derive(Serialize)]
struct Shown<'a> {
    id: &'a str,
    name: &'a str,
    is_public: bool,
    created_at: String,
}

impl<'a> From<&'a GroupRecord> for Shown<'a> {
    fn from(g: &'a GroupRecord) -> Self {
        Self {
            id: &g.id,
            name: &g.name,
            is_public: g.is_public,
            created_at: iso8601(g.created_at),
        }
    }
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

/// A group name's rule: not blank, at most [`MAX_NAME`] characters.
fn check_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() || name.chars().count() > MAX_NAME {
        Err(format!("name must be 1 to {MAX_NAME} characters"))
    } else {
        Ok(())
    }
}

/// Why a group could not be made.
enum InsertError {
    /// The store holds [`MAX_GROUPS`] already.
    Full,
    /// No random bytes for its id.
    NoId,
}

impl std::fmt::Display for InsertError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InsertError::Full => write!(f, "the emulator holds at most {MAX_GROUPS} groups"),
            InsertError::NoId => f.write_str("no random bytes for a group id"),
        }
    }
}

impl GroupStore {
    /// Makes a group (its name already checked) and shows it with `show`.
    fn insert<T>(
        &self,
        network: Network,
        name: String,
        is_public: bool,
        now: SystemTime,
        show: impl FnOnce(&GroupRecord) -> T,
    ) -> Result<T, InsertError> {
        let id = crate::ids::uuid_v4().map_err(|_| InsertError::NoId)?;
        let mut inner = self.lock();
        if inner.groups.len() >= MAX_GROUPS {
            return Err(InsertError::Full);
        }
        let sequence = inner.next_sequence;
        inner.next_sequence += 1;
        let record = GroupRecord {
            network,
            id,
            name,
            is_public,
            created_at: now,
            updated_at: now,
            sequence,
        };
        let shown = show(&record);
        Inner::save(&inner.db, &record);
        inner.groups.push(record);
        Ok(shown)
    }

    /// Forgets every group (a reset; creation order goes on, so page tokens never repeat).
    pub(crate) fn clear(&self) {
        let mut inner = self.lock();
        inner.groups.clear();
        inner.db.clear(Table::Groups);
    }
}

/// A group made from Rust ([`EmulatorHandle::create_group`](crate::EmulatorHandle::create_group)),
/// by the API's rules: its id.
pub(crate) fn seed(
    state: &State,
    network: Network,
    name: &str,
    now: SystemTime,
) -> Result<String, HandleError> {
    check_name(name).map_err(HandleError::invalid)?;
    state
        .groups
        .insert(network, name.to_owned(), false, now, |g| g.id.clone())
        .map_err(|e| match e {
            InsertError::Full => HandleError::full(e.to_string()),
            InsertError::NoId => HandleError::io(e.to_string(), None),
        })
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
    match state
        .groups
        .insert(network, name, is_public, now, |g| data(Shown::from(g)))
    {
        Ok(answer) => answer,
        Err(e @ InsertError::Full) => bad(&e.to_string()),
        Err(e @ InsertError::NoId) => reply::internal(&e.to_string()),
    }
}

/// `GET /v3/groups/{network}?name&isPublic&limit&pageToken`.
pub(crate) fn list(state: &State, network: Network, query: &str) -> Reply {
    let mut name = None;
    let mut is_public = None;
    let mut limit = DEFAULT_PAGE;
    let mut before = u64::MAX;
    for (key, value) in Query::parse(query) {
        match key.as_str() {
            "name" => name = Some(value.to_lowercase()),
            "isPublic" => match value.as_str() {
                "true" => is_public = Some(true),
                "false" => is_public = Some(false),
                _ => return bad("isPublic must be true or false"),
            },
            "limit" => match value.parse::<usize>() {
                Ok(n) if (1..=MAX_PAGE).contains(&n) => limit = n,
                _ => return bad(&format!("limit must be 1 to {MAX_PAGE}")),
            },
            "pageToken" => match value.parse::<u64>() {
                Ok(n) => before = n,
                Err(_) => return bad("invalid pageToken"),
            },
            _ => {}
        }
    }
    let inner = state.groups.lock();
    let mut matching: Vec<&GroupRecord> = inner
        .groups
        .iter()
        .filter(|g| {
            g.network == network
                && g.sequence < before
                && is_public.is_none_or(|p| g.is_public == p)
                && name
                    .as_ref()
                    .is_none_or(|n| g.name.to_lowercase().contains(n))
        })
        .collect();
    matching.sort_by_key(|g| std::cmp::Reverse(g.sequence));
    let more = matching.len() > limit;
    matching.truncate(limit);
    let next_page_token = match (more, matching.last()) {
        (true, Some(last)) => last.sequence.to_string(),
        _ => String::new(),
    };
    #[derive(Serialize)]
    struct Page<'a> {
        groups: Vec<Shown<'a>>,
        next_page_token: String,
    }
    data(Page {
        groups: matching.into_iter().map(Shown::from).collect(),
        next_page_token,
    })
}

/// `GET /v3/groups/{network}/{id}`.
pub(crate) fn get(state: &State, network: Network, id: &str) -> Reply {
    let inner = state.groups.lock();
    match inner
        .groups
        .iter()
        .find(|g| g.network == network && g.id == id)
    {
        Some(g) => data(Shown::from(g)),
        None => not_found(),
    }
}

/// `PUT /v3/groups/{network}/{id}`.
pub(crate) fn update(state: &State, network: Network, id: &str, json: &serde_json::Value) -> Reply {
    let fields = match fields(json) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let mut guard = state.groups.lock();
    let inner = &mut *guard;
    let Some(g) = inner
        .groups
        .iter_mut()
        .find(|g| g.network == network && g.id == id)
    else {
        return not_found();
    };
    if let Some(name) = fields.name {
        g.name = name;
    }
    if let Some(p) = fields.is_public {
        g.is_public = p;
    }
    g.updated_at = SystemTime::now();
    Inner::save(&inner.db, g);
    data(Shown::from(&*g))
}

/// `DELETE /v3/groups/{network}/{id}`: the group's files stay, outside any group.
pub(crate) fn delete(state: &State, network: Network, id: &str) -> Reply {
    let mut inner = state.groups.lock();
    let before = inner.groups.len();
    inner
        .groups
        .retain(|g| !(g.network == network && g.id == id));
    if inner.groups.len() == before {
        return not_found();
    }
    inner.db.delete(Table::Groups, id);
    drop(inner);
    state.files.ungroup(network, id);
    data(())
}

/// A group as the legacy API answers it.
#[derive(Serialize)]
struct LegacyShown<'a> {
    id: &'a str,
    user_id: &'a str,
    name: &'a str,
    #[serde(rename = "updatedAt")]
    updated_at: String,
    #[serde(rename = "createdAt")]
    created_at: String,
}

impl<'a> LegacyShown<'a> {
    fn new(g: &'a GroupRecord, user_id: &'a str) -> Self {
        Self {
            id: &g.id,
            user_id,
            name: &g.name,
            updated_at: iso8601(g.updated_at),
            created_at: iso8601(g.created_at),
        }
    }
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
        Some(serde_json::Value::String(n))
            if !n.trim().is_empty() && n.chars().count() <= MAX_NAME =>
        {
            Ok(n.clone())
        }
        _ => Err(reply::message(
            StatusCode::BAD_REQUEST,
            &format!("name must be a string of 1 to {MAX_NAME} characters"),
        )),
    }
}

/// `POST /groups {name}`.
pub(crate) fn legacy_create(state: &State, json: &serde_json::Value, now: SystemTime) -> Reply {
    let name = match legacy_name(json) {
        Ok(n) => n,
        Err(r) => return r,
    };
    // Shown as it is made, so a group made at the same moment by another call is not shown instead.
    match state.groups.insert(Network::Public, name, false, now, |g| {
        reply::json(StatusCode::OK, &LegacyShown::new(g, &state.user_id))
    }) {
        Ok(answer) => answer,
        Err(e @ InsertError::Full) => bad(&e.to_string()),
        Err(e @ InsertError::NoId) => reply::internal(&e.to_string()),
    }
}

/// `GET /groups?nameContains&offset&limit`: newest first (emulator's choice), 10 per page unless
/// `limit` says otherwise.
pub(crate) fn legacy_list(state: &State, query: &str) -> Reply {
    let mut name = None;
    let mut offset = 0usize;
    let mut limit = DEFAULT_PAGE;
    for (key, value) in Query::parse(query) {
        match key.as_str() {
            "nameContains" => name = Some(value.to_lowercase()),
            "offset" => match value.parse() {
                Ok(n) => offset = n,
                Err(_) => {
                    return reply::message(
                        StatusCode::BAD_REQUEST,
                        "offset must be a whole number",
                    );
                }
            },
            "limit" => match value.parse::<usize>() {
                Ok(n) if (1..=MAX_PAGE).contains(&n) => limit = n,
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
    let inner = state.groups.lock();
    let mut matching: Vec<&GroupRecord> = inner
        .groups
        .iter()
        .filter(|g| {
            g.network == Network::Public
                && name
                    .as_ref()
                    .is_none_or(|n| g.name.to_lowercase().contains(n))
        })
        .collect();
    matching.sort_by_key(|g| std::cmp::Reverse(g.sequence));
    let page: Vec<LegacyShown<'_>> = matching
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|g| LegacyShown::new(g, &state.user_id))
        .collect();
    reply::json(StatusCode::OK, &page)
}

fn legacy_find<'i>(inner: &'i mut Inner, id: &str) -> Option<&'i mut GroupRecord> {
    inner
        .groups
        .iter_mut()
        .find(|g| g.network == Network::Public && g.id == id)
}

/// `GET /groups/{id}`.
pub(crate) fn legacy_get(state: &State, id: &str) -> Reply {
    let mut inner = state.groups.lock();
    match legacy_find(&mut inner, id) {
        Some(g) => reply::json(StatusCode::OK, &LegacyShown::new(g, &state.user_id)),
        None => legacy_not_found(),
    }
}

/// `PUT /groups/{id} {name}`.
pub(crate) fn legacy_rename(state: &State, id: &str, json: &serde_json::Value) -> Reply {
    let name = match legacy_name(json) {
        Ok(n) => n,
        Err(r) => return r,
    };
    let mut inner = state.groups.lock();
    let db = inner.db.clone();
    match legacy_find(&mut inner, id) {
        Some(g) => {
            g.name = name;
            g.updated_at = SystemTime::now();
            Inner::save(&db, g);
            reply::json(StatusCode::OK, &LegacyShown::new(g, &state.user_id))
        }
        None => legacy_not_found(),
    }
}

/// `DELETE /groups/{id}`: the group's pins (and the public files in it) stay, outside any group.
pub(crate) fn legacy_delete(state: &State, id: &str) -> Reply {
    let mut inner = state.groups.lock();
    if legacy_find(&mut inner, id).is_none() {
        return legacy_not_found();
    }
    inner
        .groups
        .retain(|g| !(g.network == Network::Public && g.id == id));
    inner.db.delete(Table::Groups, id);
    drop(inner);
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
    if legacy_find(&mut state.groups.lock(), id).is_none() {
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

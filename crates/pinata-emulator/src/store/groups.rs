//! The account's groups on both networks: the v3 `/v3/groups/{network}` endpoints, and the legacy
//! `/groups` ones, which see the public network's (emulator's choice: the real relation is not
//! documented). Groups are kept in creation order; a listing is newest first, and its page token
//! (the position after a page's last group) skips none when groups are deleted between pages.
//!
//! Bounded: at most [`MAX_GROUPS`] groups, names of at most [`MAX_GROUP_NAME`] characters.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use pinata_core::api::Network;
use serde::{Deserialize, Serialize};

use crate::db::{Persist, Table};
use crate::error::HandleError;

/// The most groups the emulator holds on both networks together (each is kept in memory).
pub(crate) const MAX_GROUPS: usize = 10_000;
/// The longest group name accepted (characters).
pub(crate) const MAX_GROUP_NAME: usize = 1024;

/// A group.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct GroupRecord {
    /// Its network.
    #[serde(with = "crate::db::form::network")]
    pub(crate) network: Network,
    /// Its id (a UUID).
    pub(crate) id: String,
    /// Its name.
    pub(crate) name: String,
    /// Whether its files are listed publicly.
    pub(crate) is_public: bool,
    /// When it was made.
    pub(crate) created_at: SystemTime,
    /// When it last changed.
    pub(crate) updated_at: SystemTime,
    /// Creation order, for a newest-first listing and page tokens.
    pub(crate) sequence: u64,
}

/// A group name's rule: not blank, at most [`MAX_GROUP_NAME`] characters.
pub(crate) fn check_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() || name.chars().count() > MAX_GROUP_NAME {
        Err(format!("name must be 1 to {MAX_GROUP_NAME} characters"))
    } else {
        Ok(())
    }
}

/// Why a group could not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InsertError {
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

impl From<InsertError> for HandleError {
    fn from(e: InsertError) -> Self {
        match e {
            InsertError::Full => HandleError::full(e.to_string()),
            InsertError::NoId => HandleError::io(e.to_string(), None),
        }
    }
}

/// What a listing keeps, and which page of it.
#[derive(Debug, Clone)]
pub(crate) struct GroupFilter {
    /// A case-insensitive substring of the name (already lower-cased).
    pub(crate) name: Option<String>,
    /// Only public (or only private) groups.
    pub(crate) is_public: Option<bool>,
    /// Only groups made before the one at this position (a page token).
    pub(crate) before: u64,
    /// Matches skipped first (the legacy listing's `offset`).
    pub(crate) offset: usize,
    /// Groups per page.
    pub(crate) limit: usize,
}

impl GroupFilter {
    /// The first `limit` groups, newest first.
    pub(crate) fn first(limit: usize) -> Self {
        Self {
            name: None,
            is_public: None,
            before: u64::MAX,
            offset: 0,
            limit,
        }
    }

    fn keeps(&self, g: &GroupRecord) -> bool {
        g.sequence < self.before
            && self.is_public.is_none_or(|p| g.is_public == p)
            && self
                .name
                .as_ref()
                .is_none_or(|n| g.name.to_lowercase().contains(n))
    }
}

#[derive(Debug, Default)]
struct Inner {
    groups: Vec<GroupRecord>,
    next_sequence: u64,
    /// Where every change is written.
    db: Persist,
}

/// Every group of the account, behind one lock.
#[derive(Debug, Default)]
pub(crate) struct GroupStore {
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

    /// Makes a group (its name already checked, [`check_name`]).
    pub(crate) fn insert(
        &self,
        network: Network,
        name: String,
        is_public: bool,
        now: SystemTime,
    ) -> Result<GroupRecord, InsertError> {
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
        inner.db.put(Table::Groups, &record.id, &record);
        inner.groups.push(record.clone());
        Ok(record)
    }

    /// The group `id` of `network`.
    pub(crate) fn get(&self, network: Network, id: &str) -> Option<GroupRecord> {
        self.lock()
            .groups
            .iter()
            .find(|g| g.network == network && g.id == id)
            .cloned()
    }

    /// Renames the group `id` of `network` and sets whether it is public (each `None` leaves it as
    /// it is); its `updated_at` is `now` either way. The group as it is now, if there is one.
    pub(crate) fn update(
        &self,
        network: Network,
        id: &str,
        name: Option<String>,
        is_public: Option<bool>,
        now: SystemTime,
    ) -> Option<GroupRecord> {
        let mut guard = self.lock();
        let inner = &mut *guard;
        let g = inner
            .groups
            .iter_mut()
            .find(|g| g.network == network && g.id == id)?;
        if let Some(name) = name {
            g.name = name;
        }
        if let Some(p) = is_public {
            g.is_public = p;
        }
        g.updated_at = now;
        inner.db.put(Table::Groups, &g.id, g);
        Some(g.clone())
    }

    /// Deletes the group `id` of `network`; `false` if there is none. Its files and pins are the
    /// other stores' to let go of.
    pub(crate) fn remove(&self, network: Network, id: &str) -> bool {
        let mut inner = self.lock();
        let before = inner.groups.len();
        inner
            .groups
            .retain(|g| !(g.network == network && g.id == id));
        if inner.groups.len() == before {
            return false;
        }
        inner.db.delete(Table::Groups, id);
        true
    }

    /// One page of the groups of `network` that `filter` keeps, newest first, and whether more
    /// follow.
    pub(crate) fn list(&self, network: Network, filter: &GroupFilter) -> (Vec<GroupRecord>, bool) {
        let inner = self.lock();
        let mut matching: Vec<&GroupRecord> = inner
            .groups
            .iter()
            .filter(|g| g.network == network && filter.keeps(g))
            .collect();
        matching.sort_by_key(|g| std::cmp::Reverse(g.sequence));
        let mut page: Vec<GroupRecord> = matching
            .into_iter()
            .skip(filter.offset)
            .take(filter.limit.saturating_add(1))
            .cloned()
            .collect();
        let more = page.len() > filter.limit;
        page.truncate(filter.limit);
        (page, more)
    }

    /// Forgets every group (a reset; creation order goes on, so page tokens never repeat).
    pub(crate) fn clear(&self) {
        let mut inner = self.lock();
        inner.groups.clear();
        inner.db.clear(Table::Groups);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_newest_first_and_bounded() {
        let store = GroupStore::default();
        let now = SystemTime::UNIX_EPOCH;
        let ids: Vec<String> = (0..5)
            .map(|i| {
                store
                    .insert(Network::Public, format!("g{i}"), i % 2 == 0, now)
                    .unwrap()
                    .id
            })
            .collect();
        store
            .insert(Network::Private, "other".into(), false, now)
            .unwrap();
        let (page, more) = store.list(Network::Public, &GroupFilter::first(2));
        let shown: Vec<&str> = page.iter().map(|g| g.id.as_str()).collect();
        assert_eq!(
            (shown, more),
            (vec![ids[4].as_str(), ids[3].as_str()], true)
        );
        let next = GroupFilter {
            before: page[1].sequence,
            ..GroupFilter::first(10)
        };
        let (rest, more) = store.list(Network::Public, &next);
        assert_eq!((rest.len(), more), (3, false));
        let public = GroupFilter {
            is_public: Some(true),
            offset: 1,
            ..GroupFilter::first(10)
        };
        assert_eq!(store.list(Network::Public, &public).0.len(), 2);
        assert!(store.remove(Network::Public, &ids[0]));
        assert!(!store.remove(Network::Public, &ids[0]));
        assert!(!store.exists(Network::Private, &ids[1]), "per network");
    }
}

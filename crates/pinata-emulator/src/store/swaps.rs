//! Hot swaps of CIDs, by network and CID: each CID's history of swaps (oldest first), the last one
//! in force until it is ended. A swap is the account's, not a file's: it stays in force whatever
//! becomes of the files that hold the swapped CID, until it is ended.
//!
//! Bounded: at most [`MAX_SWAPPED`] CIDs with a history, at most [`MAX_HISTORY`] swaps each (the
//! oldest dropped).

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use pinata_core::api::Network;
use serde::{Deserialize, Serialize};

use super::{cid_row_id, from_cid_row_id};
use crate::db::{Persist, Table};

/// The most CIDs with a swap history (both networks together).
pub(crate) const MAX_SWAPPED: usize = 10_000;
/// The most swaps kept per CID.
pub(crate) const MAX_HISTORY: usize = 100;

/// One swap: the CID served in place of the swapped one, since when.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SwapRecord {
    /// The CID served instead.
    pub(crate) mapped_cid: String,
    /// When the swap was made.
    pub(crate) created_at: SystemTime,
}

/// A CID's swaps.
#[derive(Debug, Default, Serialize, Deserialize)]
struct History {
    swaps: VecDeque<SwapRecord>,
    /// Whether the last swap is in force (a deletion ends it).
    active: bool,
}

/// The store holds [`MAX_SWAPPED`] CIDs with a history, none of them this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Full;

/// Every CID's swaps, by network and CID.
#[derive(Debug, Default)]
pub(crate) struct SwapStore {
    inner: Mutex<HashMap<(Network, String), History>>,
    /// Where every change is written (under the lock).
    db: Persist,
}

impl SwapStore {
    /// Reads the swaps `db` keeps and writes every change there from now on.
    pub(crate) fn restore(&mut self, db: Persist) -> std::io::Result<()> {
        let inner = self.inner.get_mut().unwrap_or_else(PoisonError::into_inner);
        for (id, history) in db.load::<History>(Table::Swaps)? {
            inner.insert(from_cid_row_id(&id)?, history);
        }
        self.db = db;
        Ok(())
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<(Network, String), History>> {
        // Every update is an insert, a push or a flag write: consistent after any panic.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Forgets every swap (a reset).
    pub(crate) fn clear(&self) {
        let mut swaps = self.lock();
        swaps.clear();
        self.db.clear(Table::Swaps);
    }

    /// The CID served in place of `cid` on `network`, if a swap is in force.
    pub(crate) fn current(&self, network: Network, cid: &str) -> Option<String> {
        let swaps = self.lock();
        let h = swaps.get(&(network, cid.to_owned()))?;
        h.active
            .then(|| h.swaps.back().map(|s| s.mapped_cid.clone()))
            .flatten()
    }

    /// Serves `mapped_cid` in place of `cid` on `network` from `now` on: the swap made.
    pub(crate) fn add(
        &self,
        network: Network,
        cid: &str,
        mapped_cid: &str,
        now: SystemTime,
    ) -> Result<SwapRecord, Full> {
        let mut swaps = self.lock();
        let key = (network, cid.to_owned());
        if !swaps.contains_key(&key) && swaps.len() >= MAX_SWAPPED {
            return Err(Full);
        }
        let history = swaps.entry(key).or_default();
        if history.swaps.len() >= MAX_HISTORY {
            history.swaps.pop_front();
        }
        let record = SwapRecord {
            mapped_cid: mapped_cid.to_owned(),
            created_at: now,
        };
        history.swaps.push_back(record.clone());
        history.active = true;
        self.db
            .put(Table::Swaps, &cid_row_id(network, cid), &*history);
        Ok(record)
    }

    /// Every swap of `cid` on `network`, oldest first (none if it was never swapped).
    pub(crate) fn history(&self, network: Network, cid: &str) -> Vec<SwapRecord> {
        self.lock()
            .get(&(network, cid.to_owned()))
            .map(|h| h.swaps.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Ends the swap in force for `cid` on `network` (its history stays); `false` if none is.
    pub(crate) fn end(&self, network: Network, cid: &str) -> bool {
        let mut swaps = self.lock();
        match swaps.get_mut(&(network, cid.to_owned())) {
            Some(h) if h.active => {
                h.active = false;
                self.db.put(Table::Swaps, &cid_row_id(network, cid), &*h);
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histories_are_bounded_and_a_swap_ends() {
        let store = SwapStore::default();
        let now = SystemTime::UNIX_EPOCH;
        for i in 0..=MAX_HISTORY {
            store
                .add(Network::Public, "c", &format!("m{i}"), now)
                .unwrap();
        }
        let history = store.history(Network::Public, "c");
        assert_eq!(history.len(), MAX_HISTORY, "the oldest dropped");
        assert_eq!(history[0].mapped_cid, "m1");
        assert_eq!(
            store.current(Network::Public, "c").as_deref(),
            Some(format!("m{MAX_HISTORY}").as_str())
        );
        assert!(store.end(Network::Public, "c"));
        assert!(!store.end(Network::Public, "c"));
        assert_eq!(store.current(Network::Public, "c"), None);
        assert_eq!(store.history(Network::Public, "c").len(), MAX_HISTORY);
        assert!(store.history(Network::Private, "c").is_empty());
        for i in 1..MAX_SWAPPED {
            store
                .add(Network::Private, &i.to_string(), "m", now)
                .unwrap();
        }
        assert_eq!(
            store.add(Network::Private, "one more", "m", now).err(),
            Some(Full)
        );
        assert!(store.add(Network::Public, "c", "again", now).is_ok());
    }
}

//! The account's v3 files on both networks (`pinata-v3-api.md` §1.1): what `POST /v3/files` and
//! signed uploads add, and `/v3/files/{network}…` lists, reads, changes and deletes.
//!
//! Kept apart from the legacy pins (emulator's choice: the real relation between a pin and a v3
//! file is not documented): a legacy upload makes no v3 file, and a v3 upload no pin. Both share
//! the content on disk (`content.rs`).
//!
//! Ids are UUIDv7 like the real service's, made from the creation time and a counter, so they
//! sort as strings in creation order: a listing walks them in that order, and a page token (the
//! base64 of the last id of a page, as the service's examples show) keeps its place even when that
//! file is deleted between pages. A network holds one file per CID (an upload of a CID it holds
//! answers that file, as a duplicate), except CAR uploads, whose CID stays `pending`.
//!
//! A file whose `expires_at` (Unix seconds) has passed (the clock's whole seconds are past it) is
//! removed: lazily, before every look at the store (each call takes the time and drops what
//! expired first).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use pinata_core::api::Network;

/// The most files the emulator holds on both networks together (each is kept in memory).
pub(crate) const MAX_FILES: usize = 100_000;

/// The CID of a CAR upload, which the emulator does not read.
pub(crate) const PENDING: &str = "pending";

/// A v3 file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileRecord {
    /// Its UUIDv7.
    pub(crate) id: String,
    /// Its network.
    pub(crate) network: Network,
    /// Its name.
    pub(crate) name: Option<String>,
    /// Its CID, or [`PENDING`].
    pub(crate) cid: String,
    /// Bytes of content (all files of a folder together).
    pub(crate) size: u64,
    /// Files inside: 1, or a folder's count.
    pub(crate) number_of_files: u64,
    /// The detected type (`directory` for a folder).
    pub(crate) mime_type: String,
    /// Key-values.
    pub(crate) keyvalues: BTreeMap<String, String>,
    /// The group it is in.
    pub(crate) group_id: Option<String>,
    /// When it was added.
    pub(crate) created_at: SystemTime,
    /// When it is removed, in Unix seconds.
    pub(crate) expires_at: Option<u64>,
}

/// A file to add: everything but its id.
#[derive(Debug, Clone)]
pub(crate) struct NewFile {
    pub(crate) network: Network,
    pub(crate) name: Option<String>,
    pub(crate) cid: String,
    pub(crate) size: u64,
    pub(crate) number_of_files: u64,
    pub(crate) mime_type: String,
    pub(crate) keyvalues: BTreeMap<String, String>,
    pub(crate) group_id: Option<String>,
    pub(crate) expires_at: Option<u64>,
}

/// Why a file was not added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InsertError {
    /// The store holds [`MAX_FILES`].
    Full,
    /// No random bytes for an id.
    NoId,
}

/// The changes of an update (each `None` leaves the field as it is).
#[derive(Debug, Clone, Default)]
pub(crate) struct Changes {
    pub(crate) name: Option<String>,
    pub(crate) keyvalues: Option<BTreeMap<String, String>>,
    pub(crate) expires_at: Option<u64>,
}

/// What a listing keeps, and where its page starts.
#[derive(Debug, Clone, Default)]
pub(crate) struct FileFilter {
    /// A case-insensitive substring of the name (already lower-cased).
    pub(crate) name: Option<String>,
    /// The CID.
    pub(crate) cid: Option<String>,
    /// Only files whose CID is pending.
    pub(crate) pending: bool,
    /// The MIME type.
    pub(crate) mime_type: Option<String>,
    /// `Some(Some(id))`: in that group; `Some(None)`: in no group.
    pub(crate) group: Option<Option<String>>,
    /// Key-values that must all be there, with these values.
    pub(crate) keyvalues: Vec<(String, String)>,
    /// Oldest first (else newest first).
    pub(crate) ascending: bool,
    /// Files per page.
    pub(crate) limit: usize,
    /// The id the previous page ended with.
    pub(crate) after: Option<String>,
}

impl FileFilter {
    fn keeps(&self, f: &FileRecord) -> bool {
        self.name.as_ref().is_none_or(|n| {
            f.name
                .as_ref()
                .is_some_and(|name| name.to_lowercase().contains(n))
        }) && self.cid.as_ref().is_none_or(|c| &f.cid == c)
            && (!self.pending || f.cid == PENDING)
            && self.mime_type.as_ref().is_none_or(|m| &f.mime_type == m)
            && self.group.as_ref().is_none_or(|g| &f.group_id == g)
            && self
                .keyvalues
                .iter()
                .all(|(k, v)| f.keyvalues.get(k) == Some(v))
    }
}

#[derive(Debug, Default)]
struct Inner {
    /// Every file by id: creation order.
    files: BTreeMap<String, FileRecord>,
    /// The file holding each CID of a network (pending CIDs not included).
    by_cid: HashMap<(Network, String), String>,
    /// (expiry, id) of the files that expire, soonest first.
    expiring: BTreeSet<(u64, String)>,
    /// The stamp of the last id made (milliseconds << 12 | counter).
    last_stamp: u64,
}

impl Inner {
    /// Drops every file whose expiry has passed.
    fn sweep(&mut self, now: u64) {
        while let Some((at, id)) = self.expiring.first().cloned() {
            if at >= now {
                break;
            }
            self.take(&id);
        }
    }

    /// Removes the file `id` from every index.
    fn take(&mut self, id: &str) -> Option<FileRecord> {
        let f = self.files.remove(id)?;
        let key = (f.network, f.cid.clone());
        if self.by_cid.get(&key).is_some_and(|held| held == id) {
            self.by_cid.remove(&key);
        }
        if let Some(at) = f.expires_at {
            self.expiring.remove(&(at, f.id.clone()));
        }
        Some(f)
    }

    fn find(&mut self, network: Network, id: &str) -> Option<&mut FileRecord> {
        self.files.get_mut(id).filter(|f| f.network == network)
    }
}

/// Every v3 file of the account, behind one lock.
#[derive(Debug, Default)]
pub(crate) struct FileStore {
    inner: Mutex<Inner>,
}

/// A UUIDv7 for a file made at `now`, after every id made before (the clock may stand still or go
/// back: the stamp still grows).
fn next_id(inner: &mut Inner, now: SystemTime) -> Result<String, InsertError> {
    let ms = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
    let ms = u64::try_from(ms).unwrap_or(0) & ((1 << 48) - 1);
    let stamp = (ms << 12).max(inner.last_stamp.saturating_add(1));
    let id = crate::ids::uuid_v7(stamp).map_err(|_| InsertError::NoId)?;
    inner.last_stamp = stamp;
    Ok(id)
}

/// Whole seconds since the epoch.
pub(crate) fn unix_seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl FileStore {
    /// The store at `now`, with what expired dropped.
    fn at(&self, now: SystemTime) -> MutexGuard<'_, Inner> {
        // Every update keeps the indexes consistent before it can panic: usable after a panic.
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.sweep(unix_seconds(now));
        inner
    }

    /// Adds a file: `(file, false)`, or `(the file that holds its CID, true)` when the network
    /// holds it already.
    pub(crate) fn insert(
        &self,
        new: NewFile,
        now: SystemTime,
    ) -> Result<(FileRecord, bool), InsertError> {
        self.insert_as(new, None, now)
    }

    /// A new file id, in creation order, for a file added later with [`FileStore::insert_as`]
    /// (a resumable upload's: its id is in its upload URL from the start).
    pub(crate) fn reserve_id(&self, now: SystemTime) -> Result<String, InsertError> {
        next_id(&mut self.at(now), now)
    }

    /// [`FileStore::insert`], under the id `reserved` (from [`FileStore::reserve_id`]) when it is
    /// given. A duplicate answers the file that holds the CID, whatever id was reserved.
    pub(crate) fn insert_as(
        &self,
        new: NewFile,
        reserved: Option<String>,
        now: SystemTime,
    ) -> Result<(FileRecord, bool), InsertError> {
        let mut inner = self.at(now);
        let key = (new.network, new.cid.clone());
        if new.cid != PENDING
            && let Some(existing) = inner.by_cid.get(&key).and_then(|id| inner.files.get(id))
        {
            return Ok((existing.clone(), true));
        }
        if inner.files.len() >= MAX_FILES {
            return Err(InsertError::Full);
        }
        let id = match reserved {
            Some(id) if !inner.files.contains_key(&id) => id,
            _ => next_id(&mut inner, now)?,
        };
        let file = FileRecord {
            id: id.clone(),
            network: new.network,
            name: new.name,
            cid: new.cid,
            size: new.size,
            number_of_files: new.number_of_files,
            mime_type: new.mime_type,
            keyvalues: new.keyvalues,
            group_id: new.group_id,
            created_at: now,
            expires_at: new.expires_at,
        };
        if file.cid != PENDING {
            inner.by_cid.insert(key, id.clone());
        }
        if let Some(at) = file.expires_at {
            inner.expiring.insert((at, id.clone()));
        }
        inner.files.insert(id, file.clone());
        Ok((file, false))
    }

    /// The file `id` on `network`.
    pub(crate) fn get(&self, network: Network, id: &str, now: SystemTime) -> Option<FileRecord> {
        self.at(now).find(network, id).cloned()
    }

    /// The file of `network` holding `cid`.
    pub(crate) fn find_cid(
        &self,
        network: Network,
        cid: &str,
        now: SystemTime,
    ) -> Option<FileRecord> {
        let inner = self.at(now);
        let id = inner.by_cid.get(&(network, cid.to_owned()))?;
        inner.files.get(id).cloned()
    }

    /// Whether a file of `network` holds `cid`.
    pub(crate) fn holds(&self, network: Network, cid: &str, now: SystemTime) -> bool {
        self.at(now).by_cid.contains_key(&(network, cid.to_owned()))
    }

    /// Applies `changes` to the file `id`; `None` if there is no such file.
    pub(crate) fn update(
        &self,
        network: Network,
        id: &str,
        changes: Changes,
        now: SystemTime,
    ) -> Option<FileRecord> {
        let mut inner = self.at(now);
        let file = inner.find(network, id)?;
        let old_expiry = file.expires_at;
        if let Some(name) = changes.name {
            file.name = Some(name);
        }
        if let Some(kv) = changes.keyvalues {
            file.keyvalues = kv;
        }
        if let Some(at) = changes.expires_at {
            file.expires_at = Some(at);
        }
        let file = file.clone();
        if file.expires_at != old_expiry {
            if let Some(at) = old_expiry {
                inner.expiring.remove(&(at, file.id.clone()));
            }
            if let Some(at) = file.expires_at {
                inner.expiring.insert((at, file.id.clone()));
            }
        }
        Some(file)
    }

    /// Deletes the file `id`; `false` if there is no such file.
    pub(crate) fn remove(&self, network: Network, id: &str, now: SystemTime) -> bool {
        let mut inner = self.at(now);
        if inner.find(network, id).is_none() {
            return false;
        }
        inner.take(id).is_some()
    }

    /// Puts the file `id` in `group` (`Some`), or takes it out of the group `from`: a file in
    /// another group stays there. `false` if there is no such file.
    pub(crate) fn set_group(
        &self,
        network: Network,
        id: &str,
        group: Option<&str>,
        from: &str,
        now: SystemTime,
    ) -> bool {
        let mut inner = self.at(now);
        let Some(file) = inner.find(network, id) else {
            return false;
        };
        match group {
            Some(g) => file.group_id = Some(g.to_owned()),
            None if file.group_id.as_deref() == Some(from) => file.group_id = None,
            None => {}
        }
        true
    }

    /// Takes every file of `network` out of the group `group` (it was deleted).
    pub(crate) fn ungroup(&self, network: Network, group: &str) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        for f in inner.files.values_mut() {
            if f.network == network && f.group_id.as_deref() == Some(group) {
                f.group_id = None;
            }
        }
    }

    /// One page of the files of `network` that `filter` keeps, and whether more follow.
    pub(crate) fn list(
        &self,
        network: Network,
        filter: &FileFilter,
        now: SystemTime,
    ) -> (Vec<FileRecord>, bool) {
        let inner = self.at(now);
        let after = filter.after.as_deref();
        let range: Box<dyn Iterator<Item = &FileRecord>> = match (filter.ascending, after) {
            (true, Some(a)) => Box::new(
                inner
                    .files
                    .range::<str, _>((Bound::Excluded(a), Bound::Unbounded))
                    .map(|(_, f)| f),
            ),
            (true, None) => Box::new(inner.files.values()),
            (false, Some(a)) => Box::new(
                inner
                    .files
                    .range::<str, _>((Bound::Unbounded, Bound::Excluded(a)))
                    .rev()
                    .map(|(_, f)| f),
            ),
            (false, None) => Box::new(inner.files.values().rev()),
        };
        let mut page: Vec<FileRecord> = range
            .filter(|f| f.network == network && filter.keeps(f))
            .take(filter.limit.saturating_add(1))
            .cloned()
            .collect();
        let more = page.len() > filter.limit;
        page.truncate(filter.limit);
        (page, more)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn new(network: Network, cid: &str, expires_at: Option<u64>) -> NewFile {
        NewFile {
            network,
            name: Some(format!("file {cid}")),
            cid: cid.to_owned(),
            size: 1,
            number_of_files: 1,
            mime_type: "text/plain".into(),
            keyvalues: BTreeMap::new(),
            group_id: None,
            expires_at,
        }
    }

    #[test]
    fn ids_sort_in_creation_order_even_within_a_millisecond() {
        let store = FileStore::default();
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let ids: Vec<String> = (0..5000)
            .map(|i| {
                store
                    .insert(new(Network::Public, &format!("c{i}"), None), now)
                    .unwrap()
                    .0
                    .id
            })
            .collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
    }

    #[test]
    fn duplicates_per_network_and_expiry() {
        let store = FileStore::default();
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let (a, dup) = store.insert(new(Network::Public, "c", None), now).unwrap();
        assert!(!dup);
        let (b, dup) = store.insert(new(Network::Public, "c", None), now).unwrap();
        assert!(dup);
        assert_eq!(a, b);
        let (p, dup) = store.insert(new(Network::Private, "c", None), now).unwrap();
        assert!(!dup && p.id != a.id);
        // Pending CIDs are never duplicates.
        let one = store
            .insert(new(Network::Public, PENDING, None), now)
            .unwrap();
        let two = store
            .insert(new(Network::Public, PENDING, None), now)
            .unwrap();
        assert!(!one.1 && !two.1 && one.0.id != two.0.id);
        // An expiring file goes once its second has passed, from every index.
        let (e, _) = store
            .insert(new(Network::Public, "e", Some(1_800_000_010)), now)
            .unwrap();
        assert!(store.holds(Network::Public, "e", now + Duration::from_millis(10_999)));
        let later = now + Duration::from_secs(11);
        assert!(!store.holds(Network::Public, "e", later));
        assert_eq!(store.get(Network::Public, &e.id, later), None);
        // The other network's file is not found by id on this one.
        assert_eq!(store.get(Network::Public, &p.id, now), None);
        assert!(store.remove(Network::Private, &p.id, now));
        assert!(!store.remove(Network::Private, &p.id, now));
    }

    #[test]
    fn a_reserved_id_keeps_its_place_unless_the_cid_is_held() {
        let store = FileStore::default();
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let reserved = store.reserve_id(now).unwrap();
        let (later, _) = store.insert(new(Network::Public, "a", None), now).unwrap();
        assert!(reserved < later.id, "reserved first, sorts first");
        let (file, dup) = store
            .insert_as(new(Network::Public, "b", None), Some(reserved.clone()), now)
            .unwrap();
        assert_eq!((file.id.as_str(), dup), (reserved.as_str(), false));
        // The network holds the CID already: the answer is that file.
        let other = store.reserve_id(now).unwrap();
        let (held, dup) = store
            .insert_as(new(Network::Public, "a", None), Some(other), now)
            .unwrap();
        assert_eq!((held.id, dup), (later.id, true));
    }

    #[test]
    fn the_store_is_bounded() {
        let store = FileStore::default();
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        for i in 0..MAX_FILES {
            store
                .insert(new(Network::Private, &i.to_string(), None), now)
                .unwrap();
        }
        assert_eq!(
            store.insert(new(Network::Private, "one more", None), now),
            Err(InsertError::Full)
        );
        // A duplicate is still answered: it adds nothing.
        assert!(
            store
                .insert(new(Network::Private, "7", None), now)
                .unwrap()
                .1
        );
    }
}

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
//! file is deleted between pages.
//!
//! Every upload is a file of its own, even of a CID the network holds already (emulator's choice,
//! as the real service keeps one record per upload and its v3 list shows each): the new file has
//! the new upload's name, key-values, group and expiry, and the upload is answered as a duplicate
//! (`is_duplicate: true`). The content is shared: the network holds a CID while any of its files
//! does ([`FileStore::holds`]), and the gateway and the private marks (`content.rs`) look at the
//! CID, not at one file. CAR uploads' CIDs stay `pending` and are never duplicates.
//!
//! A file whose `expires_at` (Unix seconds) has passed (the clock's whole seconds are past it) is
//! removed: lazily, before every look at the store (each call takes the time and drops what
//! expired first).
//!
//! Bounded: at most [`MAX_FILES`] files, and at most [`MAX_FILE_BYTES`] of what they keep (their
//! [`weight`]s: names, key-values, types, ids). One file weighs at most [`MAX_RECORD_WEIGHT`]
//! (about 26 KiB: a name of 1,024 characters, ten key-values of 1,024-byte keys and values), so
//! [`MAX_FILES`] worst-case files would be about 2.4 GiB; the byte budget caps them at 256 MiB,
//! and ordinary files (well under 2.7 KiB each) reach [`MAX_FILES`] before it.
//!
//! A file's group is checked under the store's lock when it is recorded or moved into a group
//! (`group_exists`), so a group deleted meanwhile never leaves a file pointing at it: the lock
//! order is the file store, then the group store (a group's deletion releases the group store
//! before it takes the file store to ungroup its files).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use pinata_core::api::Network;

use crate::db::{Persist, Table};
use pinata_core::api::files::MAX_FILE_KEYVALUES;

/// The longest file name accepted (characters).
pub(crate) const MAX_NAME: usize = 1024;
/// The longest key-value key or value accepted (bytes; emulator's choice, so that what a file
/// keeps is bounded).
pub(crate) const MAX_KEYVALUE_LEN: usize = 1024;
/// The most files the emulator holds on both networks together (each is kept in memory).
pub(crate) const MAX_FILES: usize = 100_000;
/// The most bytes the files together may weigh ([`weight`]): 256 MiB.
pub(crate) const MAX_FILE_BYTES: usize = 256 * 1024 * 1024;
/// What a file weighs besides its strings: the record, its indexes' entries, a key-value's node
/// (an estimate that errs high).
const RECORD_OVERHEAD: usize = 512;
const KEYVALUE_OVERHEAD: usize = 64;
/// The longest id (a UUID), CID (a CIDv1 of a SHA-256 in base32 is 59 characters; room for more)
/// and group id (a UUID) a file keeps.
const MAX_ID_LEN: usize = 36;
const MAX_CID_LEN: usize = 128;
/// The heaviest one file can be, from the caps every way in enforces: a name of
/// [`MAX_NAME`] characters (at most 4 bytes each), at most
/// [`MAX_FILE_KEYVALUES`] key-values of keys and values of at most
/// [`MAX_KEYVALUE_LEN`] bytes, a MIME type of at most
/// [`pinata_core::api::signed::MAX_MIME_PATTERN_LEN`] bytes, its id, CID and group id.
pub(crate) const MAX_RECORD_WEIGHT: usize = RECORD_OVERHEAD
    + 4 * MAX_NAME
    + MAX_FILE_KEYVALUES * (2 * MAX_KEYVALUE_LEN + KEYVALUE_OVERHEAD)
    + pinata_core::api::signed::MAX_MIME_PATTERN_LEN
    + 2 * MAX_ID_LEN
    + MAX_CID_LEN;

/// The CID of a CAR upload, which the emulator does not read.
pub(crate) const PENDING: &str = "pending";

/// A v3 file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct FileRecord {
    /// Its UUIDv7.
    pub(crate) id: String,
    /// Its network.
    #[serde(with = "crate::db::form::network")]
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
    /// The file would take the store past [`MAX_FILE_BYTES`].
    TooHeavy,
    /// No random bytes for an id.
    NoId,
}

impl From<InsertError> for crate::error::HandleError {
    fn from(e: InsertError) -> Self {
        use crate::error::HandleError;
        match e {
            InsertError::Full => {
                HandleError::full(format!("the emulator holds at most {MAX_FILES} files"))
            }
            InsertError::TooHeavy => HandleError::full(format!(
                "the emulator keeps at most {MAX_FILE_BYTES} bytes of file names, key-values and types"
            )),
            InsertError::NoId => HandleError::io("no random bytes for a file id", None),
        }
    }
}

/// Why an update was not made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UpdateError {
    /// No such file.
    NotFound,
    /// The changes would take the store past [`MAX_FILE_BYTES`].
    TooHeavy,
}

/// What moving a file into or out of a group did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Regrouped {
    /// Done (or nothing to do: the file was not in the group it was taken out of).
    Done,
    /// No such file.
    NoFile,
    /// The group it was to join does not exist (any more).
    NoGroup,
}

// One file is about 26 KiB at most, and MAX_FILES of them would be far past the budget: the
// budget, not MAX_FILES, bounds what the heaviest files keep.
const _: () = assert!(MAX_RECORD_WEIGHT < 26 * 1024);
const _: () = assert!(MAX_FILES * MAX_RECORD_WEIGHT > 9 * MAX_FILE_BYTES);

/// How much memory a file takes, as the store's budget counts it: its strings, plus a fixed
/// estimate per record and per key-value.
pub(crate) fn weight(f: &FileRecord) -> usize {
    RECORD_OVERHEAD
        + f.id.len()
        + f.name.as_ref().map_or(0, String::len)
        + f.cid.len()
        + f.mime_type.len()
        + f.group_id.as_ref().map_or(0, String::len)
        + f.keyvalues
            .iter()
            .map(|(k, v)| k.len() + v.len() + KEYVALUE_OVERHEAD)
            .sum::<usize>()
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

#[derive(Debug)]
struct Inner {
    /// Every file by id: creation order.
    files: BTreeMap<String, FileRecord>,
    /// The files holding each CID of a network, by id (oldest first; never empty; pending CIDs
    /// not included).
    by_cid: HashMap<(Network, String), BTreeSet<String>>,
    /// (expiry, id) of the files that expire, soonest first.
    expiring: BTreeSet<(u64, String)>,
    /// The stamp of the last id made (milliseconds << 12 | counter).
    last_stamp: u64,
    /// The files' [`weight`]s together.
    weight: usize,
    /// The most they may weigh: [`MAX_FILE_BYTES`] (less in tests).
    budget: usize,
    /// Where every change is written.
    db: Persist,
}

impl Default for Inner {
    fn default() -> Self {
        Self {
            files: BTreeMap::new(),
            by_cid: HashMap::new(),
            expiring: BTreeSet::new(),
            last_stamp: 0,
            weight: 0,
            budget: MAX_FILE_BYTES,
            db: Persist::default(),
        }
    }
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
        self.db.delete(Table::Files, id);
        let key = (f.network, f.cid.clone());
        if let Some(held) = self.by_cid.get_mut(&key) {
            held.remove(id);
            if held.is_empty() {
                self.by_cid.remove(&key);
            }
        }
        if let Some(at) = f.expires_at {
            self.expiring.remove(&(at, f.id.clone()));
        }
        self.weight = self.weight.saturating_sub(weight(&f));
        Some(f)
    }

    fn find(&mut self, network: Network, id: &str) -> Option<&mut FileRecord> {
        self.files.get_mut(id).filter(|f| f.network == network)
    }

    /// Adds `file` (its weight already counted) to every index.
    fn index(&mut self, file: FileRecord) {
        if file.cid != PENDING {
            self.by_cid
                .entry((file.network, file.cid.clone()))
                .or_default()
                .insert(file.id.clone());
        }
        if let Some(at) = file.expires_at {
            self.expiring.insert((at, file.id.clone()));
        }
        self.files.insert(file.id.clone(), file);
    }

    /// Ids made from now on come after `id` (one made by an earlier run).
    fn follow(&mut self, id: &str) {
        if let Some(stamp) = crate::ids::uuid_v7_stamp(id) {
            self.last_stamp = self.last_stamp.max(stamp);
        }
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
    /// Reads the files `db` keeps and writes every change there from now on; ids made from now on
    /// come after theirs.
    pub(crate) fn restore(&mut self, db: Persist) -> std::io::Result<()> {
        let inner = self.inner.get_mut().unwrap_or_else(PoisonError::into_inner);
        for (_, file) in db.load::<FileRecord>(Table::Files)? {
            inner.weight = inner.weight.saturating_add(weight(&file));
            inner.follow(&file.id);
            inner.index(file);
        }
        inner.db = db;
        Ok(())
    }

    /// Ids made from now on come after every one of `reserved` (resumable uploads' file ids).
    pub(crate) fn follow<'a>(&self, reserved: impl IntoIterator<Item = &'a str>) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        for id in reserved {
            inner.follow(id);
        }
    }

    /// The CID of the file `id`, on either network (expired ones included).
    pub(crate) fn cid_of(&self, id: &str) -> Option<String> {
        let inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.files.get(id).map(|f| f.cid.clone())
    }

    /// Forgets every file (a reset). Ids keep growing, so none is ever made twice.
    pub(crate) fn clear(&self) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.db.clear(Table::Files);
        inner.files.clear();
        inner.by_cid.clear();
        inner.expiring.clear();
        inner.weight = 0;
    }

    /// The store at `now`, with what expired dropped.
    fn at(&self, now: SystemTime) -> MutexGuard<'_, Inner> {
        // Every update keeps the indexes consistent before it can panic: usable after a panic.
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.sweep(unix_seconds(now));
        inner
    }

    /// A store whose files may weigh at most `budget` bytes (tests of the budget).
    #[cfg(test)]
    fn with_budget(budget: usize) -> Self {
        let store = Self::default();
        store.at(UNIX_EPOCH).budget = budget;
        store
    }

    /// Adds a file: `(file, duplicate)`, `duplicate` when the network held its CID already (in
    /// another file, which stays as it is). Its group is kept only if `group_exists` says so
    /// under the store's lock (a group deleted since the upload checked it leaves the file in
    /// none, as the deletion would have had it come a moment later).
    pub(crate) fn insert(
        &self,
        new: NewFile,
        now: SystemTime,
        group_exists: &dyn Fn(Network, &str) -> bool,
    ) -> Result<(FileRecord, bool), InsertError> {
        self.insert_as(new, None, now, group_exists)
    }

    /// A new file id, in creation order, for a file added later with [`FileStore::insert_as`]
    /// (a resumable upload's: its id is in its upload URL from the start).
    pub(crate) fn reserve_id(&self, now: SystemTime) -> Result<String, InsertError> {
        next_id(&mut self.at(now), now)
    }

    /// [`FileStore::insert`], under the id `reserved` (from [`FileStore::reserve_id`]) when it is
    /// given (and still free).
    pub(crate) fn insert_as(
        &self,
        new: NewFile,
        reserved: Option<String>,
        now: SystemTime,
        group_exists: &dyn Fn(Network, &str) -> bool,
    ) -> Result<(FileRecord, bool), InsertError> {
        let mut inner = self.at(now);
        let key = (new.network, new.cid.clone());
        let duplicate = new.cid != PENDING && inner.by_cid.contains_key(&key);
        if inner.files.len() >= MAX_FILES {
            return Err(InsertError::Full);
        }
        let id = match reserved {
            Some(id) if !inner.files.contains_key(&id) => id,
            _ => next_id(&mut inner, now)?,
        };
        let group_id = new.group_id.filter(|g| group_exists(new.network, g));
        let file = FileRecord {
            id: id.clone(),
            network: new.network,
            name: new.name,
            cid: new.cid,
            size: new.size,
            number_of_files: new.number_of_files,
            mime_type: new.mime_type,
            keyvalues: new.keyvalues,
            group_id,
            created_at: now,
            expires_at: new.expires_at,
        };
        // Every way in caps what a file keeps (before anything is changed: a failure here leaves
        // the store as it was).
        debug_assert!(weight(&file) <= MAX_RECORD_WEIGHT, "{file:?}");
        let total = inner.weight.saturating_add(weight(&file));
        if total > inner.budget {
            return Err(InsertError::TooHeavy);
        }
        inner.weight = total;
        inner.db.put(Table::Files, &id, &file);
        inner.index(file.clone());
        Ok((file, duplicate))
    }

    /// The file `id` on `network`.
    pub(crate) fn get(&self, network: Network, id: &str, now: SystemTime) -> Option<FileRecord> {
        self.at(now).find(network, id).cloned()
    }

    /// The oldest file of `network` holding `cid`.
    pub(crate) fn find_cid(
        &self,
        network: Network,
        cid: &str,
        now: SystemTime,
    ) -> Option<FileRecord> {
        let inner = self.at(now);
        let id = inner.by_cid.get(&(network, cid.to_owned()))?.first()?;
        inner.files.get(id).cloned()
    }

    /// Whether a file of `network` holds `cid`.
    pub(crate) fn holds(&self, network: Network, cid: &str, now: SystemTime) -> bool {
        self.at(now).by_cid.contains_key(&(network, cid.to_owned()))
    }

    /// Applies `changes` to the file `id`.
    pub(crate) fn update(
        &self,
        network: Network,
        id: &str,
        changes: Changes,
        now: SystemTime,
    ) -> Result<FileRecord, UpdateError> {
        let mut inner = self.at(now);
        let (total, budget) = (inner.weight, inner.budget);
        let file = inner.find(network, id).ok_or(UpdateError::NotFound)?;
        let mut changed = file.clone();
        if let Some(name) = changes.name {
            changed.name = Some(name);
        }
        if let Some(kv) = changes.keyvalues {
            changed.keyvalues = kv;
        }
        if let Some(at) = changes.expires_at {
            changed.expires_at = Some(at);
        }
        let total = (total - weight(file).min(total)).saturating_add(weight(&changed));
        if total > budget {
            return Err(UpdateError::TooHeavy);
        }
        let old_expiry = file.expires_at;
        *file = changed.clone();
        inner.weight = total;
        inner.db.put(Table::Files, id, &changed);
        let file = changed;
        if file.expires_at != old_expiry {
            if let Some(at) = old_expiry {
                inner.expiring.remove(&(at, file.id.clone()));
            }
            if let Some(at) = file.expires_at {
                inner.expiring.insert((at, file.id.clone()));
            }
        }
        Ok(file)
    }

    /// Deletes the file `id`; `false` if there is no such file.
    pub(crate) fn remove(&self, network: Network, id: &str, now: SystemTime) -> bool {
        let mut inner = self.at(now);
        if inner.find(network, id).is_none() {
            return false;
        }
        inner.take(id).is_some()
    }

    /// Puts the file `id` in `group` (`Some`, if `group_exists` says so under the store's lock),
    /// or takes it out of the group `from`: a file in another group stays there.
    pub(crate) fn set_group(
        &self,
        network: Network,
        id: &str,
        group: Option<&str>,
        from: &str,
        now: SystemTime,
        group_exists: &dyn Fn(Network, &str) -> bool,
    ) -> Regrouped {
        let mut inner = self.at(now);
        let Some(file) = inner.find(network, id) else {
            return Regrouped::NoFile;
        };
        match group {
            Some(g) if !group_exists(network, g) => return Regrouped::NoGroup,
            Some(g) => {
                // A group id is one the emulator made (a UUID, counted in [`MAX_RECORD_WEIGHT`]):
                // the store may pass its budget by that much per file, and then takes no more.
                let before = file.group_id.as_ref().map_or(0, String::len);
                file.group_id = Some(g.to_owned());
                let after = g.len();
                inner.weight = inner.weight.saturating_add(after).saturating_sub(before);
            }
            None if file.group_id.as_deref() == Some(from) => {
                file.group_id = None;
                inner.weight = inner.weight.saturating_sub(from.len());
            }
            None => return Regrouped::Done,
        }
        if let Some(file) = inner.files.get(id) {
            inner.db.put(Table::Files, id, file);
        }
        Regrouped::Done
    }

    /// Takes every file of `network` out of the group `group` (it was deleted).
    pub(crate) fn ungroup(&self, network: Network, group: &str) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let inner = &mut *inner;
        let mut freed = 0;
        for f in inner.files.values_mut() {
            if f.network == network && f.group_id.as_deref() == Some(group) {
                f.group_id = None;
                inner.db.put(Table::Files, &f.id, f);
                freed += group.len();
            }
        }
        inner.weight = inner.weight.saturating_sub(freed);
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

    /// Every group exists.
    fn any(_: Network, _: &str) -> bool {
        true
    }

    #[test]
    fn ids_sort_in_creation_order_even_within_a_millisecond() {
        let store = FileStore::default();
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let ids: Vec<String> = (0..5000)
            .map(|i| {
                store
                    .insert(new(Network::Public, &format!("c{i}"), None), now, &any)
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
    fn duplicates_are_files_of_their_own_and_expiry() {
        let store = FileStore::default();
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let (a, dup) = store
            .insert(new(Network::Public, "c", None), now, &any)
            .unwrap();
        assert!(!dup);
        // The same CID again: a file of its own with the new upload's fields, as a duplicate.
        let mut again = new(Network::Public, "c", None);
        again.name = Some("again".into());
        again.keyvalues.insert("k".into(), "v".into());
        let (b, dup) = store.insert(again, now, &any).unwrap();
        assert!(dup);
        assert_ne!(a.id, b.id);
        assert_eq!(
            (b.name.as_deref(), b.keyvalues.get("k").map(String::as_str)),
            (Some("again"), Some("v"))
        );
        assert_eq!(store.get(Network::Public, &a.id, now).as_ref(), Some(&a));
        let by_cid = FileFilter {
            cid: Some("c".into()),
            limit: 10,
            ..FileFilter::default()
        };
        assert_eq!(store.list(Network::Public, &by_cid, now).0.len(), 2);
        // The CID is held while any of its files is; the oldest is the one found by CID.
        assert_eq!(store.find_cid(Network::Public, "c", now), Some(a.clone()));
        assert!(store.remove(Network::Public, &a.id, now));
        assert!(store.holds(Network::Public, "c", now));
        assert_eq!(store.find_cid(Network::Public, "c", now), Some(b.clone()));
        assert!(store.remove(Network::Public, &b.id, now));
        assert!(!store.holds(Network::Public, "c", now));
        let (p, dup) = store
            .insert(new(Network::Private, "c", None), now, &any)
            .unwrap();
        assert!(!dup && p.id != a.id, "the other network's CIDs are its own");
        // Pending CIDs are never duplicates.
        let one = store
            .insert(new(Network::Public, PENDING, None), now, &any)
            .unwrap();
        let two = store
            .insert(new(Network::Public, PENDING, None), now, &any)
            .unwrap();
        assert!(!one.1 && !two.1 && one.0.id != two.0.id);
        // An expiring file goes once its second has passed, from every index; a file of the same
        // CID that does not expire stays.
        let (e, _) = store
            .insert(new(Network::Public, "e", Some(1_800_000_010)), now, &any)
            .unwrap();
        assert!(store.holds(Network::Public, "e", now + Duration::from_millis(10_999)));
        let later = now + Duration::from_secs(11);
        assert!(!store.holds(Network::Public, "e", later));
        assert_eq!(store.get(Network::Public, &e.id, later), None);
        store
            .insert(new(Network::Public, "e", Some(1_800_000_020)), later, &any)
            .unwrap();
        let (kept, _) = store
            .insert(new(Network::Public, "e", None), later, &any)
            .unwrap();
        let much_later = now + Duration::from_secs(30);
        assert_eq!(store.find_cid(Network::Public, "e", much_later), Some(kept));
        // The other network's file is not found by id on this one.
        assert_eq!(store.get(Network::Public, &p.id, now), None);
        assert!(store.remove(Network::Private, &p.id, now));
        assert!(!store.remove(Network::Private, &p.id, now));
    }

    #[test]
    fn a_reserved_id_keeps_its_place_even_for_a_duplicate() {
        let store = FileStore::default();
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let reserved = store.reserve_id(now).unwrap();
        let (later, _) = store
            .insert(new(Network::Public, "a", None), now, &any)
            .unwrap();
        assert!(reserved < later.id, "reserved first, sorts first");
        let (file, dup) = store
            .insert_as(
                new(Network::Public, "b", None),
                Some(reserved.clone()),
                now,
                &any,
            )
            .unwrap();
        assert_eq!((file.id.as_str(), dup), (reserved.as_str(), false));
        // The network holds the CID already: a file of its own under the id reserved.
        let other = store.reserve_id(now).unwrap();
        let (held, dup) = store
            .insert_as(
                new(Network::Public, "a", None),
                Some(other.clone()),
                now,
                &any,
            )
            .unwrap();
        assert_eq!((held.id, dup), (other, true));
    }

    #[test]
    fn a_group_deleted_before_the_file_is_recorded_is_not_kept() {
        use std::sync::atomic::{AtomicBool, Ordering};
        let store = FileStore::default();
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        // The upload checked its group; the group is deleted (and its files ungrouped) before
        // the file is recorded.
        let exists = AtomicBool::new(true);
        let group_exists = |_: Network, _: &str| exists.load(Ordering::SeqCst);
        let mut grouped = new(Network::Public, "g", None);
        grouped.group_id = Some("group".into());
        exists.store(false, Ordering::SeqCst);
        store.ungroup(Network::Public, "group");
        let (file, _) = store.insert(grouped, now, &group_exists).unwrap();
        assert_eq!(file.group_id, None, "no dangling group");
        // Nor is a file moved into a group that is gone.
        assert_eq!(
            store.set_group(
                Network::Public,
                &file.id,
                Some("group"),
                "group",
                now,
                &group_exists
            ),
            Regrouped::NoGroup
        );
        assert_eq!(
            store.get(Network::Public, &file.id, now).unwrap().group_id,
            None
        );
        exists.store(true, Ordering::SeqCst);
        assert_eq!(
            store.set_group(
                Network::Public,
                &file.id,
                Some("group"),
                "group",
                now,
                &group_exists
            ),
            Regrouped::Done
        );
        assert_eq!(
            store.set_group(Network::Public, "nope", None, "group", now, &group_exists),
            Regrouped::NoFile
        );
    }

    #[test]
    fn the_store_is_bounded() {
        let store = FileStore::default();
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        for i in 0..MAX_FILES {
            store
                .insert(new(Network::Private, &i.to_string(), None), now, &any)
                .unwrap();
        }
        assert_eq!(
            store.insert(new(Network::Private, "one more", None), now, &any),
            Err(InsertError::Full)
        );
        // A duplicate is a file too.
        assert_eq!(
            store.insert(new(Network::Private, "7", None), now, &any),
            Err(InsertError::Full)
        );
    }

    /// The heaviest file each way in allows.
    fn heaviest(cid: &str) -> NewFile {
        let mut f = new(Network::Public, cid, None);
        f.name = Some("\u{10348}".repeat(MAX_NAME));
        f.mime_type = "a".repeat(pinata_core::api::signed::MAX_MIME_PATTERN_LEN);
        f.group_id = Some("0".repeat(MAX_ID_LEN));
        f.keyvalues = (0..MAX_FILE_KEYVALUES)
            .map(|i| {
                let k = format!("{i:0>width$}", width = MAX_KEYVALUE_LEN);
                (k, "v".repeat(MAX_KEYVALUE_LEN))
            })
            .collect();
        f
    }

    #[test]
    fn what_the_files_keep_is_bounded() {
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        // One file weighs at most MAX_RECORD_WEIGHT, and all of them at most MAX_FILE_BYTES:
        // MAX_FILES of the heaviest would be far more.
        let store = FileStore::default();
        let (f, _) = store.insert(heaviest("h"), now, &any).unwrap();
        assert!(weight(&f) <= MAX_RECORD_WEIGHT, "{}", weight(&f));
        assert!(
            weight(&f) > MAX_RECORD_WEIGHT - 256,
            "the estimate is tight"
        );
        assert_eq!(store.at(now).weight, weight(&f));

        // With a budget of three heavy files, a fourth is refused, and so is an update that
        // would pass it; a deletion makes room again.
        let store = FileStore::with_budget(3 * MAX_RECORD_WEIGHT + 4096);
        let ids: Vec<String> = (0..3)
            .map(|i| {
                store
                    .insert(heaviest(&format!("h{i}")), now, &any)
                    .unwrap()
                    .0
                    .id
            })
            .collect();
        assert_eq!(
            store.insert(heaviest("h3"), now, &any),
            Err(InsertError::TooHeavy)
        );
        let (light, _) = store
            .insert(new(Network::Public, "l", None), now, &any)
            .unwrap();
        let grow = Changes {
            keyvalues: Some(heaviest("x").keyvalues),
            ..Changes::default()
        };
        assert_eq!(
            store.update(Network::Public, &light.id, grow.clone(), now),
            Err(UpdateError::TooHeavy)
        );
        assert_eq!(
            store.get(Network::Public, &light.id, now).as_ref(),
            Some(&light),
            "unchanged"
        );
        assert!(store.remove(Network::Public, &ids[0], now));
        assert!(store.update(Network::Public, &light.id, grow, now).is_ok());
        // The weight follows every change back to nothing.
        for id in &ids[1..] {
            store.remove(Network::Public, id, now);
        }
        store.remove(Network::Public, &light.id, now);
        assert_eq!(store.at(now).weight, 0);
    }
}

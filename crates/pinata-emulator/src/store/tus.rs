//! Resumable (TUS 1.0) uploads (`pinata-v3-api.md` §1.3, §6): the ones in progress, and the ones
//! just finished, by upload token. `api/tus.rs` creates them, extends and ends them; this store
//! only keeps what each stands at.
//!
//! Bounded: at most [`MAX_TUS_UPLOADS`] entries, each with at most [`MAX_METADATA`] bytes of metadata. A full store
//! first drops the finished uploads (oldest first: they are kept only so that a client that lost
//! the final answer can learn the upload's CID with a `HEAD`), and otherwise refuses a new upload.
//! Every upload has a deadline, pushed back by each `PATCH` (the creation's time, or the last
//! `PATCH`'s, or the completion's, plus the store's expiry): past it, the upload is dropped at the
//! next look (lazily, on every TUS request; one being written is never dropped).
//!
//! One request at a time writes an upload: a `PATCH` takes a [`Lease`], released when it is
//! dropped, whatever ended the request (an answer, an error, or the connection going away while
//! the body was read). The offset moves as bytes are written, so what was written before a broken
//! connection stays.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use pinata_core::api::Network;
use pinata_core::cid::CidVersion;

use crate::db::{Persist, Table};

/// The longest `Upload-Metadata` header accepted (bytes; emulator's choice): what one upload
/// keeps of its creation's metadata.
pub(crate) const MAX_METADATA: usize = 16 * 1024;
/// The most resumable uploads kept at once (in progress, or finished and not yet dropped).
pub(crate) const MAX_TUS_UPLOADS: usize = 1_000;
/// The length of an upload's token (hex digits): 128 random bits, the upload's capability.
pub(crate) const UPLOAD_TOKEN_LEN: usize = 32;
/// The most resumable uploads one key may have in progress: those it created, and those created
/// through the upload URLs it signed. A tenth of the store, so no one key fills it.
pub const MAX_TUS_UPLOADS_PER_KEY: usize = MAX_TUS_UPLOADS / 10;

/// What the file will be once its upload completes: the creation's metadata (and the signed URL's
/// bound fields), checked at creation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Plan {
    #[serde(with = "crate::db::form::network")]
    pub(crate) network: Network,
    pub(crate) name: Option<String>,
    pub(crate) mime_type: String,
    pub(crate) keyvalues: BTreeMap<String, String>,
    pub(crate) group_id: Option<String>,
    #[serde(with = "crate::db::form::cid_version")]
    pub(crate) version: CidVersion,
    /// The file's own expiry (Unix seconds), not the upload's.
    pub(crate) expires_at: Option<u64>,
    /// A CAR: received, but not read (its CID is `pending`, as for a multipart CAR).
    pub(crate) car: bool,
}

/// An upload to keep.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct NewUpload {
    /// The file id reserved for it (in its URL from the start).
    pub(crate) file_id: String,
    /// `Upload-Length`.
    pub(crate) length: u64,
    /// `Upload-Metadata` as sent, for `HEAD` to echo.
    pub(crate) metadata: Option<String>,
    pub(crate) plan: Plan,
    /// The key that created it (`None` through a signed URL), for faults scoped to a key.
    pub(crate) creator: Option<String>,
    /// The signed upload URL it holds, if created through one.
    pub(crate) grant: Option<String>,
    /// The key whose cap ([`MAX_TUS_UPLOADS_PER_KEY`]) it counts against: its creator, or the
    /// key that signed the URL it was created through.
    #[serde(default)]
    pub(crate) owner: Option<String>,
    /// When the signed URL it was created through stops being valid (Unix seconds): the upload
    /// is dropped then, finished or not, so a URL never grants more than its validity.
    #[serde(default)]
    pub(crate) url_ends: Option<u64>,
    /// Where its bytes are (not kept in the database: the data directory may have moved).
    #[serde(skip)]
    pub(crate) path: PathBuf,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Entry {
    new: NewUpload,
    /// Bytes written.
    offset: u64,
    /// When it is dropped.
    deadline: SystemTime,
    /// A request holds its lease.
    #[serde(skip)]
    busy: bool,
    /// Its CID, once finished.
    cid: Option<String>,
    /// Creation order, for dropping the oldest finished upload.
    sequence: u64,
}

/// What a request sees of an upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Seen {
    pub(crate) length: u64,
    pub(crate) offset: u64,
    pub(crate) metadata: Option<String>,
    /// Its CID, once finished.
    pub(crate) cid: Option<String>,
    pub(crate) creator: Option<String>,
}

/// An upload dropped from the store: what is left to clean up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dropped {
    /// Its partial file (gone already for a finished upload).
    pub(crate) path: PathBuf,
    /// The signed upload URL it held, to give back (never one a finished upload spent).
    pub(crate) grant: Option<String>,
}

/// Why a lease was not given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LeaseError {
    /// No such upload (unknown, terminated, lost or expired).
    Gone,
    /// It is finished: its CID and length.
    Done { cid: String, length: u64 },
    /// Another request is writing it.
    Busy,
    /// It stands at this offset, not the one asked for.
    Offset(u64),
}

/// Why a new upload was not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// The store is full of uploads in progress.
    Full,
    /// Its key has [`MAX_TUS_UPLOADS_PER_KEY`] uploads in progress.
    KeyFull,
    /// The disk cannot hold it: only `available` bytes are free.
    NoRoom { available: u64 },
}

#[derive(Debug, Default)]
struct Inner {
    uploads: HashMap<String, Entry>,
    next_sequence: u64,
    /// Where each upload is written when it is created, after each `PATCH`, and when it ends.
    db: Persist,
}

impl Inner {
    /// Writes the upload `token` to the database, if it is kept.
    fn save(&self, token: &str) {
        if let Some(e) = self.uploads.get(token) {
            self.db.put(Table::Tus, token, e);
        }
    }

    fn forget(&mut self, token: &str) -> Option<Entry> {
        let e = self.uploads.remove(token)?;
        self.db.delete(Table::Tus, token);
        Some(e)
    }
}

impl Inner {
    fn find(&mut self, token: &str, file_id: &str) -> Option<&mut Entry> {
        self.uploads
            .get_mut(token)
            .filter(|e| e.new.file_id == file_id)
    }
}

/// The resumable uploads, behind one lock, with the largest upload and the expiry they are held
/// to.
#[derive(Debug)]
pub(crate) struct TusStore {
    inner: Mutex<Inner>,
    max_length: u64,
    expiry: Duration,
}

impl TusStore {
    /// A store for uploads of at most `max_length` bytes, each dropped `expiry` after its last use.
    pub(crate) fn new(max_length: u64, expiry: Duration) -> Self {
        Self {
            inner: Mutex::default(),
            max_length,
            expiry,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every update is an insert, a removal or a few field writes: consistent after any panic.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reads the uploads `db` keeps (each upload's bytes at `path_of(token)`) and writes every
    /// change there from now on. An upload in progress stands at what its file holds (the last
    /// run may have written past the offset it saved). One whose partial file is gone either
    /// finished as the last run stopped (its file record exists: `finished(file_id)` gives its
    /// CID, and it is kept as finished) or is dropped.
    pub(crate) fn restore(
        &mut self,
        db: Persist,
        path_of: impl Fn(&str) -> PathBuf,
        finished: impl Fn(&str) -> Option<String>,
    ) -> std::io::Result<()> {
        let inner = self.inner.get_mut().unwrap_or_else(PoisonError::into_inner);
        for (token, mut e) in db.load::<Entry>(Table::Tus)? {
            e.new.path = path_of(&token);
            if e.cid.is_none() {
                // The file's own length (the content store refused a link there at start-up).
                match std::fs::symlink_metadata(&e.new.path) {
                    Ok(m) => e.offset = m.len().min(e.new.length),
                    Err(gone) if gone.kind() == std::io::ErrorKind::NotFound => {
                        match finished(&e.new.file_id) {
                            Some(cid) => {
                                e.cid = Some(cid);
                                e.offset = e.new.length;
                                db.put(Table::Tus, &token, &e);
                            }
                            None => {
                                db.delete(Table::Tus, &token);
                                continue;
                            }
                        }
                    }
                    Err(e) => return Err(e),
                }
            }
            inner.next_sequence = inner.next_sequence.max(e.sequence + 1);
            inner.uploads.insert(token, e);
        }
        inner.db = db;
        Ok(())
    }

    /// Every upload's token, file id, and the signed upload URL it holds (if in progress).
    pub(crate) fn kept(&self) -> Vec<(String, String, Option<String>)> {
        let inner = self.lock();
        inner
            .uploads
            .iter()
            .map(|(token, e)| {
                let grant = e.cid.is_none().then(|| e.new.grant.clone()).flatten();
                (token.clone(), e.new.file_id.clone(), grant)
            })
            .collect()
    }

    /// The largest `Upload-Length` accepted.
    pub(crate) fn max_length(&self) -> u64 {
        self.max_length
    }

    /// `now` plus the expiry (a validated expiry is at most 30 days; were it to overflow, the
    /// deadline would be now).
    fn deadline(&self, now: SystemTime) -> SystemTime {
        now.checked_add(self.expiry).unwrap_or(now)
    }

    /// The deadline of an upload in progress written at `now`: [`TusStore::deadline`], but no
    /// later than the end of the signed URL it was created through.
    fn deadline_of(&self, new: &NewUpload, now: SystemTime) -> SystemTime {
        let deadline = self.deadline(now);
        match new.url_ends {
            // Valid through its last second (`signed::in_window`).
            Some(ends) => {
                deadline.min(SystemTime::UNIX_EPOCH + Duration::from_secs(ends.saturating_add(1)))
            }
            None => deadline,
        }
    }

    /// Drops every upload whose deadline has passed (none being written): what to clean up.
    pub(crate) fn sweep(&self, now: SystemTime) -> Vec<Dropped> {
        let mut inner = self.lock();
        let expired: Vec<String> = inner
            .uploads
            .iter()
            .filter(|(_, e)| !e.busy && e.deadline <= now)
            .map(|(token, _)| token.clone())
            .collect();
        expired
            .iter()
            .filter_map(|token| inner.forget(token).map(dropped))
            .collect()
    }

    /// Keeps `new` under `token`, making room by dropping the oldest finished upload when the
    /// store is full (expired ones are dropped by [`TusStore::sweep`] first). Refused when every
    /// upload kept is in progress, when `new`'s key has [`MAX_TUS_UPLOADS_PER_KEY`] in progress,
    /// or when its length is more than `available` (the disk's free bytes, if known).
    pub(crate) fn insert(
        &self,
        token: String,
        new: NewUpload,
        now: SystemTime,
        available: Option<u64>,
    ) -> Result<(), Refused> {
        let deadline = self.deadline_of(&new, now);
        let mut inner = self.lock();
        let in_progress = || inner.uploads.values().filter(|e| e.cid.is_none());
        if let Some(owner) = &new.owner
            && in_progress()
                .filter(|e| e.new.owner.as_ref() == Some(owner))
                .count()
                >= MAX_TUS_UPLOADS_PER_KEY
        {
            return Err(Refused::KeyFull);
        }
        // Only what the disk holds now: lengths declared by the uploads in progress are not
        // set aside, or a key could keep the disk "full" by declaring without sending.
        if let Some(available) = available
            && new.length > available
        {
            return Err(Refused::NoRoom { available });
        }
        if inner.uploads.len() >= MAX_TUS_UPLOADS {
            let oldest_done = inner
                .uploads
                .iter()
                .filter(|(_, e)| e.cid.is_some())
                .min_by_key(|(_, e)| e.sequence)
                .map(|(token, _)| token.clone());
            match oldest_done {
                // A finished upload holds no file and no signed URL: nothing to clean up.
                Some(old) => {
                    inner.forget(&old);
                }
                None => return Err(Refused::Full),
            }
        }
        let sequence = inner.next_sequence;
        inner.next_sequence += 1;
        inner.uploads.insert(
            token.clone(),
            Entry {
                new,
                offset: 0,
                deadline,
                busy: false,
                cid: None,
                sequence,
            },
        );
        inner.save(&token);
        Ok(())
    }

    /// The upload `token`, if its file id is `file_id`.
    pub(crate) fn seen(&self, token: &str, file_id: &str) -> Option<Seen> {
        let mut inner = self.lock();
        let e = inner.find(token, file_id)?;
        Some(Seen {
            length: e.new.length,
            offset: e.offset,
            metadata: e.new.metadata.clone(),
            cid: e.cid.clone(),
            creator: e.new.creator.clone(),
        })
    }

    /// Takes the upload for writing from `offset` (at which it must stand), pushing its deadline
    /// back.
    pub(crate) fn lease(
        &self,
        token: &str,
        file_id: &str,
        offset: u64,
        now: SystemTime,
    ) -> Result<Lease<'_>, LeaseError> {
        let mut inner = self.lock();
        let e = inner.find(token, file_id).ok_or(LeaseError::Gone)?;
        // Past its deadline (its signed URL's end, say) but not swept yet: gone all the same.
        if e.cid.is_none() && e.deadline <= now {
            return Err(LeaseError::Gone);
        }
        let deadline = self.deadline_of(&e.new, now);
        if let Some(cid) = &e.cid {
            return Err(LeaseError::Done {
                cid: cid.clone(),
                length: e.new.length,
            });
        }
        if e.busy {
            return Err(LeaseError::Busy);
        }
        if e.offset != offset {
            return Err(LeaseError::Offset(e.offset));
        }
        e.busy = true;
        e.deadline = deadline;
        Ok(Lease {
            store: self,
            token: token.to_owned(),
            upload: e.new.clone(),
            offset: e.offset,
        })
    }

    /// Forgets every upload (a reset). A request writing one finds it gone at its next write and
    /// removes what it wrote; the partial files of the others go with the content store's
    /// [`clear`](crate::store::content::ContentStore::clear).
    pub(crate) fn clear(&self) {
        let mut inner = self.lock();
        inner.uploads.clear();
        inner.db.clear(Table::Tus);
    }

    /// Forgets the upload (terminated, or lost by a fault): what to clean up. A request writing it
    /// finds it gone at its next write.
    pub(crate) fn remove(&self, token: &str, file_id: &str) -> Option<Dropped> {
        let mut inner = self.lock();
        inner.find(token, file_id)?;
        inner.forget(token).map(dropped)
    }
}

fn dropped(e: Entry) -> Dropped {
    Dropped {
        grant: if e.cid.is_some() { None } else { e.new.grant },
        path: e.new.path,
    }
}

/// One request's hold on an upload, to write it: released when dropped.
#[derive(Debug)]
pub(crate) struct Lease<'s> {
    store: &'s TusStore,
    token: String,
    /// The upload as created.
    pub(crate) upload: NewUpload,
    /// Bytes written so far.
    pub(crate) offset: u64,
}

impl Lease<'_> {
    /// `n` more bytes are on disk: `false` when the upload is gone (terminated, lost) meanwhile.
    pub(crate) fn advance(&mut self, n: u64) -> bool {
        self.set_offset(self.offset.saturating_add(n))
    }

    /// Back to `offset` (what a refused `PATCH` wrote is dropped): `false` when the upload is gone.
    pub(crate) fn rewind(&mut self, offset: u64) -> bool {
        self.set_offset(offset)
    }

    fn set_offset(&mut self, offset: u64) -> bool {
        let mut inner = self.store.lock();
        match inner.uploads.get_mut(&self.token) {
            Some(e) => {
                e.offset = offset;
                self.offset = offset;
                true
            }
            None => false,
        }
    }

    /// The upload's token.
    pub(crate) fn token(&self) -> &str {
        &self.token
    }

    /// Whether the upload is still kept.
    pub(crate) fn alive(&self) -> bool {
        self.store.lock().uploads.contains_key(&self.token)
    }

    /// The upload is finished with `cid`: kept (for `HEAD`) until the expiry from `now`. The
    /// signed URL it held, to spend.
    pub(crate) fn complete(self, cid: String, now: SystemTime) -> Option<String> {
        let deadline = self.store.deadline(now);
        let mut inner = self.store.lock();
        let e = inner.uploads.get_mut(&self.token)?;
        e.cid = Some(cid);
        e.offset = e.new.length;
        e.deadline = deadline;
        let grant = e.new.grant.take();
        inner.save(&self.token);
        grant
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        let mut inner = self.store.lock();
        match inner.uploads.get_mut(&self.token) {
            Some(e) => {
                e.busy = false;
                // Where this request left it (its offset and deadline), for a restart.
                inner.save(&self.token);
            }
            None => {
                drop(inner);
                // Forgotten while this request wrote it: what it wrote goes too (a finished
                // upload's file was moved into the content store, and is not here any more).
                let _ = std::fs::remove_file(&self.upload.path);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn upload(i: usize) -> NewUpload {
        NewUpload {
            file_id: format!("file-{i}"),
            length: 10,
            metadata: None,
            plan: Plan {
                network: Network::Private,
                name: None,
                mime_type: "text/plain".into(),
                keyvalues: BTreeMap::new(),
                group_id: None,
                version: CidVersion::V1,
                expires_at: None,
                car: false,
            },
            creator: None,
            grant: Some(format!("grant-{i}")),
            owner: None,
            url_ends: None,
            path: PathBuf::from(format!("/nonexistent/pinata-emulator-tus-test/{i}")),
        }
    }

    fn t(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_800_000_000 + secs)
    }

    #[test]
    fn leases_are_exclusive_and_check_the_offset() {
        let store = TusStore::new(100, Duration::from_secs(60));
        store.insert("a".into(), upload(0), t(0), None).unwrap();
        assert_eq!(
            store.lease("a", "file-9", 0, t(0)).unwrap_err(),
            LeaseError::Gone,
            "the file id must match"
        );
        assert_eq!(
            store.lease("a", "file-0", 3, t(0)).unwrap_err(),
            LeaseError::Offset(0)
        );
        let mut lease = store.lease("a", "file-0", 0, t(0)).unwrap();
        assert_eq!(
            store.lease("a", "file-0", 0, t(0)).unwrap_err(),
            LeaseError::Busy
        );
        assert!(lease.advance(4));
        assert_eq!(store.seen("a", "file-0").unwrap().offset, 4);
        drop(lease);
        let mut lease = store.lease("a", "file-0", 4, t(0)).unwrap();
        assert!(lease.advance(6));
        assert_eq!(lease.complete("bafy".into(), t(1)), Some("grant-0".into()));
        assert_eq!(
            store.lease("a", "file-0", 10, t(1)).unwrap_err(),
            LeaseError::Done {
                cid: "bafy".into(),
                length: 10
            }
        );
        // A finished upload's signed URL was spent: dropping it gives nothing back.
        assert_eq!(store.remove("a", "file-0").unwrap().grant, None);
        assert!(store.seen("a", "file-0").is_none());
    }

    #[test]
    fn a_forgotten_upload_stops_its_writer() {
        let store = TusStore::new(100, Duration::from_secs(60));
        store.insert("a".into(), upload(0), t(0), None).unwrap();
        let mut lease = store.lease("a", "file-0", 0, t(0)).unwrap();
        let gone = store.remove("a", "file-0").unwrap();
        assert_eq!(gone.grant.as_deref(), Some("grant-0"));
        assert!(!lease.advance(1));
        assert!(!lease.alive());
    }

    #[test]
    fn uploads_expire_after_their_last_use_but_never_while_written() {
        let store = TusStore::new(100, Duration::from_secs(60));
        store.insert("a".into(), upload(0), t(0), None).unwrap();
        store.insert("b".into(), upload(1), t(0), None).unwrap();
        assert!(store.sweep(t(59)).is_empty());
        // `b` is written at 30 s: its deadline moves to 90 s.
        let lease = store.lease("b", "file-1", 0, t(30)).unwrap();
        let dropped = store.sweep(t(60));
        assert_eq!(dropped.len(), 1);
        assert_eq!(dropped[0].grant.as_deref(), Some("grant-0"));
        assert!(store.sweep(t(1000)).is_empty(), "being written");
        drop(lease);
        assert_eq!(store.sweep(t(1000)).len(), 1);
        assert!(store.seen("b", "file-1").is_none());
    }

    #[test]
    fn the_store_is_bounded() {
        let store = TusStore::new(100, Duration::from_secs(60));
        for i in 0..MAX_TUS_UPLOADS {
            store
                .insert(format!("t{i}"), upload(i), t(0), None)
                .unwrap();
        }
        assert_eq!(
            store.insert("x".into(), upload(9999), t(0), None),
            Err(Refused::Full)
        );
        // A finished upload makes room (the oldest one).
        for i in [7, 3] {
            let lease = store
                .lease(&format!("t{i}"), &format!("file-{i}"), 0, t(0))
                .unwrap();
            lease.complete("bafy".into(), t(0));
        }
        store.insert("x".into(), upload(9999), t(0), None).unwrap();
        assert!(store.seen("t3", "file-3").is_none());
        assert!(store.seen("t7", "file-7").is_some());
        // Expired ones go at the sweep, before any insert.
        assert_eq!(store.sweep(t(60)).len(), MAX_TUS_UPLOADS);
        store.insert("y".into(), upload(1), t(60), None).unwrap();
    }

    fn owned(i: usize, owner: &str, length: u64) -> NewUpload {
        NewUpload {
            owner: Some(owner.into()),
            length,
            ..upload(i)
        }
    }

    #[test]
    fn no_key_fills_the_store() {
        let store = TusStore::new(u64::MAX, Duration::from_secs(60));
        for i in 0..MAX_TUS_UPLOADS_PER_KEY {
            store
                .insert(format!("a{i}"), owned(i, "greedy", 1), t(0), None)
                .unwrap();
        }
        assert_eq!(
            store.insert("more".into(), owned(0, "greedy", 1), t(0), None),
            Err(Refused::KeyFull)
        );
        // Another key, and an upload with no owner, still get theirs.
        store
            .insert("other".into(), owned(0, "admin", 1), t(0), None)
            .unwrap();
        // A finished upload no longer counts against its key.
        store
            .lease("a0", "file-0", 0, t(0))
            .unwrap()
            .complete("bafy".into(), t(0));
        store
            .insert("again".into(), owned(0, "greedy", 1), t(0), None)
            .unwrap();
    }

    #[test]
    fn an_upload_must_fit_on_the_disk() {
        let store = TusStore::new(u64::MAX, Duration::from_secs(60));
        assert_eq!(
            store.insert("huge".into(), owned(0, "k", 1_001), t(0), Some(1_000)),
            Err(Refused::NoRoom { available: 1_000 })
        );
        store
            .insert("a".into(), owned(1, "k", 1_000), t(0), Some(1_000))
            .unwrap();
        // Declared lengths are not set aside: only bytes written take room.
        store
            .insert("b".into(), owned(2, "k", 1_000), t(0), Some(1_000))
            .unwrap();
        store
            .insert("c".into(), owned(3, "k", 5), t(0), None)
            .unwrap();
    }

    #[test]
    fn an_upload_through_a_signed_url_ends_with_the_url() {
        let store = TusStore::new(100, Duration::from_secs(3_600));
        let ends = t(30)
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap();
        let new = NewUpload {
            url_ends: Some(ends),
            ..upload(0)
        };
        store.insert("a".into(), new, t(0), None).unwrap();
        // Written within the URL's validity: the deadline stays at the URL's end, not an hour on.
        drop(store.lease("a", "file-0", 0, t(20)).unwrap());
        assert_eq!(
            store.lease("a", "file-0", 0, t(31)).err(),
            Some(LeaseError::Gone)
        );
        assert_eq!(store.sweep(t(31)).len(), 1);
    }
}

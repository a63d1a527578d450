//! Signed upload URLs, by uuid: what each grants (the fields bound at signing), until when, which
//! key signed it, and its one use: unused, in use by an upload (a resumable one holds it until it
//! settles), or used. `api/signed.rs` signs them and checks their signatures.
//!
//! Bounded: at most [`MAX_SIGNED_UPLOADS`] URLs. With that many kept, a new one first drops the
//! expired ones (unless in use), then the used ones (oldest first), and otherwise is refused.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};

use pinata_core::api::Network;
use pinata_core::api::signed::mime_pattern_allows;
use serde::{Deserialize, Serialize};

use crate::db::{Persist, Table};

/// The most upload URLs kept at once.
pub(crate) const MAX_SIGNED_UPLOADS: usize = 10_000;

/// What an upload URL grants: the fields bound at signing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Grant {
    /// The network the file goes to.
    #[serde(with = "crate::db::form::network")]
    pub(crate) network: Network,
    /// The file's name (`filename` at signing).
    pub(crate) name: Option<String>,
    /// The group it joins.
    pub(crate) group_id: Option<String>,
    /// Its key-values.
    pub(crate) keyvalues: BTreeMap<String, String>,
    /// The most bytes of file content.
    pub(crate) max_file_size: Option<u64>,
    /// The MIME types allowed (any when empty).
    pub(crate) allow_mime_types: Vec<String>,
}

impl Grant {
    /// Whether the grant allows an upload of `detected` (`directory` for a folder): any type when
    /// it names none, else one of its patterns as pinata-core matches them.
    pub(crate) fn allows(&self, detected: &str) -> bool {
        self.allow_mime_types.is_empty()
            || self
                .allow_mime_types
                .iter()
                .any(|p| mime_pattern_allows(p, detected))
    }
}

/// Where an upload URL stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Use {
    Unused,
    InFlight,
    Used,
}

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    grant: Grant,
    /// When it stops being valid (Unix seconds).
    ends: u64,
    /// The key that signed it: resumable uploads through it count against that key's cap.
    #[serde(default)]
    signer: Option<String>,
    state: Use,
    /// Signing order, for dropping the oldest.
    sequence: u64,
}

#[derive(Debug, Default)]
struct Inner {
    grants: HashMap<String, Entry>,
    next_sequence: u64,
    /// Where every change is written.
    db: Persist,
}

/// The upload URLs signed and not yet dropped, by uuid.
#[derive(Debug, Default)]
pub(crate) struct GrantStore {
    inner: Mutex<Inner>,
}

impl GrantStore {
    /// Reads the signed upload URLs `db` keeps and writes every change there from now on. A URL
    /// in use by an upload of the last run is free again, unless a resumable upload in `held`
    /// (restored before) still holds it.
    pub(crate) fn restore(
        &mut self,
        db: Persist,
        held: &std::collections::HashSet<String>,
    ) -> std::io::Result<()> {
        let inner = self.inner.get_mut().unwrap_or_else(PoisonError::into_inner);
        for (id, mut entry) in db.load::<Entry>(Table::Grants)? {
            if entry.state == Use::InFlight && !held.contains(&id) {
                entry.state = Use::Unused;
            }
            inner.next_sequence = inner.next_sequence.max(entry.sequence + 1);
            inner.grants.insert(id, entry);
        }
        inner.db = db;
        Ok(())
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every update is an insert, a removal or one field write: consistent after any panic.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Forgets every signed upload URL (a reset): each is refused from then on, and an upload still
    /// using one finds nothing to settle.
    pub(crate) fn clear(&self) {
        let mut inner = self.lock();
        inner.grants.clear();
        inner.db.clear(Table::Grants);
    }

    /// Ends the use of the URL `id` held by [`GrantUse::hold`] (or a [`GrantUse`] dropped): spent
    /// when its upload succeeded, else free for another upload.
    pub(crate) fn settle(&self, id: &str, spent: bool) {
        let mut guard = self.lock();
        let inner = &mut *guard;
        if let Some(e) = inner.grants.get_mut(id) {
            e.state = if spent { Use::Used } else { Use::Unused };
            inner.db.put(Table::Grants, id, e);
        }
    }

    /// Keeps `signed` under `id`, making room as the module says (at `now`, in Unix seconds);
    /// `false` when there is none.
    pub(crate) fn insert(&self, id: String, signed: SignedUpload, now: u64) -> bool {
        let mut guard = self.lock();
        let inner = &mut *guard;
        if inner.grants.len() >= MAX_SIGNED_UPLOADS {
            let db = &inner.db;
            inner.grants.retain(|id, e| {
                let keep = e.ends >= now || e.state == Use::InFlight;
                if !keep {
                    db.delete(Table::Grants, id);
                }
                keep
            });
        }
        if inner.grants.len() >= MAX_SIGNED_UPLOADS {
            let oldest_used = inner
                .grants
                .iter()
                .filter(|(_, e)| e.state == Use::Used)
                .min_by_key(|(_, e)| e.sequence)
                .map(|(id, _)| id.clone());
            match oldest_used {
                Some(old) => {
                    inner.grants.remove(&old);
                    inner.db.delete(Table::Grants, &old);
                }
                None => return false,
            }
        }
        let sequence = inner.next_sequence;
        inner.next_sequence += 1;
        let entry = Entry {
            grant: signed.grant,
            ends: signed.ends,
            signer: signed.signer,
            state: Use::Unused,
            sequence,
        };
        inner.db.put(Table::Grants, &id, &entry);
        inner.grants.insert(id, entry);
        true
    }

    /// Takes the one use of the URL `id`, once `check` (given what it grants: its signature is
    /// checked against that) says yes, and while no upload is using it or has used it.
    pub(crate) fn claim<E>(
        &self,
        id: &str,
        check: impl FnOnce(&Grant) -> Result<(), E>,
    ) -> Result<GrantUse<'_>, ClaimError<E>> {
        let mut guard = self.lock();
        let inner = &mut *guard;
        let Some(entry) = inner.grants.get_mut(id) else {
            return Err(ClaimError::Unknown);
        };
        check(&entry.grant).map_err(ClaimError::Refused)?;
        match entry.state {
            Use::Unused => {}
            Use::InFlight => return Err(ClaimError::InFlight),
            Use::Used => return Err(ClaimError::Used),
        }
        entry.state = Use::InFlight;
        inner.db.put(Table::Grants, id, entry);
        Ok(GrantUse {
            store: self,
            id: id.to_owned(),
            ends: entry.ends,
            signer: entry.signer.clone(),
            grant: entry.grant.clone(),
            spent: false,
            held: false,
        })
    }
}

/// An upload URL as signed: what it grants, until when, and by which key.
#[derive(Debug, Clone)]
pub(crate) struct SignedUpload {
    /// What it grants.
    pub(crate) grant: Grant,
    /// When it stops being valid (Unix seconds).
    pub(crate) ends: u64,
    /// The key that signed it.
    pub(crate) signer: Option<String>,
}

/// Why an upload URL's use was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ClaimError<E> {
    /// No such URL is kept.
    Unknown,
    /// The check of its grant said no.
    Refused(E),
    /// An upload through it is in progress.
    InFlight,
    /// It has been used.
    Used,
}

/// An upload URL's one use, held while its upload runs: [`GrantUse::finish`] spends it on
/// success; otherwise (a failure, or the upload dropped mid-way) the URL may be used again.
pub(crate) struct GrantUse<'s> {
    store: &'s GrantStore,
    id: String,
    grant: Grant,
    /// When the URL stops being valid (Unix seconds).
    ends: u64,
    /// The key that signed the URL.
    signer: Option<String>,
    spent: bool,
    /// Kept in flight past this request (a resumable upload settles it later).
    held: bool,
}

impl GrantUse<'_> {
    /// What the URL grants.
    pub(crate) fn grant(&self) -> &Grant {
        &self.grant
    }

    /// When the URL stops being valid (Unix seconds): a resumable upload through it ends then.
    pub(crate) fn ends(&self) -> u64 {
        self.ends
    }

    /// The key that signed the URL (`None` for a URL kept by an older emulator).
    pub(crate) fn signer(&self) -> Option<&str> {
        self.signer.as_deref()
    }

    /// Ends the use: the URL is spent when the upload `succeeded`.
    pub(crate) fn finish(mut self, succeeded: bool) {
        self.spent = succeeded;
    }

    /// Keeps the URL in use after this request: a resumable upload holds it until it settles it
    /// with [`GrantStore::settle`], under the id returned.
    pub(crate) fn hold(mut self) -> String {
        self.held = true;
        std::mem::take(&mut self.id)
    }
}

impl Drop for GrantUse<'_> {
    fn drop(&mut self) {
        if !self.held {
            self.store.settle(&self.id, self.spent);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pinata_core::api::signed::is_mime_pattern;

    fn grant(types: &[&str]) -> Grant {
        Grant {
            network: Network::Public,
            name: None,
            group_id: None,
            keyvalues: BTreeMap::new(),
            max_file_size: None,
            allow_mime_types: types.iter().map(|t| (*t).to_owned()).collect(),
        }
    }

    #[test]
    fn mime_patterns_and_directories() {
        assert!(grant(&[]).allows("directory"));
        assert!(grant(&[]).allows("image/png"));
        for wildcard in ["*", "*/*"] {
            assert!(grant(&[wildcard]).allows("text/plain"), "{wildcard}");
            assert!(!grant(&[wildcard]).allows("directory"), "{wildcard}");
        }
        assert!(grant(&["image/*"]).allows("image/png"));
        assert!(grant(&["IMAGE/*"]).allows("image/png"));
        assert!(!grant(&["image/*"]).allows("text/plain"));
        assert!(grant(&["text/plain"]).allows("text/plain"));
        assert!(!grant(&["text/plain"]).allows("text/html"));
        assert!(grant(&["directory"]).allows("directory"));
        for alias in ["application/x-directory", "inode/directory"] {
            assert!(!grant(&[alias]).allows("directory"), "{alias}");
        }
        // A file may claim a directory alias as its type; only a grant naming it allows that.
        assert!(grant(&["inode/directory"]).allows("inode/directory"));
        assert!(!grant(&["directory"]).allows("inode/directory"));
        // Parameters and case in the detected type do not matter.
        assert!(grant(&["text/plain"]).allows("Text/Plain; charset=utf-8"));
    }

    #[test]
    fn the_grant_agrees_with_the_client_on_every_pattern() {
        let patterns = [
            "*",
            "*/*",
            "directory",
            "image/*",
            "IMAGE/*",
            "text/plain",
            "Text/Plain",
            "text/*",
            "application/x-directory",
            "inode/directory",
            "application/vnd.ipld.car",
        ];
        let types = [
            "directory",
            "text/plain",
            "text/html",
            "image/png",
            "application/octet-stream",
            "application/x-directory",
            "inode/directory",
            "application/vnd.ipld.car",
        ];
        for p in patterns {
            assert!(is_mime_pattern(p), "{p}");
            for t in types {
                assert_eq!(grant(&[p]).allows(t), mime_pattern_allows(p, t), "{p} {t}");
            }
        }
    }

    fn signed(grant: &Grant, ends: u64) -> SignedUpload {
        SignedUpload {
            grant: grant.clone(),
            ends,
            signer: None,
        }
    }

    #[test]
    fn the_grant_store_is_bounded() {
        let store = GrantStore::default();
        let g = grant(&[]);
        for i in 0..MAX_SIGNED_UPLOADS {
            assert!(store.insert(i.to_string(), signed(&g, 1000 + i as u64), 0));
        }
        // Full of valid, unused URLs: refused.
        assert!(!store.insert("x".into(), signed(&g, 9000), 0));
        // Once one has expired, it makes room (and only it goes).
        assert!(store.insert("x".into(), signed(&g, 9000), 1001));
        assert!(!store.lock().grants.contains_key("0"));
        assert_eq!(store.lock().grants.len(), MAX_SIGNED_UPLOADS);
        // A used URL goes before a refusal; an unused one never does.
        if let Some(e) = store.lock().grants.get_mut("5") {
            e.state = Use::Used;
        }
        assert!(store.insert("y".into(), signed(&g, 9000), 1001));
        assert!(!store.lock().grants.contains_key("5"));
        assert!(!store.insert("z".into(), signed(&g, 9000), 1001));
    }
}

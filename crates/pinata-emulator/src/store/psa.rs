//! `/psa` pin requests (the IPFS Pinning Service API's): what each asked to pin, when (`created`,
//! unique to the millisecond, the paging key) and the pin job it is (its status is read from the
//! job, in the pin store). Kept oldest first; a replacement is a new request in place of the old.
//!
//! Bounded: at most [`MAX_PSA_REQUESTS`] requests, each holding at most [`MAX_PSA_PIN_BYTES`] of
//! text.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::db::{Persist, Table};

/// Pin requests kept at most (the job queue's own cap, `MAX_JOBS`, applies to their jobs too).
pub(crate) const MAX_PSA_REQUESTS: usize = 10_000;
/// The most text one pin may hold: its CID, name, origins and meta keys and values together
/// (emulator's choice, so the table stays small: at most 160 MiB).
pub(crate) const MAX_PSA_PIN_BYTES: usize = 16 * 1024;
/// What to pin, as the request gave it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct PinSpec {
    /// The CID.
    pub(crate) cid: String,
    /// Its name.
    pub(crate) name: Option<String>,
    /// Multiaddrs of peers that hold the content.
    pub(crate) origins: Vec<String>,
    /// Free-form metadata.
    pub(crate) meta: BTreeMap<String, String>,
}

/// One pin request.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct PsaRequest {
    /// Its request id.
    pub(crate) id: String,
    /// Its pin job's id.
    pub(crate) job: String,
    /// Unique, to the millisecond: the paging key.
    pub(crate) created: SystemTime,
    /// What it pins.
    pub(crate) pin: PinSpec,
}

#[derive(Debug, Default)]
struct Inner {
    /// Oldest first (`created` only grows).
    requests: Vec<PsaRequest>,
    /// The last `created` given out.
    last_created: Option<SystemTime>,
}

/// The pin requests, behind one lock (never held with the pin store's).
#[derive(Debug, Default)]
pub(crate) struct PsaStore {
    inner: Mutex<Inner>,
    /// Where every change is written (under the lock).
    db: Persist,
}

/// Why a request could not be recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// The store holds [`MAX_PSA_REQUESTS`] already.
    Full,
    /// The request to replace is gone.
    Missing,
}

impl PsaStore {
    /// Reads the requests `db` keeps and writes every change there from now on.
    pub(crate) fn restore(&mut self, db: Persist) -> std::io::Result<()> {
        let inner = self.inner.get_mut().unwrap_or_else(PoisonError::into_inner);
        for (_, request) in db.load::<PsaRequest>(Table::Psa)? {
            inner.last_created = inner.last_created.max(Some(request.created));
            inner.requests.push(request);
        }
        self.db = db;
        Ok(())
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Each update is a push or a removal; a poisoned lock still guards whole records.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Forgets every request (a reset). `created` keeps growing.
    pub(crate) fn clear(&self) {
        let mut inner = self.lock();
        inner.requests.clear();
        self.db.clear(Table::Psa);
    }

    /// Records a request for `pin` made at `now`, in place of `replacing` if given; returns it and
    /// the request it replaced.
    pub(crate) fn insert(
        &self,
        id: String,
        job: String,
        pin: PinSpec,
        now: SystemTime,
        replacing: Option<&str>,
    ) -> Result<(PsaRequest, Option<PsaRequest>), Refused> {
        let mut inner = self.lock();
        let old = match replacing {
            Some(old) => {
                let at = inner
                    .requests
                    .iter()
                    .position(|r| r.id == old)
                    .ok_or(Refused::Missing)?;
                let old = inner.requests.remove(at);
                self.db.delete(Table::Psa, &old.id);
                Some(old)
            }
            None if inner.requests.len() >= MAX_PSA_REQUESTS => return Err(Refused::Full),
            None => None,
        };
        // Whole milliseconds, as written; one more than the last when the clock has not moved on.
        let ms = now
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis();
        let mut created = UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(u64::MAX));
        if let Some(last) = inner.last_created
            && created <= last
        {
            created = last + Duration::from_millis(1);
        }
        inner.last_created = Some(created);
        let request = PsaRequest {
            id,
            job,
            created,
            pin,
        };
        self.db.put(Table::Psa, &request.id, &request);
        inner.requests.push(request.clone());
        Ok((request, old))
    }

    /// The request `id`.
    pub(crate) fn get(&self, id: &str) -> Option<PsaRequest> {
        self.lock().requests.iter().find(|r| r.id == id).cloned()
    }

    /// Removes the request `id`, and returns it.
    pub(crate) fn remove(&self, id: &str) -> Option<PsaRequest> {
        let mut inner = self.lock();
        let at = inner.requests.iter().position(|r| r.id == id)?;
        self.db.delete(Table::Psa, id);
        Some(inner.requests.remove(at))
    }

    /// Whether a request names `cid`.
    pub(crate) fn names_cid(&self, cid: &str) -> bool {
        self.lock().requests.iter().any(|r| r.pin.cid == cid)
    }

    /// What `read` makes of every request, oldest first, under the store's lock (never held with
    /// the pin store's: read that before).
    pub(crate) fn with_requests<T>(&self, read: impl FnOnce(&[PsaRequest]) -> T) -> T {
        read(&self.lock().requests)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pinata_core::time::format_iso8601;

    fn spec(cid: &str) -> PinSpec {
        PinSpec {
            cid: cid.into(),
            name: None,
            origins: Vec::new(),
            meta: BTreeMap::new(),
        }
    }

    #[test]
    fn created_is_unique_to_the_millisecond_and_the_table_is_capped() {
        let store = PsaStore::default();
        let now = UNIX_EPOCH + Duration::from_nanos(1_700_000_000_123_456_789);
        let (a, _) = store
            .insert("a".into(), "j".into(), spec("c"), now, None)
            .ok()
            .unwrap();
        let (b, _) = store
            .insert("b".into(), "j".into(), spec("c"), now, None)
            .ok()
            .unwrap();
        assert_eq!(format_iso8601(a.created), "2023-11-14T22:13:20.123Z");
        assert_eq!(format_iso8601(b.created), "2023-11-14T22:13:20.124Z");
        assert!(matches!(
            store.insert("x".into(), "j".into(), spec("c"), now, Some("gone")),
            Err(Refused::Missing)
        ));
        let (c, old) = store
            .insert("c".into(), "j".into(), spec("d"), now, Some("a"))
            .ok()
            .unwrap();
        assert_eq!(old.map(|o| o.id), Some("a".to_owned()));
        assert!(c.created > b.created && store.get("a").is_none());
        let kept = store.with_requests(<[_]>::len);
        for n in kept..MAX_PSA_REQUESTS {
            assert!(
                store
                    .insert(n.to_string(), "j".into(), spec("c"), now, None)
                    .is_ok()
            );
        }
        assert!(matches!(
            store.insert("full".into(), "j".into(), spec("c"), now, None),
            Err(Refused::Full)
        ));
        // A replacement takes the place of the one it replaces, even when full.
        assert!(
            store
                .insert("r".into(), "j".into(), spec("c"), now, Some("b"))
                .is_ok()
        );
        store.clear();
        assert!(store.get("r").is_none());
    }
}

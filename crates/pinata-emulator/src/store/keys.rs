//! The key store: every API key of the emulated account, with its secret, permissions, use count and
//! revocation flag. Checks and updates happen under one lock, so use counting is exact under
//! concurrency.

use std::collections::HashMap;
use std::io;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use pinata_core::SecretString;
use pinata_core::api::keys::Permissions;

use crate::db::{Persist, Table, form};
use crate::ids;

/// The most keys the emulator holds (revoked ones included): every key costs memory, and a key
/// that may create keys must not be able to grow the store without bound. The emulator's choice.
pub const MAX_KEYS: usize = 10_000;

/// Why a key could not be stored.
#[derive(Debug)]
#[non_exhaustive]
pub enum StoreError {
    /// The store holds [`MAX_KEYS`] keys already.
    Full,
    /// No random bytes for the key's id or secret.
    Io(io::Error),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Full => write!(f, "the emulator holds at most {MAX_KEYS} keys"),
            StoreError::Io(_) => f.write_str("could not draw random bytes for a key"),
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreError::Io(e) => Some(e),
            StoreError::Full => None,
        }
    }
}

/// One API key as the emulator stores it.
#[derive(Debug, Clone)]
pub struct KeyRecord {
    /// Row id (UUID).
    pub id: String,
    /// The name given at creation.
    pub name: String,
    /// Public key, 20 hex digits.
    pub key: String,
    /// Secret, 64 hex digits.
    pub secret: SecretString,
    /// What the key may do.
    pub permissions: Permissions,
    /// Maximum number of successful uses, if limited.
    pub max_uses: Option<u64>,
    /// Successful uses so far.
    pub uses: u64,
    /// Whether the key has been revoked.
    pub revoked: bool,
    /// When the key was made.
    pub created_at: SystemTime,
    /// When the key last changed (revocation).
    pub updated_at: SystemTime,
    /// Creation order, for a stable newest-first listing.
    pub(crate) sequence: u64,
    /// Calls admitted but not yet finished; they hold a use until they succeed or fail.
    in_flight: u64,
}

impl KeyRecord {
    /// Whether the key has used up its maximum number of uses.
    pub fn is_exhausted(&self) -> bool {
        self.max_uses.is_some_and(|max| self.uses >= max)
    }
}

/// Why a presented key and secret were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRefusal {
    /// Unknown key or wrong secret.
    Invalid,
    /// The key is revoked.
    Revoked,
    /// The key has reached its maximum number of uses (counting calls still in flight).
    Exhausted,
}

/// The parts of a new key a caller chooses.
#[derive(Debug, Clone)]
pub struct NewKey {
    /// Key name.
    pub name: String,
    /// Permissions.
    pub permissions: Permissions,
    /// Maximum uses.
    pub max_uses: Option<u64>,
}

/// The longest key name accepted (emulator's choice: every key is kept in memory).
pub(crate) const MAX_KEY_NAME: usize = 256;

/// A key name's rule: not blank, at most [`MAX_KEY_NAME`] characters.
pub(crate) fn check_name(name: &str) -> Result<(), String> {
    if name.chars().count() > MAX_KEY_NAME {
        Err(format!("keyName must be at most {MAX_KEY_NAME} characters"))
    } else if name.trim().is_empty() {
        Err("keyName is required".into())
    } else {
        Ok(())
    }
}

/// A new key from the API's key-creation body (`{keyName, permissions, maxUses?}`), by the rules
/// every way of making a key shares: a name ([`check_name`]), valid permissions, at least one use
/// if limited. The messages are the emulator's choice (the real ones were never captured), in the
/// legacy `{"error":"…"}` wording of the API's other validation errors.
pub(crate) fn parse_new_key(json: &serde_json::Value) -> Result<NewKey, String> {
    let name = match json.get("keyName") {
        Some(serde_json::Value::String(s)) => {
            check_name(s)?;
            s.clone()
        }
        _ => return Err("keyName is required".into()),
    };
    let permissions = json
        .get("permissions")
        .ok_or_else(|| "permissions are required".to_owned())
        .and_then(|p| Permissions::from_request_json(p).map_err(|e| e.to_string()))?;
    permissions.validate().map_err(|e| e.to_string())?;
    let max_uses = match json.get("maxUses") {
        None | Some(serde_json::Value::Null) => None,
        Some(v) => match v.as_u64() {
            Some(n) if n >= 1 => Some(n),
            _ => return Err("maxUses must be a whole number of at least 1".into()),
        },
    };
    Ok(NewKey {
        name,
        permissions,
        max_uses,
    })
}

#[derive(Debug, Default)]
struct Inner {
    keys: HashMap<String, KeyRecord>,
    next_sequence: u64,
}

/// A key as the database keeps it (`KeyRecord` itself has no `Serialize`, so its secret cannot be
/// written anywhere else by accident).
#[derive(serde::Serialize, serde::Deserialize)]
struct Row {
    id: String,
    name: String,
    key: String,
    #[serde(with = "form::secret")]
    secret: SecretString,
    #[serde(with = "form::permissions")]
    permissions: Permissions,
    max_uses: Option<u64>,
    uses: u64,
    revoked: bool,
    created_at: SystemTime,
    updated_at: SystemTime,
    sequence: u64,
}

impl From<&KeyRecord> for Row {
    fn from(r: &KeyRecord) -> Self {
        Self {
            id: r.id.clone(),
            name: r.name.clone(),
            key: r.key.clone(),
            secret: r.secret.clone(),
            permissions: r.permissions.clone(),
            max_uses: r.max_uses,
            uses: r.uses,
            revoked: r.revoked,
            created_at: r.created_at,
            updated_at: r.updated_at,
            sequence: r.sequence,
        }
    }
}

impl From<Row> for KeyRecord {
    fn from(r: Row) -> Self {
        Self {
            id: r.id,
            name: r.name,
            key: r.key,
            secret: r.secret,
            permissions: r.permissions,
            max_uses: r.max_uses,
            uses: r.uses,
            revoked: r.revoked,
            created_at: r.created_at,
            updated_at: r.updated_at,
            sequence: r.sequence,
            // Calls in flight ended with the run that admitted them.
            in_flight: 0,
        }
    }
}

/// All keys, behind one lock.
#[derive(Debug, Default)]
pub struct KeyStore {
    inner: Mutex<Inner>,
    db: Persist,
}

/// A use of a key held for one call: committed when the call succeeds, given back otherwise (also
/// when dropped without a decision).
#[derive(Debug)]
pub struct UseReservation<'a> {
    store: &'a KeyStore,
    key: String,
    /// The key's permissions at admission.
    pub permissions: Permissions,
    settled: bool,
}

impl UseReservation<'_> {
    /// The public key of the admitted caller.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The call succeeded: it counts as one use.
    pub fn commit(mut self) {
        self.settle(true);
    }

    fn settle(&mut self, used: bool) {
        if self.settled {
            return;
        }
        self.settled = true;
        let mut inner = self.store.lock();
        if let Some(r) = inner.keys.get_mut(&self.key) {
            r.in_flight = r.in_flight.saturating_sub(1);
            if used {
                r.uses += 1;
                self.store.save(r);
            }
        }
    }
}

impl Drop for UseReservation<'_> {
    fn drop(&mut self) {
        self.settle(false);
    }
}

impl KeyStore {
    /// Reads the keys `db` keeps and writes every change there from now on.
    pub(crate) fn restore(&mut self, db: Persist) -> io::Result<()> {
        let inner = self.inner.get_mut().unwrap_or_else(PoisonError::into_inner);
        for (key, row) in db.load::<Row>(Table::Keys)? {
            inner.next_sequence = inner.next_sequence.max(row.sequence + 1);
            inner.keys.insert(key, row.into());
        }
        self.db = db;
        Ok(())
    }

    /// Writes `record` to the database (under the store's lock).
    fn save(&self, record: &KeyRecord) {
        self.db.put(Table::Keys, &record.key, &Row::from(record));
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every update below is a few field writes that cannot panic halfway, so a poisoned lock
        // (a panic elsewhere while holding it) still guards consistent data.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stores a key with the given public key and secret (used for the admin key at start-up).
    pub fn insert_with(
        &self,
        new: NewKey,
        key: String,
        secret: String,
    ) -> Result<KeyRecord, StoreError> {
        let now = SystemTime::now();
        let id = ids::uuid_v4().map_err(StoreError::Io)?;
        let mut inner = self.lock();
        if inner.keys.len() >= MAX_KEYS {
            return Err(StoreError::Full);
        }
        let sequence = inner.next_sequence;
        inner.next_sequence += 1;
        let record = KeyRecord {
            id,
            name: new.name,
            key: key.clone(),
            secret: SecretString::new(secret),
            permissions: new.permissions,
            max_uses: new.max_uses,
            uses: 0,
            revoked: false,
            created_at: now,
            updated_at: now,
            sequence,
            in_flight: 0,
        };
        self.save(&record);
        inner.keys.insert(key, record.clone());
        Ok(record)
    }

    /// Creates a key with a fresh random public key (20 hex) and secret (64 hex).
    pub fn create(&self, new: NewKey) -> Result<KeyRecord, StoreError> {
        let key = ids::random_hex(20).map_err(StoreError::Io)?;
        let secret = ids::random_hex(64).map_err(StoreError::Io)?;
        self.insert_with(new, key, secret)
    }

    /// Checks a presented key and secret and, if the key may still be used, holds one use for the
    /// call. Exactly `max_uses` calls can ever commit, however many race.
    pub fn admit(&self, key: &str, secret: &str) -> Result<UseReservation<'_>, KeyRefusal> {
        let mut inner = self.lock();
        let record = match inner.keys.get_mut(key) {
            Some(r) if r.secret == SecretString::new(secret) => r,
            _ => return Err(KeyRefusal::Invalid),
        };
        if record.revoked {
            return Err(KeyRefusal::Revoked);
        }
        if record
            .max_uses
            .is_some_and(|max| record.uses + record.in_flight >= max)
        {
            return Err(KeyRefusal::Exhausted);
        }
        record.in_flight += 1;
        Ok(UseReservation {
            store: self,
            key: key.to_owned(),
            permissions: record.permissions.clone(),
            settled: false,
        })
    }

    /// Revokes `key`; `false` if there is no such key.
    pub fn revoke(&self, key: &str) -> bool {
        match self.lock().keys.get_mut(key) {
            Some(r) => {
                r.revoked = true;
                r.updated_at = SystemTime::now();
                self.save(r);
                true
            }
            None => false,
        }
    }

    /// Forgets every key but `keep` (the admin key), which starts again unused and unrevoked.
    /// Calls in flight keep their hold on it; any other key's calls find it gone when they end.
    pub(crate) fn reset(&self, keep: &str) {
        let now = SystemTime::now();
        let mut inner = self.lock();
        inner.keys.retain(|k, _| k == keep);
        self.db.clear(Table::Keys);
        if let Some(r) = inner.keys.get_mut(keep) {
            r.uses = 0;
            r.revoked = false;
            r.updated_at = now;
            self.save(r);
        }
    }

    /// Makes `key` (the admin key kept by the last run) usable again if it was revoked, its uses
    /// kept: an admin that revoked its own key must not be locked out of every later run.
    pub(crate) fn unrevoke(&self, key: &str) {
        let mut inner = self.lock();
        if let Some(r) = inner.keys.get_mut(key)
            && r.revoked
        {
            r.revoked = false;
            r.updated_at = SystemTime::now();
            self.save(r);
        }
    }

    /// A copy of the record of `key`.
    pub fn get(&self, key: &str) -> Option<KeyRecord> {
        self.lock().keys.get(key).cloned()
    }

    /// Copies of the records that satisfy `keep`, newest first.
    pub fn list(&self, keep: impl Fn(&KeyRecord) -> bool) -> Vec<KeyRecord> {
        let inner = self.lock();
        let mut out: Vec<KeyRecord> = inner.keys.values().filter(|r| keep(r)).cloned().collect();
        out.sort_by_key(|r| std::cmp::Reverse(r.sequence));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_with(max: Option<u64>) -> (KeyStore, KeyRecord) {
        let store = KeyStore::default();
        let r = store
            .create(NewKey {
                name: "k".into(),
                permissions: Permissions::admin(),
                max_uses: max,
            })
            .unwrap();
        (store, r)
    }

    #[test]
    fn uses_count_only_when_committed() {
        let (store, r) = store_with(Some(2));
        let s = r.secret.expose_secret();
        drop(store.admit(&r.key, s).unwrap());
        assert_eq!(
            store.get(&r.key).unwrap().uses,
            0,
            "a failed call is no use"
        );
        store.admit(&r.key, s).unwrap().commit();
        let held = store.admit(&r.key, s).unwrap();
        assert_eq!(
            store.admit(&r.key, s).unwrap_err(),
            KeyRefusal::Exhausted,
            "an in-flight call holds the last use"
        );
        held.commit();
        assert!(store.get(&r.key).unwrap().is_exhausted());
        assert_eq!(store.admit(&r.key, s).unwrap_err(), KeyRefusal::Exhausted);
    }

    #[test]
    fn exact_under_concurrency() {
        let (store, r) = store_with(Some(37));
        let store = std::sync::Arc::new(store);
        let handles: Vec<_> = (0..16)
            .map(|_| {
                let store = store.clone();
                let (k, s) = (r.key.clone(), r.secret.expose_secret().to_owned());
                std::thread::spawn(move || {
                    let mut ok = 0;
                    for _ in 0..10 {
                        if let Ok(res) = store.admit(&k, &s) {
                            res.commit();
                            ok += 1;
                        }
                    }
                    ok
                })
            })
            .collect();
        let total: u64 = handles.into_iter().map(|h| h.join().unwrap()).sum();
        assert_eq!(total, 37);
        assert_eq!(store.get(&r.key).unwrap().uses, 37);
    }

    #[test]
    fn a_reset_keeps_only_the_admin_key_fresh() {
        let (store, admin) = store_with(None);
        let other = store
            .create(NewKey {
                name: "other".into(),
                permissions: Permissions::admin(),
                max_uses: None,
            })
            .unwrap();
        store
            .admit(&admin.key, admin.secret.expose_secret())
            .unwrap()
            .commit();
        let held = store
            .admit(&admin.key, admin.secret.expose_secret())
            .unwrap();
        store.revoke(&admin.key);
        store.reset(&admin.key);
        assert!(store.get(&other.key).is_none());
        let fresh = store.get(&admin.key).unwrap();
        assert!(!fresh.revoked);
        assert_eq!(fresh.uses, 0);
        held.commit();
        assert_eq!(
            store.get(&admin.key).unwrap().uses,
            1,
            "a call in flight still counts"
        );
    }

    #[test]
    fn wrong_secret_and_revocation() {
        let (store, r) = store_with(None);
        assert_eq!(
            store.admit(&r.key, "nope").unwrap_err(),
            KeyRefusal::Invalid
        );
        assert_eq!(store.admit("nokey", "x").unwrap_err(), KeyRefusal::Invalid);
        assert!(store.revoke(&r.key));
        assert_eq!(
            store.admit(&r.key, r.secret.expose_secret()).unwrap_err(),
            KeyRefusal::Revoked
        );
        assert!(!store.revoke("nokey"));
    }
}

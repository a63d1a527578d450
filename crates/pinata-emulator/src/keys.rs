//! The key store: every API key of the emulated account, with its secret, permissions, use count and
//! revocation flag.

use std::collections::HashMap;
use std::io;
use std::sync::Mutex;
use std::time::SystemTime;

use pinata_core::SecretString;

use crate::ids;

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
    /// The permission tree as sent at creation (`{"admin":true}` or `{"endpoints":{…}}`).
    pub permissions: serde_json::Value,
    /// Maximum number of uses, if limited.
    pub max_uses: Option<u64>,
    /// Successful uses so far.
    pub uses: u64,
    /// Whether the key has been revoked.
    pub revoked: bool,
    /// When the key was made.
    pub created_at: SystemTime,
}

impl KeyRecord {
    /// Whether the key has admin rights.
    pub fn is_admin(&self) -> bool {
        self.permissions.get("admin").and_then(|a| a.as_bool()) == Some(true)
    }
}

/// What a lookup found for a presented key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyCheck {
    /// Unknown key or wrong secret.
    Invalid,
    /// The key exists and the secret matches, but it is revoked.
    Revoked,
    /// Good key.
    Valid {
        /// Whether it has admin rights.
        admin: bool,
    },
}

/// All keys, behind one lock (so checks and updates are atomic under concurrency).
#[derive(Debug, Default)]
pub struct KeyStore {
    keys: Mutex<HashMap<String, KeyRecord>>,
}

/// The parts of a new key a caller chooses.
#[derive(Debug, Clone)]
pub struct NewKey {
    /// Key name.
    pub name: String,
    /// Permission tree.
    pub permissions: serde_json::Value,
    /// Maximum uses.
    pub max_uses: Option<u64>,
}

impl KeyStore {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, KeyRecord>> {
        // A panic while holding the lock cannot leave a half-written record (every update is a single
        // field write), so a poisoned lock is still consistent.
        self.keys
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Stores a key with the given public key and secret (used for the admin key at start-up).
    pub fn insert_with(&self, new: NewKey, key: String, secret: String) -> io::Result<KeyRecord> {
        let record = KeyRecord {
            id: ids::uuid_v4()?,
            name: new.name,
            key: key.clone(),
            secret: SecretString::new(secret),
            permissions: new.permissions,
            max_uses: new.max_uses,
            uses: 0,
            revoked: false,
            created_at: SystemTime::now(),
        };
        self.lock().insert(key, record.clone());
        Ok(record)
    }

    /// Creates a key with a fresh random public key (20 hex) and secret (64 hex).
    pub fn create(&self, new: NewKey) -> io::Result<KeyRecord> {
        self.insert_with(new, ids::random_hex(20)?, ids::random_hex(64)?)
    }

    /// Checks a presented key and secret.
    pub fn check(&self, key: &str, secret: &str) -> KeyCheck {
        let keys = self.lock();
        match keys.get(key) {
            Some(r) if r.secret == SecretString::new(secret) => {
                if r.revoked {
                    KeyCheck::Revoked
                } else {
                    KeyCheck::Valid {
                        admin: r.is_admin(),
                    }
                }
            }
            _ => KeyCheck::Invalid,
        }
    }

    /// Revokes `key`; `false` if there is no such key.
    pub fn revoke(&self, key: &str) -> bool {
        match self.lock().get_mut(key) {
            Some(r) => {
                r.revoked = true;
                true
            }
            None => false,
        }
    }

    /// A copy of the record of `key`.
    pub fn get(&self, key: &str) -> Option<KeyRecord> {
        self.lock().get(key).cloned()
    }
}

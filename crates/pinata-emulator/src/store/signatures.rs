//! Signatures of CIDs, by network and CID: a CID has one signature (with its signer's address),
//! which a new one replaces.
//!
//! Bounded: at most [`MAX_SIGNATURES`] signatures, each signature and address at most
//! [`MAX_SIGNATURE_LEN`] bytes.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use pinata_core::api::Network;

use super::{cid_row_id, from_cid_row_id};
use crate::db::{Persist, Table};

/// The most signatures kept (both networks together).
pub(crate) const MAX_SIGNATURES: usize = 10_000;
/// The longest signature or address accepted (bytes).
pub(crate) const MAX_SIGNATURE_LEN: usize = 1024;

/// The store holds [`MAX_SIGNATURES`] signatures, none of them for this CID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Full;

/// Every CID's signature: (signature, signer's address).
#[derive(Debug, Default)]
pub(crate) struct SignatureStore {
    inner: Mutex<HashMap<(Network, String), (String, String)>>,
    /// Where every change is written (under the lock).
    db: Persist,
}

impl SignatureStore {
    /// Reads the signatures `db` keeps and writes every change there from now on.
    pub(crate) fn restore(&mut self, db: Persist) -> std::io::Result<()> {
        let inner = self.inner.get_mut().unwrap_or_else(PoisonError::into_inner);
        for (id, signed) in db.load::<(String, String)>(Table::Signatures)? {
            inner.insert(from_cid_row_id(&id)?, signed);
        }
        self.db = db;
        Ok(())
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<(Network, String), (String, String)>> {
        // Every update is one insert or removal.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Forgets every signature (a reset).
    pub(crate) fn clear(&self) {
        let mut signatures = self.lock();
        signatures.clear();
        self.db.clear(Table::Signatures);
    }

    /// Signs `cid` on `network` with `signature` by `address` (each already checked to be 1 to
    /// [`MAX_SIGNATURE_LEN`] bytes), in place of any signature it had.
    pub(crate) fn add(
        &self,
        network: Network,
        cid: &str,
        signature: String,
        address: String,
    ) -> Result<(), Full> {
        let mut signatures = self.lock();
        let key = (network, cid.to_owned());
        if !signatures.contains_key(&key) && signatures.len() >= MAX_SIGNATURES {
            return Err(Full);
        }
        let signed = (signature, address);
        self.db
            .put(Table::Signatures, &cid_row_id(network, cid), &signed);
        signatures.insert(key, signed);
        Ok(())
    }

    /// The signature of `cid` on `network`.
    pub(crate) fn get(&self, network: Network, cid: &str) -> Option<String> {
        self.lock()
            .get(&(network, cid.to_owned()))
            .map(|(signature, _)| signature.clone())
    }

    /// Removes the signature of `cid` on `network`; `false` if it had none.
    pub(crate) fn remove(&self, network: Network, cid: &str) -> bool {
        let mut signatures = self.lock();
        if signatures.remove(&(network, cid.to_owned())).is_none() {
            return false;
        }
        self.db.delete(Table::Signatures, &cid_row_id(network, cid));
        true
    }
}

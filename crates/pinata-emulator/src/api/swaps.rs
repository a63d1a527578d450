//! Hot swaps and signatures of CIDs (`pinata-v3-api.md` §1.1, §1.6):
//! `PUT|GET|DELETE /v3/files/{network}/swap/{cid}` and
//! `POST|GET|DELETE /v3/files/{network}/signature/{cid}`, with the older `/v3/ipfs/swap/{cid}`
//! and `/v3/ipfs/signature/{cid}` (public network) that pinata-web3 calls. Mirrors `pinata-core`'s
//! `api::swaps`.
//!
//! A swap body is `{"swap_cid": …}` (the SDK and Go CLI) or `{"swapCid": …}` (the spec and
//! pinata-web3), on either path; answers are `{"data": …}`, snake case on the new path and
//! `{mappedCid, createdAt}` on the legacy one.
//!
//! Emulator's choices where the real service is not documented: the CID swapped or signed must be
//! one the account holds on that network (a v3 file there, or on the public network also an
//! active legacy pin), else `404 "CID not pinned to account"` (the official SDK's own text for a
//! 404); the CID swapped in must be a valid CID but need not be held; history is oldest first, at
//! most [`MAX_HISTORY`] swaps a CID (the oldest dropped), and a deletion ends the current swap but
//! keeps the history; `?domain=` is accepted and ignored (the emulator is one gateway); a CID has
//! one signature, which a new one replaces. The `/ipfs/` gateway serves a public swap's CID in
//! place of the swapped one.
//!
//! A swap is the account's, not a file's: deleting the files that hold the swapped CID (or their
//! expiry, or unpinning) leaves the swap in force, and the gateway goes on serving it, until the
//! swap is deleted. So deleting a swap (and reading its history, or a signature, or deleting one)
//! needs only the swap (or signature) itself, not the CID still held: only adding one does.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use http::StatusCode;
use pinata_core::api::Network;
use pinata_core::cid::Cid;
use pinata_core::time::format_iso8601;
use serde::Deserialize;
use serde::Serialize;
use serde_json::Value;

use crate::db::{Persist, Table};
use crate::reply::{self, Reply, data};
use crate::state::State;

/// The most CIDs with a swap history (both networks together).
pub(crate) const MAX_SWAPPED: usize = 10_000;
/// The most swaps kept per CID.
pub(crate) const MAX_HISTORY: usize = 100;
/// The most signatures kept (both networks together).
pub(crate) const MAX_SIGNATURES: usize = 10_000;
/// The longest signature or address accepted (bytes).
const MAX_SIGNATURE_LEN: usize = 1024;

/// Which of the two paths a swap or signature request came in on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SwapPaths {
    /// `/v3/files/{network}/…`.
    Files,
    /// `/v3/ipfs/…` (public network, camel-case answers).
    Ipfs,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct SwapRecord {
    mapped_cid: String,
    created_at: SystemTime,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct History {
    swaps: VecDeque<SwapRecord>,
    /// Whether the last swap is in force (a deletion ends it).
    active: bool,
}

/// Every CID's swaps, by network and CID.
#[derive(Debug, Default)]
pub(crate) struct SwapStore {
    inner: Mutex<HashMap<(Network, String), History>>,
    /// Where every change is written (under the lock).
    db: Persist,
}

/// A row id for the CID `cid` of `network`: `network/cid`.
fn row_id(network: Network, cid: &str) -> String {
    format!("{network}/{cid}")
}

/// The network and CID of a [`row_id`].
fn from_row_id(id: &str) -> std::io::Result<(Network, String)> {
    id.split_once('/')
        .and_then(|(n, cid)| Some((Network::parse(n)?, cid.to_owned())))
        .ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("the emulator's database has a row {id:?} that names no network and CID"),
            )
        })
}

impl SwapStore {
    /// Reads the swaps `db` keeps and writes every change there from now on.
    pub(crate) fn restore(&mut self, db: Persist) -> std::io::Result<()> {
        let inner = self.inner.get_mut().unwrap_or_else(PoisonError::into_inner);
        for (id, history) in db.load::<History>(Table::Swaps)? {
            inner.insert(from_row_id(&id)?, history);
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
}

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
            inner.insert(from_row_id(&id)?, signed);
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
}

fn bad(message: &str) -> Reply {
    reply::coded(StatusCode::BAD_REQUEST, message)
}

fn not_held() -> Reply {
    reply::coded(StatusCode::NOT_FOUND, "CID not pinned to account")
}

/// Whether the account holds `cid` on `network`.
fn holds(state: &State, network: Network, cid: &str, now: SystemTime) -> bool {
    state.files.holds(network, cid, now) || (network == Network::Public && state.pins.pins_cid(cid))
}

/// A swap as the path answers it.
fn shown(s: &SwapRecord, paths: SwapPaths) -> Value {
    let at = format_iso8601(s.created_at);
    match paths {
        SwapPaths::Files => serde_json::json!({ "mapped_cid": s.mapped_cid, "created_at": at }),
        SwapPaths::Ipfs => serde_json::json!({ "mappedCid": s.mapped_cid, "createdAt": at }),
    }
}

/// `PUT …/swap/{cid} {"swap_cid"|"swapCid": …}`: the swap made.
pub(crate) fn add_swap(
    state: &State,
    network: Network,
    cid: &str,
    paths: SwapPaths,
    json: &Value,
    now: SystemTime,
) -> Reply {
    /// `{"swap_cid": …}` as the SDK and the Go CLI send it, `{"swapCid": …}` as the spec writes it.
    #[derive(Deserialize)]
    struct SwapBody {
        #[serde(default, alias = "swapCid")]
        swap_cid: Option<String>,
    }
    let body: SwapBody = match super::typed(json) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(swap_cid) = body.swap_cid.as_deref() else {
        return bad("swap_cid is required");
    };
    if swap_cid.parse::<Cid>().is_err() {
        return bad("swap_cid is not a valid CID");
    }
    if swap_cid == cid {
        return bad("a CID cannot be swapped for itself");
    }
    if !holds(state, network, cid, now) {
        return not_held();
    }
    let mut swaps = state.swaps.lock();
    let key = (network, cid.to_owned());
    if !swaps.contains_key(&key) && swaps.len() >= MAX_SWAPPED {
        return bad(&format!(
            "the emulator holds at most {MAX_SWAPPED} swapped CIDs"
        ));
    }
    let history = swaps.entry(key).or_default();
    if history.swaps.len() >= MAX_HISTORY {
        history.swaps.pop_front();
    }
    let record = SwapRecord {
        mapped_cid: swap_cid.to_owned(),
        created_at: now,
    };
    let answer = data(shown(&record, paths));
    history.swaps.push_back(record);
    history.active = true;
    state
        .swaps
        .db
        .put(Table::Swaps, &row_id(network, cid), &*history);
    answer
}

/// `GET …/swap/{cid}?domain=`: every swap of the CID, oldest first.
pub(crate) fn swap_history(state: &State, network: Network, cid: &str, paths: SwapPaths) -> Reply {
    let swaps = state.swaps.lock();
    match swaps.get(&(network, cid.to_owned())) {
        Some(h) if !h.swaps.is_empty() => {
            data(h.swaps.iter().map(|s| shown(s, paths)).collect::<Vec<_>>())
        }
        _ => reply::coded(StatusCode::NOT_FOUND, "CID does not have history"),
    }
}

/// `DELETE …/swap/{cid}`: ends the swap in force (whether or not the CID is still held);
/// `{"data":null}`.
pub(crate) fn delete_swap(state: &State, network: Network, cid: &str) -> Reply {
    let mut swaps = state.swaps.lock();
    match swaps.get_mut(&(network, cid.to_owned())) {
        Some(h) if h.active => {
            h.active = false;
            state.swaps.db.put(Table::Swaps, &row_id(network, cid), &*h);
            data(())
        }
        _ => reply::coded(StatusCode::NOT_FOUND, "CID has no swap in force"),
    }
}

#[derive(Serialize)]
struct ShownSignature<'a> {
    cid: &'a str,
    signature: &'a str,
}

/// `POST …/signature/{cid} {signature, address}`: `{"data":{cid, signature}}`.
pub(crate) fn add_signature(
    state: &State,
    network: Network,
    cid: &str,
    json: &Value,
    now: SystemTime,
) -> Reply {
    /// `{signature, address}`.
    #[derive(Deserialize)]
    struct SignatureBody {
        #[serde(default)]
        signature: Option<String>,
        #[serde(default)]
        address: Option<String>,
    }
    let body: SignatureBody = match super::typed(json) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let text = |v: &Option<String>| {
        v.as_deref()
            .filter(|s| !s.is_empty() && s.len() <= MAX_SIGNATURE_LEN)
            .map(str::to_owned)
    };
    let (Some(signature), Some(address)) = (text(&body.signature), text(&body.address)) else {
        return bad(&format!(
            "signature and address must be strings of 1 to {MAX_SIGNATURE_LEN} bytes"
        ));
    };
    if !holds(state, network, cid, now) {
        return not_held();
    }
    let mut signatures = state.signatures.lock();
    let key = (network, cid.to_owned());
    if !signatures.contains_key(&key) && signatures.len() >= MAX_SIGNATURES {
        return bad(&format!(
            "the emulator holds at most {MAX_SIGNATURES} signatures"
        ));
    }
    let shown = data(ShownSignature {
        cid,
        signature: &signature,
    });
    let id = row_id(network, cid);
    let signed = (signature, address);
    state.signatures.db.put(Table::Signatures, &id, &signed);
    signatures.insert(key, signed);
    shown
}

/// `GET …/signature/{cid}`.
pub(crate) fn get_signature(state: &State, network: Network, cid: &str) -> Reply {
    match state.signatures.lock().get(&(network, cid.to_owned())) {
        Some((signature, _)) => data(ShownSignature { cid, signature }),
        None => signature_not_found(),
    }
}

/// `DELETE …/signature/{cid}`: `{"data":null}`.
pub(crate) fn delete_signature(state: &State, network: Network, cid: &str) -> Reply {
    let mut signatures = state.signatures.lock();
    match signatures.remove(&(network, cid.to_owned())) {
        Some(_) => {
            state
                .signatures
                .db
                .delete(Table::Signatures, &row_id(network, cid));
            data(())
        }
        None => signature_not_found(),
    }
}

fn signature_not_found() -> Reply {
    reply::coded(StatusCode::NOT_FOUND, "Signature not found")
}

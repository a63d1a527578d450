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
//! most [`MAX_HISTORY`](crate::store::swaps::MAX_HISTORY) swaps a CID (the oldest dropped), and a deletion ends the current swap but
//! keeps the history; `?domain=` is accepted and ignored (the emulator is one gateway); a CID has
//! one signature, which a new one replaces. The `/ipfs/` gateway serves a public swap's CID in
//! place of the swapped one.
//!
//! A swap is the account's, not a file's: deleting the files that hold the swapped CID (or their
//! expiry, or unpinning) leaves the swap in force, and the gateway goes on serving it, until the
//! swap is deleted. So deleting a swap (and reading its history, or a signature, or deleting one)
//! needs only the swap (or signature) itself, not the CID still held: only adding one does.

use std::time::SystemTime;

use http::StatusCode;
use pinata_core::api::Network;
use pinata_core::api::swaps::Signature;
use pinata_core::cid::Cid;
use pinata_core::time::format_iso8601;
use serde::Deserialize;
use serde_json::Value;

use crate::reply::{self, Reply, data};
use crate::router::SwapPaths;
use crate::state::State;
use crate::store::signatures::{MAX_SIGNATURE_LEN, MAX_SIGNATURES};
use crate::store::swaps::{MAX_SWAPPED, SwapRecord};

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

/// A swap as the path answers it. The emulator's own shape: the core's `swaps::Swap` has the v3
/// spelling but no constructor outside the core (`#[non_exhaustive]`), and the `/v3/ipfs` path
/// answers in camel case.
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
    match state.swaps.add(network, cid, swap_cid, now) {
        Ok(record) => data(shown(&record, paths)),
        Err(_) => bad(&format!(
            "the emulator holds at most {MAX_SWAPPED} swapped CIDs"
        )),
    }
}

/// `GET …/swap/{cid}?domain=`: every swap of the CID, oldest first.
pub(crate) fn swap_history(state: &State, network: Network, cid: &str, paths: SwapPaths) -> Reply {
    let history = state.swaps.history(network, cid);
    if history.is_empty() {
        return reply::coded(StatusCode::NOT_FOUND, "CID does not have history");
    }
    data(history.iter().map(|s| shown(s, paths)).collect::<Vec<_>>())
}

/// `DELETE …/swap/{cid}`: ends the swap in force (whether or not the CID is still held);
/// `{"data":null}`.
pub(crate) fn delete_swap(state: &State, network: Network, cid: &str) -> Reply {
    if state.swaps.end(network, cid) {
        data(())
    } else {
        reply::coded(StatusCode::NOT_FOUND, "CID has no swap in force")
    }
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
    let shown = data(Signature::new(cid, signature.as_str()));
    match state.signatures.add(network, cid, signature, address) {
        Ok(()) => shown,
        Err(_) => bad(&format!(
            "the emulator holds at most {MAX_SIGNATURES} signatures"
        )),
    }
}

/// `GET …/signature/{cid}`.
pub(crate) fn get_signature(state: &State, network: Network, cid: &str) -> Reply {
    match state.signatures.get(network, cid) {
        Some(signature) => data(Signature::new(cid, signature)),
        None => signature_not_found(),
    }
}

/// `DELETE …/signature/{cid}`: `{"data":null}`.
pub(crate) fn delete_signature(state: &State, network: Network, cid: &str) -> Reply {
    if state.signatures.remove(network, cid) {
        data(())
    } else {
        signature_not_found()
    }
}

fn signature_not_found() -> Reply {
    reply::coded(StatusCode::NOT_FOUND, "Signature not found")
}

#[cfg(test)]
mod tests {
    use super::*;
    use pinata_core::api::swaps::Swap;

    /// `ours` as the core's `T` reads and writes it again.
    fn through<T: serde::de::DeserializeOwned + serde::Serialize>(ours: &Value) -> Value {
        let theirs: T = serde_json::from_value(ours.clone()).unwrap();
        serde_json::to_value(theirs).unwrap()
    }

    #[test]
    fn swaps_and_signatures_are_the_core_s_shapes() {
        let record = SwapRecord {
            mapped_cid: "bafkqaaa".into(),
            created_at: std::time::UNIX_EPOCH + std::time::Duration::from_millis(1_720_740_807_665),
        };
        let ours = shown(&record, SwapPaths::Files);
        assert_eq!(through::<Swap>(&ours), ours);
        // The `/v3/ipfs` path's camel case is read as the same swap.
        let camel = shown(&record, SwapPaths::Ipfs);
        assert_eq!(through::<Swap>(&camel), ours);
        let ours = serde_json::to_value(Signature::new("bafkqaaa", "0xabc")).unwrap();
        assert_eq!(through::<Signature>(&ours), ours);
    }
}

//! Hot swaps and signatures of v3 files (`pinata-v3-api.md` §1.1, §1.6):
//! `PUT|GET|DELETE /v3/files/{network}/swap/{cid}` and
//! `POST|GET|DELETE /v3/files/{network}/signature/{cid}`. Scopes: `org:files:write` to change,
//! `org:files:read` to read (or an admin key).
//!
//! The swap body is `{"swap_cid": …}`, as the official SDK and Go CLI send it (the spec says
//! `swapCid`; the emulator accepts both). Answers are `{"data": …}` in snake case. `legacy_path()`
//! sends to the older `/v3/ipfs/swap|signature/{cid}` paths with the spec's spelling.

use std::time::SystemTime;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use serde::{Deserialize, Serialize};

use super::v3::{Network, decode_data};
use crate::endpoint::{Body, Endpoint};
use crate::error::{BuildError, DecodeError};
use crate::query::{Query, encode_segment};

/// One swap: the CID served in place of the swapped one, since when. `Serialize` writes the shape
/// it is read from (the v3 spelling); `Debug` shows `created_at` as a date.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Swap {
    /// The CID served instead.
    #[serde(alias = "mappedCid")]
    pub mapped_cid: String,
    /// When the swap was made.
    #[serde(
        alias = "createdAt",
        serialize_with = "crate::time::serialize",
        deserialize_with = "crate::time::deserialize"
    )]
    pub created_at: SystemTime,
}

debug_with_dates!(Swap {
    mapped_cid,
    created_at as date,
});

impl Swap {
    /// `mapped_cid` served since `created_at` (for servers and tests: the emulator answers with
    /// it).
    pub fn new(mapped_cid: impl Into<String>, created_at: SystemTime) -> Self {
        Self {
            mapped_cid: mapped_cid.into(),
            created_at,
        }
    }
}

/// A signature attached to a CID.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Signature {
    /// The CID signed.
    pub cid: String,
    /// The signature (EIP-712, hex).
    pub signature: String,
}

impl Signature {
    /// `signature` attached to `cid` (for servers and tests: the emulator answers with it).
    pub fn new(cid: impl Into<String>, signature: impl Into<String>) -> Self {
        Self {
            cid: cid.into(),
            signature: signature.into(),
        }
    }
}

/// `/v3/ipfs/{what}/{cid}`: the older paths without a network.
fn legacy_path(what: &str, cid: &str) -> Result<String, BuildError> {
    if cid.is_empty() {
        return Err(BuildError::InvalidInput("a CID is empty".into()));
    }
    Ok(format!("/v3/ipfs/{what}/{}", encode_segment(cid)))
}

fn cid_path(network: Network, what: &str, cid: &str) -> Result<String, BuildError> {
    if cid.is_empty() {
        return Err(BuildError::InvalidInput("a CID is empty".into()));
    }
    Ok(format!(
        "/v3/files/{network}/{what}/{}",
        encode_segment(cid)
    ))
}

/// What a swap request does.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SwapAction {
    Add(String),
    History(String),
    Delete,
}

/// Serves another CID in place of `cid` on the account's gateways (`add`), shows the swaps of
/// `cid` (`history`), or ends the swap (`delete`). Needs `org:files:write` (history:
/// `org:files:read`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwapCid {
    network: Network,
    cid: String,
    action: SwapAction,
    legacy: bool,
}

impl SwapCid {
    /// Serves `swap_cid` whenever `cid` is asked for.
    pub fn add(network: Network, cid: impl Into<String>, swap_cid: impl Into<String>) -> Self {
        Self {
            network,
            cid: cid.into(),
            action: SwapAction::Add(swap_cid.into()),
            legacy: false,
        }
    }

    /// The swaps of `cid` as seen through the gateway `domain`.
    pub fn history(network: Network, cid: impl Into<String>, domain: impl Into<String>) -> Self {
        Self {
            network,
            cid: cid.into(),
            action: SwapAction::History(domain.into()),
            legacy: false,
        }
    }

    /// Ends the swap of `cid`.
    pub fn delete(network: Network, cid: impl Into<String>) -> Self {
        Self {
            network,
            cid: cid.into(),
            action: SwapAction::Delete,
            legacy: false,
        }
    }

    /// Sends to the older `/v3/ipfs/swap/{cid}` with the spec's `{"swapCid": …}` body (what
    /// `pinata-web3` calls; answers in camel case, which decode the same).
    pub fn legacy_path(mut self) -> Self {
        self.legacy = true;
        self
    }
}

/// What a swap request answers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SwapAnswer {
    /// The swap just made.
    Added(Swap),
    /// Every swap of the CID, oldest first.
    History(Vec<Swap>),
    /// The swap was removed.
    Deleted,
}

impl Endpoint for SwapCid {
    type Output = SwapAnswer;

    fn method(&self) -> Method {
        match self.action {
            SwapAction::Add(_) => Method::PUT,
            SwapAction::History(_) => Method::GET,
            SwapAction::Delete => Method::DELETE,
        }
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        let path = if self.legacy {
            legacy_path("swap", &self.cid)?
        } else {
            cid_path(self.network, "swap", &self.cid)?
        };
        Ok(match &self.action {
            SwapAction::History(domain) => {
                let mut q = Query::new();
                q.push("domain", domain);
                q.append_to(&path)
            }
            _ => path,
        })
    }

    fn body(&self) -> Result<Body, BuildError> {
        #[derive(Serialize)]
        struct AddSwap<'a> {
            swap_cid: &'a str,
        }
        #[derive(Serialize)]
        struct AddSwapLegacy<'a> {
            #[serde(rename = "swapCid")]
            swap_cid: &'a str,
        }
        match &self.action {
            SwapAction::Add(swap_cid) if swap_cid.is_empty() => Err(BuildError::InvalidInput(
                "the CID to swap in is empty".into(),
            )),
            SwapAction::Add(swap_cid) if self.legacy => Body::json(&AddSwapLegacy { swap_cid }),
            SwapAction::Add(swap_cid) => Body::json(&AddSwap { swap_cid }),
            _ => Ok(Body::Empty),
        }
    }

    fn parse(
        &self,
        status: StatusCode,
        _: &HeaderMap,
        body: &Bytes,
    ) -> Result<SwapAnswer, DecodeError> {
        match self.action {
            SwapAction::Add(_) => decode_data(status, body).map(SwapAnswer::Added),
            SwapAction::History(_) => decode_data::<Option<Vec<Swap>>>(status, body)
                .map(|h| SwapAnswer::History(h.unwrap_or_default())),
            SwapAction::Delete => Ok(SwapAnswer::Deleted),
        }
    }
}

/// Attaches a signature to a CID, reads it, or removes it. Needs `org:files:write` (reading:
/// `org:files:read`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CidSignature {
    network: Network,
    cid: String,
    add: Option<(String, String)>,
    delete: bool,
    legacy: bool,
}

impl CidSignature {
    /// Attaches `signature`, made by `address`, to `cid`.
    pub fn add(
        network: Network,
        cid: impl Into<String>,
        signature: impl Into<String>,
        address: impl Into<String>,
    ) -> Self {
        Self {
            network,
            cid: cid.into(),
            add: Some((signature.into(), address.into())),
            delete: false,
            legacy: false,
        }
    }

    /// The signature of `cid`.
    pub fn get(network: Network, cid: impl Into<String>) -> Self {
        Self {
            network,
            cid: cid.into(),
            add: None,
            delete: false,
            legacy: false,
        }
    }

    /// Removes the signature of `cid`.
    pub fn delete(network: Network, cid: impl Into<String>) -> Self {
        Self {
            delete: true,
            ..Self::get(network, cid)
        }
    }

    /// Sends to the older `/v3/ipfs/signature/{cid}` (what `pinata-web3` calls).
    pub fn legacy_path(mut self) -> Self {
        self.legacy = true;
        self
    }
}

impl Endpoint for CidSignature {
    /// The signature (`None` after a deletion).
    type Output = Option<Signature>;

    fn method(&self) -> Method {
        match (&self.add, self.delete) {
            (Some(_), _) => Method::POST,
            (None, true) => Method::DELETE,
            (None, false) => Method::GET,
        }
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        if self.legacy {
            legacy_path("signature", &self.cid)
        } else {
            cid_path(self.network, "signature", &self.cid)
        }
    }

    fn body(&self) -> Result<Body, BuildError> {
        #[derive(Serialize)]
        struct AddSignature<'a> {
            signature: &'a str,
            address: &'a str,
        }
        match &self.add {
            Some((signature, address)) if signature.is_empty() || address.is_empty() => {
                Err(BuildError::InvalidInput(
                    "a signature needs its text and the signer's address".into(),
                ))
            }
            Some((signature, address)) => Body::json(&AddSignature { signature, address }),
            None => Ok(Body::Empty),
        }
    }

    fn parse(
        &self,
        status: StatusCode,
        _: &HeaderMap,
        body: &Bytes,
    ) -> Result<Option<Signature>, DecodeError> {
        if self.delete {
            Ok(None)
        } else {
            decode_data(status, body).map(Some)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_and_signatures_are_sent_as_the_sdk_sends_them() {
        let add = SwapCid::add(Network::Public, "a", "b");
        assert_eq!(add.method(), Method::PUT);
        assert_eq!(add.path_and_query().unwrap(), "/v3/files/public/swap/a");
        assert_eq!(
            add.body().unwrap(),
            Body::Json(Bytes::from_static(br#"{"swap_cid":"b"}"#))
        );
        assert_eq!(
            SwapCid::history(Network::Private, "a", "x.mypinata.cloud")
                .path_and_query()
                .unwrap(),
            "/v3/files/private/swap/a?domain=x.mypinata.cloud"
        );
        assert!(SwapCid::add(Network::Public, "a", "").body().is_err());
        assert!(
            SwapCid::delete(Network::Public, "")
                .path_and_query()
                .is_err()
        );
        let history = SwapCid::history(Network::Public, "a", "d")
            .parse(
                StatusCode::OK,
                &HeaderMap::new(),
                &Bytes::from_static(
                    br#"{"data":[{"mapped_cid":"b","created_at":"2026-01-01T00:00:00Z"}]}"#,
                ),
            )
            .unwrap();
        assert!(matches!(history, SwapAnswer::History(v) if v[0].mapped_cid == "b"));
        let sign = CidSignature::add(Network::Public, "a", "0xs", "0xa");
        assert_eq!(sign.method(), Method::POST);
        assert_eq!(
            sign.body().unwrap(),
            Body::Json(Bytes::from_static(
                br#"{"signature":"0xs","address":"0xa"}"#
            ))
        );
        assert_eq!(
            CidSignature::delete(Network::Public, "a").method(),
            Method::DELETE
        );
        assert!(
            CidSignature::add(Network::Public, "a", "", "0xa")
                .body()
                .is_err()
        );
    }
}

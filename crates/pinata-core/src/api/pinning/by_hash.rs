//! `POST /pinning/pinByHash`: ask Pinata to find a CID on the network and pin it.

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use serde::{Deserialize, Serialize};

use super::{PinMetadata, validate_multiaddr};
use crate::api::validate::check_cid;
use crate::endpoint::{Body, Endpoint};
use crate::error::{BuildError, DecodeError};

/// Most host nodes one request may name.
pub const MAX_HOST_NODES: usize = 5;

/// Queues a pin of content already on the IPFS network. The answer is a job; watch it with
/// [`super::ListPinJobs`].
#[derive(Debug, Clone, PartialEq)]
pub struct PinByHash {
    cid: String,
    metadata: PinMetadata,
    host_nodes: Vec<String>,
    group_id: Option<String>,
}

impl PinByHash {
    /// Pins `cid` (checked to be a CID).
    pub fn new(cid: impl Into<String>) -> Result<Self, BuildError> {
        let cid = cid.into();
        check_cid(&cid)?;
        Ok(Self {
            cid,
            metadata: PinMetadata::new(),
            host_nodes: Vec::new(),
            group_id: None,
        })
    }

    /// Name and key-values of the pin.
    pub fn metadata(mut self, metadata: PinMetadata) -> Self {
        self.metadata = metadata;
        self
    }

    /// Peers known to have the content (multiaddrs, at most 5).
    pub fn host_node(mut self, addr: impl Into<String>) -> Result<Self, BuildError> {
        let addr = addr.into();
        validate_multiaddr(&addr)?;
        if self.host_nodes.len() == MAX_HOST_NODES {
            return Err(BuildError::InvalidInput(format!(
                "at most {MAX_HOST_NODES} host nodes"
            )));
        }
        self.host_nodes.push(addr);
        Ok(self)
    }

    /// Adds the pin to a group.
    pub fn group(mut self, group_id: impl Into<String>) -> Self {
        self.group_id = Some(group_id.into());
        self
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Options<'a> {
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    host_nodes: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    group_id: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Wire<'a> {
    hash_to_pin: &'a str,
    #[serde(skip_serializing_if = "PinMetadata::is_empty")]
    pinata_metadata: &'a PinMetadata,
    #[serde(skip_serializing_if = "Option::is_none")]
    pinata_options: Option<Options<'a>>,
}

/// A queued pin-by-hash job. `Serialize` writes the shape it is read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PinByHashJob {
    /// Job id.
    pub id: String,
    /// The CID being pinned.
    #[serde(rename = "ipfsHash")]
    pub ipfs_hash: String,
    /// Where the job stands (`prechecking`, `retrieving` or `searching` when just queued).
    pub status: super::PinJobStatus,
    /// The pin's name.
    #[serde(default)]
    pub name: Option<String>,
}

impl PinByHashJob {
    /// Job `id` pinning `ipfs_hash`, standing at `status`, without a name (for a test's fake).
    pub fn new(
        id: impl Into<String>,
        ipfs_hash: impl Into<String>,
        status: super::PinJobStatus,
    ) -> Self {
        Self {
            id: id.into(),
            ipfs_hash: ipfs_hash.into(),
            status,
            name: None,
        }
    }
}

impl Endpoint for PinByHash {
    type Output = PinByHashJob;

    fn method(&self) -> Method {
        Method::POST
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        Ok("/pinning/pinByHash".to_owned())
    }

    fn body(&self) -> Result<Body, BuildError> {
        let options = (!self.host_nodes.is_empty() || self.group_id.is_some()).then(|| Options {
            host_nodes: &self.host_nodes,
            group_id: self.group_id.as_deref(),
        });
        Body::json(&Wire {
            hash_to_pin: &self.cid,
            pinata_metadata: &self.metadata,
            pinata_options: options,
        })
    }

    fn parse(
        &self,
        status: StatusCode,
        _: &HeaderMap,
        body: &Bytes,
    ) -> Result<PinByHashJob, DecodeError> {
        DecodeError::decode_json(status, body)
    }
}

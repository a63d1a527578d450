//! The legacy pinning API: upload files, folders and JSON, pin by CID, update metadata, unpin, list
//! pins and jobs, group pins, and read usage.

mod by_hash;
mod groups;
mod jobs;
mod json;
mod list;
mod metadata;
mod multiaddr;
mod pin_file;
mod unpin;
mod usage;

use bytes::Bytes;
use http::StatusCode;
use serde::{Deserialize, Serialize};

pub use by_hash::{MAX_HOST_NODES, PinByHash, PinByHashJob};
pub use groups::{
    CreateLegacyGroup, DeleteLegacyGroup, GetLegacyGroup, LEGACY_GROUP_PAGE, LegacyGroup,
    LegacyGroupCids, ListLegacyGroups, RenameLegacyGroup,
};
pub use jobs::{JobSort, ListPinJobs, PinJob, PinJobPage, PinJobStatus};
pub use json::{MAX_JSON_BODY, PinJson};
pub use list::{KeyValueFilter, KeyValueOp, ListPins, PinPage, PinRow, PinStatusFilter};
pub use metadata::{MAX_KEYVALUES, MetadataValue, PinMetadata, UpdatePinMetadata};
pub use multiaddr::validate_multiaddr;
pub use pin_file::{PinFile, PinOptions};
pub use unpin::UnpinCid;
pub use usage::{PinnedDataTotal, UserPinnedDataTotal};

use crate::cid::Cid;
use crate::error::DecodeError;

/// The answer to an upload (`pinFileToIPFS`, `pinJSONToIPFS`). `Serialize` writes the shape it
/// is read from; `Debug` shows the timestamp as a date; [`PinResponse::new`] makes one for a test.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PinResponse {
    /// The root CID, as the server wrote it.
    #[serde(rename = "IpfsHash")]
    pub ipfs_hash: String,
    /// The DAG's cumulative size in bytes.
    #[serde(rename = "PinSize")]
    pub pin_size: u64,
    /// When it was pinned.
    #[serde(
        rename = "Timestamp",
        serialize_with = "crate::time::serialize",
        deserialize_with = "crate::time::deserialize"
    )]
    pub timestamp: std::time::SystemTime,
    /// `true` when the account already pinned this CID.
    #[serde(rename = "isDuplicate", default)]
    pub is_duplicate: Option<bool>,
}

debug_with_dates!(PinResponse {
    ipfs_hash,
    pin_size,
    timestamp as date,
    is_duplicate,
});

impl PinResponse {
    /// An answer pinning `ipfs_hash` at `pin_size` bytes (for a test's fake), at the Unix epoch.
    ///
    /// ```
    /// let pinned = pinata_core::api::pinning::PinResponse::new("bafkqaaa", 0);
    /// assert_eq!(pinned.is_duplicate, None);
    /// ```
    pub fn new(ipfs_hash: impl Into<String>, pin_size: u64) -> Self {
        Self {
            ipfs_hash: ipfs_hash.into(),
            pin_size,
            timestamp: std::time::UNIX_EPOCH,
            is_duplicate: None,
        }
    }

    /// The CID, parsed.
    pub fn cid(&self) -> Result<Cid, crate::cid::CidError> {
        self.ipfs_hash.parse()
    }
}

/// Accepts the plain-text `OK` the API answers some calls with (and a JSON `"OK"`).
pub(crate) fn expect_ok(status: StatusCode, body: &Bytes) -> Result<(), DecodeError> {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text == "OK" || text == "\"OK\"" {
        Ok(())
    } else {
        Err(DecodeError::new(
            status,
            ".",
            format!(
                "expected OK, got {:?}",
                text.chars().take(80).collect::<String>()
            ),
            body,
        ))
    }
}

/// Pins of one page of a list call, and which page to ask for next.
pub(crate) fn next_offset(offset: u64, got: usize, limit: u64, count: Option<u64>) -> Option<u64> {
    let next = offset + got as u64;
    if got == 0 || (got as u64) < limit {
        return None;
    }
    match count {
        Some(total) if next >= total => None,
        _ => Some(next),
    }
}

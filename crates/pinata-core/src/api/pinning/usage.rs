//! `GET /data/userPinnedDataTotal`.

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use serde::{Deserialize, Serialize};

use crate::endpoint::Endpoint;
use crate::error::{BuildError, DecodeError};

/// The account's pin count and total size.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UserPinnedDataTotal;

/// Usage totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PinnedDataTotal {
    /// Pins currently held.
    pub pin_count: u64,
    /// Their total size in bytes.
    pub pin_size_total: u64,
    /// Total size counting every replica.
    pub pin_size_with_replications_total: u64,
}

impl PinnedDataTotal {
    /// `pin_count` pins of `pin_size_total` bytes, held `replicas` times over (for servers and
    /// tests: the emulator answers with it).
    pub fn new(pin_count: u64, pin_size_total: u64, replicas: u64) -> Self {
        Self {
            pin_count,
            pin_size_total,
            pin_size_with_replications_total: pin_size_total.saturating_mul(replicas),
        }
    }
}

impl Endpoint for UserPinnedDataTotal {
    type Output = PinnedDataTotal;

    fn method(&self) -> Method {
        Method::GET
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        Ok("/data/userPinnedDataTotal".to_owned())
    }

    fn parse(
        &self,
        status: StatusCode,
        _: &HeaderMap,
        body: &Bytes,
    ) -> Result<PinnedDataTotal, DecodeError> {
        DecodeError::decode_json(status, body)
    }
}

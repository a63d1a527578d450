//! `DELETE /pinning/unpin/{cid}`.

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};

use crate::api::validate::check_cid;
use crate::endpoint::Endpoint;
use crate::error::{BuildError, DecodeError};
use crate::query::encode_segment;

/// Removes the account's pin of a CID. Answers `OK`; the pin stays listed with `date_unpinned` set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnpinCid {
    cid: String,
}

impl UnpinCid {
    /// Unpins `cid`.
    pub fn new(cid: impl Into<String>) -> Self {
        Self { cid: cid.into() }
    }
}

impl Endpoint for UnpinCid {
    type Output = ();

    fn method(&self) -> Method {
        Method::DELETE
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        check_cid(&self.cid)?;
        Ok(format!("/pinning/unpin/{}", encode_segment(&self.cid)))
    }

    fn parse(&self, status: StatusCode, _: &HeaderMap, body: &Bytes) -> Result<(), DecodeError> {
        super::expect_ok(status, body)
    }
}

//! `POST /pinning/pinJSONToIPFS`: pin a JSON document.

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use serde::Serialize;

use super::{PinMetadata, PinResponse};
use crate::cid::CidVersion;
use crate::endpoint::{Body, Endpoint};
use crate::error::{BuildError, DecodeError};

/// Largest request body the API accepts for JSON pins: 10 MB.
pub const MAX_JSON_BODY: usize = 10_000_000;

/// Pins any serialisable value as a JSON document, serialised once, as the value's `Serialize`
/// writes it (field order included).
#[derive(Debug, Clone)]
pub struct PinJson {
    content: Box<serde_json::value::RawValue>,
    metadata: PinMetadata,
    cid_version: Option<CidVersion>,
    group_id: Option<String>,
}

impl PinJson {
    /// Pins `content`.
    pub fn new<T: Serialize + ?Sized>(content: &T) -> Result<Self, BuildError> {
        Ok(Self {
            content: serde_json::value::to_raw_value(content).map_err(BuildError::Serialize)?,
            metadata: PinMetadata::new(),
            cid_version: None,
            group_id: None,
        })
    }

    /// The document as it will be sent (compact JSON).
    pub fn content_json(&self) -> &str {
        self.content.get()
    }

    /// Name and key-values of the pin.
    pub fn metadata(mut self, metadata: PinMetadata) -> Self {
        self.metadata = metadata;
        self
    }

    /// The CID version of the pin.
    pub fn cid_version(mut self, version: CidVersion) -> Self {
        self.cid_version = Some(version);
        self
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
    #[serde(skip_serializing_if = "Option::is_none")]
    cid_version: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_id: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Wire<'a> {
    pinata_content: &'a serde_json::value::RawValue,
    #[serde(skip_serializing_if = "PinMetadata::is_empty")]
    pinata_metadata: &'a PinMetadata,
    #[serde(skip_serializing_if = "Option::is_none")]
    pinata_options: Option<Options<'a>>,
}

impl Endpoint for PinJson {
    type Output = PinResponse;

    fn method(&self) -> Method {
        Method::POST
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        Ok("/pinning/pinJSONToIPFS".to_owned())
    }

    fn body(&self) -> Result<Body, BuildError> {
        let options = (self.cid_version.is_some() || self.group_id.is_some()).then(|| Options {
            cid_version: self.cid_version.map(CidVersion::as_number),
            group_id: self.group_id.as_deref(),
        });
        let body = Body::json(&Wire {
            pinata_content: self.content.as_ref(),
            pinata_metadata: &self.metadata,
            pinata_options: options,
        })?;
        let size = body.content_length() as usize;
        if size > MAX_JSON_BODY {
            return Err(BuildError::InvalidInput(format!(
                "the JSON body is {size} bytes; the API accepts at most {MAX_JSON_BODY}"
            )));
        }
        Ok(body)
    }

    fn parse(
        &self,
        status: StatusCode,
        _: &HeaderMap,
        body: &Bytes,
    ) -> Result<PinResponse, DecodeError> {
        DecodeError::decode_json(status, body)
    }
}

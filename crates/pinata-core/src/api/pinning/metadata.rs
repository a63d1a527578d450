//! Pin metadata: a name and up to 10 key-values (string, number or date).

use std::collections::BTreeMap;
use std::time::SystemTime;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use serde::Serialize;

use crate::endpoint::{Body, Endpoint};
use crate::error::{BuildError, DecodeError};

pub use crate::api::validate::MAX_KEYVALUES;

/// A key-value's value: text, a number, or a date (sent as ISO-8601 text).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum MetadataValue {
    /// Text.
    Text(String),
    /// A number.
    Number(serde_json::Number),
}

impl MetadataValue {
    /// A text value.
    pub fn text(value: impl Into<String>) -> Self {
        MetadataValue::Text(value.into())
    }

    /// A number (integers stay exact; non-finite floats become text `"NaN"`/`"inf"` would be
    /// refused by JSON, so they are refused here as `None`).
    pub fn number(value: f64) -> Option<Self> {
        serde_json::Number::from_f64(value).map(MetadataValue::Number)
    }

    /// An integer.
    pub fn integer(value: i64) -> Self {
        MetadataValue::Number(value.into())
    }

    /// A date, sent as the API's ISO-8601 text.
    pub fn date(value: SystemTime) -> Self {
        MetadataValue::Text(crate::time::format_iso8601(value))
    }
}

impl From<&str> for MetadataValue {
    fn from(v: &str) -> Self {
        MetadataValue::text(v)
    }
}

impl From<String> for MetadataValue {
    fn from(v: String) -> Self {
        MetadataValue::Text(v)
    }
}

impl From<i64> for MetadataValue {
    fn from(v: i64) -> Self {
        MetadataValue::integer(v)
    }
}

/// `pinataMetadata`: a name and key-values.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PinMetadata {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    keyvalues: BTreeMap<String, MetadataValue>,
}

impl PinMetadata {
    /// No name (the server uses the file name) and no key-values.
    pub fn new() -> Self {
        Self::default()
    }

    /// Names the pin.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Adds a key-value; more than [`MAX_KEYVALUES`] is an error.
    pub fn keyvalue(
        mut self,
        key: impl Into<String>,
        value: impl Into<MetadataValue>,
    ) -> Result<Self, BuildError> {
        self.keyvalues.insert(key.into(), value.into());
        check_count(self.keyvalues.len())?;
        Ok(self)
    }

    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.keyvalues.is_empty()
    }

    pub(crate) fn to_json(&self) -> Result<String, BuildError> {
        serde_json::to_string(self).map_err(BuildError::Serialize)
    }
}

fn check_count(n: usize) -> Result<(), BuildError> {
    if n > MAX_KEYVALUES {
        Err(BuildError::InvalidInput(format!(
            "a pin carries at most {MAX_KEYVALUES} key-values, this has {n}"
        )))
    } else {
        Ok(())
    }
}

/// `PUT /pinning/hashMetadata`: renames a pin and merges key-values (new keys are added, existing
/// ones overwritten, and a key set to `None` is deleted). Answers `OK`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UpdatePinMetadata {
    #[serde(rename = "ipfsPinHash")]
    cid: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    keyvalues: BTreeMap<String, Option<MetadataValue>>,
}

impl UpdatePinMetadata {
    /// An update of the pin of `cid`.
    pub fn new(cid: impl Into<String>) -> Self {
        Self {
            cid: cid.into(),
            name: None,
            keyvalues: BTreeMap::new(),
        }
    }

    /// Renames the pin.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets (or overwrites) a key-value.
    pub fn set(
        mut self,
        key: impl Into<String>,
        value: impl Into<MetadataValue>,
    ) -> Result<Self, BuildError> {
        self.keyvalues.insert(key.into(), Some(value.into()));
        check_count(self.keyvalues.values().filter(|v| v.is_some()).count())?;
        Ok(self)
    }

    /// Deletes a key-value.
    pub fn remove(mut self, key: impl Into<String>) -> Self {
        self.keyvalues.insert(key.into(), None);
        self
    }
}

impl Endpoint for UpdatePinMetadata {
    type Output = ();

    fn method(&self) -> Method {
        Method::PUT
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        crate::api::validate::check_cid(&self.cid)?;
        Ok("/pinning/hashMetadata".to_owned())
    }

    fn body(&self) -> Result<Body, BuildError> {
        Body::json(self)
    }

    fn parse(&self, status: StatusCode, _: &HeaderMap, body: &Bytes) -> Result<(), DecodeError> {
        super::expect_ok(status, body)
    }
}

//! Test support: the emulator's own control endpoints (`/emulator/faults`, `/emulator/rate_limit`),
//! called through the library's `Endpoint` trait like any other endpoint.

use std::collections::HashMap;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use pinata_core::{Body, BuildError, DecodeError, Endpoint};
use serde::Deserialize;

/// `POST /emulator/faults` with a rule (see `pinata_emulator::faults::FaultRule`).
#[derive(Debug, Clone)]
pub struct AddFault(pub serde_json::Value);

/// `PUT /emulator/rate_limit` with a limit.
#[derive(Debug, Clone)]
pub struct SetRateLimit(pub serde_json::Value);

/// `GET /emulator/faults`: requests seen per key.
#[derive(Debug, Clone)]
pub struct RequestCounts;

/// The counters.
#[derive(Debug, Clone, Deserialize)]
pub struct Counts {
    /// Requests per API key.
    pub requests: HashMap<String, u64>,
}

impl Endpoint for AddFault {
    type Output = serde_json::Value;
    fn method(&self) -> Method {
        Method::POST
    }
    fn path_and_query(&self) -> Result<String, BuildError> {
        Ok("/emulator/faults".into())
    }
    fn body(&self) -> Result<Body, BuildError> {
        Body::json(&self.0)
    }
    fn parse(
        &self,
        status: StatusCode,
        _: &HeaderMap,
        body: &Bytes,
    ) -> Result<Self::Output, DecodeError> {
        DecodeError::decode_json(status, body)
    }
}

impl Endpoint for SetRateLimit {
    type Output = serde_json::Value;
    fn method(&self) -> Method {
        Method::PUT
    }
    fn path_and_query(&self) -> Result<String, BuildError> {
        Ok("/emulator/rate_limit".into())
    }
    fn body(&self) -> Result<Body, BuildError> {
        Body::json(&self.0)
    }
    fn parse(
        &self,
        status: StatusCode,
        _: &HeaderMap,
        body: &Bytes,
    ) -> Result<Self::Output, DecodeError> {
        DecodeError::decode_json(status, body)
    }
}

impl Endpoint for RequestCounts {
    type Output = Counts;
    fn method(&self) -> Method {
        Method::GET
    }
    fn path_and_query(&self) -> Result<String, BuildError> {
        Ok("/emulator/faults".into())
    }
    fn parse(
        &self,
        status: StatusCode,
        _: &HeaderMap,
        body: &Bytes,
    ) -> Result<Counts, DecodeError> {
        DecodeError::decode_json(status, body)
    }
}

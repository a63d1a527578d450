//! Every end-to-end scenario, once. `tests/e2e.rs` runs each through every [`Driver`].
//!
//! - `auth`: authentication against the server, both schemes, every refusal;
//! - `keys`: key management, permissions, max uses, revocation, listing;
//! - `pinning`: uploads, JSON, pins by hash, metadata, unpin, listings, usage, the gateway;
//! - `local`: CIDs of local files and folders, computed by each adapter;
//! - `faults`: the fault matrix (injected faults × safe/unsafe requests), rate limits, timeouts;
//! - `client`: what the client itself refuses or survives (insecure URLs, redirects, faults);
//! - `errors`: what an error says (target, cause in words, what to change), the same on every
//!   transport, and `PINATA_EMULATOR_URL`, the one switch to the emulator;
//! - `v3`: v3 groups on both networks, their scopes and Bearer-only authentication; the
//!   account's gateways; v3 pin by CID and its queue;
//! - `files`: the v3 Files API: uploads from every source on both networks, listing and its
//!   filters, groups, signed upload URLs, private links, streamed downloads, swaps, signatures,
//!   expiry;
//! - `persistence`: the emulator's database across a real restart of its process;
//! - `psa`: the Pinning Service API (add, get, statuses, match modes, metadata, replace, remove,
//!   paging by `before`);
//! - `tooling`: the emulator as a downstream test tool (one-line clients, faults from Rust, the
//!   request journal, seeding, reset);
//! - `tus`: resumable uploads: chunks, a broken connection, realignment, a crash resumed from a
//!   token, cancellation, a signed URL, the protocol's answers;
//! - `proxy`: behind a `CONNECT` proxy: tunnels to an HTTPS emulator, `NO_PROXY`, refusals
//!   naming the proxy, a TLS-inspecting proxy trusted through an extra root;
//! - `hardening`: what the client does not trust: a loopback host *name*, server text on its way
//!   to a terminal, a path that is not a regular file.

mod auth;
mod client;
mod errors;
mod faults;
mod files;
mod hardening;
mod keys;
mod local;
mod persistence;
mod pinning;
mod proxy;
mod psa;
mod tooling;
mod tus;
mod v3;

pub use auth::*;
pub use client::*;
pub use errors::*;
pub use faults::*;
pub use files::*;
pub use hardening::*;
pub use keys::*;
pub use local::*;
pub use persistence::*;
pub use pinning::*;
pub use proxy::*;
pub use psa::*;
pub use tooling::*;
pub use tus::*;
pub use v3::*;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use http::StatusCode;
use pinata_core::api::TestAuthentication;
use pinata_core::api::keys::{
    ApiKeyInfo, CreateApiKey, CreatedApiKey, EndpointPermission, KeyApi, ListApiKeys, Permissions,
    ResourceScope, RevokeApiKey,
};
use pinata_core::{
    ApiError, BuildError, Config, Credentials, CredentialsError, Error, TransportErrorKind,
    TransportOptions, interpret_response, prepare_request,
};

use crate::driver::Driver;
use crate::fake::{Behaviour, FakeServer, closed_port_url};
use crate::target::{EmulatorSide, target};

pub(crate) const WELCOME: &str = "Congratulations! You are communicating with the Pinata API!";

pub(crate) fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The API error of `result`, or a panic that shows what came instead.
pub(crate) fn api_error<T: std::fmt::Debug>(result: Result<T, Error>) -> ApiError {
    match result {
        Err(Error::Api(e)) => *e,
        other => panic!("expected an API error, got {other:?}"),
    }
}

pub(crate) fn assert_reason(e: &ApiError, status: u16, reason: &str, details: &str) {
    assert_eq!(e.status().as_u16(), status, "{e}");
    assert_eq!(e.reason(), Some(reason), "{e}");
    assert_eq!(e.details(), Some(details), "{e}");
}

/// The admin's key-pair credentials.
pub(crate) fn admin(emu: &EmulatorSide) -> Credentials {
    Credentials::key_pair(&emu.admin_key, &emu.admin_secret).expect("admin pair")
}

/// Creates a key through the API, as the admin.
pub(crate) fn create<D: Driver>(
    d: &D,
    emu: &EmulatorSide,
    request: &CreateApiKey,
) -> CreatedApiKey {
    d.execute(admin(emu), target().config(), request)
        .expect("the admin creates a key")
}

/// Creates a key with `permissions` through the API, as the admin.
pub(crate) fn create_key<D: Driver>(
    d: &D,
    emu: &EmulatorSide,
    permissions: Permissions,
) -> CreatedApiKey {
    create(
        d,
        emu,
        &CreateApiKey::new(format!("e2e {}", d.name()), permissions).unwrap(),
    )
}

/// A name no other test uses, so listings can be filtered to one test's keys.
pub(crate) fn unique_name(prefix: &str) -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    )
}

/// Sends `TestAuthentication` with the headers of `credentials`, then edits them with `edit`,
/// through the bare transport: for the cases a well-behaved client cannot produce.
pub(crate) fn raw_test_authentication<D: Driver>(
    d: &D,
    credentials: &Credentials,
    edit: impl FnOnce(&mut http::HeaderMap),
) -> Result<pinata_core::api::AuthenticationOk, Error> {
    let config = target().config();
    let mut request =
        prepare_request(&TestAuthentication, credentials, &config, SystemTime::now())?;
    edit(request.headers_mut());
    let response = d.send_raw(&config, request)?;
    interpret_response(&TestAuthentication, &pinata_core::Body::Empty, response)
}

//! A local server that behaves like the Pinata API (`https://api.pinata.cloud`): same paths, status
//! codes and error bodies, with an account, API keys and HS256 JWTs of its own.
//!
//! # In a test, in one line
//!
//! [`Emulator::spawn`] starts one in-process, on its own thread and runtime (from sync or async
//! tests alike), on an ephemeral port; dropping the handle stops it. [`EmulatorHandle::credentials`]
//! (the admin key's JWT) and [`EmulatorHandle::config`] (every origin — API, uploads, gateway — at
//! the emulator) are what a client needs:
//!
//! ```
//! use pinata_core::{Config, Credentials};
//!
//! let emu = pinata_emulator::Emulator::spawn(Default::default())?;
//! let (credentials, config): (Credentials, Config) = (emu.credentials(), emu.config());
//! // With an adapter: let client = pinata_ureq::Client::with_config(emu.credentials(), emu.config())?;
//! // or pinata_hyper::Client::with_config(…), the same for async code.
//! # let _ = (credentials, config);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! (The adapters are not dependencies of this crate, so the example stops at pinata-core's types.)
//!
//! The handle also seeds state and inspects it, without HTTP:
//!
//! ```
//! use pinata_core::api::Network;
//! use pinata_core::api::keys::{EndpointPermission, Permissions};
//! use pinata_emulator::{FaultRule, JournalFilter};
//!
//! let emu = pinata_emulator::Emulator::spawn(Default::default())?;
//! let reader = emu.create_key("reader", Permissions::endpoints([EndpointPermission::PinList]))?;
//! let group = emu.create_group(Network::Public, "fixtures")?;
//! emu.add_fault(FaultRule::status(503).count(2).key(reader.api_key.as_str()))?;
//! // … the code under test runs, then:
//! let refused = emu.requests(&JournalFilter::new().key(reader.api_key.as_str()).status(503));
//! assert!(refused.is_empty());
//! emu.reset()?; // only the admin key again, everything else gone
//! # let _ = group;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # As a process
//!
//! `pinata-emulator --listen 127.0.0.1:0` prints one JSON line with its URL and admin credentials,
//! then serves until SIGINT or SIGTERM. Point a client at it with
//! `Config::for_emulator(url)` and `Credentials::jwt(admin.jwt)`.
//!
//! # Keeping state across restarts
//!
//! With [`EmulatorConfig::data_dir`] (`--data-dir DIR`), all of the account's state — keys and their
//! use counts, pins, pin jobs, `/psa` requests, files, groups, signed upload URLs, swaps, signatures,
//! resumable uploads in progress (resumable after the restart, from the client's token), the content
//! and the JWT and URL signing secrets — is kept in an SQLite database, `DIR/emulator.sqlite3`, and
//! comes back when an emulator starts on the same directory (on the same port, a client and its
//! tokens carry on as if nothing happened). Requests are answered from memory as without one, so
//! max-uses counting stays exact under concurrency; each change is written before its answer. A
//! database that is corrupt, not this emulator's, newer than it, or in use by another emulator stops
//! the start-up with an error that names it; it is never reset silently. The seed is applied to a
//! new database only (and at every reset). Faults, rate limits and the request journal belong to
//! one run and are not kept. See [`db`]. Everything kept in `DIR` is for its owner only (directories
//! `0700`, files `0600`, narrowed at start-up if an earlier version left them wider), and none of it
//! is reached through a symbolic link: a link in the emulator's place (`objects/`, `incoming/`,
//! `tus/`, a kept file, the database) stops the start-up with its path.
//!
//! The database needs the `persistence` cargo feature, on by default, which brings rusqlite and
//! compiles SQLite from C. A test that keeps the emulator's state in memory can leave it out
//! (`default-features = false`): then nothing is compiled from C, and a data directory is refused
//! at start-up with an error that names the feature.
//!
//! # The control surface
//!
//! Over HTTP, on the same listener, and as [`EmulatorHandle`] methods:
//!
//! - `GET /emulator/health` — no credentials, 200 `{"status":"ok","version":"…"}`: the one
//!   path wait-scripts poll (503 `{"status":"failing",…,"error":…}` once a write to the database
//!   failed, when every other request is refused with 503 too);
//! - `POST /emulator/reset` (admin) — back to the state at start-up: only the admin key (its uses
//!   counted afresh), no pins, jobs, `/psa` pin requests, files, groups, swaps, signatures, signed
//!   URLs, resumable uploads, faults, rate limits or journal entries, content on disk removed. The
//!   admin key,
//!   secret and JWT secret survive, so existing admin clients keep working;
//! - `GET /emulator/requests` (admin) — the request journal (see [`journal`]), filtered by
//!   `method`, `path` (a prefix), `key`, `status`, `since` and `limit`; `DELETE` empties it;
//! - `POST|GET|DELETE /emulator/faults`, `PUT|DELETE /emulator/rate_limit` (admin) — scripted
//!   faults (`--fault status=503,count=2`, `slow`, `close`, `truncate`, `stall`, and for resumable
//!   uploads `tus_break`, `tus_status`, `tus_lose`) and rate limits (`--rate-limit 30/60`), scoped
//!   to one key if asked; [`FaultRule`] and [`RateLimitRule`] build them in Rust
//!   and serialise to exactly the JSON these endpoints take.
//!
//! Every answer carries `X-Pinata-Emulator-Version: <this crate's version>` ([`VERSION`]).
//!
//! It is safe to run where others can reach it: bounded memory, connections and bodies, no key
//! gains rights it was not given, and every number from a flag or a control endpoint is
//! range-checked.
//!
//! Where the real service's behaviour is not known (it is marked "emulator's choice" in the code),
//! the emulator picks an answer in the same style and documents it.

// Handlers return `Result<_, Reply>` where the error is the finished HTTP response; it is built once
// per request, so boxing it would add noise and save nothing.
#![allow(clippy::result_large_err)]

mod access;
mod api;
mod authn;
mod body;
pub mod cli;
mod config;
mod conn;
mod credentials;
pub mod db;
mod disk;
mod error;
pub mod faults;
mod handle;
mod ids;
pub mod journal;
/// The multipart parser, public for the fuzz targets in `fuzz/` (not a stable API).
#[doc(hidden)]
pub mod multipart;
mod reply;
mod router;
mod routes;
pub mod seed;
mod server;
mod state;
mod store;
mod tls;
pub mod token;

pub use error::{HandleError, HandleErrorKind};
// The builders the handle's methods take, at the root beside `JournalFilter` (their modules'
// paths, `faults::FaultRule` and `journal::JournalFilter`, stay).
pub use faults::{FaultRule, RateLimitRule};
pub use journal::{JournalEntry, JournalFilter};
pub use store::keys::{KeyRecord, MAX_KEYS};
pub use store::tus::MAX_TUS_UPLOADS_PER_KEY;

/// This crate's version, sent on every answer as `X-Pinata-Emulator-Version` and by
/// `GET /emulator/health`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Entry points for the fuzz targets in `fuzz/` (not a stable API).
#[doc(hidden)]
pub mod fuzzing {
    /// Parses a pinList query as the emulator does; `true` if it is accepted.
    pub fn pin_list_query(query: &str) -> bool {
        crate::api::pinning::parse_pin_filter(query).is_ok()
    }

    /// Parses a v3 file-list query as the emulator does; `true` if it is accepted.
    pub fn file_list_query(query: &str) -> bool {
        crate::api::files::parse_filter(query).is_ok()
    }

    /// The CID and path a download-link URL names, as the emulator reads it.
    pub fn download_link_target(url: &str) -> Option<(String, String)> {
        crate::api::signed::link_target(url)
    }

    /// Parses a TUS `Upload-Metadata` header as the emulator does; `true` if it is accepted.
    pub fn tus_metadata(header: &str) -> bool {
        crate::api::tus::parse_metadata(header).is_ok()
    }

    /// Parses a request-journal query as `GET /emulator/requests` does; `true` if accepted.
    pub fn journal_query(query: &str) -> bool {
        crate::journal::JournalFilter::parse(query).is_ok()
    }

    /// Parses a pinJSONToIPFS body's content as the emulator normalises it.
    pub fn normalise_json(text: &str) -> String {
        crate::api::pinning::minify(text)
    }
}

/// Parses a key-creation body as the emulator does (exposed for property tests; not a stable API).
#[doc(hidden)]
pub fn parse_key_request(
    json: &serde_json::Value,
) -> Result<pinata_core::api::keys::Permissions, String> {
    store::keys::parse_new_key(json).map(|k| k.permissions)
}
pub use config::{
    DEFAULT_MAX_UPLOAD_BYTES, EmulatorConfig, MAX_TUS_EXPIRY, MAX_UPLOAD_BYTES, PsaMode,
};
pub use credentials::{AdminCredentials, KeyCredentials};
pub use handle::EmulatorHandle;
pub use server::{Emulator, MAX_H2_HEADER_LIST, MAX_H2_STREAMS};
pub use tls::{DEFAULT_TLS_NAMES, TlsConfig};

//! A local server that behaves like the Pinata API (`https://api.pinata.cloud`): same paths, status
//! codes and error bodies, with an account, API keys and HS256 JWTs of its own.
//!
//! Start it in-process for tests:
//!
//! ```
//! let emulator = pinata_emulator::Emulator::spawn(Default::default())?;
//! println!("serving on {} with admin key {}", emulator.url(), emulator.admin().api_key);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! or as a process: `pinata-emulator --listen 127.0.0.1:0` prints one JSON line with its URL and
//! admin credentials, then serves until SIGINT or SIGTERM.
//!
//! Point a client at it (every origin: API, uploads, gateway) with its admin key:
//!
//! ```
//! use pinata_core::{Config, Credentials};
//!
//! let emulator = pinata_emulator::Emulator::spawn(Default::default())?;
//! let config = Config::for_emulator(emulator.url())?;
//! let admin = Credentials::jwt(&emulator.admin().jwt)?;
//! // pinata_ureq::Client::with_config(admin, config)?, or pinata_hyper's.
//! # let _ = (config, admin);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! What a test may want the service to do, it can script: faults (`--fault status=503,count=2`,
//! `slow`, `close`, `truncate`, `stall`, and for resumable uploads `tus_break`, `tus_status`,
//! `tus_lose`, or `POST /emulator/faults` with an admin key) and rate limits
//! (`--rate-limit 30/60`, `PUT /emulator/rate_limit`), scoped to one key if asked. It is safe to run
//! where others can reach it: bounded memory, connections and bodies, no key gains rights it was
//! not given, and every number from a flag or a control endpoint is range-checked.
//!
//! Where the real service's behaviour is not known (it is marked "emulator's choice" in the code),
//! the emulator picks an answer in the same style and documents it.

// Handlers return `Result<_, Reply>` where the error is the finished HTTP response; it is built once
// per request, so boxing it would add noise and save nothing.
#![allow(clippy::result_large_err)]

mod access;
mod api;
mod authn;
mod conn;
mod content;
pub mod faults;
mod files;
mod ids;
mod keys;
/// The multipart parser, public for the fuzz targets in `fuzz/` (not a stable API).
#[doc(hidden)]
pub mod multipart;
mod pins;
mod reply;
mod router;
mod routes;
mod server;
mod state;
pub mod token;
mod tus;

pub use keys::KeyRecord;

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
    api::keys::parse_new_key(json).map(|k| k.permissions)
}
pub use server::{
    AdminCredentials, DEFAULT_MAX_UPLOAD_BYTES, Emulator, EmulatorConfig, EmulatorHandle,
    MAX_TUS_EXPIRY, MAX_UPLOAD_BYTES,
};

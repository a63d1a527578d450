//! The Rust clients' resumable uploads against a *stock* TUS server: `tests/tus-server/server.mjs`
//! (`@tus/server` 2.x with `@tus/file-store`, pinned, with only Pinata's additions around it —
//! a record and a CID for a complete upload, the v3 file list and get). `cargo xtask it` starts
//! that server and runs this; it is not a test target, so plain `cargo test` never needs Node.
//!
//! Through both transports (hyper, ureq), each checked for its CID (computed here) and its record
//! (found by CID: the stock server's upload URLs carry no Pinata file id):
//! - an upload in chunks (the server's `Upload-Cid` checked);
//! - a connection cut 100 kB into a chunk, realigned with `HEAD`;
//! - the final `PATCH`'s answer lost after the server stored it: the stock `HEAD` says offset =
//!   length and names no CID, and the upload finishes with the client's CID (with and without
//!   CID checking);
//! - a crash after a chunk and a half, resumed from the persisted token by a new client;
//! - a server that names no CID at all (the stock server without Pinata's header).
//!
//! Reads `PINATA_TUS_STOCK_URL` (the server's URL), `PINATA_TUS_STOCK_KEY` and
//! `PINATA_TUS_STOCK_SECRET` (the key pair the server was started with). Prints one line per
//! case, then `N passed, 0 failed`; exits non-zero on the first failure.

// An example of the test crate: a failed unwrap is a failed run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use pinata_core::api::Network;
use pinata_core::api::files::GetFile;
use pinata_core::api::uploads::UploadedFile;
use pinata_core::cid::{CidVersion, ImportOptions, import_bytes};
use pinata_core::tus::{MIN_TUS_CHUNK, ResumeToken};
use pinata_core::{BuildError, CancelToken, Config, Credentials, DecodeError, Endpoint};
use pinata_e2e::scratch::Scratch;
use pinata_e2e::{Driver, HyperDriver, UreqDriver};

const CHUNK: u64 = MIN_TUS_CHUNK;

fn main() -> ExitCode {
    match run() {
        Ok(passed) => {
            println!("{passed} passed, 0 failed");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("tus_stock failed: {e}");
            println!("0 passed, 1 failed");
            ExitCode::FAILURE
        }
    }
}

type Outcome<T = ()> = Result<T, String>;

/// The server under test and how to reach it.
struct Stock {
    url: String,
    credentials: Credentials,
}

impl Stock {
    fn config(&self) -> Config {
        Config::for_emulator(&self.url)
            .unwrap()
            .with_tus_threshold(2 * CHUNK)
            .with_tus_chunk_size(CHUNK)
            .unwrap()
    }

    /// `POST /__test/arm`: what the server does to the next requests.
    fn arm<D: Driver>(&self, d: &D, what: serde_json::Value) -> Outcome {
        d.execute(
            self.credentials.clone(),
            self.config(),
            &Test("/__test/arm".into(), Some(what)),
        )
        .map(|_| ())
        .map_err(|e| format!("arming the server: {e}"))
    }
}

fn env(name: &str) -> Outcome<String> {
    std::env::var(name).map_err(|_| format!("{name} is not set"))
}

fn run() -> Outcome<usize> {
    let stock = Stock {
        url: env("PINATA_TUS_STOCK_URL")?,
        credentials: Credentials::key_pair(
            env("PINATA_TUS_STOCK_KEY")?,
            env("PINATA_TUS_STOCK_SECRET")?,
        )
        .map_err(|e| e.to_string())?,
    };
    let dir = Scratch::new("tus-stock");
    let mut passed = 0;
    passed += cases(&HyperDriver, &stock, &dir)?;
    passed += cases(&UreqDriver, &stock, &dir)?;
    let stats = UreqDriver
        .execute(
            stock.credentials.clone(),
            stock.config(),
            &Test("/__test/stats".into(), None),
        )
        .map_err(|e| format!("stats: {e}"))?;
    if stats["misses"] != 0 {
        return Err(format!(
            "records were asked for under ids guessed from the upload URLs: {stats}"
        ));
    }
    println!("no record asked for under an id the server does not have");
    Ok(passed + 1)
}

fn v1(bytes: &[u8]) -> String {
    import_bytes(bytes, ImportOptions::new(CidVersion::V1))
        .unwrap()
        .cid
        .to_string()
}

/// A file of `len` bytes no other case writes (xorshift32 from `seed`).
fn file(dir: &Scratch, name: &str, len: u64, seed: u32) -> (std::path::PathBuf, Vec<u8>) {
    let mut x = seed | 1;
    let bytes: Vec<u8> = (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    (dir.write(name, &bytes), bytes)
}

/// The upload id at the end of a stock upload URL (`…/v3/files/{upload_id}`).
fn upload_id(token: &ResumeToken) -> String {
    let json: serde_json::Value = serde_json::from_str(&token.to_json()).unwrap();
    let url = json["upload_url"].as_str().unwrap_or_default();
    url.rsplit('/').next().unwrap_or_default().to_owned()
}

/// The upload's CID is the content's, and its record — this upload's, found by CID — says so.
fn check<D: Driver>(
    d: &D,
    stock: &Stock,
    case: &str,
    up: &UploadedFile,
    bytes: &[u8],
    id: Option<&str>,
) -> Outcome {
    let expected = v1(bytes);
    if up.cid != expected {
        return Err(format!("{case}: CID {} instead of {expected}", up.cid));
    }
    if let Some(id) = id
        && up.id != id
    {
        return Err(format!(
            "{case}: record {:?}, not the upload's {id:?}",
            up.id
        ));
    }
    let got = d
        .execute(
            stock.credentials.clone(),
            stock.config(),
            &GetFile::new(Network::Private, &up.id),
        )
        .map_err(|e| format!("{case}: the record {:?}: {e}", up.id))?;
    if got.cid != expected || got.size != bytes.len() as u64 {
        return Err(format!(
            "{case}: the server's record says {} ({} bytes)",
            got.cid, got.size
        ));
    }
    println!("[{}] {case}: ok ({expected}, record {})", d.name(), up.id);
    Ok(())
}

/// Keeps the latest resume token.
fn keeper() -> (
    Arc<Mutex<Option<ResumeToken>>>,
    impl Fn(&ResumeToken) + Send + Sync + 'static,
) {
    let slot: Arc<Mutex<Option<ResumeToken>>> = Arc::default();
    let keep = Arc::clone(&slot);
    (slot, move |t: &ResumeToken| {
        *keep.lock().unwrap() = Some(t.clone())
    })
}

fn kept(slot: &Mutex<Option<ResumeToken>>) -> Outcome<ResumeToken> {
    slot.lock()
        .unwrap()
        .clone()
        .ok_or_else(|| "no resume token was given".to_owned())
}

fn cases<D: Driver>(d: &D, stock: &Stock, dir: &Scratch) -> Outcome<usize> {
    let name = d.name();
    let creds = || stock.credentials.clone();
    let mut passed = 0;

    // Chunks; the server's Upload-Cid is checked against the client's own.
    let (path, bytes) = file(dir, &format!("{name}-chunks.bin"), CHUNK * 5 + 123, 1);
    let (slot, keep) = keeper();
    let upload = d
        .upload_request(&path)
        .map_err(|e| e.to_string())?
        .verify_cid(true)
        .on_resume_token(keep);
    let up = d
        .execute_upload(creds(), stock.config(), &upload)
        .map_err(|e| format!("chunks: {e}"))?;
    check(
        d,
        stock,
        "chunks",
        &up,
        &bytes,
        Some(&upload_id(&kept(&slot)?)),
    )?;
    passed += 1;

    // A connection cut 100 kB into the first chunk.
    let (path, bytes) = file(dir, &format!("{name}-cut.bin"), CHUNK * 3, 2);
    stock.arm(d, serde_json::json!({"cut_after": 100_000}))?;
    let upload = d
        .upload_request(&path)
        .map_err(|e| e.to_string())?
        .verify_cid(true);
    let (up, resent) = d
        .upload_resumable(creds(), stock.config(), &upload)
        .map_err(|e| format!("cut: {e}"))?;
    if resent >= CHUNK {
        return Err(format!("cut: {resent} bytes sent again, a chunk or more"));
    }
    check(d, stock, "cut", &up, &bytes, None)?;
    passed += 1;

    // The final answer lost; the stock HEAD names no CID.
    for verify in [true, false] {
        let case = format!("final answer lost (CID checking {verify})");
        let (path, bytes) = file(dir, &format!("{name}-lost-{verify}.bin"), CHUNK * 2 + 7, 3);
        stock.arm(d, serde_json::json!({"lose_answer": true}))?;
        let (slot, keep) = keeper();
        let upload = d
            .upload_request(&path)
            .map_err(|e| e.to_string())?
            .verify_cid(verify)
            .on_resume_token(keep);
        let (up, resent) = d
            .upload_resumable(creds(), stock.config(), &upload)
            .map_err(|e| format!("{case}: {e}"))?;
        if resent != 0 {
            return Err(format!("{case}: {resent} bytes sent again"));
        }
        check(
            d,
            stock,
            &case,
            &up,
            &bytes,
            Some(&upload_id(&kept(&slot)?)),
        )?;
        passed += 1;
    }

    // A crash after a chunk and a half; a new client resumes from the token.
    let (path, bytes) = file(dir, &format!("{name}-crash.bin"), CHUNK * 4, 4);
    let (slot, keep) = keeper();
    let cancel = CancelToken::new();
    let stop = cancel.clone();
    let upload = d
        .upload_request(&path)
        .map_err(|e| e.to_string())?
        .verify_cid(true)
        .cancel_with(cancel)
        .on_resume_token(keep)
        .on_progress(move |p| {
            if p.sent >= CHUNK + CHUNK / 2 {
                stop.cancel();
            }
        });
    if d.upload_resumable(creds(), stock.config(), &upload).is_ok() {
        return Err("crash: the upload was not cancelled".into());
    }
    let token = ResumeToken::from_json(&kept(&slot)?.to_json()).map_err(|e| e.to_string())?;
    let id = upload_id(&token);
    let held = d
        .execute(
            creds(),
            stock.config(),
            &Test(format!("/__test/uploads/{id}"), None),
        )
        .map_err(|e| format!("crash: {e}"))?;
    let offset = held["offset"].as_u64().unwrap_or_default();
    if !(CHUNK..bytes.len() as u64).contains(&offset) {
        return Err(format!(
            "crash: the server holds {offset} bytes before the resume"
        ));
    }
    let up = d
        .resume_upload(creds(), stock.config(), &token)
        .map_err(|e| format!("resume: {e}"))?;
    check(
        d,
        stock,
        &format!("crash resumed from {offset} bytes"),
        &up,
        &bytes,
        Some(&id),
    )?;
    passed += 1;

    // No Upload-Cid at all: complete by offset, the client's CID, the record by CID.
    let (path, bytes) = file(dir, &format!("{name}-no-cid.bin"), CHUNK * 3 + 1, 5);
    stock.arm(d, serde_json::json!({"upload_cid": false}))?;
    let upload = d
        .upload_request(&path)
        .map_err(|e| e.to_string())?
        .verify_cid(true);
    let result = d.execute_upload(creds(), stock.config(), &upload);
    stock.arm(d, serde_json::json!({"upload_cid": true}))?;
    let up = result.map_err(|e| format!("no Upload-Cid: {e}"))?;
    check(d, stock, "no Upload-Cid", &up, &bytes, None)?;
    passed += 1;
    Ok(passed)
}

/// A call to the test server's own control: `GET path`, or `POST path` with a JSON body.
struct Test(String, Option<serde_json::Value>);

impl Endpoint for Test {
    type Output = serde_json::Value;

    fn method(&self) -> Method {
        match self.1 {
            Some(_) => Method::POST,
            None => Method::GET,
        }
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        Ok(self.0.clone())
    }

    fn body(&self) -> Result<pinata_core::Body, BuildError> {
        match &self.1 {
            Some(json) => pinata_core::Body::json(json),
            None => Ok(pinata_core::Body::Empty),
        }
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

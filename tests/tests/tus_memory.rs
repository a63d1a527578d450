//! A resumable upload of a multi-GiB file (sparse, so the disk is not filled) through each
//! transport keeps the process's resident memory flat, survives a connection killed mid-chunk and
//! a "killed process" (the upload cancelled, its client dropped, a new client resuming from the
//! persisted token), and the server receives every byte exactly once. The server is a minimal TUS
//! sink on loopback that keeps only a count (and, when asked, the CID) of what it receives, so the
//! client's memory is what is measured. A test binary of its own, so no other test shares the
//! process (and its memory figures) while it runs.
//!
//! `PINATA_TUS_MEMORY_MIB` sets the size (default 2049 MiB) and `PINATA_TUS_MEMORY_VERIFY=1`
//! checks the CID over the whole file on both sides (slow in a debug build): the figures in the
//! closing notes come from `cargo test --release -p pinata-e2e --test tus_memory` with 10 GiB.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use pinata_core::api::uploads::UploadFile;
use pinata_core::cid::{CidVersion, FileImporter, ImportOptions};
use pinata_core::tus::{DEFAULT_TUS_CHUNK, ResumeToken, TusSession};
use pinata_core::{CancelToken, Config, Credentials, Error, LocalError};
use pinata_e2e::scratch::Scratch;

fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// What the sink knows of the one upload.
struct Sink {
    size: u64,
    /// Bytes kept (the upload's offset).
    offset: u64,
    /// Bytes received in all, duplicates included.
    received: u64,
    /// Kill the connection once the offset passes this (once).
    break_at: Option<u64>,
    hasher: Option<FileImporter>,
    cid: String,
}

/// The CID the sink answers when it does not hash.
const FIXED_CID: &str = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";

fn read_head(reader: &mut BufReader<TcpStream>) -> Option<(String, String, u64, u64)> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let (mut length, mut offset) = (0, 0);
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (name, value) = h.split_once(':')?;
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().ok()?,
            "upload-offset" => offset = value.trim().parse().ok()?,
            _ => {}
        }
    }
    Some((method, path, length, offset))
}

/// Serves one connection: creation, HEAD, PATCHes (bodies counted, hashed when asked, dropped),
/// the file record.
fn serve(stream: TcpStream, port: u16, sink: &Mutex<Sink>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    let mut buf = vec![0u8; 1 << 20];
    while let Some((method, path, length, upload_offset)) = read_head(&mut reader) {
        let answer = match method.as_str() {
            "POST" => format!(
                "HTTP/1.1 201 Created\r\nLocation: http://127.0.0.1:{port}/v3/files/file1/token\r\n\
                 Upload-Offset: 0\r\nContent-Length: 0\r\n\r\n"
            ),
            "HEAD" => {
                let offset = sink.lock().unwrap().offset;
                format!(
                    "HTTP/1.1 200 OK\r\nUpload-Offset: {offset}\r\nCache-Control: no-store\r\nContent-Length: 0\r\n\r\n"
                )
            }
            "PATCH" => {
                assert_eq!(
                    upload_offset,
                    sink.lock().unwrap().offset,
                    "PATCH at the offset"
                );
                let mut left = length;
                while left > 0 {
                    let want = left.min(buf.len() as u64) as usize;
                    let n = reader.read(&mut buf[..want]).unwrap_or(0);
                    if n == 0 {
                        // The client went away mid-chunk: keep what came.
                        return;
                    }
                    left -= n as u64;
                    let mut s = sink.lock().unwrap();
                    s.offset += n as u64;
                    s.received += n as u64;
                    if let Some(h) = &mut s.hasher {
                        h.update(&buf[..n]);
                    }
                    if s.break_at.is_some_and(|at| s.offset >= at) {
                        s.break_at = None;
                        drop(s);
                        // The connection is killed mid-chunk; what came is kept.
                        let _ = out.shutdown(Shutdown::Both);
                        return;
                    }
                }
                let mut s = sink.lock().unwrap();
                let cid = if s.offset == s.size {
                    let cid = match s.hasher.take() {
                        Some(h) => h.finish().cid.to_string(),
                        None => FIXED_CID.to_owned(),
                    };
                    s.cid = cid.clone();
                    format!("Upload-Cid: {cid}\r\n")
                } else {
                    String::new()
                };
                format!(
                    "HTTP/1.1 204 No Content\r\nUpload-Offset: {}\r\n{cid}Content-Length: 0\r\n\r\n",
                    s.offset
                )
            }
            _ if path.starts_with("/v3/files/private/") => {
                let s = sink.lock().unwrap();
                let body = format!(
                    r#"{{"data":{{"id":"file1","name":"big","cid":"{}","size":{},"number_of_files":1,"created_at":"2026-01-01T00:00:00Z"}}}}"#,
                    s.cid, s.size
                );
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                )
            }
            _ => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_owned(),
        };
        if out.write_all(answer.as_bytes()).is_err() {
            return;
        }
    }
}

/// A sink on an ephemeral loopback port.
fn sink(size: u64, break_at: u64, verify: bool) -> (u16, Arc<Mutex<Sink>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let state = Arc::new(Mutex::new(Sink {
        size,
        offset: 0,
        received: 0,
        break_at: Some(break_at),
        hasher: verify.then(|| FileImporter::new(ImportOptions::new(CidVersion::V1)).unwrap()),
        cid: String::new(),
    }));
    let shared = Arc::clone(&state);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || serve(stream, port, &shared));
        }
    });
    (port, state)
}

/// One transport's blocking face for the two calls the test makes.
enum Side<'r> {
    Ureq,
    Hyper(&'r tokio::runtime::Runtime),
}

impl Side<'_> {
    fn upload(
        &self,
        credentials: &Credentials,
        config: &Config,
        session: &mut TusSession,
    ) -> Result<String, Error> {
        match self {
            Side::Ureq => pinata_ureq::Client::with_config(credentials.clone(), config.clone())?
                .upload_resumable(session)
                .map(|f| f.cid),
            Side::Hyper(rt) => rt.block_on(async {
                pinata_hyper::Client::with_config(credentials.clone(), config.clone())?
                    .upload_resumable(session)
                    .await
                    .map(|f| f.cid)
            }),
        }
    }

    fn resume(
        &self,
        credentials: &Credentials,
        config: &Config,
        token: &ResumeToken,
    ) -> Result<String, Error> {
        match self {
            Side::Ureq => pinata_ureq::Client::with_config(credentials.clone(), config.clone())?
                .resume_upload(token)
                .map(|f| f.cid),
            Side::Hyper(rt) => rt.block_on(async {
                pinata_hyper::Client::with_config(credentials.clone(), config.clone())?
                    .resume_upload(token)
                    .await
                    .map(|f| f.cid)
            }),
        }
    }
}

#[test]
fn a_multi_gib_resumable_upload_survives_kills_with_flat_memory() {
    if status_kib("VmHWM:").is_none() || !reset_peak() {
        eprintln!("no /proc/self/status or clear_refs here: memory cannot be measured");
        return;
    }
    let mib: u64 = std::env::var("PINATA_TUS_MEMORY_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2049);
    let verify = std::env::var("PINATA_TUS_MEMORY_VERIFY").is_ok_and(|v| v == "1");
    let size = mib << 20;
    let scratch = Scratch::new("tus-memory");
    let path = scratch.path().join("sparse.bin");
    std::fs::File::create(&path).unwrap().set_len(size).unwrap();
    let fingerprint = pinata_core::tus::FileFingerprint::new(
        std::fs::canonicalize(&path).unwrap(),
        size,
        std::fs::metadata(&path).unwrap().modified().ok(),
    );
    let credentials = Credentials::key_pair("0123456789abcdef0123", "s3cr3t").unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    for (name, side) in [("ureq", Side::Ureq), ("hyper", Side::Hyper(&runtime))] {
        // The connection is killed a quarter of the way, the process "dies" half way.
        let (port, state) = sink(size, size / 4, verify);
        let config = Config::for_emulator(&format!("http://127.0.0.1:{port}")).unwrap();
        assert_eq!(config.tus_chunk_size(), DEFAULT_TUS_CHUNK);
        let saved: Arc<Mutex<Option<String>>> = Arc::default();
        let keep = Arc::clone(&saved);
        let cancel = CancelToken::new();
        let stop = cancel.clone();
        let upload = UploadFile::path(&path, size)
            .unwrap()
            .fingerprint(fingerprint.clone())
            .verify_cid(verify)
            .cancel_with(cancel)
            .on_resume_token(move |t| *keep.lock().unwrap() = Some(t.to_json()))
            .on_progress(move |p| {
                if p.sent >= p.total / 2 {
                    stop.cancel();
                }
            });
        let started = std::time::Instant::now();
        let before = status_kib("VmRSS:").unwrap();
        assert!(reset_peak());
        let mut session = TusSession::for_upload(&upload, &config).unwrap().unwrap();
        let first = side.upload(&credentials, &config, &mut session);
        assert!(
            matches!(first, Err(Error::Local(LocalError::Cancelled))),
            "{name}: {first:?}"
        );
        let resent_before_crash = session.resent();
        drop(session);
        let token = ResumeToken::from_json(&saved.lock().unwrap().clone().unwrap()).unwrap();
        let cid = side.resume(&credentials, &config, &token).unwrap();
        let peak = status_kib("VmHWM:").unwrap();
        let grew = peak.saturating_sub(before) as f64 / 1024.0;
        let s = state.lock().unwrap();
        eprintln!(
            "{name}: {mib} MiB in {} MiB chunks, a connection killed at 1/4 and the process at 1/2: \
             {:.1} s, resident memory grew {grew:.1} MiB at peak, received {} bytes for {size}, \
             {resent_before_crash} bytes sent twice by the client, CID checked: {verify}",
            DEFAULT_TUS_CHUNK >> 20,
            started.elapsed().as_secs_f64(),
            s.received
        );
        assert_eq!(s.offset, size, "{name}: the whole file");
        assert_eq!(s.received, size, "{name}: no byte received twice");
        assert!(
            resent_before_crash < DEFAULT_TUS_CHUNK,
            "{name}: at most a chunk re-sent"
        );
        assert_eq!(cid, s.cid, "{name}: the sink's CID");
        assert!(grew < 24.0, "{name}: memory grew {grew:.1} MiB");
    }
}

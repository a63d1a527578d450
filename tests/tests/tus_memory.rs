//! A resumable upload of a multi-GiB file (sparse, so the disk is not filled) keeps the process's
//! resident memory flat through each transport: the 50 MiB + 1 chunks are streamed from disk, never
//! held. The server is a minimal TUS sink on loopback that counts and discards what it receives,
//! so only the client's memory is measured. A test binary of its own, so no other test shares the
//! process (and its memory figures) while it runs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use pinata_core::api::uploads::UploadFile;
use pinata_core::tus::{DEFAULT_TUS_CHUNK, TusSession};
use pinata_core::{Config, Credentials};
use pinata_e2e::scratch::Scratch;

/// 2 GiB and a byte: 41 chunks, the last one short.
const SIZE: u64 = (2 << 30) + 1;

fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// The CID the sink answers (the client does not check it here: hashing 2 GiB in a debug build
/// would dominate the run; CID checking across chunks is tested elsewhere).
const CID: &str = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";

/// Serves one connection of the sink: creation, PATCHes (bodies read and dropped), the record.
fn serve(stream: TcpStream, port: u16, received: &AtomicU64) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_owned();
        let path = parts.next().unwrap_or("").to_owned();
        let mut length = 0u64;
        let mut upload_offset = 0u64;
        loop {
            let mut h = String::new();
            reader.read_line(&mut h).unwrap();
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            let (name, value) = h.split_once(':').unwrap();
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().unwrap(),
                "upload-offset" => upload_offset = value.trim().parse().unwrap(),
                _ => {}
            }
        }
        let mut left = length;
        while left > 0 {
            let n = reader.read(&mut buf[..left.min(1 << 20) as usize]).unwrap();
            assert!(n > 0, "the body ended early");
            left -= n as u64;
        }
        let answer = match method.as_str() {
            "POST" => format!(
                "HTTP/1.1 201 Created\r\nLocation: http://127.0.0.1:{port}/v3/files/file1/token\r\n\
                 Upload-Offset: 0\r\nContent-Length: 0\r\n\r\n"
            ),
            "PATCH" => {
                // The upload's offset is the bytes received (a client may use several
                // connections).
                let offset = received.fetch_add(length, Ordering::SeqCst) + length;
                assert_eq!(upload_offset + length, offset, "chunks in order");
                let cid = if offset == SIZE {
                    format!("Upload-Cid: {CID}\r\n")
                } else {
                    String::new()
                };
                format!(
                    "HTTP/1.1 204 No Content\r\nUpload-Offset: {offset}\r\n{cid}Content-Length: 0\r\n\r\n"
                )
            }
            _ if path.starts_with("/v3/files/private/") => {
                let body = format!(
                    r#"{{"data":{{"id":"file1","name":"big","cid":"{CID}","size":{SIZE},"number_of_files":1,"created_at":"2026-01-01T00:00:00Z"}}}}"#
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

/// A sink on an ephemeral loopback port; returns its port and the bytes it received.
fn sink() -> (u16, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&received);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let counter = Arc::clone(&counter);
            std::thread::spawn(move || serve(stream, port, &counter));
        }
    });
    (port, received)
}

#[test]
fn a_multi_gib_resumable_upload_keeps_memory_flat() {
    if status_kib("VmHWM:").is_none() || !reset_peak() {
        eprintln!("no /proc/self/status or clear_refs here: memory cannot be measured");
        return;
    }
    let scratch = Scratch::new("tus-memory");
    let path = scratch.path().join("sparse.bin");
    std::fs::File::create(&path).unwrap().set_len(SIZE).unwrap();
    let credentials = Credentials::key_pair("0123456789abcdef0123", "s3cr3t").unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    for name in ["ureq", "hyper"] {
        let (port, received) = sink();
        let config = Config::for_emulator(&format!("http://127.0.0.1:{port}")).unwrap();
        assert_eq!(config.tus_chunk_size(), DEFAULT_TUS_CHUNK);
        let upload = UploadFile::path(&path, SIZE).unwrap();
        let mut session = TusSession::for_upload(&upload, &config).unwrap().unwrap();
        let before = status_kib("VmRSS:").unwrap();
        assert!(reset_peak());
        let file = match name {
            "ureq" => pinata_ureq::Client::with_config(credentials.clone(), config)
                .unwrap()
                .upload_resumable(&mut session)
                .unwrap(),
            _ => runtime.block_on(async {
                pinata_hyper::Client::with_config(credentials.clone(), config)
                    .unwrap()
                    .upload_resumable(&mut session)
                    .await
                    .unwrap()
            }),
        };
        let peak = status_kib("VmHWM:").unwrap();
        let grew = peak.saturating_sub(before) as f64 / 1024.0;
        eprintln!(
            "{name}: a {} MiB resumable upload in {} MiB chunks; resident memory grew {grew:.1} MiB at peak",
            SIZE >> 20,
            DEFAULT_TUS_CHUNK >> 20
        );
        assert_eq!(
            received.load(Ordering::SeqCst),
            SIZE,
            "{name}: every byte, once"
        );
        assert_eq!(file.cid, CID);
        assert!(
            grew < 24.0,
            "{name}: memory grew {grew:.1} MiB during a 2 GiB upload in 50 MiB chunks"
        );
    }
}

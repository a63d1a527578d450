//! The TUS session against a fake server in memory, driven by the blocking client: chunks, the
//! CID, failures realigned with HEAD, resumes from a token, cancellation, a stock TUS server's
//! upload URLs and answers; and the session alone, step by step, with no client.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use bytes::Bytes;
use http::StatusCode;

use super::wire::TusKind;
use super::*;
use crate::api::Network;
use crate::api::signed::SignedUrl;
use crate::api::uploads::UploadFile;
use crate::cid::{CidVersion, ImportOptions, import_bytes};
use crate::config::Config;
use crate::endpoint::{Body, Endpoint};
use crate::error::{Error, TransportError, TransportErrorKind, VerifyError};
use crate::local::LocalError;
use crate::retry::RetryPolicy;
use crate::transport::BlockingTransport;
use crate::upload::{CancelToken, UploadCursor, UploadStep};
use crate::{BlockingClient, Credentials};

/// What the fake server does to the next PATCH.
#[derive(Debug, Clone, Copy)]
enum Fault {
    /// Nothing.
    Pass,
    /// Keep this many bytes of the chunk, then break the connection.
    BreakAfter(usize),
    /// Answer 409 without taking anything.
    Conflict,
    /// Answer 503 without taking anything.
    Unavailable,
    /// Forget the upload (404 from now on).
    Lose,
}

/// An upload in progress: its length, the bytes held, its file name.
#[derive(Clone)]
struct Upload {
    length: u64,
    data: Vec<u8>,
    name: String,
    /// The file id its record gets (`file<n>`), also in Pinata's upload URL.
    file_id: String,
}

/// A file record, made when an upload is complete.
#[derive(Clone)]
struct Record {
    id: String,
    name: String,
    cid: String,
    size: u64,
}

#[derive(Default)]
struct Server {
    uploads: HashMap<String, Upload>,
    /// Records, oldest first.
    files: Vec<Record>,
    faults: VecDeque<Fault>,
    received: u64,
    heads: u32,
    deletes: u32,
    next: u32,
    /// Answer the last chunk with another CID.
    wrong_cid: bool,
    /// HEAD of a complete upload names its CID.
    head_cid: bool,
    /// Answer as a stock TUS server: `Location: …/v3/files/<upload>` and no `Upload-Cid` at all.
    stock: bool,
    /// With `stock`, Pinata's one addition: the final PATCH's answer names the CID.
    stock_with_cid: bool,
    /// The file API's requests (method, path and query).
    api_calls: Vec<String>,
}

impl Server {
    /// The record of `upload`, made now that it is complete.
    fn record(&mut self, upload: &Upload) {
        let cid = v1(&upload.data);
        self.files.push(Record {
            id: upload.file_id.clone(),
            name: upload.name.clone(),
            cid,
            size: upload.length,
        });
    }
}

fn v1(bytes: &[u8]) -> String {
    import_bytes(bytes, ImportOptions::new(CidVersion::V1))
        .unwrap()
        .cid
        .to_string()
}

fn record_json(r: &Record) -> String {
    format!(
        r#"{{"id":"{}","name":"{}","cid":"{}","size":{},"number_of_files":1,"created_at":"2026-01-01T00:00:00Z"}}"#,
        r.id, r.name, r.cid, r.size
    )
}

#[derive(Default)]
struct FakeTus(Mutex<Server>);

fn respond(status: u16, headers: &[(&str, String)], body: &str) -> http::Response<Bytes> {
    let mut r = http::Response::builder().status(status);
    for (k, v) in headers {
        r = r.header(*k, v);
    }
    r.body(Bytes::from(body.to_owned())).unwrap()
}

/// Reads a PATCH body as a transport would, up to `limit` bytes.
fn read_body(body: &Body, limit: usize) -> Vec<u8> {
    let upload = body.upload().unwrap().clone();
    let mut cursor = UploadCursor::new(upload);
    let mut out = Vec::new();
    let mut file: Option<std::fs::File> = None;
    loop {
        match cursor.next_step() {
            UploadStep::Send(b) => out.extend_from_slice(&b),
            UploadStep::OpenFileAt { path, offset } => {
                let mut f = std::fs::File::open(path).unwrap();
                f.seek(SeekFrom::Start(offset)).unwrap();
                file = Some(f);
            }
            UploadStep::ReadFile { max } => {
                let mut buf = vec![0u8; max.min(64 * 1024)];
                let n = file.as_mut().unwrap().read(&mut buf).unwrap();
                cursor.file_read(&buf[..n]).unwrap();
                out.extend_from_slice(&buf[..n]);
                if out.len() >= limit {
                    out.truncate(limit);
                    return out;
                }
            }
            UploadStep::CheckEnd => cursor.file_end(false).unwrap(),
            UploadStep::Finished | UploadStep::Cancelled => return out,
            other => panic!("unexpected step {other:?}"),
        }
    }
}

impl BlockingTransport for FakeTus {
    fn send(&self, request: http::Request<Body>) -> Result<http::Response<Bytes>, TransportError> {
        let mut s = self.0.lock().unwrap();
        let path = request.uri().path().to_owned();
        let header = |n: &str| {
            request
                .headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        assert!(
            request.headers().get("authorization").is_some()
                || request.headers().get("pinata_api_key").is_some(),
            "requests to the uploads origin carry the credentials"
        );
        let id = path.rsplit('/').next().unwrap_or_default().to_owned();
        match (request.method().as_str(), path.as_str()) {
            ("POST", "/v3/files") => {
                let length: u64 = header("upload-length").unwrap().parse().unwrap();
                let metadata = header("upload-metadata").unwrap();
                let encoded = metadata
                    .split(',')
                    .find_map(|pair| pair.strip_prefix("filename "))
                    .unwrap();
                let name = String::from_utf8(
                    base64::engine::general_purpose::STANDARD
                        .decode(encoded)
                        .unwrap(),
                )
                .unwrap();
                s.next += 1;
                let token = format!("tok{}", s.next);
                let file_id = format!("file{}", s.next);
                let location = if s.stock {
                    format!("https://uploads.pinata.cloud/v3/files/{token}")
                } else {
                    format!("https://uploads.pinata.cloud/v3/files/{file_id}/{token}")
                };
                s.uploads.insert(
                    token,
                    Upload {
                        length,
                        data: Vec::new(),
                        name,
                        file_id,
                    },
                );
                Ok(respond(201, &[("location", location)], ""))
            }
            ("GET", p) if p.starts_with("/v3/files/private") => {
                let query = request.uri().query().unwrap_or_default().to_owned();
                s.api_calls.push(format!("GET {p}?{query}"));
                if p == "/v3/files/private" {
                    let cid = query
                        .split('&')
                        .find_map(|kv| kv.strip_prefix("cid="))
                        .unwrap_or_default();
                    let files: Vec<String> = s
                        .files
                        .iter()
                        .rev()
                        .filter(|r| r.cid == cid)
                        .map(record_json)
                        .collect();
                    let body = format!(
                        r#"{{"data":{{"files":[{}],"next_page_token":""}}}}"#,
                        files.join(",")
                    );
                    return Ok(respond(200, &[], &body));
                }
                match s.files.iter().find(|r| r.id == id) {
                    Some(r) => Ok(respond(
                        200,
                        &[],
                        &format!(r#"{{"data":{}}}"#, record_json(r)),
                    )),
                    None => Ok(respond(
                        404,
                        &[],
                        r#"{"error":{"code":404,"message":"not found"}}"#,
                    )),
                }
            }
            ("HEAD", _) => {
                s.heads += 1;
                match s.uploads.get(&id) {
                    Some(up) => {
                        let mut headers = vec![("upload-offset", up.data.len().to_string())];
                        if s.head_cid && !s.stock && up.data.len() as u64 == up.length {
                            let bytes = if s.wrong_cid {
                                &b"other"[..]
                            } else {
                                &up.data[..]
                            };
                            headers.push(("upload-cid", v1(bytes)));
                        }
                        Ok(respond(200, &headers, ""))
                    }
                    None => Ok(respond(404, &[], "")),
                }
            }
            ("DELETE", _) => {
                s.deletes += 1;
                s.uploads.remove(&id);
                Ok(respond(204, &[], ""))
            }
            ("PATCH", _) => {
                let fault = s.faults.pop_front();
                if let Some(Fault::Lose) = fault {
                    s.uploads.remove(&id);
                }
                let Some(up) = s.uploads.get(&id).cloned() else {
                    return Ok(respond(
                        404,
                        &[],
                        r#"{"error":{"code":404,"message":"gone"}}"#,
                    ));
                };
                let offset: u64 = header("upload-offset").unwrap().parse().unwrap();
                if offset != up.data.len() as u64 || matches!(fault, Some(Fault::Conflict)) {
                    return Ok(respond(
                        409,
                        &[("upload-offset", up.data.len().to_string())],
                        "",
                    ));
                }
                if let Some(Fault::Unavailable) = fault {
                    return Ok(respond(503, &[], ""));
                }
                assert_eq!(
                    header("content-type").as_deref(),
                    Some("application/offset+octet-stream")
                );
                let limit = match fault {
                    Some(Fault::BreakAfter(n)) => n,
                    _ => usize::MAX,
                };
                let chunk = read_body(request.body(), limit);
                s.received += chunk.len() as u64;
                let entry = s.uploads.get_mut(&id).unwrap();
                entry.data.extend_from_slice(&chunk);
                let up = entry.clone();
                let complete = up.data.len() as u64 == up.length;
                if complete {
                    s.record(&up);
                }
                if let Some(Fault::BreakAfter(_)) = fault {
                    return Err(TransportError::maybe_sent(
                        TransportErrorKind::Protocol,
                        "connection reset mid-chunk",
                    ));
                }
                let mut headers = vec![("upload-offset", up.data.len().to_string())];
                if complete && (!s.stock || s.stock_with_cid) {
                    let cid = if s.wrong_cid {
                        v1(b"other")
                    } else {
                        v1(&up.data)
                    };
                    headers.push(("upload-cid", cid));
                }
                Ok(respond(204, &headers, ""))
            }
            other => panic!("unexpected request {other:?}"),
        }
    }

    fn sleep(&self, _: Duration) {}

    fn fingerprint(&self, path: &Path) -> Result<FileFingerprint, LocalError> {
        let meta = std::fs::metadata(path).map_err(|e| LocalError::io(path, e))?;
        Ok(FileFingerprint::new(path, meta.len(), meta.modified().ok()))
    }

    fn read_range(
        &self,
        path: &Path,
        offset: u64,
        len: u64,
        each: &mut dyn FnMut(&[u8]),
    ) -> Result<(), LocalError> {
        let mut f = std::fs::File::open(path).map_err(|e| LocalError::io(path, e))?;
        f.seek(SeekFrom::Start(offset)).unwrap();
        let mut buf = vec![0u8; len as usize];
        f.read_exact(&mut buf)
            .map_err(|e| LocalError::io(path, e))?;
        each(&buf);
        Ok(())
    }
}

struct Case {
    client: BlockingClient<std::sync::Arc<FakeTus>>,
    server: std::sync::Arc<FakeTus>,
    path: PathBuf,
    content: Vec<u8>,
    _dir: TempDir,
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl BlockingTransport for std::sync::Arc<FakeTus> {
    fn send(&self, r: http::Request<Body>) -> Result<http::Response<Bytes>, TransportError> {
        (**self).send(r)
    }
    fn sleep(&self, d: Duration) {
        (**self).sleep(d)
    }
    fn fingerprint(&self, p: &Path) -> Result<FileFingerprint, LocalError> {
        (**self).fingerprint(p)
    }
    fn read_range(
        &self,
        p: &Path,
        o: u64,
        l: u64,
        e: &mut dyn FnMut(&[u8]),
    ) -> Result<(), LocalError> {
        (**self).read_range(p, o, l, e)
    }
}

const CHUNK: u64 = MIN_TUS_CHUNK;

fn case(label: &str, len: usize) -> Case {
    let dir = std::env::temp_dir().join(format!("pinata-tus-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("big.bin");
    let content: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
    std::fs::write(&path, &content).unwrap();
    let config = Config::default()
        .with_tus_threshold(1000)
        .with_tus_chunk_size(CHUNK)
        .unwrap()
        .with_retry_policy(RetryPolicy::default().max_attempts(4));
    let server = std::sync::Arc::new(FakeTus::default());
    let client = BlockingClient::with_transport(
        std::sync::Arc::clone(&server),
        Credentials::key_pair("0123456789abcdef0123", "s3cr3t").unwrap(),
        config,
    );
    Case {
        client,
        server,
        path,
        content,
        _dir: TempDir(dir),
    }
}

fn upload(c: &Case) -> UploadFile {
    let len = c.content.len() as u64;
    UploadFile::path(&c.path, len)
        .unwrap()
        .fingerprint(c.client.transport().fingerprint(&c.path).unwrap())
        .verify_cid(true)
}

fn stored(c: &Case) -> Vec<u8> {
    let s = c.server.0.lock().unwrap();
    s.uploads
        .values()
        .next()
        .map(|up| up.data.clone())
        .unwrap_or_default()
}

#[test]
fn a_large_file_goes_up_in_chunks_and_its_cid_is_checked() {
    let c = case("chunks", (CHUNK * 5 + 1234) as usize);
    let done = c.client.upload_file(&upload(&c)).unwrap();
    assert_eq!(
        done.id, "file1",
        "the record of the file the upload URL names"
    );
    assert_eq!(stored(&c), c.content);
    let s = c.server.0.lock().unwrap();
    assert_eq!(s.received, c.content.len() as u64, "every byte sent once");
    assert_eq!(s.heads, 0);
    drop(s);
    // The server answering another CID is caught.
    let c = case("wrong-cid", (CHUNK + 10) as usize);
    c.server.0.lock().unwrap().wrong_cid = true;
    let wrong = c.client.upload_file(&upload(&c));
    assert!(
        matches!(wrong, Err(Error::Verify(VerifyError::CidMismatch { .. }))),
        "{wrong:?}"
    );
}

#[test]
fn a_broken_connection_resumes_from_the_servers_offset() {
    // A 503: wait, ask where the server stands, go on.
    let c = case("unavailable", (CHUNK * 3) as usize);
    let up = upload(&c);
    let mut session = TusSession::for_upload(&up, c.client.config())
        .unwrap()
        .unwrap();
    c.server.0.lock().unwrap().faults = VecDeque::from([Fault::Unavailable]);
    let done = c.client.upload_resumable(&mut session).unwrap();
    assert_eq!(done.id, "file1");
    assert_eq!(stored(&c), c.content);
    assert_eq!(c.server.0.lock().unwrap().heads, 1);
    // The first chunk breaks after 100 kB: the server keeps them; the session asks and goes on
    // from there.
    let c = case("broken-mid", (CHUNK * 3) as usize);
    let up = upload(&c);
    let mut session = TusSession::for_upload(&up, c.client.config())
        .unwrap()
        .unwrap();
    c.server.0.lock().unwrap().faults = VecDeque::from([Fault::BreakAfter(100_000)]);
    c.client.upload_resumable(&mut session).unwrap();
    assert_eq!(stored(&c), c.content);
    let s = c.server.0.lock().unwrap();
    assert_eq!(s.heads, 1, "one HEAD to learn the offset");
    assert!(
        s.received < c.content.len() as u64 + CHUNK,
        "less than a chunk sent again: {} of {}",
        s.received,
        c.content.len()
    );
    assert!(session.resent() < CHUNK);
}

#[test]
fn a_conflict_is_realigned_and_a_lost_upload_fails() {
    let c = case("conflict", (CHUNK * 2) as usize);
    c.server.0.lock().unwrap().faults = VecDeque::from([Fault::Conflict]);
    c.client.upload_file(&upload(&c)).unwrap();
    assert_eq!(stored(&c), c.content);
    assert_eq!(c.server.0.lock().unwrap().heads, 1);

    let c = case("lost", (CHUNK * 2) as usize);
    c.server.0.lock().unwrap().faults = VecDeque::from([Fault::Lose]);
    let lost = c.client.upload_file(&upload(&c));
    assert_eq!(lost.unwrap_err().status(), Some(StatusCode::NOT_FOUND));
}

#[test]
fn a_crash_resumes_from_the_token_and_a_changed_file_is_refused() {
    let c = case("crash", (CHUNK * 4) as usize);
    let token: std::sync::Arc<Mutex<Option<ResumeToken>>> = Default::default();
    let keep = std::sync::Arc::clone(&token);
    let cancel = CancelToken::new();
    let stop = cancel.clone();
    let up = upload(&c)
        .on_resume_token(move |t| *keep.lock().unwrap() = Some(t.clone()))
        .cancel_with(cancel)
        .on_progress(move |p| {
            // "The process dies" after a chunk and a half.
            if p.sent >= CHUNK + CHUNK / 2 {
                stop.cancel();
            }
        });
    let first = c.client.upload_file(&up);
    assert!(
        matches!(first, Err(Error::Local(LocalError::Cancelled))),
        "{first:?}"
    );
    let json = token.lock().unwrap().clone().unwrap().to_json();
    assert!(!format!("{:?}", ResumeToken::from_json(&json).unwrap()).contains("tok1"));

    // A new client, from the persisted token: the server's part is read again, not re-sent.
    let received_before = c.server.0.lock().unwrap().received;
    let held = stored(&c).len() as u64;
    let resumed = c
        .client
        .resume_upload(ResumeToken::from_json(&json).unwrap())
        .unwrap();
    assert_eq!(resumed.id, "file1");
    assert_eq!(stored(&c), c.content);
    let sent_after = c.server.0.lock().unwrap().received - received_before;
    assert_eq!(sent_after, c.content.len() as u64 - held, "nothing re-sent");

    // A resume takes the hooks an upload takes: progress over the whole file, and a cancel
    // that keeps the upload resumable.
    let c2 = case("hooks", (CHUNK * 4) as usize);
    let token2: std::sync::Arc<Mutex<Option<ResumeToken>>> = Default::default();
    let keep2 = std::sync::Arc::clone(&token2);
    let cancel = CancelToken::new();
    let stop = cancel.clone();
    let first = c2.client.upload_file(
        &upload(&c2)
            .on_resume_token(move |t| *keep2.lock().unwrap() = Some(t.clone()))
            .cancel_with(cancel)
            .on_progress(move |p| {
                if p.sent >= CHUNK {
                    stop.cancel();
                }
            }),
    );
    assert!(matches!(first, Err(Error::Local(LocalError::Cancelled))));
    let token2 = token2.lock().unwrap().clone().unwrap();
    let cancel = CancelToken::new();
    let stop = cancel.clone();
    let cancelled = c2.client.resume_upload(
        ResumeUpload::new(token2.clone())
            .cancel_with(cancel)
            .on_progress(move |p| {
                if p.sent >= 2 * CHUNK {
                    stop.cancel();
                }
            }),
    );
    assert!(
        matches!(cancelled, Err(Error::Local(LocalError::Cancelled))),
        "{cancelled:?}"
    );
    let seen = std::sync::Arc::new(Mutex::new(Vec::new()));
    let log = std::sync::Arc::clone(&seen);
    let finished = c2
        .client
        .resume_upload(ResumeUpload::new(token2).on_progress(move |p| {
            log.lock().unwrap().push((p.sent, p.total));
        }))
        .unwrap();
    assert_eq!(stored(&c2), c2.content);
    let seen = seen.lock().unwrap();
    let total = c2.content.len() as u64;
    assert!(seen.len() > 1, "{seen:?}");
    assert!(seen.iter().all(|(_, t)| *t == total), "{seen:?}");
    assert_eq!(seen.last().map(|(s, _)| *s), Some(total), "{seen:?}");
    assert!(!finished.cid.is_empty());

    // The same again, but the file changes before the resume.
    let c = case("changed", (CHUNK * 3) as usize);
    let token: std::sync::Arc<Mutex<Option<ResumeToken>>> = Default::default();
    let keep = std::sync::Arc::clone(&token);
    let cancel = CancelToken::new();
    let stop = cancel.clone();
    let up = upload(&c)
        .on_resume_token(move |t| *keep.lock().unwrap() = Some(t.clone()))
        .cancel_with(cancel)
        .on_progress(move |p| {
            if p.sent >= CHUNK {
                stop.cancel();
            }
        });
    assert!(c.client.upload_file(&up).is_err());
    std::fs::write(&c.path, b"something else").unwrap();
    let token = token.lock().unwrap().clone().unwrap();
    let refused = c.client.resume_upload(&token);
    assert!(
        matches!(refused, Err(Error::Local(LocalError::Changed { .. }))),
        "{refused:?}"
    );
}

#[test]
fn a_cancelled_upload_can_be_terminated() {
    let c = case("terminate", (CHUNK * 3) as usize);
    let cancel = CancelToken::new();
    let stop = cancel.clone();
    let up = upload(&c)
        .cancel_with(cancel)
        .terminate_on_cancel(true)
        .on_progress(move |p| {
            if p.sent > CHUNK {
                stop.cancel();
            }
        });
    assert!(matches!(
        c.client.upload_file(&up),
        Err(Error::Local(LocalError::Cancelled))
    ));
    let s = c.server.0.lock().unwrap();
    assert_eq!(s.deletes, 1);
    assert!(s.uploads.is_empty());
}

#[test]
fn metadata_is_utf8_base64_and_tokens_round_trip() {
    let fields = TusFields {
        filename: "résumé ünïcode.txt".into(),
        network: "private".into(),
        name: None,
        group_id: Some("g".into()),
        keyvalues: BTreeMap::from([("k".to_owned(), "v".to_owned())]),
        cid_version: None,
        expires_at: Some(5),
        streamable: false,
    };
    let header = fields.metadata().unwrap();
    let header = header.to_str().unwrap();
    let b64 = |v: &str| base64::engine::general_purpose::STANDARD.encode(v.as_bytes());
    assert!(header.starts_with(&format!("filename {}", b64("résumé ünïcode.txt"))));
    assert!(header.contains(&format!("group_id {}", b64("g"))));
    assert!(header.contains(&format!("keyvalues {}", b64(r#"{"k":"v"}"#))));
    assert!(header.contains(&format!("expires_at {}", b64("5"))));
    assert!(ResumeToken::from_json("{}").is_err());
    assert!(ResumeToken::from_json("not json").is_err());
}

#[test]
fn a_resume_after_the_last_answer_was_lost_checks_the_cid_from_head() {
    let c = case("complete", (CHUNK * 2) as usize);
    let token: std::sync::Arc<Mutex<Option<ResumeToken>>> = Default::default();
    let keep = std::sync::Arc::clone(&token);
    c.client
        .upload_file(&upload(&c).on_resume_token(move |t| *keep.lock().unwrap() = Some(t.clone())))
        .unwrap();
    // The server holds it all; HEAD answers the length and the CID: the resume only re-reads
    // the file to check that CID.
    c.server.0.lock().unwrap().head_cid = true;
    let token = token.lock().unwrap().clone().unwrap();
    let before = c.server.0.lock().unwrap().received;
    let again = c.client.resume_upload(&token).unwrap();
    assert_eq!(again.id, "file1");
    assert_eq!(
        c.server.0.lock().unwrap().received,
        before,
        "nothing sent again"
    );
    c.server.0.lock().unwrap().wrong_cid = true;
    let wrong = c.client.resume_upload(&token);
    assert!(
        matches!(wrong, Err(Error::Verify(VerifyError::CidMismatch { .. }))),
        "{wrong:?}"
    );
}

#[test]
fn an_upload_described_without_a_fingerprint_can_still_be_resumed() {
    let c = case("no-fingerprint", (CHUNK * 3) as usize);
    let token: std::sync::Arc<Mutex<Option<ResumeToken>>> = Default::default();
    let keep = std::sync::Arc::clone(&token);
    let cancel = CancelToken::new();
    let stop = cancel.clone();
    // `UploadFile::path`, not `upload_request`: the client asks the transport for the fingerprint.
    let up = UploadFile::path(&c.path, c.content.len() as u64)
        .unwrap()
        .verify_cid(true)
        .on_resume_token(move |t| *keep.lock().unwrap() = Some(t.clone()))
        .cancel_with(cancel)
        .on_progress(move |p| {
            if p.sent >= CHUNK {
                stop.cancel();
            }
        });
    assert!(c.client.upload_file(&up).is_err());
    let token = token.lock().unwrap().clone().unwrap();
    assert!(token.fingerprint().modified.is_some());
    c.client.resume_upload(&token).unwrap();
    assert_eq!(stored(&c), c.content);
}

/// A stock TUS server (`@tus/server`, tusd): its upload URL is `…/v3/files/<upload>`, which names
/// no file record, and no answer names a CID (or only the final PATCH's, Pinata's addition). The
/// upload is complete when the server holds every byte; its CID is the server's or else the
/// client's own (hashed on the way, or the file read once more when CID checking is off, nothing
/// re-sent), and its record is found by that CID, never under a file id guessed from the URL.
#[test]
fn a_stock_servers_upload_finishes_at_full_offset_and_finds_its_record_by_cid() {
    for (verify, with_cid) in [(true, false), (false, false), (true, true), (false, true)] {
        let c = case(
            &format!("stock-{verify}-{with_cid}"),
            (CHUNK * 3 + 99) as usize,
        );
        {
            let mut s = c.server.0.lock().unwrap();
            s.stock = true;
            s.stock_with_cid = with_cid;
            // Another file with the same bytes, uploaded earlier under another name.
            s.files.push(Record {
                id: "older".into(),
                name: "copy.bin".into(),
                cid: v1(&c.content),
                size: c.content.len() as u64,
            });
        }
        let done = c
            .client
            .upload_file(&upload(&c).verify_cid(verify))
            .unwrap();
        assert_eq!(done.cid, v1(&c.content), "verify {verify}");
        assert_eq!(
            done.id, "file1",
            "this upload's record, not the older copy's"
        );
        assert_eq!(done.name.as_deref(), Some("big.bin"));
        let s = c.server.0.lock().unwrap();
        assert_eq!(
            s.api_calls,
            [format!("GET /v3/files/private?cid={}", v1(&c.content))],
            "one look-up, by CID"
        );
        assert_eq!(s.received, c.content.len() as u64, "every byte sent once");
    }
}

/// The final PATCH's answer is lost after the server stored every byte; the HEAD that follows
/// says offset = length and names no CID. The upload is complete (nothing sent again), its CID is
/// the one the client hashed (or, with CID checking off, learnt by reading the file once more),
/// and the record is the one the upload URL names. A crash resumed from the token after that
/// ends the same way.
#[test]
fn a_lost_final_answer_and_a_head_without_cid_finish_with_the_clients_cid() {
    for verify in [true, false] {
        let c = case(&format!("lost-final-{verify}"), (CHUNK * 2) as usize);
        c.server.0.lock().unwrap().faults =
            VecDeque::from([Fault::Pass, Fault::BreakAfter(usize::MAX)]);
        let token: std::sync::Arc<Mutex<Option<ResumeToken>>> = Default::default();
        let keep = std::sync::Arc::clone(&token);
        let done = c
            .client
            .upload_file(
                &upload(&c)
                    .verify_cid(verify)
                    .on_resume_token(move |t| *keep.lock().unwrap() = Some(t.clone())),
            )
            .unwrap();
        assert_eq!(done.cid, v1(&c.content), "verify {verify}");
        assert_eq!(done.id, "file1");
        {
            let s = c.server.0.lock().unwrap();
            assert_eq!(s.heads, 1, "one HEAD to learn the upload is complete");
            assert_eq!(s.received, c.content.len() as u64, "nothing sent again");
            assert_eq!(s.api_calls, ["GET /v3/files/private/file1?"]);
        }
        // A new process resumes the finished upload from its token: the HEAD says it is all
        // there, with no CID; the client reads the file to hash it and finishes.
        let token = token.lock().unwrap().clone().unwrap();
        let again = c.client.resume_upload(&token).unwrap();
        assert_eq!(
            (again.id.as_str(), again.cid.as_str()),
            ("file1", &*v1(&c.content))
        );
        assert_eq!(c.server.0.lock().unwrap().received, c.content.len() as u64);
    }
}

/// The policy applied to the session's answers in the step-by-step tests.
fn policy() -> RetryPolicy {
    RetryPolicy::default().max_attempts(4)
}

/// The server's answer to `request` with `status` and `headers`, read as a client reads it.
fn answer_to<E: Endpoint>(
    request: &E,
    status: u16,
    headers: &[(&str, String)],
    body: &str,
) -> Result<E::Output, Error> {
    crate::interpret_response(request, &Body::Empty, respond(status, headers, body))
}

/// Drives `session` from creation (at `location`) through every chunk, each body read as a
/// transport reads it (so the session hashes it) and taken whole; the last chunk is answered by
/// `last` (given the request and the file's length).
fn send_every_chunk(
    session: &mut TusSession,
    location: &str,
    last: impl FnOnce(&TusRequest, u64) -> Result<TusAnswer, Error>,
) {
    let TusStep::Send(create) = session.next_request().unwrap() else {
        panic!("not a creation")
    };
    let created = answer_to(&create, 201, &[("location", location.to_owned())], "");
    assert!(matches!(
        session.on_answer(created, &policy(), Duration::ZERO, SystemTime::now(), 0.0),
        TusNext::Continue
    ));
    let len = session.len;
    let mut last = Some(last);
    loop {
        let step = session.next_request().unwrap();
        let TusStep::Send(request) = step else {
            panic!("not a chunk: {step:?}")
        };
        let TusKind::Patch { offset, len: n, .. } = &request.kind else {
            panic!("not a PATCH")
        };
        let end = offset + n;
        read_body(&request.body().unwrap(), usize::MAX);
        let answer = if end == len {
            (last.take().unwrap())(&request, len)
        } else {
            answer_to(&request, 204, &[("upload-offset", end.to_string())], "")
        };
        let next = session.on_answer(answer, &policy(), Duration::ZERO, SystemTime::now(), 0.0);
        assert!(!matches!(next, TusNext::Fail(_)), "{next:?}");
        if end == len {
            return;
        }
    }
}

/// A lookup step's request line, or a panic.
fn lookup_path(step: &TusStep) -> String {
    match step {
        TusStep::Lookup(lookup) => lookup.path_and_query().unwrap(),
        other => panic!("not a look-up: {other:?}"),
    }
}

fn file_json(id: &str, name: &str, cid: &str, size: u64) -> String {
    record_json(&Record {
        id: id.into(),
        name: name.into(),
        cid: cid.into(),
        size,
    })
}

/// The session alone, no client: where a complete upload's record is looked for, and what the
/// caller gets when the server's answers do not help.
#[test]
fn the_session_decides_where_a_complete_uploads_record_is_looked_for() {
    let c = case("session-lookup", (CHUNK * 2 + 5) as usize);
    let cid = v1(&c.content);
    let len = c.content.len() as u64;
    let no_cid =
        |r: &TusRequest, len: u64| answer_to(r, 204, &[("upload-offset", len.to_string())], "");

    // A stock server's URL: straight to the look-up by CID; of two files with the CID, the one
    // with this upload's name and size.
    let mut session = TusSession::for_upload(&upload(&c), c.client.config())
        .unwrap()
        .unwrap();
    send_every_chunk(
        &mut session,
        "http://127.0.0.1:1080/v3/files/3f2a9c0d",
        no_cid,
    );
    let step = session.next_request().unwrap();
    assert_eq!(lookup_path(&step), format!("/v3/files/private?cid={cid}"));
    let TusStep::Lookup(lookup) = step else {
        unreachable!()
    };
    let page = format!(
        r#"{{"data":{{"files":[{},{}],"next_page_token":""}}}}"#,
        file_json("newer-copy", "other.bin", &cid, len),
        file_json("mine", "big.bin", &cid, len),
    );
    session.on_lookup(answer_to(&lookup, 200, &[], &page));
    let TusStep::Finished { file } = session.next_request().unwrap() else {
        panic!()
    };
    assert_eq!(
        (file.id.as_str(), file.cid.as_str()),
        ("mine", cid.as_str())
    );
    assert_eq!(file.network, Some(Network::Private));

    // Pinata's URL: the record under its file id, if it holds the CID; a record with another CID
    // refutes the id, and with nothing found by CID the caller gets what is known, no id.
    let pinata = "https://uploads.pinata.cloud/v3/files/0190aa-f1/tok";
    let mut session = TusSession::for_upload(&upload(&c), c.client.config())
        .unwrap()
        .unwrap();
    send_every_chunk(&mut session, pinata, no_cid);
    let step = session.next_request().unwrap();
    assert_eq!(lookup_path(&step), "/v3/files/private/0190aa-f1");
    let TusStep::Lookup(lookup) = step else {
        unreachable!()
    };
    let other = format!(
        r#"{{"data":{}}}"#,
        file_json("0190aa-f1", "x", &v1(b"x"), 1)
    );
    session.on_lookup(answer_to(&lookup, 200, &[], &other));
    let step = session.next_request().unwrap();
    assert_eq!(lookup_path(&step), format!("/v3/files/private?cid={cid}"));
    let TusStep::Lookup(lookup) = step else {
        unreachable!()
    };
    session.on_lookup(answer_to(&lookup, 200, &[], r#"{"data":{"files":[]}}"#));
    let TusStep::Finished { file } = session.next_request().unwrap() else {
        panic!()
    };
    assert_eq!(
        (file.id.as_str(), file.cid.as_str(), file.size),
        ("", cid.as_str(), len)
    );

    // A 404 refutes the id too; a 503 (after the client's retries) does not: the id stays.
    for (status, id) in [(404, ""), (503, "0190aa-f1")] {
        let mut session = TusSession::for_upload(&upload(&c), c.client.config())
            .unwrap()
            .unwrap();
        send_every_chunk(&mut session, pinata, no_cid);
        let TusStep::Lookup(by_id) = session.next_request().unwrap() else {
            panic!()
        };
        session.on_lookup(answer_to(&by_id, status, &[], r#"{"error":"no"}"#));
        let TusStep::Lookup(by_cid) = session.next_request().unwrap() else {
            panic!()
        };
        session.on_lookup(answer_to(&by_cid, status, &[], r#"{"error":"no"}"#));
        let TusStep::Finished { file } = session.next_request().unwrap() else {
            panic!()
        };
        assert_eq!(file.id, id, "after a {status}");
    }

    // Through a signed URL no credential is held: no look-up; what is known, the URL's id.
    let signed = upload(&c).to_signed_url(SignedUrl::new(
        "https://uploads.pinata.cloud/v3/files/sign?X-Sig=1",
    ));
    let mut session = TusSession::for_upload(&signed, c.client.config())
        .unwrap()
        .unwrap();
    send_every_chunk(&mut session, pinata, no_cid);
    let TusStep::Finished { file } = session.next_request().unwrap() else {
        panic!()
    };
    assert_eq!(
        (file.id.as_str(), file.cid.as_str()),
        ("0190aa-f1", cid.as_str())
    );
}

/// The session alone: the final PATCH's answer is lost; the HEAD says offset = length without a
/// CID. That is complete, not a failure: with CID checking the client's hash is the CID; without
/// it, the session asks for the whole file to be read once (a local read) and then looks up.
#[test]
fn the_session_treats_full_offset_as_complete_and_uses_its_own_cid() {
    let c = case("session-complete", (CHUNK + 17) as usize);
    let cid = v1(&c.content);
    for verify in [true, false] {
        // Cancelled once the server holds every byte: nothing stops or ends the upload then,
        // not even the local read for its CID.
        let cancel = CancelToken::new();
        let up = upload(&c).verify_cid(verify).cancel_with(cancel.clone());
        let mut session = TusSession::for_upload(&up, c.client.config())
            .unwrap()
            .unwrap();
        send_every_chunk(
            &mut session,
            "http://127.0.0.1:1080/v3/files/abc",
            |_, _| {
                Err(Error::Transport(TransportError::maybe_sent(
                    TransportErrorKind::Protocol,
                    "connection closed before the answer",
                )))
            },
        );
        let TusStep::Send(head) = session.next_request().unwrap() else {
            panic!()
        };
        assert!(matches!(head.kind, TusKind::Head));
        let len = c.content.len() as u64;
        let held = answer_to(
            &head,
            200,
            &[
                ("upload-offset", len.to_string()),
                ("upload-length", len.to_string()),
            ],
            "",
        );
        let next = session.on_answer(held, &policy(), Duration::ZERO, SystemTime::now(), 0.0);
        assert!(
            matches!(next, TusNext::Continue),
            "verify {verify}: {next:?}"
        );
        cancel.cancel();
        if !verify {
            let step = session.next_request().unwrap();
            let TusStep::Rehash { offset, len: n, .. } = step else {
                panic!("{step:?}")
            };
            assert_eq!((offset, n), (0, len), "the whole file read once");
            session.rehash(&c.content);
        }
        let step = session.next_request().unwrap();
        assert_eq!(
            lookup_path(&step),
            format!("/v3/files/private?cid={cid}"),
            "verify {verify}"
        );
    }
}

//! The TUS session against a fake server in memory, driven by the blocking client: chunks, the
//! CID, failures realigned with HEAD, resumes from a token, cancellation.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, VecDeque};
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Mutex;

use super::*;
use crate::api::uploads::UploadFile;
use crate::cid::import_bytes;
use crate::error::{TransportError, TransportErrorKind};
use crate::retry::RetryPolicy;
use crate::transport::BlockingTransport;
use crate::upload::{UploadCursor, UploadStep};
use crate::{BlockingClient, Credentials};

/// What the fake server does to the next PATCH.
#[derive(Debug, Clone, Copy)]
enum Fault {
    /// Keep this many bytes of the chunk, then break the connection.
    BreakAfter(usize),
    /// Answer 409 without taking anything.
    Conflict,
    /// Answer 503 without taking anything.
    Unavailable,
    /// Forget the upload (404 from now on).
    Lose,
}

#[derive(Default)]
struct Server {
    uploads: HashMap<String, (u64, Vec<u8>)>,
    faults: VecDeque<Fault>,
    received: u64,
    heads: u32,
    deletes: u32,
    next: u32,
    /// Answer the last chunk with another CID.
    wrong_cid: bool,
    /// HEAD of a complete upload names its CID.
    head_cid: bool,
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
                assert!(header("upload-metadata").unwrap().contains("filename "));
                s.next += 1;
                let token = format!("tok{}", s.next);
                s.uploads.insert(token.clone(), (length, Vec::new()));
                Ok(respond(
                    201,
                    &[(
                        "location",
                        format!(
                            "https://uploads.pinata.cloud/v3/files/file{}/{token}",
                            s.next
                        ),
                    )],
                    "",
                ))
            }
            ("GET", p) if p.starts_with("/v3/files/private/") => Ok(respond(
                200,
                &[],
                &format!(
                    r#"{{"data":{{"id":"{id}","name":"n","cid":"c","size":1,"number_of_files":1,"created_at":"2026-01-01T00:00:00Z"}}}}"#
                ),
            )),
            ("HEAD", _) => {
                s.heads += 1;
                match s.uploads.get(&id) {
                    Some((length, data)) => {
                        let mut headers = vec![("upload-offset", data.len().to_string())];
                        if s.head_cid && data.len() as u64 == *length {
                            let bytes = if s.wrong_cid {
                                &b"other"[..]
                            } else {
                                &data[..]
                            };
                            let cid = import_bytes(bytes, ImportOptions::new(CidVersion::V1))
                                .unwrap()
                                .cid
                                .to_string();
                            headers.push(("upload-cid", cid));
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
                let Some((length, data)) = s.uploads.get(&id).cloned() else {
                    return Ok(respond(
                        404,
                        &[],
                        r#"{"error":{"code":404,"message":"gone"}}"#,
                    ));
                };
                let offset: u64 = header("upload-offset").unwrap().parse().unwrap();
                if offset != data.len() as u64 || matches!(fault, Some(Fault::Conflict)) {
                    return Ok(respond(
                        409,
                        &[("upload-offset", data.len().to_string())],
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
                let wrong_cid = s.wrong_cid;
                let entry = s.uploads.get_mut(&id).unwrap();
                entry.1.extend_from_slice(&chunk);
                if let Some(Fault::BreakAfter(_)) = fault {
                    return Err(TransportError::maybe_sent(
                        TransportErrorKind::Protocol,
                        "connection reset mid-chunk",
                    ));
                }
                let mut headers = vec![("upload-offset", entry.1.len().to_string())];
                if entry.1.len() as u64 == length {
                    let cid = import_bytes(&entry.1, ImportOptions::new(CidVersion::V1))
                        .unwrap()
                        .cid
                        .to_string();
                    let cid = if wrong_cid {
                        import_bytes(b"other", ImportOptions::new(CidVersion::V1))
                            .unwrap()
                            .cid
                            .to_string()
                    } else {
                        cid
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
        .map(|(_, d)| d.clone())
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
        .resume_upload(&ResumeToken::from_json(&json).unwrap())
        .unwrap();
    assert_eq!(resumed.id, "file1");
    assert_eq!(stored(&c), c.content);
    let sent_after = c.server.0.lock().unwrap().received - received_before;
    assert_eq!(sent_after, c.content.len() as u64 - held, "nothing re-sent");

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

//! Resumable (TUS) uploads through each transport against the emulator's TUS server: many
//! chunks, a connection broken mid-chunk, a crash resumed from a persisted token (and refused for
//! a changed file), a final answer lost, cancellation with and without termination, an upload
//! through a signed URL by a client without usable credentials, and the protocol's own answers.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::*;
use crate::control::AddFault;
use crate::scratch::Scratch;
use pinata_core::api::Network;
use pinata_core::api::files::GetFile;
use pinata_core::api::keys::Permissions;
use pinata_core::api::signed::CreateSignedUploadUrl;
use pinata_core::cid::{CidVersion, ImportOptions, import_bytes};
use pinata_core::download::Download;
use pinata_core::tus::{MIN_TUS_CHUNK, ResumeToken};
use pinata_core::{Body, CancelToken, LocalError};

/// Chunks of 256 KiB, and TUS for anything above 512 KiB.
const CHUNK: u64 = MIN_TUS_CHUNK;

fn tus_config() -> Config {
    target()
        .config()
        .with_tus_threshold(2 * CHUNK)
        .with_tus_chunk_size(CHUNK)
        .unwrap()
}

/// A key of its own (files read and write), so fault rules scoped to it touch no other test.
fn uploader<D: Driver>(d: &D, emu: &EmulatorSide) -> (Credentials, String) {
    let key = create_key(
        d,
        emu,
        Permissions::none()
            .allow_resource(ResourceScope::FilesWrite)
            .allow_resource(ResourceScope::FilesRead),
    );
    (key.jwt_credentials().unwrap(), key.api_key().to_owned())
}

/// A file of `len` bytes that no other test writes.
fn big_file(dir: &Scratch, len: usize) -> (std::path::PathBuf, Vec<u8>) {
    let seed = unique_name("tus").bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    let bytes = super::local::pattern(len, seed);
    let path = dir.write(&format!("{}.bin", unique_name("big")), &bytes);
    (path, bytes)
}

fn v1(bytes: &[u8]) -> String {
    import_bytes(bytes, ImportOptions::new(CidVersion::V1))
        .unwrap()
        .cid
        .to_string()
}

/// The bytes the emulator serves for a private CID, through a fresh signed link.
fn fetch_private<D: Driver>(d: &D, emu: &EmulatorSide, cid: &str) -> Vec<u8> {
    let gateway = target().config().gateway().unwrap().clone();
    let link = d
        .execute(
            Credentials::jwt(&emu.admin_jwt).unwrap(),
            target().config(),
            &pinata_core::api::signed::CreateDownloadLink::new(
                &gateway,
                cid,
                "",
                Duration::from_secs(60),
            )
            .unwrap(),
        )
        .unwrap();
    let creds = Credentials::jwt(&emu.admin_jwt).unwrap();
    d.download(creds, target().config(), &Download::signed(link))
        .unwrap()
        .0
}

/// A file above the threshold goes up in chunks by itself, its CID checked; the record is the
/// one the upload URL names, and the bytes come back the same.
pub fn tus_upload_in_chunks<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("tus_upload_in_chunks") else {
        return;
    };
    let dir = Scratch::new("tus-chunks");
    let (path, bytes) = big_file(&dir, (CHUNK * 5 + 4321) as usize);
    let (creds, _) = uploader(d, emu);
    let sent = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&sent);
    let upload = d
        .upload_request(&path)
        .unwrap()
        .name(unique_name("chunks"))
        .verify_cid(true)
        .on_progress(move |p| seen.lock().unwrap().push(p.sent));
    let up = d
        .execute_upload(creds.clone(), tus_config(), &upload)
        .unwrap();
    assert_eq!(up.cid, v1(&bytes));
    assert_eq!(up.size, bytes.len() as u64);
    let got = d
        .execute(
            creds,
            target().config(),
            &GetFile::new(Network::Private, &up.id),
        )
        .unwrap();
    assert_eq!(
        got.cid, up.cid,
        "the record under the id the upload URL named"
    );
    assert!(
        fetch_private(d, emu, &up.cid) == bytes,
        "the same bytes back"
    );
    let progress = sent.lock().unwrap().clone();
    assert_eq!(progress.last().copied(), Some(bytes.len() as u64));
    assert!(
        progress.windows(2).all(|w| w[0] <= w[1]),
        "progress only grows"
    );
}

/// The connection breaks 100 kB into a chunk: the emulator keeps those bytes, the client asks
/// where it stands and goes on from there, sending less than a chunk again.
pub fn tus_broken_connection_resumes<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("tus_broken_connection_resumes") else {
        return;
    };
    let dir = Scratch::new("tus-broken");
    let (path, bytes) = big_file(&dir, (CHUNK * 3) as usize);
    let (creds, key) = uploader(d, emu);
    d.execute(
        admin(emu),
        target().config(),
        &AddFault(serde_json::json!({"fault": "tus_break", "after_bytes": 100_000, "key": key, "count": 1})),
    )
    .unwrap();
    let upload = d.upload_request(&path).unwrap().verify_cid(true);
    let (up, resent) = d.upload_resumable(creds, tus_config(), &upload).unwrap();
    assert_eq!(up.cid, v1(&bytes));
    assert!(resent < CHUNK, "less than a chunk sent again: {resent}");
    assert!(fetch_private(d, emu, &up.cid) == bytes);
}

/// The final PATCH's answer is lost: the emulator stores every byte of it, then closes the
/// connection (`tus_break` with `after_bytes` covering the chunk). The client asks where the
/// upload stands (`HEAD`: offset = length, complete), sends nothing again and finishes with the
/// CID and the record of the upload, with and without CID checking.
pub fn tus_lost_final_answer_finishes<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("tus_lost_final_answer_finishes") else {
        return;
    };
    let dir = Scratch::new("tus-lost-final");
    let (creds, key) = uploader(d, emu);
    for verify in [true, false] {
        // One chunk, so the first PATCH is the final one.
        let (path, bytes) = big_file(&dir, (CHUNK - 1000) as usize);
        d.execute(
            admin(emu),
            target().config(),
            &AddFault(serde_json::json!({"fault": "tus_break", "after_bytes": CHUNK, "key": key, "count": 1})),
        )
        .unwrap();
        let upload = d.upload_request(&path).unwrap().verify_cid(verify);
        let (up, resent) = d
            .upload_resumable(creds.clone(), tus_config(), &upload)
            .unwrap();
        assert_eq!(up.cid, v1(&bytes), "verify {verify}");
        assert_eq!(resent, 0, "nothing sent again");
        let got = d
            .execute(
                creds.clone(),
                target().config(),
                &GetFile::new(Network::Private, &up.id),
            )
            .unwrap();
        assert_eq!(
            (got.cid.as_str(), got.size),
            (up.cid.as_str(), bytes.len() as u64)
        );
        assert!(fetch_private(d, emu, &up.cid) == bytes);
        let heads = d
            .execute(
                admin(emu),
                target().config(),
                &Journal(format!("method=HEAD&path=/v3/files/{}/", up.id)),
            )
            .unwrap();
        assert_eq!(
            heads["requests"].as_array().map(Vec::len),
            Some(1),
            "the answer was lost, and one HEAD found the upload complete: {heads}"
        );
    }
}

/// `GET /emulator/requests?{query}`: the emulator's journal (admin only).
struct Journal(String);

impl pinata_core::Endpoint for Journal {
    type Output = serde_json::Value;

    fn method(&self) -> http::Method {
        http::Method::GET
    }

    fn path_and_query(&self) -> Result<String, pinata_core::BuildError> {
        Ok(format!("/emulator/requests?{}", self.0))
    }

    fn parse(
        &self,
        status: http::StatusCode,
        _: &http::HeaderMap,
        body: &bytes::Bytes,
    ) -> Result<Self::Output, pinata_core::DecodeError> {
        pinata_core::DecodeError::decode_json(status, body)
    }
}

/// A server answering 5xx, or holding more than the client thinks (409), is realigned.
pub fn tus_errors_are_realigned<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("tus_errors_are_realigned") else {
        return;
    };
    let dir = Scratch::new("tus-realign");
    let (path, bytes) = big_file(&dir, (CHUNK * 3) as usize);
    let (creds, key) = uploader(d, emu);
    d.execute(
        admin(emu),
        target().config(),
        &AddFault(
            serde_json::json!({"fault": "tus_status", "status": 503, "key": key, "count": 1}),
        ),
    )
    .unwrap();
    let upload = d.upload_request(&path).unwrap().verify_cid(true);
    let (up, _) = d
        .upload_resumable(creds.clone(), tus_config(), &upload)
        .unwrap();
    assert_eq!(up.cid, v1(&bytes));

    // Someone else sends the first chunk before this client does: its PATCH at 0 is a 409.
    let (path, bytes) = big_file(&dir, (CHUNK * 3) as usize);
    let first = bytes[..CHUNK as usize].to_vec();
    let config = tus_config();
    let sneak_config = config.clone();
    let upload = d
        .upload_request(&path)
        .unwrap()
        .verify_cid(true)
        .on_resume_token(move |token| {
            let url = token_url(token);
            let config = sneak_config.clone();
            let first = first.clone();
            // On another thread: the callback may run on an async runtime's worker.
            std::thread::spawn(move || raw_patch(&config, &url, 0, first))
                .join()
                .unwrap();
        });
    let (up, _) = d.upload_resumable(creds, config, &upload).unwrap();
    assert_eq!(up.cid, v1(&bytes));
}

/// The upload URL inside a resume token (its JSON is the only public view of it).
fn token_url(token: &ResumeToken) -> String {
    let json: serde_json::Value = serde_json::from_str(&token.to_json()).unwrap();
    json["upload_url"].as_str().unwrap().to_owned()
}

/// A PATCH of `bytes` at `offset`, sent by hand through ureq's bare transport.
fn raw_patch(config: &Config, url: &str, offset: u64, bytes: Vec<u8>) -> http::StatusCode {
    use pinata_core::transport::{BlockingTransport, TransportFactory};
    let request = http::Request::builder()
        .method("PATCH")
        .uri(url)
        .header("content-type", "application/offset+octet-stream")
        .header("upload-offset", offset.to_string())
        .header("content-length", bytes.len().to_string())
        .header("tus-resumable", "1.0.0")
        .body(Body::Json(bytes.into()))
        .unwrap();
    pinata_ureq::UreqTransport::from_options(config.transport_options())
        .unwrap()
        .send(request)
        .unwrap()
        .status()
}

/// A bare request of `method` to `url` with `headers`, through the driver's transport.
fn raw<D: Driver>(
    d: &D,
    method: &str,
    url: &str,
    headers: &[(&str, String)],
    body: Vec<u8>,
) -> http::Response<bytes::Bytes> {
    let mut request = http::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        request = request.header(*k, v);
    }
    let request = request
        .header("content-length", body.len().to_string())
        .body(Body::Json(body.into()))
        .unwrap();
    d.send_raw(&target().config(), request).unwrap()
}

/// The process "dies" after a chunk and a half (the upload is cancelled and dropped with its
/// client); a new client resumes from the persisted token without re-sending what the server
/// holds, and the CID still covers the whole file. A file changed before the resume is refused.
pub fn tus_resume_after_a_crash<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("tus_resume_after_a_crash") else {
        return;
    };
    let dir = Scratch::new("tus-crash");
    let (creds, _) = uploader(d, emu);
    for change in [false, true] {
        let (path, bytes) = big_file(&dir, (CHUNK * 4) as usize);
        let saved: Arc<Mutex<Option<String>>> = Arc::default();
        let keep = Arc::clone(&saved);
        let cancel = CancelToken::new();
        let stop = cancel.clone();
        let upload = d
            .upload_request(&path)
            .unwrap()
            .verify_cid(true)
            .cancel_with(cancel)
            .on_resume_token(move |t| *keep.lock().unwrap() = Some(t.to_json()))
            .on_progress(move |p| {
                if p.sent >= CHUNK + CHUNK / 2 {
                    stop.cancel();
                }
            });
        let crashed = d.upload_resumable(creds.clone(), tus_config(), &upload);
        assert!(
            matches!(crashed, Err(Error::Local(LocalError::Cancelled))),
            "{crashed:?}"
        );
        let token = ResumeToken::from_json(&saved.lock().unwrap().clone().unwrap()).unwrap();
        if change {
            std::fs::write(&path, b"not the same file any more").unwrap();
            let refused = d.resume_upload(creds.clone(), tus_config(), &token);
            assert!(
                matches!(refused, Err(Error::Local(LocalError::Changed { .. }))),
                "{refused:?}"
            );
            continue;
        }
        // What the server holds before the resume: the resume sends only the rest.
        let head = raw(d, "HEAD", &token_url(&token), &[], Vec::new());
        let held: u64 = head.headers()["upload-offset"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(held >= CHUNK && held < bytes.len() as u64, "{held}");
        let up = d
            .resume_upload(creds.clone(), tus_config(), &token)
            .unwrap();
        assert_eq!(
            up.cid,
            v1(&bytes),
            "the CID covers the part sent before the crash"
        );
        assert!(fetch_private(d, emu, &up.cid) == bytes);
    }
}

/// A cancelled upload is ended on the server when asked (its URL is gone), and kept otherwise
/// (covered by the crash case).
pub fn tus_cancel_and_terminate<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("tus_cancel_and_terminate") else {
        return;
    };
    let dir = Scratch::new("tus-cancel");
    let (path, _) = big_file(&dir, (CHUNK * 3) as usize);
    let (creds, _) = uploader(d, emu);
    let saved: Arc<Mutex<Option<String>>> = Arc::default();
    let keep = Arc::clone(&saved);
    let cancel = CancelToken::new();
    let stop = cancel.clone();
    let upload = d
        .upload_request(&path)
        .unwrap()
        .cancel_with(cancel)
        .terminate_on_cancel(true)
        .on_resume_token(move |t| *keep.lock().unwrap() = Some(t.to_json()))
        .on_progress(move |p| {
            if p.sent > CHUNK {
                stop.cancel();
            }
        });
    let cancelled = d.upload_resumable(creds, tus_config(), &upload);
    assert!(
        matches!(cancelled, Err(Error::Local(LocalError::Cancelled))),
        "{cancelled:?}"
    );
    let token = ResumeToken::from_json(&saved.lock().unwrap().clone().unwrap()).unwrap();
    let head = raw(d, "HEAD", &token_url(&token), &[], Vec::new());
    assert_eq!(head.status(), http::StatusCode::NOT_FOUND, "terminated");
}

/// A signed URL is a TUS endpoint too: a client without usable credentials uploads a large file
/// through it in chunks; the file is there under the id its upload URL named.
pub fn tus_through_a_signed_url<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("tus_through_a_signed_url") else {
        return;
    };
    let dir = Scratch::new("tus-signed");
    let (path, bytes) = big_file(&dir, (CHUNK * 3 + 7) as usize);
    let name = unique_name("signed-tus");
    let url = d
        .execute(
            Credentials::jwt(&emu.admin_jwt).unwrap(),
            target().config(),
            &CreateSignedUploadUrl::new(Network::Public, Duration::from_secs(120))
                .unwrap()
                .filename(&name)
                .unwrap(),
        )
        .unwrap();
    let nobody = Credentials::key_pair("0123456789abcdef0123", "c0ffee".repeat(10)).unwrap();
    let upload = d
        .upload_request(&path)
        .unwrap()
        .verify_cid(true)
        .to_signed_url(url);
    let up = d.execute_upload(nobody, tus_config(), &upload).unwrap();
    assert_eq!(up.cid, v1(&bytes));
    let got = d
        .execute(
            Credentials::jwt(&emu.admin_jwt).unwrap(),
            target().config(),
            &GetFile::new(Network::Public, &up.id),
        )
        .unwrap();
    assert_eq!(
        (got.cid.as_str(), got.name.as_deref()),
        (up.cid.as_str(), Some(&*name))
    );
}

/// The emulator's protocol answers, through each transport: OPTIONS, 413 over the cap, HEAD,
/// 415 for another content type, 409 with the offset for a wrong one, termination and then 404.
pub fn tus_protocol_answers<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("tus_protocol_answers") else {
        return;
    };
    let base = target().config().uploads_url().to_string();
    let bearer = format!("Bearer {}", emu.admin_jwt);
    let options = raw(d, "OPTIONS", &format!("{base}/v3/files"), &[], Vec::new());
    assert_eq!(options.status(), http::StatusCode::NO_CONTENT);
    assert_eq!(options.headers()["tus-version"], "1.0.0");
    let too_big = raw(
        d,
        "POST",
        &format!("{base}/v3/files"),
        &[
            ("authorization", bearer.clone()),
            ("upload-length", "999999999999999".into()),
        ],
        Vec::new(),
    );
    assert_eq!(too_big.status(), http::StatusCode::PAYLOAD_TOO_LARGE);
    let created = raw(
        d,
        "POST",
        &format!("{base}/v3/files"),
        &[
            ("authorization", bearer),
            ("upload-length", "10".into()),
            ("upload-metadata", "filename YS50eHQ=".into()),
        ],
        Vec::new(),
    );
    assert_eq!(created.status(), http::StatusCode::CREATED);
    let url = created.headers()["location"].to_str().unwrap().to_owned();
    assert!(url.starts_with("http"), "an absolute Location: {url}");
    let head = raw(d, "HEAD", &url, &[], Vec::new());
    assert_eq!(head.headers()["upload-offset"], "0");
    assert_eq!(head.headers()["upload-length"], "10");
    assert_eq!(head.headers()["cache-control"], "no-store");
    let wrong_type = raw(
        d,
        "PATCH",
        &url,
        &[
            ("content-type", "text/plain".into()),
            ("upload-offset", "0".into()),
        ],
        b"abc".to_vec(),
    );
    assert_eq!(
        wrong_type.status(),
        http::StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    let patch = |offset: u64, body: &[u8]| {
        raw(
            d,
            "PATCH",
            &url,
            &[
                ("content-type", "application/offset+octet-stream".into()),
                ("upload-offset", offset.to_string()),
            ],
            body.to_vec(),
        )
    };
    assert_eq!(patch(0, b"abcde").status(), http::StatusCode::NO_CONTENT);
    let conflict = patch(0, b"abcde");
    assert_eq!(conflict.status(), http::StatusCode::CONFLICT);
    assert_eq!(conflict.headers()["upload-offset"], "5");
    let last = patch(5, b"fghij");
    assert_eq!(last.status(), http::StatusCode::NO_CONTENT);
    assert_eq!(
        last.headers()["upload-cid"].to_str().unwrap(),
        v1(b"abcdefghij")
    );
    let gone = raw(d, "DELETE", &url, &[], Vec::new());
    assert_eq!(gone.status(), http::StatusCode::NO_CONTENT);
    assert_eq!(
        raw(d, "HEAD", &url, &[], Vec::new()).status(),
        http::StatusCode::NOT_FOUND
    );
}

/// An upload the server lost (404) fails, unless the caller allows starting over.
pub fn tus_lost_upload_restarts_only_when_allowed<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("tus_lost_upload_restarts_only_when_allowed") else {
        return;
    };
    let dir = Scratch::new("tus-lost");
    let (creds, key) = uploader(d, emu);
    for restart in [false, true] {
        let (path, bytes) = big_file(&dir, (CHUNK * 3) as usize);
        d.execute(
            admin(emu),
            target().config(),
            &AddFault(serde_json::json!({"fault": "tus_lose", "key": key, "count": 1})),
        )
        .unwrap();
        let upload = d
            .upload_request(&path)
            .unwrap()
            .verify_cid(true)
            .restart_if_lost(restart);
        let result = d.upload_resumable(creds.clone(), tus_config(), &upload);
        if restart {
            assert_eq!(
                result.unwrap().0.cid,
                v1(&bytes),
                "started over and finished"
            );
        } else {
            let e = result.unwrap_err();
            assert_eq!(e.status(), Some(http::StatusCode::NOT_FOUND), "{e}");
        }
    }
}

/// Any upload can be cancelled, multipart ones too (legacy and v3): the call fails with
/// `Cancelled` and the server keeps nothing.
pub fn multipart_uploads_can_be_cancelled<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("multipart_uploads_can_be_cancelled") else {
        return;
    };
    let dir = Scratch::new("cancel-multipart");
    let (path, bytes) = big_file(&dir, 8 << 20);
    let admin_jwt = Credentials::jwt(&emu.admin_jwt).unwrap();
    let cancel_at = |token: &CancelToken| {
        let token = token.clone();
        move |p: pinata_core::UploadProgress| {
            if p.sent > 1 << 20 {
                token.cancel();
            }
        }
    };
    let token = CancelToken::new();
    let v3 = d
        .upload_request(&path)
        .unwrap()
        .cancel_with(token.clone())
        .on_progress(cancel_at(&token));
    let result = d.execute_upload(admin_jwt.clone(), target().config(), &v3);
    assert!(
        matches!(result, Err(Error::Local(LocalError::Cancelled))),
        "{result:?}"
    );
    let token = CancelToken::new();
    let legacy = d
        .pin_request(&path)
        .unwrap()
        .cancel_with(token.clone())
        .on_progress(cancel_at(&token));
    let result = d.execute(admin_jwt.clone(), target().config(), &legacy);
    assert!(
        matches!(result, Err(Error::Local(LocalError::Cancelled))),
        "{result:?}"
    );
    let listed = d
        .paginate(
            admin_jwt,
            target().config(),
            pinata_core::api::files::ListFiles::new(Network::Private).cid(v1(&bytes)),
        )
        .unwrap();
    assert!(listed.is_empty(), "nothing was stored");
}

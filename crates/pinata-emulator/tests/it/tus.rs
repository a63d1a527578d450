//! Resumable (TUS 1.0) uploads over raw HTTP: creation (on `/v3/files` and through a signed URL),
//! `HEAD`, `PATCH` in chunks to the final `Upload-Cid`, what a broken connection keeps,
//! termination, `OPTIONS`, the caps, the TUS faults, expiry and the in-progress cap.

// Test helpers: a failed step is a failed test.
use std::io::Write;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::common::*;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use pinata_core::cid::{CidVersion, ImportOptions, import_bytes};
use pinata_emulator::{EmulatorConfig, EmulatorHandle};

const OFFSET_STREAM: &str = "application/offset+octet-stream";

/// The value of header `name` in an answer's head.
fn header(a: &Answer, name: &str) -> Option<String> {
    a.head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_owned())
    })
}

fn number(a: &Answer, name: &str) -> u64 {
    header(a, name)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {}", a.head))
}

fn message(a: &Answer) -> String {
    json(&a.body)["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// `Upload-Metadata` of `pairs`, each value base64.
fn metadata(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k} {}", BASE64.encode(v)))
        .collect::<Vec<_>>()
        .join(",")
}

fn cid(bytes: &[u8], v: CidVersion) -> String {
    import_bytes(bytes, ImportOptions::new(v))
        .unwrap()
        .cid
        .to_string()
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A creation `POST` to `path` with `length`, `meta` and `extra` headers.
fn create_at(
    emu: &EmulatorHandle,
    path: &str,
    length: &str,
    meta: &str,
    extra: &[(&str, &str)],
) -> Answer {
    let mut headers = vec![("upload-length", length)];
    if !meta.is_empty() {
        headers.push(("upload-metadata", meta));
    }
    headers.extend_from_slice(extra);
    call(emu.url(), "POST", path, &headers, b"")
}

/// A creation on `/v3/files` as the admin.
fn create(emu: &EmulatorHandle, length: u64, meta: &str) -> Answer {
    let auth = bearer(&emu.admin().jwt);
    create_at(
        emu,
        "/v3/files",
        &length.to_string(),
        meta,
        &[("authorization", &auth)],
    )
}

/// A created upload: its path on the emulator, file id and token.
#[derive(Debug, Clone)]
struct Upload {
    path: String,
    file_id: String,
    token: String,
}

fn upload_of(a: &Answer) -> Upload {
    assert_eq!(a.status, 201, "{}{}", a.head, a.body);
    let location = header(a, "location").expect("a Location");
    // Absolute, on the request's Host (the test client sends `Host: x`).
    let path = location
        .strip_prefix("http://x")
        .unwrap_or_else(|| panic!("not absolute: {location}"))
        .to_owned();
    let segments: Vec<&str> = path.split('/').collect();
    assert_eq!(segments.len(), 5, "{path}");
    assert_eq!(&segments[..3], ["", "v3", "files"], "{path}");
    let (file_id, token) = (segments[3].to_owned(), segments[4].to_owned());
    assert_eq!(
        file_id.len(),
        36,
        "the second-to-last segment is a file id: {path}"
    );
    assert!(
        token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit()),
        "{token}"
    );
    Upload {
        path,
        file_id,
        token,
    }
}

fn created(emu: &EmulatorHandle, length: u64, meta: &str) -> Upload {
    upload_of(&create(emu, length, meta))
}

fn patch_with(emu: &EmulatorHandle, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
    call(emu.url(), "PATCH", path, headers, body)
}

/// A PATCH of `bytes` at `offset`, with no credentials.
fn patch(emu: &EmulatorHandle, up: &Upload, offset: u64, bytes: &[u8]) -> Answer {
    let offset = offset.to_string();
    patch_with(
        emu,
        &up.path,
        &[("content-type", OFFSET_STREAM), ("upload-offset", &offset)],
        bytes,
    )
}

fn head(emu: &EmulatorHandle, up: &Upload) -> Answer {
    call(emu.url(), "HEAD", &up.path, &[], b"")
}

/// Sends a PATCH of `bytes` at `offset` announcing `announced` bytes, on a raw connection, and
/// returns it (still open) without reading.
fn start_patch(
    emu: &EmulatorHandle,
    up: &Upload,
    offset: u64,
    announced: usize,
    bytes: &[u8],
) -> std::net::TcpStream {
    let mut stream = connect(emu.url());
    let head = format!(
        "PATCH {} HTTP/1.1\r\nhost: x\r\ncontent-type: {OFFSET_STREAM}\r\nupload-offset: {offset}\r\n\
         content-length: {announced}\r\n\r\n",
        up.path
    );
    stream.write_all(head.as_bytes()).unwrap();
    // The server may close the connection before the body is all sent (a fault): not an error.
    let _ = stream.write_all(bytes);
    stream
}

/// Waits (at most 10 s) until `HEAD` shows `offset`.
fn wait_for_offset(emu: &EmulatorHandle, up: &Upload, offset: u64) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let h = head(emu, up);
        if h.status == 200 && number(&h, "upload-offset") == offset {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "offset never {offset}: {}",
            h.head
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A PATCH retried while the upload is still held (423) by a request that went away.
fn patch_when_free(emu: &EmulatorHandle, up: &Upload, offset: u64, bytes: &[u8]) -> Answer {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let a = patch(emu, up, offset, bytes);
        if a.status != 423 || Instant::now() > deadline {
            return a;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The files of `network` with `cid`, as the API lists them.
fn listed(emu: &EmulatorHandle, network: &str, cid: &str) -> Vec<serde_json::Value> {
    let a = admin_call(emu, "GET", &format!("/v3/files/{network}?cid={cid}"), "");
    assert_eq!(a.status, 200, "{}", a.body);
    json(&a.body)["data"]["files"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn partial_files(emu: &EmulatorHandle) -> usize {
    std::fs::read_dir(emu.data_dir().join("tus"))
        .unwrap()
        .count()
}

fn add_fault(emu: &EmulatorHandle, rule: &str) {
    let a = admin_call(emu, "POST", "/emulator/faults", rule);
    assert_eq!(a.status, 200, "{rule}: {}", a.body);
}

#[test]
fn creation_answers_an_absolute_location_and_options_say_what_is_served() {
    let emu = spawn(EmulatorConfig::default());
    let a = create(&emu, 11, &metadata(&[("filename", "a.txt")]));
    let up = upload_of(&a);
    assert_eq!(number(&a, "upload-offset"), 0);
    assert_eq!(header(&a, "tus-resumable").as_deref(), Some("1.0.0"));
    assert_eq!(partial_files(&emu), 1);

    // Tus-Resumable is not required, but another version is refused.
    let auth = bearer(&emu.admin().jwt);
    let with = create_at(
        &emu,
        "/v3/files",
        "1",
        "",
        &[("authorization", &auth), ("tus-resumable", "1.0.0")],
    );
    assert_eq!(with.status, 201, "{}", with.body);
    let old = create_at(
        &emu,
        "/v3/files",
        "1",
        "",
        &[("authorization", &auth), ("tus-resumable", "0.2.2")],
    );
    assert_eq!(old.status, 412, "{}", old.body);
    assert_eq!(header(&old, "tus-version").as_deref(), Some("1.0.0"));

    // Creation needs a Bearer key with org:files:write.
    let anonymous = create_at(&emu, "/v3/files", "1", "", &[]);
    assert_eq!(anonymous.status, 401, "{}", anonymous.body);

    for path in ["/v3/files", up.path.as_str()] {
        let o = call(emu.url(), "OPTIONS", path, &[], b"");
        assert_eq!(o.status, 204, "{path}: {}", o.head);
        assert_eq!(header(&o, "tus-version").as_deref(), Some("1.0.0"));
        assert_eq!(
            header(&o, "tus-extension").as_deref(),
            Some("creation,termination")
        );
        assert_eq!(number(&o, "tus-max-size"), 25_000_000_000);
        assert_eq!(header(&o, "tus-resumable").as_deref(), Some("1.0.0"));
    }
}

#[test]
fn caps_and_malformed_creations_are_refused() {
    let emu = spawn(EmulatorConfig::default());
    let over = create(&emu, 25_000_000_001, "");
    assert_eq!(over.status, 413, "{}", over.body);
    assert_eq!(
        message(&over),
        "Upload-Length must be at most 25000000000 bytes"
    );
    // At the cap: taken, unless the disk cannot hold it (507), which says so.
    let at_cap = create(&emu, 25_000_000_000, "");
    match at_cap.status {
        201 => {}
        507 => assert!(message(&at_cap).contains("does not fit"), "{}", at_cap.body),
        other => panic!("{other}: {}", at_cap.body),
    }

    let small = spawn(EmulatorConfig {
        max_upload_bytes: 1000,
        ..Default::default()
    });
    assert_eq!(create(&small, 1001, "").status, 413);
    assert_eq!(create(&small, 1000, "").status, 201);
    let o = call(small.url(), "OPTIONS", "/v3/files", &[], b"");
    assert_eq!(number(&o, "tus-max-size"), 1000);

    let auth = bearer(&emu.admin().jwt);
    for length in ["", "abc", "-1", "1.5", "18446744073709551616"] {
        let a = create_at(&emu, "/v3/files", length, "", &[("authorization", &auth)]);
        assert_eq!(a.status, 400, "{length:?}: {}", a.body);
        assert_eq!(json(&a.body)["error"]["code"], 400, "the v3 shape");
    }
    let latin1 = format!("filename {}", BASE64.encode([0xe9]));
    let long = format!("filename {}", "QUFB".repeat(5000));
    let bad_metadata = [
        "filename !!!".to_owned(),
        latin1,
        long,
        metadata(&[("keyvalues", "not json")]),
        metadata(&[("keyvalues", r#"{"a":1}"#)]),
        metadata(&[("network", "elsewhere")]),
        metadata(&[("cid_version", "v2")]),
        metadata(&[("expires_at", "1")]),
        metadata(&[("filetype", "not a type")]),
        metadata(&[("group_id", "no-such-group")]),
        metadata(&[("car", "true")]),
        format!("{0},{0}", metadata(&[("name", "twice")])),
    ];
    for meta in &bad_metadata {
        let a = create(&emu, 5, meta);
        assert_eq!(a.status, 400, "{meta}: {}", a.body);
        assert_eq!(json(&a.body)["error"]["code"], 400);
    }
    // Unknown keys are ignored.
    assert_eq!(
        create(&emu, 5, &metadata(&[("somethingelse", "x")])).status,
        201
    );
    // A creation has no body.
    let with_body = call(
        emu.url(),
        "POST",
        "/v3/files",
        &[("authorization", &auth), ("upload-length", "5")],
        b"hello",
    );
    assert_eq!(with_body.status, 400, "{}", with_body.body);
    let deferred = call(
        emu.url(),
        "POST",
        "/v3/files",
        &[("authorization", &auth), ("upload-defer-length", "1")],
        b"",
    );
    assert_eq!(deferred.status, 400, "{}", deferred.body);
}

#[test]
fn an_upload_in_chunks_ends_with_its_cid_and_a_listed_file() {
    let emu = spawn(EmulatorConfig::default());
    // Text, so that the gateway's answer can be compared (answers are read as UTF-8).
    let content: Vec<u8> = (0..300_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let meta = metadata(&[
        ("filename", "data.bin"),
        ("filetype", "application/octet-stream"),
        ("network", "public"),
        ("name", "Chunked"),
        ("keyvalues", r#"{"via":"tus"}"#),
    ]);
    let up = created(&emu, content.len() as u64, &meta);

    let h = head(&emu, &up);
    assert_eq!(h.status, 200, "{}", h.head);
    assert_eq!(number(&h, "upload-offset"), 0);
    assert_eq!(number(&h, "upload-length"), content.len() as u64);
    assert_eq!(header(&h, "cache-control").as_deref(), Some("no-store"));
    assert_eq!(
        header(&h, "upload-metadata").as_deref(),
        Some(meta.as_str())
    );
    assert_eq!(header(&h, "tus-resumable").as_deref(), Some("1.0.0"));
    assert!(h.body.is_empty());

    // The wrong content type, and the wrong offset (answered with the right one).
    let wrong_type = patch_with(
        &emu,
        &up.path,
        &[
            ("content-type", "application/octet-stream"),
            ("upload-offset", "0"),
        ],
        b"x",
    );
    assert_eq!(wrong_type.status, 415, "{}", wrong_type.body);
    let first = patch(&emu, &up, 0, &content[..100_000]);
    assert_eq!(first.status, 204, "{}", first.body);
    assert_eq!(number(&first, "upload-offset"), 100_000);
    assert_eq!(header(&first, "upload-cid"), None);
    let stale = patch(&emu, &up, 0, &content[..10]);
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert_eq!(number(&stale, "upload-offset"), 100_000);
    let no_offset = patch_with(&emu, &up.path, &[("content-type", OFFSET_STREAM)], b"x");
    assert_eq!(no_offset.status, 400, "{}", no_offset.body);
    // A body that would pass Upload-Length: refused, nothing kept.
    let too_long = patch(&emu, &up, 100_000, &[0u8; 200_001]);
    assert_eq!(too_long.status, 400, "{}", too_long.body);
    assert_eq!(number(&head(&emu, &up), "upload-offset"), 100_000);

    let second = patch(&emu, &up, 100_000, &content[100_000..250_000]);
    assert_eq!(number(&second, "upload-offset"), 250_000);
    // An Authorization header is ignored (the SDK sends one).
    let last = patch_with(
        &emu,
        &up.path,
        &[
            ("content-type", OFFSET_STREAM),
            ("upload-offset", "250000"),
            ("authorization", "Bearer undefined"),
        ],
        &content[250_000..],
    );
    assert_eq!(last.status, 204, "{}{}", last.head, last.body);
    assert_eq!(number(&last, "upload-offset"), content.len() as u64);
    let expected = cid(&content, CidVersion::V1);
    assert_eq!(
        header(&last, "upload-cid").as_deref(),
        Some(expected.as_str())
    );
    assert_eq!(
        partial_files(&emu),
        0,
        "the partial file went into the store"
    );

    // Recorded as a multipart upload would be, under the id in the URL.
    let files = listed(&emu, "public", &expected);
    assert_eq!(files.len(), 1, "{files:?}");
    let f = &files[0];
    assert_eq!(f["id"], up.file_id.as_str());
    assert_eq!(f["name"], "Chunked");
    assert_eq!(f["size"], content.len() as u64);
    assert_eq!(f["mime_type"], "application/octet-stream");
    assert_eq!(f["keyvalues"]["via"], "tus");
    let got = admin_call(&emu, "GET", &format!("/v3/files/public/{}", up.file_id), "");
    assert_eq!(got.status, 200, "{}", got.body);
    let served = call(emu.url(), "GET", &format!("/ipfs/{expected}"), &[], b"");
    assert_eq!(served.status, 200);
    assert_eq!(served.body.as_bytes(), &content[..]);

    // A finished upload still tells its end and CID, and an empty PATCH there answers as the
    // last one did.
    let h = head(&emu, &up);
    assert_eq!(number(&h, "upload-offset"), content.len() as u64);
    assert_eq!(header(&h, "upload-cid").as_deref(), Some(expected.as_str()));
    let again = patch(&emu, &up, content.len() as u64, b"");
    assert_eq!(again.status, 204);
    assert_eq!(
        header(&again, "upload-cid").as_deref(),
        Some(expected.as_str())
    );
    assert_eq!(patch(&emu, &up, 0, b"x").status, 409);
}

#[test]
fn versions_names_and_empty_uploads() {
    let emu = spawn(EmulatorConfig::default());
    // CID v0 from the query; the file name names the file, and gives its type.
    let auth = bearer(&emu.admin().jwt);
    let a = create_at(
        &emu,
        "/v3/files?X-Upload-Option-Cid-Version=v0",
        "5",
        &metadata(&[("filename", "note.txt")]),
        &[("authorization", &auth)],
    );
    let up = upload_of(&a);
    let done = patch(&emu, &up, 0, b"hello");
    let v0 = cid(b"hello", CidVersion::V0);
    assert_eq!(header(&done, "upload-cid").as_deref(), Some(v0.as_str()));
    let files = listed(&emu, "private", &v0);
    assert_eq!(files[0]["name"], "note.txt");
    assert_eq!(files[0]["mime_type"], "text/plain");
    assert_eq!(
        call(emu.url(), "GET", &format!("/ipfs/{v0}"), &[], b"").status,
        404,
        "private by default: not on /ipfs/"
    );

    // An empty upload is finished at its creation.
    let empty = create(&emu, 0, &metadata(&[("filename", "empty")]));
    assert_eq!(empty.status, 201, "{}", empty.body);
    let expected = cid(b"", CidVersion::V1);
    assert_eq!(
        header(&empty, "upload-cid").as_deref(),
        Some(expected.as_str())
    );
    let h = head(&emu, &upload_of(&empty));
    assert_eq!(number(&h, "upload-offset"), 0);
    assert_eq!(header(&h, "upload-cid").as_deref(), Some(expected.as_str()));

    // The same content on the same network: a file of its own under its upload's id, with its
    // own name, as a multipart duplicate is.
    let twice = created(&emu, 5, &metadata(&[("filename", "again.txt")]));
    let done = patch(&emu, &twice, 0, b"hello");
    let v1 = cid(b"hello", CidVersion::V1);
    assert_eq!(header(&done, "upload-cid").as_deref(), Some(v1.as_str()));
    let thrice = created(&emu, 5, &metadata(&[("filename", "thrice.txt")]));
    assert_eq!(patch(&emu, &thrice, 0, b"hello").status, 204);
    let files = listed(&emu, "private", &v1);
    let mut found: Vec<(&str, &str)> = files
        .iter()
        .map(|f| (f["id"].as_str().unwrap(), f["name"].as_str().unwrap()))
        .collect();
    found.sort_unstable();
    let mut expected = vec![
        (twice.file_id.as_str(), "again.txt"),
        (thrice.file_id.as_str(), "thrice.txt"),
    ];
    expected.sort_unstable();
    assert_eq!(found, expected);
}

#[test]
fn a_broken_connection_keeps_what_was_received() {
    let emu = spawn(EmulatorConfig::default());
    let content: Vec<u8> = (0..3000u32).map(|i| (i % 7) as u8).collect();
    let up = created(&emu, 3000, "");
    // 1000 of the 3000 announced bytes, then the connection goes away.
    let stream = start_patch(&emu, &up, 0, 3000, &content[..1000]);
    wait_for_offset(&emu, &up, 1000);
    drop(stream);
    // The upload is free again once the server has seen the connection go; the rest follows.
    let rest = patch_when_free(&emu, &up, 1000, &content[1000..]);
    assert_eq!(rest.status, 204, "{}{}", rest.head, rest.body);
    let expected = cid(&content, CidVersion::V1);
    assert_eq!(
        header(&rest, "upload-cid").as_deref(),
        Some(expected.as_str())
    );
}

#[test]
fn termination_removes_the_upload() {
    let emu = spawn(EmulatorConfig::default());
    let up = created(&emu, 10, "");
    assert_eq!(patch(&emu, &up, 0, b"abc").status, 204);
    assert_eq!(partial_files(&emu), 1);
    let gone = call(emu.url(), "DELETE", &up.path, &[], b"");
    assert_eq!(gone.status, 204, "{}", gone.body);
    assert_eq!(header(&gone, "tus-resumable").as_deref(), Some("1.0.0"));
    assert_eq!(partial_files(&emu), 0);
    assert_eq!(head(&emu, &up).status, 404);
    assert_eq!(patch(&emu, &up, 3, b"d").status, 404);
    assert_eq!(call(emu.url(), "DELETE", &up.path, &[], b"").status, 404);
    // Another upload's token with this file id names nothing.
    let other = created(&emu, 10, "");
    let mixed = Upload {
        path: format!("/v3/files/{}/{}", up.file_id, other.token),
        ..other.clone()
    };
    assert_eq!(head(&emu, &mixed).status, 404);
    // X-HTTP-Method-Override, which TUS servers honour.
    let overridden = call(
        emu.url(),
        "POST",
        &other.path,
        &[("x-http-method-override", "DELETE")],
        b"",
    );
    assert_eq!(overridden.status, 204, "{}", overridden.body);
    assert_eq!(head(&emu, &other).status, 404);
}

/// Signs an upload URL as the admin; its path and query.
fn signed_url(emu: &EmulatorHandle, fields: &str) -> String {
    let body = format!(r#"{{"date":{},"expires":120,{fields}}}"#, now_secs());
    let a = admin_call(emu, "POST", "/v3/files/sign", &body);
    assert_eq!(a.status, 200, "{}", a.body);
    json(&a.body)["data"]
        .as_str()
        .unwrap()
        .strip_prefix("http://x")
        .unwrap()
        .to_owned()
}

#[test]
fn signed_urls_create_resumable_uploads_without_credentials() {
    let emu = spawn(EmulatorConfig::default());
    let url = signed_url(
        &emu,
        r#""network":"public","filename":"bound.txt","keyvalues":{"via":"url"},"max_file_size":100,"allow_mime_types":["text/*"]"#,
    );
    let meta = metadata(&[
        ("filename", "sent.txt"),
        ("name", "not bound"),
        ("network", "private"),
    ]);
    let too_large = create_at(&emu, &url, "101", &meta, &[]);
    assert_eq!(too_large.status, 413, "{}", too_large.body);
    let image = create_at(
        &emu,
        &url,
        "10",
        &metadata(&[("filetype", "image/png")]),
        &[],
    );
    assert_eq!(image.status, 400, "{}", image.body);
    assert_eq!(
        message(&image),
        "Presigned URL does not grant permissions to upload declared MIME type: image/png"
    );
    let altered = create_at(
        &emu,
        &url.replace("X-Expires=120", "X-Expires=121"),
        "10",
        "",
        &[],
    );
    assert_eq!(altered.status, 401, "{}", altered.body);

    let up = upload_of(&create_at(&emu, &url, "10", &meta, &[]));
    // Held while in progress.
    let second = create_at(&emu, &url, "10", &meta, &[]);
    assert_eq!(second.status, 409, "{}", second.body);
    assert_eq!(patch(&emu, &up, 0, b"01234").status, 204);
    let done = patch(&emu, &up, 5, b"56789");
    assert_eq!(done.status, 204, "{}", done.body);
    let expected = cid(b"0123456789", CidVersion::V1);
    assert_eq!(
        header(&done, "upload-cid").as_deref(),
        Some(expected.as_str())
    );
    // The bound fields won.
    let files = listed(&emu, "public", &expected);
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0]["name"], "bound.txt");
    assert_eq!(files[0]["keyvalues"]["via"], "url");
    assert_eq!(files[0]["mime_type"], "text/plain");
    // Spent.
    let used = create_at(&emu, &url, "10", &meta, &[]);
    assert_eq!(used.status, 409, "{}", used.body);

    // Terminating an upload gives its URL back.
    let again = signed_url(&emu, r#""network":"public""#);
    let up = upload_of(&create_at(&emu, &again, "3", "", &[]));
    assert_eq!(call(emu.url(), "DELETE", &up.path, &[], b"").status, 204);
    assert_eq!(create_at(&emu, &again, "3", "", &[]).status, 201);
}

#[test]
fn tus_faults_break_fail_and_lose_uploads() {
    let emu = spawn(EmulatorConfig::default());
    let content: Vec<u8> = (0..3000u32).map(|i| (i % 13) as u8).collect();
    let up = created(&emu, 3000, "");

    // tus_break: 1000 bytes stored, then no answer.
    add_fault(&emu, r#"{"fault":"tus_break","after_bytes":1000}"#);
    let mut stream = start_patch(&emu, &up, 0, 3000, &content);
    assert!(read_answer(&mut stream).is_err(), "no answer");
    let h = head(&emu, &up);
    assert_eq!(number(&h, "upload-offset"), 1000);

    // tus_status, twice: answered without a byte stored.
    add_fault(&emu, r#"{"fault":"tus_status","status":503,"count":2}"#);
    for _ in 0..2 {
        let a = patch(&emu, &up, 1000, &content[1000..2000]);
        assert_eq!(a.status, 503, "{}", a.body);
        assert_eq!(header(&a, "tus-resumable").as_deref(), Some("1.0.0"));
    }
    assert_eq!(number(&head(&emu, &up), "upload-offset"), 1000);
    assert_eq!(patch(&emu, &up, 1000, &content[1000..2000]).status, 204);

    // A break that stores the last bytes finishes the upload; HEAD tells its CID.
    add_fault(&emu, r#"{"fault":"tus_break","after_bytes":5000}"#);
    let mut stream = start_patch(&emu, &up, 2000, 1000, &content[2000..]);
    assert!(read_answer(&mut stream).is_err(), "no answer");
    let h = head(&emu, &up);
    assert_eq!(number(&h, "upload-offset"), 3000);
    let expected = cid(&content, CidVersion::V1);
    assert_eq!(header(&h, "upload-cid").as_deref(), Some(expected.as_str()));
    assert_eq!(listed(&emu, "private", &expected).len(), 1);

    // tus_lose, scoped to the admin's key: not an upload made through a signed URL, but the
    // admin's; from then on a 404.
    let rule = format!(r#"{{"fault":"tus_lose","key":"{}"}}"#, emu.admin().api_key);
    add_fault(&emu, &rule);
    let url = signed_url(&emu, r#""network":"public""#);
    let anonymous = upload_of(&create_at(&emu, &url, "3", "", &[]));
    assert_eq!(head(&emu, &anonymous).status, 200);
    let mine = created(&emu, 3, "");
    assert_eq!(head(&emu, &mine).status, 404);
    assert_eq!(patch(&emu, &mine, 0, b"abc").status, 404);
    assert_eq!(
        partial_files(&emu),
        1,
        "only the anonymous upload's file is left"
    );

    // TUS faults are not taken by other requests, nor other faults by TUS requests.
    add_fault(&emu, r#"{"fault":"tus_status","status":500}"#);
    assert_eq!(test_auth(emu.url(), &emu.admin().jwt).status, 200);
    add_fault(&emu, r#"{"fault":"status","status":503}"#);
    assert_eq!(patch(&emu, &anonymous, 0, b"a").status, 500);
    assert_eq!(patch(&emu, &anonymous, 0, b"a").status, 204);
    assert_eq!(test_auth(emu.url(), &emu.admin().jwt).status, 503);

    for bad in [
        r#"{"fault":"tus_status","status":404}"#,
        r#"{"fault":"tus_break"}"#,
        r#"{"fault":"tus_break","after_bytes":-1}"#,
    ] {
        let a = admin_call(&emu, "POST", "/emulator/faults", bad);
        assert_eq!(a.status, 400, "{bad}: {}", a.body);
    }
}

#[test]
fn uploads_expire_and_give_their_signed_urls_back() {
    let emu = spawn(EmulatorConfig {
        tus_expiry: Duration::from_secs(1),
        ..Default::default()
    });
    let up = created(&emu, 10, "");
    assert_eq!(patch(&emu, &up, 0, b"abc").status, 204);
    let url = signed_url(&emu, r#""network":"public""#);
    let signed = upload_of(&create_at(&emu, &url, "3", "", &[]));
    assert_eq!(create_at(&emu, &url, "3", "", &[]).status, 409);
    assert_eq!(partial_files(&emu), 2);
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(head(&emu, &up).status, 404);
    assert_eq!(patch(&emu, &signed, 0, b"abc").status, 404);
    assert_eq!(partial_files(&emu), 0, "their files went with them");
    assert_eq!(
        create_at(&emu, &url, "3", "", &[]).status,
        201,
        "the signed URL may be used again"
    );
}

#[test]
fn an_upload_through_a_signed_url_ends_when_the_url_does() {
    let emu = spawn(EmulatorConfig::default());
    let date = now_secs();
    let body = format!(r#"{{"date":{date},"expires":1,"network":"private"}}"#);
    let a = admin_call(&emu, "POST", "/v3/files/sign", &body);
    assert_eq!(a.status, 200, "{}", a.body);
    let url = json(&a.body)["data"].as_str().unwrap()["http://x".len()..].to_owned();
    let up = upload_of(&create_at(&emu, &url, "10", "", &[]));
    assert_eq!(patch(&emu, &up, 0, b"abc").status, 204);
    // Valid through the second `date + 1`: wait until it has passed.
    while now_secs() <= date + 1 {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(patch(&emu, &up, 3, b"def").status, 404);
    assert_eq!(head(&emu, &up).status, 404);
    assert_eq!(partial_files(&emu), 0, "its file went with it");
}

#[test]
fn at_most_a_thousand_uploads_are_kept() {
    let emu = spawn(EmulatorConfig::default());
    let writers: Vec<String> = (0..10)
        .map(|_| {
            let a = create_key(
                emu.url(),
                &emu.admin().jwt,
                r#"{"resources":["org:files:write"]}"#,
            );
            assert_eq!(a.status, 200, "{}", a.body);
            bearer(json(&a.body)["JWT"].as_str().unwrap())
        })
        .collect();
    let create_as = |auth: &str| create_at(&emu, "/v3/files", "5", "", &[("authorization", auth)]);
    // A finished upload (empty, so finished at creation), then in-progress ones up to the cap,
    // a hundred a key: no one key may take more.
    let finished = created(&emu, 0, "");
    for (i, auth) in writers.iter().enumerate() {
        let n = if i == 9 { 99 } else { 100 };
        for _ in 0..n {
            upload_of(&create_as(auth));
        }
    }
    let greedy = create_as(&writers[0]);
    assert_eq!(greedy.status, 429, "{}", greedy.body);
    assert!(message(&greedy).starts_with("this key has 100 resumable uploads in progress"));
    // The finished one makes room for one more; then the store's cap holds.
    let last = upload_of(&create_as(&writers[9]));
    assert_eq!(head(&emu, &finished).status, 404);
    let refused = create(&emu, 5, "");
    assert_eq!(refused.status, 429, "{}", refused.body);
    assert_eq!(
        message(&refused),
        "at most 1000 resumable uploads may be in progress"
    );
    assert_eq!(call(emu.url(), "DELETE", &last.path, &[], b"").status, 204);
    assert_eq!(create(&emu, 5, "").status, 201);
}

#[test]
fn one_key_cannot_take_every_resumable_upload() {
    let emu = spawn(EmulatorConfig::default());
    let a = create_key(
        emu.url(),
        &emu.admin().jwt,
        r#"{"resources":["org:files:write"]}"#,
    );
    let writer = bearer(json(&a.body)["JWT"].as_str().unwrap());
    // Small declared lengths, so the per-key cap is what stops the key on any disk.
    let length = "5";
    let mut taken = 0;
    loop {
        let a = create_at(&emu, "/v3/files", length, "", &[("authorization", &writer)]);
        match a.status {
            201 => taken += 1,
            429 => {
                assert!(message(&a).starts_with("this key has 100"), "{}", a.body);
                break;
            }
            other => panic!("{other}: {}", a.body),
        }
        assert!(taken <= 100, "a key took more than its share");
    }
    assert_eq!(taken, 100, "the key had its share");
    // The admin and a signed URL still get resumable uploads.
    assert_eq!(create(&emu, 5, "").status, 201);
    let url = signed_url(&emu, r#""network":"private""#);
    assert_eq!(create_at(&emu, &url, "5", "", &[]).status, 201);
}

#[test]
#[cfg(unix)]
fn an_upload_the_disk_cannot_hold_is_refused_at_its_creation() {
    let config = EmulatorConfig {
        max_upload_bytes: pinata_emulator::MAX_UPLOAD_BYTES,
        ..EmulatorConfig::default()
    };
    let emu = spawn(config);
    // Four pebibytes: no test machine's disk.
    let a = create(&emu, 1 << 52, "");
    assert_eq!(a.status, 507, "{}", a.body);
    assert!(
        message(&a).starts_with("Upload-Length 4503599627370496 does not fit"),
        "{}",
        a.body
    );
    assert_eq!(create(&emu, 5, "").status, 201);
}

//! The emulator as a test tool: `/emulator/health`, the version header on every kind of answer,
//! `/emulator/reset`, the request journal (`/emulator/requests`), the fault and rate-limit
//! builders, and the in-process handle's seeding and control methods.

// Test helpers: a failed step is a failed test.
use std::time::Duration;

use crate::common::*;
use pinata_core::Scheme;
use pinata_core::api::Network;
use pinata_core::api::keys::{EndpointPermission, Permissions};
use pinata_emulator::{
    EmulatorConfig, EmulatorHandle, FaultRule, HandleError, HandleErrorKind, JournalFilter,
    RateLimitRule, VERSION,
};
use serde_json::Value;

const BOUNDARY: &str = "emulator-control-test-boundary";

/// The value of header `name` in an answer's head.
fn header(a: &Answer, name: &str) -> Option<String> {
    a.head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_owned())
    })
}

/// Asserts that `a` carries this crate's version.
fn versioned(a: &Answer, what: &str) {
    assert_eq!(
        header(a, "x-pinata-emulator-version").as_deref(),
        Some(VERSION),
        "{what}: {}",
        a.head
    );
}

/// Pins `{"n": n}` as the admin (legacy JSON pin): its CID.
fn pin_json(emu: &EmulatorHandle, n: u32) -> String {
    let body = format!(r#"{{"pinataContent":{{"n":{n}}}}}"#);
    let a = admin_call(emu, "POST", "/pinning/pinJSONToIPFS", &body);
    assert_eq!(a.status, 200, "{}", a.body);
    json(&a.body)["IpfsHash"].as_str().unwrap().to_owned()
}

/// Uploads one small v3 file as the admin: the answer.
fn upload_file(emu: &EmulatorHandle, name: &str, bytes: &[u8]) -> Answer {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: text/plain\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(
        format!("\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"network\"\r\n\r\npublic\r\n--{BOUNDARY}--\r\n")
            .as_bytes(),
    );
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let auth = bearer(&emu.admin().jwt);
    call(
        emu.url(),
        "POST",
        "/v3/files",
        &[("content-type", &content_type), ("authorization", &auth)],
        &body,
    )
}

/// Creates a resumable upload of `length` bytes as the admin: its path.
fn tus_create(emu: &EmulatorHandle, length: usize) -> (Answer, String) {
    let auth = bearer(&emu.admin().jwt);
    let length = length.to_string();
    let a = call(
        emu.url(),
        "POST",
        "/v3/files",
        &[("upload-length", &length), ("authorization", &auth)],
        b"",
    );
    assert_eq!(a.status, 201, "{}{}", a.head, a.body);
    let location = header(&a, "location").unwrap();
    let path = location.strip_prefix("http://x").unwrap().to_owned();
    (a, path)
}

fn tus_patch(emu: &EmulatorHandle, path: &str, bytes: &[u8]) -> Answer {
    call(
        emu.url(),
        "PATCH",
        path,
        &[
            ("content-type", "application/offset+octet-stream"),
            ("upload-offset", "0"),
        ],
        bytes,
    )
}

/// `GET /emulator/requests?query` as the admin: (requests, dropped).
fn journal(emu: &EmulatorHandle, query: &str) -> (Vec<Value>, u64) {
    let a = admin_call(emu, "GET", &format!("/emulator/requests?{query}"), "");
    assert_eq!(a.status, 200, "{query}: {}", a.body);
    let v = json(&a.body);
    (
        v["requests"].as_array().unwrap().clone(),
        v["dropped"].as_u64().unwrap(),
    )
}

fn paths(entries: &[Value]) -> Vec<String> {
    entries
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["method"].as_str().unwrap(),
                e["path"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn health_needs_no_credentials_and_never_fails() {
    let emu = spawn(EmulatorConfig::default());
    let a = call(emu.url(), "GET", "/emulator/health", &[], b"");
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(
        json(&a.body),
        serde_json::json!({"status": "ok", "version": VERSION})
    );
    // Bad credentials are not looked at; faults and limits are for keys, not for the health URL.
    emu.add_fault(FaultRule::status(503).count(5)).unwrap();
    emu.set_rate_limit(RateLimitRule::new(0, Duration::from_secs(60)))
        .unwrap();
    for headers in [
        &[][..],
        &[("authorization", "Bearer not-a-jwt")][..],
        &[("pinata_api_key", "nope"), ("pinata_secret_api_key", "x")][..],
    ] {
        let a = call(emu.url(), "GET", "/Emulator/Health/", headers, b"");
        assert_eq!(a.status, 200, "{headers:?}: {}", a.body);
    }
    assert_eq!(
        call(emu.url(), "POST", "/emulator/health", &[], b"").status,
        404
    );
}

#[test]
fn every_kind_of_answer_carries_the_version() {
    let emu = spawn(EmulatorConfig::default());
    versioned(&test_auth(emu.url(), &emu.admin().jwt), "JSON");
    versioned(&test_auth(emu.url(), "a.b.c"), "a refusal");
    versioned(&call(emu.url(), "GET", "/nowhere", &[], b""), "404");
    versioned(
        &call(emu.url(), "GET", "/emulator/health", &[], b""),
        "health",
    );
    versioned(&admin_call(&emu, "GET", "/emulator/faults", ""), "control");

    let cid = pin_json(&emu, 1);
    let file = call(emu.url(), "GET", &format!("/ipfs/{cid}"), &[], b"");
    assert_eq!(file.status, 200, "{}", file.body);
    versioned(&file, "a streamed gateway file");
    versioned(
        &call(emu.url(), "GET", "/ipfs/bafynothing", &[], b""),
        "a gateway 404",
    );

    versioned(
        &call(emu.url(), "OPTIONS", "/v3/files", &[], b""),
        "TUS OPTIONS",
    );
    let (created, path) = tus_create(&emu, 5);
    versioned(&created, "TUS creation");
    let patched = tus_patch(&emu, &path, b"hello");
    assert_eq!(patched.status, 204, "{}", patched.head);
    versioned(&patched, "TUS PATCH");
    versioned(&call(emu.url(), "HEAD", &path, &[], b""), "TUS HEAD");

    emu.add_fault(FaultRule::status(503)).unwrap();
    versioned(&test_auth(emu.url(), &emu.admin().jwt), "a status fault");
    emu.set_rate_limit(RateLimitRule::new(0, Duration::from_secs(60)))
        .unwrap();
    let limited = test_auth(emu.url(), &emu.admin().jwt);
    assert_eq!(limited.status, 429);
    versioned(&limited, "a rate-limited answer");
}

#[test]
fn reset_clears_the_account_but_the_admin_still_works() {
    let emu = spawn(EmulatorConfig::default());
    let admin = emu.admin().clone();
    let key = create_key(emu.url(), &admin.jwt, r#"{"admin":true}"#);
    assert_eq!(key.status, 200, "{}", key.body);
    let key_jwt = json(&key.body)["JWT"].as_str().unwrap().to_owned();
    assert_eq!(test_auth(emu.url(), &key_jwt).status, 200);
    let seeded = emu.create_key("seeded", Permissions::admin()).unwrap();
    let group = admin_call(&emu, "POST", "/v3/groups/public", r#"{"name":"g"}"#);
    assert_eq!(group.status, 200, "{}", group.body);
    let cid = pin_json(&emu, 2);
    let uploaded = upload_file(&emu, "a.txt", b"some text");
    assert_eq!(uploaded.status, 200, "{}", uploaded.body);
    let (_, upload_path) = tus_create(&emu, 10);
    let sign = || {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let body = format!(r#"{{"date":{now},"expires":600,"network":"public"}}"#);
        let a = admin_call(&emu, "POST", "/v3/files/sign", &body);
        assert_eq!(a.status, 200, "{}", a.body);
        let url = json(&a.body)["data"].as_str().unwrap().to_owned();
        url.strip_prefix("http://x").unwrap().to_owned()
    };
    let signed_create =
        |path: &str| call(emu.url(), "POST", path, &[("upload-length", "3")], b"").status;
    assert_eq!(signed_create(&sign()), 201, "a signed URL works before");
    let signed = sign();
    emu.add_fault(FaultRule::close().key(seeded.api_key.as_str()))
        .unwrap();
    emu.set_rate_limit(RateLimitRule::new(1000, Duration::from_secs(60)))
        .unwrap();
    let objects = emu.data_dir().join("objects");
    assert!(std::fs::read_dir(&objects).unwrap().next().is_some());
    assert!(!emu.requests(&JournalFilter::new()).is_empty());

    // Refused without an admin key.
    assert_eq!(
        call(emu.url(), "POST", "/emulator/reset", &[], b"").status,
        401
    );
    let reader = emu
        .create_key(
            "reader",
            Permissions::endpoints([EndpointPermission::PinList]),
        )
        .unwrap();
    let refused = call(
        emu.url(),
        "POST",
        "/emulator/reset",
        &[("authorization", &bearer(&reader.jwt))],
        b"",
    );
    assert_eq!(refused.status, 403, "{}", refused.body);

    let a = admin_call(&emu, "POST", "/emulator/reset", "");
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(json(&a.body), serde_json::json!({"reset": true}));
    let seen = admin_call(&emu, "GET", "/emulator/faults", "");
    assert_eq!(
        json(&seen.body)["requests"],
        serde_json::json!({}),
        "the request counters start again"
    );

    // Only the admin key is left, and it works in both schemes.
    assert_eq!(test_auth(emu.url(), &key_jwt).status, 401);
    assert_eq!(test_auth(emu.url(), &seeded.jwt).status, 401);
    assert_eq!(test_auth(emu.url(), &admin.jwt).status, 200);
    let pair = call(
        emu.url(),
        "GET",
        "/data/testAuthentication",
        &[
            ("pinata_api_key", &admin.api_key),
            ("pinata_secret_api_key", &admin.api_secret),
        ],
        b"",
    );
    assert_eq!(pair.status, 200, "{}", pair.body);
    assert_eq!(emu.key(&admin.api_key).unwrap().uses, 2);
    let keys = admin_call(&emu, "GET", "/v3/pinata/keys", "");
    assert_eq!(json(&keys.body)["count"], 1, "{}", keys.body);

    // Nothing else.
    let groups = admin_call(&emu, "GET", "/v3/groups/public", "");
    assert_eq!(json(&groups.body)["data"]["groups"], serde_json::json!([]));
    let pins = admin_call(&emu, "GET", "/data/pinList", "");
    assert_eq!(json(&pins.body)["count"], 0, "{}", pins.body);
    let files = admin_call(&emu, "GET", "/v3/files/public", "");
    assert_eq!(
        json(&files.body)["data"]["files"],
        serde_json::json!([]),
        "{}",
        files.body
    );
    assert_eq!(
        call(emu.url(), "GET", &format!("/ipfs/{cid}"), &[], b"").status,
        404
    );
    assert_eq!(call(emu.url(), "HEAD", &upload_path, &[], b"").status, 404);
    assert!(signed_create(&signed) >= 400, "a URL signed before is gone");
    assert!(emu.data_dir().is_dir(), "the data directory is kept");
    assert!(std::fs::read_dir(&objects).unwrap().next().is_none());
    // No rate limit, no fault: a request answers without X-RateLimit headers.
    let plain = test_auth(emu.url(), &admin.jwt);
    assert!(
        header(&plain, "x-ratelimit-limit").is_none(),
        "{}",
        plain.head
    );
    // The journal starts again with what came after the reset.
    let file_id = upload_path.split('/').nth(3).unwrap();
    let signed_id = signed.split('?').next().unwrap();
    let expected: Vec<String> = [
        "GET /data/testAuthentication",
        "GET /data/testAuthentication",
        "GET /data/testAuthentication",
        "GET /data/testAuthentication",
        "GET /v3/pinata/keys",
        "GET /v3/groups/public",
        "GET /data/pinList",
        "GET /v3/files/public",
        &format!("GET /ipfs/{cid}"),
        &format!("HEAD /v3/files/{file_id}/{{token}}"),
        &format!("POST {signed_id}"),
        "GET /data/testAuthentication",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(paths(&journal(&emu, "").0), expected);
}

#[test]
fn reset_from_the_handle_restores_a_revoked_admin() {
    let emu = spawn(EmulatorConfig::default());
    let admin = emu.admin().clone();
    let body = format!(r#"{{"apiKey":"{}"}}"#, admin.api_key);
    assert_eq!(
        admin_call(&emu, "PUT", "/users/revokeApiKey", &body).status,
        200
    );
    assert_eq!(test_auth(emu.url(), &admin.jwt).status, 403);
    emu.reset().unwrap();
    assert_eq!(test_auth(emu.url(), &admin.jwt).status, 200);
    assert!(!emu.key(&admin.api_key).unwrap().revoked);
}

#[test]
fn the_journal_records_requests_without_their_secrets() {
    let emu = spawn(EmulatorConfig::default());
    let admin = emu.admin().clone();
    emu.clear_requests();
    assert_eq!(test_auth(emu.url(), &admin.jwt).status, 200);
    assert_eq!(test_auth(emu.url(), "not.a.jwt").status, 401);
    let gateway = call(
        emu.url(),
        "GET",
        "/ipfs/bafynothing?pinataGatewayToken=gateway-secret",
        &[],
        b"",
    );
    assert_eq!(gateway.status, 404);
    let private = call(
        emu.url(),
        "GET",
        "/files/bafyx?X-Signature=sig-secret&X-Expires=1",
        &[],
        b"",
    );
    assert!(private.status >= 400);
    call(emu.url(), "GET", "/nowhere?token=q-secret", &[], b"");
    let (_, upload) = tus_create(&emu, 5);
    let token = upload.rsplit('/').next().unwrap().to_owned();
    assert_eq!(tus_patch(&emu, &upload, b"hello").status, 204);
    // The control surface is not journaled.
    call(emu.url(), "GET", "/emulator/health", &[], b"");
    admin_call(&emu, "GET", "/emulator/faults", "");
    admin_call(&emu, "GET", "/emulator/requests", "");

    let a = admin_call(&emu, "GET", "/emulator/requests", "");
    assert_eq!(a.status, 200, "{}", a.body);
    for secret in [
        "gateway-secret",
        "sig-secret",
        "q-secret",
        token.as_str(),
        admin.jwt.as_str(),
        admin.api_secret.as_str(),
        "?",
    ] {
        assert!(!a.body.contains(secret), "{secret:?} in {}", a.body);
    }
    let v = json(&a.body);
    assert_eq!(v["dropped"], 0);
    let entries = v["requests"].as_array().unwrap();
    let file_id = upload.split('/').nth(3).unwrap();
    assert_eq!(
        paths(entries),
        [
            "GET /data/testAuthentication".to_owned(),
            "GET /data/testAuthentication".to_owned(),
            "GET /ipfs/bafynothing".to_owned(),
            "GET /files/bafyx".to_owned(),
            "GET /nowhere".to_owned(),
            "POST /v3/files".to_owned(),
            format!("PATCH /v3/files/{file_id}/{{token}}"),
        ]
    );
    let statuses: Vec<Value> = entries.iter().map(|e| e["status"].clone()).collect();
    assert_eq!(statuses[0], 200);
    assert_eq!(statuses[1], 401);
    assert_eq!(statuses[4], 404);
    assert_eq!(statuses[5], 201);
    assert_eq!(statuses[6], 204);
    let keys: Vec<Value> = entries.iter().map(|e| e["key"].clone()).collect();
    assert_eq!(keys[0], admin.api_key.as_str());
    assert_eq!(keys[1], Value::Null, "a refused caller has no key");
    assert_eq!(keys[2], Value::Null, "the gateway takes no key");
    assert_eq!(keys[5], admin.api_key.as_str());
    assert_eq!(keys[6], Value::Null, "a PATCH carries no key");
    for e in entries {
        let time = e["time"].as_str().unwrap();
        assert!(pinata_core::time::parse_iso8601(time).is_some(), "{time}");
        assert!(e["duration_ms"].is_u64(), "{e}");
    }

    // The same through the handle.
    let mine = emu.requests(&JournalFilter::new().key(admin.api_key.as_str()));
    assert_eq!(mine.len(), 2);
    assert_eq!(mine[0].path, "/data/testAuthentication");
    assert_eq!(mine[0].status, Some(200));
    assert_eq!(mine[1].method, "POST");

    // A connection closed by a fault has no status.
    emu.add_fault(FaultRule::close()).unwrap();
    assert!(
        read_answer(&mut {
            let mut s = connect(emu.url());
            std::io::Write::write_all(
                &mut s,
                format!(
                    "GET /data/testAuthentication HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {}\r\n\r\n",
                    admin.jwt
                )
                .as_bytes(),
            )
            .unwrap();
            s
        })
        .is_err()
    );
    let closed = emu.requests(&JournalFilter::new().limit(1));
    assert_eq!(closed[0].status, None);
    assert_eq!(closed[0].key.as_deref(), Some(admin.api_key.as_str()));
}

#[test]
fn no_path_puts_an_upload_token_in_the_journal() {
    let emu = crate::common::spawn(EmulatorConfig::default());
    let (_, upload) = tus_create(&emu, 5);
    let token = upload.rsplit('/').next().unwrap().to_owned();
    let (head, _) = upload.rsplit_once('/').unwrap();
    let encoded: String = token
        .chars()
        .map(|c| format!("%{:02X}", c as u32))
        .collect();
    // Paths that are not a matched upload route but carry its token.
    for (method, path) in [
        ("GET", upload.clone()),
        ("POST", format!("{upload}/suffix")),
        ("PATCH", format!("{upload}x")),
        ("HEAD", format!("{head}//{token}")),
        ("DELETE", format!("/v3/files/public/{token}")),
        ("GET", format!("/nowhere/{}", token.to_uppercase())),
        ("GET", format!("{head}/{encoded}/x")),
    ] {
        call(emu.url(), method, &path, &[], b"");
    }
    let a = admin_call(&emu, "GET", "/emulator/requests", "");
    assert_eq!(a.status, 200, "{}", a.body);
    let lower = a.body.to_lowercase();
    assert!(!lower.contains(&token), "the token in {}", a.body);
    assert!(!a.body.contains(&encoded[..30]), "the token in {}", a.body);
    assert_eq!(lower.matches("{token}").count(), 7, "{}", a.body);
}

#[test]
fn the_journal_filters_are_range_checked_and_it_clears() {
    let emu = spawn(EmulatorConfig::default());
    let admin = emu.admin().clone();
    let reader = emu
        .create_key(
            "reader",
            Permissions::endpoints([EndpointPermission::PinList]),
        )
        .unwrap();
    emu.clear_requests();
    test_auth(emu.url(), &admin.jwt);
    test_auth(emu.url(), &reader.jwt);
    call(
        emu.url(),
        "GET",
        "/pinning/pinJobs",
        &[("authorization", &bearer(&reader.jwt))],
        b"",
    );
    call(emu.url(), "DELETE", "/pinning/unpin/Qm1", &[], b"");
    let (all, _) = journal(&emu, "");
    assert_eq!(all.len(), 4);

    assert_eq!(journal(&emu, "method=delete").0.len(), 1);
    assert_eq!(journal(&emu, "path=%2Fdata%2F").0.len(), 2);
    assert_eq!(journal(&emu, "path=/PINNING/").0.len(), 2);
    let by_reader = journal(&emu, &format!("key={}", reader.api_key)).0;
    assert_eq!(
        paths(&by_reader),
        ["GET /data/testAuthentication", "GET /pinning/pinJobs"]
    );
    assert_eq!(
        journal(&emu, "status=403").0.len(),
        1,
        "no scope for pinJobs"
    );
    assert_eq!(journal(&emu, "status=401").0.len(), 1);
    assert_eq!(
        journal(&emu, &format!("key={}&status=200", reader.api_key))
            .0
            .len(),
        1
    );
    let third = all[2]["time"].as_str().unwrap();
    let since = journal(&emu, &format!("since={third}")).0;
    assert!(since.len() >= 2 && since.len() <= 4, "{since:?}");
    assert_eq!(
        paths(&journal(&emu, "limit=1").0),
        ["DELETE /pinning/unpin/Qm1"]
    );
    assert_eq!(journal(&emu, "limit=10000").0.len(), 4);
    for bad in [
        "limit=0",
        "limit=10001",
        "limit=many",
        "status=0",
        "status=700",
        "since=now",
        "path=data",
        "colour=blue",
    ] {
        let a = admin_call(&emu, "GET", &format!("/emulator/requests?{bad}"), "");
        assert_eq!(a.status, 400, "{bad}: {}", a.body);
        assert!(a.body.contains("invalid filter"), "{}", a.body);
    }

    // Admin only.
    assert_eq!(
        call(emu.url(), "GET", "/emulator/requests", &[], b"").status,
        401
    );
    let refused = call(
        emu.url(),
        "GET",
        "/emulator/requests",
        &[("authorization", &bearer(&reader.jwt))],
        b"",
    );
    assert_eq!(refused.status, 403);

    let cleared = admin_call(&emu, "DELETE", "/emulator/requests", "");
    assert_eq!(cleared.status, 200, "{}", cleared.body);
    assert_eq!(journal(&emu, ""), (Vec::new(), 0));
    assert!(emu.requests(&JournalFilter::new()).is_empty());
    assert_eq!(emu.dropped_requests(), 0);
}

#[test]
fn builders_drive_the_endpoints_and_the_handle() {
    let emu = spawn(EmulatorConfig {
        idle_timeout: Duration::from_secs(5),
        ..Default::default()
    });
    let admin = emu.admin().clone();
    let other = emu.create_key("other", Permissions::admin()).unwrap();

    // A builder's JSON is what POST /emulator/faults takes.
    let rule = serde_json::to_string(&FaultRule::status(502).key(admin.api_key.as_str())).unwrap();
    assert_eq!(
        admin_call(&emu, "POST", "/emulator/faults", &rule).status,
        200
    );
    assert_eq!(test_auth(emu.url(), &other.jwt).status, 200, "scoped");
    assert_eq!(test_auth(emu.url(), &admin.jwt).status, 502);
    assert_eq!(test_auth(emu.url(), &admin.jwt).status, 200, "taken once");
    let limit = serde_json::to_string(&RateLimitRule::new(1, Duration::from_secs(60))).unwrap();
    assert_eq!(
        admin_call(&emu, "PUT", "/emulator/rate_limit", &limit).status,
        200
    );
    assert_eq!(test_auth(emu.url(), &admin.jwt).status, 200);
    assert_eq!(test_auth(emu.url(), &admin.jwt).status, 429);
    assert_eq!(
        admin_call(&emu, "DELETE", "/emulator/rate_limit", "").status,
        200
    );

    // The same on the handle; clearing faults leaves limits, and the other way round.
    emu.add_fault(FaultRule::status(503).count(2).key(other.api_key.as_str()))
        .unwrap();
    emu.set_rate_limit(RateLimitRule::new(100, Duration::from_secs(60)))
        .unwrap();
    assert_eq!(test_auth(emu.url(), &other.jwt).status, 503);
    emu.clear_faults();
    let a = test_auth(emu.url(), &other.jwt);
    assert_eq!(a.status, 200);
    assert_eq!(header(&a, "x-ratelimit-limit").as_deref(), Some("100"));
    emu.add_fault(FaultRule::status(500)).unwrap();
    emu.clear_rate_limit();
    let a = test_auth(emu.url(), &other.jwt);
    assert_eq!(a.status, 500, "the fault stands");
    assert!(header(&a, "x-ratelimit-limit").is_none());
    // Over HTTP too: DELETE /emulator/faults leaves the limit.
    emu.set_rate_limit(RateLimitRule::new(100, Duration::from_secs(60)))
        .unwrap();
    emu.add_fault(FaultRule::status(500)).unwrap();
    admin_call(&emu, "DELETE", "/emulator/faults", "");
    let a = test_auth(emu.url(), &other.jwt);
    assert_eq!(a.status, 200);
    assert_eq!(header(&a, "x-ratelimit-limit").as_deref(), Some("100"));

    // The handle refuses what the endpoints refuse, as `Invalid`.
    let invalid = |e: HandleError| {
        assert_eq!(e.kind(), HandleErrorKind::Invalid, "{e}");
        e.to_string()
    };
    let status = invalid(emu.add_fault(FaultRule::status(200)).unwrap_err());
    assert!(status.contains("status"), "{status}");
    invalid(emu.add_fault(FaultRule::close().fraction(2.0)).unwrap_err());
    let slow = invalid(
        emu.add_fault(FaultRule::slow(Duration::from_secs(5)))
            .unwrap_err(),
    );
    assert!(slow.contains("idle timeout"), "{slow}");
    invalid(
        emu.set_rate_limit(RateLimitRule::new(1, Duration::ZERO))
            .unwrap_err(),
    );
    let bad = admin_call(
        &emu,
        "POST",
        "/emulator/faults",
        &serde_json::to_string(&FaultRule::slow(Duration::from_secs(5))).unwrap(),
    );
    assert_eq!(bad.status, 400, "{}", bad.body);
}

#[test]
fn the_handle_s_errors_are_typed_and_its_builders_at_the_root() {
    // The root paths and the modules' paths name the same types, so code written against either
    // keeps compiling.
    fn same_rule(rule: pinata_emulator::faults::FaultRule) -> FaultRule {
        rule
    }
    fn same_limit(limit: pinata_emulator::faults::RateLimitRule) -> RateLimitRule {
        limit
    }
    fn same_filter(filter: pinata_emulator::journal::JournalFilter) -> JournalFilter {
        filter
    }
    // What `?` in a test returning `Box<dyn Error + Send + Sync>` needs.
    fn is_error<E: std::error::Error + Send + Sync + 'static>(_: &E) {}

    let emu = spawn(EmulatorConfig::default());
    let _ = same_filter(JournalFilter::new());
    let _ = same_limit(RateLimitRule::new(1, Duration::from_secs(1)));
    for _ in 0..pinata_emulator::faults::MAX_RULES {
        emu.add_fault(same_rule(
            FaultRule::status(503).key("0123456789abcdef0123"),
        ))
        .unwrap();
    }
    let full = emu.add_fault(FaultRule::status(503)).unwrap_err();
    is_error(&full);
    assert_eq!(full.kind(), HandleErrorKind::Full);
    assert_eq!(
        full.to_string(),
        format!(
            "at most {} fault rules may stand at once",
            pinata_emulator::faults::MAX_RULES
        )
    );
    assert!(std::error::Error::source(&full).is_none());
    emu.clear_faults();
    emu.add_fault(FaultRule::status(503)).unwrap();

    let kind = |e: HandleError| (e.kind(), e.to_string());
    assert_eq!(
        kind(emu.create_key("", Permissions::admin()).unwrap_err()),
        (HandleErrorKind::Invalid, "keyName is required".to_owned())
    );
    assert_eq!(
        kind(emu.create_group(Network::Public, "").unwrap_err()),
        (
            HandleErrorKind::Invalid,
            "name must be 1 to 1024 characters".to_owned()
        )
    );
    assert_eq!(
        kind(emu.create_file(Network::Public, "", b"x").unwrap_err()).0,
        HandleErrorKind::Invalid
    );
    // Through `?` into a boxed error, as a test would.
    let boxed = || -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        emu.create_key(&"n".repeat(257), Permissions::admin())?;
        Ok(())
    };
    let e = boxed().unwrap_err();
    assert_eq!(
        e.downcast_ref::<HandleError>().map(HandleError::kind),
        Some(HandleErrorKind::Invalid)
    );
}

#[test]
fn seeded_keys_and_groups_are_usable() {
    let emu = spawn(EmulatorConfig::default());
    let reader = emu
        .create_key(
            "reader",
            Permissions::endpoints([EndpointPermission::PinList]),
        )
        .unwrap();
    assert_eq!(reader.api_key.len(), 20);
    assert_eq!(reader.api_secret.len(), 64);
    assert!(!format!("{reader:?}").contains(&reader.api_secret));
    let list = |auth: &[(&str, &str)]| call(emu.url(), "GET", "/data/pinList", auth, b"").status;
    assert_eq!(list(&[("authorization", &bearer(&reader.jwt))]), 200);
    assert_eq!(
        list(&[
            ("pinata_api_key", &reader.api_key),
            ("pinata_secret_api_key", &reader.api_secret)
        ]),
        200
    );
    let pin = call(
        emu.url(),
        "POST",
        "/pinning/pinJSONToIPFS",
        &[
            ("authorization", &bearer(&reader.jwt)),
            ("content-type", "application/json"),
        ],
        br#"{"pinataContent":{}}"#,
    );
    assert_eq!(pin.status, 403, "only what it was given: {}", pin.body);
    assert!(reader.jwt_credentials().is_ok() && reader.key_pair_credentials().is_ok());
    let record = emu.key(&reader.api_key).unwrap();
    assert_eq!(record.name, "reader");
    assert!(!record.permissions.is_admin());

    assert!(emu.create_key("", Permissions::admin()).is_err());
    assert!(emu.create_key("   ", Permissions::admin()).is_err());
    assert!(
        emu.create_key(&"n".repeat(257), Permissions::admin())
            .is_err()
    );
    assert!(
        emu.create_key(&"n".repeat(256), Permissions::admin())
            .is_ok()
    );

    let id = emu.create_group(Network::Private, "fixtures").unwrap();
    let got = admin_call(&emu, "GET", &format!("/v3/groups/private/{id}"), "");
    assert_eq!(got.status, 200, "{}", got.body);
    assert_eq!(json(&got.body)["data"]["name"], "fixtures");
    assert_eq!(
        admin_call(&emu, "GET", &format!("/v3/groups/public/{id}"), "").status,
        404,
        "on its network only"
    );
    assert!(emu.create_group(Network::Public, "").is_err());
    assert!(
        emu.create_group(Network::Public, &"g".repeat(1025))
            .is_err()
    );
}

#[test]
fn credentials_and_config_point_a_client_here() {
    let emu = spawn(EmulatorConfig::default());
    let credentials = emu.credentials();
    assert_eq!(credentials.scheme(), Scheme::Jwt);
    assert_eq!(credentials, emu.admin().jwt_credentials().unwrap());
    assert!(!format!("{credentials:?}").contains(&emu.admin().jwt));
    let config = emu.config();
    let url = emu.url().trim_end_matches('/');
    assert_eq!(config.base_url().to_string().trim_end_matches('/'), url);
    assert_eq!(config.uploads_url().to_string().trim_end_matches('/'), url);
    assert_eq!(
        config.gateway().unwrap().to_string().trim_end_matches('/'),
        url
    );
    // The credentials authenticate as the admin when applied as a client applies them.
    let mut headers = http::HeaderMap::new();
    credentials.apply_to(&mut headers);
    let authorization = headers["authorization"].to_str().unwrap().to_owned();
    let a = call(
        emu.url(),
        "GET",
        "/data/testAuthentication",
        &[("authorization", &authorization)],
        b"",
    );
    assert_eq!(a.status, 200, "{}", a.body);
}

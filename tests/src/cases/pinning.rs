//! Pinning end to end: uploads streamed from disk (CIDs checked against the local importer and the
//! bytes fetched back through the gateway), JSON, pins by hash, metadata, unpin, listings, usage,
//! and every error the API gives.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::local::pattern;
use super::*;
use crate::scratch::Scratch;
use crate::target::PIN_DELAY;
use bytes::Bytes;
use pinata_core::Body;
use pinata_core::LocalError;
use pinata_core::api::pinning::{
    KeyValueFilter, KeyValueOp, ListPinJobs, ListPins, PinByHash, PinFile, PinJobStatus, PinJson,
    PinMetadata, PinOptions, PinResponse, PinStatusFilter, UpdatePinMetadata,
};
use pinata_core::cid::{CidVersion, DirectoryBuilder, ImportOptions, import_bytes};

fn admin_jwt(emu: &EmulatorSide) -> Credentials {
    Credentials::jwt(&emu.admin_jwt).unwrap()
}

/// `GET /ipfs/{path}` through the bare transport: (status, body).
fn gateway<D: Driver>(d: &D, path: &str) -> (u16, Bytes) {
    let config = target().config();
    let request = http::Request::builder()
        .uri(format!("{}/ipfs/{path}", target().url))
        .body(Body::Empty)
        .unwrap();
    let response = d.send_raw(&config, request).unwrap();
    (response.status().as_u16(), response.into_body())
}

/// A unique name, so each test's pins can be told apart in the shared account.
fn tag(prefix: &str) -> String {
    unique_name(prefix)
}

/// Bytes in memory pinned through the legacy `pinFileToIPFS` (`PinFile::bytes`): the CID is the
/// local importer's (checked while the body streams), wrapped in a directory it keeps its name,
/// and the gateway returns the same bytes.
pub fn pin_bytes_round_trip<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("pin_bytes_round_trip") else {
        return;
    };
    let bytes = pattern(70_000, 77);
    for version in [CidVersion::V0, CidVersion::V1] {
        let request = PinFile::bytes("memory.bin", bytes.clone())
            .unwrap()
            .options(PinOptions::new().cid_version(version))
            .metadata(PinMetadata::new().name(tag("bytes")))
            .verify_cid(true);
        let answer: PinResponse = d
            .execute(admin_jwt(emu), target().config(), &request)
            .unwrap();
        let expected = import_bytes(&bytes, ImportOptions::new(version)).unwrap();
        assert_eq!(answer.cid().unwrap(), expected.cid, "{version:?}");
        let (status, back) = gateway(d, &answer.ipfs_hash);
        assert_eq!(status, 200);
        assert_eq!(back, bytes);
    }
    let wrapped = PinFile::bytes("memory.bin", bytes.clone())
        .unwrap()
        .options(PinOptions::new().wrap_with_directory(true))
        .verify_cid(true);
    let answer = d
        .execute(admin_jwt(emu), target().config(), &wrapped)
        .unwrap();
    let (status, back) = gateway(d, &format!("{}/memory.bin", answer.ipfs_hash));
    assert_eq!((status, back), (200, Bytes::from(bytes)));
    assert!(matches!(
        PinFile::bytes("", "x"),
        Err(BuildError::InvalidInput(_))
    ));
    assert!(matches!(
        PinFile::bytes("a\r\nb", "x"),
        Err(BuildError::InvalidInput(_))
    ));
}

/// Uploads a file from disk (streamed) with CID verification and progress; the CID is the local
/// importer's, and the gateway returns the same bytes. Both CID versions, sizes across chunks.
pub fn pin_file_round_trip<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("pin_file_round_trip") else {
        return;
    };
    let dir = Scratch::new("pin-file");
    for (i, len) in [0usize, 11, 600_000].into_iter().enumerate() {
        let bytes = pattern(len, 40 + i as u32);
        let path = dir.write(&format!("data-{i}.bin"), &bytes);
        for version in [CidVersion::V0, CidVersion::V1] {
            let reports = Arc::new(std::sync::Mutex::new(Vec::new()));
            let log = reports.clone();
            let request = d
                .pin_request(&path)
                .unwrap()
                .options(PinOptions::new().cid_version(version))
                .metadata(PinMetadata::new().name(tag("file")))
                .verify_cid(true)
                .on_progress(move |p| log.lock().unwrap().push(p));
            let answer: PinResponse = d
                .execute(admin_jwt(emu), target().config(), &request)
                .unwrap();
            let expected = import_bytes(&bytes, ImportOptions::new(version)).unwrap();
            assert_eq!(
                answer.cid().unwrap(),
                expected.cid,
                "{len} bytes {version:?}"
            );
            assert_eq!(answer.pin_size, expected.dag_size);
            assert_eq!(
                d.cid_of_path(&path, ImportOptions::new(version)).unwrap(),
                expected.cid
            );
            let reports = reports.lock().unwrap();
            let last = reports.last().expect("progress was reported");
            assert_eq!(
                last.sent, last.total,
                "the last report covers the whole body"
            );
            assert!(
                last.total > len as u64,
                "the total is the whole multipart body"
            );
            assert!(
                reports
                    .windows(2)
                    .all(|w| w[0].sent <= w[1].sent && w[0].total == w[1].total),
                "progress only grows"
            );
            let (status, back) = gateway(d, &answer.ipfs_hash);
            assert_eq!(status, 200);
            assert_eq!(
                back.as_ref(),
                bytes.as_slice(),
                "the gateway returns the bytes sent"
            );
        }
    }
}

/// Uploads a nested folder: one `file` part per file under the folder's name; the CID is the
/// folder's (as built locally, without its empty directories, which multipart cannot carry), and
/// nested paths come back through the gateway. With `wrapWithDirectory` the root gains a level.
pub fn pin_folder_round_trip<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("pin_folder_round_trip") else {
        return;
    };
    let scratch = Scratch::new("pin-folder");
    let files: [(&str, Vec<u8>); 4] = [
        ("index.html", b"<h1>hi</h1>\n".to_vec()),
        ("css/site.css", b"body{}".to_vec()),
        ("img/big.bin", pattern(700_000, 7)),
        ("docs/é ü/notes.txt", "naïve".as_bytes().to_vec()),
    ];
    for (p, b) in &files {
        scratch.write(&format!("site/{p}"), b);
    }
    scratch.mkdir("site/empty");
    for (version, wrap) in [
        (CidVersion::V0, false),
        (CidVersion::V1, false),
        (CidVersion::V0, true),
    ] {
        let request = d
            .pin_request(&scratch.path().join("site"))
            .unwrap()
            .options(
                PinOptions::new()
                    .cid_version(version)
                    .wrap_with_directory(wrap),
            )
            .verify_cid(true);
        let answer = d
            .execute(admin_jwt(emu), target().config(), &request)
            .unwrap();
        let mut by_hand = DirectoryBuilder::new();
        for (p, b) in &files {
            let path = if wrap {
                format!("site/{p}")
            } else {
                (*p).to_owned()
            };
            by_hand
                .add_file(&path, import_bytes(b, ImportOptions::new(version)).unwrap())
                .unwrap();
        }
        assert_eq!(
            answer.cid().unwrap(),
            by_hand.finish(version).unwrap().cid,
            "{version:?} wrap={wrap}"
        );
        if !wrap {
            // Known before uploading: the local computation for uploads (no empty directories).
            let site = scratch.path().join("site");
            let options = ImportOptions::new(version);
            assert_eq!(
                d.upload_cid_of_path(&site, options).unwrap(),
                answer.cid().unwrap()
            );
            assert_ne!(
                d.cid_of_path(&site, options).unwrap(),
                answer.cid().unwrap(),
                "`ipfs add` keeps the empty directory; an upload cannot"
            );
        }
        let prefix = if wrap { "site/" } else { "" };
        let (status, back) = gateway(d, &format!("{}/{prefix}img/big.bin", answer.ipfs_hash));
        assert_eq!(status, 200);
        assert_eq!(back.as_ref(), files[2].1.as_slice());
        let (status, back) = gateway(
            d,
            &format!(
                "{}/{prefix}docs/%C3%A9%20%C3%BC/notes.txt",
                answer.ipfs_hash
            ),
        );
        assert_eq!((status, back.as_ref()), (200, "naïve".as_bytes()));
    }
    let (status, _) = gateway(d, "QmNotAnythingWeHold1111111111111111111111111111");
    assert_eq!(status, 404);
}

/// Pins JSON: the CID is that of the compact document, and the gateway returns it.
pub fn pin_json_round_trip<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("pin_json_round_trip") else {
        return;
    };
    #[derive(serde::Serialize)]
    struct Doc {
        title: &'static str,
        tags: Vec<&'static str>,
        n: u32,
    }
    let doc = Doc {
        title: "hello",
        tags: vec!["a", "b"],
        n: 7,
    };
    for version in [CidVersion::V0, CidVersion::V1] {
        let request = PinJson::new(&doc)
            .unwrap()
            .metadata(
                PinMetadata::new()
                    .name(tag("json"))
                    .keyvalue("kind", "doc")
                    .unwrap(),
            )
            .cid_version(version);
        let answer = d
            .execute(admin_jwt(emu), target().config(), &request)
            .unwrap();
        // Sent as the type's Serialize writes it: field order kept.
        let compact = serde_json::to_vec(&doc).unwrap();
        assert_eq!(request.content_json().as_bytes(), compact.as_slice());
        assert_eq!(
            answer.cid().unwrap(),
            import_bytes(&compact, ImportOptions::new(version))
                .unwrap()
                .cid
        );
        let (status, back) = gateway(d, &answer.ipfs_hash);
        assert_eq!((status, back.as_ref()), (200, compact.as_slice()));
    }
    // The 10 MB limit is checked before anything is sent.
    let big = "x".repeat(pinata_core::api::pinning::MAX_JSON_BODY);
    let closed = Config::default()
        .with_base_url(&crate::fake::closed_port_url())
        .unwrap();
    match d.execute(admin_jwt(emu), closed, &PinJson::new(&big).unwrap()) {
        Err(Error::Build(BuildError::InvalidInput(m))) => assert!(m.contains("at most"), "{m}"),
        other => panic!("expected a size refusal, got {other:?}"),
    }
}

/// Metadata updates merge (set, overwrite, delete), and pinList filters on names and key-values
/// with every kind of operator.
pub fn pin_metadata_and_filters<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("pin_metadata_and_filters") else {
        return;
    };
    let name = tag("meta");
    let mut cids = Vec::new();
    for (i, (env, size)) in [("prod", 10), ("dev", 20), ("prod", 30)]
        .into_iter()
        .enumerate()
    {
        let request = PinJson::new(&serde_json::json!({ "i": i, "tag": name }))
            .unwrap()
            .metadata(
                PinMetadata::new()
                    .name(format!("{name}-{i}"))
                    .keyvalue("env", env)
                    .unwrap()
                    .keyvalue("size", i64::from(size))
                    .unwrap()
                    .keyvalue("drop", "me")
                    .unwrap(),
            );
        cids.push(
            d.execute(admin_jwt(emu), target().config(), &request)
                .unwrap()
                .ipfs_hash,
        );
    }
    let update = UpdatePinMetadata::new(&cids[1])
        .name(format!("{name}-renamed"))
        .set("env", "staging")
        .unwrap()
        .set("new", "yes")
        .unwrap()
        .remove("drop");
    d.execute(admin_jwt(emu), target().config(), &update)
        .unwrap();

    let list = |filter: ListPins| -> Vec<String> {
        d.paginate(
            admin_jwt(emu),
            target().config(),
            filter.name_contains(&name),
        )
        .unwrap()
        .into_iter()
        .map(|r| r.ipfs_pin_hash)
        .collect()
    };
    let rows = d
        .paginate(
            admin_jwt(emu),
            target().config(),
            ListPins::new().cid(&cids[1]),
        )
        .unwrap();
    let kv = rows[0].metadata.keyvalues.clone().unwrap();
    assert_eq!(
        rows[0].metadata.name.as_deref(),
        Some(format!("{name}-renamed").as_str())
    );
    assert_eq!(kv.get("env"), Some(&serde_json::json!("staging")));
    assert_eq!(kv.get("new"), Some(&serde_json::json!("yes")));
    assert_eq!(kv.get("size"), Some(&serde_json::json!(20)));
    assert!(kv.get("drop").is_none(), "null deletes a key");

    let eq = |k: &str, v: &str| KeyValueFilter::new(k, KeyValueOp::Eq, v).unwrap();
    assert_eq!(
        list(ListPins::new().keyvalue(eq("env", "prod"))),
        vec![cids[2].clone(), cids[0].clone()],
        "newest first"
    );
    assert_eq!(
        list(ListPins::new().keyvalue(eq("env", "staging"))),
        vec![cids[1].clone()]
    );
    let gt = KeyValueFilter::new("size", KeyValueOp::Gt, 15i64).unwrap();
    assert_eq!(list(ListPins::new().keyvalue(gt)).len(), 2);
    let between = KeyValueFilter::range("size", 15i64, 25i64, true);
    assert_eq!(
        list(ListPins::new().keyvalue(between)),
        vec![cids[1].clone()]
    );
    let outside = KeyValueFilter::range("size", 15i64, 25i64, false);
    assert_eq!(list(ListPins::new().keyvalue(outside)).len(), 2);
    let like = KeyValueFilter::new("env", KeyValueOp::Like, "pr%").unwrap();
    assert_eq!(list(ListPins::new().keyvalue(like)).len(), 2);
    let ilike = KeyValueFilter::new("env", KeyValueOp::ILike, "STAG%").unwrap();
    assert_eq!(list(ListPins::new().keyvalue(ilike)), vec![cids[1].clone()]);
    let regexp = KeyValueFilter::new("env", KeyValueOp::Regexp, "^(dev|staging)$").unwrap();
    assert_eq!(
        list(ListPins::new().keyvalue(regexp)),
        vec![cids[1].clone()]
    );
    let ne = KeyValueFilter::new("env", KeyValueOp::Ne, "prod").unwrap();
    let two = list(
        ListPins::new()
            .keyvalue(ne)
            .keyvalue(KeyValueFilter::new("size", KeyValueOp::Lte, 20i64).unwrap()),
    );
    assert_eq!(two, vec![cids[1].clone()], "all conditions must hold");
    assert_eq!(list(ListPins::new().size_min(1).size_max(10_000)).len(), 3);
    assert_eq!(
        list(ListPins::new().hash_contains(&cids[0][10..20])).len(),
        1
    );

    // One condition per key: two on the same key are refused before sending.
    let twice = ListPins::new()
        .keyvalue(KeyValueFilter::new("size", KeyValueOp::Gt, 10i64).unwrap())
        .keyvalue(KeyValueFilter::new("size", KeyValueOp::Lt, 30i64).unwrap());
    assert!(matches!(
        d.execute(admin_jwt(emu), target().config(), &twice),
        Err(Error::Build(BuildError::InvalidInput(_)))
    ));

    // Paging: one per page still walks all three.
    let paged = d
        .paginate(
            admin_jwt(emu),
            target().config(),
            ListPins::new().name_contains(&name).page_limit(1).unwrap(),
        )
        .unwrap();
    assert_eq!(paged.len(), 3);

    // Bad filter JSON is the API's 400.
    let config = target().config();
    let mut request = prepare_request(
        &ListPins::new(),
        &admin_jwt(emu),
        &config,
        SystemTime::now(),
    )
    .unwrap();
    *request.uri_mut() = format!(
        "{}/data/pinList?metadata%5Bkeyvalues%5D=%7Bnot-json",
        target().url
    )
    .parse()
    .unwrap();
    let e = api_error(interpret_response(
        &ListPins::new(),
        &Body::Empty,
        d.send_raw(&config, request).unwrap(),
    ));
    assert_eq!(
        (e.status().as_u16(), e.message()),
        (400, "Invalid JSON provided")
    );

    // Metadata of something not pinned.
    let e = api_error(d.execute(
        admin_jwt(emu),
        target().config(),
        &UpdatePinMetadata::new("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5X").name("x"),
    ));
    assert_eq!(e.reason(), Some("CURRENT_USER_HAS_NOT_PINNED_CID"));
}

/// Unpinning removes a pin from the totals and keeps it listed as unpinned; a second unpin is the
/// API's 400. Pinning the same content again reports a duplicate.
pub fn unpin_usage_and_duplicates<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("unpin_usage_and_duplicates") else {
        return;
    };
    let content = serde_json::json!({ "unique": tag("unpin") });
    let first = d
        .execute(
            admin_jwt(emu),
            target().config(),
            &PinJson::new(&content).unwrap(),
        )
        .unwrap();
    assert_eq!(first.is_duplicate, None);
    let again = d
        .execute(
            admin_jwt(emu),
            target().config(),
            &PinJson::new(&content).unwrap(),
        )
        .unwrap();
    assert_eq!(
        (again.is_duplicate, again.ipfs_hash.as_str()),
        (Some(true), first.ipfs_hash.as_str())
    );

    // Totals are over all pins of the shared account: compare before and after this unpin only.
    let total = || {
        d.execute(
            admin_jwt(emu),
            target().config(),
            &pinata_core::api::pinning::UserPinnedDataTotal,
        )
        .unwrap()
    };
    let before = total();
    assert!(before.pin_count >= 1);
    let started = SystemTime::now() - Duration::from_secs(1);
    d.execute(
        admin_jwt(emu),
        target().config(),
        &pinata_core::api::pinning::UnpinCid::new(&first.ipfs_hash),
    )
    .unwrap();
    let after = total();
    assert_eq!(after.pin_count + 1, before.pin_count);
    assert_eq!(after.pin_size_total + first.pin_size, before.pin_size_total);
    let rows = d
        .paginate(
            admin_jwt(emu),
            target().config(),
            ListPins::new()
                .cid(&first.ipfs_hash)
                .status(PinStatusFilter::Unpinned)
                .unpinned_after(started),
        )
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].date_unpinned.is_some());
    let e = api_error(d.execute(
        admin_jwt(emu),
        target().config(),
        &pinata_core::api::pinning::UnpinCid::new(&first.ipfs_hash),
    ));
    assert_reason(
        &e,
        400,
        "CURRENT_USER_HAS_NOT_PINNED_CID",
        &format!(
            "The current user has not pinned the cid: {}",
            first.ipfs_hash
        ),
    );
}

/// Pins by hash: content the emulator holds is pinned after a short delay (visible in pinJobs
/// meanwhile); unknown content searches, then expires.
pub fn pin_by_hash_jobs<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("pin_by_hash_jobs") else {
        return;
    };
    let content = serde_json::json!({ "by": tag("hash") });
    let pinned = d
        .execute(
            admin_jwt(emu),
            target().config(),
            &PinJson::new(&content).unwrap(),
        )
        .unwrap();
    d.execute(
        admin_jwt(emu),
        target().config(),
        &pinata_core::api::pinning::UnpinCid::new(&pinned.ipfs_hash),
    )
    .unwrap();
    let name = tag("byhash");
    let job = d
        .execute(
            admin_jwt(emu),
            target().config(),
            &PinByHash::new(&pinned.ipfs_hash)
                .unwrap()
                .metadata(PinMetadata::new().name(&name))
                .host_node(
                    "/ip4/127.0.0.1/tcp/4001/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N",
                )
                .unwrap(),
        )
        .unwrap();
    assert_eq!(
        (job.status.as_str(), job.ipfs_hash.as_str()),
        ("retrieving", pinned.ipfs_hash.as_str())
    );
    let jobs = d
        .execute(
            admin_jwt(emu),
            target().config(),
            &ListPinJobs::new().cid(&pinned.ipfs_hash),
        )
        .unwrap();
    assert_eq!(jobs.count, 1);
    assert_eq!(jobs.rows[0].host_nodes.as_ref().map(Vec::len), Some(1));

    let until = Instant::now() + PIN_DELAY * 20;
    loop {
        let rows = d
            .paginate(
                admin_jwt(emu),
                target().config(),
                ListPins::new()
                    .cid(&pinned.ipfs_hash)
                    .status(PinStatusFilter::Pinned),
            )
            .unwrap();
        if let Some(row) = rows.first() {
            assert_eq!(row.metadata.name.as_deref(), Some(name.as_str()));
            break;
        }
        assert!(
            Instant::now() < until,
            "the held content was never pinned by hash"
        );
        std::thread::sleep(PIN_DELAY / 3);
    }
    let jobs = d
        .execute(
            admin_jwt(emu),
            target().config(),
            &ListPinJobs::new().cid(&pinned.ipfs_hash),
        )
        .unwrap();
    assert_eq!(jobs.count, 0, "a finished job leaves the queue");

    // Unknown content: searching, then expired.
    let unknown = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyka";
    let job = d
        .execute(
            admin_jwt(emu),
            target().config(),
            &PinByHash::new(unknown).unwrap(),
        )
        .unwrap();
    assert_eq!(job.status, PinJobStatus::Searching);
    let until = Instant::now() + crate::target::PIN_EXPIRY * 10;
    loop {
        let page = d
            .execute(
                admin_jwt(emu),
                target().config(),
                &ListPinJobs::new().cid(unknown),
            )
            .unwrap();
        if page.rows.iter().any(|r| r.status == PinJobStatus::Expired) {
            break;
        }
        assert!(Instant::now() < until, "the unknown content never expired");
        std::thread::sleep(crate::target::PIN_EXPIRY / 4);
    }
    // Invalid input is refused before sending.
    assert!(PinByHash::new("not-a-cid").is_err());
    let mut request = PinByHash::new(unknown).unwrap();
    for i in 0..5 {
        request = request
            .host_node(format!("/ip4/10.0.0.{i}/tcp/4001"))
            .unwrap();
    }
    assert!(
        request.host_node("/ip4/10.0.0.9/tcp/4001").is_err(),
        "at most five host nodes"
    );
    assert!(
        PinByHash::new(unknown)
            .unwrap()
            .host_node("1.2.3.4:4001")
            .is_err()
    );
}

/// A raw multipart request with `parts` (name, filename, body), sent through the bare transport.
fn raw_upload<D: Driver>(
    d: &D,
    creds: &Credentials,
    content_type: &str,
    body: Vec<u8>,
) -> Result<PinResponse, Error> {
    let config = target().config();
    let probe = PinJson::new(&0).unwrap();
    let mut request = prepare_request(&probe, creds, &config, SystemTime::now())?;
    *request.uri_mut() = format!("{}/pinning/pinFileToIPFS", target().url)
        .parse()
        .unwrap();
    let headers = request.headers_mut();
    headers.insert(http::header::CONTENT_TYPE, content_type.parse().unwrap());
    headers.insert(http::header::CONTENT_LENGTH, body.len().into());
    *request.body_mut() = Body::Json(Bytes::from(body));
    let sent = request.body().clone();
    let response = d.send_raw(&config, request)?;
    interpret_response(&probe, &sent, response)
}

fn multipart(parts: &[(&str, Option<&str>, &str)]) -> Vec<u8> {
    let mut out = String::new();
    for (name, filename, body) in parts {
        out.push_str("--XX\r\nContent-Disposition: form-data; name=\"");
        out.push_str(name);
        out.push('"');
        if let Some(f) = filename {
            out.push_str("; filename=\"");
            out.push_str(f);
            out.push('"');
        }
        out.push_str("\r\n\r\n");
        out.push_str(body);
        out.push_str("\r\n");
    }
    out.push_str("--XX--\r\n");
    out.into_bytes()
}

/// The API's answers to malformed uploads.
pub fn upload_errors<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("upload_errors") else {
        return;
    };
    let admin = admin_jwt(emu);
    let mp = "multipart/form-data; boundary=XX";
    let cases: Vec<(Vec<u8>, &str, &str)> = vec![
        (
            multipart(&[("file", Some("a.txt"), "a"), ("file", Some("b.txt"), "b")]),
            mp,
            "More than one file and/or directory was provided for pinning.",
        ),
        (
            multipart(&[("pinataMetadata", None, "{not json"), ("file", Some("a.txt"), "a")]),
            mp,
            "Invalid JSON provided",
        ),
        (
            multipart(&[("pinataOptions", None, "{\"cidVersion\":99}"), ("file", Some("a.txt"), "a")]),
            mp,
            "cidVersion must be 0 or 1",
        ),
        (multipart(&[("pinataMetadata", None, "{}")]), mp, "Invalid request format."),
        (b"--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\ntruncated".to_vec(), mp, "Invalid request format."),
        (b"whatever".to_vec(), "text/plain", "Invalid request format."),
    ];
    for (body, content_type, message) in cases {
        let e = api_error(raw_upload(d, &admin, content_type, body));
        assert_eq!((e.status().as_u16(), e.message()), (400, message));
        assert_eq!(
            e.body(),
            &pinata_core::ApiErrorBody::Message(message.to_owned())
        );
    }
    // A name the multipart parser would store differently is refused before sending.
    let scratch = Scratch::new("quoted");
    scratch.write("site/say \"hi\".txt", b"hi");
    let quoted = d.pin_request(&scratch.path().join("site")).unwrap();
    match d.execute(admin.clone(), target().config(), &quoted) {
        Err(Error::Build(BuildError::InvalidInput(m))) => {
            assert!(m.contains("cannot carry"), "{m}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // A multipart body sent as JSON meets the JSON parser first (observed answer).
    let e = api_error(raw_upload(
        d,
        &admin,
        "application/json",
        multipart(&[("file", Some("a"), "a")]),
    ));
    assert_reason(
        &e,
        400,
        "UNKNOWN_REASON",
        "Unexpected token - in JSON at position 0",
    );
    // Two files under one root are a folder.
    let ok = raw_upload(
        d,
        &admin,
        mp,
        multipart(&[("file", Some("r/a"), "a"), ("file", Some("r/b"), "b")]),
    )
    .unwrap();
    let mut by_hand = DirectoryBuilder::new();
    for (n, b) in [("a", "a"), ("b", "b")] {
        by_hand
            .add_file(
                n,
                import_bytes(b.as_bytes(), ImportOptions::default()).unwrap(),
            )
            .unwrap();
    }
    assert_eq!(
        ok.cid().unwrap(),
        by_hand.finish(CidVersion::V0).unwrap().cid
    );
}

/// A key that may pin JSON but not files gets the 403 for the upload, and counts no use for it.
pub fn scoped_key_may_pin_json_but_not_files<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("scoped_key_may_pin_json_but_not_files") else {
        return;
    };
    let key = create_key(
        d,
        emu,
        Permissions::endpoints([EndpointPermission::PinJsonToIpfs]),
    );
    let creds = key.jwt_credentials().unwrap();
    d.execute(
        creds.clone(),
        target().config(),
        &PinJson::new(&serde_json::json!({"k": tag("scoped")})).unwrap(),
    )
    .unwrap();
    let scratch = Scratch::new("scoped");
    let path = scratch.write("a.txt", b"a");
    let e = api_error(d.execute(
        creds.clone(),
        target().config(),
        &d.pin_request(&path).unwrap(),
    ));
    assert_reason(
        &e,
        403,
        "NO_SCOPES_FOUND",
        "This key does not have the required scopes associated with it",
    );
    for refused in [
        d.execute(creds.clone(), target().config(), &ListPins::new())
            .map(|_| ()),
        d.execute(
            creds.clone(),
            target().config(),
            &pinata_core::api::pinning::UnpinCid::new(
                "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o",
            ),
        ),
    ] {
        assert_eq!(api_error(refused).reason(), Some("NO_SCOPES_FOUND"));
    }
}

/// A file that is shorter or longer than planned fails the upload with a typed local error; the
/// server receives no complete request, so nothing is pinned.
pub fn a_file_that_changes_fails_the_upload<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("a_file_that_changes_fails_the_upload") else {
        return;
    };
    let scratch = Scratch::new("changed");
    let bytes = pattern(300_000, 9);
    let path = scratch.write("moving.bin", &bytes);
    let name = tag("changed");
    for planned in [200_000u64, 400_000] {
        let request = PinFile::file(&path, planned)
            .unwrap()
            .metadata(PinMetadata::new().name(&name));
        match d.execute(admin_jwt(emu), target().config(), &request) {
            Err(Error::Local(LocalError::Changed {
                expected, actual, ..
            })) => {
                assert_eq!(expected, planned);
                assert_ne!(actual, planned);
            }
            other => panic!("expected a Changed error, got {other:?}"),
        }
    }
    let missing = PinFile::file(scratch.path().join("gone.bin"), 10).unwrap();
    match d.execute(admin_jwt(emu), target().config(), &missing) {
        Err(Error::Local(LocalError::Io { .. })) => {}
        other => panic!("expected a local I/O error, got {other:?}"),
    }
    let pinned = d
        .paginate(
            admin_jwt(emu),
            target().config(),
            ListPins::new().name_contains(&name),
        )
        .unwrap();
    assert!(pinned.is_empty(), "an aborted upload pins nothing");
}

/// A server that answers every upload with the CID it returns (that of `hello world\n`), whatever
/// was sent.
fn wrong_cid_server() -> (crate::fake::FakeServer, &'static str) {
    let wrong = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";
    let body =
        format!(r#"{{"IpfsHash":"{wrong}","PinSize":20,"Timestamp":"2026-01-01T00:00:00.000Z"}}"#);
    // One answer per connection, said so: the fake closes after answering, and a client that
    // pooled the connection would meet a reset on its next request.
    let raw = format!(
        "HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    (
        crate::fake::FakeServer::start(Some(raw.into_bytes())),
        wrong,
    )
}

/// A server that answers an upload with another CID than the bytes have: with verification on,
/// a typed error that names both CIDs; with it off, the answer is returned as is.
pub fn cid_mismatch_is_a_typed_error<D: Driver>(d: &D) {
    let scratch = Scratch::new("mismatch");
    let path = scratch.write("hello.txt", b"not hello world\n");
    let (server, wrong) = wrong_cid_server();
    let config = Config::default().with_base_url(&server.url).unwrap();
    let creds = Credentials::key_pair("0123456789abcdef0123", "c0ffee".repeat(10)).unwrap();
    let request = d.pin_request(&path).unwrap().verify_cid(true);
    match d.execute(creds.clone(), config.clone(), &request) {
        Err(Error::Verify(pinata_core::VerifyError::CidMismatch { expected, received })) => {
            assert_eq!(received, wrong);
            assert_eq!(
                expected,
                import_bytes(b"not hello world\n", ImportOptions::default())
                    .unwrap()
                    .cid
            );
        }
        other => panic!("expected a CID mismatch, got {other:?}"),
    }
    let unchecked = d
        .execute(creds, config, &d.pin_request(&path).unwrap())
        .unwrap();
    assert_eq!(unchecked.ipfs_hash, wrong);
}

/// One upload request shared by concurrent calls of one client: every call streams, hashes and
/// checks its own body, so matching answers all pass (no false mismatch from another call's
/// state) and a server that answers another CID is still caught on every call.
pub fn a_shared_upload_request_verifies_each_call<D: Driver>(d: &D) {
    const CALLS: usize = 8;
    let Some(emu) = target().emulator("a_shared_upload_request_verifies_each_call") else {
        return;
    };
    let scratch = Scratch::new("shared");
    let contents = pattern(300_000, 7);
    let path = scratch.write("shared.bin", &contents);
    let expected = import_bytes(&contents, ImportOptions::default())
        .unwrap()
        .cid;
    let request = Arc::new(d.pin_request(&path).unwrap().verify_cid(true));
    for round in 0..3 {
        let results = d.execute_shared_concurrently(
            admin_jwt(emu),
            target().config(),
            request.clone(),
            CALLS,
        );
        assert_eq!(results.len(), CALLS);
        for result in results {
            match result {
                Ok(pin) => assert_eq!(pin.ipfs_hash, expected.to_string(), "round {round}"),
                Err(e) => panic!("round {round}: a shared request failed: {e:?}"),
            }
        }
    }

    let (server, wrong) = wrong_cid_server();
    let config = Config::default().with_base_url(&server.url).unwrap();
    let creds = Credentials::key_pair("0123456789abcdef0123", "c0ffee".repeat(10)).unwrap();
    for result in d.execute_shared_concurrently(creds, config, request, CALLS) {
        match result {
            Err(Error::Verify(pinata_core::VerifyError::CidMismatch {
                expected: local,
                received,
            })) => {
                assert_eq!(received, wrong);
                assert_eq!(local, expected);
            }
            other => panic!("expected a CID mismatch on every call, got {other:?}"),
        }
    }
}

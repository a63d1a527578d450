//! The emulator's state in its database (`--data-dir`) across a real restart of its process: the
//! process is killed (SIGKILL, no shutdown of its own) and a new one is started on the same
//! directory and port. Keys with their use counts, pins, files with their fields and groups, the
//! content and its private marks, the signing secrets (a download link made before the restart
//! works after it, and so does the old admin JWT), and a resumable upload in progress, resumed
//! from its token, all survive; a second restart without the seed keeps what happened since it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::*;
use crate::process::EmulatorProcess;
use crate::scratch::Scratch;
use pinata_core::api::Network;
use pinata_core::api::files::{GetFile, ListFiles};
use pinata_core::api::groups::CreateGroup;
use pinata_core::api::pinning::{ListPins, PinJson};
use pinata_core::api::signed::CreateDownloadLink;
use pinata_core::api::uploads::UploadFile;
use pinata_core::cid::{CidVersion, ImportOptions, import_bytes};
use pinata_core::download::Download;
use pinata_core::tus::{MIN_TUS_CHUNK, ResumeToken};
use pinata_core::{CancelToken, LocalError};

const CHUNK: u64 = MIN_TUS_CHUNK;

fn start(data: &std::path::Path, listen: &str) -> EmulatorProcess {
    EmulatorProcess::start(&[
        "--listen",
        listen,
        "--data-dir",
        data.to_str().unwrap(),
        "--pin-delay-ms",
        "0",
    ])
    .unwrap()
}

fn config(emu: &EmulatorProcess) -> Config {
    Config::for_emulator(&emu.url)
        .unwrap()
        .with_tus_threshold(2 * CHUNK)
        .with_tus_chunk_size(CHUNK)
        .unwrap()
}

/// Bytes no other run writes.
fn content(len: usize) -> Vec<u8> {
    let seed = unique_name("persist")
        .bytes()
        .fold(0x9e37_79b9_u32, |h, b| {
            (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
        });
    super::local::pattern(len, seed)
}

/// Everything the account holds survives a killed process; a TUS upload cut short before the
/// restart is resumed after it and sends only what the server does not hold.
pub fn state_survives_a_restart<D: Driver>(d: &D) {
    let dir = Scratch::new("persist");
    let data = dir.path().join("data");
    let first = start(&data, "127.0.0.1:0");
    let address = first.address().to_owned();
    let config = config(&first);
    let admin = Credentials::jwt(first.admin_jwt()).unwrap();
    let admin_key = first.admin_key().to_owned();

    // A key of three uses, two of them spent.
    let limited: CreatedApiKey = d
        .execute(
            admin.clone(),
            config.clone(),
            &CreateApiKey::new("limited", Permissions::admin())
                .unwrap()
                .max_uses(3)
                .unwrap(),
        )
        .unwrap();
    let limited_creds = limited.jwt_credentials().unwrap();
    for _ in 0..2 {
        d.execute(limited_creds.clone(), config.clone(), &TestAuthentication)
            .unwrap();
    }
    // A legacy pin, a group, a private file in it, and a download link for the file.
    let pinned = d
        .execute(
            admin.clone(),
            config.clone(),
            &PinJson::new(&serde_json::json!({ "kept": unique_name("pin") })).unwrap(),
        )
        .unwrap();
    let group = d
        .execute(
            admin.clone(),
            config.clone(),
            &CreateGroup::new(Network::Private, "kept").unwrap(),
        )
        .unwrap();
    let bytes = content(4096);
    let file = d
        .execute_upload(
            admin.clone(),
            config.clone(),
            &UploadFile::bytes("kept.bin", bytes.clone())
                .unwrap()
                .network(Network::Private)
                .group(&group.id)
                .keyvalue("stage", "before")
                .unwrap(),
        )
        .unwrap();
    let gateway = config.gateway().unwrap().clone();
    let link = d
        .execute(
            admin.clone(),
            config.clone(),
            &CreateDownloadLink::new(&gateway, &file.cid, "", Duration::from_secs(600)).unwrap(),
        )
        .unwrap();
    // A resumable upload cut short after a chunk and a half, its token kept.
    let big = content((CHUNK * 4 + 777) as usize);
    let big_path = dir.write("big.bin", &big);
    let saved: Arc<Mutex<Option<String>>> = Arc::default();
    let keep = Arc::clone(&saved);
    let cancel = CancelToken::new();
    let stop = cancel.clone();
    let upload = d
        .upload_request(&big_path)
        .unwrap()
        .cancel_with(cancel)
        .on_resume_token(move |t| *keep.lock().unwrap() = Some(t.to_json()))
        .on_progress(move |p| {
            if p.sent >= CHUNK + CHUNK / 2 {
                stop.cancel();
            }
        });
    let cut = d.upload_resumable(admin.clone(), config.clone(), &upload);
    assert!(
        matches!(cut, Err(Error::Local(LocalError::Cancelled))),
        "{cut:?}"
    );
    let token = ResumeToken::from_json(&saved.lock().unwrap().clone().unwrap()).unwrap();

    first.kill();
    let second = start(&data, &address);
    assert_eq!(second.address(), address, "on the same port");
    assert_eq!(
        second.admin_key(),
        admin_key,
        "the admin key is the one kept"
    );

    // The old admin JWT still works (the JWT secret was kept), and so does everything else.
    let pins = d
        .paginate(
            admin.clone(),
            config.clone(),
            ListPins::new().cid(&pinned.ipfs_hash),
        )
        .unwrap();
    assert_eq!(pins.len(), 1, "the pin is kept");
    let got = d
        .execute(
            admin.clone(),
            config.clone(),
            &GetFile::new(Network::Private, &file.id),
        )
        .unwrap();
    assert_eq!(got.name.as_deref(), Some("kept.bin"));
    assert_eq!(got.cid, file.cid);
    assert_eq!(got.group_id.as_deref(), Some(group.id.as_str()));
    assert_eq!(
        got.keyvalues.get("stage").map(String::as_str),
        Some("before")
    );
    let in_group = d
        .paginate(
            admin.clone(),
            config.clone(),
            ListFiles::new(Network::Private).group(&group.id),
        )
        .unwrap();
    assert_eq!(in_group.len(), 1, "{in_group:?}");
    let (fetched, _, _) = d
        .download(admin.clone(), config.clone(), &Download::signed(link))
        .unwrap();
    assert!(
        fetched == bytes,
        "a link signed before the restart serves the content"
    );
    let public = Download::public(&file.cid, "").unwrap();
    let hidden = api_error(d.download(admin.clone(), config.clone(), &public));
    assert_eq!(
        hidden.status(),
        StatusCode::NOT_FOUND,
        "still private (not on /ipfs/): {hidden}"
    );

    // The key has one use left: exactly one more call, then it is used up.
    d.execute(limited_creds.clone(), config.clone(), &TestAuthentication)
        .unwrap();
    let spent = api_error(d.execute(limited_creds.clone(), config.clone(), &TestAuthentication));
    assert_eq!(spent.status(), StatusCode::FORBIDDEN, "{spent}");

    // The upload resumes where the server's copy stands and its CID covers the whole file.
    let up = d
        .resume_upload(admin.clone(), config.clone(), &token)
        .unwrap();
    let whole = import_bytes(&big, ImportOptions::new(CidVersion::V1))
        .unwrap()
        .cid
        .to_string();
    assert_eq!(up.cid, whole);
    assert_eq!(up.size, big.len() as u64);

    // A clean stop and a third run keep what happened after the first restart.
    drop(second);
    let third = start(&data, &address);
    let resumed = d
        .execute(
            admin.clone(),
            config.clone(),
            &GetFile::new(Network::Private, &up.id),
        )
        .unwrap();
    assert_eq!(resumed.cid, whole);
    let still_spent = api_error(d.execute(limited_creds, config.clone(), &TestAuthentication));
    assert_eq!(still_spent.status(), StatusCode::FORBIDDEN, "{still_spent}");
    drop(third);
}

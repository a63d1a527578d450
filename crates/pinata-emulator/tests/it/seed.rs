//! Seeding from a JSON file (`--seed`, `EmulatorConfig::seed`): fixed keys that authenticate and
//! keep their scopes, groups, files listed, grouped and served as uploads are; bad seeds refused
//! at start-up with the problem named; a reset applies the seed again.

// Test helpers: a failed step is a failed test.
use std::path::{Path, PathBuf};

use crate::common::*;
use pinata_core::cid::{CidVersion, ImportOptions, import_bytes};
use pinata_emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use serde_json::Value;

const KEY: &str = "0123456789abcdef0123";
const SECRET: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

static NEXT_DIR: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A fresh directory with `fixtures/a.txt`, `fixtures/b.txt` and `seed.json` holding `seed`.
fn seed_dir(seed: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "pinata-emulator-seed-test-{}-{}",
        std::process::id(),
        NEXT_DIR.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("fixtures")).unwrap();
    std::fs::write(dir.join("fixtures/a.txt"), b"private a").unwrap();
    std::fs::write(dir.join("fixtures/b.txt"), b"public b").unwrap();
    std::fs::write(dir.join("seed.json"), seed).unwrap();
    dir
}

fn good_seed() -> String {
    format!(
        r#"{{"keys":[{{"name":"ci","api_key":"{KEY}","api_secret":"{SECRET}",
              "permissions":{{"admin":false,"resources":["org:files:read"]}}}}],
            "groups":[{{"network":"public","name":"site"}},{{"network":"private","name":"site"}}],
            "files":[{{"network":"private","path":"fixtures/a.txt","name":"a","keyvalues":{{"k":"v"}},"group":"site"}},
                     {{"network":"public","path":"fixtures/b.txt","group":"site","cid_version":"v0"}}]}}"#
    )
}

fn config(dir: &Path) -> EmulatorConfig {
    EmulatorConfig {
        seed: Some(dir.join("seed.json")),
        ..EmulatorConfig::default()
    }
}

fn cid(bytes: &[u8], v: CidVersion) -> String {
    import_bytes(bytes, ImportOptions::new(v))
        .unwrap()
        .cid
        .to_string()
}

fn data(a: &Answer) -> Value {
    assert_eq!(a.status, 200, "{}", a.body);
    json(&a.body)["data"].clone()
}

/// The seeded key works in both schemes and keeps its scopes; the groups and files are there.
fn check_seeded(emu: &EmulatorHandle) {
    // The fixed pair authenticates.
    let pair = call(
        emu.url(),
        "GET",
        "/data/testAuthentication",
        &[("pinata_api_key", KEY), ("pinata_secret_api_key", SECRET)],
        b"",
    );
    assert_eq!(pair.status, 200, "{}", pair.body);
    // A JWT minted for it, and the one the emulator made.
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600;
    let minted = emu.mint_jwt(KEY, SECRET, exp);
    assert_eq!(test_auth(emu.url(), &minted).status, 200);
    let seeded = emu.seeded_keys();
    assert_eq!(seeded.len(), 1);
    assert_eq!(seeded[0].api_key, KEY);
    let jwt = bearer(&seeded[0].jwt);
    assert_eq!(test_auth(emu.url(), &seeded[0].jwt).status, 200);
    // Read-only: listing is fine, an upload is 403.
    let list = call(
        emu.url(),
        "GET",
        "/v3/files/private",
        &[("authorization", &jwt)],
        b"",
    );
    assert_eq!(list.status, 200, "{}", list.body);
    let body = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.txt\"\r\n\r\nx\r\n--b--\r\n";
    let upload = call(
        emu.url(),
        "POST",
        "/v3/files",
        &[
            ("authorization", &jwt),
            ("content-type", "multipart/form-data; boundary=b"),
        ],
        body.as_bytes(),
    );
    assert_eq!(upload.status, 403, "{}", upload.body);

    // The groups, by network.
    let group_of = |network: &str| {
        let groups = data(&admin_call(
            emu,
            "GET",
            &format!("/v3/groups/{network}"),
            "",
        ));
        let groups = groups["groups"].as_array().unwrap().clone();
        assert_eq!(groups.len(), 1, "{groups:?}");
        assert_eq!(groups[0]["name"], "site");
        groups[0]["id"].as_str().unwrap().to_owned()
    };
    let private_group = group_of("private");
    let public_group = group_of("public");
    assert_ne!(private_group, public_group);

    // The files, listed on their network and in their group.
    let a_cid = cid(b"private a", CidVersion::V1);
    let b_cid = cid(b"public b", CidVersion::V0);
    let in_group = |network: &str, group: &str| {
        let page = data(&admin_call(
            emu,
            "GET",
            &format!("/v3/files/{network}?group={group}"),
            "",
        ));
        page["files"].as_array().unwrap().clone()
    };
    let private = in_group("private", &private_group);
    assert_eq!(private.len(), 1, "{private:?}");
    assert_eq!(private[0]["name"], "a");
    assert_eq!(private[0]["cid"], a_cid.as_str());
    assert_eq!(private[0]["keyvalues"]["k"], "v");
    let public = in_group("public", &public_group);
    assert_eq!(public.len(), 1, "{public:?}");
    assert_eq!(public[0]["name"], "b.txt");
    assert_eq!(public[0]["cid"], b_cid.as_str());
    assert!(b_cid.starts_with("Qm"), "{b_cid}");

    // Served as uploads are: the public one on /ipfs/, the private one not.
    let served = call(emu.url(), "GET", &format!("/ipfs/{b_cid}"), &[], b"");
    assert_eq!(served.status, 200, "{}", served.head);
    assert_eq!(served.body, "public b");
    let hidden = call(emu.url(), "GET", &format!("/ipfs/{a_cid}"), &[], b"");
    assert_ne!(hidden.status, 200, "{}", hidden.body);
}

#[test]
fn a_seed_gives_keys_groups_and_files_and_a_reset_applies_it_again() {
    let dir = seed_dir(&good_seed());
    let emu = spawn(config(&dir));
    check_seeded(&emu);

    // Something made after start-up goes with a reset; the seed comes back.
    let extra = admin_call(&emu, "POST", "/v3/groups/public", r#"{"name":"extra"}"#);
    assert_eq!(extra.status, 200, "{}", extra.body);
    let reset = admin_call(&emu, "POST", "/emulator/reset", "");
    assert_eq!(reset.status, 200, "{}", reset.body);
    check_seeded(&emu);
    emu.reset().unwrap();
    check_seeded(&emu);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `Emulator::bind` with `seed` refuses, naming `expected`.
fn refused(seed: &str, expected: &str) {
    let dir = seed_dir(seed);
    let err = Emulator::spawn(config(&dir)).expect_err(seed);
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{err}");
    let text = err.to_string();
    assert!(text.contains("seed file"), "{text}");
    assert!(text.contains(expected), "{seed}: {text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_seeds_are_refused_at_start_up_with_the_problem_named() {
    // Unreadable.
    let err = Emulator::spawn(EmulatorConfig {
        seed: Some("/nonexistent/pinata-emulator/seed.json".into()),
        ..EmulatorConfig::default()
    })
    .unwrap_err();
    assert!(err.to_string().contains("cannot read it"), "{err}");
    // Not JSON, or not a seed.
    refused("{not json", "not a valid seed");
    refused(r#"{"keys":[],"pins":[]}"#, "unknown field `pins`");
    refused(
        &format!(
            r#"{{"keys":[{{"name":"ci","api_key":"{KEY}","api_secret":"{SECRET}","permissions":{{"admin":true}},"extra":1}}]}}"#
        ),
        "unknown field `extra`",
    );
    refused(
        r#"{"files":[{"network":"public","path":"fixtures/a.txt","colour":"red"}]}"#,
        "unknown field `colour`",
    );
    // Bad values.
    refused(
        &format!(
            r#"{{"keys":[{{"name":"ci","api_key":"short","api_secret":"{SECRET}","permissions":{{"admin":true}}}}]}}"#
        ),
        "keys[0]: api_key must be 20",
    );
    refused(
        &format!(
            r#"{{"keys":[{{"name":"ci","api_key":"{KEY}","api_secret":"{SECRET}","permissions":{{"admin":true}}}},
                {{"name":"ci2","api_key":"{KEY}","api_secret":"{SECRET}","permissions":{{"admin":true}}}}]}}"#
        ),
        "keys[1]: api_key 0123456789abcdef0123 is already taken",
    );
    refused(
        &format!(
            r#"{{"keys":[{{"name":"ci","api_key":"{KEY}","api_secret":"{SECRET}","permissions":{{"resources":["org:nothing"]}}}}]}}"#
        ),
        "keys[0]",
    );
    refused(
        r#"{"groups":[{"network":"elsewhere","name":"g"}]}"#,
        "groups[0]: network must be public or private",
    );
    refused(
        r#"{"groups":[{"network":"public","name":"g"},{"network":"public","name":"g"}]}"#,
        "groups[1]: a group named \"g\" is already seeded",
    );
    refused(
        r#"{"groups":[{"network":"public","name":"site"}],
            "files":[{"network":"private","path":"fixtures/a.txt","group":"site"}]}"#,
        "files[0]: group \"site\" is not a seeded group of the private network",
    );
    refused(
        r#"{"files":[{"network":"public","path":"fixtures/a.txt","cid_version":"v2"}]}"#,
        "files[0]: cid_version must be v0 or v1",
    );
    // A missing file.
    refused(
        r#"{"files":[{"network":"public","path":"fixtures/missing.txt"}]}"#,
        "files[0]:",
    );
    // Too large.
    refused(&" ".repeat(16 * 1024 * 1024 + 1), "larger than");
}

#[test]
fn a_seeded_key_may_not_reuse_the_admin_key() {
    let dir = seed_dir(&format!(
        r#"{{"keys":[{{"name":"ci","api_key":"{KEY}","api_secret":"{SECRET}","permissions":{{"admin":true}}}}]}}"#
    ));
    let err = Emulator::spawn(EmulatorConfig {
        admin_key: Some(KEY.to_owned()),
        ..config(&dir)
    })
    .unwrap_err();
    assert!(err.to_string().contains("already taken"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_binary_exits_with_code_2_on_a_bad_seed() {
    let dir = seed_dir(r#"{"groups":[{"network":"nowhere","name":"g"}]}"#);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pinata-emulator"))
        .arg("--seed")
        .arg(dir.join("seed.json"))
        .env_remove("PINATA_EMULATOR_SEED")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("groups[0]: network must be public or private"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

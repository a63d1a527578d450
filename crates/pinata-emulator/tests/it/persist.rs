//! The database of `--data-dir` (`EmulatorConfig::data_dir`): refused at start-up when it is not
//! one of this emulator's, corrupt, newer, or in use by another emulator (and left as it was);
//! the seed makes a new account only; a reset is kept across a restart. (The state surviving a
//! real process restart, through both clients, is the e2e case `state_survives_a_restart`.)

// Test helpers: a failed step is a failed test.
use std::path::PathBuf;

use crate::common::*;
use pinata_emulator::db::{FILE_NAME, SCHEMA_VERSION};
use pinata_emulator::{Emulator, EmulatorConfig};

fn scratch(label: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "pinata-emulator-persist-{label}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The value of the header `name` of an answer.
fn header<'a>(answer: &'a Answer, name: &str) -> Option<&'a str> {
    answer.head.lines().find_map(|line| {
        let (k, v) = line.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

fn with_data(dir: &std::path::Path) -> EmulatorConfig {
    EmulatorConfig {
        data_dir: Some(dir.to_owned()),
        ..EmulatorConfig::default()
    }
}

/// The binary on `dir`: its exit code and stderr (it must not start).
fn refused_start(dir: &std::path::Path) -> (Option<i32>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pinata-emulator"))
        .arg("--data-dir")
        .arg(dir)
        .env_remove("PINATA_EMULATOR_SEED")
        .output()
        .unwrap();
    assert!(
        out.stdout.is_empty(),
        "no start-up line: {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_kept() {
    let dir = scratch("garbage");
    let garbage = vec![0x5a_u8; 10_000];
    std::fs::write(dir.join(FILE_NAME), &garbage).unwrap();
    let (code, stderr) = refused_start(&dir);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains(FILE_NAME), "names the file: {stderr}");
    assert!(stderr.contains("not a database"), "{stderr}");
    assert!(stderr.contains("move it away"), "says what to do: {stderr}");
    assert_eq!(
        std::fs::read(dir.join(FILE_NAME)).unwrap(),
        garbage,
        "never a silent reset"
    );
}

#[test]
fn a_damaged_database_is_refused() {
    let dir = scratch("damaged");
    drop(Emulator::spawn(with_data(&dir)).unwrap());
    // Overwrite a page in the middle of the file: the header is intact, a table is not.
    let path = dir.join(FILE_NAME);
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() >= 3 * 4096, "{} bytes", bytes.len());
    for b in &mut bytes[4096..3 * 4096] {
        *b = 0xa5;
    }
    std::fs::write(&path, &bytes).unwrap();
    let err = Emulator::spawn(with_data(&dir)).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData, "{err}");
    assert!(err.to_string().contains(FILE_NAME), "{err}");
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = scratch("newer");
    drop(Emulator::spawn(with_data(&dir)).unwrap());
    {
        let conn = rusqlite::Connection::open(dir.join(FILE_NAME)).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
    }
    let (code, stderr) = refused_start(&dir);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("schema version {}", SCHEMA_VERSION + 1)),
        "{stderr}"
    );
    assert!(stderr.contains("newer emulator"), "{stderr}");
}

#[test]
fn a_second_emulator_on_the_same_directory_is_refused() {
    let dir = scratch("twice");
    let first = Emulator::spawn(with_data(&dir)).unwrap();
    let err = Emulator::spawn(with_data(&dir)).unwrap_err();
    assert!(err.to_string().contains("another emulator"), "{err}");
    // The first goes on undisturbed.
    assert_eq!(test_auth(first.url(), &first.admin().jwt).status, 200);
}

#[test]
fn the_seed_makes_a_new_account_and_a_kept_one_is_left_alone() {
    let dir = scratch("seeded");
    let key = "0123456789abcdef0123";
    let secret = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    std::fs::write(
        dir.join("seed.json"),
        format!(
            r#"{{"keys":[{{"name":"ci","api_key":"{key}","api_secret":"{secret}","permissions":{{"admin":true}},"max_uses":5}}],
                "groups":[{{"network":"public","name":"site"}}]}}"#
        ),
    )
    .unwrap();
    let config = || EmulatorConfig {
        seed: Some(dir.join("seed.json")),
        ..with_data(&dir.join("data"))
    };
    let groups = |emu: &pinata_emulator::EmulatorHandle| {
        json(&admin_call(emu, "GET", "/v3/groups/public", "").body)["data"]["groups"]
            .as_array()
            .unwrap()
            .len()
    };

    let first = Emulator::spawn(config()).unwrap();
    assert_eq!(groups(&first), 1);
    let seeded = first.seeded_keys()[0].jwt.clone();
    for _ in 0..2 {
        assert_eq!(test_auth(first.url(), &seeded).status, 200);
    }
    let extra = admin_call(
        &first,
        "POST",
        "/v3/groups/public",
        r#"{"name":"made later"}"#,
    );
    assert_eq!(extra.status, 200, "{}", extra.body);
    drop(first);

    let second = Emulator::spawn(config()).unwrap();
    assert_eq!(groups(&second), 2, "the seed is not applied again");
    assert_eq!(second.seeded_keys()[0].api_key, key, "its keys still shown");
    // The seeded key kept its two uses: three more, then it is used up.
    let jwt = second.seeded_keys()[0].jwt.clone();
    for _ in 0..3 {
        assert_eq!(test_auth(second.url(), &jwt).status, 200);
    }
    assert_eq!(test_auth(second.url(), &jwt).status, 403);

    // A reset is back to the seed, and stays so across a restart.
    second.reset().unwrap();
    drop(second);
    let third = Emulator::spawn(config()).unwrap();
    assert_eq!(groups(&third), 1);
    let jwt = third.seeded_keys()[0].jwt.clone();
    assert_eq!(
        test_auth(third.url(), &jwt).status,
        200,
        "uses counted afresh"
    );
}

#[test]
fn an_admin_key_revoked_by_itself_works_again_after_a_restart() {
    let dir = scratch("revoked-admin");
    let first = Emulator::spawn(with_data(&dir)).unwrap();
    let (key, jwt) = (first.admin().api_key.clone(), first.admin().jwt.clone());
    let revoked = admin_call(&first, "PUT", &format!("/v3/pinata/keys/{key}"), "");
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    assert_eq!(test_auth(first.url(), &jwt).status, 403, "revoked");
    drop(first);
    let second = Emulator::spawn(with_data(&dir)).unwrap();
    assert_eq!(second.admin().api_key, key, "the same admin key");
    assert_eq!(test_auth(second.url(), &jwt).status, 200, "not locked out");
}

#[test]
fn a_refused_start_up_leaves_everything_in_place() {
    let dir = scratch("kept-partials");
    let first = Emulator::spawn(with_data(&dir)).unwrap();
    // A resumable upload half done: its partial file on disk.
    let created = call(
        first.url(),
        "POST",
        "/v3/files",
        &[
            ("authorization", &bearer(&first.admin().jwt)),
            ("upload-length", "10"),
            ("tus-resumable", "1.0.0"),
        ],
        b"",
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let location = header(&created, "location").unwrap().to_owned();
    let path = location.trim_start_matches(first.url());
    let patched = call(
        first.url(),
        "PATCH",
        path,
        &[
            ("tus-resumable", "1.0.0"),
            ("upload-offset", "0"),
            ("content-type", "application/offset+octet-stream"),
        ],
        b"hello",
    );
    assert_eq!(patched.status, 204, "{}", patched.body);
    drop(first);
    let partials = || std::fs::read_dir(dir.join("tus")).unwrap().count();
    assert_eq!(partials(), 1);

    // A newer schema is refused, and neither the database nor the partial file is touched.
    {
        let conn = rusqlite::Connection::open(dir.join(FILE_NAME)).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
    }
    let before = std::fs::read(dir.join(FILE_NAME)).unwrap();
    assert!(Emulator::spawn(with_data(&dir)).is_err());
    assert_eq!(std::fs::read(dir.join(FILE_NAME)).unwrap(), before);
    assert_eq!(partials(), 1, "the upload's bytes are kept");

    // Back to this schema, but a row that does not decode: refused while the stores are read
    // back, and the partial file is still kept.
    {
        let conn = rusqlite::Connection::open(dir.join(FILE_NAME)).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)
            .unwrap();
        conn.execute(
            "INSERT INTO psa_requests VALUES ('bad', 'not a request')",
            [],
        )
        .unwrap();
    }
    let err = Emulator::spawn(with_data(&dir)).unwrap_err();
    assert!(err.to_string().contains("psa_requests"), "{err}");
    assert_eq!(partials(), 1, "the upload's bytes are kept");

    // Without the bad row, the upload goes on from where it stood.
    {
        let conn = rusqlite::Connection::open(dir.join(FILE_NAME)).unwrap();
        conn.execute("DELETE FROM psa_requests WHERE id = 'bad'", [])
            .unwrap();
    }
    let second = Emulator::spawn(with_data(&dir)).unwrap();
    let head = call(
        second.url(),
        "HEAD",
        path,
        &[("tus-resumable", "1.0.0")],
        b"",
    );
    assert_eq!(head.status, 200);
    assert_eq!(header(&head, "upload-offset"), Some("5"));
}

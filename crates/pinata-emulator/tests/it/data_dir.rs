//! The data directory (`--data-dir`) as another local user, or a planted link, would meet it: the
//! directories the emulator owns are never symbolic links (start-up refused, naming the path, and
//! what a link points to left alone), no file is written or served through a link, and everything
//! the emulator keeps is for its owner only — directories `0700`, files `0600` — from creation on,
//! and narrowed at start-up in a directory an earlier version left wider.

// Test helpers: a failed step is a failed test.
use std::os::unix::fs::{PermissionsExt as _, symlink};
use std::path::{Path, PathBuf};

use crate::common::*;
use pinata_emulator::db::FILE_NAME;
use pinata_emulator::{Emulator, EmulatorConfig, EmulatorHandle};

const BOUNDARY: &str = "data-dir-test-boundary";

fn scratch(label: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "pinata-emulator-data-dir-{label}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn with_data(dir: &Path) -> EmulatorConfig {
    EmulatorConfig {
        data_dir: Some(dir.to_owned()),
        ..EmulatorConfig::default()
    }
}

/// A directory of the user's with a file and a subdirectory in it: what no start-up may empty.
fn precious(label: &str) -> PathBuf {
    let dir = scratch(label);
    std::fs::write(dir.join("keep.txt"), b"mine").unwrap();
    std::fs::create_dir(dir.join("sub")).unwrap();
    std::fs::write(dir.join("sub").join("deep.txt"), b"deep").unwrap();
    dir
}

fn assert_untouched(dir: &Path) {
    assert_eq!(std::fs::read(dir.join("keep.txt")).unwrap(), b"mine");
    assert_eq!(
        std::fs::read(dir.join("sub").join("deep.txt")).unwrap(),
        b"deep"
    );
}

/// Uploads `bytes` as a public v3 file: the answer.
fn upload(emu: &EmulatorHandle, bytes: &[u8]) -> Answer {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\
         Content-Type: text/plain\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(
        format!("\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"network\"\r\n\r\npublic\r\n--{BOUNDARY}--\r\n")
            .as_bytes(),
    );
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    call(
        emu.url(),
        "POST",
        "/v3/files",
        &[
            ("content-type", &content_type),
            ("authorization", &bearer(&emu.admin().jwt)),
        ],
        &body,
    )
}

/// The CID of a successful v3 upload.
fn uploaded_cid(emu: &EmulatorHandle, bytes: &[u8]) -> String {
    let a = upload(emu, bytes);
    assert_eq!(a.status, 200, "{}", a.body);
    json(&a.body)["data"]["cid"].as_str().unwrap().to_owned()
}

/// Creates a resumable upload of `length` bytes: its path and token.
fn tus_create(emu: &EmulatorHandle, length: u64) -> (String, String) {
    let a = call(
        emu.url(),
        "POST",
        "/v3/files",
        &[
            ("authorization", &bearer(&emu.admin().jwt)),
            ("upload-length", &length.to_string()),
            ("tus-resumable", "1.0.0"),
        ],
        b"",
    );
    assert_eq!(a.status, 201, "{}{}", a.head, a.body);
    let location = a
        .head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("location").then(|| v.trim())
        })
        .unwrap();
    let path = location.strip_prefix("http://x").unwrap().to_owned();
    let token = path.rsplit('/').next().unwrap().to_owned();
    (path, token)
}

fn tus_patch(emu: &EmulatorHandle, path: &str, offset: u64, bytes: &[u8]) -> Answer {
    call(
        emu.url(),
        "PATCH",
        path,
        &[
            ("tus-resumable", "1.0.0"),
            ("content-type", "application/offset+octet-stream"),
            ("upload-offset", &offset.to_string()),
        ],
        bytes,
    )
}

/// Every directory and file under `root` (not following links; `root` itself excluded), with its
/// permission bits.
fn walk(root: &Path) -> Vec<(PathBuf, bool, u32)> {
    let mut found = Vec::new();
    let mut dirs = vec![root.to_owned()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            assert!(!meta.file_type().is_symlink(), "{}", path.display());
            if meta.is_dir() {
                dirs.push(path.clone());
            }
            found.push((path, meta.is_dir(), meta.permissions().mode() & 0o777));
        }
    }
    found
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o777
}

/// Asserts every directory under `root` is `0700` and every file `0600`; and that the database,
/// stored objects and a partial resumable upload are among them.
fn assert_private(root: &Path) {
    let found = walk(root);
    for (path, is_dir, mode) in &found {
        let want = if *is_dir { 0o700 } else { 0o600 };
        assert_eq!(*mode, want, "{} is {mode:o}", path.display());
    }
    let names: Vec<String> = found
        .iter()
        .map(|(p, _, _)| p.strip_prefix(root).unwrap().display().to_string())
        .collect();
    assert!(names.iter().any(|n| n == FILE_NAME), "{names:?}");
    assert!(
        names.iter().filter(|n| n.starts_with("objects/")).count() >= 2,
        "{names:?}"
    );
    assert!(names.iter().any(|n| n.starts_with("tus/")), "{names:?}");
}

/// Uploads a v3 file, pins JSON and leaves a resumable upload half done.
fn fill(emu: &EmulatorHandle) {
    uploaded_cid(emu, b"some private-ish bytes");
    let pinned = admin_call(
        emu,
        "POST",
        "/pinning/pinJSONToIPFS",
        r#"{"pinataContent":{"n":1}}"#,
    );
    assert_eq!(pinned.status, 200, "{}", pinned.body);
    let (path, _) = tus_create(emu, 10);
    assert_eq!(tus_patch(emu, &path, 0, b"hello").status, 204);
}

#[test]
fn a_symlinked_directory_of_the_emulators_own_is_refused_and_its_target_kept() {
    for name in ["incoming", "tus", "objects"] {
        let dir = scratch(name);
        let target = precious(&format!("{name}-target"));
        symlink(&target, dir.join(name)).unwrap();
        let err = Emulator::spawn(with_data(&dir)).unwrap_err();
        let named = dir.join(name).display().to_string();
        assert!(err.to_string().contains(&named), "{name}: {err}");
        assert!(err.to_string().contains("symbolic link"), "{name}: {err}");
        assert_untouched(&target);
        // Still refused the second time (nothing was half done), and the link is left in place.
        assert!(Emulator::spawn(with_data(&dir)).is_err());
        assert!(
            std::fs::symlink_metadata(dir.join(name))
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_untouched(&target);
    }
}

#[test]
fn a_database_or_its_log_planted_as_a_link_is_refused() {
    for suffix in ["", "-wal"] {
        let dir = scratch(&format!("db-link{suffix}"));
        let target = precious(&format!("db-link{suffix}-target"));
        let empty = target.join("empty");
        std::fs::write(&empty, b"").unwrap();
        let planted = dir.join(format!("{FILE_NAME}{suffix}"));
        symlink(&empty, &planted).unwrap();
        let err = Emulator::spawn(with_data(&dir)).unwrap_err();
        assert!(
            err.to_string().contains(&planted.display().to_string()),
            "{suffix}: {err}"
        );
        assert!(err.to_string().contains("symbolic link"), "{suffix}: {err}");
        assert_eq!(std::fs::read(&empty).unwrap(), b"", "{suffix}: written");
        assert_untouched(&target);
    }
}

#[test]
fn a_link_planted_among_kept_objects_or_partial_uploads_is_refused() {
    for name in ["objects", "tus"] {
        let dir = scratch(&format!("planted-{name}"));
        drop(Emulator::spawn(with_data(&dir)).unwrap());
        let target = precious(&format!("planted-{name}-target"));
        let planted = dir.join(name).join("0123456789abcdef0123456789abcdef");
        symlink(target.join("keep.txt"), &planted).unwrap();
        let err = Emulator::spawn(with_data(&dir)).unwrap_err();
        assert!(
            err.to_string().contains(&planted.display().to_string()),
            "{name}: {err}"
        );
        assert_untouched(&target);
    }
}

/// A running emulator on a new data directory, and a directory of the user's (its `keep.txt` the
/// file a planted link points to).
fn running(label: &str) -> (EmulatorHandle, PathBuf, PathBuf) {
    let dir = scratch(label);
    let victim = precious(&format!("{label}-victim"));
    (Emulator::spawn(with_data(&dir)).unwrap(), dir, victim)
}

#[test]
fn an_upload_is_not_written_through_a_link_planted_in_incoming() {
    let (emu, dir, victim) = running("incoming-link");
    // The next multipart upload's file name in incoming/ is predictable: a link planted there
    // makes the upload fail, and the file it points to is not written.
    let next = dir
        .join("incoming")
        .join(format!("{}-0", std::process::id()));
    symlink(victim.join("keep.txt"), &next).unwrap();
    let a = upload(&emu, b"overwritten?");
    assert_ne!(a.status, 200, "{}", a.body);
    assert_untouched(&victim);
}

#[test]
fn a_resumable_upload_is_not_written_through_a_link_put_in_place_of_its_file() {
    let (emu, dir, victim) = running("tus-link");
    let (path, token) = tus_create(&emu, 10);
    assert_eq!(tus_patch(&emu, &path, 0, b"hel").status, 204);
    let partial = dir.join("tus").join(&token);
    std::fs::remove_file(&partial).unwrap();
    symlink(victim.join("keep.txt"), &partial).unwrap();
    let patched = tus_patch(&emu, &path, 3, b"lo");
    assert_ne!(patched.status, 204, "{}", patched.body);
    assert_untouched(&victim);
}

#[test]
fn a_link_put_in_place_of_a_stored_object_is_not_served() {
    let (emu, dir, victim) = running("object-link");
    let cid = uploaded_cid(&emu, b"public bytes");
    let object = dir.join("objects").join(&cid);
    std::fs::remove_file(&object).unwrap();
    symlink(victim.join("keep.txt"), &object).unwrap();
    let served = call(emu.url(), "GET", &format!("/ipfs/{cid}"), &[], b"");
    assert_ne!(served.body, "mine", "the link's target is served");
    assert_untouched(&victim);
}

#[test]
fn a_new_data_dir_holds_nothing_others_can_read() {
    let parent = scratch("fresh");
    let dir = parent.join("data");
    let emu = Emulator::spawn(with_data(&dir)).unwrap();
    fill(&emu);
    assert_eq!(mode(&dir), 0o700, "created by the emulator");
    assert_private(&dir);
    // SQLite's write-ahead log, made by SQLite itself, is among what was checked.
    assert_eq!(mode(&dir.join(format!("{FILE_NAME}-wal"))), 0o600);
    drop(emu);
    assert_private(&dir);
}

#[test]
fn an_older_wider_data_dir_is_narrowed_at_start() {
    let dir = scratch("older");
    let emu = Emulator::spawn(with_data(&dir)).unwrap();
    fill(&emu);
    drop(emu);
    // As an earlier version left it (with a umask of 022).
    for (path, is_dir, _) in walk(&dir) {
        let wide = if is_dir { 0o755 } else { 0o644 };
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(wide)).unwrap();
    }
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();

    let emu = Emulator::spawn(with_data(&dir)).unwrap();
    assert_private(&dir);
    // The data directory itself existed: it is the user's, and keeps its mode.
    assert_eq!(mode(&dir), 0o755);
    // Content narrowed is still served.
    let cid = uploaded_cid(&emu, b"some private-ish bytes");
    let served = call(emu.url(), "GET", &format!("/ipfs/{cid}"), &[], b"");
    assert_eq!(served.body, "some private-ish bytes");
}

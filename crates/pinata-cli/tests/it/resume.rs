//! An interrupted resumable upload is remembered and continued by `pinata upload --resume`.
use crate::common::{Emulator, Scratch, json_lines_of, run, stdout_of};

/// Pseudo-random bytes (a CID of repeated bytes would dedupe chunks, hiding mistakes).
fn noise(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn uploads_remembered(s: &Scratch) -> usize {
    std::fs::read_dir(s.state().join("uploads"))
        .map(|d| d.count())
        .unwrap_or(0)
}

#[test]
fn an_interrupted_upload_is_resumed() {
    // The connection breaks 100 kB into the first PATCH, once.
    let emu = Emulator::start(&["--fault", "tus_break=100000,count=1"]);
    let s = Scratch::new("resume");
    s.login(&emu);
    let content = noise(1_200_000);
    let file = s.file("big.bin", &content);
    let expected = stdout_of(s.pinata().args(["cid", "-q"]).arg(&file));

    // TUS from 1000 bytes on, in 256 KiB chunks; no retries, so the break ends the command.
    let tus = |cmd: &mut assert_cmd::Command| {
        cmd.env("PINATA_TUS_THRESHOLD", "1000")
            .env("PINATA_TUS_CHUNK", "262144");
    };
    let mut first = s.pinata();
    tus(&mut first);
    let (code, out, err) = run(first.args(["--retries", "0", "upload"]).arg(&file));
    assert_eq!(code, 5, "a network failure: {err}");
    assert_eq!(out, "", "nothing on stdout: {out}");
    assert!(err.contains("pinata upload --resume"), "{err}");
    assert_eq!(uploads_remembered(&s), 1, "the upload is remembered");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let entry = std::fs::read_dir(s.state().join("uploads"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        let mode = entry.metadata().unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the token (a capability) is private");
    }

    // `--resume` alone continues every remembered upload.
    let mut second = s.pinata();
    tus(&mut second);
    let up = json_lines_of(second.args(["upload", "--resume", "--json"]));
    assert_eq!(up.len(), 1);
    assert_eq!(up[0]["cid"].as_str().unwrap(), expected.trim());
    assert_eq!(up[0]["size"], content.len());
    assert_eq!(uploads_remembered(&s), 0, "forgotten once finished");

    // What the server holds is the file.
    let out = s
        .pinata()
        .args(["download", "--private", expected.trim()])
        .output()
        .unwrap();
    assert_eq!(out.stdout, content);

    // Nothing left to resume.
    let (code, out, err) = run(s.pinata().args(["upload", "--resume"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "");
    assert!(err.contains("No interrupted upload"), "{err}");
}

#[test]
fn the_same_file_uploaded_again_resumes_and_a_changed_one_starts_over() {
    let emu = Emulator::start(&["--fault", "tus_break=100000,count=2"]);
    let s = Scratch::new("resume-auto");
    s.login(&emu);
    let file = s.file("again.bin", &noise(700_000));
    let tus = |cmd: &mut assert_cmd::Command| {
        cmd.env("PINATA_TUS_THRESHOLD", "1000")
            .env("PINATA_TUS_CHUNK", "262144")
            .args(["--retries", "0"]);
    };

    let mut cmd = s.pinata();
    tus(&mut cmd);
    assert_eq!(run(cmd.arg("upload").arg(&file)).0, 5);
    assert_eq!(uploads_remembered(&s), 1);

    // Changed since: the token no longer fits, the upload starts over (and breaks again).
    std::fs::write(&file, noise(800_000)).unwrap();
    let mut cmd = s.pinata();
    tus(&mut cmd);
    let (code, _, err) = run(cmd.arg("upload").arg(&file));
    assert_eq!(code, 5, "{err}");
    assert!(err.contains("changed"), "{err}");

    // The same file again (no flag): resumed automatically.
    let expected = stdout_of(s.pinata().args(["cid", "-q"]).arg(&file));
    let mut cmd = s.pinata();
    tus(&mut cmd);
    let out = cmd.args(["upload", "-q"]).arg(&file).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
    assert_eq!(uploads_remembered(&s), 0);
}

//! `pinata emulator` in either build: the emulator itself with the `emulator` feature (the
//! default), else an error that says this build has none and how to get one. Needs no emulator
//! process, so it runs in a build without the feature too (`--no-default-features`).
#![allow(clippy::unwrap_used)]

use assert_cmd::Command;

/// The exit code and both streams of `pinata` with `args`.
fn pinata(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("pinata")
        .unwrap()
        .args(args)
        .env("NO_COLOR", "1")
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_emulator_command_runs_the_emulator_or_says_how_to_get_one() {
    if cfg!(feature = "emulator") {
        let (code, out, err) = pinata(&["emulator", "--help"]);
        assert_eq!(code, 0, "{err}");
        assert!(out.starts_with("pinata emulator: "), "{out}");
    } else {
        // Whatever the emulator's flags: nothing runs, and the error says what to do.
        for args in [
            &["emulator"][..],
            &["emulator", "--help"],
            &["emulator", "--listen", "127.0.0.1:0"],
        ] {
            let (code, out, err) = pinata(args);
            assert_eq!(code, 2, "{args:?}: {out}{err}");
            assert!(out.is_empty(), "{out}");
            assert!(
                err.starts_with("pinata: error: this pinata was built without the emulator"),
                "{err}"
            );
            assert!(
                err.contains("cargo install --path crates/pinata-cli"),
                "{err}"
            );
        }
    }
    // Listed in `--help` only where it runs.
    let (_, help, _) = pinata(&["--help"]);
    let listed = help
        .lines()
        .any(|l| l.trim_start().starts_with("emulator "));
    assert_eq!(listed, cfg!(feature = "emulator"), "{help}");
}

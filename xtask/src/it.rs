//! `cargo xtask it [--live]`: run the end-to-end suite against an emulator *process* (or, with
//! `--live`, its read-only cases against the real API with credentials from the environment),
//! then check the adapters' `test_authentication` examples against it, then the TUS clients
//! against a stock TUS server ([`tus_server`]), then the official TypeScript SDK against emulator
//! processes ([`sdk_conformance`]); the IPFS Pinning Service API compliance suite
//! ([`psa_suite`]), which waits a second between requests, runs beside all of these against
//! emulators of its own.

use std::process::Command;

use crate::emulator::EmulatorProcess;
use crate::util::{cargo, run, target_dir};
use crate::{Result, psa_suite, sdk_conformance, tus_server};

pub(crate) fn it(live: bool) -> Result {
    let mut test = cargo();
    // `--workspace`: features resolved as `cargo test --workspace` resolves them, so the suite
    // `ci` built a step before is reused (`-p pinata-e2e` would build five crates again).
    test.args(["test", "--workspace", "--test", "e2e"]);
    if live {
        if std::env::var_os("PINATA_JWT").is_none() && std::env::var_os("PINATA_API_KEY").is_none()
        {
            return Err("--live needs PINATA_JWT, or PINATA_API_KEY and PINATA_API_SECRET".into());
        }
        test.env("PINATA_E2E_LIVE", "1");
        return run(test);
    }
    let jwt_secret = format!("xtask-it-{}", std::process::id());
    // The process keeps its state in a database (the in-process emulator of `cargo test` keeps it
    // in memory), so the whole suite runs against both stores.
    let data_dir = target_dir().join(format!("xtask-it-data-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let data = data_dir
        .to_str()
        .ok_or("the target directory's path is not UTF-8")?;
    // The pin-by-hash timings match the in-process emulator's (tests/src/target.rs).
    let emulator = EmulatorProcess::start(&[
        "--jwt-secret",
        &jwt_secret,
        "--pin-delay-ms",
        "300",
        "--pin-expiry-ms",
        "800",
        "--data-dir",
        data,
    ])?;
    eprintln!(
        "emulator process started: {} (state in {})",
        emulator.get("/url")?,
        data_dir.display()
    );
    // The Pinning Service API suite waits a second between its requests: it runs beside the
    // steps below, against emulators of its own, and is joined at the end.
    let psa = std::thread::spawn(psa_suite::run);
    test.env("PINATA_E2E_EMULATOR", emulator.line())
        .env("PINATA_E2E_JWT_SECRET", &jwt_secret);
    let result = run(test).and_then(|()| check_examples(&emulator));
    drop(emulator);
    let _ = std::fs::remove_dir_all(&data_dir);
    let result = result
        .and_then(|()| tus_server::check())
        .and_then(|()| sdk_conformance::run());
    let psa = psa
        .join()
        .unwrap_or_else(|_| Err("the PSA compliance suite's thread panicked".to_owned()));
    result.and(psa)
}

/// The adapters' `test_authentication_*` examples print the server's message for good credentials
/// and exit non-zero with the error for a wrong secret.
fn check_examples(emulator: &EmulatorProcess) -> Result {
    let mut build = cargo();
    build.args([
        "build",
        "--quiet",
        "-p",
        "pinata-hyper",
        "-p",
        "pinata-ureq",
        "--examples",
    ]);
    run(build)?;
    let url = emulator.get("/url")?;
    let key = emulator.get("/admin/api_key")?;
    for example in ["test_authentication_hyper", "test_authentication_ureq"] {
        let binary = target_dir().join("debug").join("examples").join(example);
        let good = Command::new(&binary)
            .env_remove("PINATA_API_KEY")
            .env("PINATA_API_URL", &url)
            .env("PINATA_JWT", emulator.get("/admin/jwt")?)
            .output()
            .map_err(|e| format!("cannot run {example}: {e}"))?;
        let stdout = String::from_utf8_lossy(&good.stdout);
        if !good.status.success() || !stdout.contains("Congratulations!") {
            return Err(format!(
                "{example} with the admin JWT: {} {stdout}",
                good.status
            ));
        }
        let bad = Command::new(&binary)
            .env_remove("PINATA_JWT")
            .env("PINATA_API_URL", &url)
            .env("PINATA_API_KEY", &key)
            .env("PINATA_API_SECRET", "0".repeat(64))
            .output()
            .map_err(|e| format!("cannot run {example}: {e}"))?;
        let stderr = String::from_utf8_lossy(&bad.stderr);
        if bad.status.success() || !stderr.contains("INVALID_CREDENTIALS") {
            return Err(format!(
                "{example} with a wrong secret: {} {stderr}",
                bad.status
            ));
        }
        eprintln!(
            "example {example}: prints the message; on a wrong secret it fails ({})",
            bad.status
        );
    }
    Ok(())
}

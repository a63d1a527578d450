//! `cargo xtask load [--seconds N]`: many concurrent clients over both transports against an
//! emulator process (release builds, loopback only): throughput, errors, emulator memory, no lost
//! pins (`tests/examples/load.rs`).

use std::process::Command;

use crate::Result;
use crate::emulator::EmulatorProcess;
use crate::util::{cargo, run, target_dir};

pub(crate) fn load(seconds: u64) -> Result {
    let mut build = cargo();
    build.args([
        "build",
        "--release",
        "--quiet",
        "-p",
        "pinata-e2e",
        "--example",
        "load",
    ]);
    run(build)?;
    let emulator = EmulatorProcess::start_profile("release", &[])?;
    eprintln!(
        "emulator process started: {} (pid {})",
        emulator.get("/url")?,
        emulator.pid()
    );
    let mut load = Command::new(target_dir().join("release").join("examples").join("load"));
    let url = emulator.get("/url")?;
    // The emulator serves the uploads origin on the same listener (resumable uploads go there).
    load.env("PINATA_API_URL", &url)
        .env("PINATA_UPLOADS_URL", &url)
        .env("PINATA_JWT", emulator.get("/admin/jwt")?)
        .env_remove("PINATA_API_KEY")
        .env("PINATA_LOAD_SECONDS", seconds.to_string())
        .env("PINATA_LOAD_EMULATOR_PID", emulator.pid().to_string());
    run(load)
}

//! `cargo xtask demo`: start the emulator and walk through authentication with both schemes
//! through both transports (`tests/examples/demo.rs`), then the `pinata` command line against an
//! emulator that keeps its state in a database, stopped and started again in between.

use std::process::Command;

use crate::Result;
use crate::emulator::EmulatorProcess;
use crate::util::{cargo, run, target_dir};

pub(crate) fn demo() -> Result {
    let mut build = cargo();
    build.args([
        "build",
        "--quiet",
        "-p",
        "pinata-e2e",
        "--example",
        "demo",
        "-p",
        "pinata-cli",
        "--bin",
        "pinata",
    ]);
    run(build)?;
    let emulator = EmulatorProcess::start(&[])?;
    eprintln!("emulator started: {}", emulator.get("/url")?);
    let mut demo = Command::new(target_dir().join("debug").join("examples").join("demo"));
    // The emulator serves the API, uploads and the gateway on one listener.
    let url = emulator.get("/url")?;
    demo.env("PINATA_API_URL", &url)
        .env("PINATA_UPLOADS_URL", &url)
        .env("PINATA_GATEWAY", &url)
        .env("PINATA_JWT", emulator.get("/admin/jwt")?)
        .env("PINATA_API_KEY", emulator.get("/admin/api_key")?)
        .env("PINATA_API_SECRET", emulator.get("/admin/api_secret")?);
    run(demo)?;
    drop(emulator);
    cli_demo()
}

/// The second part of the demo: the `pinata` command line against an emulator that keeps its
/// state in a database, stopped and started again in between.
fn cli_demo() -> Result {
    let scratch = target_dir().join(format!("demo-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    let data = scratch.join("emulator-data");
    let data_arg = data
        .to_str()
        .ok_or("the target directory's path is not UTF-8")?;
    let file = scratch.join("hello.txt");
    std::fs::write(&file, "hello from the pinata command line\n").map_err(|e| e.to_string())?;
    let pinata = |emulator: &EmulatorProcess, args: &[&str]| -> Result {
        let url = emulator.get("/url")?;
        let mut cmd = Command::new(target_dir().join("debug").join("pinata"));
        cmd.args(args)
            .env("PINATA_CONFIG", scratch.join("config.toml"))
            .env("PINATA_STATE_DIR", scratch.join("state"))
            .env("PINATA_API_URL", &url)
            .env("PINATA_UPLOADS_URL", &url)
            .env("PINATA_GATEWAY", &url)
            .env("PINATA_JWT", emulator.get("/admin/jwt")?)
            .env_remove("PINATA_API_KEY")
            .env_remove("PINATA_API_SECRET")
            .env_remove("PINATA_PROFILE");
        eprintln!();
        run(cmd)
    };
    let file_arg = file
        .to_str()
        .ok_or("the target directory's path is not UTF-8")?;
    let result = (|| -> Result {
        eprintln!(
            "\nThe command line (`pinata`), against an emulator keeping its state in {data_arg}:"
        );
        let first = EmulatorProcess::start(&["--data-dir", data_arg])?;
        pinata(&first, &["whoami"])?;
        pinata(&first, &["upload", file_arg, "--kv", "demo=yes"])?;
        pinata(&first, &["cid", file_arg])?;
        pinata(&first, &["groups", "create", "kept across a restart"])?;
        drop(first);
        eprintln!("\n(the emulator is stopped and started again on the same data directory)");
        let second = EmulatorProcess::start(&["--data-dir", data_arg])?;
        pinata(&second, &["files", "list"])?;
        pinata(&second, &["groups", "list"])
    })();
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

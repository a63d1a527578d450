//! `cargo xtask`: the project's automation, as a plain Rust binary (no tools to install).
//!
//! - `cargo xtask demo`: start the emulator and walk through authentication with both schemes
//!   through both transports;
//! - `cargo xtask it [--live]`: run the end-to-end suite against an emulator *process* (or, with
//!   `--live`, its read-only cases against the real API with credentials from the environment);
//! - `cargo xtask ci`: everything CI checks: format, lints, dependency rules, all tests, `it`.

mod bench;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, Stdio};

pub(crate) type Result<T = ()> = std::result::Result<T, String>;

const HELP: &str = "\
cargo xtask <command>

  demo          start the emulator and run the authentication walk-through
  it [--live]   run the end-to-end suite against an emulator process
                (--live: read-only cases against PINATA_API_URL with credentials from the environment)
  ci            fmt check, clippy -D warnings, dependency checks, all tests, then `it`
  load [--seconds N]
                many concurrent clients over both transports against an emulator process
                (release builds, loopback only): throughput, errors, emulator memory, no lost pins
  fuzz [--seconds N] [TARGET...]
                run the cargo-fuzz targets in fuzz/ (each N seconds, default 60) with their
                committed corpora; needs `cargo install cargo-fuzz`
  bench [--quick]
                benchmarks (release builds), printed and written to BENCHMARKS.md
                (--quick: smaller inputs, fewer runs, for a smoke test)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo(),
        Some("it") => it(args.iter().any(|a| a == "--live")),
        Some("ci") => ci(),
        Some("fuzz") => fuzz(&args[1..]),
        Some("load") => load(
            args.iter()
                .position(|a| a == "--seconds")
                .and_then(|i| args.get(i + 1))
                .and_then(|v| v.parse().ok())
                .unwrap_or(10),
        ),
        Some("bench") => bench::all(args.iter().any(|a| a == "--quick")),
        Some("-h" | "--help" | "help") | None => {
            print!("{HELP}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command {other:?}\n\n{HELP}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (xtask lives one level below it).
pub(crate) fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

pub(crate) fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    cmd.current_dir(root());
    cmd
}

/// Runs `cmd`, echoing it, and fails if it fails.
pub(crate) fn run(mut cmd: Command) -> Result {
    eprintln!("$ {}", describe(&cmd));
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run {}: {e}", describe(&cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", describe(&cmd)))
    }
}

fn describe(cmd: &Command) -> String {
    std::iter::once(cmd.get_program().to_string_lossy().into_owned())
        .chain(cmd.get_args().map(|a| a.to_string_lossy().into_owned()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// An emulator process, stopped (SIGTERM, then kill) when dropped.
struct EmulatorProcess {
    child: Child,
    line: String,
    value: serde_json::Value,
}

impl EmulatorProcess {
    fn start(extra_args: &[&str]) -> Result<Self> {
        Self::start_profile("debug", extra_args)
    }

    fn start_profile(profile: &str, extra_args: &[&str]) -> Result<Self> {
        let mut build = cargo();
        build.args([
            "build",
            "--quiet",
            "-p",
            "pinata-emulator",
            "--bin",
            "pinata-emulator",
        ]);
        if profile == "release" {
            build.arg("--release");
        }
        run(build)?;
        let binary = target_dir().join(profile).join("pinata-emulator");
        let mut child = Command::new(&binary)
            .args(["--listen", "127.0.0.1:0"])
            .args(extra_args)
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let stdout = child.stdout.take().ok_or("no stdout from the emulator")?;
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| format!("reading the emulator's first line: {e}"))?;
        let value: serde_json::Value = serde_json::from_str(line.trim())
            .map_err(|e| format!("the emulator's first line is not JSON ({e}): {line:?}"))?;
        Ok(Self {
            child,
            line: line.trim().to_owned(),
            value,
        })
    }

    fn get(&self, pointer: &str) -> Result<String> {
        self.value
            .pointer(pointer)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
            .ok_or_else(|| format!("the emulator's first line has no {pointer}"))
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..50 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

fn demo() -> Result {
    let mut build = cargo();
    build.args(["build", "--quiet", "-p", "pinata-e2e", "--example", "demo"]);
    run(build)?;
    let emulator = EmulatorProcess::start(&[])?;
    eprintln!("emulator started: {}", emulator.get("/url")?);
    let mut demo = Command::new(target_dir().join("debug").join("examples").join("demo"));
    demo.env("PINATA_API_URL", emulator.get("/url")?)
        .env("PINATA_JWT", emulator.get("/admin/jwt")?)
        .env("PINATA_API_KEY", emulator.get("/admin/api_key")?)
        .env("PINATA_API_SECRET", emulator.get("/admin/api_secret")?);
    run(demo)
}

fn it(live: bool) -> Result {
    let mut test = cargo();
    test.args(["test", "-p", "pinata-e2e", "--test", "e2e"]);
    if live {
        if std::env::var_os("PINATA_JWT").is_none() && std::env::var_os("PINATA_API_KEY").is_none()
        {
            return Err("--live needs PINATA_JWT, or PINATA_API_KEY and PINATA_API_SECRET".into());
        }
        test.env("PINATA_E2E_LIVE", "1");
        return run(test);
    }
    let jwt_secret = format!("xtask-it-{}", std::process::id());
    // The pin-by-hash timings match the in-process emulator's (tests/src/target.rs).
    let emulator = EmulatorProcess::start(&[
        "--jwt-secret",
        &jwt_secret,
        "--pin-delay-ms",
        "300",
        "--pin-expiry-ms",
        "800",
    ])?;
    eprintln!("emulator process started: {}", emulator.get("/url")?);
    test.env("PINATA_E2E_EMULATOR", &emulator.line)
        .env("PINATA_E2E_JWT_SECRET", &jwt_secret);
    run(test)?;
    check_examples(&emulator)
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

/// The fuzz targets (fuzz/fuzz_targets/*.rs).
const FUZZ_TARGETS: &[&str] = &[
    "error_body",
    "auth_headers",
    "jwt",
    "multipart",
    "query",
    "responses",
];

fn fuzz(args: &[String]) -> Result {
    let mut seconds = 60u64;
    let mut targets: Vec<&str> = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if arg == "--seconds" {
            seconds = it
                .next()
                .and_then(|v| v.parse().ok())
                .ok_or("--seconds needs a number")?;
        } else if let Some(t) = FUZZ_TARGETS.iter().find(|t| **t == arg) {
            targets.push(t);
        } else {
            return Err(format!(
                "unknown fuzz target {arg:?}; targets: {FUZZ_TARGETS:?}"
            ));
        }
    }
    if targets.is_empty() {
        targets = FUZZ_TARGETS.to_vec();
    }
    let installed = cargo()
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        return Err("cargo-fuzz is not installed: run `cargo install cargo-fuzz`".into());
    }
    for target in targets {
        let corpus = format!("corpus/{target}");
        std::fs::create_dir_all(root().join("fuzz").join(&corpus)).map_err(|e| e.to_string())?;
        let mut cmd = cargo();
        cmd.current_dir(root().join("fuzz"))
            // cargo-fuzz passes -Z flags (sanitizers); the stable toolchain takes them this way.
            .env("RUSTC_BOOTSTRAP", "1")
            .args(["fuzz", "run", target, &corpus, "--"])
            .arg(format!("-max_total_time={seconds}"))
            .arg("-max_len=4096");
        run(cmd)?;
    }
    eprintln!("fuzzing found nothing: no crash, no failed assertion");
    Ok(())
}

fn load(seconds: u64) -> Result {
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
        emulator.child.id()
    );
    let mut load = Command::new(target_dir().join("release").join("examples").join("load"));
    load.env("PINATA_API_URL", emulator.get("/url")?)
        .env("PINATA_JWT", emulator.get("/admin/jwt")?)
        .env_remove("PINATA_API_KEY")
        .env("PINATA_LOAD_SECONDS", seconds.to_string())
        .env("PINATA_LOAD_EMULATOR_PID", emulator.child.id().to_string());
    run(load)
}

fn ci() -> Result {
    let mut fmt = cargo();
    fmt.args(["fmt", "--all", "--", "--check"]);
    run(fmt)?;
    let mut clippy = cargo();
    clippy.args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]);
    run(clippy)?;
    check_dependencies()?;
    let mut test = cargo();
    test.args(["test", "--workspace"]);
    run(test)?;
    let mut traced = cargo();
    traced.args([
        "test",
        "-p",
        "pinata-core",
        "--features",
        "tracing",
        "--test",
        "it",
        "tracing",
    ]);
    run(traced)?;
    it(false)
}

/// The layering rules that the compiler cannot see.
fn check_dependencies() -> Result {
    const IO_CRATES: &[&str] = &[
        "tokio",
        "hyper",
        "hyper-util",
        "hyper-rustls",
        "ureq",
        "rustls",
        "ring",
        "aws-lc-rs",
        "reqwest",
        "openssl",
        "mio",
        "socket2",
    ];
    let core = tree(&["-p", "pinata-core", "-e", "normal"])?;
    let found: Vec<&str> = IO_CRATES
        .iter()
        .copied()
        .filter(|c| core.iter().any(|name| name == c))
        .collect();
    if !found.is_empty() {
        return Err(format!(
            "pinata-core must stay sans-IO, but depends on {found:?}"
        ));
    }
    let all = tree(&["--workspace", "-e", "normal,build"])?;
    if all
        .iter()
        .any(|name| name == "aws-lc-rs" || name == "aws-lc-sys")
    {
        return Err("aws-lc-rs is in the dependency tree; the one TLS provider is ring".into());
    }
    eprintln!(
        "dependency rules hold: pinata-core has {} crates and no I/O crate; no aws-lc-rs",
        core.len()
    );
    Ok(())
}

/// The crate names in `cargo tree` with `args`.
fn tree(args: &[&str]) -> Result<Vec<String>> {
    let mut cmd = cargo();
    cmd.args(["tree", "--prefix", "none", "--format", "{p}"])
        .args(args);
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run cargo tree: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo tree failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let mut names: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

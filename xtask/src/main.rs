//! `cargo xtask`: the project's automation, as a plain Rust binary (no tools to install).
//!
//! - `cargo xtask demo`: start the emulator and walk through authentication with both schemes
//!   through both transports;
//! - `cargo xtask it [--live]`: run the end-to-end suite against an emulator *process* (or, with
//!   `--live`, its read-only cases against the real API with credentials from the environment),
//!   then the IPFS Pinning Service API compliance suite against the emulator ([`psa_suite`]);
//! - `cargo xtask readme`: build every Rust example of README.md in a fresh crate that depends on
//!   one adapter only, and run each against an emulator process;
//! - `cargo xtask ci`: everything CI checks: format, lints, dependency rules, docs, all tests, the
//!   published crates' packages, `it`, `readme`;
//! - `cargo xtask load [--seconds N]`, `cargo xtask fuzz [--seconds N] [TARGET...]`,
//!   `cargo xtask bench [--quick] [SECTION]`: load run, fuzzing, benchmarks.
//!
//! Every command takes `-h`/`--help`; the command lines are described in [`COMMANDS`] and parsed by
//! [`args`], which also renders the help from those descriptions.

mod args;
mod bench;
mod psa_suite;
mod readme;
mod tus_server;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};

use args::{Kind, Matches, Operands, Opt, Parsed, UsageError};

pub(crate) type Result<T = ()> = std::result::Result<T, String>;

/// What a command line asks for.
#[derive(Debug, PartialEq, Eq)]
enum Task {
    /// Print this (a help text) and do nothing else.
    Help(String),
    Demo,
    It {
        live: bool,
    },
    Readme,
    Ci,
    Load {
        seconds: u64,
    },
    Fuzz {
        seconds: u64,
        targets: Vec<String>,
    },
    Bench {
        quick: bool,
        /// The sections to run (all when empty): [`bench::SECTIONS`].
        sections: Vec<String>,
    },
}

/// `--seconds` for the commands that run for a while: at least one second, at most a day.
const fn seconds(default: u64, help: &'static str) -> Opt {
    Opt {
        name: "seconds",
        value: "N",
        kind: Kind::Number {
            min: 1,
            max: 86_400,
            default,
        },
        help,
    }
}

/// A command: its command line (for parsing and both help texts) and the task it makes from it.
type Entry = (args::Command, fn(&Matches) -> Task);

/// Every command, in the order of the help.
const COMMANDS: &[Entry] = &[
    (
        args::Command {
            name: "demo",
            about: "Start an emulator process and run the walk-through (tests/examples/demo.rs):\n\
                    authentication with both schemes through both transports, API keys, pinning.",
            opts: &[],
            operands: None,
        },
        |_| Task::Demo,
    ),
    (
        args::Command {
            name: "it",
            about: "Run the end-to-end suite against an emulator process, then check the adapters'\n\
                    test_authentication examples against it, then the TUS clients against a stock\n\
                    TUS server (tests/tus-server/, @tus/server), then run the IPFS Pinning Service\n\
                    API compliance suite (npm, pinned in xtask/psa-suite/) against the emulator in\n\
                    each --psa-mode: all 9 checks in spec mode, the known 7 in pinata mode (both\n\
                    skipped without Node and npm).",
            opts: &[Opt {
                name: "live",
                value: "",
                kind: Kind::Switch,
                help: "instead, run the suite's read-only cases against the real API: PINATA_API_URL\n\
                       (if set, else api.pinata.cloud) with PINATA_JWT, or PINATA_API_KEY and\n\
                       PINATA_API_SECRET, from the environment; no emulator, no examples",
            }],
            operands: None,
        },
        |m| Task::It {
            live: m.switch("live"),
        },
    ),
    (
        args::Command {
            name: "readme",
            about: "Build every ```rust example of README.md in a fresh crate that depends on one adapter\n\
                    only (pinata-ureq, or pinata-hyper and Tokio; the workspace's Cargo.lock, warnings\n\
                    denied), in target/readme-examples/, and run each against an emulator process, in\n\
                    a directory with the files they read (report.pdf, site/): each must exit 0.",
            opts: &[],
            operands: None,
        },
        |_| Task::Readme,
    ),
    (
        args::Command {
            name: "ci",
            about: "Everything CI checks, in order: fmt --check; clippy -D warnings (also of the emulator\n\
                    without its default features); dependency rules; the published crates' package\n\
                    contents; rustdoc with -D warnings; all tests (and the core's tracing test); `cargo\n\
                    package` of the published crates, verified; `it`; `readme`.",
            opts: &[],
            operands: None,
        },
        |_| Task::Ci,
    ),
    (
        args::Command {
            name: "load",
            about: "Many concurrent clients over both transports against an emulator process (release\n\
                    builds, loopback only): throughput, errors, emulator memory, no lost pins.",
            opts: &[seconds(10, "how long the load runs, in seconds")],
            operands: None,
        },
        |m| Task::Load {
            seconds: m.number("seconds"),
        },
    ),
    (
        args::Command {
            name: "fuzz",
            about: "Run the cargo-fuzz targets in fuzz/ with their committed corpora (all of them, or\n\
                    the TARGETs named); needs `cargo install cargo-fuzz`.",
            opts: &[seconds(60, "how long each target runs, in seconds")],
            operands: Some(Operands {
                name: "TARGET",
                choices: FUZZ_TARGETS,
                help: "a target to run (default: all)",
            }),
        },
        |m| Task::Fuzz {
            seconds: m.number("seconds"),
            targets: m.operands().to_vec(),
        },
    ),
    (
        args::Command {
            name: "bench",
            about: "Benchmarks (release builds), each against a baseline in the same run; printed and\n\
                    written to BENCHMARKS.md.",
            opts: &[Opt {
                name: "quick",
                value: "",
                kind: Kind::Switch,
                help: "smaller inputs and fewer runs, for a smoke test; prints the results and\n\
                       leaves BENCHMARKS.md as it is",
            }],
            operands: Some(Operands {
                name: "SECTION",
                choices: bench::SECTIONS,
                help: "only this section (default: all); BENCHMARKS.md keeps the others",
            }),
        },
        |m| Task::Bench {
            quick: m.switch("quick"),
            sections: m.operands().to_vec(),
        },
    ),
];

/// The overview, `cargo xtask --help`.
fn help() -> String {
    let commands: Vec<args::Command> = COMMANDS.iter().map(|(c, _)| *c).collect();
    args::overview(&commands)
}

/// Reads the command line (without the program name). Runs nothing.
fn plan(args: &[String]) -> std::result::Result<Task, UsageError> {
    let Some((name, rest)) = args.split_first() else {
        return Ok(Task::Help(help()));
    };
    if name == "-h" || name == "--help" {
        return Ok(Task::Help(help()));
    }
    if name == "help" {
        return match rest {
            [] => Ok(Task::Help(help())),
            [topic] => find(topic).map(|(command, _)| Task::Help(command.help())),
            [_, extra, ..] => Err(UsageError::new(format!(
                "unexpected argument {extra:?}: `cargo xtask help` takes at most one command"
            ))),
        };
    }
    let (command, task) = find(name)?;
    match args::parse(command, rest)? {
        Parsed::Help => Ok(Task::Help(command.help())),
        Parsed::Run(matches) => Ok(task(&matches)),
    }
}

fn find(name: &str) -> std::result::Result<&'static Entry, UsageError> {
    COMMANDS
        .iter()
        .find(|(c, _)| c.name == name)
        .ok_or_else(|| {
            let names: Vec<&str> = COMMANDS.iter().map(|(c, _)| c.name).collect();
            UsageError::new(format!(
                "unknown command {name:?}; the commands are {}, and help",
                names.join(", ")
            ))
        })
}

fn main() -> ExitCode {
    let mut args = Vec::new();
    for arg in std::env::args_os().skip(1) {
        match arg.into_string() {
            Ok(arg) => args.push(arg),
            Err(arg) => {
                eprintln!("xtask: argument {arg:?} is not UTF-8");
                return ExitCode::from(2);
            }
        }
    }
    let task = match plan(&args) {
        Ok(task) => task,
        Err(e) => {
            eprintln!("xtask: {e}");
            return ExitCode::from(2);
        }
    };
    let result = match task {
        Task::Help(text) => {
            print!("{text}");
            Ok(())
        }
        Task::Demo => demo(),
        Task::It { live } => it(live),
        Task::Readme => readme::check(),
        Task::Ci => ci(),
        Task::Load { seconds } => load(seconds),
        Task::Fuzz { seconds, targets } => fuzz(seconds, &targets),
        Task::Bench { quick, sections } => bench::all(quick, &sections),
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

/// `cmd` as a shell line, with the environment variables it sets that change what cargo does (not
/// the others: some of them carry credentials).
fn describe(cmd: &Command) -> String {
    const SHOWN: &[&str] = &[
        "RUSTDOCFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_PROFILE_DEV_DEBUG",
        "RUSTC_BOOTSTRAP",
    ];
    cmd.get_envs()
        .filter(|(key, _)| SHOWN.iter().any(|shown| key == shown))
        .filter_map(|(key, value)| {
            let value = value?.to_string_lossy();
            let value = if value.contains(' ') {
                format!("'{value}'")
            } else {
                value.into_owned()
            };
            Some(format!("{}={value}", key.to_string_lossy()))
        })
        .chain(std::iter::once(
            cmd.get_program().to_string_lossy().into_owned(),
        ))
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
    test.env("PINATA_E2E_EMULATOR", &emulator.line)
        .env("PINATA_E2E_JWT_SECRET", &jwt_secret);
    let result = run(test).and_then(|()| check_examples(&emulator));
    drop(emulator);
    let _ = std::fs::remove_dir_all(&data_dir);
    result
        .and_then(|()| tus_server::check())
        .and_then(|()| psa_suite::run())
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
    "control",
];

fn fuzz(seconds: u64, targets: &[String]) -> Result {
    let targets: Vec<&str> = if targets.is_empty() {
        FUZZ_TARGETS.to_vec()
    } else {
        targets.iter().map(String::as_str).collect()
    };
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
    let url = emulator.get("/url")?;
    // The emulator serves the uploads origin on the same listener (resumable uploads go there).
    load.env("PINATA_API_URL", &url)
        .env("PINATA_UPLOADS_URL", &url)
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
    // The emulator without its default `persistence` feature (no rusqlite, no SQLite compiled), as
    // a user who keeps the state in memory builds it: lints included, as code used only behind the
    // feature is dead code here alone. Checks, no build: 7 s here once the dependencies are
    // checked; a clean run also re-checks the few (hyper, hyper-util, regex) whose features differ
    // from the workspace's.
    let mut lean = cargo();
    lean.args([
        "clippy",
        "-p",
        "pinata-emulator",
        "--no-default-features",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]);
    run(lean)?;
    check_dependencies()?;
    check_package_contents()?;
    docs()?;
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
    verify_packages()?;
    it(false)?;
    readme::check()
}

/// `cargo doc` for the whole workspace with every rustdoc warning an error (broken and private
/// intra-doc links, unclosed HTML tags, ...). `RUSTDOCFLAGS` is set for this child only, on top of
/// any the caller has.
fn docs() -> Result {
    let mut flags = std::env::var("RUSTDOCFLAGS").unwrap_or_default();
    if !flags.is_empty() {
        flags.push(' ');
    }
    flags.push_str("-D warnings");
    let mut doc = cargo();
    doc.env("RUSTDOCFLAGS", flags)
        .args(["doc", "--workspace", "--no-deps"]);
    run(doc)
}

/// The crates published on crates.io, dependencies first. Every other workspace member has
/// `publish = false` ([`check_package_contents`] checks that the two agree).
const PUBLISHED: &[&str] = &[
    "pinata-core",
    "pinata-hyper",
    "pinata-ureq",
    "pinata-emulator",
];

/// What must be in every published package (README.md and the licences come from the workspace
/// root: `readme.workspace` and symlinks in each crate).
const PACKAGE_REQUIRES: &[&str] = &["Cargo.toml", "README.md", "LICENSE-MIT", "LICENSE-APACHE"];

/// Above this a packaged file is refused: nothing a user of the crates needs is that big.
const PACKAGE_FILE_LIMIT: u64 = 1 << 20;

/// The cheap half of the packaging check (a second or two, no build): the published crates are
/// exactly the workspace members without `publish = false` and have the crates.io metadata, and
/// `cargo package --list` of each has the README and both licences, no development file
/// ([`development_file`]) and no warning from cargo.
fn check_package_contents() -> Result {
    let out = cargo()
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let metadata: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("cargo metadata's output is not JSON: {e}"))?;
    let packages = metadata["packages"]
        .as_array()
        .ok_or("cargo metadata lists no packages")?;
    let mut problems = Vec::new();
    let mut published = Vec::new();
    for package in packages {
        let name = package["name"].as_str().unwrap_or_default();
        // `publish = false` is `[]`; no `publish` key is null (any registry).
        let publishable = package["publish"]
            .as_array()
            .is_none_or(|registries| !registries.is_empty());
        if !publishable {
            continue;
        }
        published.push(name.to_owned());
        if !PUBLISHED.contains(&name) {
            problems.push(format!(
                "{name}: publishable, but not in xtask's PUBLISHED list (add it there, or set \
                 `publish = false`)"
            ));
            continue;
        }
        for field in [
            "description",
            "license",
            "repository",
            "readme",
            "documentation",
        ] {
            if package[field].as_str().is_none_or(str::is_empty) {
                problems.push(format!("{name}: no `{field}` in [package]"));
            }
        }
        for (field, max) in [("keywords", 5), ("categories", 5)] {
            let n = package[field].as_array().map_or(0, Vec::len);
            if n == 0 || n > max {
                problems.push(format!("{name}: {n} {field} (crates.io takes 1 to {max})"));
            }
        }
        let manifest = package["manifest_path"].as_str().unwrap_or_default();
        let dir = Path::new(manifest).parent().unwrap_or(Path::new("."));
        let list = cargo()
            .args(["package", "--list", "--allow-dirty", "-p", name])
            .output()
            .map_err(|e| format!("cannot run cargo package --list: {e}"))?;
        if !list.status.success() {
            problems.push(format!(
                "{name}: cargo package --list failed: {}",
                String::from_utf8_lossy(&list.stderr).trim()
            ));
            continue;
        }
        // cargo's warnings here are about the package: a readme it ignores, a file it cannot
        // include, a manifest key it does not know.
        problems.extend(
            String::from_utf8_lossy(&list.stderr)
                .lines()
                .filter_map(|line| line.strip_prefix("warning: "))
                .map(|warning| format!("{name}: cargo package warns: {warning}")),
        );
        // The crates' licences are symlinks to the root's; a checkout without symlinks (or a copy
        // that drifted) would ship something else.
        for licence in ["LICENSE-MIT", "LICENSE-APACHE"] {
            let ours = std::fs::read(root().join(licence))
                .map_err(|e| format!("{licence} at the workspace root: {e}"))?;
            if std::fs::read(dir.join(licence)).is_ok_and(|theirs| theirs != ours) {
                problems.push(format!(
                    "{name}: its {licence} is not the workspace root's (a symlink to \
                     ../../{licence} is expected)"
                ));
            }
        }
        let stdout = String::from_utf8_lossy(&list.stdout);
        let files: Vec<&str> = stdout.lines().collect();
        problems.extend(
            package_problems(&files, |file| {
                std::fs::metadata(dir.join(file)).ok().map(|m| m.len())
            })
            .into_iter()
            .map(|p| format!("{name}: {p}")),
        );
    }
    for name in PUBLISHED {
        if !published.iter().any(|p| p == name) {
            problems.push(format!(
                "{name}: in xtask's PUBLISHED list, but not a publishable workspace member"
            ));
        }
    }
    if !problems.is_empty() {
        return Err(format!("packaging:\n  {}", problems.join("\n  ")));
    }
    eprintln!(
        "packages hold their README and licences and no development file: {}",
        PUBLISHED.join(", ")
    );
    Ok(())
}

/// What is wrong with one package's file list (`cargo package --list`); `size` gives a listed
/// file's size on disk (`None` for the files cargo generates).
fn package_problems(files: &[&str], size: impl Fn(&str) -> Option<u64>) -> Vec<String> {
    let mut problems: Vec<String> = PACKAGE_REQUIRES
        .iter()
        .filter(|required| !files.contains(required))
        .map(|required| format!("{required} is missing from the package"))
        .collect();
    for file in files {
        if let Some(why) = development_file(file) {
            problems.push(format!("{file} is packaged ({why}): add it to `exclude`"));
        } else if let Some(len) = size(file).filter(|len| *len > PACKAGE_FILE_LIMIT) {
            problems.push(format!(
                "{file} is packaged and {} KiB (more than {} KiB): exclude it, or generate it in \
                 the tests",
                len / 1024,
                PACKAGE_FILE_LIMIT / 1024
            ));
        }
    }
    problems
}

/// Why a packaged path is for the project's developers, not for a user of the crate.
fn development_file(path: &str) -> Option<&'static str> {
    let parts: Vec<&str> = path.split('/').collect();
    let file = parts.last().copied().unwrap_or_default();
    if parts.contains(&"node_modules")
        || parts.contains(&"generator")
        || matches!(file, "package.json" | "package-lock.json")
        || [".js", ".mjs", ".cjs", ".ts"]
            .iter()
            .any(|ext| file.ends_with(ext))
    {
        Some("a test-vector generator: its output is committed")
    } else if parts.first() == Some(&"fuzz")
        || parts.contains(&"corpus")
        || parts.contains(&"artifacts")
    {
        Some("fuzzing: targets, corpora and crashes live in fuzz/")
    } else if parts.first() == Some(&"target") || file.ends_with(".profraw") {
        Some("build or coverage output")
    } else if parts
        .iter()
        .any(|part| part.starts_with('.') && *part != ".cargo_vcs_info.json")
    {
        Some("a dotfile: editor, VCS or tool configuration")
    } else {
        None
    }
}

/// The full packaging check: `cargo package` of the published crates, which builds each `.crate`
/// and then builds it (lib and binaries; not tests or examples) as a user would get it, its
/// workspace dependencies taken from the other new `.crate`s through a local registry overlay
/// and everything else from crates.io. That catches what no workspace build can: a file the build
/// needs but the package leaves out, a dependency or feature the crate uses but only another
/// member declares (workspace builds unify features).
///
/// Cost, measured on 2 cores (cargo 1.95): the first run builds every dependency again (the
/// packages have no workspace profile or feature unification, so nothing in the main target
/// directory matches), 90 to 105 s, which is most of what this adds to a clean CI run (5.2 min in
/// all); later runs about 15 s, rebuilding only the four crates. The lean alternative, `cargo
/// package --no-verify` (about 5 s), checks the manifests (a version on every path dependency),
/// lockfile generation and the file lists,
/// which [`check_package_contents`] mostly covers already, but builds nothing; with the budget at
/// 20 minutes the real build is affordable, so it is what runs here.
///
/// The verification builds go to their own target directory (`target/package-verify`), without
/// debug info (half the disk, same check). Registry access follows cargo's own settings:
/// `--offline`/`CARGO_NET_OFFLINE=true` work once the dependencies are cached (the steps before
/// this one have fetched them); otherwise cargo refreshes the crates.io index, nothing else.
fn verify_packages() -> Result {
    let target = target_dir().join("package-verify");
    forget_previous_verification(&target)?;
    let mut package = cargo();
    // --allow-dirty: this checks what would be packaged from the work tree; `cargo publish` still
    // refuses a dirty tree.
    package
        .env("CARGO_TARGET_DIR", &target)
        .env("CARGO_PROFILE_DEV_DEBUG", "false")
        .args(["package", "--allow-dirty"]);
    for name in PUBLISHED {
        package.args(["-p", name]);
    }
    run(package)
}

/// cargo verifies a crate's dependents against that crate as if published, through a local
/// registry (`<target>/package/tmp-registry`). Like any registry crate it is unpacked once, into
/// `$CARGO_HOME/registry/src/-<hash>/<name>-<version>/`, and built once: a registry crate of a
/// given version is taken never to change. So a later run, same version and new sources, would
/// verify the dependents against the sources and the build of the first run (seen with cargo
/// 1.95: pinata-ureq verified against a pinata-core from before an API change). Before each run:
/// drop our crates' unpacked copies from local registries (the `-<hash>` directories, whose
/// registries have no host) and our crates' build fingerprints in the verification target.
fn forget_previous_verification(target: &Path) -> Result {
    // `pinata-core-0.1.0` (unpacked) or `pinata-core-0123456789abcdef` (fingerprints).
    let ours = |name: &str| {
        PUBLISHED.iter().any(|krate| {
            name.strip_prefix(krate)
                .and_then(|rest| rest.strip_prefix('-'))
                .is_some_and(|rest| {
                    rest.starts_with(|c: char| c.is_ascii_digit())
                        || (rest.len() == 16 && rest.bytes().all(|b| b.is_ascii_hexdigit()))
                })
        })
    };
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")));
    let mut stale = Vec::new();
    if let Some(home) = cargo_home {
        for registry in subdirectories(&home.join("registry").join("src")) {
            if file_name(&registry).starts_with('-') {
                stale.extend(
                    subdirectories(&registry)
                        .into_iter()
                        .filter(|dir| ours(&file_name(dir))),
                );
            }
        }
    }
    for profile in subdirectories(target) {
        stale.extend(
            subdirectories(&profile.join(".fingerprint"))
                .into_iter()
                .filter(|dir| ours(&file_name(dir))),
        );
    }
    for dir in stale {
        std::fs::remove_dir_all(&dir)
            .map_err(|e| format!("cannot remove {}: {e}", dir.display()))?;
    }
    Ok(())
}

/// The directories directly in `dir` (none if it cannot be read).
fn subdirectories(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok())
                .filter(|entry| entry.file_type().is_ok_and(|t| t.is_dir()))
                .map(|entry| entry.path())
                .collect()
        })
        .unwrap_or_default()
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_of(line: &str) -> std::result::Result<Task, UsageError> {
        plan(
            &line
                .split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>(),
        )
    }

    fn command(name: &str) -> args::Command {
        find(name).unwrap().0
    }

    fn usage_error(line: &str) -> String {
        match plan_of(line) {
            Err(e) => e.to_string(),
            Ok(task) => panic!("{line:?} was accepted: {task:?}"),
        }
    }

    #[test]
    fn every_command_runs_with_its_defaults() {
        assert_eq!(plan_of("demo"), Ok(Task::Demo));
        assert_eq!(plan_of("it"), Ok(Task::It { live: false }));
        assert_eq!(plan_of("it --live"), Ok(Task::It { live: true }));
        assert_eq!(plan_of("readme"), Ok(Task::Readme));
        assert_eq!(plan_of("ci"), Ok(Task::Ci));
        assert_eq!(plan_of("load"), Ok(Task::Load { seconds: 10 }));
        assert_eq!(plan_of("load --seconds 30"), Ok(Task::Load { seconds: 30 }));
        assert_eq!(
            plan_of("fuzz"),
            Ok(Task::Fuzz {
                seconds: 60,
                targets: vec![]
            })
        );
        assert_eq!(
            plan_of("fuzz jwt --seconds=5 query"),
            Ok(Task::Fuzz {
                seconds: 5,
                targets: vec!["jwt".into(), "query".into()]
            })
        );
        assert_eq!(
            plan_of("bench"),
            Ok(Task::Bench {
                quick: false,
                sections: vec![]
            })
        );
        assert_eq!(
            plan_of("bench --quick"),
            Ok(Task::Bench {
                quick: true,
                sections: vec![]
            })
        );
        assert_eq!(
            plan_of("bench http2"),
            Ok(Task::Bench {
                quick: false,
                sections: vec!["http2".to_owned()]
            })
        );
    }

    #[test]
    fn help_runs_nothing() {
        for (command, _) in COMMANDS {
            for flag in ["--help", "-h"] {
                let line = format!("{} {flag}", command.name);
                assert_eq!(plan_of(&line), Ok(Task::Help(command.help())), "{line}");
            }
            let line = format!("help {}", command.name);
            assert_eq!(plan_of(&line), Ok(Task::Help(command.help())), "{line}");
        }
        // Even next to flags that would run it, or that are wrong.
        assert_eq!(
            plan_of("bench --quick --help"),
            Ok(Task::Help(command("bench").help()))
        );
        assert!(matches!(
            plan_of("load --seconds abc -h"),
            Ok(Task::Help(_))
        ));
        for line in ["", "--help", "-h", "help"] {
            assert_eq!(plan_of(line), Ok(Task::Help(help())), "{line:?}");
        }
    }

    #[test]
    fn wrong_command_lines_are_errors() {
        assert!(
            usage_error("load --seconds abc")
                .starts_with("--seconds: \"abc\" is not a whole number (expected 1 to 86400)")
        );
        assert!(usage_error("load --seconds 0").starts_with("--seconds: 0 is out of range"));
        assert!(usage_error("fuzz --seconds 86401").contains("out of range"));
        assert!(usage_error("load --seconds").contains("--seconds needs a value"));
        assert!(usage_error("it --bogus").starts_with("unknown option \"--bogus\""));
        assert!(usage_error("it --live=1").contains("takes no value"));
        assert!(usage_error("demo extra").starts_with("unexpected argument \"extra\""));
        assert!(usage_error("ci --quick").contains("unknown option"));
        assert!(usage_error("readme --quick").contains("unknown option"));
        assert!(usage_error("readme README.md").starts_with("unexpected argument"));
        assert!(usage_error("bench --only raw-hyper").contains("unknown option \"--only\""));
        assert!(usage_error("fuzz nope").contains("unknown TARGET \"nope\""));
        assert!(usage_error("nope").starts_with("unknown command \"nope\""));
        assert!(usage_error("--bogus").starts_with("unknown command \"--bogus\""));
        assert!(usage_error("help nope").starts_with("unknown command \"nope\""));
        assert!(usage_error("help it ci").contains("at most one command"));
        // The error names the usage of the command.
        assert!(
            usage_error("load --seconds abc").contains("usage: cargo xtask load [--seconds N]")
        );
    }

    #[test]
    fn the_overview_lists_every_command_and_option() {
        let overview = help();
        for (command, _) in COMMANDS {
            assert!(overview.contains(&command.usage()), "{}", command.name);
            for opt in command.opts {
                assert!(
                    overview.contains(&format!("--{}", opt.name)),
                    "--{}",
                    opt.name
                );
                assert!(
                    command
                        .help()
                        .contains(opt.help.lines().next().unwrap_or(""))
                );
            }
        }
        assert!(overview.contains("cargo xtask fuzz [--seconds N] [TARGET...]"));
        assert!(command("fuzz").help().contains("error_body, auth_headers"));
    }

    #[test]
    fn the_fuzz_targets_are_the_files_in_fuzz() {
        let mut files: Vec<String> = std::fs::read_dir(root().join("fuzz").join("fuzz_targets"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter_map(|name| name.strip_suffix(".rs").map(str::to_owned))
            .collect();
        files.sort();
        let mut targets: Vec<&str> = FUZZ_TARGETS.to_vec();
        targets.sort_unstable();
        assert_eq!(files, targets);
    }

    #[test]
    fn the_package_check_wants_licences_and_no_development_files() {
        let good = [
            ".cargo_vcs_info.json",
            "Cargo.lock",
            "Cargo.toml",
            "Cargo.toml.orig",
            "LICENSE-APACHE",
            "LICENSE-MIT",
            "README.md",
            "src/lib.rs",
            "tests/it/main.rs",
            "tests/vectors/unixfs.json",
            "tests/permissions.proptest-regressions",
            "examples/cid.rs",
        ];
        assert_eq!(package_problems(&good, |_| Some(100)), Vec::<String>::new());

        let missing = package_problems(&["Cargo.toml", "README.md", "src/lib.rs"], |_| None);
        assert_eq!(
            missing,
            [
                "LICENSE-MIT is missing from the package",
                "LICENSE-APACHE is missing from the package"
            ]
        );

        for file in [
            "tests/vectors/generator/generate.mjs",
            "tests/vectors/generator/package.json",
            "tests/vectors/generator/package-lock.json",
            "tests/vectors/generator/.gitignore",
            "tools/node_modules/x/index.js",
            "fuzz/fuzz_targets/jwt.rs",
            "fuzz/corpus/jwt/0a1b",
            "tests/corpus/seed",
            "target/debug/x",
            "default_1.profraw",
            ".github/workflows/ci.yml",
        ] {
            let mut files = good.to_vec();
            files.push(file);
            let problems = package_problems(&files, |_| Some(100));
            assert_eq!(problems.len(), 1, "{file}: {problems:?}");
            assert!(problems[0].starts_with(&format!("{file} is packaged")));
        }

        let big = package_problems(&good, |file| {
            Some(if file == "tests/vectors/unixfs.json" {
                2 << 20
            } else {
                100
            })
        });
        assert_eq!(big.len(), 1);
        assert!(big[0].contains("2048 KiB"), "{big:?}");
    }
}

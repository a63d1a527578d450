//! `cargo xtask it`'s last part: the Rust clients' resumable uploads against a *stock* TUS server.
//!
//! `tests/tus-server/server.mjs` is `@tus/server` 2.x with `@tus/file-store` (the reference Node
//! server; exact versions in its committed `package-lock.json`) with only Pinata's additions
//! around it. It is installed with `npm ci` into `target/tus-stock-server/` (reused while the
//! lockfile is unchanged), started on a free loopback port, and
//! `tests/examples/tus_stock.rs` uploads to it through both transports: chunks, a cut connection,
//! a lost final answer, a crash resumed from its token, a server naming no CID.
//!
//! Without Node (20.19 or newer, `@tus/server`'s `engines`) or npm the part is skipped with a
//! note; anything else that goes wrong fails. Every step is bounded in time, and the server stops
//! by itself after `--max-seconds` should this process die first.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::Result;
use crate::util::{cargo, root, run, target_dir};

/// The key pair the server is started with and the client presents.
const KEY: &str = "tusstock0123456789ab";
const SECRET: &str = "stock-tus-server-secret";

/// The files copied into the scratch directory.
const FILES: [&str; 3] = ["package.json", "package-lock.json", "server.mjs"];

/// Runs the stock-server check, or says why it is skipped.
pub(crate) fn check() -> Result {
    if let Err(why) = node_ready() {
        eprintln!("stock TUS server: skipped, {why} (install Node 20.19+ and npm to run it)");
        return Ok(());
    }
    let scratch = target_dir().join("tus-stock-server");
    install(&scratch)?;
    let mut build = cargo();
    build.args([
        "build",
        "--quiet",
        "-p",
        "pinata-e2e",
        "--example",
        "tus_stock",
    ]);
    run(build)?;
    let data = scratch.join("data");
    let _ = std::fs::remove_dir_all(&data);
    let server = NodeServer::start(&scratch, &data)?;
    eprintln!("stock TUS server (@tus/server) started: {}", server.url);
    let example = target_dir()
        .join("debug")
        .join("examples")
        .join("tus_stock");
    let mut client = Command::new(&example);
    client
        .env("PINATA_TUS_STOCK_URL", &server.url)
        .env("PINATA_TUS_STOCK_KEY", KEY)
        .env("PINATA_TUS_STOCK_SECRET", SECRET);
    eprintln!("$ {} (against {})", example.display(), server.url);
    let status = bounded(
        client
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", example.display()))?,
        Duration::from_secs(180),
        "the stock TUS server run",
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&data);
    match status? {
        s if s.success() => Ok(()),
        s => Err(format!(
            "the Rust clients against the stock TUS server failed ({s})"
        )),
    }
}

/// `Ok` when `node` (20.19 or newer) and `npm` answer, else why not.
fn node_ready() -> std::result::Result<(), String> {
    let version = |tool: &str| {
        Command::new(tool)
            .arg("--version")
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .ok_or_else(|| format!("{tool} is not installed"))
    };
    let node = version("node")?;
    version("npm")?;
    let parts: Vec<u64> = node
        .trim_start_matches('v')
        .split('.')
        .map_while(|p| p.parse().ok())
        .collect();
    match parts.as_slice() {
        [major, minor, ..] if (*major, *minor) >= (20, 19) => Ok(()),
        _ => Err(format!("node {node} is older than 20.19")),
    }
}

/// Copies the program and its lockfile into `scratch` and runs `npm ci` there, unless the same
/// lockfile is installed already.
fn install(scratch: &Path) -> Result {
    std::fs::create_dir_all(scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    let source = root().join("tests").join("tus-server");
    let lock = std::fs::read(source.join("package-lock.json"))
        .map_err(|e| format!("reading tests/tus-server/package-lock.json: {e}"))?;
    let installed = std::fs::read(scratch.join("package-lock.json")).ok() == Some(lock)
        && scratch
            .join("node_modules")
            .join(".package-lock.json")
            .exists();
    for file in FILES {
        std::fs::copy(source.join(file), scratch.join(file))
            .map_err(|e| format!("copying tests/tus-server/{file}: {e}"))?;
    }
    if installed {
        return Ok(());
    }
    let mut npm = Command::new("npm");
    npm.args([
        "ci",
        "--ignore-scripts",
        "--no-audit",
        "--no-fund",
        "--silent",
    ])
    .current_dir(scratch);
    eprintln!("$ npm ci --ignore-scripts (in {})", scratch.display());
    let status = bounded(
        npm.spawn().map_err(|e| format!("cannot run npm: {e}"))?,
        Duration::from_secs(300),
        "npm ci",
    )?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("npm ci for the stock TUS server failed ({status})"))
    }
}

/// Waits for `child` at most `limit`, killing it after that.
fn bounded(mut child: Child, limit: Duration, what: &str) -> Result<ExitStatus> {
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) if start.elapsed() < limit => std::thread::sleep(Duration::from_millis(100)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{what} took more than {} s", limit.as_secs()));
            }
            Err(e) => return Err(format!("waiting for {what}: {e}")),
        }
    }
}

/// The Node server, stopped when dropped.
struct NodeServer {
    child: Child,
    url: String,
}

impl NodeServer {
    fn start(scratch: &Path, data: &Path) -> Result<Self> {
        let data = data
            .to_str()
            .ok_or("the target directory's path is not UTF-8")?;
        let mut child = Command::new("node")
            .args([
                "server.mjs",
                "--dir",
                data,
                "--key",
                KEY,
                "--secret",
                SECRET,
                "--max-seconds",
                "300",
            ])
            .current_dir(scratch)
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start node server.mjs: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout from node")?;
        // The first line, within 30 s (the server prints it once it listens).
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let read = BufReader::new(stdout).read_line(&mut line).map(|_| line);
            let _ = send.send(read);
        });
        let mut server = Self {
            child,
            url: String::new(),
        };
        let line = match receive.recv_timeout(Duration::from_secs(30)) {
            Ok(Ok(line)) => line,
            Ok(Err(e)) => return Err(format!("reading the stock server's first line: {e}")),
            Err(_) => return Err("the stock TUS server did not start within 30 s".into()),
        };
        let value: serde_json::Value = serde_json::from_str(line.trim())
            .map_err(|e| format!("the stock server's first line is not JSON ({e}): {line:?}"))?;
        server.url = value["url"]
            .as_str()
            .ok_or_else(|| format!("the stock server's first line has no url: {line:?}"))?
            .to_owned();
        Ok(server)
    }
}

impl Drop for NodeServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

//! What every end-to-end test shares: an emulator process started with `pinata emulator`, a
//! scratch directory holding the config file and upload state, and the `pinata` command.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as StdCommand, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use assert_cmd::Command;

/// An emulator process, stopped on drop.
pub struct Emulator {
    child: Child,
    /// Its URL.
    pub url: String,
    /// The admin key's JWT.
    pub jwt: String,
}

impl Emulator {
    /// `pinata emulator --listen 127.0.0.1:0` plus `extra` flags.
    pub fn start(extra: &[&str]) -> Self {
        let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("pinata"))
            .args(["emulator", "--listen", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&line).expect("the emulator's first line");
        Self {
            child,
            url: v["url"].as_str().unwrap().to_owned(),
            jwt: v["admin"]["jwt"].as_str().unwrap().to_owned(),
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A scratch directory of one test: its config file and state directory, removed on drop.
pub struct Scratch {
    /// The directory.
    pub dir: PathBuf,
}

impl Scratch {
    /// A fresh, empty directory named after `name`.
    pub fn new(name: &str) -> Self {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir =
            std::env::temp_dir().join(format!("pinata-cli-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self { dir }
    }

    /// The config file's path.
    pub fn config(&self) -> PathBuf {
        self.dir.join("config").join("config.toml")
    }

    /// The state directory.
    pub fn state(&self) -> PathBuf {
        self.dir.join("state")
    }

    /// `pinata` with this directory's config and state and no `PINATA_*` from the outside.
    pub fn pinata(&self) -> Command {
        let mut cmd = Command::cargo_bin("pinata").unwrap();
        for (key, _) in std::env::vars() {
            if key.starts_with("PINATA_") {
                cmd.env_remove(key);
            }
        }
        cmd.env("PINATA_CONFIG", self.config())
            .env("PINATA_STATE_DIR", self.state())
            .env("NO_COLOR", "1")
            .timeout(std::time::Duration::from_secs(120));
        cmd
    }

    /// A file of `content` at `name` in the directory.
    pub fn file(&self, name: &str, content: &[u8]) -> PathBuf {
        let path = self.dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, content).unwrap();
        path
    }

    /// Runs `pinata --profile local auth --emulator URL` with the admin JWT on stdin, and makes
    /// `local` the default profile.
    pub fn login(&self, emu: &Emulator) {
        self.pinata()
            .args(["--profile", "local", "auth", "--emulator", &emu.url])
            .write_stdin(format!("{}\n", emu.jwt))
            .assert()
            .success();
        self.pinata()
            .args(["config", "use", "local"])
            .assert()
            .success();
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The stdout of a successful run.
pub fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "failed ({:?}): {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The JSON of a successful `--json` run.
pub fn json_of(cmd: &mut Command) -> serde_json::Value {
    let text = stdout_of(cmd);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// The JSON lines of a successful `--json` list.
pub fn json_lines_of(cmd: &mut Command) -> Vec<serde_json::Value> {
    stdout_of(cmd)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// The exit code and both streams of a run.
pub fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Whether `path` exists (for readability).
pub fn exists(path: &Path) -> bool {
    path.exists()
}

/// A stand-in for the API on loopback that answers every request with `200` and `body` (JSON),
/// for what the emulator does not offer (an account with several gateways). Returns its URL; it
/// serves until the test process ends.
pub fn fake_api(body: &'static str) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(10)));
            // The request's head (a GET has no body), then the answer, then the end.
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
                head.push(byte[0]);
            }
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
                 connection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

//! The emulator as a separate process (this package's `pinata-e2e-emulator` binary, the same
//! command line as `pinata-emulator`), for the cases that stop and start it: persistence across a
//! real restart, start-up refusals.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// A running emulator process, killed when dropped.
#[derive(Debug)]
pub struct EmulatorProcess {
    child: Child,
    /// Its `http://127.0.0.1:PORT`.
    pub url: String,
    /// Its start-up line, parsed.
    pub line: serde_json::Value,
}

/// The binary: next to the test executable's `deps/` directory, where cargo builds this
/// package's binaries for its tests.
pub fn binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable's path");
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("the test executable is in target/<profile>/deps");
    dir.join(format!(
        "pinata-e2e-emulator{}",
        std::env::consts::EXE_SUFFIX
    ))
}

impl EmulatorProcess {
    /// Starts one with `args` and waits for its start-up line; `Err` with its exit status and
    /// stderr when it stops instead.
    pub fn start(args: &[&str]) -> Result<Self, String> {
        let mut child = Command::new(binary())
            .args(args)
            .env_remove("PINATA_EMULATOR_DATA_DIR")
            .env_remove("PINATA_EMULATOR_SEED")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary().display()))?;
        let mut first = String::new();
        let stdout = child.stdout.take().expect("piped stdout");
        BufReader::new(stdout)
            .read_line(&mut first)
            .map_err(|e| e.to_string())?;
        if first.trim().is_empty() {
            let status = child.wait().map_err(|e| e.to_string())?;
            let mut stderr = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_string(&mut stderr);
            }
            return Err(format!("{status}: {stderr}"));
        }
        let line: serde_json::Value = serde_json::from_str(&first).map_err(|e| e.to_string())?;
        let url = line["url"].as_str().expect("a url").to_owned();
        Ok(Self { child, url, line })
    }

    /// The admin key's JWT.
    pub fn admin_jwt(&self) -> &str {
        self.line["admin"]["jwt"].as_str().expect("an admin JWT")
    }

    /// The admin's public key.
    pub fn admin_key(&self) -> &str {
        self.line["admin"]["api_key"]
            .as_str()
            .expect("an admin key")
    }

    /// `127.0.0.1:PORT`.
    pub fn address(&self) -> &str {
        self.url.trim_start_matches("http://")
    }

    /// Kills it at once (SIGKILL: no shutdown of its own) and waits for it to be gone.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

//! An emulator process for the tasks that test against a real server on loopback (`it`, `demo`,
//! `load`, `readme`, `bench`, the PSA suite, the SDK conformance run): built with cargo, started
//! on `127.0.0.1:0`, its JSON start-up line (`url`, `admin.jwt`, `admin.api_key`, ...) read, and
//! stopped when dropped.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::Result;
use crate::util::{cargo, run, target_dir};

/// An emulator process, stopped (SIGTERM, then kill) when dropped.
pub(crate) struct EmulatorProcess {
    child: Child,
    line: String,
    value: serde_json::Value,
}

impl EmulatorProcess {
    pub(crate) fn start(extra_args: &[&str]) -> Result<Self> {
        Self::start_profile("debug", extra_args)
    }

    pub(crate) fn start_profile(profile: &str, extra_args: &[&str]) -> Result<Self> {
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

    pub(crate) fn get(&self, pointer: &str) -> Result<String> {
        self.value
            .pointer(pointer)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
            .ok_or_else(|| format!("the emulator's first line has no {pointer}"))
    }

    /// The start-up line as the emulator printed it (JSON, trimmed).
    pub(crate) fn line(&self) -> &str {
        &self.line
    }

    /// The process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
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

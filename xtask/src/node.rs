//! Node.js and npm for the steps of `cargo xtask it` that run a pinned npm package against the
//! emulator (the PSA compliance suite, [`psa_suite`](crate::psa_suite), and the official SDK,
//! [`sdk_conformance`](crate::sdk_conformance)): whether Node and npm are here, `npm ci` of a
//! committed package.json and lockfile into a scratch directory under the target directory (so the
//! source tree gets no `node_modules`), and waiting for a process with a time limit.

use std::fs::File;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::Result;
use crate::util::root;

/// The longest `npm ci` may take.
const INSTALL_TIMEOUT: Duration = Duration::from_secs(600);

/// Why a step cannot run here, if it cannot: `node` or `npm` missing, or Node older than 20.
pub(crate) fn unavailable() -> Option<String> {
    let version = |tool: &str| {
        Command::new(tool)
            .arg("--version")
            .stderr(Stdio::null())
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    let Some(node) = version("node") else {
        return Some("node is not installed".into());
    };
    if version("npm").is_none() {
        return Some("npm is not installed".into());
    }
    let major = node
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse::<u32>().ok());
    match major {
        Some(major) if major >= 20 => None,
        _ => Some(format!("node is {node}")),
    }
}

/// What [`install`] installs: the committed directory (relative to the workspace root), the files
/// of it a run needs (its `package.json` and `package-lock.json` among them), the package whose
/// `package.json` in `node_modules` shows it was installed, and what it is (for errors).
pub(crate) struct Package<'a> {
    pub(crate) source: &'a str,
    pub(crate) files: &'a [&'a str],
    pub(crate) installed: &'a str,
    pub(crate) what: &'a str,
}

/// Copies `package`'s files into `scratch` and installs it there with `npm ci`, unless the same
/// lockfile was installed there already.
pub(crate) fn install(package: &Package, scratch: &Path) -> Result {
    let source = root().join(package.source);
    let lock = std::fs::read(source.join("package-lock.json"))
        .map_err(|e| format!("reading {}/package-lock.json: {e}", package.source))?;
    let installed = std::fs::read(scratch.join("package-lock.json")).is_ok_and(|l| l == lock)
        && scratch
            .join("node_modules")
            .join(package.installed)
            .join("package.json")
            .is_file()
        && scratch.join("node_modules/.package-lock.json").is_file();
    std::fs::create_dir_all(scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    for file in package.files {
        std::fs::copy(source.join(file), scratch.join(file))
            .map_err(|e| format!("copying {}/{file}: {e}", package.source))?;
    }
    if installed {
        return Ok(());
    }
    let log = scratch.join("npm-ci.log");
    let mut npm = Command::new("npm");
    npm.args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
        .current_dir(scratch);
    eprintln!(
        "$ (cd {} && npm ci --ignore-scripts --no-audit --no-fund)",
        scratch.display()
    );
    let mut child = spawn_logged(npm, &log)?;
    wait(&mut child, INSTALL_TIMEOUT, "npm ci").map_err(|e| {
        let tail = tail(&log, 20);
        format!("installing {}: {e}:\n{tail}", package.what)
    })
}

/// The version of the package installed in `scratch/node_modules/NAME`, from its `package.json`.
pub(crate) fn installed_version(scratch: &Path, name: &str) -> Result<String> {
    let path = scratch.join("node_modules").join(name).join("package.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    value["version"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("{} has no version", path.display()))
}

/// Starts `cmd` with stdout and stderr into `log`.
pub(crate) fn spawn_logged(mut cmd: Command, log: &Path) -> Result<Child> {
    let out = File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
    let err = out
        .try_clone()
        .map_err(|e| format!("{}: {e}", log.display()))?;
    cmd.stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|e| format!("cannot start {:?}: {e}", cmd.get_program()))
}

/// Waits for `child` at most `timeout` (then kills it): `Err` unless it exited with success.
pub(crate) fn wait(child: &mut Child, timeout: Duration, what: &str) -> Result {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => return Err(format!("{what} failed ({status})")),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{what} did not finish within {timeout:?}"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(200)),
            Err(e) => return Err(format!("waiting for {what}: {e}")),
        }
    }
}

/// The last `lines` lines of `path`.
pub(crate) fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

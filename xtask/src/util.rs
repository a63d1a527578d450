//! What every task uses: the workspace root, the target directory, `cargo`, and running a
//! command the way a task does (echoed, failing when it fails).

use std::path::PathBuf;
use std::process::Command;

use crate::Result;

/// The workspace root (xtask lives one level below it).
pub(crate) fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// `cargo` (the one that runs the xtask, when there is one), in the workspace root.
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

/// The target directory: `CARGO_TARGET_DIR`, else `target/` in the workspace root.
pub(crate) fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

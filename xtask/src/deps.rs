//! The dependency rules of `cargo xtask ci`, the layering that the compiler cannot see, read from
//! `cargo tree`: pinata-core stays sans-IO (no runtime, HTTP, TLS or socket crate among its normal
//! dependencies: a lean core), and aws-lc-rs is nowhere in the workspace's tree (the one TLS
//! provider is ring).

use crate::Result;
use crate::util::cargo;

/// The layering rules that the compiler cannot see.
pub(crate) fn check_dependencies() -> Result {
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

//! The official TypeScript SDK against the emulator: the last step of `cargo xtask it`.
//!
//! `xtask/sdk-conformance/conformance.mjs` drives the unmodified `pinata` package (npm), pinned by
//! `xtask/sdk-conformance/package.json` and its lockfile at the version `benches/sdk/` pins, as a
//! user of the SDK would, through every API family the SDK covers that the emulator serves: auth,
//! keys, v3 uploads (file, JSON, base64, URL, resumable), the legacy `pinFileToIPFS` behind
//! `fileArray`, files, groups, signed upload URLs, private download links and the gateway, swaps,
//! signatures, pin by CID and its queue, and how failures reach the user (the SDK's error types
//! and status codes). Each check asserts what the SDK hands back: field values round-trip, and
//! errors are the SDK's classes with the right status. (Not covered, as the emulator does not
//! serve them: vectors, analytics, x402.)
//!
//! It is installed with `npm ci --ignore-scripts` into `target/sdk-conformance` (reused while the
//! lockfile is the same), so a run needs the npm registry and nothing else, and it runs against
//! two emulator processes of its own: one on plain HTTP, which carries almost every check, and
//! one with `--tls-self-signed`, its certificate trusted through `NODE_EXTRA_CA_CERTS`, for the
//! SDK as configured for the real service (it puts `https://` before any gateway). The emulators'
//! start-up lines reach the script in `PINATA_EMULATOR` and `PINATA_EMULATOR_TLS`, never on a
//! command line.
//!
//! The script prints one line per check and a summary, and exits non-zero on any failure that is
//! not in its list of known emulator incompatibilities (`KNOWN` in the script, each with the
//! evidence; a known failure that starts passing fails the run too, until it is taken out of the
//! list). It takes about 15 s; it must finish within [`RUN_TIMEOUT`]. Without `node` or `npm` the
//! step says so and is skipped.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::Result;
use crate::emulator::EmulatorProcess;
use crate::node;
use crate::util::target_dir;

/// The longest one run of the script may take (it takes about 15 s).
const RUN_TIMEOUT: Duration = Duration::from_secs(300);

/// The files of `xtask/sdk-conformance` a run needs.
const FILES: &[&str] = &["package.json", "package-lock.json", "conformance.mjs"];

/// What `npm ci` installs.
const SDK: node::Package = node::Package {
    source: "xtask/sdk-conformance",
    files: FILES,
    installed: "pinata",
    what: "the official SDK",
};

/// Runs the script against two emulator processes (plain HTTP, and HTTPS with a self-signed
/// certificate), or says why it is skipped.
pub(crate) fn run() -> Result {
    if let Some(why) = node::unavailable() {
        eprintln!("SDK conformance: SKIPPED, {why} (it needs Node.js 20 or newer and npm)");
        return Ok(());
    }
    let scratch = target_dir().join("sdk-conformance");
    node::install(&SDK, &scratch)?;
    let version = node::installed_version(&scratch, SDK.installed)?;
    // The pin-by-hash delay as `it`'s emulator has it: a held CID is pinned in 0.3 s.
    let plain = EmulatorProcess::start(&["--pin-delay-ms", "300"])?;
    let tls = EmulatorProcess::start(&["--tls-self-signed"])?;
    let ca = scratch.join("emulator-ca.pem");
    std::fs::write(&ca, tls.get("/ca_pem")?).map_err(|e| format!("{}: {e}", ca.display()))?;
    eprintln!(
        "SDK conformance: the official SDK (pinata {version}) against emulators at {} and {}",
        plain.get("/url")?,
        tls.get("/url")?
    );
    let result = run_script(&scratch, &plain, &tls, &ca);
    drop(plain);
    drop(tls);
    result
}

/// `node conformance.mjs` in `scratch`, its output on ours.
fn run_script(scratch: &Path, plain: &EmulatorProcess, tls: &EmulatorProcess, ca: &Path) -> Result {
    let mut node = Command::new("node");
    node.arg("conformance.mjs")
        .current_dir(scratch)
        .env("PINATA_EMULATOR", plain.line())
        .env("PINATA_EMULATOR_TLS", tls.line())
        .env("NODE_EXTRA_CA_CERTS", ca)
        .stdin(Stdio::null());
    eprintln!(
        "$ (cd {} && PINATA_EMULATOR=<line> PINATA_EMULATOR_TLS=<line> NODE_EXTRA_CA_CERTS={} \
         node conformance.mjs)",
        scratch.display(),
        ca.display()
    );
    let started = Instant::now();
    let mut child = node
        .spawn()
        .map_err(|e| format!("cannot start node conformance.mjs: {e}"))?;
    node::wait(&mut child, RUN_TIMEOUT, "the SDK conformance run").map_err(|e| {
        format!("{e} (its lines above say which check; the script is xtask/sdk-conformance/conformance.mjs)")
    })?;
    eprintln!(
        "SDK conformance: passed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::root;

    /// The `dependencies` of a committed package.json and what its lockfile resolves `pinata` to.
    fn pins(dir: &str) -> (serde_json::Value, serde_json::Value) {
        let read = |file: &str| -> serde_json::Value {
            let text = std::fs::read_to_string(root().join(dir).join(file)).unwrap();
            serde_json::from_str(&text).unwrap()
        };
        let lock = read("package-lock.json");
        (
            read("package.json")["dependencies"].clone(),
            lock["packages"]["node_modules/pinata"].clone(),
        )
    }

    #[test]
    fn the_sdk_is_pinned_as_the_benchmarks_pin_it_and_the_files_exist() {
        let (ours, our_lock) = pins("xtask/sdk-conformance");
        let (bench, bench_lock) = pins("benches/sdk");
        assert_eq!(ours, bench, "the `pinata` versions in package.json differ");
        assert_eq!(ours["pinata"], our_lock["version"]);
        assert_eq!(
            our_lock["integrity"], bench_lock["integrity"],
            "the lockfiles resolve `pinata` differently"
        );
        for file in FILES {
            assert!(
                root().join("xtask/sdk-conformance").join(file).is_file(),
                "{file}"
            );
        }
    }
}

//! The IPFS Pinning Service API compliance suite against the emulator's `/psa`, in both
//! `--psa-mode`s: the last step of `cargo xtask it`.
//!
//! The suite is `@ipfs-shipyard/pinning-service-compliance` (npm), pinned by
//! `xtask/psa-suite/package.json` and its lockfile, installed with `npm ci --ignore-scripts` into
//! `target/psa-suite` (its `kubo` dependency would download a Kubo binary in an install script; no
//! check of this version uses it). It reads the Pinning Service API spec from GitHub when it
//! starts; `offline-spec.mjs`, preloaded into Node, answers that one URL from the committed copy
//! of the spec and refuses any other https request, so a run needs the npm registry (for the
//! install) and nothing else.
//!
//! Each mode gets its own emulator process and its own copy of the suite's code (the suite writes
//! its report beside its code, under the service's host name, which both runs share), and the two
//! runs go at once: the suite sends at most one request a second, so a run takes about 50 s
//! however fast the server is. Each must finish within [`RUN_TIMEOUT`].
//!
//! Spec mode must pass all nine checks. Pinata's mode answers as Pinata was observed to, so it
//! fails what Pinata fails: the run asserts exactly [`PINATA_MODE_FAILS`], so a change either way
//! is noticed. Without `node` or `npm` the step says so and is skipped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

use crate::Result;
use crate::emulator::EmulatorProcess;
use crate::node::{self, spawn_logged, wait};
use crate::util::target_dir;

/// The suite's checks, in the order it runs them: the function's name in the suite's source
/// (`dist/src/checks/**`) and how its title in the report begins (titles carry CIDs and names
/// made for the run).
const CHECKS: &[(&str, &str)] = &[
    (
        "checkEmptyBearerToken",
        "Request with no authentication token",
    ),
    ("checkInvalidBearerToken", "Request with invalid token"),
    ("addPin", "Pins post of CID "),
    ("deleteNewPin", "Can create and then delete a new pin"),
    ("getAllPins", "List pin objects (GET /pins) in all states"),
    ("replacePin", "Can create and replace a pin's CID"),
    ("matchPin", "Can create a pin with name="),
    (
        "testPagination",
        "Pagination: Get all pins, create new pins (optional), get first and second pages",
    ),
    (
        "deleteAllPins",
        "Can delete all pins created during compliance checks",
    ),
];

/// What Pinata's mode fails, and why: it answers as Pinata was observed to
/// (`crates/pinata-emulator/src/api/psa.rs`). Every other check passes.
const PINATA_MODE_FAILS: &[(&str, &str)] = &[
    (
        "deleteNewPin",
        "an add and a removal are 200 (removal `OK`), not 202",
    ),
    (
        "matchPin",
        "a list without `status` shows pinned requests only, so a name does not find the queued pin",
    ),
];

/// The longest one run of the suite may take (it takes about 50 s).
const RUN_TIMEOUT: Duration = Duration::from_secs(240);

/// The files of `xtask/psa-suite` a run needs.
const FILES: &[&str] = &[
    "package.json",
    "package-lock.json",
    "offline-spec.mjs",
    "ipfs-pinning-service-v1.0.0.yaml",
];

/// The suite's package, inside `node_modules`.
const PACKAGE: &str = "node_modules/@ipfs-shipyard/pinning-service-compliance";

/// What `npm ci` installs.
const SUITE: node::Package = node::Package {
    source: "xtask/psa-suite",
    files: FILES,
    installed: "@ipfs-shipyard/pinning-service-compliance",
    what: "the PSA compliance suite",
};

/// Runs the suite against an emulator in each mode and checks the results (or says why it is
/// skipped).
pub(crate) fn run() -> Result {
    if let Some(why) = node::unavailable() {
        eprintln!("PSA compliance suite: SKIPPED, {why} (it needs Node.js 20 or newer and npm)");
        return Ok(());
    }
    let scratch = target_dir().join("psa-suite");
    node::install(&SUITE, &scratch)?;
    let version = node::installed_version(&scratch, SUITE.installed)?;
    let modes = ["spec", "pinata"];
    let mut runs = Vec::new();
    for mode in modes {
        let emulator = EmulatorProcess::start(&["--psa-mode", mode])?;
        let suite = copy_suite(&scratch, mode)?;
        let child = start_suite(&scratch, &suite, mode, &emulator)?;
        runs.push((mode, emulator, suite, child));
    }
    eprintln!(
        "PSA compliance suite {version}: running against an emulator in each --psa-mode ({}), \
         about a minute (the suite sends one request a second)",
        modes.join(", ")
    );
    // Every run is waited for (or killed) before any result is judged.
    let mut finished = Vec::new();
    for (mode, emulator, suite, mut child) in runs {
        let outcome = wait(&mut child, RUN_TIMEOUT, &format!("the suite ({mode} mode)"));
        drop(emulator);
        finished.push((mode, suite.join("run.log"), outcome));
    }
    let mut results = Vec::new();
    for (mode, log, outcome) in finished {
        outcome.map_err(|e| format!("{e}; its output: {}", log.display()))?;
        let stdout =
            std::fs::read_to_string(&log).map_err(|e| format!("reading {}: {e}", log.display()))?;
        let checks =
            summary(&stdout).map_err(|e| format!("{mode} mode: {e} (see {})", log.display()))?;
        results.push((mode, checks, log));
    }
    let mut problems = Vec::new();
    for (mode, checks, log) in &results {
        let expected_failures: Vec<&str> = match *mode {
            "pinata" => PINATA_MODE_FAILS.iter().map(|(check, _)| *check).collect(),
            _ => Vec::new(),
        };
        problems.extend(
            compare(checks, &expected_failures)
                .into_iter()
                .map(|p| format!("{mode} mode: {p} (report: {})", log.display())),
        );
        let passed = checks.values().filter(|ok| **ok).count();
        eprintln!(
            "PSA compliance suite, {mode} mode: {passed}/{} checks pass",
            checks.len()
        );
    }
    if !problems.is_empty() {
        return Err(format!(
            "PSA compliance suite {version}:\n  {}",
            problems.join("\n  ")
        ));
    }
    for (check, why) in PINATA_MODE_FAILS {
        eprintln!("  pinata mode fails {check}, as Pinata does: {why}");
    }
    Ok(())
}

/// A copy of the suite's code for `mode`'s run, in `scratch/runs/MODE` (its imports resolve to
/// `scratch/node_modules`), without the report of an earlier run.
fn copy_suite(scratch: &Path, mode: &str) -> Result<PathBuf> {
    let to = scratch.join("runs").join(mode);
    let _ = std::fs::remove_dir_all(&to);
    let from = scratch.join(PACKAGE);
    copy_dir(&from.join("dist").join("src"), &to.join("dist").join("src"))?;
    // Its `"type": "module"` makes Node read the code as ES modules.
    std::fs::copy(from.join("package.json"), to.join("package.json"))
        .map_err(|e| format!("copying the suite's package.json: {e}"))?;
    Ok(to)
}

fn copy_dir(from: &Path, to: &Path) -> Result {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    let entries = std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", from.display()))?;
        let kind = entry
            .file_type()
            .map_err(|e| format!("{}: {e}", entry.path().display()))?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target)
                .map_err(|e| format!("{}: {e}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// Starts the suite's copy `suite` against `emulator`'s `/psa`, its output in `suite/run.log`.
fn start_suite(
    scratch: &Path,
    suite: &Path,
    mode: &str,
    emulator: &EmulatorProcess,
) -> Result<Child> {
    let url = emulator.get("/url")?;
    let jwt = emulator.get("/admin/jwt")?;
    let mut node = Command::new("node");
    node.arg("--import")
        .arg(scratch.join("offline-spec.mjs"))
        .arg(suite.join("dist").join("src").join("index.js"))
        .arg("--serviceAndToken")
        .arg(format!("{url}/psa"))
        .arg(jwt)
        .current_dir(suite)
        // Plain text: the results are read from it.
        .env("NO_COLOR", "1")
        .env("FORCE_COLOR", "0");
    eprintln!(
        "$ node --import offline-spec.mjs pinning-service-compliance -s {url}/psa <admin JWT>   # {mode} mode"
    );
    spawn_logged(node, &suite.join("run.log"))
}

/// Each check's result, by its name in [`CHECKS`], from the summary the suite prints last:
///
/// ```text
/// Summary (8/9 successful)
///
///   🟢 Request with no authentication token
///   ❌ Can create a pin with name='…'
/// ```
///
/// `Err` when there is no summary, a line names no known check, or a check is missing.
fn summary(stdout: &str) -> Result<BTreeMap<&'static str, bool>> {
    let mut lines = stdout.lines().skip_while(|l| !l.starts_with("Summary ("));
    let Some(heading) = lines.next() else {
        return Err("the suite printed no summary".into());
    };
    let mut checks = BTreeMap::new();
    for line in lines.map(str::trim).filter(|l| !l.is_empty()) {
        let (passed, title) = if let Some(title) = line.strip_prefix("🟢 ") {
            (true, title)
        } else if let Some(title) = line.strip_prefix("❌ ") {
            (false, title)
        } else {
            break;
        };
        let Some((name, _)) = CHECKS.iter().find(|(_, start)| title.starts_with(start)) else {
            return Err(format!("the summary names an unknown check: {title:?}"));
        };
        checks.insert(*name, passed);
    }
    let missing: Vec<&str> = CHECKS
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| !checks.contains_key(name))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "the summary ({heading}) lacks {}",
            missing.join(", ")
        ));
    }
    Ok(checks)
}

/// How `checks` differ from every check passing but `failing`.
fn compare(checks: &BTreeMap<&str, bool>, failing: &[&str]) -> Vec<String> {
    checks
        .iter()
        .filter_map(|(name, passed)| match (passed, failing.contains(name)) {
            (false, false) => Some(format!("{name} fails")),
            (true, true) => Some(format!(
                "{name} passes now, where it failed before: if that is meant, take it out of \
                 PINATA_MODE_FAILS in xtask/src/psa_suite.rs"
            )),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::root;

    const OUTPUT: &str = "\
Request with no authentication token
\t🟢 Response code is 401
Can create a pin with name='a0de2878'
\t❌ Count is equal to 1

http://127.0.0.1:34227/psa compliance:

Execution Date: 2026-12-08T00:57:15.076Z

Summary (8/9 successful)

  🟢 Request with no authentication token

  🟢 Request with invalid token

  🟢 Pins post of CID 'bafkreihcrdfsqlegvg45eb4vidzl6immn2caemeq2l5gwwgqpq4pcsddsm'

  🟢 Can create and then delete a new pin

  🟢 List pin objects (GET /pins) in all states

  🟢 Can create and replace a pin's CID

  ❌ Can create a pin with name='a0de2878-5bc8-48e8-b9e4-43ea19af658e'

  🟢 Pagination: Get all pins, create new pins (optional), get first and second pages

  🟢 Can delete all pins created during compliance checks


See the full report at /tmp/x/dist/docs/127.0.0.1.md
";

    #[test]
    fn the_summary_names_each_check_once() {
        let checks = summary(OUTPUT).unwrap();
        assert_eq!(checks.len(), 9);
        let failed: Vec<&str> = checks
            .iter()
            .filter(|(_, ok)| !**ok)
            .map(|(name, _)| *name)
            .collect();
        assert_eq!(failed, ["matchPin"]);
        assert_eq!(compare(&checks, &[]), ["matchPin fails"]);
        assert!(compare(&checks, &["matchPin"]).is_empty());
        let changed = compare(&checks, &["matchPin", "deleteNewPin"]);
        assert_eq!(changed.len(), 1);
        assert!(changed[0].starts_with("deleteNewPin passes now"));
    }

    #[test]
    fn a_missing_or_strange_summary_is_an_error() {
        assert!(summary("no summary here").is_err());
        let cut = OUTPUT.replace(
            "  🟢 Can delete all pins created during compliance checks\n",
            "",
        );
        assert!(summary(&cut).unwrap_err().contains("lacks deleteAllPins"));
        let odd = OUTPUT.replace("Request with invalid token", "Something else");
        assert!(summary(&odd).unwrap_err().contains("unknown check"));
    }

    #[test]
    fn pinata_mode_failures_are_known_checks_and_the_files_exist() {
        for (name, _) in PINATA_MODE_FAILS {
            assert!(CHECKS.iter().any(|(check, _)| check == name), "{name}");
        }
        for file in FILES {
            assert!(
                root().join("xtask/psa-suite").join(file).is_file(),
                "{file}"
            );
        }
    }
}

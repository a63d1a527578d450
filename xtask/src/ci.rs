//! `cargo xtask ci`: everything CI checks (`.ci/run` calls it), in order: fmt --check; clippy -D
//! warnings (also of the emulator and of the CLI without their default features); the dependency rules
//! ([`deps`]); that ARCHITECTURE.md names every module ([`architecture`]); the published crates' package contents ([`package`]); rustdoc with -D warnings;
//! all tests (and the core's tracing test); `cargo package` of the published crates, verified
//! ([`package`]); `it` ([`it`]); `readme` ([`readme`]).

use crate::util::{cargo, run};
use crate::{Result, architecture, deps, it, package, readme};

pub(crate) fn ci() -> Result {
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
    // The lean `pinata` (no `emulator` feature: no SQLite, no server), linted the same way, and
    // its one test (`tests/lean.rs`: the emulator command says this build has none).
    let mut lean_cli = cargo();
    lean_cli.args([
        "clippy",
        "-p",
        "pinata-cli",
        "--no-default-features",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]);
    run(lean_cli)?;
    deps::check_dependencies()?;
    architecture::check()?;
    package::check_package_contents()?;
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
    package::verify_packages()?;
    it::it(false)?;
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

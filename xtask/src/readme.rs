//! `cargo xtask readme`: every Rust example in README.md and in the adapters' pages
//! (`crates/pinata-{hyper,ureq}/README.md`, their docs.rs root pages) runs, as it is, in a fresh
//! crate that depends on one adapter only (`pinata-ureq`, or `pinata-hyper` and Tokio), against an
//! emulator process.
//!
//! 1. [`extract`] takes every fenced block whose info string starts with `rust` (` ```rust,no_run `)
//!    from each of them ([`READMES`]): each is a whole program with `fn main`; one that names `pinata_hyper` is an
//!    async example, any other a blocking one (naming both is an error).
//! 2. Per adapter, a scratch crate in `target/readme-examples/{hyper,ureq}/` ([`manifest`]): its own
//!    `[workspace]`, edition 2024, the adapter as a path dependency and nothing else (Tokio too for
//!    hyper), every example as `examples/readme_<n>.rs` (`n` counts the README's Rust blocks from
//!    1), and the workspace's Cargo.lock, so the versions are the ones the workspace is tested
//!    with. Warnings are errors in the examples, as they would show in a user's crate.
//! 3. `cargo build --examples` of each, in the workspace's target directory (see [`check`] for
//!    why that is safe), then each binary runs in a directory of its own holding
//!    the inputs the examples read (`report.pdf`, `site/index.html`, `site/css/style.css`), with
//!    `PINATA_API_URL`, `PINATA_UPLOADS_URL` and `PINATA_GATEWAY` (all the emulator's URL) and
//!    `PINATA_JWT` (the emulator's admin), and no other `PINATA_*` variable.
//!    Every one must exit 0 within [`RUN_LIMIT`].

use std::collections::BTreeSet;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::Result;
use crate::emulator::EmulatorProcess;
use crate::util::{cargo, root, run, target_dir};

/// How long one example may run before it counts as hung.
const RUN_LIMIT: Duration = Duration::from_secs(120);

/// The crate an example is written against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Adapter {
    Hyper,
    Ureq,
}

impl Adapter {
    /// The scratch crate's directory name and the name in messages.
    fn name(self) -> &'static str {
        match self {
            Self::Hyper => "hyper",
            Self::Ureq => "ureq",
        }
    }

    /// The package the scratch crate depends on (a directory under `crates/`).
    fn package(self) -> &'static str {
        match self {
            Self::Hyper => "pinata-hyper",
            Self::Ureq => "pinata-ureq",
        }
    }
}

/// One Rust block of the README.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Example {
    /// Its place among the README's Rust blocks, from 1 (`examples/readme_<n>.rs`).
    pub(crate) number: usize,
    /// The README line of its first line of source (the line after the opening fence): line `k` of
    /// the example file is README line `line + k - 1`.
    pub(crate) line: usize,
    pub(crate) adapter: Adapter,
    /// The block's content, each line ending in `\n`.
    pub(crate) source: String,
    /// The Markdown file it is in, relative to the workspace root.
    pub(crate) file: &'static str,
}

impl Example {
    /// `examples/readme_<n>.rs` and the binary's name without the extension.
    fn name(&self) -> String {
        format!("readme_{}", self.number)
    }

    /// The first line of source that is not blank, to recognise the example by.
    fn first_line(&self) -> &str {
        self.source
            .lines()
            .map(str::trim)
            .find(|line| !line.is_empty())
            .unwrap_or_default()
    }

    /// Where it is in the README: `README.md lines 40-65`.
    fn location(&self) -> String {
        let lines = self.source.lines().count();
        if lines <= 1 {
            format!("{} line {}", self.file, self.line)
        } else {
            format!(
                "{} lines {}-{}",
                self.file,
                self.line,
                self.line + lines - 1
            )
        }
    }
}

/// A fenced code block: its info string, the line of its first content line, its content.
#[derive(Debug, PartialEq, Eq)]
struct Block {
    info: String,
    line: usize,
    content: String,
}

/// An opening fence: up to three spaces, then three or more backticks or tildes (a backtick fence's
/// info string has no backtick). Returns the character, the fence's length, its indentation and
/// the info string.
fn opening_fence(line: &str) -> Option<(char, usize, usize, &str)> {
    let rest = line.trim_start_matches(' ');
    let indent = line.len() - rest.len();
    let fence = rest.chars().next().filter(|c| matches!(c, '`' | '~'))?;
    let after = rest.trim_start_matches(fence);
    let len = rest.len() - after.len();
    let info = after.trim();
    (indent <= 3 && len >= 3 && !(fence == '`' && info.contains('`')))
        .then_some((fence, len, indent, info))
}

/// Whether `line` closes a block opened by `len` times `fence`: up to three spaces, at least as
/// many of the same character, nothing after but blanks.
fn closes(line: &str, fence: char, len: usize) -> bool {
    let rest = line.trim_start_matches(' ');
    let after = rest.trim_start_matches(fence);
    line.len() - rest.len() <= 3 && rest.len() - after.len() >= len && after.trim().is_empty()
}

/// The fenced code blocks of a Markdown document, in order (CommonMark's rules for fences at the
/// top level; a fence in a list item indented by four or more spaces is not seen). A fence left
/// open is an error: everything after it would silently be code.
fn fenced_blocks(markdown: &str) -> Result<Vec<Block>> {
    let mut blocks = Vec::new();
    let mut lines = markdown.lines().enumerate().map(|(i, line)| (i + 1, line));
    while let Some((number, line)) = lines.next() {
        let Some((fence, len, indent, info)) = opening_fence(line) else {
            continue;
        };
        let mut content = String::new();
        let mut closed = false;
        for (_, line) in lines.by_ref() {
            if closes(line, fence, len) {
                closed = true;
                break;
            }
            // Content loses as many leading spaces as the fence had, at most.
            let kept = line.trim_start_matches(' ');
            let strip = (line.len() - kept.len()).min(indent);
            content.push_str(&line[strip..]);
            content.push('\n');
        }
        if !closed {
            return Err(format!(
                "line {number}: the code block opened by {:?} is never closed",
                line.trim()
            ));
        }
        blocks.push(Block {
            info: info.to_owned(),
            line: number + 1,
            content,
        });
    }
    Ok(blocks)
}

/// Whether an info string marks Rust: its first word (up to a comma or blank) is `rust`, as in
/// `rust`, `rust,no_run`, `rust ignore`.
fn is_rust(info: &str) -> bool {
    info.split(|c: char| c == ',' || c.is_whitespace())
        .next()
        .is_some_and(|word| word.eq_ignore_ascii_case("rust"))
}

/// Whether `source` has a `fn main(`, however spaced.
fn has_main(source: &str) -> bool {
    source.lines().any(|line| {
        let spaced = line.replace('(', " ( ");
        let words: Vec<&str> = spaced.split_whitespace().collect();
        words.windows(3).any(|w| w == ["fn", "main", "("])
    })
}

/// The README's Rust examples. Each must be a whole program (`fn main`) and name at most one of
/// `pinata_hyper` and `pinata_ureq`; every problem found is in the error, one per line.
pub(crate) fn extract(markdown: &str) -> Result<Vec<Example>> {
    let mut examples = Vec::new();
    let mut problems = Vec::new();
    for block in fenced_blocks(markdown)?
        .into_iter()
        .filter(|b| is_rust(&b.info))
    {
        let number = examples.len() + problems.len() + 1;
        let hyper = block.content.contains("pinata_hyper");
        let ureq = block.content.contains("pinata_ureq");
        let at = format!(
            "the Rust block at line {} (example {number}, ```{})",
            block.line, block.info
        );
        if hyper && ureq {
            problems.push(format!(
                "{at} names both pinata_hyper and pinata_ureq: an example is written against one \
                 adapter, the only crate (with Tokio for hyper) its user depends on"
            ));
        } else if !has_main(&block.content) {
            problems.push(format!(
                "{at} has no `fn main`: every README example is a whole program, run as it is"
            ));
        } else {
            examples.push(Example {
                number,
                line: block.line,
                adapter: if hyper { Adapter::Hyper } else { Adapter::Ureq },
                source: block.content,
                file: "README.md",
            });
        }
    }
    if problems.is_empty() {
        Ok(examples)
    } else {
        Err(problems.join("\n"))
    }
}

/// `s` as a TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The `[profile.*]` tables of the workspace's Cargo.toml, verbatim (up to the next table that is
/// not a profile).
fn profiles(workspace_manifest: &str) -> String {
    let mut out = String::new();
    let mut copying = false;
    for line in workspace_manifest.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            copying = trimmed.starts_with("[profile.") || trimmed.starts_with("[profile]");
            if copying && !out.is_empty() {
                out.push('\n');
            }
        }
        if copying && !trimmed.is_empty() && !trimmed.starts_with('#') {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The scratch crate's Cargo.toml: its own workspace, the adapter at `crates` (the workspace's
/// `crates/` directory) and, for hyper, Tokio with what `#[tokio::main]` needs. Nothing else.
///
/// `profiles` are the workspace's (see [`profiles`]): the same profile is what lets the build reuse
/// the dependencies the workspace has built already (cargo tells artifacts apart by package,
/// features, profile and dependencies, so only identical builds are shared).
fn manifest(adapter: Adapter, crates: &Path, profiles: &str) -> String {
    let path = crates.join(adapter.package());
    let mut out = format!(
        "# Written by `cargo xtask readme`: README.md's {name} examples, in a crate that depends on\n\
         # {package} only{tokio}.\n\
         [package]\n\
         name = \"readme-examples-{name}\"\n\
         version = \"0.0.0\"\n\
         edition = \"2024\"\n\
         publish = false\n\
         \n\
         # Not a member of the project's workspace.\n\
         [workspace]\n\
         \n\
         [dependencies]\n\
         {package} = {{ path = {path} }}\n",
        name = adapter.name(),
        package = adapter.package(),
        tokio = if adapter == Adapter::Hyper {
            " (and Tokio, for `#[tokio::main]`)"
        } else {
            ""
        },
        path = toml_string(&path.to_string_lossy()),
    );
    if adapter == Adapter::Hyper {
        out.push_str("tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }\n");
    }
    out.push_str(
        "\n\
         # A warning in an example would be one in every crate that copies it.\n\
         [lints.rust]\n\
         warnings = \"deny\"\n",
    );
    if !profiles.is_empty() {
        out.push_str(
            "\n# The workspace's profiles, so that the dependencies it has built are reused.\n",
        );
        out.push_str(profiles);
    }
    out
}

/// The `(name, version)` of every package in a Cargo.lock.
fn locked_packages(lock: &str) -> BTreeSet<(String, String)> {
    let mut packages = BTreeSet::new();
    let mut name: Option<String> = None;
    let value = |line: &str, key: &str| {
        line.strip_prefix(key)
            .map(str::trim_start)
            .and_then(|rest| rest.strip_prefix('='))
            .map(|rest| rest.trim().trim_matches('"').to_owned())
    };
    for line in lock.lines().map(str::trim) {
        if line.starts_with('[') {
            name = None;
        } else if let Some(n) = value(line, "name") {
            name = Some(n);
        } else if let Some(version) = value(line, "version")
            && let Some(name) = name.take()
        {
            packages.insert((name, version));
        }
    }
    packages
}

/// Writes `contents` to `path` unless it holds them already (an unchanged example keeps its mtime,
/// so cargo does not build it again).
fn write_if_changed(path: &Path, contents: &[u8]) -> Result {
    if std::fs::read(path).is_ok_and(|old| old == contents) {
        return Ok(());
    }
    std::fs::write(path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn create_dir(path: &Path) -> Result {
    std::fs::create_dir_all(path).map_err(|e| format!("cannot create {}: {e}", path.display()))
}

/// Writes the scratch crate of `adapter` with `examples` into `dir` and removes examples of earlier
/// runs that the README no longer has.
fn write_crate(dir: &Path, adapter: Adapter, examples: &[&Example]) -> Result {
    let examples_dir = dir.join("examples");
    create_dir(&examples_dir)?;
    create_dir(&dir.join("src"))?;
    let workspace = root().join("Cargo.toml");
    let workspace = std::fs::read_to_string(&workspace)
        .map_err(|e| format!("cannot read {}: {e}", workspace.display()))?;
    write_if_changed(
        &dir.join("Cargo.toml"),
        manifest(adapter, &root().join("crates"), &profiles(&workspace)).as_bytes(),
    )?;
    write_if_changed(
        &dir.join("src").join("lib.rs"),
        b"//! Nothing: the README's examples are in examples/.\n",
    )?;
    let wanted: Vec<String> = examples
        .iter()
        .map(|e| format!("{}.rs", e.name()))
        .collect();
    for entry in std::fs::read_dir(&examples_dir)
        .map_err(|e| format!("cannot read {}: {e}", examples_dir.display()))?
        .filter_map(|entry| entry.ok())
    {
        let file = entry.file_name().to_string_lossy().into_owned();
        if !wanted.contains(&file) {
            let path = entry.path();
            std::fs::remove_file(&path)
                .map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
        }
    }
    for example in examples {
        write_if_changed(
            &examples_dir.join(format!("{}.rs", example.name())),
            example.source.as_bytes(),
        )?;
    }
    // The workspace's versions, so the examples build against what the workspace is tested with.
    // cargo adjusts the copy (its own root package, the workspace's other members gone) but has
    // nothing new to resolve; [`check_lock`] checks that afterwards.
    let lock = root().join("Cargo.lock");
    std::fs::copy(&lock, dir.join("Cargo.lock"))
        .map_err(|e| format!("cannot copy {}: {e}", lock.display()))?;
    Ok(())
}

/// The packages (`name version`) of the `scratch` Cargo.lock that the `workspace` one does not
/// have, but for the scratch crate itself (`own`).
fn not_locked(workspace: &str, scratch: &str, own: &str) -> Vec<String> {
    let workspace = locked_packages(workspace);
    locked_packages(scratch)
        .into_iter()
        .filter(|(name, _)| name != own)
        .filter(|package| !workspace.contains(package))
        .map(|(name, version)| format!("{name} {version}"))
        .collect()
}

/// Fails if cargo resolved, for the scratch crate, a package version that the workspace's
/// Cargo.lock does not have.
fn check_lock(dir: &Path, adapter: Adapter) -> Result {
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let new = not_locked(
        &read(&root().join("Cargo.lock"))?,
        &read(&dir.join("Cargo.lock"))?,
        &format!("readme-examples-{}", adapter.name()),
    );
    if new.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the {} examples' crate resolved packages that the workspace's Cargo.lock does not \
             have: {}",
            adapter.name(),
            new.join(", ")
        ))
    }
}

/// The host's target triple (`rustc -vV`).
fn host() -> Option<String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let out = Command::new(rustc).arg("-vV").output().ok()?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("host: ").map(str::to_owned))
}

/// Whether everything the scratch crate in `dir` needs for this host is in cargo's cache already,
/// so that its build can be `--offline` (nothing looked up, whatever cargo's settings).
fn cached(dir: &Path) -> bool {
    let mut fetch = cargo();
    fetch
        .current_dir(dir)
        .args(["fetch", "--offline", "--quiet"])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(host) = host() {
        fetch.args(["--target", &host]);
    }
    fetch.status().is_ok_and(|s| s.success())
}

/// The Markdown files whose Rust examples run: the workspace's README and each adapter's page.
const READMES: [&str; 3] = [
    "README.md",
    "crates/pinata-hyper/README.md",
    "crates/pinata-ureq/README.md",
];

/// The inputs the examples read, in `dir`: `report.pdf` (50 KB) and `site/` with `index.html` and
/// `css/style.css`.
fn write_inputs(dir: &Path) -> Result {
    create_dir(&dir.join("site").join("css"))?;
    let mut report = b"%PDF-1.4\n% cargo xtask readme\n".to_vec();
    let mut x: u32 = 0x2545_F491;
    while report.len() < 50_000 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        report.extend_from_slice(&x.to_le_bytes());
    }
    report.truncate(50_000);
    let files: [(PathBuf, &[u8]); 3] = [
        (dir.join("report.pdf"), &report),
        (
            dir.join("site").join("index.html"),
            b"<!doctype html>\n<html><head><title>my site</title>\
              <link rel=\"stylesheet\" href=\"css/style.css\"></head>\n\
              <body><h1>Hello from the README</h1></body></html>\n",
        ),
        (
            dir.join("site").join("css").join("style.css"),
            b"body { font-family: sans-serif; margin: 2em; }\n",
        ),
    ];
    for (path, contents) in files {
        std::fs::write(&path, contents)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

/// What one example's run gave.
struct Outcome {
    /// `None`: killed after [`RUN_LIMIT`].
    status: Option<std::process::ExitStatus>,
    stdout: String,
    stderr: String,
    took: Duration,
}

/// Runs `cmd` to its end or [`RUN_LIMIT`], whichever is first, collecting its output.
fn run_limited(mut cmd: Command) -> Result<Outcome> {
    let started = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", cmd.get_program().to_string_lossy()))?;
    let reader = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = reader(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = reader(child.stderr.take().map(|p| Box::new(p) as _));
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() < RUN_LIMIT => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Err(e) => {
                let _ = child.kill();
                return Err(format!("waiting for an example: {e}"));
            }
        }
    };
    let took = started.elapsed();
    Ok(Outcome {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        took,
    })
}

/// The output of a failed example, indented under a heading.
fn section(name: &str, text: &str) -> String {
    let text = text.trim_end();
    if text.is_empty() {
        format!("  {name}: (empty)\n")
    } else {
        let mut out = format!("  {name}:\n");
        for line in text.lines() {
            out.push_str("    ");
            out.push_str(line);
            out.push('\n');
        }
        out
    }
}

/// One line for an example that exited 0; for one that did not, everything needed to find and
/// fix it: its number and place, how it ended, its first line of source, its stdout and stderr.
fn report(example: &Example, outcome: &Outcome) -> std::result::Result<String, String> {
    let heading = format!(
        "README example {} ({}, {})",
        example.number,
        example.adapter.name(),
        example.location()
    );
    let how = match outcome.status {
        Some(status) if status.success() => {
            let lines = outcome.stdout.lines().count() + outcome.stderr.lines().count();
            return Ok(format!(
                "{heading}: ok in {:.2} s ({lines} line{} of output)",
                outcome.took.as_secs_f64(),
                if lines == 1 { "" } else { "s" }
            ));
        }
        Some(status) => format!("failed ({status})"),
        None => format!("was killed after {} s", RUN_LIMIT.as_secs()),
    };
    Err(format!(
        "{heading} {how}\n  first line: {}\n{}{}",
        example.first_line(),
        section("stdout", &outcome.stdout),
        section("stderr", &outcome.stderr),
    ))
}

/// The whole check; see the module's documentation.
///
/// The scratch crates build in the workspace's own target directory. That is safe: cargo names
/// every artifact by a hash of its package (a path package's relative to its workspace root, so
/// the adapters and the core built here never share files with the workspace's), its features,
/// its profile and its dependencies' hashes, and only moves the requested crates' outputs up to
/// `target/debug/` (`libreadme_examples_*.rlib`, `examples/readme_<n>`, names nobody else
/// uses). So a dependency built the same way is reused, anything else is built next to the
/// workspace's artifacts, and none of those is touched: after this ran, the workspace builds
/// that `cargo xtask ci` makes (tests, e2e, emulator, examples) were all still fresh (cargo 1.95).
/// One thing is not this check's doing: ring's build script reruns when `CARGO_PKG_NAME` and
/// the like change, and every xtask step runs cargo with the ones `cargo run` gave xtask, so a
/// `cargo build` from a shell after any xtask step (`it` too) rebuilds ring and what uses it.
///
/// Measured on 2 cores, from a target directory holding only what `cargo xtask ci` builds before
/// this step: 30 to 38 s in all (the ureq crate 15 to 21 s, the hyper one 14 to 16 s, 8 and 6
/// crates compiled: rustls, ureq, the pinata crates, whose features the workspace's builds
/// unify differently), against 79 s in a target directory of their own (46 s and 26 s, 98
/// crates, 800 MB more); about a second when nothing changed. Running the three examples takes
/// well under a second.
pub(crate) fn check() -> Result {
    let started = Instant::now();
    let mut examples = Vec::new();
    for file in READMES {
        let readme = root().join(file);
        let text = std::fs::read_to_string(&readme)
            .map_err(|e| format!("cannot read {}: {e}", readme.display()))?;
        let found = extract(&text).map_err(|e| format!("{file}: {e}"))?;
        if found.is_empty() {
            return Err(format!(
                "{file} has no ```rust block: nothing to check (is the fence right?)"
            ));
        }
        for mut example in found {
            example.file = file;
            example.number = examples.len() + 1;
            examples.push(example);
        }
    }
    // Absolute: the builds run in the scratch crates' directories.
    let target =
        std::path::absolute(target_dir()).map_err(|e| format!("the target directory: {e}"))?;
    let base = target.join("readme-examples");
    for adapter in [Adapter::Ureq, Adapter::Hyper] {
        let mine: Vec<&Example> = examples.iter().filter(|e| e.adapter == adapter).collect();
        if mine.is_empty() {
            continue;
        }
        let dir = base.join(adapter.name());
        write_crate(&dir, adapter, &mine)?;
        let mut build = cargo();
        build
            .current_dir(&dir)
            .env("CARGO_TARGET_DIR", &target)
            .args(["build", "--examples"]);
        if cached(&dir) {
            build.arg("--offline");
        }
        let building = Instant::now();
        if let Err(e) = run(build) {
            let files: Vec<String> = mine
                .iter()
                .map(|e| {
                    format!(
                        "examples/{}.rs is {} (its line k is README line {}+k)",
                        e.name(),
                        e.location(),
                        e.line - 1
                    )
                })
                .collect();
            return Err(format!(
                "{e}: a README {} example does not build in a crate that depends on {} only\n\
                 (in {}: {})",
                adapter.name(),
                adapter.package(),
                dir.display(),
                files.join("; ")
            ));
        }
        eprintln!(
            "README {} examples built in {:.1} s",
            adapter.name(),
            building.elapsed().as_secs_f64()
        );
        check_lock(&dir, adapter)?;
    }

    let emulator = EmulatorProcess::start(&[])?;
    let url = emulator.get("/url")?;
    let jwt = emulator.get("/admin/jwt")?;
    eprintln!("emulator process started: {url}");
    let runs = base.join("run");
    let mut failures = Vec::new();
    for example in &examples {
        let cwd = runs.join(example.name());
        if cwd.exists() {
            std::fs::remove_dir_all(&cwd)
                .map_err(|e| format!("cannot remove {}: {e}", cwd.display()))?;
        }
        write_inputs(&cwd)?;
        let mut cmd = Command::new(target.join("debug").join("examples").join(example.name()));
        cmd.current_dir(&cwd);
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("PINATA_") {
                cmd.env_remove(key);
            }
        }
        // The emulator serves the API, uploads and the gateway on one listener.
        cmd.env("PINATA_API_URL", &url)
            .env("PINATA_UPLOADS_URL", &url)
            .env("PINATA_GATEWAY", &url)
            .env("PINATA_JWT", &jwt);
        match report(example, &run_limited(cmd)?) {
            Ok(line) => eprintln!("{line}"),
            Err(failure) => {
                eprintln!("{}", failure.lines().next().unwrap_or_default());
                failures.push(failure);
            }
        }
    }
    drop(emulator);
    let count = |adapter| examples.iter().filter(|e| e.adapter == adapter).count();
    let (ureq, hyper) = (count(Adapter::Ureq), count(Adapter::Hyper));
    let took = started.elapsed().as_secs_f64();
    if failures.is_empty() {
        eprintln!(
            "README examples: {ureq} ureq, {hyper} hyper, all ran against the emulator ({took:.0} s)"
        );
        Ok(())
    } else {
        Err(format!(
            "README examples: {} of {} failed against the emulator ({ureq} ureq, {hyper} hyper; \
             {took:.0} s):\n{}",
            failures.len(),
            examples.len(),
            failures.join("")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const README: &str = "\
# Title

```sh
cargo xtask demo
```

Async:

```rust,no_run
use pinata_hyper::Client;

#[tokio::main]
async fn main() {}
```

````markdown
```rust
not an example: inside a four-backtick block
```
````

  ~~~rust
  use pinata_ureq::cid;
  fn main() {
      let _ = 1;
  }
  ~~~

```toml
[dependencies]
```

``` rust ignore
fn main(){ pinata_ureq::x(); }
```
";

    #[test]
    fn the_rust_blocks_are_the_examples() {
        let examples = extract(README).unwrap();
        assert_eq!(
            examples,
            [
                Example {
                    number: 1,
                    line: 10,
                    adapter: Adapter::Hyper,
                    source: "use pinata_hyper::Client;\n\n#[tokio::main]\nasync fn main() {}\n"
                        .into(),
                    file: "README.md",
                },
                Example {
                    number: 2,
                    line: 23,
                    adapter: Adapter::Ureq,
                    // The fence's indentation is taken off, the rest kept.
                    source: "use pinata_ureq::cid;\nfn main() {\n    let _ = 1;\n}\n".into(),
                    file: "README.md",
                },
                Example {
                    number: 3,
                    line: 34,
                    adapter: Adapter::Ureq,
                    source: "fn main(){ pinata_ureq::x(); }\n".into(),
                    file: "README.md",
                },
            ]
        );
        assert_eq!(examples[0].first_line(), "use pinata_hyper::Client;");
        assert_eq!(examples[0].location(), "README.md lines 10-13");
        assert_eq!(examples[2].location(), "README.md line 34");
        assert_eq!(examples[1].name(), "readme_2");
    }

    #[test]
    fn info_strings() {
        for rust in ["rust", "rust,no_run", "rust no_run", "Rust", "rust,ignore"] {
            assert!(is_rust(rust), "{rust}");
        }
        for other in ["", "rusty", "sh", "toml", "text,rust", "rustc"] {
            assert!(!is_rust(other), "{other}");
        }
    }

    #[test]
    fn fences() {
        assert_eq!(
            opening_fence("```rust,no_run"),
            Some(('`', 3, 0, "rust,no_run"))
        );
        assert_eq!(opening_fence("   ~~~~ rust "), Some(('~', 4, 3, "rust")));
        assert_eq!(
            opening_fence("    ```rust"),
            None,
            "four spaces: indented code"
        );
        assert_eq!(opening_fence("``rust"), None);
        assert_eq!(
            opening_fence("``` a`b"),
            None,
            "a backtick in the info string"
        );
        assert!(closes("```", '`', 3));
        assert!(closes("  `````  ", '`', 3));
        assert!(!closes("``", '`', 3));
        assert!(!closes("~~~", '`', 3));
        assert!(!closes("```rust", '`', 3));
        assert!(!closes("```", '`', 4));
    }

    #[test]
    fn an_example_naming_both_adapters_is_refused() {
        let e = extract(
            "text\n\n```rust\nuse pinata_hyper::Client;\nuse pinata_ureq::Client as C;\nfn main() {}\n```\n",
        )
        .unwrap_err();
        assert!(
            e.starts_with("the Rust block at line 4 (example 1, ```rust) names both pinata_hyper and pinata_ureq"),
            "{e}"
        );
    }

    #[test]
    fn an_example_without_main_is_refused() {
        let e = extract("```rust,no_run\nlet client = pinata_ureq::Client::from_env()?;\n```\n")
            .unwrap_err();
        assert!(
            e.starts_with("the Rust block at line 2 (example 1, ```rust,no_run) has no `fn main`"),
            "{e}"
        );
        // Every problem is reported, each with its own number.
        let e =
            extract("```rust\nx\n```\n```rust\nfn main() {}\n```\n```rust\ny\n```\n").unwrap_err();
        assert_eq!(e.lines().count(), 2, "{e}");
        assert!(e.contains("(example 3,"), "{e}");
    }

    #[test]
    fn main_however_spaced() {
        assert!(has_main("fn main() {}"));
        assert!(has_main("async fn main ()-> Result<(), Error> {"));
        assert!(has_main("    fn   main(\n"));
        assert!(!has_main("fn mainly() {}"));
        assert!(!has_main("fn run() { main() }"));
    }

    #[test]
    fn an_unclosed_fence_is_an_error() {
        let e = extract("a\n```rust\nfn main() {}\n").unwrap_err();
        assert_eq!(
            e,
            "line 2: the code block opened by \"```rust\" is never closed"
        );
        // A shorter fence does not close a longer one.
        assert!(extract("````\n```\n").is_err());
    }

    #[test]
    fn no_blocks_no_examples() {
        assert_eq!(extract("# Nothing\n\n    indented code\n"), Ok(vec![]));
    }

    #[test]
    fn the_readme_has_examples_of_both_adapters() {
        let text = std::fs::read_to_string(root().join("README.md")).unwrap();
        let examples = extract(&text).unwrap();
        for adapter in [Adapter::Hyper, Adapter::Ureq] {
            assert!(
                examples.iter().any(|e| e.adapter == adapter),
                "no {} example",
                adapter.name()
            );
        }
    }

    #[test]
    fn the_scratch_crate_depends_on_the_adapter_only() {
        let ureq = manifest(Adapter::Ureq, Path::new("/w/crates"), "");
        assert!(ureq.contains("\n[workspace]\n"), "{ureq}");
        assert!(ureq.contains("edition = \"2024\"\n"), "{ureq}");
        let deps = |m: &str| -> Vec<String> {
            m.split("[dependencies]\n")
                .nth(1)
                .unwrap()
                .split("\n\n")
                .next()
                .unwrap()
                .lines()
                .map(str::to_owned)
                .collect()
        };
        assert_eq!(
            deps(&ureq),
            ["pinata-ureq = { path = \"/w/crates/pinata-ureq\" }"]
        );
        let hyper = manifest(Adapter::Hyper, Path::new("/w/crates"), "");
        assert_eq!(
            deps(&hyper),
            [
                "pinata-hyper = { path = \"/w/crates/pinata-hyper\" }",
                "tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }"
            ]
        );
        assert_eq!(toml_string("C:\\a \"b\""), "\"C:\\\\a \\\"b\\\"\"");
        assert!(hyper.ends_with("warnings = \"deny\"\n"), "{hyper}");
        let with = manifest(
            Adapter::Ureq,
            Path::new("/w/crates"),
            "[profile.dev]\ndebug = 0\n",
        );
        assert!(
            with.ends_with("reused.\n[profile.dev]\ndebug = 0\n"),
            "{with}"
        );
    }

    #[test]
    fn the_workspace_profiles_are_copied() {
        let workspace = "\
[workspace]
members = [\"crates/*\"]

[workspace.lints.rust]
unsafe_code = \"forbid\"

[profile.dev.package.\"*\"]
debug = false

# Hashing at speed.
[profile.dev.package.sha2]
opt-level = 3

[patch.crates-io]
x = { path = \"x\" }
";
        assert_eq!(
            profiles(workspace),
            "[profile.dev.package.\"*\"]\ndebug = false\n\n[profile.dev.package.sha2]\nopt-level = 3\n"
        );
        assert_eq!(profiles("[package]\nname = \"a\"\n"), "");
    }

    #[cfg(unix)]
    #[test]
    fn a_failed_example_shows_its_number_first_line_and_output() {
        use std::os::unix::process::ExitStatusExt;
        let example = Example {
            number: 2,
            line: 67,
            adapter: Adapter::Ureq,
            source: "\nuse std::collections::BTreeMap;\nfn main() {}\n".into(),
            file: "README.md",
        };
        let outcome = |status, stdout: &str, stderr: &str| Outcome {
            status,
            stdout: stdout.into(),
            stderr: stderr.into(),
            took: Duration::from_millis(20),
        };
        assert_eq!(
            report(
                &example,
                &outcome(Some(ExitStatusExt::from_raw(0)), "one\n", "")
            ),
            Ok(
                "README example 2 (ureq, README.md lines 67-69): ok in 0.02 s (1 line of output)"
                    .into()
            )
        );
        assert_eq!(
            report(
                &example,
                &outcome(
                    Some(ExitStatusExt::from_raw(1 << 8)),
                    "",
                    "Error: Api\n  at x\n"
                )
            ),
            Err(
                "README example 2 (ureq, README.md lines 67-69) failed (exit status: 1)\n  \
                 first line: use std::collections::BTreeMap;\n  \
                 stdout: (empty)\n  \
                 stderr:\n    Error: Api\n      at x\n"
                    .into()
            )
        );
        let hung = report(&example, &outcome(None, "partial\n", "")).unwrap_err();
        assert!(
            hung.starts_with(
                "README example 2 (ureq, README.md lines 67-69) was killed after 120 s\n"
            ),
            "{hung}"
        );
        assert!(hung.contains("  stdout:\n    partial\n"), "{hung}");
    }

    #[test]
    fn lockfile_packages() {
        let lock = "\
version = 4

[[package]]
name = \"bytes\"
version = \"1.10.1\"
source = \"registry+https://github.com/rust-lang/crates.io-index\"

[[package]]
name = \"pinata-ureq\"
version = \"0.1.0\"
dependencies = [
 \"bytes\",
]
";
        let packages = locked_packages(lock);
        let expected: BTreeSet<(String, String)> = [("bytes", "1.10.1"), ("pinata-ureq", "0.1.0")]
            .into_iter()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect();
        assert_eq!(packages, expected);

        let scratch = "\
[[package]]
name = \"bytes\"
version = \"1.10.1\"

[[package]]
name = \"readme-examples-ureq\"
version = \"0.0.0\"
";
        assert!(not_locked(lock, scratch, "readme-examples-ureq").is_empty());
        let newer = scratch.replace("1.10.1", "1.11.0");
        assert_eq!(
            not_locked(lock, &newer, "readme-examples-ureq"),
            ["bytes 1.11.0"]
        );
    }
}

//! The packaging checks of `cargo xtask ci`, on the crates published on crates.io ([`PUBLISHED`]):
//! the cheap one, [`check_package_contents`] (metadata, and what `cargo package --list` would
//! ship: README, licences, no development file), and the full one, [`verify_packages`] (`cargo
//! package`, each `.crate` built as a user would get it).

use std::path::{Path, PathBuf};

use crate::Result;
use crate::util::{cargo, root, run, target_dir};

/// The crates published on crates.io, dependencies first. Every other workspace member has
/// `publish = false` ([`check_package_contents`] checks that the two agree).
const PUBLISHED: &[&str] = &[
    "pinata-core",
    "pinata-hyper",
    "pinata-ureq",
    "pinata-emulator",
];

/// What must be in every published package (README.md and the licences come from the workspace
/// root: `readme.workspace` and symlinks in each crate).
const PACKAGE_REQUIRES: &[&str] = &["Cargo.toml", "README.md", "LICENSE-MIT", "LICENSE-APACHE"];

/// Above this a packaged file is refused: nothing a user of the crates needs is that big.
const PACKAGE_FILE_LIMIT: u64 = 1 << 20;

/// The cheap half of the packaging check (a second or two, no build): the published crates are
/// exactly the workspace members without `publish = false` and have the crates.io metadata, and
/// `cargo package --list` of each has the README and both licences, no development file
/// ([`development_file`]) and no warning from cargo.
pub(crate) fn check_package_contents() -> Result {
    let out = cargo()
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let metadata: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("cargo metadata's output is not JSON: {e}"))?;
    let packages = metadata["packages"]
        .as_array()
        .ok_or("cargo metadata lists no packages")?;
    let mut problems = Vec::new();
    let mut published = Vec::new();
    for package in packages {
        let name = package["name"].as_str().unwrap_or_default();
        // `publish = false` is `[]`; no `publish` key is null (any registry).
        let publishable = package["publish"]
            .as_array()
            .is_none_or(|registries| !registries.is_empty());
        if !publishable {
            continue;
        }
        published.push(name.to_owned());
        if !PUBLISHED.contains(&name) {
            problems.push(format!(
                "{name}: publishable, but not in xtask's PUBLISHED list (add it there, or set \
                 `publish = false`)"
            ));
            continue;
        }
        for field in [
            "description",
            "license",
            "repository",
            "readme",
            "documentation",
        ] {
            if package[field].as_str().is_none_or(str::is_empty) {
                problems.push(format!("{name}: no `{field}` in [package]"));
            }
        }
        for (field, max) in [("keywords", 5), ("categories", 5)] {
            let n = package[field].as_array().map_or(0, Vec::len);
            if n == 0 || n > max {
                problems.push(format!("{name}: {n} {field} (crates.io takes 1 to {max})"));
            }
        }
        let manifest = package["manifest_path"].as_str().unwrap_or_default();
        let dir = Path::new(manifest).parent().unwrap_or(Path::new("."));
        let list = cargo()
            .args(["package", "--list", "--allow-dirty", "-p", name])
            .output()
            .map_err(|e| format!("cannot run cargo package --list: {e}"))?;
        if !list.status.success() {
            problems.push(format!(
                "{name}: cargo package --list failed: {}",
                String::from_utf8_lossy(&list.stderr).trim()
            ));
            continue;
        }
        // cargo's warnings here are about the package: a readme it ignores, a file it cannot
        // include, a manifest key it does not know.
        problems.extend(
            String::from_utf8_lossy(&list.stderr)
                .lines()
                .filter_map(|line| line.strip_prefix("warning: "))
                .map(|warning| format!("{name}: cargo package warns: {warning}")),
        );
        // The crates' licences are symlinks to the root's; a checkout without symlinks (or a copy
        // that drifted) would ship something else.
        for licence in ["LICENSE-MIT", "LICENSE-APACHE"] {
            let ours = std::fs::read(root().join(licence))
                .map_err(|e| format!("{licence} at the workspace root: {e}"))?;
            if std::fs::read(dir.join(licence)).is_ok_and(|theirs| theirs != ours) {
                problems.push(format!(
                    "{name}: its {licence} is not the workspace root's (a symlink to \
                     ../../{licence} is expected)"
                ));
            }
        }
        let stdout = String::from_utf8_lossy(&list.stdout);
        let files: Vec<&str> = stdout.lines().collect();
        problems.extend(
            package_problems(&files, |file| {
                std::fs::metadata(dir.join(file)).ok().map(|m| m.len())
            })
            .into_iter()
            .map(|p| format!("{name}: {p}")),
        );
    }
    for name in PUBLISHED {
        if !published.iter().any(|p| p == name) {
            problems.push(format!(
                "{name}: in xtask's PUBLISHED list, but not a publishable workspace member"
            ));
        }
    }
    if !problems.is_empty() {
        return Err(format!("packaging:\n  {}", problems.join("\n  ")));
    }
    eprintln!(
        "packages hold their README and licences and no development file: {}",
        PUBLISHED.join(", ")
    );
    Ok(())
}

/// What is wrong with one package's file list (`cargo package --list`); `size` gives a listed
/// file's size on disk (`None` for the files cargo generates).
fn package_problems(files: &[&str], size: impl Fn(&str) -> Option<u64>) -> Vec<String> {
    let mut problems: Vec<String> = PACKAGE_REQUIRES
        .iter()
        .filter(|required| !files.contains(required))
        .map(|required| format!("{required} is missing from the package"))
        .collect();
    for file in files {
        if let Some(why) = development_file(file) {
            problems.push(format!("{file} is packaged ({why}): add it to `exclude`"));
        } else if let Some(len) = size(file).filter(|len| *len > PACKAGE_FILE_LIMIT) {
            problems.push(format!(
                "{file} is packaged and {} KiB (more than {} KiB): exclude it, or generate it in \
                 the tests",
                len / 1024,
                PACKAGE_FILE_LIMIT / 1024
            ));
        }
    }
    problems
}

/// Why a packaged path is for the project's developers, not for a user of the crate.
fn development_file(path: &str) -> Option<&'static str> {
    let parts: Vec<&str> = path.split('/').collect();
    let file = parts.last().copied().unwrap_or_default();
    if parts.contains(&"node_modules")
        || parts.contains(&"generator")
        || matches!(file, "package.json" | "package-lock.json")
        || [".js", ".mjs", ".cjs", ".ts"]
            .iter()
            .any(|ext| file.ends_with(ext))
    {
        Some("a test-vector generator: its output is committed")
    } else if parts.first() == Some(&"fuzz")
        || parts.contains(&"corpus")
        || parts.contains(&"artifacts")
    {
        Some("fuzzing: targets, corpora and crashes live in fuzz/")
    } else if parts.first() == Some(&"target") || file.ends_with(".profraw") {
        Some("build or coverage output")
    } else if parts
        .iter()
        .any(|part| part.starts_with('.') && *part != ".cargo_vcs_info.json")
    {
        Some("a dotfile: editor, VCS or tool configuration")
    } else {
        None
    }
}

/// The packaging check: `cargo package` of the published crates. pinata-core's `.crate` is then
/// built as a user would get it (lib; not tests or examples), its dependencies from crates.io:
/// that catches what no workspace build can, a file the build needs but the package leaves out, a
/// dependency or feature the crate uses but only another member declares (workspace builds unify
/// features). The adapters and the emulator are packaged with `--no-verify`: the manifests (a
/// version on every path dependency), lockfile generation and the file lists are checked, with
/// [`check_package_contents`] beside it, but they are not built again.
///
/// Why only the core is built, measured on 2 cores (cargo 1.95) from a cold clone: the packages
/// share no workspace profile or feature unification, so nothing in the main target directory
/// matches and every dependency is built again — 34 s for pinata-core, but about 4 minutes in
/// all with the adapters and the emulator (tokio, hyper, rustls with ring's C, SQLite's C),
/// which alone would take `cargo xtask ci` past its 12-minute budget. The core is the crate
/// every other one builds on and the one most embedders take alone.
///
/// The verification build goes to its own target directory (`target/package-verify`), without
/// debug info (half the disk, same check). Registry access follows cargo's own settings:
/// `--offline`/`CARGO_NET_OFFLINE=true` work once the dependencies are cached (the steps before
/// this one have fetched them); otherwise cargo refreshes the crates.io index, nothing else.
pub(crate) fn verify_packages() -> Result {
    let target = target_dir().join("package-verify");
    forget_previous_verification(&target)?;
    // --allow-dirty: this checks what would be packaged from the work tree; `cargo publish` still
    // refuses a dirty tree.
    let package = |verify: bool, names: &[&str]| {
        let mut package = cargo();
        package
            .env("CARGO_TARGET_DIR", &target)
            .env("CARGO_PROFILE_DEV_DEBUG", "false")
            .args(["package", "--allow-dirty"]);
        if !verify {
            package.arg("--no-verify");
        }
        for name in names {
            package.args(["-p", name]);
        }
        package
    };
    // All four in the listing run: a crate's path dependencies must be packaged beside it.
    run(package(true, &["pinata-core"]))?;
    run(package(false, PUBLISHED))
}

/// cargo verifies a crate's dependents against that crate as if published, through a local
/// registry (`<target>/package/tmp-registry`). Like any registry crate it is unpacked once, into
/// `$CARGO_HOME/registry/src/-<hash>/<name>-<version>/`, and built once: a registry crate of a
/// given version is taken never to change. So a later run, same version and new sources, would
/// verify the dependents against the sources and the build of the first run (seen with cargo
/// 1.95: pinata-ureq verified against a pinata-core from before an API change). Before each run:
/// drop our crates' unpacked copies from local registries (the `-<hash>` directories, whose
/// registries have no host) and our crates' build fingerprints in the verification target.
fn forget_previous_verification(target: &Path) -> Result {
    // `pinata-core-0.1.0` (unpacked) or `pinata-core-0123456789abcdef` (fingerprints).
    let ours = |name: &str| {
        PUBLISHED.iter().any(|krate| {
            name.strip_prefix(krate)
                .and_then(|rest| rest.strip_prefix('-'))
                .is_some_and(|rest| {
                    rest.starts_with(|c: char| c.is_ascii_digit())
                        || (rest.len() == 16 && rest.bytes().all(|b| b.is_ascii_hexdigit()))
                })
        })
    };
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")));
    let mut stale = Vec::new();
    if let Some(home) = cargo_home {
        for registry in subdirectories(&home.join("registry").join("src")) {
            if file_name(&registry).starts_with('-') {
                stale.extend(
                    subdirectories(&registry)
                        .into_iter()
                        .filter(|dir| ours(&file_name(dir))),
                );
            }
        }
    }
    for profile in subdirectories(target) {
        stale.extend(
            subdirectories(&profile.join(".fingerprint"))
                .into_iter()
                .filter(|dir| ours(&file_name(dir))),
        );
    }
    for dir in stale {
        std::fs::remove_dir_all(&dir)
            .map_err(|e| format!("cannot remove {}: {e}", dir.display()))?;
    }
    Ok(())
}

/// The directories directly in `dir` (none if it cannot be read).
fn subdirectories(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok())
                .filter(|entry| entry.file_type().is_ok_and(|t| t.is_dir()))
                .map(|entry| entry.path())
                .collect()
        })
        .unwrap_or_default()
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_package_check_wants_licences_and_no_development_files() {
        let good = [
            ".cargo_vcs_info.json",
            "Cargo.lock",
            "Cargo.toml",
            "Cargo.toml.orig",
            "LICENSE-APACHE",
            "LICENSE-MIT",
            "README.md",
            "src/lib.rs",
            "tests/it/main.rs",
            "tests/vectors/unixfs.json",
            "tests/permissions.proptest-regressions",
            "examples/cid.rs",
        ];
        assert_eq!(package_problems(&good, |_| Some(100)), Vec::<String>::new());

        let missing = package_problems(&["Cargo.toml", "README.md", "src/lib.rs"], |_| None);
        assert_eq!(
            missing,
            [
                "LICENSE-MIT is missing from the package",
                "LICENSE-APACHE is missing from the package"
            ]
        );

        for file in [
            "tests/vectors/generator/generate.mjs",
            "tests/vectors/generator/package.json",
            "tests/vectors/generator/package-lock.json",
            "tests/vectors/generator/.gitignore",
            "tools/node_modules/x/index.js",
            "fuzz/fuzz_targets/jwt.rs",
            "fuzz/corpus/jwt/0a1b",
            "tests/corpus/seed",
            "target/debug/x",
            "default_1.profraw",
            ".github/workflows/ci.yml",
        ] {
            let mut files = good.to_vec();
            files.push(file);
            let problems = package_problems(&files, |_| Some(100));
            assert_eq!(problems.len(), 1, "{file}: {problems:?}");
            assert!(problems[0].starts_with(&format!("{file} is packaged")));
        }

        let big = package_problems(&good, |file| {
            Some(if file == "tests/vectors/unixfs.json" {
                2 << 20
            } else {
                100
            })
        });
        assert_eq!(big.len(), 1);
        assert!(big[0].contains("2048 KiB"), "{big:?}");
    }
}

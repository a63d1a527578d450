//! The check that `ARCHITECTURE.md` stays a true map: every source file of the crates
//! (`crates/*/src/**.rs`) and of xtask is named in it, as its path (`api/metadata.rs`), its file
//! name (`metadata.rs`) or, for a module with children, its directory (`tus.rs` as `tus/`). Crate roots (`lib.rs`, `main.rs`), `mod.rs` and
//! unit-test files (`tests.rs`) need no mention. `cargo xtask ci` runs it, and so does
//! `cargo test -p xtask`.

use std::path::{Path, PathBuf};

use crate::Result;
use crate::util::root;

/// Fails naming every source file `ARCHITECTURE.md` does not mention.
pub(crate) fn check() -> Result {
    let root = root();
    let map = std::fs::read_to_string(root.join("ARCHITECTURE.md"))
        .map_err(|e| format!("ARCHITECTURE.md cannot be read: {e}"))?;
    let missing = unmentioned(&root, &map)?;
    if missing.is_empty() {
        println!("ARCHITECTURE.md names every module");
        return Ok(());
    }
    Err(format!(
        "ARCHITECTURE.md does not name these source files; say what each holds there:\n  {}",
        missing.join("\n  ")
    ))
}

/// The source files (relative to the workspace root) that `map` does not mention.
fn unmentioned(root: &Path, map: &str) -> Result<Vec<String>> {
    let mut sources = Vec::new();
    let crates = root.join("crates");
    let entries = std::fs::read_dir(&crates)
        .map_err(|e| format!("{} cannot be read: {e}", crates.display()))?;
    for entry in entries.flatten() {
        let src = entry.path().join("src");
        if src.is_dir() {
            sources.push(src);
        }
    }
    sources.push(root.join("xtask").join("src"));
    let mut missing = Vec::new();
    for src in sources {
        let mut files = Vec::new();
        rust_files(&src, &mut files)?;
        for file in files {
            let Ok(relative) = file.strip_prefix(&src) else {
                continue;
            };
            let relative = relative.to_string_lossy().replace('\\', "/");
            if !mentioned(&relative, map) {
                let shown = file.strip_prefix(root).unwrap_or(&file);
                missing.push(shown.display().to_string());
            }
        }
    }
    missing.sort();
    Ok(missing)
}

/// Whether `relative` (a path under a `src/`) needs no mention or is mentioned in `map`.
fn mentioned(relative: &str, map: &str) -> bool {
    let name = relative.rsplit('/').next().unwrap_or(relative);
    if matches!(name, "lib.rs" | "main.rs" | "mod.rs" | "tests.rs") {
        return true;
    }
    let stem = relative.trim_end_matches(".rs");
    map.contains(relative) || map.contains(name) || map.contains(&format!("{stem}/"))
}

/// Every `.rs` file under `dir`, depth first.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("{} cannot be read: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_counts_as_named_by_its_path_its_name_or_its_directory() {
        let map = "`api/metadata.rs` holds …; `tus/` the session; `network.rs` the proxy";
        assert!(mentioned("api/metadata.rs", map));
        assert!(mentioned("commands/network.rs", map));
        // `tus.rs` is the module whose directory `tus/` is named; a file inside it is not.
        assert!(mentioned("tus.rs", map));
        assert!(!mentioned("tus/driver.rs", map));
        assert!(mentioned("lib.rs", ""));
        assert!(mentioned("api/mod.rs", ""));
        assert!(!mentioned("api/reason.rs", map));
    }

    #[test]
    fn this_workspace_s_map_names_every_module() {
        assert_eq!(check(), Ok(()));
    }
}

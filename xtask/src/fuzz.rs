//! `cargo xtask fuzz [--seconds N] [TARGET...]`: run the cargo-fuzz targets in `fuzz/` with their
//! committed corpora (all of them, or the targets named); needs `cargo install cargo-fuzz`.

use crate::Result;
use crate::util::{cargo, root, run};

/// The fuzz targets (fuzz/fuzz_targets/*.rs).
pub(crate) const TARGETS: &[&str] = &[
    "error_body",
    "auth_headers",
    "jwt",
    "multipart",
    "query",
    "responses",
    "control",
];

pub(crate) fn fuzz(seconds: u64, targets: &[String]) -> Result {
    let targets: Vec<&str> = if targets.is_empty() {
        TARGETS.to_vec()
    } else {
        targets.iter().map(String::as_str).collect()
    };
    let installed = cargo()
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        return Err("cargo-fuzz is not installed: run `cargo install cargo-fuzz`".into());
    }
    for target in targets {
        let corpus = format!("corpus/{target}");
        std::fs::create_dir_all(root().join("fuzz").join(&corpus)).map_err(|e| e.to_string())?;
        let mut cmd = cargo();
        cmd.current_dir(root().join("fuzz"))
            // cargo-fuzz passes -Z flags (sanitizers); the stable toolchain takes them this way.
            .env("RUSTC_BOOTSTRAP", "1")
            .args(["fuzz", "run", target, &corpus, "--"])
            .arg(format!("-max_total_time={seconds}"))
            .arg("-max_len=4096");
        run(cmd)?;
    }
    eprintln!("fuzzing found nothing: no crash, no failed assertion");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fuzz_targets_are_the_files_in_fuzz() {
        let mut files: Vec<String> = std::fs::read_dir(root().join("fuzz").join("fuzz_targets"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter_map(|name| name.strip_suffix(".rs").map(str::to_owned))
            .collect();
        files.sort();
        let mut targets: Vec<&str> = TARGETS.to_vec();
        targets.sort_unstable();
        assert_eq!(files, targets);
    }
}

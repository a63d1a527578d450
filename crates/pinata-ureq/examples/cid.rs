//! Prints the CID `ipfs add` (and Pinata) would give a file or folder, computed locally.
//!
//! ```sh
//! cargo run -p pinata-ureq --example cid -- [--v1] [--report] PATH...
//! ```
//! `--report` adds the bytes hashed and the process's peak memory (Linux), for `cargo xtask bench`.

use std::process::ExitCode;

use pinata_core::cid::{CidVersion, ImportOptions};

fn main() -> ExitCode {
    let mut version = CidVersion::V0;
    let mut report = false;
    let mut paths = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--v1" => version = CidVersion::V1,
            "--report" => report = true,
            _ => paths.push(arg),
        }
    }
    if paths.is_empty() {
        eprintln!("usage: cid [--v1] [--report] PATH...");
        return ExitCode::from(2);
    }
    for path in paths {
        match pinata_ureq::cid_of_path(&path, ImportOptions::new(version)) {
            Ok(cid) => println!("{cid}  {path}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    if report {
        // VmHWM: the peak resident set size, in kB.
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        if let Some(line) = status.lines().find(|l| l.starts_with("VmHWM:")) {
            println!(
                "peak-rss-kb {}",
                line.split_whitespace().nth(1).unwrap_or("0")
            );
        }
    }
    ExitCode::SUCCESS
}

//! `cargo xtask bench`: every figure is measured against a baseline doing the same work on the same
//! machine in the same run, so the ratio is the headline (these machines are shared and noisy).
//! Results are printed and written to BENCHMARKS.md.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::{Result, cargo, root, run, target_dir};

/// min, median, max of `values`.
fn spread(values: &[f64]) -> (f64, f64, f64) {
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    (v[0], v[v.len() / 2], v[v.len() - 1])
}

/// Writes `len` bytes of reproducible pseudo-random data to `path` (kept between runs).
fn make_file(path: &Path, len: u64) -> Result {
    if std::fs::metadata(path).is_ok_and(|m| m.len() == len) {
        return Ok(());
    }
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?,
    );
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut buf = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        for word in buf.chunks_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            word.copy_from_slice(&x.to_le_bytes()[..word.len()]);
        }
        let n = left.min(buf.len() as u64) as usize;
        out.write_all(&buf[..n]).map_err(|e| e.to_string())?;
        left -= n as u64;
    }
    out.flush().map_err(|e| e.to_string())
}

/// Runs `cmd`, returns its wall time and stdout.
fn timed(cmd: &mut Command) -> Result<(Duration, String)> {
    let started = Instant::now();
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    let elapsed = started.elapsed();
    if !out.status.success() {
        return Err(format!(
            "{cmd:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok((elapsed, String::from_utf8_lossy(&out.stdout).into_owned()))
}

fn peak_rss_mib(stdout: &str) -> f64 {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("peak-rss-kb "))
        .and_then(|kb| kb.trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

struct Section {
    title: String,
    method: String,
    table: String,
}

pub(crate) fn all(quick: bool) -> Result {
    let mut build = cargo();
    build.args([
        "build",
        "--release",
        "--quiet",
        "-p",
        "pinata-ureq",
        "--example",
        "cid",
    ]);
    run(build)?;
    let dir = target_dir().join("bench");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let sections = vec![cid_importer(&dir, quick)?];
    let report = render(&sections, quick);
    print!("{report}");
    if !quick {
        std::fs::write(root().join("BENCHMARKS.md"), &report).map_err(|e| e.to_string())?;
        eprintln!("written to BENCHMARKS.md");
    }
    Ok(())
}

/// CID importer throughput vs `sha256sum` of the same file, and peak memory for two file sizes.
fn cid_importer(dir: &Path, quick: bool) -> Result<Section> {
    let runs = if quick { 1 } else { 5 };
    let sizes: &[u64] = if quick {
        &[16 << 20]
    } else {
        &[64 << 20, 1 << 30]
    };
    let cid_bin = target_dir().join("release").join("examples").join("cid");
    let openssl = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    let mut table = String::from(
        "| input | tool | MiB/s min | median | max | vs sha256sum | vs openssl | peak RSS |\n|---|---|---|---|---|---|---|---|\n",
    );
    for &size in sizes {
        let file: PathBuf = dir.join(format!("random-{}m.bin", size >> 20));
        make_file(&file, size)?;
        let mib = size as f64 / (1 << 20) as f64;
        // Warm the page cache so both tools read from memory.
        timed(Command::new("sha256sum").arg(&file))?;
        let (mut sha, mut ossl, mut v0, mut v1) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let (mut rss0, mut rss1) = (0f64, 0f64);
        for _ in 0..runs {
            // Interleaved, so drift in machine load hits all three alike.
            sha.push(mib / timed(Command::new("sha256sum").arg(&file))?.0.as_secs_f64());
            if openssl {
                let mut cmd = Command::new("openssl");
                ossl.push(
                    mib / timed(cmd.args(["dgst", "-sha256"]).arg(&file))?
                        .0
                        .as_secs_f64(),
                );
            }
            let (t, out) = timed(Command::new(&cid_bin).arg("--report").arg(&file))?;
            v0.push(mib / t.as_secs_f64());
            rss0 = rss0.max(peak_rss_mib(&out));
            let (t, out) = timed(Command::new(&cid_bin).args(["--v1", "--report"]).arg(&file))?;
            v1.push(mib / t.as_secs_f64());
            rss1 = rss1.max(peak_rss_mib(&out));
        }
        let (_, sha_med, _) = spread(&sha);
        let ossl_med = if ossl.is_empty() {
            f64::NAN
        } else {
            spread(&ossl).1
        };
        for (tool, values, rss) in [
            ("sha256sum", &sha, f64::NAN),
            ("openssl dgst -sha256", &ossl, f64::NAN),
            ("pinata cid (v0)", &v0, rss0),
            ("pinata cid (v1)", &v1, rss1),
        ] {
            if values.is_empty() {
                continue;
            }
            let (lo, med, hi) = spread(values);
            let rss = if rss.is_nan() {
                "–".to_owned()
            } else {
                format!("{rss:.1} MiB")
            };
            let _ = writeln!(
                table,
                "| {} MiB | {tool} | {lo:.0} | {med:.0} | {hi:.0} | {:.2}× | {:.2}× | {rss} |",
                size >> 20,
                med / sha_med,
                med / ossl_med
            );
        }
    }
    Ok(Section {
        title: "CID importer vs sha256sum".into(),
        method: format!(
            "`cid` (pinata-ureq example, release build) computes the UnixFS root CID of a file of \
             reproducible pseudo-random bytes, as `ipfs add` would (256 KiB chunks, 174 links, sha2-256; \
             v0 wraps leaves in dag-pb, v1 uses raw leaves); `sha256sum` hashes the same file once. \
             `openssl dgst -sha256` is a second raw-hash baseline: coreutils' sha256sum here does not \
             use the CPU's SHA extensions, which OpenSSL and the sha2 crate detect at run time. \
             Page cache warm, {runs} interleaved runs each, wall time of the whole process. Ratios = \
             median / baseline median (higher is faster). Peak RSS from the importer's own \
             VmHWM: flat means it does not grow with the file."
        ),
        table,
    })
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    format!("{cpu}, {cores} cores; {rustc}")
}

fn render(sections: &[Section], quick: bool) -> String {
    let mut out = String::from("# Benchmarks\n\n");
    let _ = writeln!(
        out,
        "Generated by `cargo xtask bench`{}. Machine: {}.\n\nEvery headline figure is a ratio \
         against a baseline measured in the same run on the same machine.\n",
        if quick { " --quick" } else { "" },
        machine()
    );
    for s in sections {
        let _ = writeln!(out, "## {}\n\n{}\n\n{}", s.title, s.method, s.table);
    }
    out
}

//! `cargo xtask bench`: every figure is measured against a baseline doing the same work on the same
//! machine in the same run, so the ratio is the headline (these machines are shared and noisy).
//! Results are printed and written to BENCHMARKS.md.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::Result;
use crate::util::{cargo, root, run, target_dir};

mod emulated;
mod versions;

/// min, median, max of `values` (the median of an even count is the mean of the middle two; NaN
/// when there are none).
fn spread(values: &[f64]) -> (f64, f64, f64) {
    let mut v = values.to_vec();
    if v.is_empty() {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let mid = v.len() / 2;
    let median = if v.len().is_multiple_of(2) {
        (v[mid - 1] + v[mid]) / 2.0
    } else {
        v[mid]
    };
    (v[0], median, v[v.len() - 1])
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

/// The sections, in BENCHMARKS.md's order, by the names `cargo xtask bench SECTION` takes.
pub(crate) const SECTIONS: &[&str] = &[
    "overhead",
    "rps",
    "uploads",
    "cid",
    "weight",
    "sdk",
    "tus",
    "downloads",
    "many-files",
    "emulator",
    "http2",
];

/// Runs the sections named in `only` (every one when it is empty) and prints them; unless `quick`,
/// writes BENCHMARKS.md: the whole report, or with `only`, those sections replaced (or added) in it
/// and the others kept.
pub(crate) fn all(quick: bool, only: &[String]) -> Result {
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
    let mut build = cargo();
    // `native-roots`: pinata-hyper trusts what `SSL_CERT_FILE` names, for the HTTPS emulator.
    build.args([
        "build",
        "--release",
        "--quiet",
        "-p",
        "pinata-bench",
        "--features",
        "native-roots",
    ]);
    run(build)?;
    let dir = target_dir().join("bench");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let mut sections = Vec::new();
    for &name in SECTIONS {
        if !only.is_empty() && !only.iter().any(|o| o == name) {
            continue;
        }
        sections.push(match name {
            "overhead" => core_overhead(quick)?,
            "rps" => requests_per_second(quick)?,
            "uploads" => uploads(&dir, quick)?,
            "cid" => cid_importer(&dir, quick)?,
            "weight" => dependency_weight()?,
            "sdk" => emulated::against_the_sdk(&dir, quick)?,
            "tus" => emulated::resumable_uploads(&dir, quick)?,
            "downloads" => emulated::downloads(&dir, quick)?,
            "many-files" => emulated::many_files(&dir, quick)?,
            "emulator" => emulated::emulator_under_load(&dir, quick)?,
            _ => versions::http2_against_http1(&dir, quick)?,
        });
    }
    let report = render(&sections, quick);
    print!("{report}");
    if quick {
        return Ok(());
    }
    let path = root().join("BENCHMARKS.md");
    let written = if only.is_empty() {
        report
    } else {
        let mut kept = std::fs::read_to_string(&path).unwrap_or_else(|_| render(&[], false));
        for section in &sections {
            kept = replace_section(&kept, section);
        }
        kept
    };
    std::fs::write(&path, written).map_err(|e| e.to_string())?;
    eprintln!("written to BENCHMARKS.md");
    Ok(())
}

/// One section as BENCHMARKS.md shows it.
fn render_section(s: &Section) -> String {
    format!("## {}\n\n{}\n\n{}", s.title, s.method, s.table)
}

/// `report` with `section` in place of the one of the same title (up to the next `## `), or added
/// at the end when there is none.
fn replace_section(report: &str, section: &Section) -> String {
    let heading = format!("## {}\n", section.title);
    let Some(start) = report
        .match_indices(&heading)
        .map(|(at, _)| at)
        .find(|&at| at == 0 || report[..at].ends_with('\n'))
    else {
        let mut out = report.trim_end_matches('\n').to_owned();
        out.push_str("\n\n");
        out.push_str(&render_section(section));
        return out;
    };
    let after = start + heading.len();
    let end = report[after..]
        .find("\n## ")
        .map_or(report.len(), |at| after + at + 1);
    format!(
        "{}{}\n{}",
        &report[..start],
        render_section(section).trim_end_matches('\n'),
        &report[end..]
    )
}

fn bench_bin() -> PathBuf {
    target_dir().join("release").join("pinata-bench")
}

/// `key value` numbers from a benchmark program's output, by key.
fn values(output: &str, key: &str) -> Vec<f64> {
    output
        .lines()
        .filter_map(|l| l.strip_prefix(key)?.strip_prefix(' ')?.trim().parse().ok())
        .collect()
}

/// Whether valgrind is installed.
fn has_valgrind() -> bool {
    Command::new("valgrind")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Instructions callgrind counts for one run of the benchmark program with `args`.
fn callgrind(args: &[&str]) -> Result<f64> {
    let out = Command::new("valgrind")
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .arg(bench_bin())
        .args(args)
        .output()
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stderr);
    text.lines()
        .find_map(|l| l.split("Collected :").nth(1))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .ok_or_else(|| format!("no instruction count from callgrind: {text}"))
}

/// Build-and-decode cost of the core against hand-written code: time per operation, and instruction
/// counts from callgrind (repeatable on a noisy machine).
fn core_overhead(quick: bool) -> Result<Section> {
    let (_, out) = timed(Command::new(bench_bin()).arg("overhead"))?;
    let core = values(&out, "core_ns");
    let base = values(&out, "baseline_ns");
    let (clo, cmed, chi) = spread(&core);
    let (blo, bmed, bhi) = spread(&base);
    let mut table = String::from(
        "| operation | ns/op min | median | max | ratio (median) |\n|---|---|---|---|---|\n",
    );
    let _ = writeln!(
        table,
        "| hand-written `http::Request` + `serde_json` | {blo:.0} | {bmed:.0} | {bhi:.0} | 1.00× |"
    );
    let _ = writeln!(
        table,
        "| pinata-core `prepare_request` + `interpret_response` | {clo:.0} | {cmed:.0} | {chi:.0} | {:.2}× |",
        cmed / bmed
    );
    if has_valgrind() && !quick {
        let instructions = |mode: &str, iters: u32| -> Result<f64> {
            callgrind(&["overhead", "--mode", mode, "--iters", &iters.to_string()])
        };
        let per_op = |mode: &str| -> Result<f64> {
            Ok((instructions(mode, 2200)? - instructions(mode, 200)?) / 2000.0)
        };
        let (c, b) = (per_op("core")?, per_op("baseline")?);
        let _ = writeln!(
            table,
            "| instructions/op (callgrind): hand-written {b:.0}, pinata-core {c:.0} | | | | {:.2}× |",
            c / b
        );
    }
    Ok(Section {
        title: "Core overhead".into(),
        method: "One operation: build an authenticated `GET /data/pinList` request with three filters \
                 and decode a 10-row page. The baseline builds the same `http::Request` (same URI and \
                 headers, secrets marked sensitive) with `http::Request::builder` and decodes the same \
                 bytes with `serde_json` into hand-written structs. 15 interleaved batches of 20,000 \
                 operations (release build); instruction counts are callgrind's, per operation, from \
                 the difference of a 2,200- and a 200-operation run. Bar: within 1.25×."
            .into(),
        table,
    })
}

/// Requests per second over keep-alive to a minimal local hyper server.
fn requests_per_second(quick: bool) -> Result<Section> {
    let (seconds, rounds) = if quick { ("0.2", "3") } else { ("0.5", "24") };
    let (_, out) =
        timed(Command::new(bench_bin()).args(["rps", "--seconds", seconds, "--rounds", rounds]))?;
    // (round, req/s, connections per 1,000 requests) of one client at one concurrency.
    let series = |name: &str, c: usize| -> Vec<(u32, f64, f64)> {
        let prefix = format!("{name} c={c} round=");
        out.lines()
            .filter_map(|l| {
                let mut words = l.strip_prefix(&prefix)?.split_whitespace();
                let round = words.next()?.parse().ok()?;
                let (_, rps, _, conns) =
                    (words.next()?, words.next()?, words.next()?, words.next()?);
                Some((round, rps.parse().ok()?, conns.parse().ok()?))
            })
            .collect()
    };
    let mut table = String::from(
        "| client | tasks | req/s min | median | max | ratio vs baseline, same round: median (min–max) | connections per 1,000 requests |\n|---|---|---|---|---|---|---|\n",
    );
    for (name, baseline, c) in [
        ("raw-hyper", "raw-hyper", 1),
        ("raw-hyper+timeout", "raw-hyper", 1),
        ("raw-hyper+idle-timer", "raw-hyper", 1),
        ("raw-hyper+setup", "raw-hyper", 1),
        ("pinata-hyper", "raw-hyper", 1),
        ("pinata-hyper", "raw-hyper+setup", 1),
        ("raw-hyper", "raw-hyper", 32),
        ("raw-hyper+timeout", "raw-hyper", 32),
        ("raw-hyper+setup", "raw-hyper", 32),
        ("pinata-hyper", "raw-hyper", 32),
        ("pinata-hyper", "raw-hyper+setup", 32),
        ("raw-ureq", "raw-ureq", 1),
        ("raw-ureq+timeouts", "raw-ureq", 1),
        ("pinata-ureq", "raw-ureq", 1),
    ] {
        let runs = series(name, c);
        let base = series(baseline, c);
        let ratios: Vec<f64> = runs
            .iter()
            .filter_map(|(round, rps, _)| {
                let (_, b, _) = base.iter().find(|(r, _, _)| r == round)?;
                Some(rps / b)
            })
            .collect();
        if ratios.is_empty() {
            continue;
        }
        let rps: Vec<f64> = runs.iter().map(|r| r.1).collect();
        let conns: Vec<f64> = runs.iter().map(|r| r.2).collect();
        let (lo, med, hi) = spread(&rps);
        let (rlo, rmed, rhi) = spread(&ratios);
        let (_, conn, _) = spread(&conns);
        let _ = writeln!(
            table,
            "| {name} (vs {baseline}) | {c} | {lo:.0} | {med:.0} | {hi:.0} | {rmed:.2}× ({rlo:.2}–{rhi:.2}) | {conn:.2} |"
        );
    }
    if has_valgrind() && !quick {
        // Repeatable: instructions per request (client and server in one process, 32 tasks).
        let count = |client: &str, n: u32| -> Result<f64> {
            callgrind(&[
                "rps-fixed",
                "--client",
                client,
                "--concurrency",
                "32",
                "--requests",
                &n.to_string(),
            ])
        };
        // 416 = 13 per task and 2432 = 76 per task: whole multiples of 32.
        let per_request = |client: &str| -> Result<f64> {
            Ok((count(client, 2432)? - count(client, 416)?) / 2016.0)
        };
        let (pinata, raw) = (per_request("pinata")?, per_request("raw")?);
        let _ = writeln!(
            table,
            "\nInstructions per request at concurrency 32 (callgrind, client and server in one process): \
             raw hyper-util {raw:.0}, pinata-hyper {pinata:.0}: {:.2}×, {:.0} more per request.",
            pinata / raw,
            pinata - raw
        );
    }
    Ok(Section {
        title: "Requests per second".into(),
        method: format!(
            "`GET /data/testAuthentication` over keep-alive to a minimal local hyper server (not the \
             emulator: a fixed answer, on its own runtime thread). {rounds} rounds; each round runs \
             every client for {seconds} s (req/s = requests over the measured time, in-flight ones \
             included), in an order that rotates every two rounds and runs backwards on odd ones (so \
             each client runs before and after each other one equally often), and a \
             client's ratio is taken against its baseline *in the same round*, so both saw the same \
             moment of a shared, noisy machine; the headline is the median of those per-round \
             ratios. pinata-hyper (`Client::test_authentication`, no retries) against a raw hyper-util \
             client with a plain `HttpConnector`, sending the same headers and decoding the same JSON, \
             at 1 and 32 concurrent tasks on one runtime thread. More hyper-util clients split the \
             difference: `raw-hyper+timeout` adds only the 60 s whole-request timer pinata-hyper puts \
             on every request; `raw-hyper+idle-timer` has no timer per request, only one unrelated \
             1-hour sleep pending in the runtime; `raw-hyper+setup` does everything pinata-hyper's \
             transport does (the HTTPS-or-HTTP connector, a boxed request body, the boxed future of \
             `AsyncTransport::send`, the timer) without pinata-core, so `pinata-hyper (vs \
             raw-hyper+setup)` is the core's own share. pinata-ureq against raw ureq, sequential, \
             with ureq's defaults; `raw-ureq+timeouts` is raw ureq with the connect and \
             whole-request timeouts pinata-ureq sets, through ureq's default resolver. Connections \
             are counted by the server; one per worker is `workers × 1000 / requests`. At 32 tasks \
             hyper-util opens somewhat more connections than there are tasks, raw or not (about 40 \
             to 50 for 32): when every pooled connection is busy, its pool starts a new connection \
             while waiting for one to come back, and when the pooled one wins it still finishes the \
             new connection in the background and pools it. Bar: 0.95×.\n\n\
             What limits each figure. (1) pinata-ureq: ureq's default resolver looks the host up on \
             every request, pooled connection or not, and when a timeout applies it does so on a \
             newly spawned thread (strace: one `clone3` per request), about 40 µs per request on \
             loopback, as the `raw-ureq+timeouts` row shows. pinata-ureq installs its own resolver \
             (IP literals are parsed, a host name's answer is reused for 30 s), which removed that \
             gap (pinata-ureq was at 0.63×). What remains, a few per cent and within the per-round \
             spread, is also the timeout's: ureq re-arms the socket's read and write timeouts with \
             the time left on every request, two `setsockopt` calls per request that raw ureq \
             without timeouts does not make (`perf stat`: 13.0 against 11.0 system calls per \
             request). (2) pinata-hyper at 1 task: the whole-request timer. \
             The core and the rest of the transport cost nothing measurable there (`vs \
             raw-hyper+setup` ≈ 1×), and raw hyper-util with the same timer loses the same. It is \
             not the timer's own work (about 1,700 instructions per request, counted with \
             callgrind) but how the runtime then waits: with any timer pending, Tokio parks its \
             thread in `epoll_wait` with a timeout, so the kernel arms and cancels a high-resolution \
             timer on every wait (`perf stat`: 1.0 `hrtimer_start` per request against 0.07 without \
             a timer), and one idle sleep anywhere in the runtime costs raw hyper-util as much \
             (`raw-hyper+idle-timer`). At one request in flight every request waits, so this shows \
             fully; an application with any timer of its own already pays it. The timer stays: it is \
             what guarantees that no call hangs. (3) pinata-hyper at 32 tasks: a few per cent, about \
             half of it the transport set-up (`raw-hyper+setup`), the rest within the spread of the \
             per-round ratios. Counted with callgrind, pinata-core's request building and response \
             decoding take fewer instructions than the hand-written code of the raw client (about \
             6,400 against 6,800 per request); the extra instructions are the timer's. At 1 task the \
             per-round ratios spread widely (each request is a round trip between two threads, timed \
             by the scheduler more than by the client), hence the median of many short rounds."
        ),
        table,
    })
}

/// Uploads through each adapter to a local sink, against `curl -F` to the same sink.
/// The benchmark programs' discarding server (`pinata-bench sink`), killed when dropped.
struct Sink {
    child: std::process::Child,
    url: String,
}

impl Sink {
    fn start() -> Result<Self> {
        let mut child = Command::new(bench_bin())
            .arg("sink")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| e.to_string())?;
        let mut line = String::new();
        if let Some(out) = child.stdout.take() {
            std::io::BufRead::read_line(&mut std::io::BufReader::new(out), &mut line)
                .map_err(|e| e.to_string())?;
        }
        let url = line
            .trim()
            .strip_prefix("url ")
            .unwrap_or_default()
            .to_owned();
        if url.is_empty() {
            let _ = child.kill();
            return Err("the sink did not start".into());
        }
        Ok(Self { child, url })
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn uploads(dir: &Path, quick: bool) -> Result<Section> {
    let sink = Sink::start()?;
    let url = sink.url.clone();
    let result = (|| -> Result<Section> {
        let runs = if quick { 1 } else { 3 };
        let sizes: &[u64] = if quick {
            &[16 << 20]
        } else {
            &[64 << 20, 1 << 30]
        };
        let mut table = String::from(
            "| file | tool | MiB/s min | median | max | ratio vs curl (median) | peak RSS |\n|---|---|---|---|---|---|---|\n",
        );
        for &size in sizes {
            let file = dir.join(format!("random-{}m.bin", size >> 20));
            make_file(&file, size)?;
            let mib = size as f64 / (1 << 20) as f64;
            let (mut curl, mut hy, mut uq) = (Vec::new(), Vec::new(), Vec::new());
            let (mut curl_rss, mut hy_rss, mut uq_rss) = (0f64, 0f64, 0f64);
            for _ in 0..runs {
                let (t, _) = timed(
                    Command::new("curl")
                        .args(["-s", "-o", "/dev/null", "-F"])
                        .arg(format!("file=@{}", file.display()))
                        .arg(format!("{url}/pinning/pinFileToIPFS")),
                )?;
                curl.push(mib / t.as_secs_f64());
                for (via, speeds, rss) in [
                    ("hyper", &mut hy, &mut hy_rss),
                    ("ureq", &mut uq, &mut uq_rss),
                ] {
                    let (_, out) = timed(
                        Command::new(bench_bin())
                            .args(["upload", "--via", via, "--url", &url, "--file"])
                            .arg(&file),
                    )?;
                    let secs = values(&out, "seconds").first().copied().unwrap_or(f64::NAN);
                    speeds.push(mib / secs);
                    *rss = rss
                        .max(values(&out, "peak_rss_kib").first().copied().unwrap_or(0.0) / 1024.0);
                }
                curl_rss = curl_rss.max(curl_peak_rss(&file, &url).unwrap_or(f64::NAN));
            }
            let (_, cmed, _) = spread(&curl);
            for (tool, values, rss) in [
                ("curl -F", &curl, curl_rss),
                ("pinata-hyper", &hy, hy_rss),
                ("pinata-ureq", &uq, uq_rss),
            ] {
                let (lo, med, hi) = spread(values);
                let _ = writeln!(
                    table,
                    "| {} MiB | {tool} | {lo:.0} | {med:.0} | {hi:.0} | {:.2}× | {rss:.1} MiB |",
                    size >> 20,
                    med / cmed
                );
            }
        }
        Ok(Section {
            title: "Uploads".into(),
            method: format!(
                "One file (reproducible pseudo-random bytes, page cache warm) uploaded as \
                 `pinFileToIPFS` multipart to a local sink server that reads and discards the body. \
                 pinata-hyper and pinata-ureq stream it from disk (`PinFile`, no CID check); the \
                 baseline is `curl -s -F file=@FILE` to the same sink. Throughput is the file size over \
                 the wall time of the whole process; {runs} runs each, interleaved. Peak RSS is the \
                 uploading process's (VmHWM; curl's from GNU time). Bars: 0.9× curl, and flat peak RSS \
                 across sizes."
            ),
            table,
        })
    })();
    drop(sink);
    result
}

/// curl's peak RSS for one upload, from GNU time (MiB).
fn curl_peak_rss(file: &Path, url: &str) -> Option<f64> {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "maxrss %M", "curl", "-s", "-o", "/dev/null", "-F"])
        .arg(format!("file=@{}", file.display()))
        .arg(format!("{url}/pinning/pinFileToIPFS"))
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stderr);
    text.lines()
        .find_map(|l| l.strip_prefix("maxrss "))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
}

/// How much each crate pulls in, and how long the core takes to build from scratch.
fn dependency_weight() -> Result<Section> {
    let mut table = String::from(
        "| crate | crates in its normal dependency tree (itself included) |\n|---|---|\n",
    );
    for krate in [
        "pinata-core",
        "pinata-ureq",
        "pinata-hyper",
        "pinata-emulator",
    ] {
        let out = cargo()
            .args([
                "tree", "-p", krate, "-e", "normal", "--prefix", "none", "--format", "{p}",
            ])
            .output()
            .map_err(|e| e.to_string())?;
        let mut names: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| {
                l.split_whitespace()
                    .take(2)
                    .collect::<Vec<_>>()
                    .join(" ")
                    .into()
            })
            .collect();
        names.sort();
        names.dedup();
        let _ = writeln!(table, "| {krate} | {} |", names.len());
    }
    let clean = target_dir().join("bench").join("clean-core");
    let _ = std::fs::remove_dir_all(&clean);
    let mut fetch = cargo();
    fetch.args(["fetch", "--quiet"]);
    run(fetch)?;
    let mut build = cargo();
    build
        .env("CARGO_TARGET_DIR", &clean)
        .args(["build", "--quiet", "-p", "pinata-core"]);
    let (took, _) = timed(&mut build)?;
    let _ = std::fs::remove_dir_all(&clean);
    let _ = writeln!(
        table,
        "\nClean debug build of pinata-core (its own target directory, sources already downloaded): {:.1} s.",
        took.as_secs_f64()
    );
    Ok(Section {
        title: "Dependency weight".into(),
        method: "`cargo tree -e normal` per crate (distinct package versions), and a timed \
                 `cargo build -p pinata-core` into an empty target directory."
            .into(),
        table,
    })
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
        let _ = writeln!(out, "{}", render_section(s));
    }
    out
}

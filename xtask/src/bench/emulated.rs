//! `cargo xtask bench`, round 2: the library against the official TypeScript SDK and against curl,
//! every side talking to the same release emulator process, and the emulator's own figures.
//!
//! Our side is `pinata-bench work` and `pinata-bench hammer` (benches/src); the SDK's is
//! `benches/sdk/bench.mjs`, installed with `npm ci` from its committed lockfile into a scratch
//! folder. Without Node or npm the SDK part says so and is skipped; everything else runs.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use super::{Section, Sink, bench_bin, make_file, spread, timed, values};
use crate::Result;
use crate::emulator::EmulatorProcess;
use crate::util::root;

/// What one run of a benchmark program reported.
#[derive(Debug, Default, Clone)]
struct Out {
    wall_ms: f64,
    rss_mib: f64,
    cid: Option<String>,
    resent: f64,
}

fn parse(stdout: &str) -> Out {
    let one = |k: &str| values(stdout, k).first().copied().unwrap_or(f64::NAN);
    Out {
        wall_ms: one("wall-ms"),
        rss_mib: one("peak-rss-kb") / 1024.0,
        cid: stdout
            .lines()
            .find_map(|l| l.strip_prefix("cid "))
            .map(|c| c.trim().to_owned()),
        resent: values(stdout, "resent").first().copied().unwrap_or(0.0),
    }
}

/// A running release emulator with its URL and admin JWT.
struct Emu {
    /// Kept for its lifetime: dropping it stops the emulator.
    _process: EmulatorProcess,
    url: String,
    jwt: String,
}

impl Emu {
    fn start(args: &[&str]) -> Result<Self> {
        let process = EmulatorProcess::start_profile("release", args)?;
        let url = process.get("/url")?;
        let jwt = process.get("/admin/jwt")?;
        Ok(Self {
            _process: process,
            url,
            jwt,
        })
    }

    /// `pinata-bench work --via VIA … TASK ARGS`.
    fn work(&self, via: &str, task: &[&str]) -> Result<Out> {
        let (_, stdout) = timed(
            Command::new(bench_bin())
                .args(["work", "--via", via, "--url", &self.url])
                .env("PINATA_JWT", &self.jwt)
                .args(task),
        )?;
        Ok(parse(&stdout))
    }

    /// `node bench.mjs … TASK ARGS`.
    fn sdk(&self, bench: &Path, task: &[&str]) -> Result<Out> {
        let (_, stdout) = timed(
            Command::new("node")
                .arg(bench)
                .args(["--url", &self.url])
                .env("PINATA_JWT", &self.jwt)
                .args(task),
        )?;
        Ok(parse(&stdout))
    }
}

/// Waits for the disk to take every dirty page (`sync`), so no run pays for the writes of the one
/// before it (the emulator writes every upload to disk; unflushed gigabytes made the next run's
/// figures swing by 2× and more).
pub(super) fn settle() {
    let _ = Command::new("sync").status();
}

/// Reads `path` once, so every tool starts with its pages cached.
pub(super) fn warm(path: &Path) -> Result {
    let mut f = std::fs::File::open(path).map_err(|e| e.to_string())?;
    std::io::copy(&mut f, &mut std::io::sink()).map_err(|e| e.to_string())?;
    Ok(())
}

pub(super) fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1u64 << 20) as f64
}

/// Installs the pinned SDK into `dir/sdk` (`npm ci`); `Err` with the reason it cannot run.
fn install_sdk(dir: &Path) -> std::result::Result<PathBuf, String> {
    for tool in ["node", "npm"] {
        let found = Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            return Err(format!("{tool} is not installed"));
        }
    }
    let scratch = dir.join("sdk");
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    for file in ["package.json", "package-lock.json", "bench.mjs"] {
        std::fs::copy(root().join("benches/sdk").join(file), scratch.join(file))
            .map_err(|e| format!("copying {file}: {e}"))?;
    }
    let out = Command::new("npm")
        .args([
            "ci",
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
            "--silent",
        ])
        .current_dir(&scratch)
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "npm ci failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(scratch.join("bench.mjs"))
}

/// The version of `pinata` the lockfile pins.
fn sdk_version() -> String {
    std::fs::read_to_string(root().join("benches/sdk/package.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v["dependencies"]["pinata"].as_str().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

/// `count` small files with distinct contents in `dir/seed-COUNT`, and the seed naming them.
fn seed_files(dir: &Path, count: usize) -> Result<PathBuf> {
    let at = dir.join(format!("seed-{count}"));
    let seed = at.join("seed.json");
    if seed.exists() {
        return Ok(seed);
    }
    std::fs::create_dir_all(at.join("files")).map_err(|e| e.to_string())?;
    let mut entries = Vec::with_capacity(count);
    for i in 0..count {
        let name = format!("files/f{i}.txt");
        std::fs::write(at.join(&name), format!("seeded file {i}\n")).map_err(|e| e.to_string())?;
        entries.push(serde_json::json!({"network": "public", "path": name}));
    }
    let json = serde_json::json!({ "files": entries }).to_string();
    std::fs::write(&seed, json).map_err(|e| e.to_string())?;
    Ok(seed)
}

/// Part 1: the official SDK and our clients, the same work against the same emulator.
pub(super) fn against_the_sdk(dir: &Path, quick: bool) -> Result<Section> {
    let runs = if quick { 1 } else { 3 };
    let (sizes, listed, small): (&[u64], usize, usize) = if quick {
        (&[16 << 20, 128 << 20], 500, 50)
    } else {
        (&[64 << 20, 1 << 30], 5000, 200)
    };
    let title = "Against the official SDK".to_owned();
    let bench = match install_sdk(dir) {
        Ok(b) => b,
        Err(why) => {
            return Ok(Section {
                title,
                method: format!("Skipped: {why}. (The rest of the benchmarks ran.)"),
                table: String::new(),
            });
        }
    };
    let uploads = Emu::start(&[])?;
    let seed = seed_files(dir, listed)?;
    let seed_arg = seed.to_string_lossy().into_owned();
    let lists = Emu::start(&["--seed", &seed_arg])?;
    // (task label, unit, amount of work in that unit, emulator, the task's words)
    let mut tasks: Vec<(String, &str, f64, &Emu, Vec<String>)> = Vec::new();
    for &size in sizes {
        let file = dir.join(format!("random-{}m.bin", size >> 20));
        make_file(&file, size)?;
        warm(&file)?;
        tasks.push((
            format!(
                "upload {} MiB{}",
                size >> 20,
                if size > 90 << 20 { " (TUS)" } else { "" }
            ),
            "MiB/s",
            mib(size),
            &uploads,
            vec!["upload".into(), file.to_string_lossy().into_owned()],
        ));
    }
    tasks.push((
        format!("list {listed} files, 100 per page"),
        "files/s",
        listed as f64,
        &lists,
        vec!["list".into(), listed.to_string(), "100".into()],
    ));
    tasks.push((
        format!("{small} uploads of 1 KiB"),
        "uploads/s",
        small as f64,
        &uploads,
        vec!["small".into(), small.to_string(), "1024".into()],
    ));
    let mut table = String::from(
        "| work | client | wall ms min | median | max | rate (median) | vs SDK | peak RSS | RSS vs SDK |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    for (label, unit, amount, emu, words) in &tasks {
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        let mut walls: [Vec<f64>; 3] = Default::default();
        let mut rss = [0f64; 3];
        for _ in 0..runs {
            for (i, tool) in ["sdk", "hyper", "ureq"].into_iter().enumerate() {
                settle();
                let out = if tool == "sdk" {
                    emu.sdk(&bench, &words)?
                } else {
                    emu.work(tool, &words)?
                };
                walls[i].push(out.wall_ms);
                rss[i] = rss[i].max(out.rss_mib);
            }
        }
        let (_, sdk_median, _) = spread(&walls[0]);
        for (i, name) in ["SDK (Node)", "pinata-hyper", "pinata-ureq"]
            .into_iter()
            .enumerate()
        {
            let (lo, med, hi) = spread(&walls[i]);
            let _ = writeln!(
                table,
                "| {label} | {name} | {lo:.0} | {med:.0} | {hi:.0} | {:.0} {unit} | {:.2}× | {:.1} MiB | {:.2}× |",
                amount / (med / 1000.0),
                sdk_median / med,
                rss[i],
                rss[i] / rss[0],
            );
        }
    }
    drop((uploads, lists));
    Ok(Section {
        title,
        method: format!(
            "The official TypeScript SDK (`pinata` {}, pinned in `benches/sdk/package-lock.json`, \
             installed by the bench with `npm ci`; Node {}) and our two clients do the same work \
             against the same release emulator process: one file from disk to the public network \
             (the SDK's `upload.public.file` over `fs.openAsBlob`, our `upload_file`; both switch to \
             TUS above 90 MiB, chunks of 50 MiB + 1; neither checks the CID), every file of a seeded \
             account listed page by page, and small uploads one after another. Wall time is the \
             work itself, from just before the first request to just after the last, as each \
             program measures it (Node's start-up and module loading excluded); peak RSS is the \
             process's own (Node's `resourceUsage().maxRSS`, our VmHWM). {runs} runs each, \
             interleaved; page cache warm. `vs SDK` is the SDK's median wall time over ours (above \
             1× is faster); `RSS vs SDK` ours over the SDK's. Bars: ≥ 1× on every row, RSS ≤ 0.5× \
             at 1 GiB.",
            sdk_version(),
            Command::new("node")
                .arg("--version")
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
                .unwrap_or_default(),
        ),
        table,
    })
}

/// curl's TUS upload of `file`: a creation, then one `PATCH` of the whole file streamed from disk.
/// Its wall time (both requests) and the `PATCH` process's peak RSS (GNU time).
fn curl_tus(emu: &Emu, file: &Path, len: u64) -> Result<(f64, f64)> {
    // The JWT in a header file, not on curl's command line.
    let auth = file.with_extension("curl-auth");
    std::fs::write(&auth, format!("Authorization: Bearer {}\n", emu.jwt))
        .map_err(|e| e.to_string())?;
    let auth_arg = format!("@{}", auth.display());
    let started = Instant::now();
    let created = Command::new("curl")
        .args(["-s", "-D", "-", "-o", "/dev/null", "-X", "POST"])
        .args(["-H", &auth_arg])
        .args(["-H", "Tus-Resumable: 1.0.0"])
        .args(["-H", &format!("Upload-Length: {len}")])
        // filename "curl.bin", network "public"
        .args([
            "-H",
            "Upload-Metadata: filename Y3VybC5iaW4=,network cHVibGlj",
        ])
        .arg(format!("{}/v3/files", emu.url))
        .output()
        .map_err(|e| e.to_string())?;
    let _ = std::fs::remove_file(&auth);
    let headers = String::from_utf8_lossy(&created.stdout);
    let location = headers
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("location")
                .then(|| v.trim().to_owned())
        })
        .ok_or_else(|| format!("no Location in the TUS creation's answer: {headers}"))?;
    let patched = Command::new("/usr/bin/time")
        .args([
            "-f",
            "maxrss %M",
            "curl",
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
        ])
        .args(["-X", "PATCH", "-T"])
        .arg(file)
        .args([
            "-H",
            "Tus-Resumable: 1.0.0",
            "-H",
            "Upload-Offset: 0",
            "-H",
            "Expect:",
        ])
        .args(["-H", "Content-Type: application/offset+octet-stream"])
        .arg(&location)
        .output()
        .map_err(|e| e.to_string())?;
    let wall = started.elapsed().as_secs_f64() * 1000.0;
    let code = String::from_utf8_lossy(&patched.stdout);
    if code.trim() != "204" {
        return Err(format!("curl's PATCH answered {code}"));
    }
    let rss = String::from_utf8_lossy(&patched.stderr)
        .lines()
        .find_map(|l| l.strip_prefix("maxrss "))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0);
    Ok((wall, rss))
}

/// Part 2: TUS uploads against curl, RSS across sizes and chunk sizes, and the cost of a resume.
pub(super) fn resumable_uploads(dir: &Path, quick: bool) -> Result<Section> {
    let runs = if quick { 1 } else { 3 };
    let sizes: &[u64] = if quick {
        &[256 << 20]
    } else {
        &[1 << 30, 5 << 30]
    };
    let emu = Emu::start(&[])?;
    let mut table = String::from(
        "| file | client | chunk | MiB/s min | median | max | vs curl (median) | peak RSS | bytes re-sent |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    for &size in sizes {
        let file = dir.join(format!("random-{}m.bin", size >> 20));
        make_file(&file, size)?;
        warm(&file)?;
        let path = file.to_string_lossy().into_owned();
        let mut speeds: [Vec<f64>; 3] = Default::default();
        let mut rss = [0f64; 3];
        for _ in 0..runs {
            settle();
            let (wall, curl_rss) = curl_tus(&emu, &file, size)?;
            speeds[0].push(mib(size) / (wall / 1000.0));
            rss[0] = rss[0].max(curl_rss);
            for (i, via) in [(1, "hyper"), (2, "ureq")] {
                settle();
                let out = emu.work(via, &["upload", &path, "--tus"])?;
                speeds[i].push(mib(size) / (out.wall_ms / 1000.0));
                rss[i] = rss[i].max(out.rss_mib);
            }
        }
        let (_, curl_median, _) = spread(&speeds[0]);
        for (i, name) in ["curl (one PATCH)", "pinata-hyper", "pinata-ureq"]
            .into_iter()
            .enumerate()
        {
            let (lo, med, hi) = spread(&speeds[i]);
            let _ = writeln!(
                table,
                "| {} MiB | {name} | {} | {lo:.0} | {med:.0} | {hi:.0} | {:.2}× | {:.1} MiB | 0 |",
                size >> 20,
                if i == 0 { "whole file" } else { "50 MiB + 1" },
                med / curl_median,
                rss[i],
            );
        }
    }
    // Chunk sizes (the smallest file), and a resume after the connection is cut at 60%.
    let size = sizes[0];
    let file = dir.join(format!("random-{}m.bin", size >> 20));
    let path = file.to_string_lossy().into_owned();
    let mut resumes = String::new();
    for via in ["hyper", "ureq"] {
        for chunk in [8 << 20, 256 << 20] {
            let chunk_arg = chunk.to_string();
            settle();
            let out = emu.work(via, &["upload", &path, "--tus", "--chunk", &chunk_arg])?;
            let _ = writeln!(
                table,
                "| {} MiB | pinata-{via} | {} MiB | | {:.0} | | | {:.1} MiB | 0 |",
                size >> 20,
                chunk >> 20,
                mib(size) / (out.wall_ms / 1000.0),
                out.rss_mib,
            );
        }
        settle();
        let whole = emu.work(via, &["upload", &path, "--tus"])?;
        settle();
        let cut = emu.work(via, &["upload", &path, "--tus", "--cut-at", "0.6"])?;
        let _ = writeln!(
            table,
            "| {} MiB, cut at 60% | pinata-{via} | 50 MiB + 1 | | {:.0} | | | {:.1} MiB | {:.1} MiB |",
            size >> 20,
            mib(size) / (cut.wall_ms / 1000.0),
            cut.rss_mib,
            cut.resent / (1u64 << 20) as f64,
        );
        let _ = write!(
            resumes,
            " pinata-{via}: {:.1} MiB re-sent (one chunk is 50 MiB), {:+.0} ms against an uncut run \
             just before ({:.0} ms).",
            cut.resent / (1u64 << 20) as f64,
            cut.wall_ms - whole.wall_ms,
            whole.wall_ms
        );
    }
    drop(emu);
    Ok(Section {
        title: "Resumable uploads (TUS)".into(),
        method: format!(
            "A file from disk to a release emulator's TUS endpoint, through `upload_resumable` \
             (chunks of 50 MiB + 1 unless the row says otherwise, no CID check) against curl \
             uploading the same bytes to the same server: a creation, then one `PATCH` of the whole \
             file streamed from disk (`curl -T`), so curl pays for no chunking at all. Throughput is \
             the file size over the wall time of the upload (both of curl's requests); {runs} runs, \
             interleaved, page cache warm; RSS is the client process's peak (VmHWM; curl's from GNU \
             time). The rows with other chunk sizes show RSS does not follow the chunk. The cut run: \
             the emulator breaks the connection once 60% of the file is stored (a `tus_break` \
             fault); the client asks where the upload stands (`HEAD`) and carries on.{resumes} \
             Bars: ≥ 0.9× curl; RSS within a few MiB from 1 to 5 GiB; a resume re-sends less than \
             one chunk. What limits every row is the server: the emulator writes each byte to disk \
             and hashes it for the upload's CID, on the same 2 cores and disk as the client, so the \
             same clients reach several times these rates against a discarding sink (the Uploads \
             section above), and a row's spread is the disk's: a 5 GiB upload is more than the \
             kernel lets stay dirty in memory (`vm.dirty_ratio` 20% of 24 GiB), so the emulator \
             then writes at the disk's pace, which varies from run to run as much as the clients' \
             rows differ (compare their min–max). The bytes re-sent after the cut are \
             those the client had handed to the connection beyond what the emulator stored when it \
             closed it; the `HEAD` tells the client where to go on."
        ),
        table,
    })
}

/// Part 3: downloads from the emulator's gateway against `curl -o`.
pub(super) fn downloads(dir: &Path, quick: bool) -> Result<Section> {
    let runs = if quick { 1 } else { 3 };
    let size: u64 = if quick { 256 << 20 } else { 1 << 30 };
    let file = dir.join(format!("random-{}m.bin", size >> 20));
    make_file(&file, size)?;
    let emu = Emu::start(&[])?;
    let path = file.to_string_lossy().into_owned();
    let cid = emu
        .work("ureq", &["upload", &path, "--tus"])?
        .cid
        .ok_or("the upload reported no CID")?;
    let out_file = dir.join("downloaded.bin");
    let out = out_file.to_string_lossy().into_owned();
    let tools = [
        "curl -o",
        "pinata-hyper",
        "pinata-hyper, CID checked",
        "pinata-ureq",
        "pinata-ureq, CID checked",
    ];
    let mut speeds: [Vec<f64>; 5] = Default::default();
    let mut rss = [0f64; 5];
    for _ in 0..runs {
        settle();
        let started = Instant::now();
        let curl = Command::new("/usr/bin/time")
            .args(["-f", "maxrss %M", "curl", "-s", "-f", "-o", &out])
            .arg(format!("{}/ipfs/{cid}", emu.url))
            .output()
            .map_err(|e| e.to_string())?;
        let wall = started.elapsed().as_secs_f64();
        if !curl.status.success() {
            return Err(format!(
                "curl -o failed: {}",
                String::from_utf8_lossy(&curl.stderr)
            ));
        }
        speeds[0].push(mib(size) / wall);
        rss[0] = rss[0].max(
            String::from_utf8_lossy(&curl.stderr)
                .lines()
                .find_map(|l| l.strip_prefix("maxrss "))
                .and_then(|v| v.trim().parse::<f64>().ok())
                .map_or(f64::NAN, |kb| kb / 1024.0),
        );
        for (i, via, verify) in [
            (1, "hyper", false),
            (2, "hyper", true),
            (3, "ureq", false),
            (4, "ureq", true),
        ] {
            let mut words = vec!["download", cid.as_str(), out.as_str()];
            if verify {
                words.push("--verify");
            }
            settle();
            let o = emu.work(via, &words)?;
            speeds[i].push(mib(size) / (o.wall_ms / 1000.0));
            rss[i] = rss[i].max(o.rss_mib);
        }
    }
    let _ = std::fs::remove_file(&out_file);
    drop(emu);
    let (_, curl_median, _) = spread(&speeds[0]);
    let mut table = String::from(
        "| file | client | MiB/s min | median | max | vs curl (median) | peak RSS |\n|---|---|---|---|---|---|---|\n",
    );
    for (i, name) in tools.into_iter().enumerate() {
        let (lo, med, hi) = spread(&speeds[i]);
        let _ = writeln!(
            table,
            "| {} MiB | {name} | {lo:.0} | {med:.0} | {hi:.0} | {:.2}× | {:.1} MiB |",
            size >> 20,
            med / curl_median,
            rss[i]
        );
    }
    Ok(Section {
        title: "Downloads".into(),
        method: format!(
            "A public file of reproducible pseudo-random bytes from a release emulator's gateway \
             (`/ipfs/CID`) to a file on disk: `curl -s -o FILE` against `download_to_path` (a \
             partial file renamed when every check passed), with and without the CID computed on \
             the way and compared. curl's time is its whole process; ours the download itself. \
             {runs} runs, interleaved, `sync` before each. RSS: the process's peak (VmHWM; curl's \
             from GNU time). Bars: ≥ 0.9× curl, flat RSS. With the CID checked, the client hashes \
             every byte (about 1.3 GB/s here, the CID importer section) on the thread that reads \
             the socket, in series with the transfer: at a transfer rate r that is at best \
             1 / (1/r + 1/1300 MB/s), so a loaded run can fall below curl, which checks nothing."
        ),
        table,
    })
}

/// `count` small files (100 bytes to 4 KiB, distinct) in nested folders under `dir/many-COUNT`.
fn many(dir: &Path, count: usize) -> Result<PathBuf> {
    let at = dir.join(format!("many-{count}"));
    let done = at.join(".complete");
    if done.exists() {
        return Ok(at.join("tree"));
    }
    let _ = std::fs::remove_dir_all(&at);
    for i in 0..count {
        let sub = at.join("tree").join(format!("d{:02}", i % 50));
        std::fs::create_dir_all(&sub).map_err(|e| e.to_string())?;
        let len = 100 + (i * 7919) % 4000;
        let line = format!("file {i} of {count}\n");
        let body: String = line.repeat(len / line.len() + 1);
        std::fs::write(sub.join(format!("f{i}.txt")), &body.as_bytes()[..len])
            .map_err(|e| e.to_string())?;
    }
    std::fs::write(&done, b"").map_err(|e| e.to_string())?;
    Ok(at.join("tree"))
}

/// Part 4: a folder of many small files: its CID computed locally against a naive walk and hash,
/// and its upload.
pub(super) fn many_files(dir: &Path, quick: bool) -> Result<Section> {
    let runs = if quick { 1 } else { 3 };
    let count = if quick { 1000 } else { 10_000 };
    let tree = many(dir, count)?;
    let tree_arg = tree.to_string_lossy().into_owned();
    let emu = Emu::start(&[])?;
    let naive = format!(
        "find '{}' -type f -print0 | xargs -0 sha256sum > /dev/null",
        tree.display()
    );
    // A server that reads and discards the body: the client's own share of the upload.
    let sink = Sink::start()?;
    let mut walls: [Vec<f64>; 7] = Default::default();
    let mut rss = [f64::NAN, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    for _ in 0..runs {
        settle();
        let (t, _) = timed(Command::new("sh").args(["-c", &naive]))?;
        walls[0].push(t.as_secs_f64() * 1000.0);
        for (i, via, task, to) in [
            (1, "hyper", "folder-cid", &emu.url),
            (2, "ureq", "folder-cid", &emu.url),
            (3, "hyper", "folder-upload", &emu.url),
            (4, "ureq", "folder-upload", &emu.url),
            (5, "hyper", "folder-upload", &sink.url),
            (6, "ureq", "folder-upload", &sink.url),
        ] {
            settle();
            let (_, stdout) = timed(
                Command::new(bench_bin())
                    .args(["work", "--via", via, "--url", to.as_str()])
                    .env("PINATA_JWT", &emu.jwt)
                    .args([task, tree_arg.as_str()]),
            )?;
            let o = parse(&stdout);
            walls[i].push(o.wall_ms);
            rss[i] = rss[i].max(o.rss_mib);
        }
    }
    drop((emu, sink));
    let (_, naive_median, _) = spread(&walls[0]);
    let mut table = String::from(
        "| work | client | wall ms min | median | max | vs walk + sha256sum | peak RSS |\n|---|---|---|---|---|---|---|\n",
    );
    for (i, name) in [
        "walk + hash (`find | xargs sha256sum`)",
        "CID, pinata-hyper (`cid_of_path`)",
        "CID, pinata-ureq (`cid_of_path`)",
        "upload, pinata-hyper",
        "upload, pinata-ureq",
        "upload to a discarding sink, pinata-hyper",
        "upload to a discarding sink, pinata-ureq",
    ]
    .into_iter()
    .enumerate()
    {
        let (lo, med, hi) = spread(&walls[i]);
        let _ = writeln!(
            table,
            "| {count} files | {name} | {lo:.0} | {med:.0} | {hi:.0} | {:.2}× | {} |",
            naive_median / med,
            if rss[i].is_nan() {
                "–".to_owned()
            } else {
                format!("{:.1} MiB", rss[i])
            }
        );
    }
    Ok(Section {
        title: "Many files".into(),
        method: format!(
            "A folder of {count} small files (100 B to 4 KiB, in 50 subfolders), page cache warm. \
             Its UnixFS root CID computed locally (`cid_of_path`: a sorted walk, every file chunked \
             and hashed, every directory node built) against a naive walk that only hashes each \
             file (`find … | xargs sha256sum`, which builds nothing); `vs` is the naive median over \
             ours (above 1× is faster). Then the folder uploaded to a release emulator (one \
             multipart `pinFileToIPFS` streamed from disk, as the SDK sends folders), and to a \
             server that reads and discards the body, which is the client's own share. {runs} runs, \
             `sync` before each. RSS: the process's peak (VmHWM). There is no bar here; what limits \
             the figures: (1) pinata-hyper reads local files through `tokio::fs`, where every call \
             (each `stat` of the listing, each open, `fstat` and read) is a round trip to Tokio's \
             blocking thread pool, about six per small file; pinata-ureq makes the same system \
             calls directly, which is the whole difference between the two CID rows (the same CID, \
             the same core code). (2) The upload to the emulator is mostly the emulator's: it \
             creates and renames a file in its store for each of the {count} parts; the \
             discarding sink's rows are the client's part of it."
        ),
        table,
    })
}

/// Part 5: the emulator itself under load: in memory and with its database.
pub(super) fn emulator_under_load(dir: &Path, quick: bool) -> Result<Section> {
    let seconds = if quick { "1" } else { "5" };
    let mut table = String::from(
        "| request | store | req/s min | median | max | p50 ms | p99 ms | req/s vs memory | p99 vs memory |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    let data = dir.join("load-data");
    let rounds = if quick { 1 } else { 3 };
    let mut runs: Vec<(&str, &str, f64, f64, f64)> = Vec::new();
    for store in std::iter::repeat_n(["memory", "database"], rounds).flatten() {
        let _ = std::fs::remove_dir_all(&data);
        let data_arg = data.to_string_lossy().into_owned();
        let args: Vec<&str> = if store == "database" {
            vec!["--data-dir", &data_arg]
        } else {
            Vec::new()
        };
        let emu = Emu::start(&args)?;
        for op in ["auth", "upload", "list"] {
            settle();
            let (_, stdout) = timed(Command::new(bench_bin()).env("PINATA_JWT", &emu.jwt).args([
                "hammer",
                "--url",
                &emu.url,
                "--op",
                op,
                "--seconds",
                seconds,
                "--concurrency",
                "16",
            ]))?;
            let one = |k: &str| values(&stdout, k).first().copied().unwrap_or(f64::NAN);
            if one("errors") > 0.0 {
                return Err(format!("hammer {op} against the {store} store: {stdout}"));
            }
            runs.push((op, store, one("rps"), one("p50-ms"), one("p99-ms")));
        }
        drop(emu);
    }
    let _ = std::fs::remove_dir_all(&data);
    // Each figure: the median over the rounds (memory and database alternate, so both see the
    // same moments of the machine); req/s also its spread.
    // (request, store, req/s min–median–max, p50 median, p99 median)
    type Row<'a> = (&'a str, &'a str, (f64, f64, f64), f64, f64);
    let mut results: Vec<Row> = Vec::new();
    for store in ["memory", "database"] {
        for op in ["auth", "upload", "list"] {
            let mine: Vec<_> = runs.iter().filter(|r| r.0 == op && r.1 == store).collect();
            let of = |f: fn(&(&str, &str, f64, f64, f64)) -> f64| {
                spread(&mine.iter().map(|r| f(r)).collect::<Vec<_>>())
            };
            results.push((op, store, of(|r| r.2), of(|r| r.3).1, of(|r| r.4).1));
        }
    }
    for &(op, store, rps, p50, p99) in &results {
        let base = results
            .iter()
            .find(|r| r.0 == op && r.1 == "memory")
            .copied()
            .unwrap_or((op, store, rps, p50, p99));
        let name = match op {
            "auth" => "`GET /data/testAuthentication`",
            "upload" => "1 KiB upload (`POST /v3/files`)",
            _ => "file list, first page (`GET /v3/files/public?limit=10`)",
        };
        let _ = writeln!(
            table,
            "| {name} | {store} | {:.0} | {:.0} | {:.0} | {p50:.2} | {p99:.2} | {:.2}× | {:.2}× |",
            rps.0,
            rps.1,
            rps.2,
            rps.1 / base.2.1,
            p99 / base.4
        );
    }
    Ok(Section {
        title: "The emulator under load".into(),
        method: format!(
            "A release emulator process, first with its state in memory, then with `--data-dir` \
             (SQLite: every change written before its answer), under 16 pinata-hyper tasks (one \
             runtime thread, no retries) sending one request after another for {seconds} s per \
             kind: authentication only (each use of the key is a write with a database), a 1 KiB \
             upload (distinct bytes, a file record, content on disk), and the first page of the \
             file list (after the uploads). {rounds} rounds, memory and database alternating, each \
             figure the median over them (req/s with its spread), `sync` before each. Client and server share the machine's 2 \
             cores. Ratios: the database's figure over memory's, same kind of request. The \
             database's cost shows on the requests that do little else: each authenticated request \
             writes its key's use count (one SQLite upsert, no `fsync`: WAL with \
             `synchronous=NORMAL`). Uploads are bound by the file system for both stores (each one \
             writes and renames a file of content): the same 4-second run of either store measured \
             from about 1,000 to about 5,000 req/s from one run to the next here, `sync` or not, so \
             their ratio says nothing about the database; their spread is shown."
        ),
        table,
    })
}

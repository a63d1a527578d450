//! `cargo xtask bench http2`: pinata-hyper over HTTPS to a release emulator with HTTP/2 negotiated
//! against HTTP/1.1 only (`TransportOptions::http_version`), for a batch of small requests and for
//! one large upload.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use super::emulated::{mib, settle, warm};
use super::{Section, bench_bin, make_file, spread, timed, values};
use crate::Result;
use crate::emulator::EmulatorProcess;

/// What one `pinata-bench versions` run reported.
struct Run {
    wall_ms: f64,
    rps: f64,
    connections: f64,
    version: String,
}

/// `pinata-bench versions --http HTTP …` against the emulator at `url`, trusting `ca` (PEM file).
fn versions(url: &str, jwt: &str, ca: &Path, http: &str, task: &[&str]) -> Result<Run> {
    let (_, out) = timed(
        Command::new(bench_bin())
            .args(["versions", "--url", url, "--http", http])
            .args(task)
            .env("PINATA_JWT", jwt)
            .env("SSL_CERT_FILE", ca),
    )?;
    let one = |k: &str| values(&out, k).first().copied().unwrap_or(f64::NAN);
    if one("errors") != 0.0 {
        return Err(format!(
            "pinata-bench versions --http {http} {task:?}: {out}"
        ));
    }
    Ok(Run {
        wall_ms: one("wall-ms"),
        rps: one("rps"),
        connections: one("connections"),
        version: out
            .lines()
            .find_map(|l| l.strip_prefix("version "))
            .unwrap_or("?")
            .trim()
            .to_owned(),
    })
}

/// Runs `task` `rounds` times with each protocol (alternating which goes first), through a link
/// with `rtt_ms` of round trip (0: loopback as it is), and adds its two rows to `table`: `rate`
/// turns a run into the figure shown (higher is better).
fn compare(
    table: &mut String,
    (url, jwt, ca): (&str, &str, &Path),
    label: &str,
    task: &[&str],
    rounds: u32,
    rtt_ms: u32,
    rate: impl Fn(&Run) -> f64,
) -> Result {
    let modes = [
        ("auto", "HTTP/2 (`Auto`)"),
        ("http1", "HTTP/1.1 (`Http1Only`)"),
    ];
    let rtt = rtt_ms.to_string();
    let mut words = vec!["--rtt-ms", rtt.as_str()];
    words.extend_from_slice(task);
    // runs[mode][round]
    let mut runs: [Vec<Run>; 2] = Default::default();
    for round in 0..rounds {
        let order: [usize; 2] = if round.is_multiple_of(2) {
            [0, 1]
        } else {
            [1, 0]
        };
        for i in order {
            settle();
            runs[i].push(versions(url, jwt, ca, modes[i].0, &words)?);
        }
    }
    let link = if rtt_ms == 0 {
        "loopback".to_owned()
    } else {
        format!("{rtt_ms} ms")
    };
    for (i, (_, name)) in modes.iter().enumerate() {
        let rates: Vec<f64> = runs[i].iter().map(&rate).collect();
        let ratios: Vec<f64> = runs[i]
            .iter()
            .zip(&runs[1])
            .map(|(r, base)| rate(r) / rate(base))
            .collect();
        let connections: Vec<f64> = runs[i].iter().map(|r| r.connections).collect();
        let (lo, med, hi) = spread(&rates);
        let (rlo, rmed, rhi) = spread(&ratios);
        let _ = writeln!(
            table,
            "| {label} | {link} | {name} | {lo:.0} | {med:.0} | {hi:.0} | {rmed:.2}× ({rlo:.2}–{rhi:.2}) | {:.0} | {} |",
            spread(&connections).1,
            runs[i].first().map_or("?", |r| r.version.as_str()),
        );
    }
    Ok(())
}

/// The HTTP/2 section: small requests at two concurrencies, then a large upload, on loopback and
/// through a 20 ms round trip, each with HTTP/2 and HTTP/1.1.
pub(super) fn http2_against_http1(dir: &Path, quick: bool) -> Result<Section> {
    let (rounds, big_rounds, count): (u32, u32, u32) =
        if quick { (2, 1, 200) } else { (7, 3, 500) };
    let emu = EmulatorProcess::start_profile("release", &["--tls-self-signed"])?;
    let url = emu.get("/url")?;
    let jwt = emu.get("/admin/jwt")?;
    let ca = dir.join("emulator-ca.pem");
    std::fs::write(&ca, emu.get("/ca_pem")?).map_err(|e| e.to_string())?;
    let server = (url.as_str(), jwt.as_str(), ca.as_path());
    let mut table = String::from(
        "| work | round trip | protocol | rate min | median | max | vs HTTP/1.1, same round: median (min–max) | connections (median) | answered in |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    let size: u64 = if quick { 16 << 20 } else { 64 << 20 };
    let file = dir.join(format!("random-{}m.bin", size >> 20));
    make_file(&file, size)?;
    warm(&file)?;
    let path = file.to_string_lossy().into_owned();
    let count_arg = count.to_string();
    for rtt in [0, 20] {
        for concurrency in ["16", "32"] {
            compare(
                &mut table,
                server,
                &format!("{count} small requests, {concurrency} tasks (req/s)"),
                &["small", &count_arg, concurrency],
                rounds,
                rtt,
                |r| r.rps,
            )?;
        }
        compare(
            &mut table,
            server,
            &format!("one {} MiB upload (MiB/s)", size >> 20),
            &["upload", &path],
            big_rounds,
            rtt,
            |r| mib(size) / (r.wall_ms / 1000.0),
        )?;
    }
    drop(emu);
    Ok(Section {
        title: "HTTP/2 against HTTP/1.1".into(),
        method: format!(
            "pinata-hyper (`pinata-bench versions`, one runtime thread, no retries) against a \
             release emulator serving HTTPS with a self-signed certificate (`--tls-self-signed`, \
             trusted through `SSL_CERT_FILE`), once with `TransportOptions::http_version` at \
             `HttpVersion::Auto` (ALPN offers `h2` then `http/1.1`; the emulator picks `h2`) and \
             once at `HttpVersion::Http1Only`. Each run is a new process, so it pays for its \
             connections and their TLS handshakes as a batch job does. Small requests: {count} \
             requests from 16 or 32 tasks, alternately a 1 KiB v3 upload (multipart) and a \
             `pinJSONToIPFS` of a small document. A large upload: one file of {} MiB \
             (`upload_file`, multipart streamed from disk, below the TUS threshold). Each on \
             loopback as it is, and through a link with a 20 ms round trip: a TCP proxy in the \
             client's process that hands every byte on 10 ms after it read it, each way (the \
             kernel here has no `netem`); it limits neither bandwidth nor the bytes in flight, so \
             HTTP/1.1's TCP windows never bind, while HTTP/2's flow control still does (the \
             emulator grants 2 MiB per stream, 4 MiB per connection). {rounds} rounds for the \
             small requests, {big_rounds} for the upload, the two protocols alternating which goes \
             first; `vs HTTP/1.1` is each round's figure over HTTP/1.1's in the same round (above \
             1× is faster), its median and spread. Connections: the TCP connections the process \
             holds to the server once its work is done (hyper-util pools every one it opened); \
             `answered in`: the version of a response to a fresh transport with the same options. \
             Client and emulator share the machine's 2 cores.\n\n\
             What it shows, and the default. (1) Small requests: no protocol is faster. In the run \
             that chose the default, HTTP/2 was within 0.93× to 1.05× of HTTP/1.1 (medians of the \
             per-round ratios, each with a spread wider than the difference), on loopback and at \
             20 ms; its gain is one connection (one TCP and one TLS handshake) where HTTP/1.1 \
             opened 16 to about 50, which spares the server more than it speeds the client: \
             HTTP/1.1's handshakes run in parallel, so a batch pays about one round trip more, and \
             its requests then run side by side on their own connections as HTTP/2's streams do \
             on one (which also carries every request through one TLS session and one connection \
             task on each side). (2) A large upload: HTTP/2 is slower, and by how much is the \
             server's choice. On loopback it came within 0.87× of HTTP/1.1 once the emulator took \
             64 KiB frames (with the protocol's default 16 KiB frames it was about 0.6×: the cost \
             is per frame); through 20 ms it fell to 0.27×, because a stream may have only as many \
             bytes in flight as the server's flow-control window grants (2 MiB here, so at most \
             2 MiB per round trip, about 100 MiB/s, less in practice as window updates lag), while \
             HTTP/1.1 is bound by TCP alone. Windows of 8 and 16 MiB lifted HTTP/2 to about 0.7× in \
             a one-off run; a client cannot choose the server's windows, so over HTTP/2 every large \
             upload to Pinata would run at whatever its servers grant per round trip. Hence the \
             default, `HttpVersion::Http1Only`: as fast for Pinata's many small requests, and never \
             held back by a server's window on the large uploads; `HttpVersion::Auto` is there for \
             a client that would rather hold one connection than dozens (many concurrent small \
             requests to a server or proxy that limits connections).",
            size >> 20
        ),
        table,
    })
}

//! Benchmark programs for `cargo xtask bench`. Each prints `key value` lines the xtask reads.
//!
//! - `overhead [--mode core|baseline] [--iters N]`: building an authenticated request and decoding a
//!   response, with the library and by hand;
//! - `rps --seconds S --rounds R [--only CLIENT]`: requests per second over keep-alive to a minimal local server, the library's
//!   clients against raw hyper-util and raw ureq;
//! - `sink`: a local server that swallows uploads (prints its URL, serves until killed);
//! - `upload --via hyper|ureq --url URL --file PATH`: one upload through the library;
//! - `work --via hyper|ureq --url URL TASK …` (JWT in `PINATA_JWT`): a task against an emulator, as the
//!   official SDK's program in `benches/sdk/` does it (see `work.rs`);
//! - `hammer --url URL --op auth|upload|list --seconds S --concurrency C`: load on an
//!   emulator, requests per second and latency percentiles;
//! - `versions --url URL --http auto|http1 small COUNT CONCURRENCY | upload FILE`: pinata-hyper
//!   over HTTPS with HTTP/2 allowed or HTTP/1.1 only (see `versions.rs`).

mod hammer;
mod overhead;
mod rps;
mod server;
mod upload;
mod versions;
mod work;

use std::process::ExitCode;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

/// The process's peak resident memory in KiB (Linux).
pub(crate) fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("overhead") => overhead::run(
            arg(&args, "--mode").as_deref(),
            arg(&args, "--iters").and_then(|v| v.parse().ok()),
        ),
        Some("rps") => rps::run(
            arg(&args, "--seconds")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0.5),
            arg(&args, "--rounds")
                .and_then(|v| v.parse().ok())
                .unwrap_or(24),
            arg(&args, "--only").as_deref(),
        ),
        Some("rps-fixed") => rps::fixed(
            &arg(&args, "--client").unwrap_or_default(),
            arg(&args, "--requests")
                .and_then(|v| v.parse().ok())
                .unwrap_or(1000),
            arg(&args, "--concurrency")
                .and_then(|v| v.parse().ok())
                .unwrap_or(1),
        ),
        Some("sink") => server::sink(),
        Some("upload") => upload::run(
            arg(&args, "--via").unwrap_or_default(),
            arg(&args, "--url").unwrap_or_default(),
            arg(&args, "--file").unwrap_or_default(),
        ),
        Some("work") => work::run(&args),
        Some("hammer") => hammer::run(&args),
        Some("versions") => versions::run(&args),
        _ => Err("usage: pinata-bench overhead|rps|sink|upload|work …".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pinata-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

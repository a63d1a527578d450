//! The load run behind `cargo xtask load`: many concurrent clients over both transports against an
//! emulator process on loopback, for a bounded time. Reports throughput, errors and the emulator's
//! memory, then checks that nothing was lost (every acknowledged pin is listed) and that a max-uses
//! key admits exactly its limit under contention.
//!
//! Environment (set by the xtask): PINATA_API_URL, PINATA_JWT (admin), PINATA_LOAD_SECONDS,
//! PINATA_LOAD_TASKS, PINATA_LOAD_THREADS, PINATA_LOAD_EMULATOR_PID.

use std::collections::HashSet;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pinata_core::api::keys::{CreateApiKey, Permissions};
use pinata_core::api::pinning::{ListPins, PinJson};
use pinata_core::retry::RetryPolicy;
use pinata_core::{Config, Credentials};

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn emulator_rss_mib() -> Option<f64> {
    let pid = std::env::var("PINATA_LOAD_EMULATOR_PID").ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

#[derive(Default)]
struct Tally {
    ok: AtomicU64,
    errors: AtomicU64,
    pinned: Mutex<HashSet<String>>,
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("load: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<bool, Box<dyn std::error::Error>> {
    let seconds = env_u64("PINATA_LOAD_SECONDS", 10);
    let tasks = env_u64("PINATA_LOAD_TASKS", 32);
    let threads = env_u64("PINATA_LOAD_THREADS", 8);
    // No retries: without injected faults every single request must succeed.
    let config = Config::from_env()?.with_retry_policy(RetryPolicy::never());
    let admin = Credentials::from_env()?;
    let rss_before = emulator_rss_mib();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let hyper_tally = Arc::new(Tally::default());
    let ureq_tally = Arc::new(Tally::default());
    let counter = Arc::new(AtomicU64::new(0));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let started = Instant::now();
    let async_client = pinata_hyper::Client::with_config(admin.clone(), config.clone())?;
    let mut handles = Vec::new();
    for _ in 0..tasks {
        let (client, tally, counter) = (async_client.clone(), hyper_tally.clone(), counter.clone());
        handles.push(runtime.spawn(async move {
            while Instant::now() < deadline {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let doc = PinJson::new(&serde_json::json!({ "load": n, "via": "hyper" }))
                    .unwrap_or_else(|_| unreachable!());
                match client.pin_json(&doc).await {
                    Ok(p) => {
                        tally.ok.fetch_add(1, Ordering::Relaxed);
                        tally
                            .pinned
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .insert(p.ipfs_hash);
                    }
                    Err(e) => {
                        tally.errors.fetch_add(1, Ordering::Relaxed);
                        eprintln!("hyper: {e}");
                    }
                }
                match client.test_authentication().await {
                    Ok(_) => tally.ok.fetch_add(1, Ordering::Relaxed),
                    Err(_) => tally.errors.fetch_add(1, Ordering::Relaxed),
                };
            }
        }));
    }
    let blocking_client = pinata_ureq::Client::with_config(admin.clone(), config.clone())?;
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (client, tally, counter) =
                (blocking_client.clone(), ureq_tally.clone(), counter.clone());
            std::thread::spawn(move || {
                while Instant::now() < deadline {
                    let n = counter.fetch_add(1, Ordering::Relaxed);
                    let Ok(doc) = PinJson::new(&serde_json::json!({ "load": n, "via": "ureq" }))
                    else {
                        continue;
                    };
                    match client.pin_json(&doc) {
                        Ok(p) => {
                            tally.ok.fetch_add(1, Ordering::Relaxed);
                            tally
                                .pinned
                                .lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .insert(p.ipfs_hash);
                        }
                        Err(e) => {
                            tally.errors.fetch_add(1, Ordering::Relaxed);
                            eprintln!("ureq: {e}");
                        }
                    }
                    match client.test_authentication() {
                        Ok(_) => tally.ok.fetch_add(1, Ordering::Relaxed),
                        Err(_) => tally.errors.fetch_add(1, Ordering::Relaxed),
                    };
                }
            })
        })
        .collect();
    let mut peak_rss = rss_before.unwrap_or(f64::NAN);
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
        if let Some(rss) = emulator_rss_mib() {
            peak_rss = peak_rss.max(rss);
        }
    }
    for w in workers {
        let _ = w.join();
    }
    runtime.block_on(async {
        for h in handles {
            let _ = h.await;
        }
    });
    let elapsed = started.elapsed().as_secs_f64();

    // Nothing lost: every acknowledged pin is in the listing.
    let listed: HashSet<String> = blocking_client
        .paginate(ListPins::new().page_limit(1000)?)
        .map(|r| r.map(|row| row.ipfs_pin_hash))
        .collect::<Result<_, _>>()?;
    let mut lost = 0;
    for tally in [&hyper_tally, &ureq_tally] {
        let pinned = tally.pinned.lock().unwrap_or_else(|e| e.into_inner());
        lost += pinned.iter().filter(|c| !listed.contains(*c)).count();
    }

    // Max uses under contention: exactly the limit succeeds.
    let limit = 50u32;
    let key = blocking_client.create_api_key(
        &CreateApiKey::new("load max-uses", Permissions::admin())?.max_uses(limit)?,
    )?;
    let racers = pinata_ureq::Client::with_config(key.key_pair_credentials()?, config.clone())?;
    let admitted = Arc::new(AtomicU64::new(0));
    let racing: Vec<_> = (0..16)
        .map(|_| {
            let (client, admitted) = (racers.clone(), admitted.clone());
            std::thread::spawn(move || {
                for _ in 0..10 {
                    if client.test_authentication().is_ok() {
                        admitted.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for r in racing {
        let _ = r.join();
    }
    let admitted = admitted.load(Ordering::Relaxed);

    println!("| transport | clients | requests ok | errors | requests/s | pins acknowledged |");
    println!("|---|---|---|---|---|---|");
    let mut errors = 0;
    for (name, clients, tally) in [
        ("hyper (tasks)", tasks, &hyper_tally),
        ("ureq (threads)", threads, &ureq_tally),
    ] {
        let ok = tally.ok.load(Ordering::Relaxed);
        let err = tally.errors.load(Ordering::Relaxed);
        errors += err;
        let pins = tally.pinned.lock().unwrap_or_else(|e| e.into_inner()).len();
        println!(
            "| {name} | {clients} | {ok} | {err} | {:.0} | {pins} |",
            ok as f64 / elapsed
        );
    }
    println!();
    println!(
        "duration {elapsed:.1} s; pins listed {}; acknowledged but not listed: {lost}",
        listed.len()
    );
    println!(
        "emulator RSS: {} MiB before, {:.1} MiB peak",
        rss_before.map_or("?".to_owned(), |r| format!("{r:.1}")),
        peak_rss
    );
    println!(
        "max-uses key (limit {limit}) under 16 racing clients × 10 calls: {admitted} admitted"
    );
    let pass = errors == 0 && lost == 0 && admitted == u64::from(limit);
    println!("{}", if pass { "PASS" } else { "FAIL" });
    Ok(pass)
}

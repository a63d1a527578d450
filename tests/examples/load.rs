//! The load run behind `cargo xtask load`: many concurrent clients over both transports against an
//! emulator process on loopback, for a bounded time. Reports throughput, errors and the emulator's
//! memory, then checks that nothing was lost (every acknowledged pin is listed) and that a max-uses
//! key admits exactly its limit under contention.
//!
//! Meanwhile a hostile phase runs beside the well-behaved clients: unauthenticated junk (huge
//! claimed keys, 10 MB JSON bodies with wrong credentials), field-heavy multipart uploads and a
//! crowd of idle connections. The run passes only if no well-behaved request failed and the
//! emulator's peak RSS stayed under the bound.
//!
//! Environment (set by the xtask): PINATA_API_URL, PINATA_JWT (admin), PINATA_LOAD_SECONDS,
//! PINATA_LOAD_TASKS, PINATA_LOAD_THREADS, PINATA_LOAD_EMULATOR_PID, PINATA_LOAD_RSS_BOUND_MIB
//! (default 64).

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

/// What the hostile phase sent.
#[derive(Default)]
struct Hostile {
    junk: AtomicU64,
    floods: AtomicU64,
    multipart: AtomicU64,
    idle: AtomicU64,
}

/// Writes `head` and up to `body_len` bytes of `body_byte`, then reads whatever answer comes (or
/// none), bounded by a short socket timeout.
fn hostile_send(addr: &str, head: &str, body_len: usize, body_byte: u8) {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(addr) else {
        return;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
    if stream.write_all(head.as_bytes()).is_err() {
        return;
    }
    let chunk = vec![body_byte; 64 * 1024];
    let mut left = body_len;
    while left > 0 {
        let n = left.min(chunk.len());
        if stream.write_all(&chunk[..n]).is_err() {
            break;
        }
        left -= n;
    }
    let mut sink = [0u8; 4096];
    let _ = stream.read(&mut sink);
}

/// A field-heavy multipart body: `fields` one-byte text parts, every name different.
fn field_heavy(fields: usize) -> Vec<u8> {
    let mut body = Vec::new();
    for i in 0..fields {
        body.extend_from_slice(
            format!("--b\r\ncontent-disposition: form-data; name=\"field-{i}\"\r\n\r\nx\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(b"--b--\r\n");
    body
}

/// Runs hostile senders until `deadline`; returns their threads.
fn hostile_phase(
    addr: String,
    jwt: String,
    deadline: Instant,
    sent: Arc<Hostile>,
) -> Vec<std::thread::JoinHandle<()>> {
    let mut threads = Vec::new();
    // Unauthenticated junk: a 200 KB claimed key, a new one every time.
    {
        let (addr, sent) = (addr.clone(), sent.clone());
        threads.push(std::thread::spawn(move || {
            let mut n = 0u64;
            while Instant::now() < deadline {
                n += 1;
                let head = format!(
                    "GET /data/testAuthentication HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\
                     pinata_api_key: {n}{}\r\npinata_secret_api_key: x\r\n\r\n",
                    "k".repeat(200_000)
                );
                hostile_send(&addr, &head, 0, 0);
                sent.junk.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    // 10 MB JSON bodies with wrong credentials, four senders at once.
    for _ in 0..4 {
        let (addr, sent) = (addr.clone(), sent.clone());
        threads.push(std::thread::spawn(move || {
            let head = format!(
                "POST /pinning/pinJSONToIPFS HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\
                 content-type: application/json\r\npinata_api_key: 0123456789abcdef0123\r\n\
                 pinata_secret_api_key: {}\r\ncontent-length: 10000000\r\n\r\n",
                "0".repeat(64)
            );
            while Instant::now() < deadline {
                hostile_send(&addr, &head, 10_000_000, b' ');
                sent.floods.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    // Field-heavy multipart uploads (100,000 fields), authenticated, two at once.
    let body = Arc::new(field_heavy(100_000));
    for _ in 0..2 {
        let (addr, jwt, sent, body) = (addr.clone(), jwt.clone(), sent.clone(), body.clone());
        threads.push(std::thread::spawn(move || {
            use std::io::{Read, Write};
            while Instant::now() < deadline {
                let Ok(mut stream) = std::net::TcpStream::connect(&addr) else {
                    continue;
                };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
                let head = format!(
                    "POST /pinning/pinFileToIPFS HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\
                     authorization: Bearer {jwt}\r\ncontent-type: multipart/form-data; boundary=b\r\n\
                     content-length: {}\r\n\r\n",
                    body.len()
                );
                if stream.write_all(head.as_bytes()).is_ok() && stream.write_all(&body).is_ok() {
                    let mut sink = Vec::new();
                    let _ = stream.read_to_end(&mut sink);
                }
                sent.multipart.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    // A crowd of idle connections, held to the end.
    {
        threads.push(std::thread::spawn(move || {
            let crowd: Vec<_> = (0..200)
                .filter_map(|_| std::net::TcpStream::connect(&addr).ok())
                .collect();
            sent.idle.store(crowd.len() as u64, Ordering::Relaxed);
            while Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(100));
            }
            drop(crowd);
        }));
    }
    threads
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
    let rss_bound = env_u64("PINATA_LOAD_RSS_BOUND_MIB", 64) as f64;
    let rss_before = emulator_rss_mib();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let address = config
        .base_url()
        .origin()
        .trim_start_matches("http://")
        .to_owned();
    let hostile = Arc::new(Hostile::default());
    let hostile_threads = hostile_phase(
        address,
        std::env::var("PINATA_JWT").unwrap_or_default(),
        deadline,
        hostile.clone(),
    );
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
    for h in hostile_threads {
        let _ = h.join();
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
        "hostile phase meanwhile: {} unauthenticated requests with 200 KB claimed keys, {} 10 MB \
         JSON floods with wrong credentials, {} uploads of 100,000 fields, {} idle connections",
        hostile.junk.load(Ordering::Relaxed),
        hostile.floods.load(Ordering::Relaxed),
        hostile.multipart.load(Ordering::Relaxed),
        hostile.idle.load(Ordering::Relaxed),
    );
    println!(
        "emulator RSS: {} MiB before, {:.1} MiB peak (bound {rss_bound:.0} MiB)",
        rss_before.map_or("?".to_owned(), |r| format!("{r:.1}")),
        peak_rss
    );
    println!(
        "max-uses key (limit {limit}) under 16 racing clients × 10 calls: {admitted} admitted"
    );
    // A peak that could not be read (no /proc) is NaN and does not fail the run.
    let rss_ok = peak_rss.is_nan() || peak_rss <= rss_bound;
    let pass = errors == 0 && lost == 0 && admitted == u64::from(limit) && rss_ok;
    println!("{}", if pass { "PASS" } else { "FAIL" });
    Ok(pass)
}

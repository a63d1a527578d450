//! The load run behind `cargo xtask load`: many concurrent clients over both transports against an
//! emulator process on loopback, for a bounded time. Reports throughput, errors and the emulator's
//! memory, then checks that nothing was lost (every acknowledged pin is listed) and that a max-uses
//! key admits exactly its limit under contention.
//!
//! Meanwhile a hostile phase runs beside the well-behaved clients: unauthenticated junk (huge
//! claimed keys, 10 MB JSON bodies with wrong credentials), field-heavy multipart uploads, a crowd
//! of idle connections, an `org:files:write` key trying to take every resumable-upload slot
//! (25 GB declared each), a key limited to 12 uses trying to grow a tree of keys with budgets of
//! their own, and a signed upload URL replayed after it expired. The well-behaved clients also do
//! resumable uploads, as the admin and through signed URLs, while the hog runs. The run passes
//! only if no well-behaved request failed, the hog held at most its per-key share, the limited key
//! made no key and at most 12 calls, no expired URL was accepted, and the emulator's peak RSS
//! stayed under the bound.
//!
//! Environment (set by the xtask): PINATA_API_URL, PINATA_UPLOADS_URL, PINATA_JWT (admin), PINATA_LOAD_SECONDS,
//! PINATA_LOAD_TASKS, PINATA_LOAD_THREADS, PINATA_LOAD_EMULATOR_PID, PINATA_LOAD_RSS_BOUND_MIB
//! (default 64).

use std::collections::HashSet;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pinata_core::api::Network;
use pinata_core::api::keys::{CreateApiKey, Permissions};
use pinata_core::api::pinning::{ListPins, PinJson};
use pinata_core::api::signed::CreateSignedUploadUrl;
use pinata_core::api::uploads::UploadFile;
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

/// What the hostile phase sent, and what it got.
#[derive(Default)]
struct Hostile {
    junk: AtomicU64,
    floods: AtomicU64,
    multipart: AtomicU64,
    idle: AtomicU64,
    /// Resumable uploads the hog created, and creations refused (429, 507).
    tus_taken: AtomicU64,
    tus_refused: AtomicU64,
    /// Keys grown under the limited key, and the calls all of them got through.
    tree_keys: AtomicU64,
    tree_calls: AtomicU64,
    /// Replays of an expired signed URL, and how many were accepted.
    replays: AtomicU64,
    replays_accepted: AtomicU64,
}

/// The most resumable uploads one key may have in progress.
const TUS_PER_KEY: u64 = pinata_emulator::MAX_TUS_UPLOADS_PER_KEY as u64;
/// The uses of the key the tree is grown under.
const TREE_USES: u64 = 12;

/// One request on its own connection: the answer's status and body (`None` when none came).
fn raw_call(
    addr: &str,
    method: &str,
    path: &str,
    headers: &str,
    body: &[u8],
) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).ok()?;
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let head = format!(
        "{method} {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n{headers}content-length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).ok()?;
    stream.write_all(body).ok()?;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer);
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_owned();
    Some((status, body))
}

/// A JSON call with a bearer token.
fn json_call(
    addr: &str,
    method: &str,
    path: &str,
    jwt: &str,
    body: &str,
) -> Option<(u16, serde_json::Value)> {
    let headers = format!("authorization: Bearer {jwt}\r\ncontent-type: application/json\r\n");
    let (status, text) = raw_call(addr, method, path, &headers, body.as_bytes())?;
    Some((status, serde_json::from_str(&text).unwrap_or_default()))
}

/// A new key's JWT, created by `jwt` with `permissions` (JSON) and `extra` fields; `None` when
/// refused.
fn new_key(addr: &str, jwt: &str, permissions: &str, extra: &str) -> Option<String> {
    let body = format!(r#"{{"keyName":"load","permissions":{permissions}{extra}}}"#);
    match json_call(addr, "POST", "/v3/pinata/keys", jwt, &body)? {
        (200, v) => v["JWT"].as_str().map(str::to_owned),
        _ => None,
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
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
    // An `org:files:write` key creating resumable uploads of 25 GB until it is refused, again and
    // again: it must hold at most its share of the slots.
    {
        let (addr, jwt, sent) = (addr.clone(), jwt.clone(), sent.clone());
        threads.push(std::thread::spawn(move || {
            let Some(hog) = new_key(&addr, &jwt, r#"{"resources":["org:files:write"]}"#, "") else {
                eprintln!("hostile: the hog's key was not created");
                return;
            };
            let headers = format!("authorization: Bearer {hog}\r\nupload-length: 25000000000\r\n");
            while Instant::now() < deadline {
                match raw_call(&addr, "POST", "/v3/files", &headers, b"") {
                    Some((201, _)) => sent.tus_taken.fetch_add(1, Ordering::Relaxed),
                    Some((429 | 507, _)) => {
                        std::thread::sleep(Duration::from_millis(5));
                        sent.tus_refused.fetch_add(1, Ordering::Relaxed)
                    }
                    _ => 0,
                };
            }
        }));
    }
    // A key limited to 12 uses growing a tree: every key it (or a descendant) makes tries to
    // make two more, each with uses of its own, and spends what it can on calls.
    {
        let (addr, jwt, sent) = (addr.clone(), jwt.clone(), sent.clone());
        threads.push(std::thread::spawn(move || {
            let limited = format!(r#","maxUses":{TREE_USES}"#);
            let Some(root) = new_key(&addr, &jwt, r#"{"resources":["org:write"]}"#, &limited)
            else {
                eprintln!("hostile: the limited key was not created");
                return;
            };
            let mut queue = std::collections::VecDeque::from([root]);
            while let Some(key) = queue.pop_front() {
                if Instant::now() >= deadline || sent.tree_keys.load(Ordering::Relaxed) >= 300 {
                    break;
                }
                for _ in 0..2 {
                    let child = new_key(
                        &addr,
                        &key,
                        r#"{"resources":["org:write"]}"#,
                        r#","maxUses":5"#,
                    );
                    match child {
                        Some(child) => {
                            sent.tree_keys.fetch_add(1, Ordering::Relaxed);
                            sent.tree_calls.fetch_add(1, Ordering::Relaxed);
                            queue.push_back(child);
                        }
                        None => break,
                    }
                }
                while let Some((200, _)) =
                    json_call(&addr, "GET", "/data/testAuthentication", &key, "")
                {
                    sent.tree_calls.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    // An upload URL signed for one second, replayed (multipart and resumable) once it expired.
    {
        let (addr, jwt, sent) = (addr.clone(), jwt.clone(), sent.clone());
        threads.push(std::thread::spawn(move || {
            let date = unix_now();
            let sign = format!(r#"{{"date":{date},"expires":1,"network":"private"}}"#);
            let url = match json_call(&addr, "POST", "/v3/files/sign", &jwt, &sign) {
                Some((200, v)) => v["data"].as_str().unwrap_or_default().to_owned(),
                _ => {
                    eprintln!("hostile: no signed URL to replay");
                    return;
                }
            };
            let Some(path) = url.strip_prefix("http://").and_then(|u| u.find('/').map(|i| u[i..].to_owned())) else {
                return;
            };
            while unix_now() <= date + 1 {
                std::thread::sleep(Duration::from_millis(100));
            }
            let form = b"--b\r\ncontent-disposition: form-data; name=\"file\"; filename=\"r.txt\"\r\n\r\nreplayed\r\n--b--\r\n";
            while Instant::now() < deadline {
                let multipart = raw_call(&addr, "POST", &path, "content-type: multipart/form-data; boundary=b\r\n", form);
                let resumable = raw_call(&addr, "POST", &path, "upload-length: 8\r\n", b"");
                for answer in [multipart, resumable] {
                    sent.replays.fetch_add(1, Ordering::Relaxed);
                    if answer.is_some_and(|(status, _)| (200..300).contains(&status)) {
                        sent.replays_accepted.fetch_add(1, Ordering::Relaxed);
                    }
                }
                std::thread::sleep(Duration::from_millis(20));
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
    // Resumable uploads, as the admin and through signed URLs, while the hog holds its slots.
    let resumable_file =
        std::env::temp_dir().join(format!("pinata-load-{}.bin", std::process::id()));
    std::fs::write(&resumable_file, vec![7u8; 256 * 1024])?;
    let resumable = {
        let tus_client =
            pinata_ureq::Client::with_config(admin.clone(), config.clone().with_tus_threshold(1))?;
        let (tally, file) = (ureq_tally.clone(), resumable_file.clone());
        std::thread::spawn(move || {
            let (mut n, mut done) = (0u64, 0u64);
            while Instant::now() < deadline {
                n += 1;
                let upload = || -> Result<(), pinata_core::Error> {
                    let mut request = UploadFile::path(&file, 256 * 1024)?.name(format!("tus-{n}"));
                    if n % 2 == 0 {
                        let url = tus_client.create_signed_upload_url(
                            &CreateSignedUploadUrl::new(Network::Private, Duration::from_secs(60))?,
                        )?;
                        request = request.to_signed_url(url);
                    }
                    tus_client.upload_file(&request).map(|_| ())
                };
                match upload() {
                    Ok(()) => {
                        done += 1;
                        tally.ok.fetch_add(1, Ordering::Relaxed)
                    }
                    Err(e) => {
                        eprintln!("ureq resumable: {e}");
                        tally.errors.fetch_add(1, Ordering::Relaxed)
                    }
                };
            }
            done
        })
    };
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
    let resumable_done = resumable.join().unwrap_or(0);
    let _ = std::fs::remove_file(&resumable_file);
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
    let (taken, refused) = (
        hostile.tus_taken.load(Ordering::Relaxed),
        hostile.tus_refused.load(Ordering::Relaxed),
    );
    let (tree_keys, tree_calls) = (
        hostile.tree_keys.load(Ordering::Relaxed),
        hostile.tree_calls.load(Ordering::Relaxed),
    );
    let (replays, accepted) = (
        hostile.replays.load(Ordering::Relaxed),
        hostile.replays_accepted.load(Ordering::Relaxed),
    );
    println!(
        "resumable uploads of 256 KiB meanwhile (ureq, as the admin and through signed URLs): \
         {resumable_done}"
    );
    println!(
        "resumable-upload hog: {taken} uploads of 25 GB taken (at most {TUS_PER_KEY}), {refused} \
         refused; key tree under a {TREE_USES}-use key: {tree_keys} keys made, {tree_calls} calls \
         admitted (at most {TREE_USES}); expired signed URL: {replays} replays, {accepted} accepted"
    );
    // A peak that could not be read (no /proc) is NaN and does not fail the run.
    let rss_ok = peak_rss.is_nan() || peak_rss <= rss_bound;
    let hostile_held =
        taken <= TUS_PER_KEY && tree_keys == 0 && tree_calls <= TREE_USES && accepted == 0;
    let pass = errors == 0 && lost == 0 && admitted == u64::from(limit) && rss_ok && hostile_held;
    println!("{}", if pass { "PASS" } else { "FAIL" });
    Ok(pass)
}

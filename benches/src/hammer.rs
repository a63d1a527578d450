//! `pinata-bench hammer --url URL --op auth|upload|list --seconds S --concurrency C` (the JWT in
//! `PINATA_JWT`):
//! load on an emulator from `C` pinata-hyper tasks for `S` seconds, each sending one request after
//! another: `GET /data/testAuthentication`, a 1 KiB v3 upload (distinct bytes each time), or the
//! first page (10) of the public file list. Prints `requests`, `rps`, `p50-ms`, `p99-ms`, `errors`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use pinata_core::api::Network;
use pinata_core::api::TestAuthentication;
use pinata_core::api::files::ListFiles;
use pinata_core::api::uploads::UploadFile;
use pinata_core::retry::RetryPolicy;
use pinata_core::{Config, Credentials};

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let get = |name: &str| crate::arg(args, name).ok_or_else(|| format!("hammer needs {name}"));
    let (url, op) = (get("--url")?, get("--op")?);
    let jwt = crate::arg(args, "--jwt")
        .or_else(|| std::env::var("PINATA_JWT").ok())
        .ok_or("hammer needs PINATA_JWT (or --jwt)")?;
    let seconds: f64 = get("--seconds")?
        .parse()
        .map_err(|_| "--seconds: a number")?;
    let concurrency: usize = get("--concurrency")?
        .parse()
        .map_err(|_| "--concurrency: a number")?;
    if !matches!(op.as_str(), "auth" | "upload" | "list") {
        return Err(format!("--op {op:?}: auth, upload or list"));
    }
    let config = Config::for_emulator(&url)
        .map_err(|e| e.to_string())?
        .with_retry_policy(RetryPolicy::never());
    let credentials = Credentials::jwt(&jwt).map_err(|e| e.to_string())?;
    let client =
        pinata_hyper::Client::with_config(credentials, config).map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let errors = Arc::new(AtomicU64::new(0));
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let until = started + Duration::from_secs_f64(seconds);
    let mut latencies: Vec<f64> = runtime.block_on(async {
        let mut tasks = Vec::new();
        for _ in 0..concurrency {
            let (client, op, errors, next) =
                (client.clone(), op.clone(), errors.clone(), next.clone());
            tasks.push(tokio::spawn(async move {
                let mut seen = Vec::new();
                while Instant::now() < until {
                    let t = Instant::now();
                    let ok = match op.as_str() {
                        "auth" => client.execute(&TestAuthentication).await.is_ok(),
                        "upload" => {
                            let n = next.fetch_add(1, Ordering::Relaxed);
                            let mut bytes = vec![0u8; 1024];
                            bytes[..8].copy_from_slice(&n.to_le_bytes());
                            bytes[8..16]
                                .copy_from_slice(&std::process::id().to_le_bytes().repeat(2));
                            match UploadFile::bytes(format!("load-{n}.bin"), bytes) {
                                Ok(u) => client
                                    .upload_file(&u.network(Network::Public))
                                    .await
                                    .is_ok(),
                                Err(_) => false,
                            }
                        }
                        _ => match ListFiles::new(Network::Public).limit(10) {
                            Ok(list) => client.execute(&list).await.is_ok(),
                            Err(_) => false,
                        },
                    };
                    if ok {
                        seen.push(t.elapsed().as_secs_f64() * 1000.0);
                    } else {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
                seen
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap_or_default());
        }
        all
    });
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };
    println!("requests {}", latencies.len());
    println!("rps {:.1}", latencies.len() as f64 / elapsed);
    println!("p50-ms {:.3}", at(0.5));
    println!("p99-ms {:.3}", at(0.99));
    println!("errors {}", errors.load(Ordering::Relaxed));
    Ok(())
}

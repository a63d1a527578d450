//! Requests per second over keep-alive to a minimal local server: the library's clients against a
//! raw hyper-util client and raw ureq doing the same request and decode.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use pinata_core::retry::RetryPolicy;
use pinata_core::{Config, Credentials};
use serde::Deserialize;
use tokio::net::TcpListener;

use crate::server::{Kind, serve};

const KEY: &str = "0123456789abcdef0123";
const SECRET: &str = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";

#[derive(Deserialize)]
#[allow(dead_code)]
struct Welcome {
    message: String,
}

fn raw_request(url: &str) -> http::Request<Empty<Bytes>> {
    http::Request::builder()
        .uri(format!("{url}/data/testAuthentication"))
        .header(http::header::ACCEPT, "application/json")
        .header(http::header::USER_AGENT, pinata_core::USER_AGENT)
        .header("pinata_api_key", KEY)
        .header("pinata_secret_api_key", SECRET)
        .body(Empty::new())
        .unwrap_or_default()
}

/// Runs `tasks` copies of `one` until `seconds` pass; returns completed requests.
async fn drive<F, Fut>(tasks: usize, seconds: f64, one: F) -> u64
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let (one, done) = (one.clone(), done.clone());
            tokio::spawn(async move {
                while Instant::now() < deadline {
                    if one().await {
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for h in handles {
        let _ = h.await;
    }
    done.load(Ordering::Relaxed)
}

pub(crate) fn run(seconds: f64) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    // The server gets its own runtime (thread), so client and server do not share one.
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let connections = Arc::new(AtomicU64::new(0));
    let listener = server_rt
        .block_on(TcpListener::bind("127.0.0.1:0"))
        .map_err(|e| e.to_string())?;
    let url = format!(
        "http://{}",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    server_rt.spawn(serve(listener, Kind::Fixed, connections.clone()));

    let creds = Credentials::key_pair(KEY, SECRET).map_err(|e| e.to_string())?;
    let config = Config::default()
        .with_base_url(&url)
        .map_err(|e| e.to_string())?
        .retry(RetryPolicy::never());
    for round in 0..5 {
        for concurrency in [1usize, 32] {
            // pinata-hyper
            let client = pinata_hyper::Client::with_config(creds.clone(), config.clone())
                .map_err(|e| e.to_string())?;
            let before = connections.load(Ordering::Relaxed);
            let n = runtime.block_on(drive(concurrency, seconds, move || {
                let client = client.clone();
                async move { client.test_authentication().await.is_ok() }
            }));
            let opened = connections.load(Ordering::Relaxed) - before;
            println!(
                "pinata-hyper c={concurrency} round={round} rps {} conn_per_1000 {}",
                n as f64 / seconds,
                opened as f64 * 1000.0 / n.max(1) as f64
            );

            // raw hyper-util
            let raw: HyperClient<HttpConnector, Empty<Bytes>> =
                HyperClient::builder(TokioExecutor::new()).build(HttpConnector::new());
            let before = connections.load(Ordering::Relaxed);
            let u = url.clone();
            let n = runtime.block_on(drive(concurrency, seconds, move || {
                let (raw, u) = (raw.clone(), u.clone());
                async move {
                    let Ok(resp) = raw.request(raw_request(&u)).await else {
                        return false;
                    };
                    let Ok(body) = resp.into_body().collect().await else {
                        return false;
                    };
                    serde_json::from_slice::<Welcome>(&body.to_bytes()).is_ok()
                }
            }));
            let opened = connections.load(Ordering::Relaxed) - before;
            println!(
                "raw-hyper c={concurrency} round={round} rps {} conn_per_1000 {}",
                n as f64 / seconds,
                opened as f64 * 1000.0 / n.max(1) as f64
            );
        }
        // pinata-ureq vs raw ureq, sequential.
        let client = pinata_ureq::Client::with_config(creds.clone(), config.clone())
            .map_err(|e| e.to_string())?;
        let before = connections.load(Ordering::Relaxed);
        let (mut n, deadline) = (0u64, Instant::now() + Duration::from_secs_f64(seconds));
        while Instant::now() < deadline {
            if client.test_authentication().is_ok() {
                n += 1;
            }
        }
        let opened = connections.load(Ordering::Relaxed) - before;
        println!(
            "pinata-ureq c=1 round={round} rps {} conn_per_1000 {}",
            n as f64 / seconds,
            opened as f64 * 1000.0 / n.max(1) as f64
        );

        // Raw ureq twice: with its defaults (no timeouts), and with the timeouts pinata-ureq sets
        // (connect and whole-request), which cost ureq itself a lot per request.
        for (name, timeouts) in [("raw-ureq", false), ("raw-ureq+timeouts", true)] {
            let mut config = ureq::Agent::config_builder().http_status_as_error(false);
            if timeouts {
                config = config
                    .timeout_connect(Some(Duration::from_secs(10)))
                    .timeout_global(Some(Duration::from_secs(60)));
            }
            let agent: ureq::Agent = config.build().into();
            let before = connections.load(Ordering::Relaxed);
            let (mut n, deadline) = (0u64, Instant::now() + Duration::from_secs_f64(seconds));
            while Instant::now() < deadline {
                let ok = agent
                    .get(format!("{url}/data/testAuthentication"))
                    .header("accept", "application/json")
                    .header("user-agent", pinata_core::USER_AGENT)
                    .header("pinata_api_key", KEY)
                    .header("pinata_secret_api_key", SECRET)
                    .call()
                    .ok()
                    .and_then(|mut r| r.body_mut().read_to_vec().ok())
                    .is_some_and(|b| serde_json::from_slice::<Welcome>(&b).is_ok());
                if ok {
                    n += 1;
                }
            }
            let opened = connections.load(Ordering::Relaxed) - before;
            println!(
                "{name} c=1 round={round} rps {} conn_per_1000 {}",
                n as f64 / seconds,
                opened as f64 * 1000.0 / n.max(1) as f64
            );
        }
    }
    Ok(())
}

/// Exactly `requests` requests from `concurrency` tasks, with the library (`pinata`) or raw
/// hyper-util (`raw`): for callgrind, whose instruction counts are repeatable where time is not.
pub(crate) fn fixed(client: &str, requests: u64, concurrency: u64) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let connections = Arc::new(AtomicU64::new(0));
    let listener = runtime
        .block_on(TcpListener::bind("127.0.0.1:0"))
        .map_err(|e| e.to_string())?;
    let url = format!(
        "http://{}",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    runtime.spawn(serve(listener, Kind::Fixed, connections));
    let per_task = requests / concurrency.max(1);
    let creds = Credentials::key_pair(KEY, SECRET).map_err(|e| e.to_string())?;
    let config = Config::default()
        .with_base_url(&url)
        .map_err(|e| e.to_string())?
        .retry(RetryPolicy::never());
    let done = Arc::new(AtomicU64::new(0));
    runtime.block_on(async {
        let mut handles = Vec::new();
        if client == "pinata" {
            let c = pinata_hyper::Client::with_config(creds, config).map_err(|e| e.to_string())?;
            for _ in 0..concurrency {
                let (c, done) = (c.clone(), done.clone());
                handles.push(tokio::spawn(async move {
                    for _ in 0..per_task {
                        if c.test_authentication().await.is_ok() {
                            done.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }));
            }
        } else {
            let raw: HyperClient<HttpConnector, Empty<Bytes>> =
                HyperClient::builder(TokioExecutor::new()).build(HttpConnector::new());
            for _ in 0..concurrency {
                let (raw, done, u) = (raw.clone(), done.clone(), url.clone());
                handles.push(tokio::spawn(async move {
                    for _ in 0..per_task {
                        let Ok(resp) = raw.request(raw_request(&u)).await else {
                            continue;
                        };
                        let Ok(body) = resp.into_body().collect().await else {
                            continue;
                        };
                        if serde_json::from_slice::<Welcome>(&body.to_bytes()).is_ok() {
                            done.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }));
            }
        }
        for h in handles {
            let _ = h.await;
        }
        Ok::<_, String>(())
    })?;
    println!("done {}", done.load(Ordering::Relaxed));
    Ok(())
}

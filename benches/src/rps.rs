//! Requests per second over keep-alive to a minimal local server: the library's clients against a
//! raw hyper-util client and raw ureq doing the same request and decode.
//!
//! Each round runs every client once, in an order that rotates from round to round, so a baseline
//! and the client compared with it are measured seconds apart; the xtask compares them round by
//! round. Extra hyper-util rows split pinata-hyper's cost between the transport's set-up and the
//! core: `raw-hyper+timeout` adds only the whole-request timer, `raw-hyper+setup` everything
//! pinata-hyper's transport does (the HTTPS-or-HTTP connector, a boxed request body, the boxed
//! future of `AsyncTransport::send` and the timer) without the core, and `raw-hyper+idle-timer`
//! has no timer per request but one unrelated timer pending in the runtime (which is enough to
//! change how the runtime waits for I/O).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::{Connect, HttpConnector};
use hyper_util::rt::TokioExecutor;
use pinata_core::retry::RetryPolicy;
use pinata_core::{Config, Credentials};
use serde::Deserialize;
use tokio::net::TcpListener;

use crate::server::{Kind, serve};

const KEY: &str = "0123456789abcdef0123";
const SECRET: &str = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";
/// The whole-request timeout pinata-hyper and pinata-ureq apply by default.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Deserialize)]
#[allow(dead_code)]
struct Welcome {
    message: String,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

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

/// One raw hyper-util request and decode, generic over the connector and body type.
async fn raw_once<C, B>(
    client: &HyperClient<C, B>,
    url: &str,
    to_body: fn(Empty<Bytes>) -> B,
) -> bool
where
    C: Connect + Clone + Send + Sync + 'static,
    B: hyper::body::Body + Send + Unpin + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let Ok(resp) = client.request(raw_request(url).map(to_body)).await else {
        return false;
    };
    let Ok(body) = resp.into_body().collect().await else {
        return false;
    };
    serde_json::from_slice::<Welcome>(&body.to_bytes()).is_ok()
}

/// Completed requests, and the seconds they took (from the start to the last task's end, which
/// runs past the deadline by the requests still in flight).
type Count = (u64, f64);

/// Runs `tasks` copies of `one` until `seconds` pass.
async fn drive<F, Fut>(tasks: usize, seconds: f64, one: F) -> Count
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = bool> + Send,
{
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(seconds);
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
    (
        done.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64(),
    )
}

/// Runs `one` sequentially until `seconds` pass.
fn drive_blocking(seconds: f64, mut one: impl FnMut() -> bool) -> Count {
    let started = Instant::now();
    let (mut n, deadline) = (0u64, started + Duration::from_secs_f64(seconds));
    while Instant::now() < deadline {
        if one() {
            n += 1;
        }
    }
    (n, started.elapsed().as_secs_f64())
}

/// The clients measured, by the name the xtask reads.
#[derive(Clone, Copy)]
enum Subject {
    PinataHyper,
    RawHyper,
    RawHyperTimeout,
    RawHyperIdleTimer,
    RawHyperSetup,
    PinataUreq,
    RawUreq,
    RawUreqTimeouts,
}

impl Subject {
    fn name(self) -> &'static str {
        match self {
            Self::PinataHyper => "pinata-hyper",
            Self::RawHyper => "raw-hyper",
            Self::RawHyperTimeout => "raw-hyper+timeout",
            Self::RawHyperIdleTimer => "raw-hyper+idle-timer",
            Self::RawHyperSetup => "raw-hyper+setup",
            Self::PinataUreq => "pinata-ureq",
            Self::RawUreq => "raw-ureq",
            Self::RawUreqTimeouts => "raw-ureq+timeouts",
        }
    }
}

/// What each run needs.
struct Bench {
    runtime: tokio::runtime::Runtime,
    url: String,
    creds: Credentials,
    config: Config,
    seconds: f64,
}

impl Bench {
    /// Requests `subject` completes in `seconds` with `tasks` concurrent tasks (ureq: sequential).
    fn run(&self, subject: Subject, tasks: usize) -> Result<Count, String> {
        let (url, seconds) = (self.url.clone(), self.seconds);
        let plain = || -> HyperClient<HttpConnector, Empty<Bytes>> {
            HyperClient::builder(TokioExecutor::new()).build(HttpConnector::new())
        };
        Ok(match subject {
            Subject::PinataHyper => {
                let client =
                    pinata_hyper::Client::with_config(self.creds.clone(), self.config.clone())
                        .map_err(|e| e.to_string())?;
                self.runtime.block_on(drive(tasks, seconds, move || {
                    let client = client.clone();
                    async move { client.test_authentication().await.is_ok() }
                }))
            }
            Subject::RawHyper => {
                let raw = plain();
                self.runtime.block_on(drive(tasks, seconds, move || {
                    let (raw, url) = (raw.clone(), url.clone());
                    async move { raw_once(&raw, &url, |b| b).await }
                }))
            }
            Subject::RawHyperTimeout => {
                let raw = plain();
                self.runtime.block_on(drive(tasks, seconds, move || {
                    let (raw, url) = (raw.clone(), url.clone());
                    async move {
                        tokio::time::timeout(REQUEST_TIMEOUT, raw_once(&raw, &url, |b| b))
                            .await
                            .unwrap_or(false)
                    }
                }))
            }
            Subject::RawHyperIdleTimer => {
                // No timer per request: one unrelated timer, pending in the runtime the whole run.
                let idle = {
                    let _inside = self.runtime.enter();
                    self.runtime
                        .spawn(tokio::time::sleep(Duration::from_secs(3600)))
                };
                let count = self.run(Subject::RawHyper, tasks);
                idle.abort();
                count?
            }
            Subject::RawHyperSetup => {
                let mut http = HttpConnector::new();
                http.enforce_http(false);
                http.set_nodelay(true);
                // ring, as pinata-hyper builds it: rustls 0.23.48 deprecates the call because
                // ring has no post-quantum key exchange, and the one provider with it (aws-lc-rs)
                // is kept out of this tree (see pinata-hyper's `ring_provider`).
                #[allow(deprecated)]
                let provider = Arc::new(rustls::crypto::ring::default_provider());
                let connector = hyper_rustls::HttpsConnectorBuilder::new()
                    .with_provider_and_webpki_roots(provider)
                    .map_err(|e| e.to_string())?
                    .https_or_http()
                    .enable_http1()
                    .wrap_connector(http);
                let raw: HyperClient<_, UnsyncBoxBody<Bytes, BoxError>> =
                    HyperClient::builder(TokioExecutor::new()).build(connector);
                self.runtime.block_on(drive(tasks, seconds, move || {
                    let (raw, url) = (raw.clone(), url.clone());
                    async move {
                        // As `#[async_trait]` does for `AsyncTransport::send`.
                        let send: Pin<Box<dyn Future<Output = bool> + Send>> =
                            Box::pin(async move {
                                let boxed = |b: Empty<Bytes>| {
                                    b.map_err(|never| match never {}).boxed_unsync()
                                };
                                tokio::time::timeout(REQUEST_TIMEOUT, raw_once(&raw, &url, boxed))
                                    .await
                                    .unwrap_or(false)
                            });
                        send.await
                    }
                }))
            }
            Subject::PinataUreq => {
                let client =
                    pinata_ureq::Client::with_config(self.creds.clone(), self.config.clone())
                        .map_err(|e| e.to_string())?;
                drive_blocking(seconds, || client.test_authentication().is_ok())
            }
            Subject::RawUreq | Subject::RawUreqTimeouts => {
                // As pinata-ureq: no proxy from the environment.
                let mut config = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .proxy(None);
                if matches!(subject, Subject::RawUreqTimeouts) {
                    config = config
                        .timeout_connect(Some(Duration::from_secs(10)))
                        .timeout_global(Some(REQUEST_TIMEOUT));
                }
                let agent: ureq::Agent = config.build().into();
                let url = format!("{url}/data/testAuthentication");
                drive_blocking(seconds, || {
                    agent
                        .get(&url)
                        .header("accept", "application/json")
                        .header("user-agent", pinata_core::USER_AGENT)
                        .header("pinata_api_key", KEY)
                        .header("pinata_secret_api_key", SECRET)
                        .call()
                        .ok()
                        .and_then(|mut r| r.body_mut().read_to_vec().ok())
                        .is_some_and(|b| serde_json::from_slice::<Welcome>(&b).is_ok())
                })
            }
        })
    }
}

pub(crate) fn run(seconds: f64, rounds: usize, only: Option<&str>) -> Result<(), String> {
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
        .with_retry_policy(RetryPolicy::never());
    let bench = Bench {
        runtime,
        url,
        creds,
        config,
        seconds,
    };
    let runs = [
        (Subject::RawHyper, 1),
        (Subject::RawHyperTimeout, 1),
        (Subject::RawHyperIdleTimer, 1),
        (Subject::RawHyperSetup, 1),
        (Subject::PinataHyper, 1),
        (Subject::RawHyper, 32),
        (Subject::RawHyperTimeout, 32),
        (Subject::RawHyperSetup, 32),
        (Subject::PinataHyper, 32),
        (Subject::RawUreq, 1),
        (Subject::RawUreqTimeouts, 1),
        (Subject::PinataUreq, 1),
    ];
    for round in 0..rounds {
        // The order rotates every two rounds and runs backwards on odd rounds, so each client runs
        // before and after each other one equally often.
        let mut order: Vec<usize> = (0..runs.len())
            .map(|i| (i + round / 2) % runs.len())
            .collect();
        if round % 2 == 1 {
            order.reverse();
        }
        for i in order {
            let (subject, tasks) = runs[i];
            if only.is_some_and(|name| name != subject.name()) {
                continue;
            }
            let before = connections.load(Ordering::Relaxed);
            let (n, took) = bench.run(subject, tasks)?;
            let opened = connections.load(Ordering::Relaxed) - before;
            println!(
                "{} c={tasks} round={round} rps {} conn_per_1000 {}",
                subject.name(),
                n as f64 / took,
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
        .with_retry_policy(RetryPolicy::never());
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
                        if raw_once(&raw, &u, |b| b).await {
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

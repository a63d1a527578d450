//! `pinata-bench versions --url URL --http auto|http1 TASK …` (the JWT in `PINATA_JWT`; for an
//! `https://` emulator with a self-signed certificate, its PEM in the file `SSL_CERT_FILE` names,
//! which pinata-hyper's `native-roots` feature reads): pinata-hyper with
//! `TransportOptions::http_version` set to `Auto` (HTTP/2 where ALPN offers it) or `Http1Only`.
//!
//! Tasks:
//! - `small COUNT CONCURRENCY`: COUNT requests from CONCURRENCY tasks, alternating a 1 KiB v3
//!   upload (multipart, distinct bytes) and a `pinJSONToIPFS` of a small JSON document;
//! - `upload FILE`: one file uploaded (`upload_file`, multipart streamed from disk).
//!
//! With `--rtt-ms N`, the client talks to the server through a TCP proxy in this process that
//! delays every byte by N/2 ms each way (a link with that round trip and no bandwidth limit; the
//! kernel here has no `netem`).
//!
//! Prints `wall-ms`, `requests`, `rps`, `errors`, `connections` (this process's TCP connections to
//! the server once the work is done: hyper-util keeps every one it opened in its pool) and `version`
//! (what a request on a fresh transport with the same options was answered in).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use pinata_core::api::Network;
use pinata_core::api::pinning::PinJson;
use pinata_core::api::uploads::UploadFile;
use pinata_core::retry::RetryPolicy;
use pinata_core::transport::{AsyncTransport, TransportFactory};
use pinata_core::{Body, Config, Credentials, HttpVersion, TransportOptions};

type Res<T = ()> = Result<T, String>;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

pub(crate) fn run(args: &[String]) -> Res {
    let get = |name: &str| crate::arg(args, name).ok_or_else(|| format!("versions needs {name}"));
    let url = get("--url")?;
    let http_version = match get("--http")?.as_str() {
        "auto" => HttpVersion::Auto,
        "http1" => HttpVersion::Http1Only,
        other => return Err(format!("--http {other:?}: auto or http1")),
    };
    let jwt = std::env::var("PINATA_JWT").map_err(|_| "versions needs PINATA_JWT")?;
    // With `--rtt-ms`, through a proxy of our own that delays every byte, each way, by half of it.
    let rtt: u64 = crate::arg(args, "--rtt-ms")
        .map_or(Ok(0), |v| v.parse())
        .map_err(|_| "--rtt-ms: a number")?;
    let _proxy;
    let url = if rtt == 0 {
        url
    } else {
        let (proxied, runtime) = delay::start(&url, std::time::Duration::from_millis(rtt / 2))?;
        _proxy = runtime;
        proxied
    };
    let at = args
        .iter()
        .position(|a| a == "small" || a == "upload")
        .ok_or("versions: no task (small|upload)")?;
    let operand = |i: usize| {
        args.get(at + i)
            .ok_or("versions: a task's operand is missing")
    };
    let options = TransportOptions {
        http_version,
        ..TransportOptions::default()
    };
    let config = Config::for_emulator(&url)
        .map_err(err)?
        .with_transport_options(options.clone())
        .with_retry_policy(RetryPolicy::never());
    let credentials = Credentials::jwt(&jwt).map_err(err)?;
    let client = pinata_hyper::Client::with_config(credentials, config).map_err(err)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(err)?;
    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let requests = match args[at].as_str() {
        "small" => {
            let count: u64 = operand(1)?.parse().map_err(|_| "COUNT: a number")?;
            let concurrency: usize = operand(2)?.parse().map_err(|_| "CONCURRENCY: a number")?;
            let next = Arc::new(AtomicU64::new(0));
            runtime.block_on(async {
                let tasks: Vec<_> = (0..concurrency)
                    .map(|_| {
                        let (client, next, errors) = (client.clone(), next.clone(), errors.clone());
                        tokio::spawn(async move {
                            loop {
                                let i = next.fetch_add(1, Ordering::Relaxed);
                                if i >= count {
                                    break;
                                }
                                if !small(&client, i).await {
                                    errors.fetch_add(1, Ordering::Relaxed);
                                }
                            }
                        })
                    })
                    .collect();
                for task in tasks {
                    let _ = task.await;
                }
            });
            count
        }
        _ => {
            let path = operand(1)?;
            let len = std::fs::metadata(path).map_err(err)?.len();
            let upload = UploadFile::path(path, len)
                .map_err(err)?
                .network(Network::Public);
            runtime.block_on(async {
                if let Err(e) = client.upload_file(&upload).await {
                    eprintln!("upload: {e}");
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            });
            1
        }
    };
    let elapsed = started.elapsed().as_secs_f64();
    let connections = connections_to(&url);
    let version = runtime.block_on(version(&options, &url))?;
    println!("wall-ms {:.1}", elapsed * 1000.0);
    println!("requests {requests}");
    println!("rps {:.1}", requests as f64 / elapsed);
    println!("errors {}", errors.load(Ordering::Relaxed));
    println!("connections {connections}");
    println!("version {version}");
    Ok(())
}

/// The `i`-th small request: a 1 KiB upload (even `i`) or a small JSON pin (odd `i`); whether it
/// succeeded.
async fn small(client: &pinata_hyper::Client, i: u64) -> bool {
    if i.is_multiple_of(2) {
        let mut bytes = vec![0u8; 1024];
        bytes[..8].copy_from_slice(&i.to_le_bytes());
        bytes[8..12].copy_from_slice(&std::process::id().to_le_bytes());
        match UploadFile::bytes(format!("small-{i}.bin"), bytes) {
            Ok(u) => client
                .upload_file(&u.network(Network::Public))
                .await
                .is_ok(),
            Err(_) => false,
        }
    } else {
        let doc = serde_json::json!({ "i": i, "pid": std::process::id(), "kind": "bench" });
        match PinJson::new(&doc) {
            Ok(pin) => client.execute(&pin).await.is_ok(),
            Err(_) => false,
        }
    }
}

/// The HTTP version the server answers a fresh transport with `options` in.
async fn version(options: &TransportOptions, url: &str) -> Res<String> {
    let transport = pinata_hyper::HyperTransport::from_options(options).map_err(err)?;
    let request = http::Request::get(format!("{url}/emulator/health"))
        .body(Body::Empty)
        .map_err(err)?;
    let response = transport.send(request).await.map_err(err)?;
    Ok(format!("{:?}", response.version()))
}

/// How many established TCP connections this process has to `url`'s port (Linux: the sockets
/// among this process's file descriptors, looked up in `/proc/net/tcp` and `tcp6`).
fn connections_to(url: &str) -> usize {
    let Some(port) = url
        .rsplit(':')
        .next()
        .and_then(|p| p.trim_end_matches('/').parse::<u16>().ok())
    else {
        return 0;
    };
    let mine: std::collections::HashSet<String> = std::fs::read_dir("/proc/self/fd")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|fd| {
            let link = std::fs::read_link(fd.path()).ok()?;
            let link = link.to_string_lossy();
            Some(link.strip_prefix("socket:[")?.strip_suffix(']')?.to_owned())
        })
        .collect();
    let remote_port = format!(":{port:04X}");
    ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|table| std::fs::read_to_string(table).ok())
        .map(|text| {
            text.lines()
                .skip(1)
                .filter(|line| {
                    let fields: Vec<&str> = line.split_whitespace().collect();
                    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode
                    fields.len() > 9
                        && fields[2].ends_with(&remote_port)
                        && fields[3] == "01"
                        && mine.contains(fields[9])
                })
                .count()
        })
        .sum()
}

/// The delaying TCP proxy behind `--rtt-ms`.
mod delay {
    use std::time::Duration;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};
    use tokio::time::Instant;

    /// Starts a proxy to `url`'s host and port on a runtime of its own (one thread), delaying each
    /// direction by `one_way`: the URL to use instead, and the runtime (dropping it stops all).
    pub(super) fn start(
        url: &str,
        one_way: Duration,
    ) -> Result<(String, tokio::runtime::Runtime), String> {
        let (scheme, upstream) = url.split_once("://").ok_or("--url: scheme://host:port")?;
        let upstream = upstream.trim_end_matches('/').to_owned();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let listener = runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .map_err(|e| e.to_string())?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        runtime.spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let upstream = upstream.clone();
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    let _ = (client.set_nodelay(true), server.set_nodelay(true));
                    let (cr, cw) = client.into_split();
                    let (sr, sw) = server.into_split();
                    tokio::spawn(pump(cr, sw, one_way));
                    tokio::spawn(pump(sr, cw, one_way));
                });
            }
        });
        Ok((format!("{scheme}://127.0.0.1:{port}"), runtime))
    }

    /// Copies `from` to `to`, each piece written `delay` after it was read (pieces in flight are
    /// not limited in number beyond the channel's 4,096).
    async fn pump(
        mut from: tokio::net::tcp::OwnedReadHalf,
        mut to: tokio::net::tcp::OwnedWriteHalf,
        delay: Duration,
    ) {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<(Instant, Vec<u8>)>(4096);
        let writer = tokio::spawn(async move {
            while let Some((due, bytes)) = rx.recv().await {
                tokio::time::sleep_until(due).await;
                if to.write_all(&bytes).await.is_err() {
                    return;
                }
            }
            let _ = to.shutdown().await;
        });
        let mut buf = vec![0u8; 64 << 10];
        while let Ok(n) = from.read(&mut buf).await {
            if n == 0
                || tx
                    .send((Instant::now() + delay, buf[..n].to_vec()))
                    .await
                    .is_err()
            {
                break;
            }
        }
        drop(tx);
        let _ = writer.await;
    }
}

//! A `CONNECT` proxy on loopback, for the proxy cases: it maps test host names (`pinata.test:443`)
//! to local addresses, so a client reaches an emulator only through its tunnels (the name
//! resolves nowhere else), and records what it was asked.
//!
//! Two modes, as proxies in the field have them:
//! - [`Mode::Tunnel`]: bytes are piped both ways untouched; the proxy sees the `CONNECT` request
//!   and ciphertext.
//! - [`Mode::Inspect`]: a TLS-inspecting proxy, as companies run: it answers the client's TLS
//!   handshake itself with a certificate for the destination signed by its own root
//!   (`tests/data/proxy/ca.pem`), and forwards the decrypted bytes to the mapped address (a
//!   plain-http emulator). It records what it decrypted, so a case can check what the client
//!   sent inside the tunnel.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls;

/// The inspecting proxy's root, which a client must trust ([`Mode::Inspect`]).
pub const INSPECTING_ROOT_PEM: &str = include_str!("../data/proxy/ca.pem");
const LEAF_PEM: &str = include_str!("../data/proxy/pinata.test.pem");
const LEAF_KEY_PEM: &str = include_str!("../data/proxy/pinata.test.key");

/// How the proxy treats an established tunnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Pipe the bytes untouched.
    Tunnel,
    /// Terminate TLS with a certificate of its own for `pinata.test` and forward plaintext.
    Inspect,
}

/// One `CONNECT` request the proxy received.
#[derive(Debug, Clone)]
pub struct Connect {
    /// `host:port` asked for.
    pub target: String,
    /// The request head as received (request line and headers).
    pub head: String,
    /// The user and password of its `Proxy-Authorization: Basic …`, decoded.
    pub credentials: Option<String>,
    /// The status the proxy answered with.
    pub status: u16,
}

/// A running proxy. It lives as long as the test process (a thread of its own).
#[derive(Debug, Clone)]
pub struct ConnectProxy {
    /// `127.0.0.1:PORT`.
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<Connect>>>,
    decrypted: Arc<Mutex<Vec<u8>>>,
}

/// What the proxy allows and where it sends each target.
#[derive(Debug, Clone)]
pub struct Rules {
    /// `host:port` → the local address it stands for. Other targets get `403`.
    pub routes: HashMap<String, SocketAddr>,
    /// `user:password` the proxy requires (`407` otherwise), if any.
    pub credentials: Option<String>,
    /// Tunnel or inspect.
    pub mode: Mode,
}

impl ConnectProxy {
    /// Starts a proxy applying `rules`.
    pub fn start(rules: Rules) -> Self {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        std_listener.set_nonblocking(true).unwrap();
        let addr = std_listener.local_addr().unwrap();
        let proxy = Self {
            addr,
            log: Arc::default(),
            decrypted: Arc::default(),
        };
        let (log, decrypted) = (proxy.log.clone(), proxy.decrypted.clone());
        let acceptor = tls_acceptor();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = TcpListener::from_std(std_listener).unwrap();
                let rules = Arc::new(rules);
                while let Ok((client, _)) = listener.accept().await {
                    let (rules, log, decrypted) = (rules.clone(), log.clone(), decrypted.clone());
                    let acceptor = acceptor.clone();
                    tokio::spawn(async move {
                        let _ = serve(client, &rules, &log, &decrypted, acceptor).await;
                    });
                }
            });
        });
        proxy
    }

    /// `http://user:password@127.0.0.1:PORT` (or without credentials).
    pub fn url(&self, credentials: Option<&str>) -> String {
        match credentials {
            Some(c) => format!("http://{c}@{}", self.addr),
            None => format!("http://{}", self.addr),
        }
    }

    /// Every `CONNECT` request so far.
    pub fn connects(&self) -> Vec<Connect> {
        self.log.lock().unwrap().clone()
    }

    /// What the client sent inside the tunnels, decrypted ([`Mode::Inspect`] only).
    pub fn decrypted(&self) -> String {
        String::from_utf8_lossy(&self.decrypted.lock().unwrap()).into_owned()
    }
}

/// The inspecting proxy's server side: its leaf for `pinata.test`, HTTP/1.1 only.
fn tls_acceptor() -> tokio_rustls::TlsAcceptor {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(LEAF_PEM.as_bytes())
        .map(Result::unwrap)
        .collect();
    let key = PrivateKeyDer::from_pem_slice(LEAF_KEY_PEM.as_bytes()).unwrap();
    #[allow(deprecated)] // *ring* by name: see pinata-hyper's `ring_provider`.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

async fn serve(
    mut client: TcpStream,
    rules: &Rules,
    log: &Mutex<Vec<Connect>>,
    decrypted: &Arc<Mutex<Vec<u8>>>,
    acceptor: tokio_rustls::TlsAcceptor,
) -> std::io::Result<()> {
    // The request head, byte by byte up to its blank line (so nothing after it is consumed).
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 16 * 1024 {
            return Ok(());
        }
        let mut byte = [0u8; 1];
        if client.read(&mut byte).await? == 0 {
            return Ok(());
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut words = head.split_whitespace();
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let credentials = head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        if !name.eq_ignore_ascii_case("proxy-authorization") {
            return None;
        }
        let token = value.trim().strip_prefix("Basic ")?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(token)
            .ok()?;
        String::from_utf8(bytes).ok()
    });
    let route = rules.routes.get(target).copied();
    let status = if method != "CONNECT" {
        405
    } else if rules.credentials.is_some() && credentials != rules.credentials {
        407
    } else if route.is_none() {
        403
    } else {
        200
    };
    log.lock().unwrap().push(Connect {
        target: target.to_owned(),
        head: head.clone(),
        credentials,
        status,
    });
    let Some(route) = route.filter(|_| status == 200) else {
        let reason = match status {
            407 => "Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"",
            403 => "Forbidden",
            _ => "Method Not Allowed",
        };
        let answer = format!("HTTP/1.1 {status} {reason}\r\nContent-Length: 0\r\n\r\n");
        client.write_all(answer.as_bytes()).await?;
        return Ok(());
    };
    let upstream = TcpStream::connect(route).await?;
    client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .await?;
    match rules.mode {
        Mode::Tunnel => {
            let (mut client, mut upstream) = (client, upstream);
            let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
        }
        Mode::Inspect => {
            let tls = acceptor.accept(client).await?;
            pipe(tls, upstream, decrypted.clone()).await;
        }
    }
    Ok(())
}

/// Copies both ways, keeping (up to 1 MiB of) what the client sent.
async fn pipe<C>(client: C, upstream: TcpStream, seen: Arc<Mutex<Vec<u8>>>)
where
    C: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut client_read, mut client_write) = tokio::io::split(client);
    let (mut upstream_read, mut upstream_write) = upstream.into_split();
    let up = async move {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match client_read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            {
                let mut seen = seen.lock().unwrap();
                let room = (1usize << 20).saturating_sub(seen.len());
                seen.extend_from_slice(&buf[..n.min(room)]);
            }
            if upstream_write.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
        let _ = upstream_write.shutdown().await;
    };
    let down = async move {
        let _ = tokio::io::copy(&mut upstream_read, &mut client_write).await;
        let _ = client_write.shutdown().await;
    };
    tokio::join!(up, down);
}

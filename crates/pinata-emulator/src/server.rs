//! The HTTP server: binding (the state built from the configuration and the database, the admin
//! key, the seed) and the accept loop, each connection served over HTTP/1.1 or HTTP/2 with its
//! bounds. The in-process handle is `handle.rs`.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::config::EmulatorConfig;
use crate::conn;
use crate::credentials::{AdminCredentials, KeyCredentials};
use crate::db::{Persist, Table};
use crate::ids;
use crate::routes;
use crate::state::State;
use crate::store::keys::NewKey;
use crate::tls::Tls;
use crate::token;

/// What the accept loop applies to every connection.
#[derive(Debug, Clone, Copy)]
struct Limits {
    max_connections: usize,
    header_read_timeout: Duration,
    idle_timeout: Duration,
}

/// A bound emulator, not yet serving.
pub struct Emulator {
    state: Arc<State>,
    limits: Limits,
    listener: TcpListener,
    url: String,
    admin: AdminCredentials,
    seeded: Vec<KeyCredentials>,
    tls: Option<Tls>,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Binds the listening socket and creates the admin key. Must run inside a Tokio runtime.
    pub async fn bind(config: EmulatorConfig) -> io::Result<Self> {
        config
            .validate()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        // With a data directory, the state of the last run (checked whole before anything else).
        let db = match &config.data_dir {
            Some(dir) => {
                crate::disk::create_data_dir(dir)?;
                Persist::to(Arc::new(crate::db::Db::open(dir)?))
            }
            None => Persist::default(),
        };
        let account: HashMap<String, String> = db.load(Table::Account)?.into_iter().collect();
        // A flag wins over what the last run kept, which wins over a new random value.
        let jwt_secret = match config.jwt_secret {
            Some(s) if !s.is_empty() => s,
            _ => match account.get("jwt_secret") {
                Some(hex) => match ids::unhex(hex) {
                    Some(kept) if !kept.is_empty() => kept,
                    // Every JWT and signed URL of the account hangs on it: never replaced silently.
                    _ => {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            "the emulator's database keeps a JWT secret that is not hex; move the \
                             database away (or choose another --data-dir) to start afresh",
                        ));
                    }
                },
                None => ids::random_bytes(32)?,
            },
        };
        let user_id = match (account.get("user_id"), &config.admin_key) {
            // The account keeps its id once it has one.
            (Some(kept), _) => kept.clone(),
            // A fixed admin key gives a fixed account id, so runs with fixed secrets are reproducible.
            (None, Some(key)) => ids::uuid_from(key.as_bytes()),
            (None, None) => ids::uuid_v4()?,
        };
        // A key of its own for signed URLs, derived so that fixed secrets give the same URLs.
        let url_secret = token::mac(&jwt_secret, b"pinata-emulator signed URLs");
        let admin_key = match config
            .admin_key
            .or_else(|| account.get("admin_key").cloned())
        {
            Some(k) => k,
            None => ids::random_hex(20)?,
        };
        let given_secret = config.admin_secret.is_some();
        let admin_secret = match config.admin_secret {
            Some(s) => s,
            None => ids::random_hex(64)?,
        };
        // Keys look like the real ones: 20 and 64 lower-case hex digits.
        let hex = |s: &str, n: usize| {
            s.len() == n && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        };
        if !hex(&admin_key, 20) || !hex(&admin_secret, 64) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the admin key must be 20 and the admin secret 64 lower-case hex digits, like Pinata's",
            ));
        }
        let seed = match &config.seed {
            Some(path) => Some(
                crate::seed::Seed::load(path, &admin_key)
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?,
            ),
            None => None,
        };
        let mut state = State {
            keys: Default::default(),
            admin_key: admin_key.clone(),
            jwt_secret,
            user_id,
            jwt_lifetime: config.jwt_lifetime,
            key_page_size: config.key_page_size,
            content: crate::store::content::ContentStore::open(config.data_dir)?,
            pins: Default::default(),
            pin_delay: config.pin_by_hash_delay,
            search_expiry: config.pin_by_hash_expiry,
            faults: Default::default(),
            groups: Default::default(),
            files: Default::default(),
            grants: Default::default(),
            url_secret,
            swaps: Default::default(),
            signatures: Default::default(),
            tus: crate::store::tus::TusStore::new(config.max_upload_bytes, config.tus_expiry),
            idle_timeout: config.idle_timeout,
            journal: Default::default(),
            psa: Default::default(),
            psa_mode: config.psa_mode,
            seed,
            gateway_domain: config.gateway_domain,
            scheme: if config.tls.is_some() {
                "https"
            } else {
                "http"
            },
            db: db.clone(),
        };
        state.restore(&db)?;
        for rule in config.faults {
            state
                .faults
                .add(rule)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        }
        if let Some(limit) = config.rate_limit {
            state.faults.set_rate_limit(limit, SystemTime::now());
        }
        // The admin key the last run kept (its uses and all), unless a flag gives another secret.
        let kept = state
            .keys
            .get(&admin_key)
            .filter(|r| !given_secret || r.secret.expose_secret() == admin_secret);
        let record = match kept {
            Some(record) => {
                state.keys.unrevoke(&record.key);
                record
            }
            None => state
                .keys
                .insert_with(
                    NewKey {
                        name: "emulator admin".to_owned(),
                        permissions: pinata_core::api::keys::Permissions::admin(),
                        max_uses: None,
                    },
                    admin_key,
                    admin_secret,
                )
                .map_err(io::Error::other)?,
        };
        let admin = AdminCredentials {
            jwt: state.mint(
                &record.key,
                record.secret.expose_secret(),
                SystemTime::now(),
            ),
            api_key: record.key.clone(),
            api_secret: record.secret.expose_secret().to_owned(),
        };
        // The seed makes a new account's state; a kept one already holds what it made (and
        // whatever happened since), so it is not applied again, but its keys are still shown.
        let now = SystemTime::now();
        let seeded = match &state.seed {
            Some(seed) => {
                if db.is_fresh() {
                    state.apply_seed(seed, now).map_err(|e| {
                        io::Error::new(io::ErrorKind::InvalidInput, format!("seed: {e}"))
                    })?;
                }
                seed.credentials(|key, secret| state.mint(key, secret, now))
            }
            None => Vec::new(),
        };
        // Written last, so a run stopped before this point leaves a database that is still new.
        db.put(Table::Account, "jwt_secret", &ids::hex(&state.jwt_secret));
        db.put(Table::Account, "user_id", &state.user_id);
        db.put(Table::Account, "admin_key", &state.admin_key);
        if let Some(failure) = db.failure() {
            return Err(io::Error::other(failure));
        }
        // The certificate before the socket, so a bad PEM file fails the start-up first.
        let tls = config.tls.as_ref().map(crate::tls::load).transpose()?;
        let listener = TcpListener::bind(config.listen).await?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let url = format!("{scheme}://{}", listener.local_addr()?);
        Ok(Self {
            state: Arc::new(state),
            limits: Limits {
                max_connections: config.max_connections,
                header_read_timeout: config.header_read_timeout,
                idle_timeout: config.idle_timeout,
            },
            listener,
            url,
            admin,
            seeded,
            tls,
        })
    }

    /// `http://ADDR:PORT`, or `https://ADDR:PORT` with [`EmulatorConfig::tls`].
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The admin key.
    pub fn admin(&self) -> &AdminCredentials {
        &self.admin
    }

    /// The keys the seed made, in its order, each with a JWT (empty without a seed).
    pub fn seeded_keys(&self) -> &[KeyCredentials] {
        &self.seeded
    }

    /// The PEM of the certificate made at start-up ([`TlsConfig::SelfSigned`](crate::TlsConfig::SelfSigned)), for a client to
    /// trust; None without TLS or with certificate files.
    pub fn certificate_pem(&self) -> Option<&str> {
        self.tls.as_ref()?.certificate_pem.as_deref()
    }

    /// The line the binary prints first: `{"url":…,"admin":{"jwt":…,"api_key":…,"api_secret":…}}`,
    /// with `"keys":[{"jwt":…,"api_key":…,"api_secret":…}…]` too when a seed made keys, and
    /// `"ca_pem":"…"` (the certificate to trust) with a self-signed certificate.
    pub fn startup_line(&self) -> String {
        #[derive(Serialize)]
        struct Line<'a> {
            url: &'a str,
            admin: &'a AdminCredentials,
            #[serde(skip_serializing_if = "<[_]>::is_empty")]
            keys: &'a [KeyCredentials],
            #[serde(skip_serializing_if = "Option::is_none")]
            ca_pem: Option<&'a str>,
        }
        serde_json::to_string(&Line {
            url: &self.url,
            admin: &self.admin,
            keys: &self.seeded,
            ca_pem: self.certificate_pem(),
        })
        .unwrap_or_default()
    }

    /// The state it serves, for in-process control while it serves.
    pub(crate) fn state(&self) -> &Arc<State> {
        &self.state
    }

    /// Serves until `shutdown` completes.
    ///
    /// At most `max_connections` are served at once (the rest wait in the listen backlog); each
    /// must send a request's headers within `header_read_timeout` and is closed after
    /// `idle_timeout` without traffic; a failed `accept` (out of file descriptors, say) pauses the
    /// loop for 100 ms rather than retrying at once. With TLS, the handshake too must finish within
    /// `header_read_timeout`; a failed one closes that connection only.
    ///
    /// With TLS, ALPN picks the protocol: HTTP/2 for a client offering `h2`, else HTTP/1.1. Plain
    /// TCP is HTTP/1.1, or HTTP/2 for a client that opens with HTTP/2's preface (prior knowledge).
    /// An HTTP/2 connection carries at most [`MAX_H2_STREAMS`] requests at once, each with headers
    /// of at most [`MAX_H2_HEADER_LIST`] bytes.
    pub async fn serve(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let permits = Arc::new(Semaphore::new(self.limits.max_connections));
        loop {
            let permit = tokio::select! {
                () = &mut shutdown => break,
                permit = permits.clone().acquire_owned() => match permit {
                    Ok(p) => p,
                    // The semaphore is never closed; stop serving if it were.
                    Err(_) => break,
                },
            };
            let stream = tokio::select! {
                () = &mut shutdown => break,
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, _)) => stream,
                    Err(_) => {
                        drop(permit);
                        tokio::time::sleep(conn::ACCEPT_BACKOFF).await;
                        continue;
                    }
                },
            };
            let _ = stream.set_nodelay(true);
            let state = self.state.clone();
            let limits = self.limits;
            let acceptor = self.tls.as_ref().map(|tls| tls.acceptor.clone());
            tokio::spawn(async move {
                let io = conn::IdleTimeout::new(stream, limits.idle_timeout);
                match acceptor {
                    // Plain TCP: HTTP/1.1, or HTTP/2 with prior knowledge, told by the first bytes.
                    None => serve_connection(io, Protocol::Detect, state, limits).await,
                    Some(acceptor) => {
                        // A handshake has as long as a request's headers; a failed or late one
                        // closes this connection only.
                        let handshake =
                            tokio::time::timeout(limits.header_read_timeout, acceptor.accept(io));
                        if let Ok(Ok(io)) = handshake.await {
                            // The protocol ALPN settled on: h2 if the client offered it.
                            let protocol = match io.get_ref().1.alpn_protocol() {
                                Some(crate::tls::ALPN_H2) => Protocol::Http2,
                                _ => Protocol::Http1,
                            };
                            serve_connection(io, protocol, state, limits).await;
                        }
                    }
                }
                drop(permit);
            });
        }
        // Uploads still in flight are cut off with the process; their partial files go now (and
        // again when the store is dropped, for any written after this).
        let _ = self.state.content.clear_incoming();
    }
}

/// What a connection speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Protocol {
    /// HTTP/1.1 (TLS with ALPN `http/1.1`, or a client that offered no ALPN).
    Http1,
    /// HTTP/2 (TLS with ALPN `h2`).
    Http2,
    /// Plain TCP: HTTP/2 if the connection opens with HTTP/2's preface (prior knowledge), else
    /// HTTP/1.1.
    Detect,
}

/// The most streams (requests) one HTTP/2 connection may have open at once: the figure RFC 9113
/// recommends as the least (100). An HTTP/1.1 connection has one request at a time.
pub const MAX_H2_STREAMS: u32 = 100;
/// The largest header list (decoded, as HTTP/2 counts it: names, values and 32 bytes per field) of
/// one HTTP/2 request: 64 KiB.
pub const MAX_H2_HEADER_LIST: u32 = 64 << 10;
/// HTTP/2 flow-control windows the emulator grants a client: how much request body may be in
/// flight per stream and per connection before the handler reads it (hyper's defaults are 1 MiB
/// each), which also bounds what one connection can make the emulator buffer. On loopback 2 and
/// 4 MiB cost a large upload nothing against HTTP/1.1 once frames are 64 KiB
/// ([`H2_MAX_FRAME`]); over a link with a round trip of r, one stream's upload is capped at
/// 2 MiB per r (see BENCHMARKS.md, "HTTP/2 against HTTP/1.1").
const H2_STREAM_WINDOW: u32 = 2 << 20;
/// See [`H2_STREAM_WINDOW`].
const H2_CONNECTION_WINDOW: u32 = 4 << 20;
/// The largest HTTP/2 frame a client may send: 64 KiB, not the protocol's default 16 KiB. A 64 MiB
/// upload in 16 KiB frames took about 1.7 times as long as over HTTP/1.1 on loopback, the cost
/// being per frame; in 64 KiB frames about as long (BENCHMARKS.md).
const H2_MAX_FRAME: u32 = 64 << 10;

/// Serves one connection (plain or TLS) until it ends, in `protocol`; an error concerns that client
/// only.
///
/// Each protocol keeps the same bounds. HTTP/1.1: a request's headers within
/// `header_read_timeout` (hyper's timer), one request at a time. HTTP/2: at most
/// [`MAX_H2_STREAMS`] requests at once, headers of at most [`MAX_H2_HEADER_LIST`], bounded flow
/// control windows and frames, hyper's limits on reset streams (against rapid-reset floods), and no
/// keep-alive pings (a client's answers would count as traffic and keep an idle connection open).
/// Both: the first request must arrive within `header_read_timeout` of the connection's start (the
/// TLS handshake's end), or the connection is closed, whatever the protocol or however far the
/// detection got; and the socket's idle timeout ([`conn::IdleTimeout`]) closes a connection without
/// traffic.
///
/// Over HTTP/2 an injected `close` fault (the service's `Err`) resets that request's stream
/// (`RST_STREAM`, `INTERNAL_ERROR`) rather than the connection, whose other requests go on.
async fn serve_connection<S>(io: S, protocol: Protocol, state: Arc<State>, limits: Limits)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let asked = Arc::new(AtomicBool::new(false));
    let seen = asked.clone();
    let service = service_fn(move |request| {
        seen.store(true, Ordering::Relaxed);
        let state = state.clone();
        // An `Err` makes hyper close the connection (HTTP/2: reset the stream) without a response.
        async move { routes::handle(&state, request).await }
    });
    let io = TokioIo::new(io);
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(MAX_H2_STREAMS)
        .max_header_list_size(MAX_H2_HEADER_LIST)
        .initial_stream_window_size(H2_STREAM_WINDOW)
        .initial_connection_window_size(H2_CONNECTION_WINDOW)
        .max_frame_size(H2_MAX_FRAME);
    let builder = match protocol {
        Protocol::Detect => builder,
        Protocol::Http1 => builder.http1_only(),
        Protocol::Http2 => builder.http2_only(),
    };
    let serving = async {
        let _ = builder.serve_connection(io, service).await;
    };
    tokio::pin!(serving);
    tokio::select! {
        biased;
        () = &mut serving => return,
        () = tokio::time::sleep(limits.header_read_timeout) => {}
    }
    // No request in time: dropping the connection closes it.
    if asked.load(Ordering::Relaxed) {
        serving.await;
    }
}

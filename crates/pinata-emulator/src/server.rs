//! The HTTP server: binding, the accept loop, and the in-process handle tests use.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, SystemTime};

use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, oneshot};

use crate::conn;
use crate::ids;
use crate::keys::{KeyRecord, NewKey};
use crate::routes;
use crate::state::State;
use crate::token;

/// How to start an emulator. Every field has a default; fix the secrets for reproducible runs.
#[derive(Clone)]
pub struct EmulatorConfig {
    /// Address to listen on. Default `127.0.0.1:0` (an ephemeral port).
    pub listen: SocketAddr,
    /// The admin key's public key (20 hex); random by default.
    pub admin_key: Option<String>,
    /// The admin key's secret (64 hex); random by default.
    pub admin_secret: Option<String>,
    /// The secret JWTs are signed with; random by default.
    pub jwt_secret: Option<Vec<u8>>,
    /// How long issued JWTs stay valid. Default 365 days.
    pub jwt_lifetime: Duration,
    /// Keys per page of a key listing. The real page size is not documented; default 10.
    pub key_page_size: usize,
    /// Where pinned content is kept; a temporary directory (removed on exit) by default.
    pub data_dir: Option<std::path::PathBuf>,
    /// How long a pin by hash of content the emulator holds takes. Default 2 s.
    pub pin_by_hash_delay: Duration,
    /// How long a pin by hash of unknown content searches before it expires. Default 60 s.
    pub pin_by_hash_expiry: Duration,
    /// Faults to inject from the start (more can be added through `POST /emulator/faults`).
    pub faults: Vec<crate::faults::FaultRule>,
    /// A rate limit from the start (off by default; see `PUT /emulator/rate_limit`).
    pub rate_limit: Option<crate::faults::RateLimitRule>,
    /// The most connections served at once; more wait to be accepted. Default 1024.
    pub max_connections: usize,
    /// How long a client may take to send a request's headers, from the connection's start or
    /// the previous response. Default 10 s.
    pub header_read_timeout: Duration,
    /// How long a connection may stay without a byte read or written before it is closed (an idle
    /// keep-alive connection, or a client that stopped sending a body). Default 60 s.
    pub idle_timeout: Duration,
    /// The largest resumable upload (`Upload-Length`, `Tus-Max-Size`), in bytes: 1 to
    /// [`MAX_UPLOAD_BYTES`]. Default 25 GB (25,000,000,000), Pinata's documented limit.
    pub max_upload_bytes: u64,
    /// How long a resumable upload is kept after its creation, its last `PATCH` or its completion
    /// (a finished one answers `HEAD` that long): 1 s to [`MAX_TUS_EXPIRY`]. Default one day.
    pub tus_expiry: Duration,
}

/// What the accept loop applies to every connection.
#[derive(Debug, Clone, Copy)]
struct Limits {
    max_connections: usize,
    header_read_timeout: Duration,
    idle_timeout: Duration,
}

/// The longest a JWT may be made to live (ten years): the expiry is a date, which must not
/// overflow.
pub const MAX_JWT_LIFETIME: Duration = Duration::from_secs(10 * 366 * 86_400);
/// The longest pin-by-hash delay or search (one day).
pub const MAX_PIN_DELAY: Duration = Duration::from_secs(86_400);
/// The most connections that can be asked for.
pub const MAX_CONNECTIONS: usize = 65_536;
/// The largest resumable-upload cap that can be asked for: JSON's largest exact integer.
pub const MAX_UPLOAD_BYTES: u64 = (1 << 53) - 1;
/// The longest a resumable upload can be asked to be kept (30 days).
pub const MAX_TUS_EXPIRY: Duration = Duration::from_secs(30 * 86_400);
/// The default cap on a resumable upload: 25 GB, Pinata's documented limit.
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 25_000_000_000;

impl EmulatorConfig {
    /// Checks every number against its range (and every fault and rate limit), so a bad value is a
    /// clear error at start-up instead of a panic or an odd answer later.
    pub fn validate(&self) -> Result<(), String> {
        let within = |what: &str, d: Duration, min: Duration, max: Duration| {
            if (min..=max).contains(&d) {
                Ok(())
            } else {
                Err(format!(
                    "{what} must be between {min:?} and {max:?}, not {d:?}"
                ))
            }
        };
        within(
            "the JWT lifetime",
            self.jwt_lifetime,
            Duration::from_secs(1),
            MAX_JWT_LIFETIME,
        )?;
        within(
            "the pin-by-hash delay",
            self.pin_by_hash_delay,
            Duration::ZERO,
            MAX_PIN_DELAY,
        )?;
        within(
            "the pin-by-hash expiry",
            self.pin_by_hash_expiry,
            Duration::ZERO,
            MAX_PIN_DELAY,
        )?;
        let hour = Duration::from_secs(3600);
        within(
            "the header read timeout",
            self.header_read_timeout,
            Duration::from_millis(1),
            hour,
        )?;
        within(
            "the idle timeout",
            self.idle_timeout,
            Duration::from_millis(1),
            hour,
        )?;
        within(
            "the resumable-upload expiry",
            self.tus_expiry,
            Duration::from_secs(1),
            MAX_TUS_EXPIRY,
        )?;
        if !(1..=MAX_UPLOAD_BYTES).contains(&self.max_upload_bytes) {
            return Err(format!(
                "the resumable-upload cap must be 1 to {MAX_UPLOAD_BYTES} bytes, not {}",
                self.max_upload_bytes
            ));
        }
        if !(1..=1000).contains(&self.key_page_size) {
            return Err(format!(
                "the key page size must be 1 to 1000, not {}",
                self.key_page_size
            ));
        }
        if !(1..=MAX_CONNECTIONS).contains(&self.max_connections) {
            return Err(format!(
                "the connection limit must be 1 to {MAX_CONNECTIONS}, not {}",
                self.max_connections
            ));
        }
        for rule in &self.faults {
            rule.validate().map_err(|e| format!("fault: {e}"))?;
            rule.fits_idle_timeout(self.idle_timeout)
                .map_err(|e| format!("fault: {e}"))?;
        }
        if let Some(rule) = &self.rate_limit {
            rule.validate().map_err(|e| format!("rate limit: {e}"))?;
        }
        Ok(())
    }
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            admin_key: None,
            admin_secret: None,
            jwt_secret: None,
            jwt_lifetime: Duration::from_secs(365 * 24 * 3600),
            key_page_size: 10,
            data_dir: None,
            pin_by_hash_delay: crate::pins::DEFAULT_PIN_DELAY,
            pin_by_hash_expiry: crate::pins::DEFAULT_SEARCH_EXPIRY,
            faults: Vec::new(),
            rate_limit: None,
            max_connections: 1024,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            tus_expiry: Duration::from_secs(86_400),
        }
    }
}

impl fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("listen", &self.listen)
            .field("admin_key", &self.admin_key)
            .field("jwt_lifetime", &self.jwt_lifetime)
            .finish_non_exhaustive()
    }
}

/// The admin key the emulator starts with, in both schemes.
#[derive(Clone, Serialize)]
pub struct AdminCredentials {
    /// JWT for the admin key.
    pub jwt: String,
    /// Public key.
    pub api_key: String,
    /// Secret.
    pub api_secret: String,
}

impl fmt::Debug for AdminCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdminCredentials")
            .field("api_key", &self.api_key)
            .finish_non_exhaustive()
    }
}

/// A bound emulator, not yet serving.
pub struct Emulator {
    state: Arc<State>,
    limits: Limits,
    listener: TcpListener,
    url: String,
    admin: AdminCredentials,
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
        let jwt_secret = match config.jwt_secret {
            Some(s) if !s.is_empty() => s,
            _ => ids::random_bytes(32)?,
        };
        let user_id = match &config.admin_key {
            // A fixed admin key gives a fixed account id, so runs with fixed secrets are reproducible.
            Some(key) => ids::uuid_from(key.as_bytes()),
            None => ids::uuid_v4()?,
        };
        // A key of its own for signed URLs, derived so that fixed secrets give the same URLs.
        let url_secret = token::mac(&jwt_secret, b"pinata-emulator signed URLs");
        let state = State {
            keys: Default::default(),
            jwt_secret,
            user_id,
            jwt_lifetime: config.jwt_lifetime,
            key_page_size: config.key_page_size,
            content: crate::content::ContentStore::open(config.data_dir)?,
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
            tus: crate::tus::TusStore::new(config.max_upload_bytes, config.tus_expiry),
            idle_timeout: config.idle_timeout,
        };
        for rule in config.faults {
            state
                .faults
                .add(rule)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        }
        if let Some(limit) = config.rate_limit {
            state.faults.set_rate_limit(limit, SystemTime::now());
        }
        let admin_key = match config.admin_key {
            Some(k) => k,
            None => ids::random_hex(20)?,
        };
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
        let record = state
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
            .map_err(io::Error::other)?;
        let admin = AdminCredentials {
            jwt: state.mint(
                &record.key,
                record.secret.expose_secret(),
                SystemTime::now(),
            ),
            api_key: record.key.clone(),
            api_secret: record.secret.expose_secret().to_owned(),
        };
        let listener = TcpListener::bind(config.listen).await?;
        let url = format!("http://{}", listener.local_addr()?);
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
        })
    }

    /// `http://ADDR:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The admin key.
    pub fn admin(&self) -> &AdminCredentials {
        &self.admin
    }

    /// The line the binary prints first: `{"url":…,"admin":{"jwt":…,"api_key":…,"api_secret":…}}`.
    pub fn startup_line(&self) -> String {
        #[derive(Serialize)]
        struct Line<'a> {
            url: &'a str,
            admin: &'a AdminCredentials,
        }
        serde_json::to_string(&Line {
            url: &self.url,
            admin: &self.admin,
        })
        .unwrap_or_default()
    }

    /// A handle on the state, for in-process control while serving.
    fn control(&self) -> Control {
        Control {
            state: self.state.clone(),
        }
    }

    /// Serves until `shutdown` completes.
    ///
    /// At most `max_connections` are served at once (the rest wait in the listen backlog); each
    /// must send a request's headers within `header_read_timeout` and is closed after
    /// `idle_timeout` without traffic; a failed `accept` (out of file descriptors, say) pauses the
    /// loop for 100 ms rather than retrying at once.
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
            tokio::spawn(async move {
                let service = service_fn(move |request| {
                    let state = state.clone();
                    // An `Err` makes hyper close the connection without a response.
                    async move { routes::handle(&state, request).await }
                });
                let io = TokioIo::new(conn::IdleTimeout::new(stream, limits.idle_timeout));
                // A connection error concerns that client only.
                let _ = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(limits.header_read_timeout)
                    .serve_connection(io, service)
                    .await;
                drop(permit);
            });
        }
        // Uploads still in flight are cut off with the process; their partial files go now (and
        // again when the store is dropped, for any written after this).
        let _ = self.state.content.clear_incoming();
    }

    /// Starts the emulator on its own thread and runtime, so sync and async tests alike can use it
    /// (it never touches the caller's runtime). Dropping the handle stops it.
    pub fn spawn(config: EmulatorConfig) -> io::Result<EmulatorHandle> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = thread::Builder::new()
            .name("pinata-emulator".to_owned())
            .spawn(move || {
                let started = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .and_then(|runtime| {
                        let emulator = runtime.block_on(Emulator::bind(config))?;
                        Ok((runtime, emulator))
                    });
                let (runtime, emulator) = match started {
                    Ok(parts) => parts,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                let ready = (
                    emulator.url.clone(),
                    emulator.admin.clone(),
                    emulator.control(),
                );
                if ready_tx.send(Ok(ready)).is_err() {
                    return;
                }
                runtime.block_on(emulator.serve(async {
                    let _ = stopped.await;
                }));
            })?;
        let (url, admin, control) = ready_rx
            .recv()
            .map_err(|_| io::Error::other("the emulator thread stopped during start-up"))??;
        Ok(EmulatorHandle {
            url,
            admin,
            control,
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

/// Direct access to a running emulator's state.
#[derive(Clone)]
struct Control {
    state: Arc<State>,
}

/// A running in-process emulator. Dropping it shuts the server down.
pub struct EmulatorHandle {
    url: String,
    admin: AdminCredentials,
    control: Control,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl fmt::Debug for EmulatorHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorHandle")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl EmulatorHandle {
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The admin key.
    pub fn admin(&self) -> &AdminCredentials {
        &self.admin
    }

    /// The secret JWTs are signed with (to mint test tokens with [`token::sign`]).
    pub fn jwt_secret(&self) -> &[u8] {
        &self.control.state.jwt_secret
    }

    /// Where pinned content is stored.
    pub fn data_dir(&self) -> &std::path::Path {
        self.control.state.content.root()
    }

    /// The stored record of `key`.
    pub fn key(&self, key: &str) -> Option<KeyRecord> {
        self.control.state.keys.get(key)
    }

    /// Signs a JWT for `key`/`secret` that expires at `exp` (Unix seconds), e.g. an expired one.
    pub fn mint_jwt(&self, key: &str, secret: &str, exp: u64) -> String {
        let claims = token::Claims::new(&self.control.state.user_id, key, secret, exp);
        token::sign(&claims, &self.control.state.jwt_secret)
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

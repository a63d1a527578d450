//! The HTTP server: binding, the accept loop, and the in-process handle tests use.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, SystemTime};

use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

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
        let jwt_secret = match config.jwt_secret {
            Some(s) if !s.is_empty() => s,
            _ => ids::random_bytes(32)?,
        };
        let user_id = match &config.admin_key {
            // A fixed admin key gives a fixed account id, so runs with fixed secrets are reproducible.
            Some(key) => ids::uuid_from(key.as_bytes()),
            None => ids::uuid_v4()?,
        };
        let state = State {
            keys: Default::default(),
            jwt_secret,
            user_id,
            jwt_lifetime: config.jwt_lifetime,
            key_page_size: config.key_page_size.max(1),
            content: crate::content::ContentStore::open(config.data_dir)?,
            pins: Default::default(),
            pin_delay: config.pin_by_hash_delay,
            search_expiry: config.pin_by_hash_expiry,
            faults: Default::default(),
        };
        for rule in config.faults {
            state.faults.add(rule);
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
        let record = state.keys.insert_with(
            NewKey {
                name: "emulator admin".to_owned(),
                permissions: pinata_core::api::keys::Permissions::admin(),
                max_uses: None,
            },
            admin_key,
            admin_secret,
        )?;
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
    pub async fn serve(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                accepted = self.listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    let state = self.state.clone();
                    tokio::spawn(async move {
                        let service = service_fn(move |request| {
                            let state = state.clone();
                            // An `Err` makes hyper close the connection without a response.
                            async move { routes::handle(&state, request).await }
                        });
                        // A connection error concerns that client only.
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    });
                }
            }
        }
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

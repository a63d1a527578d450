//! The in-process emulator tests use: [`Emulator::spawn`] starts one on its own thread and
//! runtime, and the [`EmulatorHandle`] it returns gives what a client needs, inspects and seeds the
//! state, and offers the control surface's operations as methods. Dropping it stops the emulator.

use std::fmt;
use std::io;
use std::sync::Arc;
use std::thread;
use std::time::SystemTime;

use pinata_core::api::Network;
use pinata_core::api::keys::Permissions;
use pinata_core::{Config, Credentials};
use tokio::sync::oneshot;

use crate::config::EmulatorConfig;
use crate::credentials::{AdminCredentials, KeyCredentials};
use crate::error::HandleError;
use crate::faults::{FaultRule, RateLimitRule};
use crate::journal::{JournalEntry, JournalFilter};
use crate::server::Emulator;
use crate::state::State;
use crate::store::keys::KeyRecord;
use crate::token;

impl Emulator {
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
                // What a test's client needs, made once: the admin JWT and every origin here.
                let client = emulator
                    .admin()
                    .jwt_credentials()
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
                    .and_then(|credentials| {
                        let config = Config::for_emulator(emulator.url())
                            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
                        Ok((credentials, config))
                    });
                let ready = client.map(|(credentials, config)| Ready {
                    certificate_pem: emulator.certificate_pem().map(str::to_owned),
                    url: emulator.url().to_owned(),
                    admin: emulator.admin().clone(),
                    seeded: emulator.seeded_keys().to_vec(),
                    credentials,
                    config,
                    control: Control {
                        state: emulator.state().clone(),
                    },
                });
                let failed = ready.is_err();
                if ready_tx.send(ready).is_err() || failed {
                    return;
                }
                runtime.block_on(emulator.serve(async {
                    let _ = stopped.await;
                }));
            })?;
        let ready = ready_rx
            .recv()
            .map_err(|_| io::Error::other("the emulator thread stopped during start-up"))??;
        Ok(EmulatorHandle {
            certificate_pem: ready.certificate_pem,
            url: ready.url,
            admin: ready.admin,
            seeded: ready.seeded,
            credentials: ready.credentials,
            config: ready.config,
            control: ready.control,
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

/// What the emulator's thread hands over once it serves.
struct Ready {
    certificate_pem: Option<String>,
    url: String,
    admin: AdminCredentials,
    seeded: Vec<KeyCredentials>,
    credentials: Credentials,
    config: Config,
    control: Control,
}

/// Direct access to a running emulator's state.
#[derive(Clone)]
struct Control {
    state: Arc<State>,
}

/// A running in-process emulator. Dropping it shuts the server down.
///
/// Besides the URL and the admin key, it offers what the HTTP control surface offers
/// (`/emulator/reset`, `/emulator/requests`, `/emulator/faults`, `/emulator/rate_limit`) as methods,
/// and seeding: keys and groups made directly.
pub struct EmulatorHandle {
    certificate_pem: Option<String>,
    url: String,
    admin: AdminCredentials,
    seeded: Vec<KeyCredentials>,
    credentials: Credentials,
    config: Config,
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
    /// `http://127.0.0.1:PORT`, or `https://127.0.0.1:PORT` with [`EmulatorConfig::tls`].
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The PEM of the certificate made at start-up ([`TlsConfig::SelfSigned`](crate::TlsConfig::SelfSigned)), for a client to
    /// trust; None without TLS or with certificate files.
    pub fn certificate_pem(&self) -> Option<&str> {
        self.certificate_pem.as_deref()
    }

    /// The admin key.
    pub fn admin(&self) -> &AdminCredentials {
        &self.admin
    }

    /// The keys the seed made, in its order, each with a JWT (empty without a seed). They are made
    /// again with the same credentials after a reset, so these stay valid.
    pub fn seeded_keys(&self) -> &[KeyCredentials] {
        &self.seeded
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

    /// The admin key's JWT as client credentials: with [`EmulatorHandle::config`], all a client
    /// needs (`pinata_ureq::Client::with_config(emu.credentials(), emu.config())`).
    pub fn credentials(&self) -> Credentials {
        self.credentials.clone()
    }

    /// A client configuration with every origin (API, uploads, gateway) at this emulator
    /// (`Config::for_emulator(url)`).
    pub fn config(&self) -> Config {
        self.config.clone()
    }

    /// Back to the state at start-up, as `POST /emulator/reset` does: only the admin key, with
    /// fresh use counters, and no pins, jobs, files, groups, swaps, signatures, signed upload URLs,
    /// resumable uploads, faults, rate limits or journal entries; content on disk removed (the data
    /// directory kept). The admin credentials and the JWT secret survive, so clients made with
    /// [`EmulatorHandle::credentials`] keep working. Then the seed ([`EmulatorConfig::seed`]), if
    /// any, is applied again (its files read anew), so seeded keys, groups and files are back.
    /// `Err` if the content could not be removed or the seed not re-applied (a seeded file gone).
    pub fn reset(&self) -> io::Result<()> {
        self.control.state.reset()
    }

    /// The journal's entries that `filter` keeps, oldest first (as `GET /emulator/requests`).
    pub fn requests(&self, filter: &JournalFilter) -> Vec<JournalEntry> {
        self.control.state.journal.find(filter).0
    }

    /// How many entries the journal dropped (the oldest, past
    /// [`MAX_JOURNAL`](crate::journal::MAX_JOURNAL)) since it was last cleared.
    pub fn dropped_requests(&self) -> u64 {
        self.control
            .state
            .journal
            .find(&JournalFilter::new().limit(0))
            .1
    }

    /// Empties the journal (as `DELETE /emulator/requests`).
    pub fn clear_requests(&self) {
        self.control.state.journal.clear();
    }

    /// Adds a fault rule (as `POST /emulator/faults`): `Err` says why it was refused, of kind
    /// [`Invalid`](crate::HandleErrorKind::Invalid) (a number out of range, a delay not shorter than the
    /// idle timeout) or [`Full`](crate::HandleErrorKind::Full) ([`MAX_RULES`](crate::faults::MAX_RULES)
    /// rules standing).
    pub fn add_fault(&self, rule: FaultRule) -> Result<(), HandleError> {
        self.control.state.add_fault(rule)
    }

    /// Removes every fault rule (as `DELETE /emulator/faults`); rate limits stay.
    pub fn clear_faults(&self) {
        self.control.state.faults.clear_rules(None);
    }

    /// Sets a rate limit, replacing one for the same key (as `PUT /emulator/rate_limit`): `Err`
    /// ([`Invalid`](crate::HandleErrorKind::Invalid)) when a number is out of range.
    pub fn set_rate_limit(&self, rule: RateLimitRule) -> Result<(), HandleError> {
        self.control.state.set_rate_limit(rule)
    }

    /// Removes every rate limit (as `DELETE /emulator/rate_limit`); fault rules stay.
    pub fn clear_rate_limit(&self) {
        self.control.state.faults.clear_limits(None);
    }

    /// Makes an API key with `permissions`, by the rules of the API's key creation (a name of 1 to
    /// 256 characters, valid permissions, at most [`MAX_KEYS`](crate::MAX_KEYS) keys), as
    /// the admin would: its public key, secret and JWT. `Err` is
    /// [`Invalid`](crate::HandleErrorKind::Invalid) for a bad name or permissions,
    /// [`Full`](crate::HandleErrorKind::Full) at the cap.
    pub fn create_key(
        &self,
        name: &str,
        permissions: Permissions,
    ) -> Result<KeyCredentials, HandleError> {
        let state = &self.control.state;
        let now = SystemTime::now();
        crate::seed::key(&state.keys, name, permissions, |key, secret| {
            state.mint(key, secret, now)
        })
    }

    /// Makes a (private) group on `network` named `name` (1 to 1024 characters), by the API's
    /// rules: its id. `Err` is [`Invalid`](crate::HandleErrorKind::Invalid) for a bad name,
    /// [`Full`](crate::HandleErrorKind::Full) when the emulator holds as many groups as it keeps.
    pub fn create_group(&self, network: Network, name: &str) -> Result<String, HandleError> {
        crate::seed::group(&self.control.state.groups, network, name, SystemTime::now())
    }

    /// Stores `contents` as a file named `name` on `network` (in no group, its MIME type from the
    /// name's extension, CID v1), as an upload would: its id and CID. Private content is served
    /// only through download links, as an uploaded private file's. `Err` is
    /// [`Invalid`](crate::HandleErrorKind::Invalid) for a bad name, [`Full`](crate::HandleErrorKind::Full) when
    /// the emulator holds as many files as it keeps, [`Io`](crate::HandleErrorKind::Io) when the content
    /// could not be written (the I/O error as its source).
    pub fn create_file(
        &self,
        network: Network,
        name: &str,
        contents: impl AsRef<[u8]>,
    ) -> Result<crate::seed::SeededFile, HandleError> {
        crate::seed::file(
            &self.control.state.content,
            &self.control.state.files,
            network,
            name,
            contents.as_ref(),
            SystemTime::now(),
        )
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

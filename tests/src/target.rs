//! What the suite talks to.
//!
//! - default: an emulator started in this process (once per test binary);
//! - `PINATA_E2E_EMULATOR` set (by `cargo xtask it`): an emulator process, given as its start-up JSON
//!   line, with `PINATA_E2E_JWT_SECRET` holding its signing secret;
//! - `PINATA_E2E_LIVE=1` (by `cargo xtask it --live`): the real API at `PINATA_API_URL` with the
//!   credentials in the environment; only the read-only cases run, the others say they were skipped.

use std::sync::OnceLock;

use pinata_core::{Config, Credentials};
use pinata_emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use serde::Deserialize;

/// How long the suite's emulator takes to pin held content by hash (`--pin-delay-ms`).
pub const PIN_DELAY: std::time::Duration = std::time::Duration::from_millis(300);
/// How long the suite's emulator searches for unknown content (`--pin-expiry-ms`).
pub const PIN_EXPIRY: std::time::Duration = std::time::Duration::from_millis(800);

/// Emulator-only powers: the admin key and the JWT signing secret.
#[derive(Debug)]
pub struct EmulatorSide {
    /// The admin key's JWT.
    pub admin_jwt: String,
    /// The admin key.
    pub admin_key: String,
    /// The admin secret.
    pub admin_secret: String,
    /// The secret JWTs are signed with.
    pub jwt_secret: Vec<u8>,
    /// The account's user id, as in the admin JWT.
    pub user_id: String,
    _handle: Option<EmulatorHandle>,
}

impl EmulatorSide {
    /// Signs a JWT for `key`/`secret` expiring at `exp` with the emulator's secret.
    pub fn mint_jwt(&self, key: &str, secret: &str, exp: u64) -> String {
        let claims = pinata_emulator::token::Claims::new(&self.user_id, key, secret, exp);
        pinata_emulator::token::sign(&claims, &self.jwt_secret)
    }
}

/// The server under test.
#[derive(Debug)]
pub struct Target {
    /// Base URL.
    pub url: String,
    /// Credentials the server accepts.
    pub good: Credentials,
    /// Present unless running against the real API.
    pub emulator: Option<EmulatorSide>,
}

impl Target {
    /// A client configuration pointing at the target.
    pub fn config(&self) -> Config {
        if self.emulator.is_some() {
            // The emulator serves the API, uploads and the gateway on one listener.
            return Config::for_emulator(&self.url).expect("the target URL parses");
        }
        Config::default()
            .with_base_url(&self.url)
            .expect("the target URL parses")
    }

    /// The emulator side, or `None` after printing why `case` is skipped (live runs only).
    pub fn emulator(&self, case: &str) -> Option<&EmulatorSide> {
        if self.emulator.is_none() {
            eprintln!("{case}: skipped against the live API (needs the emulator)");
        }
        self.emulator.as_ref()
    }
}

#[derive(Deserialize)]
struct StartupLine {
    url: String,
    admin: Admin,
}

#[derive(Deserialize)]
struct Admin {
    jwt: String,
    api_key: String,
    api_secret: String,
}

/// The target for this test run.
pub fn target() -> &'static Target {
    static TARGET: OnceLock<Target> = OnceLock::new();
    TARGET.get_or_init(|| {
        if std::env::var("PINATA_E2E_LIVE").is_ok_and(|v| v == "1") {
            let config = Config::from_env().expect("PINATA_API_URL is valid");
            return Target {
                url: config.base_url().to_string(),
                good: Credentials::from_env()
                    .expect("live runs need credentials in the environment"),
                emulator: None,
            };
        }
        if let Ok(line) = std::env::var("PINATA_E2E_EMULATOR") {
            let line: StartupLine = serde_json::from_str(&line)
                .expect("PINATA_E2E_EMULATOR is the emulator's start-up line");
            let jwt_secret = std::env::var("PINATA_E2E_JWT_SECRET")
                .expect("PINATA_E2E_JWT_SECRET goes with PINATA_E2E_EMULATOR")
                .into_bytes();
            return from_parts(line.url, line.admin, jwt_secret, None);
        }
        let handle = Emulator::spawn(EmulatorConfig {
            pin_by_hash_delay: PIN_DELAY,
            pin_by_hash_expiry: PIN_EXPIRY,
            ..EmulatorConfig::default()
        })
        .expect("the emulator starts");
        let admin = Admin {
            jwt: handle.admin().jwt.clone(),
            api_key: handle.admin().api_key.clone(),
            api_secret: handle.admin().api_secret.clone(),
        };
        let secret = handle.jwt_secret().to_vec();
        from_parts(handle.url().to_owned(), admin, secret, Some(handle))
    })
}

fn from_parts(
    url: String,
    admin: Admin,
    jwt_secret: Vec<u8>,
    handle: Option<EmulatorHandle>,
) -> Target {
    let user_id = pinata_core::jwt::decode_unverified(&admin.jwt)
        .ok()
        .and_then(|c| c.user_id().map(str::to_owned))
        .unwrap_or_default();
    Target {
        url,
        good: Credentials::jwt(admin.jwt.clone()).expect("the admin JWT is valid"),
        emulator: Some(EmulatorSide {
            admin_jwt: admin.jwt,
            admin_key: admin.api_key,
            admin_secret: admin.api_secret,
            jwt_secret,
            user_id,
            _handle: handle,
        }),
    }
}

//! How to start an emulator: [`EmulatorConfig`] with its defaults and range checks, the limits
//! those checks hold each setting to, and [`PsaMode`].

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use crate::tls::TlsConfig;

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
    /// Where all state is kept across restarts: the content, and everything else in the database
    /// `emulator.sqlite3` there (see [`crate::db`]). By default a temporary directory (removed on
    /// exit) holds the content and the rest stays in memory. Needs the `persistence` feature (on
    /// by default): without it, a data directory is refused by [`EmulatorConfig::validate`] and
    /// so by [`Emulator::bind`](crate::Emulator::bind).
    pub data_dir: Option<std::path::PathBuf>,
    /// How long a pin by hash of content the emulator holds takes. Default 2 s.
    pub pin_by_hash_delay: Duration,
    /// How long a pin by hash of unknown content searches before it expires. Default 60 s.
    pub pin_by_hash_expiry: Duration,
    /// Faults to inject from the start (more can be added through `POST /emulator/faults`).
    pub faults: Vec<crate::faults::FaultRule>,
    /// A rate limit from the start (off by default; see `PUT /emulator/rate_limit`).
    pub rate_limit: Option<crate::faults::RateLimitRule>,
    /// The most connections served at once; more wait to be accepted. Default 1024. (An HTTP/2
    /// connection carries up to [`MAX_H2_STREAMS`](crate::MAX_H2_STREAMS) requests at once, an HTTP/1.1 one a single one.)
    pub max_connections: usize,
    /// How long a client may take to send a request's headers, from the connection's start or
    /// the previous response (HTTP/2: the first request's, from the connection's start; later
    /// ones arrive on a connection the idle timeout watches). Default 10 s.
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
    /// How `/psa` (the IPFS Pinning Service API) answers: as Pinata does (the default) or as the
    /// spec says. See [`PsaMode`].
    pub psa_mode: PsaMode,
    /// A seed file (JSON) read at start-up and applied again after every reset: keys with fixed
    /// credentials, groups and files (see [`crate::seed`]). A bad one makes [`Emulator::bind`](crate::Emulator::bind) fail
    /// with the problem named. None by default.
    pub seed: Option<std::path::PathBuf>,
    /// The `domain` of the one gateway `GET /v3/ipfs/gateways` lists: a DNS label (the real
    /// service's are the part before `.mypinata.cloud`) or a whole host name. Default `emulator`.
    /// The emulator itself is the gateway to download from (its own URL, where it serves
    /// `/ipfs/<cid>` and `/files/<cid>`); this is only what the list says.
    pub gateway_domain: String,
    /// HTTPS: certificate files or a self-signed certificate made at start-up (see [`TlsConfig`]);
    /// the URL is then `https://…`. None (plain HTTP) by default.
    pub tls: Option<TlsConfig>,
}

/// How the emulator's `/psa` (IPFS Pinning Service API) answers where Pinata departs from the
/// spec (`pinata-v3-api.md` §2.3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum PsaMode {
    /// As Pinata was observed to answer (the default): an add or a replace is 200, a removal 200
    /// `text/plain` `OK`, lists come oldest first, and a request without a token gets the
    /// emulator's usual missing-credentials answer (401 `INVALID_CREDENTIALS`).
    #[default]
    Pinata,
    /// As the spec says (for Kubo and the compliance suite): an add or a replace is 202, a removal
    /// 202 with no body, lists come newest first, and a request without a token is 401
    /// `UNAUTHORIZED`.
    Spec,
}

impl PsaMode {
    /// `pinata` or `spec`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pinata" => Some(PsaMode::Pinata),
            "spec" => Some(PsaMode::Spec),
            _ => None,
        }
    }
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
    /// clear error at start-up instead of a panic or an odd answer later; and, in a build without
    /// the `persistence` feature, that no data directory is asked for.
    pub fn validate(&self) -> Result<(), String> {
        if self.data_dir.is_some() && !cfg!(feature = "persistence") {
            return Err(crate::db::NO_PERSISTENCE.to_owned());
        }
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
        check_domain(&self.gateway_domain)?;
        if let Some(tls) = &self.tls {
            tls.validate()?;
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
            pin_by_hash_delay: crate::store::pins::DEFAULT_PIN_DELAY,
            pin_by_hash_expiry: crate::store::pins::DEFAULT_SEARCH_EXPIRY,
            faults: Vec::new(),
            rate_limit: None,
            max_connections: 1024,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            tus_expiry: Duration::from_secs(86_400),
            psa_mode: PsaMode::Pinata,
            seed: None,
            gateway_domain: DEFAULT_GATEWAY_DOMAIN.to_owned(),
            tls: None,
        }
    }
}

impl fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("listen", &self.listen)
            .field("admin_key", &self.admin_key)
            .field("jwt_lifetime", &self.jwt_lifetime)
            .field("psa_mode", &self.psa_mode)
            .field("seed", &self.seed)
            .field("gateway_domain", &self.gateway_domain)
            .field("tls", &self.tls)
            .finish_non_exhaustive()
    }
}

/// The default [`EmulatorConfig::gateway_domain`].
pub(crate) const DEFAULT_GATEWAY_DOMAIN: &str = "emulator";

/// The longest gateway domain accepted (a DNS name's limit).
const MAX_DOMAIN: usize = 253;

/// Checks a gateway domain given at start-up: 1 to 253 characters of lower-case letters, digits,
/// `-` and `.`, neither starting nor ending with `-` or `.` (a DNS label, or a whole host name).
pub(crate) fn check_domain(domain: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.';
    let edge = |c: Option<char>| c.is_some_and(|c| c == '-' || c == '.');
    if domain.is_empty()
        || domain.len() > MAX_DOMAIN
        || !domain.chars().all(allowed)
        || edge(domain.chars().next())
        || edge(domain.chars().last())
    {
        return Err(format!(
            "the gateway domain must be 1 to {MAX_DOMAIN} lower-case letters, digits, '-' and '.', \
             not starting or ending with '-' or '.' (like `emulator`), not {:?}",
            domain.chars().take(64).collect::<String>()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_dns_names() {
        for good in ["emulator", "my-gw-1", "gw.example.com", "a"] {
            assert!(check_domain(good).is_ok(), "{good}");
        }
        let long = "a".repeat(MAX_DOMAIN + 1);
        for bad in [
            "",
            "-gw",
            "gw-",
            ".gw",
            "gw.",
            "Upper",
            "under_score",
            "sp ace",
            "gw/x",
            "\u{1b}[2J",
            long.as_str(),
        ] {
            assert!(check_domain(bad).is_err(), "{bad:?}");
        }
    }
}

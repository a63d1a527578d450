//! The commands, one module per family; each is argument handling and presentation over the
//! blocking client.

pub mod auth;
pub mod config;
pub mod download;
#[cfg(feature = "emulator")]
pub mod emulator;
/// `pinata emulator` in a build without the `emulator` feature.
#[cfg(not(feature = "emulator"))]
#[path = "no_emulator.rs"]
pub mod emulator;
pub mod files;
pub mod gateways;
pub mod groups;
pub mod keys;
pub mod pins;
pub mod swaps;
pub mod upload;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pinata_ureq::api::Network;

use crate::args::{Global, NetworkArg, NetworkFlag};
use crate::config::Settings;
use crate::exit::{CliError, CliResult};
use crate::output::Out;
use crate::progress::Progress;

/// What every command gets: the global flags, the output and the progress bars.
#[derive(Debug)]
pub struct Ctx {
    /// The global flags.
    pub global: Global,
    /// Where data and messages go.
    pub out: Out,
    /// Progress bars.
    pub progress: Progress,
}

impl Ctx {
    /// The resolved settings.
    pub fn settings(&self) -> CliResult<Settings> {
        Settings::resolve(&self.global)
    }

    /// The settings and a client made with them.
    pub fn client(&self) -> CliResult<(Settings, pinata_ureq::Client)> {
        let settings = self.settings()?;
        let client = settings.client()?;
        Ok((settings, client))
    }
}

/// The network: the flag, else the settings' default.
pub fn network(flag: Option<NetworkArg>, settings: &Settings) -> Network {
    match flag {
        Some(NetworkArg::Public) => Network::Public,
        Some(NetworkArg::Private) => Network::Private,
        None => settings.network.0,
    }
}

/// [`network`] of a `--network` flag group.
pub fn network_of(flag: NetworkFlag, settings: &Settings) -> Network {
    network(flag.network, settings)
}

/// `30s`, `10m`, `2h`, `7d` or a bare number of seconds.
pub fn parse_duration(text: &str) -> CliResult<Duration> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => text.split_at(i),
        None => (text, "s"),
    };
    let n: u64 = number.parse().map_err(|_| {
        CliError::usage(format!(
            "{text:?} is not a duration like 30s, 10m, 2h or 7d"
        ))
    })?;
    let secs = match unit {
        "s" => n,
        "m" => n.saturating_mul(60),
        "h" => n.saturating_mul(3600),
        "d" => n.saturating_mul(86_400),
        _ => {
            return Err(CliError::usage(format!(
                "{text:?} is not a duration like 30s, 10m, 2h or 7d"
            )));
        }
    };
    Ok(Duration::from_secs(secs))
}

/// An expiry: a duration from now (`2h`), or a bare Unix time.
pub fn parse_expiry(text: &str) -> CliResult<u64> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    if let Ok(unix) = text.trim().parse::<u64>() {
        return Ok(unix);
    }
    Ok(now.saturating_add(parse_duration(text)?.as_secs()))
}

/// At most `limit` items of a paged list (all without a limit).
pub fn collect<I>(
    items: impl Iterator<Item = Result<I, pinata_ureq::Error>>,
    limit: Option<usize>,
) -> CliResult<Vec<I>> {
    items
        .take(limit.unwrap_or(usize::MAX))
        .collect::<Result<Vec<_>, _>>()
        .map_err(crate::exit::from_api)
}

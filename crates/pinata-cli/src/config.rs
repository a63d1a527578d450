//! Profiles: a TOML file in the platform's config directory (or `PINATA_CONFIG`), written with
//! mode 0600, and the settings a command runs with, resolved as flag > environment (`PINATA_*`) >
//! profile. Among the variables, an origin's own (`PINATA_API_URL`, `PINATA_UPLOADS_URL`,
//! `PINATA_GATEWAY`) wins over `PINATA_EMULATOR_URL`, which sets all three, as the library's
//! `Config::from_env` reads them.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use pinata_ureq::api::Network;
use pinata_ureq::download::DEFAULT_MAX_DOWNLOAD;
use pinata_ureq::retry::RetryPolicy;
use pinata_ureq::{
    Config, Credentials, ENV_BASE_URL, ENV_EMULATOR_URL, ENV_GATEWAY, ENV_UPLOADS_URL,
};
use serde::{Deserialize, Serialize};

use crate::args::Global;
use crate::exit::{CliError, CliResult, Kind};
use crate::size::parse_size;

/// The profile used when none is named.
pub const DEFAULT_PROFILE: &str = "default";

/// The network of uploads and lists when neither `--network`, `PINATA_NETWORK` nor the profile
/// names one: private, as the library's `UploadFile` (and Pinata's API) default to, so nothing is
/// published to public IPFS unless asked for.
pub const DEFAULT_NETWORK: Network = Network::Private;

/// The whole config file.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// The profile used when neither `--profile` nor `PINATA_PROFILE` names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_profile: Option<String>,
    /// The profiles by name.
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

/// One profile: credentials, where the API is, and defaults.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// A JWT (secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwt: Option<String>,
    /// A legacy API key (public part).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    /// The legacy API key's secret (secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_secret: Option<String>,
    /// The API origin (`https://api.pinata.cloud` unless set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_url: Option<String>,
    /// The uploads origin (`https://uploads.pinata.cloud` unless set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uploads_url: Option<String>,
    /// The gateway: a domain (`example.mypinata.cloud`) or a URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    /// The gateway key (secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_key: Option<String>,
    /// The default network of uploads and lists: `public` or `private`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
}

impl Profile {
    /// The profile with every origin at one emulator URL.
    pub fn point_at_emulator(&mut self, url: &str) {
        self.api_url = Some(url.to_owned());
        self.uploads_url = Some(url.to_owned());
        self.gateway = Some(url.to_owned());
    }
}

/// Reads an environment variable; empty counts as unset.
pub fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Where the config file is: `PINATA_CONFIG`, else `<config dir>/pinata/config.toml`.
pub fn config_path() -> CliResult<PathBuf> {
    if let Some(p) = env("PINATA_CONFIG") {
        return Ok(PathBuf::from(p));
    }
    directories::ProjectDirs::from("", "", "pinata")
        .map(|d| d.config_dir().join("config.toml"))
        .ok_or_else(|| {
            CliError::local("no home directory to keep the config file in")
                .hint("set PINATA_CONFIG to the file's path")
        })
}

/// Where interrupted uploads are remembered: `PINATA_STATE_DIR`, else the platform's state (or
/// local data) directory.
pub fn state_dir() -> CliResult<PathBuf> {
    if let Some(p) = env("PINATA_STATE_DIR") {
        return Ok(PathBuf::from(p));
    }
    let dirs = directories::ProjectDirs::from("", "", "pinata").ok_or_else(|| {
        CliError::local("no home directory to keep upload state in")
            .hint("set PINATA_STATE_DIR to a directory")
    })?;
    Ok(dirs
        .state_dir()
        .unwrap_or_else(|| dirs.data_local_dir())
        .to_owned())
}

impl ConfigFile {
    /// The file at `path`, or an empty one when there is none.
    pub fn load(path: &Path) -> CliResult<Self> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => {
                return Err(CliError::local(format!(
                    "cannot read the config file {}: {e}",
                    path.display()
                )));
            }
        };
        toml::from_str(&text).map_err(|e| {
            CliError::usage(format!(
                "the config file {} is not valid: {}",
                path.display(),
                e.message()
            ))
            .hint("fix or remove it (`pinata config path` shows where it is)")
        })
    }

    /// Writes the file atomically, readable by its owner only (0600; its directory 0700).
    pub fn save(&self, path: &Path) -> CliResult<()> {
        let text = toml::to_string_pretty(self)
            .map_err(|e| CliError::new(Kind::Api, format!("cannot write the config: {e}")))?;
        let fail = |e: std::io::Error| {
            CliError::local(format!(
                "cannot write the config file {}: {e}",
                path.display()
            ))
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir).map_err(fail)?;
        }
        let tmp = path.with_extension("toml.tmp");
        let _ = std::fs::remove_file(&tmp);
        let mut file = private_file(&tmp).map_err(fail)?;
        file.write_all(text.as_bytes()).map_err(fail)?;
        file.sync_all().map_err(fail)?;
        drop(file);
        std::fs::rename(&tmp, path).map_err(fail)
    }

    /// The profile in use: `--profile`, else `PINATA_PROFILE`, else the file's default, else
    /// `default`.
    pub fn active_name(&self, flag: Option<&str>) -> String {
        flag.map(str::to_owned)
            .or_else(|| env("PINATA_PROFILE"))
            .or_else(|| self.default_profile.clone())
            .unwrap_or_else(|| DEFAULT_PROFILE.to_owned())
    }
}

/// Creates `dir` (and its parents) with mode 0700 where new.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// A new file readable and writable by its owner only.
pub fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Where a setting came from, for `config show` and messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag.
    Flag,
    /// A `PINATA_*` variable.
    Env,
    /// `PINATA_EMULATOR_URL`, which sets every origin where no flag or more specific variable
    /// does (so: below them, above the profile).
    EmulatorEnv,
    /// The profile.
    Profile,
    /// The built-in default.
    Default,
}

impl Source {
    /// How `config show` names it.
    pub fn label(self) -> &'static str {
        match self {
            Source::Flag => "flag",
            Source::Env => "environment",
            Source::EmulatorEnv => "environment (PINATA_EMULATOR_URL)",
            Source::Profile => "profile",
            Source::Default => "default",
        }
    }
}

/// Everything a command runs with.
#[derive(Debug)]
pub struct Settings {
    /// The config file's path.
    pub path: PathBuf,
    /// The profile in use.
    pub profile_name: String,
    /// The other profiles of the file that hold credentials (for the hint when this one has
    /// none).
    pub other_profiles: Vec<String>,
    /// The credentials, with where they came from, or why there are none.
    pub credentials: Result<(Credentials, Source), String>,
    /// The client configuration (origins, timeouts, retries, TUS settings).
    pub config: Config,
    /// The API URL and where it came from.
    pub api_url: (String, Source),
    /// The uploads URL and where it came from.
    pub uploads_url: (String, Source),
    /// The gateway and where it came from.
    pub gateway: Option<(String, Source)>,
    /// Whether a gateway key is set.
    pub gateway_key: bool,
    /// The default network and where it came from (`--network` of a command wins over it).
    pub network: (Network, Source),
    /// The cap of a download whose size is not known beforehand (the library's 1 GiB; a test
    /// knob changes it).
    pub download_cap: u64,
    /// The proxy and where it came from.
    pub proxy: crate::network::ProxyChoice,
    /// The extra root certificates' file and where it came from.
    pub ca_cert: Option<(String, &'static str)>,
}

/// `value` from the flag, else the variable `var`, else the profile.
fn pick(flag: Option<&String>, var: &str, profile: Option<&String>) -> Option<(String, Source)> {
    flag.map(|v| (v.clone(), Source::Flag))
        .or_else(|| env(var).map(|v| (v, Source::Env)))
        .or_else(|| profile.map(|v| (v.clone(), Source::Profile)))
}

/// The three origins a command talks to, each with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Origins {
    /// The API.
    api_url: (String, Source),
    /// Uploads.
    uploads_url: (String, Source),
    /// The gateway, when one is set.
    gateway: Option<(String, Source)>,
}

impl Origins {
    /// Each origin from its flag, else its own variable, else `PINATA_EMULATOR_URL`, else the
    /// profile, else the default (the gateway: else `PINATA_GATEWAY_URL`, else none), the
    /// variables read through `var` (empty counts as unset). Between the variables this is the
    /// library's rule (`Config::from_lookup`; a test holds the two together); around them, the
    /// CLI's flag > environment > profile. A `PINATA_EMULATOR_URL` that is not a usable URL is an
    /// error even where every origin is set otherwise, as the library has it.
    fn resolve(
        global: &Global,
        profile: &Profile,
        var: impl Fn(&'static str) -> Option<String>,
    ) -> CliResult<Self> {
        let var = |name: &'static str| var(name).filter(|v| !v.is_empty());
        let emulator = var(ENV_EMULATOR_URL);
        if let Some(url) = &emulator {
            Config::for_emulator(url)
                .map_err(|e| config_error("the emulator URL", url, Source::EmulatorEnv, e))?;
        }
        let one = |flag: Option<&String>, name: &'static str, kept: Option<&String>| {
            flag.map(|v| (v.clone(), Source::Flag))
                .or_else(|| var(name).map(|v| (v, Source::Env)))
                .or_else(|| emulator.clone().map(|v| (v, Source::EmulatorEnv)))
                .or_else(|| kept.map(|v| (v.clone(), Source::Profile)))
        };
        Ok(Self {
            api_url: one(
                global.api_url.as_ref(),
                ENV_BASE_URL,
                profile.api_url.as_ref(),
            )
            .unwrap_or_else(|| (Config::default().base_url().to_string(), Source::Default)),
            uploads_url: one(
                global.uploads_url.as_ref(),
                ENV_UPLOADS_URL,
                profile.uploads_url.as_ref(),
            )
            .unwrap_or_else(|| (Config::default().uploads_url().to_string(), Source::Default)),
            gateway: one(
                global.gateway.as_ref(),
                ENV_GATEWAY,
                profile.gateway.as_ref(),
            )
            .or_else(|| var("PINATA_GATEWAY_URL").map(|v| (v, Source::Env))),
        })
    }
}

/// A size from a hidden variable (test knobs), by the rule of every size (`256K`).
fn env_size(name: &str) -> CliResult<Option<u64>> {
    env(name)
        .map(|v| parse_size(&v).map_err(|e| CliError::usage(format!("{name}: {e}"))))
        .transpose()
}

fn config_error(what: &str, value: &str, source: Source, e: impl std::fmt::Display) -> CliError {
    CliError::usage(format!(
        "{what} {value:?} (from the {}) is not usable: {e}",
        source.label()
    ))
}

impl Settings {
    /// Reads the config file and resolves every setting for `global`.
    pub fn resolve(global: &Global) -> CliResult<Self> {
        let path = config_path()?;
        let file = ConfigFile::load(&path)?;
        Self::from_file(global, path, file)
    }

    /// Resolves every setting for `global` over `file` (read from `path`).
    pub fn from_file(global: &Global, path: PathBuf, file: ConfigFile) -> CliResult<Self> {
        let profile_name = file.active_name(global.profile.as_deref());
        let explicit = global.profile.is_some() || env("PINATA_PROFILE").is_some();
        let profile = match file.profiles.get(&profile_name) {
            Some(p) => p.clone(),
            None if explicit && profile_name != DEFAULT_PROFILE => {
                return Err(CliError::usage(format!(
                    "there is no profile {profile_name:?} in {}",
                    path.display()
                ))
                .hint(format!(
                    "create it with `pinata --profile {profile_name} auth`"
                )));
            }
            None => Profile::default(),
        };

        let credentials = resolve_credentials(&profile_name, &profile);
        let other_profiles = file
            .profiles
            .iter()
            .filter(|(name, p)| **name != profile_name && (p.jwt.is_some() || p.api_key.is_some()))
            .map(|(name, _)| name.clone())
            .collect();

        let Origins {
            api_url,
            uploads_url,
            gateway,
        } = Origins::resolve(global, &profile, env)?;
        let gateway_key = env("PINATA_GATEWAY_KEY").or_else(|| profile.gateway_key.clone());

        let mut config = Config::default()
            .with_base_url(&api_url.0)
            .map_err(|e| config_error("the API URL", &api_url.0, api_url.1, e))?
            .with_uploads_url(&uploads_url.0)
            .map_err(|e| config_error("the uploads URL", &uploads_url.0, uploads_url.1, e))?
            .with_user_agent(format!("pinata-cli/{}", env!("CARGO_PKG_VERSION")));
        if let Some((g, source)) = &gateway {
            config = config
                .with_gateway(g)
                .map_err(|e| config_error("the gateway", g, *source, e))?;
        }
        if let Some(key) = &gateway_key {
            config = config.with_gateway_key(key.clone()).map_err(|_| {
                CliError::usage("the gateway key is not usable (see `pinata config show`)")
            })?;
        }
        let mut policy = RetryPolicy::default();
        if let Some(retries) = global.retries {
            policy = policy.max_attempts(retries.saturating_add(1));
        }
        config = config.with_retry_policy(policy);
        if let Some(secs) = global.timeout {
            let mut options = config.transport_options().clone();
            options.request_timeout = Duration::from_secs(secs);
            options.connect_timeout = options.connect_timeout.min(Duration::from_secs(secs));
            config = config.with_transport_options(options);
        }
        // Test knobs, not documented: force a small file through TUS (and, below, a small
        // download over the default cap).
        if let Some(threshold) = env_size("PINATA_TUS_THRESHOLD")? {
            config = config.with_tus_threshold(threshold);
        }
        if let Some(chunk) = env_size("PINATA_TUS_CHUNK")? {
            config = config
                .with_tus_chunk_size(chunk)
                .map_err(|e| CliError::usage(format!("PINATA_TUS_CHUNK: {e}")))?;
        }

        let download_cap = env_size("PINATA_DOWNLOAD_CAP")?.unwrap_or(DEFAULT_MAX_DOWNLOAD);

        let proxy = crate::network::resolve_proxy(global.proxy.as_deref(), global.no_proxy, env)?;
        config = config.with_proxy_config(proxy.config.clone());
        let ca_cert = match crate::network::resolve_ca_cert(global.ca_cert.as_deref(), env)? {
            Some((roots, file, from)) => {
                config = config.with_root_certificates(roots);
                Some((file, from))
            }
            None => None,
        };

        let network = match pick(None, "PINATA_NETWORK", profile.network.as_ref()) {
            Some((n, source)) => (
                parse_network(&n).map_err(|_| {
                    config_error("the network", &n, source, "use public or private")
                })?,
                source,
            ),
            None => (DEFAULT_NETWORK, Source::Default),
        };
        Ok(Self {
            path,
            profile_name,
            other_profiles,
            credentials,
            config,
            api_url,
            uploads_url,
            gateway,
            gateway_key: gateway_key.is_some(),
            network,
            download_cap,
            proxy,
            ca_cert,
        })
    }

    /// The credentials, or the error that says how to get some: the profiles that have them
    /// (and how to use one), or how to store some in this one.
    pub fn require_credentials(&self) -> CliResult<Credentials> {
        let why = match &self.credentials {
            Ok((c, _)) => return Ok(c.clone()),
            Err(why) => why,
        };
        let auth = format!(
            "`pinata{} auth`",
            if self.profile_name == DEFAULT_PROFILE {
                String::new()
            } else {
                format!(" --profile {}", self.profile_name)
            }
        );
        let hint = match self.other_profiles.as_slice() {
            [] => format!("run {auth}, or set PINATA_JWT"),
            others => {
                let first = &others[0];
                let names = others
                    .iter()
                    .map(|n| format!("{n:?}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let (noun, these) = if others.len() == 1 {
                    ("profile", "it")
                } else {
                    ("profiles", "one")
                };
                format!(
                    "credentials are in {noun} {names}: use {these} with `pinata config use \
                     {first}` (or --profile {first} for one command), or run {auth} to store \
                     some in {:?}",
                    self.profile_name
                )
            }
        };
        Err(CliError::new(Kind::Auth, why.clone()).hint(hint))
    }

    /// A client with the resolved credentials and configuration.
    pub fn client(&self) -> CliResult<pinata_ureq::Client> {
        let credentials = self.require_credentials()?;
        pinata_ureq::Client::with_config(credentials, self.config.clone())
            .map_err(crate::exit::from_api)
    }
}

/// `public` or `private`.
pub fn parse_network(name: &str) -> CliResult<Network> {
    Network::parse(name).ok_or_else(|| {
        CliError::usage(format!("{name:?} is not a network")).hint("use public or private")
    })
}

/// Credentials: `PINATA_JWT` / `PINATA_API_KEY` + `PINATA_API_SECRET` (as the library reads
/// them), else those of the profile `name`.
fn resolve_credentials(name: &str, profile: &Profile) -> Result<(Credentials, Source), String> {
    match Credentials::from_env() {
        Ok(c) => return Ok((c, Source::Env)),
        Err(pinata_ureq::CredentialsError::NotInEnvironment) => {}
        Err(e) => return Err(format!("the PINATA_* credentials are not usable: {e}")),
    }
    let lookup = |name: &'static str| -> Result<Option<String>, ()> {
        Ok(match name {
            pinata_ureq::ENV_JWT => profile.jwt.clone(),
            pinata_ureq::ENV_API_KEY => profile.api_key.clone(),
            pinata_ureq::ENV_API_SECRET => profile.api_secret.clone(),
            _ => None,
        })
    };
    match Credentials::from_lookup(lookup) {
        Ok(c) => Ok((c, Source::Profile)),
        Err(pinata_ureq::CredentialsError::NotInEnvironment) => Err(format!(
            "no credentials: neither PINATA_JWT nor the profile {name:?} has any"
        )),
        Err(e) => Err(format!("the profile's credentials are not usable: {e}")),
    }
}

/// A secret as it may be shown: its first 4 characters and `…(redacted)`.
pub fn mask(secret: &str) -> String {
    let head: String = secret.chars().take(4).collect();
    format!("{head}…(redacted)")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use clap::Parser;

    use super::*;

    /// The global flags of `pinata FLAGS… whoami`.
    fn flags(args: &[&str]) -> Global {
        let argv = std::iter::once("pinata")
            .chain(args.iter().copied())
            .chain(["whoami"]);
        crate::args::Cli::try_parse_from(argv).unwrap().global
    }

    /// The origins for these variables, as the CLI resolves them with no flag and no profile
    /// setting, and as the library's `Config::from_lookup` does.
    fn both(vars: &[(&'static str, &str)]) -> ([String; 3], [String; 3]) {
        let var = |name: &'static str| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        };
        let cli = Origins::resolve(&flags(&[]), &Profile::default(), var).unwrap();
        let core = Config::from_lookup(|name| Ok(var(name))).unwrap();
        // Each side as the client's config holds it (the CLI's strings parsed by the same calls
        // `Settings::from_file` makes).
        let mut config = Config::default()
            .with_base_url(&cli.api_url.0)
            .unwrap()
            .with_uploads_url(&cli.uploads_url.0)
            .unwrap();
        if let Some((g, _)) = &cli.gateway {
            config = config.with_gateway(g).unwrap();
        }
        let shown = |c: &Config| {
            [
                c.base_url().to_string(),
                c.uploads_url().to_string(),
                c.gateway().map(ToString::to_string).unwrap_or_default(),
            ]
        };
        (shown(&config), shown(&core))
    }

    #[test]
    fn the_variables_rank_as_the_library_ranks_them() {
        let all = [
            (ENV_EMULATOR_URL, "http://127.0.0.1:1000"),
            (ENV_BASE_URL, "http://127.0.0.1:1001"),
            (ENV_UPLOADS_URL, "http://127.0.0.1:1002"),
            (ENV_GATEWAY, "http://127.0.0.1:1003"),
        ];
        // Every combination of the four, set or not.
        for mask in 0..16u32 {
            let vars: Vec<_> = all
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, v)| *v)
                .collect();
            let (cli, core) = both(&vars);
            assert_eq!(cli, core, "{vars:?}");
        }
        // Empty is unset, for both.
        let (cli, core) = both(&[(ENV_EMULATOR_URL, ""), (ENV_BASE_URL, "http://127.0.0.1:1")]);
        assert_eq!(cli, core);
    }

    #[test]
    fn the_emulator_variable_is_below_flags_and_own_variables_and_above_the_profile() {
        let emulator = "http://127.0.0.1:2000";
        let profile = Profile {
            api_url: Some("http://127.0.0.1:3000".into()),
            uploads_url: Some("http://127.0.0.1:3001".into()),
            gateway: Some("http://127.0.0.1:3002".into()),
            ..Profile::default()
        };
        let var = |name: &'static str| match name {
            ENV_EMULATOR_URL => Some(emulator.to_owned()),
            ENV_UPLOADS_URL => Some("http://127.0.0.1:2001".to_owned()),
            _ => None,
        };
        let origins = Origins::resolve(
            &flags(&["--gateway", "http://127.0.0.1:4000"]),
            &profile,
            var,
        )
        .unwrap();
        assert_eq!(
            origins,
            Origins {
                api_url: (emulator.into(), Source::EmulatorEnv),
                uploads_url: ("http://127.0.0.1:2001".into(), Source::Env),
                gateway: Some(("http://127.0.0.1:4000".into(), Source::Flag)),
            }
        );
        // Without it, the profile.
        let origins = Origins::resolve(&flags(&[]), &profile, |_| None).unwrap();
        assert_eq!(
            origins.api_url,
            ("http://127.0.0.1:3000".into(), Source::Profile)
        );
        assert_eq!(
            origins.gateway,
            Some(("http://127.0.0.1:3002".into(), Source::Profile))
        );
    }

    #[test]
    fn a_bad_emulator_variable_is_an_error_naming_it_even_when_unused() {
        let var = |name: &'static str| (name == ENV_EMULATOR_URL).then(|| "ftp://x".to_owned());
        let global = flags(&[
            "--api-url",
            "http://127.0.0.1:1",
            "--uploads-url",
            "http://127.0.0.1:1",
            "--gateway",
            "http://127.0.0.1:1",
        ]);
        let e = Origins::resolve(&global, &Profile::default(), var).unwrap_err();
        assert!(e.to_string().contains("PINATA_EMULATOR_URL"), "{e}");
        assert!(Config::from_lookup(|name| Ok(var(name))).is_err());
    }
}

//! `pinata config show|path|profiles|use|set|unset`.

use serde_json::json;

use super::Ctx;
use crate::args::ConfigCommand;
use crate::config::{
    ConfigFile, DEFAULT_PROFILE, Settings, Source, config_path, mask, parse_network,
};
use crate::exit::{CliError, CliResult};
use crate::output::{Item, print_out, table};

/// `pinata config …`.
pub fn run(ctx: &Ctx, command: ConfigCommand) -> CliResult {
    match command {
        ConfigCommand::Show => show(ctx),
        ConfigCommand::Path => ctx.out.value("path", &config_path()?.display().to_string()),
        ConfigCommand::Profiles => {
            let path = config_path()?;
            let file = ConfigFile::load(&path)?;
            let active = file.active_name(ctx.global.profile.as_deref());
            let items: Vec<Item> = file
                .profiles
                .iter()
                .map(|(name, p)| Item {
                    json: json!({"name": name, "active": *name == active, "api_url": p.api_url}),
                    id: name.clone(),
                    cells: vec![
                        if *name == active {
                            "*".into()
                        } else {
                            String::new()
                        },
                        name.clone(),
                        p.api_url.clone().unwrap_or_else(|| "(default)".into()),
                    ],
                })
                .collect();
            ctx.out.list(&["", "profile", "api"], &items)
        }
        ConfigCommand::Use { profile } => {
            let path = config_path()?;
            let mut file = ConfigFile::load(&path)?;
            if !file.profiles.contains_key(&profile) && profile != DEFAULT_PROFILE {
                return Err(CliError::usage(format!("there is no profile {profile:?}"))
                    .hint(format!("create it with `pinata --profile {profile} auth`")));
            }
            file.default_profile = Some(profile.clone());
            file.save(&path)?;
            ctx.out
                .message(format!("The default profile is now {profile:?}"));
            Ok(())
        }
        ConfigCommand::Set { key, value } => edit(ctx, &key, Some(value)),
        ConfigCommand::Unset { key } => edit(ctx, &key, None),
    }
}

/// Sets (`Some`) or removes (`None`) the setting `key` of the active profile, after checking
/// that the client can use the result.
pub fn edit(ctx: &Ctx, key: &str, value: Option<String>) -> CliResult {
    let path = config_path()?;
    let mut file = ConfigFile::load(&path)?;
    let name = file.active_name(ctx.global.profile.as_deref());
    let profile = file.profiles.entry(name.clone()).or_default();
    let setting = |slot: &mut Option<String>| *slot = value.clone();
    match (key, &value) {
        ("api_url", _) => setting(&mut profile.api_url),
        ("uploads_url", _) => setting(&mut profile.uploads_url),
        ("gateway", _) => setting(&mut profile.gateway),
        ("network", Some(v)) => {
            parse_network(v)?;
            setting(&mut profile.network)
        }
        ("network", None) => profile.network = None,
        ("emulator", Some(url)) => profile.point_at_emulator(url),
        ("emulator", None) => {
            profile.api_url = None;
            profile.uploads_url = None;
            profile.gateway = None;
        }
        ("jwt" | "api_key" | "api_secret" | "gateway_key", Some(_)) => {
            return Err(CliError::usage(format!(
                "{key} is a credential: set it with `pinata auth` (or PINATA_* variables), so it \
                 is not left in the shell's history"
            )));
        }
        ("jwt", None) => profile.jwt = None,
        ("api_key", None) => profile.api_key = None,
        ("api_secret", None) => profile.api_secret = None,
        ("gateway_key", None) => profile.gateway_key = None,
        _ => {
            return Err(CliError::usage(format!("{key:?} is not a setting")).hint(
                "use api_url, uploads_url, gateway, network or emulator (and, to unset, jwt, \
                 api_key, api_secret, gateway_key)",
            ));
        }
    }
    // Refuse a value the client could not use before writing it.
    let settings = Settings::from_file(&ctx.global_with(&name), path.clone(), file.clone())?;
    drop(settings);
    file.save(&path)?;
    ctx.out.message(format!("Updated profile {name:?}"));
    Ok(())
}

impl Ctx {
    /// The global flags with `profile` named.
    fn global_with(&self, profile: &str) -> crate::args::Global {
        let mut g = self.global.clone();
        g.profile = Some(profile.to_owned());
        g
    }
}

/// `pinata config show`: every setting and where it came from; secrets masked.
fn show(ctx: &Ctx) -> CliResult {
    let s = ctx.settings()?;
    let creds = match &s.credentials {
        Ok((c, source)) => {
            let shown = match (c.expose_jwt(), c.expose_key_pair()) {
                (Some(jwt), _) => format!("jwt {}", mask(jwt)),
                (None, Some((key, secret))) => format!("api key {key}, secret {}", mask(secret)),
                _ => "?".into(),
            };
            (shown, source.label())
        }
        Err(why) => (format!("none ({why})"), Source::Default.label()),
    };
    let gateway = s
        .gateway
        .as_ref()
        .map(|(g, src)| (g.clone(), src.label()))
        .unwrap_or(("(none)".into(), Source::Default.label()));
    let gateway_key = if s.gateway_key {
        "set (redacted)"
    } else {
        "(none)"
    };
    let (network, network_from) = (s.network.0.as_str(), s.network.1.label());
    let ca_cert = s
        .ca_cert
        .clone()
        .unwrap_or(("(none)".into(), Source::Default.label()));
    let rows = vec![
        vec!["profile".into(), s.profile_name.clone(), String::new()],
        vec![
            "config file".into(),
            s.path.display().to_string(),
            String::new(),
        ],
        vec!["credentials".into(), creds.0.clone(), creds.1.into()],
        vec![
            "api_url".into(),
            s.api_url.0.clone(),
            s.api_url.1.label().into(),
        ],
        vec![
            "uploads_url".into(),
            s.uploads_url.0.clone(),
            s.uploads_url.1.label().into(),
        ],
        vec!["gateway".into(), gateway.0.clone(), gateway.1.into()],
        vec!["gateway_key".into(), gateway_key.into(), String::new()],
        vec!["network".into(), network.into(), network_from.into()],
        vec!["proxy".into(), s.proxy.shown.clone(), s.proxy.from.clone()],
        vec![
            "no_proxy".into(),
            s.proxy.no_proxy.clone().unwrap_or_else(|| "(none)".into()),
            String::new(),
        ],
        vec!["ca_cert".into(), ca_cert.0.clone(), ca_cert.1.into()],
    ];
    match ctx.out.format {
        crate::output::Format::Human => print_out(&table(&["setting", "value", "from"], rows)),
        _ => ctx.out.record(
            &Item {
                json: json!({
                    "profile": s.profile_name,
                    "config_file": s.path.display().to_string(),
                    "credentials": creds.0,
                    "credentials_from": creds.1,
                    "api_url": s.api_url.0,
                    "api_url_from": s.api_url.1.label(),
                    "uploads_url": s.uploads_url.0,
                    "uploads_url_from": s.uploads_url.1.label(),
                    "gateway": s.gateway.as_ref().map(|g| g.0.clone()),
                    "gateway_from": gateway.1,
                    "gateway_key": s.gateway_key,
                    "network": network,
                    "network_from": network_from,
                    "proxy": (s.proxy.shown != "(none)").then(|| s.proxy.shown.clone()),
                    "proxy_from": s.proxy.from,
                    "no_proxy": s.proxy.no_proxy,
                    "ca_cert": s.ca_cert.as_ref().map(|c| c.0.clone()),
                    "ca_cert_from": ca_cert.1,
                }),
                id: s.profile_name.clone(),
                cells: Vec::new(),
            },
            &[],
        ),
    }
}

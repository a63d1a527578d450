//! `pinata auth` (store and test credentials) and `pinata whoami`.

use std::io::{BufRead, IsTerminal};

use pinata_ureq::{Credentials, Scheme};
use serde_json::json;

use super::Ctx;
use crate::args::AuthArgs;
use crate::config::{ConfigFile, Settings, Source, config_path};
use crate::exit::{CliError, CliResult, Kind, Needs, from_api};
use crate::output::Item;

/// Reads a secret: from the terminal without echo, or a line of stdin when it is not one.
fn read_secret(prompt: &str) -> CliResult<String> {
    let value = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(prompt)
            .map_err(|e| CliError::usage(format!("cannot read from the terminal: {e}")))?
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| CliError::usage(format!("cannot read stdin: {e}")))?;
        line
    };
    let value = value.trim().to_owned();
    if value.is_empty() {
        return Err(CliError::usage(format!(
            "no {} given",
            prompt.trim_end_matches([':', ' '])
        )));
    }
    Ok(value)
}

/// `pinata auth`.
pub fn auth(ctx: &Ctx, args: AuthArgs) -> CliResult {
    let path = config_path()?;
    let mut file = ConfigFile::load(&path)?;
    let name = file.active_name(ctx.global.profile.as_deref());
    let mut profile = file.profiles.get(&name).cloned().unwrap_or_default();

    let credentials = match (args.jwt, args.key) {
        (Some(jwt), _) => Credentials::jwt(jwt),
        (None, Some(key)) => {
            let secret = match args.secret {
                Some(s) => s,
                None => read_secret("API secret: ")?,
            };
            Credentials::key_pair(key, secret)
        }
        (None, None) => Credentials::jwt(read_secret("JWT: ")?),
    }
    .map_err(|e| {
        CliError::usage(format!("these credentials are not usable: {e}"))
            .hint("paste the JWT as Pinata shows it, without \"Bearer \"")
    })?;

    if let Some(url) = &args.emulator {
        profile.point_at_emulator(url);
    }
    if let Some(url) = &ctx.global.api_url {
        profile.api_url = Some(url.clone());
    }
    if let Some(url) = &ctx.global.uploads_url {
        profile.uploads_url = Some(url.clone());
    }
    if let Some(g) = &ctx.global.gateway {
        profile.gateway = Some(g.clone());
    }
    match (credentials.expose_jwt(), credentials.expose_key_pair()) {
        (Some(jwt), _) => {
            profile.jwt = Some(jwt.to_owned());
            profile.api_key = None;
            profile.api_secret = None;
        }
        (None, Some((key, secret))) => {
            profile.jwt = None;
            profile.api_key = Some(key.to_owned());
            profile.api_secret = Some(secret.to_owned());
        }
        (None, None) => {}
    }
    let mut trial = file.clone();
    trial.profiles.insert(name.clone(), profile.clone());

    if !args.no_test {
        let mut global = ctx.global.clone();
        global.profile = Some(name.clone());
        let settings = Settings::from_file(&global, path.clone(), trial.clone())?;
        let client = pinata_ureq::Client::with_config(credentials, settings.config.clone())
            .map_err(|e| from_api(e, Needs::Text("valid credentials")))?;
        let ok = client.test_authentication().map_err(|e| {
            let e = from_api(e, Needs::Text("valid credentials"));
            CliError {
                hint: Some(format!(
                    "nothing was stored; {}",
                    e.hint.clone().unwrap_or_else(|| "check the key".into())
                )),
                ..e
            }
        })?;
        ctx.out
            .message(format!("{} (against {})", ok.message, settings.api_url.0));
    }
    file = trial;
    file.save(&path)?;
    ctx.out.message(format!(
        "Stored the credentials in profile {name:?} of {}",
        path.display()
    ));
    Ok(())
}

/// `pinata whoami`: tests the active credentials and says whose they are.
pub fn whoami(ctx: &Ctx) -> CliResult {
    let (settings, client) = ctx.client()?;
    let ok = client
        .test_authentication()
        .map_err(|e| from_api(e, Needs::Text("valid credentials")))?;
    let (credentials, source) = match &settings.credentials {
        Ok((c, s)) => (c, *s),
        Err(why) => return Err(CliError::new(Kind::Auth, why.clone())),
    };
    let (scheme, key) = match credentials.scheme() {
        Scheme::Jwt => (
            "jwt",
            credentials
                .unverified_claims()
                .and_then(|c| c.api_key().map(str::to_owned)),
        ),
        Scheme::KeyPair => ("api key", credentials.api_key().map(str::to_owned)),
    };
    let key = key.unwrap_or_default();
    let from = match source {
        Source::Env => "environment".to_owned(),
        _ => format!("profile {}", settings.profile_name),
    };
    let item = Item {
        json: json!({
            "message": ok.message,
            "profile": settings.profile_name,
            "credentials": scheme,
            "credentials_from": source.label(),
            "api_key": key,
            "api_url": settings.api_url.0,
        }),
        id: key.clone(),
        cells: vec![
            ok.message.clone(),
            settings.profile_name.clone(),
            format!("{scheme} ({from})"),
            key,
            settings.api_url.0.clone(),
        ],
    };
    ctx.out
        .record(&item, &["status", "profile", "credentials", "key", "api"])
}

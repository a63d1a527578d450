//! `pinata auth` (store and test credentials) and `pinata whoami`.

use std::io::{BufRead, IsTerminal, Read};

use pinata_ureq::{Credentials, CredentialsError, ENV_API_KEY, ENV_API_SECRET, ENV_JWT, Scheme};
use serde_json::json;

use super::Ctx;
use crate::args::AuthArgs;
use crate::config::{ConfigFile, Settings, Source, config_path, env};
use crate::exit::{CliError, CliResult, Kind, from_api};
use crate::output::Item;

/// The longest line a secret is read from on stdin: a JWT is a few hundred bytes, and a stream
/// that never ends a line is not read into memory without end.
const MAX_SECRET_LINE: u64 = 16 * 1024;

/// The first line of stdin, at most [`MAX_SECRET_LINE`] bytes.
fn stdin_line() -> CliResult<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .take(MAX_SECRET_LINE + 1)
        .read_line(&mut line)
        .map_err(|e| CliError::usage(format!("cannot read stdin: {e}")))?;
    if line.len() as u64 > MAX_SECRET_LINE {
        return Err(CliError::usage(format!(
            "the first line of stdin is longer than {MAX_SECRET_LINE} bytes: not a credential"
        )));
    }
    Ok(line)
}

/// How a secret is asked for.
#[derive(Debug, Clone, Copy)]
struct Ask {
    /// What it is (`JWT`, `API secret`).
    what: &'static str,
    /// The flag that asked for it on stdin (`--jwt-stdin`), if one did.
    flag: Option<&'static str>,
    /// An example that pipes it in, for the error an empty one gets.
    example: &'static str,
}

/// The JWT, prompted for (or on stdin).
const JWT: Ask = Ask {
    what: "JWT",
    flag: None,
    example: "printf '%s' \"$JWT\" | pinata auth --jwt-stdin",
};

/// A key's secret, prompted for (or on stdin).
const SECRET: Ask = Ask {
    what: "API secret",
    flag: None,
    example: "printf '%s' \"$SECRET\" | pinata auth --key KEY --secret-stdin",
};

/// Reads a secret: from the terminal without echo, or the first line of stdin when it is not one;
/// trimmed, and not empty.
fn read_secret(ask: Ask) -> CliResult<String> {
    let value = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("{}: ", ask.what))
            .map_err(|e| CliError::usage(format!("cannot read from the terminal: {e}")))?
    } else {
        stdin_line()?
    };
    let value = value.trim().to_owned();
    if value.is_empty() {
        let error = match ask.flag {
            Some(flag) => CliError::usage(format!(
                "no {} on standard input ({flag} reads its first line)",
                ask.what
            )),
            None => CliError::usage(format!("no {} given", ask.what)),
        };
        return Err(error.hint(format!("pipe it in: {}", ask.example)));
    }
    Ok(value)
}

/// The warning a secret given as a flag gets.
fn visible_warning(flag: &str, instead: &str) -> String {
    format!(
        "{flag} puts the secret on the command line, where other local users can read it (ps) \
         and the shell's history keeps it; use {instead} instead"
    )
}

/// The credentials `pinata auth` stores, from the first of: `--jwt` (with a warning),
/// `--jwt-stdin`, `--key` with its secret (`--secret` with a warning, `--secret-stdin`,
/// `PINATA_API_SECRET`, or prompted), the `PINATA_*` variables (flag > environment, as every
/// setting), or a JWT prompted without echo (a line of stdin when it is not a terminal).
fn credentials_of(ctx: &Ctx, args: &AuthArgs) -> CliResult<Credentials> {
    let usable = |e: CredentialsError| {
        CliError::usage(format!("these credentials are not usable: {e}"))
            .hint("paste the JWT as Pinata shows it, without \"Bearer \"")
    };
    if let Some(jwt) = &args.jwt {
        ctx.out
            .warn(visible_warning("--jwt", "--jwt-stdin or PINATA_JWT"));
        return Credentials::jwt(jwt.clone()).map_err(usable);
    }
    if args.jwt_stdin {
        let ask = Ask {
            flag: Some("--jwt-stdin"),
            ..JWT
        };
        return Credentials::jwt(read_secret(ask)?).map_err(usable);
    }
    if let Some(key) = &args.key {
        let secret = if let Some(secret) = &args.secret {
            ctx.out.warn(visible_warning(
                "--secret",
                "--secret-stdin or PINATA_API_SECRET",
            ));
            secret.clone()
        } else if args.secret_stdin {
            read_secret(Ask {
                flag: Some("--secret-stdin"),
                ..SECRET
            })?
        } else if let Some(secret) = env(ENV_API_SECRET) {
            ctx.out
                .message(format!("Using the API secret in {ENV_API_SECRET}"));
            secret
        } else {
            read_secret(SECRET)?
        };
        return Credentials::key_pair(key.clone(), secret).map_err(usable);
    }
    match Credentials::from_env() {
        Ok(credentials) => {
            ctx.out.message(match credentials.scheme() {
                Scheme::Jwt => format!("Using the JWT in {ENV_JWT}"),
                Scheme::KeyPair => {
                    format!("Using the API key in {ENV_API_KEY} and {ENV_API_SECRET}")
                }
            });
            Ok(credentials)
        }
        Err(CredentialsError::NotInEnvironment) => {
            Credentials::jwt(read_secret(JWT)?).map_err(usable)
        }
        Err(e) => Err(
            CliError::usage(format!("the PINATA_* credentials are not usable: {e}")).hint(format!(
                "fix or unset {ENV_JWT} ({ENV_API_KEY}, {ENV_API_SECRET})"
            )),
        ),
    }
}

/// `pinata auth`.
pub fn auth(ctx: &Ctx, args: AuthArgs) -> CliResult {
    let path = config_path()?;
    let mut file = ConfigFile::load(&path)?;
    let name = file.active_name(ctx.global.profile.as_deref());
    let mut profile = file.profiles.get(&name).cloned().unwrap_or_default();

    let credentials = credentials_of(ctx, &args)?;

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
        // `--emulator` is a flag: the test goes where it points, whatever a `PINATA_*` variable
        // (`PINATA_EMULATOR_URL`, `PINATA_API_URL` …) says, as the other origin flags' would.
        if let Some(url) = &args.emulator {
            for origin in [
                &mut global.api_url,
                &mut global.uploads_url,
                &mut global.gateway,
            ] {
                origin.get_or_insert_with(|| url.clone());
            }
        }
        let settings = Settings::from_file(&global, path.clone(), trial.clone())?;
        let client = pinata_ureq::Client::with_config(credentials, settings.config.clone())
            .map_err(from_api)?;
        let ok = client.test_authentication().map_err(|e| {
            let e = from_api(e);
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
    let ok = client.test_authentication().map_err(from_api)?;
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

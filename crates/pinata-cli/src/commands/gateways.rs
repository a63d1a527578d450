//! `pinata gateways set|link|open`: the gateway commands of Pinata's Go CLI, over the settings and
//! the signed links the other commands use.

use std::process::{Command, Stdio};

use super::Ctx;
use super::download::signed_link;
use crate::args::GatewaysCommand;
use crate::config::env;
use crate::exit::{CliError, CliResult};

/// `pinata gateways …`.
pub fn run(ctx: &Ctx, command: GatewaysCommand) -> CliResult {
    match command {
        GatewaysCommand::Set {
            domain: Some(domain),
        } => super::config::edit(ctx, "gateway", Some(domain)),
        GatewaysCommand::Set { domain: None } => Err(CliError::usage(
            "give the gateway: `pinata gateways set example.mypinata.cloud`",
        )
        .hint(
            "choosing among the account's gateways needs Pinata's gateway list \
             (GET /v3/ipfs/gateways), which this client does not call yet",
        )),
        GatewaysCommand::Link { cid, expires } => {
            let url = signed_link(ctx, &cid, "", &expires)?;
            ctx.out.value("url", url.as_str())
        }
        GatewaysCommand::Open { cid, expires } => {
            let url = signed_link(ctx, &cid, "", &expires)?;
            ctx.out.value("url", url.as_str())?;
            match open_in_browser(url.as_str()) {
                Ok(opener) => ctx.out.message(format!("Opened with {opener}")),
                Err(why) => ctx
                    .out
                    .warn(format!("cannot open a browser ({why}): open the URL above")),
            }
            Ok(())
        }
    }
}

/// The system's way to open a URL: a program and its arguments before the URL.
fn system_opener() -> (String, Vec<String>) {
    if cfg!(target_os = "macos") {
        ("open".into(), Vec::new())
    } else if cfg!(windows) {
        (
            "rundll32".into(),
            vec!["url.dll,FileProtocolHandler".into()],
        )
    } else {
        ("xdg-open".into(), Vec::new())
    }
}

/// Opens `url` with `$BROWSER` (its first `:`-separated command, split on spaces, as other
/// programs read it), else the system's opener; waits for it, as they do. Says which opened it.
fn open_in_browser(url: &str) -> Result<String, String> {
    let (program, args) = match env("BROWSER") {
        Some(browser) => {
            let first = browser.split(':').next().unwrap_or_default().to_owned();
            let mut words = first.split_whitespace().map(str::to_owned);
            match words.next() {
                Some(program) => (program, words.collect()),
                None => system_opener(),
            }
        }
        None => system_opener(),
    };
    let status = Command::new(&program)
        .args(&args)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("{program}: {e}"))?;
    if status.success() {
        Ok(program)
    } else {
        Err(format!("{program} ended with {status}"))
    }
}

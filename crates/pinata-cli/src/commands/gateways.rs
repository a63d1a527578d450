//! `pinata gateways list|set|link|open`: the gateway commands of Pinata's Go CLI, over the
//! settings and the signed links the other commands use. `set` without a domain chooses among the
//! account's gateways (`GET /v3/ipfs/gateways`), as the Go CLI's picker does.

use std::io::{BufRead, IsTerminal, Read, Write};
use std::process::{Command, Stdio};

use pinata_ureq::api::gateways::{Gateway, ListGateways};
use serde::Serialize;

use super::Ctx;
use super::download::signed_link;
use crate::args::GatewaysCommand;
use crate::config::{Settings, env};
use crate::exit::{CliError, CliResult, Kind, from_api};
use crate::output::{Item, opt, shown, time};

const HEADERS: [&str; 5] = ["host", "id", "name", "restricted", "custom domains"];
/// What to do when no gateway was chosen.
const GIVE_ONE: &str =
    "give one: `pinata gateways set DOMAIN` (the hosts: `pinata gateways list -q`)";
/// How many answers the prompt takes that name no gateway before it gives up.
const PROMPT_TRIES: usize = 3;
/// The longest answer read from the prompt: a number or a host name is far shorter, and a stream
/// that never ends a line is not read into memory without end.
const MAX_ANSWER: u64 = 1024;

/// `pinata gateways …`.
pub fn run(ctx: &Ctx, command: GatewaysCommand) -> CliResult {
    match command {
        GatewaysCommand::Set {
            domain: Some(domain),
        } => super::config::edit(ctx, "gateway", Some(domain)),
        GatewaysCommand::Set { domain: None } => {
            let (settings, gateways) = account_gateways(ctx)?;
            let host = choose(ctx, &gateways)?;
            super::config::edit(ctx, "gateway", Some(host.clone()))?;
            ctx.out
                .message(format!("Downloads and links now go through {host}"));
            warn_if_emulator(ctx, &settings, &host);
            Ok(())
        }
        GatewaysCommand::List => {
            let (_, gateways) = account_gateways(ctx)?;
            let items = gateways
                .iter()
                .map(gateway_item)
                .collect::<CliResult<Vec<_>>>()?;
            ctx.out.list(&HEADERS, &items)
        }
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

/// A gateway as `--json` writes it. Not the API's gateway (`Gateway`, whose custom domains are
/// objects with their ids and validation statuses): the CLI has always added the `host` to reach
/// it at (what `gateways set` takes, from `Gateway::host`) and listed the custom domains by
/// name, and scripts read that shape.
#[derive(Serialize)]
struct GatewayRecord<'a> {
    host: &'a str,
    domain: &'a str,
    id: &'a str,
    name: Option<&'a str>,
    restrict: Option<bool>,
    created_at: Option<String>,
    custom_domains: &'a [&'a str],
}

/// A gateway as `gateways list` shows it; `-q` prints its host (what `gateways set` takes).
fn gateway_item(g: &Gateway) -> CliResult<Item> {
    let host = g.host().unwrap_or_default();
    let custom: Vec<&str> = g.custom_domains.iter().map(|c| c.domain.as_str()).collect();
    let record = GatewayRecord {
        host: &host,
        domain: &g.domain,
        id: &g.id,
        name: g.name.as_deref(),
        restrict: g.restrict,
        created_at: g.created_at.map(time),
        custom_domains: &custom,
    };
    Item::new(
        &record,
        host.clone(),
        vec![
            host.clone(),
            g.id.clone(),
            opt(&g.name),
            g.restrict.map(|r| r.to_string()).unwrap_or_default(),
            custom.join(", "),
        ],
    )
}

/// The account's gateways, as one answer of the API lists them (as the Go CLI asks: no paging),
/// with the settings they were listed with. A warning says so when the answer counts more than
/// it holds.
fn account_gateways(ctx: &Ctx) -> CliResult<(Settings, Vec<Gateway>)> {
    let (settings, client) = ctx.client()?;
    let page = client
        .list_gateways(&ListGateways::new())
        .map_err(from_api)?;
    if let Some(count) = page.count
        && count > page.rows.len() as u64
    {
        ctx.out.warn(format!(
            "the API listed {} of the account's {count} gateways",
            page.rows.len()
        ));
    }
    Ok((settings, page.rows))
}

/// The host of the gateway to use: the only one the account has, or the one chosen on the
/// terminal among several. Without a terminal, several are listed on stderr and none is chosen.
fn choose(ctx: &Ctx, gateways: &[Gateway]) -> CliResult<String> {
    let hosts: Vec<String> = gateways.iter().filter_map(Gateway::host).collect();
    match hosts.as_slice() {
        [] => Err(
            CliError::new(Kind::NotFound, "the account has no gateway to choose").hint(
                "create one at https://app.pinata.cloud/gateway, or give one: \
                 `pinata gateways set DOMAIN`",
            ),
        ),
        [only] => {
            ctx.out
                .message(format!("The account has one gateway: {only}"));
            Ok(only.clone())
        }
        several if std::io::stdin().is_terminal() => {
            let stdin = std::io::stdin();
            let mut input = stdin.lock().take(u64::MAX);
            pick(several, &mut input, &mut std::io::stderr())
        }
        several => {
            let mut err = std::io::stderr();
            // A failed write to stderr leaves nothing better to report it on.
            let _ = err.write_all(numbered(several).as_bytes());
            Err(CliError::usage(format!(
                "the account has {} gateways, and there is no terminal to choose one on",
                several.len()
            ))
            .hint(GIVE_ONE))
        }
    }
}

/// `hosts` as a numbered list, each line escaped.
fn numbered(hosts: &[String]) -> String {
    let mut text = String::from("The account's gateways:\n");
    for (i, host) in hosts.iter().enumerate() {
        text.push_str(&format!("  {}) {}\n", i + 1, shown(host)));
    }
    text
}

/// Offers `hosts` as a numbered list on `prompt` and reads the choice from `input`: a number
/// from the list, or one of the hosts as listed. An answer that is neither is asked again (at
/// most [`PROMPT_TRIES`] answers in all); an empty answer, or the end of the input, chooses
/// nothing.
fn pick<R: BufRead>(
    hosts: &[String],
    input: &mut std::io::Take<R>,
    prompt: &mut impl Write,
) -> CliResult<String> {
    let terminal = |e: std::io::Error| CliError::usage(format!("cannot use the terminal: {e}"));
    prompt
        .write_all(numbered(hosts).as_bytes())
        .map_err(terminal)?;
    for _ in 0..PROMPT_TRIES {
        write!(prompt, "Gateway to use [1-{}]: ", hosts.len()).map_err(terminal)?;
        prompt.flush().map_err(terminal)?;
        let mut line = String::new();
        input.set_limit(MAX_ANSWER);
        input.read_line(&mut line).map_err(terminal)?;
        let answer = line.trim();
        if answer.is_empty() {
            break;
        }
        let chosen = match answer.parse::<usize>() {
            Ok(n) => n.checked_sub(1).and_then(|i| hosts.get(i)),
            Err(_) => hosts.iter().find(|h| h.as_str() == answer),
        };
        if let Some(host) = chosen {
            return Ok(host.clone());
        }
        let echoed: String = answer.chars().take(40).collect();
        writeln!(
            prompt,
            "{} is not on the list: give a number from 1 to {}",
            shown(&echoed),
            hosts.len()
        )
        .map_err(terminal)?;
    }
    Err(CliError::usage("no gateway chosen").hint(GIVE_ONE))
}

/// A warning when the API is on this machine, as `pinata-emulator` is: the emulator lists its
/// gateway as the real service would (a `mypinata.cloud` host), but serves it at its own URL.
fn warn_if_emulator(ctx: &Ctx, settings: &Settings, host: &str) {
    let api = &settings.api_url.0;
    if settings.config.base_url().is_loopback() {
        ctx.out.warn(format!(
            "the API is on this machine ({api}): if it is pinata-emulator, its gateway is its own \
             URL, which {host} is not; to download through it: `pinata gateways set {api}`"
        ));
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::io::Read;

    use pinata_ureq::api::gateways::CustomDomain;

    use super::*;

    #[test]
    fn a_gateways_json_keeps_the_clis_shape() {
        let mut g = Gateway::new("gw-1", "example");
        g.restrict = Some(true);
        g.custom_domains.push(CustomDomain::new("ipfs.example.com"));
        assert_eq!(
            gateway_item(&g).unwrap().json,
            serde_json::json!({
                "host": "example.mypinata.cloud",
                "domain": "example",
                "id": "gw-1",
                "name": null,
                "restrict": true,
                "created_at": null,
                "custom_domains": ["ipfs.example.com"],
            })
        );
    }

    fn hosts() -> Vec<String> {
        vec![
            "first.mypinata.cloud".to_owned(),
            "second.mypinata.cloud".to_owned(),
            "evil\u{1b}[2J.mypinata.cloud".to_owned(),
        ]
    }

    /// What `pick` chooses with `typed` as the input, and what the prompt showed.
    fn picked(typed: &str) -> (CliResult<String>, String) {
        let mut input = typed.as_bytes().take(u64::MAX);
        let mut shown = Vec::new();
        let chosen = pick(&hosts(), &mut input, &mut shown);
        (chosen, String::from_utf8(shown).unwrap())
    }

    #[test]
    fn a_number_or_a_listed_host_chooses() {
        let (chosen, prompt) = picked("2\n");
        assert_eq!(chosen.unwrap(), "second.mypinata.cloud");
        assert!(prompt.contains("  1) first.mypinata.cloud\n"), "{prompt}");
        assert!(prompt.contains("  2) second.mypinata.cloud\n"), "{prompt}");
        assert!(prompt.ends_with("Gateway to use [1-3]: "), "{prompt}");
        // Server text is escaped before the terminal sees it.
        assert!(
            prompt.contains(r"3) evil\u{1b}[2J.mypinata.cloud"),
            "{prompt}"
        );
        assert!(!prompt.contains('\u{1b}'), "{prompt:?}");
        let (chosen, _) = picked("  first.mypinata.cloud \n");
        assert_eq!(chosen.unwrap(), "first.mypinata.cloud");
    }

    #[test]
    fn a_wrong_answer_is_asked_again_and_nothing_chooses_nothing() {
        let (chosen, prompt) = picked("0\n9\nthird\n1\n");
        let e = chosen.unwrap_err();
        assert_eq!(e.kind, Kind::Usage);
        assert_eq!(e.message, "no gateway chosen");
        assert_eq!(prompt.matches("Gateway to use").count(), PROMPT_TRIES);
        assert!(
            prompt.contains("9 is not on the list: give a number from 1 to 3"),
            "{prompt}"
        );
        let (chosen, prompt) = picked("4\n3\n");
        assert_eq!(chosen.unwrap(), hosts()[2]);
        assert_eq!(prompt.matches("Gateway to use").count(), 2);
        for nothing in ["", "\n", "   \n2\n"] {
            let (chosen, _) = picked(nothing);
            assert_eq!(
                chosen.unwrap_err().message,
                "no gateway chosen",
                "{nothing:?}"
            );
        }
        // A line without end is read no further than the limit.
        let endless = "9".repeat(10 * MAX_ANSWER as usize);
        let (chosen, prompt) = picked(&endless);
        assert!(chosen.is_err());
        assert!(prompt.len() < 1024, "{}", prompt.len());
    }
}

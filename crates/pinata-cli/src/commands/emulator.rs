//! `pinata emulator`: the emulator's own command line (`pinata_emulator::cli`), named
//! `pinata emulator`, and on a terminal a start-up message a person can act on instead of the JSON
//! line scripts parse.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::process::ExitCode;

use pinata_emulator::Emulator;
use pinata_emulator::cli::{Announce, Options};

/// The profile the printed commands store the admin key in.
const PROFILE: &str = "local";

/// Where the printed commands save a self-signed certificate for the client to trust.
const CA_FILE: &str = "pinata-emulator-ca.pem";

/// What `pinata emulator --help` adds about the terminal.
const HELP_NOTE: &str = "On a terminal, `pinata emulator` prints instead its URL, the admin key and the `pinata`\n\
     commands that store the admin JWT in a profile `local` and make it the default.";

/// Runs the emulator with its flags `args`: the JSON line when stdout is not a terminal (scripts,
/// `cargo xtask`, tests parse it), else [`announcement`].
pub fn run(args: Vec<String>) -> ExitCode {
    let announce = if std::io::stdout().is_terminal() {
        Announce::Text(Box::new(announcement))
    } else {
        Announce::Json
    };
    pinata_emulator::cli::run_with(
        args,
        Options {
            program: "pinata emulator",
            announce,
            help_note: HELP_NOTE,
        },
    )
}

/// The start-up message on a terminal: where the emulator listens, its admin key, and the
/// commands that point a profile at it, ready to paste (the JWT whole, on the line of its
/// command, so a copy of that line is all it takes).
pub fn announcement(emulator: &Emulator) -> String {
    let url = emulator.url();
    let reach = reachable(url);
    let admin = emulator.admin();
    let mut text = format!(
        "pinata emulator listening on {url} (admin key {})\n",
        admin.api_key
    );
    // Over HTTPS with a certificate made at start: the commands trust it through a file.
    let first = match emulator.certificate_pem() {
        Some(pem) => {
            text.push_str(&format!(
                "next: printf '%s\\n' {} > {CA_FILE}\n\
                 \x20     export PINATA_CA_CERT=\"$PWD/{CA_FILE}\"\n",
                quoted(pem.trim_end())
            ));
            "      "
        }
        None => "next: ",
    };
    text.push_str(&format!(
        "{first}printf '%s' {} | pinata --profile {PROFILE} auth --emulator {} --jwt-stdin\n\
         \x20     pinata config use {PROFILE}\n",
        quoted(&admin.jwt),
        shell_word(&reach),
    ));
    // The seed's keys, each in a profile of its own (`local-key1` …, in the seed's order).
    for (n, key) in emulator.seeded_keys().iter().enumerate() {
        text.push_str(&format!(
            "seeded key {}: printf '%s' {} | pinata --profile {PROFILE}-key{} auth --emulator \
             {} --jwt-stdin\n",
            key.api_key,
            quoted(&key.jwt),
            n + 1,
            shell_word(&reach),
        ));
    }
    text
}

/// The URL a client on this machine uses: the emulator's own, with an unspecified address
/// (`--listen 0.0.0.0:8080`, `[::]:8080`) replaced by loopback, which plain `http://` is
/// allowed to.
fn reachable(url: &str) -> String {
    let Some((scheme, addr)) = url
        .split_once("://")
        .and_then(|(scheme, a)| Some((scheme, a.parse::<SocketAddr>().ok()?)))
    else {
        return url.to_owned();
    };
    if !addr.ip().is_unspecified() {
        return url.to_owned();
    }
    let loopback = match addr {
        SocketAddr::V4(_) => SocketAddr::from(([127, 0, 0, 1], addr.port())),
        SocketAddr::V6(_) => SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, addr.port())),
    };
    format!("{scheme}://{loopback}")
}

/// `text` as one word of a POSIX shell, in single quotes.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// `text` as one word of a POSIX shell: as it is when it holds nothing a shell reads specially
/// (`http://127.0.0.1:8080`), else quoted (`[::1]` is a glob pattern, which zsh refuses when it
/// matches nothing).
fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:@%+=,".contains(c));
    if plain { text.to_owned() } else { quoted(text) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unspecified_addresses_become_loopback() {
        assert_eq!(reachable("http://0.0.0.0:8080"), "http://127.0.0.1:8080");
        assert_eq!(reachable("http://[::]:8080"), "http://[::1]:8080");
        assert_eq!(reachable("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(reachable("http://192.0.2.1:8080"), "http://192.0.2.1:8080");
        assert_eq!(reachable("https://0.0.0.0:8443"), "https://127.0.0.1:8443");
    }

    #[test]
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(shell_word("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(shell_word("http://[::1]:8080"), "'http://[::1]:8080'");
        assert_eq!(quoted("a'b"), r"'a'\''b'");
    }
}

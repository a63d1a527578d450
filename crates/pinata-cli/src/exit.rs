//! Errors as the user sees them: one line that says what happened and what to do, and an exit
//! code per kind of failure (documented in `pinata --help`).

use std::fmt;
use std::process::ExitCode;

use pinata_ureq::api::metadata::{self, Access, EndpointMetadata};
use pinata_ureq::http::StatusCode;
use pinata_ureq::{BuildError, Error, TransportErrorKind, VerifyError};

/// What kind of failure a command ended with; each is one exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The API refused the request for another reason (1).
    Api,
    /// Bad flags, arguments or settings (2).
    Usage,
    /// Missing, wrong or insufficient credentials (3).
    Auth,
    /// The thing named does not exist (4).
    NotFound,
    /// Connection, timeout, unavailability or rate limiting (5).
    Network,
    /// A local file problem (6).
    Local,
}

impl Kind {
    /// The process exit code of this kind.
    pub fn code(self) -> u8 {
        match self {
            Kind::Api => 1,
            Kind::Usage => 2,
            Kind::Auth => 3,
            Kind::NotFound => 4,
            Kind::Network => 5,
            Kind::Local => 6,
        }
    }
}

/// A failed command: its kind, the one-line message, and a hint for what to do.
#[derive(Debug)]
pub struct CliError {
    /// Which exit code.
    pub kind: Kind,
    /// What happened.
    pub message: String,
    /// What to do about it, if there is something to say.
    pub hint: Option<String>,
}

/// A command's result.
pub type CliResult<T = ()> = Result<T, CliError>;

impl CliError {
    /// A failure of `kind` with `message`.
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            hint: None,
        }
    }

    /// A usage error.
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Kind::Usage, message)
    }

    /// A local file problem.
    pub fn local(message: impl Into<String>) -> Self {
        Self::new(Kind::Local, message)
    }

    /// The same error with `hint`.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The same error with `hint` if it is a "not found" (what to check, where the command
    /// knows better than its scope says: a group's files, a pin job).
    pub fn when_not_found(self, hint: impl Into<String>) -> Self {
        if self.kind == Kind::NotFound {
            self.hint(hint)
        } else {
            self
        }
    }

    /// The exit code.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.kind.code())
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "; {hint}")?;
        }
        Ok(())
    }
}

/// What the call that failed needs, to say so when the key lacks it: read from the endpoint's
/// metadata in the library (`pinata_ureq::api::metadata`), which the error names; the CLI keeps
/// no table of its own.
#[derive(Debug, Clone, Copy)]
pub enum Needs {
    /// The endpoint called.
    Call(&'static EndpointMetadata),
    /// An error that names no endpoint (one refused before it was sent).
    Unknown,
}

impl Needs {
    /// What `e`'s request needed.
    pub fn of(e: &Error) -> Self {
        let target = match e {
            Error::Api(api) => api.target(),
            Error::Transport(t) => t.target(),
            _ => None,
        };
        target
            .and_then(|t| t.endpoint())
            .and_then(metadata::named)
            .map_or(Needs::Unknown, Needs::Call)
    }

    /// What to check when the thing named was not found (404), and the command that lists
    /// what there is: the endpoint says which kind of thing the command acts on.
    fn not_found_hint(self) -> &'static str {
        let Needs::Call(meta) = self else {
            return "check the id or CID (`pinata files list`)";
        };
        // By the entry's name (`family.operation`, the core's), never by a path.
        let name = meta.name;
        if name.starts_with("groups.") {
            "check the group id (`pinata groups list`)"
        } else if [
            &metadata::LIST_PINS,
            &metadata::UNPIN,
            &metadata::UPDATE_PIN_METADATA,
        ]
        .iter()
        .any(|m| std::ptr::eq(*m, meta))
        {
            "check the CID (`pinata pins legacy list`)"
        } else if name.starts_with("users.") || name.starts_with("keys.") {
            "check the key (`pinata keys list`)"
        } else if std::ptr::eq(meta, &metadata::LIST_GATEWAYS) {
            "the API at this URL has no gateway list (`pinata config show`)"
        } else {
            "check the id or CID (`pinata files list`)"
        }
    }
}

impl fmt::Display for Needs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Needs::Call(meta) => match meta.access {
                Access::AdminOr(scope) => write!(f, "{}, or admin", scope.as_str()),
                Access::Endpoint(permission) => permission.fmt(f),
                Access::Admin => f.write_str("admin"),
                _ => f.write_str("valid credentials"),
            },
            Needs::Unknown => f.write_str("the permission this command needs"),
        }
    }
}

/// The library's error as the user sees it; a 403 says what the key lacks, from the metadata of
/// the endpoint called ([`Needs::of`]). The library's `Display` already escapes server text and
/// redacts the client's secrets.
pub fn from_api(e: Error) -> CliError {
    let needs = Needs::of(&e);
    let text = e.to_string();
    match &e {
        Error::Build(b) => match b {
            BuildError::Credentials(_) | BuildError::ExpiredJwt { .. } => {
                CliError::new(Kind::Auth, text).hint(
                    "run `pinata auth` or set PINATA_JWT (or PINATA_API_KEY and PINATA_API_SECRET)",
                )
            }
            _ => CliError::usage(text),
        },
        Error::Transport(t) => match t.kind() {
            TransportErrorKind::BodyTooLarge => {
                CliError::new(Kind::Api, text).hint("raise the cap with --max-size")
            }
            TransportErrorKind::NotLoopback => CliError::usage(text)
                .hint("plain http:// is only allowed to a loopback address (an emulator)"),
            TransportErrorKind::Timeout => CliError::new(Kind::Network, text)
                .hint("the network or the service is slow; try again (or raise --timeout)"),
            TransportErrorKind::Proxy => CliError::new(Kind::Network, text).hint(
                "check the proxy (`pinata config show` says which and from where), or pass \
                 --no-proxy",
            ),
            TransportErrorKind::Tls => CliError::new(Kind::Network, text).hint(
                "if a proxy or the server uses a private root certificate, trust it with \
                 --ca-cert FILE (or PINATA_CA_CERT)",
            ),
            _ => CliError::new(Kind::Network, text)
                .hint("check the network and the API URL (`pinata config show`)"),
        },
        Error::Api(api) => {
            let status = api.status();
            if status == StatusCode::UNAUTHORIZED {
                CliError::new(Kind::Auth, text)
                    .hint("the credentials were refused: run `pinata auth` to store working ones")
            } else if status == StatusCode::FORBIDDEN {
                let hint = match api.reason() {
                    Some(pinata_ureq::api::reason::NO_SCOPES_FOUND) => format!(
                        "this key lacks the scope this command needs ({}): create a key that has it \
                         with `pinata keys create`",
                        needs
                    ),
                    Some(pinata_ureq::api::reason::API_KEY_REVOKED) => {
                        "this key was revoked: run `pinata auth` with another".into()
                    }
                    Some(pinata_ureq::api::reason::API_KEY_MAX_USES_REACHED) => {
                        "this key has used up its uses: run `pinata auth` with another".into()
                    }
                    _ => format!("this command needs {}", needs),
                };
                CliError::new(Kind::Auth, text).hint(hint)
            } else if status == StatusCode::NOT_FOUND {
                CliError::new(Kind::NotFound, text).hint(needs.not_found_hint())
            } else if status == StatusCode::TOO_MANY_REQUESTS {
                CliError::new(Kind::Network, text).hint("rate limited: wait a moment and try again")
            } else if status.is_server_error() {
                CliError::new(Kind::Network, text)
                    .hint("the service failed or is unavailable; try again later")
            } else {
                CliError::new(Kind::Api, text)
            }
        }
        Error::Local(_) => CliError::local(text),
        Error::Verify(VerifyError::Directory { cid, path }) => {
            let path = if path.is_empty() {
                "PATH".to_owned()
            } else {
                format!("{path}/PATH")
            };
            CliError::new(Kind::Usage, text).hint(format!(
                "download a file inside it: `pinata download {} {}`",
                crate::output::shown(cid),
                crate::output::shown(&path)
            ))
        }
        Error::Verify(VerifyError::ContentMismatch { .. } | VerifyError::Truncated { .. }) => {
            CliError::new(Kind::Api, text).hint(
                "the gateway served other bytes than the CID names; try again or another gateway",
            )
        }
        Error::Verify(_) => CliError::new(Kind::Api, text)
            .hint("the server holds other bytes than were sent; upload again"),
        Error::Decode(_) | Error::Redirect(_) => CliError::new(Kind::Api, text),
        #[allow(unreachable_patterns)]
        _ => CliError::new(Kind::Api, text),
    }
}

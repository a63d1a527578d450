//! The one error type of the library, and its parts.
//!
//! [`Error`] tells these situations apart, because a caller acts differently on each:
//! - [`Error::Build`]: the request was never sent (bad input, refused configuration);
//! - [`Error::Transport`]: no complete response arrived; [`TransportError::may_have_been_sent`] says
//!   whether the server may still have acted on it;
//! - [`Error::Api`]: the API answered with an error status;
//! - [`Error::Decode`]: the API answered success, but the body is not what the endpoint returns;
//! - [`Error::Redirect`]: the server answered with a redirect, which is never followed (credentials
//!   must not reach another origin);
//! - [`Error::Local`]: a local file to upload could not be read, or changed while it was sent;
//! - [`Error::Verify`]: the API answered success, but not with what was sent (an upload's CID).
//!
//! This file is the taxonomy: [`Error`] and the type of each of its kinds, with their text. The
//! parts they are made of are in `error/`: `body.rs` ([`ApiErrorBody`], decoded from any shape
//! Pinata answers in), `rate_limit.rs` ([`RateLimit`] and [`RetryAfter`]), `http_date.rs` (the
//! date a `Retry-After` may be), `cause.rs` ([`TransportCause`], [`find_cause`]), `target.rs`
//! ([`RequestTarget`]), `redact.rs` (the client's secrets removed from an error) and `shown.rs`
//! (the server's text, escaped and capped, as every `Display` here shows it).

use std::fmt;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};

use crate::config::ConfigError;
use crate::credentials::CredentialsError;

mod body;
mod cause;
mod http_date;
mod rate_limit;
mod redact;
pub(crate) mod shown;
mod target;

pub use body::ApiErrorBody;
use body::{MAX_KEPT_BODY, lossy_prefix};
pub use cause::{TransportCause, find_cause};
pub use rate_limit::{RateLimit, RetryAfter};
use shown::Shown;
pub use target::RequestTarget;

/// A boxed error from a transport or another library.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Any failure of a Pinata API call.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The request could not be built, so nothing was sent.
    Build(BuildError),
    /// The transport failed before a complete response arrived.
    Transport(TransportError),
    /// The API answered with a status outside 2xx and 3xx. (Boxed to keep `Result`s small.)
    Api(Box<ApiError>),
    /// The API answered 2xx, but the body did not decode. (Boxed to keep `Result`s small.)
    Decode(Box<DecodeError>),
    /// The API answered with a redirect, which the client does not follow.
    Redirect(RedirectError),
    /// A local file could not be read or changed while it was sent; the request was not completed.
    Local(crate::local::LocalError),
    /// The API answered success, but what it reports does not match what was sent (an upload's CID).
    Verify(VerifyError),
}

impl Error {
    /// The API error, if the server answered with one.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e.as_ref()),
            _ => None,
        }
    }

    /// How many times the request was sent before this error was returned (0: never sent).
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Build(_) => 0,
            Error::Transport(e) => e.attempts,
            Error::Api(e) => e.attempts,
            Error::Decode(e) => e.attempts,
            Error::Redirect(e) => e.attempts,
            Error::Local(_) | Error::Verify(_) => 1,
        }
    }

    /// The same error, marked with the number of attempts made.
    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        match &mut self {
            Error::Transport(e) => e.attempts = attempts,
            Error::Api(e) => e.attempts = attempts,
            Error::Decode(e) => e.attempts = attempts,
            Error::Redirect(e) => e.attempts = attempts,
            Error::Build(_) | Error::Local(_) | Error::Verify(_) => {}
        }
        self
    }

    /// The HTTP status of the answer, if one arrived: the error status of [`Error::Api`], the 3xx of
    /// [`Error::Redirect`], or the 2xx whose body did not decode ([`Error::Decode`]).
    ///
    /// ```
    /// # fn check(e: &pinata_core::Error) -> bool {
    /// e.status() == Some(http::StatusCode::NOT_FOUND)
    /// # }
    /// ```
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status()),
            Error::Decode(e) => Some(e.status()),
            Error::Redirect(e) => Some(e.status()),
            Error::Build(_) | Error::Transport(_) | Error::Local(_) | Error::Verify(_) => None,
        }
    }

    /// The API's machine-readable reason (`INVALID_CREDENTIALS`, `API_KEY_REVOKED`, …), when the
    /// API answered with one.
    pub fn reason(&self) -> Option<&str> {
        self.as_api().and_then(ApiError::reason)
    }

    /// The API's human-readable `details` beside its [`reason`](Error::reason), when the API
    /// answered with them (`Invalid/expired credentials`). The server's text, unescaped (redacted
    /// of the client's secrets in errors a client returned): escape it before a terminal shows it
    /// ([`crate::escape_untrusted`]).
    pub fn details(&self) -> Option<&str> {
        self.as_api().and_then(ApiError::details)
    }

    /// Whether the failure is temporary, so the same call may succeed later: a failure before
    /// anything was sent (except a refused address, [`TransportErrorKind::NotLoopback`]), a timeout
    /// or broken connection, `429 Too Many Requests`, or `502`, `503`, `504`. Whether repeating is
    /// *safe* is another question ([`Error::may_have_been_sent`]); the client's retry policy asks
    /// both.
    pub fn is_transient(&self) -> bool {
        match self {
            // A refusal of the address is the policy's answer, not a passing failure.
            Error::Transport(e) if e.kind() == TransportErrorKind::NotLoopback => false,
            // A proxy's refusal names the client (407, 403) or comes from a setting: it comes again.
            Error::Transport(e) if e.kind() == TransportErrorKind::Proxy => e
                .proxy_failure()
                .is_some_and(crate::ProxyFailure::is_transient),
            Error::Transport(e) => {
                !e.may_have_been_sent()
                    || matches!(
                        e.kind(),
                        TransportErrorKind::Timeout
                            | TransportErrorKind::Io
                            | TransportErrorKind::Protocol
                    )
            }
            Error::Api(e) => matches!(
                e.status(),
                StatusCode::TOO_MANY_REQUESTS
                    | StatusCode::BAD_GATEWAY
                    | StatusCode::SERVICE_UNAVAILABLE
                    | StatusCode::GATEWAY_TIMEOUT
            ),
            Error::Build(_)
            | Error::Decode(_)
            | Error::Redirect(_)
            | Error::Local(_)
            | Error::Verify(_) => false,
        }
    }

    /// Whether the request may have reached the server (and been acted on). `false` means it certainly
    /// did not, so repeating it cannot duplicate anything.
    pub fn may_have_been_sent(&self) -> bool {
        match self {
            Error::Build(_) => false,
            Error::Transport(e) => e.may_have_been_sent(),
            // An aborted upload sends a partial body, which no server accepts.
            Error::Local(_) => false,
            Error::Api(_) | Error::Decode(_) | Error::Redirect(_) | Error::Verify(_) => true,
        }
    }
}

/// `Error` is transparent: it shows its variant's text and continues with that variant's cause, so
/// a chain printer (`anyhow`'s `{:#}`, say) prints each part once.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Build(e) => e.fmt(f),
            Error::Transport(e) => e.fmt(f),
            Error::Api(e) => e.fmt(f),
            Error::Decode(e) => e.fmt(f),
            Error::Redirect(e) => e.fmt(f),
            Error::Local(e) => e.fmt(f),
            Error::Verify(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Build(e) => e.source(),
            Error::Transport(e) => e.source(),
            Error::Api(e) => e.source(),
            Error::Decode(e) => e.source(),
            Error::Redirect(e) => e.source(),
            Error::Local(e) => e.source(),
            Error::Verify(e) => e.source(),
        }
    }
}

impl From<BuildError> for Error {
    fn from(e: BuildError) -> Self {
        Error::Build(e)
    }
}

impl From<CredentialsError> for Error {
    fn from(e: CredentialsError) -> Self {
        Error::Build(BuildError::Credentials(e))
    }
}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        Error::Build(BuildError::Config(e))
    }
}

impl From<TransportError> for Error {
    fn from(e: TransportError) -> Self {
        Error::Transport(e)
    }
}

/// Why a request was not built (and so not sent).
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// The credentials are not valid.
    Credentials(CredentialsError),
    /// The configuration is not valid.
    Config(ConfigError),
    /// The base URL is plain `http://` to a host that is not loopback; credentials would travel in
    /// clear text. Use https, or opt in with [`crate::Config::allow_insecure_http`].
    InsecureHttp {
        /// The host that was refused.
        host: String,
    },
    /// The JWT's `exp` claim (read without verifying) has passed.
    ExpiredJwt {
        /// `exp`, in seconds since the Unix epoch.
        expired_at: u64,
    },
    /// A key-creation request is invalid (empty name, nothing granted, zero max uses…).
    InvalidKey(crate::api::keys::KeySpecError),
    /// An input to the endpoint is invalid.
    InvalidInput(String),
    /// A folder upload to a network other than public without a signed URL: Pinata documents
    /// folder uploads for public IPFS only ("Folder uploads are currently only supported on
    /// Public IPFS").
    PrivateFolder,
    /// The request body could not be serialised.
    Serialize(serde_json::Error),
    /// The method, URI or a header could not be assembled.
    Http(http::Error),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Credentials(_) => f.write_str("request not sent: invalid credentials"),
            BuildError::Config(_) => f.write_str("request not sent: invalid configuration"),
            BuildError::InsecureHttp { host } => write!(
                f,
                "request not sent: refusing to send credentials over plain http to {host}, which is not loopback; use https or allow_insecure_http"
            ),
            BuildError::ExpiredJwt { expired_at } => write!(
                f,
                "request not sent: the JWT expired at {expired_at} (Unix seconds); create a new API key"
            ),
            BuildError::InvalidKey(_) => f.write_str("request not sent: invalid key request"),
            BuildError::InvalidInput(what) => write!(f, "request not sent: invalid input: {what}"),
            BuildError::PrivateFolder => f.write_str(
                "request not sent: folder uploads are for public IPFS only (Pinata's documented \
                 limit: \"Folder uploads are currently only supported on Public IPFS\"); upload it \
                 to the public network, the files one by one, or to a signed URL",
            ),
            BuildError::Serialize(_) => {
                f.write_str("request not sent: could not serialise the request body")
            }
            BuildError::Http(_) => f.write_str("request not sent: could not assemble the request"),
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BuildError::Credentials(e) => Some(e),
            BuildError::Config(e) => Some(e),
            BuildError::InvalidKey(e) => Some(e),
            BuildError::Serialize(e) => Some(e),
            BuildError::Http(e) => Some(e),
            _ => None,
        }
    }
}

/// What kind of transport failure happened.
///
/// The kind says what went wrong; whether the server may have seen the request is a separate fact
/// that the transport reports ([`TransportError::may_have_been_sent`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection could be made: the host name did not resolve, the connection was refused or
    /// the host unreachable, or connecting (TLS handshake included) outlasted the connect timeout.
    Connect,
    /// The TLS handshake failed (a bad certificate, or a server that does not speak TLS).
    Tls,
    /// The whole-request timeout fired.
    Timeout,
    /// Reading or writing the connection failed for another reason.
    Io,
    /// The response body was larger than [`crate::TransportOptions::max_response_body`].
    BodyTooLarge,
    /// Plain http was refused before connecting: the host resolved to an address that is not
    /// loopback, and the request was allowed only to loopback (see
    /// [`crate::Config::allow_insecure_http`]). The source is a
    /// [`crate::transport::NotLoopback`]. Always [`TransportError::not_sent`], and never retried.
    NotLoopback,
    /// The server broke the HTTP protocol: a malformed response, or the connection closed or reset
    /// before the response was complete.
    Protocol,
    /// The proxy failed: it could not be reached, refused the tunnel (a `407` wants other
    /// credentials) or did not answer; the source is a [`crate::ProxyFailure`] saying which and
    /// naming the proxy. Or, when the transport was built, the proxy setting was refused: the
    /// source is a [`crate::ProxyError`]. Always [`TransportError::not_sent`].
    Proxy,
    /// Anything else.
    Other,
}

impl TransportErrorKind {
    /// The kind of a failed socket operation, by its [`std::io::ErrorKind`]: the one mapping both
    /// transports use, so the same failure is the same kind whichever library met it.
    pub fn of_io(kind: std::io::ErrorKind) -> Self {
        use std::io::ErrorKind as Io;
        match kind {
            Io::ConnectionRefused
            | Io::AddrNotAvailable
            | Io::NetworkUnreachable
            | Io::HostUnreachable => TransportErrorKind::Connect,
            Io::TimedOut => TransportErrorKind::Timeout,
            Io::UnexpectedEof | Io::ConnectionReset | Io::ConnectionAborted | Io::BrokenPipe => {
                TransportErrorKind::Protocol
            }
            _ => TransportErrorKind::Io,
        }
    }
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportErrorKind::Connect => "could not connect",
            TransportErrorKind::Tls => "TLS handshake failed",
            TransportErrorKind::Timeout => "timed out",
            TransportErrorKind::Io => "I/O error",
            TransportErrorKind::BodyTooLarge => "response body too large",
            TransportErrorKind::NotLoopback => {
                "refused to connect: plain http only goes to loopback addresses"
            }
            TransportErrorKind::Protocol => "HTTP protocol error",
            TransportErrorKind::Proxy => "the proxy failed",
            TransportErrorKind::Other => "transport error",
        })
    }
}

/// A transport failure: what kind, whether the request may have been sent, why in words, where
/// the request went, and the underlying error (as [`std::error::Error::source`]).
///
/// The transport says which side of sending the failure is on, because only it knows: a failure
/// while resolving, connecting or in the TLS handshake is [`TransportError::not_sent`]; anything
/// later (writing the request, waiting for or reading the answer) is
/// [`TransportError::maybe_sent`]. Retries of unsafe requests depend on it.
///
/// `Display` names the target (once a client attached it, [`TransportError::target`]), the cause
/// in words ([`TransportError::why`]), what to change when no connection could be made, and
/// whether anything was sent: `could not connect to uploads.pinata.cloud:443 (the uploads origin;
/// set PINATA_UPLOADS_URL, or PINATA_EMULATOR_URL for every origin): the host name did not
/// resolve; nothing was sent (after 3 attempts)`. The transport library's own error follows as
/// the source, for `{:#}`.
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    may_have_been_sent: bool,
    source: Option<BoxError>,
    attempts: u32,
    why: Option<TransportCause>,
    /// Boxed to keep `Result`s small.
    target: Option<Box<RequestTarget>>,
}

impl TransportError {
    /// A failure before any byte of the request was written (resolving, connecting, TLS
    /// handshake): the server cannot have acted on it, so repeating it duplicates nothing.
    pub fn not_sent(kind: TransportErrorKind, source: impl Into<BoxError>) -> Self {
        Self::new(kind, false, source.into())
    }

    /// A failure once the request may have left: the server may have received and acted on it.
    pub fn maybe_sent(kind: TransportErrorKind, source: impl Into<BoxError>) -> Self {
        Self::new(kind, true, source.into())
    }

    fn new(kind: TransportErrorKind, may_have_been_sent: bool, source: BoxError) -> Self {
        Self {
            kind,
            may_have_been_sent,
            source: Some(source),
            attempts: 1,
            why: None,
            target: None,
        }
    }

    /// The same error with its cause ([`TransportCause::NameNotResolved`], shown as `the host
    /// name did not resolve`), for a transport that knows more than the socket error says; or
    /// `None`, no cause given. Without one, [`TransportError::why`] reads the `std::io::Error`
    /// among the causes.
    ///
    /// The cause is a value, never text, so each cause reads the same through every transport:
    ///
    /// ```
    /// use pinata_core::transport::TransportCause;
    /// use pinata_core::{TransportError, TransportErrorKind};
    ///
    /// let e = TransportError::not_sent(TransportErrorKind::Connect, "lookup failed")
    ///     .because(TransportCause::NameNotResolved);
    /// assert_eq!(e.why(), Some(TransportCause::NameNotResolved));
    /// assert_eq!(e.to_string(), "could not connect: the host name did not resolve; nothing was sent");
    /// ```
    ///
    /// ```compile_fail,E0277
    /// use pinata_core::{TransportError, TransportErrorKind};
    ///
    /// // Words written out by a transport are refused: they could drift from the core's.
    /// let e = TransportError::not_sent(TransportErrorKind::Connect, "lookup failed")
    ///     .because("the host name did not resolve");
    /// ```
    pub fn because(mut self, cause: impl Into<Option<TransportCause>>) -> Self {
        self.why = cause.into();
        self
    }

    /// The same error naming where the request went. The clients attach it to every transport
    /// error they return; call it when you drive requests by hand.
    pub fn with_target(mut self, target: RequestTarget) -> Self {
        self.target = Some(Box::new(target));
        self
    }

    /// The proxy's failure, for an error of kind [`TransportErrorKind::Proxy`] that a transport
    /// met while tunnelling (not a refused proxy setting).
    pub fn proxy_failure(&self) -> Option<&crate::ProxyFailure> {
        find_cause::<crate::ProxyFailure>(self.source.as_deref()?)
    }

    /// The refused proxy setting, for an error of kind [`TransportErrorKind::Proxy`] returned
    /// when the transport was built.
    pub fn proxy_setting_error(&self) -> Option<&crate::ProxyError> {
        find_cause::<crate::ProxyError>(self.source.as_deref()?)
    }

    /// A root certificate the transport's TLS library refused when it was built.
    fn refused_root(&self) -> Option<&crate::RootCertificatesError> {
        find_cause::<crate::RootCertificatesError>(self.source.as_deref()?)
    }

    /// How many times the request was sent (the last failed like this).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The kind of failure.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// Whether the server may have received (and acted on) the request, as the transport reported.
    pub fn may_have_been_sent(&self) -> bool {
        self.may_have_been_sent
    }

    /// Where the request went, when a client attached it.
    pub fn target(&self) -> Option<&RequestTarget> {
        self.target.as_deref()
    }

    /// The cause, the same whichever transport met it: what the transport said
    /// ([`TransportError::because`]), else what the socket error among the causes means
    /// ([`TransportCause::of_io`]: [`TransportCause::ConnectionRefused`],
    /// [`TransportCause::ClosedEarly`], …). Its `Display` is the cause in words.
    pub fn why(&self) -> Option<TransportCause> {
        if let Some(why) = self.why {
            return Some(why);
        }
        let source = self.source.as_deref()?;
        find_cause::<std::io::Error>(source).and_then(|io| TransportCause::of_io(io.kind()))
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use TransportErrorKind as K;
        // This layer's part: what failed where, and why in words. The transport library's error is
        // `source()`, which `{:#}` renderers print after it.
        // A timeout says so already.
        let why = self
            .why()
            .filter(|w| !(self.kind == K::Timeout && *w == TransportCause::TimedOut));
        match (self.target.as_deref(), self.kind) {
            (t, K::Proxy)
                if self.proxy_failure().is_some() || self.proxy_setting_error().is_some() =>
            {
                if let Some(failure) = self.proxy_failure() {
                    let to = t.map(|t| format!("{} ({})", t.authority(), t.origin_name()));
                    failure.describe(f, to.as_deref())?;
                } else if let Some(setting) = self.proxy_setting_error() {
                    write!(f, "{setting}")?;
                }
            }
            (_, K::Tls) if self.refused_root().is_some() => {
                if let Some(root) = self.refused_root() {
                    write!(f, "{root}")?;
                }
            }
            (None, kind) => write!(f, "{kind}")?,
            (Some(t), K::Connect) => {
                write!(f, "could not connect to {}", t.authority())?;
                t.write_origin_hint(f)?;
            }
            (Some(t), K::Tls) => write!(
                f,
                "TLS handshake with {} ({}) failed",
                t.authority(),
                t.origin_name()
            )?,
            (Some(t), K::NotLoopback) => write!(
                f,
                "refused to connect to {} ({}): plain http only goes to loopback addresses",
                t.authority(),
                t.origin_name()
            )?,
            (Some(t), K::Timeout) => write!(f, "{} {t} timed out", t.method())?,
            (Some(t), K::BodyTooLarge) => {
                write!(f, "{} {t}: the response body is too large", t.method())?
            }
            (Some(t), kind @ (K::Io | K::Protocol | K::Proxy | K::Other)) => {
                write!(f, "{} {t} failed", t.method())?;
                // The kind's name stands in for a cause no one put in words.
                if why.is_none() {
                    write!(f, ": {kind}")?;
                }
            }
        }
        if let Some(why) = why {
            write!(f, ": {why}")?;
        }
        if !self.may_have_been_sent {
            f.write_str("; nothing was sent")?;
        }
        after_attempts(f, self.attempts)
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e.as_ref() as &(dyn std::error::Error + 'static))
    }
}

// Beside the error it makes, so the roots need nothing of the errors.
impl crate::RootCertificatesError {
    /// The transport error when the operating system has no usable root certificate, with the
    /// first of the loader's `errors` (a transport's `native-roots` build): kind
    /// [`crate::TransportErrorKind::Tls`], nothing sent.
    pub fn no_system_roots<E: fmt::Display>(errors: impl IntoIterator<Item = E>) -> TransportError {
        let reason = errors
            .into_iter()
            .next()
            .map_or_else(|| "none found".to_owned(), |e| e.to_string());
        TransportError::not_sent(
            TransportErrorKind::Tls,
            crate::RootCertificatesError::NoSystemRoots { reason },
        )
    }

    /// The transport error for a root the TLS library refused (`index` from 1), when a transport
    /// is built: [`crate::TransportErrorKind::Tls`], nothing sent.
    pub fn unusable(index: usize, reason: impl fmt::Display) -> TransportError {
        TransportError::not_sent(
            TransportErrorKind::Tls,
            crate::RootCertificatesError::Unusable {
                index,
                reason: reason.to_string(),
            },
        )
    }
}

/// An error answer from the API: status, decoded body, raw text and the headers that matter.
///
/// Everything here that came from the server is the server's text: `Display` shows it with control
/// and invisible characters escaped and each piece capped at 500 characters, while the accessors
/// return it as data (unescaped: escape it yourself before writing it to a terminal). Errors the
/// clients return have the client's own secrets removed from it ([`Error::redact_secrets`]).
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    body: ApiErrorBody,
    raw: String,
    /// Whether `raw` (and a text body) is the start of a longer body.
    cut: bool,
    retry_after: Option<RetryAfter>,
    rate_limit: RateLimit,
    request_id: Option<String>,
    attempts: u32,
    /// Where the request went (method, origin, path; never the query), once a client set it.
    target: Option<Box<RequestTarget>>,
}

impl ApiError {
    /// The same error naming the request it answers (the clients set it on every API error they
    /// return): `Display` then says `… from GET https://api.pinata.cloud/v3/files/private/…`.
    pub fn with_target(mut self, target: RequestTarget) -> Self {
        self.target = Some(Box::new(target));
        self
    }

    /// The request this answers, when a client named it.
    pub fn target(&self) -> Option<&RequestTarget> {
        self.target.as_deref()
    }

    /// Builds the error from a response's parts.
    pub fn from_response(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Self {
        Self {
            status,
            body: ApiErrorBody::parse(body),
            raw: lossy_prefix(body),
            cut: body.len() > MAX_KEPT_BODY,
            retry_after: headers
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(RetryAfter::parse),
            rate_limit: RateLimit::from_headers(headers),
            request_id: headers
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            attempts: 1,
            target: None,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The decoded body.
    pub fn body(&self) -> &ApiErrorBody {
        &self.body
    }

    /// The machine-readable reason (`INVALID_CREDENTIALS`, `API_KEY_REVOKED`, …) when the body has one.
    pub fn reason(&self) -> Option<&str> {
        match &self.body {
            ApiErrorBody::Reason { reason, .. } => Some(reason),
            _ => None,
        }
    }

    /// The `details` of a reason-shaped body.
    pub fn details(&self) -> Option<&str> {
        match &self.body {
            ApiErrorBody::Reason { details, .. } => details.as_deref(),
            _ => None,
        }
    }

    /// The best human-readable text: details, message, or the body text.
    pub fn message(&self) -> &str {
        match &self.body {
            ApiErrorBody::Reason { reason, details } => details.as_deref().unwrap_or(reason),
            ApiErrorBody::Message(m) => m,
            ApiErrorBody::Coded { message, .. } => message,
            ApiErrorBody::Text(t) => t,
        }
    }

    /// The body as text (lossy UTF-8, at most 64 KiB), unescaped. In an error a client returned,
    /// the client's secrets are redacted from it ([`Error::redact_secrets`]).
    pub fn raw_body(&self) -> &str {
        &self.raw
    }

    /// `Retry-After`, in seconds or as a date.
    pub fn retry_after(&self) -> Option<RetryAfter> {
        self.retry_after
    }

    /// The rate-limit headers.
    pub fn rate_limit(&self) -> RateLimit {
        self.rate_limit
    }

    /// `X-Request-Id`, to quote to Pinata support.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// How many times the request was sent (the last got this answer).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Whether the API refused the credentials or their permissions (401 or 403).
    pub fn is_auth_error(&self) -> bool {
        self.status == StatusCode::UNAUTHORIZED || self.status == StatusCode::FORBIDDEN
    }
}

/// The server's text is shown escaped and capped (see [`ApiError`]).
impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pinata API error {}", self.status)?;
        if let Some(target) = &self.target {
            write!(f, " from {} {target}", target.method())?;
        }
        match &self.body {
            ApiErrorBody::Reason { reason, details } => {
                write!(f, ": {}", Shown(reason))?;
                if let Some(d) = details {
                    write!(f, " ({})", Shown(d))?;
                }
                Ok(())
            }
            ApiErrorBody::Text(t) if t.is_empty() => Ok(()),
            _ => write!(f, ": {}", Shown(self.message())),
        }?;
        after_attempts(f, self.attempts)
    }
}

impl std::error::Error for ApiError {}

/// A success response whose body is not what the endpoint returns.
///
/// The path and message can quote the body (a map key, an unknown variant): `Display` shows them
/// escaped and capped, as [`ApiError`] does; in errors the clients return, the client's secrets are
/// redacted from them and from the raw body.
#[derive(Debug, Clone)]
pub struct DecodeError {
    status: StatusCode,
    path: String,
    message: String,
    raw: String,
    /// Whether `raw` is the start of a longer body.
    cut: bool,
    attempts: u32,
}

impl DecodeError {
    /// A decode failure at JSON `path` (empty for the whole body).
    pub fn new(
        status: StatusCode,
        path: impl Into<String>,
        message: impl Into<String>,
        body: &[u8],
    ) -> Self {
        Self {
            status,
            path: path.into(),
            message: message.into(),
            raw: lossy_prefix(body),
            cut: body.len() > MAX_KEPT_BODY,
            attempts: 1,
        }
    }

    /// Decodes `body` as JSON into `T`, recording the path where decoding failed.
    pub fn decode_json<T: serde::de::DeserializeOwned>(
        status: StatusCode,
        body: &Bytes,
    ) -> Result<T, DecodeError> {
        // The fast path decodes plainly; only a failure is decoded again to find where it failed.
        serde_json::from_slice(body).map_err(|_| {
            let mut de = serde_json::Deserializer::from_slice(body);
            match serde_path_to_error::deserialize::<_, T>(&mut de) {
                Err(e) => {
                    let path = e.path().to_string();
                    DecodeError::new(status, path, e.into_inner().to_string(), body)
                }
                Ok(_) => DecodeError::new(status, ".", "the body did not decode", body),
            }
        })
    }

    /// The HTTP status of the response.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Where in the JSON decoding failed (`.` for the top level), e.g. `rows[3].size`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What was wrong there.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The body as text (lossy UTF-8, at most 64 KiB), unescaped; redacted of the client's secrets
    /// in errors a client returned.
    pub fn raw_body(&self) -> &str {
        &self.raw
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unexpected response body ({}) at `{}`: {}",
            self.status,
            Shown(&self.path),
            Shown(&self.message)
        )
    }
}

impl std::error::Error for DecodeError {}

/// A redirect answer. It is not followed: the client only ever talks to its configured origin.
#[derive(Debug, Clone)]
pub struct RedirectError {
    status: StatusCode,
    location: Option<String>,
    attempts: u32,
}

impl RedirectError {
    /// A redirect with `status` to `location`.
    pub fn new(status: StatusCode, location: Option<String>) -> Self {
        Self {
            status,
            location,
            attempts: 1,
        }
    }

    /// The 3xx status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The `Location` header, if any: the server's text, unescaped (redacted of the client's
    /// secrets in errors a client returned). `Display` shows it escaped and capped.
    pub fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }
}

impl fmt::Display for RedirectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the server answered {} (redirect to {}); redirects are not followed, so credentials only reach the configured origin",
            self.status,
            Shown(self.location.as_deref().unwrap_or("nowhere"))
        )
    }
}

impl std::error::Error for RedirectError {}

/// An answer that is not what was sent or asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// The server's CID is not the CID of the bytes sent.
    CidMismatch {
        /// The CID computed locally while the upload streamed.
        expected: crate::cid::Cid,
        /// What the server answered (`IpfsHash`).
        received: String,
    },
    /// The local CID could not be computed (see the cause); the server's answer is unchecked.
    Unavailable(crate::cid::CidError),
    /// The download names a folder, not a file: the gateway redirected to its listing (or served
    /// one). Nothing is corrupt; a file inside it is downloaded by its path (`<cid>/<path>/<name>`).
    Directory {
        /// The CID asked for.
        cid: String,
        /// The path inside it that is a folder (empty: the CID itself), as the URL gave it.
        path: String,
    },
    /// A download's bytes do not have the CID they were asked for.
    ContentMismatch {
        /// The CID the download was asked to check.
        expected: Box<crate::cid::Cid>,
        /// The CID of the bytes received.
        received: Box<crate::cid::Cid>,
    },
    /// A download's body ended before the length its `Content-Length` announced.
    Truncated {
        /// Bytes announced.
        expected: u64,
        /// Bytes received.
        received: u64,
    },
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::CidMismatch { expected, received } => write!(
                f,
                "the server reports CID {}, but the bytes sent have CID {expected}",
                Shown(received)
            ),
            VerifyError::Unavailable(_) => f.write_str("could not verify the upload's CID"),
            VerifyError::ContentMismatch { expected, received } => write!(
                f,
                "the bytes received have CID {received}, not the CID asked for, {expected}"
            ),
            VerifyError::Truncated { expected, received } => write!(
                f,
                "the download ended after {received} of the {expected} bytes announced"
            ),
            VerifyError::Directory { cid, path } => {
                let cid = Shown(cid);
                let inside = path.trim_matches('/');
                let folder = if inside.is_empty() {
                    format!("{cid}")
                } else {
                    format!("{cid}/{}", Shown(inside))
                };
                write!(
                    f,
                    "{folder} is a folder, not a file: the gateway lists it rather than serving \
                     bytes (nothing is corrupt); download a file inside it by its path, \
                     {folder}/<name>"
                )
            }
        }
    }
}

impl std::error::Error for VerifyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            VerifyError::Unavailable(e) => Some(e),
            VerifyError::CidMismatch { .. }
            | VerifyError::ContentMismatch { .. }
            | VerifyError::Truncated { .. }
            | VerifyError::Directory { .. } => None,
        }
    }
}

impl From<crate::local::LocalError> for Error {
    fn from(e: crate::local::LocalError) -> Self {
        Error::Local(e)
    }
}

/// ` (after N attempts)` when a request was sent more than once.
fn after_attempts(f: &mut fmt::Formatter<'_>, attempts: u32) -> fmt::Result {
    if attempts > 1 {
        write!(f, " (after {attempts} attempts)")
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests;

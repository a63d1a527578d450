//! Client configuration: where the API is, how requests identify themselves, what the client refuses,
//! and the limits a transport applies.

use std::fmt;
use std::time::Duration;

use http::Uri;

mod error;
pub(crate) mod limits;
mod origin;

pub use error::ConfigError;
pub use origin::{
    DEFAULT_BASE_URL, DEFAULT_UPLOADS_URL, ENV_BASE_URL, ENV_EMULATOR_URL, ENV_GATEWAY,
    ENV_GATEWAY_KEY, ENV_UPLOADS_URL, Origin,
};

/// The `User-Agent` every request carries: this library and its version.
pub const USER_AGENT: &str = concat!("pinata-rs/", env!("CARGO_PKG_VERSION"));

/// The root every API path is joined to: scheme, host, optional port and optional path prefix.
#[derive(Clone, PartialEq, Eq)]
pub struct BaseUrl {
    scheme: http::uri::Scheme,
    authority: http::uri::Authority,
    prefix: String,
    /// Decided once, when parsed (every request asks).
    loopback: bool,
}

impl BaseUrl {
    /// Parses `https://host[:port][/prefix]`. A trailing `/` is dropped.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let after_scheme = text.split_once("://").map_or(text, |(_, rest)| rest);
        let authority_part = after_scheme.split(['/', '?', '#']).next().unwrap_or("");
        if authority_part.contains('@') {
            return Err(ConfigError::UserInfoInUrl);
        }
        if text.contains(['?', '#']) {
            return Err(ConfigError::QueryOrFragment);
        }
        let uri: Uri = text.parse().map_err(|_| ConfigError::NotAbsolute)?;
        let (Some(scheme), Some(authority)) = (uri.scheme(), uri.authority()) else {
            return Err(ConfigError::NotAbsolute);
        };
        if *scheme != http::uri::Scheme::HTTP && *scheme != http::uri::Scheme::HTTPS {
            let shown = scheme.as_str();
            let shown = if shown.len() <= 16 && shown.bytes().all(|b| b.is_ascii_alphanumeric()) {
                shown.to_owned()
            } else {
                "(not shown)".to_owned()
            };
            return Err(ConfigError::UnsupportedScheme(shown));
        }
        if authority.host().is_empty() || authority.as_str().contains('@') {
            return Err(ConfigError::NotAbsolute);
        }
        let mut url = Self {
            scheme: scheme.clone(),
            authority: authority.clone(),
            prefix: uri.path().trim_end_matches('/').to_owned(),
            loopback: false,
        };
        url.loopback = url.host_is_loopback();
        Ok(url)
    }

    /// Whether requests go over TLS.
    pub fn is_https(&self) -> bool {
        self.scheme == http::uri::Scheme::HTTPS
    }

    /// The host name or address (IPv6 without brackets).
    pub fn host(&self) -> &str {
        self.authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']')
    }

    /// Whether the host *names* this machine: `localhost` (or `localhost.`), `127.0.0.0/8`, `::1`
    /// or `::ffff:127.x.y.z`. Decided from the text alone; no name is resolved here.
    ///
    /// For an IP literal the text is the answer. A name is only a claim: `localhost` may resolve
    /// elsewhere. So a plain-http request that is let through because of this answer carries
    /// [`crate::transport::LoopbackOnly`], and the transport checks every address the name
    /// resolves to before it connects: one address that is not loopback and nothing is sent
    /// ([`crate::TransportErrorKind::NotLoopback`]).
    pub fn is_loopback(&self) -> bool {
        self.loopback
    }

    fn host_is_loopback(&self) -> bool {
        crate::loopback::is_loopback_host(self.host())
    }

    /// Splits an absolute URL into its origin (a base without prefix) and its path and query, for
    /// [`Origin::Signed`] requests. Fragments and user info are refused.
    pub fn split_absolute(url: &str) -> Result<(Self, String), ConfigError> {
        let uri: Uri = url.parse().map_err(|_| ConfigError::NotAbsolute)?;
        if url.contains('#') {
            return Err(ConfigError::QueryOrFragment);
        }
        let path_and_query = uri
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
        let (Some(scheme), Some(authority)) = (uri.scheme(), uri.authority()) else {
            return Err(ConfigError::NotAbsolute);
        };
        let base = Self::parse(&format!("{scheme}://{authority}"))?;
        let path_and_query = if path_and_query.starts_with('/') {
            path_and_query
        } else {
            format!("/{path_and_query}")
        };
        Ok((base, path_and_query))
    }

    /// `scheme://authority`: the origin that credentials may be sent to.
    pub fn origin(&self) -> String {
        format!("{}://{}", self.scheme, self.authority)
    }

    /// The absolute URI of `path_and_query` (which starts with `/`) under this base.
    pub fn join(&self, path_and_query: &str) -> Result<Uri, http::Error> {
        Uri::builder()
            .scheme(self.scheme.clone())
            .authority(self.authority.clone())
            .path_and_query(format!("{}{}", self.prefix, path_and_query))
            .build()
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}{}", self.scheme, self.authority, self.prefix)
    }
}

impl fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BaseUrl({self})")
    }
}

impl Default for BaseUrl {
    fn default() -> Self {
        // Invariant: the constant is a valid https URL; a unit test parses it.
        #[allow(clippy::expect_used)]
        Self::parse(DEFAULT_BASE_URL).expect("the default base URL parses")
    }
}

impl BaseUrl {
    /// `https://uploads.pinata.cloud`.
    fn uploads_default() -> Self {
        // Invariant: the constant is a valid https URL; a unit test parses it.
        #[allow(clippy::expect_used)]
        Self::parse(DEFAULT_UPLOADS_URL).expect("the default uploads URL parses")
    }
}

/// Limits a transport applies to every request. Adapters read these; they add no defaults of their own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportOptions {
    /// How long to wait for a TCP (and TLS) connection. Default 10 s.
    pub connect_timeout: Duration,
    /// How long a whole request may take, from sending to the last byte of the response. Default 60 s.
    pub request_timeout: Duration,
    /// Responses with a larger body fail with [`crate::TransportErrorKind::BodyTooLarge`]. Default 16 MiB.
    pub max_response_body: u64,
    /// How long a transfer may take: a download's body once its headers arrived (each piece still
    /// arrives within `request_timeout` on transports that can tell), and a whole request whose
    /// body is an upload (a file, a TUS chunk), which `request_timeout` alone would cut off on a
    /// slow link. Default 1 hour.
    pub download_timeout: Duration,
    /// Which HTTP versions the transport may speak over HTTPS. Default
    /// [`HttpVersion::Http1Only`]; [`HttpVersion::Auto`] lets pinata-hyper negotiate HTTP/2. See
    /// [`HttpVersion`] for why.
    pub http_version: HttpVersion,
}

/// Which HTTP versions a transport may speak ([`TransportOptions::http_version`]).
///
/// Only pinata-hyper can speak HTTP/2: pinata-ureq speaks HTTP/1.1 whatever this says (ureq has
/// no HTTP/2). Plain `http://` (the emulator on loopback) is HTTP/1.1 either way: HTTP/2 is only
/// negotiated by TLS's ALPN.
///
/// HTTP/1.1 is the default because it was the faster choice for Pinata's work in `cargo xtask
/// bench http2` (BENCHMARKS.md, "HTTP/2 against HTTP/1.1": pinata-hyper against the emulator over
/// HTTPS, on loopback and through a 20 ms round trip):
/// - many small requests (500 uploads and JSON pins from 16 or 32 tasks): no faster over HTTP/2
///   (0.93× to 1.05× of HTTP/1.1, within the noise). HTTP/2 used one connection where HTTP/1.1
///   opened 16 to about 50, but those handshakes run in parallel, so a batch pays about one round
///   trip for them, and its requests then run side by side on their own connections;
/// - a large upload (64 MiB): slower over HTTP/2, 0.87× on loopback and 0.27× at 20 ms, because a
///   stream may only have as many bytes in flight as the *server's* flow-control window grants
///   per round trip (the emulator's: 2 MiB), which a client cannot raise; HTTP/1.1 is bound by TCP
///   alone.
///
/// Choose [`HttpVersion::Auto`] to hold one connection instead of dozens: many concurrent small
/// requests through a server or proxy that limits or charges for connections.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HttpVersion {
    /// Offer HTTP/2 and HTTP/1.1 by ALPN (`h2` first) over HTTPS, and speak what the server picks:
    /// concurrent requests to one origin share one connection.
    Auto,
    /// HTTP/1.1 only (the default): ALPN offers `http/1.1` alone, and concurrent requests each
    /// have a pooled connection of their own.
    #[default]
    Http1Only,
}

impl TransportOptions {
    /// The whole-request deadline for a request with `body`: `request_timeout`, or for an upload
    /// body the transfer budget (`download_timeout`) when that is longer. Both transports apply
    /// this one rule.
    pub fn deadline_for(&self, body: &crate::endpoint::Body) -> Duration {
        match body {
            crate::endpoint::Body::Multipart(_) => self.request_timeout.max(self.download_timeout),
            _ => self.request_timeout,
        }
    }
}

impl Default for TransportOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            max_response_body: 16 * 1024 * 1024,
            download_timeout: Duration::from_secs(3600),
            http_version: HttpVersion::Http1Only,
        }
    }
}

/// Everything about a client except its credentials and its transport.
///
/// Names pair up: a setter of a value is `with_x` and its getter `x` (`with_retry_policy` /
/// `retry_policy`); a switch is a verb and its getter the same verb in the third person
/// (`allow_insecure_http` / `allows_insecure_http`).
#[derive(Debug, Clone)]
pub struct Config {
    base_url: BaseUrl,
    uploads_url: BaseUrl,
    gateway: Option<BaseUrl>,
    gateway_key: Option<crate::SecretString>,
    user_agent: String,
    /// `user_agent` as a header value, checked once; `None` if it is not a valid header value.
    user_agent_header: Option<http::HeaderValue>,
    allow_insecure_http: bool,
    refuse_expired_jwt: bool,
    jwt_expiry_leeway: Duration,
    transport: TransportOptions,
    retry: crate::retry::RetryPolicy,
    tus_threshold: u64,
    tus_chunk_size: u64,
    proxy: crate::proxy::ProxyConfig,
    roots: Option<crate::RootCertificates>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            base_url: BaseUrl::default(),
            uploads_url: BaseUrl::uploads_default(),
            gateway: None,
            gateway_key: None,
            user_agent: USER_AGENT.to_owned(),
            user_agent_header: Some(http::HeaderValue::from_static(USER_AGENT)),
            allow_insecure_http: false,
            refuse_expired_jwt: true,
            jwt_expiry_leeway: Duration::from_secs(30),
            transport: TransportOptions::default(),
            retry: crate::retry::RetryPolicy::default(),
            tus_threshold: limits::DEFAULT_TUS_THRESHOLD,
            tus_chunk_size: limits::DEFAULT_TUS_CHUNK,
            proxy: crate::proxy::ProxyConfig::FromEnvironment,
            roots: None,
        }
    }
}

impl Config {
    /// The defaults, with the origins taken from the environment, each variable when it is set
    /// and not empty:
    /// - `PINATA_EMULATOR_URL`: every origin (API, uploads, gateway) at one server, as
    ///   [`Config::for_emulator`] does (`pinata-emulator` serves all three on one listener);
    /// - then, each overriding its own origin: `PINATA_API_URL`, `PINATA_UPLOADS_URL`,
    ///   `PINATA_GATEWAY` (a domain or URL);
    /// - `PINATA_GATEWAY_KEY`;
    /// - the proxy variables, read as curl reads them (`https_proxy`/`HTTPS_PROXY`, else
    ///   `all_proxy`/`ALL_PROXY`; `no_proxy`/`NO_PROXY`; see [`crate::proxy`]), once, now: the
    ///   config holds what they said ([`ProxyConfig::Explicit`](crate::ProxyConfig::Explicit) or
    ///   [`ProxyConfig::Off`](crate::ProxyConfig::Off)). A proxy URL that is refused is
    ///   [`ConfigError::Proxy`], naming the variable.
    ///
    /// With only `PINATA_API_URL` set, uploads still go to `https://uploads.pinata.cloud`: to test
    /// against an emulator, set `PINATA_EMULATOR_URL`.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| match std::env::var(name) {
            Ok(v) => Ok(Some(v)),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(()),
        })
    }

    /// Like [`Config::from_env`], with the variables read through `lookup` (for tests and for
    /// configuration sources other than the process environment). `lookup` returns `Err(())` for a
    /// variable that is set but not Unicode. An empty variable counts as unset.
    ///
    /// ```
    /// let vars = |name: &str| Ok((name == "PINATA_EMULATOR_URL").then(|| "http://127.0.0.1:3000".to_owned()));
    /// let config = pinata_core::Config::from_lookup(vars)?;
    /// assert_eq!(config.uploads_url().to_string(), "http://127.0.0.1:3000");
    /// # Ok::<(), pinata_core::ConfigError>(())
    /// ```
    pub fn from_lookup(
        lookup: impl Fn(&'static str) -> Result<Option<String>, ()>,
    ) -> Result<Self, ConfigError> {
        let get = |name: &'static str| match lookup(name) {
            Ok(Some(v)) if !v.is_empty() => Ok(Some(v)),
            Ok(_) => Ok(None),
            Err(()) => Err(ConfigError::EnvironmentNotUnicode),
        };
        let mut config = match get(ENV_EMULATOR_URL)? {
            Some(url) => Config::for_emulator(&url)?,
            None => Config::default(),
        };
        if let Some(url) = get(ENV_BASE_URL)? {
            config = config.with_base_url(&url)?;
        }
        if let Some(url) = get(ENV_UPLOADS_URL)? {
            config = config.with_uploads_url(&url)?;
        }
        if let Some(gateway) = get(ENV_GATEWAY)? {
            config = config.with_gateway(&gateway)?;
        }
        if let Some(key) = get(ENV_GATEWAY_KEY)? {
            config = config.with_gateway_key(key)?;
        }
        // Read now; a proxy variable the transports could not use (socks, malformed) is left to
        // be reported when a transport resolves it. The transports do not apply proxies yet (work
        // in progress), so until they do such a variable must not stop a client that never uses it.
        config.proxy = crate::proxy::ProxyConfig::from_lookup(&lookup).unwrap_or_default();
        Ok(config)
    }

    /// Every origin (API, uploads, gateway) at one local server, such as `pinata-emulator`, which
    /// serves all three on one listener.
    ///
    /// ```
    /// let config = pinata_core::Config::for_emulator("http://127.0.0.1:8080")?;
    /// assert_eq!(config.uploads_url().to_string(), "http://127.0.0.1:8080");
    /// # Ok::<(), pinata_core::ConfigError>(())
    /// ```
    pub fn for_emulator(url: &str) -> Result<Self, ConfigError> {
        let base = BaseUrl::parse(url)?;
        Ok(Config {
            uploads_url: base.clone(),
            gateway: Some(base.clone()),
            base_url: base,
            ..Config::default()
        })
    }

    /// Sends API requests to `url` instead of `https://api.pinata.cloud`.
    pub fn with_base_url(mut self, url: &str) -> Result<Self, ConfigError> {
        self.base_url = BaseUrl::parse(url)?;
        Ok(self)
    }

    /// Sends uploads to `url` instead of `https://uploads.pinata.cloud`.
    pub fn with_uploads_url(mut self, url: &str) -> Result<Self, ConfigError> {
        self.uploads_url = BaseUrl::parse(url)?;
        Ok(self)
    }

    /// The account's gateway: a domain (`example.mypinata.cloud`, reached over https) or a URL.
    pub fn with_gateway(mut self, domain_or_url: &str) -> Result<Self, ConfigError> {
        let url = if domain_or_url.contains("://") {
            domain_or_url.to_owned()
        } else {
            format!("https://{domain_or_url}")
        };
        self.gateway = Some(BaseUrl::parse(&url)?);
        Ok(self)
    }

    /// The gateway key, sent to the gateway (and nowhere else) as `pinataGatewayToken`, as the
    /// official SDK sends it. Refused when empty or not visible ASCII.
    pub fn with_gateway_key(mut self, key: impl Into<String>) -> Result<Self, ConfigError> {
        let key = key.into();
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ConfigError::InvalidGatewayKey);
        }
        self.gateway_key = Some(crate::SecretString::new(key));
        Ok(self)
    }

    /// Where uploads go.
    pub fn uploads_url(&self) -> &BaseUrl {
        &self.uploads_url
    }

    /// Files larger than `bytes` upload through TUS (resumable); the official SDK's 90 MiB
    /// ([`crate::tus::DEFAULT_TUS_THRESHOLD`]) unless set. `u64::MAX` never uses TUS.
    pub fn with_tus_threshold(mut self, bytes: u64) -> Self {
        self.tus_threshold = bytes;
        self
    }

    /// The TUS threshold.
    pub fn tus_threshold(&self) -> u64 {
        self.tus_threshold
    }

    /// The size of each TUS chunk ([`crate::tus::MIN_TUS_CHUNK`] to
    /// [`crate::tus::MAX_TUS_CHUNK`]; the SDK's 50 MiB + 1 unless set).
    pub fn with_tus_chunk_size(mut self, bytes: u64) -> Result<Self, ConfigError> {
        if !(limits::MIN_TUS_CHUNK..=limits::MAX_TUS_CHUNK).contains(&bytes) {
            return Err(ConfigError::TusChunkSize(bytes));
        }
        self.tus_chunk_size = bytes;
        Ok(self)
    }

    /// The TUS chunk size.
    pub fn tus_chunk_size(&self) -> u64 {
        self.tus_chunk_size
    }

    /// The account's gateway, if one is configured.
    pub fn gateway(&self) -> Option<&BaseUrl> {
        self.gateway.as_ref()
    }

    /// The gateway key, if one is configured (redacted in `Debug`).
    pub fn gateway_key(&self) -> Option<&crate::SecretString> {
        self.gateway_key.as_ref()
    }

    /// The root of requests to `origin` (`None`: the gateway is not configured).
    pub fn origin_url(&self, origin: Origin) -> Option<&BaseUrl> {
        match origin {
            Origin::Api => Some(&self.base_url),
            Origin::Uploads => Some(&self.uploads_url),
            Origin::Gateway => self.gateway.as_ref(),
            // A signed URL names its own origin.
            Origin::Signed => None,
        }
    }

    /// Allows credentials over plain `http://` to hosts that are not loopback. Off by default: anyone
    /// on the path could read the secret.
    ///
    /// Without it, plain `http://` goes only to this machine (the emulator), decided twice:
    /// - before sending, by the base URL's text ([`BaseUrl::is_loopback`]): any other host is
    ///   [`crate::BuildError::InsecureHttp`];
    /// - when connecting, by the addresses: a host *name* (`localhost`) is resolved by the
    ///   transport, and if any address it resolves to is not loopback the request is refused
    ///   before a connection is made, with a [`crate::TransportError`] of kind
    ///   [`crate::TransportErrorKind::NotLoopback`] that says nothing was sent (both transports of
    ///   this project; see [`crate::transport::LoopbackOnly`] for others). IP literals are judged as
    ///   they are.
    ///
    /// With it, neither check is made.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Whether to refuse, before sending, a JWT whose `exp` has passed (by more than the leeway).
    /// On by default; the server would refuse it anyway.
    pub fn refuse_expired_jwt(mut self, refuse: bool) -> Self {
        self.refuse_expired_jwt = refuse;
        self
    }

    /// How far past `exp` the local clock must be before a JWT counts as expired. Default 30 s, so a
    /// client clock that runs a little fast does not refuse a token the server still accepts.
    pub fn with_jwt_expiry_leeway(mut self, leeway: Duration) -> Self {
        self.jwt_expiry_leeway = leeway;
        self
    }

    /// Replaces the `User-Agent` (the default names this library and its version).
    pub fn with_user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self.user_agent_header = http::HeaderValue::from_str(&self.user_agent).ok();
        self
    }

    /// Replaces the retry policy (see [`crate::retry`] for the defaults).
    pub fn with_retry_policy(mut self, policy: crate::retry::RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &crate::retry::RetryPolicy {
        &self.retry
    }

    /// Replaces the transport limits.
    pub fn with_transport_options(mut self, options: TransportOptions) -> Self {
        self.transport = options;
        self
    }

    /// Where requests go.
    pub fn base_url(&self) -> &BaseUrl {
        &self.base_url
    }

    /// The `User-Agent` header value.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// The `User-Agent` as a header value, if it is a valid one.
    pub(crate) fn user_agent_header(&self) -> Option<&http::HeaderValue> {
        self.user_agent_header.as_ref()
    }

    /// Whether plain http to non-loopback hosts is allowed.
    pub fn allows_insecure_http(&self) -> bool {
        self.allow_insecure_http
    }

    /// Whether expired JWTs are refused before sending.
    pub fn refuses_expired_jwt(&self) -> bool {
        self.refuse_expired_jwt
    }

    /// How far past `exp` a JWT must be to count as expired.
    pub fn jwt_expiry_leeway(&self) -> Duration {
        self.jwt_expiry_leeway
    }

    /// The transport limits.
    pub fn transport_options(&self) -> &TransportOptions {
        &self.transport
    }

    /// Sends `https://` requests through `proxy` (a `CONNECT` tunnel), except to the destinations
    /// `no_proxy` matches and to loopback; the proxy variables are not read. Plain `http://`
    /// requests never go through a proxy. See [`crate::proxy`] for the rules.
    ///
    /// ```
    /// use pinata_core::{Config, NoProxy};
    /// let config = Config::default()
    ///     .with_proxy("http://user:p%40ss@proxy.corp:3128".parse()?, NoProxy::parse("corp.example,10.0.0.0/8"));
    /// assert_eq!(format!("{:?}", config.proxy()).contains("p@ss"), false);
    /// # Ok::<(), pinata_core::ProxyError>(())
    /// ```
    pub fn with_proxy(mut self, proxy: crate::Proxy, no_proxy: crate::NoProxy) -> Self {
        self.proxy = crate::proxy::ProxyConfig::Explicit { proxy, no_proxy };
        self
    }

    /// No proxy for any request, whatever the environment says.
    pub fn without_proxy(mut self) -> Self {
        self.proxy = crate::proxy::ProxyConfig::Off;
        self
    }

    /// Replaces the proxy setting (back to [`ProxyConfig::FromEnvironment`](crate::ProxyConfig),
    /// say).
    pub fn with_proxy_config(mut self, proxy: crate::ProxyConfig) -> Self {
        self.proxy = proxy;
        self
    }

    /// What an error must not show of the proxy: its password and `Basic` token. For
    /// [`ProxyConfig::FromEnvironment`](crate::ProxyConfig) the process environment is read, as the
    /// transport reads it.
    pub(crate) fn proxy_secrets(&self) -> Vec<zeroize::Zeroizing<String>> {
        self.proxy
            .resolve()
            .ok()
            .and_then(|s| s.https_proxy().map(crate::Proxy::secrets))
            .unwrap_or_default()
    }

    /// Trusts `roots` for TLS as well: in addition to the roots the transport's features choose
    /// (Mozilla's set, or the operating system's), or instead of them for
    /// [`RootCertificates::only`](crate::RootCertificates::only). Called again, it adds to the
    /// roots given before. For a TLS-inspecting proxy's private root, or an emulator serving
    /// HTTPS with its own certificate.
    pub fn with_root_certificates(mut self, roots: crate::RootCertificates) -> Self {
        self.roots = Some(match self.roots.take() {
            Some(before) => before.merged(roots),
            None => roots,
        });
        self
    }

    /// The extra root certificates, if any ([`Config::with_root_certificates`]).
    pub fn root_certificates(&self) -> Option<&crate::RootCertificates> {
        self.roots.as_ref()
    }

    /// The proxy setting. A transport applies [`ProxyConfig::resolve`](crate::ProxyConfig::resolve).
    pub fn proxy(&self) -> &crate::ProxyConfig {
        &self.proxy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_default_configure_and_point_at_an_emulator() {
        let c = Config::default();
        assert_eq!(
            c.origin_url(Origin::Api).unwrap().to_string(),
            DEFAULT_BASE_URL
        );
        assert_eq!(c.uploads_url().to_string(), DEFAULT_UPLOADS_URL);
        assert!(c.gateway().is_none() && c.gateway_key().is_none());
        let c = c
            .with_gateway("example.mypinata.cloud")
            .unwrap()
            .with_gateway_key("gw-key-123")
            .unwrap();
        assert_eq!(
            c.gateway().unwrap().to_string(),
            "https://example.mypinata.cloud"
        );
        assert!(
            !format!("{c:?}").contains("gw-key-123"),
            "the key is redacted"
        );
        assert_eq!(
            Config::default().with_gateway_key("two words").unwrap_err(),
            ConfigError::InvalidGatewayKey
        );
        assert_eq!(
            Config::default().with_gateway("ftp://x").unwrap_err(),
            ConfigError::UnsupportedScheme("ftp".into())
        );
        let emu = Config::for_emulator("http://127.0.0.1:9").unwrap();
        for origin in [Origin::Api, Origin::Uploads, Origin::Gateway] {
            assert_eq!(
                emu.origin_url(origin).unwrap().to_string(),
                "http://127.0.0.1:9"
            );
        }
        assert!(Origin::Uploads.takes_credentials());
        assert!(!Origin::Gateway.takes_credentials());
    }

    /// `name → value` pairs as a `from_lookup` source.
    fn vars(
        pairs: &'static [(&'static str, &'static str)],
    ) -> impl Fn(&'static str) -> Result<Option<String>, ()> {
        move |name| {
            Ok(pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned()))
        }
    }

    #[test]
    fn one_variable_points_every_origin_at_an_emulator() {
        let origins = |c: &Config| {
            [Origin::Api, Origin::Uploads, Origin::Gateway]
                .map(|o| c.origin_url(o).map(ToString::to_string))
        };
        let emulator = Some("http://127.0.0.1:3000".to_owned());
        let c = Config::from_lookup(vars(&[(ENV_EMULATOR_URL, "http://127.0.0.1:3000")])).unwrap();
        assert_eq!(origins(&c), [emulator.clone(), emulator.clone(), emulator]);
        // Only the API moved: uploads still go to the real service (the trap this variable avoids).
        let c = Config::from_lookup(vars(&[(ENV_BASE_URL, "http://127.0.0.1:3000")])).unwrap();
        assert_eq!(c.uploads_url().to_string(), DEFAULT_UPLOADS_URL);
        // A specific variable still wins for its own origin.
        let c = Config::from_lookup(vars(&[
            (ENV_EMULATOR_URL, "http://127.0.0.1:3000"),
            (ENV_GATEWAY, "example.mypinata.cloud"),
            (ENV_API_URL_EMPTY, ""),
        ]))
        .unwrap();
        assert_eq!(
            origins(&c).map(Option::unwrap),
            [
                "http://127.0.0.1:3000",
                "http://127.0.0.1:3000",
                "https://example.mypinata.cloud"
            ]
        );
        assert_eq!(
            Config::from_lookup(vars(&[(ENV_EMULATOR_URL, "127.0.0.1:3000")])).unwrap_err(),
            ConfigError::NotAbsolute
        );
        assert_eq!(
            Config::from_lookup(|_| Err(())).unwrap_err(),
            ConfigError::EnvironmentNotUnicode
        );
    }

    /// An empty variable counts as unset.
    const ENV_API_URL_EMPTY: &str = ENV_BASE_URL;

    #[test]
    fn default_base_url_parses() {
        let b = BaseUrl::default();
        assert!(b.is_https());
        assert_eq!(b.to_string(), "https://api.pinata.cloud");
        assert_eq!(
            b.join("/data/testAuthentication").unwrap().to_string(),
            "https://api.pinata.cloud/data/testAuthentication"
        );
    }

    #[test]
    fn prefix_and_port_are_kept() {
        let b = BaseUrl::parse("http://127.0.0.1:8080/v3/").unwrap();
        assert_eq!(b.to_string(), "http://127.0.0.1:8080/v3");
        assert_eq!(
            b.join("/data/x?y=1").unwrap().to_string(),
            "http://127.0.0.1:8080/v3/data/x?y=1"
        );
        assert!(b.is_loopback());
        assert_eq!(b.origin(), "http://127.0.0.1:8080");
    }

    #[test]
    fn loopback_detection() {
        for (u, lo) in [
            ("http://localhost:1", true),
            ("http://LOCALHOST", true),
            ("http://127.9.9.9", true),
            ("http://[::1]:80", true),
            ("http://[::ffff:127.0.0.1]:80", true),
            ("http://0.0.0.0:80", false),
            ("http://10.0.0.1", false),
            ("http://localhost.example.com", false),
            ("http://127.0.0.1.nip.io", false),
            ("https://api.pinata.cloud", false),
        ] {
            assert_eq!(BaseUrl::parse(u).unwrap().is_loopback(), lo, "{u}");
        }
    }

    #[test]
    fn bad_urls_are_typed_errors() {
        assert_eq!(
            BaseUrl::parse("https://user:hunter2@host"),
            Err(ConfigError::UserInfoInUrl)
        );
        assert!(!ConfigError::UserInfoInUrl.to_string().contains("hunter2"));
        assert!(matches!(
            BaseUrl::parse("ftp://host"),
            Err(ConfigError::UnsupportedScheme(_))
        ));
        assert_eq!(
            BaseUrl::parse("api.pinata.cloud"),
            Err(ConfigError::NotAbsolute)
        );
        assert_eq!(
            BaseUrl::parse("https://h/?key=hunter2"),
            Err(ConfigError::QueryOrFragment)
        );
        assert_eq!(BaseUrl::parse(""), Err(ConfigError::NotAbsolute));
        for leaky in [
            "https:/user:hunter2@host",
            "https://h/?key=hunter2",
            "http//hunter2",
            "https://hunter2 host",
        ] {
            let e = BaseUrl::parse(leaky).unwrap_err();
            assert!(!e.to_string().contains("hunter2"), "{leaky}: {e}");
            assert!(!format!("{e:?}").contains("hunter2"), "{leaky}: {e:?}");
        }
    }

    #[test]
    fn uploads_get_the_transfer_budget() {
        let options = TransportOptions::default();
        assert_eq!(
            options.deadline_for(&crate::endpoint::Body::Empty),
            options.request_timeout
        );
        let upload = crate::api::uploads::UploadFile::bytes("a.txt", "a").unwrap();
        let body = crate::Endpoint::body(&upload).unwrap();
        assert_eq!(options.deadline_for(&body), options.download_timeout);
        let short = TransportOptions {
            download_timeout: Duration::from_secs(1),
            ..TransportOptions::default()
        };
        assert_eq!(
            short.deadline_for(&body),
            short.request_timeout,
            "never shorter"
        );
    }
}

//! Which proxy a request goes through, decided from the configuration and the destination alone:
//! pure, so both transports apply the one rule.
//!
//! The environment is read as curl reads it (`lib/url.c`, `detect_proxy` and the `no_proxy`
//! lookup; `lib/noproxy.c`, `Curl_check_noproxy`), with the differences written down below.
//!
//! **Variables.** An empty variable counts as unset, as `curl_getenv` makes it.
//! - `https_proxy`, else `HTTPS_PROXY`: the proxy of `https://` destinations;
//! - `all_proxy`, else `ALL_PROXY`: the fallback when neither is set;
//! - `no_proxy`, else `NO_PROXY`: the destinations that go direct. curl reads the lower-case name
//!   first and the upper-case one only when it is unset, so **lower case wins** when both are set.
//! - `http_proxy` is **not read**. curl reads it for `http://` destinations, in lower case only
//!   (never `HTTP_PROXY`: a CGI server sets that from a request's `Proxy:` header, "httpoxy"). This
//!   library never sends plain http through a proxy (plain http goes only to loopback, which is
//!   always direct, or to a host you allowed with `allow_insecure_http`, whose credentials would
//!   then travel in clear to the proxy too), so it has nothing to read `http_proxy` for, and a
//!   value meant for other programs cannot make it fail.
//!
//! **Proxy URLs** ([`Proxy::parse`]): `http://` and `https://` proxies; no scheme means `http://`,
//! as in curl (then only `[user:password@]host[:port]`, no `/`). `socks4`, `socks4a`, `socks5` and `socks5h` are refused with
//! [`ProxyErrorKind::Socks`] (curl supports them; this library does not yet). `user:password@` is
//! percent-decoded. Without a port, curl's defaults: 1080 for an http proxy
//! (`CURL_DEFAULT_PROXY_PORT`) and 443 for an https one (`CURL_DEFAULT_HTTPS_PROXY_PORT`) — not
//! 3128 or 8080, whatever the proxy's own default is. A path after the host is ignored, as curl
//! ignores it.
//!
//! **`NO_PROXY`** ([`NoProxy`]): entries separated by commas, each trimmed of whitespace; an empty
//! entry is ignored.
//! - The whole value `*` matches every destination (in curl only the whole value; a `*` entry
//!   among others matches nothing, here as there; `*.example.com` is not a wildcard either).
//! - A name matches itself and every subdomain: `example.com` matches `example.com` and
//!   `a.example.com`, never `notexample.com`. A leading dot is dropped, so `.example.com` matches
//!   `example.com` itself too (curl: "ignore leading token dot as well"). Names compare without
//!   regard to case and without a trailing dot, on both sides.
//! - An IP address matches that address only, an IPv6 one with or without brackets (curl reads
//!   entries without brackets only); `address/bits` (CIDR, curl ≥ 7.86) matches the addresses in
//!   that network. Addresses match destinations that are IP literals of the same family, never a
//!   name (nothing is resolved here, nor in curl). `/0` matches the whole family (curl reads `/0`
//!   as "the exact address", an accident of its parser); a prefix longer than the family is an
//!   entry that matches nothing.
//! - An entry with a port (`host:8443`, `10.0.0.1:8443`, `[::1]:8443`) matches that port only.
//!   **curl does not do this**: it compares the whole entry, port included, with the host name, so
//!   such an entry never matches in curl. Go's `net/http/httpproxy` reads it as here; this library
//!   follows Go, since whoever wrote a port meant it.
//!
//! **The decision** ([`ProxySettings::route`]):
//! 1. a loopback destination (`localhost`, `localhost.`, `127.0.0.0/8`, `::1`, `::ffff:127.x.y.z`:
//!    the emulator) is always [`Route::Direct`], whatever the settings say;
//! 2. a plain `http://` destination is always [`Route::Direct`]: the credentials it carries never
//!    cross a proxy in clear. There is therefore no "forward" route (a plain request sent to the
//!    proxy whole); only tunnels;
//! 3. an `https://` destination without a configured proxy, or matched by the no-proxy list, is
//!    [`Route::Direct`]; else [`Route::Tunnel`]: `CONNECT host:port` through the proxy, then TLS
//!    with the destination inside the tunnel, so the proxy sees neither the credentials nor the
//!    request.

use std::fmt;
use std::net::IpAddr;

use base64::Engine as _;
use http::HeaderValue;
use http::uri::Scheme;

use crate::SecretString;

mod failure;

#[doc(hidden)]
pub use failure::status_in_message;
pub use failure::{ProxyFailure, ProxyStep};

/// The variables read, in the order they are looked up (see the [module](self) documentation).
pub const ENV_HTTPS_PROXY: [&str; 2] = ["https_proxy", "HTTPS_PROXY"];
/// The fallback proxy variables, lower case first.
pub const ENV_ALL_PROXY: [&str; 2] = ["all_proxy", "ALL_PROXY"];
/// The no-proxy variables, lower case first (lower case wins when both are set).
pub const ENV_NO_PROXY: [&str; 2] = ["no_proxy", "NO_PROXY"];

/// curl's default port of an http proxy (`CURL_DEFAULT_PROXY_PORT`).
pub const DEFAULT_HTTP_PROXY_PORT: u16 = 1080;
/// curl's default port of an https proxy (`CURL_DEFAULT_HTTPS_PROXY_PORT`).
pub const DEFAULT_HTTPS_PROXY_PORT: u16 = 443;

/// Whether and how requests use a proxy: part of [`crate::Config`].
///
/// [`Config::default`](crate::Config::default) holds [`ProxyConfig::FromEnvironment`], read when
/// the transport is built. [`Config::from_env`](crate::Config::from_env) and
/// [`Config::from_lookup`](crate::Config::from_lookup) read the variables once, when the config is
/// made, and hold what they said: [`ProxyConfig::Explicit`] with the proxy and no-proxy list they
/// name, or [`ProxyConfig::Off`] when no proxy variable is set; such a config never reads the
/// process environment again. A variable they cannot parse leaves [`ProxyConfig::FromEnvironment`],
/// so the error is the transport's to report when it resolves the setting.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ProxyConfig {
    /// The curl variables of the process (`https_proxy`, `all_proxy`, `no_proxy`…), read when
    /// [`ProxyConfig::resolve`] is called.
    #[default]
    FromEnvironment,
    /// No proxy, whatever the environment says.
    Off,
    /// This proxy for `https://` destinations, except those `no_proxy` matches; the environment is
    /// not read.
    Explicit {
        /// The proxy.
        proxy: Proxy,
        /// The destinations that go direct.
        no_proxy: NoProxy,
    },
}

impl ProxyConfig {
    /// The settings a transport applies. Reads the process environment for
    /// [`ProxyConfig::FromEnvironment`]; a bad proxy URL there is an error naming its variable.
    pub fn resolve(&self) -> Result<ProxySettings, ProxyError> {
        match self {
            ProxyConfig::FromEnvironment => ProxySettings::from_env(),
            ProxyConfig::Off => Ok(ProxySettings::off()),
            ProxyConfig::Explicit { proxy, no_proxy } => {
                Ok(ProxySettings::new(proxy.clone(), no_proxy.clone()))
            }
        }
    }

    /// The variables read through `lookup` (as [`crate::Config::from_lookup`] takes it), held as
    /// [`ProxyConfig::Explicit`] or [`ProxyConfig::Off`].
    pub(crate) fn from_lookup(
        lookup: &impl Fn(&'static str) -> Result<Option<String>, ()>,
    ) -> Result<Self, ProxyError> {
        let settings = ProxySettings::from_lookup(lookup)?;
        Ok(match settings.https {
            Some(proxy) => ProxyConfig::Explicit {
                proxy,
                no_proxy: settings.no_proxy,
            },
            None => ProxyConfig::Off,
        })
    }
}

/// The proxy settings a transport applies, resolved: the proxy of `https://` destinations, if
/// any, and the destinations that go direct. Ask [`ProxySettings::route`] for each request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProxySettings {
    https: Option<Proxy>,
    no_proxy: NoProxy,
    /// Where they came from, when read from variables: the proxy's variable, and the no-proxy
    /// variable with its list as written.
    proxy_variable: Option<&'static str>,
    no_proxy_variable: Option<(&'static str, String)>,
}

impl ProxySettings {
    /// No proxy: every request goes direct.
    pub fn off() -> Self {
        Self::default()
    }

    /// `proxy` for `https://` destinations, except those `no_proxy` matches.
    pub fn new(proxy: Proxy, no_proxy: NoProxy) -> Self {
        Self {
            https: Some(proxy),
            no_proxy,
            ..Self::default()
        }
    }

    /// The curl variables of this process (see the [module](self) documentation).
    pub fn from_env() -> Result<Self, ProxyError> {
        Self::from_lookup(&|name| match std::env::var(name) {
            Ok(v) => Ok(Some(v)),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(()),
        })
    }

    /// The curl variables read through `lookup` (`Err(())`: set but not Unicode). An empty
    /// variable counts as unset.
    pub fn from_lookup(
        lookup: &impl Fn(&'static str) -> Result<Option<String>, ()>,
    ) -> Result<Self, ProxyError> {
        let first =
            |names: [&'static str; 2]| -> Result<Option<(&'static str, String)>, ProxyError> {
                for name in names {
                    match lookup(name) {
                        Ok(Some(v)) if !v.is_empty() => return Ok(Some((name, v))),
                        Ok(_) => {}
                        Err(()) => {
                            return Err(ProxyError::in_variable(name, ProxyErrorKind::NotUnicode));
                        }
                    }
                }
                Ok(None)
            };
        let https = match first(ENV_HTTPS_PROXY)? {
            Some(found) => Some(found),
            None => first(ENV_ALL_PROXY)?,
        };
        let (https, proxy_variable) = match https {
            Some((name, url)) => (
                Some(Proxy::parse(&url).map_err(|e| e.in_named(name))?),
                Some(name),
            ),
            None => (None, None),
        };
        let no_proxy_variable = first(ENV_NO_PROXY)?;
        let no_proxy = no_proxy_variable
            .as_ref()
            .map(|(_, list)| NoProxy::parse(list))
            .unwrap_or_default();
        Ok(Self {
            https,
            no_proxy,
            proxy_variable,
            no_proxy_variable,
        })
    }

    /// The variable the proxy was read from (`HTTPS_PROXY`, `all_proxy`…), when it was.
    pub fn proxy_variable(&self) -> Option<&'static str> {
        self.proxy_variable
    }

    /// The no-proxy variable and its list as written, when they were read from one.
    pub fn no_proxy_variable(&self) -> Option<(&'static str, &str)> {
        self.no_proxy_variable
            .as_ref()
            .map(|(name, list)| (*name, list.as_str()))
    }

    /// The proxy of `https://` destinations, if any.
    pub fn https_proxy(&self) -> Option<&Proxy> {
        self.https.as_ref()
    }

    /// The destinations that go direct.
    pub fn no_proxy(&self) -> &NoProxy {
        &self.no_proxy
    }

    /// How a request to `scheme://host:port` goes (see the [module](self) documentation): `host`
    /// as in a URI (an IPv6 literal with or without brackets), `port` the one connected to (443
    /// when the URI has none, for https).
    pub fn route(&self, scheme: &Scheme, host: &str, port: u16) -> Route<'_> {
        let host = unbracket(host);
        if crate::loopback::is_loopback_host(host) || *scheme != Scheme::HTTPS {
            return Route::Direct;
        }
        match &self.https {
            Some(proxy) if !self.no_proxy.matches(host, port) => Route::Tunnel(proxy),
            _ => Route::Direct,
        }
    }

    /// [`ProxySettings::route`] for the scheme, host and port of `uri` (the scheme's default port
    /// when it has none). A URI without scheme or host goes direct (nothing to decide).
    pub fn route_uri(&self, uri: &http::Uri) -> Route<'_> {
        let (Some(scheme), Some(host)) = (uri.scheme(), uri.host()) else {
            return Route::Direct;
        };
        let default = if *scheme == Scheme::HTTPS { 443 } else { 80 };
        self.route(scheme, host, uri.port_u16().unwrap_or(default))
    }
}

/// How one request reaches its destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Route<'a> {
    /// Connect to the destination itself.
    Direct,
    /// Connect to the proxy, send `CONNECT host:port` (with [`Proxy::authorization`] when it has
    /// credentials), and on a 2xx answer speak TLS to the destination inside the tunnel. Any other
    /// answer is a failure before the request was sent; a `407` means the proxy wants (other)
    /// credentials. For an `https://` proxy, the connection to the proxy is TLS first.
    Tunnel(&'a Proxy),
}

/// The scheme of the connection to the proxy itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProxyScheme {
    /// Plain TCP to the proxy (the usual case; the tunnel inside still carries TLS).
    Http,
    /// TLS to the proxy, then the tunnel inside it.
    Https,
}

impl ProxyScheme {
    /// `http` or `https`.
    pub fn as_str(self) -> &'static str {
        match self {
            ProxyScheme::Http => "http",
            ProxyScheme::Https => "https",
        }
    }
}

/// A proxy: scheme, host, port and optional credentials. `Debug` and `Display` show
/// `scheme://user:***@host:port` (or without the user), never the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Proxy {
    scheme: ProxyScheme,
    /// A name (as written) or an IP literal (IPv6 without brackets).
    host: String,
    port: u16,
    credentials: Option<ProxyCredentials>,
}

impl Proxy {
    /// Parses `[scheme://][user[:password]@]host[:port][/…]` (see the [module](self)
    /// documentation). The error never repeats the text.
    pub fn parse(url: &str) -> Result<Self, ProxyError> {
        let url = url.trim();
        let (scheme, rest) = match url.split_once("://") {
            Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest),
            // Without a scheme, `host[:port]` and user info only: a `/` means a mistyped scheme
            // (`http:/…`), which must not become a host called `http`.
            None if url.contains('/') => return Err(ProxyErrorKind::BadHost.into()),
            None => ("http".to_owned(), url),
        };
        let scheme = match scheme.as_str() {
            "http" => ProxyScheme::Http,
            "https" => ProxyScheme::Https,
            "socks4" | "socks4a" | "socks5" | "socks5h" => {
                return Err(ProxyErrorKind::Socks(scheme).into());
            }
            _ => return Err(ProxyErrorKind::UnsupportedScheme(shown_scheme(&scheme)).into()),
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        let (userinfo, host_port) = match authority.rsplit_once('@') {
            Some((userinfo, host_port)) => (Some(userinfo), host_port),
            None => (None, authority),
        };
        let credentials = userinfo.map(ProxyCredentials::from_userinfo).transpose()?;
        let (host, port) = split_host_port(host_port).ok_or(ProxyErrorKind::BadHost)?;
        if !valid_host(host) {
            return Err(ProxyErrorKind::BadHost.into());
        }
        let port = match port {
            None | Some("") => match scheme {
                ProxyScheme::Http => DEFAULT_HTTP_PROXY_PORT,
                ProxyScheme::Https => DEFAULT_HTTPS_PROXY_PORT,
            },
            Some(p) => match parse_port(p) {
                Some(p) if p != 0 => p,
                _ => return Err(ProxyErrorKind::BadPort.into()),
            },
        };
        Ok(Self {
            scheme,
            host: host.to_owned(),
            port,
            credentials,
        })
    }

    /// The scheme of the connection to the proxy.
    pub fn scheme(&self) -> ProxyScheme {
        self.scheme
    }

    /// The proxy's host: a name, or an IP literal (IPv6 without brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The proxy's port (curl's default when the URL had none).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `host:port` as a `CONNECT` target or `Host` is written (IPv6 in brackets).
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The credentials from the URL, if any.
    pub fn credentials(&self) -> Option<&ProxyCredentials> {
        self.credentials.as_ref()
    }

    /// The `Proxy-Authorization` value of a `CONNECT` (`Basic base64(user:password)`), marked
    /// sensitive; `None` without credentials. Send it to the proxy only, never to the destination.
    pub fn authorization(&self) -> Option<HeaderValue> {
        let c = self.credentials.as_ref()?;
        let pair = zeroize::Zeroizing::new(format!("{}:{}", c.user, c.password.expose_secret()));
        let value = zeroize::Zeroizing::new(format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair.as_bytes())
        ));
        // Base64 and "Basic " are visible ASCII, always a valid header value.
        let mut value = HeaderValue::from_str(&value).ok()?;
        value.set_sensitive(true);
        Some(value)
    }

    /// The texts an error must not show: the password as written, and the `Basic` token.
    pub(crate) fn secrets(&self) -> Vec<zeroize::Zeroizing<String>> {
        let Some(c) = &self.credentials else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if !c.password.expose_secret().is_empty() {
            out.push(zeroize::Zeroizing::new(
                c.password.expose_secret().to_owned(),
            ));
        }
        if let Some(token) = self.authorization().and_then(|v| {
            v.to_str()
                .ok()
                .map(|s| s.trim_start_matches("Basic ").to_owned())
        }) {
            out.push(zeroize::Zeroizing::new(token));
        }
        out
    }
}

/// Decimal digits only (`u16::from_str` would take a `+`).
fn parse_port(text: &str) -> Option<u16> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

impl fmt::Display for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://", self.scheme.as_str())?;
        if let Some(c) = &self.credentials {
            let user: String = c
                .user
                .chars()
                .map(|ch| if ch.is_ascii_graphic() { ch } else { '?' })
                .collect();
            write!(f, "{user}:***@")?;
        }
        f.write_str(&self.authority())
    }
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Proxy({self})")
    }
}

impl std::str::FromStr for Proxy {
    type Err = ProxyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// The user and password of a proxy, from its URL (percent-decoded). `Debug` hides the password.
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyCredentials {
    user: String,
    password: SecretString,
}

impl ProxyCredentials {
    /// A user and password. A user containing `:` cannot be sent in `Basic` (RFC 7617) and is
    /// refused.
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> Result<Self, ProxyError> {
        let user = user.into();
        let password = SecretString::new(password);
        if user.contains(':')
            || user
                .chars()
                .chain(password.expose_secret().chars())
                .any(char::is_control)
        {
            return Err(ProxyErrorKind::BadCredentials.into());
        }
        Ok(Self { user, password })
    }

    fn from_userinfo(userinfo: &str) -> Result<Self, ProxyError> {
        let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
        let user = percent_decode(user).ok_or(ProxyErrorKind::BadCredentials)?;
        let password = percent_decode(password).ok_or(ProxyErrorKind::BadCredentials)?;
        Self::new(user.as_str(), password.as_str())
    }

    /// The user name.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The password (redacted in `Debug`).
    pub fn password(&self) -> &SecretString {
        &self.password
    }
}

impl fmt::Debug for ProxyCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyCredentials")
            .field("user", &self.user)
            .field("password", &self.password)
            .finish()
    }
}

/// Decodes `%XX` escapes into UTF-8 text; `None` for a bad escape or bytes that are not UTF-8.
/// The result is zeroed on drop (it may be a password).
fn percent_decode(text: &str) -> Option<zeroize::Zeroizing<String>> {
    let bytes = text.as_bytes();
    let mut out = zeroize::Zeroizing::new(Vec::with_capacity(bytes.len()));
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let text = std::str::from_utf8(&out).ok()?;
    Some(zeroize::Zeroizing::new(text.to_owned()))
}

/// `[v6]:port`, `[v6]`, `host:port`, `host` → host (IPv6 unbracketed) and the port text.
fn split_host_port(text: &str) -> Option<(&str, Option<&str>)> {
    if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        host.parse::<std::net::Ipv6Addr>().ok()?;
        return match after {
            "" => Some((host, None)),
            _ => Some((host, Some(after.strip_prefix(':')?))),
        };
    }
    match text.split_once(':') {
        Some((_, port)) if port.contains(':') => None,
        Some((host, port)) => Some((host, Some(port))),
        None => Some((text, None)),
    }
}

/// A host name of letters, digits, `-`, `_` and `.`, or an IP literal.
fn valid_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && (host.parse::<IpAddr>().is_ok()
            || host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')))
}

fn unbracket(host: &str) -> &str {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
}

/// A scheme is repeated in an error only when it is short plain letters (it could be anything).
fn shown_scheme(scheme: &str) -> String {
    if !scheme.is_empty() && scheme.len() <= 16 && scheme.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        scheme.to_owned()
    } else {
        "(not shown)".to_owned()
    }
}

/// The destinations that go direct: a `NO_PROXY` list (see the [module](self) documentation for
/// the rules). Parsing never fails: an entry that is not understood matches nothing, as in curl.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NoProxy {
    all: bool,
    entries: Vec<NoProxyEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum NoProxyEntry {
    /// Lower case, without a leading or trailing dot.
    Name { name: String, port: Option<u16> },
    Network {
        address: IpAddr,
        bits: u8,
        port: Option<u16>,
    },
}

impl NoProxy {
    /// An empty list: nothing goes direct (but loopback, always).
    pub fn none() -> Self {
        Self::default()
    }

    /// Every destination goes direct (`NO_PROXY=*`).
    pub fn all() -> Self {
        Self {
            all: true,
            entries: Vec::new(),
        }
    }

    /// Parses a comma-separated list.
    pub fn parse(list: &str) -> Self {
        if list.trim() == "*" {
            return Self::all();
        }
        let entries = list.split(',').filter_map(NoProxyEntry::parse).collect();
        Self {
            all: false,
            entries,
        }
    }

    /// Whether a request to `host` (a name, or an IP literal with or without brackets) on `port`
    /// goes direct.
    pub fn matches(&self, host: &str, port: u16) -> bool {
        if self.all {
            return true;
        }
        let host = unbracket(host);
        if let Ok(ip) = host.parse::<IpAddr>() {
            return self.entries.iter().any(|e| match e {
                NoProxyEntry::Network {
                    address,
                    bits,
                    port: p,
                } => p.is_none_or(|p| p == port) && in_network(ip, *address, *bits),
                NoProxyEntry::Name { .. } => false,
            });
        }
        let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
        self.entries.iter().any(|e| match e {
            NoProxyEntry::Name { name, port: p } => {
                p.is_none_or(|p| p == port)
                    && (host == *name
                        || host
                            .strip_suffix(name.as_str())
                            .is_some_and(|head| head.ends_with('.')))
            }
            NoProxyEntry::Network { .. } => false,
        })
    }
}

impl NoProxyEntry {
    fn parse(entry: &str) -> Option<Self> {
        let entry = entry.trim();
        if entry.is_empty() {
            return None;
        }
        // Split off a port: `[v6]:port`, `[v6]/bits`, `name:port`, `v4:port`; an entry with more
        // than one colon and no brackets is an IPv6 address (with its `/bits`), without a port.
        let (host, port) = if let Some(rest) = entry.strip_prefix('[') {
            let (inside, after) = rest.split_once(']')?;
            if let Some(port) = after.strip_prefix(':') {
                (inside.to_owned(), Some(parse_port(port)?))
            } else {
                (format!("{inside}{after}"), None)
            }
        } else {
            match entry.split_once(':') {
                Some((_, rest)) if rest.contains(':') => (entry.to_owned(), None),
                Some((host, port)) => (host.to_owned(), Some(parse_port(port)?)),
                None => (entry.to_owned(), None),
            }
        };
        if let Some((address, bits)) = host.split_once('/') {
            let address: IpAddr = address.parse().ok()?;
            let bits: u8 = bits.parse().ok()?;
            return (bits <= max_bits(address)).then_some(NoProxyEntry::Network {
                address,
                bits,
                port,
            });
        }
        if let Ok(address) = host.parse::<IpAddr>() {
            return Some(NoProxyEntry::Network {
                address,
                bits: max_bits(address),
                port,
            });
        }
        let name = host.strip_suffix('.').unwrap_or(&host);
        let name = name.strip_prefix('.').unwrap_or(name).to_ascii_lowercase();
        (!name.is_empty()).then_some(NoProxyEntry::Name { name, port })
    }
}

fn max_bits(address: IpAddr) -> u8 {
    if address.is_ipv4() { 32 } else { 128 }
}

/// Whether `ip` is in `network/bits`, both of the same family.
fn in_network(ip: IpAddr, network: IpAddr, bits: u8) -> bool {
    let (a, b, width) = match (ip, network) {
        (IpAddr::V4(a), IpAddr::V4(b)) => (u128::from(a.to_bits()), u128::from(b.to_bits()), 32),
        (IpAddr::V6(a), IpAddr::V6(b)) => (a.to_bits(), b.to_bits(), 128),
        _ => return false,
    };
    if bits == 0 {
        return true;
    }
    let shift = width - u32::from(bits);
    (a >> shift) == (b >> shift)
}

/// A proxy setting was refused: a bad proxy URL, from a variable or from the caller. The text never
/// repeats the URL (it may carry a password).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyError {
    variable: Option<&'static str>,
    kind: ProxyErrorKind,
}

/// What was wrong with a proxy setting.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxyErrorKind {
    /// A scheme other than `http`, `https` or socks (shown when it is short plain letters).
    UnsupportedScheme(String),
    /// A socks proxy (`socks4`, `socks4a`, `socks5`, `socks5h`), which this library does not
    /// support yet.
    Socks(String),
    /// No host, or a host that is neither a name nor an IP literal.
    BadHost,
    /// A port that is not a number from 1 to 65535.
    BadPort,
    /// A user or password that is not valid percent-encoded UTF-8, contains control characters,
    /// or a user that contains `:`.
    BadCredentials,
    /// The variable is set but not valid Unicode.
    NotUnicode,
}

impl ProxyError {
    fn in_variable(variable: &'static str, kind: ProxyErrorKind) -> Self {
        Self {
            variable: Some(variable),
            kind,
        }
    }

    fn in_named(mut self, variable: &'static str) -> Self {
        self.variable = Some(variable);
        self
    }

    /// The environment variable the setting came from (`None`: from the caller).
    pub fn variable(&self) -> Option<&'static str> {
        self.variable
    }

    /// What was wrong.
    pub fn kind(&self) -> &ProxyErrorKind {
        &self.kind
    }
}

impl From<ProxyErrorKind> for ProxyError {
    fn from(kind: ProxyErrorKind) -> Self {
        Self {
            variable: None,
            kind,
        }
    }
}

impl fmt::Display for ProxyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.variable {
            Some(name) => write!(f, "the proxy in {name}")?,
            None => f.write_str("the proxy URL")?,
        }
        match &self.kind {
            ProxyErrorKind::UnsupportedScheme(s) => write!(
                f,
                " has scheme {s:?}; use http:// or https://, such as http://proxy.example:3128"
            ),
            ProxyErrorKind::Socks(s) => write!(
                f,
                " is a {s} proxy, which is not supported; use an http:// or https:// proxy"
            ),
            ProxyErrorKind::BadHost => f.write_str(
                " has no valid host; write it as http://[user:password@]host[:port]",
            ),
            ProxyErrorKind::BadPort => f.write_str(" has a port that is not 1 to 65535"),
            ProxyErrorKind::BadCredentials => f.write_str(
                " has a user or password that is not valid percent-encoded UTF-8 (or a user with ':')",
            ),
            ProxyErrorKind::NotUnicode => f.write_str(" is not valid Unicode"),
        }?;
        if self.variable.is_some() {
            f.write_str(" (or turn proxies off: Config::without_proxy, or NO_PROXY=*)")?;
        }
        Ok(())
    }
}

impl std::error::Error for ProxyError {}

/// One row of [`decision_table`]: with the variables `env`, a request to `url` goes through the
/// proxy at `via` (`host:port`), or direct when `via` is `None`.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct DecisionCase {
    /// The variables, `(name, value)`.
    pub env: &'static [(&'static str, &'static str)],
    /// The destination.
    pub url: &'static str,
    /// The proxy's `host:port`, or `None` for direct.
    pub via: Option<&'static str>,
}

impl DecisionCase {
    /// The proxy setting the row's variables make, as [`crate::Config::from_lookup`] reads them.
    pub fn proxy_config(&self) -> ProxyConfig {
        let env = self.env;
        let lookup = move |name: &'static str| -> Result<Option<String>, ()> {
            Ok(env
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned()))
        };
        ProxyConfig::from_lookup(&lookup).unwrap_or_default()
    }
}

/// The decisions both transports must make, as data: the core's tests check
/// [`ProxySettings::route`] against it, and each adapter's tests can run its own transport over it
/// (build `ProxySettings::from_lookup` from `env`, send to `url`, see which way it went). Not
/// part of the stable API.
#[doc(hidden)]
pub fn decision_table() -> &'static [DecisionCase] {
    DECISIONS
}

const P: &[(&str, &str)] = &[("https_proxy", "http://proxy.test:3128")];

macro_rules! case {
    ($env:expr, $url:expr, direct) => {
        DecisionCase {
            env: $env,
            url: $url,
            via: None,
        }
    };
    ($env:expr, $url:expr, $via:expr) => {
        DecisionCase {
            env: $env,
            url: $url,
            via: Some($via),
        }
    };
}

#[rustfmt::skip]
const DECISIONS: &[DecisionCase] = &[
    // Which variable: https destinations.
    case!(&[], "https://api.pinata.cloud", direct),
    case!(P, "https://api.pinata.cloud", "proxy.test:3128"),
    case!(&[("HTTPS_PROXY", "http://upper.test:8080")], "https://api.pinata.cloud", "upper.test:8080"),
    case!(&[("https_proxy", "http://lower.test:1"), ("HTTPS_PROXY", "http://upper.test:2")], "https://api.pinata.cloud", "lower.test:1"),
    case!(&[("https_proxy", ""), ("HTTPS_PROXY", "http://upper.test:2")], "https://api.pinata.cloud", "upper.test:2"),
    case!(&[("all_proxy", "http://all.test:3")], "https://api.pinata.cloud", "all.test:3"),
    case!(&[("ALL_PROXY", "http://all.test:4")], "https://api.pinata.cloud", "all.test:4"),
    case!(&[("all_proxy", "http://lower.test:5"), ("ALL_PROXY", "http://upper.test:6")], "https://api.pinata.cloud", "lower.test:5"),
    case!(&[("HTTPS_PROXY", "http://https.test:7"), ("all_proxy", "http://all.test:8")], "https://api.pinata.cloud", "https.test:7"),
    case!(&[("https_proxy", "proxy.test")], "https://api.pinata.cloud", "proxy.test:1080"),
    case!(&[("https_proxy", "https://proxy.test")], "https://api.pinata.cloud", "proxy.test:443"),
    case!(&[("https_proxy", "http://[fd00::1]:3128")], "https://api.pinata.cloud", "[fd00::1]:3128"),
    // Plain http never goes through a proxy, whatever is set.
    case!(&[("http_proxy", "http://h.test:1"), ("HTTP_PROXY", "http://h.test:2"), ("all_proxy", "http://a.test:3")], "http://files.example:8080", direct),
    case!(P, "http://files.example", direct),
    // Loopback never goes through a proxy, even with no NO_PROXY at all.
    case!(P, "https://localhost:3000", direct),
    case!(P, "https://LOCALHOST.:3000", direct),
    case!(P, "https://127.0.0.1", direct),
    case!(P, "https://127.8.9.10:1", direct),
    case!(P, "https://[::1]:3000", direct),
    case!(P, "https://[::ffff:127.0.0.1]", direct),
    case!(P, "https://localhost.example.com", "proxy.test:3128"),
    // NO_PROXY: lower case wins when both are set.
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "other.test"), ("NO_PROXY", "example.com")], "https://example.com", "proxy.test:3128"),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "example.com"), ("NO_PROXY", "other.test")], "https://example.com", direct),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("NO_PROXY", "example.com")], "https://example.com", direct),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", ""), ("NO_PROXY", "example.com")], "https://example.com", direct),
    // NO_PROXY: names.
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "example.com")], "https://example.com", direct),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "example.com")], "https://a.example.com", direct),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "example.com")], "https://a.b.example.com", direct),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "example.com")], "https://notexample.com", "proxy.test:3128"),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "example.com")], "https://example.com.evil.test", "proxy.test:3128"),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "a.example.com")], "https://example.com", "proxy.test:3128"),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", ".example.com")], "https://a.example.com", direct),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", ".example.com")], "https://example.com", direct),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", ".example.com")], "https://notexample.com", "proxy.test:3128"),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "EXAMPLE.com.")], "https://a.Example.COM", direct),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "example.com")], "https://example.com.", direct),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "*")], "https://anything.test", direct),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", " * ")], "https://10.1.2.3", direct),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "other.test,*")], "https://anything.test", "proxy.test:3128"),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "*.example.com")], "https://a.example.com", "proxy.test:3128"),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", " one.test , ,, example.com ,")], "https://example.com", direct),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", ",,")], "https://example.com", "proxy.test:3128"),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", ".")], "https://example.com", "proxy.test:3128"),
    // NO_PROXY: ports.
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "example.com:8443")], "https://example.com:8443", direct),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "example.com:8443")], "https://example.com", "proxy.test:3128"),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "example.com:443")], "https://a.example.com", direct),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "10.0.0.1:8443")], "https://10.0.0.1:8443", direct),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "10.0.0.1:8443")], "https://10.0.0.1", "proxy.test:3128"),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "[2001:db8::1]:8443")], "https://[2001:db8::1]:8443", direct),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "[2001:db8::1]:8443")], "https://[2001:db8::1]", "proxy.test:3128"),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "example.com:http")], "https://example.com", "proxy.test:3128"),
    // NO_PROXY: addresses and networks.
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "10.1.2.3")], "https://10.1.2.3", direct),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "10.1.2.3")], "https://10.1.2.4", "proxy.test:3128"),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "10.0.0.0/8")], "https://10.200.3.4", direct),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "10.0.0.0/8")], "https://11.0.0.1", "proxy.test:3128"),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "192.168.0.0/16")], "https://192.168.77.1", direct),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "10.0.0.0/33")], "https://10.0.0.0", "proxy.test:3128"),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "0.0.0.0/0")], "https://8.8.8.8", direct),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "10.0.0.0/8")], "https://ten.example", "proxy.test:3128"),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "10.1.2.3")], "https://[::ffff:10.1.2.3]", "proxy.test:3128"),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "2001:db8::1")], "https://[2001:db8::1]", direct),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "[2001:db8::1]")], "https://[2001:db8::1]", direct),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "2001:DB8:0::1")], "https://[2001:db8::1]", direct),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "2001:db8::1")], "https://[2001:db8::2]", "proxy.test:3128"),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "2001:db8::/32")], "https://[2001:db8:ffff::9]", direct),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "2001:db8::/32")], "https://[2001:db9::1]", "proxy.test:3128"),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "[2001:db8::]/32")], "https://[2001:db8::5]", direct),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "fd00::1/128")], "https://[fd00::1]", direct),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "fd00::1/128")], "https://[fd00::2]", "proxy.test:3128"),
    case!(&[("https_proxy", "http://proxy.test:3128"), ("no_proxy", "10.1.2.3")], "https://10.1.2.3.nip.io", "proxy.test:3128"),
];

#[cfg(test)]
mod tests;

//! The network settings: the proxy (`--proxy`, `--no-proxy`, else the curl variables) and extra
//! root certificates (`--ca-cert`, else `PINATA_CA_CERT`), each with where it came from, for the
//! client and for `pinata config show`.

use std::path::Path;

use pinata_ureq::proxy::{ENV_ALL_PROXY, ENV_HTTPS_PROXY};
use pinata_ureq::transport::ProxySettings;
use pinata_ureq::{Proxy, ProxyConfig, RootCertificates};

use crate::exit::{CliError, CliResult};

/// The variable of extra root certificates (a PEM file), below `--ca-cert`.
pub const ENV_CA_CERT: &str = "PINATA_CA_CERT";

/// A PEM file larger than this is refused (a bundle of every public root is about 250 KiB).
const MAX_CA_FILE: u64 = 4 * 1024 * 1024;

/// The proxy setting and how `config show` tells it.
#[derive(Debug, Clone)]
pub struct ProxyChoice {
    /// What the client applies.
    pub config: ProxyConfig,
    /// The proxy as shown (its password masked), or `(none)`.
    pub shown: String,
    /// Where it came from: `flag`, `environment (HTTPS_PROXY)`, `default`.
    pub from: String,
    /// The no-proxy list as given, if any.
    pub no_proxy: Option<String>,
}

/// The proxy: `--no-proxy` turns it off; `--proxy URL` sets it (with the no-proxy variables);
/// else the curl variables, read by the library's own rule ([`ProxySettings::from_lookup`])
/// through `var`.
pub fn resolve_proxy(
    flag: Option<&str>,
    off: bool,
    var: impl Fn(&'static str) -> Option<String>,
) -> CliResult<ProxyChoice> {
    if off {
        return Ok(ProxyChoice {
            config: ProxyConfig::Off,
            shown: "(none)".into(),
            from: "flag (--no-proxy)".into(),
            no_proxy: None,
        });
    }
    let refused = |e: pinata_ureq::ProxyError, from: &str| {
        // The error never repeats the URL (it may hold a password); it names the variable.
        CliError::usage(format!("{e} (from the {from})"))
            .hint("write it as http://[user:password@]host[:port], or pass --no-proxy")
    };
    let lookup = |name| Ok(var(name));
    // With `--proxy`, only the no-proxy list is taken from the environment: a proxy variable it
    // overrides cannot make it fail.
    let env = match flag {
        Some(_) => ProxySettings::from_lookup(&|name| {
            if ENV_HTTPS_PROXY.contains(&name) || ENV_ALL_PROXY.contains(&name) {
                Ok(None)
            } else {
                lookup(name)
            }
        }),
        None => ProxySettings::from_lookup(&lookup),
    }
    .map_err(|e| refused(e, "environment"))?;
    let no_proxy = env.no_proxy_variable().map(|(_, list)| list.to_owned());
    let (proxy, from) = match (flag, env.https_proxy()) {
        (Some(url), _) => (
            Proxy::parse(url).map_err(|e| refused(e, "flag"))?,
            "flag".to_owned(),
        ),
        (None, Some(proxy)) => (
            proxy.clone(),
            format!(
                "environment ({})",
                env.proxy_variable().unwrap_or("the environment")
            ),
        ),
        (None, None) => {
            return Ok(ProxyChoice {
                config: ProxyConfig::Off,
                shown: "(none)".into(),
                from: "default".into(),
                no_proxy,
            });
        }
    };
    Ok(ProxyChoice {
        shown: proxy.to_string(),
        config: ProxyConfig::Explicit {
            proxy,
            no_proxy: env.no_proxy().clone(),
        },
        from,
        no_proxy,
    })
}

/// The extra roots of `--ca-cert FILE`, else of `PINATA_CA_CERT`: the roots and the file with
/// where it came from, or `None`.
pub fn resolve_ca_cert(
    flag: Option<&Path>,
    var: impl Fn(&'static str) -> Option<String>,
) -> CliResult<Option<(RootCertificates, String, &'static str)>> {
    let (path, from) = match flag {
        Some(p) => (p.to_path_buf(), "flag"),
        None => match var(ENV_CA_CERT).filter(|v| !v.is_empty()) {
            Some(p) => (p.into(), "environment"),
            None => return Ok(None),
        },
    };
    let shown = path.display().to_string();
    let refuse = |why: String| {
        CliError::usage(format!(
            "the CA certificate file {shown:?} (from the {from}) {why}"
        ))
        .hint("give a PEM file of one or more -----BEGIN CERTIFICATE----- blocks")
    };
    let len = std::fs::metadata(&path)
        .map_err(|e| refuse(format!("cannot be read: {e}")))?
        .len();
    if len > MAX_CA_FILE {
        return Err(refuse(format!(
            "is larger than {} MiB",
            MAX_CA_FILE / 1024 / 1024
        )));
    }
    let pem = std::fs::read(&path).map_err(|e| refuse(format!("cannot be read: {e}")))?;
    let roots = RootCertificates::from_pem(&pem).map_err(|e| refuse(format!("is refused: {e}")))?;
    Ok(Some((roots, shown, from)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn vars(
        pairs: &'static [(&'static str, &'static str)],
    ) -> impl Fn(&'static str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn the_flag_beats_the_environment_and_no_proxy_beats_both() {
        let env = vars(&[
            ("HTTPS_PROXY", "http://env.example:3128"),
            ("NO_PROXY", "internal.example"),
        ]);
        let from_env = resolve_proxy(None, false, &env).unwrap();
        assert_eq!(from_env.shown, "http://env.example:3128");
        assert_eq!(from_env.from, "environment (HTTPS_PROXY)");
        assert_eq!(from_env.no_proxy.as_deref(), Some("internal.example"));
        let flag = resolve_proxy(Some("http://u:hunter2@flag.example:8080"), false, &env).unwrap();
        // A broken proxy variable the flag overrides does not fail it.
        let broken = vars(&[("HTTPS_PROXY", "socks5://x:1"), ("NO_PROXY", "a.example")]);
        let over = resolve_proxy(Some("http://flag.example:8080"), false, broken).unwrap();
        assert_eq!(over.no_proxy.as_deref(), Some("a.example"));
        assert_eq!(flag.shown, "http://u:***@flag.example:8080");
        assert_eq!(flag.from, "flag");
        let off = resolve_proxy(Some("http://flag.example"), true, &env).unwrap();
        assert_eq!(off.config, ProxyConfig::Off);
        let none = resolve_proxy(None, false, vars(&[])).unwrap();
        assert_eq!(
            (none.config, none.from.as_str()),
            (ProxyConfig::Off, "default")
        );
    }

    #[test]
    fn a_bad_proxy_is_a_usage_error_that_never_repeats_the_password() {
        let env = vars(&[("https_proxy", "socks5://u:hunter2@proxy.example:1080")]);
        let err = resolve_proxy(None, false, env).unwrap_err().to_string();
        assert!(err.contains("https_proxy"), "{err}");
        assert!(err.contains("socks5"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn a_ca_file_is_read_or_refused_naming_it() {
        let dir = std::env::temp_dir().join(format!("pinata-cli-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("root.pem");
        std::fs::write(&good, include_str!("../../pinata-core/tests/data/root.pem")).unwrap();
        let (roots, shown, from) = resolve_ca_cert(Some(&good), vars(&[])).unwrap().unwrap();
        assert_eq!((roots.len(), from), (1, "flag"));
        assert_eq!(shown, good.display().to_string());
        let bad = dir.join("bad.pem");
        std::fs::write(&bad, "not a certificate").unwrap();
        let err = resolve_ca_cert(Some(&bad), vars(&[]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("bad.pem"), "{err}");
        assert!(
            err.contains("no -----BEGIN CERTIFICATE----- block"),
            "{err}"
        );
        let missing = dir.join("missing.pem");
        let err = resolve_ca_cert(Some(&missing), vars(&[]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("cannot be read"), "{err}");
        assert!(resolve_ca_cert(None, vars(&[])).unwrap().is_none());
        let _ = std::fs::remove_dir_all(dir);
    }
}

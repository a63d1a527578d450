//! Behind a proxy: `https://` requests through a `CONNECT` tunnel to an emulator serving HTTPS
//! for `pinata.test`, a name that resolves nowhere, so only the tunnel reaches it. What the proxy
//! sees (host and port, its own credentials), what it does not (the API credentials), `NO_PROXY`,
//! refusals naming the proxy, a TLS-inspecting proxy trusted through an extra root, and a root
//! that is not trusted.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::OnceLock;

use super::*;
use crate::connect_proxy::{ConnectProxy, INSPECTING_ROOT_PEM, Mode, Rules};
use pinata_core::{NoProxy, Proxy, ProxyStep, RootCertificates};
use pinata_emulator::{Emulator, EmulatorConfig, EmulatorHandle, TlsConfig};

const HOST: &str = "pinata.test";
const PROXY_USER: &str = "alice";
const PROXY_PASSWORD: &str = "proxy p@ss";

/// An emulator serving HTTPS with a certificate for `pinata.test`, for every proxy case.
fn https_emulator() -> &'static EmulatorHandle {
    static EMULATOR: OnceLock<EmulatorHandle> = OnceLock::new();
    EMULATOR.get_or_init(|| {
        Emulator::spawn(EmulatorConfig {
            tls: Some(TlsConfig::SelfSigned {
                names: vec![HOST.to_owned()],
            }),
            ..EmulatorConfig::default()
        })
        .expect("the HTTPS emulator starts")
    })
}

/// A plain-http emulator behind the inspecting proxy.
fn plain_emulator() -> &'static EmulatorHandle {
    static EMULATOR: OnceLock<EmulatorHandle> = OnceLock::new();
    EMULATOR.get_or_init(|| Emulator::spawn(EmulatorConfig::default()).expect("starts"))
}

fn addr_of(url: &str) -> SocketAddr {
    let authority = url.split("://").nth(1).unwrap();
    authority.parse().unwrap()
}

/// A proxy mapping `pinata.test:443` to `emulator`, wanting `alice`'s password.
fn proxy_to(emulator: &EmulatorHandle, mode: Mode) -> ConnectProxy {
    ConnectProxy::start(Rules {
        routes: HashMap::from([(format!("{HOST}:443"), addr_of(emulator.url()))]),
        credentials: Some(format!("{PROXY_USER}:{PROXY_PASSWORD}")),
        mode,
    })
}

/// `http://alice:proxy%20p%40ss@127.0.0.1:PORT`, or with `password` instead.
fn proxy_url(proxy: &ConnectProxy, password: &str) -> Proxy {
    let password = password
        .replace('%', "%25")
        .replace(' ', "%20")
        .replace('@', "%40");
    Proxy::parse(&proxy.url(Some(&format!("{PROXY_USER}:{password}")))).unwrap()
}

/// A client config for `https://pinata.test` through `proxy`, trusting `roots` alone.
fn config_via(proxy: Proxy, no_proxy: NoProxy, roots_pem: &str) -> Config {
    Config::default()
        .with_base_url(&format!("https://{HOST}"))
        .unwrap()
        .with_proxy(proxy, no_proxy)
        .with_root_certificates(
            RootCertificates::from_pem(roots_pem.as_bytes())
                .unwrap()
                .only(),
        )
        .with_retry_policy(pinata_core::retry::RetryPolicy::default().max_attempts(1))
}

fn admin(emulator: &EmulatorHandle) -> Credentials {
    Credentials::jwt(emulator.admin().jwt.clone()).unwrap()
}

/// Through a tunnel: the call succeeds, the proxy was asked for `pinata.test:443` with its own
/// credentials and nothing else (no API credential, no path), and saw only ciphertext.
pub fn a_proxy_tunnels_https_and_sees_only_host_and_port<D: Driver>(driver: &D) {
    let emulator = https_emulator();
    let proxy = proxy_to(emulator, Mode::Tunnel);
    let pem = emulator.certificate_pem().unwrap();
    let config = config_via(proxy_url(&proxy, PROXY_PASSWORD), NoProxy::none(), pem);
    let ok = driver.test_authentication(admin(emulator), config).unwrap();
    assert_eq!(ok.message, WELCOME);
    let connects = proxy.connects();
    assert_eq!(connects.len(), 1, "{connects:#?}");
    let connect = &connects[0];
    assert_eq!(connect.target, "pinata.test:443");
    assert_eq!(connect.status, 200);
    assert_eq!(
        connect.credentials.as_deref(),
        Some("alice:proxy p@ss"),
        "the proxy's own credentials reach it, percent-decoded"
    );
    let head = connect.head.to_ascii_lowercase();
    assert!(!head.contains("authorization: bearer"), "{head}");
    assert!(!head.contains(&emulator.admin().jwt.to_ascii_lowercase()));
    assert!(!head.contains("/data/testauthentication"), "{head}");
}

/// A TLS-inspecting proxy, trusted through its root: it decrypts the tunnel, and what the
/// client sent inside carries the API credential for the destination but not the proxy's
/// credentials, which went to the proxy alone.
pub fn an_inspecting_proxy_is_trusted_through_an_extra_root<D: Driver>(driver: &D) {
    let emulator = plain_emulator();
    let proxy = proxy_to(emulator, Mode::Inspect);
    let config = config_via(
        proxy_url(&proxy, PROXY_PASSWORD),
        NoProxy::none(),
        INSPECTING_ROOT_PEM,
    );
    let ok = driver.test_authentication(admin(emulator), config).unwrap();
    assert_eq!(ok.message, WELCOME);
    let inside = proxy.decrypted();
    assert!(
        inside.starts_with("GET /data/testAuthentication HTTP/1.1\r\n"),
        "{inside}"
    );
    let lower = inside.to_ascii_lowercase();
    assert!(lower.contains("authorization: bearer "), "{inside}");
    assert!(!lower.contains("proxy-authorization"), "{inside}");
    assert!(!inside.contains(PROXY_PASSWORD));
}

/// `NO_PROXY` matching the destination sends it direct: the proxy is not asked, and the name,
/// which resolves nowhere, fails to resolve.
pub fn no_proxy_bypasses_the_proxy<D: Driver>(driver: &D) {
    let emulator = https_emulator();
    let proxy = proxy_to(emulator, Mode::Tunnel);
    let pem = emulator.certificate_pem().unwrap();
    for list in [".test", "pinata.test", "*"] {
        let config = config_via(proxy_url(&proxy, PROXY_PASSWORD), NoProxy::parse(list), pem);
        let err = driver
            .test_authentication(admin(emulator), config)
            .unwrap_err();
        let Error::Transport(t) = &err else {
            panic!("{list}: {err:?}")
        };
        assert_eq!(t.kind(), TransportErrorKind::Connect, "{list}: {err}");
        assert_eq!(
            t.why(),
            Some(pinata_core::transport::TransportCause::NameNotResolved),
            "{list}: {err}"
        );
    }
    assert!(proxy.connects().is_empty(), "{:#?}", proxy.connects());
}

/// The proxy's refusals, as the user reads them: which proxy, which step, the status, that
/// nothing was sent; never the proxy's password.
pub fn a_proxy_refusal_names_the_proxy<D: Driver>(driver: &D) {
    let emulator = https_emulator();
    let pem = emulator.certificate_pem().unwrap();
    let proxy = proxy_to(emulator, Mode::Tunnel);
    let at = proxy.addr;

    let wrong = config_via(proxy_url(&proxy, "wrong s3cret"), NoProxy::none(), pem);
    let err = driver
        .test_authentication(admin(emulator), wrong)
        .unwrap_err();
    let failure = expect_proxy_failure(&err, ProxyStep::Refused { status: Some(407) });
    assert_eq!(failure, at.to_string());
    assert_eq!(
        err.to_string(),
        format!(
            "the proxy at {at} refused the tunnel to pinata.test:443 (the API origin): 407 Proxy \
             Authentication Required (give the proxy's user and password in its URL: \
             http://user:password@host:port); nothing was sent"
        )
    );
    for shown in [err.to_string(), format!("{err:?}"), format!("{err:#}")] {
        assert!(!shown.contains("wrong s3cret"), "{shown}");
        assert!(!shown.contains("wrong%20s3cret"), "{shown}");
    }

    // A destination the proxy does not allow.
    let elsewhere = Config::default()
        .with_base_url("https://not-allowed.test")
        .unwrap()
        .with_proxy(proxy_url(&proxy, PROXY_PASSWORD), NoProxy::none())
        .with_retry_policy(pinata_core::retry::RetryPolicy::default().max_attempts(1));
    let err = driver
        .test_authentication(admin(emulator), elsewhere)
        .unwrap_err();
    expect_proxy_failure(&err, ProxyStep::Refused { status: Some(403) });
    assert!(err.to_string().contains("403 Forbidden"), "{err}");

    // No proxy listening there.
    let closed = addr_of(&closed_port_url());
    let nowhere = Proxy::parse(&format!("http://{closed}")).unwrap();
    let err = driver
        .test_authentication(admin(emulator), config_via(nowhere, NoProxy::none(), pem))
        .unwrap_err();
    expect_proxy_failure(&err, ProxyStep::Unreachable);
    assert_eq!(
        err.to_string(),
        format!(
            "could not reach the proxy at {closed} to pinata.test:443 (the API origin): \
             connection refused; nothing was sent"
        )
    );
}

/// The emulator's certificate is not signed by a root the client trusts: a TLS error naming the
/// destination, through the tunnel as without one.
pub fn an_untrusted_root_through_a_proxy_is_a_tls_error<D: Driver>(driver: &D) {
    let emulator = https_emulator();
    let proxy = proxy_to(emulator, Mode::Tunnel);
    // The inspecting proxy's root does not sign the emulator's certificate.
    let config = config_via(
        proxy_url(&proxy, PROXY_PASSWORD),
        NoProxy::none(),
        INSPECTING_ROOT_PEM,
    );
    let err = driver
        .test_authentication(admin(emulator), config)
        .unwrap_err();
    let Error::Transport(t) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(t.kind(), TransportErrorKind::Tls, "{err:#}");
    assert!(!t.may_have_been_sent());
    assert!(
        err.to_string()
            .starts_with("TLS handshake with pinata.test:443 (the API origin) failed"),
        "{err}"
    );
    assert_eq!(proxy.connects().len(), 1, "the tunnel was set up first");
}

/// The proxy failure of `err`, at `step`: its proxy (`host:port`).
fn expect_proxy_failure(err: &Error, step: ProxyStep) -> String {
    let Error::Transport(t) = err else {
        panic!("not a transport error: {err:?}")
    };
    assert_eq!(t.kind(), TransportErrorKind::Proxy, "{err:#}");
    assert!(!t.may_have_been_sent());
    assert!(!err.is_transient() || step == ProxyStep::Unreachable);
    let failure = t.proxy_failure().expect("a ProxyFailure among the causes");
    assert_eq!(failure.step(), step, "{err:#}");
    failure.proxy().to_owned()
}

/// An emulator serving HTTPS on `127.0.0.1`.
fn https_loopback_emulator() -> &'static EmulatorHandle {
    static EMULATOR: OnceLock<EmulatorHandle> = OnceLock::new();
    EMULATOR.get_or_init(|| {
        Emulator::spawn(EmulatorConfig {
            tls: Some(TlsConfig::SelfSigned {
                names: vec!["127.0.0.1".to_owned()],
            }),
            ..EmulatorConfig::default()
        })
        .expect("the HTTPS emulator starts")
    })
}

/// Over HTTPS, the URLs the emulator makes for a client are `https://` too: a signed upload URL,
/// used by a client without credentials, and a resumable upload's `Location`, which the chunks
/// follow (the official SDK found both written `http://`).
pub fn an_https_emulator_makes_https_urls<D: Driver>(driver: &D) {
    use pinata_core::api::Network;
    use pinata_core::api::signed::CreateSignedUploadUrl;
    let emulator = https_loopback_emulator();
    let pem = emulator.certificate_pem().unwrap();
    let config = Config::for_emulator(emulator.url())
        .unwrap()
        .with_root_certificates(RootCertificates::from_pem(pem.as_bytes()).unwrap().only());
    let url = driver
        .execute(
            admin(emulator),
            config.clone(),
            &CreateSignedUploadUrl::new(Network::Public, Duration::from_secs(120)).unwrap(),
        )
        .unwrap();
    assert!(url.as_str().starts_with("https://127.0.0.1:"), "{url:?}");
    let nobody = Credentials::key_pair("0123456789abcdef0123", "c0ffee".repeat(10)).unwrap();
    let bytes = b"over https, through a signed URL".to_vec();
    let upload = pinata_core::api::uploads::UploadFile::bytes("signed.txt", bytes)
        .unwrap()
        .to_signed_url(url);
    let up = driver
        .execute_upload(nobody, config.clone(), &upload)
        .unwrap();
    assert!(up.cid.starts_with("baf"), "{}", up.cid);
    // Resumable: the smallest chunks, three of them and a bit.
    let chunk = pinata_core::tus::MIN_TUS_CHUNK;
    let dir = crate::scratch::Scratch::new("https-tus");
    let path = dir.write("big.bin", &vec![7u8; (3 * chunk + 7) as usize]);
    let tus = config
        .with_tus_threshold(chunk)
        .with_tus_chunk_size(chunk)
        .unwrap();
    let upload = driver.upload_request(&path).unwrap().verify_cid(true);
    let (up, _) = driver
        .upload_resumable(admin(emulator), tus, &upload)
        .unwrap();
    assert!(up.cid.starts_with("baf"), "{}", up.cid);
}

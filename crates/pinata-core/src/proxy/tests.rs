use super::*;

/// `(name, value)` pairs as a lookup.
fn env(
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
fn the_decision_table_holds() {
    for case in decision_table() {
        let settings = ProxySettings::from_lookup(&env(case.env)).unwrap();
        let uri: http::Uri = case.url.parse().unwrap();
        let route = settings.route_uri(&uri);
        let via = match route {
            Route::Tunnel(proxy) => Some(proxy.authority()),
            Route::Direct => None,
        };
        assert_eq!(via.as_deref(), case.via, "{case:?}");
    }
}

#[test]
fn no_proxy_table() {
    #[rustfmt::skip]
    let table: &[(&str, &str, u16, bool)] = &[
        // (list, host, port, goes direct)
        ("example.com", "example.com", 443, true),
        ("example.com", "a.example.com", 443, true),
        ("example.com", "notexample.com", 443, false),
        ("example.com", "xample.com", 443, false),
        ("example.com", "com", 443, false),
        (".example.com", "example.com", 443, true),
        (".example.com", "sub.example.com", 443, true),
        (".example.com", "notexample.com", 443, false),
        ("example.com.", "example.com", 443, true),
        ("example.com", "EXAMPLE.COM.", 443, true),
        ("ExAmPlE.CoM", "www.example.com", 443, true),
        ("  example.com  ", "example.com", 443, true),
        ("a.test,\texample.com", "example.com", 443, true),
        ("a.test example.com", "example.com", 443, false),
        ("", "example.com", 443, false),
        (",", "example.com", 443, false),
        ("*", "example.com", 1, true),
        ("*", "10.0.0.1", 1, true),
        ("*", "::1", 1, true),
        ("*,a.test", "example.com", 443, false),
        ("example.com:8443", "example.com", 8443, true),
        ("example.com:8443", "example.com", 443, false),
        ("example.com:99999", "example.com", 443, false),
        ("example.com:", "example.com", 443, false),
        ("10.0.0.1", "10.0.0.1", 443, true),
        ("10.0.0.1", "10.0.0.10", 443, false),
        ("10.0.0.0/8", "10.9.9.9", 443, true),
        ("10.0.0.0/8", "9.255.255.255", 443, false),
        ("10.0.0.0/8", "ten.example", 443, false),
        ("10.1.0.0/16", "10.1.255.1", 443, true),
        ("10.0.0.1/32", "10.0.0.1", 443, true),
        ("10.0.0.1/32", "10.0.0.2", 443, false),
        ("10.0.0.0/40", "10.0.0.0", 443, false),
        ("10.0.0.0/x", "10.0.0.0", 443, false),
        ("::1", "::1", 443, true),
        ("::1", "[::1]", 443, true),
        ("[::1]", "::1", 443, true),
        ("[::1]", "[::1]", 443, true),
        ("::1/128", "::1", 443, true),
        ("::1/128", "::2", 443, false),
        ("fe80::/10", "[fe80::1234]", 443, true),
        ("fe80::/10", "[fec0::1]", 443, false),
        ("[fe80::]/10", "fe80::1", 443, true),
        ("[::1]:8443", "::1", 8443, true),
        ("[::1]:8443", "::1", 443, false),
        ("::/0", "2001:db8::1", 443, true),
        ("::/0", "10.0.0.1", 443, false),
        ("10.0.0.1", "::ffff:10.0.0.1", 443, false),
        ("example.com", "10.0.0.1", 443, false),
    ];
    for &(list, host, port, direct) in table {
        assert_eq!(
            NoProxy::parse(list).matches(host, port),
            direct,
            "NO_PROXY={list:?} {host}:{port}"
        );
    }
}

#[test]
fn proxy_urls_parse_as_curl_reads_them() {
    let p = Proxy::parse("http://user:p%40ss%3Aw0rd@proxy.corp:3128").unwrap();
    assert_eq!(
        (p.scheme(), p.host(), p.port()),
        (ProxyScheme::Http, "proxy.corp", 3128)
    );
    let c = p.credentials().unwrap();
    assert_eq!(
        (c.user(), c.password().expose_secret()),
        ("user", "p@ss:w0rd")
    );

    let p = Proxy::parse("proxy.corp").unwrap();
    assert_eq!(
        (p.scheme(), p.port(), p.credentials()),
        (ProxyScheme::Http, DEFAULT_HTTP_PROXY_PORT, None)
    );
    assert_eq!(
        Proxy::parse("HTTPS://proxy.corp/").unwrap().port(),
        DEFAULT_HTTPS_PROXY_PORT
    );
    assert_eq!(
        Proxy::parse("http://proxy.corp:/ignored/path")
            .unwrap()
            .port(),
        1080
    );
    let v6 = Proxy::parse("http://[fd00::1]:8080").unwrap();
    assert_eq!(
        (v6.host(), v6.authority().as_str()),
        ("fd00::1", "[fd00::1]:8080")
    );
    let only_user = Proxy::parse("http://alice@proxy.corp:1").unwrap();
    assert_eq!(
        only_user.credentials().unwrap().password().expose_secret(),
        ""
    );
    assert_eq!(only_user.to_string(), "http://alice:***@proxy.corp:1");

    let kind = |url: &str| Proxy::parse(url).unwrap_err().kind().clone();
    assert_eq!(
        kind("socks5h://localhost:1080"),
        ProxyErrorKind::Socks("socks5h".into())
    );
    assert_eq!(kind("SOCKS5://x"), ProxyErrorKind::Socks("socks5".into()));
    assert_eq!(
        kind("ftp://x"),
        ProxyErrorKind::UnsupportedScheme("ftp".into())
    );
    assert_eq!(
        kind("f%p://x"),
        ProxyErrorKind::UnsupportedScheme("(not shown)".into())
    );
    for bad in [
        "",
        "http://",
        "http://:3128",
        "http://user:pw@",
        "http://a b",
        "http://[fd00::1",
        "http://[zz]:1",
        "http://a:b:c",
    ] {
        assert_eq!(kind(bad), ProxyErrorKind::BadHost, "{bad:?}");
    }
    for bad in [
        "http://h:0",
        "http://h:65536",
        "http://h:+80",
        "http://h:8o",
    ] {
        assert_eq!(kind(bad), ProxyErrorKind::BadPort, "{bad:?}");
    }
    for bad in [
        "http://u:%zz@h",
        "http://u:%ff@h",
        "http://a%3Ab:pw@h",
        "http://u:a%0Ab@h",
        "http://u:%4@h",
    ] {
        assert_eq!(kind(bad), ProxyErrorKind::BadCredentials, "{bad:?}");
    }
}

#[test]
fn the_password_is_never_shown() {
    let p = Proxy::parse("http://bob:hunter2-%2Fsecret@proxy.corp:3128").unwrap();
    assert_eq!(p.to_string(), "http://bob:***@proxy.corp:3128");
    assert_eq!(format!("{p:?}"), "Proxy(http://bob:***@proxy.corp:3128)");
    let shown = format!(
        "{p} {p:?} {:?} {:?} {:?}",
        p.credentials(),
        ProxyConfig::Explicit {
            proxy: p.clone(),
            no_proxy: NoProxy::none()
        },
        ProxySettings::new(p.clone(), NoProxy::none()),
    );
    assert!(!shown.contains("hunter2"), "{shown}");
    let config = crate::Config::default().with_proxy(p.clone(), NoProxy::none());
    assert!(!format!("{config:?}").contains("hunter2"));
    // Errors never repeat the URL.
    for leaky in [
        "ftp://bob:hunter2@proxy",
        "socks5://bob:hunter2@proxy",
        "http://bob:hunter2@",
        "http://bob:hunter2@proxy:99999",
        "http://bob:hunter2%zz@proxy",
        "http://bob:hunter2@pro xy",
        "http:/bob:hunter2@proxy",
    ] {
        let e = Proxy::parse(leaky).unwrap_err();
        let text = format!("{e} {e:?} {}", crate::ConfigError::Proxy(e.clone()));
        assert!(!text.contains("hunter2"), "{leaky}: {text}");
    }
}

#[test]
fn authorization_is_basic_and_sensitive() {
    let p = Proxy::parse("http://Aladdin:open%20sesame@proxy.corp").unwrap();
    let value = p.authorization().unwrap();
    assert_eq!(value, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    assert!(value.is_sensitive());
    assert_eq!(
        Proxy::parse("http://proxy.corp").unwrap().authorization(),
        None
    );
    assert!(ProxyCredentials::new("a:b", "x").is_err());
}

#[test]
fn environment_errors_name_their_variable() {
    let e =
        ProxySettings::from_lookup(&env(&[("HTTPS_PROXY", "socks5://bob:hunter2@x")])).unwrap_err();
    assert_eq!(e.variable(), Some("HTTPS_PROXY"));
    let text = e.to_string();
    assert!(
        text.starts_with("the proxy in HTTPS_PROXY is a socks5 proxy"),
        "{text}"
    );
    assert!(!text.contains("hunter2"));
    let e = ProxySettings::from_lookup(&env(&[("all_proxy", "http://:1")])).unwrap_err();
    assert_eq!(
        (e.variable(), e.kind()),
        (Some("all_proxy"), &ProxyErrorKind::BadHost)
    );
    // A bad all_proxy is not read when https_proxy is set (curl stops at the first it finds).
    assert!(
        ProxySettings::from_lookup(&env(&[
            ("https_proxy", "http://p:1"),
            ("all_proxy", "socks5://x")
        ]))
        .is_ok()
    );
    // http_proxy is never read: a value meant for other programs cannot fail a client.
    assert!(
        ProxySettings::from_lookup(&env(&[("http_proxy", "socks5://x"), ("HTTP_PROXY", "::")]))
            .is_ok()
    );
    let not_unicode =
        |name: &'static str| move |n: &'static str| if n == name { Err(()) } else { Ok(None) };
    let e = ProxySettings::from_lookup(&not_unicode("no_proxy")).unwrap_err();
    assert_eq!(
        (e.variable(), e.kind()),
        (Some("no_proxy"), &ProxyErrorKind::NotUnicode)
    );
    // The words a transport will report, naming the variable.
    let e = ProxySettings::from_lookup(&env(&[("https_proxy", "gopher://x")])).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the proxy in https_proxy has scheme \"gopher\"; use http:// or https://, such as http://proxy.example:3128 (or turn proxies off: Config::without_proxy, or NO_PROXY=*)"
    );
    // Config::from_lookup does not fail on it while the transports do not apply proxies: the
    // setting stays to be read (and reported) when a transport resolves it.
    let c = crate::Config::from_lookup(env(&[("https_proxy", "gopher://x")])).unwrap();
    assert_eq!(c.proxy(), &ProxyConfig::FromEnvironment);
}

#[test]
fn config_reads_the_environment_once_and_explicit_settings_win() {
    let https = |c: &crate::Config| {
        let settings = c.proxy().resolve().unwrap();
        match settings.route(&Scheme::HTTPS, "api.pinata.cloud", 443) {
            Route::Tunnel(p) => Some(p.authority()),
            Route::Direct => None,
        }
    };
    let from_env = crate::Config::from_lookup(env(&[
        ("https_proxy", "http://env.test:3128"),
        ("no_proxy", "example.com"),
    ]))
    .unwrap();
    assert_eq!(
        from_env.proxy(),
        &ProxyConfig::Explicit {
            proxy: Proxy::parse("http://env.test:3128").unwrap(),
            no_proxy: NoProxy::parse("example.com")
        }
    );
    assert_eq!(https(&from_env).as_deref(), Some("env.test:3128"));
    // No proxy variable: Off, and the process environment is not read later.
    let none = crate::Config::from_lookup(env(&[("no_proxy", "example.com")])).unwrap();
    assert_eq!(none.proxy(), &ProxyConfig::Off);
    // An explicit proxy overrides the environment; without_proxy turns it off.
    let explicit = from_env
        .clone()
        .with_proxy(Proxy::parse("http://mine.test:1").unwrap(), NoProxy::none());
    assert_eq!(https(&explicit).as_deref(), Some("mine.test:1"));
    assert_eq!(https(&from_env.clone().without_proxy()), None);
    assert_eq!(
        crate::Config::default().proxy(),
        &ProxyConfig::FromEnvironment
    );
    // Off and explicit settings never route loopback or plain http through the proxy.
    let settings = explicit.proxy().resolve().unwrap();
    assert_eq!(
        settings.route(&Scheme::HTTPS, "localhost", 3000),
        Route::Direct
    );
    assert_eq!(settings.route(&Scheme::HTTPS, "[::1]", 3000), Route::Direct);
    assert_eq!(
        settings.route(&Scheme::HTTP, "files.example", 80),
        Route::Direct
    );
    assert_eq!(
        ProxySettings::off().route(&Scheme::HTTPS, "example.com", 443),
        Route::Direct
    );
    assert_eq!(
        ProxySettings::new(Proxy::parse("p").unwrap(), NoProxy::all()).route(
            &Scheme::HTTPS,
            "example.com",
            443
        ),
        Route::Direct
    );
}

#[test]
fn errors_from_an_echoing_server_lose_the_proxy_password() {
    let credentials = crate::Credentials::key_pair("0123456789abcdef0123", "pair-secret").unwrap();
    let proxy = Proxy::parse("http://bob:hunter2-proxy-pw@proxy.corp:3128").unwrap();
    let token = proxy
        .authorization()
        .unwrap()
        .to_str()
        .unwrap()
        .trim_start_matches("Basic ")
        .to_owned();
    let config = crate::Config::default().with_proxy(proxy, NoProxy::none());
    let body = format!(r#"{{"error":"echo hunter2-proxy-pw and {token}"}}"#);
    let response = http::Response::builder()
        .status(400)
        .body(bytes::Bytes::from(body))
        .unwrap();
    let e = crate::interpret_response(
        &crate::api::TestAuthentication,
        &crate::Body::Empty,
        response,
    )
    .unwrap_err()
    .redact_client_secrets(&credentials, &config);
    let text = format!("{e} {e:?}");
    assert!(!text.contains("hunter2"), "{text}");
    assert!(!text.contains(&token), "{text}");
    assert!(text.contains("[REDACTED]"), "{text}");
}

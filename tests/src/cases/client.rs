//! What the client refuses before sending, and the transport faults it reports.

use super::*;

// ---- what the client refuses or survives ------------------------------------------------------

/// Bad credentials never get as far as a client.
pub fn bad_credentials_are_refused_at_construction<D: Driver>(_d: &D) {
    assert_eq!(
        Credentials::jwt("Bearer eyJ.eyJ.sig").unwrap_err(),
        CredentialsError::BearerPrefix
    );
    assert!(matches!(
        Credentials::jwt("not-a-jwt"),
        Err(CredentialsError::MalformedJwt(_))
    ));
    let e: Error = Credentials::key_pair("key", "secret with space")
        .unwrap_err()
        .into();
    assert!(matches!(e, Error::Build(BuildError::Credentials(_))));
    assert!(!e.to_string().contains("secret with space"));
}

/// Plain http to a host that is not loopback is refused before any connection.
pub fn plain_http_to_remote_host_is_refused<D: Driver>(d: &D) {
    // `.invalid` never resolves, so even a broken check could not reach anyone.
    let config = Config::default()
        .with_base_url("http://pinata-e2e.invalid")
        .unwrap();
    match d.test_authentication(target().good.clone(), config) {
        Err(Error::Build(BuildError::InsecureHttp { host })) => {
            assert_eq!(host, "pinata-e2e.invalid")
        }
        other => panic!("expected InsecureHttp, got {other:?}"),
    }
}

/// A base URL with a host name (not an IP literal) is looked up and works: the ureq adapter looks
/// names up through its own resolver, the hyper one through hyper-util's.
pub fn a_host_name_is_looked_up<D: Driver>(d: &D) {
    let t = target();
    if t.emulator("a_host_name_is_looked_up").is_none() {
        return;
    }
    let Some(by_name) = t.url.strip_prefix("http://127.0.0.1:") else {
        panic!("the emulator listens on 127.0.0.1, got {}", t.url);
    };
    let config = Config::default()
        .with_base_url(&format!("http://localhost:{by_name}"))
        .unwrap();
    let ok = d.test_authentication(t.good.clone(), config);
    assert!(ok.is_ok(), "{ok:?}");
}

/// A redirect is reported, not followed: the credentials never reach the other origin.
pub fn redirect_is_not_followed<D: Driver>(d: &D) {
    let elsewhere = FakeServer::start(Some(
        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}".to_vec(),
    ));
    let redirect = format!(
        "HTTP/1.1 307 Temporary Redirect\r\nlocation: {}/data/testAuthentication\r\ncontent-length: 0\r\n\r\n",
        elsewhere.url
    );
    let server = FakeServer::start(Some(redirect.into_bytes()));
    let config = Config::default().with_base_url(&server.url).unwrap();
    let creds = Credentials::key_pair("0123456789abcdef0123", "c0ffee".repeat(10)).unwrap();
    match d.test_authentication(creds, config) {
        Err(Error::Redirect(r)) => {
            assert_eq!(r.status(), StatusCode::TEMPORARY_REDIRECT);
            assert!(r.location().unwrap().starts_with(&elsewhere.url));
        }
        other => panic!("expected a redirect error, got {other:?}"),
    }
    assert_eq!(server.connections(), 1);
    assert!(server.requests()[0].contains("pinata_secret_api_key"));
    assert_eq!(
        elsewhere.connections(),
        0,
        "the redirect target was contacted"
    );
}

/// Nothing listening: a connect error that says nothing was sent.
pub fn connection_refused_is_a_connect_error<D: Driver>(d: &D) {
    let config = Config::default().with_base_url(&closed_port_url()).unwrap();
    match d.test_authentication(target().good.clone(), config) {
        Err(Error::Transport(e)) => {
            assert_eq!(e.kind(), TransportErrorKind::Connect, "{e}");
            assert!(!e.may_have_been_sent());
        }
        other => panic!("expected a connect error, got {other:?}"),
    }
}

/// A server that does not speak TLS on an https URL: a TLS error, nothing sent.
pub fn tls_handshake_failure_is_a_tls_error<D: Driver>(d: &D) {
    let server = FakeServer::with(Behaviour::Greet(
        b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n".to_vec(),
    ));
    let https = server.url.replacen("http://", "https://", 1);
    let config = Config::default().with_base_url(&https).unwrap();
    match d.test_authentication(target().good.clone(), config) {
        Err(Error::Transport(e)) => {
            assert_eq!(e.kind(), TransportErrorKind::Tls, "{e}");
            assert!(!e.may_have_been_sent());
        }
        other => panic!("expected a TLS error, got {other:?}"),
    }
}

/// A server that accepts the connection but never answers the TLS handshake: the connect timeout
/// (which covers TCP and TLS) fires, and nothing was sent.
pub fn stalled_tls_handshake_is_a_connect_timeout<D: Driver>(d: &D) {
    let server = FakeServer::start(None);
    let https = server.url.replacen("http://", "https://", 1);
    let options = TransportOptions {
        connect_timeout: Duration::from_millis(300),
        request_timeout: Duration::from_secs(20),
        ..TransportOptions::default()
    };
    let config = Config::default()
        .with_base_url(&https)
        .unwrap()
        .with_transport_options(options);
    let started = Instant::now();
    match d.test_authentication(target().good.clone(), config) {
        Err(Error::Transport(e)) => {
            assert_eq!(e.kind(), TransportErrorKind::Connect, "{e}");
            assert!(!e.may_have_been_sent());
        }
        other => panic!("expected a connect timeout, got {other:?}"),
    }
    // Not a performance figure: a guard that the connect timeout, not the 20 s request timeout,
    // ended the call.
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// A server that never answers: the request timeout fires.
pub fn silent_server_times_out<D: Driver>(d: &D) {
    let server = FakeServer::start(None);
    let options = TransportOptions {
        request_timeout: Duration::from_millis(300),
        ..TransportOptions::default()
    };
    let config = Config::default()
        .with_base_url(&server.url)
        .unwrap()
        .with_transport_options(options);
    let started = Instant::now();
    match d.test_authentication(target().good.clone(), config) {
        Err(Error::Transport(e)) => {
            assert_eq!(e.kind(), TransportErrorKind::Timeout, "{e}");
            assert!(e.may_have_been_sent());
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    // Not a performance figure: a guard that the 300 ms timeout, not some default, ended the call.
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// A response larger than the cap is refused, whether its length is declared or not.
pub fn oversized_response_is_refused<D: Driver>(d: &D) {
    let big = "x".repeat(64 * 1024);
    let declared = format!(
        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{big}",
        big.len()
    );
    let chunked = format!(
        "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n{:x}\r\n{big}\r\n0\r\n\r\n",
        big.len()
    );
    for raw in [declared, chunked] {
        let server = FakeServer::start(Some(raw.into_bytes()));
        let options = TransportOptions {
            max_response_body: 1024,
            ..TransportOptions::default()
        };
        let config = Config::default()
            .with_base_url(&server.url)
            .unwrap()
            .with_transport_options(options);
        match d.test_authentication(target().good.clone(), config) {
            Err(Error::Transport(e)) => {
                assert_eq!(e.kind(), TransportErrorKind::BodyTooLarge, "{e}")
            }
            other => panic!("expected BodyTooLarge, got {other:?}"),
        }
    }
}

/// Error statuses arrive as decoded API errors with every body shape, never as transport errors.
pub fn every_error_body_shape_decodes<D: Driver>(d: &D) {
    type Check = fn(&ApiError);
    let cases: [(&str, &str, Check); 4] = [
        (
            "401 Unauthorized",
            r#"{"error":{"code":401,"message":"Not Authorized"}}"#,
            |e| assert_eq!(e.message(), "Not Authorized"),
        ),
        (
            "400 Bad Request",
            r#"{"error":"Invalid JSON provided"}"#,
            |e| assert_eq!(e.message(), "Invalid JSON provided"),
        ),
        ("502 Bad Gateway", "<html>bad gateway</html>", |e| {
            assert_eq!(e.message(), "<html>bad gateway</html>")
        }),
        (
            "429 Too Many Requests",
            r#"{"error":{"reason":"RATE_LIMITED","details":"slow down"}}"#,
            |e| {
                assert_eq!(e.reason(), Some("RATE_LIMITED"));
                assert_eq!(
                    e.retry_after(),
                    Some(pinata_core::RetryAfter::Delay(Duration::from_secs(60)))
                );
                assert_eq!(e.rate_limit().remaining, Some(0));
            },
        ),
    ];
    for (status, body, check) in cases {
        let raw = format!(
            "HTTP/1.1 {status}\r\ncontent-length: {}\r\nretry-after: 60\r\nx-ratelimit-remaining: 0\r\n\r\n{body}",
            body.len()
        );
        let server = FakeServer::start(Some(raw.into_bytes()));
        let config = Config::default().with_base_url(&server.url).unwrap();
        let e = api_error(d.test_authentication(target().good.clone(), config));
        assert_eq!(e.raw_body(), body);
        check(&e);
    }
}

/// A request that is sent has exactly the headers the core built, for both schemes: the transport
/// adds only `host` and drops nothing.
pub fn transport_sends_the_core_request<D: Driver>(d: &D) {
    let jwt = target()
        .emulator("transport_sends_the_core_request")
        .map(|emu| Credentials::jwt(&emu.admin_jwt).unwrap());
    let pair = Credentials::key_pair("0123456789abcdef0123", "c0ffee".repeat(10)).unwrap();
    for creds in jwt.into_iter().chain([pair]) {
        let server = FakeServer::start(Some(
            b"HTTP/1.1 200 OK\r\ncontent-length: 13\r\n\r\n{\"message\":1}".to_vec(),
        ));
        let config = Config::default().with_base_url(&server.url).unwrap();
        let expected =
            prepare_request(&TestAuthentication, &creds, &config, SystemTime::now()).unwrap();
        let result = d.test_authentication(creds.clone(), config);
        assert!(matches!(result, Err(Error::Decode(_))), "{result:?}");

        let head = &server.requests()[0];
        let mut lines = head.split("\r\n").filter(|l| !l.is_empty());
        assert_eq!(lines.next(), Some("GET /data/testAuthentication HTTP/1.1"));
        let mut sent: Vec<(String, String)> = lines
            .map(|l| {
                let (name, value) = l.split_once(':').expect("a header line");
                (name.to_ascii_lowercase(), value.trim().to_owned())
            })
            .collect();
        sent.sort();
        let mut wanted: Vec<(String, String)> = expected
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
            .collect();
        let host = server.url.trim_start_matches("http://").to_owned();
        wanted.push(("host".to_owned(), host));
        wanted.sort();
        assert_eq!(sent, wanted, "{} over {}", creds.scheme(), d.name());
    }
}

/// The same failure is the same error through every transport: its kind, whether the request may
/// have been sent (reported by the transport, not guessed from the kind), and so the number of
/// attempts an unsafe request gets under one retry policy. Failures before sending are retried
/// (3 attempts); a reset after the request was written is not (1 attempt).
pub fn failures_are_the_same_error_on_every_transport<D: Driver>(d: &D) {
    let policy = pinata_core::retry::RetryPolicy::default()
        .max_attempts(3)
        .backoff(Duration::from_millis(10), Duration::from_millis(20));
    let not_tls = FakeServer::with(Behaviour::Greet(
        b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n".to_vec(),
    ));
    let reset = FakeServer::with(Behaviour::Reset);
    let cases = [
        (
            "unresolvable host",
            "https://no-such-host.invalid".to_owned(),
            TransportErrorKind::Connect,
            false,
        ),
        (
            "connection refused",
            closed_port_url(),
            TransportErrorKind::Connect,
            false,
        ),
        (
            "TLS failure",
            not_tls.url.replacen("http://", "https://", 1),
            TransportErrorKind::Tls,
            false,
        ),
        (
            "reset after the request was written",
            reset.url.clone(),
            TransportErrorKind::Protocol,
            true,
        ),
    ];
    let unsafe_request = pinata_core::api::pinning::PinJson::new(&1).unwrap();
    for (name, url, kind, sent) in cases {
        let config = Config::default()
            .with_base_url(&url)
            .unwrap()
            .with_retry_policy(policy.clone());
        match d.execute(target().good.clone(), config, &unsafe_request) {
            Err(Error::Transport(e)) => {
                assert_eq!(
                    (e.kind(), e.may_have_been_sent(), e.attempts()),
                    (kind, sent, if sent { 1 } else { 3 }),
                    "{name}: {e}"
                );
            }
            other => panic!("{name}: expected a transport error, got {other:?}"),
        }
    }
    assert_eq!(
        reset.connections(),
        1,
        "a reset unsafe request is not sent again"
    );
}

//! Every end-to-end scenario, once. `tests/e2e.rs` runs each through every [`Driver`].

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use http::StatusCode;
use pinata_core::api::TestAuthentication;
use pinata_core::{
    ApiError, BuildError, Config, Credentials, CredentialsError, Error, TransportErrorKind,
    TransportOptions, interpret_response, prepare_request,
};

use crate::driver::Driver;
use crate::fake::{Behaviour, FakeServer, closed_port_url};
use crate::keys::{CreatedKey, GenerateKey, RevokeKey};
use crate::target::{EmulatorSide, target};

const WELCOME: &str = "Congratulations! You are communicating with the Pinata API!";

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The API error of `result`, or a panic that shows what came instead.
fn api_error<T: std::fmt::Debug>(result: Result<T, Error>) -> ApiError {
    match result {
        Err(Error::Api(e)) => *e,
        other => panic!("expected an API error, got {other:?}"),
    }
}

fn assert_reason(e: &ApiError, status: u16, reason: &str, details: &str) {
    assert_eq!(e.status().as_u16(), status, "{e}");
    assert_eq!(e.reason(), Some(reason), "{e}");
    assert_eq!(e.details(), Some(details), "{e}");
}

/// Creates a key with `permissions` through the API, as the admin.
fn create_key<D: Driver>(d: &D, emu: &EmulatorSide, permissions: serde_json::Value) -> CreatedKey {
    let admin = Credentials::key_pair(&emu.admin_key, &emu.admin_secret).expect("admin pair");
    d.execute(
        admin,
        target().config(),
        &GenerateKey::new(&format!("e2e {}", d.name()), permissions),
    )
    .expect("the admin creates a key")
}

/// Sends `TestAuthentication` with the headers of `credentials`, then edits them with `edit`,
/// through the bare transport: for the cases a well-behaved client cannot produce.
fn raw_test_authentication<D: Driver>(
    d: &D,
    credentials: &Credentials,
    edit: impl FnOnce(&mut http::HeaderMap),
) -> Result<pinata_core::api::AuthenticationOk, Error> {
    let config = target().config();
    let mut request =
        prepare_request(&TestAuthentication, credentials, &config, SystemTime::now())?;
    edit(request.headers_mut());
    let response = d.send_raw(&config, request)?;
    interpret_response(&TestAuthentication, response)
}

// ---- the happy paths -------------------------------------------------------------------------

/// The server's credentials (a JWT for the emulator's admin, or the live environment's) authenticate.
pub fn good_credentials_authenticate<D: Driver>(d: &D) {
    let t = target();
    let ok = d.test_authentication(t.good.clone(), t.config()).unwrap();
    assert_eq!(ok.message, WELCOME);
}

/// A key pair authenticates.
pub fn key_pair_authenticates<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("key_pair_authenticates") else {
        return;
    };
    let creds = Credentials::key_pair(&emu.admin_key, &emu.admin_secret).unwrap();
    let ok = d.test_authentication(creds, target().config()).unwrap();
    assert_eq!(ok.message, WELCOME);
}

/// A JWT authenticates.
pub fn jwt_authenticates<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("jwt_authenticates") else {
        return;
    };
    let creds = Credentials::jwt(&emu.admin_jwt).unwrap();
    let ok = d.test_authentication(creds, target().config()).unwrap();
    assert_eq!(ok.message, WELCOME);
}

/// A JWT minted with the server's signing secret authenticates (the harness holds the right secret,
/// so the refusals below are about the token, not the harness).
pub fn minted_jwt_authenticates<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("minted_jwt_authenticates") else {
        return;
    };
    let token = emu.mint_jwt(&emu.admin_key, &emu.admin_secret, now_secs() + 600);
    let ok = d
        .test_authentication(Credentials::jwt(token).unwrap(), target().config())
        .unwrap();
    assert_eq!(ok.message, WELCOME);
}

/// A new key with no permissions at all still passes testAuthentication, in both schemes.
pub fn new_key_authenticates_with_both_schemes<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("new_key_authenticates_with_both_schemes") else {
        return;
    };
    let key = create_key(
        d,
        emu,
        serde_json::json!({"endpoints": {"data": {"pinList": true}}}),
    );
    let pair = Credentials::key_pair(&key.pinata_api_key, &key.pinata_api_secret).unwrap();
    let jwt = Credentials::jwt(&key.jwt).unwrap();
    assert_eq!(jwt.api_key(), Some(key.pinata_api_key.as_str()));
    assert_eq!(
        d.test_authentication(pair, target().config())
            .unwrap()
            .message,
        WELCOME
    );
    assert_eq!(
        d.test_authentication(jwt, target().config())
            .unwrap()
            .message,
        WELCOME
    );
}

/// Clients built with a `…/v3` base (as the official SDK's `endpointUrl`) reach `/v3/data/*`.
pub fn v3_prefixed_base_url_works<D: Driver>(d: &D) {
    let Some(_) = target().emulator("v3_prefixed_base_url_works") else {
        return;
    };
    let t = target();
    let config = Config::default()
        .with_base_url(&format!("{}/v3", t.url))
        .unwrap();
    assert_eq!(
        d.test_authentication(t.good.clone(), config)
            .unwrap()
            .message,
        WELCOME
    );
}

// ---- what the API refuses --------------------------------------------------------------------

/// A wrong secret: 401 INVALID_CREDENTIALS.
pub fn wrong_secret_is_invalid_credentials<D: Driver>(d: &D) {
    let t = target();
    let key = t.good.api_key().unwrap_or("0123456789abcdef0123");
    let creds = Credentials::key_pair(key, "0".repeat(64)).unwrap();
    let e = api_error(d.test_authentication(creds, t.config()));
    assert_reason(
        &e,
        401,
        "INVALID_CREDENTIALS",
        "Invalid/expired credentials",
    );
    assert!(e.is_auth_error());
}

/// An unknown key: 401 INVALID_CREDENTIALS.
pub fn unknown_key_is_invalid_credentials<D: Driver>(d: &D) {
    let creds = Credentials::key_pair("ffffffffffffffffffff", "f".repeat(64)).unwrap();
    let e = api_error(d.test_authentication(creds, target().config()));
    assert_reason(
        &e,
        401,
        "INVALID_CREDENTIALS",
        "Invalid/expired credentials",
    );
}

/// A well-formed JWT signed by someone else: 401 INVALID_CREDENTIALS.
pub fn forged_jwt_is_invalid_credentials<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("forged_jwt_is_invalid_credentials") else {
        return;
    };
    let claims = pinata_emulator::token::Claims::new(
        &emu.user_id,
        &emu.admin_key,
        &emu.admin_secret,
        now_secs() + 3600,
    );
    let forged = pinata_emulator::token::sign(&claims, b"not the emulator's secret");
    let e = api_error(d.test_authentication(Credentials::jwt(forged).unwrap(), target().config()));
    assert_reason(
        &e,
        401,
        "INVALID_CREDENTIALS",
        "Invalid/expired credentials",
    );
}

/// A JWT whose payload was changed after signing: 401 INVALID_CREDENTIALS.
pub fn tampered_jwt_is_invalid_credentials<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("tampered_jwt_is_invalid_credentials") else {
        return;
    };
    let parts: Vec<&str> = emu.admin_jwt.split('.').collect();
    let mut claims: serde_json::Value =
        serde_json::from_slice(&pinata_core::jwt::base64url_decode(parts[1]).unwrap()).unwrap();
    claims["exp"] = serde_json::json!(now_secs() + 10 * 365 * 24 * 3600);
    let payload = pinata_core::jwt::base64url_encode(claims.to_string().as_bytes());
    let tampered = format!("{}.{}.{}", parts[0], payload, parts[2]);
    let e =
        api_error(d.test_authentication(Credentials::jwt(tampered).unwrap(), target().config()));
    assert_reason(
        &e,
        401,
        "INVALID_CREDENTIALS",
        "Invalid/expired credentials",
    );
}

/// An expired JWT: the client refuses it before sending; with the check off, the API says 401.
pub fn expired_jwt_is_refused<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("expired_jwt_is_refused") else {
        return;
    };
    let exp = now_secs() - 3600;
    let expired = Credentials::jwt(emu.mint_jwt(&emu.admin_key, &emu.admin_secret, exp)).unwrap();

    // Refused locally: pointed at a closed port, a send would fail with a transport error instead.
    let closed = Config::default().with_base_url(&closed_port_url()).unwrap();
    match d.test_authentication(expired.clone(), closed) {
        Err(Error::Build(BuildError::ExpiredJwt { expired_at })) => assert_eq!(expired_at, exp),
        other => panic!("expected ExpiredJwt, got {other:?}"),
    }

    let e = api_error(d.test_authentication(expired, target().config().refuse_expired_jwt(false)));
    assert_reason(
        &e,
        401,
        "INVALID_CREDENTIALS",
        "Invalid/expired credentials",
    );
}

/// No credentials at all: 401 INVALID_CREDENTIALS, "No Authentication method provided".
pub fn missing_credentials_is_401<D: Driver>(d: &D) {
    let e = api_error(raw_test_authentication(d, &target().good, |h| {
        h.remove(http::header::AUTHORIZATION);
        h.remove(pinata_core::API_KEY_HEADER);
        h.remove(pinata_core::API_SECRET_HEADER);
    }));
    assert_reason(
        &e,
        401,
        "INVALID_CREDENTIALS",
        "No Authentication method provided",
    );
}

/// Only one header of the pair: 400 KEYS_MUST_BE_STRINGS.
pub fn half_a_key_pair_is_400<D: Driver>(d: &D) {
    let creds = Credentials::key_pair("0123456789abcdef0123", "0".repeat(64)).unwrap();
    for header in [pinata_core::API_SECRET_HEADER, pinata_core::API_KEY_HEADER] {
        let e = api_error(raw_test_authentication(d, &creds, |h| {
            h.remove(&header);
        }));
        assert_reason(
            &e,
            400,
            "KEYS_MUST_BE_STRINGS",
            "pinata_api_key and pinata_secret_api_key must both be strings",
        );
    }
}

/// A bearer token that is not a JWT: 401 INVALID_CREDENTIALS with the parser's complaint.
pub fn malformed_bearer_is_401<D: Driver>(d: &D) {
    let e = api_error(raw_test_authentication(d, &target().good, |h| {
        h.insert(
            http::header::AUTHORIZATION,
            http::HeaderValue::from_static("Bearer not-a-jwt"),
        );
    }));
    assert_eq!(e.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(e.reason(), Some("INVALID_CREDENTIALS"));
    assert!(e.details().unwrap_or_default().contains("malformed"), "{e}");
}

/// Revoking a key stops its pair and its JWT at once: 403 API_KEY_REVOKED.
pub fn revoked_key_is_403_for_both_schemes<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("revoked_key_is_403_for_both_schemes") else {
        return;
    };
    let key = create_key(d, emu, serde_json::json!({"admin": true}));
    let pair = Credentials::key_pair(&key.pinata_api_key, &key.pinata_api_secret).unwrap();
    let jwt = Credentials::jwt(&key.jwt).unwrap();
    d.test_authentication(pair.clone(), target().config())
        .unwrap();
    d.test_authentication(jwt.clone(), target().config())
        .unwrap();

    let admin = Credentials::jwt(&emu.admin_jwt).unwrap();
    let answer = d
        .execute(
            admin,
            target().config(),
            &RevokeKey {
                api_key: key.pinata_api_key.clone(),
            },
        )
        .unwrap();
    assert_eq!(answer, "Revoked");

    for creds in [pair, jwt] {
        let e = api_error(d.test_authentication(creds, target().config()));
        assert_reason(&e, 403, "API_KEY_REVOKED", "This API Key has been revoked");
    }
}

/// Key management needs an admin key: others get 403 NO_SCOPES_FOUND.
pub fn non_admin_key_cannot_manage_keys<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("non_admin_key_cannot_manage_keys") else {
        return;
    };
    let key = create_key(
        d,
        emu,
        serde_json::json!({"endpoints": {"data": {"pinList": true}}}),
    );
    let creds = Credentials::jwt(&key.jwt).unwrap();
    let e = api_error(d.execute(
        creds,
        target().config(),
        &GenerateKey::new("sneaky", serde_json::json!({"admin": true})),
    ));
    assert_reason(
        &e,
        403,
        "NO_SCOPES_FOUND",
        "This key does not have the required scopes associated with it",
    );
}

/// An unknown path: a JSON 404 the client decodes.
pub fn unknown_path_is_json_404<D: Driver>(d: &D) {
    let Some(_) = target().emulator("unknown_path_is_json_404") else {
        return;
    };
    let config = target().config();
    let mut request = prepare_request(
        &TestAuthentication,
        &target().good,
        &config,
        SystemTime::now(),
    )
    .unwrap();
    *request.uri_mut() = format!("{}/data/noSuchThing", target().url)
        .parse()
        .unwrap();
    let response = d.send_raw(&config, request).unwrap();
    let e = api_error(interpret_response(&TestAuthentication, response));
    assert_eq!(e.status(), StatusCode::NOT_FOUND);
    assert_eq!(e.reason(), Some("NOT_FOUND"));
}

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
        .transport_options(options);
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
            .transport_options(options);
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
                assert_eq!(e.retry_after(), Some(Duration::from_secs(60)));
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

/// A request that is sent has exactly the headers the core built: the transport adds nothing of
/// API significance and drops nothing.
pub fn transport_sends_the_core_request<D: Driver>(d: &D) {
    let server = FakeServer::start(Some(
        b"HTTP/1.1 200 OK\r\ncontent-length: 13\r\n\r\n{\"message\":1}".to_vec(),
    ));
    let config = Config::default().with_base_url(&server.url).unwrap();
    let creds = Credentials::key_pair("0123456789abcdef0123", "c0ffee".repeat(10)).unwrap();
    let result = d.test_authentication(creds, config);
    assert!(matches!(result, Err(Error::Decode(_))), "{result:?}");
    let head = server.requests()[0].to_ascii_lowercase();
    assert!(
        head.starts_with("get /data/testauthentication http/1.1\r\n"),
        "{head}"
    );
    for line in [
        "pinata_api_key: 0123456789abcdef0123",
        &format!("pinata_secret_api_key: {}", "c0ffee".repeat(10)),
        "accept: application/json",
        concat!("user-agent: pinata-rs/", env!("CARGO_PKG_VERSION")),
    ] {
        assert!(
            head.contains(&format!("\r\n{line}\r\n")),
            "missing {line:?} in {head}"
        );
    }
    assert!(!head.contains("authorization:"), "{head}");
}

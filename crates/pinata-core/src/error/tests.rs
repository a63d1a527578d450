use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Deserialize;

use super::*;
use crate::credentials::Credentials;

fn api(status: u16, body: &str) -> ApiError {
    ApiError::from_response(
        StatusCode::from_u16(status).unwrap(),
        &HeaderMap::new(),
        body.as_bytes(),
    )
}

#[test]
fn reason_shape() {
    let e = api(
        401,
        r#"{"error":{"reason":"INVALID_CREDENTIALS","details":"Invalid/expired credentials"}}"#,
    );
    assert_eq!(e.reason(), Some("INVALID_CREDENTIALS"));
    assert_eq!(e.details(), Some("Invalid/expired credentials"));
    assert_eq!(e.message(), "Invalid/expired credentials");
    assert!(e.is_auth_error());
    assert_eq!(
        e.to_string(),
        "Pinata API error 401 Unauthorized: INVALID_CREDENTIALS (Invalid/expired credentials)"
    );
}

#[test]
fn plain_string_shape() {
    let e = api(400, r#"{"error":"Invalid JSON provided"}"#);
    assert_eq!(
        e.body(),
        &ApiErrorBody::Message("Invalid JSON provided".into())
    );
    assert_eq!(e.reason(), None);
    assert_eq!(e.message(), "Invalid JSON provided");
}

#[test]
fn coded_v3_shape() {
    let e = api(401, r#"{"error":{"code":401,"message":"Not Authorized"}}"#);
    assert_eq!(
        e.body(),
        &ApiErrorBody::Coded {
            code: 401,
            message: "Not Authorized".into()
        }
    );
    assert_eq!(e.message(), "Not Authorized");
}

#[test]
fn text_and_odd_json_fall_back_to_text() {
    assert_eq!(
        api(502, "<html>Bad Gateway</html>\n").body(),
        &ApiErrorBody::Text("<html>Bad Gateway</html>".into())
    );
    assert_eq!(api(500, "").body(), &ApiErrorBody::Text(String::new()));
    assert_eq!(
        api(500, "").to_string(),
        "Pinata API error 500 Internal Server Error"
    );
    assert_eq!(
        api(400, r#"{"message":"x"}"#).body(),
        &ApiErrorBody::Text(r#"{"message":"x"}"#.into())
    );
    let details_obj = api(400, r#"{"error":{"reason":"X","details":{"a":1}}}"#);
    assert_eq!(details_obj.details(), Some(r#"{"a":1}"#));
}

#[test]
fn rate_limit_headers_are_readable() {
    let mut h = HeaderMap::new();
    h.insert("retry-after", "60".parse().unwrap());
    h.insert("x-ratelimit-limit", "180".parse().unwrap());
    h.insert("x-ratelimit-remaining", "0".parse().unwrap());
    h.insert("x-ratelimit-reset", "1700000000".parse().unwrap());
    h.insert("x-request-id", "abc123".parse().unwrap());
    let e = ApiError::from_response(StatusCode::TOO_MANY_REQUESTS, &h, b"{}");
    assert_eq!(
        e.retry_after(),
        Some(RetryAfter::Delay(Duration::from_secs(60)))
    );
    assert_eq!(
        e.rate_limit(),
        RateLimit {
            limit: Some(180),
            remaining: Some(0),
            reset: Some(1_700_000_000)
        }
    );
    assert_eq!(e.request_id(), Some("abc123"));
}

#[test]
fn raw_body_is_capped() {
    let big = "x".repeat(MAX_KEPT_BODY + 10);
    assert_eq!(api(500, &big).raw_body().len(), MAX_KEPT_BODY);
}

#[test]
fn decode_error_has_a_path() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Row {
        size: u64,
    }
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Page {
        rows: Vec<Row>,
    }
    let body = Bytes::from_static(br#"{"rows":[{"size":1},{"size":"big"}]}"#);
    let e = DecodeError::decode_json::<Page>(StatusCode::OK, &body).unwrap_err();
    assert_eq!(e.path(), "rows[1].size");
    assert!(e.to_string().contains("rows[1].size"), "{e}");
}

#[test]
fn sent_or_not_is_what_the_transport_reported() {
    // The kind does not decide: a timeout while connecting was not sent, a connect-kind failure a
    // transport reports as possibly sent was.
    let before = TransportError::not_sent(TransportErrorKind::Timeout, "connecting");
    assert!(!Error::from(before).may_have_been_sent());
    let after = TransportError::maybe_sent(TransportErrorKind::Connect, "odd");
    assert!(Error::from(after).may_have_been_sent());
    assert!(!Error::Build(BuildError::InvalidInput("x".into())).may_have_been_sent());
}

#[test]
fn retry_after_dates() {
    let t = RetryAfter::parse("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
    assert_eq!(
        t,
        RetryAfter::At(UNIX_EPOCH + Duration::from_secs(784_111_777))
    );
    let before = UNIX_EPOCH + Duration::from_secs(784_111_700);
    assert_eq!(t.delay_from(before), Duration::from_secs(77));
    assert_eq!(t.delay_from(SystemTime::now()), Duration::ZERO);
    assert_eq!(
        RetryAfter::parse("Thu, 29 Feb 2024 23:59:60 GMT"),
        Some(RetryAfter::At(
            UNIX_EPOCH + Duration::from_secs(1_709_251_200)
        ))
    );
    for bad in [
        "",
        "soon",
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 32 Nov 1994 08:49:37 GMT",
        "-5",
        "Sun, 06 Foo 1994 08:49:37 GMT",
    ] {
        assert_eq!(RetryAfter::parse(bad), None, "{bad}");
    }
}

/// Renders `e` as `anyhow`'s `{:#}` does: each error of the chain, joined by `": "`.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut next = e.source();
    while let Some(cause) = next {
        parts.push(cause.to_string());
        next = cause.source();
    }
    // No layer repeats what the layer below it says.
    for pair in parts.windows(2) {
        assert!(
            !pair[0].contains(&pair[1]),
            "{:?} repeats its cause {:?}",
            pair[0],
            pair[1]
        );
    }
    parts.join(": ")
}

#[test]
fn every_variant_renders_each_part_once() {
    let credentials = Error::from(crate::Credentials::jwt("").unwrap_err());
    assert_eq!(
        chain(&credentials),
        "request not sent: invalid credentials: the JWT is empty"
    );
    // The cause in words is this layer's own part (from the socket error's kind, the same on
    // every transport); the transport's own text follows as the source.
    let transport = Error::from(TransportError::not_sent(
        TransportErrorKind::Connect,
        std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "Connection refused (os error 111)",
        ),
    ));
    assert_eq!(
        chain(&transport),
        "could not connect: connection refused; nothing was sent: Connection refused (os error 111)"
    );
    let mut api_error = api(
        401,
        r#"{"error":{"reason":"INVALID_CREDENTIALS","details":"Invalid/expired credentials"}}"#,
    );
    api_error.attempts = 2;
    assert_eq!(
        chain(&Error::Api(Box::new(api_error))),
        "Pinata API error 401 Unauthorized: INVALID_CREDENTIALS (Invalid/expired credentials) (after 2 attempts)"
    );
    let decode = Error::Decode(Box::new(DecodeError::new(
        StatusCode::OK,
        "rows",
        "invalid type",
        b"{}",
    )));
    assert_eq!(
        chain(&decode),
        "unexpected response body (200 OK) at `rows`: invalid type"
    );
    let redirect = Error::Redirect(RedirectError::new(StatusCode::FOUND, None));
    assert!(chain(&redirect).starts_with("the server answered 302 Found"));
    let local = Error::Local(crate::local::LocalError::io(
        "/data/a.bin",
        std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
    ));
    // The I/O error's text is the local error's own part, so it is shown once, by `{}` alone.
    assert_eq!(local.to_string(), "/data/a.bin: no such file");
    assert_eq!(chain(&local), "/data/a.bin: no such file");
    let unavailable = Error::Verify(VerifyError::Unavailable(crate::cid::CidError::InvalidCid(
        "x".into(),
    )));
    assert!(
        chain(&unavailable).starts_with("could not verify the upload's CID: "),
        "{}",
        chain(&unavailable)
    );
    let mismatch = Error::Verify(VerifyError::CidMismatch {
        expected: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
            .parse()
            .unwrap(),
        received: "bafy".into(),
    });
    assert_eq!(
        chain(&mismatch),
        "the server reports CID bafy, but the bytes sent have CID QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
    );
    let key = Error::Build(BuildError::InvalidKey(
        crate::api::keys::CreateApiKey::new("", crate::api::keys::Permissions::admin())
            .unwrap_err(),
    ));
    assert!(chain(&key).starts_with("request not sent: invalid key request: "));
}

#[test]
fn accessors_answer_without_matching_variants() {
    let not_found = Error::Api(Box::new(api(404, r#"{"error":"not found"}"#)));
    assert_eq!(not_found.status(), Some(StatusCode::NOT_FOUND));
    assert_eq!(not_found.reason(), None);
    assert!(!not_found.is_transient());
    let revoked = Error::Api(Box::new(api(
        403,
        r#"{"error":{"reason":"API_KEY_REVOKED","details":"x"}}"#,
    )));
    assert_eq!(revoked.reason(), Some("API_KEY_REVOKED"));
    assert!(Error::Api(Box::new(api(429, ""))).is_transient());
    assert!(Error::Api(Box::new(api(503, ""))).is_transient());
    assert!(!Error::Api(Box::new(api(500, ""))).is_transient());
    let refused = Error::from(TransportError::not_sent(TransportErrorKind::Connect, "x"));
    assert_eq!(refused.status(), None);
    assert!(refused.is_transient());
    let too_large = Error::from(TransportError::maybe_sent(
        TransportErrorKind::BodyTooLarge,
        "x",
    ));
    assert!(!too_large.is_transient());
    let decode = Error::Decode(Box::new(DecodeError::new(StatusCode::OK, ".", "x", b"")));
    assert_eq!(decode.status(), Some(StatusCode::OK));
}

#[test]
fn a_refused_address_is_not_transient() {
    let refused = Error::from(TransportError::not_sent(
        TransportErrorKind::NotLoopback,
        crate::loopback::LoopbackOnly::check("localhost", &["10.0.0.1:80".parse().unwrap()])
            .unwrap_err(),
    ));
    assert!(!refused.is_transient());
    assert!(!refused.may_have_been_sent());
    assert_eq!(
        chain(&refused),
        "refused to connect: plain http only goes to loopback addresses; nothing was sent: refusing plain http to localhost: it resolves to 10.0.0.1, which is not a loopback address; credentials would travel in clear text (use https, or allow_insecure_http)"
    );
}

/// Everything an error shows of a server's text, as printed by a chain printer.
fn shows(e: &Error) -> String {
    format!("{e} | {} | {e:?}", chain(e))
}

fn assert_printable(text: &str) {
    assert!(
        !text
            .chars()
            .any(|c| c.is_control()
                || matches!(c, '\u{202E}' | '\u{2066}' | '\u{200B}' | '\u{2028}')),
        "{text:?}"
    );
}

#[test]
fn server_text_is_shown_escaped() {
    let hostile = "\x1b[31mred\r\nX-Forged: yes\x07 \u{202E}gnp.exe\u{2066}";
    let text_body = Error::Api(Box::new(api(400, hostile)));
    let json = serde_json::json!({"error": {"reason": hostile, "details": hostile}}).to_string();
    let reason_body = Error::Api(Box::new(api(400, &json)));
    let message = serde_json::json!({"error": hostile}).to_string();
    let message_body = Error::Api(Box::new(api(400, &message)));
    let decode = Error::Decode(Box::new(DecodeError::new(
        StatusCode::OK,
        format!("rows.{hostile}"),
        format!("unknown variant `{hostile}`"),
        hostile.as_bytes(),
    )));
    let redirect = Error::Redirect(RedirectError::new(
        StatusCode::FOUND,
        Some(hostile.to_owned()),
    ));
    let mismatch = Error::Verify(VerifyError::CidMismatch {
        expected: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
            .parse()
            .unwrap(),
        received: hostile.to_owned(),
    });
    for e in [
        &text_body,
        &reason_body,
        &message_body,
        &decode,
        &redirect,
        &mismatch,
    ] {
        let shown = e.to_string();
        assert_printable(&shown);
        assert_printable(&chain(e));
        assert!(
            shown.contains("\\u{1b}[31mred\\r\\nX-Forged: yes\\u{7} \\u{202e}gnp.exe\\u{2066}"),
            "{shown}"
        );
    }
    // The data stays as it came.
    assert_eq!(text_body.as_api().unwrap().raw_body(), hostile);
    assert_eq!(reason_body.as_api().unwrap().details(), Some(hostile));
}

#[test]
fn long_server_text_is_capped() {
    let long = format!("{}END", "x".repeat(10_000));
    let e = Error::Api(Box::new(api(500, &long)));
    let shown = e.to_string();
    assert!(shown.len() < 600, "{} chars", shown.len());
    assert!(
        shown.ends_with("… (9503 more characters not shown)"),
        "{shown}"
    );
    assert!(!shown.contains("END"));
    assert_eq!(e.as_api().unwrap().raw_body(), long);
    let location = Error::Redirect(RedirectError::new(StatusCode::FOUND, Some(long.clone())));
    assert!(location.to_string().len() < 800);
}

const SECRET: &str = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";

fn echo_of(secret: &str) -> String {
    format!(
        "GET / HTTP/1.1\r\npinata_api_key: 0123456789abcdef0123\r\npinata_secret_api_key: {secret}\r\nauthorization: Bearer {secret}\r\n\r\n"
    )
}

#[test]
fn the_client_s_secrets_are_redacted_from_server_text() {
    let pair = Credentials::key_pair("0123456789abcdef0123", SECRET).unwrap();
    let echo = echo_of(SECRET);
    let json = serde_json::json!({"error": {"reason": echo, "details": echo}}).to_string();
    let errors = [
        Error::Api(Box::new(api(400, &echo))),
        Error::Api(Box::new(api(400, &json))),
        Error::Api(Box::new(api(
            400,
            &serde_json::json!({"error": echo}).to_string(),
        ))),
        Error::Api(Box::new(api(
            401,
            &serde_json::json!({"error": {"code": 401, "message": echo}}).to_string(),
        ))),
        Error::Decode(Box::new(DecodeError::new(
            StatusCode::OK,
            format!("rows.{SECRET}"),
            format!("unknown variant `{SECRET}`"),
            echo.as_bytes(),
        ))),
        Error::Redirect(RedirectError::new(
            StatusCode::FOUND,
            Some(format!("https://elsewhere/?k={SECRET}")),
        )),
        Error::Verify(VerifyError::CidMismatch {
            expected: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
                .parse()
                .unwrap(),
            received: SECRET.to_owned(),
        }),
    ];
    for e in errors {
        assert!(shows(&e).contains(SECRET), "the test echoes the secret");
        let e = e.redact_secrets(&pair);
        let shown = shows(&e);
        assert!(!shown.contains(SECRET), "{shown}");
        assert!(!shown.contains("c0ffee00c0ffee00"), "{shown}");
        assert!(shown.contains("[REDACTED]"), "{shown}");
        if let Some(api) = e.as_api() {
            assert!(!api.raw_body().contains(SECRET));
            assert!(!api.message().contains(SECRET));
            // The public key is not a secret.
            assert!(api.raw_body().contains("0123456789abcdef0123"));
        }
    }
}

#[test]
fn a_jwt_is_redacted_and_a_cut_secret_too() {
    let b64 = crate::jwt::base64url_encode;
    let token = format!(
        "{}.{}.{}",
        b64(br#"{"alg":"HS256","typ":"JWT"}"#),
        b64(br#"{"scopedKeyKey":"0123456789abcdef0123","exp":4102444800}"#),
        b64(b"signature")
    );
    let jwt = Credentials::jwt(token.clone()).unwrap();
    let e = Error::Api(Box::new(api(400, &echo_of(&token)))).redact_secrets(&jwt);
    assert!(!shows(&e).contains(&token));
    // A body longer than what is kept, cut inside the secret: the start of it goes too.
    let mut body = "x".repeat(MAX_KEPT_BODY - 10);
    body.push_str(SECRET);
    let pair = Credentials::key_pair("0123456789abcdef0123", SECRET).unwrap();
    let e = Error::Api(Box::new(api(400, &body))).redact_secrets(&pair);
    let raw = e.as_api().unwrap().raw_body();
    assert!(raw.ends_with("x[REDACTED]"), "{}", &raw[raw.len() - 20..]);
    assert!(!raw.contains(&SECRET[..10]));
}

#[test]
fn hostile_retry_after_dates_are_refused_not_panics() {
    for value in [
        "Sun, 06 Nov 300000000000 08:49:37 GMT",
        "Sun, 06 Nov 9223372036854775807 08:49:37 GMT",
        "Sun, 06 Nov -5 08:49:37 GMT",
        "Sun, 06 Nov 1969 08:49:37 GMT",
    ] {
        assert_eq!(RetryAfter::parse(value), None, "{value}");
    }
    assert!(RetryAfter::parse("Fri, 31 Dec 9999 23:59:59 GMT").is_some());
}

#[test]
fn a_signed_urls_signature_is_redacted_from_what_the_server_echoes() {
    let url = "https://gw.example/files/bafy?X-Date=1700000000&X-Expires=30&X-Method=GET\
               &X-Signature=0123456789abcdef0123456789abcdef";
    let body = format!(r#"{{"error":{{"code":401,"message":"bad link {url}"}}}}"#);
    let e = Error::Api(Box::new(ApiError::from_response(
        StatusCode::UNAUTHORIZED,
        &http::HeaderMap::new(),
        &Bytes::from(body),
    )))
    .redact_url_secrets(url);
    let shown = format!("{e} {e:?}");
    assert!(
        !shown.contains("0123456789abcdef0123456789abcdef"),
        "{shown}"
    );
    assert!(
        shown.contains("X-Date=1700000000"),
        "short values stay: {shown}"
    );
}

/// A transport failure as the clients return it: the target attached, after `attempts` sends.
fn failed_at(e: TransportError, origin: crate::Origin, method: http::Method, uri: &str) -> Error {
    let target = RequestTarget::new(origin, &method, &uri.parse().unwrap());
    Error::from(e.with_target(target)).with_attempts(3)
}

#[test]
fn transport_errors_say_where_and_why_in_their_own_text() {
    let io = |kind, text: &str| std::io::Error::new(kind, text.to_owned());
    let refused = failed_at(
        TransportError::not_sent(
            TransportErrorKind::Connect,
            io(std::io::ErrorKind::ConnectionRefused, "os says no"),
        ),
        crate::Origin::Api,
        http::Method::GET,
        "http://127.0.0.1:9/data/testAuthentication",
    );
    assert_eq!(
        refused.to_string(),
        "could not connect to 127.0.0.1:9 (the API origin; set PINATA_API_URL, or PINATA_EMULATOR_URL for every origin): connection refused; nothing was sent (after 3 attempts)"
    );
    let unresolved = failed_at(
        TransportError::not_sent(TransportErrorKind::Connect, "dns error")
            .because(TransportCause::NameNotResolved),
        crate::Origin::Uploads,
        http::Method::POST,
        "https://uploads.pinata.cloud/v3/files",
    );
    assert_eq!(
        unresolved.to_string(),
        "could not connect to uploads.pinata.cloud:443 (the uploads origin; set PINATA_UPLOADS_URL, or PINATA_EMULATOR_URL for every origin): the host name did not resolve; nothing was sent (after 3 attempts)"
    );
    let cut = failed_at(
        TransportError::maybe_sent(
            TransportErrorKind::Protocol,
            io(
                std::io::ErrorKind::UnexpectedEof,
                "end of file before message length reached",
            ),
        ),
        crate::Origin::Gateway,
        http::Method::GET,
        "https://example.mypinata.cloud/ipfs/bafy?pinataGatewayToken=gw-key-0123456789abcdef",
    );
    assert_eq!(
        chain(&cut),
        "GET https://example.mypinata.cloud:443/ipfs/bafy failed: the connection closed before the response ended (after 3 attempts): end of file before message length reached"
    );
    let reset = failed_at(
        TransportError::maybe_sent(
            TransportErrorKind::Protocol,
            io(std::io::ErrorKind::ConnectionReset, "reset by peer"),
        ),
        crate::Origin::Api,
        http::Method::POST,
        "https://api.pinata.cloud/pinning/pinJSONToIPFS",
    );
    assert_eq!(
        reset.to_string(),
        "POST https://api.pinata.cloud:443/pinning/pinJSONToIPFS failed: the connection was reset (after 3 attempts)"
    );
    // Nothing in words: the kind's name stands in, and the transport's text follows.
    let odd = failed_at(
        TransportError::maybe_sent(TransportErrorKind::Other, "something odd"),
        crate::Origin::Api,
        http::Method::GET,
        "https://api.pinata.cloud/data/pinList?status=pinned",
    );
    assert_eq!(
        chain(&odd),
        "GET https://api.pinata.cloud:443/data/pinList failed: transport error (after 3 attempts): something odd"
    );
    let slow = failed_at(
        TransportError::maybe_sent(
            TransportErrorKind::Timeout,
            io(std::io::ErrorKind::TimedOut, "no answer within 60s"),
        ),
        crate::Origin::Api,
        http::Method::GET,
        "https://api.pinata.cloud/data/testAuthentication",
    );
    assert_eq!(
        slow.to_string(),
        "GET https://api.pinata.cloud:443/data/testAuthentication timed out (after 3 attempts)"
    );
    for e in [&refused, &unresolved, &cut, &reset, &odd, &slow] {
        let shown = format!("{e} {}", chain(e));
        assert!(!shown.contains("gw-key") && !shown.contains('?'), "{shown}");
    }
    let Error::Transport(t) = &unresolved else {
        panic!("{unresolved:?}")
    };
    let target = t.target().unwrap();
    assert_eq!(
        (target.origin(), target.host(), target.port(), target.path()),
        (
            crate::Origin::Uploads,
            "uploads.pinata.cloud",
            443,
            "/v3/files"
        )
    );
    assert_eq!(t.why(), Some(TransportCause::NameNotResolved));
}

#[test]
fn a_local_error_shows_the_io_error_once_and_continues_with_what_it_wraps() {
    #[derive(Debug)]
    struct Inner;
    impl fmt::Display for Inner {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("the disk said so")
        }
    }
    impl std::error::Error for Inner {}
    #[derive(Debug)]
    struct Outer(Inner);
    impl fmt::Display for Outer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("read failed")
        }
    }
    impl std::error::Error for Outer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }
    let e = Error::Local(crate::local::LocalError::io(
        "nonexistent.bin",
        std::io::Error::other(Outer(Inner)),
    ));
    assert_eq!(chain(&e), "nonexistent.bin: read failed: the disk said so");
    let missing = std::fs::metadata("/nonexistent-pinata-core-test.bin").unwrap_err();
    let text = missing.to_string();
    let e = Error::Local(crate::local::LocalError::io(
        "/nonexistent-pinata-core-test.bin",
        missing,
    ));
    assert_eq!(
        e.to_string(),
        format!("/nonexistent-pinata-core-test.bin: {text}")
    );
    assert_eq!(chain(&e), e.to_string());
}

#[test]
fn details_are_on_the_error_beside_the_reason() {
    let e = Error::Api(Box::new(api(
        401,
        r#"{"error":{"reason":"INVALID_CREDENTIALS","details":"Invalid/expired credentials"}}"#,
    )));
    assert_eq!(e.reason(), Some("INVALID_CREDENTIALS"));
    assert_eq!(e.details(), Some("Invalid/expired credentials"));
    let plain = Error::Api(Box::new(api(400, r#"{"error":"Invalid JSON provided"}"#)));
    assert_eq!(plain.details(), None);
    assert_eq!(
        Error::from(TransportError::not_sent(TransportErrorKind::Connect, "x")).details(),
        None
    );
}

use super::*;

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
fn sent_or_not() {
    assert!(
        !Error::from(TransportError::from_kind(TransportErrorKind::Connect)).may_have_been_sent()
    );
    assert!(!Error::from(TransportError::from_kind(TransportErrorKind::Tls)).may_have_been_sent());
    assert!(
        Error::from(TransportError::from_kind(TransportErrorKind::Timeout)).may_have_been_sent()
    );
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

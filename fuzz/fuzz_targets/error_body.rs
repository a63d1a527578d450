//! Error answers of any shape decode without panicking, and Display works on the result.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (head, body) = data.split_at(data.len().min(2));
    let status = 400 + u16::from(head.first().copied().unwrap_or(0)) % 200;
    let mut headers = http::HeaderMap::new();
    let hint = String::from_utf8_lossy(&body[..body.len().min(40)]).into_owned();
    if let Ok(v) = http::HeaderValue::from_str(&hint) {
        headers.insert("retry-after", v.clone());
        headers.insert("x-ratelimit-reset", v);
    }
    let status = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::BAD_REQUEST);
    let e = pinata_core::ApiError::from_response(status, &headers, body);
    let _ = e.to_string();
    let _ = (
        e.reason(),
        e.details(),
        e.message(),
        e.retry_after(),
        e.rate_limit(),
    );
    let _ = pinata_core::RetryAfter::parse(&hint);
});

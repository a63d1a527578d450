//! Whatever credential headers a request carries, the parser answers without panicking, and any
//! credentials it accepts round-trip: applied to a request and parsed back, they are the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pinata_core::server::{PresentedCredentials, parse_credentials};

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |b| *b == 0xff);
    let mut headers = http::HeaderMap::new();
    for name in ["authorization", "pinata_api_key", "pinata_secret_api_key"] {
        if let Some(raw) = parts.next()
            && !raw.is_empty()
            && let Ok(v) = http::HeaderValue::from_bytes(raw)
        {
            headers.insert(name, v);
        }
    }
    match parse_credentials(&headers) {
        PresentedCredentials::Jwt(c) | PresentedCredentials::KeyPair(c) => {
            let mut again = http::HeaderMap::new();
            c.apply_to(&mut again);
            match parse_credentials(&again) {
                PresentedCredentials::Jwt(d) | PresentedCredentials::KeyPair(d) => assert_eq!(c, d),
                other => panic!("applied credentials did not parse back: {other:?}"),
            }
        }
        _ => {}
    }
});

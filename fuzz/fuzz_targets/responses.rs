//! Any response (status and body) to any endpoint decodes to a value or a typed error, never a
//! panic.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use pinata_core::api::Network;
use pinata_core::api::TestAuthentication;
use pinata_core::api::files::{GetFile, ListFiles};
use pinata_core::api::keys::{ListApiKeys, RevokeApiKey};
use pinata_core::api::pinning::{ListPinJobs, ListPins, PinJson, UnpinCid};
use pinata_core::api::swaps::{CidSignature, SwapCid};
use pinata_core::api::uploads::UploadFile;
use pinata_core::{Body, Endpoint, interpret_response};

fuzz_target!(|data: &[u8]| {
    let (head, body) = data.split_at(data.len().min(1));
    let status = match head.first().copied().unwrap_or(0) % 6 {
        0 => 200,
        1 => 201,
        2 => 302,
        3 => 400,
        4 => 429,
        _ => 503,
    };
    let response = || {
        http::Response::builder()
            .status(status)
            .header("location", "https://elsewhere/")
            .body(Bytes::copy_from_slice(body))
            .expect("a valid response")
    };
    let _ = interpret_response(&TestAuthentication, &Body::Empty, response())
        .map_err(|e| e.to_string());
    let _ = interpret_response(&ListApiKeys::new(), &Body::Empty, response())
        .map_err(|e| e.to_string());
    let _ = interpret_response(&RevokeApiKey::new("k"), &Body::Empty, response())
        .map_err(|e| e.to_string());
    let _ =
        interpret_response(&ListPins::new(), &Body::Empty, response()).map_err(|e| e.to_string());
    let _ = interpret_response(&ListPinJobs::new(), &Body::Empty, response())
        .map_err(|e| e.to_string());
    let _ = interpret_response(
        &UnpinCid::new("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"),
        &Body::Empty,
        response(),
    )
    .map_err(|e| e.to_string());
    if let Ok(pin) = PinJson::new(&1)
        && let Ok(sent) = pin.body()
    {
        let _ = interpret_response(&pin, &sent, response()).map_err(|e| e.to_string());
    }
    let _ = interpret_response(&ListFiles::new(Network::Public), &Body::Empty, response())
        .map_err(|e| e.to_string());
    let _ = interpret_response(
        &GetFile::new(Network::Private, "f"),
        &Body::Empty,
        response(),
    )
    .map_err(|e| e.to_string());
    let _ = interpret_response(
        &SwapCid::history(Network::Public, "c", "d"),
        &Body::Empty,
        response(),
    )
    .map_err(|e| e.to_string());
    let _ = interpret_response(
        &CidSignature::get(Network::Public, "c"),
        &Body::Empty,
        response(),
    )
    .map_err(|e| e.to_string());
    if let Ok(upload) = UploadFile::bytes("a.txt", "a")
        && let Ok(sent) = upload.body()
    {
        let _ = interpret_response(&upload, &sent, response()).map_err(|e| e.to_string());
    }
});

//! `TransportOptions::http_version` over plain http: whatever it says, pinata-hyper speaks HTTP/1.1
//! to a loopback emulator (which would take HTTP/2 with prior knowledge), because HTTP/2 is only
//! negotiated by TLS's ALPN. (Over HTTPS, `cargo xtask bench http2` shows each choice answered in
//! its own version: the emulator's self-signed certificate cannot be added to pinata-hyper's
//! roots from a test.)

#![allow(clippy::unwrap_used, clippy::expect_used)]

use pinata_core::transport::{AsyncTransport, TransportFactory};
use pinata_core::{Body, HttpVersion, TransportOptions};
use pinata_emulator::{Emulator, EmulatorConfig};

#[test]
fn plain_http_is_http1_whatever_the_option_says() {
    let emu = Emulator::spawn(EmulatorConfig::default()).unwrap();
    assert_eq!(
        TransportOptions::default().http_version,
        HttpVersion::Http1Only
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for http_version in [HttpVersion::Auto, HttpVersion::Http1Only] {
        let options = TransportOptions {
            http_version,
            ..TransportOptions::default()
        };
        runtime.block_on(async {
            let transport = pinata_hyper::HyperTransport::from_options(&options).unwrap();
            let request = http::Request::get(format!("{}/emulator/health", emu.url()))
                .body(Body::Empty)
                .unwrap();
            let response = transport.send(request).await.unwrap();
            assert_eq!(response.status(), http::StatusCode::OK);
            assert_eq!(
                response.version(),
                http::Version::HTTP_11,
                "{http_version:?}"
            );
            // And through the client, as an application would set it.
            let config = emu.config().with_transport_options(options.clone());
            let client = pinata_hyper::Client::with_config(emu.credentials(), config).unwrap();
            client.test_authentication().await.unwrap();
        });
    }
}

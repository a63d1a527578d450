//! `TransportOptions::http_version`: over plain http, whatever it says, pinata-hyper speaks
//! HTTP/1.1 to a loopback emulator (which would take HTTP/2 with prior knowledge), because HTTP/2
//! is only negotiated by TLS's ALPN; over HTTPS (the emulator's self-signed certificate trusted
//! through `Config::with_root_certificates`), each choice is answered in its own version.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use pinata_core::transport::{AsyncTransport, TransportFactory};
use pinata_core::{Body, HttpVersion, TransportOptions};
use pinata_core::{Config, RootCertificates};
use pinata_emulator::{Emulator, EmulatorConfig, TlsConfig};

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

#[test]
fn over_https_each_choice_is_answered_in_its_version() {
    let emu = Emulator::spawn(EmulatorConfig {
        tls: Some(TlsConfig::SelfSigned {
            names: vec!["127.0.0.1".to_owned()],
        }),
        ..EmulatorConfig::default()
    })
    .unwrap();
    assert!(emu.url().starts_with("https://"), "{}", emu.url());
    let roots = RootCertificates::from_pem(emu.certificate_pem().unwrap().as_bytes())
        .unwrap()
        .only();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for (http_version, expected) in [
        (HttpVersion::Auto, http::Version::HTTP_2),
        (HttpVersion::Http1Only, http::Version::HTTP_11),
    ] {
        let options = TransportOptions {
            http_version,
            ..TransportOptions::default()
        };
        let config = Config::for_emulator(emu.url())
            .unwrap()
            .with_transport_options(options)
            .with_root_certificates(roots.clone());
        runtime.block_on(async {
            let transport = pinata_hyper::HyperTransport::from_config(&config).unwrap();
            let request = http::Request::get(format!("{}/emulator/health", emu.url()))
                .body(Body::Empty)
                .unwrap();
            let response = transport.send(request).await.unwrap();
            assert_eq!(response.status(), http::StatusCode::OK);
            assert_eq!(response.version(), expected, "{http_version:?}");
            let client = pinata_hyper::Client::with_config(emu.credentials(), config).unwrap();
            client.test_authentication().await.unwrap();
        });
    }
}

//! HTTP/2 beside HTTP/1.1: over TLS the client's ALPN picks the protocol (`h2` first, else
//! HTTP/1.1), over plain TCP HTTP/2 with prior knowledge is served too; an HTTP/2 connection keeps
//! the emulator's bounds (streams, header size, the first request's deadline).

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, StatusCode, Version};
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::{TokioExecutor, TokioIo};
use pinata_emulator::{
    Emulator, EmulatorConfig, EmulatorHandle, FaultRule, MAX_H2_HEADER_LIST, MAX_H2_STREAMS,
    TlsConfig,
};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};

/// rustls's *ring* provider (deprecated by name in rustls 0.23.48, see pinata-hyper).
#[allow(deprecated)]
fn ring() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A client trusting the certificate in `pem`, offering `alpn` (in that order).
fn client(pem: &str, alpn: &[&[u8]]) -> tokio_rustls::TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let mut config = rustls::ClientConfig::builder_with_provider(ring())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn spawn_tls() -> EmulatorHandle {
    Emulator::spawn(EmulatorConfig {
        tls: Some(TlsConfig::self_signed()),
        ..Default::default()
    })
    .expect("the emulator starts")
}

/// `host:port` of the emulator.
fn addr(url: &str) -> &str {
    url.split_once("://").expect("a URL").1
}

/// A TLS connection to `emu` offering `alpn`, and the protocol the server chose.
async fn tls(
    emu: &EmulatorHandle,
    alpn: &[&[u8]],
) -> (tokio_rustls::client::TlsStream<TcpStream>, Option<Vec<u8>>) {
    let tcp = TcpStream::connect(addr(emu.url())).await.unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    let stream = client(emu.certificate_pem().unwrap(), alpn)
        .connect(name, tcp)
        .await
        .unwrap();
    let chosen = stream.get_ref().1.alpn_protocol().map(<[u8]>::to_vec);
    (stream, chosen)
}

/// An HTTP/2 client on `io` (its connection driven on the runtime).
async fn h2<I>(io: I) -> hyper::client::conn::http2::SendRequest<Empty<Bytes>>
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (sender, connection) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(io))
            .await
            .unwrap();
    tokio::spawn(connection);
    sender
}

/// `GET path` with the admin's JWT (and `extra` headers): the version, status and body.
fn get(emu: &EmulatorHandle, path: &str, extra: &[(&str, String)]) -> Request<Empty<Bytes>> {
    let mut request = Request::get(format!("{}{path}", emu.url()))
        .header("authorization", format!("Bearer {}", emu.admin().jwt));
    for (name, value) in extra {
        request = request.header(*name, value);
    }
    request.body(Empty::new()).unwrap()
}

async fn answer(
    sender: &mut hyper::client::conn::http2::SendRequest<Empty<Bytes>>,
    request: Request<Empty<Bytes>>,
) -> hyper::Result<(Version, StatusCode, String)> {
    sender.ready().await?;
    let response = sender.send_request(request).await?;
    let (version, status) = (response.version(), response.status());
    let body = response.into_body().collect().await?.to_bytes();
    Ok((version, status, String::from_utf8_lossy(&body).into_owned()))
}

#[test]
fn a_client_offering_h2_gets_http2_and_its_requests_share_one_connection() {
    let emu = spawn_tls();
    runtime().block_on(async {
        let (stream, chosen) = tls(&emu, &[b"h2", b"http/1.1"]).await;
        assert_eq!(chosen.as_deref(), Some(&b"h2"[..]));
        let sender = h2(stream).await;
        // 40 requests at once on the one connection.
        let calls = (0..40).map(|_| {
            let mut sender = sender.clone();
            let request = get(&emu, "/data/testAuthentication", &[]);
            tokio::spawn(async move { answer(&mut sender, request).await.unwrap() })
        });
        for call in calls.collect::<Vec<_>>() {
            let (version, status, body) = call.await.unwrap();
            assert_eq!(version, Version::HTTP_2);
            assert_eq!(status, StatusCode::OK, "{body}");
            assert!(body.contains("Congratulations"), "{body}");
        }
    });
}

#[test]
fn a_client_offering_only_http1_or_nothing_gets_http1() {
    let emu = spawn_tls();
    runtime().block_on(async {
        for alpn in [&[&b"http/1.1"[..]][..], &[]] {
            let (stream, chosen) = tls(&emu, alpn).await;
            let expected = if alpn.is_empty() {
                None
            } else {
                Some(&b"http/1.1"[..])
            };
            assert_eq!(chosen.as_deref(), expected);
            let (mut sender, connection) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream))
                    .await
                    .unwrap();
            let driving = tokio::spawn(connection);
            let response = sender
                .send_request(get(&emu, "/emulator/health", &[]))
                .await
                .unwrap();
            assert_eq!(response.version(), Version::HTTP_11);
            assert_eq!(response.status(), StatusCode::OK);
            drop(sender);
            driving.abort();
        }
    });
}

#[test]
fn plain_tcp_serves_http2_with_prior_knowledge_and_http1_alike() {
    let emu = Emulator::spawn(EmulatorConfig::default()).unwrap();
    runtime().block_on(async {
        let tcp = TcpStream::connect(addr(emu.url())).await.unwrap();
        let mut sender = h2(tcp).await;
        let (version, status, body) =
            answer(&mut sender, get(&emu, "/data/testAuthentication", &[]))
                .await
                .unwrap();
        assert_eq!(version, Version::HTTP_2);
        assert_eq!(status, StatusCode::OK, "{body}");
        // HTTP/1.1 on the same listener.
        let tcp = TcpStream::connect(addr(emu.url())).await.unwrap();
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
            .await
            .unwrap();
        tokio::spawn(connection);
        let response = sender
            .send_request(get(&emu, "/emulator/health", &[]))
            .await
            .unwrap();
        assert_eq!(response.version(), Version::HTTP_11);
        assert_eq!(response.status(), StatusCode::OK);
    });
}

#[test]
fn the_server_settings_bound_streams_and_headers() {
    let emu = spawn_tls();
    runtime().block_on(async {
        let (stream, _) = tls(&emu, &[b"h2"]).await;
        let (mut sender, mut connection) = h2::client::handshake(stream).await.unwrap();
        // The server's SETTINGS arrive once the connection is driven: one request does that.
        let request = Request::get(format!("{}/emulator/health", emu.url()))
            .body(())
            .unwrap();
        let (response, _) = sender.send_request(request, true).unwrap();
        let response = tokio::select! {
            r = response => r.unwrap(),
            e = &mut connection => panic!("the connection ended: {e:?}"),
        };
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            connection.max_concurrent_send_streams(),
            MAX_H2_STREAMS as usize
        );
    });
    runtime().block_on(async {
        let (stream, _) = tls(&emu, &[b"h2"]).await;
        let mut sender = h2(stream).await;
        // A large header (as over HTTP/1.1) is read; one past the limit is refused with 431.
        let fits = "k".repeat(20_000);
        let (_, status, _) = answer(
            &mut sender,
            get(&emu, "/data/testAuthentication", &[("x-padding", fits)]),
        )
        .await
        .unwrap();
        assert_eq!(status, StatusCode::OK);
        let past = "k".repeat(MAX_H2_HEADER_LIST as usize + 1);
        let refused = answer(
            &mut sender,
            get(&emu, "/data/testAuthentication", &[("x-padding", past)]),
        )
        .await;
        match refused {
            Ok((_, status, _)) => assert_eq!(status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE),
            Err(e) => panic!("no 431 but {e}"),
        }
    });
}

#[test]
fn an_http2_connection_without_a_request_is_closed_within_the_header_timeout() {
    let emu = Emulator::spawn(EmulatorConfig {
        tls: Some(TlsConfig::self_signed()),
        header_read_timeout: Duration::from_millis(300),
        ..Default::default()
    })
    .unwrap();
    let plain = Emulator::spawn(EmulatorConfig {
        header_read_timeout: Duration::from_millis(300),
        ..Default::default()
    })
    .unwrap();
    runtime().block_on(async {
        // TLS with h2: the handshake and SETTINGS, then no request.
        let (stream, _) = tls(&emu, &[b"h2"]).await;
        let (sender, connection) = hyper::client::conn::http2::handshake::<_, _, Empty<Bytes>>(
            TokioExecutor::new(),
            TokioIo::new(stream),
        )
        .await
        .unwrap();
        let started = Instant::now();
        let ended = tokio::time::timeout(Duration::from_secs(5), connection).await;
        assert!(ended.is_ok(), "an idle HTTP/2 connection stays open");
        assert!(started.elapsed() < Duration::from_secs(5));
        drop(sender);
        // Plain TCP: half of HTTP/2's preface, then silence (the protocol is never told).
        let mut tcp = TcpStream::connect(addr(plain.url())).await.unwrap();
        tcp.write_all(b"PRI * HTTP/2.0\r\n").await.unwrap();
        let started = Instant::now();
        let mut rest = Vec::new();
        let read = tokio::time::timeout(
            Duration::from_secs(5),
            tokio::io::AsyncReadExt::read_to_end(&mut tcp, &mut rest),
        )
        .await;
        assert!(read.is_ok(), "a half preface keeps the connection open");
        assert!(started.elapsed() < Duration::from_secs(5));
    });
    // Both still serve.
    runtime().block_on(async {
        let (stream, _) = tls(&emu, &[b"h2"]).await;
        let mut sender = h2(stream).await;
        let (_, status, _) = answer(&mut sender, get(&emu, "/emulator/health", &[]))
            .await
            .unwrap();
        assert_eq!(status, StatusCode::OK);
    });
}

#[test]
fn a_close_fault_resets_one_stream_and_the_connection_goes_on() {
    let emu = spawn_tls();
    emu.add_fault(FaultRule::close().count(1)).unwrap();
    runtime().block_on(async {
        let (stream, _) = tls(&emu, &[b"h2"]).await;
        let mut sender = h2(stream).await;
        let closed = answer(&mut sender, get(&emu, "/data/testAuthentication", &[])).await;
        assert!(closed.is_err(), "{closed:?}");
        let (version, status, _) = answer(&mut sender, get(&emu, "/data/testAuthentication", &[]))
            .await
            .unwrap();
        assert_eq!((version, status), (Version::HTTP_2, StatusCode::OK));
    });
}

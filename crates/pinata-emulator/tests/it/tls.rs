//! The emulator over HTTPS: a self-signed certificate a client trusts from the start-up line,
//! certificate files, a client that does not trust it, a handshake that never comes, bad PEM.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use pinata_emulator::{Emulator, EmulatorConfig, EmulatorHandle, TlsConfig};
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};

/// A scratch directory of this test's own.
fn scratch(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "pinata-emulator-tls-{label}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// rustls's *ring* provider (deprecated by name in rustls 0.23.48, see pinata-hyper).
#[allow(deprecated)]
fn ring() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A client trusting the certificates in `pem` (none for an empty string), offering HTTP/1.1.
fn client(pem: &str) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let mut config = rustls::ClientConfig::builder_with_provider(ring())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Arc::new(config)
}

/// `host:port` of an `https://` URL.
fn addr(url: &str) -> &str {
    url.strip_prefix("https://").expect("an https URL")
}

/// `GET /emulator/health` over TLS as `name`: the whole response, or the I/O error (a failed
/// handshake among them).
fn health(url: &str, config: Arc<rustls::ClientConfig>, name: &str) -> std::io::Result<String> {
    let tcp = TcpStream::connect(addr(url))?;
    tcp.set_read_timeout(Some(Duration::from_secs(10)))?;
    let server = ServerName::try_from(name.to_owned()).unwrap();
    let conn = rustls::ClientConnection::new(config, server).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    tls.write_all(
        b"GET /emulator/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )?;
    tls.flush()?;
    assert_eq!(tls.conn.alpn_protocol(), Some(&b"http/1.1"[..]));
    let mut answer = String::new();
    match tls.read_to_string(&mut answer) {
        Ok(_) => {}
        // The server closed without close_notify after a complete response: what hyper may do.
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !answer.is_empty() => {}
        Err(e) => return Err(e),
    }
    Ok(answer)
}

fn spawn(tls: TlsConfig) -> EmulatorHandle {
    Emulator::spawn(EmulatorConfig {
        tls: Some(tls),
        ..Default::default()
    })
    .expect("the emulator starts")
}

#[test]
fn a_self_signed_emulator_serves_a_client_that_trusts_its_certificate() {
    let emu = spawn(TlsConfig::self_signed());
    assert!(emu.url().starts_with("https://127.0.0.1:"), "{}", emu.url());
    let pem = emu
        .certificate_pem()
        .expect("a self-signed certificate's PEM");
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    for name in ["localhost", "127.0.0.1"] {
        let answer = health(emu.url(), client(pem), name).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.contains("\"status\":\"ok\""), "{answer}");
    }
}

#[test]
fn a_client_that_does_not_trust_the_certificate_fails_the_handshake_and_others_go_on() {
    let emu = spawn(TlsConfig::self_signed());
    let err = health(emu.url(), client(""), "localhost").unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData, "{err}");
    assert!(err.to_string().contains("UnknownIssuer"), "{err}");
    // A name the certificate is not for fails too.
    let pem = emu.certificate_pem().unwrap();
    assert!(health(emu.url(), client(pem), "example.com").is_err());
    // Neither touched the server: a trusting client is served.
    let answer = health(emu.url(), client(pem), "localhost").unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[test]
fn the_startup_line_carries_the_url_and_the_certificate() {
    let line = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let emulator = Emulator::bind(EmulatorConfig {
                tls: Some(TlsConfig::SelfSigned {
                    names: vec!["emulator.test".to_owned()],
                }),
                ..Default::default()
            })
            .await
            .unwrap();
            emulator.startup_line()
        });
    let line: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert!(line["url"].as_str().unwrap().starts_with("https://"));
    let pem = line["ca_pem"].as_str().expect("ca_pem");
    assert!(pem.contains("BEGIN CERTIFICATE"), "{pem}");
}

#[test]
fn plain_http_has_no_certificate_and_no_ca_pem() {
    let emu = Emulator::spawn(EmulatorConfig::default()).unwrap();
    assert!(emu.url().starts_with("http://"));
    assert_eq!(emu.certificate_pem(), None);
}

#[test]
fn certificate_files_are_served() {
    let dir = scratch("files");
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
    let emu = spawn(TlsConfig::Files {
        cert: cert.clone(),
        key,
    });
    assert!(emu.url().starts_with("https://"));
    assert_eq!(emu.certificate_pem(), None);
    let pem = std::fs::read_to_string(&cert).unwrap();
    let answer = health(emu.url(), client(&pem), "localhost").unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_pem_file_stops_the_start_up_naming_the_file() {
    let dir = scratch("bad");
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let good_cert = dir.join("cert.pem");
    let good_key = dir.join("key.pem");
    let garbage = dir.join("garbage.pem");
    std::fs::write(&good_cert, made.cert.pem()).unwrap();
    std::fs::write(&good_key, made.signing_key.serialize_pem()).unwrap();
    std::fs::write(&garbage, "not a PEM file\n").unwrap();
    let missing = dir.join("missing.pem");
    let other = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let other_key = dir.join("other-key.pem");
    std::fs::write(&other_key, other.signing_key.serialize_pem()).unwrap();
    for (cert, key, named) in [
        (&garbage, &good_key, &garbage),
        (&good_cert, &garbage, &garbage),
        (&missing, &good_key, &missing),
        (&good_cert, &missing, &missing),
        // A key that is not the certificate's.
        (&good_cert, &other_key, &other_key),
    ] {
        let err = Emulator::spawn(EmulatorConfig {
            tls: Some(TlsConfig::Files {
                cert: cert.clone(),
                key: key.clone(),
            }),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{err}");
        let named = named.display().to_string();
        assert!(
            err.to_string().contains(&named),
            "{err} should name {named}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_handshake_that_never_comes_is_closed_within_the_header_timeout() {
    let emu = Emulator::spawn(EmulatorConfig {
        tls: Some(TlsConfig::self_signed()),
        header_read_timeout: Duration::from_millis(300),
        ..Default::default()
    })
    .unwrap();
    let mut silent = TcpStream::connect(addr(emu.url())).unwrap();
    silent
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let started = Instant::now();
    let mut byte = [0u8; 1];
    // Closed by the server (end of stream or a reset), not by our own read timeout.
    match silent.read(&mut byte) {
        Ok(n) => assert_eq!(n, 0),
        Err(e) => assert_ne!(e.kind(), std::io::ErrorKind::WouldBlock, "{e}"),
    }
    assert!(started.elapsed() < Duration::from_secs(5));
    // The emulator still serves.
    let pem = emu.certificate_pem().unwrap();
    let answer = health(emu.url(), client(pem), "localhost").unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[test]
fn the_command_line_takes_tls_flags_both_or_neither() {
    let parse = |args: &[&str]| {
        pinata_emulator::cli::parse_args(args.iter().map(|a| (*a).to_owned()))
            .map(|c| c.and_then(|c| c.tls))
    };
    assert_eq!(parse(&[]).unwrap(), None);
    assert_eq!(
        parse(&["--tls-self-signed"]).unwrap(),
        Some(TlsConfig::self_signed())
    );
    assert_eq!(
        parse(&[
            "--tls-self-signed",
            "--tls-name",
            "a.test",
            "--tls-name=::1"
        ])
        .unwrap(),
        Some(TlsConfig::SelfSigned {
            names: vec!["a.test".to_owned(), "::1".to_owned()]
        })
    );
    assert_eq!(
        parse(&["--tls-cert", "c.pem", "--tls-key", "k.pem"]).unwrap(),
        Some(TlsConfig::Files {
            cert: "c.pem".into(),
            key: "k.pem".into()
        })
    );
    for (args, says) in [
        (&["--tls-cert", "c.pem"][..], "--tls-key"),
        (&["--tls-key", "k.pem"][..], "--tls-cert"),
        (&["--tls-name", "a.test"][..], "--tls-self-signed"),
        (
            &["--tls-self-signed", "--tls-cert", "c", "--tls-key", "k"][..],
            "not both",
        ),
        (&["--tls-self-signed=x"][..], "no value"),
        (&["--tls-self-signed", "--tls-name", ""][..], "empty"),
    ] {
        let err = parse(args).unwrap_err();
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

/// An emulator process, killed and reaped when dropped.
struct Process(std::process::Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_binary_prints_ca_pem_and_a_client_trusting_it_is_served() {
    use std::io::BufRead;
    let mut child = Process(
        std::process::Command::new(env!("CARGO_BIN_EXE_pinata-emulator"))
            .args(["--tls-self-signed", "--tls-name", "localhost"])
            .env_remove("PINATA_EMULATOR_LISTEN")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    let mut line = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .unwrap();
    let line: serde_json::Value = serde_json::from_str(&line).unwrap();
    let url = line["url"].as_str().unwrap();
    let pem = line["ca_pem"]
        .as_str()
        .expect("ca_pem in the start-up line");
    let answer = health(url, client(pem), "localhost").unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // The certificate is for the names given only.
    assert!(health(url, client(pem), "127.0.0.1").is_err());
}

#[test]
fn the_binary_exits_with_2_naming_a_bad_pem_file() {
    let dir = scratch("cli");
    let garbage = dir.join("garbage.pem");
    std::fs::write(&garbage, "-----BEGIN NOTHING-----\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pinata-emulator"))
        .arg("--tls-cert")
        .arg(&garbage)
        .arg("--tls-key")
        .arg(&garbage)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("--tls-cert {}", garbage.display())),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

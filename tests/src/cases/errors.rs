//! What an error says: where the request went (host, port and path, never the query), the cause
//! in words, and what to change; word for word the same through every transport.

use std::path::Path;

use super::*;
use pinata_core::api::Network;
use pinata_core::api::pinning::PinJson;
use pinata_core::api::uploads::UploadFile;
use pinata_core::download::Download;
use pinata_core::retry::RetryPolicy;
use pinata_core::transport::TransportCause;

/// Three quick attempts.
fn three_attempts() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(3)
        .backoff(Duration::from_millis(10), Duration::from_millis(20))
}

/// The error as `anyhow`'s `{:#}` prints it, checking that no layer repeats the next one.
fn chain(e: &Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut next = std::error::Error::source(e);
    while let Some(cause) = next {
        parts.push(cause.to_string());
        next = cause.source();
    }
    for pair in parts.windows(2) {
        assert!(
            !pair[0].to_lowercase().contains(&pair[1].to_lowercase()),
            "{:?} repeats its cause {:?}",
            pair[0],
            pair[1]
        );
    }
    parts.join(": ")
}

/// The transport error's cause, as a value.
fn why(e: &Error) -> Option<TransportCause> {
    match e {
        Error::Transport(t) => t.why(),
        other => panic!("expected a transport error, got {other:?}"),
    }
}

/// `http://127.0.0.1:PORT` → `127.0.0.1:PORT`.
fn authority(url: &str) -> &str {
    url.trim_start_matches("http://")
}

/// Each transport failure names its target and says why, in the same words on both transports
/// (each the same [`TransportCause`]): a host name that does not resolve (the uploads origin, as
/// a user who moved only the API meets it), a refused connection, a reset, a body cut short, an
/// answer that is not HTTP, a stalled connection, a gateway request whose key is in the query
/// (never shown).
pub fn transport_failures_say_where_and_why<D: Driver>(d: &D) {
    let creds = target().good.clone();
    let upload = UploadFile::bytes("note.txt", "hello").unwrap();
    let nowhere = Config::default()
        .with_uploads_url("https://uploads.pinata-e2e.invalid")
        .unwrap()
        .with_retry_policy(three_attempts());
    let e = d
        .execute_upload(creds.clone(), nowhere, &upload)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "could not connect to uploads.pinata-e2e.invalid:443 (the uploads origin; set PINATA_UPLOADS_URL, or PINATA_EMULATOR_URL for every origin): the host name did not resolve; nothing was sent",
        "{}",
        chain(&e)
    );
    assert_eq!(why(&e), Some(TransportCause::NameNotResolved));

    let closed = closed_port_url();
    let refused = Config::default()
        .with_base_url(&closed)
        .unwrap()
        .with_retry_policy(three_attempts());
    let e = d
        .execute(creds.clone(), refused, &PinJson::new(&1).unwrap())
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "could not connect to {} (the API origin; set PINATA_API_URL, or PINATA_EMULATOR_URL for every origin): connection refused; nothing was sent (after 3 attempts)",
            authority(&closed)
        ),
        "{}",
        chain(&e)
    );
    assert_eq!(why(&e), Some(TransportCause::ConnectionRefused));

    let reset = FakeServer::with(Behaviour::Reset);
    let config = Config::default()
        .with_base_url(&reset.url)
        .unwrap()
        .with_retry_policy(three_attempts());
    let e = d
        .execute(creds.clone(), config, &PinJson::new(&1).unwrap())
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "POST {}/pinning/pinJSONToIPFS failed: the connection was reset",
            reset.url
        ),
        "{}",
        chain(&e)
    );
    assert_eq!(why(&e), Some(TransportCause::ConnectionReset));

    let cut_short = FakeServer::with(Behaviour::Reply(
        b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"message\":".to_vec(),
    ));
    let config = Config::default()
        .with_base_url(&cut_short.url)
        .unwrap()
        .with_retry_policy(three_attempts());
    let e = d.test_authentication(creds.clone(), config).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "GET {}/data/testAuthentication failed: the connection closed before the response ended (after 3 attempts)",
            cut_short.url
        ),
        "{}",
        chain(&e)
    );
    assert_eq!(why(&e), Some(TransportCause::ClosedEarly));

    let not_http = FakeServer::with(Behaviour::Reply(b"SSH-2.0-OpenSSH_9.6\r\n\r\n".to_vec()));
    let config = Config::default()
        .with_base_url(&not_http.url)
        .unwrap()
        .with_retry_policy(three_attempts());
    let e = d.test_authentication(creds.clone(), config).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "GET {}/data/testAuthentication failed: the response is not valid HTTP (after 3 attempts)",
            not_http.url
        ),
        "{}",
        chain(&e)
    );
    assert_eq!(why(&e), Some(TransportCause::InvalidHttp));

    // Accepted, then never a TLS handshake: the connect timeout, which covers TCP and TLS.
    let stalled = FakeServer::start(None);
    let https = stalled.url.replacen("http://", "https://", 1);
    let options = TransportOptions {
        connect_timeout: Duration::from_millis(200),
        ..TransportOptions::default()
    };
    let config = Config::default()
        .with_base_url(&https)
        .unwrap()
        .with_transport_options(options)
        .with_retry_policy(three_attempts());
    let e = d.test_authentication(creds.clone(), config).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "could not connect to {} (the API origin; set PINATA_API_URL, or PINATA_EMULATOR_URL for every origin): timed out; nothing was sent (after 3 attempts)",
            authority(&stalled.url)
        ),
        "{}",
        chain(&e)
    );
    assert_eq!(why(&e), Some(TransportCause::TimedOut));

    let gateway = FakeServer::with(Behaviour::Reset);
    let key = "gw-key-e2e-0123456789abcdef";
    let config = Config::default()
        .with_gateway(&gateway.url)
        .unwrap()
        .with_gateway_key(key)
        .unwrap()
        .with_retry_policy(three_attempts());
    let cid = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";
    let e = d
        .download(creds, config, &Download::public(cid, "").unwrap())
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "GET {}/ipfs/{cid} failed: the connection was reset (after 3 attempts)",
            gateway.url
        )
    );
    assert_eq!(why(&e), Some(TransportCause::ConnectionReset));
    let shown = format!("{e} {} {e:?}", chain(&e));
    assert!(
        !shown.contains(key) && !shown.contains("pinataGatewayToken"),
        "{shown}"
    );
}

/// A file that is not there: the path and the system's words for why, from `{}` alone, and
/// printed once by a chain printer.
pub fn a_missing_file_says_which_and_why<D: Driver>(d: &D) {
    let path = Path::new("pinata-e2e-nonexistent.bin");
    let why = std::fs::metadata(path).unwrap_err().to_string();
    for e in [
        d.upload_request(path).unwrap_err(),
        d.pin_request(path).unwrap_err(),
    ] {
        assert!(matches!(e, Error::Local(_)), "{e:?}");
        assert_eq!(e.to_string(), format!("pinata-e2e-nonexistent.bin: {why}"));
        assert_eq!(chain(&e), e.to_string());
    }
}

/// `PINATA_EMULATOR_URL` alone points the API, uploads and the gateway at the emulator: a v3
/// upload and a gateway download work with nothing else set. With only `PINATA_API_URL` moved,
/// the upload goes elsewhere, and its error says which origin and which variable.
pub fn one_variable_points_every_origin_at_the_emulator<D: Driver>(d: &D) {
    let t = target();
    let Some(emu) = t.emulator("one_variable_points_every_origin_at_the_emulator") else {
        return;
    };
    let admin = Credentials::jwt(&emu.admin_jwt).unwrap();
    let url = t.url.clone();
    let environment = move |name: &str| Ok((name == "PINATA_EMULATOR_URL").then(|| url.clone()));
    let config = Config::from_lookup(environment).unwrap();
    let bytes = format!("one switch {}", now_secs()).into_bytes();
    let upload = UploadFile::bytes("switch.txt", bytes.clone())
        .unwrap()
        .network(Network::Public);
    let up = d
        .execute_upload(admin.clone(), config.clone(), &upload)
        .unwrap();
    let (got, _, _) = d
        .download(
            admin.clone(),
            config,
            &Download::public(&up.cid, "").unwrap(),
        )
        .unwrap();
    assert_eq!(got, bytes);

    // The API moved, uploads not: here they go to a closed port instead of the real service.
    let (api, closed) = (t.url.clone(), closed_port_url());
    let uploads = closed.clone();
    let environment = move |name: &str| {
        Ok(match name {
            "PINATA_API_URL" => Some(api.clone()),
            "PINATA_UPLOADS_URL" => Some(uploads.clone()),
            _ => None,
        })
    };
    let config = Config::from_lookup(environment).unwrap();
    assert!(d.test_authentication(admin.clone(), config.clone()).is_ok());
    let e = d.execute_upload(admin, config, &upload).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "could not connect to {} (the uploads origin; set PINATA_UPLOADS_URL, or PINATA_EMULATOR_URL for every origin): connection refused; nothing was sent",
            authority(&closed)
        )
    );
}

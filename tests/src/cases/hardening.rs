//! What the client refuses to trust: a host *name* that claims to be loopback, a server's text on
//! its way to a terminal, and a local path that is not a regular file.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use super::*;
use crate::scratch::Scratch;
use pinata_core::LocalError;
use pinata_core::transport::{LoopbackOnly, NotLoopback, find_cause};

// ---- plain http goes to loopback addresses only ------------------------------------------------

/// `http://localhost:PORT` still reaches a loopback server: the name is resolved and every address
/// it resolves to is loopback. The rule itself (pure, in the core) refuses any other address.
pub fn localhost_is_checked_by_its_addresses<D: Driver>(d: &D) {
    let server = FakeServer::start(Some(
        b"HTTP/1.1 200 OK\r\ncontent-length: 16\r\n\r\n{\"message\":\"hi\"}".to_vec(),
    ));
    let by_name = server.url.replacen("127.0.0.1", "localhost", 1);
    let config = Config::default().with_base_url(&by_name).unwrap();
    let creds = echo_pair();
    let request = prepare_request(&TestAuthentication, &creds, &config, SystemTime::now()).unwrap();
    assert!(
        LoopbackOnly::is_required(&request),
        "plain http to a loopback name is marked for the transport to check"
    );
    let ok = d.test_authentication(creds, config);
    assert_eq!(ok.map(|ok| ok.message).ok().as_deref(), Some("hi"));
    assert_eq!(server.connections(), 1);

    let loopback = [
        SocketAddr::from(([127, 0, 0, 1], 80)),
        "[::1]:80".parse().unwrap(),
    ];
    assert_eq!(LoopbackOnly::check("localhost", &loopback), Ok(()));
    let elsewhere = LoopbackOnly::check("localhost", &[SocketAddr::from(([10, 0, 0, 1], 80))])
        .expect_err("10.0.0.1 is not loopback");
    assert_eq!(elsewhere.address(), std::net::IpAddr::from([10, 0, 0, 1]));
    assert!(
        LoopbackOnly::check(
            "localhost",
            &[loopback[0], SocketAddr::from(([10, 0, 0, 1], 80))]
        )
        .is_err(),
        "one address that is not loopback is enough to refuse"
    );
}

/// `http://[::ffff:127.0.0.1]` is loopback, by decision: an IPv4-mapped IPv6 address is the IPv4
/// address it maps (the kernel delivers it to `127.0.0.1`), so plain http goes there, marked and
/// checked by its address like any loopback request. Any other mapped address, and the deprecated
/// IPv4-*compatible* form (`::127.0.0.1`, which no kernel maps to loopback), are refused before
/// anything is sent.
pub fn ipv4_mapped_loopback_is_loopback_and_nothing_else_is<D: Driver>(d: &D) {
    let server = FakeServer::start(Some(
        b"HTTP/1.1 200 OK\r\ncontent-length: 16\r\n\r\n{\"message\":\"hi\"}".to_vec(),
    ));
    let mapped = server.url.replacen("127.0.0.1", "[::ffff:127.0.0.1]", 1);
    let config = Config::default().with_base_url(&mapped).unwrap();
    let request = prepare_request(
        &TestAuthentication,
        &echo_pair(),
        &config,
        SystemTime::now(),
    )
    .unwrap();
    assert!(
        LoopbackOnly::is_required(&request),
        "marked for the transport's check"
    );
    let ok = d.test_authentication(echo_pair(), config);
    assert_eq!(ok.map(|ok| ok.message).ok().as_deref(), Some("hi"));
    assert_eq!(server.connections(), 1);

    for elsewhere in ["[::ffff:10.0.0.1]", "[::127.0.0.1]", "[::ffff:0:127.0.0.1]"] {
        let url = server.url.replacen("127.0.0.1", elsewhere, 1);
        let refused = Config::default()
            .with_base_url(&url)
            .map_err(|e| e.to_string())
            .and_then(|config| {
                d.test_authentication(echo_pair(), config)
                    .map(|ok| ok.message)
                    .map_err(|e| e.to_string())
            })
            .expect_err(elsewhere);
        assert!(
            refused.contains("refusing to send credentials over plain http"),
            "{elsewhere}: {refused}"
        );
    }
    assert_eq!(server.connections(), 1, "nothing else reached the server");
}

/// A request marked loopback-only whose address is not loopback is refused by the transport with
/// the same typed error through both transports, and no connection is made. `0.0.0.0` is not
/// loopback, yet on Linux connecting to it reaches this machine's listeners: the unmarked request
/// shows that only the check stops it.
pub fn loopback_only_requests_never_leave_for_other_addresses<D: Driver>(d: &D) {
    let server = FakeServer::start(Some(
        b"HTTP/1.1 200 OK\r\ncontent-length: 16\r\n\r\n{\"message\":\"hi\"}".to_vec(),
    ));
    let unspecified = server.url.replacen("127.0.0.1", "0.0.0.0", 1);
    // The client itself never marks a request to a non-loopback literal (it refuses it before
    // sending); a hand-made one tests the transport's own check.
    let config = Config::default()
        .with_base_url(&unspecified)
        .unwrap()
        .allow_insecure_http(true);
    let build = || {
        prepare_request(
            &TestAuthentication,
            &echo_pair(),
            &config,
            SystemTime::now(),
        )
        .unwrap()
    };
    let mut marked = build();
    marked.extensions_mut().insert(LoopbackOnly);
    match d.send_raw(&config, marked) {
        Err(e) => {
            assert_eq!(e.kind(), TransportErrorKind::NotLoopback, "{e}");
            assert!(!e.may_have_been_sent(), "{e}");
            let cause = find_cause::<NotLoopback>(&e).expect("the core's refusal is the cause");
            assert_eq!(cause.address(), std::net::IpAddr::from([0, 0, 0, 0]));
        }
        Ok(r) => panic!("a loopback-only request reached {unspecified}: {r:?}"),
    }
    assert_eq!(server.connections(), 0, "nothing may connect");

    // Through a client the base URL's text is judged first: the same URL is a build error.
    let strict = Config::default().with_base_url(&unspecified).unwrap();
    assert!(matches!(
        d.test_authentication(echo_pair(), strict),
        Err(Error::Build(BuildError::InsecureHttp { .. }))
    ));

    #[cfg(target_os = "linux")]
    {
        let unmarked = d.send_raw(&config, build());
        assert!(unmarked.is_ok(), "{unmarked:?}");
        assert_eq!(server.connections(), 1);
    }
}

// ---- server text is escaped, capped and redacted -----------------------------------------------

const ECHO_KEY: &str = "0123456789abcdef0123";
const ECHO_SECRET: &str = "e2e-echo-secret-9f8e7d6c5b4a39281706f5e4d3c2b1a0";

fn echo_pair() -> Credentials {
    Credentials::key_pair(ECHO_KEY, ECHO_SECRET).unwrap()
}

/// A JWT of the right shape that expires in 2100.
fn echo_jwt() -> String {
    let b64 = pinata_core::jwt::base64url_encode;
    format!(
        "{}.{}.{}",
        b64(br#"{"alg":"HS256","typ":"JWT"}"#),
        b64(format!(r#"{{"scopedKeyKey":"{ECHO_KEY}","exp":4102444800}}"#).as_bytes()),
        b64(b"e2e-signature-that-is-not-checked")
    )
}

fn http_response(status: &str, content_type: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Terminal escapes, a forged line, a bell, a bidi override, and the request head echoed back.
fn hostile_text(head: &str) -> String {
    format!("\x1b[31mbad request\x1b[0m\r\nX-Forged: yes\x07 \u{202E}txt.exe {head}")
}

fn echo_as_text(head: &str) -> Vec<u8> {
    http_response("400 Bad Request", "text/plain", &hostile_text(head))
}

fn echo_as_json(head: &str) -> Vec<u8> {
    let body = serde_json::json!({
        "error": {"reason": "BAD\x1b[31mREQUEST\x07", "details": hostile_text(head)}
    });
    http_response("400 Bad Request", "application/json", &body.to_string())
}

/// A redirect whose `Location` carries the credential the request came with.
fn echo_in_location(head: &str) -> Vec<u8> {
    let credential = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            (name.eq_ignore_ascii_case("pinata_secret_api_key")
                || name.eq_ignore_ascii_case("authorization"))
            .then(|| value.trim().replace(' ', "+"))
        })
        .unwrap_or_default();
    format!(
        "HTTP/1.1 307 Temporary Redirect\r\nlocation: http://elsewhere.invalid/echo?c={credential}\r\ncontent-length: 0\r\n\r\n"
    )
    .into_bytes()
}

/// How a fake server answers, from the request head it received.
type Answer = fn(&str) -> Vec<u8>;

/// The error and its causes, one after the other, as a chain printer (`anyhow`'s `{:#}`) shows it.
fn chain(e: &Error) -> String {
    let mut text = format!("{e:#}");
    let mut next = std::error::Error::source(e);
    while let Some(cause) = next {
        text.push_str(&format!(": {cause:#}"));
        next = cause.source();
    }
    text
}

fn assert_nothing_leaks(e: &Error, secret: &str, what: &str) {
    let shown = e.to_string();
    let chained = chain(e);
    for text in [&shown, &chained] {
        let bad: Vec<char> = text
            .chars()
            .filter(|c| c.is_control() || matches!(c, '\u{202E}' | '\u{2066}' | '\u{200B}'))
            .collect();
        assert!(bad.is_empty(), "{what}: {bad:?} in {text:?}");
    }
    for text in [&shown, &chained, &format!("{e:?}")] {
        assert!(
            !text.contains(secret),
            "{what}: the secret is shown: {text}"
        );
    }
    if let Some(api) = e.as_api() {
        assert!(!api.raw_body().contains(secret), "{what}: raw body");
        assert!(!api.message().contains(secret), "{what}: message");
        assert!(
            api.raw_body().contains("[REDACTED]"),
            "{what}: {}",
            api.raw_body()
        );
    }
    if let Error::Redirect(r) = e {
        assert!(!r.location().unwrap_or_default().contains(secret), "{what}");
    }
}

/// A server that answers with terminal escapes, CR LF, BEL, a bidi override and an echo of the
/// request (credentials included): the error's `Display` and its chain hold no control character
/// and no secret, and neither does its data (`raw_body`, `message`, `location`).
pub fn server_text_in_errors_is_escaped_and_redacted<D: Driver>(d: &D) {
    let jwt = echo_jwt();
    let schemes = [
        (echo_pair(), ECHO_SECRET.to_owned()),
        (Credentials::jwt(jwt.clone()).unwrap(), jwt),
    ];
    let answers: [(&str, Answer); 3] = [
        ("text body", echo_as_text),
        ("JSON body", echo_as_json),
        ("redirect", echo_in_location),
    ];
    for (creds, secret) in &schemes {
        for (what, answer) in answers {
            let what = format!("{what} over {} with {}", d.name(), creds.scheme());
            let server = FakeServer::with(Behaviour::Respond(answer));
            let config = Config::default().with_base_url(&server.url).unwrap();
            let e = d
                .test_authentication(creds.clone(), config)
                .expect_err("the server answers with an error");
            assert!(
                server.requests()[0].contains(secret.as_str()),
                "{what}: the request carried the secret"
            );
            assert_nothing_leaks(&e, secret, &what);
            match &e {
                Error::Api(api) => {
                    let shown = e.to_string();
                    assert!(shown.contains("\\u{1b}[31m"), "{what}: {shown}");
                    assert!(shown.contains("\\r\\nX-Forged"), "{what}: {shown}");
                    assert!(shown.contains("[REDACTED]"), "{what}: {shown}");
                    assert!(shown.len() < 2000, "{what}: {} bytes shown", shown.len());
                    // The data keeps the server's text (less the secret), unescaped.
                    assert!(api.message().contains("\x1b[31m"), "{what}");
                }
                Error::Redirect(r) => {
                    assert!(r.location().unwrap().contains("[REDACTED]"), "{what}");
                }
                other => panic!("{what}: expected an API error or a redirect, got {other:?}"),
            }
        }
    }
}

// ---- only regular files are read ---------------------------------------------------------------

/// Makes a FIFO at `path` with `mkfifo`; `false` (with a note) where there is none.
fn mkfifo(path: &Path) -> bool {
    match std::process::Command::new("mkfifo").arg(path).status() {
        Ok(status) if status.success() => true,
        other => {
            println!("skipped: cannot make a FIFO with mkfifo ({other:?})");
            false
        }
    }
}

/// While alive, nothing happens; if a call is still stuck on the FIFO after `after`, it gives the
/// FIFO a writer and closes it, so a blocked open or read ends (with end of file) and a failing
/// test fails instead of hanging.
struct Unblocker(Option<mpsc::Sender<()>>);

impl Unblocker {
    fn new(fifo: PathBuf, after: Duration) -> Self {
        let (done, wait) = mpsc::channel::<()>();
        std::thread::spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = wait.recv_timeout(after) {
                let _ = std::fs::OpenOptions::new().write(true).open(&fifo);
            }
        });
        Self(Some(done))
    }
}

impl Drop for Unblocker {
    fn drop(&mut self) {
        self.0.take();
    }
}

/// How long a refusal may take: far less than any timeout (it reads nothing).
const FAST: Duration = Duration::from_secs(3);
/// When a stuck call is set free (so a failing test ends).
const UNBLOCK_AFTER: Duration = Duration::from_secs(8);

fn assert_unsupported<T: std::fmt::Debug>(result: Result<T, LocalError>, fifo: &Path, what: &str) {
    match result {
        Err(LocalError::UnsupportedFileType(p)) => assert_eq!(p, fifo, "{what}"),
        other => panic!("{what}: expected UnsupportedFileType, got {other:?}"),
    }
}

/// A FIFO given as a file to upload or hash is refused at once with
/// `LocalError::UnsupportedFileType`, through each adapter's own file code; nothing reads it.
pub fn a_fifo_is_refused_before_anything_is_read<D: Driver>(d: &D) {
    let scratch = Scratch::new("fifo");
    let fifo = scratch.path().join("pipe");
    if !mkfifo(&fifo) {
        return;
    }
    let _unblock = Unblocker::new(fifo.clone(), UNBLOCK_AFTER);
    let started = Instant::now();
    let pin = d.pin_request(&fifo).map_err(|e| match e {
        Error::Local(local) => local,
        other => panic!("pin_request: expected a local error, got {other:?}"),
    });
    assert_unsupported(pin, &fifo, "pin_request");
    assert_unsupported(
        d.cid_of_path(&fifo, pinata_core::cid::ImportOptions::default()),
        &fifo,
        "cid_of_path",
    );
    assert_unsupported(
        d.upload_cid_of_path(&fifo, pinata_core::cid::ImportOptions::default()),
        &fifo,
        "upload_cid_of_path",
    );
    // Not a performance figure: a guard that nothing waited on the FIFO.
    assert!(started.elapsed() < FAST, "took {:?}", started.elapsed());

    // In a folder, the scan refuses it as it always did.
    let folder = scratch.mkdir("site");
    scratch.write("site/a.txt", b"a");
    let inner = folder.join("pipe");
    if mkfifo(&inner) {
        match d.pin_request(&folder) {
            Err(Error::Local(LocalError::UnsupportedFileType(p))) => assert_eq!(p, inner),
            other => panic!("folder: expected UnsupportedFileType, got {other:?}"),
        }
    }
}

/// A file that is replaced by a FIFO after `pin_request` planned it: the upload opens the path
/// without blocking, sees from the handle that it is not a regular file, and fails at once with
/// `Error::Local(UnsupportedFileType)`, well before the request timeout, instead of waiting on
/// the FIFO.
pub fn a_file_swapped_for_a_fifo_fails_the_upload_fast<D: Driver>(d: &D) {
    let scratch = Scratch::new("fifo-swap");
    let path = scratch.write("swapped.bin", &vec![7u8; 100_000]);
    let request = d.pin_request(&path).expect("a regular file is accepted");
    std::fs::remove_file(&path).unwrap();
    if !mkfifo(&path) {
        return;
    }
    let body = r#"{"IpfsHash":"QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o","PinSize":1,"Timestamp":"2026-01-01T00:00:00.000Z"}"#;
    let server = FakeServer::start(Some(http_response("200 OK", "application/json", body)));
    let config = Config::default()
        .with_base_url(&server.url)
        .unwrap()
        .with_transport_options(TransportOptions {
            request_timeout: Duration::from_secs(20),
            ..TransportOptions::default()
        });
    let _unblock = Unblocker::new(path.clone(), UNBLOCK_AFTER);
    let started = Instant::now();
    match d.execute(echo_pair(), config, &request) {
        Err(Error::Local(LocalError::UnsupportedFileType(p))) => assert_eq!(p, path),
        other => panic!("expected UnsupportedFileType, got {other:?}"),
    }
    // Not a performance figure: a guard that the refusal, not a timeout or the unblocker, ended it.
    assert!(started.elapsed() < FAST, "took {:?}", started.elapsed());
}

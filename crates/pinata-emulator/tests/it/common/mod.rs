//! What the emulator's integration tests share: raw HTTP calls on loopback (every wait bounded by
//! a socket timeout) and a few API calls.

// Test helpers: a failed step is a failed test; each test file uses some of them.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use pinata_emulator::{Emulator, EmulatorConfig, EmulatorHandle};

/// A finished HTTP response.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    /// The status line and headers.
    pub head: String,
    pub body: String,
}

pub fn addr(url: &str) -> String {
    url.trim_start_matches("http://").to_owned()
}

pub fn connect(url: &str) -> TcpStream {
    let stream = TcpStream::connect(addr(url)).expect("connect to the emulator");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("a read timeout");
    stream
}

/// Reads one response (head, then a `Content-Length` body) from `stream`.
pub fn read_answer(stream: &mut TcpStream) -> std::io::Result<Answer> {
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        if let Some(at) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    while raw.len() < head_end + length {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
    }
    let end = raw.len().min(head_end + length);
    Ok(Answer {
        status,
        head,
        body: String::from_utf8_lossy(&raw[head_end..end]).into_owned(),
    })
}

/// Sends `method path` with `headers` and `body` on a new connection and reads the answer.
pub fn call(url: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
    let mut stream = connect(url);
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("send the head");
    stream.write_all(body).expect("send the body");
    read_answer(&mut stream).expect("an answer")
}

pub fn bearer(jwt: &str) -> String {
    format!("Bearer {jwt}")
}

/// Sends a JSON `body` to `method path` with the admin's JWT.
pub fn admin_call(emu: &EmulatorHandle, method: &str, path: &str, body: &str) -> Answer {
    call(
        emu.url(),
        method,
        path,
        &[
            ("authorization", &bearer(&emu.admin().jwt)),
            ("content-type", "application/json"),
        ],
        body.as_bytes(),
    )
}

pub fn spawn(config: EmulatorConfig) -> EmulatorHandle {
    Emulator::spawn(config).expect("the emulator starts")
}

pub fn test_auth(url: &str, jwt: &str) -> Answer {
    call(
        url,
        "GET",
        "/data/testAuthentication",
        &[("authorization", &bearer(jwt))],
        b"",
    )
}

/// Creates a key through the API as `jwt`, returning (status, body).
pub fn create_key(url: &str, jwt: &str, permissions: &str) -> Answer {
    let body = format!(r#"{{"keyName":"k","permissions":{permissions}}}"#);
    call(
        url,
        "POST",
        "/v3/pinata/keys",
        &[
            ("authorization", &bearer(jwt)),
            ("content-type", "application/json"),
        ],
        body.as_bytes(),
    )
}

pub fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

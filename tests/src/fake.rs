//! Tiny misbehaving HTTP servers on loopback, for what the emulator must never do: redirect, stall,
//! send too much.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

/// What a [`FakeServer`] does with each connection.
#[derive(Debug, Clone)]
pub enum Behaviour {
    /// Read the request head, then write these bytes.
    Reply(Vec<u8>),
    /// Read the request head, then never answer.
    Stall,
    /// Write these bytes as soon as the connection opens, without reading, then close.
    Greet(Vec<u8>),
    /// Read the whole request, then reset the connection (TCP RST) without answering.
    Reset,
    /// Read the request head (and body), then write what this function makes of the head (as
    /// text): for servers that echo what they received.
    Respond(fn(&str) -> Vec<u8>),
}

/// A loopback server that treats every connection the same way.
#[derive(Debug)]
pub struct FakeServer {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    connections: Arc<AtomicUsize>,
    requests: Arc<std::sync::Mutex<Vec<String>>>,
}

impl FakeServer {
    /// Starts a server that replies with the raw bytes `response`, or never replies if `None`.
    pub fn start(response: Option<Vec<u8>>) -> Self {
        Self::with(match response {
            Some(bytes) => Behaviour::Reply(bytes),
            None => Behaviour::Stall,
        })
    }

    /// Starts a server with `behaviour`.
    pub fn with(behaviour: Behaviour) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (count, log) = (connections.clone(), requests.clone());
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                count.fetch_add(1, Ordering::SeqCst);
                let behaviour = behaviour.clone();
                let log = log.clone();
                thread::spawn(move || serve(stream, behaviour, &log));
            }
        });
        Self {
            url,
            connections,
            requests,
        }
    }

    /// How many connections were accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// The request heads received so far.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

fn serve(mut stream: TcpStream, behaviour: Behaviour, log: &std::sync::Mutex<Vec<String>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    if let Behaviour::Greet(bytes) = &behaviour {
        let _ = stream.write_all(bytes);
        return;
    }
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let head_text = String::from_utf8_lossy(&head).into_owned();
    if let Ok(mut l) = log.lock() {
        l.push(head_text.clone());
    }
    // Read the body the request declares (past what came with the head) before answering.
    let declared: usize = head_text
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    let head_end = head
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(head.len(), |p| p + 4);
    let mut body_left = declared.saturating_sub(head.len() - head_end);
    while body_left > 0 && !matches!(behaviour, Behaviour::Stall) {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => body_left = body_left.saturating_sub(n),
        }
    }
    match behaviour {
        Behaviour::Reply(bytes) | Behaviour::Greet(bytes) => {
            let _ = stream.write_all(&bytes);
            let _ = stream.flush();
        }
        Behaviour::Respond(make) => {
            let _ = stream.write_all(&make(&head_text));
            let _ = stream.flush();
        }
        // Hold the connection open without answering until the client gives up.
        Behaviour::Stall => {
            let _ = stream.read(&mut buf);
        }
        // Closing with a zero linger time sends RST instead of FIN.
        Behaviour::Reset => {
            let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
            drop(stream);
        }
    }
}

/// A loopback port with nothing listening on it.
pub fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let addr = listener.local_addr().expect("local addr");
    drop(listener);
    format!("http://{addr}")
}

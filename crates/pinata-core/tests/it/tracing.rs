//! With the `tracing` feature, every attempt emits one event with method, path, status, attempt and
//! duration, and never a credential.
#![cfg(feature = "tracing")]

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Request, Response};
use pinata_core::api::pinning::ListPins;
use pinata_core::retry::RetryPolicy;
use pinata_core::{BlockingClient, Body, Config, Credentials, TransportError};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Writes every event's fields into a string.
struct Capture(Arc<Mutex<String>>);

struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, "{}={:?} ", field.name(), value);
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut line = String::new();
        event.record(&mut Fields(&mut line));
        let mut log = self.0.lock().unwrap();
        log.push_str(&line);
        log.push('\n');
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn one_event_per_attempt_without_secrets() {
    let secret = "very-secret-value-0123456789";
    let creds = Credentials::key_pair("0123456789abcdef0123", secret).unwrap();
    let calls = Arc::new(Mutex::new(0));
    let count = calls.clone();
    // 503, then a page: two attempts.
    let transport = move |_req: Request<Body>| -> Result<Response<Bytes>, TransportError> {
        let mut n = count.lock().unwrap();
        *n += 1;
        let (status, body) = if *n == 1 {
            (503, "busy")
        } else {
            (200, r#"{"count":0,"rows":[]}"#)
        };
        Ok(Response::builder()
            .status(status)
            .body(Bytes::from_static(body.as_bytes()))
            .unwrap())
    };
    let policy = RetryPolicy::default().backoff(
        std::time::Duration::from_millis(1),
        std::time::Duration::from_millis(2),
    );
    let client = BlockingClient::with_transport(
        transport,
        creds,
        Config::default().with_retry_policy(policy),
    );
    let log = Arc::new(Mutex::new(String::new()));
    tracing::subscriber::with_default(Capture(log.clone()), || {
        client.execute(&ListPins::new().name_contains("x")).unwrap();
    });
    let log = log.lock().unwrap().clone();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 2, "{log}");
    assert!(
        lines[0].contains("method=GET") && lines[0].contains("path=/data/pinList"),
        "{log}"
    );
    assert!(
        lines[0].contains("attempt=1") && lines[0].contains("status=503"),
        "{log}"
    );
    assert!(
        lines[1].contains("attempt=2") && lines[1].contains("status=2xx"),
        "{log}"
    );
    assert!(lines[1].contains("duration_ms="), "{log}");
    assert!(
        !log.contains(secret) && !log.contains("metadata"),
        "no secret, no query: {log}"
    );
}

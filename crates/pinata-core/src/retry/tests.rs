use super::*;
use crate::error::{ApiError, TransportError, TransportErrorKind};
use http::{HeaderMap, Method};

/// A transport failure of `kind`, on the side of sending that kind usually is on: connect and TLS
/// failures before anything was sent, the rest after.
fn transport(kind: TransportErrorKind) -> Error {
    Error::Transport(match kind {
        TransportErrorKind::Connect | TransportErrorKind::Tls => {
            TransportError::not_sent(kind, "test")
        }
        _ => TransportError::maybe_sent(kind, "test"),
    })
}

fn status(code: u16, retry_after: Option<&str>) -> Error {
    let mut h = HeaderMap::new();
    if let Some(v) = retry_after {
        h.insert("retry-after", v.parse().unwrap());
    }
    Error::Api(Box::new(ApiError::from_response(
        StatusCode::from_u16(code).unwrap(),
        &h,
        b"{}",
    )))
}

const Z: Duration = Duration::ZERO;

/// A fixed wall clock: 2015-10-21T07:27:00Z.
fn now() -> std::time::SystemTime {
    std::time::UNIX_EPOCH + Duration::from_secs(1_445_412_420)
}

#[test]
fn backoff_doubles_with_jitter_and_a_cap() {
    let p = RetryPolicy::default()
        .backoff(Duration::from_millis(100), Duration::from_millis(350))
        .max_attempts(100);
    let e = transport(TransportErrorKind::Connect);
    let wait = |attempts, jitter| match p.decide(Repeatable::Safe, &e, attempts, Z, now(), jitter) {
        Decision::RetryAfter(d) => d,
        Decision::GiveUp => panic!("should retry"),
    };
    assert_eq!(wait(1, 0.0), Duration::from_millis(50));
    assert_eq!(wait(1, 1.0), Duration::from_millis(100));
    assert_eq!(wait(2, 0.5), Duration::from_millis(150));
    assert_eq!(wait(3, 1.0), Duration::from_millis(350), "capped");
    assert_eq!(wait(30, 1.0), Duration::from_millis(350), "no overflow");
    assert_eq!(wait(1, f64::NAN), Duration::from_millis(50));
}

#[test]
fn attempts_and_time_are_bounded() {
    let p = RetryPolicy::default()
        .max_attempts(3)
        .max_elapsed(Duration::from_secs(1));
    let e = transport(TransportErrorKind::Connect);
    assert!(matches!(
        p.decide(Repeatable::Safe, &e, 2, Z, now(), 0.0),
        Decision::RetryAfter(_)
    ));
    assert_eq!(
        p.decide(Repeatable::Safe, &e, 3, Z, now(), 0.0),
        Decision::GiveUp
    );
    assert_eq!(
        p.decide(
            Repeatable::Safe,
            &e,
            1,
            Duration::from_millis(900),
            now(),
            1.0
        ),
        Decision::GiveUp,
        "the wait would pass the time budget"
    );
    assert_eq!(
        RetryPolicy::never().decide(Repeatable::Safe, &e, 1, Z, now(), 0.0),
        Decision::GiveUp
    );
}

#[test]
fn what_is_retried_for_each_class() {
    let p = RetryPolicy::default();
    let retried = |class, e: &Error| {
        matches!(
            p.decide(class, e, 1, Z, now(), 0.0),
            Decision::RetryAfter(_)
        )
    };
    // Nothing sent: safe to repeat anything but an upload (unless opted in).
    for kind in [TransportErrorKind::Connect, TransportErrorKind::Tls] {
        assert!(retried(Repeatable::Safe, &transport(kind)));
        assert!(retried(Repeatable::Unsafe, &transport(kind)));
        assert!(!retried(Repeatable::Upload, &transport(kind)));
    }
    // Maybe sent: only safe requests.
    for e in [
        transport(TransportErrorKind::Timeout),
        transport(TransportErrorKind::Io),
        transport(TransportErrorKind::Protocol),
        status(502, None),
        status(503, None),
        status(504, None),
        status(429, Some("1")),
    ] {
        assert!(retried(Repeatable::Safe, &e), "{e}");
        assert!(!retried(Repeatable::Unsafe, &e), "{e}");
        assert!(!retried(Repeatable::Upload, &e), "{e}");
    }
    // Never: client errors, server errors that are not transient, decode failures, body caps.
    for e in [
        status(400, None),
        status(401, None),
        status(403, None),
        status(404, None),
        status(500, None),
        transport(TransportErrorKind::BodyTooLarge),
    ] {
        assert!(!retried(Repeatable::Safe, &e), "{e}");
    }
    let uploads = RetryPolicy::default().retry_uploads(true);
    assert!(matches!(
        uploads.decide(Repeatable::Upload, &status(503, None), 1, Z, now(), 0.0),
        Decision::RetryAfter(_)
    ));
}

#[test]
fn retry_after_is_honoured_up_to_the_cap() {
    let p = RetryPolicy::default()
        .max_retry_after(Duration::from_secs(5))
        .max_elapsed(Duration::from_secs(60));
    assert_eq!(
        p.decide(Repeatable::Safe, &status(429, Some("3")), 1, Z, now(), 0.0),
        Decision::RetryAfter(Duration::from_secs(3))
    );
    assert_eq!(
        p.decide(Repeatable::Safe, &status(429, Some("6")), 1, Z, now(), 0.0),
        Decision::GiveUp,
        "over the cap: the caller sees the 429 and its Retry-After"
    );
    let date = |d: &str| p.decide(Repeatable::Safe, &status(429, Some(d)), 1, Z, now(), 0.0);
    assert_eq!(
        date("Wed, 21 Oct 2015 07:27:04 GMT"),
        Decision::RetryAfter(Duration::from_secs(4)),
        "a date is counted from the clock given"
    );
    assert_eq!(
        date("Wed, 21 Oct 2015 07:26:00 GMT"),
        Decision::RetryAfter(Duration::from_millis(125)),
        "a date in the past means: now (after the minimum backoff)"
    );
    assert_eq!(
        date("Wed, 21 Oct 2015 07:28:00 GMT"),
        Decision::GiveUp,
        "60 s is over the cap"
    );
}

#[test]
fn method_defaults() {
    assert_eq!(Repeatable::of_method(&Method::POST), Repeatable::Unsafe);
    for m in [Method::GET, Method::PUT, Method::DELETE] {
        assert_eq!(Repeatable::of_method(&m), Repeatable::Safe);
    }
}

#[test]
fn jitter_draws_are_in_range_and_vary() {
    let mut j = Jitter::new();
    let draws: Vec<f64> = (0..1000).map(|_| j.draw()).collect();
    assert!(draws.iter().all(|d| (0.0..1.0).contains(d)));
    let mean = draws.iter().sum::<f64>() / 1000.0;
    assert!((0.4..0.6).contains(&mean), "{mean}");
}

#[test]
fn an_enormous_retry_after_is_given_up_on_not_a_panic() {
    let policy = RetryPolicy::default().max_retry_after(Duration::MAX);
    let e = status(429, Some("18446744073709551615"));
    let decision = policy.decide(
        Repeatable::Safe,
        &e,
        1,
        Duration::from_secs(1),
        std::time::SystemTime::now(),
        0.5,
    );
    assert_eq!(decision, Decision::GiveUp);
}

//! The fault matrix: every injected fault, for requests that are safe to repeat and for ones that
//! are not, through each transport. A safe request succeeds after retries within the policy; an
//! unsafe one is never sent twice; timeouts fire within their budget.

use std::time::{Duration, Instant};

use super::local::pattern;
use super::*;
use crate::control::{AddFault, RequestCounts, SetRateLimit};
use crate::scratch::Scratch;
use pinata_core::api::pinning::{PinJson, PinOptions};
use pinata_core::retry::RetryPolicy;

/// Quick retries, so the matrix runs in seconds.
fn fast_policy() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(3)
        .backoff(Duration::from_millis(20), Duration::from_millis(100))
        .max_retry_after(Duration::from_secs(2))
        .max_elapsed(Duration::from_secs(10))
}

fn config(policy: RetryPolicy, timeout: Duration) -> Config {
    target()
        .config()
        .with_retry_policy(policy)
        .with_transport_options(TransportOptions {
            request_timeout: timeout,
            ..TransportOptions::default()
        })
}

/// A fresh admin key for one scenario, so faults scoped to it touch nothing else.
fn fresh_key<D: Driver>(d: &D, emu: &EmulatorSide) -> (Credentials, String) {
    let key = create_key(d, emu, Permissions::admin());
    (
        key.key_pair_credentials().unwrap(),
        key.api_key().to_owned(),
    )
}

fn inject<D: Driver>(d: &D, emu: &EmulatorSide, rule: serde_json::Value) {
    d.execute(
        admin(emu),
        target().config().with_retry_policy(RetryPolicy::never()),
        &AddFault(rule),
    )
    .unwrap();
}

/// Requests the emulator received with `key`.
fn seen<D: Driver>(d: &D, emu: &EmulatorSide, key: &str) -> u64 {
    let counts = d
        .execute(
            admin(emu),
            target().config().with_retry_policy(RetryPolicy::never()),
            &RequestCounts,
        )
        .unwrap();
    counts.requests.get(key).copied().unwrap_or(0)
}

/// The faults a retry may cure, with what a caller sees when it is not retried.
/// A fault's name, its rule, and a check of the error a caller sees without a retry.
type Curable = (&'static str, serde_json::Value, fn(&Error) -> bool);

fn curable() -> Vec<Curable> {
    vec![
        (
            "502",
            serde_json::json!({"fault": "status", "status": 502}),
            |e| e.as_api().is_some_and(|a| a.status() == 502),
        ),
        (
            "503",
            serde_json::json!({"fault": "status", "status": 503}),
            |e| e.as_api().is_some_and(|a| a.status() == 503),
        ),
        (
            "504",
            serde_json::json!({"fault": "status", "status": 504}),
            |e| e.as_api().is_some_and(|a| a.status() == 504),
        ),
        (
            "429",
            serde_json::json!({"fault": "status", "status": 429, "retry_after": 1}),
            |e| {
                e.as_api().is_some_and(|a| {
                    a.status() == 429
                        && a.retry_after()
                            == Some(pinata_core::RetryAfter::Delay(Duration::from_secs(1)))
                })
            },
        ),
        (
            "closed connection",
            serde_json::json!({"fault": "close"}),
            |e| matches!(e, Error::Transport(t) if t.may_have_been_sent()),
        ),
        (
            "body cut short",
            serde_json::json!({"fault": "truncate_body"}),
            |e| matches!(e, Error::Transport(t) if t.may_have_been_sent()),
        ),
        (
            "slow headers",
            serde_json::json!({"fault": "slow_headers", "ms": 1500}),
            |e| matches!(e, Error::Transport(t) if t.kind() == TransportErrorKind::Timeout),
        ),
    ]
}

/// A safe request (testAuthentication, GET) gets through every curable fault after one retry.
pub fn fault_matrix_safe_requests<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("fault_matrix_safe_requests") else {
        return;
    };
    for (name, mut rule, _) in curable() {
        let (creds, key) = fresh_key(d, emu);
        rule["key"] = key.clone().into();
        inject(d, emu, rule);
        let before = seen(d, emu, &key);
        let started = Instant::now();
        let ok = d.test_authentication(creds, config(fast_policy(), Duration::from_millis(600)));
        assert!(ok.is_ok(), "{name}: {ok:?}");
        assert_eq!(
            seen(d, emu, &key) - before,
            2,
            "{name}: one failed send and one retry"
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{name}: took {:?}",
            started.elapsed()
        );
    }
}

/// An unsafe request (pinJSONToIPFS, POST) is sent exactly once whatever happens, and the caller
/// gets the typed error.
pub fn fault_matrix_unsafe_requests<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("fault_matrix_unsafe_requests") else {
        return;
    };
    for (name, mut rule, expected) in curable() {
        let (creds, key) = fresh_key(d, emu);
        rule["key"] = key.clone().into();
        inject(d, emu, rule);
        let before = seen(d, emu, &key);
        let pin = PinJson::new(&serde_json::json!({ "fault": name, "key": key })).unwrap();
        let result = d.execute(
            creds,
            config(fast_policy(), Duration::from_millis(600)),
            &pin,
        );
        let error = result.expect_err(name);
        assert!(expected(&error), "{name}: {error:?}");
        assert_eq!(error.attempts(), 1, "{name}");
        assert_eq!(
            seen(d, emu, &key) - before,
            1,
            "{name}: an unsafe request is never sent twice"
        );
    }
    // A failure before anything is sent is safe to repeat even for unsafe requests.
    let closed = Config::default()
        .with_base_url(&crate::fake::closed_port_url())
        .unwrap()
        .with_retry_policy(fast_policy());
    let e = d
        .execute(target().good.clone(), closed, &PinJson::new(&1).unwrap())
        .unwrap_err();
    assert_eq!((e.attempts(), e.may_have_been_sent()), (3, false));
}

/// Faults that outlast the policy: the last error is returned, saying how many attempts were made;
/// a 500 is never retried; a Retry-After over the cap is returned at once.
pub fn fault_matrix_limits<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("fault_matrix_limits") else {
        return;
    };
    let cases: [(&str, serde_json::Value, u64); 3] = [
        (
            "503 three times",
            serde_json::json!({"fault": "status", "status": 503, "count": 3}),
            3,
        ),
        (
            "500",
            serde_json::json!({"fault": "status", "status": 500}),
            1,
        ),
        (
            "429 beyond the cap",
            serde_json::json!({"fault": "status", "status": 429, "retry_after": 30}),
            1,
        ),
    ];
    for (name, mut rule, sends) in cases {
        let (creds, key) = fresh_key(d, emu);
        rule["key"] = key.clone().into();
        inject(d, emu, rule);
        let before = seen(d, emu, &key);
        let started = Instant::now();
        let e = d
            .test_authentication(creds, config(fast_policy(), Duration::from_secs(5)))
            .unwrap_err();
        assert_eq!(u64::from(e.attempts()), sends, "{name}: {e}");
        assert_eq!(seen(d, emu, &key) - before, sends, "{name}");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{name}: no long waits"
        );
        if sends > 1 {
            assert!(
                e.to_string().contains(&format!("after {sends} attempts")),
                "{e}"
            );
        }
    }
}

/// The request timeout fires within its budget (no retry here), and says it may have been sent.
pub fn timeouts_fire_within_budget<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("timeouts_fire_within_budget") else {
        return;
    };
    let (creds, key) = fresh_key(d, emu);
    inject(
        d,
        emu,
        serde_json::json!({"fault": "slow_headers", "ms": 3000, "key": key}),
    );
    let started = Instant::now();
    let e = d
        .test_authentication(
            creds,
            config(RetryPolicy::never(), Duration::from_millis(300)),
        )
        .unwrap_err();
    let took = started.elapsed();
    assert!(
        matches!(&e, Error::Transport(t) if t.kind() == TransportErrorKind::Timeout),
        "{e:?}"
    );
    assert!(e.may_have_been_sent());
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_millis(2500),
        "{took:?}"
    );
}

/// A rate limit: the allowance is used up, then 429 with the limit headers readable from the error.
pub fn rate_limit_headers_and_429<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("rate_limit_headers_and_429") else {
        return;
    };
    let (creds, key) = fresh_key(d, emu);
    d.execute(
        admin(emu),
        target().config().with_retry_policy(RetryPolicy::never()),
        &SetRateLimit(serde_json::json!({"limit": 2, "window_secs": 60, "key": key})),
    )
    .unwrap();
    let cfg = config(fast_policy(), Duration::from_secs(5));
    d.test_authentication(creds.clone(), cfg.clone()).unwrap();
    d.test_authentication(creds.clone(), cfg.clone()).unwrap();
    let e = d.test_authentication(creds, cfg).unwrap_err();
    let api = e.as_api().expect("a 429");
    assert_eq!(api.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(api.reason(), Some("RATE_LIMITED"));
    let limit = api.rate_limit();
    assert_eq!((limit.limit, limit.remaining), (Some(2), Some(0)));
    assert!(limit.reset.is_some());
    match api.retry_after() {
        Some(pinata_core::RetryAfter::Delay(wait)) => assert!(wait > Duration::from_secs(2)),
        other => panic!("expected Retry-After in seconds, got {other:?}"),
    }
    assert_eq!(
        e.attempts(),
        1,
        "over the Retry-After cap: returned at once"
    );
}

/// Uploads are not retried unless the policy opts in; then the file is streamed again from disk and
/// the CID still checks out.
pub fn stalled_upload_retries_only_when_opted_in<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("stalled_upload_retries_only_when_opted_in") else {
        return;
    };
    let scratch = Scratch::new("stall");
    let bytes = pattern(400_000, 12);
    let path = scratch.write("upload.bin", &bytes);
    for opt_in in [false, true] {
        let (creds, key) = fresh_key(d, emu);
        inject(
            d,
            emu,
            serde_json::json!({"fault": "stall_upload", "ms": 1500, "after_bytes": 100_000, "key": key}),
        );
        let before = seen(d, emu, &key);
        let request = d
            .pin_request(&path)
            .unwrap()
            .options(PinOptions::new())
            .verify_cid(true);
        let cfg = config(
            fast_policy().retry_uploads(opt_in),
            Duration::from_millis(700),
        );
        let result = d.execute(creds, cfg, &request);
        if opt_in {
            let pinned = result.unwrap();
            assert_eq!(
                pinned.cid().unwrap(),
                pinata_core::cid::import_bytes(&bytes, pinata_core::cid::ImportOptions::default())
                    .unwrap()
                    .cid
            );
            assert_eq!(seen(d, emu, &key) - before, 2, "streamed again from disk");
        } else {
            let e = result.unwrap_err();
            assert!(
                matches!(&e, Error::Transport(t) if t.may_have_been_sent()),
                "{e:?}"
            );
            assert_eq!(e.attempts(), 1);
            assert_eq!(
                seen(d, emu, &key) - before,
                1,
                "an upload is not retried by default"
            );
        }
    }
}

//! The core's cost: build an authenticated `ListPins` request and decode a 10-row page, against the
//! same work done by hand (`http::Request::builder` with the same headers, `serde_json` into a
//! hand-written struct).

use std::hint::black_box;
use std::time::{Instant, SystemTime};

use bytes::Bytes;
use http::{Method, Request, Response};
use pinata_core::api::pinning::{ListPins, PinStatusFilter};
use pinata_core::{Config, Credentials, interpret_response, prepare_request};
use serde::Deserialize;

const KEY: &str = "0123456789abcdef0123";
const SECRET: &str = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";

fn page() -> Bytes {
    let rows: Vec<serde_json::Value> = (0..10)
        .map(|i| {
            serde_json::json!({
                "id": format!("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f{i}"),
                "ipfs_pin_hash": "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o",
                "size": 1234 + i,
                "user_id": "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d",
                "date_pinned": "2026-11-26T10:00:00.000Z",
                "date_unpinned": null,
                "metadata": {"name": format!("file {i}"), "keyvalues": {"env": "prod"}},
                "regions": [{"regionId": "FRA1", "currentReplicationCount": 1, "desiredReplicationCount": 1}],
                "mime_type": "text/plain",
                "number_of_files": 1
            })
        })
        .collect();
    Bytes::from(
        serde_json::to_vec(&serde_json::json!({"count": 10, "rows": rows})).unwrap_or_default(),
    )
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct HandPage {
    count: Option<u64>,
    rows: Vec<HandRow>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct HandRow {
    id: String,
    ipfs_pin_hash: String,
    size: u64,
    user_id: Option<String>,
    date_pinned: String,
    date_unpinned: Option<String>,
    metadata: HandMeta,
    mime_type: Option<String>,
    number_of_files: Option<u64>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct HandMeta {
    name: Option<String>,
    keyvalues: Option<serde_json::Map<String, serde_json::Value>>,
}

/// One operation with the library.
fn core_op(creds: &Credentials, config: &Config, body: &Bytes) -> usize {
    let ep = ListPins::new()
        .status(PinStatusFilter::Pinned)
        .name_contains("file")
        .page_limit(100)
        .unwrap_or_default();
    let Ok(req) = prepare_request(&ep, creds, config, SystemTime::now()) else {
        return 0;
    };
    black_box(&req);
    let resp = Response::builder()
        .status(200)
        .body(body.clone())
        .unwrap_or_default();
    interpret_response(&ep, req.body(), resp)
        .map(|p| p.rows.len())
        .unwrap_or(0)
}

/// The same work by hand.
fn baseline_op(body: &Bytes) -> usize {
    let mut sensitive_key = http::HeaderValue::from_static(KEY);
    sensitive_key.set_sensitive(true);
    let mut sensitive_secret = http::HeaderValue::from_static(SECRET);
    sensitive_secret.set_sensitive(true);
    let req = Request::builder()
        .method(Method::GET)
        .uri("https://api.pinata.cloud/data/pinList?status=pinned&metadata%5Bname%5D=file&pageLimit=100&pageOffset=0")
        .header(http::header::ACCEPT, "application/json")
        .header(http::header::USER_AGENT, pinata_core::USER_AGENT)
        .header("pinata_api_key", sensitive_key)
        .header("pinata_secret_api_key", sensitive_secret)
        .body(());
    black_box(&req);
    serde_json::from_slice::<HandPage>(body)
        .map(|p| p.rows.len())
        .unwrap_or(0)
}

pub(crate) fn run(mode: Option<&str>, iters: Option<u64>) -> Result<(), String> {
    let creds = Credentials::key_pair(KEY, SECRET).map_err(|e| e.to_string())?;
    let config = Config::default();
    let body = page();
    if core_op(&creds, &config, &body) != 10 || baseline_op(&body) != 10 {
        return Err("the two operations do not decode the same page".into());
    }
    if let (Some(mode), Some(iters)) = (mode, iters) {
        // A fixed count of one kind, for callgrind's instruction counts.
        let mut n = 0;
        for _ in 0..iters {
            n += match mode {
                "core" => core_op(&creds, &config, &body),
                _ => baseline_op(&body),
            };
        }
        println!("ops {n}");
        return Ok(());
    }
    // Interleaved batches, so drift in machine load hits both alike.
    const BATCH: u32 = 20_000;
    for _ in 0..2_000 {
        black_box(core_op(&creds, &config, &body));
        black_box(baseline_op(&body));
    }
    for _ in 0..15 {
        let t = Instant::now();
        for _ in 0..BATCH {
            black_box(core_op(&creds, &config, &body));
        }
        println!(
            "core_ns {}",
            t.elapsed().as_nanos() as f64 / f64::from(BATCH)
        );
        let t = Instant::now();
        for _ in 0..BATCH {
            black_box(baseline_op(&body));
        }
        println!(
            "baseline_ns {}",
            t.elapsed().as_nanos() as f64 / f64::from(BATCH)
        );
    }
    Ok(())
}

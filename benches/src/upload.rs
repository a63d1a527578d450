//! One upload through the library to a sink, for throughput and peak memory.

use std::time::Instant;

use pinata_core::api::pinning::PinFile;
use pinata_core::retry::RetryPolicy;
use pinata_core::{Config, Credentials};

pub(crate) fn run(via: String, url: String, file: String) -> Result<(), String> {
    let len = std::fs::metadata(&file).map_err(|e| e.to_string())?.len();
    let creds = Credentials::key_pair("0123456789abcdef0123", "c0ffee".repeat(10))
        .map_err(|e| e.to_string())?;
    let config = Config::default()
        .with_base_url(&url)
        .map_err(|e| e.to_string())?
        .with_retry_policy(RetryPolicy::never())
        .with_transport_options(pinata_core::TransportOptions {
            request_timeout: std::time::Duration::from_secs(600),
            ..Default::default()
        });
    let request = PinFile::file(&file, len).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let answer = match via.as_str() {
        "hyper" => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            let client =
                pinata_hyper::Client::with_config(creds, config).map_err(|e| e.to_string())?;
            runtime
                .block_on(client.pin_file(&request))
                .map_err(|e| e.to_string())?
        }
        "ureq" => pinata_ureq::Client::with_config(creds, config)
            .map_err(|e| e.to_string())?
            .pin_file(&request)
            .map_err(|e| e.to_string())?,
        other => return Err(format!("--via {other:?}: hyper or ureq")),
    };
    let secs = started.elapsed().as_secs_f64();
    if answer.pin_size < len {
        return Err(format!(
            "the sink received {} of {len} bytes",
            answer.pin_size
        ));
    }
    println!("seconds {secs}");
    println!("peak_rss_kib {}", crate::peak_rss_kib());
    Ok(())
}

//! The walk-through behind `cargo xtask demo`: authenticate with both schemes through both
//! transports, then show what a user sees for a wrong secret.
//!
//! Reads `PINATA_API_URL`, `PINATA_JWT`, `PINATA_API_KEY` and `PINATA_API_SECRET` (the xtask sets them
//! from the emulator it starts).

use std::process::ExitCode;

use pinata_core::{Config, Credentials, Error};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn env(name: &str) -> Result<String, Box<dyn std::error::Error>> {
    std::env::var(name).map_err(|_| format!("{name} is not set").into())
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::from_env()?;
    let jwt = Credentials::jwt(env("PINATA_JWT")?)?;
    let pair = Credentials::key_pair(env("PINATA_API_KEY")?, env("PINATA_API_SECRET")?)?;
    println!("Pinata API at {}\n", config.base_url());

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    for creds in [&jwt, &pair] {
        let scheme = creds.scheme();
        let async_client = pinata_hyper::Client::with_config(creds.clone(), config.clone())?;
        let ok = runtime.block_on(async_client.test_authentication())?;
        println!("[hyper, async   ] {scheme:<12} -> {}", ok.message);

        let blocking_client = pinata_ureq::Client::with_config(creds.clone(), config.clone())?;
        let ok = blocking_client.test_authentication()?;
        println!("[ureq, blocking ] {scheme:<12} -> {}", ok.message);
    }

    if let Some(claims) = jwt.unverified_claims() {
        println!(
            "\nThe JWT (decoded, not verified) is for key {} of user {}, expiring at {} (Unix time).",
            claims.api_key().unwrap_or("?"),
            claims.user_id().unwrap_or("?"),
            claims
                .expires_at()
                .map_or_else(|| "never".to_owned(), |e| e.to_string()),
        );
    }

    println!("\nNow with a wrong secret:");
    let wrong = Credentials::key_pair(env("PINATA_API_KEY")?, "0".repeat(64))?;
    let client = pinata_ureq::Client::with_config(wrong, config.clone())?;
    match client.test_authentication() {
        Err(Error::Api(e)) => {
            println!("  error:   {e}");
            println!("  status:  {}", e.status());
            println!("  reason:  {}", e.reason().unwrap_or("-"));
            println!("  details: {}", e.details().unwrap_or("-"));
            println!("  debug:   {:?}", client.credentials());
        }
        other => return Err(format!("expected an API error, got {other:?}").into()),
    }

    println!("\nAnd a JWT pasted with its \"Bearer \" prefix:");
    match Credentials::jwt(format!("Bearer {}", env("PINATA_JWT")?)) {
        Err(e) => println!("  error:   {e}"),
        Ok(_) => return Err("a Bearer-prefixed JWT was accepted".into()),
    }
    Ok(())
}

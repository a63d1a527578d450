//! The walk-through behind `cargo xtask demo`: authenticate with both schemes through both
//! transports, then show what a user sees for a wrong secret.
//!
//! Reads `PINATA_API_URL`, `PINATA_JWT`, `PINATA_API_KEY` and `PINATA_API_SECRET` (the xtask sets them
//! from the emulator it starts).

use std::process::ExitCode;

use pinata_core::api::keys::{
    CreateApiKey, EndpointPermission, KeyApi, ListApiKeys, Permissions, RevokeApiKey,
};
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

    key_lifecycle(&runtime, &jwt, &config)?;

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

/// Creates a scoped, limited key, uses it up, lists it and revokes it.
fn key_lifecycle(
    runtime: &tokio::runtime::Runtime,
    admin: &Credentials,
    config: &Config,
) -> Result<(), Box<dyn std::error::Error>> {
    println!("\nKey management (admin key):");
    let async_admin = pinata_hyper::Client::with_config(admin.clone(), config.clone())?;
    let blocking_admin = pinata_ureq::Client::with_config(admin.clone(), config.clone())?;
    let request = CreateApiKey::new(
        "demo uploader",
        Permissions::endpoints([
            EndpointPermission::PinFileToIpfs,
            EndpointPermission::PinList,
        ]),
    )?
    .max_uses(2)?;
    let key = runtime.block_on(async_admin.create_api_key(&request))?;
    println!(
        "  [hyper] created key {} (may pin files and list pins; 2 uses)",
        key.api_key()
    );
    println!("          {key:?}");

    let user = pinata_ureq::Client::with_config(key.jwt_credentials()?, config.clone())?;
    match user.list_api_keys(&ListApiKeys::new()) {
        Err(Error::Api(e)) => println!(
            "  [ureq ] the key tries to list keys (outside its scope; no use counted): {e}"
        ),
        other => return Err(format!("expected a refusal, got {other:?}").into()),
    }

    for attempt in 1..=3 {
        match user.test_authentication() {
            Ok(_) => println!("  [ureq ] use {attempt} with the new key's JWT: accepted"),
            Err(Error::Api(e)) => println!("  [ureq ] use {attempt}: {e}"),
            Err(e) => return Err(e.into()),
        }
    }
    let listed: Vec<_> = blocking_admin
        .paginate(ListApiKeys::new().name("demo uploader"))
        .collect::<Result<_, _>>()?;
    for k in &listed {
        println!(
            "  [ureq ] listed: {} \"{}\" uses {}/{} revoked={} created {}",
            k.key,
            k.name,
            k.uses,
            k.max_uses.map_or("∞".to_owned(), |m| m.to_string()),
            k.revoked,
            k.created_at.as_deref().unwrap_or("?"),
        );
    }

    runtime.block_on(async_admin.execute(&RevokeApiKey::new(key.api_key()).via(KeyApi::V3)))?;
    println!(
        "  [hyper] revoked {} through PUT /v3/pinata/keys/{{key}}",
        key.api_key()
    );
    let pair_user = pinata_ureq::Client::with_config(key.key_pair_credentials()?, config.clone())?;
    match pair_user.test_authentication() {
        Err(Error::Api(e)) => println!("  [ureq ] the revoked key's pair: {e}"),
        other => return Err(format!("expected a refusal, got {other:?}").into()),
    }
    Ok(())
}

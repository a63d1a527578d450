//! The walk-through behind `cargo xtask demo`: authenticate with both schemes through both
//! transports, manage a scoped key, pin files, folders and JSON, use the v3 API (groups, pin by
//! CID), then show what a user sees for a wrong secret.
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
    pinning(&runtime, &jwt, &config)?;
    v3(&runtime, &jwt, &config)?;

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
            k.created_at
                .map_or("?".to_owned(), pinata_core::time::format_iso8601),
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

/// Pins a folder (async, streamed, CID checked) and JSON (blocking), lists, reads back, unpins.
fn pinning(
    runtime: &tokio::runtime::Runtime,
    admin: &Credentials,
    config: &Config,
) -> Result<(), Box<dyn std::error::Error>> {
    use pinata_core::api::pinning::{KeyValueFilter, KeyValueOp, ListPins, PinJson, PinMetadata};
    use pinata_core::cid::ImportOptions;

    println!("\nPinning:");
    let folder = std::env::temp_dir().join(format!("pinata-demo-{}", std::process::id()));
    let site = folder.join("site");
    std::fs::create_dir_all(site.join("css"))?;
    std::fs::write(site.join("index.html"), "<h1>Hello from pinata-rs</h1>\n")?;
    std::fs::write(site.join("css/site.css"), "h1 { color: teal }\n")?;
    std::fs::write(site.join("data.bin"), vec![42u8; 3 * 262_144 + 17])?;

    let local = pinata_ureq::cid_of_path(&site, ImportOptions::default())?;
    println!("  [local] CID of ./site computed without uploading: {local}");

    let client = pinata_hyper::Client::with_config(admin.clone(), config.clone())?;
    let upload = runtime
        .block_on(pinata_hyper::pin_request(&site))?
        .metadata(
            PinMetadata::new()
                .name("demo site")
                .keyvalue("env", "demo")?,
        )
        .verify_cid(true)
        .on_progress(|p| {
            if p.sent == p.total {
                println!("  [hyper] uploaded {} of {} bytes", p.sent, p.total);
            }
        });
    let pinned = runtime.block_on(client.pin_file(&upload))?;
    println!(
        "  [hyper] pinned folder: {} ({} bytes), CID verified while streaming",
        pinned.ipfs_hash, pinned.pin_size
    );

    let blocking = pinata_ureq::Client::with_config(admin.clone(), config.clone())?;
    let json = blocking.pin_json(
        &PinJson::new(&serde_json::json!({"greeting": "hello", "from": "pinata-rs"}))?.metadata(
            PinMetadata::new()
                .name("demo json")
                .keyvalue("env", "demo")?,
        ),
    )?;
    println!("  [ureq ] pinned JSON:   {}", json.ipfs_hash);

    let demo_pins: Vec<_> = blocking
        .paginate(ListPins::new().keyvalue(KeyValueFilter::new("env", KeyValueOp::Eq, "demo")?))
        .collect::<Result<_, _>>()?;
    for row in &demo_pins {
        println!(
            "  [ureq ] listed: {} {:?} {} bytes, {} file(s)",
            row.ipfs_pin_hash,
            row.metadata.name.as_deref().unwrap_or(""),
            row.size,
            row.number_of_files.unwrap_or(0)
        );
    }

    let gateway = format!("{}/ipfs/{}/index.html", config.base_url(), pinned.ipfs_hash);
    println!("  the emulator's gateway serves it: GET {gateway}");

    blocking.unpin(&pinned.ipfs_hash)?;
    blocking.unpin(&json.ipfs_hash)?;
    let totals = blocking.pinned_data_total()?;
    println!(
        "  [ureq ] unpinned both; the account now holds {} pin(s), {} bytes",
        totals.pin_count, totals.pin_size_total
    );
    match blocking.unpin(&json.ipfs_hash) {
        Err(Error::Api(e)) => println!("  [ureq ] unpinning again: {e}"),
        other => return Err(format!("expected a refusal, got {other:?}").into()),
    }
    let _ = std::fs::remove_dir_all(&folder);
    Ok(())
}

/// The v3 API so far: groups on both networks, and a pin by CID through its queue.
fn v3(
    runtime: &tokio::runtime::Runtime,
    jwt: &Credentials,
    config: &Config,
) -> Result<(), Box<dyn std::error::Error>> {
    use pinata_core::api::Network;
    use pinata_core::api::groups::{CreateGroup, DeleteGroup, ListGroups, UpdateGroup};
    use pinata_core::api::pin_by_cid::{ListPinQueue, PinByCid};

    println!("\nThe v3 API (Bearer only):");
    let async_client = pinata_hyper::Client::with_config(jwt.clone(), config.clone())?;
    let blocking = pinata_ureq::Client::with_config(jwt.clone(), config.clone())?;
    for network in [Network::Public, Network::Private] {
        let group = runtime.block_on(
            async_client.create_group(&CreateGroup::new(network, format!("demo {network}"))?),
        )?;
        println!(
            "  [hyper] created {network} group {} {:?}",
            group.id, group.name
        );
        let renamed = blocking.update_group(
            &UpdateGroup::new(network, &group.id)
                .name(format!("demo {network} (renamed)"))?
                .public(true),
        )?;
        println!(
            "  [ureq ] renamed it {:?}, public: {}",
            renamed.name, renamed.is_public
        );
        let listed: Vec<_> = blocking
            .paginate(ListGroups::new(network).name("demo").limit(1)?)
            .collect::<Result<_, _>>()?;
        println!(
            "  [ureq ] listed {} {network} group(s), one page at a time",
            listed.len()
        );
        blocking.delete_group(&DeleteGroup::new(network, &group.id))?;
    }
    let job = blocking.pin_by_cid(
        &PinByCid::new("bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy")?
            .name("demo by CID")
            .keyvalue("env", "demo"),
    )?;
    println!(
        "  [ureq ] queued a pin by CID: {} is {}",
        job.cid, job.status
    );
    let queued: Vec<_> = blocking
        .paginate(ListPinQueue::new().cid(&job.cid))
        .collect::<Result<_, _>>()?;
    println!(
        "  [ureq ] the queue holds {} request(s) for it",
        queued.len()
    );
    runtime.block_on(async_client.cancel_pin_by_cid(&job.id))?;
    println!("  [hyper] cancelled request {}", job.id);
    Ok(())
}

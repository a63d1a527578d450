//! The walk-through behind `cargo xtask demo`: authenticate with both schemes through both
//! transports, manage a scoped key, pin files, folders and JSON, use the v3 API (groups, pin by
//! CID, private files through signed links, signed upload URLs, streamed downloads, resumable
//! uploads cancelled and resumed), then show what a user sees for a wrong secret.
//!
//! Reads `PINATA_API_URL`, `PINATA_UPLOADS_URL`, `PINATA_GATEWAY`, `PINATA_JWT`, `PINATA_API_KEY`
//! and `PINATA_API_SECRET` (the xtask sets them from the emulator it starts).

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
    files(runtime, &async_client, &blocking)
}

/// v3 files: a private file's round trip through a signed link, an upload by a client holding no
/// usable credential through a signed URL, and a public download streamed to disk.
fn files(
    runtime: &tokio::runtime::Runtime,
    async_client: &pinata_hyper::Client,
    blocking: &pinata_ureq::Client,
) -> Result<(), Box<dyn std::error::Error>> {
    use pinata_core::api::Network;
    use pinata_core::api::files::ListFiles;
    use pinata_core::api::signed::CreateSignedUploadUrl;
    use pinata_core::api::uploads::UploadFile;
    use pinata_core::download::Download;
    use std::time::Duration;

    println!(
        "
v3 files:"
    );
    let secret = b"a private note, served only through signed links".repeat(100);
    let up = runtime.block_on(
        async_client.upload_file(
            &UploadFile::bytes("note.txt", secret.clone())?
                .keyvalue("env", "demo")?
                .verify_cid(true),
        ),
    )?;
    println!(
        "  [hyper] uploaded a private file: {} ({} bytes, CID checked while streaming)",
        up.cid, up.size
    );
    let listed: Vec<_> = blocking
        .paginate(ListFiles::new(Network::Private).keyvalue("env", "demo"))
        .collect::<Result<_, _>>()?;
    println!("  [ureq ] {} private file(s) carry env=demo", listed.len());
    let link = blocking.private_download_link(&up.cid, "", Duration::from_secs(60))?;
    println!("  [ureq ] signed a download link: {link:?}");
    let mut copy = Vec::new();
    let got = blocking.download_to(&Download::signed(link).verify_cid(&up.cid)?, &mut copy)?;
    println!(
        "  [ureq ] downloaded {} bytes through it; same bytes: {}, CID verified: {}",
        got.bytes,
        copy == secret,
        got.verified_cid.is_some()
    );
    match blocking.download_to(&Download::public(&up.cid, "")?, &mut Vec::new()) {
        Err(Error::Api(e)) => println!("  [ureq ] the same CID on /ipfs/: {}", e.status()),
        other => println!("  [ureq ] the same CID on /ipfs/: unexpectedly {other:?}"),
    }

    let url = runtime.block_on(
        async_client.create_signed_upload_url(
            &CreateSignedUploadUrl::new(Network::Public, Duration::from_secs(60))?
                .max_file_size(1 << 20)?
                .allow_mime_type("text/*")?
                .filename("from a browser")?,
        ),
    )?;
    println!("  [hyper] signed an upload URL: {url:?}");
    // A client whose only credentials mean nothing to the server, as a browser given the URL.
    let stranger = pinata_ureq::Client::with_config(
        Credentials::key_pair("0123456789abcdef0123", "0".repeat(64))?,
        blocking.config().clone(),
    )?;
    let theirs = stranger.upload_file(
        &UploadFile::bytes("hello.txt", "uploaded without credentials")?.to_signed_url(url.clone()),
    )?;
    println!(
        "  [ureq ] a client without credentials uploaded {:?} as {}",
        theirs.name, theirs.cid
    );
    match stranger.upload_file(&UploadFile::bytes("again.txt", "again")?.to_signed_url(url)) {
        Err(Error::Api(e)) => println!("  [ureq ] using the URL twice: {e}"),
        other => println!("  [ureq ] using the URL twice: unexpectedly {other:?}"),
    }

    let big = vec![42u8; 4 << 20];
    let public = runtime.block_on(
        async_client.upload_file(&UploadFile::bytes("big.bin", big)?.network(Network::Public)),
    )?;
    let path = std::env::temp_dir().join(format!("pinata-demo-{}.bin", std::process::id()));
    let done = runtime.block_on(pinata_hyper::download_to_path(
        async_client,
        &Download::public(&public.cid, "")?.verify()?,
        &path,
    ))?;
    println!(
        "  [hyper] streamed {} bytes of {} from the gateway to {} (CID verified)",
        done.bytes,
        public.cid,
        path.display()
    );
    let _ = std::fs::remove_file(&path);
    resumable(runtime, async_client, blocking)
}

/// Resumable (TUS) uploads: a 3 MiB file in 256 KiB chunks, cancelled a third of the way ("the
/// process dies"), resumed from its persisted token by another client that re-sends nothing the
/// server holds, the CID checked over the whole file.
fn resumable(
    runtime: &tokio::runtime::Runtime,
    async_client: &pinata_hyper::Client,
    blocking: &pinata_ureq::Client,
) -> Result<(), Box<dyn std::error::Error>> {
    use pinata_core::tus::ResumeToken;
    use pinata_core::{CancelToken, LocalError};
    use std::sync::{Arc, Mutex};

    println!("\nResumable uploads (TUS):");
    let path = std::env::temp_dir().join(format!("pinata-demo-tus-{}.bin", std::process::id()));
    let content: Vec<u8> = (0..3u32 << 20).map(|i| (i % 251) as u8).collect();
    std::fs::write(&path, &content)?;
    let config = blocking
        .config()
        .clone()
        .with_tus_threshold(1 << 20)
        .with_tus_chunk_size(256 * 1024)?;
    let uploader =
        pinata_ureq::Client::with_config(blocking.credentials().clone(), config.clone())?;
    let saved: Arc<Mutex<Option<String>>> = Arc::default();
    let keep = Arc::clone(&saved);
    let cancel = CancelToken::new();
    let stop = cancel.clone();
    let upload = pinata_ureq::upload_request(&path)?
        .verify_cid(true)
        .cancel_with(cancel)
        .on_resume_token(move |t| {
            *keep.lock().unwrap_or_else(|e| e.into_inner()) = Some(t.to_json())
        })
        .on_progress(move |p| {
            if p.sent >= p.total / 3 {
                stop.cancel();
            }
        });
    match uploader.upload_file(&upload) {
        Err(Error::Local(LocalError::Cancelled)) => {
            println!("  [ureq ] cancelled a third of the way; the resume token was persisted")
        }
        other => println!("  [ureq ] expected a cancellation, got {other:?}"),
    }
    let json = saved
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
        .ok_or("no resume token")?;
    let token = ResumeToken::from_json(&json)?;
    println!("  [ureq ] the token: {token:?}");
    let resumer = pinata_hyper::Client::with_config(async_client.credentials().clone(), config)?;
    let file = runtime.block_on(resumer.resume_upload(&token))?;
    println!(
        "  [hyper] a new client resumed it: {} ({} bytes, CID checked over the whole file)",
        file.cid, file.size
    );
    let _ = std::fs::remove_file(&path);
    Ok(())
}

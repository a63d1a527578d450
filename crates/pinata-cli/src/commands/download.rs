//! `pinata download` (public CIDs, private files through a signed link), `pinata link` (a signed
//! download link) and `pinata sign-upload` (a signed upload URL).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use pinata_ureq::TransportErrorKind;
use pinata_ureq::api::Network;
use pinata_ureq::api::files::ListFiles;
use pinata_ureq::api::signed::{CreateSignedUploadUrl, SignedUrl};
use pinata_ureq::cid::Cid;
use pinata_ureq::download::Download;
use pinata_ureq::retry::RetryPolicy;
use serde_json::json;

use super::{Ctx, network_of, parse_duration};
use crate::args::{DownloadArgs, LinkArgs, SignUploadArgs};
use crate::config::Settings;
use crate::exit::{CliError, CliResult, Kind, from_api};
use crate::output::{Format, Item, bytes};
use crate::size::{SIZE_RULE, flag_value};

fn need_gateway(settings: &Settings) -> CliResult {
    if settings.gateway.is_none() {
        return Err(CliError::usage("no gateway is configured").hint(
            "set one with `pinata config set gateway example.mypinata.cloud` (or --gateway, PINATA_GATEWAY)",
        ));
    }
    Ok(())
}

/// What the account's file list says about a CID: the size of a file holding it, and on which
/// network.
#[derive(Debug, Clone, Copy)]
struct Known {
    size: u64,
    network: Network,
}

/// How long the look-up may take to connect, and in all: an API that is down or slow delays a
/// gateway download by this much at most on each network asked (each call is sent once).
const LOOK_UP_CONNECT: Duration = Duration::from_secs(3);
/// See [`LOOK_UP_CONNECT`].
const LOOK_UP_TIMEOUT: Duration = Duration::from_secs(5);

/// A client for the look-up only: `client`'s, with each request sent once (no retry) and short
/// timeouts ([`LOOK_UP_TIMEOUT`], or `--timeout` when shorter). The look-up is a convenience in
/// front of a download from another origin (the gateway): it must not spend the API's retry
/// budget, twice, before that download starts.
fn look_up_client(client: &pinata_ureq::Client) -> Result<pinata_ureq::Client, pinata_ureq::Error> {
    let config = client.config();
    let mut options = config.transport_options().clone();
    options.request_timeout = options.request_timeout.min(LOOK_UP_TIMEOUT);
    options.connect_timeout = options.connect_timeout.min(LOOK_UP_CONNECT);
    let config = config
        .clone()
        .with_retry_policy(RetryPolicy::never())
        .with_transport_options(options);
    pinata_ureq::Client::with_config(client.credentials().clone(), config)
}

/// Looks `cid` up in the account's files on each of `networks` in turn (the file list's CID
/// filter), each call sent once with a short timeout ([`look_up_client`]). `Ok(None)`: the
/// account does not hold it (or `cid` is no CID). An error stops the look-up at once (an API
/// that is down is not asked again for the next network); the caller goes on without it.
fn look_up(
    client: &pinata_ureq::Client,
    cid: &str,
    networks: &[Network],
) -> Result<Option<Known>, pinata_ureq::Error> {
    if cid.parse::<Cid>().is_err() {
        return Ok(None);
    }
    let client = look_up_client(client)?;
    for network in networks {
        let Ok(request) = ListFiles::new(*network).cid(cid).limit(1) else {
            return Ok(None);
        };
        let page = client.list_files(&request)?;
        if let Some(f) = page.files.first() {
            return Ok(Some(Known {
                size: f.size,
                network: *network,
            }));
        }
    }
    Ok(None)
}

/// The error of a download refused by its cap: the size when known, the cap, and the flag to
/// pass.
fn too_large(what: &str, size: Option<u64>, cap: u64, flag: bool) -> CliError {
    let cap_shown = format!("{} ({cap} bytes)", bytes(cap));
    let source = if flag {
        "--max-size"
    } else {
        "the default cap"
    };
    match size {
        Some(size) => CliError::new(
            Kind::Api,
            format!(
                "{what} is {} ({size} bytes), more than {source} of {cap_shown}",
                bytes(size)
            ),
        )
        .hint(format!(
            "pass --max-size {} (or more) to download it",
            flag_value(size)
        )),
        None => CliError::new(
            Kind::Api,
            format!("{what} is larger than {source} of {cap_shown}"),
        )
        .hint(format!(
            "pass a larger --max-size, e.g. --max-size {} ({SIZE_RULE})",
            flag_value(cap.saturating_mul(2))
        )),
    }
}

/// `pinata download`.
pub fn download(ctx: &Ctx, args: DownloadArgs) -> CliResult {
    let (settings, client) = ctx.client()?;
    need_gateway(&settings)?;
    // `files list -q` prints ids (records), not CIDs: say which command gives the CID rather than
    // only that this is none.
    if args.cid.parse::<Cid>().is_err() {
        return Err(
            CliError::usage(format!("{} is not a CID", crate::output::shown(&args.cid))).hint(
                "a file id? `pinata files get ID` shows its CID (`files list` shows both; \
             `files list --json` has each file's cid)",
            ),
        );
    }
    let inner = args.path.clone().unwrap_or_default();
    let whole = inner.trim_matches('/').is_empty();
    let usage = |e: pinata_ureq::BuildError| CliError::usage(e.to_string());
    // The account's own file: its size (the cap need not be raised by hand), and whether it is
    // private (then fetched through a signed link without --private).
    let networks: &[Network] = if args.private {
        &[Network::Private]
    } else {
        &[Network::Public, Network::Private]
    };
    // A failed look-up leaves the size unknown and the download goes on. Said in one line when
    // the API seems down or slow (a private file then needs --private); a key that may not list
    // files (401, 403) is no news.
    let known = look_up(&client, &args.cid, networks).unwrap_or_else(|e| {
        if e.is_transient() {
            let then = if args.private {
                "its size is not known"
            } else {
                "fetching it from the gateway as a public file"
            };
            ctx.out.message(format!(
                "note: could not look {} up in the account's files ({e}): {then}",
                args.cid
            ));
        }
        None
    });
    let private = args.private || known.is_some_and(|k| k.network == Network::Private);
    if private && !args.private {
        ctx.out.message(format!(
            "{} is a private file of the account: fetching it through a signed link",
            args.cid
        ));
    }
    let cap = match (args.max_size, known) {
        // A file inside a folder is smaller than the folder the file list knows.
        (Some(max), Some(k)) if whole && k.size > max => {
            return Err(too_large(&args.cid, Some(k.size), max, true));
        }
        (Some(max), _) => max,
        (None, Some(k)) => k.size.max(settings.download_cap),
        (None, None) => settings.download_cap,
    };
    let mut request = if private {
        let link = client
            .private_download_link(&args.cid, &inner, Duration::from_secs(300))
            .map_err(from_api)?;
        let d = Download::signed(link);
        if whole && !args.no_verify {
            d.verify_cid(&args.cid).map_err(usage)?
        } else {
            d
        }
    } else {
        let d = Download::public(args.cid.clone(), inner.clone()).map_err(usage)?;
        if whole && !args.no_verify {
            d.verify().map_err(usage)?
        } else {
            d
        }
    };
    request = request.max_bytes(cap);
    let bar = ctx.progress.bytes(None, "download");
    let watch = bar.clone();
    request = request.on_progress(move |p| {
        if let Some(total) = p.total {
            watch.set_length(total);
        }
        watch.set_position(p.received);
    });

    // Where to: -o FILE, else stdout when it is not a terminal, else a file named after the CID.
    let target: Option<PathBuf> = match &args.output {
        Some(p) if p.as_os_str() == "-" => None,
        Some(p) => Some(p.clone()),
        None if std::io::stdout().is_terminal() => Some(PathBuf::from(
            inner
                .rsplit('/')
                .find(|s| !s.is_empty())
                .unwrap_or(&args.cid)
                .to_owned(),
        )),
        None => None,
    };
    let done = match &target {
        Some(path) => {
            if path.exists() && !args.force {
                bar.finish_and_clear();
                return Err(
                    CliError::local(format!("{} already exists", path.display()))
                        .hint("give --force to replace it, or another -o FILE"),
                );
            }
            if path.exists() {
                let _ = std::fs::remove_file(path);
            }
            pinata_ureq::download_to_path(&client, &request, path)
        }
        None => {
            let mut out = std::io::stdout().lock();
            client.download_to(&request, &mut out)
        }
    };
    bar.finish_and_clear();
    let done = done.map_err(|e| {
        if let pinata_ureq::Error::Transport(t) = &e
            && t.kind() == TransportErrorKind::BodyTooLarge
        {
            let what = format!("the download of {}", args.cid);
            return too_large(&what, None, cap, args.max_size.is_some());
        }
        let e = from_api(e);
        if e.kind == Kind::NotFound && !private {
            e.hint("the gateway does not serve it publicly; a private file needs --private")
        } else {
            e
        }
    })?;
    let checked = done
        .verified_cid
        .as_ref()
        .map(|c| format!(", CID {c} checked"))
        .unwrap_or_default();
    match &target {
        Some(path) => {
            ctx.out.message(format!(
                "Downloaded {} to {}{checked}",
                bytes(done.bytes),
                path.display()
            ));
            let item = Item {
                json: json!({
                    "path": path.display().to_string(),
                    "bytes": done.bytes,
                    "content_type": done.content_type,
                    "verified_cid": done.verified_cid.as_ref().map(ToString::to_string),
                }),
                id: path.display().to_string(),
                cells: vec![],
            };
            match ctx.out.format {
                Format::Human => Ok(()),
                _ => ctx.out.record(&item, &[]),
            }
        }
        None => {
            ctx.out
                .message(format!("Downloaded {}{checked}", bytes(done.bytes)));
            Ok(())
        }
    }
}

/// `pinata link`.
pub fn link(ctx: &Ctx, args: LinkArgs) -> CliResult {
    let url = signed_link(
        ctx,
        &args.cid,
        args.path.as_deref().unwrap_or(""),
        &args.expires,
    )?;
    ctx.out.value("url", url.as_str())
}

/// A signed link to `cid` (and `path` inside it) on the configured gateway, valid for
/// `expires` (`30s`, `10m`, `1h`, or seconds).
pub fn signed_link(ctx: &Ctx, cid: &str, path: &str, expires: &str) -> CliResult<SignedUrl> {
    let (settings, client) = ctx.client()?;
    need_gateway(&settings)?;
    let expires = parse_duration(expires)?;
    client
        .private_download_link(cid, path, expires)
        .map_err(from_api)
}

/// `pinata sign-upload`.
pub fn sign_upload(ctx: &Ctx, args: SignUploadArgs) -> CliResult {
    let (settings, client) = ctx.client()?;
    let usage = |e: pinata_ureq::BuildError| CliError::usage(e.to_string());
    let mut request = CreateSignedUploadUrl::new(
        network_of(args.network, &settings),
        parse_duration(&args.expires)?,
    )
    .map_err(usage)?;
    if let Some(max) = args.max_size {
        request = request.max_file_size(max).map_err(usage)?;
    }
    for m in args.mime {
        request = request.allow_mime_type(m).map_err(usage)?;
    }
    if let Some(f) = args.filename {
        request = request.filename(f).map_err(usage)?;
    }
    if let Some(g) = args.group {
        request = request.group(g);
    }
    for (k, v) in args.keyvalues {
        request = request.keyvalue(k, v).map_err(usage)?;
    }
    let url = client
        .create_signed_upload_url(&request)
        .map_err(from_api)?;
    ctx.out.value("url", url.as_str())
}

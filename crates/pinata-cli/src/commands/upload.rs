//! `pinata upload` (v3 or legacy; files and folders; streamed, CID-checked, resumable) and
//! `pinata cid` (the same CID computed locally).

use std::io::Read;
use std::path::Path;

use pinata_ureq::api::Network;
use pinata_ureq::api::pinning::{PinMetadata, PinOptions, PinResponse};
use pinata_ureq::api::uploads::{UploadFile, UploadedFile};
use pinata_ureq::cid::{CidError, CidVersion, FileImporter, ImportOptions, wrap_in_directory};
use pinata_ureq::transport::BlockingTransport;
use pinata_ureq::transport::local::FolderImport;
use pinata_ureq::tus::{ResumeToken, TusSession};
use pinata_ureq::{Client, LocalError, is_unprintable};
use serde::Serialize;
use serde_json::json;

use super::{Ctx, network, parse_expiry};
use crate::args::{CidArgs, CidFlags, NetworkArg, UploadArgs};
use crate::exit::{CliError, CliResult, from_api};
use crate::interrupt::{self, say_on_interrupt};
use crate::output::{Item, bytes, opt, shown, time};
use crate::progress::{follow, label};
use crate::state::UploadState;

const HEADERS: [&str; 4] = ["cid", "id", "name", "size"];

fn version_of(flags: &CidFlags, legacy: bool) -> CidVersion {
    match flags.cid_version {
        Some(0) => CidVersion::V0,
        Some(_) => CidVersion::V1,
        // Whatever the endpoint does when it is given none.
        None if legacy => PinOptions::DEFAULT_CID_VERSION,
        None => UploadFile::DEFAULT_CID_VERSION,
    }
}

fn local(e: LocalError) -> CliError {
    CliError::local(e.to_string())
}

/// A v3 upload as an output item; its JSON is the API's answer as the library serialises it,
/// with the network always said: the server's word, else `network`, the one asked for.
fn uploaded_item(up: &UploadedFile, network: Network) -> CliResult<Item> {
    let mut record = up.clone();
    record.network = Some(up.network.unwrap_or(network));
    Item::new(
        &record,
        up.cid.clone(),
        vec![up.cid.clone(), up.id.clone(), opt(&up.name), bytes(up.size)],
    )
}

/// A legacy upload as `--json` writes it. Not the API's answer (`PinResponse`: `IpfsHash`,
/// `PinSize`, `Timestamp`, `isDuplicate`): the CLI has always written it with the names of a
/// v3 upload, with the name it was given and its network (public), so that one list of uploads
/// reads the same whichever endpoint took them, and scripts read those names.
#[derive(Serialize)]
struct LegacyUploadRecord<'a> {
    cid: &'a str,
    name: &'a str,
    size: u64,
    created_at: String,
    network: Network,
    is_duplicate: Option<bool>,
}

fn pinned_item(pin: &PinResponse, name: &str) -> CliResult<Item> {
    let record = LegacyUploadRecord {
        cid: &pin.ipfs_hash,
        name,
        size: pin.pin_size,
        created_at: time(pin.timestamp),
        network: Network::Public,
        is_duplicate: pin.is_duplicate,
    };
    Item::new(
        &record,
        pin.ipfs_hash.clone(),
        vec![
            pin.ipfs_hash.clone(),
            String::new(),
            name.to_owned(),
            bytes(pin.pin_size),
        ],
    )
}

/// `pinata upload`.
pub fn upload(ctx: &Ctx, args: UploadArgs) -> CliResult {
    if args.name.is_some() && args.paths.len() > 1 {
        return Err(CliError::usage(
            "--name names one upload; give one PATH with it",
        ));
    }
    if args.wrap() && !args.legacy {
        return Err(CliError::usage("--wrap needs --legacy")
            .hint("the v3 upload does not wrap a file in a directory; pinFileToIPFS does"));
    }
    if args.legacy && args.expires.is_some() {
        return Err(CliError::usage(
            "--expires is a v3 upload option; drop --legacy",
        ));
    }
    let (settings, client) = ctx.client()?;
    // pinFileToIPFS publishes to public IPFS whatever the default network: --legacy asks for it.
    // Only an explicit --network private contradicts it.
    let net = if args.legacy {
        if args.network == Some(NetworkArg::Private) {
            return Err(
                CliError::usage("a legacy upload (pinFileToIPFS) is public only")
                    .hint("drop --legacy to upload privately, or drop --network private"),
            );
        }
        Network::Public
    } else {
        network(args.network, &settings)
    };
    let state = UploadState::open()?;
    let mut items = Vec::new();
    let mut outcome = Ok(());
    // Ctrl-C from here on says what became of the upload it cut short.
    interrupt::catch_ctrl_c();

    if args.paths.is_empty() {
        if !args.resume {
            return Err(CliError::usage("give a PATH to upload (or --resume alone)"));
        }
        let tokens = state.all();
        if tokens.is_empty() {
            ctx.out.message("No interrupted upload to resume.");
            return Ok(());
        }
        for token in tokens {
            match resume(ctx, &client, &state, &token) {
                Ok(up) => items.push(uploaded_item(&up, net)?),
                Err(e) => {
                    outcome = Err(e);
                    break;
                }
            }
        }
    } else {
        for path in &args.paths {
            match upload_one(ctx, &client, &state, &args, net, path) {
                Ok(item) => items.push(item),
                Err(e) => {
                    outcome = Err(e);
                    break;
                }
            }
        }
    }
    say_on_interrupt(None);
    if !items.is_empty() || outcome.is_ok() {
        ctx.out.list(&HEADERS, &items)?;
    }
    outcome
}

impl UploadArgs {
    fn wrap(&self) -> bool {
        self.cid.wrap
    }
}

fn upload_one(
    ctx: &Ctx,
    client: &Client,
    state: &UploadState,
    args: &UploadArgs,
    net: Network,
    path: &Path,
) -> CliResult<Item> {
    let meta = std::fs::metadata(path).map_err(|e| local(LocalError::io(path, e)))?;
    // Escaped: besides the messages (escaped when printed), it reaches the terminal in an
    // error's hint and in Ctrl-C's note.
    let shown = shown(&path.display().to_string());
    // Until the server holds a resumable upload (and its token is kept): nothing to resume.
    say_on_interrupt(Some(format!(
        "the upload of {shown} did not finish, and nothing of it is kept: upload it again"
    )));
    if args.legacy {
        return legacy(ctx, client, args, path, meta.is_dir());
    }
    let verify = !args.no_verify;
    if meta.is_dir() {
        let folder = pinata_ureq::local::scan_folder(path).map_err(local)?;
        let lens: Vec<u64> = folder.files.iter().map(|f| f.len).collect();
        let bars = ctx.progress.folder(&lens, &label(path));
        let watch = bars.clone();
        let request = describe(UploadFile::folder(folder), args, net)?
            .verify_cid(verify)
            .on_progress(move |p| watch.update(p.sent, p.total));
        let done = client.upload_file(&request);
        bars.finish();
        let up = done.map_err(|e| {
            // The library refuses a private folder before sending (its rule, not repeated here):
            // say how to publish it instead.
            let refused = matches!(
                e,
                pinata_ureq::Error::Build(pinata_ureq::BuildError::PrivateFolder)
            );
            let e = from_api(e);
            if refused {
                e.hint(format!(
                    "to publish {shown} on public IPFS, add --network public"
                ))
            } else {
                e
            }
        })?;
        let net = up.network.unwrap_or(net);
        ctx.out
            .message(uploaded_message(&shown, &up.cid, net, verify));
        return uploaded_item(&up, net);
    }

    let canonical = std::fs::canonicalize(path).map_err(|e| local(LocalError::io(path, e)))?;
    if !args.no_resume
        && let Some(token) = state.load(&canonical)
    {
        let current = client.transport().fingerprint(&canonical).map_err(local)?;
        if *token.fingerprint() == current {
            ctx.out.message(format!(
                "Resuming the interrupted upload of {shown} (--no-resume starts over)"
            ));
            return resume(ctx, client, state, &token).and_then(|up| uploaded_item(&up, net));
        }
        ctx.out.warn(format!(
            "{shown} changed since its upload was interrupted; uploading it from the start"
        ));
        state.remove(&canonical);
    } else if args.resume {
        ctx.out.message(format!(
            "No interrupted upload of {shown} is remembered; uploading it from the start"
        ));
    }

    let bar = ctx.progress.bytes(Some(meta.len()), &label(path));
    let watch = follow(bar.clone());
    let keep = state.clone();
    let kept = remembered(path);
    let request = describe(pinata_ureq::upload_request(path), args, net)?
        .verify_cid(verify)
        .on_progress(move |p| watch(p.sent, p.total))
        .on_resume_token(move |token| match keep.save(token) {
            Ok(()) => say_on_interrupt(Some(kept.clone())),
            Err(e) => eprintln!("warning: cannot remember the upload for a resume: {e}"),
        });
    let done = client.upload_file(&request);
    bar.finish_and_clear();
    match done {
        Ok(up) => {
            say_on_interrupt(None);
            state.remove(&canonical);
            let net = up.network.unwrap_or(net);
            ctx.out
                .message(uploaded_message(&shown, &up.cid, net, verify));
            uploaded_item(&up, net)
        }
        Err(e) => {
            let resumable = state.load(&canonical).is_some();
            let e = from_api(e);
            Err(if resumable {
                CliError {
                    hint: Some(format!(
                        "{}{}",
                        e.hint
                            .as_ref()
                            .map(|h| format!("{h}; "))
                            .unwrap_or_default(),
                        remembered(path)
                    )),
                    ..e
                }
            } else {
                e
            })
        }
    }
}

/// What a finished v3 upload says on stderr: where it went (which network), and its CID, checked
/// against the one computed while sending unless `--no-verify`.
fn uploaded_message(shown: &str, cid: &str, net: Network, verified: bool) -> String {
    let check = if verified {
        "checked"
    } else {
        "not checked (--no-verify)"
    };
    format!("{shown}: uploaded to {net} IPFS, CID {cid} {check}")
}

/// The v3 request's options from the flags.
fn describe(
    request: Result<UploadFile, impl Into<pinata_ureq::Error>>,
    args: &UploadArgs,
    net: Network,
) -> CliResult<UploadFile> {
    let fail = from_api;
    let mut request = request.map_err(|e| fail(e.into()))?.network(net);
    if let Some(name) = &args.name {
        request = request.name(name.clone());
    }
    if let Some(group) = &args.group {
        request = request.group(group.clone());
    }
    for (k, v) in &args.keyvalues {
        request = request
            .keyvalue(k.clone(), v.clone())
            .map_err(|e| CliError::usage(e.to_string()))?;
    }
    if args.cid.cid_version.is_some() {
        request = request.cid_version(version_of(&args.cid, false));
    }
    if let Some(expires) = &args.expires {
        request = request
            .expires_at(parse_expiry(expires)?)
            .map_err(|e| CliError::usage(format!("--expires: {e}")))?;
    }
    Ok(request)
}

/// The command that resumes the upload of `path`, quoted for a shell where it needs to be: in
/// single quotes, or, for a name holding a character that must not reach a terminal (ESC, a
/// bidi override: see [`shown`]), in ANSI-C quotes ([`ansi_c_quoted`]), so that the command is
/// safe to print and, pasted, still names the file.
fn resume_command(path: &Path) -> String {
    let text = path.display().to_string();
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./@%+=:,".contains(c));
    let word = if plain {
        text
    } else if text.chars().any(is_unprintable) {
        ansi_c_quoted(&text)
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    };
    format!("pinata upload --resume {word}")
}

/// `text` as one shell word in ANSI-C quotes, `$'…'` (bash, zsh, ksh, and POSIX.1-2024's `sh`):
/// every character [`is_unprintable`] written as an escape (`\x1b`, `\u202e`, always with all
/// its digits, so a hex digit after it is not taken in), `\` and `'` escaped, the rest as it is.
fn ansi_c_quoted(text: &str) -> String {
    use std::fmt::Write as _;
    let mut word = String::from("$'");
    for c in text.chars() {
        let code = u32::from(c);
        // Writing to a String cannot fail.
        let _ = match c {
            '\\' => word.write_str(r"\\"),
            '\'' => word.write_str(r"\'"),
            c if !is_unprintable(c) => word.write_char(c),
            c if c.is_ascii() => write!(word, "\\x{code:02x}"),
            _ if code <= 0xFFFF => write!(word, "\\u{code:04x}"),
            _ => write!(word, "\\U{code:08x}"),
        };
    }
    word.push('\'');
    word
}

/// What is said of an interrupted upload the server holds: it is remembered, and how to go on
/// (the path [`shown`] escaped, the command quoted to be as safe).
fn remembered(path: &Path) -> String {
    format!(
        "the upload of {} is remembered: run `{}` to continue it",
        shown(&path.display().to_string()),
        resume_command(path)
    )
}

/// Continues a remembered upload, with a progress bar; forgotten once it finished.
fn resume(
    ctx: &Ctx,
    client: &Client,
    state: &UploadState,
    token: &ResumeToken,
) -> CliResult<UploadedFile> {
    let path = token.fingerprint().path.clone();
    say_on_interrupt(Some(remembered(&path)));
    let fail = from_api;
    let current = client.transport().fingerprint(&path).map_err(|e| {
        CliError::local(format!(
            "cannot resume the upload of {}: {e}",
            shown(&path.display().to_string())
        ))
        .hint("the file is gone; `pinata upload --no-resume PATH` uploads another")
    })?;
    let bar = ctx
        .progress
        .bytes(Some(token.fingerprint().len), &label(&path));
    let watch = follow(bar.clone());
    let mut session = TusSession::resume(token, &current, client.config())
        .map_err(fail)?
        .on_progress(move |p| watch(p.sent, p.total));
    let done = client.upload_resumable(&mut session);
    bar.finish_and_clear();
    match done {
        Ok(up) => {
            say_on_interrupt(None);
            state.remove(&path);
            ctx.out.message(format!(
                "{}: resumed and finished, CID {}",
                path.display(),
                up.cid
            ));
            Ok(up)
        }
        Err(e @ pinata_ureq::Error::Local(LocalError::Changed { .. })) => {
            state.remove(&path);
            Err(fail(e).hint("the file changed: upload it again"))
        }
        Err(e) if pinata_ureq::tus::upload_is_gone(&e) => {
            state.remove(&path);
            Err(fail(e).hint("the server no longer holds this upload: upload the file again"))
        }
        Err(e) => Err(fail(e).hint(format!("run `{}` to try again", resume_command(&path)))),
    }
}

/// `--legacy`: `pinFileToIPFS`, with its options.
fn legacy(
    ctx: &Ctx,
    client: &Client,
    args: &UploadArgs,
    path: &Path,
    dir: bool,
) -> CliResult<Item> {
    let name = args.name.clone().unwrap_or_else(|| {
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    let mut metadata = PinMetadata::new().name(name.clone());
    for (k, v) in &args.keyvalues {
        metadata = metadata
            .keyvalue(k.clone(), v.clone())
            .map_err(|e| CliError::usage(e.to_string()))?;
    }
    let mut options = PinOptions::new().wrap_with_directory(args.cid.wrap);
    if args.cid.cid_version.is_some() {
        options = options.cid_version(version_of(&args.cid, true));
    }
    if let Some(g) = &args.group {
        options = options.group(g.clone());
    }
    let total = if dir {
        pinata_ureq::local::scan_folder(path)
            .map_err(local)?
            .total_len()
    } else {
        std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
    };
    let bar = ctx.progress.bytes(Some(total), &label(path));
    let watch = follow(bar.clone());
    let request = pinata_ureq::pin_request(path)
        .map_err(from_api)?
        .metadata(metadata)
        .options(options)
        .verify_cid(!args.no_verify)
        .on_progress(move |p| watch(p.sent, p.total));
    let done = client.pin_file(&request);
    bar.finish_and_clear();
    let pin = done.map_err(from_api)?;
    ctx.out.message(uploaded_message(
        &path.display().to_string(),
        &pin.ipfs_hash,
        Network::Public,
        !args.no_verify,
    ));
    pinned_item(&pin, &name)
}

/// `pinata cid`: the CIDs an upload with the same flags gets, computed locally.
pub fn cid(ctx: &Ctx, args: CidArgs) -> CliResult {
    let version = version_of(&args.cid, args.legacy);
    let options = ImportOptions::new(version);
    let mut items = Vec::new();
    for path in &args.paths {
        let cid = if args.cid.wrap {
            wrapped_cid(path, options)?
        } else {
            pinata_ureq::upload_cid_of_path(path, options)
                .map_err(local)?
                .to_string()
        };
        items.push(Item {
            json: json!({"cid": cid, "path": path.display().to_string()}),
            id: cid.clone(),
            cells: vec![cid, path.display().to_string()],
        });
    }
    ctx.out.list(&["cid", "path"], &items)
}

/// Reads the file at `path` into `sink`, a buffer at a time.
fn read_into(path: &Path, mut sink: impl FnMut(&[u8])) -> CliResult {
    let mut file = std::fs::File::open(path).map_err(|e| local(LocalError::io(path, e)))?;
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        match file.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => sink(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(local(LocalError::io(path, e))),
        }
    }
}

/// The CID of `path` wrapped in a directory, as `--legacy --wrap` uploads it: the file, or the
/// folder's files (their CID is what the unwrapped upload gets), imported here; the wrapping is
/// the library's ([`wrap_in_directory`]).
fn wrapped_cid(path: &Path, options: ImportOptions) -> CliResult<String> {
    // What the CID importer refuses (a name it cannot hold, a directory it would shard) is a
    // usage error, as before; what the files do (a change while read) is a local one.
    let cid_error = |e: CidError| CliError::usage(e.to_string());
    let import_error = |e: LocalError| match e {
        LocalError::Cid(e) => cid_error(e),
        e => local(e),
    };
    let meta = std::fs::metadata(path).map_err(|e| local(LocalError::io(path, e)))?;
    let (name, root, dag_size) = if meta.is_dir() {
        let folder = pinata_ureq::local::scan_folder(path).map_err(local)?;
        let mut import = FolderImport::of_files(&folder, options).map_err(import_error)?;
        while let Some(file) = import.next_file().map_err(import_error)? {
            read_into(&file.path, |bytes| import.update(bytes))?;
            import.end_file().map_err(import_error)?;
        }
        let files = import.finish().map_err(import_error)?;
        (folder.name.clone(), files.cid, files.dag_size)
    } else {
        let mut importer = FileImporter::new(options).map_err(cid_error)?;
        read_into(path, |bytes| importer.update(bytes))?;
        let file = importer.finish();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        (name, file.cid, file.dag_size)
    };
    Ok(wrap_in_directory(&name, root, dag_size, options.version)
        .map_err(cid_error)?
        .cid
        .to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn an_uploads_json_is_the_librarys_answer_with_its_network() {
        let mut up = UploadedFile::new("file-1", "bafkqaaa");
        let item = uploaded_item(&up, Network::Private).unwrap();
        assert_eq!(item.json["network"], "private", "the one asked for");
        assert_eq!(item.id, "bafkqaaa");
        up.network = Some(Network::Public);
        let item = uploaded_item(&up, Network::Private).unwrap();
        assert_eq!(
            item.json,
            serde_json::to_value(&up).unwrap(),
            "the server's word"
        );
    }

    #[test]
    fn a_legacy_uploads_json_keeps_the_names_of_a_v3_upload() {
        let pin = PinResponse::new("QmX", 5);
        assert_eq!(
            pinned_item(&pin, "a.txt").unwrap().json,
            json!({
                "cid": "QmX",
                "name": "a.txt",
                "size": 5,
                "created_at": "1970-01-01T00:00:00.000Z",
                "network": "public",
                "is_duplicate": null,
            })
        );
    }

    #[test]
    fn the_resume_command_quotes_a_name_as_a_shell_needs() {
        assert_eq!(
            resume_command(Path::new("/tmp/big.iso")),
            "pinata upload --resume /tmp/big.iso"
        );
        assert_eq!(
            resume_command(Path::new("/tmp/it's here.iso")),
            r"pinata upload --resume '/tmp/it'\''s here.iso'"
        );
        // A name with an escape sequence: nothing a terminal acts on, and the same file to a
        // shell (the old command held the ESC as it is).
        let evil = "/tmp/a\u{1b}[2J\\b'c\u{202e}d\u{e0001}.bin";
        let command = resume_command(Path::new(evil));
        assert_eq!(
            command,
            r"pinata upload --resume $'/tmp/a\x1b[2J\\b\'c\u202ed\U000e0001.bin'"
        );
        assert!(!command.chars().any(is_unprintable), "{command}");
        let word = command.trim_start_matches("pinata upload --resume ");
        if let Ok(out) = std::process::Command::new("bash")
            .args(["-c", &format!("printf %s {word}")])
            .env("LC_ALL", "C.UTF-8")
            .output()
        {
            assert_eq!(
                String::from_utf8_lossy(&out.stdout),
                evil,
                "bash reads {word}"
            );
        }
    }

    #[test]
    fn the_note_of_a_remembered_upload_is_escaped() {
        let note = remembered(Path::new("/tmp/x\u{1b}[2J.bin"));
        assert_eq!(
            note,
            r"the upload of /tmp/x\u{1b}[2J.bin is remembered: run `pinata upload --resume $'/tmp/x\x1b[2J.bin'` to continue it"
        );
    }
}

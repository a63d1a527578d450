//! `pinata files list|get|update|delete` (v3 files).

use std::collections::BTreeMap;

use pinata_ureq::api::Network;
use pinata_ureq::api::files::{FileItem, ListFiles, UpdateFile};
use pinata_ureq::cid::Cid;
use serde_json::json;

use super::{Ctx, collect, network_of, parse_expiry};
use crate::args::{FilesCommand, FilesListArgs, FilesUpdateArgs};
use crate::exit::{CliError, CliResult, Kind, from_api};
use crate::output::{Item, bytes, keyvalues, opt, shown, time};

const HEADERS: [&str; 6] = ["id", "cid", "name", "size", "created", "keyvalues"];

/// A file as an output item.
pub fn file_item(f: &FileItem, network: Network) -> Item {
    Item {
        json: json!({
            "id": f.id,
            "cid": f.cid,
            "name": f.name,
            "size": f.size,
            "number_of_files": f.number_of_files,
            "mime_type": f.mime_type,
            "keyvalues": f.keyvalues,
            "group_id": f.group_id,
            "created_at": time(f.created_at),
            "expires_at": f.expires_at,
            "network": network.as_str(),
        }),
        id: f.id.clone(),
        cells: vec![
            f.id.clone(),
            f.cid.clone(),
            opt(&f.name),
            bytes(f.size),
            time(f.created_at),
            keyvalues(f.keyvalues.iter().map(|(k, v)| (k, v.clone()))),
        ],
    }
}

/// The labels of one file's `key: value` lines.
const LABELS: [&str; 6] = ["id", "cid", "name", "size", "created", "keyvalues"];

/// `pinata files …`.
pub fn run(ctx: &Ctx, command: FilesCommand) -> CliResult {
    let (settings, client) = ctx.client()?;
    match command {
        FilesCommand::List(args) => list(ctx, &client, network_of(args.network, &settings), args),
        FilesCommand::Get { id, network } => {
            let net = network_of(network, &settings);
            let f = find_file(ctx, &client, net, &id)?;
            ctx.out.record(&file_item(&f, net), &LABELS)
        }
        FilesCommand::Update(args) => {
            update(ctx, &client, network_of(args.network, &settings), args)
        }
        FilesCommand::Delete { ids, network } => {
            let net = network_of(network, &settings);
            for id in &ids {
                client.delete_file(net, id).map_err(from_api)?;
                ctx.out.message(format!("Deleted {id}"));
            }
            if ctx.out.format == crate::output::Format::Quiet {
                ctx.out.list(
                    &[],
                    &ids.iter()
                        .map(|id| Item {
                            json: json!({}),
                            id: id.clone(),
                            cells: vec![],
                        })
                        .collect::<Vec<_>>(),
                )?;
            } else if ctx.out.format == crate::output::Format::Json {
                ctx.out.list(
                    &[],
                    &ids.iter()
                        .map(|id| Item {
                            json: json!({"id": id, "deleted": true}),
                            id: id.clone(),
                            cells: vec![],
                        })
                        .collect::<Vec<_>>(),
                )?;
            }
            Ok(())
        }
    }
}

/// The other network, for hints.
fn other(net: Network) -> Network {
    match net {
        Network::Public => Network::Private,
        _ => Network::Public,
    }
}

/// The file `handle` names on `net`: its id, or its CID (found with the file list's CID filter;
/// when several files hold the CID, the newest, and a message says so).
fn find_file(
    ctx: &Ctx,
    client: &pinata_ureq::Client,
    net: Network,
    handle: &str,
) -> CliResult<FileItem> {
    let elsewhere = format!(
        "on the {net} network (`pinata files list --network {net}` lists its files; \
         --network {} looks on the other)",
        other(net)
    );
    if handle.parse::<Cid>().is_err() {
        return client
            .get_file(net, handle)
            .map_err(|e| from_api(e).when_not_found(format!("check the id, {elsewhere}")));
    }
    // At most a few: enough to say that there are more.
    let request = ListFiles::new(net)
        .cid(handle)
        .limit(CID_MATCHES)
        .map_err(|e| CliError::usage(e.to_string()))?;
    let mut files = client.list_files(&request).map_err(from_api)?.files;
    if files.is_empty() {
        return Err(CliError::new(
            Kind::NotFound,
            format!("no file has the CID {}", shown(handle)),
        )
        .hint(format!("check the CID, {elsewhere}")));
    }
    if files.len() > 1 {
        let more = if files.len() as u32 >= CID_MATCHES {
            format!("{CID_MATCHES} or more")
        } else {
            files.len().to_string()
        };
        ctx.out.message(format!(
            "{more} files hold the CID {handle}; this is the newest \
             (`pinata files list --cid {handle}` lists them all)"
        ));
    }
    Ok(files.swap_remove(0))
}

/// How many files holding one CID `files get CID` asks for.
const CID_MATCHES: u32 = 10;

fn list(ctx: &Ctx, client: &pinata_ureq::Client, net: Network, args: FilesListArgs) -> CliResult {
    let mut request = ListFiles::new(net);
    if let Some(n) = args.name {
        request = request.name(n);
    }
    if let Some(c) = args.cid {
        request = request.cid(c);
    }
    if let Some(g) = args.group {
        request = request.group(g);
    }
    if let Some(m) = args.mime {
        request = request.mime_type(m);
    }
    for (k, v) in args.keyvalues {
        request = request.keyvalue(k, v);
    }
    if args.cid_pending {
        request = request.cid_pending();
    }
    let files = collect(client.paginate(request), args.limit)?;
    let items: Vec<Item> = files.iter().map(|f| file_item(f, net)).collect();
    ctx.out.list(&HEADERS, &items)
}

fn update(
    ctx: &Ctx,
    client: &pinata_ureq::Client,
    net: Network,
    args: FilesUpdateArgs,
) -> CliResult {
    if args.name.is_none() && args.keyvalues.is_empty() && args.expires.is_none() {
        return Err(CliError::usage("nothing to update").hint("give --name, --kv or --expires"));
    }
    let mut request = UpdateFile::new(net, args.id);
    if let Some(n) = args.name {
        request = request.name(n);
    }
    if !args.keyvalues.is_empty() {
        let kv: BTreeMap<String, String> = args.keyvalues.into_iter().collect();
        request = request
            .keyvalues(kv)
            .map_err(|e| CliError::usage(e.to_string()))?;
    }
    if let Some(e) = args.expires {
        request = request
            .expires_at(parse_expiry(&e)?)
            .map_err(|e| CliError::usage(format!("--expires: {e}")))?;
    }
    let f = client.update_file(&request).map_err(from_api)?;
    ctx.out.record(&file_item(&f, net), &LABELS)
}

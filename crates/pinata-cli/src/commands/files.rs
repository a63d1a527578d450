//! `pinata files list|get|update|delete` (v3 files).

use std::collections::BTreeMap;

use pinata_ureq::api::Network;
use pinata_ureq::api::files::{FileItem, ListFiles, UpdateFile};
use pinata_ureq::cid::Cid;
use serde::Serialize;
use serde_json::json;

use super::{Ctx, collect, network_of, parse_expiry};
use crate::args::{FilesCommand, FilesListArgs, FilesUpdateArgs};
use crate::exit::{CliError, CliResult, Kind, from_api};
use crate::output::{Item, bytes, keyvalues, opt, shown, time};

const HEADERS: [&str; 6] = ["id", "cid", "name", "size", "created", "keyvalues"];

/// A file as `--json` writes it: the API's file as the library serialises it, and the network
/// it was asked on, which the API's record does not carry.
#[derive(Serialize)]
struct FileRecord<'a> {
    #[serde(flatten)]
    file: &'a FileItem,
    network: Network,
}

/// A file as an output item.
pub fn file_item(f: &FileItem, network: Network) -> CliResult<Item> {
    Item::new(
        &FileRecord { file: f, network },
        f.id.clone(),
        vec![
            f.id.clone(),
            f.cid.clone(),
            opt(&f.name),
            bytes(f.size),
            time(f.created_at),
            keyvalues(f.keyvalues.iter().map(|(k, v)| (k, v.clone()))),
        ],
    )
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
            ctx.out.record(&file_item(&f, net)?, &LABELS)
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
    let items = files
        .iter()
        .map(|f| file_item(f, net))
        .collect::<CliResult<Vec<_>>>()?;
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
    ctx.out.record(&file_item(&f, net)?, &LABELS)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_files_json_is_the_librarys_file_and_the_network() {
        let mut f = FileItem::new("file-1", "bafkqaaa");
        f.name = Some("a.txt".into());
        f.keyvalues.insert("env".into(), "test".into());
        let item = file_item(&f, Network::Private).unwrap();
        let mut expected = serde_json::to_value(&f).unwrap();
        expected["network"] = "private".into();
        assert_eq!(item.json, expected);
        assert_eq!(item.json["created_at"], "1970-01-01T00:00:00.000Z");
        assert_eq!(item.id, "file-1");
    }
}

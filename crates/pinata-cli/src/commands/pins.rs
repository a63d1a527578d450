//! `pinata pins add-by-cid|queue|cancel` (v3) and `pinata pins legacy list|unpin|metadata`.

use pinata_ureq::api::pin_by_cid::{ListPinQueue, PinByCid, PinByCidJob};
use pinata_ureq::api::pinning::{
    ListPins, MetadataValue, PinJobStatus, PinRow, PinStatusFilter, UpdatePinMetadata,
};
use serde_json::json;

use super::{Ctx, collect};
use crate::args::{LegacyCommand, PinsCommand};
use crate::exit::{CliError, CliResult, from_api};
use crate::output::{Item, bytes, opt, time};

const JOB_HEADERS: [&str; 5] = ["id", "cid", "status", "name", "queued"];

fn job_item(j: &PinByCidJob) -> Item {
    Item {
        json: json!({
            "id": j.id,
            "cid": j.cid,
            "status": j.status.as_str(),
            "name": j.name,
            "date_queued": time(j.date_queued),
            "keyvalues": j.keyvalues,
            "host_nodes": j.host_nodes,
            "group_id": j.group_id,
        }),
        id: j.id.clone(),
        cells: vec![
            j.id.clone(),
            j.cid.clone(),
            j.status.to_string(),
            opt(&j.name),
            time(j.date_queued),
        ],
    }
}

fn pin_item(p: &PinRow) -> Item {
    Item {
        json: json!({
            "id": p.id,
            "cid": p.ipfs_pin_hash,
            "size": p.size,
            "date_pinned": time(p.date_pinned),
            "date_unpinned": p.date_unpinned.map(time),
            "name": p.metadata.name,
            "keyvalues": p.metadata.keyvalues,
        }),
        id: p.ipfs_pin_hash.clone(),
        cells: vec![
            p.ipfs_pin_hash.clone(),
            opt(&p.metadata.name),
            bytes(p.size),
            time(p.date_pinned),
        ],
    }
}

/// `pinata pins …`.
pub fn run(ctx: &Ctx, command: PinsCommand) -> CliResult {
    let (_, client) = ctx.client()?;
    let usage = |e: pinata_ureq::BuildError| CliError::usage(e.to_string());
    match command {
        PinsCommand::AddByCid {
            cid,
            name,
            group,
            keyvalues,
            host_node,
        } => {
            let mut request = PinByCid::new(cid).map_err(usage)?;
            if let Some(n) = name {
                request = request.name(n);
            }
            if let Some(g) = group {
                request = request.group(g);
            }
            for (k, v) in keyvalues {
                request = request.keyvalue(k, v);
            }
            for h in host_node {
                request = request.host_node(h).map_err(usage)?;
            }
            let job = client.pin_by_cid(&request).map_err(from_api)?;
            ctx.out.record(&job_item(&job), &JOB_HEADERS)
        }
        PinsCommand::Queue { cid, status, limit } => {
            let mut request = ListPinQueue::new();
            if let Some(c) = cid {
                request = request.cid(c);
            }
            if let Some(s) = status {
                request = request.status(PinJobStatus::from_wire(&s));
            }
            let jobs = collect(client.paginate(request), limit)?;
            ctx.out
                .list(&JOB_HEADERS, &jobs.iter().map(job_item).collect::<Vec<_>>())
        }
        PinsCommand::Cancel { id } => {
            client.cancel_pin_by_cid(&id).map_err(|e| {
                from_api(e).when_not_found("check the job id (`pinata pins queue`)")
            })?;
            ctx.out.message(format!("Cancelled {id}"));
            Ok(())
        }
        PinsCommand::Legacy(command) => legacy(ctx, &client, command),
    }
}

fn legacy(ctx: &Ctx, client: &pinata_ureq::Client, command: LegacyCommand) -> CliResult {
    match command {
        LegacyCommand::List {
            cid,
            name,
            status,
            limit,
        } => {
            let status = match status.as_str() {
                "pinned" => PinStatusFilter::Pinned,
                "unpinned" => PinStatusFilter::Unpinned,
                "all" => PinStatusFilter::All,
                other => {
                    return Err(CliError::usage(format!("{other:?} is not a pin status"))
                        .hint("use pinned, unpinned or all"));
                }
            };
            let mut request = ListPins::new().status(status);
            if let Some(c) = cid {
                request = request.cid(c);
            }
            if let Some(n) = name {
                request = request.name_contains(n);
            }
            let pins = collect(client.paginate(request), limit)?;
            ctx.out.list(
                &["cid", "name", "size", "pinned"],
                &pins.iter().map(pin_item).collect::<Vec<_>>(),
            )
        }
        LegacyCommand::Unpin { cids } => {
            for cid in &cids {
                client.unpin(cid).map_err(from_api)?;
                ctx.out.message(format!("Unpinned {cid}"));
            }
            Ok(())
        }
        LegacyCommand::Metadata {
            cid,
            name,
            keyvalues,
            remove,
        } => {
            if name.is_none() && keyvalues.is_empty() && remove.is_empty() {
                return Err(
                    CliError::usage("nothing to change").hint("give --name, --kv or --remove")
                );
            }
            let mut request = UpdatePinMetadata::new(cid.clone());
            if let Some(n) = name {
                request = request.name(n);
            }
            for (k, v) in keyvalues {
                request = request
                    .set(k, MetadataValue::text(v))
                    .map_err(|e| CliError::usage(e.to_string()))?;
            }
            for k in remove {
                request = request.remove(k);
            }
            client.update_pin_metadata(&request).map_err(from_api)?;
            ctx.out.message(format!("Updated the metadata of {cid}"));
            Ok(())
        }
    }
}

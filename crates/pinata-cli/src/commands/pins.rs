//! `pinata pins add-by-cid|queue|cancel` (v3) and `pinata pins legacy list|unpin|metadata`.

use pinata_ureq::api::pin_by_cid::{ListPinQueue, PinByCid, PinByCidJob};
use pinata_ureq::api::pinning::{
    ListPins, MetadataValue, PinJobStatus, PinRow, PinStatusFilter, UpdatePinMetadata,
};
use serde::Serialize;
use serde_json::{Map, Value};

use super::{Ctx, collect};
use crate::args::{LegacyCommand, PinsCommand};
use crate::exit::{CliError, CliResult, from_api};
use crate::output::{Item, bytes, opt, time};

const JOB_HEADERS: [&str; 5] = ["id", "cid", "status", "name", "queued"];

/// A pin-by-CID job as an output item; its JSON is the API's job as the library serialises it.
fn job_item(j: &PinByCidJob) -> CliResult<Item> {
    Item::new(
        j,
        j.id.clone(),
        vec![
            j.id.clone(),
            j.cid.clone(),
            j.status.to_string(),
            opt(&j.name),
            time(j.date_queued),
        ],
    )
}

/// A legacy pin as `--json` writes it. Not the API's row (`PinRow`: the CID as
/// `ipfs_pin_hash`, the name and key-values inside `metadata`, and the owner, MIME type and file
/// count besides): the CLI has always written the CID as `cid` and the name and key-values at the
/// top level, as its other records do, and scripts read those names.
#[derive(Serialize)]
struct LegacyPinRecord<'a> {
    id: &'a str,
    cid: &'a str,
    size: u64,
    date_pinned: String,
    date_unpinned: Option<String>,
    name: Option<&'a str>,
    keyvalues: Option<&'a Map<String, Value>>,
}

fn pin_item(p: &PinRow) -> CliResult<Item> {
    let record = LegacyPinRecord {
        id: &p.id,
        cid: &p.ipfs_pin_hash,
        size: p.size,
        date_pinned: time(p.date_pinned),
        date_unpinned: p.date_unpinned.map(time),
        name: p.metadata.name.as_deref(),
        keyvalues: p.metadata.keyvalues.as_ref(),
    };
    Item::new(
        &record,
        p.ipfs_pin_hash.clone(),
        vec![
            p.ipfs_pin_hash.clone(),
            opt(&p.metadata.name),
            bytes(p.size),
            time(p.date_pinned),
        ],
    )
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
            ctx.out.record(&job_item(&job)?, &JOB_HEADERS)
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
            let items = jobs.iter().map(job_item).collect::<CliResult<Vec<_>>>()?;
            ctx.out.list(&JOB_HEADERS, &items)
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
            let items = pins.iter().map(pin_item).collect::<CliResult<Vec<_>>>()?;
            ctx.out.list(&["cid", "name", "size", "pinned"], &items)
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use super::*;

    #[test]
    fn a_jobs_json_is_the_librarys_job() {
        let job = PinByCidJob::new("job-1", "bafkqaaa", PinJobStatus::Searching);
        let item = job_item(&job).unwrap();
        assert_eq!(item.json, serde_json::to_value(&job).unwrap());
        assert_eq!(item.json["status"], "searching");
    }

    #[test]
    fn a_legacy_pins_json_keeps_the_clis_names() {
        let mut row = PinRow::new("row-1", "QmX", 5);
        row.metadata.name = Some("a.txt".into());
        row.metadata.keyvalues = Some(json!({"env": "test"}).as_object().unwrap().clone());
        assert_eq!(
            pin_item(&row).unwrap().json,
            json!({
                "id": "row-1",
                "cid": "QmX",
                "size": 5,
                "date_pinned": "1970-01-01T00:00:00.000Z",
                "date_unpinned": null,
                "name": "a.txt",
                "keyvalues": {"env": "test"},
            })
        );
    }
}

//! v3 pin by CID, public network: `POST /v3/files/public/pin_by_cid`, the queue (`GET`), and
//! cancelling a request (`DELETE …/{id}`). Mirrors `pinata-core`'s `api::pin_by_cid`; the jobs
//! share the legacy pin-by-hash queue (`pinata-api.md` §3.3), with its 250 active jobs.
//!
//! Emulator's choices where the real service is not documented: the page token is the position in
//! the queue, pages hold 10 requests unless `limit` says otherwise (1 to 1000), a request that is
//! not queued is `404 {"error":{"code":404,…}}`, and a cancellation answers `OK`.

use std::time::SystemTime;

use http::StatusCode;
use pinata_core::api::pin_by_cid::PinByCidJob;
use pinata_core::api::pinning::PinJobStatus;
use pinata_core::cid::Cid;
use pinata_core::server::Query;
use serde_json::{Map, Value};

use crate::api::pinning::new_job;
use crate::reply::{self, Reply, data, to_millis};
use crate::state::State;
use crate::store::pins::JobFilter;

fn bad(message: &str) -> Reply {
    reply::coded(StatusCode::BAD_REQUEST, message)
}

/// `POST /v3/files/public/pin_by_cid {cid, name, keyvalues, group_id, host_nodes}`.
pub(crate) fn create(state: &State, json: &Value, now: SystemTime) -> Reply {
    /// The body, as the SDK sends it (`name` absent when not given).
    #[derive(serde::Deserialize)]
    struct Body {
        #[serde(default)]
        cid: Option<String>,
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        keyvalues: Option<std::collections::BTreeMap<String, String>>,
        #[serde(default)]
        host_nodes: Option<Vec<String>>,
        #[serde(default)]
        group_id: Option<String>,
    }
    let body: Body = match super::typed(json) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(cid) = body.cid.as_deref() else {
        return bad("cid is required");
    };
    if cid.parse::<Cid>().is_err() {
        return bad("cid is not a valid CID");
    }
    let name = Some(body.name.unwrap_or_else(|| cid.to_owned()));
    let keyvalues = body.keyvalues.unwrap_or_default();
    if keyvalues.len() > 10 {
        return bad("keyvalues must be at most 10 string values");
    }
    let keyvalues: Map<String, Value> = keyvalues
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    let host_nodes = body.host_nodes.unwrap_or_default();
    if host_nodes.len() > 5 {
        return bad("host_nodes must be at most 5 multiaddrs");
    }
    let group_id = body.group_id;
    let job = new_job(
        state,
        cid,
        name.clone(),
        keyvalues.clone(),
        host_nodes.clone(),
        group_id.clone(),
        now,
    );
    let id = job.id.clone();
    let status = PinJobStatus::from_wire(state.pins.queue(job).as_str());
    // The core's own type: `{id, cid, date_queued, name, status, keyvalues, host_nodes,
    // group_id}`, empty key-values and host nodes written `null`.
    let mut queued = PinByCidJob::new(id, cid, status);
    queued.date_queued = to_millis(now);
    queued.name = name;
    queued.keyvalues = (!keyvalues.is_empty()).then(|| keyvalues.into_iter().collect());
    queued.host_nodes = (!host_nodes.is_empty()).then_some(host_nodes);
    queued.group_id = group_id;
    data(queued)
}

/// `GET /v3/files/public/pin_by_cid?order&status&cid&limit&pageToken` (`sort` is the SDK's
/// spelling of `order`).
pub(crate) fn list(state: &State, query: &str) -> Reply {
    let mut filter = JobFilter {
        ascending: false,
        status: None,
        cid: None,
        limit: 10,
        offset: 0,
    };
    for (key, value) in Query::parse(query) {
        match key.as_str() {
            "order" | "sort" => match value.as_str() {
                "ASC" => filter.ascending = true,
                "DESC" | "DSC" => filter.ascending = false,
                _ => return bad("order must be ASC or DESC"),
            },
            "status" => filter.status = Some(value),
            "cid" => filter.cid = Some(value),
            "limit" => match value.parse::<usize>() {
                Ok(n) if (1..=1000).contains(&n) => filter.limit = n,
                _ => return bad("limit must be 1 to 1000"),
            },
            "pageToken" => match value.parse::<usize>() {
                Ok(n) => filter.offset = n,
                Err(_) => return bad("invalid pageToken"),
            },
            _ => {}
        }
    }
    let (count, jobs) = state.pins.list_jobs(&filter);
    let jobs: Vec<Value> = jobs.iter().map(crate::api::pinning::job_json).collect();
    let end = filter.offset.saturating_add(jobs.len());
    let next_page_token = if end < count {
        end.to_string()
    } else {
        String::new()
    };
    reply::json(
        StatusCode::OK,
        &serde_json::json!({"data": {"jobs": jobs, "next_page_token": next_page_token}}),
    )
}

/// `DELETE /v3/files/public/pin_by_cid/{id}`.
pub(crate) fn cancel(state: &State, id: &str) -> Reply {
    if state.pins.cancel(id) {
        reply::with_body(StatusCode::OK, "text/plain; charset=utf-8", b"OK".to_vec())
    } else {
        reply::coded(StatusCode::NOT_FOUND, "Pin request not found")
    }
}

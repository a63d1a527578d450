//! The pinning endpoints: uploads (streamed to disk by the shared receiver in `receive.rs`, CIDs
//! from pinata-core's importer), JSON pins, pins by hash, metadata, unpin, listings and usage.

use std::time::SystemTime;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use hyper::body::Incoming;
use pinata_core::api::pinning::{KeyValueOp, MAX_KEYVALUES, PinByHashJob, PinJobStatus, PinRow};
use pinata_core::api::uploads::mime_type_of;
use pinata_core::cid::{Cid, CidVersion, ImportOptions, import_bytes};
use pinata_core::server::Query;
use pinata_core::time::{format_iso8601, parse_iso8601};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::api::receive::{self, AddressError};
use crate::reply::{self, Reply, to_millis};
use crate::state::State;
use crate::store::pins::{
    Held, JobFilter, JobRecord, JobState, KeyValueCondition, PinFilter, PinRecord,
};

const INVALID_FORMAT: &str = "Invalid request format.";
const INVALID_JSON: &str = "Invalid JSON provided";

fn bad(message: &str) -> Reply {
    reply::message(StatusCode::BAD_REQUEST, message)
}

/// A pin job for `cid`, legacy or v3: held content is retrieved after the pin delay, anything
/// else searched for until the search expiry.
pub(crate) fn new_job(
    state: &State,
    cid: &str,
    name: Option<String>,
    keyvalues: Map<String, Value>,
    host_nodes: Vec<String>,
    group_id: Option<String>,
    now: SystemTime,
) -> JobRecord {
    let held = state.content.has(cid);
    JobRecord {
        id: new_id(),
        cid: cid.to_owned(),
        name,
        keyvalues,
        host_nodes,
        group_id,
        date_queued: now,
        state: if held {
            JobState::Retrieving
        } else {
            JobState::Searching
        },
        next_change: now
            + if held {
                state.pin_delay
            } else {
                state.search_expiry
            },
    }
}

fn new_id() -> String {
    crate::ids::uuid_v4().unwrap_or_default()
}

/// The text fields a legacy upload reads; any other text part is counted and dropped, as the
/// real API ignores it.
const READ_FIELDS: &[&str] = &["pinataOptions", "pinataMetadata"];

/// `POST /pinning/pinFileToIPFS`: the caller is already authenticated; the body is read here.
pub async fn pin_file(
    state: &State,
    headers: &HeaderMap,
    body: Incoming,
    now: SystemTime,
    stall: Option<(u64, std::time::Duration)>,
) -> Result<Reply, crate::reply::Closed> {
    let boundary = match receive::boundary(headers) {
        Ok(b) => b,
        Err(content_type) if content_type.starts_with("application/json") => {
            // Express's JSON parser meets a multipart body (observed answer).
            return Ok(reply::reason(
                StatusCode::BAD_REQUEST,
                pinata_core::api::reason::UNKNOWN_REASON,
                "Unexpected token - in JSON at position 0",
            ));
        }
        Err(_) => return Ok(bad(INVALID_FORMAT)),
    };
    let rules = receive::Rules {
        read_fields: READ_FIELDS,
        max_file_bytes: None,
    };
    let form = match receive::receive(&state.content, &boundary, body, rules, stall).await? {
        Ok(form) => form,
        Err(_) => return Ok(bad(INVALID_FORMAT)),
    };
    Ok(finish_upload(state, &form, now))
}

/// Upload options and metadata, validated.
struct Upload {
    version: CidVersion,
    wrap: bool,
    group_id: Option<String>,
    name: Option<String>,
    keyvalues: Map<String, Value>,
}

fn parse_field(raw: Option<&[u8]>) -> Result<Map<String, Value>, Reply> {
    match raw {
        None => Ok(Map::new()),
        Some(bytes) => match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(Value::Null) => Ok(Map::new()),
            _ => Err(bad(INVALID_JSON)),
        },
    }
}

fn upload_settings(
    options: &Map<String, Value>,
    metadata: &Map<String, Value>,
) -> Result<Upload, Reply> {
    let version = match options.get("cidVersion") {
        None | Some(Value::Null) => CidVersion::V0,
        Some(v) if v.as_u64() == Some(0) || v.as_str() == Some("0") => CidVersion::V0,
        Some(v) if v.as_u64() == Some(1) || v.as_str() == Some("1") => CidVersion::V1,
        // The answer for a bad cidVersion was not captured; the emulator's choice.
        Some(_) => return Err(bad("cidVersion must be 0 or 1")),
    };
    let wrap = options
        .get("wrapWithDirectory")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let group_id = options
        .get("groupId")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let (name, keyvalues) = metadata_parts(metadata)?;
    Ok(Upload {
        version,
        wrap,
        group_id,
        name,
        keyvalues,
    })
}

/// Name and key-values of a `pinataMetadata` object. Over 10 key-values, or values that are not
/// strings, numbers or booleans, are refused (the wording is the emulator's choice).
fn metadata_parts(
    metadata: &Map<String, Value>,
) -> Result<(Option<String>, Map<String, Value>), Reply> {
    let name = metadata
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let keyvalues = match metadata.get("keyvalues") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(kv)) => kv.clone(),
        Some(_) => return Err(bad(INVALID_JSON)),
    };
    check_keyvalues(&keyvalues)?;
    Ok((name, keyvalues))
}

fn check_keyvalues(keyvalues: &Map<String, Value>) -> Result<(), Reply> {
    if keyvalues.len() > MAX_KEYVALUES {
        return Err(bad(&format!(
            "a pin may carry at most {MAX_KEYVALUES} keyvalues"
        )));
    }
    if keyvalues
        .values()
        .any(|v| !(v.is_string() || v.is_number() || v.is_boolean() || v.is_null()))
    {
        return Err(bad("keyvalues must be strings, numbers or dates"));
    }
    Ok(())
}

fn finish_upload(state: &State, form: &receive::Form, now: SystemTime) -> Reply {
    let options = match parse_field(form.field("pinataOptions")) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let metadata = match parse_field(form.field("pinataMetadata")) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let upload = match upload_settings(&options, &metadata) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let v = upload.version;
    let addressed = match receive::address(&form.files, v, upload.wrap) {
        Ok(a) => a,
        Err(AddressError::NoFiles | AddressError::BadPath) => return bad(INVALID_FORMAT),
        Err(AddressError::SeveralRoots) => {
            return bad("More than one file and/or directory was provided for pinning.");
        }
        Err(AddressError::Directory(e)) => return bad(&e),
    };
    // Legacy pins are public.
    if receive::commit(state, form, &addressed, v, true).is_err() {
        return reply::internal("could not store the upload");
    }
    let files = form.files.len() as u64;
    // Invariant: `address` succeeded, so there is a first file.
    let first = &form.files[0].filename;
    let mime = if addressed.is_file {
        mime_type_of(first)
    } else {
        "directory"
    };
    let (pin, duplicate) = state.pins.add(PinRecord {
        id: new_id(),
        cid: addressed.cid.to_string(),
        size: addressed.dag_size,
        date_pinned: now,
        date_unpinned: None,
        name: upload
            .name
            .or_else(|| Some(addressed.root_name.unwrap_or_else(|| first.clone()))),
        keyvalues: upload.keyvalues,
        mime_type: Some(mime.to_owned()),
        number_of_files: files,
        group_id: upload.group_id,
    });
    pin_answer(&pin, duplicate)
}

/// The upload answer ([`pin_answered`]).
fn pin_answer(pin: &PinRecord, duplicate: bool) -> Reply {
    reply::json(StatusCode::OK, &pin_answered(pin, duplicate))
}

/// The upload answer: the documented fields, and the ones newer servers add. The emulator's own
/// shape: the core's `PinResponse` models `IpfsHash`, `PinSize`, `Timestamp` and `isDuplicate`
/// only, and writes `"isDuplicate": null` for a first upload, where the emulator leaves it out.
fn pin_answered(pin: &PinRecord, duplicate: bool) -> Value {
    let mut answer = serde_json::json!({
        "ID": pin.id,
        "Name": pin.name,
        "NumberOfFiles": pin.number_of_files,
        "MimeType": pin.mime_type,
        "IpfsHash": pin.cid,
        "PinSize": pin.size,
        "Timestamp": format_iso8601(pin.date_pinned),
        // Newer servers return these too, and the official SDK maps them to `keyvalues` and
        // `group_id` (pinata-api.md §3.1; found by the SDK conformance run).
        "Keyvalues": if pin.keyvalues.is_empty() { Value::Null } else { Value::Object(pin.keyvalues.clone()) },
        "GroupId": pin.group_id,
    });
    if duplicate {
        answer["isDuplicate"] = Value::Bool(true);
    }
    answer
}

/// The content as `JSON.stringify(JSON.parse(text))` writes it (the service runs on Node, so this
/// is the inference for what it stores): key order kept, whitespace dropped, numbers in JavaScript's
/// form (`2.0` is `2`, `1E2` is `100`, `1e21` is `1e+21`). Strings are kept as sent.
pub(crate) fn minify(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    let mut number = String::new();
    for c in json.chars() {
        if !in_string && (c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E')) {
            number.push(c);
            continue;
        }
        if !number.is_empty() {
            out.push_str(&js_number(&number));
            number.clear();
        }
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    if !number.is_empty() {
        out.push_str(&js_number(&number));
    }
    out
}

/// A JSON number as JavaScript's `Number.prototype.toString` writes it.
fn js_number(token: &str) -> String {
    let Ok(x) = token.parse::<f64>() else {
        return token.to_owned();
    };
    if x == 0.0 {
        return "0".to_owned();
    }
    let abs = x.abs();
    if !(1e-6..1e21).contains(&abs) {
        // Rust writes `1.5e21`; JavaScript writes `1.5e+21`.
        let text = format!("{x:e}");
        return match text.split_once('e') {
            Some((mantissa, exp)) if !exp.starts_with('-') => format!("{mantissa}e+{exp}"),
            _ => text,
        };
    }
    // Shortest round-trip digits, without a trailing `.0`: what JavaScript prints in this range.
    format!("{x}")
}

#[derive(serde::Deserialize)]
struct JsonPin<'a> {
    #[serde(borrow, rename = "pinataContent")]
    content: Option<&'a serde_json::value::RawValue>,
    #[serde(rename = "pinataMetadata", default)]
    metadata: Option<Value>,
    #[serde(rename = "pinataOptions", default)]
    options: Option<Value>,
}

/// `POST /pinning/pinJSONToIPFS` (the body is already known to be JSON).
pub fn pin_json(state: &State, body: &Bytes, now: SystemTime) -> Reply {
    let Ok(wire) = serde_json::from_slice::<JsonPin>(body) else {
        return bad(INVALID_JSON);
    };
    // Without `pinataContent`, the whole body is the content (what the legacy SDK sends).
    let content = match wire.content {
        Some(raw) => minify(raw.get()),
        None => minify(&String::from_utf8_lossy(body)),
    };
    let as_map = |v: Option<Value>| match v {
        Some(Value::Object(m)) => Ok(m),
        None | Some(Value::Null) => Ok(Map::new()),
        Some(_) => Err(bad(INVALID_JSON)),
    };
    let (options, metadata) = match (as_map(wire.options), as_map(wire.metadata)) {
        (Ok(o), Ok(m)) => (o, m),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let upload = match upload_settings(&options, &metadata) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let Ok(file) = import_bytes(content.as_bytes(), ImportOptions::new(upload.version)) else {
        return reply::internal("could not address the content");
    };
    let cid = file.cid.to_string();
    if state.content.put_bytes(content.as_bytes(), &cid).is_err() {
        return reply::internal("could not store the content");
    }
    state.content.remember(&cid, file.dag_size, 1);
    let (pin, duplicate) = state.pins.add(PinRecord {
        id: new_id(),
        cid,
        size: file.dag_size,
        date_pinned: now,
        date_unpinned: None,
        name: upload.name,
        keyvalues: upload.keyvalues,
        mime_type: Some("application/json".to_owned()),
        number_of_files: 1,
        group_id: upload.group_id,
    });
    pin_answer(&pin, duplicate)
}

/// `POST /pinning/pinByHash`.
pub fn pin_by_hash(state: &State, json: &Value, now: SystemTime) -> Reply {
    let Some(cid) = json.get("hashToPin").and_then(Value::as_str) else {
        return bad("hashToPin is required");
    };
    if cid.parse::<Cid>().is_err() {
        return bad("hashToPin is not a valid CID");
    }
    let metadata = match json.get("pinataMetadata") {
        Some(Value::Object(m)) => m.clone(),
        None | Some(Value::Null) => Map::new(),
        Some(_) => return bad(INVALID_JSON),
    };
    let (name, keyvalues) = match metadata_parts(&metadata) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let options = json.get("pinataOptions").cloned().unwrap_or(Value::Null);
    // The SDK sends `hostNodes: ""` when it has none.
    let host_nodes: Vec<String> = match options.get("hostNodes") {
        Some(Value::Array(nodes)) => nodes
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    };
    if host_nodes.len() > 5 {
        return bad("at most 5 hostNodes");
    }
    let job = new_job(
        state,
        cid,
        name.clone().or_else(|| Some(cid.to_owned())),
        keyvalues,
        host_nodes,
        options
            .get("groupId")
            .and_then(Value::as_str)
            .map(str::to_owned),
        now,
    );
    let (id, cid, name) = (job.id.clone(), job.cid.clone(), job.name.clone());
    let status = PinJobStatus::from_wire(state.pins.queue(job).as_str());
    // The core's own type: `{id, ipfsHash, status, name}`.
    let mut queued = PinByHashJob::new(id, cid, status);
    queued.name = name;
    reply::json(StatusCode::OK, &queued)
}

/// Moves pin-by-hash jobs along to `now`.
pub fn advance_jobs(state: &State, now: SystemTime) {
    state.pins.advance(now, new_id, |cid| {
        state
            .content
            .held(cid)
            .map(|(size, files)| Held { size, files })
    });
}

fn query_number(value: &str, name: &str, max: Option<usize>) -> Result<usize, Reply> {
    let n: usize = value
        .parse()
        .map_err(|_| bad(&format!("{name} must be a whole number")))?;
    match max {
        Some(m) if n > m => Err(bad(&format!("{name} must be at most {m}"))),
        _ => Ok(n),
    }
}

/// `GET /pinning/pinJobs`.
pub fn pin_jobs(state: &State, query: &str) -> Reply {
    let mut f = JobFilter {
        ascending: false,
        status: None,
        cid: None,
        limit: 5,
        offset: 0,
    };
    for (k, v) in Query::parse(query) {
        match k.as_str() {
            "sort" => f.ascending = v.eq_ignore_ascii_case("ASC"),
            "status" => f.status = Some(v),
            "ipfs_pin_hash" => f.cid = Some(v),
            "limit" => match query_number(&v, "limit", Some(1000)) {
                Ok(n) => f.limit = n,
                Err(r) => return r,
            },
            "offset" => match query_number(&v, "offset", None) {
                Ok(n) => f.offset = n,
                Err(r) => return r,
            },
            _ => {}
        }
    }
    let (count, jobs) = state.pins.list_jobs(&f);
    let rows: Vec<Value> = jobs.iter().map(job_json).collect();
    reply::json(
        StatusCode::OK,
        &serde_json::json!({ "count": count, "rows": rows }),
    )
}

/// `PUT /pinning/hashMetadata`.
pub fn hash_metadata(state: &State, json: &Value) -> Reply {
    let Some(cid) = json.get("ipfsPinHash").and_then(Value::as_str) else {
        return bad("ipfsPinHash is required");
    };
    let name = json.get("name").and_then(Value::as_str).map(str::to_owned);
    let keyvalues = match json.get("keyvalues") {
        Some(Value::Object(m)) => Some(m),
        None | Some(Value::Null) => None,
        Some(_) => return bad(INVALID_JSON),
    };
    if let Some(kv) = keyvalues {
        let present: Map<String, Value> = kv
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if let Err(r) = check_keyvalues(&present) {
            return r;
        }
    }
    match state
        .pins
        .update_metadata(cid, name, keyvalues, MAX_KEYVALUES)
    {
        Ok(true) => reply::ok_text(),
        Ok(false) => not_pinned(cid),
        Err(message) => bad(&message),
    }
}

fn not_pinned(cid: &str) -> Reply {
    reply::reason(
        StatusCode::BAD_REQUEST,
        pinata_core::api::reason::CURRENT_USER_HAS_NOT_PINNED_CID,
        &format!("The current user has not pinned the cid: {cid}"),
    )
}

/// `DELETE /pinning/unpin/{cid}`.
pub fn unpin(state: &State, cid: &str, now: SystemTime) -> Reply {
    if state.pins.unpin(cid, now) {
        reply::ok_text()
    } else {
        not_pinned(cid)
    }
}

/// `GET /data/pinList`.
pub fn pin_list(state: &State, query: &str) -> Reply {
    let (f, include_count) = match parse_pin_filter(query) {
        Ok(parsed) => parsed,
        Err(r) => return r,
    };
    let (count, pins) = state.pins.list(&f);
    let rows: Vec<Listed> = pins.iter().map(|p| listed(p, &state.user_id)).collect();
    let mut answer = serde_json::json!({ "rows": rows });
    if include_count {
        answer["count"] = count.into();
    }
    reply::json(StatusCode::OK, &answer)
}

/// A pin as `pinList` shows it: the core's `PinRow`, with the `regions` the API sends beside it
/// (which the core does not model). The page around the rows is the emulator's own, not the core's
/// `PinPage`: without `includeCount` the API leaves `count` out, where `PinPage` writes `null`.
#[derive(Serialize)]
struct Listed {
    #[serde(flatten)]
    row: PinRow,
    /// Where the pin is replicated: one region, as the emulator holds one copy.
    regions: [Region; 1],
}

/// A region a pin is held in.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    region_id: &'static str,
    current_replication_count: u32,
    desired_replication_count: u32,
}

fn listed(pin: &PinRecord, user_id: &str) -> Listed {
    let mut row = PinRow::new(pin.id.clone(), pin.cid.clone(), pin.size);
    row.user_id = Some(user_id.to_owned());
    row.date_pinned = to_millis(pin.date_pinned);
    row.date_unpinned = pin.date_unpinned.map(to_millis);
    row.metadata.name = pin.name.clone();
    row.metadata.keyvalues = (!pin.keyvalues.is_empty()).then(|| pin.keyvalues.clone());
    row.mime_type = pin.mime_type.clone();
    row.number_of_files = Some(pin.number_of_files);
    Listed {
        row,
        regions: [Region {
            region_id: "FRA1",
            current_replication_count: 1,
            desired_replication_count: 1,
        }],
    }
}

/// A job as `pinJobs` (and the pin-by-CID queue) lists it. The emulator's own shape: the core's
/// `PinJob` has no constructor outside the core (`#[non_exhaustive]`) and does not model
/// `pin_policy`, which the API sends.
pub(crate) fn job_json(job: &JobRecord) -> Value {
    serde_json::json!({
        "id": job.id,
        "ipfs_pin_hash": job.cid,
        "date_queued": format_iso8601(job.date_queued),
        "name": job.name,
        "status": job.state.as_str(),
        "keyvalues": if job.keyvalues.is_empty() { Value::Null } else { Value::Object(job.keyvalues.clone()) },
        "host_nodes": if job.host_nodes.is_empty() { Value::Null } else { serde_json::json!(job.host_nodes) },
        "pin_policy": {"regions": [{"id": "FRA1", "desiredReplicationCount": 1}], "version": 1},
    })
}

/// The pinList query: the filter and whether to include the count, or the 400 the API gives.
pub(crate) fn parse_pin_filter(query: &str) -> Result<(PinFilter, bool), Reply> {
    let mut f = PinFilter {
        limit: 10,
        ..PinFilter::default()
    };
    let mut include_count = true;
    let date = |v: &str, name: &str| {
        parse_iso8601(v).ok_or_else(|| bad(&format!("{name} must be an ISO-8601 date")))
    };
    for (k, v) in Query::parse(query) {
        let step: Result<(), Reply> = (|| {
            match k.as_str() {
                "cid" => f.cid = Some(v.clone()),
                "hashContains" => f.hash_contains = Some(v.clone()),
                "pinStart" => f.pin_start = Some(date(&v, "pinStart")?),
                "pinEnd" => f.pin_end = Some(date(&v, "pinEnd")?),
                "unpinStart" => f.unpin_start = Some(date(&v, "unpinStart")?),
                "unpinEnd" => f.unpin_end = Some(date(&v, "unpinEnd")?),
                "pinSizeMin" => f.size_min = Some(query_number(&v, "pinSizeMin", None)? as u64),
                "pinSizeMax" => f.size_max = Some(query_number(&v, "pinSizeMax", None)? as u64),
                "status" => {
                    f.pinned = match v.as_str() {
                        "all" => None,
                        "pinned" => Some(true),
                        "unpinned" => Some(false),
                        _ => return Err(bad("status must be all, pinned or unpinned")),
                    }
                }
                "groupId" => f.group_id = Some(v.clone()),
                "pageLimit" => f.limit = query_number(&v, "pageLimit", Some(1000))?,
                "pageOffset" => f.offset = query_number(&v, "pageOffset", None)?,
                "includeCount" => include_count = v != "false",
                "metadata[name]" => f.name = Some(v.clone()),
                "metadata[keyvalues]" => {
                    let conditions: Map<String, Value> =
                        serde_json::from_str(&v).map_err(|_| bad(INVALID_JSON))?;
                    for (key, c) in conditions {
                        f.keyvalues.push(condition(key, &c)?);
                    }
                }
                other => {
                    if let Some(key) = other
                        .strip_prefix("metadata[keyvalues][")
                        .and_then(|r| r.strip_suffix(']'))
                    {
                        let c: Value = serde_json::from_str(&v).map_err(|_| bad(INVALID_JSON))?;
                        f.keyvalues.push(condition(key.to_owned(), &c)?);
                    }
                }
            }
            Ok(())
        })();
        step?;
    }
    Ok((f, include_count))
}

fn condition(key: String, c: &Value) -> Result<KeyValueCondition, Reply> {
    let op = c
        .get("op")
        .and_then(Value::as_str)
        .and_then(KeyValueOp::parse)
        .ok_or_else(|| bad(INVALID_JSON))?;
    let value = c.get("value").cloned().ok_or_else(|| bad(INVALID_JSON))?;
    KeyValueCondition::new(key, op, value, c.get("secondValue").cloned()).map_err(|m| bad(&m))
}

/// `GET /data/userPinnedDataTotal`. Each pin is held in one region, so the replicated total equals
/// the total (the emulator's choice).
pub fn usage(state: &State) -> Reply {
    let (count, size) = state.pins.totals();
    reply::json(StatusCode::OK, &totals(count, size))
}

/// The usage answer. The emulator's own shape: the core's `PinnedDataTotal` has these fields but
/// no constructor outside the core (`#[non_exhaustive]`).
/// The usage answer: the core's type, one replica (the emulator keeps one copy).
fn totals(count: u64, size: u64) -> pinata_core::api::pinning::PinnedDataTotal {
    pinata_core::api::pinning::PinnedDataTotal::new(count, size, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_normalised_like_json_stringify() {
        assert_eq!(
            minify(
                "{ \"b\" : [1.0, 2.50, 1E2, -0.0, 1e21, 1.5e-7, 12345678901234567890],\n \"a\": \"x y 1.0\" }"
            ),
            "{\"b\":[1,2.5,100,0,1e+21,1.5e-7,12345678901234567000],\"a\":\"x y 1.0\"}"
        );
        assert_eq!(
            minify("{\"s\":\"quote \\\" and \\\\\",\"n\":-3}"),
            "{\"s\":\"quote \\\" and \\\\\",\"n\":-3}"
        );
    }

    /// `ours` as the core's `T` reads and writes it again.
    fn through<T: serde::de::DeserializeOwned + Serialize>(ours: &Value) -> Value {
        let theirs: T = serde_json::from_value(ours.clone()).unwrap();
        serde_json::to_value(theirs).unwrap()
    }

    /// `value` without `fields`.
    fn without(mut value: Value, fields: &[&str]) -> Value {
        for field in fields {
            value.as_object_mut().unwrap().remove(*field);
        }
        value
    }

    fn pin() -> PinRecord {
        let at = std::time::UNIX_EPOCH + std::time::Duration::from_nanos(1_720_740_807_665_123_456);
        PinRecord {
            id: "p1".into(),
            cid: "bafkqaaa".into(),
            size: 42,
            date_pinned: at,
            date_unpinned: Some(at),
            name: Some("n".into()),
            keyvalues: serde_json::from_str(r#"{"k":"v","n":1}"#).unwrap(),
            mime_type: Some("text/plain".into()),
            number_of_files: 1,
            group_id: None,
        }
    }

    #[test]
    fn answers_the_core_does_not_build_are_its_shapes_with_what_it_does_not_model() {
        // A listed pin is the core's row, with regions beside it.
        let row = serde_json::to_value(listed(&pin(), "u1")).unwrap();
        assert_eq!(through::<PinRow>(&row), without(row.clone(), &["regions"]));
        assert_eq!(row["date_pinned"], "2024-07-11T23:33:27.665Z");
        // A job: the core's `PinJob` but for `pin_policy`.
        let job = JobRecord {
            id: "j1".into(),
            cid: "bafkqaaa".into(),
            name: Some("n".into()),
            keyvalues: Map::new(),
            host_nodes: Vec::new(),
            group_id: None,
            date_queued: std::time::UNIX_EPOCH,
            state: JobState::Searching,
            next_change: std::time::UNIX_EPOCH,
        };
        let listed_job = job_json(&job);
        assert_eq!(
            through::<pinata_core::api::pinning::PinJob>(&listed_job),
            without(listed_job, &["pin_policy"])
        );
        // An upload's answer: the core's `PinResponse` for what it models.
        let answer = pin_answered(&pin(), true);
        assert_eq!(
            through::<pinata_core::api::pinning::PinResponse>(&answer),
            without(
                answer,
                &[
                    "ID",
                    "Name",
                    "NumberOfFiles",
                    "MimeType",
                    "Keyvalues",
                    "GroupId"
                ]
            )
        );
        let first = pin_answered(&pin(), false);
        assert!(first.get("isDuplicate").is_none());
        // What the SDK maps to `keyvalues` and `group_id`.
        assert_eq!(first["Keyvalues"]["k"], "v");
        assert!(first.get("GroupId").is_some_and(Value::is_null));
        // Usage: the core's `PinnedDataTotal` exactly.
        let usage = serde_json::to_value(totals(3, 42)).unwrap();
        assert_eq!(
            usage,
            serde_json::json!({
                "pin_count": 3,
                "pin_size_total": 42,
                "pin_size_with_replications_total": 42,
            })
        );
    }
}

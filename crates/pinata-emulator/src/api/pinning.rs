//! The pinning endpoints: uploads (streamed to disk, CIDs from pinata-core's importer), JSON pins,
//! pins by hash, metadata, unpin, listings, usage, and the `/ipfs/` gateway.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::SystemTime;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use pinata_core::api::pinning::{KeyValueOp, MAX_KEYVALUES};
use pinata_core::cid::{
    Cid, CidVersion, DirectoryBuilder, FileImporter, ImportOptions, ImportedFile, import_bytes,
};
use pinata_core::server::Query;
use pinata_core::time::{format_iso8601, parse_iso8601};
use serde_json::{Map, Value};
use tokio::io::AsyncWriteExt;

use crate::multipart::{Event, Parser, boundary_of};
use crate::pins::{Held, JobFilter, JobRecord, JobState, KeyValueCondition, PinFilter, PinRecord};
use crate::reply::{self, Reply};
use crate::state::State;

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

/// A file part as received: stored in `incoming`, with its CID in both versions.
struct Received {
    filename: String,
    incoming: PathBuf,
    v0: ImportedFile,
    v1: ImportedFile,
}

impl Received {
    fn imported(&self, v: CidVersion) -> ImportedFile {
        match v {
            CidVersion::V0 => self.v0,
            CidVersion::V1 => self.v1,
        }
    }
}

/// A file part being received.
struct Receiving {
    filename: String,
    incoming: PathBuf,
    out: tokio::fs::File,
    v0: FileImporter,
    v1: FileImporter,
}

enum Current {
    File(Box<Receiving>),
    /// A text part: kept only when it is one the upload reads (`buf` is `None` otherwise, and
    /// its bytes are counted against the cap but dropped).
    Field {
        name: String,
        buf: Option<Vec<u8>>,
    },
}

/// Largest total size of the text fields (`pinataMetadata`, `pinataOptions`, anything else) of an
/// upload, their names included.
const MAX_FIELDS: usize = 1024 * 1024;
/// Largest total size of the file names of an upload's file parts (emulator's choice).
const MAX_FILE_NAMES: usize = 16 * 1024 * 1024;
/// The text fields an upload reads; any other text part is counted and dropped, as the real
/// API ignores it.
const READ_FIELDS: [&str; 2] = ["pinataOptions", "pinataMetadata"];

/// Most parts in one upload (emulator's choice: each file part is a file on disk while it is
/// received).
const MAX_PARTS: usize = 100_000;

/// What an upload's parts have used of the caps so far, kept as running totals so each part is
/// counted once (the cost of checking is constant per event, whatever the number of parts).
#[derive(Debug, Default)]
struct Tally {
    parts: usize,
    field_bytes: usize,
    file_name_bytes: usize,
}

impl Tally {
    /// Counts `n` more bytes against `used`, refusing to pass `cap`.
    fn take(used: &mut usize, n: usize, cap: usize) -> Result<(), ()> {
        match used.checked_add(n) {
            Some(total) if total <= cap => {
                *used = total;
                Ok(())
            }
            _ => Err(()),
        }
    }
}

/// `POST /pinning/pinFileToIPFS`: the caller is already authenticated; the body is read here.
pub async fn pin_file(
    state: &State,
    headers: &HeaderMap,
    mut body: Incoming,
    now: SystemTime,
    stall: Option<(u64, std::time::Duration)>,
) -> Result<Reply, crate::routes::Closed> {
    let content_type = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Some(boundary) = boundary_of(content_type) else {
        if content_type.starts_with("application/json") {
            // Express's JSON parser meets a multipart body (observed answer).
            return Ok(reply::reason(
                StatusCode::BAD_REQUEST,
                "UNKNOWN_REASON",
                "Unexpected token - in JSON at position 0",
            ));
        }
        return Ok(bad(INVALID_FORMAT));
    };
    let mut read: u64 = 0;
    let mut parser = Parser::new(&boundary);
    let mut received: Vec<Received> = Vec::new();
    let mut fields: HashMap<String, Vec<u8>> = HashMap::new();
    let mut tally = Tally::default();
    let mut current: Option<Current> = None;
    let mut failed = false;
    // The whole body is read even after a failure, so the client gets the answer, not a reset.
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            failed = true;
            break;
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        read += data.len() as u64;
        if let Some((after, wait)) = stall
            && read >= after
        {
            // An injected stall: stop reading, wait, then drop the connection.
            tokio::time::sleep(wait).await;
            cleanup(&received, current);
            return Err(crate::routes::Closed);
        }
        if failed {
            continue;
        }
        let events = match parser.push(&data) {
            Ok(e) => e,
            Err(_) => {
                failed = true;
                continue;
            }
        };
        for event in events {
            if handle_event(
                state,
                event,
                &mut current,
                &mut received,
                &mut fields,
                &mut tally,
            )
            .await
            .is_err()
            {
                failed = true;
                break;
            }
        }
    }
    if failed || parser.finish().is_err() {
        cleanup(&received, current);
        return Ok(bad(INVALID_FORMAT));
    }
    let answer = finish_upload(state, &received, &fields, now);
    cleanup(&received, None);
    Ok(answer)
}

async fn handle_event(
    state: &State,
    event: Event,
    current: &mut Option<Current>,
    received: &mut Vec<Received>,
    fields: &mut HashMap<String, Vec<u8>>,
    tally: &mut Tally,
) -> Result<(), ()> {
    match event {
        Event::PartStart(h) => {
            Tally::take(&mut tally.parts, 1, MAX_PARTS)?;
            *current = Some(match (h.name.as_str(), h.filename) {
                ("file", Some(filename)) => {
                    Tally::take(&mut tally.file_name_bytes, filename.len(), MAX_FILE_NAMES)?;
                    let incoming = state.content.incoming_path();
                    let out = tokio::fs::File::create(&incoming).await.map_err(|_| ())?;
                    Current::File(Box::new(Receiving {
                        filename,
                        incoming,
                        out,
                        v0: FileImporter::new(ImportOptions::new(CidVersion::V0))
                            .map_err(|_| ())?,
                        v1: FileImporter::new(ImportOptions::new(CidVersion::V1))
                            .map_err(|_| ())?,
                    }))
                }
                ("file", None) => return Err(()),
                (name, _) => {
                    Tally::take(&mut tally.field_bytes, name.len(), MAX_FIELDS)?;
                    Current::Field {
                        name: name.to_owned(),
                        buf: READ_FIELDS.contains(&name).then(Vec::new),
                    }
                }
            });
        }
        Event::Data(data) => match current {
            Some(Current::File(r)) => {
                r.v0.update(&data);
                r.v1.update(&data);
                r.out.write_all(&data).await.map_err(|_| ())?;
            }
            Some(Current::Field { buf, .. }) => {
                Tally::take(&mut tally.field_bytes, data.len(), MAX_FIELDS)?;
                if let Some(buf) = buf {
                    buf.extend_from_slice(&data);
                }
            }
            None => {}
        },
        Event::PartEnd => match current.take() {
            Some(Current::File(r)) => {
                let Receiving {
                    filename,
                    incoming,
                    mut out,
                    v0,
                    v1,
                } = *r;
                out.flush().await.map_err(|_| ())?;
                received.push(Received {
                    filename,
                    incoming,
                    v0: v0.finish(),
                    v1: v1.finish(),
                });
            }
            Some(Current::Field {
                name,
                buf: Some(buf),
            }) => {
                fields.insert(name, buf);
            }
            Some(Current::Field { buf: None, .. }) => {}
            None => {}
        },
        Event::Done => {}
    }
    Ok(())
}

fn cleanup(received: &[Received], current: Option<Current>) {
    for r in received {
        let _ = std::fs::remove_file(&r.incoming);
    }
    if let Some(Current::File(r)) = current {
        let _ = std::fs::remove_file(&r.incoming);
    }
}

/// Upload options and metadata, validated.
struct Upload {
    version: CidVersion,
    wrap: bool,
    group_id: Option<String>,
    name: Option<String>,
    keyvalues: Map<String, Value>,
}

fn parse_field(raw: Option<&Vec<u8>>) -> Result<Map<String, Value>, Reply> {
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

fn finish_upload(
    state: &State,
    received: &[Received],
    fields: &HashMap<String, Vec<u8>>,
    now: SystemTime,
) -> Reply {
    let options = match parse_field(fields.get("pinataOptions")) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let metadata = match parse_field(fields.get("pinataMetadata")) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let upload = match upload_settings(&options, &metadata) {
        Ok(u) => u,
        Err(r) => return r,
    };
    if received.is_empty() {
        return bad(INVALID_FORMAT);
    }
    let v = upload.version;
    // One part without a path is a file; otherwise every part must sit under one common root.
    let single = received.len() == 1 && !received[0].filename.contains('/');
    let root_name = if single {
        None
    } else {
        let roots: Vec<&str> = received
            .iter()
            .map(|r| r.filename.split_once('/').map_or("", |(root, _)| root))
            .collect();
        if roots.iter().any(|r| r.is_empty()) || roots.iter().any(|r| *r != roots[0]) {
            return bad("More than one file and/or directory was provided for pinning.");
        }
        Some(roots[0].to_owned())
    };
    let mut manifest = BTreeMap::new();
    let (cid, dag_size) = if single && !upload.wrap {
        let f = received[0].imported(v);
        (f.cid, f.dag_size)
    } else {
        let mut dir = DirectoryBuilder::new();
        for r in received {
            let path = match (&root_name, upload.wrap) {
                (None, _) => r.filename.clone(),
                (Some(_), true) => r.filename.clone(),
                (Some(_), false) => r
                    .filename
                    .split_once('/')
                    .map_or(String::new(), |(_, rest)| rest.to_owned()),
            };
            if dir.add_file(&path, r.imported(v)).is_err() {
                return bad(INVALID_FORMAT);
            }
            manifest.insert(path, r.imported(v).cid.to_string());
        }
        match dir.finish(v) {
            Ok(d) => (d.cid, d.dag_size),
            Err(e) => return bad(&e.to_string()),
        }
    };
    for r in received {
        if state
            .content
            .commit_file(&r.incoming, &r.imported(v).cid.to_string())
            .is_err()
        {
            return reply::internal("could not store the upload");
        }
    }
    let cid_text = cid.to_string();
    if !manifest.is_empty() {
        state.content.add_folder(&cid_text, manifest);
    }
    let files = received.len() as u64;
    state.content.remember(&cid_text, dag_size, files);
    let default_name = root_name.unwrap_or_else(|| received[0].filename.clone());
    let mime = if single && !upload.wrap {
        mime_of(&received[0].filename)
    } else {
        "directory"
    };
    let (pin, duplicate) = state.pins.add(PinRecord {
        id: new_id(),
        cid: cid_text,
        size: dag_size,
        date_pinned: now,
        date_unpinned: None,
        name: upload.name.or(Some(default_name)),
        keyvalues: upload.keyvalues,
        mime_type: Some(mime.to_owned()),
        number_of_files: files,
        group_id: upload.group_id,
    });
    pin_answer(&pin, duplicate)
}

/// The upload answer: the documented fields, and the ones newer servers add.
fn pin_answer(pin: &PinRecord, duplicate: bool) -> Reply {
    let mut answer = serde_json::json!({
        "ID": pin.id,
        "Name": pin.name,
        "NumberOfFiles": pin.number_of_files,
        "MimeType": pin.mime_type,
        "IpfsHash": pin.cid,
        "PinSize": pin.size,
        "Timestamp": format_iso8601(pin.date_pinned),
    });
    if duplicate {
        answer["isDuplicate"] = Value::Bool(true);
    }
    reply::json(StatusCode::OK, &answer)
}

fn mime_of(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "txt" => "text/plain",
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "js" | "mjs" => "application/javascript",
        "json" => "application/json",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        "pdf" => "application/pdf",
        "mp4" => "video/mp4",
        "md" => "text/markdown",
        _ => "application/octet-stream",
    }
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
    let status = state.pins.queue(job).as_str();
    reply::json(
        StatusCode::OK,
        &serde_json::json!({ "id": id, "ipfsHash": cid, "status": status, "name": name }),
    )
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
    let (count, rows) = state.pins.list_jobs(&f);
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
        "CURRENT_USER_HAS_NOT_PINNED_CID",
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
    let (count, rows) = state.pins.list(&f, &state.user_id);
    let mut answer = serde_json::json!({ "rows": rows });
    if include_count {
        answer["count"] = count.into();
    }
    reply::json(StatusCode::OK, &answer)
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
    reply::json(
        StatusCode::OK,
        &serde_json::json!({
            "pin_count": count,
            "pin_size_total": size,
            "pin_size_with_replications_total": size,
        }),
    )
}

/// `GET /ipfs/{cid}[/path]`: the content the emulator holds, streamed from disk.
pub async fn gateway(state: &State, rest: &str) -> Reply {
    let (cid, path) = rest.split_once('/').unwrap_or((rest, ""));
    let path = percent_decode_path(path);
    match state.content.resolve(cid, &path) {
        Some(crate::content::Resolved::File(file)) => match tokio::fs::File::open(&file).await {
            Ok(f) => {
                let mut r = http::Response::new(crate::reply::file_body(f));
                let mime = if path.is_empty() {
                    "application/octet-stream"
                } else {
                    mime_of(&path)
                };
                if let Ok(v) = http::HeaderValue::from_str(mime) {
                    r.headers_mut().insert(http::header::CONTENT_TYPE, v);
                }
                if let Ok(meta) = std::fs::metadata(&file) {
                    r.headers_mut()
                        .insert(http::header::CONTENT_LENGTH, meta.len().into());
                }
                r
            }
            Err(_) => reply::internal("could not read stored content"),
        },
        Some(crate::content::Resolved::Directory(names)) => reply::with_body(
            StatusCode::OK,
            "text/plain; charset=utf-8",
            (names.join("\n") + "\n").into_bytes(),
        ),
        None => reply::with_body(
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            b"Not found\n".to_vec(),
        ),
    }
}

fn percent_decode_path(path: &str) -> String {
    path.split('/')
        .map(|seg| {
            Query::parse(&format!("k={}", seg.replace('+', "%2B")))
                .pop()
                .map(|(_, v)| v)
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("/")
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
}

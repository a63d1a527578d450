//! The IPFS Pinning Service API at `/psa` (`pinata-v3-api.md` §2): `GET|POST /psa/pins` (list,
//! add) and `GET|POST|DELETE /psa/pins/{requestid}` (get, replace, remove). Mirrors `pinata-core`'s
//! `api::psa`. Bearer (JWT) only, the same keys as everywhere: listing and getting need admin or
//! `org:files:read`, adding, replacing and removing admin or `org:files:write` (emulator's choice:
//! `/psa` has no scope of its own, and a pin request is a pin by CID).
//!
//! A pin request is a pin job in the queue pinByHash and v3 pin by CID share (`new_job`), so held
//! content is pinned after the pin delay and unknown content searched for until the search expiry.
//! What the PSA adds (request id, `created`, origins, meta) is kept in the PSA store
//! (`store/psa.rs`), a side table of at most [`MAX_PSA_REQUESTS`]. A request's status is read from its job each time: `retrieving`,
//! `searching` and `backfilled` are `queued`, `expired` is `failed`; once its job is done, the
//! request is `pinned` while the account pins its CID and `failed` otherwise (content removed, or
//! the finished job dropped from the queue's cap). `info.pinata_pinjob_status` is the job's state
//! (`pinned` once done, `expired` when gone), as Pinata shows it (§2.3). The emulator never reports
//! `pinning`.
//!
//! The two `--psa-mode`s (emulator's choice, [`PsaMode`]): Pinata's (the default) answers an add
//! or a replace 200, a removal 200 `text/plain` `OK`, lists oldest first and only `pinned`
//! requests when the list names no `status`, and a request without a token with the usual
//! missing-credentials answer; the spec's answers 202, 202 with no body, newest first, every
//! status when none is named (the spec gives `status` no default; see `ListFilter::parse`), and
//! 401 `UNAUTHORIZED`. In both, a page is the newest `limit` matches (before
//! `before`, after `after`), so paging by the oldest `created` of each page works in either order
//! (where the real Pinata's does not).
//!
//! Other emulator's choices: errors are `{"error":{"reason":"BAD_REQUEST"|"NOT_FOUND",
//! "details":…}}`; a pin's CID must parse, its origins be distinct multiaddrs, and the whole pin
//! (CID, name, origins, meta) hold at most [`MAX_PSA_PIN_BYTES`] of text; `before`/`after` are
//! UTC (`…Z` or `…+00:00`); removing a request that pinned its CID unpins it unless another request
//! names the same CID (Pinata pins a CID once per account); a full table is 409
//! `PIN_REQUEST_LIMIT_REACHED`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::SystemTime;

use http::StatusCode;
use pinata_core::api::psa::{
    MAX_PSA_CIDS, MAX_PSA_META, MAX_PSA_NAME, MAX_PSA_ORIGINS, MAX_PSA_PAGE,
};
use pinata_core::cid::Cid;
use pinata_core::server::Query;
use pinata_core::time::{format_iso8601, parse_iso8601};
use serde_json::{Map, Value};

use crate::api::pinning::new_job;
use crate::config::PsaMode;
use crate::reply::{self, Reply};
use crate::state::State;
use crate::store::pins::JobState;
use crate::store::psa::{MAX_PSA_PIN_BYTES, MAX_PSA_REQUESTS, PinSpec, PsaRequest, Refused};

/// A page's size when `limit` is not given (the spec's default).
const DEFAULT_PAGE: usize = 10;
/// The emulator's one delegate: a loopback multiaddr with a fixed peer id (the sha2-256
/// multihash of `pinata-emulator psa delegate`, base58btc; no node answers there).
pub(crate) const DELEGATE: &str =
    "/ip4/127.0.0.1/tcp/4001/p2p/QmYHGkmurAbqazUdZDG46LKJDXBdPGQ3i9Sk8yXtkdf4gz";

/// A request's status in the PSA's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Queued,
    Pinning,
    Pinned,
    Failed,
}

impl Status {
    const ALL: [Status; 4] = [
        Status::Queued,
        Status::Pinning,
        Status::Pinned,
        Status::Failed,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Pinning => "pinning",
            Status::Pinned => "pinned",
            Status::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// The status and `pinata_pinjob_status` of a request whose job is in `job` (`None`: done or
/// gone), `pinned` saying whether the account pins its CID.
fn standing(job: Option<JobState>, pinned: bool) -> (Status, &'static str) {
    match job {
        Some(JobState::Expired) => (Status::Failed, JobState::Expired.as_str()),
        Some(state) => (Status::Queued, state.as_str()),
        None if pinned => (Status::Pinned, "pinned"),
        None => (Status::Failed, JobState::Expired.as_str()),
    }
}

fn bad(details: &str) -> Reply {
    reply::reason(
        StatusCode::BAD_REQUEST,
        pinata_core::api::reason::BAD_REQUEST,
        details,
    )
}

fn not_found(id: &str) -> Reply {
    reply::reason(
        StatusCode::NOT_FOUND,
        pinata_core::api::reason::NOT_FOUND,
        &format!("no pin request {}", id.escape_debug()),
    )
}

/// The answer to a `/psa` request with no `Authorization` header.
pub(crate) fn missing_token(mode: PsaMode) -> Reply {
    match mode {
        PsaMode::Pinata => crate::authn::missing_credentials(),
        PsaMode::Spec => reply::reason(
            StatusCode::UNAUTHORIZED,
            pinata_core::api::reason::UNAUTHORIZED,
            "an access token is required (Authorization: Bearer <JWT>)",
        ),
    }
}

/// A `Pin` body: `{cid, name?, origins?, meta?}` (the spec's `Pin`, as pinata-core's `PsaPin`
/// sends it; `meta` values must be strings here, as the spec says).
#[derive(serde::Deserialize)]
struct PinBody {
    #[serde(default)]
    cid: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    origins: Option<Vec<String>>,
    #[serde(default)]
    meta: Option<BTreeMap<String, String>>,
}

fn parse_pin(json: &Value) -> Result<PinSpec, Reply> {
    if !json.is_object() {
        return Err(bad("the body must be a Pin object"));
    }
    let body: PinBody =
        serde_json::from_value(json.clone()).map_err(|e| bad(&format!("not a Pin: {e}")))?;
    let cid = match body.cid {
        Some(c) if c.parse::<Cid>().is_ok() => c,
        Some(_) => return Err(bad("cid is not a valid CID")),
        None => return Err(bad("cid is required")),
    };
    let name = match body.name {
        None => None,
        Some(n) if n.chars().count() <= MAX_PSA_NAME => Some(n),
        Some(_) => {
            return Err(bad(&format!(
                "name must be a string of at most {MAX_PSA_NAME} characters"
            )));
        }
    };
    let list = body.origins.unwrap_or_default();
    if list.len() > MAX_PSA_ORIGINS {
        return Err(bad(&format!(
            "origins must be at most {MAX_PSA_ORIGINS} multiaddrs"
        )));
    }
    let mut origins: Vec<String> = Vec::with_capacity(list.len());
    for origin in list {
        if let Err(e) = pinata_core::api::pinning::validate_multiaddr(&origin) {
            return Err(bad(&e.to_string()));
        }
        if origins.contains(&origin) {
            return Err(bad("origins must be distinct"));
        }
        origins.push(origin);
    }
    let meta = body.meta.unwrap_or_default();
    if meta.len() > MAX_PSA_META {
        return Err(bad(&format!(
            "meta must be an object of at most {MAX_PSA_META} strings"
        )));
    }
    let size = cid.len()
        + name.as_ref().map_or(0, String::len)
        + origins.iter().map(String::len).sum::<usize>()
        + meta.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>();
    if size > MAX_PSA_PIN_BYTES {
        return Err(bad(&format!(
            "a pin holds at most {MAX_PSA_PIN_BYTES} bytes of CID, name, origins and meta"
        )));
    }
    Ok(PinSpec {
        cid,
        name,
        origins,
        meta,
    })
}

fn string_map(m: &Map<String, Value>) -> Option<BTreeMap<String, String>> {
    m.iter()
        .map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
        .collect()
}

/// A `PinStatus`. The emulator's own shape: the core's `PsaPinStatus` and `PsaPinResults` have no
/// constructor outside the core (`#[non_exhaustive]`), and its `PsaPin` leaves empty `origins` and
/// `meta` out, where the emulator sends `[]` and `{}` (the tests hold the two to that).
fn status_json(r: &PsaRequest, status: Status, info: &str) -> Value {
    let mut pin = Map::new();
    pin.insert("cid".into(), Value::String(r.pin.cid.clone()));
    if let Some(name) = &r.pin.name {
        pin.insert("name".into(), Value::String(name.clone()));
    }
    pin.insert("origins".into(), serde_json::json!(r.pin.origins));
    pin.insert("meta".into(), serde_json::json!(r.pin.meta));
    serde_json::json!({
        "requestid": r.id,
        "status": status.as_str(),
        "created": format_iso8601(r.created),
        "pin": pin,
        "delegates": [DELEGATE],
        "info": {"pinata_pinjob_status": info},
    })
}

/// A request's `PinStatus` as it stands now.
fn describe(state: &State, r: &PsaRequest) -> Value {
    let job = state.pins.job_state(&r.job);
    let pinned = job.is_none() && state.pins.pins_cid(&r.pin.cid);
    let (status, info) = standing(job, pinned);
    status_json(r, status, info)
}

/// The status an add or a replace answers with.
fn accepted(mode: PsaMode) -> StatusCode {
    match mode {
        PsaMode::Pinata => StatusCode::OK,
        PsaMode::Spec => StatusCode::ACCEPTED,
    }
}

/// Queues a job for `pin` and records the request (in place of `replacing`); on refusal the job
/// is taken back.
fn enqueue(
    state: &State,
    pin: PinSpec,
    now: SystemTime,
    replacing: Option<&str>,
) -> Result<PsaRequest, Reply> {
    let keyvalues: Map<String, Value> = pin
        .meta
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    let job = new_job(
        state,
        &pin.cid,
        pin.name.clone(),
        keyvalues,
        pin.origins.clone(),
        None,
        now,
    );
    let job_id = job.id.clone();
    let request_id = crate::ids::uuid_v4().unwrap_or_default();
    if job_id.is_empty() || request_id.is_empty() {
        return Err(reply::internal("no randomness for an id"));
    }
    state.pins.queue(job);
    match state
        .psa
        .insert(request_id, job_id.clone(), pin, now, replacing)
    {
        Ok((request, old)) => {
            if let Some(old) = old {
                retire(state, &old, now);
            }
            Ok(request)
        }
        Err(refused) => {
            state.pins.cancel(&job_id);
            Err(match refused {
                Refused::Missing => not_found(replacing.unwrap_or_default()),
                Refused::Full => reply::reason(
                    StatusCode::CONFLICT,
                    pinata_core::api::reason::PIN_REQUEST_LIMIT_REACHED,
                    &format!("at most {MAX_PSA_REQUESTS} pin requests are kept; remove some"),
                ),
            })
        }
    }
}

/// What removing `old` undoes: its job if still queued, else its pin, unless another request
/// names the same CID.
fn retire(state: &State, old: &PsaRequest, now: SystemTime) {
    if !state.pins.cancel(&old.job) && !state.psa.names_cid(&old.pin.cid) {
        state.pins.unpin(&old.pin.cid, now);
    }
}

/// `POST /psa/pins` with a `Pin`.
pub(crate) fn add(state: &State, json: &Value, now: SystemTime) -> Reply {
    let pin = match parse_pin(json) {
        Ok(p) => p,
        Err(r) => return r,
    };
    match enqueue(state, pin, now, None) {
        Ok(request) => reply::json(accepted(state.psa_mode), &describe(state, &request)),
        Err(r) => r,
    }
}

/// `GET /psa/pins/{requestid}`.
pub(crate) fn get(state: &State, id: &str) -> Reply {
    match state.psa.get(id) {
        Some(request) => reply::json(StatusCode::OK, &describe(state, &request)),
        None => not_found(id),
    }
}

/// `POST /psa/pins/{requestid}` with a `Pin`: a new request (new id, new `created`) in place of
/// the old one, which is gone (404) from then on.
pub(crate) fn replace(state: &State, id: &str, json: &Value, now: SystemTime) -> Reply {
    let pin = match parse_pin(json) {
        Ok(p) => p,
        Err(r) => return r,
    };
    if state.psa.get(id).is_none() {
        return not_found(id);
    }
    match enqueue(state, pin, now, Some(id)) {
        Ok(request) => reply::json(accepted(state.psa_mode), &describe(state, &request)),
        Err(r) => r,
    }
}

/// `DELETE /psa/pins/{requestid}`.
pub(crate) fn remove(state: &State, id: &str, now: SystemTime) -> Reply {
    let Some(old) = state.psa.remove(id) else {
        return not_found(id);
    };
    retire(state, &old, now);
    match state.psa_mode {
        PsaMode::Pinata => reply::ok_text(),
        PsaMode::Spec => reply::empty(StatusCode::ACCEPTED),
    }
}

/// How a name filter matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameMatch {
    Exact,
    IExact,
    Partial,
    IPartial,
}

/// The list's query.
#[derive(Debug)]
struct ListFilter {
    cids: Option<HashSet<String>>,
    name: Option<String>,
    how: NameMatch,
    statuses: Vec<Status>,
    before: Option<SystemTime>,
    after: Option<SystemTime>,
    limit: usize,
    meta: BTreeMap<String, String>,
}

/// An RFC 3339 time in UTC: `…Z` as the API writes it, or `…+00:00` (whose `+` may have arrived
/// as a space).
fn parse_time(text: &str) -> Option<SystemTime> {
    let utc = text
        .strip_suffix("+00:00")
        .or_else(|| text.strip_suffix(" 00:00"))
        .map(|t| format!("{t}Z"));
    parse_iso8601(utc.as_deref().unwrap_or(text))
}

impl ListFilter {
    /// The list's query as `mode` reads it. Without `status`, the statuses listed depend on the
    /// mode (emulator's choice, following each side):
    ///
    /// - [`PsaMode::Spec`]: every status. The spec (v1.0.0, `components.parameters.status`) gives
    ///   `status` no default, and says a list without filters returns "the 10 most recently
    ///   created items"; the compliance suite's `matchPin` lists by `name` alone and expects the
    ///   request it just added, which is `queued`.
    /// - [`PsaMode::Pinata`]: `pinned` only, as Pinata answers (`pinata-v3-api.md` §2.1 and §2.3:
    ///   the suite's name matching fails against it for this reason).
    ///
    /// Kubo sends `status` on every `ipfs pin remote ls` (`pinned` unless told), so it sees the
    /// same in both modes.
    fn parse(query: &str, mode: PsaMode) -> Result<Self, String> {
        let mut f = ListFilter {
            cids: None,
            name: None,
            how: NameMatch::Exact,
            statuses: match mode {
                PsaMode::Spec => Status::ALL.to_vec(),
                PsaMode::Pinata => vec![Status::Pinned],
            },
            before: None,
            after: None,
            limit: DEFAULT_PAGE,
            meta: BTreeMap::new(),
        };
        for (key, value) in Query::parse(query) {
            match key.as_str() {
                "cid" => {
                    let cids: HashSet<String> = value.split(',').map(str::to_owned).collect();
                    let count = value.split(',').count();
                    if value.is_empty() || count > MAX_PSA_CIDS || cids.contains("") {
                        return Err(format!("cid must be 1 to {MAX_PSA_CIDS} CIDs"));
                    }
                    f.cids = Some(cids);
                }
                "name" => {
                    if value.chars().count() > MAX_PSA_NAME {
                        return Err(format!("name has at most {MAX_PSA_NAME} characters"));
                    }
                    f.name = Some(value);
                }
                "match" => {
                    f.how = match value.as_str() {
                        "exact" => NameMatch::Exact,
                        "iexact" => NameMatch::IExact,
                        "partial" => NameMatch::Partial,
                        "ipartial" => NameMatch::IPartial,
                        _ => return Err("match must be exact, iexact, partial or ipartial".into()),
                    }
                }
                "status" => {
                    let mut statuses = Vec::new();
                    for s in value.split(',') {
                        let s = Status::parse(s).ok_or_else(|| {
                            "status must be queued, pinning, pinned or failed".to_owned()
                        })?;
                        if !statuses.contains(&s) {
                            statuses.push(s);
                        }
                    }
                    f.statuses = statuses;
                }
                "before" | "after" => {
                    let t = parse_time(&value)
                        .ok_or_else(|| format!("{key} must be an RFC 3339 UTC timestamp"))?;
                    if key == "before" {
                        f.before = Some(t);
                    } else {
                        f.after = Some(t);
                    }
                }
                "limit" => match value.parse::<usize>() {
                    Ok(n) if (1..=MAX_PSA_PAGE as usize).contains(&n) => f.limit = n,
                    _ => return Err(format!("limit must be 1 to {MAX_PSA_PAGE}")),
                },
                "meta" => {
                    let meta = match serde_json::from_str::<Value>(&value) {
                        Ok(Value::Object(m)) if m.len() <= MAX_PSA_META => string_map(&m),
                        _ => None,
                    };
                    f.meta = meta.ok_or_else(|| {
                        "meta must be a JSON object of strings (URL-encoded)".to_owned()
                    })?;
                }
                // Other parameters are ignored, as Express does.
                _ => {}
            }
        }
        Ok(f)
    }

    fn name_matches(&self, name: Option<&str>) -> bool {
        let Some(wanted) = &self.name else {
            return true;
        };
        let Some(name) = name else {
            return false;
        };
        match self.how {
            NameMatch::Exact => name == wanted,
            NameMatch::IExact => name.to_lowercase() == wanted.to_lowercase(),
            NameMatch::Partial => name.contains(wanted.as_str()),
            NameMatch::IPartial => name.to_lowercase().contains(&wanted.to_lowercase()),
        }
    }

    fn keeps(&self, r: &PsaRequest, status: Status) -> bool {
        self.statuses.contains(&status)
            && self.cids.as_ref().is_none_or(|c| c.contains(&r.pin.cid))
            && self.name_matches(r.pin.name.as_deref())
            && self.before.is_none_or(|t| r.created < t)
            && self.after.is_none_or(|t| r.created > t)
            && self.meta.iter().all(|(k, v)| r.pin.meta.get(k) == Some(v))
    }
}

/// `GET /psa/pins?cid&name&match&status&before&after&limit&meta`: `{count, results}`, the page
/// being the newest `limit` matches, newest first (spec) or oldest first (Pinata).
pub(crate) fn list(state: &State, query: &str) -> Reply {
    let filter = match ListFilter::parse(query, state.psa_mode) {
        Ok(f) => f,
        Err(details) => return bad(&details),
    };
    // Read the pin store first, then this table: the two locks are never held together.
    let jobs: HashMap<String, JobState> = state.pins.job_states();
    let pinned: HashSet<String> = state.pins.pinned_cids();
    let (count, mut results) = state.psa.with_requests(|requests| {
        let matching: Vec<(&PsaRequest, Status, &'static str)> = requests
            .iter()
            .filter_map(|r| {
                let job = jobs.get(&r.job).copied();
                let (status, info) = standing(job, job.is_none() && pinned.contains(&r.pin.cid));
                filter.keeps(r, status).then_some((r, status, info))
            })
            .collect();
        let start = matching.len().saturating_sub(filter.limit);
        let results: Vec<Value> = matching[start..]
            .iter()
            .map(|(r, status, info)| status_json(r, *status, info))
            .collect();
        (matching.len(), results)
    });
    if state.psa_mode == PsaMode::Spec {
        results.reverse();
    }
    reply::json(
        StatusCode::OK,
        &serde_json::json!({"count": count, "results": results}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_states_map_onto_psa_statuses() {
        assert_eq!(
            standing(Some(JobState::Retrieving), false),
            (Status::Queued, "retrieving")
        );
        assert_eq!(
            standing(Some(JobState::Searching), false),
            (Status::Queued, "searching")
        );
        assert_eq!(
            standing(Some(JobState::Backfilled), false),
            (Status::Queued, "backfilled")
        );
        assert_eq!(
            standing(Some(JobState::Expired), false),
            (Status::Failed, "expired")
        );
        assert_eq!(standing(None, true), (Status::Pinned, "pinned"));
        assert_eq!(standing(None, false), (Status::Failed, "expired"));
    }

    #[test]
    fn list_parameters_are_range_checked() {
        let ok = |q: &str| ListFilter::parse(q, PsaMode::Spec).is_ok();
        assert!(ok(""));
        let f = ListFilter::parse("", PsaMode::Pinata).ok().unwrap();
        assert_eq!((f.limit, f.statuses.clone()), (10, vec![Status::Pinned]));
        // Without `status`: every status as the spec reads it, pinned ones as Pinata answers.
        let f = ListFilter::parse("name=n", PsaMode::Spec).ok().unwrap();
        assert_eq!(f.statuses, Status::ALL);
        let f = ListFilter::parse("status=queued", PsaMode::Spec)
            .ok()
            .unwrap();
        assert_eq!(f.statuses, [Status::Queued]);
        assert!(ok("limit=1") && ok("limit=1000"));
        assert!(!ok("limit=0") && !ok("limit=1001") && !ok("limit=x"));
        assert!(ok("cid=a,b") && !ok("cid=") && !ok("cid=a,,b"));
        assert!(ok(&format!("cid={}", ["c"; 10].join(","))));
        assert!(!ok(&format!("cid={}", ["c"; 11].join(","))));
        assert!(ok("status=queued,pinning,pinned,failed") && !ok("status=done"));
        assert!(!ok("status="));
        assert!(ok("match=ipartial") && !ok("match=fuzzy"));
        assert!(ok(&format!("name={}", "n".repeat(255))));
        assert!(!ok(&format!("name={}", "n".repeat(256))));
        assert!(ok("before=2024-01-02T03:04:05.678Z") && ok("after=2024-01-02T03:04:05Z"));
        assert!(ok("before=2024-01-02T03:04:05%2B00:00"));
        assert!(!ok("before=yesterday") && !ok("after=2024-01-02"));
        assert!(ok("meta=%7B%22a%22%3A%22b%22%7D"));
        assert!(!ok("meta=%7B%22a%22%3A1%7D") && !ok("meta=%5B%5D") && !ok("meta=x"));
    }

    #[test]
    fn pins_are_validated() {
        let parse = |v: Value| parse_pin(&v).map_err(|r| r.status());
        let cid = "QmYHGkmurAbqazUdZDG46LKJDXBdPGQ3i9Sk8yXtkdf4gz";
        assert!(parse(serde_json::json!({"cid": cid})).is_ok());
        assert!(parse(serde_json::json!({"cid": cid, "name": null, "origins": null})).is_ok());
        for bad in [
            serde_json::json!([]),
            serde_json::json!({}),
            serde_json::json!({"cid": "not a cid"}),
            serde_json::json!({"cid": cid, "name": "n".repeat(256)}),
            serde_json::json!({"cid": cid, "origins": ["nope"]}),
            serde_json::json!({"cid": cid, "origins": ["/ip4/1.2.3.4", "/ip4/1.2.3.4"]}),
            serde_json::json!({"cid": cid, "origins": vec!["/ip4/1.2.3.4"; 21]}),
            serde_json::json!({"cid": cid, "meta": {"k": 1}}),
            serde_json::json!({"cid": cid, "meta": {"k": "v".repeat(MAX_PSA_PIN_BYTES)}}),
        ] {
            assert_eq!(
                parse(bad.clone()).err(),
                Some(StatusCode::BAD_REQUEST),
                "{bad}"
            );
        }
        // The delegate's peer id is a real multihash.
        let peer = DELEGATE.rsplit('/').next().unwrap_or_default();
        assert!(peer.parse::<Cid>().is_ok());
    }

    #[test]
    fn pin_statuses_are_the_core_s_shapes_but_for_empty_origins_and_meta() {
        use pinata_core::api::psa::{PsaPinResults, PsaPinStatus};
        let through = |ours: &Value| {
            let theirs: PsaPinStatus = serde_json::from_value(ours.clone()).unwrap();
            serde_json::to_value(theirs).unwrap()
        };
        let mut request = PsaRequest {
            id: "r1".into(),
            job: "j1".into(),
            created: std::time::UNIX_EPOCH + std::time::Duration::from_millis(1_720_740_807_665),
            pin: PinSpec {
                cid: "bafkqaaa".into(),
                name: Some("n".into()),
                origins: vec!["/ip4/127.0.0.1/tcp/4001".into()],
                meta: BTreeMap::from([("k".to_owned(), "v".to_owned())]),
            },
        };
        let full = status_json(&request, Status::Queued, "searching");
        assert_eq!(through(&full), full);
        let page = serde_json::json!({"count": 1, "results": [full]});
        let theirs: PsaPinResults = serde_json::from_value(page.clone()).unwrap();
        assert_eq!(serde_json::to_value(theirs).unwrap(), page);
        // The core leaves empty origins and meta out; the emulator sends `[]` and `{}`.
        request.pin.origins.clear();
        request.pin.meta.clear();
        let empty = status_json(&request, Status::Pinned, "pinned");
        let mut ours = empty.clone();
        let pin = ours["pin"].as_object_mut().unwrap();
        assert_eq!(pin.remove("origins"), Some(serde_json::json!([])));
        assert_eq!(pin.remove("meta"), Some(serde_json::json!({})));
        assert_eq!(through(&empty), ours);
    }
}

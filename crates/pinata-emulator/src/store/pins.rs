//! The account's pins and pin-by-hash jobs, and the pinList / pinJobs query semantics.
//!
//! Bounded: at most [`MAX_JOBS`] jobs (the oldest finished ones dropped first), of which
//! [`MAX_ACTIVE_JOBS`] are worked on and the rest backfilled.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use pinata_core::api::pinning::KeyValueOp;
use pinata_core::time::parse_iso8601;
use serde_json::{Map, Value};

use crate::db::{Persist, Table};

/// One pin (a row of `pinList`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PinRecord {
    /// Row id.
    pub id: String,
    /// The CID.
    pub cid: String,
    /// DAG size.
    pub size: u64,
    /// When pinned.
    pub date_pinned: SystemTime,
    /// When unpinned.
    pub date_unpinned: Option<SystemTime>,
    /// Name.
    pub name: Option<String>,
    /// Key-values.
    pub keyvalues: Map<String, Value>,
    /// MIME type.
    pub mime_type: Option<String>,
    /// Files in the pin.
    pub number_of_files: u64,
    /// Group.
    pub group_id: Option<String>,
}

impl PinRecord {
    fn active(&self) -> bool {
        self.date_unpinned.is_none()
    }
}

/// Where a pin-by-hash job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum JobState {
    /// The content is held: it will be pinned at `ready_at`.
    Retrieving,
    /// Not found (yet); expires at `ends_at`.
    Searching,
    /// Not found in time.
    Expired,
    /// Queued beyond the account's 250 active jobs: never processed.
    Backfilled,
}

impl JobState {
    /// The wire name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            JobState::Retrieving => "retrieving",
            JobState::Searching => "searching",
            JobState::Expired => "expired",
            JobState::Backfilled => "backfilled",
        }
    }
}

/// A pin-by-hash job.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct JobRecord {
    /// Job id.
    pub id: String,
    /// The CID.
    pub cid: String,
    /// Pin name.
    pub name: Option<String>,
    /// Key-values for the pin.
    pub keyvalues: Map<String, Value>,
    /// Host nodes given.
    pub host_nodes: Vec<String>,
    /// Group.
    pub group_id: Option<String>,
    /// When queued.
    pub date_queued: SystemTime,
    /// State.
    pub state: JobState,
    /// When the state changes next (pinned, or expired).
    pub next_change: SystemTime,
}

#[derive(Debug, Default)]
struct Inner {
    pins: Vec<PinRecord>,
    jobs: Vec<JobRecord>,
}

/// Pins and jobs, behind one lock.
#[derive(Debug, Default)]
pub struct PinStore {
    inner: Mutex<Inner>,
    db: Persist,
}

/// What a pin-by-hash job becomes when it completes: facts about the held content.
pub struct Held {
    /// DAG size.
    pub size: u64,
    /// Files.
    pub files: u64,
}

impl PinStore {
    /// Reads the pins and jobs `db` keeps and writes every change there from now on.
    pub(crate) fn restore(&mut self, db: Persist) -> std::io::Result<()> {
        let inner = self.inner.get_mut().unwrap_or_else(PoisonError::into_inner);
        inner.pins = db.load(Table::Pins)?.into_iter().map(|(_, p)| p).collect();
        inner.jobs = db.load(Table::Jobs)?.into_iter().map(|(_, j)| j).collect();
        self.db = db;
        Ok(())
    }

    fn save_pin(&self, pin: &PinRecord) {
        self.db.put(Table::Pins, &pin.id, pin);
    }

    fn save_job(&self, job: &JobRecord) {
        self.db.put(Table::Jobs, &job.id, job);
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Each update is a push or a few field writes; a poisoned lock still guards whole records.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Forgets every pin and job (a reset).
    pub(crate) fn clear(&self) {
        let mut inner = self.lock();
        inner.pins.clear();
        inner.jobs.clear();
        self.db.clear(Table::Pins);
        self.db.clear(Table::Jobs);
    }

    /// Adds `pin`, unless the account already pins its CID: then the existing pin and `true`.
    pub fn add(&self, pin: PinRecord) -> (PinRecord, bool) {
        let mut inner = self.lock();
        if let Some(existing) = inner.pins.iter().find(|p| p.active() && p.cid == pin.cid) {
            return (existing.clone(), true);
        }
        self.save_pin(&pin);
        inner.pins.push(pin.clone());
        (pin, false)
    }

    /// Whether the account pins `cid` (an active pin).
    pub fn pins_cid(&self, cid: &str) -> bool {
        self.lock().pins.iter().any(|p| p.active() && p.cid == cid)
    }

    /// The account's active pin of `cid` (it pins a CID at most once).
    pub(crate) fn active_pin(&self, cid: &str) -> Option<PinRecord> {
        self.lock()
            .pins
            .iter()
            .find(|p| p.active() && p.cid == cid)
            .cloned()
    }

    /// Marks the active pin of `cid` unpinned; `false` if there is none.
    pub fn unpin(&self, cid: &str, now: SystemTime) -> bool {
        let mut inner = self.lock();
        match inner.pins.iter_mut().find(|p| p.active() && p.cid == cid) {
            Some(p) => {
                p.date_unpinned = Some(now);
                self.save_pin(p);
                true
            }
            None => false,
        }
    }

    /// Renames and merges key-values of the active pin of `cid` (`null` deletes a key). `Err` with
    /// a message when the result would have more than `max` key-values; `Ok(false)` if not pinned.
    pub fn update_metadata(
        &self,
        cid: &str,
        name: Option<String>,
        keyvalues: Option<&Map<String, Value>>,
        max: usize,
    ) -> Result<bool, String> {
        let mut inner = self.lock();
        let Some(pin) = inner.pins.iter_mut().find(|p| p.active() && p.cid == cid) else {
            return Ok(false);
        };
        let mut merged = pin.keyvalues.clone();
        for (k, v) in keyvalues.into_iter().flatten() {
            if v.is_null() {
                merged.remove(k);
            } else {
                merged.insert(k.clone(), v.clone());
            }
        }
        if merged.len() > max {
            return Err(format!("a pin may carry at most {max} keyvalues"));
        }
        pin.keyvalues = merged;
        if name.is_some() {
            pin.name = name;
        }
        self.save_pin(pin);
        Ok(true)
    }

    /// Active pins: count and total size.
    pub fn totals(&self) -> (u64, u64) {
        let inner = self.lock();
        inner
            .pins
            .iter()
            .filter(|p| p.active())
            .fold((0, 0), |(n, s), p| (n + 1, s + p.size))
    }

    /// Queues a job; beyond [`MAX_ACTIVE_JOBS`] active ones it is `backfilled` instead. Returns its
    /// state.
    pub fn queue(&self, mut job: JobRecord) -> JobState {
        let mut inner = self.lock();
        let active = inner
            .jobs
            .iter()
            .filter(|j| matches!(j.state, JobState::Retrieving | JobState::Searching))
            .count();
        if active >= MAX_ACTIVE_JOBS {
            job.state = JobState::Backfilled;
        }
        // At most MAX_JOBS kept: the oldest finished one goes first (at most MAX_ACTIVE_JOBS are
        // active, so there always is one).
        if inner.jobs.len() >= MAX_JOBS
            && let Some(oldest) = inner
                .jobs
                .iter()
                .position(|j| matches!(j.state, JobState::Expired | JobState::Backfilled))
        {
            let dropped = inner.jobs.remove(oldest);
            self.db.delete(Table::Jobs, &dropped.id);
        }
        let state = job.state;
        self.save_job(&job);
        inner.jobs.push(job);
        state
    }

    /// Puts the account's active pins of `cids` in `group` (or, with `None`, takes those in `from`
    /// out of it). Returns how many pins changed.
    pub fn regroup(&self, cids: &[String], group: Option<&str>, from: Option<&str>) -> usize {
        // A set, so the work is linear in pins plus CIDs.
        let cids: std::collections::HashSet<&str> = cids.iter().map(String::as_str).collect();
        let mut inner = self.lock();
        let mut changed = 0;
        for pin in inner.pins.iter_mut() {
            if !pin.active() || !cids.contains(pin.cid.as_str()) {
                continue;
            }
            if group.is_none() && pin.group_id.as_deref() != from {
                continue;
            }
            pin.group_id = group.map(str::to_owned);
            self.save_pin(pin);
            changed += 1;
        }
        changed
    }

    /// Takes every pin out of the group `id` (it was deleted).
    pub fn ungroup(&self, id: &str) {
        for pin in self.lock().pins.iter_mut() {
            if pin.group_id.as_deref() == Some(id) {
                pin.group_id = None;
                self.save_pin(pin);
            }
        }
    }

    /// Removes the job `id` (a cancelled pin request); `false` if there is none.
    pub fn cancel(&self, id: &str) -> bool {
        let mut inner = self.lock();
        let before = inner.jobs.len();
        inner.jobs.retain(|j| j.id != id);
        self.db.delete(Table::Jobs, id);
        inner.jobs.len() != before
    }

    /// The state of the job `id`, if it is still kept.
    pub(crate) fn job_state(&self, id: &str) -> Option<JobState> {
        self.lock()
            .jobs
            .iter()
            .find(|j| j.id == id)
            .map(|j| j.state)
    }

    /// Every job's state, by id (for `/psa`, which reads many at once).
    pub(crate) fn job_states(&self) -> std::collections::HashMap<String, JobState> {
        let inner = self.lock();
        inner.jobs.iter().map(|j| (j.id.clone(), j.state)).collect()
    }

    /// The CIDs the account pins (active pins).
    pub(crate) fn pinned_cids(&self) -> std::collections::HashSet<String> {
        let inner = self.lock();
        inner
            .pins
            .iter()
            .filter(|p| p.active())
            .map(|p| p.cid.clone())
            .collect()
    }

    /// Moves jobs along at `now`: held content is pinned once its delay passed; unfound content
    /// expires. `held` says whether a CID's content is in the store.
    pub fn advance(
        &self,
        now: SystemTime,
        new_id: impl Fn() -> String,
        held: impl Fn(&str) -> Option<Held>,
    ) {
        let mut inner = self.lock();
        let mut done = Vec::new();
        for (i, job) in inner.jobs.iter_mut().enumerate() {
            if now < job.next_change {
                continue;
            }
            match job.state {
                JobState::Retrieving => done.push(i),
                JobState::Searching => {
                    // Content that arrived meanwhile is found; otherwise the job expires.
                    if held(&job.cid).is_some() {
                        job.state = JobState::Retrieving;
                        done.push(i);
                    } else {
                        job.state = JobState::Expired;
                        self.save_job(job);
                    }
                }
                JobState::Expired | JobState::Backfilled => {}
            }
        }
        for i in done.into_iter().rev() {
            let job = inner.jobs.remove(i);
            self.db.delete(Table::Jobs, &job.id);
            let Some(h) = held(&job.cid) else { continue };
            if inner.pins.iter().any(|p| p.active() && p.cid == job.cid) {
                continue;
            }
            let pin = PinRecord {
                id: new_id(),
                cid: job.cid.clone(),
                size: h.size,
                date_pinned: job.next_change,
                date_unpinned: None,
                name: job.name,
                keyvalues: job.keyvalues,
                mime_type: None,
                number_of_files: h.files,
                group_id: job.group_id,
            };
            self.save_pin(&pin);
            inner.pins.push(pin);
        }
    }

    /// Pins matching `filter`, newest first: (count, the page).
    pub fn list(&self, filter: &PinFilter) -> (usize, Vec<PinRecord>) {
        let inner = self.lock();
        let mut matching: Vec<&PinRecord> = inner.pins.iter().filter(|p| filter.keeps(p)).collect();
        matching.sort_by_key(|p| std::cmp::Reverse(p.date_pinned));
        let page = matching
            .iter()
            .skip(filter.offset)
            .take(filter.limit)
            .map(|p| (*p).clone())
            .collect();
        (matching.len(), page)
    }

    /// Jobs matching the filter: (count, the page).
    pub fn list_jobs(&self, filter: &JobFilter) -> (usize, Vec<JobRecord>) {
        let inner = self.lock();
        let mut matching: Vec<&JobRecord> = inner
            .jobs
            .iter()
            .filter(|j| {
                filter
                    .status
                    .as_deref()
                    .is_none_or(|s| j.state.as_str() == s)
            })
            .filter(|j| filter.cid.as_deref().is_none_or(|c| j.cid == c))
            .collect();
        matching.sort_by_key(|j| j.date_queued);
        if !filter.ascending {
            matching.reverse();
        }
        let page = matching
            .iter()
            .skip(filter.offset)
            .take(filter.limit)
            .map(|j| (*j).clone())
            .collect();
        (matching.len(), page)
    }
}

/// The pinJobs query.
#[derive(Debug, Clone)]
pub struct JobFilter {
    /// `sort=ASC` (default `DESC`: newest first).
    pub ascending: bool,
    /// `status`.
    pub status: Option<String>,
    /// `ipfs_pin_hash`.
    pub cid: Option<String>,
    /// `limit` (default 5).
    pub limit: usize,
    /// `offset`.
    pub offset: usize,
}

/// One `metadata[keyvalues]` condition.
#[derive(Debug, Clone)]
pub struct KeyValueCondition {
    /// The key.
    pub key: String,
    /// The operator.
    pub op: KeyValueOp,
    /// The value.
    pub value: Value,
    /// The second value of `between`/`notBetween`.
    pub second: Option<Value>,
    /// The compiled pattern of `regexp`/`iRegexp`/`like` forms.
    pub pattern: Option<regex::Regex>,
}

/// The pinList query (`pinata-api.md` §3.7).
#[derive(Debug, Clone, Default)]
pub struct PinFilter {
    /// `cid` (exact).
    pub cid: Option<String>,
    /// `hashContains`.
    pub hash_contains: Option<String>,
    /// `pinStart`.
    pub pin_start: Option<SystemTime>,
    /// `pinEnd`.
    pub pin_end: Option<SystemTime>,
    /// `unpinStart`.
    pub unpin_start: Option<SystemTime>,
    /// `unpinEnd`.
    pub unpin_end: Option<SystemTime>,
    /// `pinSizeMin`.
    pub size_min: Option<u64>,
    /// `pinSizeMax`.
    pub size_max: Option<u64>,
    /// `status`: `Some(true)` pinned, `Some(false)` unpinned.
    pub pinned: Option<bool>,
    /// `metadata[name]` (case-insensitive substring).
    pub name: Option<String>,
    /// `metadata[keyvalues]`.
    pub keyvalues: Vec<KeyValueCondition>,
    /// `groupId`.
    pub group_id: Option<String>,
    /// `pageLimit`.
    pub limit: usize,
    /// `pageOffset`.
    pub offset: usize,
}

impl PinFilter {
    fn keeps(&self, p: &PinRecord) -> bool {
        self.cid.as_deref().is_none_or(|c| p.cid == c)
            && self
                .hash_contains
                .as_deref()
                .is_none_or(|c| p.cid.contains(c))
            && self.pin_start.is_none_or(|t| p.date_pinned >= t)
            && self.pin_end.is_none_or(|t| p.date_pinned <= t)
            && self
                .unpin_start
                .is_none_or(|t| p.date_unpinned.is_some_and(|u| u >= t))
            && self
                .unpin_end
                .is_none_or(|t| p.date_unpinned.is_some_and(|u| u <= t))
            && self.size_min.is_none_or(|s| p.size >= s)
            && self.size_max.is_none_or(|s| p.size <= s)
            && self.pinned.is_none_or(|pinned| p.active() == pinned)
            && self.name.as_deref().is_none_or(|n| {
                p.name
                    .as_deref()
                    .is_some_and(|name| name.to_lowercase().contains(&n.to_lowercase()))
            })
            && self
                .group_id
                .as_deref()
                .is_none_or(|g| p.group_id.as_deref() == Some(g))
            && self
                .keyvalues
                .iter()
                .all(|c| c.holds(p.keyvalues.get(&c.key)))
    }
}

/// Orders two metadata values: numerically when both are numbers (or numeric text), as ISO dates
/// when both are dates, else as text.
fn compare(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    let num = |v: &Value| {
        v.as_f64()
            .or_else(|| v.as_str().and_then(|s| s.parse::<f64>().ok()))
    };
    if let (Some(x), Some(y)) = (num(a), num(b)) {
        return x.partial_cmp(&y);
    }
    let text = |v: &Value| {
        v.as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| v.to_string())
    };
    let (x, y) = (text(a), text(b));
    if let (Some(dx), Some(dy)) = (parse_iso8601(&x), parse_iso8601(&y)) {
        return Some(dx.cmp(&dy));
    }
    Some(x.cmp(&y))
}

impl KeyValueCondition {
    /// Compiles the pattern an operator needs (SQL `LIKE` becomes an anchored regex).
    pub fn new(
        key: String,
        op: KeyValueOp,
        value: Value,
        second: Option<Value>,
    ) -> Result<Self, String> {
        let text = value
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| value.to_string());
        let pattern = match op {
            KeyValueOp::Like | KeyValueOp::NotLike | KeyValueOp::ILike | KeyValueOp::NotILike => {
                let mut re = String::from("^");
                for c in text.chars() {
                    match c {
                        '%' => re.push_str(".*"),
                        '_' => re.push('.'),
                        c => re.push_str(&regex::escape(&c.to_string())),
                    }
                }
                re.push('$');
                let insensitive = matches!(op, KeyValueOp::ILike | KeyValueOp::NotILike);
                Some(build(&re, insensitive)?)
            }
            KeyValueOp::Regexp => Some(build(&text, false)?),
            KeyValueOp::IRegexp => Some(build(&text, true)?),
            _ => None,
        };
        if op.is_range() && second.is_none() {
            return Err(format!("{} needs a secondValue", op.as_str()));
        }
        Ok(Self {
            key,
            op,
            value,
            second,
            pattern,
        })
    }

    fn holds(&self, actual: Option<&Value>) -> bool {
        let Some(actual) = actual else {
            return false;
        };
        use std::cmp::Ordering::*;
        let cmp = |v: &Value| compare(actual, v);
        let text = actual
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| actual.to_string());
        let matches = || self.pattern.as_ref().is_some_and(|p| p.is_match(&text));
        match self.op {
            KeyValueOp::Gt => cmp(&self.value) == Some(Greater),
            KeyValueOp::Gte => matches!(cmp(&self.value), Some(Greater | Equal)),
            KeyValueOp::Lt => cmp(&self.value) == Some(Less),
            KeyValueOp::Lte => matches!(cmp(&self.value), Some(Less | Equal)),
            KeyValueOp::Eq => cmp(&self.value) == Some(Equal),
            KeyValueOp::Ne => cmp(&self.value) != Some(Equal),
            KeyValueOp::Between | KeyValueOp::NotBetween => {
                let inside = self.second.as_ref().is_some_and(|hi| {
                    matches!(cmp(&self.value), Some(Greater | Equal))
                        && matches!(cmp(hi), Some(Less | Equal))
                });
                inside == (self.op == KeyValueOp::Between)
            }
            KeyValueOp::Like | KeyValueOp::ILike | KeyValueOp::Regexp | KeyValueOp::IRegexp => {
                matches()
            }
            KeyValueOp::NotLike | KeyValueOp::NotILike => !matches(),
            _ => false,
        }
    }
}

fn build(pattern: &str, insensitive: bool) -> Result<regex::Regex, String> {
    regex::RegexBuilder::new(pattern)
        .case_insensitive(insensitive)
        .size_limit(1 << 20)
        .build()
        .map_err(|_| "Invalid JSON provided".to_owned())
}

/// Active pin-by-hash jobs an account may have; more are `backfilled` (`pinata-api.md` §3.3).
pub const MAX_ACTIVE_JOBS: usize = 250;

/// Jobs kept at most, finished ones included (emulator's choice: each is kept in memory).
pub const MAX_JOBS: usize = 10_000;

/// A small, fixed delay before held content is pinned by hash.
pub const DEFAULT_PIN_DELAY: Duration = Duration::from_secs(2);
/// How long a job searches for content the emulator does not hold.
pub const DEFAULT_SEARCH_EXPIRY: Duration = Duration::from_secs(60);

#[cfg(test)]
mod tests {
    use super::*;

    fn job(n: usize) -> JobRecord {
        JobRecord {
            id: n.to_string(),
            cid: format!("cid{n}"),
            name: None,
            keyvalues: Map::new(),
            host_nodes: Vec::new(),
            group_id: None,
            date_queued: SystemTime::now(),
            state: JobState::Searching,
            next_change: SystemTime::now() + Duration::from_secs(60),
        }
    }

    #[test]
    fn the_queue_backfills_past_its_cap() {
        let store = PinStore::default();
        for n in 0..MAX_ACTIVE_JOBS {
            assert_eq!(store.queue(job(n)), JobState::Searching);
        }
        assert_eq!(store.queue(job(MAX_ACTIVE_JOBS)), JobState::Backfilled);
    }

    #[test]
    fn the_queue_keeps_at_most_max_jobs_dropping_the_oldest_finished() {
        let store = PinStore::default();
        for n in 0..MAX_JOBS + 500 {
            store.queue(job(n));
        }
        let filter = JobFilter {
            ascending: true,
            status: None,
            cid: None,
            limit: 1,
            offset: 0,
        };
        let (count, oldest) = store.list_jobs(&filter);
        assert_eq!(count, MAX_JOBS);
        // The 250 active ones stay; the oldest backfilled ones went.
        assert_eq!(oldest[0].id, "0");
        let active = JobFilter {
            status: Some("searching".into()),
            ..filter
        };
        assert_eq!(store.list_jobs(&active).0, MAX_ACTIVE_JOBS);
        assert!(store.cancel("0"));
        assert!(!store.cancel("0"));
    }
}

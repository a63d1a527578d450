//! The request journal: one entry per request answered (or closed by a fault), kept in a bounded
//! ring, so a test can assert on what its code sent (`GET /emulator/requests`,
//! [`EmulatorHandle::requests`](crate::EmulatorHandle::requests)).
//!
//! What is recorded: the method as sent, the path *without* its query string (which may carry a
//! signature or a gateway key) and with anything that could be a resumable upload's token (its
//! capability: a run of at least 32 hex digits, percent-encoded or not, anywhere in the path, on
//! any route or none, so `GET` on an upload's URL, a suffix after its token or a doubled slash hide
//! it too) replaced by `{token}`, the public key of the key that authenticated (or none: a public
//! route, or refused credentials), the status (none when the connection was closed without an
//! answer), when the request arrived and how long it took until its answer's head was ready (a
//! streamed body may still be sending). Never a credential, a secret or a body.
//!
//! Not recorded: the control surface itself (`/emulator/health`, `/emulator/reset`,
//! `/emulator/requests`, `/emulator/faults`, `/emulator/rate_limit`, as WireMock leaves its
//! `/__admin` calls out), so the journal holds what the code under test did, and a reset leaves it
//! empty. Everything else is, refused requests and unknown paths included.
//!
//! Bounded: at most [`MAX_JOURNAL`] entries, the oldest dropped first (counted in `dropped`), each
//! path cut at [`MAX_JOURNAL_PATH`] bytes and each method at 32.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use pinata_core::server::Query;
use pinata_core::time::{format_iso8601, parse_iso8601};
use serde::Serialize;

use crate::store::tus::UPLOAD_TOKEN_LEN;

/// The most entries the journal keeps; past that, the oldest is dropped.
pub const MAX_JOURNAL: usize = 10_000;
/// The longest path recorded, in bytes; a longer one is cut there and ends with `…`.
pub const MAX_JOURNAL_PATH: usize = 512;
/// The longest method recorded, in bytes.
const MAX_METHOD: usize = 32;
/// The longest key a filter may name (real keys are 20 characters).
const MAX_FILTER_KEY: usize = 128;

/// One request, as the journal keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct JournalEntry {
    /// The method as sent (`POST` for a TUS request overridden with `X-HTTP-Method-Override`).
    pub method: String,
    /// The path, without the query string; a resumable upload's token is `{token}`.
    pub path: String,
    /// The public key of the key that authenticated; `None` for a public route or a refusal.
    pub key: Option<String>,
    /// The status answered; `None` when the connection was closed without an answer (the `close`
    /// and `tus_break` faults).
    pub status: Option<u16>,
    /// When the request arrived.
    pub time: SystemTime,
    /// Milliseconds from its arrival until its answer's head was ready.
    pub duration_ms: u64,
}

impl JournalEntry {
    /// An entry for a request to `method` `path`, each cut to its cap.
    pub(crate) fn new(
        method: &str,
        path: &str,
        key: Option<String>,
        status: Option<u16>,
        time: SystemTime,
        duration_ms: u64,
    ) -> Self {
        Self {
            method: cut(method, MAX_METHOD, ""),
            path: cut(path, MAX_JOURNAL_PATH, "…"),
            key,
            status,
            time,
            duration_ms,
        }
    }
}

/// `path` as the journal records it: every run of at least [`UPLOAD_TOKEN_LEN`] hex digits (after
/// decoding percent-encoded letters and digits, which would otherwise smuggle a token past) is
/// `{token}`. Linear in the path.
pub(crate) fn recorded_path(path: &str) -> String {
    let decoded = decode_alphanumerics(path);
    let mut out = String::with_capacity(decoded.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= UPLOAD_TOKEN_LEN {
            out.push_str("{token}");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in decoded.chars() {
        if c.is_ascii_hexdigit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// `path` with each `%XX` that encodes an ASCII letter or digit decoded; every other escape stays.
fn decode_alphanumerics(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let decoded = (b == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            .filter(u8::is_ascii_alphanumeric);
        match decoded {
            Some(c) => {
                out.push(char::from(c));
                i += 3;
            }
            None => {
                // `path` is a str: a byte that starts no escape is copied as the char it begins.
                let ch = path[i..]
                    .chars()
                    .next()
                    .unwrap_or(char::REPLACEMENT_CHARACTER);
                out.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    out
}

/// `text` cut to at most `max` bytes at a character boundary, with `mark` after a cut.
fn cut(text: &str, max: usize, mark: &str) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{mark}", &text[..end])
}

impl Serialize for JournalEntry {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shown<'a> {
            method: &'a str,
            path: &'a str,
            key: Option<&'a str>,
            status: Option<u16>,
            time: String,
            duration_ms: u64,
        }
        Shown {
            method: &self.method,
            path: &self.path,
            key: self.key.as_deref(),
            status: self.status,
            time: format_iso8601(self.time),
            duration_ms: self.duration_ms,
        }
        .serialize(s)
    }
}

/// Which journal entries to return: every condition given must hold. Built with its methods, or
/// parsed from `GET /emulator/requests`'s query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JournalFilter {
    method: Option<String>,
    path: Option<String>,
    key: Option<String>,
    status: Option<u16>,
    since: Option<SystemTime>,
    limit: Option<usize>,
}

impl JournalFilter {
    /// Every entry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Requests with this method (ASCII case-insensitive).
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.method = Some(method.into());
        self
    }

    /// Requests whose path starts with `prefix` (ASCII case-insensitive, as routes match).
    pub fn path(mut self, prefix: impl Into<String>) -> Self {
        self.path = Some(prefix.into());
        self
    }

    /// Requests that authenticated as this public key.
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Requests answered with this status.
    pub fn status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// Requests that arrived at or after `time`.
    pub fn since(mut self, time: SystemTime) -> Self {
        self.since = Some(time);
        self
    }

    /// Only the `n` most recent matching entries (still oldest first); 0 gives none.
    pub fn limit(mut self, n: usize) -> Self {
        self.limit = Some(n);
        self
    }

    /// Parses `GET /emulator/requests`'s query: `method`, `path` (a prefix), `key`, `status`
    /// (100–599), `since` (ISO 8601 UTC, `2026-01-02T03:04:05.678Z`) and `limit`
    /// (1–[`MAX_JOURNAL`]). Anything else, or a value out of range, is an error (a typo must not
    /// pass as "no filter").
    pub fn parse(query: &str) -> Result<Self, String> {
        let mut f = Self::default();
        for (name, value) in Query::parse(query) {
            match name.as_str() {
                "method" if !value.is_empty() && value.len() <= MAX_METHOD => {
                    f.method = Some(value)
                }
                "method" => return Err(format!("method must be 1 to {MAX_METHOD} characters")),
                "path" if value.starts_with('/') && value.len() <= MAX_JOURNAL_PATH => {
                    f.path = Some(value)
                }
                "path" => {
                    return Err(format!(
                        "path must start with / and be at most {MAX_JOURNAL_PATH} bytes"
                    ));
                }
                "key" if !value.is_empty() && value.len() <= MAX_FILTER_KEY => f.key = Some(value),
                "key" => return Err(format!("key must be 1 to {MAX_FILTER_KEY} characters")),
                "status" => match value.parse::<u16>() {
                    Ok(s) if (100..=599).contains(&s) => f.status = Some(s),
                    _ => return Err("status must be a number from 100 to 599".into()),
                },
                "since" => match parse_iso8601(&value) {
                    Some(t) => f.since = Some(t),
                    None => {
                        return Err(
                            "since must be an ISO 8601 UTC time, like 2026-01-02T03:04:05.678Z"
                                .into(),
                        );
                    }
                },
                "limit" => match value.parse::<usize>() {
                    Ok(n) if (1..=MAX_JOURNAL).contains(&n) => f.limit = Some(n),
                    _ => return Err(format!("limit must be a number from 1 to {MAX_JOURNAL}")),
                },
                other => {
                    return Err(format!(
                        "unknown filter {:?} (method, path, key, status, since, limit)",
                        cut(other, 64, "…")
                    ));
                }
            }
        }
        Ok(f)
    }

    /// Whether `entry` meets every condition.
    fn keeps(&self, entry: &JournalEntry) -> bool {
        self.method
            .as_ref()
            .is_none_or(|m| m.eq_ignore_ascii_case(&entry.method))
            && self.path.as_ref().is_none_or(|p| {
                entry
                    .path
                    .get(..p.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(p))
            })
            && self
                .key
                .as_ref()
                .is_none_or(|k| entry.key.as_ref() == Some(k))
            && self.status.is_none_or(|s| entry.status == Some(s))
            && self.since.is_none_or(|t| entry.time >= t)
    }
}

#[derive(Debug, Default)]
struct Inner {
    entries: VecDeque<JournalEntry>,
    dropped: u64,
}

/// The ring of entries, behind one lock.
#[derive(Debug)]
pub(crate) struct Journal {
    inner: Mutex<Inner>,
    capacity: usize,
}

impl Default for Journal {
    fn default() -> Self {
        Self::with_capacity(MAX_JOURNAL)
    }
}

impl Journal {
    /// A journal of at most `capacity` entries (at least one; [`MAX_JOURNAL`] but in tests).
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            inner: Mutex::default(),
            capacity: capacity.clamp(1, MAX_JOURNAL),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every update is a push and a pop: consistent after any panic.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Keeps `entry`, dropping the oldest when full.
    pub(crate) fn record(&self, entry: JournalEntry) {
        let mut inner = self.lock();
        while inner.entries.len() >= self.capacity {
            inner.entries.pop_front();
            inner.dropped = inner.dropped.saturating_add(1);
        }
        inner.entries.push_back(entry);
    }

    /// The entries `filter` keeps, oldest first, and how many were dropped since the last clear.
    pub(crate) fn find(&self, filter: &JournalFilter) -> (Vec<JournalEntry>, u64) {
        let inner = self.lock();
        let limit = filter.limit.unwrap_or(usize::MAX);
        let mut found: Vec<JournalEntry> = inner
            .entries
            .iter()
            .rev()
            .filter(|e| filter.keeps(e))
            .take(limit)
            .cloned()
            .collect();
        found.reverse();
        (found, inner.dropped)
    }

    /// Forgets every entry, and the count of those dropped.
    pub(crate) fn clear(&self) {
        let mut inner = self.lock();
        inner.entries.clear();
        inner.dropped = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    fn entry(method: &str, path: &str, key: Option<&str>, status: u16, secs: u64) -> JournalEntry {
        JournalEntry::new(
            method,
            path,
            key.map(str::to_owned),
            Some(status),
            UNIX_EPOCH + Duration::from_secs(secs),
            1,
        )
    }

    #[test]
    fn the_ring_drops_the_oldest_and_counts_them() {
        let journal = Journal::with_capacity(3);
        for i in 0..5 {
            journal.record(entry("GET", &format!("/p/{i}"), None, 200, i));
        }
        let (all, dropped) = journal.find(&JournalFilter::new());
        let paths: Vec<&str> = all.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["/p/2", "/p/3", "/p/4"]);
        assert_eq!(dropped, 2);
        journal.clear();
        assert_eq!(journal.find(&JournalFilter::new()), (Vec::new(), 0));
        assert_eq!(Journal::default().capacity, MAX_JOURNAL);
        assert_eq!(Journal::with_capacity(0).capacity, 1);
    }

    #[test]
    fn filters_combine_and_limit_keeps_the_most_recent() {
        let journal = Journal::default();
        journal.record(entry(
            "GET",
            "/data/testAuthentication",
            Some("k1"),
            200,
            10,
        ));
        journal.record(entry("POST", "/v3/files", Some("k2"), 401, 20));
        journal.record(entry("get", "/V3/files/public", Some("k1"), 200, 30));
        journal.record(entry("GET", "/v3/files/public/x", None, 404, 40));
        let find = |f: JournalFilter| -> Vec<u64> {
            journal
                .find(&f)
                .0
                .iter()
                .map(|e| e.time.duration_since(UNIX_EPOCH).unwrap().as_secs())
                .collect()
        };
        assert_eq!(find(JournalFilter::new()), [10, 20, 30, 40]);
        assert_eq!(find(JournalFilter::new().method("GET")), [10, 30, 40]);
        assert_eq!(find(JournalFilter::new().path("/v3/files")), [20, 30, 40]);
        assert_eq!(find(JournalFilter::new().key("k1")), [10, 30]);
        assert_eq!(find(JournalFilter::new().status(200)), [10, 30]);
        let t = UNIX_EPOCH + Duration::from_secs(30);
        assert_eq!(find(JournalFilter::new().since(t)), [30, 40]);
        assert_eq!(find(JournalFilter::new().limit(2)), [30, 40]);
        assert_eq!(find(JournalFilter::new().limit(0)), Vec::<u64>::new());
        assert_eq!(
            find(JournalFilter::new().method("get").key("k1").path("/v3/")),
            [30]
        );
    }

    #[test]
    fn queries_parse_and_are_range_checked() {
        let f = JournalFilter::parse(
            "method=PUT&path=%2Fv3%2F&key=abc&status=503&since=2026-01-02T03:04:05.678Z&limit=7",
        )
        .unwrap();
        assert_eq!(
            f,
            JournalFilter::new()
                .method("PUT")
                .path("/v3/")
                .key("abc")
                .status(503)
                .since(parse_iso8601("2026-01-02T03:04:05.678Z").unwrap())
                .limit(7)
        );
        assert_eq!(JournalFilter::parse("").unwrap(), JournalFilter::new());
        for bad in [
            "limit=0",
            "limit=10001",
            "limit=-1",
            "limit=x",
            "status=99",
            "status=600",
            "status=abc",
            "since=yesterday",
            "since=2026-01-02",
            "path=v3",
            "method=",
            "key=",
            "stauts=200",
        ] {
            assert!(JournalFilter::parse(bad).is_err(), "{bad}");
        }
        assert!(JournalFilter::parse("limit=10000").is_ok());
    }

    #[test]
    fn no_path_records_an_upload_token() {
        let token = "0123456789abcdef0123456789ABCDEF";
        let id = "0190c1a2-7b3c-7d4e-8f00-0123456789ab";
        for (path, recorded) in [
            (
                format!("/v3/files/{id}/{token}"),
                format!("/v3/files/{id}/{{token}}"),
            ),
            (
                format!("/v3/files/{id}/{token}/"),
                format!("/v3/files/{id}/{{token}}/"),
            ),
            (
                format!("/v3/files/{id}/{token}x/y"),
                format!("/v3/files/{id}/{{token}}x/y"),
            ),
            (
                format!("/v3/files/{id}//{token}"),
                format!("/v3/files/{id}//{{token}}"),
            ),
            (
                format!("/v3/files/public/{token}"),
                "/v3/files/public/{token}".to_owned(),
            ),
            (format!("/x/{token}{token}"), "/x/{token}".to_owned()),
            // Percent-encoded digits and letters are decoded first.
            (
                format!("/v3/files/{id}/%30{}", &token[1..]),
                format!("/v3/files/{id}/{{token}}"),
            ),
        ] {
            assert_eq!(recorded_path(&path), recorded, "{path}");
        }
        // What is not a token stays: ids, CIDs, short hex, other escapes, any text.
        for path in [
            format!("/v3/files/private/{id}"),
            "/ipfs/bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku".to_owned(),
            "/v3/pinata/keys/0123456789abcdef0123".to_owned(),
            "/a%20b/%2F/ünïcödé/%zz%4".to_owned(),
        ] {
            assert_eq!(recorded_path(&path), path);
        }
    }

    #[test]
    fn long_values_are_cut() {
        let long = format!("/{}", "é".repeat(600));
        let e = JournalEntry::new(&"X".repeat(100), &long, None, None, UNIX_EPOCH, 0);
        assert_eq!(e.method.len(), MAX_METHOD);
        assert!(e.path.len() <= MAX_JOURNAL_PATH + "…".len());
        assert!(e.path.ends_with('…'));
        let shown = serde_json::to_value(&e).unwrap();
        assert_eq!(shown["status"], serde_json::Value::Null);
        assert_eq!(shown["time"], "1970-01-01T00:00:00.000Z");
    }
}

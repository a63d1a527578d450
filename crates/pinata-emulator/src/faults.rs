//! Fault injection: scripted failures for the next requests (or a fraction of them), and a rate
//! limiter with the real `X-RateLimit-*` headers. Both can be scoped to one API key, so tests that
//! share an emulator do not disturb each other. Off until configured (flags or `/emulator/*`).
//!
//! The resumable-upload faults (`tus_break`, `tus_status`, `tus_lose`) are for TUS requests only,
//! which need carry no key (the upload's URL is its capability): they are taken by the next
//! matching TUS request of anyone, or, scoped to a key, of an upload that key created. No other
//! request takes them, and TUS requests take no other fault.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// One kind of failure. Serialises to (and parses from) the JSON `POST /emulator/faults` takes:
/// `{"fault":"status","status":503}`, `{"fault":"slow_headers","ms":500}`, `{"fault":"close"}`…
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "fault", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Fault {
    /// Answer with this status (500, 502, 503, 504 or 429) instead of handling the request.
    Status {
        /// The status.
        status: u16,
        /// `Retry-After` seconds for a 429 (default 1).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
    },
    /// Wait this long before answering.
    SlowHeaders {
        /// Milliseconds.
        ms: u64,
    },
    /// Close the connection without any response.
    Close,
    /// Send the response headers and half of the body, then close the connection.
    TruncateBody,
    /// For uploads: stop reading the body after `after_bytes`, for `ms` milliseconds, then close.
    StallUpload {
        /// Milliseconds.
        ms: u64,
        /// Bytes read before stalling (default 64 KiB).
        #[serde(default = "default_stall_after")]
        after_bytes: u64,
    },
    /// For resumable uploads: store `after_bytes` of the next `PATCH`'s body (all of it if
    /// shorter), then close the connection without answering.
    TusBreak {
        /// Bytes of the body stored before the connection is closed.
        after_bytes: u64,
    },
    /// For resumable uploads: answer the next `PATCH` with this 5xx, storing nothing.
    TusStatus {
        /// The status (500–599).
        status: u16,
    },
    /// For resumable uploads: forget the upload the next `PATCH` or `HEAD` names (it is a 404 from
    /// then on, as after an expiry).
    TusLose,
}

/// The kind of TUS request a fault is looked up for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TusRequest {
    /// `PATCH`: takes `tus_break`, `tus_status` and `tus_lose`.
    Patch,
    /// `HEAD`: takes `tus_lose`.
    Head,
}

fn default_stall_after() -> u64 {
    64 * 1024
}

/// The longest delay a fault may ask for (10 minutes): longer is surely a mistake, and every
/// delay is added to a clock, which must not overflow.
pub const MAX_FAULT_MS: u64 = 600_000;
/// The longest `Retry-After` or rate-limit window, in seconds (one day / one year).
pub const MAX_RETRY_AFTER_SECS: u64 = 86_400;
/// The longest rate-limit window, in seconds (one year).
pub const MAX_WINDOW_SECS: u64 = 366 * 86_400;
/// How many fault rules and rate limits may stand at once (each is kept in memory).
pub const MAX_RULES: usize = 1_000;
/// The longest key a rule may be scoped to (real keys are 20 characters).
const MAX_KEY_LEN: usize = 128;

fn check_key(key: Option<&str>) -> Result<(), String> {
    match key {
        Some(k) if k.is_empty() || k.len() > MAX_KEY_LEN => Err(format!(
            "key must be 1 to {MAX_KEY_LEN} characters (an API key is 20)"
        )),
        _ => Ok(()),
    }
}

fn check_range(what: &str, value: u64, range: std::ops::RangeInclusive<u64>) -> Result<(), String> {
    if range.contains(&value) {
        Ok(())
    } else {
        Err(format!(
            "{what} must be between {} and {}, not {value}",
            range.start(),
            range.end()
        ))
    }
}

impl Fault {
    /// Checks every number against its range: a status is an error status (400–599), delays are
    /// at most [`MAX_FAULT_MS`], `Retry-After` at most [`MAX_RETRY_AFTER_SECS`].
    pub fn validate(&self) -> Result<(), String> {
        match self {
            Fault::Status {
                status,
                retry_after,
            } => {
                check_range("status", u64::from(*status), 400..=599)?;
                match retry_after {
                    Some(s) => check_range("retry_after", *s, 0..=MAX_RETRY_AFTER_SECS),
                    None => Ok(()),
                }
            }
            Fault::SlowHeaders { ms } => check_range("ms", *ms, 0..=MAX_FAULT_MS),
            Fault::StallUpload { ms, after_bytes } => {
                check_range("ms", *ms, 0..=MAX_FAULT_MS)?;
                check_range("after_bytes", *after_bytes, 0..=1 << 40)
            }
            Fault::TusBreak { after_bytes } => {
                check_range("after_bytes", *after_bytes, 0..=1 << 53)
            }
            Fault::TusStatus { status } => check_range("status", u64::from(*status), 500..=599),
            Fault::Close | Fault::TruncateBody | Fault::TusLose => Ok(()),
        }
    }

    /// Whether the fault is for resumable-upload requests (and only for them).
    pub fn is_tus(&self) -> bool {
        matches!(
            self,
            Fault::TusBreak { .. } | Fault::TusStatus { .. } | Fault::TusLose
        )
    }

    /// Whether a TUS request of kind `request` takes this fault.
    fn fits(&self, request: TusRequest) -> bool {
        match self {
            Fault::TusBreak { .. } | Fault::TusStatus { .. } => request == TusRequest::Patch,
            Fault::TusLose => true,
            _ => false,
        }
    }
}

/// A scripted fault: which, how often, and for which key.
///
/// Built with its constructors and modifiers, it serialises to exactly the JSON
/// `POST /emulator/faults` takes (and [`FaultRule::from_json`] parses):
///
/// ```
/// use pinata_emulator::faults::FaultRule;
///
/// let rule = FaultRule::status(503).count(2).key("0123456789abcdef0123");
/// assert_eq!(
///     serde_json::to_string(&rule)?,
///     r#"{"fault":"status","status":503,"count":2,"key":"0123456789abcdef0123"}"#
/// );
/// assert_eq!(FaultRule::from_json(serde_json::to_string(&rule)?.as_bytes()), Ok(rule));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    /// The fault.
    #[serde(flatten)]
    pub fault: Fault,
    /// Apply to the next `count` matching requests (default 1, unless `fraction` is given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// Apply to this fraction of matching requests, for as long as the rule stands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fraction: Option<f64>,
    /// Only requests made with this API key (public key, or a JWT's `scopedKeyKey`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// Whole milliseconds of `d` (saturating: a huge delay fails validation rather than wrapping).
fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl FaultRule {
    /// A rule for `fault`, taken by the next matching request (see [`FaultRule::count`],
    /// [`FaultRule::fraction`] and [`FaultRule::key`] for more).
    pub fn new(fault: Fault) -> Self {
        Self {
            fault,
            count: None,
            fraction: None,
            key: None,
        }
    }

    /// Answer with `status` (400–599) instead of handling the request.
    pub fn status(status: u16) -> Self {
        Self::new(Fault::Status {
            status,
            retry_after: None,
        })
    }

    /// Answer 429 with `Retry-After: retry_after_secs` (at most [`MAX_RETRY_AFTER_SECS`]).
    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        Self::new(Fault::Status {
            status: 429,
            retry_after: Some(retry_after_secs),
        })
    }

    /// Wait `delay` (whole milliseconds, at most [`MAX_FAULT_MS`]) before answering.
    pub fn slow(delay: Duration) -> Self {
        Self::new(Fault::SlowHeaders { ms: millis(delay) })
    }

    /// Close the connection without any response.
    pub fn close() -> Self {
        Self::new(Fault::Close)
    }

    /// Send the response headers and half of the body, then close the connection.
    pub fn truncate() -> Self {
        Self::new(Fault::TruncateBody)
    }

    /// For uploads: stop reading the body after `after_bytes`, for `pause` (whole milliseconds, at
    /// most [`MAX_FAULT_MS`]), then close.
    pub fn stall(pause: Duration, after_bytes: u64) -> Self {
        Self::new(Fault::StallUpload {
            ms: millis(pause),
            after_bytes,
        })
    }

    /// For resumable uploads: store `after_bytes` of the next `PATCH`, then close the connection.
    pub fn tus_break(after_bytes: u64) -> Self {
        Self::new(Fault::TusBreak { after_bytes })
    }

    /// For resumable uploads: answer the next `PATCH` with `status` (500–599), storing nothing.
    pub fn tus_status(status: u16) -> Self {
        Self::new(Fault::TusStatus { status })
    }

    /// For resumable uploads: forget the upload the next `PATCH` or `HEAD` names.
    pub fn tus_lose() -> Self {
        Self::new(Fault::TusLose)
    }

    /// Apply to the next `n` matching requests (at least 1).
    #[must_use]
    pub fn count(mut self, n: u32) -> Self {
        self.count = Some(n);
        self
    }

    /// Apply to this fraction (0 to 1) of matching requests, for as long as the rule stands.
    #[must_use]
    pub fn fraction(mut self, fraction: f64) -> Self {
        self.fraction = Some(fraction);
        self
    }

    /// Only requests made with this API key (for TUS faults: uploads it created).
    #[must_use]
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Parses and validates a rule as `POST /emulator/faults` does (the idle-timeout check,
    /// which depends on the running emulator, comes when the rule is added).
    pub fn from_json(json: &[u8]) -> Result<Self, String> {
        let rule: Self = serde_json::from_slice(json).map_err(|e| e.to_string())?;
        rule.validate()?;
        Ok(rule)
    }

    /// Checks the fault's numbers, a `count` of at least 1, a `fraction` in `[0, 1]` and the key's
    /// length.
    pub fn validate(&self) -> Result<(), String> {
        self.fault.validate()?;
        if self.count == Some(0) {
            return Err("count must be at least 1".into());
        }
        if let Some(f) = self.fraction
            && !(0.0..=1.0).contains(&f)
        {
            return Err(format!("fraction must be between 0 and 1, not {f}"));
        }
        check_key(self.key.as_deref())
    }

    /// A delay must end before the connection's idle timeout, which would otherwise close the
    /// connection while the answer waits.
    pub fn fits_idle_timeout(&self, idle: Duration) -> Result<(), String> {
        match self.fault {
            Fault::SlowHeaders { ms } if Duration::from_millis(ms) >= idle => Err(format!(
                "a delay of {ms} ms must be shorter than the idle timeout ({} ms, --idle-timeout-ms)",
                idle.as_millis()
            )),
            _ => Ok(()),
        }
    }

    /// Parses a command-line spec: `status=503`, `status=429:retry_after=2`, `slow=500`, `close`,
    /// `truncate`, `stall=5000`, `tus_break=BYTES`, `tus_status=503`, `tus_lose`, each optionally
    /// followed by `,count=N` or `,fraction=F` (and `,key=API_KEY`).
    pub fn parse(spec: &str) -> Result<Self, String> {
        let mut parts = spec.split(',');
        let head = parts.next().unwrap_or("");
        let (kind, value) = head.split_once('=').unwrap_or((head, ""));
        let number = |v: &str| {
            v.parse::<u64>()
                .map_err(|_| format!("{spec:?}: {v:?} is not a number"))
        };
        let fault = match kind {
            "status" => {
                let (status, extra) = value.split_once(':').unwrap_or((value, ""));
                let retry_after = match extra.strip_prefix("retry_after=") {
                    Some(v) => Some(number(v)?),
                    None => None,
                };
                Fault::Status {
                    status: u16::try_from(number(status)?)
                        .map_err(|_| format!("{spec:?}: bad status"))?,
                    retry_after,
                }
            }
            "slow" => Fault::SlowHeaders { ms: number(value)? },
            "close" => Fault::Close,
            "truncate" => Fault::TruncateBody,
            "stall" => Fault::StallUpload {
                ms: number(value)?,
                after_bytes: default_stall_after(),
            },
            "tus_break" => Fault::TusBreak {
                after_bytes: number(value)?,
            },
            "tus_status" => Fault::TusStatus {
                status: u16::try_from(number(value)?)
                    .map_err(|_| format!("{spec:?}: bad status"))?,
            },
            "tus_lose" => Fault::TusLose,
            _ => {
                return Err(format!(
                    "{spec:?}: unknown fault (status, slow, close, truncate, stall, tus_break, \
                     tus_status, tus_lose)"
                ));
            }
        };
        let mut rule = FaultRule {
            fault,
            count: None,
            fraction: None,
            key: None,
        };
        for part in parts {
            match part.split_once('=') {
                Some(("count", v)) => {
                    rule.count = Some(
                        u32::try_from(number(v)?)
                            .map_err(|_| format!("{spec:?}: count must be at most {}", u32::MAX))?,
                    )
                }
                Some(("fraction", v)) => {
                    rule.fraction = Some(v.parse().map_err(|_| format!("{spec:?}: bad fraction"))?)
                }
                Some(("key", v)) => rule.key = Some(v.to_owned()),
                _ => return Err(format!("{spec:?}: unknown option {part:?}")),
            }
        }
        rule.validate().map_err(|e| format!("{spec:?}: {e}"))?;
        Ok(rule)
    }
}

/// A fixed-window rate limit. Serialises to exactly the JSON `PUT /emulator/rate_limit` takes
/// (and [`RateLimitRule::from_json`] parses):
///
/// ```
/// use std::time::Duration;
/// use pinata_emulator::faults::RateLimitRule;
///
/// let limit = RateLimitRule::new(30, Duration::from_secs(60)).key("0123456789abcdef0123");
/// assert_eq!(
///     serde_json::to_string(&limit)?,
///     r#"{"limit":30,"window_secs":60,"key":"0123456789abcdef0123"}"#
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateLimitRule {
    /// Requests allowed per window.
    pub limit: u64,
    /// Window length in seconds.
    pub window_secs: u64,
    /// Only requests made with this key (default: all, like an account-wide limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

impl RateLimitRule {
    /// `limit` requests per `window` (whole seconds, rounded up; 1 s to [`MAX_WINDOW_SECS`]), for
    /// every key.
    pub fn new(limit: u64, window: Duration) -> Self {
        Self {
            limit,
            window_secs: window
                .as_secs()
                .saturating_add(u64::from(window.subsec_nanos() > 0)),
            key: None,
        }
    }

    /// Only requests made with this API key.
    #[must_use]
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Parses and validates a limit as `PUT /emulator/rate_limit` does.
    pub fn from_json(json: &[u8]) -> Result<Self, String> {
        let rule: Self = serde_json::from_slice(json).map_err(|e| e.to_string())?;
        rule.validate()?;
        Ok(rule)
    }

    /// Parses `LIMIT/WINDOW_SECS` (the `--rate-limit` flag), range-checked.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let (limit, window) = spec
            .split_once('/')
            .ok_or_else(|| format!("{spec:?}: expected LIMIT/WINDOW_SECS, e.g. 30/60"))?;
        let rule = RateLimitRule {
            limit: limit
                .parse()
                .map_err(|_| format!("{spec:?}: {limit:?} is not a number"))?,
            window_secs: window
                .parse()
                .map_err(|_| format!("{spec:?}: {window:?} is not a number"))?,
            key: None,
        };
        rule.validate().map_err(|e| format!("{spec:?}: {e}"))?;
        Ok(rule)
    }

    /// Checks the window (1 s to [`MAX_WINDOW_SECS`]), the limit (at most a billion) and the key.
    pub fn validate(&self) -> Result<(), String> {
        check_range("window_secs", self.window_secs, 1..=MAX_WINDOW_SECS)?;
        check_range("limit", self.limit, 0..=1_000_000_000)?;
        check_key(self.key.as_deref())
    }
}

#[derive(Debug)]
struct Limiter {
    rule: RateLimitRule,
    window_start: SystemTime,
    used: u64,
}

/// The rate-limit verdict for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateVerdict {
    /// No limiter applies.
    Unlimited,
    /// Allowed; the headers to send.
    Allowed {
        /// `X-RateLimit-Limit`.
        limit: u64,
        /// `X-RateLimit-Remaining`.
        remaining: u64,
        /// `X-RateLimit-Reset` (Unix seconds).
        reset: u64,
    },
    /// Refused with 429.
    Limited {
        /// `X-RateLimit-Limit`.
        limit: u64,
        /// `X-RateLimit-Reset` (Unix seconds).
        reset: u64,
        /// `Retry-After` seconds.
        retry_after: u64,
    },
}

#[derive(Debug, Default)]
struct Inner {
    rules: Vec<(FaultRule, u32)>,
    limiters: Vec<Limiter>,
    seen: HashMap<String, u64>,
    rng: u64,
}

/// The fault plan and counters.
#[derive(Debug, Default)]
pub struct Faults {
    inner: Mutex<Inner>,
}

impl Faults {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Plain data; a panic elsewhere cannot leave it half-updated.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds a rule; refused when [`MAX_RULES`] already stand.
    pub fn add(&self, rule: FaultRule) -> Result<(), String> {
        let n = rule
            .count
            .unwrap_or(if rule.fraction.is_some() { u32::MAX } else { 1 });
        let mut inner = self.lock();
        if inner.rules.len() >= MAX_RULES {
            return Err(format!("at most {MAX_RULES} fault rules may stand at once"));
        }
        inner.rules.push((rule, n));
        Ok(())
    }

    /// Removes every rule and limiter (for `key`, or all).
    pub fn clear(&self, key: Option<&str>) {
        self.clear_rules(key);
        self.clear_limits(key);
    }

    /// Removes every fault rule (scoped to `key`, or all).
    pub fn clear_rules(&self, key: Option<&str>) {
        self.lock()
            .rules
            .retain(|(r, _)| key.is_some() && r.key.as_deref() != key);
    }

    /// Removes every rate limit (scoped to `key`, or all).
    pub fn clear_limits(&self, key: Option<&str>) {
        self.lock()
            .limiters
            .retain(|l| key.is_some() && l.rule.key.as_deref() != key);
    }

    /// Back to the start: no rules, no limiters, no request counters.
    pub(crate) fn reset(&self) {
        let mut inner = self.lock();
        inner.rules.clear();
        inner.limiters.clear();
        inner.seen.clear();
    }

    /// Sets a rate limit (replacing one for the same key). At most [`MAX_RULES`] limiters stand;
    /// past that the oldest is dropped.
    pub fn set_rate_limit(&self, rule: RateLimitRule, now: SystemTime) {
        let mut inner = self.lock();
        inner.limiters.retain(|l| l.rule.key != rule.key);
        if inner.limiters.len() >= MAX_RULES {
            inner.limiters.remove(0);
        }
        inner.limiters.push(Limiter {
            rule,
            window_start: now,
            used: 0,
        });
    }

    /// Counts a request that authenticated as `key` (`None`: not authenticated, counted under
    /// `""`). Only keys the store holds reach here, so the counters are bounded by its size.
    pub fn record(&self, key: Option<&str>) {
        let mut inner = self.lock();
        *inner.seen.entry(key.unwrap_or("").to_owned()).or_default() += 1;
    }

    /// Requests seen per key.
    pub fn seen(&self) -> HashMap<String, u64> {
        self.lock().seen.clone()
    }

    /// The fault for the next request made with `key`, if a rule matches (never a TUS fault).
    pub fn take(&self, key: Option<&str>) -> Option<Fault> {
        self.take_where(|rule| {
            !rule.fault.is_tus() && rule.key.as_deref().is_none_or(|k| Some(k) == key)
        })
    }

    /// The fault for the next TUS request of kind `request` on an upload created with `creator`
    /// (`None`: through a signed URL), if a TUS rule matches: an unscoped rule matches any.
    pub(crate) fn take_tus(&self, request: TusRequest, creator: Option<&str>) -> Option<Fault> {
        self.take_where(|rule| {
            rule.fault.fits(request) && rule.key.as_deref().is_none_or(|k| Some(k) == creator)
        })
    }

    /// The fault of the first standing rule `matches` accepts (counted, or drawn for a fraction).
    fn take_where(&self, matches: impl Fn(&FaultRule) -> bool) -> Option<Fault> {
        let mut inner = self.lock();
        let draw = {
            // xorshift: fractions need no quality beyond "about this often".
            let mut x = inner.rng.max(0x2545_F491);
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            inner.rng = x;
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        let index = inner
            .rules
            .iter()
            .position(|(r, left)| *left > 0 && matches(r))?;
        let (rule, left) = &mut inner.rules[index];
        if let Some(fraction) = rule.fraction
            && draw >= fraction
        {
            return None;
        }
        *left -= 1;
        let fault = rule.fault.clone();
        if *left == 0 {
            inner.rules.remove(index);
        }
        Some(fault)
    }

    /// Counts a request against the limiter for `key`.
    pub fn rate(&self, key: Option<&str>, now: SystemTime) -> RateVerdict {
        let mut inner = self.lock();
        let Some(l) = inner
            .limiters
            .iter_mut()
            .find(|l| l.rule.key.as_deref().is_none_or(|k| Some(k) == key))
        else {
            return RateVerdict::Unlimited;
        };
        let window = Duration::from_secs(l.rule.window_secs.clamp(1, MAX_WINDOW_SECS));
        if now.duration_since(l.window_start).unwrap_or_default() >= window {
            l.window_start = now;
            l.used = 0;
        }
        // A validated window is at most a year, so this cannot overflow; if it could, the window
        // would just end now.
        let end = l.window_start.checked_add(window).unwrap_or(now);
        let reset = end
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        if l.used >= l.rule.limit {
            let left = end.duration_since(now).unwrap_or_default();
            return RateVerdict::Limited {
                limit: l.rule.limit,
                reset,
                retry_after: left.as_secs() + u64::from(left.subsec_nanos() > 0),
            };
        }
        l.used += 1;
        RateVerdict::Allowed {
            limit: l.rule.limit,
            remaining: l.rule.limit - l.used,
            reset,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse() {
        assert_eq!(
            FaultRule::parse("status=503,count=2").unwrap(),
            FaultRule {
                fault: Fault::Status {
                    status: 503,
                    retry_after: None
                },
                count: Some(2),
                fraction: None,
                key: None
            }
        );
        assert_eq!(
            FaultRule::parse("status=429:retry_after=3").unwrap().fault,
            Fault::Status {
                status: 429,
                retry_after: Some(3)
            }
        );
        assert_eq!(
            FaultRule::parse("slow=250").unwrap().fault,
            Fault::SlowHeaders { ms: 250 }
        );
        assert_eq!(
            FaultRule::parse("close,fraction=0.5").unwrap().fraction,
            Some(0.5)
        );
        assert!(FaultRule::parse("explode").is_err());
        assert!(FaultRule::parse("status=abc").is_err());
        assert_eq!(
            FaultRule::parse("tus_break=100,count=2").unwrap(),
            FaultRule {
                fault: Fault::TusBreak { after_bytes: 100 },
                count: Some(2),
                fraction: None,
                key: None
            }
        );
        assert_eq!(
            FaultRule::parse("tus_status=503").unwrap().fault,
            Fault::TusStatus { status: 503 }
        );
        assert_eq!(FaultRule::parse("tus_lose").unwrap().fault, Fault::TusLose);
        assert!(FaultRule::parse("tus_status=404").is_err(), "a 5xx only");
        assert!(
            FaultRule::parse("tus_break").is_err(),
            "a byte count is needed"
        );
        let json: FaultRule =
            serde_json::from_str(r#"{"fault":"tus_break","after_bytes":7}"#).unwrap();
        assert_eq!(json.fault, Fault::TusBreak { after_bytes: 7 });
    }

    #[test]
    fn tus_faults_are_taken_by_tus_requests_only() {
        let f = Faults::default();
        let rule = |fault, key: Option<&str>| FaultRule {
            fault,
            count: None,
            fraction: None,
            key: key.map(str::to_owned),
        };
        f.add(rule(Fault::TusStatus { status: 503 }, None)).unwrap();
        f.add(rule(Fault::Close, None)).unwrap();
        // An ordinary request skips the TUS rule in front of its own.
        assert_eq!(f.take(Some("k")), Some(Fault::Close));
        assert_eq!(f.take(Some("k")), None);
        // A HEAD does not take a PATCH's fault; a PATCH of anyone does.
        assert_eq!(f.take_tus(TusRequest::Head, None), None);
        assert_eq!(
            f.take_tus(TusRequest::Patch, None),
            Some(Fault::TusStatus { status: 503 })
        );
        // Scoped: only uploads that key created.
        f.add(rule(Fault::TusLose, Some("k"))).unwrap();
        assert_eq!(f.take_tus(TusRequest::Head, None), None);
        assert_eq!(f.take_tus(TusRequest::Head, Some("other")), None);
        assert_eq!(f.take(Some("k")), None);
        assert_eq!(
            f.take_tus(TusRequest::Head, Some("k")),
            Some(Fault::TusLose)
        );
    }

    #[test]
    fn counted_rules_run_out_and_keys_are_respected() {
        let f = Faults::default();
        f.add(FaultRule {
            fault: Fault::Close,
            count: Some(2),
            fraction: None,
            key: Some("k".into()),
        })
        .unwrap();
        assert_eq!(f.take(Some("other")), None);
        assert_eq!(f.take(Some("k")), Some(Fault::Close));
        assert_eq!(f.take(Some("k")), Some(Fault::Close));
        assert_eq!(f.take(Some("k")), None);
    }

    #[test]
    fn fractions_hit_about_that_often() {
        let f = Faults::default();
        f.add(FaultRule {
            fault: Fault::Close,
            count: None,
            fraction: Some(0.25),
            key: None,
        })
        .unwrap();
        let hits = (0..4000).filter(|_| f.take(None).is_some()).count();
        assert!((800..1200).contains(&hits), "{hits}");
    }

    #[test]
    fn rate_limit_windows() {
        let f = Faults::default();
        let t0 = UNIX_EPOCH + Duration::from_secs(1_000_000);
        f.set_rate_limit(
            RateLimitRule {
                limit: 2,
                window_secs: 60,
                key: None,
            },
            t0,
        );
        assert_eq!(
            f.rate(None, t0),
            RateVerdict::Allowed {
                limit: 2,
                remaining: 1,
                reset: 1_000_060
            }
        );
        assert_eq!(
            f.rate(None, t0),
            RateVerdict::Allowed {
                limit: 2,
                remaining: 0,
                reset: 1_000_060
            }
        );
        assert_eq!(
            f.rate(None, t0 + Duration::from_millis(59_500)),
            RateVerdict::Limited {
                limit: 2,
                reset: 1_000_060,
                retry_after: 1
            }
        );
        assert!(matches!(
            f.rate(None, t0 + Duration::from_secs(60)),
            RateVerdict::Allowed { remaining: 1, .. }
        ));
        f.clear(None);
        assert_eq!(f.rate(None, t0), RateVerdict::Unlimited);
    }

    #[test]
    fn builders_serialise_to_what_the_endpoints_parse() {
        let rules = [
            FaultRule::status(503).count(2).key("abc"),
            FaultRule::too_many_requests(3),
            FaultRule::slow(Duration::from_millis(250)).fraction(0.5),
            FaultRule::close(),
            FaultRule::truncate().key("k"),
            FaultRule::stall(Duration::from_secs(5), 1024),
            FaultRule::tus_break(100_000),
            FaultRule::tus_status(502).count(3),
            FaultRule::tus_lose().key("creator"),
        ];
        for rule in rules {
            let json = serde_json::to_vec(&rule).unwrap();
            assert_eq!(
                FaultRule::from_json(&json),
                Ok(rule.clone()),
                "{}",
                String::from_utf8_lossy(&json)
            );
        }
        assert_eq!(
            serde_json::to_value(FaultRule::status(503).count(2).key("abc")).unwrap(),
            serde_json::json!({"fault": "status", "status": 503, "count": 2, "key": "abc"})
        );
        assert_eq!(
            serde_json::to_value(FaultRule::too_many_requests(3)).unwrap(),
            serde_json::json!({"fault": "status", "status": 429, "retry_after": 3})
        );
        assert_eq!(
            serde_json::to_value(FaultRule::tus_break(100_000)).unwrap(),
            serde_json::json!({"fault": "tus_break", "after_bytes": 100_000})
        );
        assert_eq!(
            serde_json::to_value(FaultRule::slow(Duration::from_millis(1500))).unwrap(),
            serde_json::json!({"fault": "slow_headers", "ms": 1500})
        );
        // The builders do not validate; the parser (and adding a rule) does.
        assert!(
            FaultRule::from_json(&serde_json::to_vec(&FaultRule::status(200)).unwrap()).is_err()
        );
        assert!(
            FaultRule::from_json(&serde_json::to_vec(&FaultRule::close().count(0)).unwrap())
                .is_err()
        );
        assert!(
            FaultRule::from_json(
                &serde_json::to_vec(&FaultRule::slow(Duration::from_secs(601))).unwrap()
            )
            .is_err()
        );
        assert!(FaultRule::from_json(b"{\"fault\":\"explode\"}").is_err());

        let limits = [
            RateLimitRule::new(30, Duration::from_secs(60)),
            RateLimitRule::new(0, Duration::from_millis(1500)).key("k"),
        ];
        for limit in limits {
            let json = serde_json::to_vec(&limit).unwrap();
            assert_eq!(RateLimitRule::from_json(&json), Ok(limit.clone()));
        }
        assert_eq!(
            RateLimitRule::new(0, Duration::from_millis(1500)).window_secs,
            2,
            "rounded up"
        );
        assert_eq!(
            serde_json::to_value(RateLimitRule::new(30, Duration::from_secs(60))).unwrap(),
            serde_json::json!({"limit": 30, "window_secs": 60})
        );
        assert!(
            RateLimitRule::from_json(
                &serde_json::to_vec(&RateLimitRule::new(1, Duration::ZERO)).unwrap()
            )
            .is_err()
        );
    }

    #[test]
    fn rules_and_limits_clear_apart() {
        let f = Faults::default();
        f.add(FaultRule::close()).unwrap();
        f.set_rate_limit(
            RateLimitRule::new(5, Duration::from_secs(60)),
            SystemTime::now(),
        );
        f.clear_limits(None);
        assert_eq!(f.rate(None, SystemTime::now()), RateVerdict::Unlimited);
        assert_eq!(f.take(None), Some(Fault::Close), "the rule stands");
        f.add(FaultRule::close()).unwrap();
        f.set_rate_limit(
            RateLimitRule::new(5, Duration::from_secs(60)),
            SystemTime::now(),
        );
        f.clear_rules(None);
        assert_eq!(f.take(None), None);
        assert!(matches!(
            f.rate(None, SystemTime::now()),
            RateVerdict::Allowed { .. }
        ));
        f.record(Some("k"));
        f.reset();
        assert_eq!(f.rate(None, SystemTime::now()), RateVerdict::Unlimited);
        assert!(f.seen().is_empty());
    }
}

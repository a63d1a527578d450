//! When to try a request again, decided purely: the caller passes in what happened, how many
//! attempts were made, how long it has been and a jitter draw, and gets back "wait this long and
//! retry" or "give up". Deterministic under test; the clients supply the clock and the randomness.
//!
//! Defaults: at most 3 attempts within 30 s; backoff 250 ms doubling up to 8 s, with jitter (each wait
//! is between half and all of the backoff); a `429`'s `Retry-After` is honoured up to 60 s (a longer one
//! is returned to the caller at once).
//!
//! What is retried:
//! - a failure before anything was sent (connect, TLS): always, except uploads without opt-in;
//! - after the request may have been sent (timeouts, broken connections, `502`/`503`/`504`, `429`): only
//!   requests that are safe to repeat. Reads, unpin, metadata updates and revocations are; key creation,
//!   pins by hash and JSON pins are not (a repeat could create a second key or pin). Uploads are retried
//!   only with [`RetryPolicy::retry_uploads`], and are then streamed again from disk.

use std::time::Duration;

use http::StatusCode;

use crate::error::{ApiError, Error};

#[doc(inline)]
pub use crate::endpoint::Repeatable;

/// What the retry policy decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Wait this long, then send again.
    RetryAfter(Duration),
    /// Return the outcome to the caller.
    GiveUp,
}

/// How a client retries. Build with [`RetryPolicy::default`] and the setters.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_elapsed: Duration,
    max_retry_after: Duration,
    retry_uploads: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(8),
            max_elapsed: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(60),
            retry_uploads: false,
        }
    }
}

impl RetryPolicy {
    /// No retries at all: every request is sent once.
    pub fn never() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// At most `attempts` sends of one request (1 = no retry).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The first backoff, and the cap it doubles up to.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// No retry starts once this much time has passed since the first send (waits included).
    pub fn max_elapsed(mut self, budget: Duration) -> Self {
        self.max_elapsed = budget;
        self
    }

    /// The longest `Retry-After` that is waited out; a longer one is returned as the error.
    pub fn max_retry_after(mut self, cap: Duration) -> Self {
        self.max_retry_after = cap;
        self
    }

    /// Also retry file uploads (they are streamed from disk again).
    pub fn retry_uploads(mut self, retry: bool) -> Self {
        self.retry_uploads = retry;
        self
    }

    /// The most attempts.
    pub fn attempts_allowed(&self) -> u32 {
        self.max_attempts
    }

    /// Whether a request of `class` may be sent again after `error`, `attempts` sends and `elapsed`
    /// time; `now` is the wall clock (for a `Retry-After` date) and `jitter` a draw from `[0, 1)`.
    pub fn decide(
        &self,
        class: Repeatable,
        error: &Error,
        attempts: u32,
        elapsed: Duration,
        now: std::time::SystemTime,
        jitter: f64,
    ) -> Decision {
        if attempts >= self.max_attempts {
            return Decision::GiveUp;
        }
        if class == Repeatable::Upload && !self.retry_uploads {
            return Decision::GiveUp;
        }
        // Only a temporary failure is worth repeating, and once the request may have reached the
        // server, only a request that is safe to repeat.
        let repeat_ok = class == Repeatable::Safe || class == Repeatable::Upload;
        if !error.is_transient() || (error.may_have_been_sent() && !repeat_ok) {
            return Decision::GiveUp;
        }
        let backoff = self.backoff_for(attempts, jitter);
        let wait = match error.as_api().and_then(ApiError::retry_after) {
            Some(after) if error.status() == Some(StatusCode::TOO_MANY_REQUESTS) => {
                let wait = after.delay_from(now);
                if wait > self.max_retry_after {
                    return Decision::GiveUp;
                }
                wait.max(backoff)
            }
            _ => backoff,
        };
        if elapsed.saturating_add(wait) > self.max_elapsed {
            return Decision::GiveUp;
        }
        Decision::RetryAfter(wait)
    }

    /// The wait after the `attempts`-th send: exponential, capped, with "equal jitter" (between half
    /// and all of the backoff).
    fn backoff_for(&self, attempts: u32, jitter: f64) -> Duration {
        let exp = 2u32.saturating_pow(attempts.saturating_sub(1));
        let base = self
            .initial_backoff
            .saturating_mul(exp)
            .min(self.max_backoff);
        let jitter = if jitter.is_finite() {
            jitter.clamp(0.0, 1.0)
        } else {
            0.0
        };
        base.mul_f64(0.5 + jitter / 2.0)
    }
}

/// A small PRNG for jitter (xorshift64*, seeded from the clock and a counter). Not for secrets.
#[derive(Debug)]
pub(crate) struct Jitter(u64);

impl Jitter {
    pub(crate) fn new() -> Self {
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0x9E37_79B9_7F4A_7C15);
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        Jitter((t ^ COUNTER.fetch_add(0x9E37_79B9, Ordering::Relaxed)) | 1)
    }

    pub(crate) fn draw(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests;

/// One request's attempts: counts them, times them, and asks the policy after each failure. The
/// clients' send loops are this plus a sleep.
#[derive(Debug)]
pub(crate) struct Attempts {
    policy: RetryPolicy,
    class: Repeatable,
    started: std::time::Instant,
    /// When the current attempt began; only the tracing event reads it, so only it pays the clock.
    #[cfg(feature = "tracing")]
    attempt_started: std::time::Instant,
    made: u32,
    /// Drawn from only when a retry is considered.
    jitter: Option<Jitter>,
    /// Method and path (without the query), for tracing.
    #[cfg(feature = "tracing")]
    what: (http::Method, String),
}

/// What a client does after an attempt.
pub(crate) enum Next<T> {
    /// Return this to the caller.
    Done(Result<T, Error>),
    /// Sleep, then attempt again.
    Wait(Duration),
}

impl Attempts {
    pub(crate) fn new<E: crate::Endpoint + ?Sized>(policy: &RetryPolicy, endpoint: &E) -> Self {
        let now = std::time::Instant::now();
        Self {
            policy: policy.clone(),
            class: endpoint.repeatable(),
            started: now,
            #[cfg(feature = "tracing")]
            attempt_started: now,
            made: 0,
            jitter: None,
            #[cfg(feature = "tracing")]
            what: (
                endpoint.method(),
                endpoint
                    .path_and_query()
                    .map(|p| p.split('?').next().unwrap_or_default().to_owned())
                    .unwrap_or_default(),
            ),
        }
    }

    /// An attempt begins now.
    pub(crate) fn begin(&mut self) {
        #[cfg(feature = "tracing")]
        {
            self.attempt_started = std::time::Instant::now();
        }
    }

    #[cfg(feature = "tracing")]
    fn trace<T>(&self, result: &Result<T, Error>) {
        let status = match result {
            Ok(_) => "2xx".to_owned(),
            Err(Error::Api(e)) => e.status().as_str().to_owned(),
            Err(Error::Transport(e)) => format!("{:?}", e.kind()),
            Err(Error::Decode(e)) => format!("{} (undecodable)", e.status().as_str()),
            Err(Error::Redirect(e)) => e.status().as_str().to_owned(),
            Err(Error::Build(_)) => "not sent".to_owned(),
            Err(_) => "failed".to_owned(),
        };
        tracing::info!(
            target: "pinata",
            method = %self.what.0,
            path = %self.what.1,
            attempt = self.made,
            status = %status,
            duration_ms = self.attempt_started.elapsed().as_millis() as u64,
            "pinata request"
        );
    }

    /// Records one attempt's result and says what comes next. Errors carry the attempt count.
    pub(crate) fn after<T>(&mut self, result: Result<T, Error>) -> Next<T> {
        self.made += 1;
        #[cfg(feature = "tracing")]
        self.trace(&result);
        match result {
            Ok(v) => Next::Done(Ok(v)),
            Err(e) => {
                let draw = self.jitter.get_or_insert_with(Jitter::new).draw();
                match self.policy.decide(
                    self.class,
                    &e,
                    self.made,
                    self.started.elapsed(),
                    std::time::SystemTime::now(),
                    draw,
                ) {
                    Decision::RetryAfter(wait) => Next::Wait(wait),
                    Decision::GiveUp => Next::Done(Err(e.with_attempts(self.made))),
                }
            }
        }
    }
}

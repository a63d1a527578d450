//! The emulator's shared state: every store (`store/`), the account's secrets and settings, the
//! faults, the journal and the seed; and what is done to all of it at once: reading it back from the
//! database, a reset (the seed applied again), faults and rate limits as the handle and the
//! control surface add them, and the account's JWTs.

use std::collections::HashSet;
use std::io;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::config::PsaMode;
use crate::db::Persist;
use crate::error::HandleError;
use crate::faults::{FaultRule, Faults, RateLimitRule};
use crate::journal::Journal;
use crate::seed::Seed;
use crate::store::content::ContentStore;
use crate::store::files::FileStore;
use crate::store::grants::GrantStore;
use crate::store::groups::GroupStore;
use crate::store::keys::KeyStore;
use crate::store::pins::PinStore;
use crate::store::psa::PsaStore;
use crate::store::signatures::SignatureStore;
use crate::store::swaps::SwapStore;
use crate::store::tus::TusStore;
use crate::token::{self, Claims};

/// Everything handlers share: the account, its keys and the JWT signing secret.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) keys: KeyStore,
    /// The admin key's public key: the one key a reset keeps.
    pub(crate) admin_key: String,
    pub(crate) jwt_secret: Vec<u8>,
    pub(crate) user_id: String,
    pub(crate) jwt_lifetime: Duration,
    /// Keys per page of a key listing.
    pub(crate) key_page_size: usize,
    /// Pinned content on disk.
    pub(crate) content: ContentStore,
    /// Pins and pin-by-hash jobs.
    pub(crate) pins: PinStore,
    /// Delay before a pin by hash of held content completes.
    pub(crate) pin_delay: Duration,
    /// How long a pin by hash searches for content the emulator does not hold.
    pub(crate) search_expiry: Duration,
    /// Scripted faults and rate limits.
    pub(crate) faults: Faults,
    /// v3 groups.
    pub(crate) groups: GroupStore,
    /// v3 files.
    pub(crate) files: FileStore,
    /// Signed upload URLs not yet dropped.
    pub(crate) grants: GrantStore,
    /// The key signed URLs and download links are signed with (derived from the JWT secret).
    pub(crate) url_secret: Vec<u8>,
    /// CID swaps.
    pub(crate) swaps: SwapStore,
    /// CID signatures.
    pub(crate) signatures: SignatureStore,
    /// Resumable (TUS) uploads, in progress and just finished.
    pub(crate) tus: TusStore,
    /// The connections' idle timeout: a delay fault must end before it, or the connection would be
    /// closed while the answer waits.
    pub(crate) idle_timeout: Duration,
    /// The requests answered, most recent last.
    pub(crate) journal: Journal,
    /// `/psa` pin requests (their jobs are in `pins`).
    pub(crate) psa: PsaStore,
    /// How `/psa` answers.
    pub(crate) psa_mode: PsaMode,
    /// The seed applied at start-up and again after each reset, if one was given.
    pub(crate) seed: Option<Seed>,
    /// The `domain` of the one gateway the gateway list holds.
    pub(crate) gateway_domain: String,
    /// The database every store writes to, with `--data-dir`.
    pub(crate) db: Persist,
    /// `https` when served over TLS, else `http`: the scheme of the URLs the emulator makes for
    /// a client to use (signed upload URLs, a resumable upload's `Location`).
    pub(crate) scheme: &'static str,
}

impl State {
    /// Reads what `db` keeps into every store (nothing without a data directory), and has each
    /// store write its changes there from now on. Files come before resumable uploads (one whose
    /// file was recorded as the last run stopped is finished), which come before signed URLs
    /// (those they hold stay in use); the uploads' file ids are spoken for. Only once all of it
    /// was read are the partial files no kept upload owns removed.
    pub(crate) fn restore(&mut self, db: &Persist) -> io::Result<()> {
        self.keys.restore(db.clone())?;
        self.pins.restore(db.clone())?;
        self.groups.restore(db.clone())?;
        self.files.restore(db.clone())?;
        let (content, files) = (&self.content, &self.files);
        self.tus.restore(
            db.clone(),
            |token| content.tus_path(token),
            |file_id| files.cid_of(file_id),
        )?;
        let kept = self.tus.kept();
        self.files
            .follow(kept.iter().map(|(_, file_id, _)| file_id.as_str()));
        let held: HashSet<String> = kept.iter().filter_map(|(_, _, g)| g.clone()).collect();
        self.grants.restore(db.clone(), &held)?;
        self.swaps.restore(db.clone())?;
        self.signatures.restore(db.clone())?;
        self.psa.restore(db.clone())?;
        self.content.restore(db.clone())?;
        let tokens: HashSet<String> = kept.into_iter().map(|(token, _, _)| token).collect();
        self.content.remove_orphan_partials(&tokens)
    }

    /// Back to the state at start-up, as `POST /emulator/reset` does: only the admin key (unused,
    /// unrevoked), and no pins, jobs, `/psa` pin requests, files, groups, swaps, signatures, signed
    /// upload URLs, resumable uploads, faults (not even those given at start-up), rate limits, request counters
    /// or journal entries; the content on disk removed, the data directory kept; then the seed (if
    /// any) is applied again, its files read from disk anew. What survives:
    /// the admin key and secret (so its JWTs stay valid), the JWT secret (and so the signing key of
    /// URLs), the account id, and every setting. Requests in flight meanwhile may fail, or leave
    /// what they finish behind.
    pub(crate) fn reset(&self) -> io::Result<()> {
        self.faults.reset();
        self.keys.reset(&self.admin_key);
        self.grants.clear();
        self.tus.clear();
        self.pins.clear();
        self.psa.clear();
        self.files.clear();
        self.groups.clear();
        self.swaps.clear();
        self.signatures.clear();
        self.journal.clear();
        self.content.clear()?;
        // The seed again, so a reset is back to the known account (its files read anew).
        if let Some(seed) = &self.seed {
            self.apply_seed(seed, SystemTime::now())
                .map_err(|e| io::Error::other(format!("re-applying the seed: {e}")))?;
        }
        Ok(())
    }

    /// Puts `seed` into the stores (at start-up, or just after a reset emptied them).
    pub(crate) fn apply_seed(&self, seed: &Seed, now: SystemTime) -> Result<(), String> {
        seed.apply(&self.keys, &self.groups, &self.files, &self.content, now)
    }

    /// A JWT for `key`/`secret`, expiring after the configured lifetime.
    pub(crate) fn mint(&self, key: &str, secret: &str, now: SystemTime) -> String {
        let exp = now
            .checked_add(self.jwt_lifetime)
            .unwrap_or(now)
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .as_secs();
        token::sign(
            &Claims::new(&self.user_id, key, secret, exp),
            &self.jwt_secret,
        )
    }

    /// Adds a fault rule as `POST /emulator/faults` does: validated, its delay within the idle
    /// timeout ([`Invalid`](crate::HandleErrorKind::Invalid) otherwise), at most
    /// [`MAX_RULES`](crate::faults::MAX_RULES) standing ([`Full`](crate::HandleErrorKind::Full)).
    pub(crate) fn add_fault(&self, rule: FaultRule) -> Result<(), HandleError> {
        rule.validate().map_err(HandleError::invalid)?;
        rule.fits_idle_timeout(self.idle_timeout)
            .map_err(HandleError::invalid)?;
        self.faults.add(rule).map_err(HandleError::full)
    }

    /// Sets a rate limit as `PUT /emulator/rate_limit` does (validated; its window starts now).
    pub(crate) fn set_rate_limit(&self, rule: RateLimitRule) -> Result<(), HandleError> {
        rule.validate().map_err(HandleError::invalid)?;
        self.faults.set_rate_limit(rule, SystemTime::now());
        Ok(())
    }
}

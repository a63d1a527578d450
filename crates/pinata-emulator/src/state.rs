//! The emulator's shared state.

use std::time::Duration;

use crate::content::ContentStore;
use crate::faults::Faults;
use crate::keys::KeyStore;
use crate::pins::PinStore;

/// Everything handlers share: the account, its keys and the JWT signing secret.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) keys: KeyStore,
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
    pub(crate) groups: crate::api::groups::GroupStore,
    /// v3 files.
    pub(crate) files: crate::files::FileStore,
    /// Signed upload URLs not yet dropped.
    pub(crate) grants: crate::api::signed::GrantStore,
    /// The key signed URLs and download links are signed with (derived from the JWT secret).
    pub(crate) url_secret: Vec<u8>,
    /// CID swaps.
    pub(crate) swaps: crate::api::swaps::SwapStore,
    /// CID signatures.
    pub(crate) signatures: crate::api::swaps::SignatureStore,
    /// Resumable (TUS) uploads, in progress and just finished.
    pub(crate) tus: crate::tus::TusStore,
    /// The connections' idle timeout: a delay fault must end before it, or the connection would be
    /// closed while the answer waits.
    pub(crate) idle_timeout: Duration,
}

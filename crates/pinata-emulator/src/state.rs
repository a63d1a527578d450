//! The emulator's shared state.

use std::time::Duration;

use crate::keys::KeyStore;

/// Everything handlers share: the account, its keys and the JWT signing secret.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) keys: KeyStore,
    pub(crate) jwt_secret: Vec<u8>,
    pub(crate) user_id: String,
    pub(crate) jwt_lifetime: Duration,
    /// Keys per page of a key listing.
    pub(crate) key_page_size: usize,
}

//! Checks on request inputs that several endpoints share, made before anything is sent: CIDs,
//! key-values and expiry dates. Each endpoint module uses these rather than another endpoint's.

use std::collections::BTreeMap;

use crate::cid::Cid;
use crate::error::BuildError;

/// Most key-values one pin may carry.
pub const MAX_KEYVALUES: usize = 10;

/// The most key-values a file carries (as for legacy pins).
pub const MAX_FILE_KEYVALUES: usize = MAX_KEYVALUES;

/// The last second of year 9999, the latest expiry accepted.
pub const MAX_EXPIRES_AT: u64 = 253_402_300_799;

/// Refuses text that is not a CID, before it is sent.
pub(crate) fn check_cid(cid: &str) -> Result<(), BuildError> {
    cid.parse::<Cid>()
        .map(|_| ())
        .map_err(|e| BuildError::InvalidInput(e.to_string()))
}

/// Refuses more key-values than a file carries.
pub(crate) fn check_keyvalues(keyvalues: &BTreeMap<String, String>) -> Result<(), BuildError> {
    if keyvalues.len() > MAX_FILE_KEYVALUES {
        return Err(BuildError::InvalidInput(format!(
            "a file carries at most {MAX_FILE_KEYVALUES} key-values, not {}",
            keyvalues.len()
        )));
    }
    Ok(())
}

/// Refuses an expiry of 0 or past year 9999.
pub(crate) fn check_expiry(unix_seconds: u64) -> Result<(), BuildError> {
    if unix_seconds == 0 || unix_seconds > MAX_EXPIRES_AT {
        return Err(BuildError::InvalidInput(format!(
            "an expiry is 1 to {MAX_EXPIRES_AT} (unix seconds), not {unix_seconds}"
        )));
    }
    Ok(())
}

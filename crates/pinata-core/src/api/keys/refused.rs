//! Why a key request is refused before it is sent: [`KeySpecError`]. Its own module, below the
//! endpoints, because the error taxonomy ([`crate::BuildError::InvalidKey`]) names it.

use std::fmt;

use super::PermissionsError;

/// Why a key request is refused before it is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeySpecError {
    /// The key name is empty or only whitespace.
    EmptyName,
    /// The permissions cannot be a key's grant.
    Permissions(PermissionsError),
    /// A maximum of zero uses: the key could never be used.
    ZeroMaxUses,
}

impl fmt::Display for KeySpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeySpecError::EmptyName => f.write_str("the key needs a name"),
            KeySpecError::Permissions(e) => e.fmt(f),
            KeySpecError::ZeroMaxUses => {
                f.write_str("max uses must be at least 1 (leave it unset for unlimited uses)")
            }
        }
    }
}

impl std::error::Error for KeySpecError {}

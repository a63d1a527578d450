//! A string that holds secret material: redacted when printed, zeroed when dropped.

use std::fmt;

use zeroize::Zeroize;

/// Secret text (a JWT or an API secret).
///
/// `Debug` prints `[REDACTED]` and there is no `Display`; the bytes are overwritten with zeros when the
/// value is dropped. Read the secret with [`SecretString::expose_secret`], whose name makes every read
/// visible in review.
///
/// Zeroing is best effort: once the secret is copied into an HTTP header value it lives in buffers
/// owned by `http` and the transport, which do not zero their memory.
#[derive(Clone)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps `value`; from now on it is redacted in `Debug` and zeroed on drop.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret text itself.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl Drop for SecretString {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl PartialEq for SecretString {
    /// Compares in time that depends on the lengths only, not on where the first difference is.
    fn eq(&self, other: &Self) -> bool {
        constant_time_eq(self.0.as_bytes(), other.0.as_bytes())
    }
}

impl Eq for SecretString {}

/// Compares two byte strings without an early exit on the first differing byte.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = SecretString::new("hunter2-very-secret");
        assert_eq!(format!("{s:?}"), "[REDACTED]");
        assert_eq!(s.expose_secret(), "hunter2-very-secret");
    }

    #[test]
    fn equality_compares_contents() {
        assert_eq!(SecretString::new("abc"), SecretString::new("abc"));
        assert_ne!(SecretString::new("abc"), SecretString::new("abd"));
        assert_ne!(SecretString::new("abc"), SecretString::new("abcd"));
    }
}

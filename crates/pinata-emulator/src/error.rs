//! [`HandleError`]: why a method of [`EmulatorHandle`](crate::EmulatorHandle) refused what it was
//! asked, or could not do it.

use std::fmt;
use std::io;

/// What kind of refusal or failure a [`HandleError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HandleErrorKind {
    /// The request breaks a rule the matching HTTP endpoint applies too (that endpoint would
    /// answer 400): a number out of range, a delay not shorter than the idle timeout, a name empty
    /// or too long, a permission that does not exist.
    Invalid,
    /// A cap is reached: [`MAX_RULES`](crate::faults::MAX_RULES) fault rules,
    /// [`MAX_KEYS`](crate::MAX_KEYS) keys, or the most groups or files (or file bytes) the
    /// emulator keeps.
    Full,
    /// The emulator could not do it: no random bytes for an id, or the content not written to
    /// disk (the I/O error is the [`source`](std::error::Error::source), when there is one).
    Io,
}

/// Why a method of [`EmulatorHandle`](crate::EmulatorHandle) (`add_fault`, `set_rate_limit`,
/// `create_key`, `create_group`, `create_file`) did not do what it was asked.
///
/// [`kind`](HandleError::kind) says which sort of problem it is; `Display` says what was refused
/// and why, in the words the HTTP control endpoints use, and
/// [`source`](std::error::Error::source) is the I/O error underneath an
/// [`Io`](HandleErrorKind::Io) failure, when there is one (not repeated in `Display`).
///
/// ```
/// use pinata_emulator::{Emulator, FaultRule, HandleErrorKind};
///
/// let emu = Emulator::spawn(Default::default())?;
/// let refused = emu.add_fault(FaultRule::status(200)).unwrap_err();
/// assert_eq!(refused.kind(), HandleErrorKind::Invalid);
/// assert!(refused.to_string().contains("status"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct HandleError {
    kind: HandleErrorKind,
    message: String,
    source: Option<io::Error>,
}

impl HandleError {
    /// A request that breaks the endpoint's rules (`message` says which).
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self {
            kind: HandleErrorKind::Invalid,
            message: message.into(),
            source: None,
        }
    }

    /// A cap reached (`message` names it).
    pub(crate) fn full(message: impl Into<String>) -> Self {
        Self {
            kind: HandleErrorKind::Full,
            message: message.into(),
            source: None,
        }
    }

    /// A failure of the emulator's own (`message` says what it was doing), with the I/O error
    /// underneath if there is one.
    pub(crate) fn io(message: impl Into<String>, source: Option<io::Error>) -> Self {
        Self {
            kind: HandleErrorKind::Io,
            message: message.into(),
            source,
        }
    }

    /// The same error, its message prefixed with `context` (`"group \"site\": …"`).
    pub(crate) fn context(mut self, context: impl fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }

    /// Which sort of problem this is.
    pub fn kind(&self) -> HandleErrorKind {
        self.kind
    }
}

impl fmt::Display for HandleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for HandleError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn display_is_the_message_and_the_io_error_is_the_source() {
        let e = HandleError::io(
            "storing \"a.txt\"",
            Some(io::Error::new(io::ErrorKind::StorageFull, "disk full")),
        );
        assert_eq!(e.kind(), HandleErrorKind::Io);
        assert_eq!(e.to_string(), "storing \"a.txt\"");
        assert_eq!(
            e.source().map(ToString::to_string).as_deref(),
            Some("disk full")
        );
        let e = HandleError::full("at most 2 things").context("group \"g\"");
        assert_eq!(
            (e.kind(), e.to_string().as_str()),
            (HandleErrorKind::Full, "group \"g\": at most 2 things")
        );
        assert!(e.source().is_none());
        // `?` into the error types tests use.
        let boxed: Box<dyn std::error::Error + Send + Sync> = HandleError::invalid("x").into();
        assert_eq!(boxed.to_string(), "x");
    }
}

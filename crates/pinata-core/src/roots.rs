//! Root certificates the user trusts besides (or instead of) the transport's built-in set: the
//! private root of a TLS-inspecting corporate proxy, or of an emulator serving HTTPS.
//!
//! The core only reads PEM into DER certificates (sans-IO: the caller reads the file); each
//! transport hands them to rustls, which checks them when it builds its verifier.

use std::fmt;

use base64::Engine as _;
use bytes::Bytes;

const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
const END: &str = "-----END CERTIFICATE-----";

/// Root certificates to trust, set with [`crate::Config::with_root_certificates`].
///
/// By default they are trusted **in addition to** the roots the transport's features choose
/// (Mozilla's set, or the operating system's); [`RootCertificates::only`] trusts them alone.
///
/// ```
/// use pinata_core::{Config, RootCertificates};
///
/// # let pem = include_str!("../tests/data/root.pem");
/// let roots = RootCertificates::from_pem(pem.as_bytes())?;
/// let config = Config::default().with_root_certificates(roots);
/// assert_eq!(config.root_certificates().map(RootCertificates::len), Some(1));
/// # Ok::<(), pinata_core::RootCertificatesError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Default)]
pub struct RootCertificates {
    der: Vec<Bytes>,
    only: bool,
}

impl RootCertificates {
    /// The `CERTIFICATE` blocks of PEM text (a file of one or more certificates; text between the
    /// blocks and blocks of other types, such as keys, are skipped). At least one certificate is
    /// required. The DER inside is checked by the transport, when it is built.
    pub fn from_pem(pem: &[u8]) -> Result<Self, RootCertificatesError> {
        let text = std::str::from_utf8(pem).map_err(|_| RootCertificatesError::NotText)?;
        let mut der = Vec::new();
        let mut block: Option<String> = None;
        for line in text.lines() {
            let line = line.trim();
            match &mut block {
                None if line == BEGIN => block = Some(String::new()),
                None => {}
                Some(body) if line == END => {
                    let index = der.len() + 1;
                    let bytes = base64::engine::general_purpose::STANDARD
                        .decode(body.as_bytes())
                        .map_err(|_| RootCertificatesError::BadBase64 { index })?;
                    if bytes.is_empty() {
                        return Err(RootCertificatesError::BadBase64 { index });
                    }
                    der.push(Bytes::from(bytes));
                    block = None;
                }
                Some(body) => body.push_str(line),
            }
        }
        if block.is_some() {
            return Err(RootCertificatesError::Unterminated {
                index: der.len() + 1,
            });
        }
        if der.is_empty() {
            return Err(RootCertificatesError::NoCertificate);
        }
        Ok(Self { der, only: false })
    }

    /// These certificates, DER-encoded, as they are (checked by the transport when it is built).
    pub fn from_der<I, B>(certificates: I) -> Self
    where
        I: IntoIterator<Item = B>,
        B: Into<Bytes>,
    {
        Self {
            der: certificates.into_iter().map(Into::into).collect(),
            only: false,
        }
    }

    /// The same roots, trusted alone: the transport's built-in set is not used.
    pub fn only(mut self) -> Self {
        self.only = true;
        self
    }

    /// Whether these roots replace the built-in set ([`RootCertificates::only`]).
    pub fn replaces_built_in(&self) -> bool {
        self.only
    }

    /// The certificates, DER-encoded, in the order given.
    pub fn der(&self) -> impl Iterator<Item = &[u8]> {
        self.der.iter().map(|c| c.as_ref())
    }

    /// How many certificates there are.
    pub fn len(&self) -> usize {
        self.der.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.der.is_empty()
    }

    /// These and `more` together (trusted alone if either is).
    pub(crate) fn merged(mut self, more: RootCertificates) -> Self {
        self.der.extend(more.der);
        self.only |= more.only;
        self
    }
}

impl fmt::Debug for RootCertificates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RootCertificates")
            .field("certificates", &self.der.len())
            .field("only", &self.only)
            .finish()
    }
}

/// PEM text that holds no usable root certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RootCertificatesError {
    /// The text is not UTF-8 (a DER file, perhaps: give [`RootCertificates::from_der`] its bytes).
    NotText,
    /// There is no `-----BEGIN CERTIFICATE-----` block.
    NoCertificate,
    /// The certificate at `index` (from 1) is not valid base64.
    BadBase64 {
        /// Which certificate, counting from 1.
        index: usize,
    },
    /// The certificate at `index` (from 1) has no `-----END CERTIFICATE-----` line.
    Unterminated {
        /// Which certificate, counting from 1.
        index: usize,
    },
    /// The operating system gave no root certificate the TLS library can use (a transport built
    /// with its `native-roots` feature): what went wrong first, or that there were none.
    NoSystemRoots {
        /// The loader's first error, or `none found`.
        reason: String,
    },
    /// The transport's TLS library refused the certificate at `index` (from 1) as a root: it is
    /// not a valid X.509 certificate. Returned by transports when they are built.
    Unusable {
        /// Which certificate, counting from 1.
        index: usize,
        /// What the TLS library said.
        reason: String,
    },
}

impl fmt::Display for RootCertificatesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotText => f.write_str("the root certificates are not PEM text"),
            Self::NoCertificate => {
                f.write_str("there is no -----BEGIN CERTIFICATE----- block in the PEM text")
            }
            Self::BadBase64 { index } => {
                write!(f, "certificate {index} of the PEM text is not valid base64")
            }
            Self::Unterminated { index } => write!(
                f,
                "certificate {index} of the PEM text has no -----END CERTIFICATE----- line"
            ),
            Self::NoSystemRoots { reason } => write!(
                f,
                "could not load the operating system's root certificates: {}",
                crate::escape_untrusted(reason)
            ),
            Self::Unusable { index, reason } => write!(
                f,
                "root certificate {index} is not usable: {}",
                crate::escape_untrusted(reason)
            ),
        }
    }
}

impl std::error::Error for RootCertificatesError {}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = include_str!("../tests/data/root.pem");

    #[test]
    fn reads_every_certificate_block_and_skips_the_rest() {
        let two = format!(
            "subject=CN = test\n{ONE}\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\r\n{ONE}"
        );
        let roots = RootCertificates::from_pem(two.as_bytes()).unwrap();
        assert_eq!(roots.len(), 2);
        let first: Vec<&[u8]> = roots.der().collect();
        assert_eq!(first[0], first[1]);
        // DER of a certificate starts with a SEQUENCE.
        assert_eq!(first[0][0], 0x30);
        assert!(!roots.replaces_built_in());
        assert!(roots.only().replaces_built_in());
    }

    #[test]
    fn text_without_a_usable_certificate_is_refused_saying_why() {
        let cases: [(&[u8], RootCertificatesError); 4] = [
            (b"", RootCertificatesError::NoCertificate),
            (b"\xff\xfe", RootCertificatesError::NotText),
            (
                b"-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n",
                RootCertificatesError::BadBase64 { index: 1 },
            ),
            (
                b"-----BEGIN CERTIFICATE-----\nMIIB\n",
                RootCertificatesError::Unterminated { index: 1 },
            ),
        ];
        for (pem, expected) in cases {
            assert_eq!(RootCertificates::from_pem(pem), Err(expected));
        }
    }

    #[test]
    fn debug_counts_the_certificates() {
        let roots = RootCertificates::from_pem(ONE.as_bytes()).unwrap();
        assert_eq!(
            format!("{roots:?}"),
            "RootCertificates { certificates: 1, only: false }"
        );
    }
}

//! HTTPS ([`EmulatorConfig::tls`](crate::EmulatorConfig::tls)): the server's certificate, read
//! from PEM files or made at start-up, and the rustls acceptor (ring; ALPN `h2`, then `http/1.1`)
//! the accept loop wraps each connection in.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::{self, PemObject};
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// ALPN's name for HTTP/2, offered first.
pub(crate) const ALPN_H2: &[u8] = b"h2";
/// ALPN's name for HTTP/1.1.
pub(crate) const ALPN_HTTP1: &[u8] = b"http/1.1";

/// The names a self-signed certificate is made for unless others are given.
pub const DEFAULT_TLS_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// How the emulator serves HTTPS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsConfig {
    /// A certificate chain and its private key, both PEM files (`--tls-cert`, `--tls-key`): the
    /// chain leaf first, the key PKCS #8, PKCS #1 or SEC1.
    Files {
        /// The certificate chain (PEM), the server's own certificate first.
        cert: PathBuf,
        /// The private key (PEM).
        key: PathBuf,
    },
    /// A certificate made at start-up for these DNS names and IP addresses
    /// (`--tls-self-signed`), its PEM in the start-up line's `ca_pem` and
    /// [`EmulatorHandle::certificate_pem`](crate::EmulatorHandle::certificate_pem), for a client
    /// to trust.
    SelfSigned {
        /// DNS names and IP addresses (as text) the certificate is valid for.
        names: Vec<String>,
    },
}

impl TlsConfig {
    /// A self-signed certificate for [`DEFAULT_TLS_NAMES`]: `localhost`, `127.0.0.1`, `::1`.
    pub fn self_signed() -> Self {
        TlsConfig::SelfSigned {
            names: DEFAULT_TLS_NAMES.iter().map(|&n| n.to_owned()).collect(),
        }
    }

    /// Checks what can be checked without reading a file: a self-signed certificate names at least
    /// one host, and no name is empty.
    pub(crate) fn validate(&self) -> Result<(), String> {
        match self {
            TlsConfig::Files { .. } => Ok(()),
            TlsConfig::SelfSigned { names } if names.is_empty() => {
                Err("a self-signed certificate needs at least one name".to_owned())
            }
            TlsConfig::SelfSigned { names } => match names.iter().find(|n| n.trim().is_empty()) {
                Some(_) => Err("a self-signed certificate's name cannot be empty".to_owned()),
                None => Ok(()),
            },
        }
    }
}

/// What the server holds for HTTPS: the acceptor, and the PEM of a certificate it made.
#[derive(Clone)]
pub(crate) struct Tls {
    /// Wraps an accepted connection in TLS.
    pub(crate) acceptor: TlsAcceptor,
    /// The self-signed certificate's PEM (none for certificate files).
    pub(crate) certificate_pem: Option<String>,
}

/// A start-up error of kind `InvalidInput` (a usage error, exit code 2 from the command line).
fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

/// The start-up error for the PEM file `path` given as `flag`, holding `what` (a certificate chain,
/// a private key): one that cannot be read says so, one that does not parse says what it lacks.
fn pem_error(flag: &str, path: &Path, what: &str, e: pem::Error) -> io::Error {
    match e {
        pem::Error::Io(e) => invalid(format!("{flag} {}: cannot be read: {e}", path.display())),
        pem::Error::NoItemsFound => invalid(format!(
            "{flag} {}: not a PEM {what}: no such PEM block in the file",
            path.display()
        )),
        e => invalid(format!("{flag} {}: not a PEM {what}: {e}", path.display())),
    }
}

/// The certificate chain in the PEM file `path`: at least one certificate.
fn read_chain(path: &Path) -> io::Result<Vec<CertificateDer<'static>>> {
    let bad = |e| pem_error("--tls-cert", path, "certificate chain", e);
    let chain = CertificateDer::pem_file_iter(path)
        .map_err(bad)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(bad)?;
    if chain.is_empty() {
        return Err(bad(pem::Error::NoItemsFound));
    }
    Ok(chain)
}

/// The private key in the PEM file `path`.
fn read_key(path: &Path) -> io::Result<PrivateKeyDer<'static>> {
    PrivateKeyDer::from_pem_file(path).map_err(|e| pem_error("--tls-key", path, "private key", e))
}

/// rustls's *ring* provider, named explicitly (as pinata-hyper's `ring_provider`).
///
/// rustls 0.23.48 deprecates `crypto::ring::default_provider` because *ring* has no post-quantum
/// key exchange, and offers no other way to build *ring*'s provider; aws-lc-rs, the provider with
/// one, is kept out of the tree on purpose (`cargo xtask ci` refuses it). The deprecation is
/// allowed here, the one place the emulator uses it (`allow`, not `expect`: before 0.23.48 there is
/// nothing to allow).
#[allow(deprecated)]
pub(crate) fn ring_provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::ring::default_provider()
}

/// Reads or makes the certificate and builds the acceptor: `InvalidInput` naming the file for a
/// bad PEM file, or a key that does not fit the certificate.
pub(crate) fn load(config: &TlsConfig) -> io::Result<Tls> {
    let (chain, key, certificate_pem, what) = match config {
        TlsConfig::Files { cert, key } => (
            read_chain(cert)?,
            read_key(key)?,
            None,
            format!(
                "--tls-cert {} with --tls-key {}",
                cert.display(),
                key.display()
            ),
        ),
        TlsConfig::SelfSigned { names } => {
            let made = rcgen::generate_simple_self_signed(names.clone()).map_err(|e| {
                invalid(format!(
                    "cannot make a self-signed certificate for {names:?}: {e}"
                ))
            })?;
            let key =
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(made.signing_key.serialize_der()));
            (
                vec![made.cert.der().clone()],
                key,
                Some(made.cert.pem()),
                "the self-signed certificate".to_owned(),
            )
        }
    };
    let provider = Arc::new(ring_provider());
    let mut server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid(format!("TLS: {e}")))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| invalid(format!("{what}: {e}")))?;
    // HTTP/2 for a client that offers it, else HTTP/1.1 (a client offering no ALPN gets HTTP/1.1
    // too).
    server.alpn_protocols = vec![ALPN_H2.to_vec(), ALPN_HTTP1.to_vec()];
    Ok(Tls {
        acceptor: TlsAcceptor::from(Arc::new(server)),
        certificate_pem,
    })
}

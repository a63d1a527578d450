//! The TLS client configuration: the roots the features choose (Mozilla's set with
//! `webpki-roots`, the operating system's with `native-roots`), plus or instead of the user's
//! ([`Config::with_root_certificates`](pinata_core::Config::with_root_certificates)), with
//! rustls's *ring* provider.

use std::sync::Arc;

use pinata_core::{RootCertificates, RootCertificatesError, TransportError, TransportErrorKind};
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};

/// The rustls client configuration for `roots` (`None`: the built-in set alone).
pub(crate) fn client_config(
    roots: Option<&RootCertificates>,
) -> Result<ClientConfig, TransportError> {
    let mut store = RootCertStore::empty();
    if !roots.is_some_and(RootCertificates::replaces_built_in) {
        built_in(&mut store)?;
    }
    for (i, der) in roots.iter().flat_map(|r| r.der()).enumerate() {
        store
            .add(CertificateDer::from(der))
            .map_err(|e| RootCertificatesError::unusable(i + 1, e))?;
    }
    Ok(
        ClientConfig::builder_with_provider(Arc::new(crate::ring_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| TransportError::not_sent(TransportErrorKind::Tls, e))?
            .with_root_certificates(store)
            .with_no_client_auth(),
    )
}

#[cfg(not(feature = "native-roots"))]
fn built_in(store: &mut RootCertStore) -> Result<(), TransportError> {
    store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    Ok(())
}

/// The operating system's roots; those rustls cannot parse are skipped, as hyper-rustls does.
#[cfg(feature = "native-roots")]
fn built_in(store: &mut RootCertStore) -> Result<(), TransportError> {
    let found = rustls_native_certs::load_native_certs();
    let (added, _) = store.add_parsable_certificates(found.certs);
    if added == 0 {
        return Err(RootCertificatesError::no_system_roots(found.errors));
    }
    Ok(())
}

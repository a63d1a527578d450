//! The roots the agent trusts: ureq's default (Mozilla's set, or the platform verifier with the
//! `native-roots` feature), or with [`Config::with_root_certificates`](pinata_core::Config) that
//! set and the user's roots together, or the user's alone.
//!
//! ureq takes extra roots only as a whole list (`RootCerts::Specific`), so the built-in set is
//! listed too: Mozilla's as certificates (`webpki-root-certs`, the same set as the
//! `webpki-roots` ureq uses otherwise), or the operating system's (`rustls-native-certs`; the
//! platform verifier cannot be given extra roots through ureq).

use pinata_core::{RootCertificates, RootCertificatesError, TransportError};
use ureq::tls::{Certificate, RootCerts, TlsConfig};

/// The TLS configuration for `roots` (`None`: ureq's default for the enabled features).
pub(crate) fn tls_config(roots: Option<&RootCertificates>) -> Result<TlsConfig, TransportError> {
    let builder = TlsConfig::builder();
    let Some(roots) = roots else {
        #[cfg(feature = "native-roots")]
        let builder = builder.root_certs(RootCerts::PlatformVerifier);
        return Ok(builder.build());
    };
    let mut certs: Vec<Certificate<'static>> = Vec::new();
    if !roots.replaces_built_in() {
        built_in(&mut certs)?;
    }
    // Checked now, as pinata-hyper's store checks them, so a bad root is an error when the
    // transport is built rather than an unknown issuer at the first request.
    let mut check = rustls::RootCertStore::empty();
    for (i, der) in roots.der().enumerate() {
        check
            .add(rustls::pki_types::CertificateDer::from(der))
            .map_err(|e| RootCertificatesError::unusable(i + 1, e))?;
        certs.push(Certificate::from_der(der).to_owned());
    }
    Ok(builder
        .root_certs(RootCerts::Specific(certs.into()))
        .build())
}

#[cfg(not(feature = "native-roots"))]
fn built_in(certs: &mut Vec<Certificate<'static>>) -> Result<(), TransportError> {
    certs.extend(
        webpki_root_certs::TLS_SERVER_ROOT_CERTS
            .iter()
            .map(|c| Certificate::from_der(c.as_ref())),
    );
    Ok(())
}

#[cfg(feature = "native-roots")]
fn built_in(certs: &mut Vec<Certificate<'static>>) -> Result<(), TransportError> {
    let found = rustls_native_certs::load_native_certs();
    if found.certs.is_empty() {
        return Err(RootCertificatesError::no_system_roots(found.errors));
    }
    certs.extend(
        found
            .certs
            .iter()
            .map(|c| Certificate::from_der(c.as_ref()).to_owned()),
    );
    Ok(())
}

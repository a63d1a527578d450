//! The handlers, one module per API family, mirroring `pinata-core`'s `api/`: each takes what the
//! pipeline (`routes.rs`) has already checked — an authenticated caller with the route's
//! permission, a decoded body — and acts.

pub(crate) mod control;
pub(crate) mod files;
pub(crate) mod gateway;
pub(crate) mod groups;
pub(crate) mod keys;
pub(crate) mod pin_by_cid;
pub(crate) mod pinning;
pub(crate) mod psa;
pub(crate) mod receive;
pub(crate) mod signed;
pub(crate) mod swaps;
pub(crate) mod tus;

//! The emulator's integration tests, in one binary (linking a test binary costs more than most
//! of its tests run): one module per concern, the helpers in `common`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod control;
#[cfg(all(unix, feature = "persistence"))]
mod data_dir;
mod files;
mod gateways;
mod h2;
mod hostile;
mod layering;
mod permissions;
#[cfg(feature = "persistence")]
mod persist;
mod psa;
mod seed;
mod spawn;
mod tls;
mod tus;

//! The end-to-end suite, written once and run through every transport.
//!
//! - [`cases`] holds each scenario as a function generic over a [`Driver`];
//! - `tests/e2e.rs` instantiates every case for every driver (`hyper::…`, `ureq::…`);
//! - [`target`] decides what the suite talks to: an in-process emulator (default), an emulator
//!   process started by `cargo xtask it`, or the real API (`cargo xtask it --live`, read-only cases).

// This crate is test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod cases;
pub mod connect_proxy;
pub mod control;
pub mod driver;
pub mod fake;
pub mod process;
pub mod scratch;
pub mod target;

pub use driver::{Driver, HyperDriver, UreqDriver};

/// The README's code blocks, compiled as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

//! The `pinata` binary's integration tests against emulator processes, in one binary (linking a
//! test binary costs more than most of its tests run): the commands (`cli`), a real terminal
//! (`pty`) and resumed uploads (`resume`), the helpers in `common`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod cli;
mod pty;
mod resume;

//! `pinata-emulator`: run the Pinata API emulator as a process (see `pinata_emulator::cli`).

use std::process::ExitCode;

fn main() -> ExitCode {
    pinata_emulator::cli::run(std::env::args().skip(1), "pinata-emulator")
}

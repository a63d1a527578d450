//! The emulator as a process for the suite's restart tests (`pinata_e2e::process`): the same
//! command line as `pinata-emulator`, built with this package so its tests always find it.

fn main() -> std::process::ExitCode {
    pinata_emulator::cli::run(std::env::args().skip(1), "pinata-e2e-emulator")
}

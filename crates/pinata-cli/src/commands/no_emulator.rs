//! `pinata emulator` in a build without the `emulator` feature (`--no-default-features`): no
//! emulator is compiled in, so the command says so and how to get one, as a usage error.

use std::process::ExitCode;

use crate::exit::CliError;

/// Says that this build has no emulator and how to get one; exit code 2. The emulator's flags,
/// `args`, are not read.
pub fn run(_args: Vec<String>) -> ExitCode {
    let e = absent();
    eprintln!("pinata: error: {e}");
    e.exit_code()
}

/// The error `pinata emulator` ends with.
fn absent() -> CliError {
    CliError::usage(
        "this pinata was built without the emulator (the `emulator` cargo feature, on by default)",
    )
    .hint(
        "install a pinata with it, `cargo install --path crates/pinata-cli` (default features), \
         or run the emulator on its own: `cargo run -p pinata-emulator -- --listen 127.0.0.1:8080`",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_is_a_usage_error_that_says_how_to_get_an_emulator() {
        let e = absent();
        assert_eq!(e.kind.code(), 2);
        let text = e.to_string();
        assert!(text.contains("built without the emulator"), "{text}");
        assert!(
            text.contains("cargo install --path crates/pinata-cli"),
            "{text}"
        );
    }
}

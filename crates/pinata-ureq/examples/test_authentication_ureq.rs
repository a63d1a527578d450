//! Checks the credentials in the environment against the API (or `PINATA_API_URL`).
//!
//! ```sh
//! PINATA_API_KEY=… PINATA_API_SECRET=… cargo run -p pinata-ureq --example test_authentication_ureq
//! ```

use std::process::ExitCode;

fn main() -> ExitCode {
    let result = pinata_ureq::Client::from_env().and_then(|client| client.test_authentication());
    match result {
        Ok(ok) => {
            println!("{}", ok.message);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

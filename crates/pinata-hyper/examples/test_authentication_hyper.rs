//! Checks the credentials in the environment against the API (or `PINATA_API_URL`).
//!
//! ```sh
//! PINATA_JWT=… cargo run -p pinata-hyper --example test_authentication_hyper
//! ```

use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let client = match pinata_hyper::Client::from_env() {
        Ok(client) => client,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match client.test_authentication().await {
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

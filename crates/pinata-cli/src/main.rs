//! `pinata`, the command line for the Pinata IPFS API, on the blocking client (`pinata-ureq`):
//! argument parsing and presentation only; every request is pinata-core's.

mod args;
mod commands;
mod config;
mod exit;
mod interrupt;
mod network;
mod output;
mod progress;
mod size;
mod state;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::args::{Cli, Command};
use crate::commands::Ctx;
use crate::exit::CliResult;
use crate::output::{Format, Out};
use crate::progress::Progress;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Emulator { args } = cli.command {
        return commands::emulator::run(args);
    }
    let format = if cli.global.json {
        Format::Json
    } else if cli.global.quiet {
        Format::Quiet
    } else {
        Format::Human
    };
    let ctx = Ctx {
        progress: Progress::new(cli.global.progress),
        out: Out { format },
        global: cli.global,
    };
    match run(&ctx, cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pinata: error: {e}");
            e.exit_code()
        }
    }
}

fn run(ctx: &Ctx, command: Command) -> CliResult {
    use crate::commands::*;
    match command {
        Command::Auth(a) => auth::auth(ctx, a),
        Command::Whoami => auth::whoami(ctx),
        Command::Upload(a) => upload::upload(ctx, a),
        Command::Cid(a) => upload::cid(ctx, a),
        Command::Files(c) => files::run(ctx, c),
        Command::Groups(c) => groups::run(ctx, c),
        Command::Pins(c) => pins::run(ctx, c),
        Command::Keys(c) => keys::run(ctx, c),
        Command::Swaps(c) => swaps::run(ctx, c),
        Command::Download(a) => download::download(ctx, a),
        Command::Link(a) => download::link(ctx, a),
        Command::SignUpload(a) => download::sign_upload(ctx, a),
        Command::Gateways(c) => gateways::run(ctx, c),
        Command::Config(c) => config::run(ctx, c),
        Command::Completions { shell } => {
            // Generated in memory (clap_complete panics when its writer fails), then written as
            // every output is: a closed pipe (`| head -1`) is no error.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "pinata", &mut script);
            output::write_out(&script)
        }
        Command::Emulator { .. } => Ok(()),
    }
}

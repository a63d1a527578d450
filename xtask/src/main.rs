//! `cargo xtask`: the project's automation, as a plain Rust binary (no tools to install).
//!
//! One module per task; this file only reads the command line and hands it to the task:
//!
//! - `cargo xtask demo` ([`demo`]): start the emulator and walk through authentication with both
//!   schemes through both transports;
//! - `cargo xtask it [--live]` ([`it`]): run the end-to-end suite against an emulator *process*
//!   (or, with `--live`, its read-only cases against the real API with credentials from the
//!   environment), then the IPFS Pinning Service API compliance suite against the emulator
//!   ([`psa_suite`]), then the official TypeScript SDK against emulator processes
//!   ([`sdk_conformance`]);
//! - `cargo xtask readme` ([`readme`]): build every Rust example of README.md in a fresh crate
//!   that depends on one adapter only, and run each against an emulator process;
//! - `cargo xtask ci` ([`ci`]): everything CI checks: format, lints, dependency rules ([`deps`]),
//!   docs, all tests, the published crates' packages ([`package`]), `it`, `readme`;
//! - `cargo xtask load [--seconds N]` ([`load`]), `cargo xtask fuzz [--seconds N] [TARGET...]`
//!   ([`fuzz`]), `cargo xtask bench [--quick] [SECTION]` ([`mod@bench`]): load run, fuzzing, benchmarks.
//!
//! The tasks that need a server start an emulator process ([`emulator`]); the steps that run an
//! npm package install it with [`node`]; [`util`] has what they all use (the workspace root, the
//! target directory, running cargo and other commands).
//!
//! Every command takes `-h`/`--help`; the command lines are described in [`COMMANDS`] and parsed by
//! [`args`], which also renders the help from those descriptions.

mod architecture;
mod args;
mod bench;
mod ci;
mod demo;
mod deps;
mod emulator;
mod fuzz;
mod it;
mod load;
mod node;
mod package;
mod psa_suite;
mod readme;
mod sdk_conformance;
mod tus_server;
mod util;

use std::process::ExitCode;

use args::{Kind, Matches, Operands, Opt, Parsed, UsageError};

pub(crate) type Result<T = ()> = std::result::Result<T, String>;

/// What a command line asks for.
#[derive(Debug, PartialEq, Eq)]
enum Task {
    /// Print this (a help text) and do nothing else.
    Help(String),
    Demo,
    It {
        live: bool,
    },
    Readme,
    Ci,
    Load {
        seconds: u64,
    },
    Fuzz {
        seconds: u64,
        targets: Vec<String>,
    },
    Bench {
        quick: bool,
        /// The sections to run (all when empty): [`bench::SECTIONS`].
        sections: Vec<String>,
    },
}

/// `--seconds` for the commands that run for a while: at least one second, at most a day.
const fn seconds(default: u64, help: &'static str) -> Opt {
    Opt {
        name: "seconds",
        value: "N",
        kind: Kind::Number {
            min: 1,
            max: 86_400,
            default,
        },
        help,
    }
}

/// A command: its command line (for parsing and both help texts) and the task it makes from it.
type Entry = (args::Command, fn(&Matches) -> Task);

/// Every command, in the order of the help.
const COMMANDS: &[Entry] = &[
    (
        args::Command {
            name: "demo",
            about: "Start an emulator process and run the walk-through (tests/examples/demo.rs):\n\
                    authentication with both schemes through both transports, API keys, pinning.",
            opts: &[],
            operands: None,
        },
        |_| Task::Demo,
    ),
    (
        args::Command {
            name: "it",
            about: "Run the end-to-end suite against an emulator process, then check the adapters'\n\
                    test_authentication examples against it, then the TUS clients against a stock\n\
                    TUS server (tests/tus-server/, @tus/server), then run the IPFS Pinning Service\n\
                    API compliance suite (npm, pinned in xtask/psa-suite/) against the emulator in\n\
                    each --psa-mode: all 9 checks in spec mode, the known 7 in pinata mode, then the\n\
                    official TypeScript SDK (npm `pinata`, pinned in xtask/sdk-conformance/) through\n\
                    every API family it shares with the emulator (all three skipped without Node and\n\
                    npm).",
            opts: &[Opt {
                name: "live",
                value: "",
                kind: Kind::Switch,
                help: "instead, run the suite's read-only cases against the real API: PINATA_API_URL\n\
                       (if set, else api.pinata.cloud) with PINATA_JWT, or PINATA_API_KEY and\n\
                       PINATA_API_SECRET, from the environment; no emulator, no examples",
            }],
            operands: None,
        },
        |m| Task::It {
            live: m.switch("live"),
        },
    ),
    (
        args::Command {
            name: "readme",
            about: "Build every ```rust example of README.md in a fresh crate that depends on one adapter\n\
                    only (pinata-ureq, or pinata-hyper and Tokio; the workspace's Cargo.lock, warnings\n\
                    denied), in target/readme-examples/, and run each against an emulator process, in\n\
                    a directory with the files they read (report.pdf, site/): each must exit 0.",
            opts: &[],
            operands: None,
        },
        |_| Task::Readme,
    ),
    (
        args::Command {
            name: "ci",
            about: "Everything CI checks, in order: fmt --check; clippy -D warnings (also of the emulator\n\
                    without its default features); dependency rules; the published crates' package\n\
                    contents; rustdoc with -D warnings; all tests (and the core's tracing test); `cargo\n\
                    package` of the published crates, verified; `it`; `readme`.",
            opts: &[],
            operands: None,
        },
        |_| Task::Ci,
    ),
    (
        args::Command {
            name: "load",
            about: "Many concurrent clients over both transports against an emulator process (release\n\
                    builds, loopback only): throughput, errors, emulator memory, no lost pins.",
            opts: &[seconds(10, "how long the load runs, in seconds")],
            operands: None,
        },
        |m| Task::Load {
            seconds: m.number("seconds"),
        },
    ),
    (
        args::Command {
            name: "fuzz",
            about: "Run the cargo-fuzz targets in fuzz/ with their committed corpora (all of them, or\n\
                    the TARGETs named); needs `cargo install cargo-fuzz`.",
            opts: &[seconds(60, "how long each target runs, in seconds")],
            operands: Some(Operands {
                name: "TARGET",
                choices: fuzz::TARGETS,
                help: "a target to run (default: all)",
            }),
        },
        |m| Task::Fuzz {
            seconds: m.number("seconds"),
            targets: m.operands().to_vec(),
        },
    ),
    (
        args::Command {
            name: "bench",
            about: "Benchmarks (release builds), each against a baseline in the same run; printed and\n\
                    written to BENCHMARKS.md.",
            opts: &[Opt {
                name: "quick",
                value: "",
                kind: Kind::Switch,
                help: "smaller inputs and fewer runs, for a smoke test; prints the results and\n\
                       leaves BENCHMARKS.md as it is",
            }],
            operands: Some(Operands {
                name: "SECTION",
                choices: bench::SECTIONS,
                help: "only this section (default: all); BENCHMARKS.md keeps the others",
            }),
        },
        |m| Task::Bench {
            quick: m.switch("quick"),
            sections: m.operands().to_vec(),
        },
    ),
];

/// The overview, `cargo xtask --help`.
fn help() -> String {
    let commands: Vec<args::Command> = COMMANDS.iter().map(|(c, _)| *c).collect();
    args::overview(&commands)
}

/// Reads the command line (without the program name). Runs nothing.
fn plan(args: &[String]) -> std::result::Result<Task, UsageError> {
    let Some((name, rest)) = args.split_first() else {
        return Ok(Task::Help(help()));
    };
    if name == "-h" || name == "--help" {
        return Ok(Task::Help(help()));
    }
    if name == "help" {
        return match rest {
            [] => Ok(Task::Help(help())),
            [topic] => find(topic).map(|(command, _)| Task::Help(command.help())),
            [_, extra, ..] => Err(UsageError::new(format!(
                "unexpected argument {extra:?}: `cargo xtask help` takes at most one command"
            ))),
        };
    }
    let (command, task) = find(name)?;
    match args::parse(command, rest)? {
        Parsed::Help => Ok(Task::Help(command.help())),
        Parsed::Run(matches) => Ok(task(&matches)),
    }
}

fn find(name: &str) -> std::result::Result<&'static Entry, UsageError> {
    COMMANDS
        .iter()
        .find(|(c, _)| c.name == name)
        .ok_or_else(|| {
            let names: Vec<&str> = COMMANDS.iter().map(|(c, _)| c.name).collect();
            UsageError::new(format!(
                "unknown command {name:?}; the commands are {}, and help",
                names.join(", ")
            ))
        })
}

fn main() -> ExitCode {
    let mut args = Vec::new();
    for arg in std::env::args_os().skip(1) {
        match arg.into_string() {
            Ok(arg) => args.push(arg),
            Err(arg) => {
                eprintln!("xtask: argument {arg:?} is not UTF-8");
                return ExitCode::from(2);
            }
        }
    }
    let task = match plan(&args) {
        Ok(task) => task,
        Err(e) => {
            eprintln!("xtask: {e}");
            return ExitCode::from(2);
        }
    };
    let result = match task {
        Task::Help(text) => {
            print!("{text}");
            Ok(())
        }
        Task::Demo => demo::demo(),
        Task::It { live } => it::it(live),
        Task::Readme => readme::check(),
        Task::Ci => ci::ci(),
        Task::Load { seconds } => load::load(seconds),
        Task::Fuzz { seconds, targets } => fuzz::fuzz(seconds, &targets),
        Task::Bench { quick, sections } => bench::all(quick, &sections),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_of(line: &str) -> std::result::Result<Task, UsageError> {
        plan(
            &line
                .split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>(),
        )
    }

    fn command(name: &str) -> args::Command {
        find(name).unwrap().0
    }

    fn usage_error(line: &str) -> String {
        match plan_of(line) {
            Err(e) => e.to_string(),
            Ok(task) => panic!("{line:?} was accepted: {task:?}"),
        }
    }

    #[test]
    fn every_command_runs_with_its_defaults() {
        assert_eq!(plan_of("demo"), Ok(Task::Demo));
        assert_eq!(plan_of("it"), Ok(Task::It { live: false }));
        assert_eq!(plan_of("it --live"), Ok(Task::It { live: true }));
        assert_eq!(plan_of("readme"), Ok(Task::Readme));
        assert_eq!(plan_of("ci"), Ok(Task::Ci));
        assert_eq!(plan_of("load"), Ok(Task::Load { seconds: 10 }));
        assert_eq!(plan_of("load --seconds 30"), Ok(Task::Load { seconds: 30 }));
        assert_eq!(
            plan_of("fuzz"),
            Ok(Task::Fuzz {
                seconds: 60,
                targets: vec![]
            })
        );
        assert_eq!(
            plan_of("fuzz jwt --seconds=5 query"),
            Ok(Task::Fuzz {
                seconds: 5,
                targets: vec!["jwt".into(), "query".into()]
            })
        );
        assert_eq!(
            plan_of("bench"),
            Ok(Task::Bench {
                quick: false,
                sections: vec![]
            })
        );
        assert_eq!(
            plan_of("bench --quick"),
            Ok(Task::Bench {
                quick: true,
                sections: vec![]
            })
        );
        assert_eq!(
            plan_of("bench http2"),
            Ok(Task::Bench {
                quick: false,
                sections: vec!["http2".to_owned()]
            })
        );
    }

    #[test]
    fn help_runs_nothing() {
        for (command, _) in COMMANDS {
            for flag in ["--help", "-h"] {
                let line = format!("{} {flag}", command.name);
                assert_eq!(plan_of(&line), Ok(Task::Help(command.help())), "{line}");
            }
            let line = format!("help {}", command.name);
            assert_eq!(plan_of(&line), Ok(Task::Help(command.help())), "{line}");
        }
        // Even next to flags that would run it, or that are wrong.
        assert_eq!(
            plan_of("bench --quick --help"),
            Ok(Task::Help(command("bench").help()))
        );
        assert!(matches!(
            plan_of("load --seconds abc -h"),
            Ok(Task::Help(_))
        ));
        for line in ["", "--help", "-h", "help"] {
            assert_eq!(plan_of(line), Ok(Task::Help(help())), "{line:?}");
        }
    }

    #[test]
    fn wrong_command_lines_are_errors() {
        assert!(
            usage_error("load --seconds abc")
                .starts_with("--seconds: \"abc\" is not a whole number (expected 1 to 86400)")
        );
        assert!(usage_error("load --seconds 0").starts_with("--seconds: 0 is out of range"));
        assert!(usage_error("fuzz --seconds 86401").contains("out of range"));
        assert!(usage_error("load --seconds").contains("--seconds needs a value"));
        assert!(usage_error("it --bogus").starts_with("unknown option \"--bogus\""));
        assert!(usage_error("it --live=1").contains("takes no value"));
        assert!(usage_error("demo extra").starts_with("unexpected argument \"extra\""));
        assert!(usage_error("ci --quick").contains("unknown option"));
        assert!(usage_error("readme --quick").contains("unknown option"));
        assert!(usage_error("readme README.md").starts_with("unexpected argument"));
        assert!(usage_error("bench --only raw-hyper").contains("unknown option \"--only\""));
        assert!(usage_error("fuzz nope").contains("unknown TARGET \"nope\""));
        assert!(usage_error("nope").starts_with("unknown command \"nope\""));
        assert!(usage_error("--bogus").starts_with("unknown command \"--bogus\""));
        assert!(usage_error("help nope").starts_with("unknown command \"nope\""));
        assert!(usage_error("help it ci").contains("at most one command"));
        // The error names the usage of the command.
        assert!(
            usage_error("load --seconds abc").contains("usage: cargo xtask load [--seconds N]")
        );
    }

    #[test]
    fn the_overview_lists_every_command_and_option() {
        let overview = help();
        for (command, _) in COMMANDS {
            assert!(overview.contains(&command.usage()), "{}", command.name);
            for opt in command.opts {
                assert!(
                    overview.contains(&format!("--{}", opt.name)),
                    "--{}",
                    opt.name
                );
                assert!(
                    command
                        .help()
                        .contains(opt.help.lines().next().unwrap_or(""))
                );
            }
        }
        assert!(overview.contains("cargo xtask fuzz [--seconds N] [TARGET...]"));
        assert!(command("fuzz").help().contains("error_body, auth_headers"));
    }
}

//! The command line of each xtask subcommand, parsed without dependencies.
//!
//! A subcommand is described by a [`Command`]: its long options (switches, or whole numbers with a
//! range and a default) and whether it takes operands (optionally from a fixed set). [`parse`] reads
//! the arguments after the subcommand's name against that description:
//!
//! - `-h` or `--help` anywhere before a `--` asks for help, whatever else is on the line: nothing
//!   else is checked and nothing is run;
//! - `--name`, `--name VALUE` and `--name=VALUE`; an option given twice, an unknown option, a value
//!   on a switch, a missing, non-numeric or out-of-range number are all errors;
//! - everything else, and everything after `--`, is an operand: an error for a subcommand that takes
//!   none, or when it is not one of the allowed choices.
//!
//! The help texts (of one subcommand and the overview) are rendered from the same descriptions, so
//! they list exactly what is accepted.

use std::fmt::{self, Write as _};

/// What an option takes.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Kind {
    /// Present or not; takes no value.
    Switch,
    /// A whole number in `min..=max`, `default` when the option is not given.
    Number { min: u64, max: u64, default: u64 },
}

/// One long option, `--name`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Opt {
    /// The name, without the leading `--`.
    pub(crate) name: &'static str,
    /// The value's placeholder in the help (`N`); unused for a switch.
    pub(crate) value: &'static str,
    pub(crate) kind: Kind,
    /// For the help: lines of at most ~70 characters, no trailing newline.
    pub(crate) help: &'static str,
}

/// The operands a subcommand takes: any number of them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Operands {
    /// The placeholder in the help (`TARGET`).
    pub(crate) name: &'static str,
    /// The allowed values; empty for any.
    pub(crate) choices: &'static [&'static str],
    /// One line for the help.
    pub(crate) help: &'static str,
}

/// A subcommand's command line.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Command {
    pub(crate) name: &'static str,
    /// What it does, for both help texts: lines of at most ~90 characters, no trailing newline.
    pub(crate) about: &'static str,
    pub(crate) opts: &'static [Opt],
    pub(crate) operands: Option<Operands>,
}

impl Command {
    /// `cargo xtask NAME [--flag] [--number N] [OPERAND...]`.
    pub(crate) fn usage(&self) -> String {
        let mut usage = format!("cargo xtask {}", self.name);
        for opt in self.opts {
            match opt.kind {
                Kind::Switch => {
                    let _ = write!(usage, " [--{}]", opt.name);
                }
                Kind::Number { .. } => {
                    let _ = write!(usage, " [--{} {}]", opt.name, opt.value);
                }
            }
        }
        if let Some(operands) = self.operands {
            let _ = write!(usage, " [{}...]", operands.name);
        }
        usage
    }

    /// The subcommand's own help (`cargo xtask NAME --help`).
    pub(crate) fn help(&self) -> String {
        let mut rows: Vec<(String, String)> = Vec::new();
        for opt in self.opts {
            match opt.kind {
                Kind::Switch => rows.push((format!("--{}", opt.name), opt.help.to_owned())),
                Kind::Number { min, max, default } => rows.push((
                    format!("--{} {}", opt.name, opt.value),
                    format!("{} ({min} to {max}; default {default})", opt.help),
                )),
            }
        }
        if let Some(operands) = self.operands {
            let help = if operands.choices.is_empty() {
                operands.help.to_owned()
            } else {
                format!("{}: {}", operands.help, operands.choices.join(", "))
            };
            rows.push((operands.name.to_owned(), help));
        }
        rows.push((
            "-h, --help".into(),
            "print this help and do nothing else".into(),
        ));
        let width = rows.iter().map(|(left, _)| left.len()).max().unwrap_or(0);
        let mut out = format!("{}\n\n{}\n\n", self.usage(), self.about);
        out.push_str(if self.opts.is_empty() && self.operands.is_none() {
            "Takes no arguments.\n\n"
        } else {
            ""
        });
        out.push_str("Options:\n");
        for (left, right) in rows {
            let mut lines = right.lines();
            let _ = writeln!(out, "  {left:width$}  {}", lines.next().unwrap_or_default());
            for line in lines {
                let _ = writeln!(out, "  {:width$}  {line}", "");
            }
        }
        out
    }
}

/// The overview (`cargo xtask --help`): every subcommand with its usage line and description.
pub(crate) fn overview(commands: &[Command]) -> String {
    let mut out = String::from(
        "cargo xtask <command> [options]\n\n\
         `cargo xtask <command> --help` (or `cargo xtask help <command>`) describes one command.\n\n\
         Commands:\n",
    );
    for command in commands {
        let _ = writeln!(out, "  {}", command.usage());
        for line in command.about.lines() {
            let _ = writeln!(out, "      {line}");
        }
    }
    out
}

/// What the arguments ask for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Parsed {
    /// `-h`/`--help`: print the help, run nothing.
    Help,
    /// Run with these arguments.
    Run(Matches),
}

/// Parsed arguments: every option of the [`Command`] has its value (numbers their default when not
/// given).
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Matches {
    command: &'static str,
    switches: Vec<(&'static str, bool)>,
    numbers: Vec<(&'static str, u64)>,
    operands: Vec<String>,
}

impl Matches {
    /// Whether the switch `--name` was given.
    ///
    /// # Panics
    ///
    /// If the command has no such switch (a bug in the caller, not a user error).
    pub(crate) fn switch(&self, name: &str) -> bool {
        match self.switches.iter().find(|(n, _)| *n == name) {
            Some((_, on)) => *on,
            None => panic!("xtask bug: `{}` has no switch --{name}", self.command),
        }
    }

    /// The value of the number option `--name` (its default if it was not given).
    ///
    /// # Panics
    ///
    /// If the command has no such number option (a bug in the caller, not a user error).
    pub(crate) fn number(&self, name: &str) -> u64 {
        match self.numbers.iter().find(|(n, _)| *n == name) {
            Some((_, value)) => *value,
            None => panic!(
                "xtask bug: `{}` has no number option --{name}",
                self.command
            ),
        }
    }

    /// The operands, in order, each once.
    pub(crate) fn operands(&self) -> &[String] {
        &self.operands
    }
}

/// A command line that does not fit the [`Command`]: shown with the usage line, exit status 2.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct UsageError {
    /// What is wrong, without the usage.
    pub(crate) message: String,
    /// The usage line to show after it, if the subcommand is known.
    pub(crate) usage: Option<String>,
    /// The subcommand, for the pointer to its `--help`.
    pub(crate) command: Option<&'static str>,
}

impl UsageError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            usage: None,
            command: None,
        }
    }

    fn of(command: &Command, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            usage: Some(command.usage()),
            command: Some(command.name),
        }
    }
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(usage) = &self.usage {
            write!(f, "\n\nusage: {usage}")?;
        }
        match self.command {
            Some(command) => write!(f, "\nmore: cargo xtask {command} --help"),
            None => write!(f, "\nmore: cargo xtask --help"),
        }
    }
}

/// Reads `args` (what follows the subcommand's name) against `command`.
pub(crate) fn parse(command: &Command, args: &[String]) -> Result<Parsed, UsageError> {
    if args
        .iter()
        .take_while(|a| *a != "--")
        .any(|a| a == "-h" || a == "--help")
    {
        return Ok(Parsed::Help);
    }
    let mut matches = Matches {
        command: command.name,
        ..Matches::default()
    };
    let mut given: Vec<&str> = Vec::new();
    let mut rest = args.iter();
    let mut operands_only = false;
    while let Some(arg) = rest.next() {
        if !operands_only && arg == "--" {
            operands_only = true;
            continue;
        }
        if operands_only || !arg.starts_with('-') || arg == "-" {
            operand(command, &mut matches, arg)?;
            continue;
        }
        let Some(body) = arg.strip_prefix("--") else {
            return Err(unknown_option(command, arg));
        };
        let (name, inline) = match body.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (body, None),
        };
        let Some(opt) = command.opts.iter().find(|o| o.name == name) else {
            return Err(unknown_option(command, &format!("--{name}")));
        };
        if given.contains(&opt.name) {
            return Err(UsageError::of(
                command,
                format!("--{name} is given more than once"),
            ));
        }
        given.push(opt.name);
        match opt.kind {
            Kind::Switch => {
                if let Some(value) = inline {
                    return Err(UsageError::of(
                        command,
                        format!("--{name} takes no value (got --{name}={value})"),
                    ));
                }
                matches.switches.push((opt.name, true));
            }
            Kind::Number { min, max, .. } => {
                let value = match inline {
                    Some(value) => value,
                    None => rest.next().map(String::as_str).ok_or_else(|| {
                        UsageError::of(
                            command,
                            format!(
                                "--{name} needs a value: {} (a whole number, {min} to {max})",
                                opt.value
                            ),
                        )
                    })?,
                };
                let number = number(value, min, max)
                    .map_err(|why| UsageError::of(command, format!("--{name}: {why}")))?;
                matches.numbers.push((opt.name, number));
            }
        }
    }
    for opt in command.opts {
        match opt.kind {
            Kind::Switch if !given.contains(&opt.name) => matches.switches.push((opt.name, false)),
            Kind::Number { default, .. } if !given.contains(&opt.name) => {
                matches.numbers.push((opt.name, default));
            }
            _ => {}
        }
    }
    Ok(Parsed::Run(matches))
}

fn operand(command: &Command, matches: &mut Matches, arg: &str) -> Result<(), UsageError> {
    let Some(operands) = command.operands else {
        return Err(UsageError::of(
            command,
            format!(
                "unexpected argument {arg:?}: `cargo xtask {}` takes {}",
                command.name,
                if command.opts.is_empty() {
                    "no arguments"
                } else {
                    "options only"
                }
            ),
        ));
    };
    if !operands.choices.is_empty() && !operands.choices.contains(&arg) {
        return Err(UsageError::of(
            command,
            format!(
                "unknown {} {arg:?}; expected one of: {}",
                operands.name,
                operands.choices.join(", ")
            ),
        ));
    }
    if !matches.operands.iter().any(|o| o == arg) {
        matches.operands.push(arg.to_owned());
    }
    Ok(())
}

fn unknown_option(command: &Command, option: &str) -> UsageError {
    let known: Vec<String> = command
        .opts
        .iter()
        .map(|o| format!("--{}", o.name))
        .chain(["--help".to_owned()])
        .collect();
    UsageError::of(
        command,
        format!(
            "unknown option {option:?} for `cargo xtask {}`; it takes {}",
            command.name,
            known.join(", ")
        ),
    )
}

/// A whole number in `min..=max`, in decimal digits only (no sign, no spaces, no underscores).
fn number(value: &str, min: u64, max: u64) -> Result<u64, String> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "{value:?} is not a whole number (expected {min} to {max})"
        ));
    }
    match value.parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        // Only digits: an error here is an overflow, which is out of range too.
        _ => Err(format!("{value} is out of range (expected {min} to {max})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUN: Command = Command {
        name: "run",
        about: "Runs something.\nOn two lines.",
        opts: &[
            Opt {
                name: "fast",
                value: "",
                kind: Kind::Switch,
                help: "go fast",
            },
            Opt {
                name: "seconds",
                value: "N",
                kind: Kind::Number {
                    min: 1,
                    max: 86_400,
                    default: 10,
                },
                help: "how long",
            },
        ],
        operands: Some(Operands {
            name: "TARGET",
            choices: &["a", "b"],
            help: "what to run",
        }),
    };

    const BARE: Command = Command {
        name: "bare",
        about: "Takes nothing.",
        opts: &[],
        operands: None,
    };

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    fn run(line: &str) -> Result<Matches, UsageError> {
        match parse(&RUN, &args(line))? {
            Parsed::Run(m) => Ok(m),
            Parsed::Help => panic!("{line:?} asked for help"),
        }
    }

    fn error(command: &Command, line: &str) -> String {
        match parse(command, &args(line)) {
            Err(e) => e.message,
            Ok(parsed) => panic!("{line:?} was accepted: {parsed:?}"),
        }
    }

    #[test]
    fn defaults_when_nothing_is_given() {
        let m = run("").unwrap();
        assert!(!m.switch("fast"));
        assert_eq!(m.number("seconds"), 10);
        assert!(m.operands().is_empty());
    }

    #[test]
    fn options_and_operands_in_any_order() {
        let m = run("b --seconds 30 --fast a").unwrap();
        assert!(m.switch("fast"));
        assert_eq!(m.number("seconds"), 30);
        assert_eq!(m.operands(), ["b", "a"]);
        assert_eq!(run("--seconds=7").unwrap().number("seconds"), 7);
    }

    #[test]
    fn an_operand_given_twice_counts_once() {
        assert_eq!(run("a b a").unwrap().operands(), ["a", "b"]);
    }

    #[test]
    fn help_wins_over_everything_else() {
        for line in [
            "--help",
            "-h",
            "--seconds abc --help",
            "--bogus -h",
            "nope --help",
            "--seconds -h",
            "--fast --fast --help",
        ] {
            assert_eq!(parse(&RUN, &args(line)), Ok(Parsed::Help), "{line:?}");
        }
        assert_eq!(parse(&BARE, &args("extra --help")), Ok(Parsed::Help));
    }

    #[test]
    fn after_double_dash_everything_is_an_operand() {
        assert_eq!(run("-- a").unwrap().operands(), ["a"]);
        // `--help` after `--` is an operand, and not an allowed one.
        assert!(error(&RUN, "-- --help").contains("unknown TARGET \"--help\""));
    }

    #[test]
    fn bad_numbers_are_errors() {
        assert_eq!(
            error(&RUN, "--seconds abc"),
            "--seconds: \"abc\" is not a whole number (expected 1 to 86400)"
        );
        assert_eq!(
            error(&RUN, "--seconds 0"),
            "--seconds: 0 is out of range (expected 1 to 86400)"
        );
        assert_eq!(
            error(&RUN, "--seconds 86401"),
            "--seconds: 86401 is out of range (expected 1 to 86400)"
        );
        assert!(error(&RUN, "--seconds 99999999999999999999999").contains("out of range"));
        for bad in ["-5", "+5", "1.5", "1e3", "1_000", "=", " "] {
            let line = vec!["--seconds".to_owned(), bad.to_owned()];
            assert!(parse(&RUN, &line).is_err(), "{bad:?} was accepted");
        }
        assert!(error(&RUN, "--seconds=").contains("\"\" is not a whole number"));
        assert_eq!(run("--seconds 1").unwrap().number("seconds"), 1);
        assert_eq!(run("--seconds 86400").unwrap().number("seconds"), 86_400);
    }

    #[test]
    fn a_number_needs_its_value() {
        assert_eq!(
            error(&RUN, "--seconds"),
            "--seconds needs a value: N (a whole number, 1 to 86400)"
        );
        // The next argument is the value, even if it looks like an option.
        assert!(error(&RUN, "--seconds --fast").contains("\"--fast\" is not a whole number"));
    }

    #[test]
    fn unknown_options_are_errors() {
        assert_eq!(
            error(&RUN, "--bogus"),
            "unknown option \"--bogus\" for `cargo xtask run`; it takes --fast, --seconds, --help"
        );
        assert!(error(&RUN, "--bogus=1").contains("\"--bogus\""));
        assert!(error(&RUN, "-f").contains("unknown option \"-f\""));
        assert!(run("--").unwrap().operands().is_empty());
        assert!(error(&BARE, "--fast").contains("it takes --help"));
    }

    #[test]
    fn repeated_options_and_values_on_switches_are_errors() {
        assert_eq!(
            error(&RUN, "--fast --fast"),
            "--fast is given more than once"
        );
        assert_eq!(
            error(&RUN, "--seconds 1 --seconds=2"),
            "--seconds is given more than once"
        );
        assert_eq!(
            error(&RUN, "--fast=yes"),
            "--fast takes no value (got --fast=yes)"
        );
    }

    #[test]
    fn operands_are_checked() {
        assert_eq!(
            error(&RUN, "c"),
            "unknown TARGET \"c\"; expected one of: a, b"
        );
        assert_eq!(
            error(&BARE, "extra"),
            "unexpected argument \"extra\": `cargo xtask bare` takes no arguments"
        );
        // A lone `-` is an operand, not an option.
        assert!(error(&BARE, "-").starts_with("unexpected argument \"-\""));
    }

    #[test]
    fn an_error_shows_the_usage() {
        let e = parse(&RUN, &args("--seconds abc")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "--seconds: \"abc\" is not a whole number (expected 1 to 86400)\n\n\
             usage: cargo xtask run [--fast] [--seconds N] [TARGET...]\n\
             more: cargo xtask run --help"
        );
        assert_eq!(
            UsageError::new("unknown command").to_string(),
            "unknown command\nmore: cargo xtask --help"
        );
    }

    #[test]
    fn the_help_lists_every_option() {
        assert_eq!(
            RUN.help(),
            "cargo xtask run [--fast] [--seconds N] [TARGET...]\n\n\
             Runs something.\nOn two lines.\n\n\
             Options:\n  \
             --fast       go fast\n  \
             --seconds N  how long (1 to 86400; default 10)\n  \
             TARGET       what to run: a, b\n  \
             -h, --help   print this help and do nothing else\n"
        );
        assert!(BARE.help().contains("Takes no arguments."));
        const LONG: Command = Command {
            name: "long",
            about: "About.",
            opts: &[Opt {
                name: "live",
                value: "",
                kind: Kind::Switch,
                help: "first line\nsecond line",
            }],
            operands: None,
        };
        assert!(
            LONG.help().contains(
                "  --live      first line\n              second line\n  -h, --help  print"
            )
        );
        let overview = overview(&[RUN, BARE]);
        assert!(overview.contains("  cargo xtask run [--fast] [--seconds N] [TARGET...]\n"));
        assert!(overview.contains("      On two lines.\n"));
        assert!(overview.contains("  cargo xtask bare\n      Takes nothing.\n"));
    }

    #[test]
    #[should_panic(expected = "xtask bug")]
    fn asking_for_an_option_the_command_lacks_is_a_bug() {
        let _ = run("").unwrap().number("fast");
    }
}

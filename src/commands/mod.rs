//! The commands: each gathers facts, calls the pure gate, and returns a report and an exit
//! status. Nothing here exits the process; `main` turns the [`Outcome`] into an exit code.

mod approve;
mod authority;
mod check;
mod completions;
mod diff;
mod hook;
mod init;
mod lint;
mod live;
mod log;
mod ticket;
mod watch;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use crate::cli::{Cli, Command, HookAction, TicketAction};
use crate::diag::Diagnostic;
use crate::report::{self, Format, Report, Style};
use crate::verdict::{Code, Decision, Item, Verdict};

/// How a command ended; the exit codes are part of the contract (SPEC.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Allowed = 0,
    Refused = 1,
    Invalid = 2,
    CannotEvaluate = 3,
    /// Stopped by Ctrl-C before it could say yes (`watch`).
    Interrupted = 130,
}

impl From<Outcome> for ExitCode {
    fn from(o: Outcome) -> Self {
        ExitCode::from(o as u8)
    }
}

pub fn run(cli: Cli) -> Outcome {
    let now = cli.global.now.unwrap_or_else(jiff::Timestamp::now);
    let style = Style {
        color: color_enabled(),
        verbose: cli.global.verbose,
        quiet: cli.global.quiet,
    };
    let result = match &cli.command {
        Command::Check(args) => check::run(&cli.global, args, now),
        Command::Lint(args) => lint::run(&cli.global, args, now),
        Command::Approve(args) => {
            return approve::run(&cli.global, args, now, style.color).unwrap_or_else(|error| {
                eprintln!("error: {error:#}");
                Outcome::CannotEvaluate
            });
        }
        Command::Diff(args) => {
            return diff::run(&cli.global, args, style.color).unwrap_or_else(|error| {
                eprintln!("error: {error:#}");
                Outcome::CannotEvaluate
            });
        }
        Command::Hook {
            action: HookAction::Install { force },
        } => {
            return hook::install(*force).unwrap_or_else(|error| {
                eprintln!("error: {error:#}");
                Outcome::CannotEvaluate
            });
        }
        Command::Snapshot(args) => return operational(live::snapshot(&cli.global, args, now)),
        Command::Verify(args) => return operational(live::verify(&cli.global, args)),
        Command::Drift(args) => return operational(live::drift(&cli.global, args)),
        Command::Watch(args) => return watch::run(&cli.global, args, style.color),
        Command::Init(args) => return operational(init::run(args)),
        Command::Log(args) => return operational(log::run(&cli.global, args, now, style.color)),
        Command::Ticket {
            action: TicketAction::New(args),
        } => return operational(ticket::new(&cli.global, args)),
        Command::Completions { shell } => return completions::completions(*shell),
        Command::Man => return completions::man(),
    };
    match result {
        Ok((verdict, diagnostics)) => {
            let report = Report {
                verdict: &verdict,
                diagnostics: &diagnostics,
            };
            let text = match cli.global.format {
                Format::Human => report::human(&report, style),
                Format::Json => report::json(&report),
                Format::Github => report::github(&report),
                Format::Markdown => report::markdown(&report),
            };
            write_stdout(&text);
            match verdict.verdict {
                Decision::Allowed => Outcome::Allowed,
                Decision::Refused => Outcome::Refused,
                Decision::Invalid => Outcome::Invalid,
            }
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            Outcome::CannotEvaluate
        }
    }
}

/// An operational failure is "could not evaluate" (exit 3), said on stderr.
fn operational(result: anyhow::Result<Outcome>) -> Outcome {
    result.unwrap_or_else(|error| {
        eprintln!("error: {error:#}");
        Outcome::CannotEvaluate
    })
}

/// A verdict for input that could not be evaluated: every problem is in `errors`.
fn invalid(diagnostics: &[Diagnostic], now: jiff::Timestamp) -> Verdict {
    Verdict {
        schema: 1,
        verdict: Decision::Invalid,
        evaluated_at: now,
        tickets: Vec::new(),
        reasons: Vec::new(),
        findings: Vec::new(),
        errors: diagnostics.iter().map(item_of).collect(),
    }
}

/// A diagnostic as a verdict item.
fn item_of(d: &Diagnostic) -> Item {
    let code = Code::ALL
        .iter()
        .copied()
        .find(|c| c.as_str() == d.code)
        .unwrap_or(Code::ConfigInvalid);
    let mut item = Item::new(code, d.message.clone());
    item.location = d.location.clone().map(Into::into);
    item
}

/// Writes to stdout, ignoring a closed pipe (`changegate check | head`).
pub(crate) fn write_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}

/// Colour follows `NO_COLOR` and `CLICOLOR_FORCE`, and is off when stdout is not a terminal.
fn color_enabled() -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return false;
    }
    set("CLICOLOR_FORCE") || std::io::stdout().is_terminal()
}

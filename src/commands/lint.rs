//! `changegate lint`: config, policy and tickets, statically. No network.

use crate::cli::{Global, TicketArgs};
use crate::diag::Diagnostic;
use crate::verdict::{Decision, Verdict};

use super::check::{load_tickets, prepare};
use super::invalid;

pub fn run(
    global: &Global,
    args: &TicketArgs,
    now: jiff::Timestamp,
) -> anyhow::Result<(Verdict, Vec<Diagnostic>)> {
    let (ws, paths) = match prepare(global, args) {
        Ok(prepared) => prepared,
        Err(d) => return Ok((invalid(&d, now), d)),
    };
    let diagnostics: Vec<Diagnostic> = load_tickets(&ws, &paths)
        .into_iter()
        .filter_map(Result::err)
        .flatten()
        .collect();
    if !diagnostics.is_empty() {
        return Ok((invalid(&diagnostics, now), diagnostics));
    }
    for warning in crate::policy::warnings(&ws.policy) {
        match global.format {
            crate::report::Format::Github => {
                let (line, _) = ws.policy.file.line_col(0);
                println!(
                    "::warning file={},line={line},title={}::{}",
                    ws.policy.file.name, warning.code, warning.message
                );
            }
            _ if !global.quiet => eprint!("{}", warning.render(false)),
            _ => {}
        }
    }
    if !global.quiet && global.format == crate::report::Format::Human {
        eprintln!(
            "lint: `{}` and `{}` are valid ({} tier(s), {} rule(s), {} managed zone(s)); {} ticket(s) valid",
            ws.config.file.name,
            ws.policy.file.name,
            ws.policy.tiers.len(),
            ws.policy.rules.len(),
            ws.zones.len(),
            paths.len()
        );
    }
    Ok((
        Verdict {
            schema: 1,
            verdict: Decision::Allowed,
            evaluated_at: now,
            tickets: Vec::new(),
            reasons: Vec::new(),
            findings: Vec::new(),
            errors: Vec::new(),
        },
        Vec::new(),
    ))
}

//! `changegate check`: load, gather evidence for every deletion at once, decide per ticket.

use std::path::PathBuf;

use crate::approval;
use crate::cli::{Global, TicketArgs};
use crate::diag::Diagnostic;
use crate::evidence::{DeletionFacts, DeletionTarget, measure_deletions};
use crate::gate::{Facts, evaluate};
use crate::plan::Plan;
use crate::ticket::{Ticket, read_ticket};
use crate::verdict::{Approvals, Decision, TicketVerdict, Verdict};
use crate::workspace::{self, Workspace};

use super::{invalid, item_of};

pub fn run(
    global: &Global,
    args: &TicketArgs,
    now: jiff::Timestamp,
) -> anyhow::Result<(Verdict, Vec<Diagnostic>)> {
    let (ws, paths) = match prepare(global, args) {
        Ok(prepared) => prepared,
        Err(d) => return Ok((invalid(&d, now), d)),
    };
    if paths.is_empty() {
        let d = vec![
            Diagnostic::new(
                "ticket-invalid",
                format!(
                    "no tickets to check in `{}`",
                    workspace::display_path(&ws.config.tickets)
                ),
            )
            .help("name ticket files on the command line, or add `changes/<ID>.toml`"),
        ];
        return Ok((invalid(&d, now), d));
    }
    let loaded = load_tickets(&ws, &paths);

    let plans: Vec<&Plan> = loaded
        .iter()
        .filter_map(|t| t.as_ref().ok())
        .map(|(_, plan)| plan)
        .collect();
    let facts = gather_deletions(&ws, &plans, now)?;

    let mut tickets = Vec::new();
    let mut diagnostics = Vec::new();
    for (path, result) in paths.iter().zip(loaded) {
        match result {
            Ok((ticket, plan)) => {
                let approvals = approval::gather(path, &ticket, &plan, ws.signers.as_ref(), now)?;
                let facts = Facts {
                    approvals: &approvals,
                    ticket: &ticket,
                    plan: &plan,
                    deletions: &facts,
                    now,
                };
                tickets.push(evaluate(&facts, &ws.policy));
            }
            Err(problems) => {
                tickets.push(invalid_ticket(path, &problems));
                diagnostics.extend(problems);
            }
        }
    }
    let verdict = if !diagnostics.is_empty() {
        Decision::Invalid
    } else if tickets.iter().all(TicketVerdict::allowed) {
        Decision::Allowed
    } else {
        Decision::Refused
    };
    Ok((
        Verdict {
            schema: 1,
            verdict,
            evaluated_at: now,
            tickets,
            errors: Vec::new(),
        },
        diagnostics,
    ))
}

/// Measures every deletion of these plans at once, concurrently with a bound.
pub(super) fn gather_deletions(
    ws: &Workspace,
    plans: &[&Plan],
    now: jiff::Timestamp,
) -> anyhow::Result<DeletionFacts> {
    let mut targets: Vec<DeletionTarget> = plans
        .iter()
        .flat_map(|plan| plan.deletion_targets())
        .collect();
    targets.sort();
    targets.dedup();
    if targets.is_empty() {
        return Ok(DeletionFacts::default());
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let policy = ws.policy.deletion.as_ref().map(|d| d.get_ref());
    Ok(runtime.block_on(measure_deletions(
        ws.config.metrics.as_ref(),
        policy,
        &targets,
        now,
    )))
}

/// Loads config and policy and finds the tickets to look at; `Err` holds every problem that
/// stops evaluation.
pub(super) fn prepare(
    global: &Global,
    args: &TicketArgs,
) -> Result<(Workspace, Vec<PathBuf>), Vec<Diagnostic>> {
    let ws = workspace::load(global.config.as_deref())?;
    let paths = ticket_paths(&ws, &args.tickets)?;
    Ok((ws, paths))
}

/// The tickets named, or every `*.toml` in the tickets folder.
fn ticket_paths(ws: &Workspace, given: &[PathBuf]) -> Result<Vec<PathBuf>, Vec<Diagnostic>> {
    if !given.is_empty() {
        return Ok(given.to_vec());
    }
    let dir = &ws.config.tickets;
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(vec![Diagnostic::new(
                "ticket-invalid",
                format!(
                    "cannot read the tickets folder `{}`: {e}",
                    workspace::display_path(dir)
                ),
            )]);
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    Ok(paths)
}

/// Reads every ticket and resolves its plan; a bad ticket does not stop the others.
pub(super) fn load_tickets(
    ws: &Workspace,
    paths: &[PathBuf],
) -> Vec<Result<(Ticket, Plan), Vec<Diagnostic>>> {
    paths
        .iter()
        .map(|path| {
            let file = workspace::read_source(path, "ticket-invalid", "the ticket")?;
            let ticket = read_ticket(file, path)?;
            let plan = Plan::from_ticket(&ticket, &ws.zones)?;
            Ok((ticket, plan))
        })
        .collect()
}

fn invalid_ticket(path: &std::path::Path, problems: &[Diagnostic]) -> TicketVerdict {
    TicketVerdict {
        id: path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        file: workspace::display_path(path),
        tier: None,
        digest: None,
        plan_digest: None,
        tier_reasons: Vec::new(),
        reasons: problems.iter().map(item_of).collect(),
        findings: Vec::new(),
        deletions: Vec::new(),
        approvals: Approvals::default(),
    }
}

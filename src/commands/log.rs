//! `changegate log`: the change record from git history, for an incident review or an audit.

use comfy_table::Cell;

use super::{Outcome, write_stdout};
use crate::cli::{Global, LogArgs};
use crate::emergency::{Merged, ReviewState, merged};
use crate::report::Format;

pub fn run(
    global: &Global,
    args: &LogArgs,
    now: jiff::Timestamp,
    color: bool,
) -> anyhow::Result<Outcome> {
    let tip = args.base.as_deref().unwrap_or("HEAD");
    let tickets = merged(global.config.as_deref(), tip, args.since, false, now)?;
    let text = match global.format {
        Format::Json => json(&tickets, now)?,
        _ => human(&tickets, color),
    };
    write_stdout(&text);
    Ok(Outcome::Allowed)
}

fn json(tickets: &[Merged], now: jiff::Timestamp) -> anyhow::Result<String> {
    #[derive(serde::Serialize)]
    struct Log<'a> {
        schema: u32,
        evaluated_at: String,
        tickets: &'a [Merged],
    }
    let mut text = serde_json::to_string_pretty(&Log {
        schema: 1,
        evaluated_at: now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        tickets,
    })?;
    text.push('\n');
    Ok(text)
}

fn human(tickets: &[Merged], color: bool) -> String {
    if tickets.is_empty() {
        return "no tickets merged on this branch\n".into();
    }
    let mut table = crate::report::table(color);
    table.set_header(vec![
        "merged",
        "commit",
        "ticket",
        "kind",
        "tier",
        "approved by",
        "review",
    ]);
    for t in tickets {
        let review = match &t.review {
            None => "-".to_string(),
            Some(r) => match r.state {
                ReviewState::Reviewed => format!("reviewed by {}", r.reviewers.join(", ")),
                ReviewState::Pending => {
                    format!("pending until {}", r.deadline.as_deref().unwrap_or("?"))
                }
                ReviewState::Overdue => format!(
                    "OVERDUE since {}: holds {}",
                    r.deadline.as_deref().unwrap_or("?"),
                    t.zones
                        .iter()
                        .map(|z| z.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                ReviewState::NotDue => "none due (no `[emergency]` in the policy)".into(),
            },
        };
        let ticket = match &t.problem {
            Some(problem) => format!("{} ({})\n{problem}", t.id, t.file),
            None => format!("{} ({})", t.id, t.file),
        };
        table.add_row(vec![
            Cell::new(&t.merged_at),
            Cell::new(&t.commit[..12]),
            Cell::new(ticket),
            Cell::new(t.kind),
            Cell::new(t.tier.as_deref().unwrap_or("?")),
            Cell::new(if t.approvals.is_empty() {
                "-".to_string()
            } else {
                t.approvals.join(", ")
            }),
            Cell::new(review),
        ]);
    }
    format!("{table}\n{} ticket(s)\n", tickets.len())
}

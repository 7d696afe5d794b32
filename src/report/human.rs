//! The human renderer: a summary table per ticket, the deletion evidence, the approvals the
//! tier requires, and the quoted source of every invalid input.

use std::fmt::Write;

use comfy_table::{Cell, Color, Table};

use super::{Report, Style, table};
use crate::verdict::{Decision, Evidence, Item, TicketVerdict};

pub fn render(report: &Report<'_>, style: Style) -> String {
    let mut out = String::new();
    for diagnostic in report.diagnostics {
        out.push_str(&diagnostic.render(style.color));
    }
    for item in &report.verdict.errors {
        if report.diagnostics.is_empty() {
            let _ = writeln!(out, "error[{}]: {}", item.code.as_str(), item.message);
        }
    }
    let change_set: Vec<&Item> = report
        .verdict
        .reasons
        .iter()
        .chain(&report.verdict.findings)
        .collect();
    if !change_set.is_empty() {
        let _ = writeln!(out, "\nthe change as a whole");
        let _ = writeln!(out, "{}", item_table(change_set, style.color));
    }
    for ticket in &report.verdict.tickets {
        if style.quiet && ticket.allowed() {
            continue;
        }
        render_ticket(&mut out, ticket, style);
    }
    let verdict = report.verdict;
    let refused = verdict.tickets.iter().filter(|t| !t.allowed()).count();
    let summary = match verdict.verdict {
        Decision::Allowed => format!("allowed: {} ticket(s) pass the gate", verdict.tickets.len()),
        Decision::Refused if !verdict.reasons.is_empty() => format!(
            "refused: {} reason(s) for the change as a whole; {refused} of {} ticket(s) do not pass the gate",
            verdict.reasons.len(),
            verdict.tickets.len()
        ),
        Decision::Refused => format!(
            "refused: {refused} of {} ticket(s) do not pass the gate",
            verdict.tickets.len()
        ),
        Decision::Invalid => "invalid input: fix the problems above, then run again".to_string(),
    };
    let _ = writeln!(
        out,
        "{}",
        paint(&summary, style.color, verdict.verdict == Decision::Allowed)
    );
    out
}

fn paint(text: &str, color: bool, good: bool) -> String {
    if !color {
        return text.to_string();
    }
    let code = if good { 32 } else { 31 };
    format!("\x1b[1;{code}m{text}\x1b[0m")
}

/// Refusals (✗) and findings (!) with their code, message and position.
fn item_table(items: Vec<&Item>, color: bool) -> Table {
    let mut table = table(color);
    table.set_header(vec!["", "code", "what", "where"]);
    for item in items {
        let refusal = item.code.refuses();
        table.add_row(vec![
            Cell::new(if refusal { "✗" } else { "!" }).fg(if refusal {
                Color::Red
            } else {
                Color::Yellow
            }),
            Cell::new(item.code.as_str()),
            Cell::new(&item.message),
            Cell::new(location(item)),
        ]);
    }
    table
}

fn render_ticket(out: &mut String, t: &TicketVerdict, style: Style) {
    if t.tier.is_none() {
        let _ = writeln!(
            out,
            "\n{}  {}  ({}: {} problem(s) shown above)",
            t.id,
            paint("invalid", style.color, false),
            t.file,
            t.reasons.len()
        );
        return;
    }
    let status = if t.allowed() { "allowed" } else { "refused" };
    let tier = t.tier.as_deref().unwrap_or("-");
    let _ = writeln!(
        out,
        "\n{}  {}  tier: {tier}  ({})",
        t.id,
        paint(status, style.color, t.allowed()),
        t.file
    );
    if style.verbose {
        for cause in &t.tier_reasons {
            let _ = writeln!(
                out,
                "  tier `{}` from {}: {}",
                cause.tier, cause.source, cause.description
            );
        }
    } else if let Some(top) = t
        .tier_reasons
        .iter()
        .find(|c| Some(c.tier.as_str()) == t.tier.as_deref())
    {
        let _ = writeln!(
            out,
            "  why `{tier}`: {} (-v for every rule)",
            top.description
        );
    }

    if !t.reasons.is_empty() || !t.findings.is_empty() {
        let items = t.reasons.iter().chain(&t.findings).collect();
        let _ = writeln!(out, "{}", item_table(items, style.color));
    }

    if !t.deletions.is_empty() {
        let mut table = table(style.color);
        table.set_header(vec![
            "deleted",
            "resolutions",
            "zone telemetry",
            "query",
            "evaluated at",
        ]);
        for d in &t.deletions {
            let (value, coverage, query, when) = match &d.evidence {
                Some(e) => (
                    with_history(e),
                    e.coverage.as_deref().map_or("-".into(), value_text),
                    shortened(&e.query),
                    e.evaluated_at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
                ),
                None => ("not measured".into(), "-".into(), "-".into(), "-".into()),
            };
            table.add_row(vec![
                Cell::new(format!(
                    "{} {}\n{}",
                    d.name,
                    d.rtype,
                    if d.allowed {
                        "✓ unused"
                    } else {
                        "✗ refused"
                    }
                ))
                .fg(if d.allowed { Color::Green } else { Color::Red }),
                Cell::new(value),
                Cell::new(coverage),
                Cell::new(query),
                Cell::new(when),
            ]);
        }
        let window = t.deletions.iter().find_map(|d| d.evidence.as_ref()?.window);
        if let Some(window) = window {
            let _ = writeln!(out, "  deletion evidence over the last {window}:");
        }
        let _ = writeln!(out, "{table}");
        let pictured = t
            .deletions
            .iter()
            .any(|d| d.evidence.as_ref().is_some_and(|e| e.history.is_some()));
        if !pictured {
            let _ = writeln!(
                out,
                "  (no traffic shape over the window: the source keeps no history, or did not give it)"
            );
        }
    }

    if !t.signals.is_empty() {
        let mut table = table(style.color);
        table.set_header(vec!["health signal", "abort if", "now", "verdict", "query"]);
        for s in &t.signals {
            let value = match (&s.value, &s.error) {
                (Some(v), _) => format!("{v}"),
                (None, Some(e)) if s.verdict != "unverified" => shortened(e),
                _ => "-".into(),
            };
            let color = match s.verdict {
                "alive" => Color::Green,
                "unverified" => Color::Yellow,
                _ => Color::Red,
            };
            table.add_row(vec![
                Cell::new(&s.name),
                Cell::new(&s.abort_if),
                Cell::new(value),
                Cell::new(s.verdict).fg(color),
                Cell::new(shortened(&s.query)),
            ]);
        }
        let _ = writeln!(
            out,
            "  health signals, asked at {}:",
            t.signals[0].evaluated_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        );
        let _ = writeln!(out, "{table}");
    }

    if let Some(digest) = &t.digest {
        let _ = writeln!(out, "  ticket digest: {digest}");
    }
    if t.approvals.required.is_empty() {
        let _ = writeln!(out, "  approvals: none required for tier `{tier}`");
    } else {
        let needed: Vec<String> = t
            .approvals
            .required
            .iter()
            .map(|r| format!("{} from `{}`", r.count, r.group))
            .collect();
        let _ = writeln!(out, "  approvals required: {}", needed.join(", "));
    }
    for a in &t.approvals.valid {
        let fills = a.fills.as_deref().map_or_else(
            || "fills no open requirement".to_string(),
            |g| format!("for `{g}`"),
        );
        let _ = writeln!(out, "    ✓ {} {fills} ({})", a.approver, a.file);
    }
    for a in &t.approvals.invalid {
        let code = a.code.map(|c| c.as_str()).unwrap_or_default();
        let reason = a.reason.as_deref().unwrap_or_default();
        let _ = writeln!(out, "    ✗ {} [{code}] ({}): {reason}", a.approver, a.file);
    }
}

/// The count, after the traffic's shape over the window when the store gave it.
fn with_history(e: &Evidence) -> String {
    match &e.history {
        Some(history) if !history.is_empty() => {
            let values: Vec<f64> = history.iter().map(|(_, v)| *v).collect();
            format!("{} {}", super::sparkline(&values), value_text(e))
        }
        _ => value_text(e),
    }
}

fn value_text(e: &Evidence) -> String {
    match (e.result, e.value) {
        ("value", Some(v)) => format!("{v}"),
        ("empty", _) => "empty (0)".into(),
        ("covered", _) => "covered (as the source says)".into(),
        _ => format!("error: {}", e.error.as_deref().unwrap_or("unknown")),
    }
}

fn location(item: &Item) -> String {
    item.location
        .as_ref()
        .map(|l| l.to_string())
        .unwrap_or_default()
}

/// A query as a table cell: whitespace folded, and a long one (SQL, say) cut, since the JSON
/// output has it whole.
fn shortened(query: &str) -> String {
    const MOST: usize = 120;
    let folded = query.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.chars().count() <= MOST {
        return folded;
    }
    let cut: String = folded.chars().take(MOST).collect();
    format!("{cut}… (whole in --format json)")
}

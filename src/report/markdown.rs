//! `--format markdown`: the verdict as a summary a reviewer reads in a pull-request comment or
//! a CI job summary. Plain Markdown (tables, code spans), readable as text too; no HTML.

use std::fmt::Write;

use super::Report;
use crate::verdict::{Decision, Evidence, Item, TicketVerdict};

pub fn render(report: &Report<'_>) -> String {
    let v = report.verdict;
    let refused = v.tickets.iter().filter(|t| !t.allowed()).count();
    let mut out = String::new();
    let headline = match v.verdict {
        Decision::Allowed => format!("✅ allowed: {} ticket(s) pass the gate", v.tickets.len()),
        Decision::Refused => format!(
            "❌ refused: {refused} of {} ticket(s) do not pass the gate",
            v.tickets.len()
        ),
        Decision::Invalid => "⚠️ invalid: the input could not be evaluated".to_string(),
    };
    let _ = writeln!(out, "## changegate: {headline}\n");
    let _ = writeln!(
        out,
        "Evaluated at {}.\n",
        v.evaluated_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    );
    if !v.errors.is_empty() {
        items(&mut out, "Errors", &v.errors);
        for d in report.diagnostics {
            if let Some(help) = &d.help {
                let _ = writeln!(out, "- fix: {}", cell(help));
            }
        }
        out.push('\n');
    }
    items(&mut out, "Refusals for the change as a whole", &v.reasons);
    items(&mut out, "Findings for the change as a whole", &v.findings);
    for t in &v.tickets {
        ticket(&mut out, t);
    }
    out
}

fn ticket(out: &mut String, t: &TicketVerdict) {
    let state = if t.allowed() {
        "✅ allowed"
    } else {
        "❌ refused"
    };
    let tier = t.tier.as_deref().unwrap_or("-");
    let _ = writeln!(out, "### {} — {state} — tier `{tier}`\n", t.id);
    let _ = writeln!(out, "`{}`\n", t.file);
    if let Some(why) = t.tier_reasons.iter().rev().find(|c| c.tier == tier) {
        let _ = writeln!(out, "Why `{tier}`: {}\n", cell(&why.description));
    }
    items(out, "Refusals", &t.reasons);
    items(out, "Findings", &t.findings);
    if !t.deletions.is_empty() {
        let window = t
            .deletions
            .iter()
            .find_map(|d| d.evidence.as_ref()?.window)
            .map_or_else(String::new, |w| format!(" over the last {w}"));
        let _ = writeln!(out, "**Deletion evidence**{window}\n");
        let _ = writeln!(
            out,
            "| deleted | resolutions | zone telemetry | verdict | source |\n| --- | ---: | ---: | --- | --- |"
        );
        for d in &t.deletions {
            let (value, coverage, source) = match &d.evidence {
                Some(e) => (
                    value_text(e),
                    e.coverage.as_deref().map_or("-".into(), value_text),
                    e.source.clone(),
                ),
                None => ("not measured".into(), "-".into(), String::new()),
            };
            let _ = writeln!(
                out,
                "| `{} {}` | {} | {} | {} | {} |",
                d.name,
                d.rtype,
                cell(&value),
                cell(&coverage),
                if d.allowed { "unused" } else { "**refused**" },
                cell(&source)
            );
        }
        out.push('\n');
    }
    if !t.signals.is_empty() {
        let _ = writeln!(
            out,
            "**Health signals**\n\n| signal | abort if | now | verdict |\n| --- | --- | ---: | --- |"
        );
        for s in &t.signals {
            let now = s.value.map_or_else(|| "-".to_string(), |v| v.to_string());
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} |",
                cell(&s.name),
                s.abort_if,
                now,
                s.verdict
            );
        }
        out.push('\n');
    }
    let a = &t.approvals;
    if !a.required.is_empty() || !a.valid.is_empty() || !a.invalid.is_empty() {
        let required: Vec<String> = a
            .required
            .iter()
            .map(|r| format!("{} from `{}`", r.count, r.group))
            .collect();
        let _ = writeln!(
            out,
            "**Approvals** — required: {}\n",
            if required.is_empty() {
                "none".into()
            } else {
                required.join(", ")
            }
        );
        for e in &a.valid {
            let fills = e
                .fills
                .as_deref()
                .map_or_else(String::new, |g| format!(" for `{g}`"));
            let _ = writeln!(out, "- ✅ {}{fills}", e.approver);
        }
        for e in &a.invalid {
            let code = e.code.map(|c| c.as_str()).unwrap_or_default();
            let _ = writeln!(
                out,
                "- ❌ {} (`{code}`): {}",
                e.approver,
                cell(e.reason.as_deref().unwrap_or_default())
            );
        }
        if !a.valid.is_empty() || !a.invalid.is_empty() {
            out.push('\n');
        }
    }
    if !t.changes.is_empty() {
        let digest = t
            .plan_digest
            .as_deref()
            .map_or_else(String::new, |d| format!(" (`{d}`, what approvals sign)"));
        let _ = writeln!(
            out,
            "**Plan**{digest}\n\n| action | name | type | TTL | values |\n| --- | --- | --- | ---: | --- |"
        );
        for c in &t.changes {
            let values: Vec<String> = c.values.iter().map(|v| format!("`{}`", cell(v))).collect();
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} | {} |",
                c.action,
                c.name,
                c.rtype,
                c.ttl.map_or_else(|| "-".to_string(), |t| t.to_string()),
                values.join("; ")
            );
        }
        out.push('\n');
    }
}

/// A table of refusals or findings, with the fix the message gives.
fn items(out: &mut String, title: &str, items: &[Item]) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "**{title}**\n\n| code | what | where |\n| --- | --- | --- |"
    );
    for item in items {
        let place = item
            .location
            .as_ref()
            .map_or_else(String::new, |l| format!("`{l}`"));
        let _ = writeln!(
            out,
            "| `{}` | {} | {place} |",
            item.code.as_str(),
            cell(&item.message)
        );
    }
    out.push('\n');
}

fn value_text(e: &Evidence) -> String {
    match (e.result, e.value) {
        ("value", Some(v)) => format!("{v}"),
        ("empty", _) => "empty (0)".into(),
        ("covered", _) => "covered".into(),
        _ => format!("error: {}", e.error.as_deref().unwrap_or("unknown")),
    }
}

/// Text safe inside a table cell: one line, pipes escaped.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

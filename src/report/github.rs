//! GitHub Actions workflow commands: `::error file=...,line=...::message` for refusals,
//! `::warning` for findings, so each reason appears on the ticket line in the pull request.

use std::fmt::Write;

use super::Report;
use crate::verdict::Item;

pub fn render(report: &Report<'_>) -> String {
    let mut out = String::new();
    for d in report.diagnostics {
        let (file, line, col) = match &d.location {
            Some(l) => {
                let (line, col) = l.line_col();
                (Some(l.file.name.to_string()), line, col)
            }
            None => (None, 0, 0),
        };
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        annotate(
            &mut out,
            "error",
            d.code,
            file.as_deref(),
            line,
            col,
            &message,
        );
    }
    let v = report.verdict;
    annotate_items(&mut out, &v.reasons, &v.findings, "changegate.toml", None);
    for ticket in &v.tickets {
        let reasons: Vec<Item> = ticket
            .reasons
            .iter()
            .filter(|i| {
                i.code != crate::verdict::Code::TicketInvalid || report.diagnostics.is_empty()
            })
            .cloned()
            .collect();
        annotate_items(
            &mut out,
            &reasons,
            &ticket.findings,
            &ticket.file,
            Some(&ticket.id),
        );
    }
    let _ = writeln!(
        out,
        "changegate: {} ({} ticket(s))",
        serde_json::to_value(v.verdict)
            .ok()
            .and_then(|x| x.as_str().map(String::from))
            .unwrap_or_default(),
        v.tickets.len()
    );
    out
}

/// Refusals as errors and findings as warnings, each at its position (or `fallback`).
fn annotate_items(
    out: &mut String,
    reasons: &[Item],
    findings: &[Item],
    fallback: &str,
    ticket: Option<&str>,
) {
    for (item, level) in reasons
        .iter()
        .map(|i| (i, "error"))
        .chain(findings.iter().map(|i| (i, "warning")))
    {
        let (file, line, col) = position(item, fallback);
        let message = match ticket {
            Some(id) => format!("{id}: {}", item.message),
            None => item.message.clone(),
        };
        annotate(
            out,
            level,
            item.code.as_str(),
            Some(&file),
            line,
            col,
            &message,
        );
    }
}

fn position(item: &Item, fallback: &str) -> (String, usize, usize) {
    match &item.location {
        Some(p) => (p.file.clone(), p.line, p.column),
        None => (fallback.to_string(), 1, 1),
    }
}

fn annotate(
    out: &mut String,
    level: &str,
    title: &str,
    file: Option<&str>,
    line: usize,
    col: usize,
    message: &str,
) {
    let mut props = Vec::new();
    if let Some(file) = file {
        props.push(format!("file={}", escape_property(file)));
        if line > 0 {
            props.push(format!("line={line}"));
            props.push(format!("col={col}"));
        }
    }
    props.push(format!("title={}", escape_property(title)));
    let _ = writeln!(
        out,
        "::{level} {}::{}",
        props.join(","),
        escape_data(message)
    );
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_runner_expects() {
        assert_eq!(escape_data("50% of\nnames"), "50%25 of%0Anames");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}

//! Renderers over one [`Verdict`]: `human` (tables and quoted diagnostics), `json`
//! (`schema: 1`) and `github` (workflow annotations). Results go to stdout; nothing here
//! decides anything.

mod github;
mod human;
mod markdown;
pub mod zonediff;

use crate::diag::Diagnostic;
use crate::verdict::Verdict;

pub use github::render as github;
pub use human::render as human;
pub use markdown::render as markdown;

/// Output format (`--format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Github,
    /// A summary for a pull-request comment or a CI job summary.
    Markdown,
}

/// How to render for people.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
    pub verbose: bool,
    pub quiet: bool,
}

/// What a renderer gets: the verdict and the diagnostics that explain invalid input.
pub struct Report<'a> {
    pub verdict: &'a Verdict,
    pub diagnostics: &'a [Diagnostic],
}

/// The tables every human output uses: UTF-8 borders, wrapped to 110 columns, styled only
/// when colour is on.
pub fn table(color: bool) -> comfy_table::Table {
    let mut table = comfy_table::Table::new();
    table
        .load_style(comfy_table::presets::UTF8_FULL)
        .set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
        .set_width(110);
    if color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    table
}

pub fn json(report: &Report<'_>) -> String {
    let mut out = serde_json::to_string_pretty(report.verdict)
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    out.push('\n');
    out
}

/// Values as a line of bars (the last 30), lowest `▁` to highest `█`; all equal is a flat
/// line at the bottom when they are zero, in the middle otherwise.
pub fn sparkline(values: &[f64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let tail = &values[values.len().saturating_sub(30)..];
    let (lo, hi) = tail
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(*v), hi.max(*v))
        });
    tail.iter()
        .map(|v| {
            if hi > lo {
                BARS[(((v - lo) / (hi - lo)) * 7.0).round() as usize]
            } else if *v == 0.0 {
                BARS[0]
            } else {
                BARS[3]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparklines_scale_to_their_values() {
        assert_eq!(sparkline(&[0.0, 7.0]), "▁█");
        assert_eq!(sparkline(&[5.0, 5.0]), "▄▄");
        assert_eq!(sparkline(&[0.0, 0.0]), "▁▁");
        assert_eq!(sparkline(&[]), "");
    }
}

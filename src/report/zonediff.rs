//! Rendering a desired-state diff: a plan a person reads at a glance (grouped by zone, `+`, `~`,
//! `-` per RRset, old and new values), or JSON.

use std::fmt::Write;

use serde::Serialize;

use crate::zone::{ChangeKind, RRset, State, ZoneDiff};

/// The JSON shape of `changegate diff --format json`.
#[derive(Serialize)]
struct Json<'a> {
    schema: u32,
    summary: Summary,
    changes: Vec<JsonChange<'a>>,
    type_changes: Vec<JsonTypeChange<'a>>,
    cascade: Vec<JsonCascade<'a>>,
    dangling: Vec<JsonDangling<'a>>,
}

#[derive(Serialize, Default)]
struct Summary {
    create: usize,
    update: usize,
    delete: usize,
}

#[derive(Serialize)]
struct JsonChange<'a> {
    kind: ChangeKind,
    zone: &'a str,
    name: &'a str,
    #[serde(rename = "type")]
    rtype: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    old: Option<JsonRRset<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    new: Option<JsonRRset<'a>>,
    file: String,
    line: u32,
    /// Why the change happens when no file says it (an alias whose target is deleted).
    #[serde(skip_serializing_if = "Option::is_none")]
    cause: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonRRset<'a> {
    ttl: u32,
    values: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    octodns: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dynamic: Option<&'a str>,
    /// A Terraform provider's settings beside the values.
    #[serde(skip_serializing_if = "Option::is_none")]
    provider: Option<&'a str>,
}

impl<'a> JsonRRset<'a> {
    fn of(r: &'a RRset) -> Self {
        Self {
            ttl: r.ttl,
            values: r.values.iter().map(|v| &**v).collect(),
            octodns: r.octodns.as_ref().and_then(|o| o.settings.as_deref()),
            dynamic: r.octodns.as_ref().and_then(|o| o.dynamic.as_deref()),
            provider: r.octodns.as_ref().and_then(|o| o.provider.as_deref()),
        }
    }
}

/// `ttl values`, then what the octoDNS file says beyond them, if anything.
fn data(r: &RRset) -> String {
    let mut out = format!("{} {}", r.ttl, r.values.join(" | "));
    for (what, text) in r.octodns.iter().flat_map(|o| o.parts()) {
        let _ = write!(out, "  {what} {text}");
    }
    out
}

#[derive(Serialize)]
struct JsonTypeChange<'a> {
    name: &'a str,
    from: String,
    to: String,
}

#[derive(Serialize)]
struct JsonCascade<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    rtype: String,
    zone: &'a str,
    root: &'a str,
    depth: usize,
}

#[derive(Serialize)]
struct JsonDangling<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    rtype: String,
    target: &'a str,
    file: String,
    line: u32,
}

fn summary(diff: &ZoneDiff) -> Summary {
    let mut s = Summary::default();
    for c in &diff.changes {
        match c.kind {
            ChangeKind::Create => s.create += 1,
            ChangeKind::Update => s.update += 1,
            ChangeKind::Delete => s.delete += 1,
        }
    }
    s
}

fn file_of(state: &State, index: u32) -> String {
    state.files.get(index as usize).cloned().unwrap_or_default()
}

pub fn json(diff: &ZoneDiff, old: &State, new: &State) -> String {
    let doc = Json {
        schema: 1,
        summary: summary(diff),
        changes: diff
            .changes
            .iter()
            .map(|c| {
                let state = if c.new.is_some() { new } else { old };
                JsonChange {
                    kind: c.kind,
                    zone: c.zone.as_str(),
                    name: c.name().as_str(),
                    rtype: c.rtype().to_string(),
                    old: c.old.as_ref().map(JsonRRset::of),
                    new: c.new.as_ref().map(JsonRRset::of),
                    file: file_of(state, c.origin().file),
                    line: c.origin().line,
                    cause: c.cause.as_deref(),
                }
            })
            .collect(),
        type_changes: diff
            .type_changes
            .iter()
            .map(|t| JsonTypeChange {
                name: t.name.as_str(),
                from: t.from.to_string(),
                to: t.to.to_string(),
            })
            .collect(),
        cascade: diff
            .cascade
            .iter()
            .map(|c| JsonCascade {
                name: c.name.as_str(),
                rtype: c.rtype.to_string(),
                zone: c.zone.as_str(),
                root: c.root.as_str(),
                depth: c.depth,
            })
            .collect(),
        dangling: diff
            .dangling
            .iter()
            .map(|d| JsonDangling {
                name: d.name.as_str(),
                rtype: d.rtype.to_string(),
                target: d.target.as_str(),
                file: file_of(new, d.origin.file),
                line: d.origin.line,
            })
            .collect(),
    };
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

/// The diff as Markdown for a pull request: counts, then a table per change.
pub fn markdown(diff: &ZoneDiff) -> String {
    let s = summary(diff);
    let mut out = format!(
        "## DNS changes: {} create, {} update, {} delete\n\n",
        s.create, s.update, s.delete
    );
    if diff.changes.is_empty() {
        out.push_str("No differences.\n");
        return out;
    }
    out.push_str(
        "| change | zone | name | type | before | after |\n| --- | --- | --- | --- | --- | --- |\n",
    );
    let cell = |values: Option<&crate::zone::RRset>| {
        values.map_or_else(
            || "-".to_string(),
            |r| {
                let values: Vec<String> = r
                    .values
                    .iter()
                    .map(|v| format!("`{}`", v.replace('|', "\\|")))
                    .collect();
                format!("{} {}", r.ttl, values.join("; "))
            },
        )
    };
    for c in &diff.changes {
        out.push_str(&format!(
            "| {} | `{}` | `{}` | {} | {} | {} |\n",
            c.kind.as_str(),
            c.zone,
            c.name(),
            c.rtype(),
            cell(c.old.as_ref()),
            cell(c.new.as_ref())
        ));
    }
    for t in &diff.type_changes {
        out.push_str(&format!(
            "\n**Type change**: `{}` goes from {} to {}: every answer for the name changes shape.\n",
            t.name, t.from, t.to
        ));
    }
    for d in &diff.dangling {
        out.push_str(&format!(
            "\n**Dangling**: `{} {}` would point at `{}`, which no longer exists.\n",
            d.name, d.rtype, d.target
        ));
    }
    out
}

fn paint(text: &str, code: u8, color: bool) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

pub fn human(diff: &ZoneDiff, old: &State, new: &State, color: bool) -> String {
    let mut out = String::with_capacity(diff.changes.len() * 96 + 256);
    let mut zone = None;
    for c in &diff.changes {
        if zone != Some(&c.zone) {
            zone = Some(&c.zone);
            let file = new
                .zone_files
                .get(&c.zone)
                .or_else(|| old.zone_files.get(&c.zone))
                .cloned()
                .unwrap_or_default();
            let _ = writeln!(out, "{} ({file})", paint(c.zone.as_str(), 1, color));
        }
        let state = if c.new.is_some() { new } else { old };
        let at = format!("{}:{}", file_of(state, c.origin().file), c.origin().line);
        let name = c.name();
        let rtype = c.rtype();
        match (c.kind, &c.old, &c.new) {
            (ChangeKind::Create, _, Some(n)) => {
                let _ = writeln!(
                    out,
                    "  {} {name} {rtype} {}  {}",
                    paint("+", 32, color),
                    data(n),
                    paint(&at, 2, color)
                );
            }
            (ChangeKind::Delete, Some(o), _) => {
                let _ = writeln!(
                    out,
                    "  {} {name} {rtype} {}  {}",
                    paint("-", 31, color),
                    data(o),
                    paint(&at, 2, color)
                );
                if let Some(cause) = &c.cause {
                    let _ = writeln!(
                        out,
                        "      {}",
                        paint(&format!("because {cause}"), 2, color)
                    );
                }
            }
            (_, Some(o), Some(n)) => {
                let _ = writeln!(
                    out,
                    "  {} {name} {rtype}  {}",
                    paint("~", 33, color),
                    paint(&at, 2, color)
                );
                let _ = writeln!(out, "      {} {}", paint("-", 31, color), data(o));
                let _ = writeln!(out, "      {} {}", paint("+", 32, color), data(n));
            }
            _ => {}
        }
    }
    if !diff.type_changes.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            paint(
                "type changes (every answer for these names changes shape)",
                1,
                color
            )
        );
        for t in &diff.type_changes {
            let _ = writeln!(out, "  ! {}: {} → {}", t.name, t.from, t.to);
        }
    }
    if !diff.cascade.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            paint(
                "cascade (names that depend on a deleted or retyped name)",
                1,
                color
            )
        );
        for c in &diff.cascade {
            let _ = writeln!(
                out,
                "  ! {} {} → … → {} ({} step(s))",
                c.name, c.rtype, c.root, c.depth
            );
        }
    }
    if !diff.dangling.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            paint(
                "dangling references (records left pointing at nothing)",
                1,
                color
            )
        );
        for d in &diff.dangling {
            let _ = writeln!(
                out,
                "  ✗ {} {} → {}, which no longer exists  {}",
                d.name,
                d.rtype,
                d.target,
                new.location(d.origin)
            );
        }
    }
    let s = summary(diff);
    if diff.changes.is_empty() {
        let _ = writeln!(out, "no differences");
    } else {
        let _ = writeln!(
            out,
            "{} change(s): {} create, {} update, {} delete",
            diff.changes.len(),
            s.create,
            s.update,
            s.delete
        );
    }
    out
}

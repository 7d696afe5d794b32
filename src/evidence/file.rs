//! The `file` metrics backend: a CSV export `name,type,count` of resolutions over the window,
//! for offline use. A name with no row was never resolved (0); a zone's coverage is the sum of
//! the counts of every name in it. A file that cannot be read or has a bad row makes every
//! measurement fail, naming the file and line (fail closed).
//!
//! The export says which period it counts, in two comment lines at its top:
//! `# from: 2026-01-01T00:00:00Z` and `# to: 2026-01-15T00:00:00Z`. A count is evidence only
//! for a window the period covers: an export without them, or one that starts after the
//! window does or ends more than `max_gap` before now, proves no deletion.

use std::collections::HashMap;

use super::Outcome;
use crate::model::{Fqdn, RecordType};
use crate::zone::Files;

pub struct CsvCounts {
    /// The file as shown to the user.
    shown: String,
    /// The period the counts cover, from the `# from:` and `# to:` lines.
    from: Option<jiff::Timestamp>,
    to: Option<jiff::Timestamp>,
    counts: HashMap<(Fqdn, RecordType), f64>,
}

impl CsvCounts {
    /// Reads the export at `path` through `files`: the base's with `--base`, like the policy.
    pub fn load(files: &dyn Files, path: &str) -> Result<Self, String> {
        let shown = files.display(path);
        let text = files
            .read(path)
            .map_err(|e| format!("cannot read the resolution counts `{shown}`: {e}"))?;
        let mut counts = HashMap::new();
        let (mut from, mut to) = (None, None);
        let mut seen_row = false;
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            let at = || format!("{shown}:{}", index + 1);
            if let Some(comment) = line.strip_prefix('#') {
                let comment = comment.trim();
                for (key, slot) in [("from:", &mut from), ("to:", &mut to)] {
                    if let Some(value) = comment.strip_prefix(key) {
                        let value = value.trim();
                        let instant = value.parse::<jiff::Timestamp>().map_err(|_| {
                            format!(
                                "{}: `{value}` is not an RFC 3339 instant such as `2026-01-15T00:00:00Z`",
                                at()
                            )
                        })?;
                        *slot = Some(instant);
                    }
                }
                continue;
            }
            if line.is_empty() {
                continue;
            }
            // The header, if any, is the first line that is not a comment.
            let first = !std::mem::replace(&mut seen_row, true);
            if first && line.eq_ignore_ascii_case("name,type,count") {
                continue;
            }
            let fields: Vec<&str> = line.split(',').map(str::trim).collect();
            let [name, rtype, count] = fields.as_slice() else {
                return Err(format!(
                    "{}: expected 3 fields `name,type,count`, found {}",
                    at(),
                    fields.len()
                ));
            };
            let name = Fqdn::parse(name).map_err(|e| format!("{}: {e}", at()))?;
            let rtype = RecordType::parse(rtype).map_err(|e| format!("{}: {e}", at()))?;
            let count: f64 = match count.parse::<f64>() {
                Ok(c) if c.is_finite() && c >= 0.0 => c,
                _ => {
                    return Err(format!(
                        "{}: `{count}` is not a count (a number 0 or more)",
                        at()
                    ));
                }
            };
            *counts.entry((name, rtype)).or_insert(0.0) += count;
        }
        if let (Some(f), Some(t)) = (from, to) {
            if f >= t {
                return Err(format!(
                    "{shown}: the period `# from: {f}` to `# to: {t}` is empty"
                ));
            }
        }
        Ok(Self {
            shown,
            from,
            to,
            counts,
        })
    }

    pub fn source(&self) -> String {
        self.shown.clone()
    }

    /// Where the export's period fails to cover the `window` ending `now`, if it does.
    pub fn gap(
        &self,
        now: jiff::Timestamp,
        window: crate::model::Duration,
        max_gap: crate::model::Duration,
    ) -> Option<String> {
        let (Some(from), Some(to)) = (self.from, self.to) else {
            return Some(format!(
                "`{}` does not say which period it counts; add `# from: <RFC 3339>` and `# to: <RFC 3339>` lines at its top",
                self.shown
            ));
        };
        let start = now - jiff::SignedDuration::from_secs(window.as_secs() as i64);
        let fresh = now - jiff::SignedDuration::from_secs(max_gap.as_secs() as i64);
        if from > start {
            Some(format!(
                "`{}` counts from {from}, after the {window} window starts ({start})",
                self.shown
            ))
        } else if to < fresh {
            Some(format!(
                "`{}` counts up to {to}, more than {max_gap} (`max_gap`) before now ({now})",
                self.shown
            ))
        } else {
            None
        }
    }

    pub fn rrset(&self, name: &Fqdn, rtype: RecordType) -> (String, Result<Outcome, String>) {
        let query = format!("rows with name={name} type={rtype}");
        let outcome = match self.counts.get(&(name.clone(), rtype)) {
            Some(count) => Outcome::Value(*count),
            None => Outcome::Empty,
        };
        (query, Ok(outcome))
    }

    /// The resolutions a deleted wildcard or subtree answered: every row strictly below
    /// `name` (a wildcard: the export cannot tell which names the wildcard itself answered, so
    /// it counts them all, which can only refuse more), or at or below it (a delegation or a
    /// DNAME).
    pub fn below(&self, name: &Fqdn, with_self: bool) -> (String, Result<Outcome, String>) {
        let query = format!(
            "sum of rows for names {} {name}",
            if with_self { "at or below" } else { "below" }
        );
        let total: f64 = self
            .counts
            .iter()
            .filter(|((n, _), _)| n.is_in(name) && (with_self || n != name))
            .map(|(_, count)| count)
            .sum();
        (query, Ok(Outcome::Value(total)))
    }

    pub fn zone(&self, zone: &Fqdn) -> (String, Result<Outcome, String>) {
        let query = format!("sum of rows for names in {zone}");
        let total: f64 = self
            .counts
            .iter()
            .filter(|((name, _), _)| name.is_in(zone))
            .map(|(_, count)| count)
            .sum();
        (query, Ok(Outcome::Value(total)))
    }
}

//! The `file` metrics backend: a CSV export `name,type,count` of resolutions over the window,
//! for offline use. A name with no row was never resolved (0); a zone's coverage is the sum of
//! the counts of every name in it. A file that cannot be read or has a bad row makes every
//! measurement fail, naming the file and line (fail closed).

use std::collections::HashMap;

use super::Outcome;
use crate::model::{Fqdn, RecordType};
use crate::zone::Files;

pub struct CsvCounts {
    /// The file as shown to the user.
    shown: String,
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
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            let at = || format!("{shown}:{}", index + 1);
            if line.is_empty()
                || line.starts_with('#')
                || (index == 0 && line.eq_ignore_ascii_case("name,type,count"))
            {
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
        Ok(Self { shown, counts })
    }

    pub fn source(&self) -> String {
        self.shown.clone()
    }

    pub fn rrset(&self, name: &Fqdn, rtype: RecordType) -> (String, Result<Outcome, String>) {
        let query = format!("rows with name={name} type={rtype}");
        let outcome = match self.counts.get(&(name.clone(), rtype)) {
            Some(count) => Outcome::Value(*count),
            None => Outcome::Empty,
        };
        (query, Ok(outcome))
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

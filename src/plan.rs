//! The plan of a ticket: its declared changes with their zones resolved, and what follows
//! from them (type changes, the RRsets the deletion gate must clear).

use std::ops::Range;

use crate::diag::Diagnostic;
use crate::evidence::DeletionTarget;
use crate::model::{Fqdn, RecordType};
use crate::ticket::{Action, Ticket};
use crate::zones::{ManagedZone, zone_of};

/// A change with its zone.
#[derive(Clone, Debug)]
pub struct PlannedChange {
    pub action: Action,
    pub name: Fqdn,
    pub rtype: RecordType,
    pub zone: Fqdn,
    pub values: Vec<String>,
    pub ttl: Option<u32>,
    pub span: Range<usize>,
}

/// A name that trades an address type (A, AAAA, ALIAS) for a CNAME, or the reverse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeChange {
    pub name: Fqdn,
    pub from: RecordType,
    pub to: RecordType,
}

#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub changes: Vec<PlannedChange>,
    pub type_changes: Vec<TypeChange>,
}

impl Plan {
    /// Resolves each change's zone: its own `zone`, else the longest managed zone suffix.
    pub fn from_ticket(ticket: &Ticket, zones: &[ManagedZone]) -> Result<Self, Vec<Diagnostic>> {
        let mut problems = Vec::new();
        let mut changes = Vec::new();
        for change in &ticket.changes {
            let zone = match (&change.zone, zone_of(zones, change.name.get_ref())) {
                (Some(zone), _) => zone.get_ref().clone(),
                (None, Some(managed)) => managed.name.clone(),
                (None, None) => {
                    let managed: Vec<String> =
                        zones.iter().map(|z| format!("`{}`", z.name)).collect();
                    problems.push(
                        Diagnostic::new(
                            "ticket-invalid",
                            format!("`{}` is in no managed zone", change.name.get_ref()),
                        )
                        .at(&ticket.file, change.name.span(), "no zone in `[sources]` contains this name")
                        .help(format!(
                            "add `zone = \"...\"` to this change, or list the zone's file under `[sources]` in changegate.toml (managed zones: {})",
                            if managed.is_empty() { "none".to_string() } else { managed.join(", ") }
                        )),
                    );
                    continue;
                }
            };
            changes.push(PlannedChange {
                action: change.action,
                name: change.name.get_ref().clone(),
                rtype: *change.rtype.get_ref(),
                zone,
                values: change.values.clone(),
                ttl: change.ttl,
                span: change.span.clone(),
            });
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let type_changes = type_changes(&changes);
        Ok(Self {
            changes,
            type_changes,
        })
    }

    /// Deleted RRsets that are not one half of a type change.
    pub fn deletion_targets(&self) -> Vec<DeletionTarget> {
        self.changes
            .iter()
            .filter(|c| c.action == Action::Delete)
            .filter(|c| {
                !self
                    .type_changes
                    .iter()
                    .any(|t| t.name == c.name && t.from == c.rtype)
            })
            .map(|c| DeletionTarget {
                name: c.name.clone(),
                rtype: c.rtype,
                zone: c.zone.clone(),
            })
            .collect()
    }

    pub fn is_type_changed(&self, name: &Fqdn) -> bool {
        self.type_changes.iter().any(|t| &t.name == name)
    }
}

fn type_changes(changes: &[PlannedChange]) -> Vec<TypeChange> {
    let mut found = Vec::new();
    for deleted in changes.iter().filter(|c| c.action == Action::Delete) {
        let created = changes.iter().find(|c| {
            c.action == Action::Create
                && c.name == deleted.name
                && ((deleted.rtype.is_address_like() && c.rtype == RecordType::Cname)
                    || (deleted.rtype == RecordType::Cname && c.rtype.is_address_like()))
        });
        if let Some(created) = created {
            found.push(TypeChange {
                name: deleted.name.clone(),
                from: deleted.rtype,
                to: created.rtype,
            });
        }
    }
    found
}

impl Plan {
    /// The canonical text of the RRset changes, the thing approvers sign (`plan: sha256:...`).
    ///
    /// ```text
    /// changegate plan v1
    /// <action>\t<zone.>\t<name.>\t<TYPE>\t<ttl or ->[\t<value>]...
    /// ```
    /// One line per RRset, sorted by zone, then name (both without the trailing dot), then type
    /// mnemonic, each compared as bytes; values in the order given, with `\`, tab and newline
    /// escaped as `\\`, `\t`, `\n`; every line ends in `\n`.
    pub fn canonical_text(&self) -> String {
        let mut changes: Vec<&PlannedChange> = self.changes.iter().collect();
        changes.sort_by(|a, b| {
            (a.zone.as_str(), a.name.as_str(), a.rtype.as_str()).cmp(&(
                b.zone.as_str(),
                b.name.as_str(),
                b.rtype.as_str(),
            ))
        });
        let mut out = String::from("changegate plan v1\n");
        for c in changes {
            let ttl = c.ttl.map_or_else(|| "-".to_string(), |t| t.to_string());
            out.push_str(&format!(
                "{}\t{}\t{}\t{}\t{ttl}",
                c.action.as_str(),
                c.zone.to_dotted(),
                c.name.to_dotted(),
                c.rtype
            ));
            for value in &c.values {
                out.push('\t');
                out.push_str(
                    &value
                        .replace('\\', "\\\\")
                        .replace('\t', "\\t")
                        .replace('\n', "\\n"),
                );
            }
            out.push('\n');
        }
        out
    }

    /// `sha256:<hex>` of [`Plan::canonical_text`].
    pub fn digest(&self) -> String {
        crate::approval::sha256(self.canonical_text().as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::diag::SourceFile;
    use crate::ticket::read_ticket;

    #[test]
    fn the_canonical_plan_text_is_exactly_as_documented() {
        let text = r#"id = "CHG-1"
title = "t"
author = "a@example.com"
[[change]]
action = "create"
name = "WWW.example.com."
type = "A"
ttl = 300
values = ["192.0.2.1", "192.0.2.2"]
[[change]]
action = "update"
name = "example.com"
type = "TXT"
values = ["v=spf1 -all", "tab\there"]
[[change]]
action = "delete"
name = "old.example.com"
type = "DS"
[[change]]
action = "delete"
name = "old.example.com"
type = "DNSKEY"
"#;
        let ticket =
            read_ticket(SourceFile::new("CHG-1.toml", text), Path::new("CHG-1.toml")).unwrap();
        let zones = [ManagedZone {
            name: Fqdn::parse("example.com").unwrap(),
            file: "z".into(),
        }];
        let plan = Plan::from_ticket(&ticket, &zones).unwrap();
        assert_eq!(
            plan.canonical_text(),
            "changegate plan v1\n\
             update\texample.com.\texample.com.\tTXT\t-\tv=spf1 -all\ttab\\there\n\
             delete\texample.com.\told.example.com.\tDNSKEY\t-\n\
             delete\texample.com.\told.example.com.\tDS\t-\n\
             create\texample.com.\twww.example.com.\tA\t300\t192.0.2.1\t192.0.2.2\n"
        );
        assert_eq!(
            plan.digest(),
            crate::approval::sha256(plan.canonical_text().as_bytes())
        );
    }
}

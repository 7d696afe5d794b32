//! The plan of a ticket: its declared changes with their zones resolved, and what follows
//! from them (type changes, the RRsets the deletion gate must clear).

use std::ops::Range;

use crate::diag::Diagnostic;
use crate::evidence::DeletionTarget;
use crate::model::{Fqdn, RecordType};
use crate::ticket::{Action, Ticket};
pub use crate::zone::TypeChange;
use crate::zone::{Cascade, ChangeKind, DanglingReference, State, ZoneDiff};
use crate::zone::{ManagedZone, zone_of};

/// A change with its zone.
#[derive(Clone, Debug)]
pub struct PlannedChange {
    pub action: Action,
    pub name: Fqdn,
    pub rtype: RecordType,
    pub zone: Fqdn,
    pub values: Vec<String>,
    pub ttl: Option<u32>,
    /// The RRset's TTL before the change, when the diff has it (widened, with `--base`, to the
    /// largest it had within the deletion window: what caches may still hold).
    pub old_ttl: Option<u32>,
    /// The RRset as the base holds it (TTL and values), when the diff has it: part of what
    /// approvals sign, so that an approval covers the state it was given.
    pub before: Option<(u32, Vec<String>)>,
    /// The octoDNS settings and dynamic pools of the RRset the change replaces, signed like
    /// its values (`old-octodns`, `old-dynamic` lines).
    pub before_extras: Vec<(&'static str, String)>,
    /// For a deletion, the zone's negative-caching TTL (the smaller of its SOA's TTL and
    /// MINIMUM): how long resolvers keep "no such name" once it is gone.
    pub negative_ttl: Option<u32>,
    /// What the new RRset's octoDNS file says beyond its values, when the diff has it:
    /// `("octodns", settings)` and `("dynamic", pools and rules)`.
    pub extras: Vec<(&'static str, String)>,
    pub span: Range<usize>,
}

#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub changes: Vec<PlannedChange>,
    /// With the diff: how many RRsets each zone the plan touches held before the change.
    pub zone_sizes: std::collections::BTreeMap<Fqdn, usize>,
    /// Why the TTLs the deleted RRsets had within the window could not all be read, if so:
    /// the deletion gate then cannot rule out resolvers still caching them.
    pub ttl_history_gap: Option<String>,
    pub type_changes: Vec<TypeChange>,
    /// Names that depend on what this plan deletes or retypes (from the diff, `--base` only).
    pub cascade: Vec<(Cascade, String)>,
    /// Records the change leaves pointing at nothing, with the file they are written in.
    pub dangling: Vec<(DanglingReference, String)>,
    /// Declared changes the diff does not contain: the `[[change]]` span and what it says.
    pub not_in_diff: Vec<(Range<usize>, String)>,
}

/// A name the plan touches: directly, or through the cascade.
#[derive(Clone, Copy, Debug)]
pub struct Touched<'a> {
    pub action: Action,
    pub name: &'a Fqdn,
    pub rtype: RecordType,
    pub zone: &'a Fqdn,
    /// True for names only affected because they depend on a deleted or retyped name.
    pub cascade: bool,
}

impl Plan {
    /// Every RRset the plan changes, then every cascade-affected one (as an update: its answers
    /// change even though its record does not).
    pub fn touched(&self) -> Vec<Touched<'_>> {
        let direct = self.changes.iter().map(|c| Touched {
            action: c.action,
            name: &c.name,
            rtype: c.rtype,
            zone: &c.zone,
            cascade: false,
        });
        let affected = self.cascade.iter().map(|(c, _)| Touched {
            action: Action::Update,
            name: &c.name,
            rtype: c.rtype,
            zone: &c.zone,
            cascade: true,
        });
        direct.chain(affected).collect()
    }

    /// Resolves each change's zone: its own `zone`, else the longest managed zone suffix.
    pub fn from_ticket(ticket: &Ticket, zones: &[ManagedZone]) -> Result<Self, Vec<Diagnostic>> {
        let mut problems = Vec::new();
        let mut changes = Vec::new();
        for change in &ticket.changes {
            let name = change.name.get_ref();
            let zone = match (&change.zone, zone_of(zones, name)) {
                // A declared zone must be the one that really holds the name: the zone
                // chooses the telemetry that proves a deletion.
                (Some(zone), Some(managed)) if *zone.get_ref() != managed.name => {
                    problems.push(
                        Diagnostic::new(
                            "ticket-invalid",
                            format!(
                                "`{name}` is in the managed zone `{}`, not `{}`",
                                managed.name,
                                zone.get_ref()
                            ),
                        )
                        .at(&ticket.file, zone.span(), "not the name's zone")
                        .help(format!(
                            "remove `zone`, or write `zone = \"{}\"`",
                            managed.name
                        )),
                    );
                    continue;
                }
                // Nor a zone above managed ones (the root, a TLD): its telemetry would be
                // theirs, summed.
                (Some(zone), None)
                    if zone.get_ref().as_str() == "."
                        || zone.get_ref().label_count() == 0
                        || zones.iter().any(|z| z.name.is_in(zone.get_ref())) =>
                {
                    problems.push(
                        Diagnostic::new(
                            "ticket-invalid",
                            format!(
                                "`{}` cannot be the zone of `{name}`: it is the root or holds managed zones",
                                zone.get_ref()
                            ),
                        )
                        .at(&ticket.file, zone.span(), "too wide")
                        .help("name the zone that holds the record itself"),
                    );
                    continue;
                }
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
                old_ttl: None,
                before: None,
                before_extras: Vec::new(),
                negative_ttl: None,
                extras: Vec::new(),
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
            ..Default::default()
        })
    }

    /// Deleted RRsets that are not one half of a type change, and every name that depends on
    /// what the plan deletes or retypes: each must be proven unused.
    pub fn deletion_targets(&self) -> Vec<DeletionTarget> {
        let deleted = self
            .changes
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
                ttl: c.old_ttl,
            });
        let affected = self.cascade.iter().map(|(c, _)| DeletionTarget {
            name: c.name.clone(),
            rtype: c.rtype,
            zone: c.zone.clone(),
            ttl: Some(c.ttl),
        });
        let mut targets: Vec<DeletionTarget> = deleted.chain(affected).collect();
        targets.sort();
        targets.dedup();
        targets
    }

    /// The plan a ticket covers in a real diff: each declared change matched to the diff's
    /// change of the same name, type and action, with the diff's values. `covered` marks
    /// which diff changes some ticket declared.
    pub fn from_diff(ticket: &Ticket, diff: &ZoneDiff, head: &State, covered: &mut [bool]) -> Self {
        let mut plan = Plan::default();
        for declared in &ticket.changes {
            let (name, rtype) = (declared.name.get_ref(), *declared.rtype.get_ref());
            let found = diff
                .changes
                .iter()
                .position(|c| c.name() == name && c.rtype() == rtype);
            let Some(index) = found.filter(|&i| action_of(diff.changes[i].kind) == declared.action)
            else {
                let actual = found.map_or_else(
                    || "the diff does not change it".to_string(),
                    |i| format!("the diff {}s it instead", diff.changes[i].kind.as_str()),
                );
                plan.not_in_diff.push((
                    declared.span.clone(),
                    format!(
                        "the ticket declares `{} {name} {rtype}`, but {actual}",
                        declared.action.as_str()
                    ),
                ));
                continue;
            };
            covered[index] = true;
            let change = &diff.changes[index];
            let new = change.new.as_ref();
            plan.changes.push(PlannedChange {
                action: declared.action,
                name: name.clone(),
                rtype,
                zone: change.zone.clone(),
                values: new
                    .map(|r| r.values.iter().map(|v| v.to_string()).collect())
                    .unwrap_or_default(),
                ttl: new.map(|r| r.ttl),
                old_ttl: change.old.as_ref().map(|r| r.ttl),
                before: change
                    .old
                    .as_ref()
                    .map(|r| (r.ttl, r.values.iter().map(|v| v.to_string()).collect())),
                negative_ttl: (declared.action == Action::Delete)
                    .then(|| negative_ttl(head, &change.zone))
                    .flatten(),
                extras: new
                    .and_then(|r| r.octodns.as_deref())
                    .map(|o| o.parts().map(|(k, v)| (k, v.to_string())).collect())
                    .unwrap_or_default(),
                before_extras: change
                    .old
                    .as_ref()
                    .and_then(|r| r.octodns.as_deref())
                    .map(|o| {
                        o.parts()
                            .map(|(k, v)| (old_label(k), v.to_string()))
                            .collect()
                    })
                    .unwrap_or_default(),
                span: declared.span.clone(),
            });
        }
        let names: Vec<&Fqdn> = plan.changes.iter().map(|c| &c.name).collect();
        plan.type_changes = diff
            .type_changes
            .iter()
            .filter(|t| names.contains(&&t.name))
            .cloned()
            .collect();
        let roots: Vec<&Fqdn> = plan
            .changes
            .iter()
            .filter(|c| c.action == Action::Delete)
            .map(|c| &c.name)
            .chain(plan.type_changes.iter().map(|t| &t.name))
            .collect();
        for change in &plan.changes {
            if plan.zone_sizes.contains_key(&change.zone) {
                continue;
            }
            let now = head.zones.get(&change.zone).map_or(0, |z| z.rrsets.len());
            let (mut created, mut deleted) = (0usize, 0usize);
            for c in diff.changes.iter().filter(|c| c.zone == change.zone) {
                match c.kind {
                    ChangeKind::Create => created += 1,
                    ChangeKind::Delete => deleted += 1,
                    ChangeKind::Update => {}
                }
            }
            plan.zone_sizes
                .insert(change.zone.clone(), (now + deleted).saturating_sub(created));
        }
        let file = |origin: crate::zone::Origin| {
            head.files
                .get(origin.file as usize)
                .cloned()
                .unwrap_or_default()
        };
        plan.cascade = diff
            .cascade
            .iter()
            .filter(|c| roots.contains(&&c.root))
            .map(|c| (c.clone(), file(c.origin)))
            .collect();
        plan.dangling = diff
            .dangling
            .iter()
            .filter(|d| roots.contains(&&d.target) || names.contains(&&d.name))
            .map(|d| (d.clone(), file(d.origin)))
            .collect();
        plan
    }

    pub fn is_type_changed(&self, name: &Fqdn) -> bool {
        self.type_changes.iter().any(|t| &t.name == name)
    }
}

fn action_of(kind: ChangeKind) -> Action {
    match kind {
        ChangeKind::Create => Action::Create,
        ChangeKind::Update => Action::Update,
        ChangeKind::Delete => Action::Delete,
    }
}

fn type_changes(changes: &[PlannedChange]) -> Vec<TypeChange> {
    let mut found = Vec::new();
    for deleted in changes.iter().filter(|c| c.action == Action::Delete) {
        let created = changes.iter().find(|c| {
            c.action == Action::Create
                && c.name == deleted.name
                && deleted.rtype.retypes_to(c.rtype)
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
    /// changegate plan v2
    /// <action>\t<zone.>\t<name.>\t<TYPE>\tnew\t<ttl or ->\t<n>[\t<value>]*\told\t<ttl or ->\t<m>[\t<value>]*
    /// ```
    /// One line per RRset, sorted by zone, then name (both without the trailing dot), then type
    /// mnemonic, each compared as bytes. `new` is the RRset after the change (`-` and 0 values
    /// for a deletion), `old` the RRset the change replaces (`-` and 0 values for a creation,
    /// or when the base is not known); each value list is preceded by its count, so the text
    /// parses back without ambiguity. Values are in the order given, with `\`, tab and newline
    /// escaped as `\\`, `\t`, `\n`; every line ends in `\n`. Provider settings follow their
    /// line as `\t<what>\t<text>\n`. Because the old RRset is signed too, an approval
    /// given before the base moved under the change no longer verifies.
    pub fn canonical_text(&self) -> String {
        let mut out = String::from("changegate plan v2\n");
        // The names that depend on what the plan deletes or retypes, which approvers see and
        // the deletion gate measures: signed, so that a base adding a dependent voids the
        // approval.
        let mut cascade: Vec<String> = self
            .cascade
            .iter()
            .map(|(c, _)| {
                format!(
                    "cascade\t{}\t{}\t{}\t{}\n",
                    c.zone.to_dotted(),
                    c.name.to_dotted(),
                    c.rtype,
                    c.root.to_dotted()
                )
            })
            .collect();
        cascade.sort();
        cascade.dedup();
        for c in self.sorted() {
            out.push_str(&format!(
                "{}\t{}\t{}\t{}\tnew\t",
                c.action.as_str(),
                c.zone.to_dotted(),
                c.name.to_dotted(),
                c.rtype
            ));
            let new_values: &[String] = if c.action == Action::Delete {
                &[]
            } else {
                &c.values
            };
            let new_ttl = if c.action == Action::Delete {
                None
            } else {
                c.ttl
            };
            push_rrset(&mut out, new_ttl, new_values);
            out.push_str("\told\t");
            match &c.before {
                Some((ttl, values)) => push_rrset(&mut out, Some(*ttl), values),
                None => push_rrset(&mut out, None, &[]),
            }
            out.push('\n');
            push_extras(&mut out, c);
        }
        for line in cascade {
            out.push_str(&line);
        }
        out
    }

    /// The first plan text, `changegate plan v1`, which did not carry the state a change
    /// replaces: only to recognise approvals of it (always stale now).
    pub fn canonical_text_v1(&self) -> String {
        let mut out = String::from("changegate plan v1\n");
        for c in self.sorted() {
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
                out.push_str(&escape(value));
            }
            out.push('\n');
            for (what, text) in &c.extras {
                out.push_str(&format!("\t{what}\t{}\n", escape(text)));
            }
        }
        out
    }

    fn sorted(&self) -> Vec<&PlannedChange> {
        let mut changes: Vec<&PlannedChange> = self.changes.iter().collect();
        changes.sort_by(|a, b| {
            (a.zone.as_str(), a.name.as_str(), a.rtype.as_str()).cmp(&(
                b.zone.as_str(),
                b.name.as_str(),
                b.rtype.as_str(),
            ))
        });
        changes
    }

    /// `sha256:<hex>` of [`Plan::canonical_text`].
    pub fn digest(&self) -> String {
        crate::model::sha256(self.canonical_text().as_bytes())
    }

    /// `sha256:<hex>` of [`Plan::canonical_text_v1`].
    pub fn digest_v1(&self) -> String {
        crate::model::sha256(self.canonical_text_v1().as_bytes())
    }

    /// What the changes replace now, for a person: `www.example.com A was 192.0.2.9 (TTL 300)`.
    pub fn replaced(&self) -> Vec<String> {
        self.sorted()
            .into_iter()
            .filter_map(|c| {
                let (ttl, values) = c.before.as_ref()?;
                Some(format!(
                    "{} {} is {} (TTL {ttl})",
                    c.name,
                    c.rtype,
                    values.join(", ")
                ))
            })
            .collect()
    }
}

fn push_rrset(out: &mut String, ttl: Option<u32>, values: &[String]) {
    let ttl = ttl.map_or_else(|| "-".to_string(), |t| t.to_string());
    out.push_str(&format!("{ttl}\t{}", values.len()));
    for value in values {
        out.push('\t');
        out.push_str(&escape(value));
    }
}

/// The label of a replaced RRset's provider settings in the plan text.
fn old_label(what: &str) -> &'static str {
    match what {
        "dynamic" => "old-dynamic",
        "provider" => "old-provider",
        _ => "old-octodns",
    }
}

fn push_extras(out: &mut String, c: &PlannedChange) {
    for (what, text) in c.extras.iter().chain(&c.before_extras) {
        out.push('\t');
        out.push_str(what);
        out.push('\t');
        out.push_str(&escape(text));
        out.push('\n');
    }
}

/// Escapes a field of the canonical plan text: backslash, tab and newline.
fn escape(field: &str) -> String {
    field
        .replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
}

/// A zone's negative-caching TTL in `state`: the smaller of its SOA's TTL and MINIMUM.
fn negative_ttl(state: &State, zone: &Fqdn) -> Option<u32> {
    let soa = state.zones.get(zone)?.find(zone, RecordType::Soa)?;
    let minimum: u32 = soa.values.first()?.rsplit(' ').next()?.parse().ok()?;
    Some(soa.ttl.min(minimum))
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
            "changegate plan v2\n\
             update\texample.com.\texample.com.\tTXT\tnew\t-\t2\tv=spf1 -all\ttab\\there\told\t-\t0\n\
             delete\texample.com.\told.example.com.\tDNSKEY\tnew\t-\t0\told\t-\t0\n\
             delete\texample.com.\told.example.com.\tDS\tnew\t-\t0\told\t-\t0\n\
             create\texample.com.\twww.example.com.\tA\tnew\t300\t2\t192.0.2.1\t192.0.2.2\told\t-\t0\n"
        );
        // The state a change replaces is signed too: the same change over another base is
        // another plan.
        let mut moved = plan.clone();
        moved.changes[0].before = Some((300, vec!["v=spf1 ~all".into()]));
        assert_ne!(moved.digest(), plan.digest());
        assert!(
            moved
                .canonical_text()
                .contains("\told\t300\t1\tv=spf1 ~all\n")
        );
        assert_eq!(moved.digest_v1(), plan.digest_v1());
        // A name that comes to depend on a deleted one is part of what is signed.
        let mut depended = plan.clone();
        depended.cascade.push((
            crate::zone::Cascade {
                name: Fqdn::parse("alias.example.com").unwrap(),
                rtype: RecordType::Cname,
                zone: Fqdn::parse("example.com").unwrap(),
                root: Fqdn::parse("old.example.com").unwrap(),
                depth: 1,
                origin: crate::zone::Origin { file: 0, line: 1 },
                ttl: 300,
            },
            String::new(),
        ));
        assert_ne!(depended.digest(), plan.digest());
        assert!(
            depended
                .canonical_text()
                .ends_with("cascade\texample.com.\talias.example.com.\tCNAME\told.example.com.\n")
        );
        assert_eq!(
            plan.digest(),
            crate::model::sha256(plan.canonical_text().as_bytes())
        );
        // octoDNS provider settings follow their change on a line of their own.
        let mut plan = plan;
        plan.changes[0].extras = vec![("octodns", r#"{"cloudflare": {"proxied": true}}"#.into())];
        assert!(plan.canonical_text().contains(
            "\tA\tnew\t300\t2\t192.0.2.1\t192.0.2.2\told\t-\t0\n\toctodns\t{\"cloudflare\": {\"proxied\": true}}\n"
        ));
    }
}

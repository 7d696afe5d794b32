//! The desired-state diff, like octoDNS's plan: per RRset a create, update or delete, sorted
//! by zone, name and type. On top of it, what no plan shows: *type changes* (a name trading
//! A/AAAA/ALIAS for CNAME or back), *cascade* (names that depend on a deleted or type-changed
//! name, transitively) and *dangling references* (records left pointing at nothing).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::Serialize;

use super::{Origin, RRset, State, Zone};
use crate::model::{Fqdn, RecordType};
use crate::plan::TypeChange;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Create,
    Update,
    Delete,
}

impl ChangeKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
        }
    }
}

/// One RRset that differs.
#[derive(Clone, Debug)]
pub struct RRsetChange {
    pub kind: ChangeKind,
    pub zone: Fqdn,
    pub old: Option<RRset>,
    pub new: Option<RRset>,
}

impl RRsetChange {
    fn rrset(&self) -> &RRset {
        self.new
            .as_ref()
            .or(self.old.as_ref())
            .expect("a change has an old or a new RRset")
    }

    pub fn name(&self) -> &Fqdn {
        &self.rrset().name
    }

    pub fn rtype(&self) -> RecordType {
        self.rrset().rtype
    }

    /// Where the change is written: the new RRset's line, else the old one's.
    pub fn origin(&self) -> Origin {
        self.rrset().origin
    }
}

/// A name affected because something it points at is deleted or changes type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cascade {
    pub name: Fqdn,
    pub rtype: RecordType,
    pub zone: Fqdn,
    /// The deleted or type-changed name at the root of the chain.
    pub root: Fqdn,
    /// How many references lie between them (1: points at it directly).
    pub depth: usize,
    /// Where the dependent record is written (in the new state).
    pub origin: Origin,
}

/// A record left pointing at a name that no longer exists in a managed zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DanglingReference {
    pub name: Fqdn,
    pub rtype: RecordType,
    pub target: Fqdn,
    pub origin: Origin,
}

#[derive(Clone, Debug, Default)]
pub struct ZoneDiff {
    pub changes: Vec<RRsetChange>,
    pub type_changes: Vec<TypeChange>,
    pub cascade: Vec<Cascade>,
    pub dangling: Vec<DanglingReference>,
}

/// Compares two desired states.
pub fn diff_states(old: &State, new: &State) -> ZoneDiff {
    let empty = |name: &Fqdn| Zone {
        name: name.clone(),
        rrsets: Vec::new(),
    };
    let zones: BTreeSet<&Fqdn> = old.zones.keys().chain(new.zones.keys()).collect();
    let mut changes = Vec::new();
    for zone in zones {
        let (o, n) = (
            old.zones.get(zone).cloned().unwrap_or_else(|| empty(zone)),
            new.zones.get(zone).cloned().unwrap_or_else(|| empty(zone)),
        );
        diff_zone(&o, &n, &mut changes);
    }
    let type_changes = type_changes(&changes);
    let (cascade, dangling) = references(old, new, &changes, &type_changes);
    ZoneDiff {
        changes,
        type_changes,
        cascade,
        dangling,
    }
}

fn key(r: &RRset) -> (&str, std::borrow::Cow<'static, str>) {
    (r.name.as_str(), r.rtype.as_str())
}

/// Merge-join of two sorted RRset lists.
fn diff_zone(old: &Zone, new: &Zone, out: &mut Vec<RRsetChange>) {
    let (mut i, mut j) = (0, 0);
    let zone = &new.name;
    while i < old.rrsets.len() || j < new.rrsets.len() {
        let order = match (old.rrsets.get(i), new.rrsets.get(j)) {
            (Some(a), Some(b)) => key(a).cmp(&key(b)),
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        match order {
            std::cmp::Ordering::Less => {
                out.push(RRsetChange {
                    kind: ChangeKind::Delete,
                    zone: zone.clone(),
                    old: Some(old.rrsets[i].clone()),
                    new: None,
                });
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(RRsetChange {
                    kind: ChangeKind::Create,
                    zone: zone.clone(),
                    old: None,
                    new: Some(new.rrsets[j].clone()),
                });
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                let (a, b) = (&old.rrsets[i], &new.rrsets[j]);
                if a.ttl != b.ttl || a.values != b.values {
                    out.push(RRsetChange {
                        kind: ChangeKind::Update,
                        zone: zone.clone(),
                        old: Some(a.clone()),
                        new: Some(b.clone()),
                    });
                }
                i += 1;
                j += 1;
            }
        }
    }
}

fn type_changes(changes: &[RRsetChange]) -> Vec<TypeChange> {
    let mut found = Vec::new();
    for deleted in changes.iter().filter(|c| c.kind == ChangeKind::Delete) {
        let created = changes.iter().find(|c| {
            c.kind == ChangeKind::Create
                && c.name() == deleted.name()
                && ((deleted.rtype().is_address_like() && c.rtype() == RecordType::Cname)
                    || (deleted.rtype() == RecordType::Cname && c.rtype().is_address_like()))
        });
        if let Some(created) = created {
            found.push(TypeChange {
                name: deleted.name().clone(),
                from: deleted.rtype(),
                to: created.rtype(),
            });
        }
    }
    found
}

/// True if a name is answered in the state: it has RRsets, or a wildcard covers it.
fn resolves(state: &State, name: &Fqdn) -> bool {
    let Some(zone) = state.zone_of(name) else {
        return true;
    };
    if zone.has_name(name) {
        return true;
    }
    let mut rest = name.as_str();
    while let Some((_, parent)) = rest.split_once('.') {
        let wildcard = Fqdn::from_normalised(format!("*.{parent}"));
        if !wildcard.is_in(&zone.name) {
            break;
        }
        if zone.has_name(&wildcard) {
            return true;
        }
        rest = parent;
    }
    false
}

fn managed(state: &State, name: &Fqdn) -> bool {
    state.zone_of(name).is_some()
}

/// Cascade over the new state's references, and the references left dangling.
fn references(
    old: &State,
    new: &State,
    changes: &[RRsetChange],
    types: &[TypeChange],
) -> (Vec<Cascade>, Vec<DanglingReference>) {
    let mut roots: BTreeSet<Fqdn> = changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Delete)
        .map(|c| c.name().clone())
        .collect();
    roots.extend(types.iter().map(|t| t.name.clone()));
    let changed: BTreeSet<(Fqdn, RecordType)> = changes
        .iter()
        .filter(|c| c.kind != ChangeKind::Delete)
        .map(|c| (c.name().clone(), c.rtype()))
        .collect();
    if roots.is_empty() && changed.is_empty() {
        return (Vec::new(), Vec::new());
    }
    // Reverse index over the new state: target -> referring RRsets.
    let mut referrers: BTreeMap<Fqdn, Vec<(&RRset, &Fqdn)>> = BTreeMap::new();
    let mut dangling = Vec::new();
    for zone in new.zones.values() {
        for rrset in &zone.rrsets {
            for target in rrset.targets() {
                let target = Fqdn::from_normalised(target.to_string());
                if !managed(new, &target) {
                    continue;
                }
                let gone = !resolves(new, &target);
                let was_there = old.zone_of(&target).is_some() && resolves(old, &target);
                if gone && (was_there || changed.contains(&(rrset.name.clone(), rrset.rtype))) {
                    dangling.push(DanglingReference {
                        name: rrset.name.clone(),
                        rtype: rrset.rtype,
                        target: target.clone(),
                        origin: rrset.origin,
                    });
                }
                referrers
                    .entry(target)
                    .or_default()
                    .push((rrset, &zone.name));
            }
        }
    }
    let mut cascade = Vec::new();
    let mut seen: BTreeSet<(Fqdn, RecordType)> = BTreeSet::new();
    for root in &roots {
        let mut queue: VecDeque<(Fqdn, usize)> = VecDeque::from([(root.clone(), 0)]);
        while let Some((name, depth)) = queue.pop_front() {
            for (rrset, zone) in referrers.get(&name).into_iter().flatten() {
                if !seen.insert((rrset.name.clone(), rrset.rtype))
                    || roots.contains(&rrset.name) && depth == 0 && rrset.name == *root
                {
                    continue;
                }
                cascade.push(Cascade {
                    name: rrset.name.clone(),
                    rtype: rrset.rtype,
                    zone: (*zone).clone(),
                    root: root.clone(),
                    depth: depth + 1,
                    origin: rrset.origin,
                });
                // Only aliases pass resolution on: whoever points at them is affected too.
                if matches!(
                    rrset.rtype,
                    RecordType::Cname | RecordType::Alias | RecordType::Dname
                ) {
                    queue.push_back((rrset.name.clone(), depth + 1));
                }
            }
        }
    }
    cascade.sort_by(|a, b| {
        (&a.zone, &a.name, a.rtype.as_str()).cmp(&(&b.zone, &b.name, b.rtype.as_str()))
    });
    dangling.sort_by(|a, b| (&a.name, a.rtype.as_str()).cmp(&(&b.name, b.rtype.as_str())));
    (cascade, dangling)
}

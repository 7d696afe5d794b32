//! The desired-state diff, like octoDNS's plan: per RRset a create, update or delete, sorted
//! by zone, name and type. On top of it, what no plan shows: *type changes* (a name trading
//! A/AAAA/ALIAS for CNAME or back), *cascade* (names that depend on a deleted or type-changed
//! name, transitively) and *dangling references* (records left pointing at nothing).

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use serde::Serialize;

use super::{Fnv, Origin, RRset, State};
use crate::model::{Fqdn, RecordType};

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

/// A name that trades an address type (A, AAAA, ALIAS) for a CNAME, or the reverse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeChange {
    pub name: Fqdn,
    pub from: RecordType,
    pub to: RecordType,
}

/// One RRset that differs.
#[derive(Clone, Debug)]
pub struct RRsetChange {
    pub kind: ChangeKind,
    pub zone: Fqdn,
    pub old: Option<RRset>,
    pub new: Option<RRset>,
    /// Why the change happens when no source file says it (an alias whose target a
    /// Terraform plan deletes).
    pub cause: Option<String>,
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
    /// The dependent RRset's TTL.
    pub ttl: u32,
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
    let zones: BTreeSet<&Fqdn> = old.zones.keys().chain(new.zones.keys()).collect();
    let mut changes = Vec::new();
    for zone in zones {
        let none: &[RRset] = &[];
        let o = old.zones.get(zone).map_or(none, |z| &z.rrsets);
        let n = new.zones.get(zone).map_or(none, |z| &z.rrsets);
        diff_zone(zone, o, n, &mut changes);
    }
    // The merge-join ran in name-key order; people read changes by name.
    changes.sort_by(|a, b| {
        (&a.zone, a.name().as_str(), a.rtype()).cmp(&(&b.zone, b.name().as_str(), b.rtype()))
    });
    let type_changes = type_changes(&changes);
    let (cascade, dangling) = references(new, &changes, &type_changes);
    ZoneDiff {
        changes,
        type_changes,
        cascade,
        dangling,
    }
}

fn key(r: &RRset) -> (u64, &str, RecordType) {
    (r.key, r.name.as_str(), r.rtype)
}

/// Merge-join of two sorted RRset lists.
fn diff_zone(zone: &Fqdn, old: &[RRset], new: &[RRset], out: &mut Vec<RRsetChange>) {
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        let order = match (old.get(i), new.get(j)) {
            (Some(a), Some(b)) => key(a).cmp(&key(b)),
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        match order {
            std::cmp::Ordering::Less => {
                out.push(RRsetChange {
                    kind: ChangeKind::Delete,
                    zone: zone.clone(),
                    old: Some(old[i].clone()),
                    new: None,
                    cause: None,
                });
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(RRsetChange {
                    kind: ChangeKind::Create,
                    zone: zone.clone(),
                    old: None,
                    new: Some(new[j].clone()),
                    cause: None,
                });
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                let (a, b) = (&old[i], &new[j]);
                if a.ttl != b.ttl || a.values != b.values || a.octodns != b.octodns {
                    out.push(RRsetChange {
                        kind: ChangeKind::Update,
                        zone: zone.clone(),
                        old: Some(a.clone()),
                        new: Some(b.clone()),
                        cause: None,
                    });
                }
                i += 1;
                j += 1;
            }
        }
    }
}

fn type_changes(changes: &[RRsetChange]) -> Vec<TypeChange> {
    let mut created: HashMap<&Fqdn, Vec<RecordType>, Fnv> = HashMap::default();
    for c in changes.iter().filter(|c| c.kind == ChangeKind::Create) {
        created.entry(c.name()).or_default().push(c.rtype());
    }
    let mut found = Vec::new();
    for deleted in changes.iter().filter(|c| c.kind == ChangeKind::Delete) {
        let from = deleted.rtype();
        let to = created
            .get(deleted.name())
            .and_then(|types| types.iter().copied().find(|to| from.retypes_to(*to)));
        if let Some(to) = to {
            found.push(TypeChange {
                name: deleted.name().clone(),
                from,
                to,
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
    new: &State,
    changes: &[RRsetChange],
    types: &[TypeChange],
) -> (Vec<Cascade>, Vec<DanglingReference>) {
    let mut roots: Vec<&str> = changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Delete)
        .map(|c| c.name().as_str())
        .collect();
    roots.extend(types.iter().map(|t| t.name.as_str()));

    let mut dangling = Vec::new();
    let mut check = |name: &Fqdn, rtype: RecordType, origin: Origin, target: &str| {
        let target = Fqdn::from_normalised(target.to_string());
        if managed(new, &target) && !resolves(new, &target) {
            dangling.push(DanglingReference {
                name: name.clone(),
                rtype,
                target,
                origin,
            });
        }
    };
    // Created or updated records must not point at nothing.
    for rrset in changes
        .iter()
        .filter(|c| c.kind != ChangeKind::Delete)
        .filter_map(|c| c.new.as_ref())
    {
        for target in rrset.targets() {
            check(&rrset.name, rrset.rtype, rrset.origin, target);
        }
    }
    let cascade = dependents(new, &roots);
    // Whoever points straight at a removed name is left dangling.
    for c in cascade.iter().filter(|c| c.depth == 1) {
        check(&c.name, c.rtype, c.origin, c.root.as_str());
    }
    dangling.sort_by(|a, b| (&a.name, a.rtype, &a.target).cmp(&(&b.name, b.rtype, &b.target)));
    dangling.dedup();
    (cascade, dangling)
}

/// Every RRset in `state` that depends on one of `roots`: it points at a root (CNAME, ALIAS,
/// DNAME, MX, SRV, NS), or at an alias that does, transitively.
///
/// The reverse index is one vector of (target, referring RRset) pairs with borrowed targets,
/// sorted once and searched by bisection: no allocation per reference, and a breadth-first
/// walk from the roots costs one lookup per affected name.
pub fn dependents(state: &State, roots: &[&str]) -> Vec<Cascade> {
    let mut cascade = Vec::new();
    if roots.is_empty() {
        return cascade;
    }
    let mut edges: Vec<(&str, &RRset, &Fqdn)> = Vec::new();
    for zone in state.zones.values() {
        for rrset in &zone.rrsets {
            edges.extend(rrset.targets().map(|t| (t, rrset, &zone.name)));
        }
    }
    edges.sort_unstable_by(|a, b| a.0.cmp(b.0));
    // The pairs whose target is `name`: a sorted slice's equal range.
    let referrers =
        |name: &str| edges.partition_point(|e| e.0 < name)..edges.partition_point(|e| e.0 <= name);
    let mut seen: HashSet<(&str, RecordType), Fnv> = HashSet::default();
    for root in roots {
        let mut queue: VecDeque<(&str, usize)> = VecDeque::from([(*root, 0)]);
        while let Some((name, depth)) = queue.pop_front() {
            for &(_, rrset, zone) in &edges[referrers(name)] {
                if rrset.name.as_str() == *root || !seen.insert((rrset.name.as_str(), rrset.rtype))
                {
                    continue;
                }
                cascade.push(Cascade {
                    ttl: rrset.ttl,
                    name: rrset.name.clone(),
                    rtype: rrset.rtype,
                    zone: zone.clone(),
                    root: Fqdn::from_normalised(root.to_string()),
                    depth: depth + 1,
                    origin: rrset.origin,
                });
                // Only aliases pass resolution on: whoever points at them is affected too.
                if matches!(
                    rrset.rtype,
                    RecordType::Cname | RecordType::Alias | RecordType::Dname
                ) || rrset.alias_target().is_some()
                {
                    queue.push_back((rrset.name.as_str(), depth + 1));
                }
            }
        }
    }
    cascade.sort_by(|a, b| (&a.zone, &a.name, a.rtype).cmp(&(&b.zone, &b.name, b.rtype)));
    cascade
}

//! Policies (`policies/*.toml`): approver groups, risk tiers, the rules and freezes that pick
//! a tier, the inventory that says what names really are, and the deletion gate's queries.
//!
//! Reading ([`read_policy`]) checks shapes and types; [`lint`] then checks that the policy
//! can actually be satisfied (escalation that never decreases, groups with keyed members).
//! A policy with any problem makes `check` refuse to evaluate (`policy-invalid`).

mod lint;
mod read;
pub mod template;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;

use toml::Spanned;

pub use lint::{lint, warnings};
pub use read::read_policy;

use crate::diag::{Location, SourceFile};
use crate::model::{Duration, Fqdn, NamePattern, RecordType, Scope};
use crate::ticket::{Action, FieldPath, Kind, Window};

/// A validated policy.
#[derive(Clone, Debug)]
pub struct Policy {
    pub file: SourceFile,
    pub groups: BTreeMap<String, Group>,
    /// The `allowed_signers` file, resolved against the policy's folder.
    pub allowed_signers: Option<Spanned<PathBuf>>,
    /// Tiers from lowest to highest.
    pub tiers: Vec<Tier>,
    pub inventory: Vec<InventoryEntry>,
    pub rules: Vec<Rule>,
    pub deletion: Option<Spanned<DeletionPolicy>>,
    pub freezes: Vec<Freeze>,
    pub limits: Limits,
    /// `[emergency]`: who authorizes an emergency change up front, and how long after merge
    /// the full approvals of its tier may follow. Without it, emergencies get no relief.
    pub emergency: Option<Spanned<Emergency>>,
}

/// `[emergency]` in the policy.
#[derive(Clone, Debug)]
pub struct Emergency {
    /// The approvals that authorize an emergency change before it merges.
    pub require: Vec<Requirement>,
    /// The tier's full approvals are due, as signed reviews, this long after the merge.
    pub review_within: Spanned<Duration>,
}

/// `[limits]`: how much of a zone one change may update or delete, as octoDNS's safety
/// thresholds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    pub max_update_pct: f64,
    pub max_delete_pct: f64,
    /// Zones with fewer RRsets are exempt.
    pub min_existing: usize,
    /// The negative-caching TTL assumed for a zone with no SOA (octoDNS zones), in seconds.
    pub negative_ttl: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_update_pct: 30.0,
            max_delete_pct: 30.0,
            min_existing: 10,
            negative_ttl: 3600,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Group {
    pub name: Spanned<String>,
    pub members: Vec<Spanned<String>>,
}

/// A risk tier and what it demands.
#[derive(Clone, Debug)]
pub struct Tier {
    pub name: Spanned<String>,
    pub require: Vec<Requirement>,
    pub require_fields: Vec<Spanned<FieldPath>>,
    /// How long an approval stays valid.
    pub approval_ttl: Option<Spanned<Duration>>,
    pub span: Range<usize>,
}

/// `count` distinct approvers from `group`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Requirement {
    pub group: String,
    pub count: u32,
    #[serde(skip)]
    pub span: Range<usize>,
}

/// What the inventory knows about some names.
#[derive(Clone, Debug)]
pub struct InventoryEntry {
    pub names: Vec<Spanned<NamePattern>>,
    /// The real blast radius of these names.
    pub scope: Option<Scope>,
    pub critical: bool,
    /// Traffic-managed: answers vary by location or over time.
    pub dynamic: bool,
    pub span: Range<usize>,
}

/// `when` all conditions hold, the ticket is at least `tier`.
#[derive(Clone, Debug)]
pub struct Rule {
    pub when: Conditions,
    /// Index into [`Policy::tiers`].
    pub tier: usize,
    pub span: Range<usize>,
}

/// Conditions of a rule; each list is "any of", and all given conditions must hold.
/// Per-change conditions (action, type, name, zone, critical, type_change) must hold for the
/// same change.
#[derive(Clone, Debug, Default)]
pub struct Conditions {
    pub scope: Vec<Scope>,
    pub kind: Vec<Kind>,
    pub action: Vec<Action>,
    pub rtype: Vec<RecordType>,
    pub name: Vec<NamePattern>,
    pub zone: Vec<Fqdn>,
    pub critical: Option<bool>,
    pub type_change: Option<bool>,
}

impl Conditions {
    pub fn has_change_conditions(&self) -> bool {
        !(self.action.is_empty()
            && self.rtype.is_empty()
            && self.name.is_empty()
            && self.zone.is_empty())
            || self.critical.is_some()
            || self.type_change.is_some()
    }
}

/// How deletions are proven unused.
#[derive(Clone, Debug)]
pub struct DeletionPolicy {
    /// Resolutions of one RRset over the window; template variables `{name}`, `{fqdn}`,
    /// `{type}`, `{zone}`, `{window}`. Needed by the `prometheus` backend only: query logs
    /// (`clickhouse`, `command`) are asked by name and type.
    pub query: Option<Spanned<String>>,
    /// Resolutions of the whole zone: proof that telemetry flows.
    pub coverage_query: Option<Spanned<String>>,
    pub window: Spanned<Duration>,
    /// The longest stretch of the window the zone's telemetry may be silent: the coverage
    /// query is also asked over each `max_gap` of the window, so history shorter than the
    /// window, or a hole in it, refuses (default [`DEFAULT_MAX_GAP`]).
    pub max_gap: Option<Spanned<Duration>>,
    /// Resolutions of the names a deleted wildcard (`*.{name}`) answers; without it, deleting
    /// a wildcard is refused: nobody queries `*.example.com` itself.
    pub wildcard_query: Option<Spanned<String>>,
    /// Resolutions of every name at or below `{name}`: for deleting a delegation (NS) or a
    /// DNAME, which removes a whole subtree; without it, those deletions are refused.
    pub subtree_query: Option<Spanned<String>>,
    /// The DNS server's own count of what it answered for `{zone}` over `{window}`, asked of
    /// `[metrics.server]`: logs holding less than `completeness_min` of it lost messages.
    pub completeness_query: Option<Spanned<String>>,
    pub completeness_min: Option<f64>,
}

/// The default `[deletion] completeness_min`.
pub const DEFAULT_COMPLETENESS_MIN: f64 = 0.99;

/// The default `[deletion] max_gap`.
pub const DEFAULT_MAX_GAP: Duration = Duration::from_secs(86_400);

impl DeletionPolicy {
    pub fn max_gap(&self) -> Duration {
        self.max_gap
            .as_ref()
            .map_or(DEFAULT_MAX_GAP, |g| *g.get_ref())
    }
}

/// A period in which changes need at least `tier`, or (without a tier) are refused.
#[derive(Clone, Debug)]
pub struct Freeze {
    pub window: Window,
    pub tier: Option<usize>,
    pub reason: Option<String>,
    pub span: Range<usize>,
}

impl Policy {
    pub fn tier_index(&self, name: &str) -> Option<usize> {
        self.tiers.iter().position(|t| t.name.get_ref() == name)
    }

    pub fn location(&self, span: Range<usize>) -> Location {
        Location::new(&self.file, span)
    }

    /// Inventory entries that describe `name`.
    pub fn inventory_for<'a>(&'a self, name: &'a Fqdn) -> impl Iterator<Item = &'a InventoryEntry> {
        self.inventory
            .iter()
            .filter(move |e| e.names.iter().any(|p| p.get_ref().matches(name)))
    }

    pub fn is_critical(&self, name: &Fqdn) -> bool {
        self.inventory_for(name).any(|e| e.critical)
    }

    pub fn is_dynamic(&self, name: &Fqdn) -> bool {
        self.inventory_for(name).any(|e| e.dynamic)
    }
}

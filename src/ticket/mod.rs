//! Change tickets (`changes/<ID>.toml`): what an engineer declares beside a DNS change.
//!
//! Reading is two-phase: the spanned TOML tree is walked into a [`Ticket`] whose fields keep
//! their spans, and every problem is collected as a `ticket-invalid` diagnostic. Whether a
//! field the *policy* demands is present is not decided here but by the gate
//! (`field-missing`), because it depends on the tier.

pub mod fields;
pub(crate) mod read;

use std::ops::Range;

use toml::Spanned;

pub use fields::FieldPath;
pub use read::read_ticket;

use crate::diag::SourceFile;
use crate::model::{Duration, Fqdn, RecordType, Scope};

/// A validated change ticket.
#[derive(Clone, Debug)]
pub struct Ticket {
    pub file: SourceFile,
    /// Stable identifier; equals the file stem.
    pub id: Spanned<String>,
    pub title: String,
    /// The principal who wrote the change; never counts as an approver.
    pub author: Spanned<String>,
    pub kind: Spanned<Kind>,
    pub intent: Option<Spanned<Intent>>,
    pub blast_radius: Option<Spanned<BlastRadius>>,
    /// The declared RRset changes, in file order.
    pub changes: Vec<DeclaredChange>,
    pub deployment: Option<Spanned<Deployment>>,
    pub rollback: Option<Spanned<Rollback>>,
    pub health_signals: Vec<Spanned<HealthSignal>>,
}

/// The kind of change, as in ITIL: standard (pre-approved), normal, or emergency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Standard,
    Normal,
    Emergency,
}

impl Kind {
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "standard" => Ok(Self::Standard),
            "normal" => Ok(Self::Normal),
            "emergency" => Ok(Self::Emergency),
            _ => Err(format!(
                "`{text}` is not a kind; use `standard`, `normal` or `emergency`"
            )),
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::Normal => "normal",
            Self::Emergency => "emergency",
        }
    }
}

/// Why the change is made.
#[derive(Clone, Debug, Default)]
pub struct Intent {
    pub summary: Option<Spanned<String>>,
    pub reason: Option<Spanned<String>>,
}

/// What the change can break.
#[derive(Clone, Debug, Default)]
pub struct BlastRadius {
    pub scope: Option<Spanned<Scope>>,
    pub impact: Option<Spanned<String>>,
    /// The change means to be large: not refused for its size, but its tier is the highest.
    pub mass_change: bool,
}

/// What happens to one RRset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    Delete,
}

impl Action {
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "create" => Ok(Self::Create),
            "update" => Ok(Self::Update),
            "delete" => Ok(Self::Delete),
            _ => Err(format!(
                "`{text}` is not an action; use `create`, `update` or `delete`"
            )),
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
        }
    }
}

/// One declared RRset change (`[[change]]`).
#[derive(Clone, Debug)]
pub struct DeclaredChange {
    pub action: Action,
    pub name: Spanned<Fqdn>,
    pub rtype: Spanned<RecordType>,
    /// New values for create/update, as written (canonicalised with the zone readers).
    pub values: Vec<String>,
    pub ttl: Option<u32>,
    /// The zone given on the change; otherwise the longest managed zone suffix.
    pub zone: Option<Spanned<Fqdn>>,
    /// `reconciles_drift = true`: the change means to bring a name whose live answers differ
    /// from the desired state back in line, so a drift hold does not refuse it.
    pub reconciles_drift: bool,
    /// The `[[change]]` table, for pointing at the whole change.
    pub span: Range<usize>,
}

#[derive(Clone, Debug, Default)]
pub struct Deployment {
    pub steps: Vec<String>,
    pub window: Option<Spanned<Window>>,
}

/// A planned deployment window; freezes are checked against it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub start: jiff::Timestamp,
    pub end: jiff::Timestamp,
}

impl Window {
    pub fn overlaps(&self, other: &Window) -> bool {
        self.start < other.end && other.start < self.end
    }
}

#[derive(Clone, Debug, Default)]
pub struct Rollback {
    pub steps: Vec<String>,
    /// A `changegate snapshot` file holding the last-known-good live answers.
    pub last_known_good: Option<Spanned<String>>,
    pub time_to_mitigate: Option<Spanned<Duration>>,
    pub rehearsed: Option<Spanned<bool>>,
}

/// A signal watched during the change, with the threshold that aborts it.
#[derive(Clone, Debug)]
pub struct HealthSignal {
    pub name: String,
    pub query: String,
    pub abort_if: Threshold,
    /// How long `watch` evaluates the signal once the change starts.
    pub watch: Duration,
    /// How often `watch` evaluates it (`interval`, default [`DEFAULT_INTERVAL`]).
    pub interval: Duration,
    /// How long `abort_if` must hold before it aborts (`for`, default 0: the first breach).
    pub sustained: Duration,
}

/// The default `interval` of a health signal.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(30);

/// The longest `watch` window: a rollout's analysis, not a monitor.
pub const MAX_WATCH: Duration = Duration::from_secs(7 * 86_400);

/// `abort_if = "< 50"`: a comparator and a number; or `"< 50% of baseline"`: a comparator and
/// a share of the value measured when `watch` starts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Threshold {
    pub comparator: Comparator,
    pub value: f64,
    /// The value is a percentage of the baseline.
    pub relative: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparator {
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Equal,
    NotEqual,
}

impl Threshold {
    /// The number `value` is compared with: the threshold itself, or its share of the
    /// baseline.
    pub fn limit(&self, baseline: f64) -> f64 {
        if self.relative {
            baseline * self.value / 100.0
        } else {
            self.value
        }
    }

    /// Whether `value` breaches the threshold (`abort_if` holds), against `baseline` for a
    /// relative one.
    pub fn holds(&self, value: f64, baseline: f64) -> bool {
        let limit = self.limit(baseline);
        match self.comparator {
            Comparator::Less => value < limit,
            Comparator::LessOrEqual => value <= limit,
            Comparator::Greater => value > limit,
            Comparator::GreaterOrEqual => value >= limit,
            Comparator::Equal => value == limit,
            Comparator::NotEqual => value != limit,
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let (comparator, rest) = [
            ("<=", Comparator::LessOrEqual),
            (">=", Comparator::GreaterOrEqual),
            ("==", Comparator::Equal),
            ("!=", Comparator::NotEqual),
            ("<", Comparator::Less),
            (">", Comparator::Greater),
        ]
        .into_iter()
        .find_map(|(symbol, c)| text.strip_prefix(symbol).map(|rest| (c, rest)))
        .ok_or_else(|| {
            format!("`{text}` does not start with a comparator; write e.g. `< 50` or `>= 0.05`")
        })?;
        let rest = rest.trim();
        // `50% of baseline`: a share of the value `watch` measures when it starts.
        let (number, relative) = match rest.split_once('%') {
            Some((number, tail)) => {
                let tail = tail.trim();
                if !(tail.is_empty() || tail == "of baseline") {
                    return Err(format!(
                        "`{rest}`: a percentage is of the baseline; write e.g. `< 50% of baseline`"
                    ));
                }
                (number.trim(), true)
            }
            None => (rest, false),
        };
        let value: f64 = number.parse().map_err(|_| {
            format!(
                "`{number}` is not a number; write e.g. `< 50`, `>= 0.05` or `< 50% of baseline`"
            )
        })?;
        if !value.is_finite() {
            return Err("the threshold must be a finite number".into());
        }
        if relative && value < 0.0 {
            return Err("a share of the baseline is not negative".into());
        }
        Ok(Self {
            comparator,
            value,
            relative,
        })
    }
}

/// As the ticket writes it: `< 50`.
impl std::fmt::Display for Threshold {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let symbol = match self.comparator {
            Comparator::Less => "<",
            Comparator::LessOrEqual => "<=",
            Comparator::Greater => ">",
            Comparator::GreaterOrEqual => ">=",
            Comparator::Equal => "==",
            Comparator::NotEqual => "!=",
        };
        if self.relative {
            write!(f, "{symbol} {}% of baseline", self.value)
        } else {
            write!(f, "{symbol} {}", self.value)
        }
    }
}

impl Ticket {
    /// Every name the ticket touches, once each, in declaration order.
    pub fn names(&self) -> Vec<&Fqdn> {
        let mut names: Vec<&Fqdn> = Vec::new();
        for change in &self.changes {
            if !names.contains(&change.name.get_ref()) {
                names.push(change.name.get_ref());
            }
        }
        names
    }

    pub fn declared_scope(&self) -> Option<Scope> {
        let radius = self.blast_radius.as_ref()?;
        radius.get_ref().scope.as_ref().map(|s| *s.get_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_parse_comparator_and_number() {
        let t = Threshold::parse("< 50").unwrap();
        assert_eq!((t.comparator, t.value), (Comparator::Less, 50.0));
        let t = Threshold::parse(">=0.05").unwrap();
        assert_eq!((t.comparator, t.value), (Comparator::GreaterOrEqual, 0.05));
        assert!(Threshold::parse("50").unwrap_err().contains("comparator"));
        assert!(
            Threshold::parse("< lots")
                .unwrap_err()
                .contains("not a number")
        );
        assert!(Threshold::parse("< NaN").is_err());
    }
}

//! The one result type every renderer reads: per ticket, the tier and why, the refusals
//! (`reasons`), the findings, the deletion evidence and the approvals required. Codes are
//! stable (SPEC.md); the JSON shape is `schema: 1`.

use serde::{Serialize, Serializer};

use crate::diag::Location;
use crate::evidence::Measurement;
pub use crate::model::ser_timestamp;
use crate::model::{Duration, Fqdn, RecordType};
use crate::policy::Requirement;

macro_rules! codes {
    ($($variant:ident => $text:literal, $refuses:literal, $about:literal;)*) => {
        /// A stable reason or finding code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Code { $($variant,)* }

        impl Code {
            pub const ALL: &[Code] = &[$(Code::$variant,)*];

            pub fn as_str(&self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }

            /// True for refusals (`reasons`), false for findings.
            pub fn refuses(&self) -> bool {
                match self { $(Code::$variant => $refuses,)* }
            }

            /// One line saying what the code means.
            pub fn about(&self) -> &'static str {
                match self { $(Code::$variant => $about,)* }
            }
        }
    };
}

codes! {
    TicketInvalid => "ticket-invalid", true, "the ticket cannot be read or is not valid";
    FieldMissing => "field-missing", true, "a field the tier requires is missing or empty";
    UndeclaredChange => "undeclared-change", true, "a DNS change no ticket declares";
    ScopeUnderstated => "scope-understated", true, "the declared blast radius is narrower than what the change touches";
    DeletionInUse => "deletion-in-use", true, "a deleted record is still being resolved";
    DeletionNoTelemetry => "deletion-no-telemetry", true, "no telemetry flows for the zone, so zero traffic cannot be proven";
    MetricsUnavailable => "metrics-unavailable", true, "the metrics backend failed, timed out or answered something untrustworthy";
    HealthSignalDead => "health-signal-dead", true, "a health signal's query fails or sees nothing, so it could abort nothing";
    HealthSignalTripped => "health-signal-tripped", true, "a health signal's abort_if already holds before the change starts";
    MassChange => "mass-change", true, "one change updates or deletes more of a zone than `[limits]` allows";
    TtlRaisedWithChange => "ttl-raised-with-change", true, "one change both changes an RRset's values and raises its TTL";
    RollbackSlowerThanDeclared => "rollback-slower-than-declared", true, "caches keep what the change publishes longer than the declared time to mitigate";
    HealthSignalUnverified => "health-signal-unverified", false, "no query store is configured that can run a health signal's query";
    DanglingReference => "dangling-reference", true, "a record would point at a deleted name or resource";
    PlanUnknown => "plan-unknown", true, "a Terraform plan changes a DNS record whose name, zone or type is known only after apply";
    ApprovalsMissing => "approvals-missing", true, "the tier requires approvals that are not there";
    ApprovalInvalid => "approval-invalid", true, "an approval does not verify or is not from an eligible approver";
    ApprovalStale => "approval-stale", true, "an approval signs an older ticket or plan, or has expired";
    SelfApproval => "self-approval", true, "the author approved their own change";
    Freeze => "freeze", true, "the change falls in a freeze window that refuses changes";
    WindowEnded => "window-ended", true, "the ticket's deployment window has already ended";
    PolicyInvalid => "policy-invalid", true, "the policy is invalid, so nothing can be evaluated";
    ConfigInvalid => "config-invalid", true, "changegate.toml is missing or invalid, so nothing can be evaluated";
    ZoneInvalid => "zone-invalid", true, "a zone file or octoDNS file cannot be read";
    PlanInvalid => "plan-invalid", true, "a Terraform plan cannot be read, or is not one";
    TypeChange => "type-change", false, "a name changes between an address type and CNAME";
    Cascade => "cascade", false, "other names depend on a deleted or type-changed name";
    DeclaredNotInDiff => "declared-not-in-diff", false, "the ticket declares a change the diff does not contain";
    TierRaised => "tier-raised", false, "a freeze or type change raised the tier above what the rules gave";
    PolicyChanged => "policy-changed", true, "the change edits config, policy, allowed_signers or the evidence file: the bar changes in a change of its own";
    DnssecChainBroken => "dnssec-chain-broken", true, "after the change a DS in the parent matches no DNSKEY the child serves";
    DelegationTargetMismatch => "delegation-target-mismatch", true, "a delegation or apex NS set would name servers that do not serve the zone, or serve other data";
    DelegationUnverified => "delegation-unverified", false, "a delegation moves to servers whose data could not be compared with anything: no server answers for the zone today";
    DnssecOrder => "dnssec-order", true, "one change does two steps of a key rollover that must be a TTL apart";
    ZoneDrifted => "zone-drifted", true, "a name the change touches already differs live from the base's desired state";
    EmergencyUnreviewed => "emergency-unreviewed", true, "an emergency change to the zone is past its review deadline without its tier's approvals";
    EmergencyChange => "emergency-change", false, "an emergency change: authorized by fewer approvals up front, its tier's approvals due as reviews after merge";
    ResourceDrift => "resource-drift", false, "a DNS record was changed outside Terraform since its last apply";
    UncommittedChanges => "uncommitted-changes", false, "the work tree has changes that are not committed and were not evaluated";
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The overall answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Allowed,
    Refused,
    /// Input could not be evaluated (invalid ticket, policy or config): exit 2.
    Invalid,
}

#[derive(Clone, Debug, Serialize)]
pub struct Verdict {
    pub schema: u32,
    pub verdict: Decision,
    #[serde(serialize_with = "ser_timestamp")]
    pub evaluated_at: jiff::Timestamp,
    pub tickets: Vec<TicketVerdict>,
    /// Refusals about the change set as a whole (`undeclared-change`), with `--base`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<Item>,
    /// Findings about the change set (`policy-changed`, `uncommitted-changes`), with `--base`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Item>,
    /// Problems in config or policy that stopped evaluation (`policy-invalid`, ...).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<Item>,
}

impl Verdict {
    /// The verdict over evaluated tickets: invalid if any input was, allowed only if no ticket
    /// and no change-set reason refuses.
    pub fn decide(
        now: jiff::Timestamp,
        tickets: Vec<TicketVerdict>,
        reasons: Vec<Item>,
        findings: Vec<Item>,
        invalid: bool,
    ) -> Self {
        let verdict = if invalid {
            Decision::Invalid
        } else if reasons.is_empty() && tickets.iter().all(TicketVerdict::allowed) {
            Decision::Allowed
        } else {
            Decision::Refused
        };
        Self {
            schema: 1,
            verdict,
            evaluated_at: now,
            tickets,
            reasons,
            findings,
            errors: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct TicketVerdict {
    pub id: String,
    pub file: String,
    /// `None` when the ticket could not be read.
    pub tier: Option<String>,
    /// `sha256:` of the ticket file: what `changegate approve --digest` repeats.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// `sha256:` of the canonical plan text that approvals sign.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_digest: Option<String>,
    /// Every rule or freeze that set or raised the tier (`check -v` shows them).
    pub tier_reasons: Vec<TierCause>,
    pub reasons: Vec<Item>,
    pub findings: Vec<Item>,
    pub deletions: Vec<DeletionCheck>,
    /// Each health signal asked once at evaluation: alive, dead, tripped or unverified.
    pub signals: Vec<SignalCheck>,
    /// The ticket's changes as planned (the diff's values with `--base`): what approvals sign.
    pub changes: Vec<PlannedLine>,
    pub approvals: Approvals,
}

/// One change of the plan.
#[derive(Clone, Debug, Serialize)]
pub struct PlannedLine {
    pub action: &'static str,
    pub name: Fqdn,
    #[serde(rename = "type")]
    pub rtype: RecordType,
    pub zone: Fqdn,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u32>,
    pub values: Vec<String>,
}

/// One health signal and what it answered when the ticket was evaluated.
#[derive(Clone, Debug, Serialize)]
pub struct SignalCheck {
    pub name: String,
    pub query: String,
    /// `abort_if` as the ticket writes it (`< 50`).
    pub abort_if: String,
    /// `alive`, `dead`, `tripped` or `unverified`.
    pub verdict: &'static str,
    /// The number, when there was one.
    pub value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub source: String,
    #[serde(serialize_with = "ser_timestamp")]
    pub evaluated_at: jiff::Timestamp,
}

impl TicketVerdict {
    pub fn allowed(&self) -> bool {
        self.reasons.is_empty()
    }
}

/// A refusal or finding.
#[derive(Clone, Debug, Serialize)]
pub struct Item {
    pub code: Code,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Fqdn>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub rtype: Option<RecordType>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
    /// Where in the user's files, as `file`, `line` and `column`.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub location: Option<Position>,
}

/// A position in a file, resolved to a line and column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Position {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl From<Location> for Position {
    fn from(location: Location) -> Self {
        let (line, column) = location.line_col();
        Self {
            file: location.file.name.to_string(),
            line,
            column,
        }
    }
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

impl Item {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            name: None,
            rtype: None,
            message: message.into(),
            evidence: None,
            location: None,
        }
    }

    pub fn rrset(mut self, name: &Fqdn, rtype: Option<RecordType>) -> Self {
        self.name = Some(name.clone());
        self.rtype = rtype;
        self
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location.into());
        self
    }

    /// A position known only by file and line (a zone record, say).
    pub fn at_line(mut self, file: impl Into<String>, line: usize) -> Self {
        self.location = Some(Position {
            file: file.into(),
            line,
            column: 1,
        });
        self
    }
}

/// Why a deletion was allowed or refused: the queries, the window, the values, and when.
#[derive(Clone, Debug, Serialize)]
pub struct Evidence {
    pub query: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<Duration>,
    /// The number; `null` when the result was empty (which counts as 0) or failed.
    pub value: Option<f64>,
    /// `value`, `empty`, `covered` (the source says its logs cover the window) or `error`.
    pub result: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub source: String,
    #[serde(serialize_with = "ser_timestamp")]
    pub evaluated_at: jiff::Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Box<Evidence>>,
    /// For coverage: where in the window telemetry is missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gap: Option<String>,
    /// For coverage: the logs against the server's own count of what it answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completeness: Option<crate::evidence::Completeness>,
    /// The count at each step of the window, `[unix time, value]` (PromQL stores only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<(i64, f64)>>,
}

impl Evidence {
    pub fn from_measurement(m: &Measurement, window: Option<Duration>) -> Self {
        let (value, result, error) = match &m.result {
            Ok(crate::evidence::Outcome::Value(v)) => (Some(*v), "value", None),
            Ok(crate::evidence::Outcome::Empty) => (None, "empty", None),
            Ok(crate::evidence::Outcome::Covered) => (None, "covered", None),
            Err(e) => (None, "error", Some(e.clone())),
        };
        Self {
            query: m.query.clone(),
            window,
            value,
            result,
            error,
            source: m.source.clone(),
            evaluated_at: m.evaluated_at,
            coverage: None,
            gap: m.gap.clone(),
            completeness: m.completeness.clone(),
            history: m.history.clone(),
        }
    }
}

/// One deleted RRset and what the deletion gate found.
#[derive(Clone, Debug, Serialize)]
pub struct DeletionCheck {
    pub name: Fqdn,
    #[serde(rename = "type")]
    pub rtype: RecordType,
    pub zone: Fqdn,
    pub allowed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
}

/// A rule or freeze that contributed to the tier.
#[derive(Clone, Debug, Serialize)]
pub struct TierCause {
    pub tier: String,
    /// `rule` or `freeze` or `default`.
    pub source: &'static str,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Approvals {
    pub required: Vec<Requirement>,
    pub valid: Vec<ApprovalEntry>,
    pub invalid: Vec<ApprovalEntry>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ApprovalEntry {
    pub approver: String,
    pub file: String,
    /// For a valid approval: the group whose requirement it fills, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fills: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_at: Option<String>,
    /// For an invalid approval: its code and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<Code>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case_and_described() {
        for (i, code) in Code::ALL.iter().enumerate() {
            let text = code.as_str();
            assert!(
                text.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{text}"
            );
            assert!(!code.about().is_empty());
            assert!(
                Code::ALL[..i].iter().all(|c| c.as_str() != text),
                "{text} twice"
            );
        }
        assert_eq!(Code::ALL.len(), 39);
        assert!(!Code::TypeChange.refuses() && Code::Freeze.refuses());
    }
}

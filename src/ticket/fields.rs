//! The ticket fields a policy can demand (`require_fields`), and how to tell whether a ticket
//! has filled one in.

use std::fmt;
use std::ops::Range;

use super::Ticket;

/// A ticket field named in a policy's `require_fields`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldPath {
    IntentSummary,
    IntentReason,
    BlastRadiusScope,
    BlastRadiusImpact,
    DeploymentSteps,
    DeploymentWindow,
    RollbackSteps,
    RollbackLastKnownGood,
    RollbackTimeToMitigate,
    RollbackRehearsed,
    HealthSignal,
}

const ALL: &[(&str, FieldPath)] = &[
    ("intent.summary", FieldPath::IntentSummary),
    ("intent.reason", FieldPath::IntentReason),
    ("blast_radius.scope", FieldPath::BlastRadiusScope),
    ("blast_radius.impact", FieldPath::BlastRadiusImpact),
    ("deployment.steps", FieldPath::DeploymentSteps),
    ("deployment.window", FieldPath::DeploymentWindow),
    ("rollback.steps", FieldPath::RollbackSteps),
    ("rollback.last_known_good", FieldPath::RollbackLastKnownGood),
    (
        "rollback.time_to_mitigate",
        FieldPath::RollbackTimeToMitigate,
    ),
    ("rollback.rehearsed", FieldPath::RollbackRehearsed),
    ("health_signal", FieldPath::HealthSignal),
];

/// What every ticket needs whatever its tier: why, how far it reaches, how to undo it.
pub const ALWAYS_REQUIRED: &[FieldPath] = &[
    FieldPath::IntentSummary,
    FieldPath::BlastRadiusScope,
    FieldPath::BlastRadiusImpact,
    FieldPath::RollbackSteps,
];

impl FieldPath {
    pub fn parse(text: &str) -> Result<Self, String> {
        if let Some((_, f)) = ALL.iter().find(|(name, _)| *name == text) {
            return Ok(*f);
        }
        let known: Vec<&str> = ALL.iter().map(|(n, _)| *n).collect();
        let hint = match crate::diag::closest(text, known.iter().copied()) {
            Some(s) => format!("did you mean `{s}`? "),
            None => String::new(),
        };
        Err(format!(
            "`{text}` is not a ticket field; {hint}fields that can be required: {}",
            known.join(", ")
        ))
    }

    pub fn as_str(&self) -> &'static str {
        ALL.iter()
            .find(|(_, f)| f == self)
            .map(|(n, _)| *n)
            .unwrap_or("?")
    }

    /// `None` if the ticket fills the field in; otherwise why not, and where to point.
    pub fn missing_in(&self, ticket: &Ticket) -> Option<(String, Range<usize>)> {
        let top = 0..0;
        let section = |span: Option<Range<usize>>, section: &str| {
            span.map_or_else(
                || (format!("the ticket has no `[{section}]`"), top.clone()),
                |s| (format!("`[{section}]` does not set it"), s),
            )
        };
        let intent = ticket.intent.as_ref();
        let radius = ticket.blast_radius.as_ref();
        let deployment = ticket.deployment.as_ref();
        let rollback = ticket.rollback.as_ref();
        let present = match self {
            Self::IntentSummary => intent.is_some_and(|i| i.get_ref().summary.is_some()),
            Self::IntentReason => intent.is_some_and(|i| i.get_ref().reason.is_some()),
            Self::BlastRadiusScope => radius.is_some_and(|r| r.get_ref().scope.is_some()),
            Self::BlastRadiusImpact => radius.is_some_and(|r| r.get_ref().impact.is_some()),
            Self::DeploymentSteps => deployment.is_some_and(|d| !d.get_ref().steps.is_empty()),
            Self::DeploymentWindow => deployment.is_some_and(|d| d.get_ref().window.is_some()),
            Self::RollbackSteps => rollback.is_some_and(|r| !r.get_ref().steps.is_empty()),
            Self::RollbackLastKnownGood => {
                rollback.is_some_and(|r| r.get_ref().last_known_good.is_some())
            }
            Self::RollbackTimeToMitigate => {
                rollback.is_some_and(|r| r.get_ref().time_to_mitigate.is_some())
            }
            Self::RollbackRehearsed => {
                if let Some(r) = rollback.and_then(|r| r.get_ref().rehearsed.as_ref()) {
                    if !*r.get_ref() {
                        return Some(("`rollback.rehearsed` is `false`".into(), r.span()));
                    }
                    true
                } else {
                    false
                }
            }
            Self::HealthSignal => !ticket.health_signals.is_empty(),
        };
        if present {
            return None;
        }
        Some(match self {
            Self::IntentSummary | Self::IntentReason => section(intent.map(|s| s.span()), "intent"),
            Self::BlastRadiusScope | Self::BlastRadiusImpact => {
                section(radius.map(|s| s.span()), "blast_radius")
            }
            Self::DeploymentSteps | Self::DeploymentWindow => {
                section(deployment.map(|s| s.span()), "deployment")
            }
            Self::RollbackSteps
            | Self::RollbackLastKnownGood
            | Self::RollbackTimeToMitigate
            | Self::RollbackRehearsed => section(rollback.map(|s| s.span()), "rollback"),
            Self::HealthSignal => ("the ticket has no `[[health_signal]]`".into(), top),
        })
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

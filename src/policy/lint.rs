//! Checks that a policy can be satisfied and escalates as intended. Every problem here makes
//! `check` refuse to evaluate: a gate whose approvals can never be collected, or whose
//! "high" tier asks less than "low", is misconfigured, exactly as in the incident.

use crate::approval::AllowedSigners;
use crate::diag::Diagnostic;
use crate::model::Duration;

use super::Policy;

/// The shortest deletion window: a daily job must have run at least once.
const MIN_WINDOW: Duration = Duration::from_secs(24 * 3600);

pub fn lint(policy: &Policy, signers: Option<&AllowedSigners>) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let file = &policy.file;
    let mut error = |span: std::ops::Range<usize>, message: String, label: &str, help: String| {
        problems.push(
            Diagnostic::new("policy-invalid", message)
                .at(file, span, label)
                .help(help),
        );
    };

    if policy.tiers.is_empty() {
        error(
            0..0,
            "the policy defines no `[[tier]]`".into(),
            "in this file",
            "add tiers from lowest to highest, e.g. `[[tier]]\\nname = \"routine\"\\nrequire = []`"
                .into(),
        );
    }

    for group in policy.groups.values() {
        if group.members.is_empty() {
            error(
                group.name.span(),
                format!("the group `{}` is empty", group.name.get_ref()),
                "no members",
                "add the principals who may approve for this group, or remove it".into(),
            );
        }
        if let Some(signers) = signers {
            for member in &group.members {
                if !signers.has_key_for(member.get_ref()) {
                    error(
                        member.span(),
                        format!(
                            "`{}` (group `{}`) has no key in `{}`",
                            member.get_ref(),
                            group.name.get_ref(),
                            signers.file.name
                        ),
                        "no key for this principal",
                        format!(
                            "add a line `{} ssh-ed25519 AAAA...` to `{}`, or remove the member",
                            member.get_ref(),
                            signers.file.name
                        ),
                    );
                }
            }
        }
    }

    let needs_approvals =
        policy.tiers.iter().any(|t| !t.require.is_empty()) || policy.emergency.is_some();
    if needs_approvals && policy.allowed_signers.is_none() {
        error(
            0..0,
            "tiers require approvals but the policy names no `allowed_signers` file".into(),
            "in this file",
            "add `[signers]\\nallowed_signers = \"allowed_signers\"`".into(),
        );
    }

    // Who must approve: each tier, and `[emergency]` (which authorizes up front).
    let demands = policy
        .tiers
        .iter()
        .map(|t| (format!("tier `{}`", t.name.get_ref()), &t.require))
        .chain(
            policy
                .emergency
                .iter()
                .map(|e| ("`[emergency]`".to_string(), &e.get_ref().require)),
        );
    for (who, require) in demands {
        for requirement in require {
            let Some(group) = policy.groups.get(&requirement.group) else {
                let known: Vec<&str> = policy.groups.keys().map(String::as_str).collect();
                let hint = crate::diag::closest(&requirement.group, known.iter().copied())
                    .map(|s| format!("did you mean `{s}`? "))
                    .unwrap_or_default();
                error(
                    requirement.span.clone(),
                    format!("{who} requires the unknown group `{}`", requirement.group),
                    "no such group",
                    format!(
                        "{hint}define it under `[groups]`; groups: {}",
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        }
                    ),
                );
                continue;
            };
            if group.members.is_empty() {
                error(
                    requirement.span.clone(),
                    format!(
                        "{who} requires approvals from the empty group `{}`",
                        requirement.group
                    ),
                    "nobody can give these approvals",
                    format!("add members to `{}` under `[groups]`", requirement.group),
                );
                continue;
            }
            let keyed = group
                .members
                .iter()
                .filter(|m| signers.is_none_or(|s| s.has_key_for(m.get_ref())))
                .count();
            if !group.members.is_empty() && (requirement.count as usize) > keyed {
                error(
                    requirement.span.clone(),
                    format!(
                        "{who} requires {} approvals from `{}`, which has only {} member(s) with a key",
                        requirement.count, requirement.group, keyed
                    ),
                    "cannot be satisfied",
                    format!(
                        "add members with keys to `{}` or lower `count`",
                        requirement.group
                    ),
                );
            }
        }
    }

    // Escalation: every tier must demand at least what the tier below it demands.
    for pair in policy.tiers.windows(2) {
        let (lower, higher) = (&pair[0], &pair[1]);
        for need in lower
            .require
            .iter()
            .filter(|r| policy.groups.contains_key(&r.group))
        {
            let have: u32 = higher
                .require
                .iter()
                .filter(|r| r.group == need.group)
                .map(|r| r.count)
                .sum();
            let lower_total: u32 = lower
                .require
                .iter()
                .filter(|r| r.group == need.group)
                .map(|r| r.count)
                .sum();
            if have < lower_total {
                error(higher.span.clone(), format!(
                    "escalation decreases: tier `{}` requires {have} approval(s) from `{}` but the lower tier `{}` requires {lower_total}",
                    higher.name.get_ref(), need.group, lower.name.get_ref()),
                    "asks less than the tier below",
                    "tiers are listed from lowest to highest; a higher tier must require at least what every lower tier requires".into());
            }
        }
        for field in &lower.require_fields {
            if !higher
                .require_fields
                .iter()
                .any(|f| f.get_ref() == field.get_ref())
            {
                error(
                    higher.span.clone(),
                    format!(
                        "escalation decreases: tier `{}` does not require `{}`, which the lower tier `{}` requires",
                        higher.name.get_ref(),
                        field.get_ref(),
                        lower.name.get_ref()
                    ),
                    "asks less than the tier below",
                    format!(
                        "add \"{}\" to this tier's `require_fields`",
                        field.get_ref()
                    ),
                );
            }
        }
        if let (Some(low), Some(high)) = (&lower.approval_ttl, &higher.approval_ttl) {
            if high.get_ref() > low.get_ref() {
                error(
                    high.span(),
                    format!(
                        "escalation decreases: approvals for tier `{}` live {} but only {} for the lower tier `{}`",
                        higher.name.get_ref(),
                        high.get_ref(),
                        low.get_ref(),
                        lower.name.get_ref()
                    ),
                    "longer than the tier below",
                    "a higher tier's `approval_ttl` must not be longer".into(),
                );
            }
        }
    }

    match &policy.deletion {
        None => error(
            0..0,
            "the policy has no `[deletion]` section, so no deletion could ever be proven unused"
                .into(),
            "in this file",
            "add `[deletion]` with `window = \"14d\"` (and, for a PromQL store, `query` and `coverage_query`)".into(),
        ),
        Some(deletion) => {
            let d = deletion.get_ref();
            if *d.window.get_ref() < MIN_WINDOW {
                error(
                    d.window.span(),
                    format!(
                        "`deletion.window` is {}; it must be at least 24h",
                        d.window.get_ref()
                    ),
                    "too short",
                    "weekly and monthly jobs resolve names too: `14d` or more is a good window"
                        .into(),
                );
            }
            if let Some(gap) = &d.max_gap {
                let (g, w) = (gap.get_ref().as_secs(), d.window.get_ref().as_secs());
                if g < 3600 || g.saturating_mul(2) > w {
                    error(
                        gap.span(),
                        format!(
                            "`deletion.max_gap` is {}; it must be at least 1h and at most half the window ({})",
                            gap.get_ref(),
                            d.window.get_ref()
                        ),
                        "here",
                        "the default, 24h, suits telemetry scraped every few minutes".into(),
                    );
                }
            }
        }
    }
    problems
}

/// What a valid policy leaves open, worth a warning but not a refusal.
pub fn warnings(policy: &Policy) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let lowest = policy.tiers.first().map(|t| t.name.get_ref().as_str());
    let retyped = policy.rules.iter().any(|r| {
        r.when.type_change == Some(true)
            && Some(policy.tiers[r.tier].name.get_ref().as_str()) != lowest
    });
    if !retyped {
        out.push(
            Diagnostic::new(
                "policy-warning",
                "no rule raises the tier of a type change: an A record retyped to a CNAME (the shape of the 2025 outage) gets the lowest tier, and only the snapshot requirement checks it",
            )
            .at(&policy.file, 0..0, "in this policy")
            .help("add `[[rule]]` with `when = { type_change = true }` and your highest tier")
            .warning(),
        );
    }
    // `increase()` over a counter created inside the window is 0 in Prometheus (its first
    // value is never counted) and that value in VictoriaMetrics: the same traffic, two
    // verdicts, and on Prometheus a false zero.
    if let Some(query) = policy
        .deletion
        .as_ref()
        .and_then(|d| d.get_ref().query.as_ref())
        .filter(|q| q.get_ref().contains("increase(") && !q.get_ref().contains("offset"))
    {
        out.push(
            Diagnostic::new(
                "policy-warning",
                "`[deletion] query` uses `increase()`, which Prometheus reads as 0 for a counter created inside the window (the queries that created it are never counted) and VictoriaMetrics does not",
            )
            .at(&policy.file, query.span(), "here")
            .help("measure from zero where the counter did not exist at the window's start: `sum(last_over_time(X[{window}]) - (X offset {window} or last_over_time(X[{window}]) * 0))` (see the README)")
            .warning(),
        );
    }
    out
}

//! The decision. [`evaluate`] is a pure function of the ticket, its plan, the gathered
//! evidence, the policy and the instant: it never touches the network, the disk or the
//! terminal, so every rule below is unit-tested without a server.

mod approvals;

use crate::approval::ApprovalFacts;
use crate::diag::Location;
use crate::evidence::signals::SignalFacts;
use crate::evidence::{DeletionFacts, Outcome, Reach};
use crate::model::Scope;
use crate::plan::{Plan, Touched};
use crate::policy::{Conditions, Policy};
use crate::ticket::{FieldPath, Kind, Ticket, Window, fields::ALWAYS_REQUIRED};
use crate::verdict::*;

/// Everything known about one ticket before deciding.
pub struct Facts<'a> {
    pub ticket: &'a Ticket,
    pub plan: &'a Plan,
    pub deletions: &'a DeletionFacts,
    pub signals: &'a SignalFacts,
    pub approvals: &'a ApprovalFacts,
    /// The `rollback.last_known_good` snapshot: the names it covers, or why it is unusable.
    pub snapshot: Option<&'a Result<Vec<String>, String>>,
    pub now: jiff::Timestamp,
}

pub fn evaluate(facts: &Facts<'_>, policy: &Policy) -> TicketVerdict {
    let ticket = facts.ticket;
    let mut v = TicketVerdict {
        id: ticket.id.get_ref().clone(),
        file: ticket.file.name.to_string(),
        tier: None,
        digest: Some(facts.approvals.ticket_digest.clone()).filter(|d| !d.is_empty()),
        plan_digest: Some(facts.approvals.plan_digest.clone()).filter(|d| !d.is_empty()),
        tier_reasons: Vec::new(),
        reasons: Vec::new(),
        findings: Vec::new(),
        deletions: Vec::new(),
        signals: Vec::new(),
        changes: facts
            .plan
            .changes
            .iter()
            .map(|c| PlannedLine {
                action: c.action.as_str(),
                name: c.name.clone(),
                rtype: c.rtype,
                zone: c.zone.clone(),
                ttl: c.ttl,
                values: c.values.clone(),
            })
            .collect(),
        approvals: Approvals::default(),
    };
    let at = |span: std::ops::Range<usize>| Location::new(&ticket.file, span);

    // Risk: the real scope is the widest of the declared one and what the inventory says.
    let declared = ticket.declared_scope();
    let mut scope = declared;
    for change in facts.plan.touched() {
        for entry in policy.inventory_for(change.name) {
            let Some(real) = entry.scope else { continue };
            scope = scope.max(Some(real));
            if declared.is_some_and(|d| d < real) {
                let span = ticket
                    .blast_radius
                    .as_ref()
                    .and_then(|b| b.get_ref().scope.as_ref())
                    .map_or(0..0, |s| s.span());
                let (line, _) = policy.file.line_col(entry.span.start);
                v.reasons.push(
                    Item::new(Code::ScopeUnderstated, format!(
                        "the ticket declares scope `{}` but `{}` is `{real}` in the inventory ({}:{line})",
                        declared.map_or("none", |d| d.as_str()), change.name, policy.file.name))
                    .rrset(change.name, Some(change.rtype))
                    .at(at(span)),
                );
            }
        }
    }

    for t in &facts.plan.type_changes {
        v.findings.push(
            Item::new(Code::TypeChange, format!(
                "`{}` changes from {} to {}: every answer for it changes shape; the rollback must restore the {} exactly",
                t.name, t.from, t.to, t.from))
            .rrset(&t.name, Some(t.to)),
        );
    }

    for (c, file) in &facts.plan.cascade {
        let how = if facts.plan.is_type_changed(&c.root) {
            "changes type"
        } else {
            "is deleted"
        };
        v.findings.push(
            Item::new(Code::Cascade, format!(
                "`{} {}` depends on `{}`, which {how} in this change ({} reference(s) away): its answers change too",
                c.name, c.rtype, c.root, c.depth))
            .rrset(&c.name, Some(c.rtype))
            .at_line(file.clone(), c.origin.line as usize),
        );
    }
    for (d, file) in &facts.plan.dangling {
        v.reasons.push(
            Item::new(
                Code::DanglingReference,
                format!(
                    "`{} {}` would point at `{}`, which no longer exists after this change",
                    d.name, d.rtype, d.target
                ),
            )
            .rrset(&d.name, Some(d.rtype))
            .at_line(file.clone(), d.origin.line as usize),
        );
    }
    for (span, message) in &facts.plan.not_in_diff {
        v.findings
            .push(Item::new(Code::DeclaredNotInDiff, message.clone()).at(at(span.clone())));
    }

    let mut tier = 0usize;
    for rule in &policy.rules {
        if let Some(matched) = rule_matches(&rule.when, ticket, facts.plan, scope, policy) {
            let (line, _) = policy.file.line_col(rule.span.start);
            v.tier_reasons.push(TierCause {
                tier: policy.tiers[rule.tier].name.get_ref().clone(),
                source: "rule",
                description: format!(
                    "{}:{line}: when {}{matched}",
                    policy.file.name,
                    describe(&rule.when)
                ),
                line: Some(line),
            });
            tier = tier.max(rule.tier);
        }
    }
    let rules_tier = tier;

    // Freezes apply to the moment of evaluation (a merge is a change now) and to the declared
    // deployment window; a window that has already ended plans nothing.
    let declared = ticket
        .deployment
        .as_ref()
        .and_then(|d| d.get_ref().window.as_ref());
    let instant = Window {
        start: facts.now,
        end: facts.now + jiff::SignedDuration::from_secs(1),
    };
    if let Some(window) = declared {
        if window.get_ref().end <= facts.now {
            v.reasons.push(
                Item::new(
                    Code::WindowEnded,
                    format!(
                        "the deployment window ended at {}, before this evaluation ({}): a change cannot be deployed in the past",
                        window.get_ref().end,
                        facts.now.strftime("%Y-%m-%dT%H:%M:%SZ")
                    ),
                )
                .at(at(window.span())),
            );
        }
    }
    let windows: Vec<Window> = std::iter::once(instant)
        .chain(declared.map(|w| *w.get_ref()))
        .collect();
    for freeze in &policy.freezes {
        if !windows.iter().any(|w| freeze.window.overlaps(w)) {
            continue;
        }
        let (line, _) = policy.file.line_col(freeze.span.start);
        let period = format!("{} to {}", freeze.window.start, freeze.window.end);
        let why = freeze
            .reason
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        match freeze.tier {
            Some(freeze_tier) => {
                v.tier_reasons.push(TierCause {
                    tier: policy.tiers[freeze_tier].name.get_ref().clone(),
                    source: "freeze",
                    description: format!("{}:{line}: freeze {period}{why}", policy.file.name),
                    line: Some(line),
                });
                tier = tier.max(freeze_tier);
            }
            None => v.reasons.push(
                Item::new(Code::Freeze, format!(
                    "the change falls in the freeze {period}{why} ({}:{line}), which refuses changes",
                    policy.file.name))
                .at(at(ticket.deployment.as_ref().map_or(0..0, |d| d.span()))),
            ),
        }
    }
    // A change that says it means to be large gets the highest tier, whatever the rules say.
    let mass_change = ticket
        .blast_radius
        .as_ref()
        .is_some_and(|b| b.get_ref().mass_change);
    if mass_change && tier + 1 < policy.tiers.len() {
        tier = policy.tiers.len() - 1;
        v.tier_reasons.push(TierCause {
            tier: policy.tiers[tier].name.get_ref().clone(),
            source: "mass_change",
            description: "`[blast_radius] mass_change = true`: a change meant to be large gets the highest tier".into(),
            line: None,
        });
    }
    if tier > rules_tier && !mass_change {
        v.findings.push(Item::new(
            Code::TierRaised,
            format!(
                "a freeze raised the tier from `{}` to `{}`",
                policy.tiers[rules_tier].name.get_ref(),
                policy.tiers[tier].name.get_ref()
            ),
        ));
    }
    if v.tier_reasons.is_empty() {
        v.tier_reasons.push(TierCause {
            tier: policy.tiers[0].name.get_ref().clone(),
            source: "default",
            description: "no rule matched: the lowest tier".into(),
            line: None,
        });
    }
    let tier_def = &policy.tiers[tier];
    v.tier = Some(tier_def.name.get_ref().clone());

    // Completeness.
    let mut required: Vec<(FieldPath, Option<Location>)> =
        ALWAYS_REQUIRED.iter().map(|f| (*f, None)).collect();
    for field in &tier_def.require_fields {
        required.push((*field.get_ref(), Some(policy.location(field.span()))));
    }
    if !facts.plan.type_changes.is_empty() {
        required.push((FieldPath::RollbackLastKnownGood, None));
    }
    let mut reported: Vec<FieldPath> = Vec::new();
    for (field, demanded_by) in required {
        if reported.contains(&field) {
            continue;
        }
        reported.push(field);
        if field == FieldPath::RollbackLastKnownGood && field.missing_in(ticket).is_none() {
            if let Some(problem) = snapshot_problem(facts) {
                let span = ticket
                    .rollback
                    .as_ref()
                    .and_then(|r| r.get_ref().last_known_good.as_ref())
                    .map_or(0..0, |p| p.span());
                v.reasons.push(
                    Item::new(
                        Code::FieldMissing,
                        format!(
                            "`rollback.last_known_good` is not a usable last-known-good: {problem}"
                        ),
                    )
                    .at(at(span)),
                );
            }
            continue;
        }
        if let Some((why, span)) = field.missing_in(ticket) {
            let by = match &demanded_by {
                Some(location) => format!(
                    "tier `{}` requires it ({location})",
                    tier_def.name.get_ref()
                ),
                None if field == FieldPath::RollbackLastKnownGood => {
                    "a type change requires a last-known-good snapshot".into()
                }
                None => "every ticket requires it".into(),
            };
            v.reasons.push(
                Item::new(
                    Code::FieldMissing,
                    format!("`{field}` is missing: {why}; {by}"),
                )
                .at(at(span)),
            );
        }
    }

    deletion_gate(facts, policy, &mut v);
    dns_rules(facts, policy, mass_change, &mut v);
    let signals_required = tier_def
        .require_fields
        .iter()
        .any(|f| *f.get_ref() == FieldPath::HealthSignal);
    signal_gate(facts, signals_required, &mut v);

    // An emergency, authorized up front by `[emergency] require`: only who signs is relaxed,
    // never what the gate knows to be dangerous. Its tier's approvals follow as reviews.
    let emergency = ticket.kind.get_ref() == &Kind::Emergency;
    if emergency
        && field_empty(ticket, FieldPath::IntentReason)
        && !reported.contains(&FieldPath::IntentReason)
    {
        v.reasons.push(
            Item::new(
                Code::FieldMissing,
                "`intent.reason` is missing: an emergency change must say why it cannot wait",
            )
            .at(at(ticket.kind.span())),
        );
    }
    let relieved;
    let judged = match (&policy.emergency, &facts.approvals.review_of) {
        (Some(e), None) if emergency => {
            let e = e.get_ref();
            let (line, _) = policy
                .file
                .line_col(policy.emergency.as_ref().map_or(0, |e| e.span().start));
            let full = describe_requirements(&tier_def.require);
            v.findings.push(Item::new(
                Code::EmergencyChange,
                format!(
                    "emergency change: tier `{}` would need {full} before merge; up front it needs {} (`[emergency]`, {}:{line}); the rest is due as signed reviews within {} of the merge (`changegate approve` on the branch it merged into), or every further change to its zones is refused",
                    tier_def.name.get_ref(),
                    describe_requirements(&e.require),
                    policy.file.name,
                    e.review_within.get_ref()
                ),
            ));
            relieved = crate::policy::Tier {
                require: e.require.clone(),
                ..tier_def.clone()
            };
            &relieved
        }
        (None, None) if emergency => {
            v.findings.push(Item::new(
                Code::EmergencyChange,
                format!(
                    "emergency change without relief: the policy has no `[emergency]` section, so it needs tier `{}`'s approvals in full before merge",
                    tier_def.name.get_ref()
                ),
            ));
            tier_def
        }
        _ => tier_def,
    };
    approvals::judge(facts, policy, judged, &mut v);
    v
}

/// `1 from `dns-oncall` and 2 from `cab``, or `no approvals`.
fn describe_requirements(require: &[crate::policy::Requirement]) -> String {
    if require.is_empty() {
        return "no approvals".into();
    }
    require
        .iter()
        .map(|r| format!("{} from `{}`", r.count, r.group))
        .collect::<Vec<_>>()
        .join(" and ")
}

fn field_empty(ticket: &Ticket, field: FieldPath) -> bool {
    field.missing_in(ticket).is_some()
}

/// Rules from DNS's own failure modes: mass changes, TTLs raised with a change, and a
/// rollback declared faster than the caches allow.
fn dns_rules(facts: &Facts<'_>, policy: &Policy, mass_change: bool, v: &mut TicketVerdict) {
    use crate::ticket::Action;
    let plan = facts.plan;
    let ticket = facts.ticket;
    let at_change = |name: &crate::model::Fqdn, rtype| {
        plan.changes
            .iter()
            .find(|c| &c.name == name && c.rtype == rtype)
            .map(|c| Position::from(Location::new(&ticket.file, c.span.clone())))
    };
    // Mass changes (octoDNS's safety thresholds): per zone, from the size it had.
    let limits = policy.limits;
    for (zone, &existing) in &plan.zone_sizes {
        if existing < limits.min_existing || mass_change {
            continue;
        }
        for (action, max, key) in [
            (Action::Update, limits.max_update_pct, "max_update_pct"),
            (Action::Delete, limits.max_delete_pct, "max_delete_pct"),
        ] {
            let n = plan
                .changes
                .iter()
                .filter(|c| &c.zone == zone && c.action == action)
                .count();
            if (n as f64) * 100.0 > max * existing as f64 {
                let mut item = Item::new(
                    Code::MassChange,
                    format!(
                        "this change {}s {n} of the {existing} RRsets of `{zone}` ({:.0}%), more than `[limits] {key}` ({max}%): a regenerated zone that lost its names looks like this; if the change means to be this large, say `mass_change = true` in `[blast_radius]` (its tier becomes the highest)",
                        action.as_str(),
                        n as f64 * 100.0 / existing as f64
                    ),
                );
                item.location = ticket
                    .blast_radius
                    .as_ref()
                    .map(|b| Position::from(Location::new(&ticket.file, b.span())));
                v.reasons.push(item);
            }
        }
    }
    // A TTL raised together with a change of answers (values, provider settings, or the
    // type itself): a mistake then lives in caches long.
    for c in plan.changes.iter() {
        let replaced = match c.action {
            Action::Update => c.before.as_ref().map(|(ttl, values)| {
                let settings_before: Vec<(&str, &String)> = c
                    .before_extras
                    .iter()
                    .map(|(k, v)| (k.trim_start_matches("old-"), v))
                    .collect();
                let settings_now: Vec<(&str, &String)> =
                    c.extras.iter().map(|(k, v)| (*k, v)).collect();
                (*ttl, values != &c.values || settings_before != settings_now)
            }),
            // A type change: the deleted RRset of the name is what this one replaces.
            Action::Create => plan
                .changes
                .iter()
                .find(|d| d.action == Action::Delete && d.name == c.name)
                .and_then(|d| d.before.as_ref())
                .map(|(ttl, _)| (*ttl, true)),
            Action::Delete => None,
        };
        let (Some((old_ttl, changed)), Some(new_ttl)) = (replaced, c.ttl) else {
            continue;
        };
        if changed && u64::from(new_ttl) > 2 * u64::from(old_ttl) {
            let mut item = Item::new(
                Code::TtlRaisedWithChange,
                format!(
                    "`{} {}` changes its values and raises its TTL from {old_ttl} s to {new_ttl} s in one change: if the new values are wrong, caches keep them that long; change at the low TTL, prove it, and raise the TTL in a later change",
                    c.name, c.rtype
                ),
            )
            .rrset(&c.name, Some(c.rtype));
            item.location = at_change(&c.name, c.rtype);
            v.reasons.push(item);
        }
    }
    // A rollback reaches clients no faster than the caches let it: the new TTL of what is
    // created or updated, the negative-caching TTL of what is deleted.
    let declared = ticket
        .rollback
        .as_ref()
        .and_then(|r| r.get_ref().time_to_mitigate.as_ref());
    if let Some(declared) = declared {
        let slowest = plan
            .changes
            .iter()
            .filter_map(|c| {
                let ttl = match c.action {
                    // A zone without an SOA (octoDNS's) gives no negative TTL: the policy's.
                    Action::Delete if c.before.is_some() => {
                        c.negative_ttl.unwrap_or(policy.limits.negative_ttl)
                    }
                    Action::Delete => c.negative_ttl?,
                    _ => c.ttl?,
                };
                Some((ttl, c))
            })
            .max_by_key(|(ttl, _)| *ttl);
        if let Some((ttl, c)) = slowest {
            if u64::from(ttl) > declared.get_ref().as_secs() {
                let what = if c.action == Action::Delete {
                    format!(
                        "resolvers keep \"no such name\" for `{}` for the zone's negative-caching TTL, {ttl} s",
                        c.name
                    )
                } else {
                    format!(
                        "resolvers keep `{} {}` for its TTL, {ttl} s",
                        c.name, c.rtype
                    )
                };
                let mut item = Item::new(
                    Code::RollbackSlowerThanDeclared,
                    format!(
                        "`rollback.time_to_mitigate` is {}, but {what}: a rollback reaches clients no sooner; lower the TTL in an earlier change, or declare an honest time",
                        declared.get_ref()
                    ),
                );
                item.location = Some(Position::from(Location::new(&ticket.file, declared.span())));
                v.reasons.push(item);
            }
        }
    }
}

/// Every health signal must see something, and not already be breached: a signal that is
/// dead before the change cannot abort it, and one already tripped would abort at once.
fn signal_gate(facts: &Facts<'_>, required: bool, v: &mut TicketVerdict) {
    let ticket = facts.ticket;
    for signal in &ticket.health_signals {
        let span = signal.span();
        let signal = signal.get_ref();
        let at = Position::from(Location::new(&ticket.file, span));
        let mut check = SignalCheck {
            name: signal.name.clone(),
            query: signal.query.clone(),
            abort_if: signal.abort_if.to_string(),
            verdict: "alive",
            value: None,
            error: None,
            source: String::new(),
            evaluated_at: facts.now,
        };
        let refusal = if let Some(why) = &facts.signals.unavailable {
            check.verdict = "unverified";
            check.error = Some(why.clone());
            let message = format!(
                "health signal `{}` cannot be proven alive: {why}",
                signal.name
            );
            let mut item = Item::new(
                if required {
                    Code::HealthSignalDead
                } else {
                    Code::HealthSignalUnverified
                },
                message,
            );
            item.location = Some(at.clone());
            if required {
                Some(item)
            } else {
                v.findings.push(item);
                None
            }
        } else if !crate::evidence::signals::reads_a_metric(&signal.query) {
            check.verdict = "dead";
            check.error = Some("the query reads no metric".into());
            Some(Item::new(
                Code::HealthSignalDead,
                format!(
                    "health signal `{}` reads no metric: `{}` is made of constants (no selector or metric name), so it would seem alive forever and could abort nothing; query the service's own metrics",
                    signal.name, signal.query
                ),
            ))
        } else {
            match facts.signals.measurements.get(&signal.query) {
                None => {
                    check.verdict = "dead";
                    check.error = Some("it was not asked".into());
                    Some(Item::new(
                        Code::HealthSignalDead,
                        format!("health signal `{}` was not asked", signal.name),
                    ))
                }
                Some(m) => {
                    check.source = m.source.clone();
                    check.evaluated_at = m.evaluated_at;
                    match &m.result {
                        Err(e) => {
                            check.verdict = "dead";
                            check.error = Some(e.clone());
                            Some(Item::new(
                                Code::HealthSignalDead,
                                format!(
                                    "health signal `{}` is dead: {e}; a signal that cannot see cannot abort",
                                    signal.name
                                ),
                            ))
                        }
                        Ok(Outcome::Empty | Outcome::Covered) => {
                            check.verdict = "dead";
                            check.error = Some("the query returned no series".into());
                            Some(Item::new(
                                Code::HealthSignalDead,
                                format!(
                                    "health signal `{}` is dead: its query returns no series (a metric that does not exist, or a selector that matches nothing); an empty result can abort nothing",
                                    signal.name
                                ),
                            ))
                        }
                        Ok(Outcome::Value(value))
                            if signal.abort_if.relative
                                && *value == 0.0
                                && matches!(
                                    signal.abort_if.comparator,
                                    crate::ticket::Comparator::Less
                                        | crate::ticket::Comparator::LessOrEqual
                                ) =>
                        {
                            check.value = Some(*value);
                            check.verdict = "dead";
                            Some(Item::new(
                                Code::HealthSignalDead,
                                format!(
                                    "health signal `{}` reads 0 now, and `{}` of a zero baseline can never fall below it: it could abort nothing",
                                    signal.name, signal.abort_if
                                ),
                            ))
                        }
                        Ok(Outcome::Value(value)) => {
                            check.value = Some(*value);
                            if signal.abort_if.holds(*value, *value) {
                                check.verdict = "tripped";
                                Some(Item::new(
                                    Code::HealthSignalTripped,
                                    format!(
                                        "health signal `{}` is already breached: {} is {}, before the change starts; fix the threshold or the system first",
                                        signal.name,
                                        format_count(*value),
                                        signal.abort_if
                                    ),
                                ))
                            } else {
                                None
                            }
                        }
                    }
                }
            }
        };
        if let Some(mut item) = refusal {
            if item.location.is_none() {
                item.location = Some(at);
            }
            v.reasons.push(item);
        }
        v.signals.push(check);
    }
}

fn deletion_gate(facts: &Facts<'_>, policy: &Policy, v: &mut TicketVerdict) {
    let d = facts.deletions;
    let ticket = facts.ticket;
    for target in facts.plan.deletion_targets() {
        let change = facts
            .plan
            .changes
            .iter()
            .find(|c| c.name == target.name && c.rtype == target.rtype);
        let location = change.map(|c| Position::from(Location::new(&ticket.file, c.span.clone())));
        let rrset = format!("{} {}", target.name, target.rtype);
        let mut refuse = |code: Code, message: String, evidence: Option<Evidence>| {
            let mut item = Item::new(code, message).rrset(&target.name, Some(target.rtype));
            item.evidence = evidence.clone();
            item.location = location.clone();
            v.reasons.push(item);
            v.deletions.push(DeletionCheck {
                name: target.name.clone(),
                rtype: target.rtype,
                zone: target.zone.clone(),
                allowed: false,
                evidence,
            });
        };
        if let Some(why) = &d.unavailable {
            refuse(
                Code::MetricsUnavailable,
                format!("cannot prove `{rrset}` unused: {why}"),
                None,
            );
            continue;
        }
        let (Some(m), Some(coverage)) = (
            d.rrsets.get(&(target.name.clone(), target.rtype)),
            d.zones.get(&target.zone),
        ) else {
            // A wildcard or a subtree is measured only by its own query.
            let reach = Reach::of(&target.name, target.rtype);
            let deletion = policy.deletion.as_ref().map(|d| d.get_ref());
            if let Some((key, None)) = deletion.map(|d| reach.template(d)) {
                let what = match reach {
                    Reach::Name => "a query store is asked with the policy's templates",
                    Reach::Wildcard => {
                        "a wildcard answers names nobody wrote down, and nobody queries the wildcard itself"
                    }
                    Reach::Subtree => "it answers for every name below it",
                };
                refuse(
                    Code::DeletionNoTelemetry,
                    format!(
                        "cannot prove `{rrset}` unused: {what}, and the policy has no `[deletion] {key}` to measure that"
                    ),
                    None,
                );
                continue;
            }
            refuse(
                Code::MetricsUnavailable,
                format!("cannot prove `{rrset}` unused: it was not measured"),
                None,
            );
            continue;
        };
        let mut evidence = Evidence::from_measurement(m, d.window);
        evidence.coverage = Some(Box::new(Evidence::from_measurement(coverage, d.window)));
        let window = d
            .window
            .map(|w| w.to_string())
            .unwrap_or_else(|| "the window".into());
        if let Some(gap) = &facts.plan.ttl_history_gap {
            refuse(
                Code::DeletionNoTelemetry,
                format!(
                    "cannot prove `{rrset}` unused: {gap}; resolvers may still cache it under an older, longer TTL"
                ),
                Some(evidence),
            );
            continue;
        }
        // Logs (and counters built from them) at the authoritative servers see only the
        // questions resolvers did not answer from cache: a zero over a window proves nothing
        // about a name whose TTL is not well below it.
        if let (Some(ttl), Some(w)) = (target.ttl, d.window) {
            if u64::from(ttl) * 2 > w.as_secs() {
                refuse(
                    Code::DeletionNoTelemetry,
                    format!(
                        "cannot prove `{rrset}` unused: its TTL ({ttl} s) is more than half the {window} window, and resolvers answer it from cache for that long without asking the servers whose logs are counted; lower the TTL first, in a change of its own, and wait out the old TTL, or widen `[deletion] window`"
                    ),
                    Some(evidence),
                );
                continue;
            }
        }
        match (&m.result, &coverage.result) {
            (Ok(Outcome::Value(n)), _) if *n > 0.0 => refuse(
                Code::DeletionInUse,
                format!(
                    "`{rrset}` is still in use: {} resolutions in the last {window}",
                    format_count(*n)
                ),
                Some(evidence),
            ),
            (Err(e), _) => refuse(
                Code::MetricsUnavailable,
                format!("cannot prove `{rrset}` unused: {e}"),
                Some(evidence),
            ),
            (Ok(_), Err(e)) => refuse(
                Code::MetricsUnavailable,
                format!(
                    "cannot prove telemetry flows for the zone `{}`: {e}",
                    target.zone
                ),
                Some(evidence),
            ),
            (Ok(_), Ok(_)) if coverage.gap.is_some() => refuse(
                Code::DeletionNoTelemetry,
                format!(
                    "`{rrset}` shows {} resolutions, but telemetry for its zone `{}` does not cover the whole {window}: {}; a count over part of the window is not zero traffic",
                    format_count(m.result.as_ref().map_or(0.0, Outcome::as_number)),
                    target.zone,
                    coverage.gap.as_deref().unwrap_or_default()
                ),
                Some(evidence),
            ),
            (Ok(_), Ok(c)) if !c.shows_telemetry() => refuse(
                Code::DeletionNoTelemetry,
                format!(
                    "`{rrset}` shows no resolutions, but neither does its whole zone `{}` in the last {window}: no telemetry is not zero traffic",
                    target.zone
                ),
                Some(evidence),
            ),
            (Ok(_), Ok(_)) => v.deletions.push(DeletionCheck {
                name: target.name.clone(),
                rtype: target.rtype,
                zone: target.zone.clone(),
                allowed: true,
                evidence: Some(evidence),
            }),
        }
    }
}

/// Why the ticket's snapshot cannot serve: unreadable, or not covering every touched name.
fn snapshot_problem(facts: &Facts<'_>) -> Option<String> {
    match facts.snapshot? {
        Err(e) => Some(e.clone()),
        Ok(names) => {
            let mut uncovered: Vec<String> = facts
                .plan
                .touched()
                .iter()
                .map(|t| t.name.to_string())
                .filter(|n| !names.contains(n))
                .collect();
            uncovered.sort();
            uncovered.dedup();
            (!uncovered.is_empty()).then(|| {
                format!(
                    "it does not cover {}; run `changegate snapshot --ticket TICKET --out FILE` before the change",
                    uncovered.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                )
            })
        }
    }
}

fn format_count(n: f64) -> String {
    if n.fract() == 0.0 && n < 1e15 {
        format!("{}", n as u64)
    } else {
        format!("{n:.2}")
    }
}

/// `Some(text saying which change matched)` if the rule applies.
fn rule_matches(
    when: &Conditions,
    ticket: &Ticket,
    plan: &Plan,
    scope: Option<Scope>,
    policy: &Policy,
) -> Option<String> {
    if !when.scope.is_empty() && !scope.is_some_and(|s| when.scope.contains(&s)) {
        return None;
    }
    if !when.kind.is_empty() && !when.kind.contains(ticket.kind.get_ref()) {
        return None;
    }
    if !when.has_change_conditions() {
        return Some(String::new());
    }
    let change_matches = |c: &Touched<'_>| {
        (when.action.is_empty() || when.action.contains(&c.action))
            && (when.rtype.is_empty() || when.rtype.contains(&c.rtype))
            && (when.name.is_empty() || when.name.iter().any(|p| p.matches(c.name)))
            && (when.zone.is_empty() || when.zone.contains(c.zone))
            && when
                .critical
                .is_none_or(|want| policy.is_critical(c.name) == want)
            && when
                .type_change
                .is_none_or(|want| plan.is_type_changed(c.name) == want)
    };
    plan.touched()
        .into_iter()
        .find(|c| change_matches(c))
        .map(|c| {
            if c.cascade {
                format!(
                    " (matched by {} {}, which depends on what this change deletes or retypes)",
                    c.name, c.rtype
                )
            } else {
                format!(" (matched by {} {} {})", c.action.as_str(), c.name, c.rtype)
            }
        })
}

fn describe(when: &Conditions) -> String {
    let mut parts = Vec::new();
    let list = |items: Vec<String>| {
        if items.len() == 1 {
            items[0].clone()
        } else {
            format!("[{}]", items.join(", "))
        }
    };
    if !when.scope.is_empty() {
        parts.push(format!(
            "scope = {}",
            list(when.scope.iter().map(|s| s.to_string()).collect())
        ));
    }
    if !when.kind.is_empty() {
        parts.push(format!(
            "kind = {}",
            list(when.kind.iter().map(|k| k.as_str().to_string()).collect())
        ));
    }
    if !when.action.is_empty() {
        parts.push(format!(
            "action = {}",
            list(when.action.iter().map(|a| a.as_str().to_string()).collect())
        ));
    }
    if !when.rtype.is_empty() {
        parts.push(format!(
            "type = {}",
            list(when.rtype.iter().map(|t| t.to_string()).collect())
        ));
    }
    if !when.name.is_empty() {
        parts.push(format!(
            "name = {}",
            list(when.name.iter().map(|n| n.to_string()).collect())
        ));
    }
    if !when.zone.is_empty() {
        parts.push(format!(
            "zone = {}",
            list(when.zone.iter().map(|z| z.to_string()).collect())
        ));
    }
    if let Some(c) = when.critical {
        parts.push(format!("critical = {c}"));
    }
    if let Some(t) = when.type_change {
        parts.push(format!("type_change = {t}"));
    }
    if parts.is_empty() {
        "always".into()
    } else {
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests;

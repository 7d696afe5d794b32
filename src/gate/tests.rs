//! Every rule of the gate, without a server: tickets and policies are read from TOML by the
//! real readers, evidence is built by hand.

use std::path::Path;

use super::*;
use crate::diag::SourceFile;
use crate::evidence::{DeletionFacts, Measurement, Outcome};
use crate::model::{Duration, Fqdn, RecordType};
use crate::policy::read_policy;
use crate::ticket::read_ticket;
use crate::zone::ManagedZone;

const NOW: &str = "2026-01-15T00:00:00Z";

const POLICY: &str = r#"
[groups]
oncall = ["alice@example.com", "bob@example.com"]
leads = ["carol@example.com", "vojtech@example.com"]

[[tier]]
name = "routine"
require = []

[[tier]]
name = "low"
require = [{ group = "oncall", count = 1 }]

[[tier]]
name = "high"
require = [{ group = "oncall", count = 1 }, { group = "leads", count = 1 }]
require_fields = ["rollback.rehearsed", "health_signal"]

[[inventory]]
names = ["autologon.example.com"]
scope = "global"
critical = true

[[rule]]
when = { name = "*.example.com", action = "update" }
tier = "low"

[[rule]]
when = { action = "delete", name = "*.internal.example.com" }
tier = "high"

[[rule]]
when = { critical = true }
tier = "high"

[[rule]]
when = { type_change = true }
tier = "high"

[[rule]]
when = { scope = "global" }
tier = "high"

[deletion]
query = 'q{name="{name}"}'
coverage_query = 'c{zone="{zone}"}'
window = "14d"
"#;

fn policy(extra: &str) -> Policy {
    let text = format!("{POLICY}{extra}");
    read_policy(
        SourceFile::new("policy.toml", text),
        Path::new("policy.toml"),
    )
    .unwrap_or_else(|d| panic!("{}", d.iter().map(|d| d.render(false)).collect::<String>()))
}

fn ticket(scope: &str, body: &str) -> Ticket {
    let text = format!(
        r#"id = "CHG-1"
title = "t"
author = "vojtech@example.com"
[intent]
summary = "s"
[blast_radius]
scope = "{scope}"
impact = "i"
[rollback]
steps = ["revert"]
{body}"#
    );
    read_ticket(SourceFile::new("CHG-1.toml", text), Path::new("CHG-1.toml"))
        .unwrap_or_else(|d| panic!("{}", d.iter().map(|d| d.render(false)).collect::<String>()))
}

fn change(action: &str, name: &str, rtype: &str) -> String {
    format!("[[change]]\naction = \"{action}\"\nname = \"{name}\"\ntype = \"{rtype}\"\n")
}

fn zones() -> Vec<ManagedZone> {
    vec![ManagedZone {
        name: Fqdn::parse("example.com").unwrap(),
        file: "example.com.zone".into(),
    }]
}

fn now() -> jiff::Timestamp {
    NOW.parse().unwrap()
}

fn measured(result: Result<Outcome, String>) -> Measurement {
    Measurement {
        source: "test".into(),
        query: "q".into(),
        evaluated_at: now(),
        result,
        gap: None,
        completeness: None,
        history: None,
    }
}

/// Evidence: each (name, type) -> result, and the coverage of example.com.
fn facts(
    rrsets: &[(&str, RecordType, Result<Outcome, String>)],
    coverage: Result<Outcome, String>,
) -> DeletionFacts {
    let mut f = DeletionFacts {
        window: Some(Duration::from_secs(14 * 86_400)),
        ..Default::default()
    };
    for (name, rtype, result) in rrsets {
        f.rrsets.insert(
            (Fqdn::parse(name).unwrap(), *rtype),
            measured(result.clone()),
        );
    }
    f.zones
        .insert(Fqdn::parse("example.com").unwrap(), measured(coverage));
    f
}

fn run(policy: &Policy, ticket: &Ticket, deletions: &DeletionFacts) -> TicketVerdict {
    evaluate_with(policy, ticket, deletions, &Default::default())
}

fn evaluate_with(
    policy: &Policy,
    ticket: &Ticket,
    deletions: &DeletionFacts,
    approvals: &crate::approval::ApprovalFacts,
) -> TicketVerdict {
    let plan = Plan::from_ticket(ticket, &zones()).unwrap();
    evaluate(
        &Facts {
            snapshot: None,
            approvals,
            ticket,
            plan: &plan,
            deletions,
            signals: &healthy(ticket),
            now: now(),
        },
        policy,
    )
}

/// Every signal of the ticket alive, well inside its threshold.
fn healthy(ticket: &Ticket) -> crate::evidence::signals::SignalFacts {
    let mut facts = crate::evidence::signals::SignalFacts::default();
    for signal in &ticket.health_signals {
        let signal = signal.get_ref();
        let value = if signal.abort_if.holds(1e9, 1e9) {
            -1e9
        } else {
            1e9
        };
        facts
            .measurements
            .insert(signal.query.clone(), measured(Ok(Outcome::Value(value))));
    }
    facts
}

fn codes(items: &[Item]) -> Vec<&'static str> {
    items.iter().map(|i| i.code.as_str()).collect()
}

#[test]
fn no_matching_rule_gives_the_lowest_tier() {
    let v = run(
        &policy(""),
        &ticket("record", &change("create", "new.example.com", "A")),
        &DeletionFacts::default(),
    );
    assert_eq!(v.tier.as_deref(), Some("routine"));
    assert_eq!(v.tier_reasons[0].source, "default");
    assert!(v.allowed(), "{:?}", v.reasons);
}

#[test]
fn the_highest_matching_rule_sets_the_tier_and_is_explained() {
    let body = change("update", "www.example.com", "A");
    let v = run(
        &policy(""),
        &ticket("record", &body),
        &DeletionFacts::default(),
    );
    assert_eq!(v.tier.as_deref(), Some("low"));
    assert!(
        v.tier_reasons[0].description.contains("policy.toml:"),
        "{:?}",
        v.tier_reasons
    );
    assert!(
        v.tier_reasons[0]
            .description
            .contains("update www.example.com A")
    );
    let v = run(
        &policy(""),
        &ticket("global", &body),
        &DeletionFacts::default(),
    );
    assert_eq!(v.tier.as_deref(), Some("high"));
    assert_eq!(v.tier_reasons.len(), 2);
}

#[test]
fn change_conditions_must_hold_for_the_same_change() {
    // A delete elsewhere and a create under internal must not combine into the delete rule.
    let body = format!(
        "{}{}",
        change("delete", "old.example.com", "TXT"),
        change("create", "db.internal.example.com", "A")
    );
    let f = facts(
        &[("old.example.com", RecordType::Txt, Ok(Outcome::Empty))],
        Ok(Outcome::Value(10.0)),
    );
    let v = run(&policy(""), &ticket("record", &body), &f);
    assert_eq!(v.tier.as_deref(), Some("routine"));
}

#[test]
fn inventory_marks_names_critical() {
    let v = run(
        &policy(""),
        &ticket("global", &change("create", "autologon.example.com", "AAAA")),
        &DeletionFacts::default(),
    );
    assert_eq!(v.tier.as_deref(), Some("high"));
    assert!(
        v.tier_reasons
            .iter()
            .any(|c| c.description.contains("critical = true"))
    );
}

#[test]
fn an_understated_scope_is_refused_and_the_real_scope_still_sets_the_tier() {
    let t = ticket("record", &change("update", "autologon.example.com", "A"));
    let v = run(&policy(""), &t, &DeletionFacts::default());
    let r = v
        .reasons
        .iter()
        .find(|r| r.code == Code::ScopeUnderstated)
        .expect("scope-understated");
    assert!(r.message.contains("`global`"), "{}", r.message);
    assert!(
        r.location
            .as_ref()
            .unwrap()
            .to_string()
            .starts_with("CHG-1.toml:7:"),
        "{:?}",
        r.location
    );
    assert_eq!(v.tier.as_deref(), Some("high"));
}

#[test]
fn a_freeze_with_a_tier_raises_it() {
    let p = policy(
        "[[freeze]]\nstart = 2026-01-01T00:00:00Z\nend = 2026-02-01T00:00:00Z\ntier = \"high\"\n",
    );
    let v = run(
        &p,
        &ticket("record", &change("create", "new.example.com", "A")),
        &DeletionFacts::default(),
    );
    assert_eq!(v.tier.as_deref(), Some("high"));
    assert!(codes(&v.findings).contains(&"tier-raised"));
    assert!(v.tier_reasons.iter().any(|c| c.source == "freeze"));
}

#[test]
fn a_freeze_without_a_tier_refuses() {
    let p = policy(
        "[[freeze]]\nstart = 2026-01-01T00:00:00Z\nend = 2026-02-01T00:00:00Z\nreason = \"year end\"\n",
    );
    let v = run(
        &p,
        &ticket("record", &change("create", "new.example.com", "A")),
        &DeletionFacts::default(),
    );
    assert_eq!(codes(&v.reasons), ["freeze"]);
    assert!(v.reasons[0].message.contains("year end"));
}

#[test]
fn freezes_apply_to_the_deployment_window_and_to_now() {
    // Now is 2026-01-15: a freeze in February catches a February window.
    let p = policy("[[freeze]]\nstart = 2026-02-01T00:00:00Z\nend = 2026-03-01T00:00:00Z\n");
    let outside = format!(
        "{}[deployment]\nwindow = {{ start = 2026-03-01T00:00:00Z, end = 2026-03-01T02:00:00Z }}\n",
        change("create", "new.example.com", "A")
    );
    let v = run(&p, &ticket("record", &outside), &DeletionFacts::default());
    assert!(v.allowed(), "{:?}", v.reasons);
    let inside = outside.replace("2026-03-01", "2026-02-20");
    let v = run(&p, &ticket("record", &inside), &DeletionFacts::default());
    assert_eq!(codes(&v.reasons), ["freeze"]);
}

/// Issue 9: a freeze was dodged by declaring a window outside it (even one in the past).
#[test]
fn regression_9_a_freeze_covers_the_moment_of_evaluation_whatever_the_window() {
    let p = policy("[[freeze]]\nstart = 2026-01-01T00:00:00Z\nend = 2026-02-01T00:00:00Z\n");
    let later = format!(
        "{}[deployment]\nwindow = {{ start = 2026-03-01T00:00:00Z, end = 2026-03-01T02:00:00Z }}\n",
        change("create", "new.example.com", "A")
    );
    let v = run(&p, &ticket("record", &later), &DeletionFacts::default());
    assert_eq!(codes(&v.reasons), ["freeze"], "merging now, in the freeze");
    let past = later.replace("2026-03-01", "2020-03-01");
    let v = run(&p, &ticket("record", &past), &DeletionFacts::default());
    assert_eq!(codes(&v.reasons), ["window-ended", "freeze"]);
    assert!(v.reasons[0].message.contains("2020-03-01T02:00:00Z"));
}

#[test]
fn a_type_change_is_not_a_deletion_but_raises_the_tier_and_needs_a_snapshot() {
    let body = format!(
        "{}{}values = [\"target.example.net.\"]\n",
        change("delete", "app.example.com", "A"),
        change("create", "app.example.com", "CNAME")
    );
    let v = run(
        &policy(""),
        &ticket("record", &body),
        &DeletionFacts::default(),
    );
    assert_eq!(codes(&v.findings), ["type-change"]);
    assert_eq!(v.tier.as_deref(), Some("high"));
    assert!(
        v.deletions.is_empty(),
        "the A of a type change is not gated as a deletion"
    );
    let missing: Vec<&str> = v
        .reasons
        .iter()
        .filter(|r| r.code == Code::FieldMissing)
        .map(|r| r.message.as_str())
        .collect();
    assert!(
        missing
            .iter()
            .any(|m| m.contains("rollback.last_known_good") && m.contains("type change")),
        "{missing:?}"
    );
}

#[test]
fn fields_every_ticket_needs_and_fields_the_tier_needs() {
    let text = "id = \"CHG-1\"\ntitle = \"t\"\nauthor = \"a@example.com\"\n[rollback]\nsteps = [\"x\"]\nrehearsed = false\n"
        .to_string()
        + &change("update", "autologon.example.com", "A");
    let t = read_ticket(SourceFile::new("CHG-1.toml", text), Path::new("CHG-1.toml")).unwrap();
    let v = run(&policy(""), &t, &DeletionFacts::default());
    let missing: Vec<&str> = v
        .reasons
        .iter()
        .filter(|r| r.code == Code::FieldMissing)
        .map(|r| r.message.as_str())
        .collect();
    for field in [
        "intent.summary",
        "blast_radius.scope",
        "blast_radius.impact",
        "rollback.rehearsed",
        "health_signal",
    ] {
        assert!(
            missing.iter().any(|m| m.starts_with(&format!("`{field}`"))),
            "{field} not reported: {missing:?}"
        );
    }
    assert!(
        missing
            .iter()
            .any(|m| m.contains("`rollback.rehearsed` is `false`"))
    );
    assert!(
        missing
            .iter()
            .any(|m| m.contains("tier `high` requires it (policy.toml:"))
    );
}

#[test]
fn approvals_list_what_the_tier_needs_without_the_author() {
    let v = run(
        &policy(""),
        &ticket("global", &change("create", "x.example.com", "A")),
        &DeletionFacts::default(),
    );
    assert_eq!(v.approvals.required.len(), 2);
    let r = v
        .reasons
        .iter()
        .find(|r| r.code == Code::ApprovalsMissing)
        .unwrap();
    assert!(
        r.message
            .contains("1 more from `leads` (from carol@example.com)"),
        "{}",
        r.message
    );
    assert!(
        !r.message.contains("from carol@example.com, vojtech"),
        "the author must not be offered"
    );
    let v = run(
        &policy(""),
        &ticket("record", &change("create", "x.example.com", "A")),
        &DeletionFacts::default(),
    );
    assert!(v.approvals.required.is_empty() && v.allowed());
}

fn delete_verdict(
    result: Result<Outcome, String>,
    coverage: Result<Outcome, String>,
) -> TicketVerdict {
    let f = facts(&[("old.example.com", RecordType::A, result)], coverage);
    run(
        &policy(""),
        &ticket("record", &change("delete", "old.example.com", "A")),
        &f,
    )
}

#[test]
fn deletion_allowed_only_for_zero_or_empty_with_coverage() {
    for result in [Ok(Outcome::Value(0.0)), Ok(Outcome::Empty)] {
        let v = delete_verdict(result, Ok(Outcome::Value(5.0)));
        assert!(v.allowed(), "{:?}", v.reasons);
        assert!(v.deletions[0].allowed);
        assert!(v.deletions[0].evidence.as_ref().unwrap().coverage.is_some());
    }
}

#[test]
fn deletion_refusals() {
    type Case = (
        Result<Outcome, String>,
        Result<Outcome, String>,
        &'static str,
    );
    let cases: [Case; 7] = [
        (
            Ok(Outcome::Value(1.0)),
            Ok(Outcome::Value(5.0)),
            "deletion-in-use",
        ),
        (
            Ok(Outcome::Value(0.5)),
            Ok(Outcome::Value(5.0)),
            "deletion-in-use",
        ),
        (
            Ok(Outcome::Value(3.0)),
            Err("down".into()),
            "deletion-in-use",
        ),
        (
            Ok(Outcome::Value(0.0)),
            Ok(Outcome::Value(0.0)),
            "deletion-no-telemetry",
        ),
        (
            Ok(Outcome::Empty),
            Ok(Outcome::Empty),
            "deletion-no-telemetry",
        ),
        (
            Err("timeout".into()),
            Ok(Outcome::Value(5.0)),
            "metrics-unavailable",
        ),
        (
            Ok(Outcome::Empty),
            Err("timeout".into()),
            "metrics-unavailable",
        ),
    ];
    for (result, coverage, code) in cases {
        let v = delete_verdict(result.clone(), coverage.clone());
        assert_eq!(codes(&v.reasons), [code], "{result:?} / {coverage:?}");
        assert!(!v.deletions[0].allowed);
        assert!(v.reasons[0].evidence.is_some());
        assert!(v.reasons[0].location.is_some(), "points at the change");
    }
}

#[test]
fn nothing_measured_refuses() {
    let f = DeletionFacts {
        unavailable: Some("no [metrics]".into()),
        ..Default::default()
    };
    let v = run(
        &policy(""),
        &ticket("record", &change("delete", "old.example.com", "A")),
        &f,
    );
    assert_eq!(codes(&v.reasons), ["metrics-unavailable"]);
    let v = run(
        &policy(""),
        &ticket("record", &change("delete", "old.example.com", "A")),
        &DeletionFacts::default(),
    );
    assert_eq!(
        codes(&v.reasons),
        ["metrics-unavailable"],
        "a target without a measurement is never allowed"
    );
}

mod approvals {
    use super::*;
    use crate::approval::{ApprovalFacts, Checked, Message, Rejection};

    pub(super) const T: &str =
        "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    pub(super) const P: &str =
        "sha256:2222222222222222222222222222222222222222222222222222222222222222";

    /// A ticket complete for tier `high`, so only approvals decide.
    fn high_ticket() -> Ticket {
        let body = "rehearsed = true\n[[health_signal]]\nname = \"n\"\nquery = \"q\"\nabort_if = \"< 1\"\nwatch = \"5m\"\n";
        ticket(
            "global",
            &format!("{body}{}", change("create", "x.example.com", "A")),
        )
    }

    fn approval(approver: &str, key: &str, edit: impl FnOnce(&mut Message)) -> Checked {
        let mut message = Message {
            ticket: "CHG-1".into(),
            digest: T.into(),
            plan: P.into(),
            approver: approver.into(),
            tier: "high".into(),
            merged: None,
            signed_at: "2026-01-14T12:00:00Z".parse().unwrap(),
            comment: String::new(),
        };
        edit(&mut message);
        Checked {
            file: format!("{approver}.sig"),
            message,
            key: key.into(),
            key_principals: vec![vec![approver.into()]],
        }
    }

    fn judge(extra_policy: &str, checked: Vec<Checked>) -> TicketVerdict {
        judge_with(&policy(extra_policy), checked, Vec::new())
    }

    /// Evaluates the tier-`high` ticket with these approvals, already checked or rejected.
    fn judge_with(
        policy: &Policy,
        checked: Vec<Checked>,
        rejected: Vec<Rejection>,
    ) -> TicketVerdict {
        let a = ApprovalFacts {
            ticket_digest: T.into(),
            plan_digest: P.into(),
            checked,
            rejected,
            committers: Vec::new(),
            review_of: None,
            judged_at: None,
        };
        evaluate_with(policy, &high_ticket(), &DeletionFacts::default(), &a)
    }

    /// Issue 9, bypass 7: whoever committed edits to the ticket in the range is an author,
    /// and so is whoever holds a key registered to the author.
    #[test]
    fn regression_9_committers_and_the_authors_keys_never_approve() {
        let policy = policy("");
        let a = ApprovalFacts {
            ticket_digest: T.into(),
            plan_digest: P.into(),
            checked: vec![
                approval("alice@example.com", "k1", |_| ()),
                approval("carol@example.com", "k2", |_| ()),
            ],
            rejected: Vec::new(),
            committers: vec!["Carol@Example.com".into()],
            review_of: None,
            judged_at: None,
        };
        let v = evaluate_with(&policy, &high_ticket(), &DeletionFacts::default(), &a);
        assert_eq!(codes(&v.reasons), ["self-approval", "approvals-missing"]);
        assert!(v.reasons[0].message.contains("one of the change's authors"));

        let mut shared = approval("carol@example.com", "k2", |_| ());
        shared.key_principals = vec![vec![
            "carol@example.com".into(),
            "VOJTECH@example.com".into(),
        ]];
        let v = judge(
            "",
            vec![approval("alice@example.com", "k1", |_| ()), shared],
        );
        assert_eq!(codes(&v.reasons), ["self-approval", "approvals-missing"]);
    }

    #[test]
    fn two_distinct_approvers_from_the_required_groups_allow() {
        let v = judge(
            "",
            vec![
                approval("alice@example.com", "k1", |_| ()),
                approval("carol@example.com", "k2", |_| ()),
            ],
        );
        assert!(v.allowed(), "{:?}", v.reasons);
        let fills: Vec<_> = v
            .approvals
            .valid
            .iter()
            .map(|a| a.fills.as_deref())
            .collect();
        assert_eq!(fills, [Some("oncall"), Some("leads")]);
    }

    #[test]
    fn one_approval_missing_names_who_can_still_give_it() {
        let v = judge("", vec![approval("alice@example.com", "k1", |_| ())]);
        assert_eq!(codes(&v.reasons), ["approvals-missing"]);
        assert!(
            v.reasons[0]
                .message
                .contains("1 more from `leads` (from carol@example.com)"),
            "{}",
            v.reasons[0].message
        );
        assert!(!v.reasons[0].message.contains("oncall"));
    }

    #[test]
    fn each_stale_or_invalid_approval_has_its_code() {
        type Edit = fn(&mut Message);
        let cases: [(&str, Edit, &str, &str); 6] = [
            (
                "carol@example.com",
                |m| m.digest = P.into(),
                "approval-stale",
                "edited after",
            ),
            (
                "carol@example.com",
                |m| m.plan = T.into(),
                "approval-stale",
                "planned DNS changes",
            ),
            (
                "carol@example.com",
                |m| m.tier = "low".into(),
                "approval-stale",
                "tier `low`",
            ),
            (
                "carol@example.com",
                |m| m.ticket = "CHG-2".into(),
                "approval-invalid",
                "another ticket",
            ),
            (
                "carol@example.com",
                |m| m.signed_at = "2026-01-16T00:00:00Z".parse().unwrap(),
                "approval-invalid",
                "future",
            ),
            ("vojtech@example.com", |_| (), "self-approval", "author"),
        ];
        for (who, edit, code, words) in cases {
            let v = judge(
                "",
                vec![
                    approval("alice@example.com", "k1", |_| ()),
                    approval(who, "k2", edit),
                ],
            );
            let r = v
                .reasons
                .iter()
                .find(|r| r.code.as_str() == code)
                .unwrap_or_else(|| panic!("{code}: {:?}", v.reasons));
            assert!(r.message.contains(words), "{code}: {}", r.message);
            assert_eq!(v.approvals.invalid[0].code.map(|c| c.as_str()), Some(code));
            assert!(
                codes(&v.reasons).contains(&"approvals-missing"),
                "the requirement stays open"
            );
        }
    }

    #[test]
    fn approvals_expire_after_the_tier_ttl() {
        let p = POLICY.replace(
            "require_fields = [\"rollback.rehearsed\", \"health_signal\"]",
            "approval_ttl = \"6h\"",
        );
        let policy =
            read_policy(SourceFile::new("policy.toml", p), Path::new("policy.toml")).unwrap();
        let checked = vec![
            approval("alice@example.com", "k1", |_| ()),
            approval("carol@example.com", "k2", |_| ()),
        ];
        let v = judge_with(&policy, checked, Vec::new());
        let stale: Vec<_> = v
            .reasons
            .iter()
            .filter(|r| r.code == Code::ApprovalStale)
            .collect();
        assert_eq!(stale.len(), 2, "{:?}", v.reasons);
        assert!(stale[0].message.contains("expired"));
    }

    #[test]
    fn an_approver_outside_the_required_groups_does_not_count() {
        let v = judge("", vec![approval("mallory@example.com", "k9", |_| ())]);
        let r = v
            .reasons
            .iter()
            .find(|r| r.code == Code::ApprovalInvalid)
            .unwrap();
        assert!(
            r.message.contains("not in `oncall` or `leads`"),
            "{}",
            r.message
        );
    }

    #[test]
    fn one_person_fills_one_requirement_even_when_in_both_groups() {
        // alice is in oncall and (here) in leads too; she alone cannot satisfy both.
        let policy_text = POLICY.replace(
            "leads = [\"carol@example.com\", \"vojtech@example.com\"]",
            "leads = [\"carol@example.com\", \"alice@example.com\"]",
        );
        let policy = read_policy(
            SourceFile::new("policy.toml", policy_text),
            Path::new("policy.toml"),
        )
        .unwrap();
        let run = |checked: Vec<Checked>| judge_with(&policy, checked, Vec::new());
        let v = run(vec![approval("alice@example.com", "k1", |_| ())]);
        assert_eq!(codes(&v.reasons), ["approvals-missing"]);
        // alice and bob: bob can only fill oncall, so alice must fill leads: a matching exists.
        let v = run(vec![
            approval("alice@example.com", "k1", |_| ()),
            approval("bob@example.com", "k2", |_| ()),
        ]);
        assert!(v.allowed(), "{:?}", v.reasons);
        // bob signing with alice's key is the same person twice.
        let v = run(vec![
            approval("alice@example.com", "k1", |_| ()),
            approval("bob@example.com", "k1", |_| ()),
        ]);
        assert!(
            codes(&v.reasons).contains(&"approval-invalid"),
            "{:?}",
            v.reasons
        );
        assert!(codes(&v.reasons).contains(&"approvals-missing"));
    }

    #[test]
    fn rejected_signatures_refuse_with_their_reason() {
        let rejected = vec![Rejection {
            file: "x.sig".into(),
            principal: "carol@example.com".into(),
            reason: "forged".into(),
        }];
        let v = judge_with(&policy(""), Vec::new(), rejected);
        assert_eq!(codes(&v.reasons), ["approval-invalid", "approvals-missing"]);
        assert!(v.reasons[0].message.contains("forged"));
    }
}

/// Issue 9, bypass 10: `zone = "example.com"` on a name in the sub-zone chose the parent's
/// telemetry, turning `deletion-no-telemetry` into allowed.
#[test]
fn regression_9_a_declared_zone_must_be_the_names_managed_zone() {
    let mut zones = zones();
    zones.push(ManagedZone {
        name: Fqdn::parse("lab.example.com").unwrap(),
        file: "lab.example.com.zone".into(),
    });
    let with_zone = |name: &str, zone: &str| {
        ticket(
            "record",
            &format!("{}zone = \"{zone}\"\n", change("delete", name, "A")),
        )
    };
    let problems =
        Plan::from_ticket(&with_zone("db.lab.example.com", "example.com"), &zones).unwrap_err();
    assert!(
        problems[0]
            .message
            .contains("is in the managed zone `lab.example.com`, not `example.com`"),
        "{}",
        problems[0].message
    );
    let plan =
        Plan::from_ticket(&with_zone("db.lab.example.com", "lab.example.com"), &zones).unwrap();
    assert_eq!(plan.changes[0].zone.as_str(), "lab.example.com");
    let plan = Plan::from_ticket(&with_zone("db.example.org", "example.org"), &zones).unwrap();
    assert_eq!(plan.changes[0].zone.as_str(), "example.org");
}

/// Issue 9 (review): `zone = "."` made all telemetry the coverage of a deletion outside the
/// managed zones.
#[test]
fn regression_9_a_declared_zone_may_not_be_the_root_or_hold_managed_zones() {
    for (name, zone) in [("login.corp.example.org", "."), ("login.other.com", "com")] {
        let t = ticket(
            "record",
            &format!("{}zone = \"{zone}\"\n", change("delete", name, "A")),
        );
        let problems = Plan::from_ticket(&t, &zones()).unwrap_err();
        assert!(
            problems[0].message.contains("root or holds managed zones"),
            "{zone}"
        );
    }
}

/// Issue 16: logs at the authoritative servers miss what resolvers answer from cache, so a
/// zero proves nothing for an RRset whose TTL is more than half the window.
#[test]
fn a_ttl_longer_than_half_the_window_refuses_the_deletion() {
    let ticket = ticket("record", &change("delete", "old.example.com", "A"));
    let f = facts(
        &[("old.example.com", RecordType::A, Ok(Outcome::Value(0.0)))],
        Ok(Outcome::Value(5.0)),
    );
    let window = f.window.unwrap().as_secs();
    for (ttl, refused) in [(window / 2 + 1, true), (window / 2, false), (300, false)] {
        let mut plan = Plan::from_ticket(&ticket, &zones()).unwrap();
        plan.changes[0].old_ttl = Some(ttl as u32);
        let v = evaluate(
            &Facts {
                snapshot: None,
                approvals: &Default::default(),
                ticket: &ticket,
                plan: &plan,
                deletions: &f,
                signals: &Default::default(),
                now: now(),
            },
            &policy(""),
        );
        if refused {
            assert_eq!(codes(&v.reasons), ["deletion-no-telemetry"], "TTL {ttl}");
            assert!(
                v.reasons[0].message.contains("from cache"),
                "{}",
                v.reasons[0].message
            );
        } else {
            assert!(v.allowed(), "TTL {ttl}: {:?}", v.reasons);
        }
    }
}

/// A source that attests its logs cover the window (the `command` protocol) shows telemetry
/// without a number for the zone; a gap in it refuses.
#[test]
fn attested_coverage_counts_as_telemetry() {
    let v = delete_verdict(Ok(Outcome::Value(0.0)), Ok(Outcome::Covered));
    assert!(v.allowed(), "{:?}", v.reasons);
    let mut f = facts(
        &[("old.example.com", RecordType::A, Ok(Outcome::Value(0.0)))],
        Ok(Outcome::Covered),
    );
    for coverage in f.zones.values_mut() {
        coverage.gap = Some("the answer covers only the last day".into());
    }
    let v = run(
        &policy(""),
        &ticket("record", &change("delete", "old.example.com", "A")),
        &f,
    );
    assert_eq!(codes(&v.reasons), ["deletion-no-telemetry"]);
}

/// Issue 11: every health signal is asked before the change; one that sees nothing or is
/// already breached refuses, with its evidence in the verdict.
#[test]
fn health_signals_must_be_alive_and_not_yet_breached() {
    let body = format!(
        "{}[[health_signal]]\nname = \"logins\"\nquery = \"sum(rate(logins[5m]))\"\nabort_if = \"< 50\"\nwatch = \"30m\"\n",
        change("create", "new.example.com", "TXT")
    );
    let t = ticket("record", &body);
    let plan = Plan::from_ticket(&t, &zones()).unwrap();
    let judge = |signals: crate::evidence::signals::SignalFacts, extra: &str| {
        evaluate(
            &Facts {
                snapshot: None,
                approvals: &Default::default(),
                ticket: &t,
                plan: &plan,
                deletions: &Default::default(),
                signals: &signals,
                now: now(),
            },
            &policy(extra),
        )
    };
    let with = |result: Result<Outcome, String>| {
        let mut facts = crate::evidence::signals::SignalFacts::default();
        facts
            .measurements
            .insert("sum(rate(logins[5m]))".into(), measured(result));
        facts
    };
    let v = judge(with(Ok(Outcome::Value(120.0))), "");
    assert!(v.allowed(), "{:?}", v.reasons);
    assert_eq!(
        (
            v.signals[0].verdict,
            v.signals[0].value,
            v.signals[0].abort_if.as_str()
        ),
        ("alive", Some(120.0), "< 50")
    );
    for (result, code, verdict) in [
        (Ok(Outcome::Value(12.0)), "health-signal-tripped", "tripped"),
        (Ok(Outcome::Empty), "health-signal-dead", "dead"),
        (
            Err("connection refused".to_string()),
            "health-signal-dead",
            "dead",
        ),
    ] {
        let v = judge(with(result), "");
        assert_eq!(codes(&v.reasons), [code]);
        assert_eq!(v.signals[0].verdict, verdict);
        assert!(v.reasons[0].location.is_some());
    }
    // A relative threshold over a zero baseline can never fall: dead.
    let relative = ticket(
        "record",
        &body.replace("abort_if = \"< 50\"", "abort_if = \"< 50% of baseline\""),
    );
    let relative_plan = Plan::from_ticket(&relative, &zones()).unwrap();
    let v = evaluate(
        &Facts {
            snapshot: None,
            approvals: &Default::default(),
            ticket: &relative,
            plan: &relative_plan,
            deletions: &Default::default(),
            signals: &with(Ok(Outcome::Value(0.0))),
            now: now(),
        },
        &policy(""),
    );
    assert_eq!(codes(&v.reasons), ["health-signal-dead"]);
    // No store that can ask: a finding, and a refusal only where the tier demands signals.
    let none = crate::evidence::signals::SignalFacts {
        unavailable: Some("the `file` backend holds counts".into()),
        ..Default::default()
    };
    let v = judge(none.clone(), "");
    assert!(v.allowed(), "{:?}", v.reasons);
    assert_eq!(codes(&v.findings), ["health-signal-unverified"]);
    assert_eq!(v.signals[0].verdict, "unverified");
    let demanding = "[[rule]]\nwhen = { name = \"new.example.com\" }\ntier = \"high\"\n";
    let v = judge(none, demanding);
    assert!(
        codes(&v.reasons).contains(&"health-signal-dead"),
        "{:?}",
        v.reasons
    );
}

/// Issue 14: emergencies relax who signs before merge, nothing else; reviews and approvals
/// are never each other.
mod emergency {
    use super::approvals::{P, T};
    use super::*;
    use crate::approval::{ApprovalFacts, Checked, Message};

    const EMERGENCY: &str =
        "\n[emergency]\nrequire = [{ group = \"oncall\", count = 1 }]\nreview_within = \"24h\"\n";

    fn emergency_ticket(reason: bool) -> Ticket {
        let body = "rehearsed = true\n[[health_signal]]\nname = \"n\"\nquery = \"q\"\nabort_if = \"< 1\"\nwatch = \"5m\"\n";
        let text = ticket(
            "global",
            &format!("{body}{}", change("create", "x.example.com", "A")),
        );
        let mut raw = text.file.text.to_string().replace(
            "author = \"vojtech@example.com\"\n",
            "author = \"vojtech@example.com\"\nkind = \"emergency\"\n",
        );
        if reason {
            raw = raw.replace(
                "summary = \"s\"\n",
                "summary = \"s\"\nreason = \"sso is down\"\n",
            );
        }
        read_ticket(SourceFile::new("CHG-1.toml", raw), Path::new("CHG-1.toml")).unwrap()
    }

    fn signed(approver: &str, key: &str, merged: Option<&str>) -> Checked {
        Checked {
            file: format!("{approver}.sig"),
            message: Message {
                ticket: "CHG-1".into(),
                digest: T.into(),
                plan: P.into(),
                approver: approver.into(),
                tier: "high".into(),
                merged: merged.map(str::to_string),
                signed_at: "2026-01-14T12:00:00Z".parse().unwrap(),
                comment: String::new(),
            },
            key: key.into(),
            key_principals: vec![vec![approver.into()]],
        }
    }

    fn facts(checked: Vec<Checked>, review_of: Option<&str>) -> ApprovalFacts {
        ApprovalFacts {
            ticket_digest: T.into(),
            plan_digest: P.into(),
            checked,
            rejected: Vec::new(),
            committers: Vec::new(),
            review_of: review_of.map(str::to_string),
            judged_at: None,
        }
    }

    const MERGE: &str = "0123456789abcdef0123456789abcdef01234567";

    #[test]
    fn one_oncall_approval_authorizes_an_emergency_and_says_what_is_waived() {
        let policy = policy(EMERGENCY);
        let a = facts(vec![signed("alice@example.com", "k1", None)], None);
        let v = evaluate_with(
            &policy,
            &emergency_ticket(true),
            &DeletionFacts::default(),
            &a,
        );
        assert_eq!(v.tier.as_deref(), Some("high"));
        assert!(codes(&v.reasons).is_empty(), "{:?}", v.reasons);
        let finding = v
            .findings
            .iter()
            .find(|f| f.code == Code::EmergencyChange)
            .unwrap();
        assert!(
            finding
                .message
                .contains("1 from `oncall` and 1 from `leads`"),
            "{}",
            finding.message
        );
        assert!(
            finding.message.contains("within 1d of the merge"),
            "{}",
            finding.message
        );
    }

    #[test]
    fn an_emergency_must_say_why_and_without_the_section_gets_no_relief() {
        let a = facts(vec![signed("alice@example.com", "k1", None)], None);
        let v = evaluate_with(
            &policy(EMERGENCY),
            &emergency_ticket(false),
            &DeletionFacts::default(),
            &a,
        );
        assert_eq!(codes(&v.reasons), ["field-missing"]);
        assert!(v.reasons[0].message.contains("intent.reason"));
        let v = evaluate_with(
            &policy(""),
            &emergency_ticket(true),
            &DeletionFacts::default(),
            &a,
        );
        assert_eq!(codes(&v.reasons), ["approvals-missing"]);
        assert!(
            v.findings
                .iter()
                .any(|f| f.message.contains("without relief"))
        );
    }

    #[test]
    fn a_review_is_never_an_approval_and_an_approval_is_never_a_review() {
        let policy = policy(EMERGENCY);
        let ticket = emergency_ticket(true);
        // A review replayed as an approval before merge.
        let a = facts(vec![signed("alice@example.com", "k1", Some(MERGE))], None);
        let v = evaluate_with(&policy, &ticket, &DeletionFacts::default(), &a);
        assert_eq!(codes(&v.reasons), ["approval-invalid", "approvals-missing"]);
        assert!(
            v.reasons[0]
                .message
                .contains("cannot stand in for an approval before merge")
        );
        // Approvals given before merge counted as the review.
        let a = facts(
            vec![
                signed("alice@example.com", "k1", None),
                signed("carol@example.com", "k2", None),
            ],
            Some(MERGE),
        );
        let v = evaluate_with(&policy, &ticket, &DeletionFacts::default(), &a);
        assert!(
            codes(&v.reasons)
                .iter()
                .filter(|c| **c == "approval-invalid")
                .count()
                == 2,
            "{:?}",
            v.reasons
        );
        // The review of another merge.
        let other = "f".repeat(40);
        let a = facts(
            vec![signed("alice@example.com", "k1", Some(&other))],
            Some(MERGE),
        );
        let v = evaluate_with(&policy, &ticket, &DeletionFacts::default(), &a);
        assert!(
            v.reasons[0]
                .message
                .contains("reviews the merge ffffffffffff"),
            "{:?}",
            v.reasons
        );
        // Reviews of this merge, by the tier's full groups: the review is complete.
        let a = facts(
            vec![
                signed("alice@example.com", "k1", Some(MERGE)),
                signed("carol@example.com", "k2", Some(MERGE)),
            ],
            Some(MERGE),
        );
        let v = evaluate_with(&policy, &ticket, &DeletionFacts::default(), &a);
        assert!(codes(&v.reasons).is_empty(), "{:?}", v.reasons);
    }
}

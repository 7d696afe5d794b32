//! Terraform plans as desired state: the reader per provider against fixtures shaped like
//! `terraform show -json`, the same records written as a zone file, the alias-target cascade
//! across plans and zone files in real git repositories, faults, and mangled plans.

mod common;

use std::path::{Path, PathBuf};

use changegate::model::{Fqdn, RecordType};
use changegate::zone::terraform::{Given, read_plan};
use changegate::zone::{MemFiles, State, diff_states, load_state, terraform};
use common::{Repo, Rng, codes, complete_ticket, git, reason};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/terraform")
        .join(name)
}

fn text(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap()
}

/// The plan's (base, head) states.
fn states(name: &str) -> (State, State, terraform::Effects) {
    let plan = read_plan(name, &text(name)).unwrap_or_else(|d| panic!("{d:?}"));
    let (mut base, mut head) = (State::default(), State::default());
    let effects = terraform::merge(
        vec![Given {
            plan,
            changed: true,
        }],
        &mut base,
        &mut head,
    )
    .unwrap_or_else(|d| panic!("{d:?}"));
    (base, head, effects)
}

/// `(ttl, values)` of an RRset, with its provider settings.
fn rrset(state: &State, name: &str, rtype: RecordType) -> (u32, Vec<String>, Option<String>) {
    let name = Fqdn::parse(name).unwrap();
    let rrset = state
        .zone_of(&name)
        .and_then(|z| z.find(&name, rtype))
        .unwrap_or_else(|| panic!("no {name} {rtype}"));
    (
        rrset.ttl,
        rrset.values.iter().map(|v| v.to_string()).collect(),
        rrset
            .octodns
            .as_ref()
            .and_then(|o| o.provider.as_ref())
            .map(|p| p.to_string()),
    )
}

/// `kind name type` of each change.
fn summary(diff: &changegate::zone::ZoneDiff) -> Vec<String> {
    diff.changes
        .iter()
        .map(|c| format!("{} {} {}", c.kind.as_str(), c.name(), c.rtype()))
        .collect()
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|s| s.to_string()).collect()
}

#[test]
fn azure_records_and_aliases_are_read_with_their_zone_and_relative_names() {
    let (base, head, effects) =
        states("../../../examples/incident-2025-02-terraform/plans/delete-profile.json");
    // The alias's target is the profile's ID, lower-cased: Azure compares IDs without case.
    let (ttl, values, _) = rrset(&base, "autologon.example.com", RecordType::A);
    assert_eq!(ttl, 60);
    assert_eq!(
        values,
        [
            "alias /subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/rg-identity/providers/microsoft.network/trafficmanagerprofiles/sso-tm"
        ]
    );
    assert_eq!(
        rrset(&base, "www.example.com", RecordType::A).1,
        ["192.0.2.10"]
    );
    assert_eq!(
        rrset(&base, "login.example.com", RecordType::Cname).1,
        ["autologon.example.com."]
    );
    assert_eq!(
        rrset(&base, "example.com", RecordType::Mx).1,
        ["10 mail.example.com."]
    );
    assert_eq!(
        rrset(&base, "example.com", RecordType::Txt).1,
        ["\"v=spf1 include:spf.protection.example.net -all\""]
    );
    // The profile is deleted: the alias leaves the head, and says why.
    assert!(
        head.zone_of(&Fqdn::parse("autologon.example.com").unwrap())
            .unwrap()
            .find(
                &Fqdn::parse("autologon.example.com").unwrap(),
                RecordType::A
            )
            .is_none()
    );
    assert_eq!(effects.lost.len(), 1);
    assert!(
        effects.lost[0]
            .3
            .contains("azurerm_traffic_manager_profile.sso"),
        "{:?}",
        effects.lost
    );
    assert_eq!(effects.dangling.len(), 1, "{:?}", effects.dangling);
    let mut diff = diff_states(&base, &head);
    effects.explain(&mut diff);
    assert_eq!(diff.changes.len(), 1);
    assert!(diff.changes[0].cause.as_ref().unwrap().contains("deletes"));
    // The CNAME to it is in the cascade, as for a zone file.
    assert_eq!(diff.cascade.len(), 1);
    assert_eq!(diff.cascade[0].name.as_str(), "login.example.com");
}

#[test]
fn route53_records_modules_indexes_aliases_routing_and_in_place_type_changes() {
    let (base, head, _) = states("aws.json");
    // `count` index 0, in a module; the zone comes from the module's data source.
    assert_eq!(
        rrset(&base, "www.example.org", RecordType::A).1,
        ["192.0.2.1", "192.0.2.2"]
    );
    // Targets are absolute whether or not the value ends with a dot.
    assert_eq!(
        rrset(&base, "example.org", RecordType::Mx).1,
        ["10 mail.example.org.", "20 mail2.example.org."]
    );
    // `""` splits strings, as the provider does; each string is at most 255 bytes.
    let dkim = &rrset(&base, "sel._domainkey.example.org", RecordType::Txt).1[0];
    assert!(dkim.starts_with("\"v=DKIM1; k=rsa; p=AAAA"), "{dkim}");
    assert!(
        dkim.ends_with(&format!("\" \"{}\"", "B".repeat(60))),
        "{dkim}"
    );
    // An alias: its target (without Route 53's `dualstack.`), its options, the target's TTL.
    let (ttl, values, provider) = rrset(&base, "api.example.org", RecordType::A);
    assert_eq!(ttl, 60);
    assert_eq!(
        values,
        ["alias api-1234567890.eu-west-1.elb.amazonaws.com."]
    );
    assert_eq!(
        provider.as_deref(),
        Some("alias_zone_id=Z32O12XQLNTSW2; evaluate_target_health=true")
    );
    // Two weighted resources (for_each) are one RRset; the weights are its settings.
    let (_, values, provider) = rrset(&head, "app.example.org", RecordType::A);
    assert_eq!(values, ["192.0.2.21", "192.0.2.22"]);
    assert_eq!(
        provider.as_deref(),
        Some(
            "set_identifier=blue weighted_routing_policy=[{\"weight\":90}]; set_identifier=green weighted_routing_policy=[{\"weight\":50}]"
        )
    );
    let diff = diff_states(&base, &head);
    let summary = summary(&diff);
    assert_eq!(
        summary,
        [
            "update app.example.org A",
            "delete legacy.example.org A",
            "create legacy.example.org CNAME",
            "create new.example.org AAAA"
        ]
    );
    // `type` changed by an in-place update is a type change all the same.
    assert_eq!(diff.type_changes.len(), 1);
    assert_eq!(diff.type_changes[0].name.as_str(), "legacy.example.org");
}

#[test]
fn google_rrdatas_are_presentation_format_and_a_replace_is_an_update() {
    let (base, head, _) = states("google.json");
    assert_eq!(
        rrset(&base, "example.net", RecordType::Txt).1,
        ["\"part one\" \"part two\"", "\"v=spf1 -all\""]
    );
    assert_eq!(
        rrset(&head, "example.net", RecordType::Caa).1,
        ["0 issue \"letsencrypt.org\""]
    );
    let diff = diff_states(&base, &head);
    let summary = summary(&diff);
    // `["delete", "create"]` of the same RRset (a TTL change) is an update, not a deletion.
    assert_eq!(
        summary,
        [
            "create example.net CAA",
            "update example.net MX",
            "delete old.example.net CNAME"
        ]
    );
}

#[test]
fn cloudflare_v4_and_v5_records_share_rrsets_and_proxied_is_part_of_the_answer() {
    let (base, head, _) = states("cloudflare.json");
    // One resource per value; `@` and the computed hostname; TTL 1 is "automatic" (300).
    assert_eq!(
        rrset(&base, "example.io", RecordType::Mx),
        (
            3600,
            strings(&["10 mx1.example.io.", "20 mx2.example.io."]),
            None
        )
    );
    assert_eq!(
        rrset(&base, "www.example.io", RecordType::A),
        (300, strings(&["203.0.113.5"]), Some("proxied=true".into()))
    );
    assert_eq!(
        rrset(&base, "_sip._tcp.example.io", RecordType::Srv).1,
        ["10 5 5060 sip.example.io."]
    );
    assert_eq!(
        rrset(&base, "example.io", RecordType::Caa).1,
        ["0 issue \"letsencrypt.org\""]
    );
    assert_eq!(
        rrset(&head, "_acme.example.io", RecordType::Txt).1,
        ["\"token-123\""]
    );
    let diff = diff_states(&base, &head);
    let shop = diff
        .changes
        .iter()
        .find(|c| c.name().as_str() == "shop.example.io")
        .expect("turning `proxied` off changes the answers");
    assert_eq!(shop.kind.as_str(), "update");
}

/// The records of a plan are the records a zone file with the same data holds: one model.
#[test]
fn plan_records_equal_the_same_records_written_as_a_zone_file() {
    let (_, head, _) = states("aws.json");
    let zone = "$ORIGIN example.org.\n\
        www 300 IN A 192.0.2.1\nwww 300 IN A 192.0.2.2\n\
        @ 3600 IN MX 10 mail\n@ 3600 IN MX 20 mail2.example.org.\n\
        new 300 IN AAAA 2001:0db8:0:0::1\n\
        legacy 300 IN CNAME www\n";
    let mut files = MemFiles::default();
    files.files.insert("example.org.zone".into(), zone.into());
    let from_file = load_state(&files, &["example.org.zone".into()], &[]).unwrap();
    let zone = from_file.zones.values().next().unwrap();
    for rrset in &zone.rrsets {
        let plan = head
            .zone_of(&rrset.name)
            .and_then(|z| z.find(&rrset.name, rrset.rtype));
        let plan =
            plan.unwrap_or_else(|| panic!("{} {} is not in the plan", rrset.name, rrset.rtype));
        assert_eq!(
            (plan.ttl, &plan.values),
            (rrset.ttl, &rrset.values),
            "{}",
            rrset.name
        );
    }
}

#[test]
fn sensitive_values_are_never_shown_yet_their_change_is_seen() {
    let (base, head, _) = states("sensitive.json");
    let before = rrset(&base, "verify.example.org", RecordType::Txt).1;
    let after = rrset(&head, "verify.example.org", RecordType::Txt).1;
    assert!(before[0].starts_with("(sensitive, "), "{before:?}");
    assert_ne!(before, after);
    let raw = std::fs::read_to_string(fixture("sensitive.json")).unwrap();
    assert!(raw.contains("token-new"));
    for shown in before.iter().chain(&after) {
        assert!(!shown.contains("token"), "{shown}");
    }
}

#[test]
fn unknown_names_cannot_be_gated_and_unknown_values_are_known_after_apply() {
    let (_, _, effects) = states("unknown-name.json");
    assert_eq!(effects.unknown.len(), 1);
    assert!(
        effects.unknown[0].contains("`name` is known only after apply"),
        "{:?}",
        effects.unknown
    );
    let (_, head, _) = states("unknown-value.json");
    assert_eq!(
        rrset(&head, "svc.example.org", RecordType::A).1,
        ["(known after apply)"]
    );
}

#[test]
fn drift_outside_terraform_is_reported() {
    let (_, _, effects) = states("drift.json");
    assert_eq!(effects.drift.len(), 1);
    assert!(
        effects.drift[0].contains("192.0.2.99"),
        "{:?}",
        effects.drift
    );
}

#[test]
fn malformed_plans_are_refused_with_their_position_and_a_fix() {
    let cases: &[(&str, &str)] = &[
        (
            "{\"format_version\": \"1.2\",\n \"resource_changes\": [\n  {\"address\": }\n]}",
            "line 3, column 15",
        ),
        (
            "{\"format_version\": \"2.0\", \"resource_changes\": []}",
            "format 1.x",
        ),
        (
            "{\"format_version\": \"1.0\", \"values\": {}}",
            "a Terraform state, not a plan",
        ),
        ("[1, 2]", "not an object"),
        ("{\"resource_changes\": []}", "no `format_version`"),
        (
            "{\"format_version\": \"1.2\", \"resource_changes\": [], \"errored\": true}",
            "errored",
        ),
        (
            "{\"format_version\": \"1.2\", \"resource_changes\": [], \"complete\": false}",
            "incomplete",
        ),
        (
            "{\"format_version\": \"1.2\", \"resource_changes\": [{\"address\": \"x\"}]}",
            "`resource_changes[0]`",
        ),
    ];
    for (text, expected) in cases {
        let problems = read_plan("plan.json", text).expect_err(text);
        let all: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert!(
            all.iter()
                .any(|m| m.contains(expected) && m.starts_with("plan.json")),
            "{text}: {all:?}"
        );
    }
}

/// Thousands of mangled plans, by bytes and by values: each is read or refused, none panics.
#[test]
fn mangled_plans_are_refused_never_a_panic() {
    let mut rng = Rng(0x7e44_a1f0_0d5e_ed01);
    let originals: Vec<String> = [
        "aws.json",
        "google.json",
        "cloudflare.json",
        "sensitive.json",
    ]
    .iter()
    .map(|f| text(f))
    .collect();
    let replacements = [
        serde_json::json!(null),
        serde_json::json!(true),
        serde_json::json!(-1),
        serde_json::json!(4_294_967_296u64),
        serde_json::json!(1.5),
        serde_json::json!(""),
        serde_json::json!("@"),
        serde_json::json!("*.\\052.x"),
        serde_json::json!("a b \"c"),
        serde_json::json!("é\u{0}"),
        serde_json::json!([]),
        serde_json::json!([null]),
        serde_json::json!({}),
        serde_json::json!({"name": 1}),
    ];
    let (mut read, mut refused) = (0, 0);
    for round in 0..3000 {
        let original = &originals[round % originals.len()];
        let mangled = if round % 3 == 0 {
            let mut text = original.clone();
            for _ in 0..1 + rng.below(3) {
                let mut at = rng.below(text.len());
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                text.insert_str(
                    at,
                    rng.pick(&["\"", ",", "}", "[", "null", "1e999", "\\u0000"]),
                );
            }
            text
        } else {
            let mut value: serde_json::Value = serde_json::from_str(original).unwrap();
            for _ in 0..1 + rng.below(4) {
                replace_somewhere(&mut value, &mut rng, &replacements);
            }
            value.to_string()
        };
        match read_plan("mangled.json", &mangled) {
            Ok(plan) => {
                let (mut base, mut head) = (State::default(), State::default());
                let given = vec![Given {
                    plan,
                    changed: true,
                }];
                match terraform::merge(given, &mut base, &mut head) {
                    Ok(_) => read += 1,
                    Err(p) => {
                        assert!(!p.is_empty());
                        refused += 1;
                    }
                }
            }
            Err(problems) => {
                assert!(!problems.is_empty());
                refused += 1;
            }
        }
    }
    assert!(
        read > 300 && refused > 300,
        "read {read}, refused {refused}"
    );
}

/// Replaces one value at a random depth of `value`.
fn replace_somewhere(value: &mut serde_json::Value, rng: &mut Rng, with: &[serde_json::Value]) {
    let descend = match value {
        serde_json::Value::Object(map) if !map.is_empty() && rng.below(6) != 0 => {
            let key = map.keys().nth(rng.below(map.len())).unwrap().clone();
            map.get_mut(&key)
        }
        serde_json::Value::Array(items) if !items.is_empty() && rng.below(6) != 0 => {
            let at = rng.below(items.len());
            items.get_mut(at)
        }
        _ => None,
    };
    match descend {
        Some(next) => replace_somewhere(next, rng, with),
        None => *value = with[rng.below(with.len())].clone(),
    }
}

// ---------------------------------------------------------------------------------------------
// The gate, end to end, in real git repositories.

/// The first reason for the change as a whole with `code`.
fn whole<'a>(verdict: &'a serde_json::Value, code: &str) -> &'a serde_json::Value {
    verdict["reasons"]
        .as_array()
        .and_then(|a| a.iter().find(|r| r["code"] == code))
        .unwrap_or_else(|| panic!("no `{code}` for the change as a whole in {verdict:#}"))
}

/// Every code in the verdict: the change's, then the tickets'.
fn all_codes(verdict: &serde_json::Value) -> Vec<String> {
    let whole = verdict["reasons"].as_array().into_iter().flatten();
    let tickets = verdict["tickets"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|t| t["reasons"].as_array().into_iter().flatten());
    whole
        .chain(tickets)
        .map(|r| r["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

const POLICY: &str = r#"
[[tier]]
name = "routine"
require = []

[[rule]]
when = { type_change = true }
tier = "routine"

[limits]
negative_ttl = 60

[deletion]
window = "14d"
"#;

/// A repository whose base holds config (plans under `plans/`, an optional zone file), policy
/// and counts; `dns.json` is the committed DNS plan.
fn plan_repo(zonefile: Option<&str>) -> Repo {
    let repo = Repo::new();
    let zones = if zonefile.is_some() {
        "zonefiles = [\"zones/*.zone\"]\n"
    } else {
        ""
    };
    repo.write(
        "changegate.toml",
        &format!(
            "policy = \"policies/default.toml\"\n[sources]\n{zones}terraform_plans = [\"plans/*.json\"]\n[metrics]\nbackend = \"file\"\npath = \"counts.csv\"\n"
        ),
    )
    .write("policies/default.toml", POLICY)
    .write(
        "counts.csv",
        "# from: 2026-01-01T00:00:00Z\n# to: 2026-01-15T00:00:00Z\nname,type,count\napi.example.org,A,7731\nstatus.example.com,CNAME,12\nwww.example.org,A,1000\n",
    )
    .write("plans/dns.json", &text("aws.json").replace("\"update\"", "\"no-op\""));
    if let Some(zone) = zonefile {
        repo.write("zones/example.com.zone", zone);
    }
    git(repo.path(), &["init", "-q", "-b", "main"]);
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "base"]);
    repo
}

fn commit_all(repo: &Repo, message: &str) {
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", message]);
}

/// The no-op DNS plan of `plan_repo` still has both sides of the weighted records: make it a
/// plan that changes nothing.
fn no_op_dns_plan() -> String {
    let mut plan: serde_json::Value = serde_json::from_str(&text("aws.json")).unwrap();
    let changes = plan["resource_changes"].as_array_mut().unwrap();
    changes.retain(|c| !c["change"]["before"].is_null());
    for change in changes {
        change["change"]["after"] = change["change"]["before"].clone();
        change["change"]["actions"] = serde_json::json!(["no-op"]);
    }
    plan.to_string()
}

#[test]
fn a_load_balancer_deleted_by_one_plan_takes_the_alias_in_another_with_it() {
    let repo = plan_repo(None);
    repo.write("plans/dns.json", &no_op_dns_plan());
    commit_all(&repo, "base");
    git(repo.path(), &["tag", "base"]);
    // The infrastructure plan deletes the load balancer `api.example.org` is an alias of.
    repo.write("plans/lb.json", &text("aws-lb-delete.json"));
    commit_all(&repo, "retire the api load balancer");
    let (code, v) = repo.check_json(&["--base", "base"]);
    assert_eq!(code, 1, "{v:#}");
    let undeclared = whole(&v, "undeclared-change");
    let message = undeclared["message"].as_str().unwrap();
    assert!(message.contains("delete api.example.org A"), "{message}");
    assert!(
        message.contains("its alias target `aws_lb.api`"),
        "{message}"
    );
    let dangling = whole(&v, "dangling-reference")["message"].as_str().unwrap();
    assert!(
        dangling.contains("module.dns.aws_route53_record.api"),
        "{dangling}"
    );

    // Declared, the alias goes through the deletion gate, with its own count.
    let mut ticket = complete_ticket("CHG-1", "record");
    ticket
        .push_str("\n[[change]]\naction = \"delete\"\nname = \"api.example.org\"\ntype = \"A\"\n");
    repo.write("changes/CHG-1.toml", &ticket);
    commit_all(&repo, "CHG-1");
    let (code, v) = repo.check_json(&["--base", "base"]);
    assert_eq!(code, 1, "{v:#}");
    let in_use = reason(&v, "deletion-in-use");
    assert_eq!(in_use["name"], "api.example.org");
    assert_eq!(in_use["evidence"]["value"].as_f64(), Some(7731.0));
    assert!(
        !all_codes(&v).contains(&"undeclared-change".to_string()),
        "{v:#}"
    );
    // The alias record left behind still refuses.
    assert!(all_codes(&v).contains(&"dangling-reference".to_string()));
}

#[test]
fn a_zone_file_cname_to_a_deleted_load_balancer_is_dangling() {
    let zone = "$ORIGIN example.com.\n@ 300 IN SOA ns1 hostmaster 1 2 3 4 60\n\
                status 300 IN CNAME api-1234567890.eu-west-1.elb.amazonaws.com.\n";
    let repo = plan_repo(Some(zone));
    repo.write("plans/dns.json", &no_op_dns_plan());
    commit_all(&repo, "base");
    git(repo.path(), &["tag", "base"]);
    repo.write("plans/lb.json", &text("aws-lb-delete.json"));
    commit_all(&repo, "retire the api load balancer");
    let (code, v) = repo.check_json(&["--base", "base"]);
    assert_eq!(code, 1, "{v:#}");
    let all: Vec<&str> = v["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["code"] == "dangling-reference")
        .map(|r| r["message"].as_str().unwrap())
        .collect();
    assert!(
        all.iter().any(|m| m.contains("status.example.com CNAME")
            && m.contains("zones/example.com.zone:3")
            && m.contains("`aws_lb.api`")),
        "{all:?}"
    );
}

#[test]
fn a_plan_given_on_the_command_line_is_the_change_and_unknown_names_refuse() {
    let repo = plan_repo(None);
    repo.write("plans/dns.json", &no_op_dns_plan());
    commit_all(&repo, "base");
    let outside = tempfile::tempdir().unwrap();
    let plan = outside.path().join("plan.json");
    std::fs::copy(fixture("unknown-name.json"), &plan).unwrap();
    let (code, v) = repo.check_json(&["--terraform-plan", plan.to_str().unwrap()]);
    assert_eq!(code, 1, "{v:#}");
    let message = whole(&v, "plan-unknown")["message"].as_str().unwrap();
    assert!(
        message.contains("aws_route53_record.svc") && message.contains("`name`"),
        "{message}"
    );

    // A plan that is not one: exit 2, naming the file.
    std::fs::write(&plan, "{\"format_version\": \"2.0\"}").unwrap();
    let out = repo
        .cmd()
        .args(["check", "--terraform-plan", plan.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let shown = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    assert!(
        shown.contains("plan.json") && shown.contains("format 1.x"),
        "{shown}"
    );
}

#[test]
fn the_same_records_in_two_plans_or_in_a_plan_and_a_zone_file_are_refused() {
    let repo = plan_repo(None);
    repo.write("plans/dns.json", &no_op_dns_plan());
    repo.write("plans/copy.json", &no_op_dns_plan());
    commit_all(&repo, "base");
    let out = repo
        .cmd()
        .args(["diff", "--base", "HEAD"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is managed by two plans"), "{err}");
}

#[test]
fn approvals_sign_the_plan_and_a_new_plan_makes_them_stale() {
    let repo = plan_repo(None);
    let policy = POLICY.replace(
        "name = \"routine\"\nrequire = []",
        "name = \"routine\"\nrequire = [{ group = \"ops\", count = 1 }]",
    ) + "\n[groups]\nops = [\"alice@example.com\"]\n\n[signers]\nallowed_signers = \"allowed_signers\"\n";
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("alice");
    let status = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "alice", "-f"])
        .arg(&key)
        .status()
        .expect("ssh-keygen is required");
    assert!(status.success());
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    repo.write("policies/default.toml", &policy)
        .write(
            "policies/allowed_signers",
            &format!("alice@example.com {public}"),
        )
        .write("plans/dns.json", &no_op_dns_plan());
    let mut ticket = complete_ticket("CHG-7", "record");
    ticket
        .push_str("\n[[change]]\naction = \"update\"\nname = \"app.example.org\"\ntype = \"A\"\n");
    repo.write("changes/CHG-7.toml", &ticket);
    commit_all(&repo, "base");
    let outside = tempfile::tempdir().unwrap();
    let plan = outside.path().join("plan.json");
    // The plan: only the green weight changes, from 10 to 50.
    let mut doc: serde_json::Value = serde_json::from_str(&no_op_dns_plan()).unwrap();
    for change in doc["resource_changes"].as_array_mut().unwrap() {
        if change["index"] == "green" {
            change["change"]["after"]["weighted_routing_policy"] =
                serde_json::json!([{"weight": 50}]);
            change["change"]["actions"] = serde_json::json!(["update"]);
        }
    }
    // The CLI plan replaces the committed one for this check: give it alone.
    git(repo.path(), &["rm", "-q", "plans/dns.json"]);
    commit_all(&repo, "plans come from CI");
    std::fs::write(&plan, doc.to_string()).unwrap();
    let plan_arg = plan.to_str().unwrap();
    let (code, v) = repo.check_json(&["--terraform-plan", plan_arg, "changes/CHG-7.toml"]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(codes(&v), ["approvals-missing"], "{v:#}");
    let digest = {
        let out = repo
            .cmd()
            .args(["approve", "--terraform-plan", plan_arg, "--show-digest"])
            .arg("changes/CHG-7.toml")
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let out = repo
        .cmd()
        .args(["approve", "--terraform-plan", plan_arg, "--key"])
        .arg(&key)
        .args(["--digest", &digest, "changes/CHG-7.toml"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    commit_all(&repo, "approved");
    let (code, v) = repo.check_json(&["--terraform-plan", plan_arg, "changes/CHG-7.toml"]);
    assert_eq!(code, 0, "{v:#}");
    // A new plan with another weight: the approval signed the old one.
    std::fs::write(
        &plan,
        doc.to_string()
            .replace("{\"weight\":50}", "{\"weight\":60}"),
    )
    .unwrap();
    let (code, v) = repo.check_json(&["--terraform-plan", plan_arg, "changes/CHG-7.toml"]);
    assert_eq!(code, 1, "{v:#}");
    assert!(
        all_codes(&v).contains(&"approval-stale".to_string()),
        "{v:#}"
    );
}

/// The example runs each scenario of the outage from its plan.
fn replay(scenario: &str) -> serde_json::Value {
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/incident-2025-02-terraform/replay.sh");
    let output = std::process::Command::new(script)
        .args([scenario, "--format", "json"])
        .env("CHANGEGATE", assert_cmd::cargo::cargo_bin("changegate"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn the_terraform_replay_refuses_the_profile_deletion_with_the_aliass_count() {
    let v = replay("delete-profile");
    let in_use = reason(&v, "deletion-in-use");
    assert_eq!(in_use["name"], "autologon.example.com");
    assert_eq!(in_use["evidence"]["value"].as_f64(), Some(1_893_204.0));
    let left = whole(&v, "dangling-reference")["message"].as_str().unwrap();
    assert!(
        left.contains("azurerm_traffic_manager_profile.sso"),
        "{left}"
    );
    let findings: Vec<&str> = v["tickets"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(findings.contains(&"cascade"), "{findings:?}");
}

#[test]
fn the_terraform_replay_flags_the_cname_rollback_as_a_type_change() {
    let v = replay("rollback-cname");
    let ticket = &v["tickets"][0];
    let change = ticket["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "type-change")
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(change["name"], "autologon.example.com");
    assert!(
        change["message"]
            .as_str()
            .unwrap()
            .contains("from A to CNAME")
    );
    assert_eq!(ticket["tier"], "high");
}

#[test]
fn the_terraform_replay_lets_the_unused_profile_pass_the_deletion_gate() {
    let v = replay("delete-unused");
    let ticket = &v["tickets"][0];
    let deletions = ticket["deletions"].as_array().unwrap();
    assert_eq!(deletions.len(), 1);
    assert_eq!(deletions[0]["name"], "legacy-sso.example.com");
    assert_eq!(deletions[0]["allowed"], true);
    assert!(v.get("reasons").is_none(), "{v:#}");
    // Held only by what the offline demo cannot give: approvals and a live health signal.
    assert_eq!(codes(&v), ["health-signal-dead", "approvals-missing"]);
}

/// A copy of the Terraform example in a temp dir, with `[dns] resolvers`.
fn example_copy(resolver: Option<&str>) -> Repo {
    let repo = Repo::new();
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/incident-2025-02-terraform");
    for rel in [
        "changegate.toml",
        "resolutions.csv",
        "policies/default.toml",
        "policies/allowed_signers",
        "plans/delete-profile.json",
        "plans/rollback-cname.json",
        "plans/delete-unused.json",
        "snapshots/CHG-2001.json",
    ] {
        repo.write(rel, &std::fs::read_to_string(here.join(rel)).unwrap());
    }
    if let Some(resolver) = resolver {
        let config = std::fs::read_to_string(repo.path().join("changegate.toml")).unwrap();
        repo.write(
            "changegate.toml",
            &format!("{config}\n[dns]\nresolvers = [\"{resolver}\"]\n"),
        );
    }
    repo
}

#[test]
fn snapshot_of_a_ticket_records_the_aliases_a_plan_takes_and_their_dependents() {
    let zone = "$ORIGIN example.com.\n@ 300 IN SOA ns1 hostmaster 1 2 3 4 60\n\
                autologon 60 IN A 203.0.113.80\nlogin 300 IN CNAME autologon\n\
                legacy-sso 60 IN A 203.0.113.90\n";
    let server = common::dns::DnsServer::start(&[("example.com", zone)]);
    let repo = example_copy(Some(&server.resolver()));
    let mut ticket = complete_ticket("CHG-9", "record");
    ticket.push_str(
        "\n[[change]]\naction = \"delete\"\nname = \"legacy-sso.example.com\"\ntype = \"A\"\nzone = \"example.com\"\n",
    );
    repo.write("changes/CHG-9.toml", &ticket);
    let out = repo
        .cmd()
        .args(["snapshot", "--ticket", "changes/CHG-9.toml"])
        .args(["--terraform-plan", "plans/delete-profile.json"])
        .args(["--out", "snapshots/CHG-9.json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo.path().join("snapshots/CHG-9.json")).unwrap(),
    )
    .unwrap();
    let mut names: Vec<&str> = v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    names.dedup();
    // The ticket's name, the alias the plan's profile deletion empties, and the CNAME to it.
    assert_eq!(
        names,
        [
            "autologon.example.com",
            "legacy-sso.example.com",
            "login.example.com"
        ]
    );
    let autologon = &v["entries"][0]["answers"][&server.resolver()];
    assert_eq!(autologon["chain"][0]["data"], "203.0.113.80");
}

#[test]
fn ticket_new_declares_what_the_plan_does_and_check_finds_nothing_undeclared() {
    let repo = example_copy(None);
    git(repo.path(), &["init", "-q", "-b", "main"]);
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "base"]);
    let out = repo
        .cmd()
        .args([
            "ticket",
            "new",
            "--terraform-plan",
            "plans/delete-profile.json",
        ])
        .args(["--id", "CHG-10", "--author", "vojtech@example.com"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ticket = std::fs::read_to_string(repo.path().join("changes/CHG-10.toml")).unwrap();
    assert!(
        ticket.contains("name = \"autologon.example.com\""),
        "{ticket}"
    );
    // Judged from the work tree, uncommitted, as it is being written.
    let (code, v) = repo.check_json(&[
        "--terraform-plan",
        "plans/delete-profile.json",
        "changes/CHG-10.toml",
    ]);
    assert_eq!(code, 1, "{v:#}");
    let all = all_codes(&v);
    assert!(!all.contains(&"undeclared-change".to_string()), "{v:#}");
    assert!(all.contains(&"deletion-in-use".to_string()), "{v:#}");
    assert!(all.contains(&"field-missing".to_string()), "{v:#}");
}

// ---------------------------------------------------------------------------------------------
// What an attacker's review found: each case passed the gate, crashed it, or blocked real plans.

/// A plan of these resource changes, with the data source of the Route 53 zone `example.org`
/// (`Z1`) and any more prior-state resources.
fn plan_of(changes: Vec<serde_json::Value>, more_state: Vec<serde_json::Value>) -> String {
    let mut state = vec![serde_json::json!({
        "address": "data.aws_route53_zone.main", "mode": "data", "type": "aws_route53_zone",
        "name": "main", "values": {"zone_id": "Z1", "name": "example.org"}
    })];
    state.extend(more_state);
    serde_json::json!({
        "format_version": "1.2",
        "resource_changes": changes,
        "prior_state": {"values": {"root_module": {"resources": state}}},
        "complete": true, "errored": false
    })
    .to_string()
}

fn change(
    address: &str,
    rtype: &str,
    actions: &[&str],
    before: serde_json::Value,
    after: serde_json::Value,
) -> serde_json::Value {
    serde_json::json!({
        "address": address, "mode": "managed", "type": rtype, "name": address.rsplit('.').next().unwrap(),
        "change": {"actions": actions, "before": before, "after": after, "after_unknown": {}}
    })
}

fn r53(name: &str, rtype: &str, records: &[&str]) -> serde_json::Value {
    serde_json::json!({"zone_id": "Z1", "name": name, "type": rtype, "ttl": 300, "records": records, "alias": []})
}

fn r53_alias(name: &str, target: &str) -> serde_json::Value {
    serde_json::json!({"zone_id": "Z1", "name": name, "type": "A", "ttl": null, "records": null,
        "alias": [{"name": target, "zone_id": "Z2", "evaluate_target_health": false}]})
}

fn lb() -> serde_json::Value {
    serde_json::json!({"id": "arn:lb/api", "arn": "arn:lb/api", "dns_name": "api-1.elb.example.net", "name": "api"})
}

/// `plan_repo` with these plans at the base, then these at the head (`None`: deleted).
fn range(base: &[(&str, String)], head: &[(&str, Option<String>)]) -> Repo {
    let repo = plan_repo(None);
    git(repo.path(), &["rm", "-q", "plans/dns.json"]);
    for (path, text) in base {
        repo.write(path, text);
    }
    commit_all(&repo, "base");
    git(repo.path(), &["tag", "base"]);
    for (path, text) in head {
        match text {
            Some(text) => {
                repo.write(path, text);
            }
            None => {
                git(repo.path(), &["rm", "-q", path]);
            }
        }
    }
    commit_all(&repo, "head");
    repo
}

#[test]
fn an_old_plan_that_still_lists_a_record_cannot_hide_its_deletion_in_a_new_one() {
    let www = r53("www.example.org", "A", &["192.0.2.1"]);
    let created = plan_of(
        vec![change(
            "aws_route53_record.www",
            "aws_route53_record",
            &["create"],
            serde_json::Value::Null,
            www.clone(),
        )],
        vec![],
    );
    let deleted = plan_of(
        vec![change(
            "aws_route53_record.www",
            "aws_route53_record",
            &["delete"],
            www,
            serde_json::Value::Null,
        )],
        vec![],
    );
    let repo = range(
        &[("plans/001.json", created)],
        &[("plans/002.json", Some(deleted))],
    );
    let out = repo
        .cmd()
        .args(["check", "--base", "base"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let shown = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    assert!(shown.contains("is managed by two plans"), "{shown}");
}

#[test]
fn only_the_same_resource_in_the_same_plan_keeps_a_deleted_target() {
    let alias = r53_alias("api.example.org", "dualstack.api-1.elb.example.net");
    let dns = plan_of(
        vec![change(
            "aws_route53_record.api",
            "aws_route53_record",
            &["no-op"],
            alias.clone(),
            alias,
        )],
        vec![],
    );
    // Another plan still lists the load balancer; this one deletes it and creates a health
    // check that names it.
    let stale = plan_of(
        vec![change("aws_lb.api", "aws_lb", &["no-op"], lb(), lb())],
        vec![],
    );
    let check = serde_json::json!({"id": "hc-1", "fqdn": "api-1.elb.example.net"});
    let deletes = plan_of(
        vec![
            change(
                "aws_lb.api",
                "aws_lb",
                &["delete"],
                lb(),
                serde_json::Value::Null,
            ),
            change(
                "aws_route53_health_check.api",
                "aws_route53_health_check",
                &["create"],
                serde_json::Value::Null,
                check,
            ),
        ],
        vec![],
    );
    let repo = range(
        &[("plans/dns.json", dns), ("plans/infra-old.json", stale)],
        &[("plans/lb.json", Some(deletes))],
    );
    let (code, v) = repo.check_json(&["--base", "base"]);
    assert_eq!(code, 1, "{v:#}");
    assert!(
        whole(&v, "undeclared-change")["message"]
            .as_str()
            .unwrap()
            .contains("`aws_lb.api`"),
        "{v:#}"
    );
}

#[test]
fn a_plan_deleted_in_the_range_still_holds_its_aliases() {
    let alias = r53_alias("api.example.org", "api-1.elb.example.net.");
    let dns = plan_of(
        vec![change(
            "aws_route53_record.api",
            "aws_route53_record",
            &["no-op"],
            alias.clone(),
            alias,
        )],
        vec![],
    );
    let deletes = plan_of(
        vec![change(
            "aws_lb.api",
            "aws_lb",
            &["delete"],
            lb(),
            serde_json::Value::Null,
        )],
        vec![],
    );
    let repo = range(
        &[("plans/dns.json", dns)],
        &[("plans/dns.json", None), ("plans/lb.json", Some(deletes))],
    );
    let (code, v) = repo.check_json(&["--base", "base"]);
    assert_eq!(code, 1, "{v:#}");
    assert!(
        whole(&v, "undeclared-change")["message"]
            .as_str()
            .unwrap()
            .contains("api.example.org"),
        "{v:#}"
    );
}

#[test]
fn deleting_a_zone_refuses_and_two_zones_of_one_name_are_refused() {
    let zone = serde_json::json!({"zone_id": "Z1", "id": "Z1", "name": "example.org", "force_destroy": true});
    let plan = plan_of(
        vec![change(
            "aws_route53_zone.main",
            "aws_route53_zone",
            &["delete"],
            zone,
            serde_json::Value::Null,
        )],
        vec![],
    );
    let repo = range(&[], &[("plans/zone.json", Some(plan))]);
    let (code, v) = repo.check_json(&["--base", "base"]);
    assert_eq!(code, 1, "{v:#}");
    assert!(
        whole(&v, "mass-change")["message"]
            .as_str()
            .unwrap()
            .contains("the zone `example.org`"),
        "{v:#}"
    );

    // A record moved from the public zone into a private one of the same name.
    let private = serde_json::json!({"address": "data.aws_route53_zone.private", "mode": "data",
        "type": "aws_route53_zone", "name": "private", "values": {"zone_id": "Z9", "name": "example.org"}});
    let mut moved = r53("www.example.org", "A", &["192.0.2.1"]);
    moved["zone_id"] = "Z9".into();
    let text = plan_of(
        vec![
            change(
                "aws_route53_record.public",
                "aws_route53_record",
                &["delete"],
                r53("www.example.org", "A", &["192.0.2.1"]),
                serde_json::Value::Null,
            ),
            change(
                "aws_route53_record.private",
                "aws_route53_record",
                &["create"],
                serde_json::Value::Null,
                moved,
            ),
        ],
        vec![private],
    );
    let problems = read_plan("moved.json", &text).expect_err("two zones of one name");
    assert!(
        problems[0].message.contains("also has a zone of that name"),
        "{problems:?}"
    );
}

#[test]
fn unknown_ttls_and_sensitive_targets_cannot_be_gated() {
    let mut update = change(
        "aws_route53_record.www",
        "aws_route53_record",
        &["update"],
        r53("www.example.org", "A", &["192.0.2.1"]),
        r53("www.example.org", "A", &["192.0.2.2"]),
    );
    update["change"]["after_unknown"] = serde_json::json!({"ttl": true});
    let cname = r53("www.example.org", "CNAME", &["elsewhere.example.net"]);
    let mut hidden = change(
        "aws_route53_record.c",
        "aws_route53_record",
        &["create"],
        serde_json::Value::Null,
        cname,
    );
    hidden["change"]["after_sensitive"] = serde_json::json!({"records": true});
    for (plan, expected) in [
        (update, "`ttl` is known only after apply"),
        (hidden, "`records` is marked sensitive"),
    ] {
        let (_, _, effects) = {
            let plan = read_plan("p.json", &plan_of(vec![plan], vec![])).unwrap();
            let (mut base, mut head) = (State::default(), State::default());
            let effects = terraform::merge(
                vec![Given {
                    plan,
                    changed: true,
                }],
                &mut base,
                &mut head,
            )
            .unwrap();
            (base, head, effects)
        };
        assert!(
            effects.unknown.iter().any(|m| m.contains(expected)),
            "{:?}",
            effects.unknown
        );
    }
}

#[test]
fn the_cascade_passes_through_terraform_aliases() {
    let plan = plan_of(
        vec![
            change(
                "aws_route53_record.api",
                "aws_route53_record",
                &["delete"],
                r53("api.example.org", "A", &["192.0.2.7"]),
                serde_json::Value::Null,
            ),
            change(
                "aws_route53_record.front",
                "aws_route53_record",
                &["no-op"],
                r53_alias("front.example.org", "api.example.org"),
                r53_alias("front.example.org", "api.example.org"),
            ),
            change(
                "aws_route53_record.x",
                "aws_route53_record",
                &["no-op"],
                r53("x.example.org", "CNAME", &["front.example.org"]),
                r53("x.example.org", "CNAME", &["front.example.org"]),
            ),
        ],
        vec![],
    );
    let plan = read_plan("p.json", &plan).unwrap();
    let (mut base, mut head) = (State::default(), State::default());
    terraform::merge(
        vec![Given {
            plan,
            changed: true,
        }],
        &mut base,
        &mut head,
    )
    .unwrap();
    let diff = diff_states(&base, &head);
    let names: Vec<&str> = diff.cascade.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["front.example.org", "x.example.org"]);
}

#[test]
fn real_plans_with_computed_attributes_are_read_and_odd_alias_names_are_refused() {
    // Cloudflare v4 on create: `hostname` is computed; Google: a weighted routing policy.
    let cf = serde_json::json!({"zone_id": "c1", "name": "www", "type": "A", "ttl": 1, "value": null,
        "content": "203.0.113.1", "proxied": false, "hostname": null});
    let mut create = change(
        "cloudflare_record.www",
        "cloudflare_record",
        &["create"],
        serde_json::Value::Null,
        cf,
    );
    create["change"]["after_unknown"] =
        serde_json::json!({"hostname": true, "value": true, "id": true});
    let zone = serde_json::json!({"address": "cloudflare_zone.z", "mode": "managed", "type": "cloudflare_zone",
        "name": "z", "values": {"id": "c1", "zone": "example.io"}});
    let google = serde_json::json!({"managed_zone": "mz", "project": "p", "name": "www.example.net.", "type": "A", "ttl": 60,
        "rrdatas": [], "routing_policy": [{"wrr": [{"weight": 1, "rrdatas": ["198.51.100.1"]}, {"weight": 3, "rrdatas": ["198.51.100.2"]}], "geo": [], "primary_backup": []}]});
    let mz = serde_json::json!({"address": "google_dns_managed_zone.mz", "mode": "managed", "type": "google_dns_managed_zone",
        "name": "mz", "values": {"name": "mz", "dns_name": "example.net."}});
    let text = plan_of(
        vec![
            create,
            change(
                "google_dns_record_set.www",
                "google_dns_record_set",
                &["create"],
                serde_json::Value::Null,
                google,
            ),
        ],
        vec![zone, mz],
    );
    let plan = read_plan("p.json", &text).unwrap_or_else(|d| panic!("{d:?}"));
    let (mut base, mut head) = (State::default(), State::default());
    let effects = terraform::merge(
        vec![Given {
            plan,
            changed: true,
        }],
        &mut base,
        &mut head,
    )
    .unwrap();
    assert!(effects.unknown.is_empty(), "{:?}", effects.unknown);
    assert_eq!(
        rrset(&head, "www.example.io", RecordType::A),
        (300, strings(&["203.0.113.1"]), None)
    );
    assert_eq!(
        rrset(&head, "www.example.net", RecordType::A).1,
        ["198.51.100.1", "198.51.100.2"]
    );

    let odd = plan_of(
        vec![change(
            "aws_route53_record.a",
            "aws_route53_record",
            &["create"],
            serde_json::Value::Null,
            r53_alias("a.example.org", "www.example.org.."),
        )],
        vec![],
    );
    let problems = read_plan("odd.json", &odd).expect_err("an empty label");
    assert!(problems[0].message.contains("alias.name"), "{problems:?}");
}

#[test]
fn regression_17_a_delegation_to_name_servers_known_only_after_apply_is_refused() {
    let mut ns = change(
        "aws_route53_record.child",
        "aws_route53_record",
        &["create"],
        serde_json::Value::Null,
        serde_json::json!({"zone_id": "Z1", "name": "child.example.org", "type": "NS", "ttl": 300, "records": null, "alias": []}),
    );
    ns["change"]["after_unknown"] = serde_json::json!({"records": true});
    let repo = range(&[], &[("plans/dns.json", Some(plan_of(vec![ns], vec![])))]);
    let (code, v) = repo.check_json(&["--base", "base"]);
    assert_eq!(code, 1, "{v:#}");
    let message = whole(&v, "delegation-target-mismatch")["message"]
        .as_str()
        .unwrap();
    assert!(
        message.contains("the plan leaves name servers (known after apply)"),
        "{message}"
    );
}

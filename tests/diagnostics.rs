//! Rendered diagnostics for bad tickets, policies and configs: every problem at once, each
//! with file, line, column, the offending text and a hint.

mod common;

use common::*;

const SIGNERS: &str = "alice@example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMbjsRErzVs3i75P6JxzWe9ofS3S1551BSvwN8RtnOnX\n\
bob@example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEzwkClbnhA6VZtZpD3dD8zugj2au1UPvxV+gr21oGZf\n";

fn repo(policy: &str) -> Repo {
    let repo = Repo::new();
    repo.write(
        "changegate.toml",
        "policy = \"policies/default.toml\"\n[sources]\nzonefiles = [\"zones/*.zone\"]\n",
    )
    .write("policies/default.toml", policy)
    .write("policies/allowed_signers", SIGNERS)
    .write("zones/example.com.zone", "$ORIGIN example.com.\n");
    repo
}

fn lint(repo: &Repo, args: &[&str]) -> (i32, String) {
    let output = repo.cmd().arg("lint").args(args).output().unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

#[test]
fn a_ticket_with_many_mistakes_gets_every_one_reported() {
    let repo = repo(GATE_ONLY_POLICY);
    repo.write(
        "changes/CHG-7.toml",
        r#"id = "CHG-7"
author = "vojtech example"
kind = "urgent"
rollbak = { steps = ["revert"] }

[blast_radius]
scope = "planet"

[[change]]
action = "delete"
name = "a..example.com"
type = "AAAAA"
ttl = "300"

[[change]]
action = "create"
name = "new.example.com"
type = "A"
values = []

[rollback]
time_to_mitigate = "15 minutes"
rehearsed = "yes"
"#,
    );
    let (code, out) = lint(&repo, &["changes/CHG-7.toml"]);
    assert_eq!(code, 2);
    insta::assert_snapshot!(out);
}

#[test]
fn policy_read_errors() {
    let repo = repo(
        r#"[groups]
oncall = ["alice@example.com"]

[[tier]]
name = "low"
require = [{ group = "oncall", count = "one" }]
approval_ttl = "3 days"

[[rule]]
when = { action = "remove", critical = "yes" }
tier = "hihg"

[[freeze]]
start = 2026-12-20
end = 2027-01-05T00:00:00Z
tier = "high"

[deletion]
query = 'sum(x{name="{nmae}"})'
window = "14d"
coverage = "x"
"#,
    );
    let (code, out) = lint(&repo, &[]);
    assert_eq!(code, 2);
    insta::assert_snapshot!(out);
}

#[test]
fn policy_lint_errors() {
    let repo = repo(
        r#"[groups]
oncall = ["alice@example.com", "bob@example.com", "mallory@example.com"]
leads = []

[signers]
allowed_signers = "allowed_signers"

[[tier]]
name = "low"
require = [{ group = "oncall", count = 2 }]
require_fields = ["health_signal"]

[[tier]]
name = "high"
require = [{ group = "oncall", count = 1 }, { group = "cab", count = 1 }, { group = "leads", count = 1 }]

[[tier]]
name = "critical"
require = [{ group = "oncall", count = 4 }]
require_fields = ["health_signal"]

[deletion]
query = 'sum(increase(dns_resolutions_total{name="{name}"}[{window}]))'
window = "6h"
"#,
    );
    let (code, out) = lint(&repo, &[]);
    assert_eq!(code, 2);
    insta::assert_snapshot!(out);
}

#[test]
fn config_errors() {
    let repo = repo(GATE_ONLY_POLICY);
    repo.write(
        "changegate.toml",
        "policy = \"policies/default.toml\"\npolcy = \"x\"\n[metrics]\nbackend = \"influx\"\ntimeout = 10\n",
    );
    let (code, out) = lint(&repo, &[]);
    assert_eq!(code, 2);
    insta::assert_snapshot!(out);
}

#[test]
fn broken_toml_is_reported_with_its_position() {
    let repo = repo(GATE_ONLY_POLICY);
    repo.write(
        "changes/CHG-8.toml",
        "id = \"CHG-8\"\ntitle = \"unterminated\n",
    );
    let (code, out) = lint(&repo, &[]);
    assert_eq!(code, 2);
    assert!(out.contains("changes/CHG-8.toml:2:"), "{out}");
    assert!(out.contains("not valid TOML"), "{out}");
}

#[test]
fn a_broken_policy_makes_check_refuse_to_evaluate() {
    let repo = repo("[[tier]]\nname = \"low\"\nrequire = []\n");
    repo.delete_ticket("CHG-1", &[("old.example.com", "A")]);
    let (code, v) = repo.check_json(&[]);
    assert_eq!(code, 2);
    assert_eq!(v["verdict"], "invalid");
    let error = &v["errors"][0];
    assert_eq!(error["code"], "policy-invalid");
    assert_eq!(error["file"], "policies/default.toml");
    assert!(error["message"].as_str().unwrap().contains("[deletion]"));
}

#[test]
fn invalid_tickets_in_json_name_file_line_and_column() {
    let repo = repo(GATE_ONLY_POLICY);
    repo.write(
        "changes/CHG-2.toml",
        &format!(
            "{}\n[[change]]\naction = \"delete\"\nname = \"old.example.org\"\ntype = \"A\"\n",
            complete_ticket("CHG-2", "record")
        ),
    );
    let (code, v) = repo.check_json(&[]);
    assert_eq!(code, 2);
    let r = &v["tickets"][0]["reasons"][0];
    assert_eq!(r["code"], "ticket-invalid");
    assert_eq!(r["file"], "changes/CHG-2.toml");
    assert_eq!(
        (r["line"].as_u64(), r["column"].as_u64()),
        (Some(17), Some(8))
    );
    assert!(r["message"].as_str().unwrap().contains("no managed zone"));
}

#[test]
fn the_ticket_id_must_match_its_file_name() {
    let repo = repo(GATE_ONLY_POLICY);
    repo.write("changes/CHG-3.toml", &complete_ticket("CHG-4", "record"));
    let (code, out) = lint(&repo, &[]);
    assert_eq!(code, 2);
    assert!(out.contains("rename the file to `CHG-4.toml`"), "{out}");
}

/// A review's finding: escape sequences in ticket text would reach the approve screen raw.
#[test]
fn control_characters_in_text_are_refused() {
    let repo = repo(
        "[[tier]]\nname = \"routine\"\nrequire = []\n[[rule]]\nwhen = { type_change = true }\ntier = \"routine\"\n[deletion]\nwindow = \"14d\"\n",
    );
    repo.write(
        "changes/CHG-1.toml",
        &format!(
            "{}\n[[change]]\naction = \"create\"\nname = \"n.example.com\"\ntype = \"TXT\"\n",
            common::complete_ticket("CHG-1", "record")
                .replace("Remove what is no longer used", "s\\u001b[2A\\u001b[2K")
        ),
    );
    let (code, out) = lint(&repo, &["changes/CHG-1.toml"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("U+001B"), "{out}");
}

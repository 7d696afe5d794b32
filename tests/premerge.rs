//! `check --base` and `diff --base` on real git repositories built in temp dirs, and the
//! pre-push hook against a local bare remote.

mod common;

use std::process::Command;

use common::prometheus::{Prometheus, counter};
use common::*;

const POLICY: &str = r#"
[groups]
leads = ["carol@example.com"]

[signers]
allowed_signers = "allowed_signers"

[[tier]]
name = "routine"
require = []

[[tier]]
name = "high"
require = [{ group = "leads", count = 1 }]

[[rule]]
when = { action = "delete" }
tier = "high"

[[rule]]
when = { type_change = true }
tier = "high"

[deletion]
query = 'sum(increase(dns_resolutions_total{name="{name}",type="{type}"}[{window}]))'
coverage_query = 'sum(increase(dns_resolutions_total{zone="{zone}"}[{window}]))'
window = "14d"
"#;

const SIGNERS: &str = "carol@example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMbjsRErzVs3i75P6JxzWe9ofS3S1551BSvwN8RtnOnX\n";

const ZONE: &str = "$ORIGIN example.com.
$TTL 300
@    IN SOA ns1 hostmaster 1 7200 3600 1209600 300
@    NS  ns1
ns1  A   192.0.2.53
www  A   192.0.2.80
old  A   192.0.2.7
app  A   192.0.2.9
a    CNAME b
b    CNAME c
c    CNAME d
d    A   192.0.2.44
";

/// A repository whose first commit (`base`) holds config, policy and the zone.
fn repo(metrics: &str) -> Repo {
    let repo = Repo::new();
    repo.write(
        "changegate.toml",
        &format!("[sources]\nzonefiles = [\"zones/*.zone\"]\n{metrics}"),
    )
    .write("policies/default.toml", POLICY)
    .write("policies/allowed_signers", SIGNERS)
    .write("zones/example.com.zone", ZONE)
    .write(
        "counts.csv",
        "# from: 2026-01-01T00:00:00Z\n# to: 2026-01-15T00:00:00Z\nname,type,count\nwww.example.com,A,100\nd.example.com,A,40\na.example.com,CNAME,7\n",
    );
    git(repo.path(), &["init", "-q", "-b", "main"]);
    commit(&repo, "base");
    git(repo.path(), &["tag", "base"]);
    repo
}

const FILE_METRICS: &str = "[metrics]\nbackend = \"file\"\npath = \"counts.csv\"\n";

fn commit(repo: &Repo, message: &str) {
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", message]);
}

/// Commits what the work tree holds and makes it the new `base`: the state a test's change
/// starts from.
fn commit_base(repo: &Repo, message: &str) {
    commit(repo, message);
    git(repo.path(), &["tag", "-f", "base"]);
}

/// Makes a new `base` with `base_edit` of the zone, then a head that removes `removed` lines
/// and declares `deletes`; returns `check --base base` on it.
fn delete_from_new_base(
    repo: &Repo,
    base_edit: impl FnOnce(&str) -> String,
    removed: &[&str],
    deletes: &[(&str, &str, &str)],
) -> (i32, serde_json::Value) {
    edit_zone(repo, base_edit);
    commit_base(repo, "the base");
    edit_zone(repo, |z| {
        removed
            .iter()
            .fold(z.to_string(), |z, line| z.replace(line, ""))
    });
    ticket(repo, "CHG-D", deletes);
    commit(repo, "delete");
    repo.check_json(&["--base", "base"])
}

fn edit_zone(repo: &Repo, edit: impl FnOnce(&str) -> String) {
    let path = repo.path().join("zones/example.com.zone");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(path, edit(&text)).unwrap();
}

fn ticket(repo: &Repo, id: &str, changes: &[(&str, &str, &str)]) {
    let mut text = complete_ticket(id, "record");
    for (action, name, rtype) in changes {
        text.push_str(&format!(
            "\n[[change]]\naction = \"{action}\"\nname = \"{name}\"\ntype = \"{rtype}\"\n"
        ));
    }
    repo.write(&format!("changes/{id}.toml"), &text);
}

fn finding_codes(v: &serde_json::Value) -> Vec<String> {
    v["tickets"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn an_undeclared_change_is_refused_and_points_at_the_zone_line() {
    let repo = repo(FILE_METRICS);
    edit_zone(&repo, |z| {
        z.replace("www  A   192.0.2.80", "www  A   192.0.2.81")
    });
    commit(&repo, "sneak");
    let (code, v) = repo.check_json(&["--base", "base"]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(v["verdict"], "refused");
    let r = &v["reasons"][0];
    assert_eq!(r["code"], "undeclared-change");
    assert_eq!(
        (r["name"].as_str(), r["type"].as_str()),
        (Some("www.example.com"), Some("A"))
    );
    assert_eq!(
        (r["file"].as_str(), r["line"].as_u64()),
        (Some("zones/example.com.zone"), Some(6))
    );
}

#[test]
fn a_declared_update_passes_and_a_declared_change_missing_from_the_diff_is_a_finding() {
    let repo = repo(FILE_METRICS);
    edit_zone(&repo, |z| {
        z.replace("www  A   192.0.2.80", "www  A   192.0.2.81")
    });
    ticket(
        &repo,
        "CHG-1",
        &[
            ("update", "www.example.com", "A"),
            ("update", "ns1.example.com", "A"),
        ],
    );
    commit(&repo, "change");
    let (code, v) = repo.check_json(&["--base", "base"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(finding_codes(&v), ["declared-not-in-diff"]);
    assert_eq!(
        v["tickets"][0]["plan_digest"].as_str().map(str::len),
        Some(71)
    );
}

#[test]
fn deleting_an_unused_record_with_telemetry_is_allowed_apart_from_approvals() {
    let history = [
        counter(
            "name=\"www.example.com\",type=\"A\",zone=\"example.com\"",
            NOW_UNIX,
            5,
        ),
        counter(
            "name=\"old.example.com\",type=\"A\",zone=\"example.com\"",
            NOW_UNIX,
            0,
        ),
    ]
    .concat();
    let Some(prometheus) = Prometheus::start(&history) else {
        return;
    };
    let repo = repo(&format!(
        "[metrics]\nbackend = \"prometheus\"\nurl = \"{}\"\n",
        prometheus.url
    ));
    edit_zone(&repo, |z| z.replace("old  A   192.0.2.7\n", ""));
    ticket(&repo, "CHG-2", &[("delete", "old.example.com", "A")]);
    commit(&repo, "retire old");
    let (code, v) = repo.check_json(&["--base", "base"]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(codes(&v), ["approvals-missing"]);
    let d = &v["tickets"][0]["deletions"][0];
    assert_eq!(
        (d["name"].as_str(), d["allowed"].as_bool()),
        (Some("old.example.com"), Some(true))
    );
    assert_eq!(d["evidence"]["value"].as_f64(), Some(0.0));
}

#[test]
fn a_change_that_lowers_its_own_bar_is_still_judged_by_the_base_policy() {
    let repo = repo(FILE_METRICS);
    edit_zone(&repo, |z| z.replace("old  A   192.0.2.7\n", ""));
    ticket(&repo, "CHG-3", &[("delete", "old.example.com", "A")]);
    let lowered = POLICY.replace(
        "when = { action = \"delete\" }\ntier = \"high\"",
        "when = { action = \"delete\" }\ntier = \"routine\"",
    );
    repo.write("policies/default.toml", &lowered);
    commit(&repo, "delete, and make deletes routine");
    let (code, v) = repo.check_json(&["--base", "base"]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(v["tickets"][0]["tier"], "high");
    assert_eq!(codes(&v), ["approvals-missing"]);
    assert_eq!(v["reasons"][0]["code"], "policy-changed");
    assert!(
        v["reasons"][0]["message"]
            .as_str()
            .unwrap()
            .contains("policies/default.toml")
    );
}

#[test]
fn a_renamed_zone_file_is_no_change() {
    let repo = repo(FILE_METRICS);
    git(
        repo.path(),
        &["mv", "zones/example.com.zone", "zones/renamed.zone"],
    );
    commit(&repo, "rename");
    let (code, v) = repo.check_json(&["--base", "base"]);
    assert_eq!(code, 0, "{v:#}");
    let output = repo
        .cmd()
        .args(["diff", "--base", "base"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout), "no differences\n");
}

#[test]
fn a_deleted_zone_file_deletes_every_record() {
    let repo = repo(FILE_METRICS);
    git(repo.path(), &["rm", "-q", "zones/example.com.zone"]);
    commit(&repo, "drop the zone");
    let (code, v) = repo.check_json(&["--base", "base"]);
    assert_eq!(code, 1);
    // Every RRset undeclared, and the range a mass deletion of the whole zone.
    let all = v["reasons"].as_array().unwrap();
    assert_eq!(
        all.iter().filter(|r| r["code"] == "mass-change").count(),
        1,
        "{v:#}"
    );
    let reasons: Vec<&serde_json::Value> =
        all.iter().filter(|r| r["code"] != "mass-change").collect();
    assert_eq!(reasons.len(), 10, "every RRset: {v:#}");
    assert!(reasons.iter().all(|r| r["code"] == "undeclared-change"
        && r["message"].as_str().unwrap().starts_with("`delete ")));
    assert!(
        reasons
            .iter()
            .all(|r| r["file"] == "base:zones/example.com.zone")
    );
}

#[test]
fn a_type_change_is_flagged_and_needs_a_snapshot() {
    let repo = repo(FILE_METRICS);
    edit_zone(&repo, |z| z.replace("app  A   192.0.2.9", "app  CNAME www"));
    ticket(
        &repo,
        "CHG-4",
        &[
            ("delete", "app.example.com", "A"),
            ("create", "app.example.com", "CNAME"),
        ],
    );
    commit(&repo, "retype app");
    let (code, v) = repo.check_json(&["--base", "base"]);
    assert_eq!(code, 1);
    assert_eq!(v["tickets"][0]["tier"], "high");
    assert_eq!(finding_codes(&v), ["type-change"]);
    let missing = reason(&v, "field-missing")["message"].as_str().unwrap();
    assert!(missing.contains("rollback.last_known_good"), "{missing}");
    assert!(
        v["tickets"][0]["deletions"].as_array().unwrap().is_empty(),
        "a type change is not a deletion"
    );
}

#[test]
fn cascade_runs_through_a_cname_chain_of_length_three() {
    let repo = repo(FILE_METRICS);
    edit_zone(&repo, |z| z.replace("d    A   192.0.2.44\n", ""));
    ticket(&repo, "CHG-5", &[("delete", "d.example.com", "A")]);
    commit(&repo, "delete d");
    let (code, v) = repo.check_json(&["--base", "base"]);
    assert_eq!(code, 1);
    let cascade: Vec<String> = v["tickets"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "cascade")
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(cascade, ["a.example.com", "b.example.com", "c.example.com"]);
    let dangling = reason(&v, "dangling-reference");
    assert_eq!(
        (dangling["name"].as_str(), dangling["line"].as_u64()),
        (Some("c.example.com"), Some(11))
    );
    // The deleted name and every name depending on it went through the deletion gate.
    let measured: Vec<&str> = v["tickets"][0]["deletions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        measured,
        [
            "a.example.com",
            "b.example.com",
            "c.example.com",
            "d.example.com"
        ]
    );
    let in_use: Vec<&str> = v["tickets"][0]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["code"] == "deletion-in-use")
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(in_use, ["a.example.com", "d.example.com"]);
}

#[test]
fn a_missing_base_cannot_be_evaluated() {
    let repo = repo(FILE_METRICS);
    let output = repo
        .cmd()
        .args(["check", "--base", "no-such-branch"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("the revision `no-such-branch` does not exist")
    );
    let outside = Repo::new();
    outside
        .write("changegate.toml", "")
        .write("policies/default.toml", POLICY)
        .write("policies/allowed_signers", SIGNERS);
    let output = outside
        .cmd()
        .args(["check", "--base", "main"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not inside a git repository"));
}

#[test]
fn uncommitted_changes_are_reported_not_included() {
    let repo = repo(FILE_METRICS);
    edit_zone(&repo, |z| {
        z.replace("www  A   192.0.2.80", "www  A   192.0.2.81")
    });
    let (code, v) = repo.check_json(&["--base", "base"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["findings"][0]["code"], "uncommitted-changes");
    assert!(
        v["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("zones/example.com.zone")
    );
}

#[test]
fn diff_base_shows_a_readable_plan() {
    let repo = repo(FILE_METRICS);
    edit_zone(&repo, |z| {
        z.replace("www  A   192.0.2.80", "www  A   192.0.2.81")
            .replace("old  A   192.0.2.7\n", "")
            + "new  AAAA 2001:db8::1\n"
    });
    commit(&repo, "three changes");
    let output = repo
        .cmd()
        .args(["diff", "--base", "base"])
        .output()
        .unwrap();
    assert!(output.status.success());
    insta::assert_snapshot!(String::from_utf8(output.stdout).unwrap());
    let output = repo
        .cmd()
        .args(["diff", "--base", "base", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        v["summary"],
        serde_json::json!({"create": 1, "update": 1, "delete": 1})
    );
    assert_eq!(v["changes"][2]["old"]["values"][0], "192.0.2.80");
    assert_eq!(v["changes"][2]["new"]["values"][0], "192.0.2.81");
}

const OCTODNS_ZONE: &str = "---
'':
  type: NS
  value: ns1.example.com.
www:
  type: A
  value: 192.0.2.80
  octodns:
    cloudflare:
      proxied: false
";

/// A repository whose first commit holds config, policy and the given octoDNS files.
fn octodns_repo(files: &[(&str, &str)]) -> Repo {
    let repo = Repo::new();
    repo.write(
        "changegate.toml",
        &format!("[sources]\noctodns = [\"octodns/*.yaml\"]\n{FILE_METRICS}"),
    )
    .write("policies/default.toml", POLICY)
    .write("policies/allowed_signers", SIGNERS)
    .write(
        "counts.csv",
        "# from: 2026-01-01T00:00:00Z\n# to: 2026-01-15T00:00:00Z\nname,type,count\n",
    );
    for (path, text) in files {
        repo.write(path, text);
    }
    git(repo.path(), &["init", "-q", "-b", "main"]);
    commit(&repo, "base");
    repo
}

fn set_octodns_settings(repo: &Repo, settings: &str) {
    let zone = OCTODNS_ZONE.replace("      proxied: false\n", settings);
    repo.write("octodns/example.com.yaml", &zone);
}

/// Flipping Cloudflare's `proxied` changes every answer for the name: it is a change to be
/// declared, and a different plan to approve.
#[test]
fn octodns_provider_settings_are_part_of_the_change_and_of_the_plan() {
    let repo = octodns_repo(&[("octodns/example.com.yaml", OCTODNS_ZONE)]);

    set_octodns_settings(&repo, "      proxied: true\n");
    commit(&repo, "sneak");
    let (code, v) = repo.check_json(&["--base", "main~1"]);
    assert_eq!(code, 1, "{v:#}");
    let r = &v["reasons"][0];
    assert_eq!(r["code"], "undeclared-change");
    assert_eq!(
        (r["name"].as_str(), r["file"].as_str(), r["line"].as_u64()),
        (
            Some("www.example.com"),
            Some("octodns/example.com.yaml"),
            Some(6)
        )
    );
    let diff = repo
        .cmd()
        .args(["diff", "--base", "main~1"])
        .output()
        .unwrap();
    let shown = String::from_utf8(diff.stdout).unwrap();
    assert!(
        shown.contains(r#"- 3600 192.0.2.80  octodns {"cloudflare": {"proxied": false}}"#)
            && shown.contains(r#"+ 3600 192.0.2.80  octodns {"cloudflare": {"proxied": true}}"#),
        "{shown}"
    );

    ticket(&repo, "CHG-1", &[("update", "www.example.com", "A")]);
    commit(&repo, "declare");
    let (code, v) = repo.check_json(&["--base", "main~2"]);
    assert_eq!(code, 0, "{v:#}");
    let proxied = v["tickets"][0]["plan_digest"].clone();

    // The same values with other settings: another plan, so earlier approvals go stale.
    set_octodns_settings(&repo, "      proxied: true\n      auto_ttl: true\n");
    commit(&repo, "more settings");
    let (code, v) = repo.check_json(&["--base", "main~3"]);
    assert_eq!(code, 0, "{v:#}");
    assert_ne!(v["tickets"][0]["plan_digest"], proxied);
}

/// A change to a file the zone `!include`s is a change to the zone, read from each commit.
#[test]
fn a_change_to_an_included_file_is_a_change_to_the_zone() {
    let repo = octodns_repo(&[
        (
            "octodns/example.com.yaml",
            "www:\n  type: A\n  values: !include ../shared/web.yaml\n",
        ),
        ("shared/web.yaml", "- 192.0.2.80\n"),
    ]);
    repo.write("shared/web.yaml", "- 192.0.2.80\n- 192.0.2.81\n");
    commit(&repo, "one more web server");
    let (code, v) = repo.check_json(&["--base", "main~1"]);
    assert_eq!(code, 1, "{v:#}");
    let r = &v["reasons"][0];
    assert_eq!(
        (r["code"].as_str(), r["name"].as_str(), r["line"].as_u64()),
        (Some("undeclared-change"), Some("www.example.com"), Some(2))
    );
}

#[test]
fn the_pre_push_hook_blocks_an_undeclared_change() {
    let repo = repo(FILE_METRICS);
    let remote = tempfile::tempdir().unwrap();
    git(remote.path(), &["init", "-q", "--bare", "-b", "main"]);
    git(
        repo.path(),
        &["remote", "add", "origin", remote.path().to_str().unwrap()],
    );
    git(repo.path(), &["push", "-q", "-u", "origin", "main"]);

    let installed = repo.cmd().args(["hook", "install"]).output().unwrap();
    assert!(
        installed.status.success(),
        "{}",
        String::from_utf8_lossy(&installed.stderr)
    );
    // A second install over our own hook is fine; over someone else's it needs --force.
    assert!(
        repo.cmd()
            .args(["hook", "install"])
            .output()
            .unwrap()
            .status
            .success()
    );

    edit_zone(&repo, |z| {
        z.replace("www  A   192.0.2.80", "www  A   192.0.2.81")
    });
    commit(&repo, "sneak");
    let push = Command::new("git")
        .current_dir(repo.path())
        .args(["push", "-q", "origin", "main"])
        .env("CHANGEGATE_NOW", NOW)
        .output()
        .unwrap();
    assert!(!push.status.success(), "the push went through");
    let said =
        String::from_utf8_lossy(&push.stdout).to_string() + &String::from_utf8_lossy(&push.stderr);
    assert!(said.contains("undeclared-change"), "{said}");
    assert_eq!(
        git(remote.path(), &["rev-parse", "main"]),
        git(repo.path(), &["rev-parse", "base"]),
        "the remote did not move"
    );

    ticket(&repo, "CHG-6", &[("update", "www.example.com", "A")]);
    commit(&repo, "declare it");
    let push = Command::new("git")
        .current_dir(repo.path())
        .args(["push", "-q", "origin", "main"])
        .env("CHANGEGATE_NOW", NOW)
        .output()
        .unwrap();
    assert!(
        push.status.success(),
        "{}",
        String::from_utf8_lossy(&push.stderr)
    );
}

#[test]
fn hook_install_never_replaces_a_foreign_hook_without_force() {
    let repo = repo(FILE_METRICS);
    let hook = repo.path().join(".git/hooks/pre-push");
    std::fs::write(&hook, "#!/bin/sh\necho mine\n").unwrap();
    let output = repo.cmd().args(["hook", "install"]).output().unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--force"));
    assert_eq!(
        std::fs::read_to_string(&hook).unwrap(),
        "#!/bin/sh\necho mine\n"
    );
    assert!(
        repo.cmd()
            .args(["hook", "install", "--force"])
            .output()
            .unwrap()
            .status
            .success()
    );
    assert!(
        std::fs::read_to_string(&hook)
            .unwrap()
            .contains("changegate pre-push hook")
    );
}

/// The top-level refusal codes of a verdict (about the change set as a whole).
fn top_codes(v: &serde_json::Value) -> Vec<String> {
    v["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_string())
        .collect()
}

fn symlink(repo: &Repo, target: &str, link: &str) {
    let path = repo.path().join(link);
    let _ = std::fs::remove_file(&path);
    std::os::unix::fs::symlink(target, path).unwrap();
}

/// Issue 9, bypass 1: a zone file turned into a link whose *text* equals the old zone hid any
/// change, because the commit's blob (the link text) was read instead of what deploys read.
#[test]
fn regression_9_a_zone_file_that_is_a_symlink_in_the_commit_is_refused() {
    let repo = repo(FILE_METRICS);
    // The real zone moves to a new file with the in-use record deleted; the old path becomes
    // a link to it.
    let deleted = ZONE.replace("www  A   192.0.2.80\n", "");
    repo.write("elsewhere/real.zone", &deleted);
    symlink(&repo, "../elsewhere/real.zone", "zones/example.com.zone");
    commit(&repo, "link");
    let (code, v) = repo.check_json(&["--base", "base"]);
    assert_eq!(code, 2, "{v:#}");
    let text = v.to_string();
    assert!(text.contains("symbolic link"), "{v:#}");
    assert!(text.contains("zones/example.com.zone"), "{v:#}");
}

/// Issue 9, bypass 1 on the work tree: an `$INCLUDE` that is a link to a file outside the
/// repository is refused, never followed.
#[test]
fn regression_9_links_and_escaping_includes_are_refused_on_the_work_tree() {
    let repo = repo(FILE_METRICS);
    let zone = ZONE.to_string() + "$INCLUDE inc.zone\n";
    repo.write("zones/example.com.zone", &zone);
    symlink(&repo, "/etc/hostname", "zones/inc.zone");
    let out = repo
        .cmd()
        .args(["diff", "zones", "zones"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("symbolic link"), "{stderr}");

    for target in ["/dev/zero", "../../../../etc/passwd", "/proc/self/environ"] {
        repo.write(
            "zones/example.com.zone",
            &(ZONE.to_string() + &format!("$INCLUDE {target}\n")),
        );
        let out = repo
            .cmd()
            .args(["diff", "zones", "zones"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{target}: {stderr}");
        assert!(
            stderr.contains("absolute path") || stderr.contains("out of the repository"),
            "{target}: {stderr}"
        );
        assert!(
            !stderr.contains("root:"),
            "nothing of the target is shown: {stderr}"
        );
    }
}

/// Issue 9, bypass 2: `changegate.toml` turned into a link to a weaker config committed
/// elsewhere made the base's copy of *that* file decide.
#[test]
fn regression_9_a_config_that_becomes_a_symlink_is_policy_changed() {
    let repo = repo(FILE_METRICS);
    repo.write(
        "weak/changegate.toml",
        "policy = \"../policies/default.toml\"\n",
    );
    commit_base(&repo, "a second, weaker config");
    symlink(&repo, "weak/changegate.toml", "changegate.toml");
    edit_zone(&repo, |z| {
        z.replace("www  A   192.0.2.80", "www  A   192.0.2.81")
    });
    commit(&repo, "swap the config");
    let (code, v) = repo.check_json(&["--base", "base"]);
    assert_eq!(code, 1, "{v:#}");
    let top = top_codes(&v);
    assert!(top.contains(&"policy-changed".to_string()), "{v:#}");
    assert!(
        top.contains(&"undeclared-change".to_string()),
        "the base's own config still finds the change: {v:#}"
    );
}

/// Issue 9, bypass 3: with the `file` backend, the counts came from the pull request's work
/// tree, so a pull request could zero the count of the record it deletes.
#[test]
fn regression_9_file_evidence_is_read_from_the_base() {
    let repo = repo(FILE_METRICS);
    edit_zone(&repo, |z| z.replace("www  A   192.0.2.80\n", ""));
    ticket(&repo, "CHG-9", &[("delete", "www.example.com", "A")]);
    repo.write(
        "counts.csv",
        "# from: 2026-01-01T00:00:00Z\n# to: 2026-01-15T00:00:00Z\nname,type,count\nwww.example.com,A,0\nd.example.com,A,40\n",
    );
    commit(&repo, "delete www and zero its count");
    let (code, v) = repo.check_json(&["--base", "base"]);
    assert_eq!(code, 1, "{v:#}");
    let d = &v["tickets"][0]["deletions"][0];
    assert_eq!(d["evidence"]["value"].as_f64(), Some(100.0), "{v:#}");
    assert!(codes(&v).contains(&"deletion-in-use".to_string()), "{v:#}");
    assert!(
        top_codes(&v).contains(&"policy-changed".to_string()),
        "{v:#}"
    );
}

/// Issue 9, bypass 5: a tag named like the remote branch won git's name lookup and chose
/// the base.
#[test]
fn regression_9_an_ambiguous_base_is_refused() {
    let repo = repo(FILE_METRICS);
    git(
        repo.path(),
        &["update-ref", "refs/remotes/origin/main", "HEAD"],
    );
    edit_zone(&repo, |z| {
        z.replace("www  A   192.0.2.80", "www  A   192.0.2.81")
    });
    commit(&repo, "sneak");
    git(repo.path(), &["tag", "origin/main", "HEAD"]);
    let out = repo
        .cmd()
        .args(["check", "--base", "origin/main"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("ambiguous"), "{stderr}");
    assert!(stderr.contains("refs/tags/origin/main"), "{stderr}");
    assert!(stderr.contains("refs/remotes/origin/main"), "{stderr}");
    // Named in full, it works.
    let (code, v) = repo.check_json(&["--base", "refs/remotes/origin/main"]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(top_codes(&v), ["undeclared-change"]);
}

/// Issue 9, bypass 9: an RRset written in RFC 3597 form was measured as type `TYPE1` (never
/// resolved, so allowed) although its name has A traffic; a `TYPE5` CNAME was invisible to
/// the dangling-reference check.
#[test]
fn regression_9_generic_type_spellings_are_measured_and_followed_as_their_type() {
    let repo = repo(FILE_METRICS);
    // www A 192.0.2.80, and a CNAME to `old` written generically: `old.example.com.`.
    let (code, v) = delete_from_new_base(
        &repo,
        |z| {
            z.replace("www  A   192.0.2.80", "www  TYPE1 \\# 4 c0000250")
                + "legacy TYPE5 \\# 17 036f6c64076578616d706c6503636f6d00\n"
        },
        &["www  TYPE1 \\# 4 c0000250\n", "old  A   192.0.2.7\n"],
        &[
            ("delete", "www.example.com", "TYPE1"),
            ("delete", "old.example.com", "A"),
        ],
    );
    assert_eq!(code, 1, "{v:#}");
    let in_use = reason(&v, "deletion-in-use");
    assert_eq!(
        (in_use["name"].as_str(), in_use["type"].as_str()),
        (Some("www.example.com"), Some("A"))
    );
    assert_eq!(in_use["evidence"]["value"].as_f64(), Some(100.0));
    let dangling = reason(&v, "dangling-reference");
    assert!(
        dangling["message"]
            .as_str()
            .unwrap()
            .contains("legacy.example.com"),
        "{dangling:#}"
    );
}

/// Issue 9 (review): the policy's path was compared with git's as written, so
/// `policies/../policies/default.toml` in the base config hid an edit of the policy.
#[test]
fn regression_9_an_edited_policy_is_found_however_the_config_spells_its_path() {
    let repo = repo(FILE_METRICS);
    repo.write(
        "changegate.toml",
        &format!(
            "policy = \"policies/../policies//default.toml\"\n[sources]\nzonefiles = [\"zones/*.zone\"]\n{FILE_METRICS}"
        ),
    );
    commit_base(&repo, "spell the policy's path oddly");
    repo.write(
        "policies/default.toml",
        &POLICY.replace("count = 1", "count = 0"),
    );
    commit(&repo, "lower the bar");
    let (code, v) = repo.check_json(&["--base", "base"]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(top_codes(&v), ["policy-changed"], "{v:#}");
}

/// Issue 9 (review): the file backend counted a deleted wildcard or delegation as its own
/// row, which nobody resolves.
#[test]
fn regression_9_file_evidence_counts_what_a_wildcard_or_delegation_answered() {
    let repo = repo(FILE_METRICS);
    repo.write(
        "counts.csv",
        "# from: 2026-01-01T00:00:00Z\n# to: 2026-01-15T00:00:00Z\nname,type,count\nanything.example.com,A,5000\nwww.dev.example.com,A,9000\n",
    );
    let (code, v) = delete_from_new_base(
        &repo,
        |z| z.to_string() + "*    A   192.0.2.99\ndev  NS  ns.other.net.\n",
        &["*    A   192.0.2.99\n", "dev  NS  ns.other.net.\n"],
        &[
            ("delete", "*.example.com", "A"),
            ("delete", "dev.example.com", "NS"),
        ],
    );
    assert_eq!(code, 1, "{v:#}");
    let values: Vec<(String, f64)> = v["tickets"][0]["deletions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["name"].as_str().unwrap().to_string(),
                d["evidence"]["value"].as_f64().unwrap_or(-1.0),
            )
        })
        .collect();
    assert!(
        values.contains(&("*.example.com".into(), 14000.0)),
        "{values:?}"
    );
    assert!(
        values.contains(&("dev.example.com".into(), 9000.0)),
        "{values:?}"
    );
}

/// Issue 9 (review): a tag named like the base's abbreviated hash won git's lookup.
#[test]
fn regression_9_a_tag_named_like_a_short_hash_is_ambiguous() {
    let repo = repo(FILE_METRICS);
    let short = git(repo.path(), &["rev-parse", "--short=10", "base"]);
    edit_zone(&repo, |z| {
        z.replace("www  A   192.0.2.80", "www  A   192.0.2.81")
    });
    commit(&repo, "sneak");
    git(repo.path(), &["tag", &short, "HEAD"]);
    let out = repo
        .cmd()
        .args(["check", "--base", &short])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("ambiguous"), "{stderr}");
}

/// Issue 16: the program a `command` backend runs, and the files it is given, come from the
/// work tree: a change that edits one of them chooses its own evidence, so it is a policy
/// change, judged on its own.
#[test]
fn a_change_that_edits_the_evidence_command_is_a_policy_change() {
    let script = "#!/bin/sh\ncat >/dev/null\necho '{\"count\": 12, \"covered_from\": \"2020-01-01T00:00:00Z\", \"covered_to\": \"2030-01-01T00:00:00Z\"}'\n";
    let repo = repo(
        "[metrics]\nbackend = \"command\"\ncommand = [\"scripts/count\", \"logs/rows.csv\"]\n",
    );
    let logs_policy = POLICY
        .lines()
        .filter(|l| !l.starts_with("query") && !l.starts_with("coverage_query"))
        .collect::<Vec<_>>()
        .join("\n");
    repo.write("scripts/count", script)
        .write("logs/rows.csv", "x\n")
        .write("policies/default.toml", &logs_policy);
    std::fs::set_permissions(
        repo.path().join("scripts/count"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    commit_base(&repo, "the evidence script");
    for (path, text) in [
        ("scripts/count", script.replace("12", "0")),
        ("logs/rows.csv", "y\n".to_string()),
    ] {
        git(repo.path(), &["checkout", "-q", "base", "--", "."]);
        repo.write(path, &text);
        edit_zone(&repo, |z| z.replace("old  A   192.0.2.7\n", ""));
        ticket(&repo, "CHG-E", &[("delete", "old.example.com", "A")]);
        commit(&repo, "delete, and make the evidence say zero");
        let (code, v) = repo.check_json(&["--base", "base"]);
        assert_eq!(code, 1, "{v:#}");
        assert_eq!(top_codes(&v), ["policy-changed"], "{path}: {v:#}");
        assert!(v["reasons"][0]["message"].as_str().unwrap().contains(path));
        git(repo.path(), &["reset", "-q", "--hard", "base"]);
    }
}

/// Issue 16: the TTL the deleted RRset had in the base decides whether logs can see it.
#[test]
fn a_deleted_rrset_cached_longer_than_half_the_window_is_refused() {
    let repo = repo(FILE_METRICS);
    let (code, v) = delete_from_new_base(
        &repo,
        |z| z.replace("old  A   192.0.2.7", "old 864000 A 192.0.2.7"),
        &["old 864000 A 192.0.2.7\n"],
        &[("delete", "old.example.com", "A")],
    );
    assert_eq!(code, 1, "{v:#}");
    let r = reason(&v, "deletion-no-telemetry");
    assert!(r["message"].as_str().unwrap().contains("864000 s"), "{r:#}");
}

/// The review's attack: a change cannot reach the evidence program through a file it never
/// names (a helper the script sources from its own folder). With `--base` the program runs
/// in a copy of the base commit's files, where the change's helper is not.
#[test]
fn the_evidence_command_runs_among_the_base_files_not_the_changes() {
    let repo = repo("[metrics]\nbackend = \"command\"\ncommand = [\"scripts/count\"]\n");
    let logs_policy = POLICY
        .lines()
        .filter(|l| !l.starts_with("query") && !l.starts_with("coverage_query"))
        .collect::<Vec<_>>()
        .join("\n");
    let script = r#"#!/bin/sh
cat >/dev/null
. "$(dirname "$0")/helper.sh"
echo "{\"count\": $COUNT, \"covered_from\": \"2020-01-01T00:00:00Z\", \"covered_to\": \"2030-01-01T00:00:00Z\"}"
"#;
    repo.write("scripts/count", script)
        .write("scripts/helper.sh", "COUNT=12\n")
        .write("policies/default.toml", &logs_policy);
    std::fs::set_permissions(
        repo.path().join("scripts/count"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    commit_base(&repo, "the evidence script and its helper");
    repo.write("scripts/helper.sh", "COUNT=0\n");
    edit_zone(&repo, |z| z.replace("old  A   192.0.2.7\n", ""));
    ticket(&repo, "CHG-H", &[("delete", "old.example.com", "A")]);
    commit(&repo, "delete, and make the helper say zero");
    let (code, v) = repo.check_json(&["--base", "base"]);
    assert_eq!(code, 1, "{v:#}");
    let r = reason(&v, "deletion-in-use");
    assert_eq!(
        r["evidence"]["value"], 12.0,
        "the base's helper answered: {v:#}"
    );
}

/// The review's attack on the TTL rule: lower a long TTL in one change, delete in the next.
/// Resolvers that cached the old TTL have not asked since, so the TTL judged is the largest
/// on the base's history within the window; a TTL lowered before the window is not held
/// against the deletion.
#[test]
fn a_ttl_lowered_just_before_the_deletion_is_still_the_long_one() {
    let commit_at = |repo: &Repo, message: &str, date: &str| {
        git(repo.path(), &["add", "-A"]);
        // An empty message amends the last commit (the fixture's first) to the date.
        let args: &[&str] = if message.is_empty() {
            &["commit", "-q", "--amend", "--no-edit"]
        } else {
            &["commit", "-q", "-m", message]
        };
        let status = Command::new("git")
            .current_dir(repo.path())
            .args(args)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .status()
            .unwrap();
        assert!(status.success());
    };
    // The window is the 14 days before 2026-01-15. The last case backdates the lowering to
    // before the window, after a long TTL that stood within it: the walk is not cut short.
    for (cached_on, lowered_on, refused) in [
        ("2025-11-01T00:00:00Z", "2026-01-10T00:00:00Z", true),
        ("2025-11-01T00:00:00Z", "2025-12-01T00:00:00Z", false),
        ("2026-01-08T00:00:00Z", "2025-12-01T00:00:00Z", true),
    ] {
        let repo = repo(FILE_METRICS);
        commit_at(&repo, "", "2025-10-01T00:00:00Z");
        edit_zone(&repo, |z| {
            z.replace("old  A   192.0.2.7", "old 864000 A 192.0.2.7")
        });
        commit_at(&repo, "old is cached for ten days", cached_on);
        edit_zone(&repo, |z| {
            z.replace("old 864000 A 192.0.2.7", "old 60 A 192.0.2.7")
        });
        commit_at(&repo, "lower the TTL", lowered_on);
        git(repo.path(), &["tag", "-f", "base"]);
        edit_zone(&repo, |z| z.replace("old 60 A 192.0.2.7\n", ""));
        ticket(&repo, "CHG-T", &[("delete", "old.example.com", "A")]);
        commit(&repo, "delete old");
        let (code, v) = repo.check_json(&["--base", "base"]);
        let ttl_refusal = codes(&v).contains(&"deletion-no-telemetry".to_string());
        assert_eq!(ttl_refusal, refused, "lowered on {lowered_on}: {v:#}");
        if refused {
            assert_eq!(code, 1);
            let r = reason(&v, "deletion-no-telemetry");
            assert!(r["message"].as_str().unwrap().contains("864000 s"), "{r:#}");
        }
    }
}

/// Issue 13: `ticket new` declares exactly the range's changes; what a person must decide is
/// left to them, and `check` refuses it until they do.
#[test]
fn ticket_new_declares_the_diff_and_leaves_the_decisions_open() {
    let repo = repo(FILE_METRICS);
    // No changes yet: nothing is written.
    let output = repo
        .cmd()
        .args(["ticket", "new", "--base", "base"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stderr).contains("nothing for a ticket to declare"));
    assert!(!repo.path().join("changes").exists());

    edit_zone(&repo, |z| {
        z.replace("old  A   192.0.2.7\n", "")
            .replace("www  A   192.0.2.80", "www  A   192.0.2.81")
            + "new  TXT \"hello\"\n"
    });
    commit(&repo, "the DNS change");
    let output = repo
        .cmd()
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .args([
            "ticket",
            "new",
            "--base",
            "base",
            "--author",
            "dana@example.com",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("3 change(s) declared"), "{stderr}");
    assert!(stderr.contains("tier `high`"), "{stderr}");
    let text = std::fs::read_to_string(repo.path().join("changes/CHG-1.toml")).unwrap();
    assert!(text.starts_with("# Tier `high`"), "{text}");
    assert!(text.contains("author = \"dana@example.com\""), "{text}");
    assert!(text.contains("# TODO: why this change is made"), "{text}");

    // Never overwritten.
    let output = repo
        .cmd()
        .args(["ticket", "new", "--base", "base", "--id", "CHG-1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("never overwritten"));

    commit(&repo, "the ticket, as written");
    let (code, v) = repo.check_json(&["--base", "base"]);
    assert_eq!(code, 1, "{v:#}");
    assert!(
        v["reasons"].as_array().is_none_or(|r| r.is_empty()),
        "{v:#}"
    );
    assert!(
        v["tickets"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["code"] != "declared-not-in-diff"),
        "{v:#}"
    );
    let missing: Vec<&str> = v["tickets"][0]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["code"] == "field-missing")
        .map(|r| r["message"].as_str().unwrap())
        .collect();
    for field in ["intent.summary", "blast_radius.scope", "rollback.steps"] {
        assert!(
            missing.iter().any(|m| m.contains(field)),
            "{field}: {missing:?}"
        );
    }
}

/// Rewrites the ticket `id` with `edit` and commits the range again.
fn edit_ticket(repo: &Repo, id: &str, edit: impl FnOnce(&str) -> String) {
    let path = repo.path().join(format!("changes/{id}.toml"));
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(path, edit(&text)).unwrap();
}

/// Issue 17, mass changes (GitHub 2014; octoDNS's safety thresholds): at most 30% of a
/// zone's RRsets updated (or deleted) by one change, unless it says it means it.
#[test]
fn regression_17_mass_change() {
    // The fixture zone holds 10 RRsets: 3 updates are 30% (allowed), 4 are 40%.
    for (updated, refused) in [
        (&["www", "app", "ns1"][..], false),
        (&["www", "app", "ns1", "old"][..], true),
    ] {
        let repo = repo(FILE_METRICS);
        edit_zone(&repo, |z| {
            updated.iter().fold(z.to_string(), |z, name| {
                z.replacen(
                    &format!("{name}  A   192.0.2."),
                    &format!("{name}  A   198.51.100."),
                    1,
                )
            })
        });
        let changes: Vec<(&str, String, &str)> = updated
            .iter()
            .map(|n| ("update", format!("{n}.example.com"), "A"))
            .collect();
        let changes: Vec<(&str, &str, &str)> = changes
            .iter()
            .map(|(a, n, t)| (*a, n.as_str(), *t))
            .collect();
        ticket(&repo, "CHG-M", &changes);
        commit(&repo, "many updates");
        let (code, v) = repo.check_json(&["--base", "base"]);
        assert_eq!(
            codes(&v).contains(&"mass-change".to_string()),
            refused,
            "{updated:?}: {v:#}"
        );
        if refused {
            assert_eq!(code, 1);
            assert!(
                reason(&v, "mass-change")["message"]
                    .as_str()
                    .unwrap()
                    .contains("4 of the 10 RRsets"),
                "{v:#}"
            );
            // Said to be meant: not refused for its size, and the highest tier.
            edit_ticket(&repo, "CHG-M", |t| {
                t.replace("[blast_radius]\n", "[blast_radius]\nmass_change = true\n")
            });
            commit(&repo, "it is meant");
            let (_, v) = repo.check_json(&["--base", "base"]);
            assert!(!codes(&v).contains(&"mass-change".to_string()), "{v:#}");
            assert_eq!(v["tickets"][0]["tier"], "high", "{v:#}");
        }
    }
}

/// Issue 17, TTLs (Slack 2021, Azure 2019): a TTL raised with a change of values, and a
/// rollback declared faster than the caches allow.
#[test]
fn regression_17_ttl_raised_with_change_and_rollback_slower_than_declared() {
    // 300 s to 601 s with new values: refused; to 600 s (twice): allowed.
    for (ttl, refused) in [("601", true), ("600", false)] {
        let repo = repo(FILE_METRICS);
        edit_zone(&repo, |z| {
            z.replace("www  A   192.0.2.80", &format!("www {ttl} A 192.0.2.81"))
        });
        ticket(&repo, "CHG-T", &[("update", "www.example.com", "A")]);
        commit(&repo, "raise and change");
        let (_, v) = repo.check_json(&["--base", "base"]);
        assert_eq!(
            codes(&v).contains(&"ttl-raised-with-change".to_string()),
            refused,
            "{ttl}: {v:#}"
        );
    }
    // A TTL raised alone is fine.
    let alone = repo(FILE_METRICS);
    edit_zone(&alone, |z| {
        z.replace("www  A   192.0.2.80", "www 3600 A 192.0.2.80")
    });
    ticket(&alone, "CHG-T", &[("update", "www.example.com", "A")]);
    commit(&alone, "raise only");
    let (code, v) = alone.check_json(&["--base", "base"]);
    assert_eq!(code, 0, "{v:#}");

    // A 600 s TTL published: a rollback takes at least 10 minutes to reach clients.
    for (declared, refused) in [("5m", true), ("10m", false)] {
        let repo = repo(FILE_METRICS);
        edit_zone(&repo, |z| {
            z.replace("www  A   192.0.2.80", "www 600 A 192.0.2.81")
        });
        ticket(&repo, "CHG-R", &[("update", "www.example.com", "A")]);
        edit_ticket(&repo, "CHG-R", |t| {
            t.replace(
                "[rollback]\n",
                &format!("[rollback]\ntime_to_mitigate = \"{declared}\"\n"),
            )
        });
        commit(&repo, "with a declared time to mitigate");
        let (_, v) = repo.check_json(&["--base", "base"]);
        let found = codes(&v).contains(&"rollback-slower-than-declared".to_string());
        assert_eq!(found, refused, "{declared}: {v:#}");
        if refused {
            let message = reason(&v, "rollback-slower-than-declared")["message"]
                .as_str()
                .unwrap();
            assert!(
                message.contains("600 s") && message.contains("www.example.com"),
                "{message}"
            );
        }
    }
    // A deletion: "no such name" is cached for the zone's negative TTL (its SOA's 300 s).
    let deleting = repo(FILE_METRICS);
    edit_zone(&deleting, |z| z.replace("old  A   192.0.2.7\n", ""));
    ticket(&deleting, "CHG-D", &[("delete", "old.example.com", "A")]);
    edit_ticket(&deleting, "CHG-D", |t| {
        t.replace("[rollback]\n", "[rollback]\ntime_to_mitigate = \"4m\"\n")
    });
    commit(&deleting, "delete, quickly");
    let (_, v) = deleting.check_json(&["--base", "base"]);
    let message = reason(&v, "rollback-slower-than-declared")["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("negative-caching TTL, 300 s"), "{message}");
}

/// A mass change split across tickets is as large as its diff: refused for the range.
#[test]
fn regression_17_mass_change_split_across_tickets() {
    let repo = repo(FILE_METRICS);
    edit_zone(&repo, |z| {
        ["www", "app", "d", "old"]
            .iter()
            .fold(z.to_string(), |z, name| {
                z.replacen(
                    &format!("{name:<5}A   192.0.2."),
                    &format!("{name:<5}A   198.51.100."),
                    1,
                )
            })
    });
    ticket(
        &repo,
        "CHG-S1",
        &[
            ("update", "www.example.com", "A"),
            ("update", "app.example.com", "A"),
        ],
    );
    ticket(
        &repo,
        "CHG-S2",
        &[
            ("update", "d.example.com", "A"),
            ("update", "old.example.com", "A"),
        ],
    );
    commit(&repo, "four updates in two tickets");
    let (code, v) = repo.check_json(&["--base", "base"]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(top_codes(&v), ["mass-change"], "{v:#}");
    assert!(
        v["reasons"][0]["message"]
            .as_str()
            .unwrap()
            .contains("across its tickets")
    );
    // One ticket saying it means it lifts the range-wide refusal.
    edit_ticket(&repo, "CHG-S1", |t| {
        t.replace("[blast_radius]\n", "[blast_radius]\nmass_change = true\n")
    });
    commit(&repo, "meant");
    let (_, v) = repo.check_json(&["--base", "base"]);
    assert!(
        v["reasons"].as_array().is_none_or(|r| r.is_empty()),
        "{v:#}"
    );
}

/// A review's finding: a history too long to read in full must not pass as "no longer TTL".
#[test]
fn a_ttl_history_too_long_to_read_refuses_the_deletion() {
    let repo = repo(FILE_METRICS);
    // Commits outside the zones' folders (tickets, approvals) make no new state of the zones.
    for i in 0..300 {
        repo.write("changes/padding.txt", &format!("{i}\n"));
        commit(&repo, "not the zones");
    }
    git(repo.path(), &["tag", "-f", "base"]);
    edit_zone(&repo, |z| z.replace("old  A   192.0.2.7\n", ""));
    ticket(&repo, "CHG-P", &[("delete", "old.example.com", "A")]);
    commit(&repo, "delete old");
    let (_, v) = repo.check_json(&["--base", "base"]);
    assert!(!v.to_string().contains("states of the zones"), "{v:#}");
    git(repo.path(), &["reset", "-q", "--hard", "base"]);
    for i in 0..260 {
        repo.write("zones/padding.zone", &format!("$ORIGIN pad{i}.example.\n"));
        commit(&repo, "padding");
    }
    git(repo.path(), &["tag", "-f", "base"]);
    edit_zone(&repo, |z| z.replace("old  A   192.0.2.7\n", ""));
    ticket(&repo, "CHG-P", &[("delete", "old.example.com", "A")]);
    commit(&repo, "delete old");
    let (code, v) = repo.check_json(&["--base", "base"]);
    assert_eq!(code, 1, "{v:#}");
    let message = reason(&v, "deletion-no-telemetry")["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("more than 256 states of the zones"),
        "{message}"
    );
}

/// A review's finding: a type change (A at 300 s to a CNAME at a day) raises the TTL of the
/// name's answers as much as an update does.
#[test]
fn regression_17_a_type_change_that_raises_the_ttl_is_refused() {
    let repo = repo(FILE_METRICS);
    edit_zone(&repo, |z| {
        z.replace("app  A   192.0.2.9", "app 86400 CNAME www")
    });
    ticket(
        &repo,
        "CHG-X",
        &[
            ("delete", "app.example.com", "A"),
            ("create", "app.example.com", "CNAME"),
        ],
    );
    commit(&repo, "retype app with a long TTL");
    let (_, v) = repo.check_json(&["--base", "base"]);
    assert!(
        codes(&v).contains(&"ttl-raised-with-change".to_string()),
        "{v:#}"
    );
}

/// A review's finding: `mass_change = true` on a ticket that declares nothing of the mass
/// change must not lift the range-wide limit for the others.
#[test]
fn regression_17_a_decoy_mass_change_ticket_exempts_nothing_else() {
    let repo = repo(FILE_METRICS);
    edit_zone(&repo, |z| {
        ["www", "app", "d", "old"]
            .iter()
            .fold(z.to_string(), |z, name| {
                z.replacen(
                    &format!("{name:<5}A   192.0.2."),
                    &format!("{name:<5}A   198.51.100."),
                    1,
                )
            })
    });
    ticket(
        &repo,
        "CHG-S1",
        &[
            ("update", "www.example.com", "A"),
            ("update", "app.example.com", "A"),
        ],
    );
    ticket(
        &repo,
        "CHG-S2",
        &[
            ("update", "ns1.example.com", "A"),
            ("update", "old.example.com", "A"),
        ],
    );
    ticket(&repo, "CHG-D", &[("create", "h0.example.com", "TXT")]);
    edit_ticket(&repo, "CHG-D", |t| {
        t.replace("[blast_radius]\n", "[blast_radius]\nmass_change = true\n")
    });
    commit(&repo, "a decoy");
    let (_, v) = repo.check_json(&["--base", "base"]);
    assert_eq!(
        top_codes(&v).iter().filter(|c| *c == "mass-change").count(),
        1,
        "{v:#}"
    );
}

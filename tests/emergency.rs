//! Emergency changes in real git repositories with real `ssh-keygen` keys: authorized up
//! front by on-call, merged, reviewed after the fact, and holding their zone when the review
//! is overdue; and `changegate log`, the record of it all.

mod common;

use std::path::PathBuf;

use common::{Repo, git};

const POLICY: &str = r#"
[groups]
oncall = ["alice@example.com", "bob@example.com"]
leads = ["carol@example.com"]

[signers]
allowed_signers = "allowed_signers"

[[tier]]
name = "routine"
require = []

[[tier]]
name = "high"
require = [{ group = "oncall", count = 1 }, { group = "leads", count = 1 }]

[[rule]]
when = { name = "*" }
tier = "high"

[emergency]
require = [{ group = "oncall", count = 1 }]
review_within = "24h"

[limits]
negative_ttl = 60

[deletion]
window = "14d"
"#;

const ZONE: &str = "$ORIGIN example.com.\n@ 300 IN SOA ns1 hostmaster 1 2 3 4 60\n\
                    www 300 IN A 192.0.2.1\nmail 300 IN A 192.0.2.25\n";
const OTHER: &str = "$ORIGIN other.example.\n@ 300 IN SOA ns1 hostmaster 1 2 3 4 60\n\
                     www 300 IN A 198.51.100.1\n";

/// The merge of the emergency: a day before the tests' `now` plus twelve hours.
const MERGED_AT: &str = "2026-01-14T12:00:00Z";
const BEFORE_DEADLINE: &str = "2026-01-15T06:00:00Z";
const AFTER_DEADLINE: &str = "2026-01-16T00:00:00Z";

struct Setup {
    repo: Repo,
    keys: tempfile::TempDir,
}

impl Setup {
    fn key(&self, who: &str) -> PathBuf {
        self.keys.path().join(who)
    }

    fn git_at(&self, date: &str, args: &[&str]) {
        let out = std::process::Command::new("git")
            .current_dir(self.repo.path())
            .args(args)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn commit_at(&self, date: &str, message: &str) {
        self.git_at(date, &["add", "-A"]);
        self.git_at(date, &["commit", "-q", "-m", message]);
    }

    fn run(&self, now: &str, args: &[&str]) -> (i32, String, String) {
        let out = self
            .repo
            .cmd()
            .env("CHANGEGATE_NOW", now)
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn check(&self, now: &str, args: &[&str]) -> (i32, serde_json::Value) {
        let (code, out, err) = self.run(now, &[&["check", "--format", "json"], args].concat());
        let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
        (code, v)
    }

    /// Signs `ticket` as `who`, repeating the digest as a script does.
    fn approve(&self, now: &str, who: &str, ticket: &str, extra: &[&str]) -> (i32, String, String) {
        let (code, digest, err) = self.run(
            now,
            &[&["approve", "--show-digest"], extra, &[ticket]].concat(),
        );
        assert_eq!(code, 0, "{err}");
        let key = self.key(who);
        self.run(
            now,
            &[
                &[
                    "approve",
                    "--key",
                    key.to_str().unwrap(),
                    "--digest",
                    digest.trim(),
                ],
                extra,
                &[ticket],
            ]
            .concat(),
        )
    }
}

/// A repository on `main` holding config, policy, signers and two zones, with keys for
/// alice, bob and carol; and a branch `fix` whose emergency ticket changes `www.example.com`.
fn setup(emergency_change: &str) -> Setup {
    let repo = Repo::new();
    let keys = tempfile::tempdir().unwrap();
    let mut signers = String::new();
    for who in ["alice", "bob", "carol"] {
        let path = keys.path().join(who);
        let status = std::process::Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", who, "-f"])
            .arg(&path)
            .status()
            .expect("ssh-keygen is required");
        assert!(status.success());
        let public = std::fs::read_to_string(path.with_extension("pub")).unwrap();
        signers.push_str(&format!("{who}@example.com {public}"));
    }
    repo.write(
        "changegate.toml",
        "[sources]\nzonefiles = [\"zones/*.zone\"]\n[metrics]\nbackend = \"file\"\npath = \"counts.csv\"\n",
    )
    .write("policies/default.toml", POLICY)
    .write("policies/allowed_signers", &signers)
    .write("zones/example.com.zone", ZONE)
    .write("zones/other.example.zone", OTHER)
    .write(
        "counts.csv",
        "# from: 2026-01-01T00:00:00Z\n# to: 2026-01-16T00:00:00Z\nname,type,count\nwww.example.com,A,5000\n",
    );
    git(repo.path(), &["init", "-q", "-b", "main"]);
    let s = Setup { repo, keys };
    s.commit_at("2026-01-10T00:00:00Z", "the DNS repository");
    git(s.repo.path(), &["checkout", "-q", "-b", "fix"]);
    let ticket = emergency_ticket("CHG-1", emergency_change);
    s.repo.write("changes/CHG-1.toml", &ticket);
    match emergency_change {
        "update" => s.repo.write(
            "zones/example.com.zone",
            &ZONE.replace("192.0.2.1", "192.0.2.2"),
        ),
        _ => s.repo.write(
            "zones/example.com.zone",
            &ZONE.replace("www 300 IN A 192.0.2.1\n", ""),
        ),
    };
    s.commit_at("2026-01-14T11:00:00Z", "CHG-1: sso is down");
    s
}

fn emergency_ticket(id: &str, action: &str) -> String {
    let values = if action == "update" {
        "values = [\"192.0.2.2\"]\n"
    } else {
        ""
    };
    format!(
        r#"id = "{id}"
title = "Point www at the standby"
author = "vojtech@example.com"
kind = "emergency"

[intent]
summary = "Move www to the standby address"
reason = "The primary is down; customers cannot sign in"

[blast_radius]
scope = "record"
impact = "www only"

[[change]]
action = "{action}"
name = "www.example.com"
type = "A"
{values}
[rollback]
steps = ["Revert the merge"]
time_to_mitigate = "1h"
"#
    )
}

/// Merges `fix` into `main` at `MERGED_AT` with one on-call approval, as the emergency ran.
fn merge_with_oncall(s: &Setup) {
    let (code, _, err) = s.approve(
        MERGED_AT,
        "alice",
        "changes/CHG-1.toml",
        &["--base", "main"],
    );
    assert_eq!(code, 0, "{err}");
    s.commit_at(MERGED_AT, "CHG-1: on-call approval");
    let (code, v) = s.check(MERGED_AT, &["--base", "main"]);
    assert_eq!(
        code, 0,
        "one on-call approval authorizes the emergency: {v:#}"
    );
    let finding = &v["tickets"][0]["findings"][0];
    assert_eq!(finding["code"], "emergency-change", "{v:#}");
    git(s.repo.path(), &["checkout", "-q", "main"]);
    s.git_at(
        MERGED_AT,
        &["merge", "-q", "--no-ff", "-m", "Merge CHG-1", "fix"],
    );
}

/// A branch off `main` changing `zone` (with its own ticket, normal and approved in full).
fn next_change(s: &Setup, branch: &str, zone: &str) {
    git(s.repo.path(), &["checkout", "-q", "-b", branch, "main"]);
    let (file, text, name) = if zone == "example.com" {
        (
            "zones/example.com.zone",
            ZONE.replace("192.0.2.25", "192.0.2.26")
                .replace("192.0.2.1", "192.0.2.2"),
            "mail.example.com",
        )
    } else {
        (
            "zones/other.example.zone",
            OTHER.replace("198.51.100.1", "198.51.100.2"),
            "www.other.example",
        )
    };
    s.repo.write(file, &text);
    let ticket = emergency_ticket("CHG-2", "update")
        .replace("kind = \"emergency\"", "kind = \"normal\"")
        .replace("www.example.com", name)
        .replace(
            "192.0.2.2",
            if zone == "example.com" {
                "192.0.2.26"
            } else {
                "198.51.100.2"
            },
        );
    s.repo.write("changes/CHG-2.toml", &ticket);
    s.commit_at("2026-01-15T00:00:00Z", "CHG-2");
    for who in ["bob", "carol"] {
        let (code, _, err) = s.approve(
            BEFORE_DEADLINE,
            who,
            "changes/CHG-2.toml",
            &["--base", "main"],
        );
        assert_eq!(code, 0, "{err}");
    }
    s.commit_at("2026-01-15T00:00:00Z", "CHG-2 approvals");
}

#[test]
fn an_overdue_emergency_holds_its_zone_until_it_is_reviewed() {
    let s = setup("update");
    merge_with_oncall(&s);
    next_change(&s, "next", "example.com");
    // Within the review window, other changes to the zone pass.
    let (code, v) = s.check(BEFORE_DEADLINE, &["--base", "main"]);
    assert_eq!(code, 0, "{v:#}");
    // Past it, the zone takes no further changes.
    let (code, v) = s.check(AFTER_DEADLINE, &["--base", "main"]);
    assert_eq!(code, 1, "{v:#}");
    let hold = v["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "emergency-unreviewed")
        .unwrap_or_else(|| panic!("{v:#}"));
    let message = hold["message"].as_str().unwrap();
    assert!(
        message.contains("CHG-1") && message.contains("2026-01-15T12:00:00Z"),
        "{message}"
    );
    assert!(
        message.contains("carol@example.com"),
        "who can still sign: {message}"
    );
    // Another zone is not held.
    git(s.repo.path(), &["checkout", "-q", "main"]);
    next_change(&s, "other", "other.example");
    let (code, v) = s.check(AFTER_DEADLINE, &["--base", "main"]);
    assert_eq!(code, 0, "{v:#}");

    // The reviews, signed on main after the fact, lift the hold: a change of only reviews
    // passes, and then the held change does too.
    git(s.repo.path(), &["checkout", "-q", "main"]);
    git(s.repo.path(), &["checkout", "-q", "-b", "reviews"]);
    for who in ["alice", "carol"] {
        let (code, out, err) = s.approve(AFTER_DEADLINE, who, "changes/CHG-1.toml", &[]);
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("retrospective review"), "{out}");
    }
    let review = std::fs::read_to_string(
        s.repo
            .path()
            .join("changes/CHG-1.reviews/carol@example.com.sig"),
    )
    .unwrap();
    assert!(review.contains("changegate review v1"), "{review}");
    s.commit_at(AFTER_DEADLINE, "CHG-1 reviews");
    let (code, v) = s.check(AFTER_DEADLINE, &["--base", "main"]);
    assert_eq!(code, 0, "reviews alone change no zone: {v:#}");
    git(s.repo.path(), &["checkout", "-q", "main"]);
    s.git_at(
        AFTER_DEADLINE,
        &["merge", "-q", "--no-ff", "-m", "Merge reviews", "reviews"],
    );
    git(s.repo.path(), &["checkout", "-q", "next"]);
    let (code, v) = s.check(AFTER_DEADLINE, &["--base", "main"]);
    assert_eq!(code, 0, "the hold is lifted: {v:#}");

    // The record: reviewed, by whom; and the normal change merged after it.
    git(s.repo.path(), &["checkout", "-q", "main"]);
    s.git_at(
        AFTER_DEADLINE,
        &["merge", "-q", "--no-ff", "-m", "Merge CHG-2", "next"],
    );
    let (code, out, err) = s.run(
        AFTER_DEADLINE,
        &["log", "--base", "main", "--format", "json"],
    );
    assert_eq!(code, 0, "{err}");
    let log: serde_json::Value = serde_json::from_str(&out).unwrap();
    let chg1 = log["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "CHG-1")
        .unwrap();
    assert_eq!(chg1["kind"], "emergency");
    assert_eq!(chg1["tier"], "high");
    assert_eq!(chg1["approvals"], serde_json::json!(["alice@example.com"]));
    assert_eq!(chg1["review"]["state"], "reviewed");
    assert_eq!(chg1["merged_at"], MERGED_AT);
    let chg2 = log["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "CHG-2")
        .unwrap();
    assert_eq!(chg2["kind"], "normal");
    assert_eq!(chg2["tier"], "high");
    assert_eq!(
        chg2["approvals"],
        serde_json::json!(["bob@example.com", "carol@example.com"])
    );
    assert!(chg2.get("review").is_none(), "{chg2:#}");
}

#[test]
fn the_log_says_pending_then_overdue() {
    let s = setup("update");
    merge_with_oncall(&s);
    for (now, state) in [(BEFORE_DEADLINE, "pending"), (AFTER_DEADLINE, "overdue")] {
        let (code, out, err) = s.run(now, &["log", "--format", "json"]);
        assert_eq!(code, 0, "{err}");
        let log: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(log["tickets"][0]["review"]["state"], state, "{log:#}");
        assert_eq!(
            log["tickets"][0]["review"]["deadline"],
            "2026-01-15T12:00:00Z"
        );
    }
    let (code, out, _) = s.run(AFTER_DEADLINE, &["log"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("OVERDUE since") && out.contains("holds"),
        "{out}"
    );
    let (_, out, _) = s.run(AFTER_DEADLINE, &["log", "--since", "2026-01-15"]);
    assert!(out.contains("no tickets merged"), "{out}");
}

#[test]
fn a_review_replayed_as_an_approval_before_merge_does_not_count() {
    let s = setup("update");
    merge_with_oncall(&s);
    let (code, _, err) = s.approve(AFTER_DEADLINE, "carol", "changes/CHG-1.toml", &[]);
    assert_eq!(code, 0, "{err}");
    // Carol's review, copied as an up-front approval of a new emergency like it.
    git(s.repo.path(), &["checkout", "-q", "-b", "replay", "main"]);
    std::fs::create_dir_all(s.repo.path().join("changes/CHG-1.approvals")).unwrap();
    std::fs::copy(
        s.repo
            .path()
            .join("changes/CHG-1.reviews/carol@example.com.sig"),
        s.repo
            .path()
            .join("changes/CHG-1.approvals/carol@example.com.sig"),
    )
    .unwrap();
    std::fs::remove_dir_all(s.repo.path().join("changes/CHG-1.reviews")).unwrap();
    s.repo.write(
        "zones/example.com.zone",
        &ZONE.replace("192.0.2.1", "192.0.2.3"),
    );
    let text = std::fs::read_to_string(s.repo.path().join("changes/CHG-1.toml")).unwrap();
    s.repo.write(
        "changes/CHG-1.toml",
        &text.replace("192.0.2.2", "192.0.2.3"),
    );
    s.commit_at(AFTER_DEADLINE, "replay");
    let (code, v) = s.check(BEFORE_DEADLINE, &["--base", "main"]);
    assert_eq!(code, 1, "{v:#}");
    let invalid = v["tickets"][0]["approvals"]["invalid"].as_array().unwrap();
    assert!(
        invalid.iter().any(|a| a["approver"] == "carol@example.com"
            && a["reason"]
                .as_str()
                .unwrap()
                .contains("cannot stand in for an approval before merge")),
        "{v:#}"
    );
}

#[test]
fn an_emergency_never_bypasses_the_deletion_gate() {
    let s = setup("delete");
    let (code, _, err) = s.approve(
        MERGED_AT,
        "alice",
        "changes/CHG-1.toml",
        &["--base", "main"],
    );
    assert_eq!(code, 0, "{err}");
    s.commit_at(MERGED_AT, "CHG-1: on-call approval");
    let (code, v) = s.check(MERGED_AT, &["--base", "main"]);
    assert_eq!(code, 1, "{v:#}");
    let reasons: Vec<&str> = v["tickets"][0]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["deletion-in-use"], "{v:#}");
}

// ---------------------------------------------------------------------------------------------
// Holds on drift: a change is judged against what production answers, not only the files.

/// A repository whose base has `www.example.com A 192.0.2.1`, with `[holds] drift = true` and
/// `resolver`, and a head updating `www` to 192.0.2.2 (`reconciles`: the ticket says it
/// reconciles the drift there).
fn drift_repo(resolver: &str, reconciles: bool) -> Setup {
    let s = setup("update");
    let text = std::fs::read_to_string(s.repo.path().join("changegate.toml")).unwrap();
    git(s.repo.path(), &["checkout", "-q", "main"]);
    s.repo.write(
        "changegate.toml",
        &format!("{text}[holds]\ndrift = true\n[dns]\nresolvers = [\"{resolver}\"]\n"),
    );
    s.repo.write(
        "policies/default.toml",
        "[[tier]]\nname = \"routine\"\nrequire = []\n[deletion]\nwindow = \"14d\"\n",
    );
    s.commit_at("2026-01-12T00:00:00Z", "holds on drift");
    git(s.repo.path(), &["checkout", "-q", "-b", "change"]);
    s.repo.write(
        "zones/example.com.zone",
        &ZONE.replace("192.0.2.1", "192.0.2.2"),
    );
    let mut ticket =
        emergency_ticket("CHG-3", "update").replace("kind = \"emergency\"", "kind = \"normal\"");
    if reconciles {
        ticket = ticket.replace(
            "values = [\"192.0.2.2\"]\n",
            "values = [\"192.0.2.2\"]\nreconciles_drift = true\n",
        );
    }
    s.repo.write("changes/CHG-3.toml", &ticket);
    s.commit_at("2026-01-14T00:00:00Z", "CHG-3");
    s
}

fn drifted(v: &serde_json::Value) -> Vec<String> {
    v["reasons"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["code"] == "zone-drifted")
        .map(|r| r["message"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_change_to_a_name_that_already_drifted_is_held() {
    // Production still answers what the base says: the change's premise holds.
    let server = common::dns::DnsServer::start(&[("example.com", ZONE)]);
    let s = drift_repo(&server.resolver(), false);
    let (code, v) = s.check(BEFORE_DEADLINE, &["--base", "main"]);
    assert_eq!(code, 0, "{v:#}");
    drop(server);

    // Someone changed www by hand: the change would be built on a false premise.
    let live = ZONE.replace("192.0.2.1", "192.0.2.99");
    let server = common::dns::DnsServer::start(&[("example.com", &live)]);
    let s = drift_repo(&server.resolver(), false);
    let (code, v) = s.check(BEFORE_DEADLINE, &["--base", "main"]);
    assert_eq!(code, 1, "{v:#}");
    let held = drifted(&v);
    assert_eq!(held.len(), 1, "{v:#}");
    assert!(
        held[0].contains("www.example.com A") && held[0].contains("192.0.2.99"),
        "{held:?}"
    );

    // The ticket says it reconciles exactly that: it passes.
    let s = drift_repo(&server.resolver(), true);
    let (code, v) = s.check(BEFORE_DEADLINE, &["--base", "main"]);
    assert_eq!(code, 0, "{v:#}");
}

#[test]
fn a_resolver_that_cannot_answer_is_not_no_drift() {
    let s = drift_repo(&common::dns::servfail().to_string(), false);
    let (code, v) = s.check(BEFORE_DEADLINE, &["--base", "main"]);
    assert_eq!(code, 1, "{v:#}");
    let held = drifted(&v);
    assert!(held.iter().any(|m| m.contains("SERVFAIL")), "{held:?}");
}

#[test]
fn holds_need_resolvers() {
    let s = setup("update");
    let text = std::fs::read_to_string(s.repo.path().join("changegate.toml")).unwrap();
    s.repo
        .write("changegate.toml", &format!("{text}[holds]\ndrift = true\n"));
    let (code, out, err) = s.run(BEFORE_DEADLINE, &["lint"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!((out + &err).contains("names no resolver"));
}

// ---------------------------------------------------------------------------------------------
// From an attacker's review of the emergency lane.

#[test]
fn a_merged_ticket_cannot_be_edited_into_a_new_emergency() {
    let s = setup("update");
    merge_with_oncall(&s);
    git(s.repo.path(), &["checkout", "-q", "-b", "again", "main"]);
    s.repo.write(
        "zones/example.com.zone",
        &ZONE.replace("192.0.2.1", "192.0.2.9"),
    );
    let text = std::fs::read_to_string(s.repo.path().join("changes/CHG-1.toml")).unwrap();
    s.repo.write(
        "changes/CHG-1.toml",
        &text.replace("192.0.2.2", "192.0.2.9"),
    );
    s.commit_at(AFTER_DEADLINE, "reuse CHG-1");
    let (code, v) = s.check(AFTER_DEADLINE, &["--base", "main"]);
    assert_eq!(code, 1, "{v:#}");
    let reasons = v["tickets"][0]["reasons"].as_array().unwrap();
    assert!(
        reasons.iter().any(|r| r["code"] == "ticket-invalid"
            && r["message"]
                .as_str()
                .unwrap()
                .contains("already on the base")),
        "{v:#}"
    );
}

#[test]
fn a_fast_forward_merge_still_holds_the_zones_the_emergency_declares() {
    let s = setup("update");
    // The ticket in one commit, the zone edit in the next, fast-forwarded onto main.
    git(s.repo.path(), &["checkout", "-q", "-b", "split", "main"]);
    s.repo
        .write("changes/CHG-1.toml", &emergency_ticket("CHG-1", "update"));
    s.commit_at("2026-01-14T10:00:00Z", "CHG-1: the ticket");
    s.repo.write(
        "zones/example.com.zone",
        &ZONE.replace("192.0.2.1", "192.0.2.2"),
    );
    s.commit_at(MERGED_AT, "CHG-1: the zone");
    git(s.repo.path(), &["checkout", "-q", "main"]);
    git(s.repo.path(), &["merge", "-q", "--ff-only", "split"]);
    let (code, out, err) = s.run(AFTER_DEADLINE, &["log", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let log: serde_json::Value = serde_json::from_str(&out).unwrap();
    let chg1 = &log["tickets"][0];
    assert_eq!(chg1["review"]["state"], "overdue", "{log:#}");
    assert_eq!(chg1["zones"], serde_json::json!(["example.com"]), "{log:#}");
    assert_eq!(chg1["tier"], "high", "the declared plan decides: {log:#}");
    next_change(&s, "next", "example.com");
    let (code, v) = s.check(AFTER_DEADLINE, &["--base", "main"]);
    assert_eq!(code, 1, "{v:#}");
    assert!(
        v["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["code"] == "emergency-unreviewed"),
        "{v:#}"
    );
}

#[test]
fn a_finished_review_does_not_expire() {
    let s = setup("update");
    // Approvals at tier `high` last a week; a review is a record, not an approval to act.
    let policy = POLICY.replace(
        "require = [{ group = \"oncall\", count = 1 }, { group = \"leads\", count = 1 }]",
        "require = [{ group = \"oncall\", count = 1 }, { group = \"leads\", count = 1 }]\napproval_ttl = \"7d\"",
    );
    git(s.repo.path(), &["checkout", "-q", "main"]);
    s.repo.write("policies/default.toml", &policy);
    s.commit_at("2026-01-13T00:00:00Z", "approvals last a week");
    git(s.repo.path(), &["checkout", "-q", "fix"]);
    s.git_at("2026-01-14T11:30:00Z", &["rebase", "-q", "main"]);
    merge_with_oncall(&s);
    for who in ["alice", "carol"] {
        let (code, out, err) = s.approve(AFTER_DEADLINE, who, "changes/CHG-1.toml", &[]);
        assert_eq!(code, 0, "{out}{err}");
    }
    s.commit_at(AFTER_DEADLINE, "reviews");
    let (_, out, _) = s.run("2026-03-01T00:00:00Z", &["log", "--format", "json"]);
    let log: serde_json::Value = serde_json::from_str(&out).unwrap();
    let chg1 = log["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "CHG-1")
        .unwrap();
    assert_eq!(chg1["review"]["state"], "reviewed", "{log:#}");
}

#[test]
fn only_the_passing_change_that_covers_the_rrset_reconciles_drift() {
    let live = ZONE.replace("192.0.2.1", "192.0.2.99");
    let server = common::dns::DnsServer::start(&[("example.com", &live)]);
    let s = drift_repo(&server.resolver(), false);
    // Another ticket says it reconciles `www A` with a change the diff does not make.
    let mut decoy =
        emergency_ticket("CHG-9", "create").replace("kind = \"emergency\"", "kind = \"normal\"");
    decoy = decoy.replace(
        "type = \"A\"\n",
        "type = \"A\"\nvalues = [\"192.0.2.2\"]\nreconciles_drift = true\n",
    );
    s.repo.write("changes/CHG-9.toml", &decoy);
    s.commit_at("2026-01-14T01:00:00Z", "decoy");
    let (code, v) = s.check(BEFORE_DEADLINE, &["--base", "main"]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(drifted(&v).len(), 1, "{v:#}");
}

#[test]
fn a_name_created_over_a_live_cname_has_drifted() {
    // The base has no `new`; production has a CNAME there made by hand.
    let live = format!("{ZONE}new 300 IN CNAME mail.example.com.\n");
    let server = common::dns::DnsServer::start(&[("example.com", &live)]);
    let s = drift_repo(&server.resolver(), false);
    s.repo.write(
        "zones/example.com.zone",
        &format!(
            "{}new 300 IN A 192.0.2.30\n",
            ZONE.replace("192.0.2.1", "192.0.2.2")
        ),
    );
    let ticket = std::fs::read_to_string(s.repo.path().join("changes/CHG-3.toml")).unwrap();
    s.repo.write(
        "changes/CHG-3.toml",
        &format!("{ticket}\n[[change]]\naction = \"create\"\nname = \"new.example.com\"\ntype = \"A\"\nvalues = [\"192.0.2.30\"]\nreconciles_drift = false\n"),
    );
    s.commit_at("2026-01-14T01:00:00Z", "create new");
    let (code, v) = s.check(BEFORE_DEADLINE, &["--base", "main"]);
    assert_eq!(code, 1, "{v:#}");
    assert!(
        drifted(&v)
            .iter()
            .any(|m| m.contains("new.example.com A") && m.contains("CNAME")),
        "{v:#}"
    );
}

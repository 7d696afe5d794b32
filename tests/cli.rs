//! The binary end to end: exit codes, output formats, help, completions, and the demo.

mod common;

use common::*;

fn demo() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("changegate").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["--config", "examples/incident-2025-02/changegate.toml"])
        .env("CHANGEGATE_NOW", "2025-02-25T12:00:00Z")
        .env("NO_COLOR", "1");
    cmd
}

#[test]
fn the_incident_replay_is_refused_with_its_evidence() {
    let output = demo().args(["check", "--format", "json"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(v["schema"], 1);
    assert_eq!(v["verdict"], "refused");
    let incident = v["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "CHG-1042")
        .unwrap();
    assert_eq!(incident["tier"], "high");
    let r = incident["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "deletion-in-use")
        .unwrap();
    assert_eq!(r["name"], "autologon-tm.example.com");
    assert_eq!(r["evidence"]["value"], 412.0);
    assert_eq!(r["evidence"]["window"], "14d");
    assert_eq!(r["evidence"]["evaluated_at"], "2025-02-25T12:00:00Z");
    assert_eq!(r["file"], "examples/incident-2025-02/changes/CHG-1042.toml");
    assert_eq!(
        incident["approvals"]["required"].as_array().unwrap().len(),
        3
    );
}

#[test]
fn the_human_report_shows_the_refusal_and_the_evidence() {
    let output = demo()
        .args(["check", "examples/incident-2025-02/changes/CHG-1042.toml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(String::from_utf8(output.stdout).unwrap());
}

#[test]
fn verbose_explains_every_rule_that_set_the_tier() {
    let output = demo()
        .args([
            "check",
            "-v",
            "examples/incident-2025-02/changes/CHG-1042.toml",
        ])
        .output()
        .unwrap();
    let out = String::from_utf8(output.stdout).unwrap();
    assert!(out.contains("tier `high` from rule: examples/incident-2025-02/policies/default.toml:42: when action = delete"), "{out}");
    assert!(out.contains("tier `high` from rule: examples/incident-2025-02/policies/default.toml:54: when scope = [region, global]"), "{out}");
    assert!(out.contains("tier `low` from rule"), "{out}");
}

#[test]
fn github_annotations_point_at_the_ticket_line() {
    let output = demo()
        .args(["check", "--format", "github"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let out = String::from_utf8(output.stdout).unwrap();
    assert!(
        out.lines().any(|l| l.starts_with("::error file=examples/incident-2025-02/changes/CHG-1042.toml,line=15,col=1,title=deletion-in-use::CHG-1042: `autologon-tm.example.com A` is still in use")),
        "{out}"
    );
}

#[test]
fn lint_passes_on_the_demo_and_the_shipped_policies() {
    demo().arg("lint").assert().code(0);
    for policy in ["policies/default.toml", "policies/strict.toml"] {
        let repo = Repo::new();
        repo.write("changegate.toml", "policy = \"policies/p.toml\"\n")
            .write("policies/p.toml", &std::fs::read_to_string(policy).unwrap())
            .write(
                "policies/allowed_signers",
                &std::fs::read_to_string("policies/allowed_signers").unwrap(),
            );
        let output = repo.cmd().arg("lint").output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{policy}: {}",
            String::from_utf8_lossy(&output.stdout)
        );
    }
}

#[test]
fn an_allowed_deletion_exits_zero_and_quiet_prints_only_the_summary() {
    let repo = Repo::new();
    repo.write("changegate.toml", "[sources]\nzonefiles = [\"zones/*.zone\"]\n[metrics]\nbackend = \"file\"\npath = \"counts.csv\"\n")
        .write("policies/default.toml", GATE_ONLY_POLICY)
        .write("zones/example.com.zone", "$ORIGIN example.com.\n")
        .write("counts.csv", "# from: 2026-01-01T00:00:00Z\n# to: 2026-01-15T00:00:00Z\nname,type,count\nwww.example.com,A,100\n");
    repo.delete_ticket("CHG-1", &[("old.example.com", "A")]);
    let output = repo.cmd().args(["check", "-q"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "allowed: 1 ticket(s) pass the gate\n"
    );
}

#[test]
fn a_broken_csv_export_refuses_and_names_the_line() {
    let repo = Repo::new();
    repo.write("changegate.toml", "[sources]\nzonefiles = [\"zones/*.zone\"]\n[metrics]\nbackend = \"file\"\npath = \"counts.csv\"\n")
        .write("policies/default.toml", GATE_ONLY_POLICY)
        .write("zones/example.com.zone", "$ORIGIN example.com.\n")
        .write("counts.csv", "# from: 2026-01-01T00:00:00Z\n# to: 2026-01-15T00:00:00Z\nname,type,count\nwww.example.com,A,lots\n");
    repo.delete_ticket("CHG-1", &[("old.example.com", "A")]);
    let (code, v) = repo.check_json(&[]);
    assert_eq!(code, 1);
    let message = reason(&v, "metrics-unavailable")["message"]
        .as_str()
        .unwrap();
    assert!(
        message.contains("counts.csv:4: `lots` is not a count"),
        "{message}"
    );
}

#[test]
fn no_metrics_configured_refuses_deletions() {
    let repo = Repo::new();
    repo.write(
        "changegate.toml",
        "[sources]\nzonefiles = [\"zones/*.zone\"]\n",
    )
    .write("policies/default.toml", GATE_ONLY_POLICY)
    .write("zones/example.com.zone", "$ORIGIN example.com.\n");
    repo.delete_ticket("CHG-1", &[("old.example.com", "A")]);
    let (code, v) = repo.check_json(&[]);
    assert_eq!(code, 1);
    assert!(
        reason(&v, "metrics-unavailable")["message"]
            .as_str()
            .unwrap()
            .contains("[metrics]")
    );
}

#[test]
fn exit_codes() {
    let repo = Repo::new();
    // No config anywhere above a temp dir: invalid input.
    repo.cmd().arg("check").assert().code(2);
    // Bad arguments: invalid input.
    repo.cmd()
        .args(["check", "--format", "yaml"])
        .assert()
        .code(2);
    repo.cmd()
        .args(["check", "--now", "yesterday"])
        .assert()
        .code(2);
    // A ticket file that does not exist.
    repo.write("changegate.toml", "")
        .write("policies/default.toml", GATE_ONLY_POLICY);
    let output = repo
        .cmd()
        .args(["check", "changes/CHG-404.toml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stdout)
            .contains("cannot read the ticket `changes/CHG-404.toml`")
    );
    // Help and version succeed.
    repo.cmd().arg("--help").assert().code(0);
    repo.cmd().arg("--version").assert().code(0);
}

#[test]
fn config_is_found_by_walking_up() {
    let repo = Repo::new();
    repo.write("changegate.toml", "[sources]\nzonefiles = [\"zones/*.zone\"]\n")
        .write("policies/default.toml", GATE_ONLY_POLICY)
        .write("zones/example.com.zone", "$ORIGIN example.com.\n")
        .write("changes/CHG-1.toml", &format!("{}\n[[change]]\naction = \"create\"\nname = \"new.example.com\"\ntype = \"A\"\nvalues = [\"192.0.2.1\"]\n", complete_ticket("CHG-1", "record")));
    std::fs::create_dir_all(repo.path().join("zones/deep/er")).unwrap();
    repo.cmd()
        .current_dir(repo.path().join("zones/deep/er"))
        .arg("check")
        .assert()
        .code(0);
}

#[test]
fn help_is_stable() {
    let output = assert_cmd::Command::cargo_bin("changegate")
        .unwrap()
        .arg("--help")
        .output()
        .unwrap();
    insta::assert_snapshot!(String::from_utf8(output.stdout).unwrap());
    let output = assert_cmd::Command::cargo_bin("changegate")
        .unwrap()
        .args(["check", "--help"])
        .output()
        .unwrap();
    insta::assert_snapshot!("check_help", String::from_utf8(output.stdout).unwrap());
}

#[test]
fn committed_completions_and_man_page_are_current() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for (args, file) in [
        (vec!["completions", "bash"], "completions/changegate.bash"),
        (vec!["completions", "zsh"], "completions/changegate.zsh"),
        (vec!["completions", "fish"], "completions/changegate.fish"),
        (
            vec!["completions", "powershell"],
            "completions/changegate.powershell",
        ),
        (
            vec!["completions", "elvish"],
            "completions/changegate.elvish",
        ),
        (vec!["man"], "completions/changegate.1"),
    ] {
        let output = assert_cmd::Command::cargo_bin("changegate")
            .unwrap()
            .args(&args)
            .output()
            .unwrap();
        assert!(output.status.success());
        let committed = std::fs::read(root.join(file)).unwrap();
        assert!(
            committed == output.stdout,
            "{file} is stale; regenerate with `cargo run -- {} > {file}`",
            args.join(" ")
        );
    }
}

#[test]
fn the_examples_approval_walkthrough_works() {
    let copy = tempfile::tempdir().unwrap();
    let example =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/incident-2025-02");
    let status = std::process::Command::new("cp")
        .arg("-r")
        .arg(example.join("."))
        .arg(copy.path())
        .status()
        .unwrap();
    assert!(status.success());
    let run = |args: &[&str]| {
        assert_cmd::Command::cargo_bin("changegate")
            .unwrap()
            .current_dir(copy.path())
            .env("CHANGEGATE_NOW", "2025-02-25T12:00:00Z")
            .env_remove("SSH_AUTH_SOCK")
            .env_remove("CI")
            .args(args)
            .output()
            .unwrap()
    };
    let digest =
        String::from_utf8(run(&["approve", "--show-digest", "changes/CHG-1043.toml"]).stdout)
            .unwrap();
    for person in ["carol", "alice", "dave"] {
        let key = format!("keys/{person}");
        let output = run(&[
            "approve",
            "changes/CHG-1043.toml",
            "--key",
            &key,
            "--digest",
            digest.trim(),
        ]);
        assert!(
            output.status.success(),
            "{person}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    // Approved by three distinct people; what still holds it is the tier's demand for health
    // signals, which the offline `file` backend cannot prove alive.
    let output = run(&["check", "--format", "json", "changes/CHG-1043.toml"]);
    assert_eq!(output.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(codes(&v), ["health-signal-dead"], "{v:#}");
    assert_eq!(v["tickets"][0]["signals"][0]["verdict"], "unverified");
    // The incident ticket stays refused however many approve it: the record is in use.
    for person in ["carol", "alice", "dave"] {
        let key = format!("keys/{person}");
        let digest =
            String::from_utf8(run(&["approve", "--show-digest", "changes/CHG-1042.toml"]).stdout)
                .unwrap();
        run(&[
            "approve",
            "changes/CHG-1042.toml",
            "--key",
            &key,
            "--digest",
            digest.trim(),
        ]);
    }
    let output = run(&["check", "--format", "json", "changes/CHG-1042.toml"]);
    assert_eq!(output.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        codes(&v),
        ["deletion-in-use", "health-signal-dead"],
        "{v:#}"
    );
}

#[test]
fn the_examples_premerge_replay_refuses_with_the_cascade_and_its_evidence() {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/incident-2025-02/premerge-replay.sh");
    let output = std::process::Command::new(script)
        .args(["--format", "json"])
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
    let v: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let ticket = &v["tickets"][0];
    let reasons: Vec<(&str, &str)> = ticket["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| Some((r["code"].as_str()?, r["name"].as_str()?)))
        .collect();
    assert!(
        reasons.contains(&("dangling-reference", "autologon.example.com")),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&("deletion-in-use", "autologon-tm.example.com")),
        "{reasons:?}"
    );
    let cascade = ticket["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "deletion-in-use" && r["name"] == "autologon.example.com")
        .unwrap();
    assert_eq!(cascade["evidence"]["value"].as_f64(), Some(1_893_204.0));
    assert_eq!(ticket["findings"][0]["code"], "cascade");
}

/// How example.com answered before the incident: `autologon` is an alias, flattened to A
/// records at the name itself.
const ORIGINAL_LIVE: &str = "$ORIGIN example.com.
$TTL 300
@               IN SOA  ns1.example.com. hostmaster.example.com. 2025022501 3600 600 604800 300
@               IN NS   ns1.example.com.
ns1             IN A    192.0.2.53
autologon       IN A    203.0.113.10
autologon-tm    IN A    203.0.113.10
v6-migration-tm IN A    203.0.113.66
";

#[test]
fn the_examples_snapshots_hold_the_alias_shaped_answer_and_a_restored_cname_fails_verify() {
    let server = common::dns::DnsServer::start(&[("example.com", ORIGINAL_LIVE)]);
    let example =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/incident-2025-02");
    let run = |args: &[&str]| {
        assert_cmd::Command::cargo_bin("changegate")
            .unwrap()
            .current_dir(&example)
            .env("CHANGEGATE_NOW", "2025-02-24T12:00:00Z")
            .env("NO_COLOR", "1")
            .args(args)
            .output()
            .unwrap()
    };
    let resolver = server.resolver();
    if std::env::var_os("CHANGEGATE_REGENERATE_EXAMPLE").is_some() {
        for id in ["CHG-1042", "CHG-1043"] {
            let (ticket, out) = (format!("changes/{id}.toml"), format!("snapshots/{id}.json"));
            let output = run(&[
                "snapshot",
                "--ticket",
                &ticket,
                "--out",
                &out,
                "--resolver",
                &resolver,
            ]);
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
    let output = run(&["verify", "snapshots/CHG-1042.json", "--resolver", &resolver]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    // The partial rollback of the incident: a CNAME put back where the alias answered.
    server.replace(
        "example.com",
        &ORIGINAL_LIVE.replace(
            "autologon       IN A    203.0.113.10",
            "autologon       IN CNAME autologon-tm",
        ),
    );
    let output = run(&[
        "verify",
        "snapshots/CHG-1042.json",
        "--resolver",
        &resolver,
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let difference = &v["differences"][0];
    assert_eq!(
        (difference["name"].as_str(), difference["kind"].as_str()),
        (Some("autologon.example.com"), Some("shape"))
    );
    assert!(
        difference["message"]
            .as_str()
            .unwrap()
            .starts_with("a CNAME now stands where A records were")
    );
}

/// Issue 9: a file export must say which period it counts, and that period must cover the
/// window: an export of two days proves nothing about fourteen.
#[test]
fn regression_9_a_csv_export_must_cover_the_whole_window() {
    let repo = Repo::new();
    repo.write("changegate.toml", "[sources]\nzonefiles = [\"zones/*.zone\"]\n[metrics]\nbackend = \"file\"\npath = \"counts.csv\"\n")
        .write("policies/default.toml", GATE_ONLY_POLICY)
        .write("zones/example.com.zone", "$ORIGIN example.com.\n");
    repo.delete_ticket("CHG-1", &[("old.example.com", "A")]);
    for (header, words) in [
        ("", "does not say which period"),
        (
            "# from: 2026-01-13T00:00:00Z\n# to: 2026-01-15T00:00:00Z\n",
            "after the 14d window starts",
        ),
        (
            "# from: 2026-01-01T00:00:00Z\n# to: 2026-01-12T00:00:00Z\n",
            "before now",
        ),
    ] {
        repo.write(
            "counts.csv",
            &format!("{header}name,type,count\nwww.example.com,A,100\n"),
        );
        let (code, v) = repo.check_json(&[]);
        assert_eq!(code, 1, "{v:#}");
        let message = reason(&v, "deletion-no-telemetry")["message"]
            .as_str()
            .unwrap();
        assert!(message.contains(words), "{message}");
    }
    repo.write("counts.csv", "# from: yesterday\nname,type,count\n");
    let (code, v) = repo.check_json(&[]);
    assert_eq!(code, 1, "{v:#}");
    assert!(
        reason(&v, "metrics-unavailable")["message"]
            .as_str()
            .unwrap()
            .contains("counts.csv:1")
    );
}

/// Issue 9: 40,000 unknown keys in a ticket gave 40,000 problems, each positioned by
/// rescanning the file (82 s of human output). Problems stop at 50, with a note.
#[test]
fn regression_9_a_ticket_with_forty_thousand_typos_gets_fifty_problems() {
    let repo = Repo::new();
    repo.write(
        "changegate.toml",
        "[sources]\nzonefiles = [\"zones/*.zone\"]\n",
    )
    .write("policies/default.toml", GATE_ONLY_POLICY)
    .write("zones/example.com.zone", "$ORIGIN example.com.\n");
    let mut text = complete_ticket("CHG-1", "record");
    for i in 0..40_000 {
        text.push_str(&format!("\n[x{i}]\n"));
    }
    repo.write("changes/CHG-1.toml", &text);
    for format in ["github", "human", "json"] {
        let output = repo
            .cmd()
            .args(["check", "--format", format, "changes/CHG-1.toml"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{format}");
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            all.contains("stopped after 50 problems"),
            "{format}: {}",
            &all[..all.len().min(2000)]
        );
        assert!(
            !all.contains("x60"),
            "{format}: no problem past the 50th is shown"
        );
    }
}

/// Issue 9: a policy with no `type_change` rule lets an A record become a CNAME at the
/// lowest tier; `lint` says so (a warning: the policy stays valid).
#[test]
fn regression_9_lint_warns_when_no_rule_raises_a_type_change() {
    let repo = Repo::new();
    repo.write(
        "changegate.toml",
        "[sources]\nzonefiles = [\"zones/*.zone\"]\n",
    )
    .write("policies/default.toml", GATE_ONLY_POLICY)
    .write("zones/example.com.zone", "$ORIGIN example.com.\n");
    let output = repo.cmd().args(["lint"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("policy-warning"), "{stderr}");
    assert!(stderr.contains("type_change = true"), "{stderr}");
    let raised = format!(
        "{GATE_ONLY_POLICY}\n[[tier]]\nname = \"high\"\nrequire = []\n[[rule]]\nwhen = {{ type_change = true }}\ntier = \"high\"\n"
    );
    repo.write("policies/default.toml", &raised);
    let output = repo.cmd().args(["lint"]).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("type_change = true"), "{stderr}");
    // Issue 16: `increase()` misses counters born inside the window on Prometheus.
    assert!(stderr.contains("Prometheus reads as 0"), "{stderr}");
}

/// Issue 9: depth and cycles of `$INCLUDE` were limited but not their count: seven small
/// files with 20 includes each ran for ever with growing memory. One budget per zone.
#[test]
fn regression_9_include_fan_out_is_budgeted() {
    let repo = Repo::new();
    repo.write(
        "changegate.toml",
        "[sources]\nzonefiles = [\"zones/*.zone\"]\n",
    )
    .write("policies/default.toml", GATE_ONLY_POLICY);
    let filler: String = (0..60)
        .map(|i| format!("h{i} 300 IN TXT \"{}\"\n", "x".repeat(30)))
        .collect();
    for level in 0..7 {
        let includes: String = (0..20)
            .map(|_| format!("$INCLUDE f{}.inc\n", level + 1))
            .collect();
        let text = if level < 6 {
            format!("{filler}{includes}")
        } else {
            filler.clone()
        };
        repo.write(&format!("zones/f{level}.inc"), &text);
    }
    repo.write(
        "zones/example.com.zone",
        "$ORIGIN example.com.\n$INCLUDE f0.inc\n",
    );
    let output = repo
        .cmd()
        .args(["diff", "zones", "zones"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("more than 1000 files"), "{stderr}");
}

/// Issue 9 (review): `verify` read a snapshot through links and without a size cap.
#[test]
fn regression_9_verify_refuses_a_snapshot_that_is_a_link() {
    let repo = Repo::new();
    std::fs::create_dir_all(repo.path().join("snapshots")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", repo.path().join("snapshots/CHG-1.json")).unwrap();
    let output = repo
        .cmd()
        .args(["verify", "snapshots/CHG-1.json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_ne!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("symbolic link"), "{stderr}");
}

/// Issue 9 (review): without `--base`, a tickets folder that is a link was read through.
#[test]
fn regression_9_a_tickets_folder_that_is_a_link_is_refused() {
    let repo = Repo::new();
    repo.write(
        "changegate.toml",
        "[sources]\nzonefiles = [\"zones/*.zone\"]\n",
    )
    .write("policies/default.toml", GATE_ONLY_POLICY)
    .write("zones/example.com.zone", "$ORIGIN example.com.\n")
    .write("elsewhere/CHG-1.toml", &complete_ticket("CHG-1", "record"));
    std::os::unix::fs::symlink("elsewhere", repo.path().join("changes")).unwrap();
    let (code, v) = repo.check_json(&[]);
    assert_eq!(code, 2, "{v:#}");
    assert!(v.to_string().contains("symbolic link"), "{v:#}");
}

/// Issue 16: the incident replayed against query logs in a real ClickHouse: the same
/// refusal, counted from the logs (the script starts its own server).
#[test]
fn the_incident_replay_over_clickhouse_query_logs() {
    if common::which("clickhouse-server").is_none() {
        assert!(
            !required(),
            "CI is set but clickhouse-server is not installed"
        );
        return;
    }
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/incident-2025-02/clickhouse-replay.sh");
    let output = std::process::Command::new(script)
        .env("CHANGEGATE", assert_cmd::cargo::cargo_bin("changegate"))
        .env("NO_COLOR", "1")
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let ticket = |id: &str| {
        v["tickets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == id)
            .unwrap()
            .clone()
    };
    let incident = ticket("CHG-1042");
    let r = incident["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "deletion-in-use")
        .unwrap();
    assert_eq!(r["evidence"]["value"], 412.0);
    assert!(r["evidence"]["coverage"]["value"].as_f64().unwrap() > 600.0);
    let unused = ticket("CHG-1043");
    let codes: Vec<&str> = unused["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["health-signal-dead", "approvals-missing"],
        "{unused:#}"
    );
}

/// Issue 13: `--format markdown`, for a pull-request comment or a job summary.
#[test]
fn markdown_summaries_of_a_refused_and_an_allowed_verdict() {
    let output = demo()
        .args(["check", "--format", "markdown"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(
        "markdown_refused",
        String::from_utf8(output.stdout).unwrap()
    );

    let repo = Repo::new();
    repo.write(
        "changegate.toml",
        "[sources]\nzonefiles = [\"zones/*.zone\"]\n",
    )
    .write("policies/default.toml", GATE_ONLY_POLICY)
    .write("zones/example.com.zone", "$ORIGIN example.com.\n");
    let mut text = complete_ticket("CHG-7", "record");
    text.push_str("\n[[change]]\naction = \"create\"\nname = \"new.example.com\"\ntype = \"TXT\"\nttl = 300\nvalues = [\"\\\"a|b\\\"\"]\n");
    repo.write("changes/CHG-7.toml", &text);
    let output = repo
        .cmd()
        .args(["check", "--format", "markdown"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("\\|"), "pipes in values are escaped: {text}");
    insta::assert_snapshot!("markdown_allowed", text);
}

/// `ticket new OLD NEW`: a ticket from two folders, as `diff OLD NEW` sees them.
#[test]
fn ticket_new_from_two_paths() {
    let repo = Repo::new();
    repo.write(
        "changegate.toml",
        "[sources]\nzonefiles = [\"zones/*.zone\"]\n",
    )
    .write("policies/default.toml", GATE_ONLY_POLICY)
    .write(
        "zones/example.com.zone",
        "$ORIGIN example.com.\n$TTL 300\nwww A 192.0.2.1\n",
    )
    .write(
        "old/example.com.zone",
        "$ORIGIN example.com.\n$TTL 300\nwww A 192.0.2.1\ngone A 192.0.2.9\n",
    )
    .write(
        "new/example.com.zone",
        "$ORIGIN example.com.\n$TTL 300\nwww A 192.0.2.2\n",
    );
    let output = repo
        .cmd()
        .args([
            "ticket",
            "new",
            "old",
            "new",
            "--id",
            "CHG-42",
            "--author",
            "e@example.com",
        ])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = std::fs::read_to_string(repo.path().join("changes/CHG-42.toml")).unwrap();
    assert!(
        text.contains("action = \"delete\"\nname = \"gone.example.com\""),
        "{text}"
    );
    assert!(
        text.contains("action = \"update\"\nname = \"www.example.com\""),
        "{text}"
    );
    // What it wrote is a valid ticket; `check` refuses it until the TODOs are written.
    let output = repo
        .cmd()
        .args(["lint", "changes/CHG-42.toml"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

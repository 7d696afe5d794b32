//! Live DNS against a real authoritative server on loopback (hickory-server, in process):
//! snapshot, exact verify, drift, several resolvers, every failure kept apart, and scale; and
//! `--authoritative` against real `knotd`s, one per loopback address.

mod common;

use common::dns::{DnsServer, servfail, silent};
use common::*;

const ZONE: &str = "$ORIGIN live.example.
$TTL 300
@      IN SOA ns1 hostmaster 1 7200 3600 1209600 300
@      IN NS  ns1
ns1    IN A   192.0.2.53
sso    IN A   192.0.2.10
sso    IN A   192.0.2.11
tm     IN A   198.51.100.7
mail   IN A   192.0.2.25
txt    IN TXT \"v=spf1 -all\"
";

fn run(repo: &Repo, args: &[&str]) -> (i32, String, String) {
    let output = repo.cmd().args(args).output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A DNS repository for `zone`, asking `resolvers`.
fn dns_repo(repo: &Repo, resolvers: &[String], zone: &str) {
    let quoted: Vec<String> = resolvers.iter().map(|r| format!("\"{r}\"")).collect();
    repo.write(
        "changegate.toml",
        &format!(
            "[sources]\nzonefiles = [\"zones/*.zone\"]\n[dns]\nresolvers = [{}]\n",
            quoted.join(", ")
        ),
    )
    .write("policies/default.toml", GATE_ONLY_POLICY)
    .write("zones/live.example.zone", zone);
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// A file of the repository, as JSON.
fn file_json(repo: &Repo, rel: &str) -> serde_json::Value {
    json(&std::fs::read_to_string(repo.path().join(rel)).unwrap())
}

/// `snapshot NAMES --types A --out OUT`, then `extra` (resolvers, timeouts).
fn snapshot_a(repo: &Repo, names: &[&str], out: &str, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["snapshot"];
    args.extend(names);
    args.extend(["--types", "A", "--out", out]);
    args.extend(extra);
    run(repo, &args)
}

#[test]
fn a_cname_restored_where_an_a_record_was_fails_verify_until_the_a_is_back() {
    let server = DnsServer::start(&[("live.example", ZONE)]);
    let repo = Repo::new();
    let resolver = server.resolver();
    let (code, _, err) = run(
        &repo,
        &[
            "snapshot",
            "sso.live.example",
            "--out",
            "lkg.json",
            "--resolver",
            &resolver,
        ],
    );
    assert_eq!(code, 0, "{err}");
    let snapshot: serde_json::Value = file_json(&repo, "lkg.json");
    assert_eq!(snapshot["version"], 1);
    let answer = &snapshot["entries"][0]["answers"][&resolver];
    assert_eq!(
        (answer["rcode"].as_str(), answer["authoritative"].as_bool()),
        (Some("NOERROR"), Some(true))
    );
    assert_eq!(answer["chain"].as_array().unwrap().len(), 2);

    // The partial rollback: the name comes back as a CNAME to the traffic manager.
    server.replace(
        "live.example",
        &ZONE.replace(
            "sso    IN A   192.0.2.10\nsso    IN A   192.0.2.11\n",
            "sso    IN CNAME tm\n",
        ),
    );
    let (code, out, _) = run(&repo, &["verify", "lkg.json", "--resolver", &resolver]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("1 answer(s) differ from the snapshot"),
        "{out}"
    );
    let (_, out, _) = run(
        &repo,
        &[
            "verify",
            "lkg.json",
            "--resolver",
            &resolver,
            "--format",
            "json",
        ],
    );
    let v = json(&out);
    assert_eq!(v["differences"][0]["kind"], "shape");
    let message = v["differences"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("a CNAME now stands where A records were"),
        "{message}"
    );

    // The real rollback.
    server.replace("live.example", ZONE);
    let (code, out, _) = run(&repo, &["verify", "lkg.json", "--resolver", &resolver]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("match the snapshot"));
}

#[test]
fn nxdomain_nodata_servfail_and_timeout_are_told_apart() {
    let server = DnsServer::start(&[("live.example", ZONE)]);
    let failing = servfail();
    let quiet = silent();
    let repo = Repo::new();
    let (code, _, err) = snapshot_a(
        &repo,
        &["nope.live.example", "txt.live.example"],
        "a.json",
        &["--resolver", &server.resolver()],
    );
    assert_eq!(code, 0, "{err}");
    let v = file_json(&repo, "a.json");
    let rcode = |i: usize| {
        v["entries"][i]["answers"][server.resolver()]["rcode"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        (rcode(0), rcode(1)),
        ("NXDOMAIN".to_string(), "NODATA".to_string())
    );

    let (code, _, err) = snapshot_a(
        &repo,
        &["sso.live.example"],
        "b.json",
        &["--resolver", &failing.to_string()],
    );
    assert_eq!(code, 1, "a failed answer is no last-known-good: {err}");
    let v = file_json(&repo, "b.json");
    assert_eq!(
        v["entries"][0]["answers"][failing.to_string()]["rcode"],
        "SERVFAIL"
    );

    let quiet_address = quiet.address.to_string();
    let (code, _, _) = snapshot_a(
        &repo,
        &["sso.live.example"],
        "c.json",
        &[
            "--resolver",
            &quiet_address,
            "--timeout",
            "1s",
            "--attempts",
            "1",
        ],
    );
    assert_eq!(code, 1);
    let v = file_json(&repo, "c.json");
    assert_eq!(
        v["entries"][0]["answers"][&quiet_address]["rcode"],
        "TIMEOUT"
    );
}

#[test]
fn a_dynamic_name_may_rotate_its_values_but_must_keep_its_shape() {
    let server = DnsServer::start(&[("live.example", ZONE)]);
    let repo = Repo::new();
    repo.write("changegate.toml", "").write(
        "policies/default.toml",
        &format!(
            "{GATE_ONLY_POLICY}\n[[inventory]]\nnames = [\"tm.live.example\"]\ndynamic = true\n"
        ),
    );
    let resolver = server.resolver();
    assert_eq!(
        snapshot_a(
            &repo,
            &["tm.live.example", "mail.live.example"],
            "s.json",
            &["--resolver", &resolver]
        )
        .0,
        0
    );
    server.replace(
        "live.example",
        &ZONE
            .replace("198.51.100.7", "198.51.100.99")
            .replace("192.0.2.25", "192.0.2.26"),
    );
    let (code, out, _) = run(
        &repo,
        &[
            "verify",
            "s.json",
            "--resolver",
            &resolver,
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 1);
    let v = json(&out);
    let differing: Vec<&str> = v["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        differing,
        ["mail.live.example"],
        "the traffic-managed name may rotate; the static one may not"
    );
}

#[test]
fn resolvers_that_disagree_are_reported_per_resolver() {
    let one = DnsServer::start(&[("live.example", ZONE)]);
    let two = DnsServer::start(&[("live.example", &ZONE.replace("192.0.2.25", "192.0.2.99"))]);
    let repo = Repo::new();
    let (code, _, err) = snapshot_a(
        &repo,
        &["mail.live.example"],
        "s.json",
        &["--resolver", &one.resolver(), "--resolver", &two.resolver()],
    );
    assert_eq!(code, 0);
    assert!(
        err.contains("the resolvers disagree on mail.live.example A"),
        "{err}"
    );
    dns_repo(&repo, &[one.resolver(), two.resolver()], ZONE);
    let (code, out, _) = run(&repo, &["drift", "--format", "json"]);
    assert_eq!(code, 1);
    let v = json(&out);
    let drifted: Vec<(&str, &str)> = v["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["name"].as_str().unwrap(), d["resolver"].as_str().unwrap()))
        .collect();
    assert_eq!(drifted, [("mail.live.example", two.resolver().as_str())]);
}

#[test]
fn drift_finds_missing_extra_ttl_and_a_desired_a_live_as_a_cname() {
    let live = ZONE
        .replace("mail   IN A   192.0.2.25\n", "")
        .replace(
            "ns1    IN A   192.0.2.53",
            "ns1    IN A   192.0.2.53\nns1    IN A   192.0.2.54",
        )
        .replace("txt    IN TXT", "txt 60 IN TXT")
        .replace(
            "sso    IN A   192.0.2.10\nsso    IN A   192.0.2.11\n",
            "sso    IN CNAME tm\n",
        );
    let server = DnsServer::start(&[("live.example", &live)]);
    let repo = Repo::new();
    dns_repo(&repo, &[server.resolver()], ZONE);
    let (code, out, _) = run(
        &repo,
        &["drift", "--zone", "live.example", "--format", "json"],
    );
    assert_eq!(code, 1, "{out}");
    let v = json(&out);
    let mut kinds: Vec<(String, String)> = v["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["name"].as_str().unwrap().to_string(),
                d["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            ("mail.live.example".to_string(), "missing".to_string()),
            ("ns1.live.example".to_string(), "extra".to_string()),
            ("sso.live.example".to_string(), "type-mismatch".to_string()),
            ("txt.live.example".to_string(), "ttl".to_string()),
        ]
    );
    let sso = v["differences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "sso.live.example")
        .unwrap();
    assert!(
        sso["message"]
            .as_str()
            .unwrap()
            .contains("live as a CNAME chain"),
        "{sso}"
    );
    // In step with the zone: nothing drifts.
    server.replace("live.example", ZONE);
    let (code, out, _) = run(&repo, &["drift"]);
    assert_eq!(code, 0, "{out}");
}

/// A traffic-managed (or provider-proxied) name answers with values of its own: that is not
/// drift, but answering in another shape, or not at all, still is.
#[test]
fn drift_lets_a_dynamic_name_answer_its_own_values_but_not_change_shape() {
    let server = DnsServer::start(&[(
        "live.example",
        &ZONE
            .replace("198.51.100.7", "198.51.100.99")
            .replace("192.0.2.25", "192.0.2.26"),
    )]);
    let repo = Repo::new();
    dns_repo(&repo, &[server.resolver()], ZONE);
    repo.write(
        "policies/default.toml",
        &format!(
            "{GATE_ONLY_POLICY}\n[[inventory]]\nnames = [\"tm.live.example\"]\ndynamic = true\n"
        ),
    );
    let drifted = |repo: &Repo| -> Vec<(String, String)> {
        let (_, out, _) = run(repo, &["drift", "--format", "json"]);
        json(&out)["differences"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["name"].as_str().unwrap().into(),
                    d["kind"].as_str().unwrap().into(),
                )
            })
            .collect()
    };
    assert_eq!(
        drifted(&repo),
        [("mail.live.example".to_string(), "changed".to_string())],
        "the dynamic name may answer its own values; the static one may not"
    );
    server.replace(
        "live.example",
        &ZONE.replace("tm     IN A   198.51.100.7", "tm     IN CNAME sso"),
    );
    assert_eq!(
        drifted(&repo),
        [("tm.live.example".to_string(), "type-mismatch".to_string())]
    );
}

#[test]
fn ten_thousand_names_in_one_snapshot() {
    let mut zone = String::from(ZONE);
    for i in 0..10_000 {
        zone.push_str(&format!("h{i} IN A 10.0.{}.{}\n", i / 256, i % 256));
    }
    let server = DnsServer::start(&[("live.example", &zone)]);
    let repo = Repo::new();
    let names: Vec<String> = (0..10_000).map(|i| format!("h{i}.live.example")).collect();
    let mut args: Vec<&str> = vec![
        "snapshot",
        "--types",
        "A",
        "--out",
        "big.json",
        "--resolver",
    ];
    let resolver = server.resolver();
    args.push(&resolver);
    args.extend(names.iter().map(String::as_str));
    let (code, _, err) = run(&repo, &args);
    assert_eq!(code, 0, "{err}");
    let v = file_json(&repo, "big.json");
    let entries = v["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 10_000);
    assert!(
        entries
            .iter()
            .all(|e| e["answers"][&resolver]["rcode"] == "NOERROR")
    );
}

#[test]
fn snapshot_of_a_ticket_covers_its_names_and_the_names_that_depend_on_them() {
    let server =
        DnsServer::start(&[("live.example", &(ZONE.to_string() + "alias  IN CNAME tm\n"))]);
    let repo = Repo::new();
    dns_repo(
        &repo,
        &[server.resolver()],
        &(ZONE.to_string() + "alias  IN CNAME tm\n"),
    );
    let mut ticket = complete_ticket("CHG-1", "record");
    ticket
        .push_str("\n[[change]]\naction = \"delete\"\nname = \"tm.live.example\"\ntype = \"A\"\n");
    repo.write("changes/CHG-1.toml", &ticket);
    let (code, _, err) = run(
        &repo,
        &[
            "snapshot",
            "--ticket",
            "changes/CHG-1.toml",
            "--out",
            "snapshots/CHG-1.json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let v = file_json(&repo, "snapshots/CHG-1.json");
    let names: Vec<&str> = v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "alias.live.example",
            "alias.live.example",
            "tm.live.example",
            "tm.live.example"
        ]
    );
}

#[test]
fn check_requires_a_snapshot_that_exists_parses_and_covers_every_touched_name() {
    let repo = Repo::new();
    let policy = GATE_ONLY_POLICY.replace(
        "require = []",
        "require = []\nrequire_fields = [\"rollback.last_known_good\"]",
    );
    repo.write("changegate.toml", "[sources]\nzonefiles = [\"zones/*.zone\"]\n[metrics]\nbackend = \"file\"\npath = \"counts.csv\"\n")
        .write("policies/default.toml", &policy)
        .write("zones/live.example.zone", ZONE)
        .write("counts.csv", "# from: 2026-01-01T00:00:00Z\n# to: 2026-01-15T00:00:00Z\nname,type,count\nsso.live.example,A,10\n");
    let ticket = complete_ticket("CHG-1", "record").replace(
        "[rollback]\n",
        "[rollback]\nlast_known_good = \"snapshots/CHG-1.json\"\n",
    ) + "\n[[change]]\naction = \"update\"\nname = \"mail.live.example\"\ntype = \"A\"\nvalues = [\"192.0.2.26\"]\n"
        + "\n[[change]]\naction = \"update\"\nname = \"sso.live.example\"\ntype = \"A\"\nvalues = [\"192.0.2.12\"]\n";
    repo.write("changes/CHG-1.toml", &ticket);

    let (code, v) = repo.check_json(&[]);
    assert_eq!(code, 1);
    assert!(
        reason(&v, "field-missing")["message"]
            .as_str()
            .unwrap()
            .contains("cannot be read"),
        "{v:#}"
    );

    repo.write("snapshots/CHG-1.json", "{\"version\": 1, \"oops\": true}");
    let (_, v) = repo.check_json(&[]);
    assert!(
        reason(&v, "field-missing")["message"]
            .as_str()
            .unwrap()
            .contains("is not a changegate snapshot"),
        "{v:#}"
    );

    let server = DnsServer::start(&[("live.example", ZONE)]);
    let (code, _, err) = run(
        &repo,
        &[
            "snapshot",
            "sso.live.example",
            "--out",
            "snapshots/CHG-1.json",
            "--resolver",
            &server.resolver(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (_, v) = repo.check_json(&[]);
    let message = reason(&v, "field-missing")["message"].as_str().unwrap();
    assert!(
        message.contains("does not cover `mail.live.example`"),
        "{message}"
    );
    assert!(!message.contains("sso.live.example"), "{message}");

    let (code, _, err) = run(
        &repo,
        &[
            "snapshot",
            "--ticket",
            "changes/CHG-1.toml",
            "--out",
            "snapshots/CHG-1.json",
            "--resolver",
            &server.resolver(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (code, v) = repo.check_json(&[]);
    assert_eq!(code, 0, "{v:#}");
}

#[test]
fn a_truncated_udp_answer_is_retried_over_tcp_and_arrives_whole() {
    // 200 A records: about 3 KB, more than a UDP answer carries, so the server truncates it.
    let mut zone = String::from(ZONE);
    for i in 0..200 {
        zone.push_str(&format!("big IN A 10.9.{}.{}\n", i / 256, i % 256));
    }
    let server = DnsServer::start(&[("live.example", &zone)]);
    let repo = Repo::new();
    let (code, _, err) = snapshot_a(
        &repo,
        &["big.live.example"],
        "big.json",
        &["--resolver", &server.resolver()],
    );
    assert_eq!(code, 0, "{err}");
    let v = file_json(&repo, "big.json");
    let answer = &v["entries"][0]["answers"][server.resolver()];
    assert_eq!(answer["rcode"], "NOERROR");
    assert_eq!(
        answer["chain"].as_array().unwrap().len(),
        200,
        "every record, through TCP"
    );

    // Without TCP the same question cannot be answered whole: the fallback is what made it.
    let udp_only = DnsServer::start_udp_only(&[("live.example", &zone)]);
    let (_, _, _) = snapshot_a(
        &repo,
        &["big.live.example"],
        "udp.json",
        &[
            "--resolver",
            &udp_only.resolver(),
            "--timeout",
            "1s",
            "--attempts",
            "1",
        ],
    );
    let v = file_json(&repo, "udp.json");
    let answer = &v["entries"][0]["answers"][udp_only.resolver()];
    assert_eq!(answer["rcode"], "ERROR", "{answer}");
    assert!(
        answer["error"].as_str().unwrap().contains("truncated"),
        "{answer}"
    );
}

// ---------------------------------------------------------------------------------------------
// Every authoritative server: each server of a zone's NS set asked directly (real `knotd`s on
// loopback addresses at port 53), each compared on its own.

/// `auth.example` with three name servers (glue at `net`.1, .2, .3), a delegation with glue,
/// and `www` at `www`.
fn auth_zone(net: &str, serial: u32, www: &str) -> String {
    format!(
        "$ORIGIN auth.example.\n$TTL 300\n@ IN SOA ns1 hostmaster {serial} 7200 3600 1209600 300\n\
         @ IN NS ns1\n@ IN NS ns2\n@ IN NS ns3\nns1 IN A {net}.1\nns2 IN A {net}.2\nns3 IN A {net}.3\n\
         www IN A {www}\nalias IN CNAME www\next IN CNAME www.elsewhere.example.\n\
         sub IN NS ns.sub\nns.sub IN A 192.0.2.99\n"
    )
}

/// `example`, served at `net`.9, delegating `auth.example` to its first `servers` name servers
/// (at `net`.1, .2, ...), with glue.
fn parent_zone(net: &str, servers: usize) -> String {
    let mut text = format!(
        "$ORIGIN example.\n$TTL 300\n@ IN SOA ns hostmaster 1 7200 3600 1209600 300\n@ IN NS ns\nns IN A {net}.9\n"
    );
    for i in 1..=servers {
        text.push_str(&format!(
            "auth IN NS ns{i}.auth\nns{i}.auth IN A {net}.{i}\n"
        ));
    }
    text
}

/// Each `(zone, text)` set served by one knotd at `net`.1, .2, .3; `None` outside CI without
/// knotd.
fn three_servers(net: &str, zones: [&[(&str, &str)]; 3]) -> Option<Vec<common::knot::Knot>> {
    let mut servers = Vec::new();
    for (i, zones) in zones.iter().enumerate() {
        servers.push(common::knot::Knot::serve(
            &format!("{net}.{}", i + 1),
            zones,
        )?);
    }
    Some(servers)
}

/// `drift --authoritative` as JSON, quick to give up on a server; it must exit 1.
fn drift_refused(repo: &Repo) -> serde_json::Value {
    let (code, out, err) = run(
        repo,
        &[
            "drift",
            "--authoritative",
            "--timeout",
            "1s",
            "--attempts",
            "1",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 1, "{out}{err}");
    json(&out)
}

fn kinds_at(v: &serde_json::Value) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = v["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().unwrap().to_string(),
                format!(
                    "{} {}",
                    d["name"].as_str().unwrap(),
                    d["type"].as_str().unwrap()
                ),
                d["resolver"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn regression_17_drift_authoritative_names_the_server_that_is_behind_lame_or_down() {
    let net = "127.0.8";
    let good = auth_zone(net, 7, "192.0.2.80");
    let all_good = [("auth.example", good.as_str())];
    let Some(servers) = three_servers(net, [&all_good, &all_good, &all_good]) else {
        return;
    };
    let repo = Repo::new();
    repo.write(
        "changegate.toml",
        "[sources]\nzonefiles = [\"zones/*.zone\"]\n",
    )
    .write("policies/default.toml", GATE_ONLY_POLICY)
    .write("zones/auth.example.zone", &good);
    // Every server serves the desired state; the delegation and its glue come by referral.
    let (code, out, err) = run(&repo, &["drift", "--authoritative", "--format", "json"]);
    assert_eq!(code, 0, "{out}{err}");
    let v = json(&out);
    assert_eq!(v["authoritative"], true);
    assert_eq!(
        v["servers"]["auth.example"],
        serde_json::json!([
            format!("ns1.auth.example ({net}.1:53)"),
            format!("ns2.auth.example ({net}.2:53)"),
            format!("ns3.auth.example ({net}.3:53)")
        ])
    );
    assert_eq!(v["differences"], serde_json::json!([]), "{v:#}");
    drop(servers);

    // ns2 serves other zones only (lame); ns3 is behind with an older `www`.
    let behind = auth_zone(net, 3, "192.0.2.3");
    let other = good.replace("auth.example.", "other.example.");
    let servers = three_servers(
        net,
        [
            &all_good,
            &[("other.example", other.as_str())],
            &[("auth.example", behind.as_str())],
        ],
    )
    .unwrap();
    let (code, out, err) = run(&repo, &["drift", "--authoritative", "--format", "json"]);
    assert_eq!(code, 1, "{out}{err}");
    let v = json(&out);
    let ns2 = format!("ns2.auth.example ({net}.2:53)");
    let ns3 = format!("ns3.auth.example ({net}.3:53)");
    assert_eq!(
        kinds_at(&v),
        [
            ("behind".into(), "auth.example SOA".into(), ns3.clone()),
            ("changed".into(), "www.auth.example A".into(), ns3.clone()),
            ("lame".into(), "auth.example SOA".into(), ns2.clone()),
        ],
        "{v:#}"
    );
    let disagree = &v["disagreements"][0];
    assert_eq!(disagree["name"], "www.auth.example");
    assert_eq!(disagree["answers"][&ns3], "NOERROR A 192.0.2.3");
    // The human report shows a column per server where they disagree.
    let (code, out, _) = run(&repo, &["drift", "--authoritative"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("the servers of `auth.example` disagree"),
        "{out}"
    );
    assert!(
        out.contains("ns3.auth.example") && out.contains("NOERROR A 192.0.2.3"),
        "{out}"
    );
    assert!(out.contains("refuses to answer for"), "{out}");
    drop(servers);

    // ns1 down: named, not passed over.
    let servers = (2..=3)
        .map(|i| common::knot::Knot::serve(&format!("{net}.{i}"), &all_good).unwrap())
        .collect::<Vec<_>>();
    let v = drift_refused(&repo);
    assert_eq!(
        kinds_at(&v),
        [(
            "unavailable".into(),
            "auth.example SOA".into(),
            format!("ns1.auth.example ({net}.1:53)")
        )],
        "{v:#}"
    );
    drop(servers);

    // The live parent (found through the resolver) still delegates to a fourth server the
    // zone no longer names, and nothing answers there: named, as resolvers will reach it.
    let servers = three_servers(net, [&all_good, &all_good, &all_good]).unwrap();
    let parent = parent_zone(net, 4);
    let _parent = common::knot::Knot::serve(&format!("{net}.9"), &[("example", &parent)]).unwrap();
    repo.write(
        "changegate.toml",
        &format!("[sources]\nzonefiles = [\"zones/*.zone\"]\n[dns]\nresolvers = [\"{net}.9\"]\n"),
    );
    let v = drift_refused(&repo);
    assert_eq!(
        kinds_at(&v),
        [(
            "unavailable".into(),
            "auth.example SOA".into(),
            format!("ns4.auth.example ({net}.4:53)")
        )],
        "{v:#}"
    );
    // The parent cannot be asked: the delegation is not taken on trust.
    drop(_parent);
    let v = drift_refused(&repo);
    assert_eq!(
        kinds_at(&v),
        [(
            "unavailable".into(),
            "auth.example NS".into(),
            "example".into()
        )],
        "{v:#}"
    );
    assert!(
        v["differences"][0]["message"]
            .as_str()
            .unwrap()
            .contains("the parent's delegation of `auth.example` cannot be read"),
        "{v:#}"
    );
    drop(servers);
}

#[test]
fn regression_17_verify_authoritative_asks_every_server_the_resolvers_name() {
    let net = "127.0.9";
    let good = auth_zone(net, 7, "192.0.2.80");
    let all_good = [("auth.example", good.as_str())];
    let Some(servers) = three_servers(net, [&all_good, &all_good, &all_good]) else {
        return;
    };
    let repo = Repo::new();
    // A server for both zones stands in for a resolver: `ext`'s chain leaves `auth.example`
    // for `elsewhere.example`, which the zone's own servers do not answer for; the zone, its
    // servers and their addresses are found through it.
    let elsewhere = "$ORIGIN elsewhere.example.\n$TTL 300\n@ IN SOA ns hostmaster 1 7200 3600 1209600 300\n@ IN NS ns\nns IN A 192.0.2.1\nwww IN A 198.51.100.1\n";
    let resolver = format!("{net}.9");
    let parent = parent_zone(net, 3);
    let _resolver = common::knot::Knot::serve(
        &resolver,
        &[
            ("auth.example", &good),
            ("elsewhere.example", elsewhere),
            ("example", &parent),
        ],
    )
    .unwrap();
    let (code, _, err) = run(
        &repo,
        &[
            "snapshot",
            "www.auth.example",
            "alias.auth.example",
            "ext.auth.example",
            "--types",
            "A,AAAA",
            "--out",
            "lkg.json",
            "--resolver",
            &resolver,
        ],
    );
    assert_eq!(code, 0, "{err}");
    let recorded = file_json(&repo, "lkg.json");
    let ext = recorded["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "ext.auth.example" && e["type"] == "A")
        .unwrap();
    assert_eq!(
        ext["answers"][format!("{resolver}:53")]["chain"][1]["data"],
        "198.51.100.1",
        "{recorded:#}"
    );
    let (code, out, err) = run(&repo, &["verify", "lkg.json", "--authoritative"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("all 18 authoritative answer(s) match"),
        "{out}"
    );
    drop(servers);
    // ns3 behind, with the old `www`: the rollback has not reached it.
    let behind = auth_zone(net, 3, "192.0.2.3");
    let servers = three_servers(
        net,
        [&all_good, &all_good, &[("auth.example", behind.as_str())]],
    )
    .unwrap();
    let (code, out, err) = run(
        &repo,
        &["verify", "lkg.json", "--authoritative", "--format", "json"],
    );
    assert_eq!(code, 1, "{out}{err}");
    let v = json(&out);
    let ns3 = format!("ns3.auth.example ({net}.3:53)");
    assert_eq!(
        kinds_at(&v),
        [
            ("behind".into(), "auth.example SOA".into(), ns3.clone()),
            ("values".into(), "alias.auth.example A".into(), ns3.clone()),
            ("values".into(), "www.auth.example A".into(), ns3.clone()),
        ],
        "{v:#}"
    );
    assert_eq!(v["disagreements"].as_array().unwrap().len(), 2, "{v:#}");
    drop(servers);
}

//! The deletion gate over DNS query logs: `backend = "command"` (the JSON-lines protocol,
//! with the example scripts run for real) and `backend = "clickhouse"` (a real ClickHouse
//! server, and a stub only for faults a real server will not produce on demand).

mod common;

use std::os::unix::fs::PermissionsExt;

use common::clickhouse::ClickHouse;
use common::{LOGS_POLICY, NOW, NOW_UNIX, Repo, codes, reason};

/// A repository whose counts come from `command` (a TOML array), with `scripts` written into
/// it as executables.
fn with_command(command: &str, timeout: &str, scripts: &[(&str, &str)]) -> Repo {
    let repo = Repo::with_metrics(
        &format!("backend = \"command\"\ncommand = {command}\ntimeout = \"{timeout}\"\n"),
        LOGS_POLICY,
    );
    for (path, text) in scripts {
        repo.write(path, text);
        let full = repo.path().join(path);
        std::fs::set_permissions(&full, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    repo
}

fn example(name: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/metrics")
            .join(name),
    )
    .unwrap()
}

/// An RFC 3339 instant `hours` before the tests' evaluation instant.
fn hours_ago(hours: i64) -> String {
    jiff::Timestamp::from_second(NOW_UNIX - hours * 3600)
        .unwrap()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn check(repo: &Repo, id: &str, rrsets: &[(&str, &str)]) -> (i32, serde_json::Value) {
    let ticket = repo.delete_ticket(id, rrsets);
    repo.check_json(&[ticket.to_str().unwrap()])
}

/// Checks a ticket deleting `rrsets` and asserts it is refused for exactly `code`.
fn refused(repo: &Repo, id: &str, rrsets: &[(&str, &str)], code: &str) -> serde_json::Value {
    let (exit, v) = check(repo, id, rrsets);
    assert_eq!(
        (exit, codes(&v)),
        (1, vec![code.to_string()]),
        "{rrsets:?}: {v:#}"
    );
    v
}

#[test]
fn the_csv_example_script_decides_each_deletion_on_its_logs() {
    let mut log = format!(
        "# from: {}\n# to: {NOW}\ntime,server,qname,qtype\n",
        hours_ago(24 * 30)
    );
    for h in 1..=5 {
        log.push_str(&format!("{},ns1,AutoLogon.Example.com.,A\n", hours_ago(h)));
    }
    // Old traffic, before the window: not counted.
    log.push_str(&format!("{},ns1,old.example.com,A\n", hours_ago(24 * 20)));
    // A CNAME answers every type.
    log.push_str(&format!("{},ns2,cdn.example.com,AAAA\n", hours_ago(3)));
    // A wildcard answers the names below it.
    log.push_str(&format!("{},ns2,x.users.example.com,A\n", hours_ago(3)));
    let repo = with_command(
        r#"["scripts/resolutions", "logs/queries.csv"]"#,
        "20s",
        &[("scripts/resolutions", &example("resolutions-from-csv"))],
    );
    repo.write("logs/queries.csv", &log);

    let (code, v) = check(&repo, "CHG-1", &[("autologon.example.com", "A")]);
    assert_eq!(code, 1, "{v:#}");
    let r = reason(&v, "deletion-in-use");
    assert_eq!(r["evidence"]["value"], 5.0, "{v:#}");
    assert_eq!(
        r["evidence"]["source"],
        "scripts/resolutions logs/queries.csv"
    );
    assert_eq!(r["evidence"]["coverage"]["result"], "covered");

    let (code, v) = check(&repo, "CHG-2", &[("old.example.com", "A")]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["tickets"][0]["deletions"][0]["allowed"], true);

    let (code, v) = check(&repo, "CHG-3", &[("cdn.example.com", "CNAME")]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(codes(&v), ["deletion-in-use"]);

    let (code, v) = check(&repo, "CHG-4", &[("*.users.example.com", "A")]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(codes(&v), ["deletion-in-use"]);

    // Logs that begin inside the window prove nothing about its start.
    repo.write(
        "logs/queries.csv",
        &log.replacen(&hours_ago(24 * 30), &hours_ago(24), 1),
    );
    let (code, v) = check(&repo, "CHG-5", &[("old.example.com", "A")]);
    assert_eq!(code, 1, "{v:#}");
    let r = reason(&v, "deletion-no-telemetry");
    assert!(
        r["message"]
            .as_str()
            .unwrap()
            .contains("not the whole window"),
        "{r:#}"
    );
}

/// Every answer that is not complete, well formed and covering refuses, quoting stderr.
#[test]
fn a_command_that_fails_or_answers_badly_refuses() {
    let covered = format!(
        "\"covered_from\": \"{}\", \"covered_to\": \"{NOW}\"",
        hours_ago(24 * 30)
    );
    let answer = |count: &str| format!("{{\"count\": {count}, {covered}}}");
    let cases: Vec<(String, &str, &str)> = vec![
        (
            "echo 'token expired for account prod' >&2; exit 3".into(),
            "metrics-unavailable",
            "token expired for account prod",
        ),
        (
            "cat >/dev/null; sleep 30".into(),
            "metrics-unavailable",
            "did not answer within 1s",
        ),
        (
            "cat >/dev/null".into(),
            "metrics-unavailable",
            "0 line(s) to 1 question(s)",
        ),
        (
            format!("cat >/dev/null; echo '{0}'; echo '{0}'", answer("0")),
            "metrics-unavailable",
            "2 line(s) to 1 question(s)",
        ),
        (
            "cat >/dev/null; echo 'count=0'; echo 'parse failure at row 3' >&2".into(),
            "metrics-unavailable",
            "parse failure at row 3",
        ),
        (
            format!("cat >/dev/null; echo '{}'", answer("-4")),
            "metrics-unavailable",
            "whole number",
        ),
        (
            format!("cat >/dev/null; echo '{}'", answer("0.5")),
            "metrics-unavailable",
            "whole number",
        ),
        (
            format!(
                "cat >/dev/null; echo '{{\"count\": 0, \"covered_from\": \"{}\", \"covered_to\": \"{NOW}\"}}'",
                hours_ago(2)
            ),
            "deletion-no-telemetry",
            "not the whole window",
        ),
    ];
    for (i, (body, code, expect)) in cases.iter().enumerate() {
        let repo = with_command(
            r#"["scripts/count"]"#,
            "1s",
            &[("scripts/count", &format!("#!/bin/sh\n{body}\n"))],
        );
        let (exit, v) = check(&repo, &format!("CHG-{i}"), &[("old.example.com", "A")]);
        assert_eq!(exit, 1, "{body}: {v:#}");
        assert_eq!(codes(&v), [*code], "{body}: {v:#}");
        let message = reason(&v, code)["message"].as_str().unwrap().to_string();
        assert!(message.contains(expect), "{body}: {message}");
    }
}

/// The command is an argument vector: nothing in it is interpreted by a shell, and it runs
/// from the repository root whatever folder `check` runs in.
#[test]
fn the_command_runs_without_a_shell_from_the_repository_root() {
    let repo = with_command(
        r#"["scripts/count", "$(touch pwned)", "; touch pwned2"]"#,
        "10s",
        &[(
            "scripts/count",
            "#!/bin/sh\ncat >/dev/null\n[ -f changegate.toml ] || { echo 'not at the root' >&2; exit 1; }\nprintf '%s\\n' \"$@\" > args.txt\necho '{\"count\": 0, \"covered_from\": \"2020-01-01T00:00:00Z\", \"covered_to\": \"2030-01-01T00:00:00Z\"}'\n",
        )],
    );
    std::fs::create_dir_all(repo.path().join("changes")).unwrap();
    let ticket = repo.delete_ticket("CHG-1", &[("old.example.com", "A")]);
    let output = repo
        .cmd()
        .current_dir(repo.path().join("changes"))
        .args(["check", "--format", "json", ticket.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert!(!repo.path().join("pwned").exists() && !repo.path().join("pwned2").exists());
    let args = std::fs::read_to_string(repo.path().join("args.txt")).unwrap();
    assert_eq!(args, "$(touch pwned)\n; touch pwned2\n");
}

/// A wildcard's count must be of the names it answers: an answer that does not say it
/// counted them refuses, so a script that counts only the literal name cannot pass.
#[test]
fn a_wildcard_needs_an_answer_that_says_what_it_counted() {
    let repo = with_command(
        r#"["scripts/count"]"#,
        "10s",
        &[(
            "scripts/count",
            "#!/bin/sh\ncat >/dev/null\necho '{\"count\": 0, \"covered_from\": \"2020-01-01T00:00:00Z\", \"covered_to\": \"2030-01-01T00:00:00Z\"}'\n",
        )],
    );
    let (code, v) = check(&repo, "CHG-1", &[("*.users.example.com", "A")]);
    assert_eq!(code, 1, "{v:#}");
    assert!(
        reason(&v, "metrics-unavailable")["message"]
            .as_str()
            .unwrap()
            .contains("\"reach\": \"wildcard\""),
        "{v:#}"
    );
}

/// The questions a command gets: one line per deletion, in the protocol's shape.
#[test]
fn the_command_gets_one_question_per_deletion() {
    let repo = with_command(
        r#"["scripts/count"]"#,
        "10s",
        &[(
            "scripts/count",
            "#!/bin/sh\ntee questions.jsonl | while read -r q; do echo '{\"count\": 0, \"covered_from\": \"2020-01-01T00:00:00Z\", \"covered_to\": \"2030-01-01T00:00:00Z\", \"reach\": \"subtree\"}'; done\n",
        )],
    );
    let (code, v) = check(
        &repo,
        "CHG-1",
        &[("old.example.com", "A"), ("sub.example.com", "NS")],
    );
    assert_eq!(code, 0, "{v:#}");
    let text = std::fs::read_to_string(repo.path().join("questions.jsonl")).unwrap();
    let questions: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(questions.len(), 2, "{text}");
    assert_eq!(
        questions[0],
        serde_json::json!({
            "name": "old.example.com", "fqdn": "old.example.com.", "type": "A",
            "zone": "example.com", "reach": "name",
            "from": "2026-01-01T00:00:00Z", "to": NOW
        })
    );
    assert_eq!(questions[1]["reach"], "subtree");
}

// ClickHouse: a real server, rows with explicit timestamps.

/// The policy-free part of a ClickHouse `[metrics]` section.
fn clickhouse_metrics(url: &str, table: &str, extra: &str) -> String {
    format!(
        "backend = \"clickhouse\"\nurl = \"{url}\"\ntable = \"{table}\"\nservers = [\"ns1\", \"ns2\"]\ntimeout = \"5s\"\n{extra}"
    )
}

/// DNS-collector rows: every hour of 20 days on ns1 and ns2 a heartbeat, and the traffic.
fn dns_collector_rows(gap: Option<(&str, i64, i64)>, days: i64) -> Vec<serde_json::Value> {
    let mut rows = Vec::new();
    let row = |server: &str, qname: &str, qtype: &str, op: &str, at: i64| {
        serde_json::json!({
            "identity": server, "queryip": "192.0.2.1", "qname": qname,
            "operation": op, "family": "INET", "protocol": "UDP", "qtype": qtype,
            "rcode": "NOERROR", "timensec": 0, "timestamp": at
        })
    };
    for hour in 0..(days * 24) {
        let at = NOW_UNIX - hour * 3600 - 600;
        for server in ["ns1", "ns2"] {
            if gap.is_some_and(|(s, from, to)| s == server && (from..to).contains(&hour)) {
                continue;
            }
            rows.push(row(
                server,
                "_changegate-heartbeat.example.com.",
                "TXT",
                "CLIENT_QUERY",
                at,
            ));
        }
    }
    for h in 0..7 {
        rows.push(row(
            "ns1",
            "AutoLogon.Example.COM.",
            "A",
            "CLIENT_QUERY",
            NOW_UNIX - 60 - h * 7200,
        ));
    }
    // Responses are not queries.
    rows.push(row(
        "ns1",
        "old.example.com.",
        "A",
        "CLIENT_RESPONSE",
        NOW_UNIX - 100,
    ));
    rows.push(row(
        "ns2",
        "cdn.example.com",
        "AAAA",
        "AUTH_QUERY",
        NOW_UNIX - 100,
    ));
    rows.push(row(
        "ns2",
        "x.users.example.com",
        "A",
        "CLIENT_QUERY",
        NOW_UNIX - 100,
    ));
    // Asked only over IPv6: an ALIAS answers AAAA too.
    rows.push(row(
        "ns1",
        "aliased.example.com.",
        "AAAA",
        "CLIENT_QUERY",
        NOW_UNIX - 100,
    ));
    // A name below a delegation, asked for A: the delegation (NS) is in use.
    rows.push(row(
        "ns1",
        "www.sub.example.com.",
        "A",
        "CLIENT_QUERY",
        NOW_UNIX - 100,
    ));
    rows
}

const DNS_COLLECTOR_TABLE: &str = "CREATE TABLE {table} (identity String, queryip String, \
    qname String, operation String, family String, protocol String, qtype String, \
    rcode String, timensec UInt64, timestamp {time}) ENGINE = MergeTree() ORDER BY timestamp";

fn dns_collector(ch: &ClickHouse, table: &str, time: &str, rows: &[serde_json::Value]) {
    ch.execute(
        &DNS_COLLECTOR_TABLE
            .replace("{table}", table)
            .replace("{time}", time),
    );
    let rows: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            let mut r = r.clone();
            if time == "DateTime" || time == "String" {
                let at = r["timestamp"].as_i64().unwrap();
                r["timestamp"] = if time == "String" {
                    serde_json::json!(at.to_string())
                } else {
                    serde_json::json!(
                        jiff::Timestamp::from_second(at)
                            .unwrap()
                            .strftime("%Y-%m-%d %H:%M:%S")
                            .to_string()
                    )
                };
            }
            r
        })
        .collect();
    ch.insert(table, &rows);
}

#[test]
fn real_clickhouse_decides_each_deletion_on_query_logs() {
    let Some(ch) = ClickHouse::start() else {
        return;
    };
    // The server's time zone must not matter: DateTime, unix seconds, and seconds as text.
    for (table, time) in [
        ("dnstap", "DateTime"),
        ("dnstap_unix", "UInt32"),
        ("dnstap_text", "String"),
    ] {
        dns_collector(&ch, table, time, &dns_collector_rows(None, 20));
        let repo = Repo::with_metrics(&clickhouse_metrics(&ch.url, table, ""), LOGS_POLICY);

        // In use, counted without case or trailing dot: the exact count.
        let (code, v) = check(&repo, "CHG-1", &[("autologon.example.com", "A")]);
        assert_eq!(code, 1, "{table}: {v:#}");
        let r = reason(&v, "deletion-in-use");
        assert_eq!(r["evidence"]["value"], 7.0, "{table}: {v:#}");
        assert!(
            r["message"].as_str().unwrap().contains("7 resolutions"),
            "{r:#}"
        );
        let sql = r["evidence"]["query"].as_str().unwrap();
        assert!(
            !sql.contains("autologon"),
            "values are bound, not spliced: {sql}"
        );

        // Unused (a response row is not a query) with every hour covered: allowed.
        let (code, v) = check(&repo, "CHG-2", &[("old.example.com", "A")]);
        assert_eq!(code, 0, "{table}: {v:#}");
        let coverage = &v["tickets"][0]["deletions"][0]["evidence"]["coverage"];
        assert!(
            coverage["value"].as_f64().unwrap() >= 2.0 * 14.0 * 24.0,
            "{coverage:#}"
        );

        // A CNAME counts every type; a wildcard the names below it.
        refused(
            &repo,
            "CHG-3",
            &[("cdn.example.com", "CNAME")],
            "deletion-in-use",
        );
        refused(
            &repo,
            "CHG-4",
            &[("*.users.example.com", "A")],
            "deletion-in-use",
        );
        // An ALIAS counts AAAA questions too; a delegation every question below it.
        refused(
            &repo,
            "CHG-6",
            &[("aliased.example.com", "ALIAS")],
            "deletion-in-use",
        );
        refused(
            &repo,
            "CHG-7",
            &[("sub.example.com", "NS")],
            "deletion-in-use",
        );
        // Another type of an in-use name is not in use.
        let (code, v) = check(&repo, "CHG-5", &[("autologon.example.com", "AAAA")]);
        assert_eq!(code, 0, "{table}: {v:#}");
    }
}

#[test]
fn clickhouse_coverage_is_proven_per_server_for_every_hour() {
    let Some(ch) = ClickHouse::start() else {
        return;
    };
    // ns2 logged nothing for three hours, five days ago.
    dns_collector(
        &ch,
        "gappy",
        "DateTime",
        &dns_collector_rows(Some(("ns2", 120, 123)), 20),
    );
    // Only the last two days were kept (a table TTL shorter than the window).
    dns_collector(&ch, "short", "DateTime", &dns_collector_rows(None, 2));
    // An empty table: no rows is no telemetry, never "everything is old enough".
    dns_collector(&ch, "empty", "DateTime", &[]);
    for (table, server, hour) in [
        ("gappy", "ns2", hours_ago(123)),
        ("short", "ns1", hours_ago(14 * 24)),
        ("empty", "ns1", hours_ago(14 * 24)),
    ] {
        let repo = Repo::with_metrics(&clickhouse_metrics(&ch.url, table, ""), LOGS_POLICY);
        let (code, v) = check(&repo, "CHG-1", &[("old.example.com", "A")]);
        assert_eq!(code, 1, "{table}: {v:#}");
        let message = reason(&v, "deletion-no-telemetry")["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            message.contains(&format!("`{server}`")) && message.contains(&hour),
            "{table}: expected {server} from {hour}: {message}"
        );
    }
}

/// Names shaped like SQL are values: they count nothing and change nothing. Tickets admit
/// only host names, but a zone file may name anything, and a cascade measures what zone files
/// name: the gate's own measurement is driven here with such names.
#[test]
fn clickhouse_binds_names_it_never_splices_them() {
    use changegate::diag::SourceFile;
    use changegate::evidence::{DeletionTarget, measure_deletions};
    let Some(ch) = ClickHouse::start() else {
        return;
    };
    dns_collector(&ch, "dnstap", "DateTime", &dns_collector_rows(None, 20));
    let repo = Repo::with_metrics(&clickhouse_metrics(&ch.url, "dnstap", ""), LOGS_POLICY);
    repo.write(
        "zones/example.com.zone",
        "$ORIGIN example.com.\n$TTL 300\nx'or'1'='1 A 192.0.2.1\nx'\\),\\(0\\)-- A 192.0.2.1\nx\\\\' A 192.0.2.1\nx\\009 A 192.0.2.1\n",
    );
    let files = changegate::zone::FsFiles::new(repo.path());
    let state = changegate::zone::load_state(&files, &["zones/*.zone".to_string()], &[]).unwrap();
    let targets: Vec<DeletionTarget> = state
        .zones
        .values()
        .flat_map(|z| &z.rrsets)
        .map(|r| DeletionTarget {
            name: r.name.clone(),
            rtype: r.rtype,
            zone: changegate::model::Fqdn::parse("example.com").unwrap(),
            ttl: Some(r.ttl),
        })
        .collect();
    assert_eq!(targets.len(), 4, "{targets:?}");
    let read =
        |rel: &str| SourceFile::new(rel, std::fs::read_to_string(repo.path().join(rel)).unwrap());
    let config = changegate::config::read_config(
        read("changegate.toml"),
        &repo.path().join("changegate.toml"),
    )
    .unwrap();
    let policy = changegate::policy::read_policy(
        read("policies/default.toml"),
        &repo.path().join("policies/default.toml"),
    )
    .unwrap();
    let now: jiff::Timestamp = NOW.parse().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let facts = runtime.block_on(measure_deletions(
        &config,
        &files,
        policy.deletion.as_ref().map(|d| d.get_ref()),
        &targets,
        now,
    ));
    for target in &targets {
        let m = &facts.rrsets[&(target.name.clone(), target.rtype)];
        assert_eq!(
            m.result,
            Ok(changegate::evidence::Outcome::Value(0.0)),
            "{}: {m:?}",
            target.name
        );
    }
    assert_eq!(ch.query("SELECT count() > 900 FROM dnstap"), "1");
}

#[test]
fn clickhouse_dnsmonster_and_custom_layouts() {
    let Some(ch) = ClickHouse::start() else {
        return;
    };
    ch.execute(
        "CREATE TABLE DNS_LOG (PacketTime DateTime, Server String, QR UInt8, Type UInt16, \
         Question String) ENGINE = MergeTree() ORDER BY PacketTime",
    );
    let mut rows = Vec::new();
    for hour in 0..(15 * 24) {
        for server in ["ns1", "ns2"] {
            rows.push(serde_json::json!({
                "PacketTime": jiff::Timestamp::from_second(NOW_UNIX - hour * 3600 - 60).unwrap().strftime("%Y-%m-%d %H:%M:%S").to_string(),
                "Server": server, "QR": 0, "Type": 16, "Question": "_changegate-heartbeat.example.com",
            }));
        }
    }
    for (qr, rtype, name) in [
        (0, 1, "In-Use.example.com."),
        (1, 1, "answered.example.com"),
        (0, 28, "answered.example.com"),
    ] {
        rows.push(serde_json::json!({
            "PacketTime": jiff::Timestamp::from_second(NOW_UNIX - 50).unwrap().strftime("%Y-%m-%d %H:%M:%S").to_string(),
            "Server": "ns1", "QR": qr, "Type": rtype, "Question": name,
        }));
    }
    ch.insert("DNS_LOG", &rows);
    let custom = "schema = \"custom\"\n[metrics.columns]\nname = \"Question\"\ntype = \"Type\"\nserver = \"Server\"\ntime = \"PacketTime\"\nfilter = \"QR = 0\"\n";
    for extra in ["schema = \"dnsmonster\"\n", custom] {
        let repo = Repo::with_metrics(&clickhouse_metrics(&ch.url, "DNS_LOG", extra), LOGS_POLICY);
        refused(
            &repo,
            "CHG-1",
            &[("in-use.example.com", "A")],
            "deletion-in-use",
        );
        // A response row and a query of another type do not count.
        let (code, v) = check(&repo, "CHG-2", &[("answered.example.com", "A")]);
        assert_eq!(code, 0, "{extra}: {v:#}");
    }
}

/// A store that is down, refuses the credentials, or names a table it lacks: refused, and
/// the password is never shown.
#[test]
fn clickhouse_failures_refuse_without_leaking_credentials() {
    let Some(ch) = ClickHouse::start() else {
        return;
    };
    dns_collector(&ch, "dnstap", "DateTime", &dns_collector_rows(None, 20));
    let secret = "hunter2-do-not-print";
    let cases = [
        (
            clickhouse_metrics(
                &ch.url,
                "dnstap",
                "user_env = \"CH_USER\"\npassword_env = \"CH_PASSWORD\"\n",
            ),
            "password",
        ),
        (clickhouse_metrics(&ch.url, "missing", ""), "has no table"),
        (
            clickhouse_metrics(&ch.url, "dnstap", "schema = \"dnsmonster\"\n"),
            "no column `Question`",
        ),
        (
            clickhouse_metrics(&common::stub::refused(), "dnstap", ""),
            "cannot connect",
        ),
    ];
    for (metrics, expect) in cases {
        let repo = Repo::with_metrics(&metrics, LOGS_POLICY);
        let ticket = repo.delete_ticket("CHG-1", &[("old.example.com", "A")]);
        let output = repo
            .cmd()
            .env("CH_USER", "default")
            .env("CH_PASSWORD", secret)
            .args(["check", "--format", "json", ticket.to_str().unwrap()])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(1), "{text}");
        assert!(text.contains(expect), "{expect}: {text}");
        assert!(text.contains("metrics-unavailable"), "{text}");
        assert!(!text.contains(secret), "{text}");
        assert!(!String::from_utf8_lossy(&output.stderr).contains(secret));
    }
}

/// Faults a real server will not produce on demand: a 5xx, garbage, a hang.
#[test]
fn clickhouse_garbage_errors_and_hangs_refuse() {
    use common::stub::{Reply, serve};
    for (reply, expect) in [
        (Reply::Answer(503, "overloaded"), "HTTP 503"),
        (
            Reply::Answer(200, "<html>proxy login</html>"),
            "not 2 tab-separated",
        ),
        (Reply::Hang, "did not answer in time"),
    ] {
        let url = serve(reply);
        let repo = Repo::with_metrics(
            &clickhouse_metrics(&url, "dnstap", "").replace("timeout = \"5s\"", "timeout = \"1s\""),
            LOGS_POLICY,
        );
        let (code, v) = check(&repo, "CHG-1", &[("old.example.com", "A")]);
        assert_eq!(code, 1, "{v:#}");
        let message = reason(&v, "metrics-unavailable")["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(message.contains(expect), "{expect}: {message}");
    }
}

/// Logs that lost messages look exactly like zero traffic: with `completeness_query`, the
/// zone's logged queries are compared with the count the DNS server itself keeps (here
/// CoreDNS's counter in a real Prometheus), and logs holding too little of it refuse.
#[test]
fn clickhouse_logs_are_checked_against_the_servers_own_counter() {
    use common::prometheus::{Prometheus, counter};
    let Some(ch) = ClickHouse::start() else {
        return;
    };
    // The server answered 1 query for example.com every 10 minutes: ~2016 over 14 days.
    let server_counter = counter("zone=\"example.com.\",server=\"dns://:53\"", NOW_UNIX, 1)
        .replace("dns_resolutions_total", "coredns_dns_requests_total");
    let Some(prometheus) = Prometheus::start(&server_counter) else {
        return;
    };
    // The logs hold ~680 of them (two heartbeats an hour and a little traffic): a third.
    dns_collector(&ch, "dnstap", "DateTime", &dns_collector_rows(None, 20));
    let policy = |min: &str| {
        format!(
            "{LOGS_POLICY}completeness_query = 'sum(increase(coredns_dns_requests_total{{zone=\"{{zone}}.\"}}[{{window}}]))'\ncompleteness_min = {min}\n"
        )
    };
    let metrics = format!(
        "{}[metrics.server]\nbackend = \"prometheus\"\nurl = \"{}\"\n",
        clickhouse_metrics(&ch.url, "dnstap", ""),
        prometheus.url
    );
    let repo = Repo::with_metrics(&metrics, &policy("0.3"));
    let (code, v) = check(&repo, "CHG-1", &[("old.example.com", "A")]);
    assert_eq!(code, 0, "{v:#}");
    let completeness = &v["tickets"][0]["deletions"][0]["evidence"]["coverage"]["completeness"];
    let (logged, answered) = (
        completeness["logged"].as_f64().unwrap(),
        completeness["answered"].as_f64().unwrap(),
    );
    assert!((600.0..700.0).contains(&logged), "{completeness:#}");
    assert!((1900.0..2100.0).contains(&answered), "{completeness:#}");

    let repo = Repo::with_metrics(&metrics, &policy("0.99"));
    let (code, v) = check(&repo, "CHG-1", &[("old.example.com", "A")]);
    assert_eq!(code, 1, "{v:#}");
    let message = reason(&v, "deletion-no-telemetry")["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("lost messages"), "{message}");
    assert!(
        message.contains(&format!("{logged}")),
        "both numbers: {message}"
    );

    // Without `[metrics.server]` the policy cannot be met: refused before anything is asked.
    let repo = Repo::with_metrics(&clickhouse_metrics(&ch.url, "dnstap", ""), &policy("0.99"));
    let (code, v) = check(&repo, "CHG-1", &[("old.example.com", "A")]);
    assert_eq!(code, 2, "{v:#}");
    assert!(v.to_string().contains("[metrics.server]"), "{v:#}");
}

/// The `command` example over ClickHouse runs for real through `clickhouse-client`.
#[test]
fn the_clickhouse_example_script_answers_through_clickhouse_client() {
    let Some(ch) = ClickHouse::start() else {
        return;
    };
    dns_collector(&ch, "dnstap", "DateTime", &dns_collector_rows(None, 20));
    let command = format!(
        r#"["scripts/resolutions", "--table", "dnstap", "--port", "{}"]"#,
        ch.tcp_port
    );
    let repo = with_command(
        &command,
        "30s",
        &[(
            "scripts/resolutions",
            &example("resolutions-from-clickhouse"),
        )],
    );
    let (code, v) = check(&repo, "CHG-1", &[("autologon.example.com", "A")]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(
        reason(&v, "deletion-in-use")["evidence"]["value"],
        7.0,
        "{v:#}"
    );
    let (code, v) = check(&repo, "CHG-2", &[("old.example.com", "A")]);
    assert_eq!(code, 0, "{v:#}");
    refused(
        &repo,
        "CHG-3",
        &[("*.users.example.com", "A")],
        "deletion-in-use",
    );
    // A zone the logs never saw: the script says so, and the gate refuses.
    let (code, v) = check(&repo, "CHG-4", &[("old.dark.example", "A")]);
    assert_eq!(code, 1, "{v:#}");
    assert!(
        reason(&v, "metrics-unavailable")["message"]
            .as_str()
            .unwrap()
            .contains("no query rows at all for the zone dark.example"),
        "{v:#}"
    );
}

/// End to end through a real pipeline: knotd with `mod-dnstap` streams its queries to the
/// `dnstap` receiver, queries come from `kdig`, the receiver's JSON is loaded into ClickHouse
/// as DNS-collector rows, and the gate decides on them. The hours before the pipeline ran are
/// heartbeat rows, as a collector that had been running would have left.
#[test]
fn a_real_dnstap_pipeline_from_knot_to_clickhouse_to_the_gate() {
    use std::process::{Command, Stdio};
    for (tool, package) in [
        ("knotd", "knot knot-module-dnstap"),
        ("kdig", "knot-dnsutils"),
        ("dnstap", "golang-github-dnstap-golang-dnstap-cli"),
    ] {
        if common::tool(tool, package).is_none() {
            return;
        }
    }
    let Some(ch) = ClickHouse::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("example.com.zone"),
        "$ORIGIN example.com.\n$TTL 300\n@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n@ NS ns1\nns1 A 192.0.2.53\nautologon A 192.0.2.10\nold A 192.0.2.11\n_changegate-heartbeat TXT \"alive\"\n",
    )
    .unwrap();
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let socket = d.join("tap.sock");
    std::fs::write(
        d.join("knot.conf"),
        format!(
            "server:\n    listen: 127.0.0.1@{port}\n    rundir: {dir}\ndatabase:\n    storage: {dir}/db\n\
             mod-dnstap:\n  - id: tap\n    sink: unix:{sock}\n    identity: ns1\n    log-queries: on\n    log-responses: off\n\
             template:\n  - id: default\n    storage: {dir}\n\
             zone:\n  - domain: example.com\n    file: {dir}/example.com.zone\n    module: mod-dnstap/tap\n",
            dir = d.display(),
            sock = socket.display()
        ),
    )
    .unwrap();
    // The receiver first, then the server that writes to it.
    let json = d.join("queries.json");
    let mut receiver = Command::new("dnstap")
        .args([
            "-u",
            socket.to_str().unwrap(),
            "-j",
            "-w",
            json.to_str().unwrap(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let wait_for = |what: &str, ready: &dyn Fn() -> bool| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while !ready() {
            assert!(std::time::Instant::now() < deadline, "{what} did not start");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    };
    wait_for("dnstap", &|| socket.exists());
    let mut knotd = Command::new("knotd")
        .arg("-c")
        .arg(d.join("knot.conf"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let kdig = |name: &str, rtype: &str| {
        Command::new("kdig")
            .args([
                "@127.0.0.1",
                "-p",
                &port.to_string(),
                name,
                rtype,
                "+short",
                "+timeout=1",
                "+retry=0",
            ])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default()
    };
    wait_for("knotd", &|| kdig("ns1.example.com.", "A") == "192.0.2.53");
    // Resolvers send names in any case, with 0x20: one name, three spellings.
    for spelling in [
        "autologon.example.com.",
        "AutoLogon.Example.COM.",
        "aUTOLOGON.example.com.",
    ] {
        assert_eq!(kdig(spelling, "A"), "192.0.2.10");
    }
    kdig("_changegate-heartbeat.example.com.", "TXT");
    // Stopping the server flushes the stream; then the receiver.
    terminate(&knotd);
    let _ = knotd.wait();
    std::thread::sleep(std::time::Duration::from_millis(300));
    terminate(&receiver);
    let _ = receiver.wait();

    // The receiver's JSON carries the question only inside dig-style text.
    let text = std::fs::read_to_string(&json).unwrap();
    let mut rows = Vec::new();
    let mut latest = 0i64;
    for line in text.lines() {
        let m: serde_json::Value = serde_json::from_str(line).unwrap();
        let message = &m["message"];
        let question = message["query_message"]
            .as_str()
            .unwrap()
            .split(";; QUESTION SECTION:\n;")
            .nth(1)
            .and_then(|q| q.lines().next())
            .unwrap()
            .to_string();
        let fields: Vec<&str> = question.split_whitespace().collect();
        let at: jiff::Timestamp = message["query_time"].as_str().unwrap().parse().unwrap();
        latest = latest.max(at.as_second());
        rows.push(serde_json::json!({
            "identity": m["identity"], "queryip": message["query_address"], "qname": fields[0],
            "operation": message["type"], "family": message["socket_family"],
            "protocol": message["socket_protocol"], "qtype": fields[2], "rcode": "",
            "timensec": 0, "timestamp": at.as_second(),
        }));
    }
    assert!(rows.len() >= 5, "{text}");
    assert!(
        rows.iter().all(|r| r["operation"] == "AUTH_QUERY"),
        "{text}"
    );
    // What a collector running for the last 20 days would have left: a heartbeat an hour.
    let now = latest + 60;
    for hour in 1..(20 * 24) {
        rows.push(serde_json::json!({
            "identity": "ns1", "queryip": "127.0.0.1", "qname": "_changegate-heartbeat.example.com.",
            "operation": "AUTH_QUERY", "family": "INET", "protocol": "UDP", "qtype": "TXT",
            "rcode": "", "timensec": 0, "timestamp": now - hour * 3600,
        }));
    }
    dns_collector(&ch, "dnstap", "UInt32", &rows);

    let repo = Repo::with_metrics(
        &clickhouse_metrics(&ch.url, "dnstap", "").replace("[\"ns1\", \"ns2\"]", "[\"ns1\"]"),
        LOGS_POLICY,
    );
    let now = jiff::Timestamp::from_second(now).unwrap().to_string();
    let run = |id: &str, name: &str| {
        let ticket = repo.delete_ticket(id, &[(name, "A")]);
        let output = repo
            .cmd()
            .env("CHANGEGATE_NOW", &now)
            .args(["check", "--format", "json", ticket.to_str().unwrap()])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        (output.status.code().unwrap(), v)
    };
    let (code, v) = run("CHG-1", "autologon.example.com");
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(
        reason(&v, "deletion-in-use")["evidence"]["value"],
        3.0,
        "{v:#}"
    );
    let (code, v) = run("CHG-2", "old.example.com");
    assert_eq!(code, 0, "{v:#}");
}

/// Stops a child the way an operator would (SIGTERM), so it flushes what it buffered.
fn terminate(child: &std::process::Child) {
    let _ = std::process::Command::new("kill")
        .arg(child.id().to_string())
        .status();
}

/// What the command may see of the environment, and that it leaves no process behind.
#[test]
fn the_command_sees_only_named_variables_and_leaves_nothing_running() {
    let repo = with_command(
        r#"["scripts/count"]"#,
        "2s",
        &[(
            "scripts/count",
            "#!/bin/sh\ncat >/dev/null\necho \"secret=${CHANGEGATE_CH_PASSWORD:-unset} named=${REGION:-unset}\" >&2\nsleep 300 >/dev/null 2>&1 &\necho $! > child.pid\nexit 3\n",
        )],
    );
    repo.write(
        "changegate.toml",
        &std::fs::read_to_string(repo.path().join("changegate.toml"))
            .unwrap()
            .replace("timeout = \"2s\"", "timeout = \"2s\"\nenv = [\"REGION\"]"),
    );
    let ticket = repo.delete_ticket("CHG-1", &[("old.example.com", "A")]);
    let output = repo
        .cmd()
        .env("CHANGEGATE_CH_PASSWORD", "hunter2")
        .env("REGION", "eu-west-1")
        .args(["check", "--format", "json", ticket.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("secret=unset named=eu-west-1"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
    // The background child was killed with the command's process group.
    let pid = std::fs::read_to_string(repo.path().join("child.pid")).unwrap();
    // A killed process whose parent is gone may linger as a zombie until init reaps it; the
    // signal takes a moment to land on a loaded machine.
    let alive = || {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())).unwrap_or_default();
        !stat.is_empty()
            && stat
                .rsplit(')')
                .next()
                .is_some_and(|rest| !rest.trim_start().starts_with('Z'))
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while alive() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let alive = alive();
    assert!(!alive, "the command's child {pid} outlived the check");
}

/// Settings that would be silently unused are refused: PromQL templates with query logs, a
/// column layout for another backend, credentials in a URL.
#[test]
fn settings_a_backend_would_ignore_are_refused() {
    let cases = [
        (
            "backend = \"command\"\ncommand = [\"scripts/count\"]\n",
            common::GATE_ONLY_POLICY,
            "`[deletion] query` is for a PromQL store",
        ),
        (
            "backend = \"prometheus\"\nurl = \"http://127.0.0.1:9\"\n[metrics.columns]\nname = \"q\"\ntype = \"t\"\nserver = \"s\"\ntime = \"ts\"\n",
            common::GATE_ONLY_POLICY,
            "`metrics.columns` is not a setting of the `prometheus` backend",
        ),
        (
            "backend = \"clickhouse\"\nurl = \"http://default:hunter2@127.0.0.1:8123\"\ntable = \"t\"\nservers = [\"ns1\"]\n",
            LOGS_POLICY,
            "carries credentials",
        ),
    ];
    for (metrics, policy, expect) in cases {
        let repo = Repo::with_metrics(metrics, policy);
        let output = repo.cmd().args(["lint"]).output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(output.status.code(), Some(2), "{text}");
        assert!(text.contains(expect), "{expect}: {text}");
    }
}

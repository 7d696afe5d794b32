//! The deletion gate against a real Prometheus, and against the faults a real one will not
//! produce on demand. Every failure must refuse (exit 1), never allow.

mod common;

use common::prometheus::{Prometheus, counter, counter_for};
use common::stub::{Reply, refused, serve};
use common::*;

fn history() -> String {
    let zone = "zone=\"example.com\"";
    [
        counter(
            &format!("name=\"autologon-tm.example.com\",type=\"A\",{zone}"),
            NOW_UNIX,
            3,
        ),
        counter(
            &format!("name=\"flat.example.com\",type=\"A\",{zone}"),
            NOW_UNIX,
            0,
        ),
    ]
    .concat()
}

#[test]
fn real_prometheus_decides_each_deletion_on_evidence() {
    let Some(prometheus) = Prometheus::start(&history()) else {
        return;
    };
    let repo = Repo::with_prometheus(&prometheus.url, "10s");

    // In use: refused, with the query, window, value and evaluation time as evidence.
    let ticket = repo.delete_ticket("CHG-1", &[("autologon-tm.example.com", "A")]);
    let (code, v) = repo.check_json(&[ticket.to_str().unwrap()]);
    assert_eq!(code, 1, "{v:#}");
    let r = reason(&v, "deletion-in-use");
    assert_eq!(r["name"], "autologon-tm.example.com");
    assert_eq!(r["type"], "A");
    let value = r["evidence"]["value"].as_f64().unwrap();
    assert!(
        (6000.0..=6100.0).contains(&value),
        "14 days at 3 per 10 minutes is ~6048, got {value}"
    );
    assert_eq!(r["evidence"]["window"], "14d");
    assert_eq!(r["evidence"]["evaluated_at"], NOW);
    assert!(
        r["evidence"]["query"]
            .as_str()
            .unwrap()
            .contains(r#"name="autologon-tm.example.com",type="A""#)
    );
    assert!(r["evidence"]["coverage"]["value"].as_f64().unwrap() > 0.0);

    // A series flat at zero, with telemetry for its zone: allowed.
    let ticket = repo.delete_ticket("CHG-2", &[("flat.example.com", "A")]);
    let (code, v) = repo.check_json(&[ticket.to_str().unwrap()]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["verdict"], "allowed");
    let d = &v["tickets"][0]["deletions"][0];
    assert_eq!(
        (d["allowed"].as_bool(), d["evidence"]["value"].as_f64()),
        (Some(true), Some(0.0))
    );

    // Never seen (empty result) with telemetry: allowed, recorded as empty.
    let ticket = repo.delete_ticket("CHG-3", &[("never.example.com", "AAAA")]);
    let (code, v) = repo.check_json(&[ticket.to_str().unwrap()]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(
        v["tickets"][0]["deletions"][0]["evidence"]["result"],
        "empty"
    );

    // A zone without telemetry: refused even though the name shows nothing.
    let ticket = repo.delete_ticket("CHG-4", &[("old.dark.example", "A")]);
    let (code, v) = repo.check_json(&[ticket.to_str().unwrap()]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(codes(&v), ["deletion-no-telemetry"]);

    // Many deletions in one ticket are measured together; one in use refuses the ticket.
    let ticket = repo.delete_ticket(
        "CHG-5",
        &[
            ("flat.example.com", "A"),
            ("never.example.com", "A"),
            ("autologon-tm.example.com", "A"),
        ],
    );
    let (code, v) = repo.check_json(&[ticket.to_str().unwrap()]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(codes(&v), ["deletion-in-use"]);
    assert_eq!(v["tickets"][0]["deletions"].as_array().unwrap().len(), 3);

    // Prometheus stopped: connection refused, so the gate refuses.
    prometheus.stop();
    let ticket = repo.delete_ticket("CHG-6", &[("flat.example.com", "A")]);
    let (code, v) = repo.check_json(&[ticket.to_str().unwrap()]);
    assert_eq!(code, 1, "{v:#}");
    assert!(
        codes(&v).iter().all(|c| c == "metrics-unavailable"),
        "{v:#}"
    );
}

/// Runs a deletion against a metrics backend that misbehaves; it must refuse.
fn refuses_with_metrics_unavailable(url: &str, timeout: &str, expect: &str) {
    let repo = Repo::with_prometheus(url, timeout);
    let ticket = repo.delete_ticket("CHG-9", &[("flat.example.com", "A")]);
    let (code, v) = repo.check_json(&[ticket.to_str().unwrap()]);
    assert_eq!(code, 1, "{v:#}");
    let r = reason(&v, "metrics-unavailable");
    let message = r["message"].as_str().unwrap();
    assert!(
        message.contains(expect),
        "expected `{expect}` in `{message}`"
    );
}

const ONE_ZERO: &str = r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"0"]}]}}"#;

#[test]
fn connection_refused_refuses() {
    refuses_with_metrics_unavailable(&refused(), "5s", "cannot connect");
}

#[test]
fn a_server_that_never_answers_refuses_after_the_timeout() {
    refuses_with_metrics_unavailable(&serve(Reply::Hang), "1s", "did not answer in time");
}

#[test]
fn http_500_refuses() {
    refuses_with_metrics_unavailable(
        &serve(Reply::Answer(500, "internal error")),
        "5s",
        "HTTP 500",
    );
}

#[test]
fn status_error_refuses() {
    let body = r#"{"status":"error","errorType":"execution","error":"query timed out"}"#;
    refuses_with_metrics_unavailable(&serve(Reply::Answer(422, body)), "5s", "query timed out");
}

#[test]
fn non_json_refuses() {
    refuses_with_metrics_unavailable(
        &serve(Reply::Answer(200, "<html>proxy login</html>")),
        "5s",
        "not its JSON API",
    );
}

#[test]
fn nan_refuses() {
    let body = r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"NaN"]}]}}"#;
    refuses_with_metrics_unavailable(&serve(Reply::Answer(200, body)), "5s", "NaN");
}

#[test]
fn two_series_refuse() {
    let body = r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"pop":"ams"},"value":[1,"0"]},{"metric":{"pop":"fra"},"value":[1,"0"]}]}}"#;
    refuses_with_metrics_unavailable(&serve(Reply::Answer(200, body)), "5s", "2 series");
}

#[test]
fn warnings_refuse() {
    let body = r#"{"status":"success","warnings":["partial response: store unavailable"],"data":{"resultType":"vector","result":[]}}"#;
    refuses_with_metrics_unavailable(&serve(Reply::Answer(200, body)), "5s", "warnings");
}

#[test]
fn a_missing_bearer_token_refuses_without_printing_anything_secret() {
    let url = serve(Reply::Answer(200, ONE_ZERO));
    let repo = Repo::with_prometheus(&url, "5s");
    let config = std::fs::read_to_string(repo.path().join("changegate.toml")).unwrap();
    repo.write(
        "changegate.toml",
        &format!("{config}bearer_token_env = \"CHANGEGATE_TEST_TOKEN\"\n"),
    );
    let ticket = repo.delete_ticket("CHG-9", &[("flat.example.com", "A")]);
    let output = repo
        .cmd()
        .args(["check", "--format", "json", ticket.to_str().unwrap()])
        .env_remove("CHANGEGATE_TEST_TOKEN")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stdout).contains("CHANGEGATE_TEST_TOKEN"));

    let output = repo
        .cmd()
        .args(["check", "--format", "json", ticket.to_str().unwrap()])
        .env("CHANGEGATE_TEST_TOKEN", "s3cr3t-token")
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!all.contains("s3cr3t-token"), "the token leaked: {all}");
}

/// Issue 9: `increase(x[14d])` over a Prometheus holding two days answers two days' worth, and
/// the coverage at the current instant passed. The whole window must be covered.
#[test]
fn regression_9_two_days_of_history_prove_nothing_about_fourteen() {
    let zone = "zone=\"example.com\"";
    let history = [
        counter_for(
            &format!("name=\"busy.example.com\",type=\"A\",{zone}"),
            2,
            NOW_UNIX,
            5,
        ),
        counter_for(
            &format!("name=\"quiet.example.com\",type=\"A\",{zone}"),
            2,
            NOW_UNIX,
            0,
        ),
    ]
    .concat();
    let Some(prometheus) = Prometheus::start(&history) else {
        return;
    };
    let repo = Repo::with_prometheus(&prometheus.url, "10s");
    let ticket = repo.delete_ticket("CHG-1", &[("quiet.example.com", "A")]);
    let (code, v) = repo.check_json(&[ticket.to_str().unwrap()]);
    assert_eq!(code, 1, "{v:#}");
    let r = reason(&v, "deletion-no-telemetry");
    let message = r["message"].as_str().unwrap();
    assert!(
        message.contains("does not cover the whole 14d"),
        "{message}"
    );
    let gap = r["evidence"]["coverage"]["gap"].as_str().unwrap();
    assert!(gap.contains("found no telemetry"), "{gap}");
    assert!(
        gap.contains("2026-01-02T00:00:00Z"),
        "the earliest silent check is at the window's start: {gap}"
    );

    // A hole in the middle of otherwise full history is found too.
    let holey = [
        counter_for(
            &format!("name=\"busy.example.com\",type=\"A\",{zone}"),
            4,
            NOW_UNIX,
            5,
        ),
        counter_for(
            &format!("name=\"busy.example.com\",type=\"A\",{zone}"),
            10,
            NOW_UNIX - 6 * 86_400,
            5,
        )
        .replace(
            "dns_resolutions_total{",
            "dns_resolutions_total{part=\"old\",",
        ),
        counter(
            &format!("name=\"quiet.example.com\",type=\"A\",{zone}"),
            NOW_UNIX,
            0,
        )
        .replace(
            "dns_resolutions_total{",
            "dns_resolutions_total{part=\"flat\",",
        ),
    ]
    .concat();
    drop(prometheus);
    let Some(prometheus) = Prometheus::start(&holey) else {
        return;
    };
    let repo = Repo::with_prometheus(&prometheus.url, "10s");
    let ticket = repo.delete_ticket("CHG-2", &[("quiet.example.com", "A")]);
    let (code, v) = repo.check_json(&[ticket.to_str().unwrap()]);
    assert_eq!(code, 1, "{v:#}");
    let gap = reason(&v, "deletion-no-telemetry")["evidence"]["coverage"]["gap"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        gap.contains("2026-01-11"),
        "the two silent days before the last four: {gap}"
    );
}

/// Issue 9: a deleted wildcard was measured as the literal `*.example.com`, which nobody
/// queries; a deleted delegation as its own name, though it answers for a subtree.
#[test]
fn regression_9_wildcards_and_delegations_need_their_own_query() {
    let zone = "zone=\"example.com\"";
    let history = [
        counter(
            &format!("name=\"a.dev.example.com\",type=\"A\",{zone}"),
            NOW_UNIX,
            2,
        ),
        counter(
            &format!("name=\"www.example.com\",type=\"A\",{zone}"),
            NOW_UNIX,
            1,
        ),
    ]
    .concat();
    let Some(prometheus) = Prometheus::start(&history) else {
        return;
    };
    let repo = Repo::with_prometheus(&prometheus.url, "10s");
    for (id, name, rtype, key) in [
        ("CHG-1", "*.example.com", "A", "wildcard_query"),
        ("CHG-2", "dev.example.com", "NS", "subtree_query"),
        ("CHG-3", "old.example.com", "DNAME", "subtree_query"),
    ] {
        let ticket = repo.delete_ticket(id, &[(name, rtype)]);
        let (code, v) = repo.check_json(&[ticket.to_str().unwrap()]);
        assert_eq!(code, 1, "{v:#}");
        let message = reason(&v, "deletion-no-telemetry")["message"]
            .as_str()
            .unwrap();
        assert!(message.contains(key), "{message}");
    }
    // With the queries, the subtree's traffic is found.
    let policy = GATE_ONLY_POLICY.replace(
        "window = \"14d\"",
        "window = \"14d\"\nsubtree_query = 'sum(increase(dns_resolutions_total{name=~\"(.+\\\\.)?{name_regex}\"}[{window}]))'\nwildcard_query = 'sum(increase(dns_resolutions_total{name=~\".+\\\\.{name_regex}\"}[{window}]))'",
    );
    repo.write("policies/default.toml", &policy);
    let ticket = repo.delete_ticket("CHG-2", &[("dev.example.com", "NS")]);
    let (code, v) = repo.check_json(&[ticket.to_str().unwrap()]);
    assert_eq!(code, 1, "{v:#}");
    let r = reason(&v, "deletion-in-use");
    assert!(
        r["evidence"]["query"]
            .as_str()
            .unwrap()
            .contains(r#"dev\\.example\\.com"#),
        "{r:#}"
    );
    let ticket = repo.delete_ticket("CHG-1", &[("*.example.com", "A")]);
    let (code, v) = repo.check_json(&[ticket.to_str().unwrap()]);
    assert_eq!(code, 1, "{v:#}");
    assert!(
        reason(&v, "deletion-in-use")["evidence"]["value"]
            .as_f64()
            .unwrap()
            > 0.0
    );
}

/// Issue 16: every PromQL store gives the same verdicts on the same history. Prometheus and
/// VictoriaMetrics disagree on `increase()` over a counter born inside the window (0 against
/// its first value), so the README's recommended query measures such a counter from zero on
/// both; the whole-window proof holds on both.
#[test]
fn prometheus_and_victoria_metrics_give_the_same_verdicts() {
    use common::victoria::VictoriaMetrics;
    let zone = "zone=\"example.com\"";
    let born = |labels: &str, value: u64, days: i64| {
        let mut out = String::new();
        let mut t = NOW_UNIX - days * 86_400;
        while t <= NOW_UNIX {
            out.push_str(&format!("dns_resolutions_total{{{labels}}} {value} {t}\n"));
            t += 600;
        }
        out
    };
    let history = [
        counter(
            &format!("name=\"busy.example.com\",type=\"A\",{zone}"),
            NOW_UNIX,
            3,
        ),
        counter(
            &format!("name=\"flat.example.com\",type=\"A\",{zone}"),
            NOW_UNIX,
            0,
        ),
        // Five queries two days ago created this counter; it never rose after.
        born(
            &format!("name=\"born.example.com\",type=\"A\",{zone}"),
            5,
            2,
        ),
        // A zone whose telemetry starts two days ago.
        counter_for(
            "name=\"busy.young.example\",type=\"A\",zone=\"young.example\"",
            2,
            NOW_UNIX,
            3,
        ),
        counter_for(
            "name=\"flat.young.example\",type=\"A\",zone=\"young.example\"",
            2,
            NOW_UNIX,
            0,
        ),
    ]
    .concat();
    let policy = GATE_ONLY_POLICY.replace(
        "query = 'sum(increase(dns_resolutions_total{name=\"{name}\",type=\"{type}\"}[{window}]))'",
        "query = 'sum(last_over_time(dns_resolutions_total{name=\"{name}\",type=\"{type}\"}[{window}]) - (dns_resolutions_total{name=\"{name}\",type=\"{type}\"} offset {window} or last_over_time(dns_resolutions_total{name=\"{name}\",type=\"{type}\"}[{window}]) * 0))'",
    );
    assert_ne!(policy, GATE_ONLY_POLICY);
    let cases: [(&str, i32, &[&str]); 6] = [
        ("busy.example.com", 1, &["deletion-in-use"]),
        ("flat.example.com", 0, &[]),
        ("born.example.com", 1, &["deletion-in-use"]),
        ("never.example.com", 0, &[]),
        // Born two days ago at 1000: counted from zero, as queries since it was created.
        ("flat.young.example", 1, &["deletion-in-use"]),
        ("never.young.example", 1, &["deletion-no-telemetry"]),
    ];
    let mut verdicts = Vec::new();
    let (Some(prometheus), Some(victoria)) = (
        Prometheus::start(&history),
        VictoriaMetrics::start(&history),
    ) else {
        return;
    };
    for url in [&prometheus.url, &victoria.url] {
        let repo = Repo::with_metrics(
            &format!("backend = \"prometheus\"\nurl = \"{url}\"\ntimeout = \"10s\"\n"),
            &policy,
        );
        repo.write("zones/young.example.zone", "$ORIGIN young.example.\n");
        let mut seen = Vec::new();
        for (i, (name, code, expected)) in cases.iter().enumerate() {
            let ticket = repo.delete_ticket(&format!("CHG-{i}"), &[(name, "A")]);
            let (exit, v) = repo.check_json(&[ticket.to_str().unwrap()]);
            assert_eq!(
                (exit, codes(&v)),
                (*code, expected.iter().map(|c| c.to_string()).collect()),
                "{url} {name}: {v:#}"
            );
            let value = v["tickets"][0]["deletions"][0]["evidence"]["value"].as_f64();
            seen.push((name.to_string(), exit, value));
        }
        verdicts.push(seen);
    }
    assert_eq!(
        verdicts[0], verdicts[1],
        "Prometheus and VictoriaMetrics disagree"
    );
}

/// An ALIAS answers A and AAAA: a name used only over IPv6 is in use.
#[test]
fn an_alias_used_only_over_ipv6_is_in_use() {
    let zone = "zone=\"example.com\"";
    let history = [
        counter(
            &format!("name=\"v6.example.com\",type=\"AAAA\",{zone}"),
            NOW_UNIX,
            2,
        ),
        counter(
            &format!("name=\"flat.example.com\",type=\"A\",{zone}"),
            NOW_UNIX,
            0,
        ),
    ]
    .concat();
    let Some(prometheus) = Prometheus::start(&history) else {
        return;
    };
    let repo = Repo::with_prometheus(&prometheus.url, "10s");
    let ticket = repo.delete_ticket("CHG-1", &[("v6.example.com", "ALIAS")]);
    let (code, v) = repo.check_json(&[ticket.to_str().unwrap()]);
    assert_eq!(
        (code, codes(&v)),
        (1, vec!["deletion-in-use".to_string()]),
        "{v:#}"
    );
    let query = reason(&v, "deletion-in-use")["evidence"]["query"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        query.contains("type=\"A\"") && query.contains("type=\"AAAA\""),
        "{query}"
    );
}

/// A counter rising by `per_sample(t)` every 10 minutes over the 16 days before now.
fn shaped(labels: &str, per_sample: impl Fn(i64) -> u64) -> String {
    let mut out = String::new();
    let mut value = 1000u64;
    let mut t = NOW_UNIX - 16 * 86_400;
    while t <= NOW_UNIX {
        out.push_str(&format!("dns_resolutions_total{{{labels}}} {value} {t}\n"));
        value += per_sample(t);
        t += 600;
    }
    out
}

/// Issue 13: the traffic behind a deletion, a step a day over the window, as evidence for
/// people: a record that fell silent, one always flat, one with weekly bursts.
#[test]
fn the_shape_of_the_traffic_behind_each_deletion_is_shown() {
    let zone = "zone=\"example.com\"";
    let history = [
        shaped(
            &format!("name=\"falling.example.com\",type=\"A\",{zone}"),
            |t| u64::from(t < NOW_UNIX - 3 * 86_400) * 3,
        ),
        shaped(
            &format!("name=\"flat.example.com\",type=\"A\",{zone}"),
            |_| 0,
        ),
        shaped(
            &format!("name=\"bursty.example.com\",type=\"A\",{zone}"),
            |t| u64::from((t / 86_400) % 7 == 0) * 20,
        ),
    ]
    .concat();
    let Some(prometheus) = Prometheus::start(&history) else {
        return;
    };
    let repo = Repo::with_prometheus(&prometheus.url, "10s");
    let picture = |name: &str| {
        let ticket = repo.delete_ticket("CHG-P", &[(name, "A")]);
        let (_, v) = repo.check_json(&[ticket.to_str().unwrap()]);
        let history = v["tickets"][0]["deletions"][0]["evidence"]["history"].clone();
        let values: Vec<f64> = history
            .as_array()
            .unwrap_or_else(|| panic!("{name}: no history in {v:#}"))
            .iter()
            .map(|p| p[1].as_f64().unwrap())
            .collect();
        values
    };
    let falling = picture("falling.example.com");
    assert!((14..=16).contains(&falling.len()), "{falling:?}");
    assert!(
        falling[2] > 0.0 && *falling.last().unwrap() == 0.0,
        "{falling:?}"
    );
    let flat = picture("flat.example.com");
    assert!(flat.iter().all(|v| *v == 0.0), "{flat:?}");
    let bursty = picture("bursty.example.com");
    let peaks = bursty.iter().filter(|v| **v > 0.0).count();
    assert!((1..=4).contains(&peaks), "{bursty:?}");
    // The human report draws it beside the count.
    let ticket = repo.delete_ticket("CHG-H", &[("falling.example.com", "A")]);
    let output = repo
        .cmd()
        .args(["check", ticket.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains('█') && text.contains('▁'), "{text}");
}

/// A range query that fails leaves no picture and the same verdict.
#[test]
fn a_failed_picture_never_changes_the_verdict() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(2)));
            let mut buffer = vec![0u8; 16384];
            let n = stream.read(&mut buffer).unwrap_or(0);
            let request = String::from_utf8_lossy(&buffer[..n]).into_owned();
            let (status, body) = if request.contains("query_range") {
                (500, "broken".to_string())
            } else {
                // The zone shows telemetry; the name shows none.
                let value = if request.contains("zone%3D") {
                    "50"
                } else {
                    "0"
                };
                (
                    200,
                    format!(
                        r#"{{"status":"success","data":{{"resultType":"vector","result":[{{"metric":{{}},"value":[1,"{value}"]}}]}}}}"#
                    ),
                )
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let repo = Repo::with_prometheus(&url, "5s");
    let ticket = repo.delete_ticket("CHG-1", &[("old.example.com", "A")]);
    let (code, v) = repo.check_json(&[ticket.to_str().unwrap()]);
    assert_eq!(code, 0, "{v:#}");
    let evidence = &v["tickets"][0]["deletions"][0]["evidence"];
    assert!(evidence.get("history").is_none(), "{evidence:#}");
}

//! Health signals before the change: `check` asks each one of a real Prometheus, and refuses
//! a signal that sees nothing or is already breached; faults a real server will not produce
//! on demand come from a stub.

mod common;

use common::prometheus::{Prometheus, counter};
use common::stub::{Reply, refused, serve};
use common::*;

/// A ticket creating a record, watched by `signals` (name, query, abort_if).
fn ticket_with(repo: &Repo, id: &str, signals: &[(&str, &str, &str)]) -> std::path::PathBuf {
    let mut text = complete_ticket(id, "record");
    text.push_str("\n[[change]]\naction = \"create\"\nname = \"new.example.com\"\ntype = \"TXT\"\nvalues = [\"\\\"x\\\"\"]\n");
    for (name, query, abort_if) in signals {
        text.push_str(&format!(
            "\n[[health_signal]]\nname = \"{name}\"\nquery = '{query}'\nabort_if = \"{abort_if}\"\nwatch = \"30m\"\n"
        ));
    }
    let rel = format!("changes/{id}.toml");
    repo.write(&rel, &text);
    repo.path().join(rel)
}

#[test]
fn check_asks_every_signal_of_a_real_prometheus() {
    let history = [
        counter(
            "name=\"busy.example.com\",type=\"A\",zone=\"example.com\"",
            NOW_UNIX,
            3,
        ),
        counter(
            "name=\"x.example.com\",type=\"A\",zone=\"example.com\"",
            NOW_UNIX,
            3,
        ),
    ]
    .concat();
    let Some(prometheus) = Prometheus::start(&history) else {
        return;
    };
    let repo = Repo::with_prometheus(&prometheus.url, "10s");
    let busy = "sum(increase(dns_resolutions_total{name=\"busy.example.com\"}[1h]))";
    // 18 an hour: alive above 10, tripped under 50.
    // (what, query, abort_if, exit code, refusal codes, the signal's verdict)
    type Case<'a> = (&'a str, &'a str, &'a str, i32, &'a [&'a str], &'a str);
    let cases: [Case; 5] = [
        ("alive", busy, "< 10", 0, &[], "alive"),
        (
            "tripped",
            busy,
            "< 50",
            1,
            &["health-signal-tripped"],
            "tripped",
        ),
        (
            "missing metric",
            "sum(rate(does_not_exist_total[5m]))",
            "< 1",
            1,
            &["health-signal-dead"],
            "dead",
        ),
        (
            "two series",
            "dns_resolutions_total",
            "< 1",
            1,
            &["health-signal-dead"],
            "dead",
        ),
        // A constant answers forever and measures nothing.
        (
            "a constant",
            "vector(100)",
            "< 10",
            1,
            &["health-signal-dead"],
            "dead",
        ),
    ];
    for (i, (what, query, abort_if, exit, expected, verdict)) in cases.iter().enumerate() {
        let ticket = ticket_with(&repo, &format!("CHG-{i}"), &[("logins", query, abort_if)]);
        let (code, v) = repo.check_json(&[ticket.to_str().unwrap()]);
        assert_eq!(
            (code, codes(&v)),
            (*exit, expected.iter().map(|c| c.to_string()).collect()),
            "{what}: {v:#}"
        );
        let signal = &v["tickets"][0]["signals"][0];
        assert_eq!(signal["verdict"], *verdict, "{what}: {signal:#}");
        assert_eq!(signal["abort_if"], *abort_if);
        assert_eq!(signal["evaluated_at"], NOW);
        if *verdict != "dead" {
            assert!(
                (17.0..19.0).contains(&signal["value"].as_f64().unwrap()),
                "{signal:#}"
            );
        }
    }
    // The human report writes the threshold as the ticket does.
    let ticket = ticket_with(&repo, "CHG-H", &[("logins", busy, "< 50")]);
    let output = repo
        .cmd()
        .args(["check", ticket.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("< 50") && text.contains("tripped"), "{text}");
    assert!(!text.contains("Less"), "{text}");
}

/// Faults: a store that is down, answers 5xx, NaN or hangs: the signal is dead.
#[test]
fn a_signal_whose_store_fails_is_dead() {
    for (url, expect) in [
        (refused(), "cannot connect"),
        (serve(Reply::Answer(503, "overloaded")), "HTTP 503"),
        (
            serve(Reply::Answer(
                200,
                r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"NaN"]}]}}"#,
            )),
            "NaN",
        ),
        (serve(Reply::Hang), "did not answer in time"),
    ] {
        let repo = Repo::with_prometheus(&url, "1s");
        let ticket = ticket_with(&repo, "CHG-1", &[("logins", "sum(up)", "< 1")]);
        let (code, v) = repo.check_json(&[ticket.to_str().unwrap()]);
        assert_eq!(
            (code, codes(&v)),
            (1, vec!["health-signal-dead".to_string()]),
            "{v:#}"
        );
        let message = reason(&v, "health-signal-dead")["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(message.contains(expect), "{expect}: {message}");
    }
}

/// The offline `file` backend cannot ask a signal anything: a finding, and a refusal only
/// where the tier demands health signals.
#[test]
fn without_a_query_store_a_signal_is_unverified() {
    let repo = Repo::with_metrics(
        "backend = \"file\"\npath = \"counts.csv\"\n",
        common::GATE_ONLY_POLICY,
    );
    repo.write(
        "counts.csv",
        "# from: 2026-01-01T00:00:00Z\n# to: 2026-01-15T00:00:00Z\nname,type,count\n",
    );
    let ticket = ticket_with(&repo, "CHG-1", &[("logins", "sum(up)", "< 1")]);
    let (code, v) = repo.check_json(&[ticket.to_str().unwrap()]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(
        v["tickets"][0]["findings"][0]["code"],
        "health-signal-unverified"
    );
    assert_eq!(v["tickets"][0]["signals"][0]["verdict"], "unverified");
    let demanding = common::GATE_ONLY_POLICY.replace(
        "name = \"routine\"\nrequire = []",
        "name = \"routine\"\nrequire = []\nrequire_fields = [\"health_signal\"]",
    );
    assert_ne!(demanding, common::GATE_ONLY_POLICY);
    repo.write("policies/default.toml", &demanding);
    let (code, v) = repo.check_json(&[ticket.to_str().unwrap()]);
    assert_eq!(
        (code, codes(&v)),
        (1, vec!["health-signal-dead".to_string()]),
        "{v:#}"
    );
}

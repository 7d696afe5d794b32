//! `changegate watch` against a real Prometheus scraping an exporter the test controls, so
//! values change while the watch runs. Windows are a few seconds long.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use common::prometheus::Prometheus;
use common::*;

/// A `/metrics` endpoint serving `test_logins` with the value the test sets (-1: nothing).
struct Exporter {
    value: Arc<AtomicI64>,
    address: String,
}

impl Exporter {
    fn start(value: i64) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let value = Arc::new(AtomicI64::new(value));
        let shared = value.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                let mut buffer = [0u8; 4096];
                let _ = stream.read(&mut buffer);
                let v = shared.load(Ordering::SeqCst);
                let body = if v < 0 {
                    String::new()
                } else {
                    format!("# TYPE test_logins gauge\ntest_logins {v}\n")
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Self { value, address }
    }

    fn set(&self, value: i64) {
        self.value.store(value, Ordering::SeqCst);
    }
}

/// A repository whose ticket watches `test_logins` with `signal` (extra TOML lines).
fn repo_watching(url: &str, signal: &str) -> (Repo, std::path::PathBuf) {
    let repo = Repo::with_prometheus(url, "2s");
    let mut text = complete_ticket("CHG-W", "record");
    text = text.replace(
        "steps = [\"Revert the merge commit\"]",
        "steps = [\"Revert the merge commit\"]\nlast_known_good = \"snapshots/CHG-W.json\"",
    );
    text.push_str("\n[[change]]\naction = \"create\"\nname = \"new.example.com\"\ntype = \"TXT\"\nvalues = [\"\\\"x\\\"\"]\n");
    text.push_str(&format!(
        "\n[[health_signal]]\nname = \"logins\"\nquery = 'sum(test_logins)'\n{signal}\n"
    ));
    repo.write("changes/CHG-W.toml", &text);
    let ticket = repo.path().join("changes/CHG-W.toml");
    (repo, ticket)
}

fn watch(repo: &Repo, ticket: &std::path::Path, extra: &[&str]) -> std::process::Child {
    let bin = assert_cmd::cargo::cargo_bin("changegate");
    std::process::Command::new(bin)
        .current_dir(repo.path())
        .env("NO_COLOR", "1")
        .arg("watch")
        .arg(ticket)
        .args(extra)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

fn finish(child: std::process::Child) -> (i32, String, String) {
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_healthy_rollout_is_watched_to_the_end() {
    let exporter = Exporter::start(100);
    let Some(prometheus) = Prometheus::scraping(&exporter.address, "test_logins") else {
        return;
    };
    let (repo, ticket) = repo_watching(
        &prometheus.url,
        "abort_if = \"< 50\"\nwatch = \"4s\"\ninterval = \"1s\"",
    );
    let (code, out, err) = finish(watch(&repo, &ticket, &["--format", "json"]));
    assert_eq!(code, 0, "{out}\n{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines[0]["event"], "baseline");
    assert_eq!(lines[0]["value"], 100.0);
    let evaluations = lines.iter().filter(|l| l["event"] == "evaluation").count();
    assert!((3..=5).contains(&evaluations), "{out}");
    let last = lines.last().unwrap();
    assert_eq!(
        (last["event"].as_str(), last["result"].as_str()),
        (Some("summary"), Some("healthy"))
    );
}

#[test]
fn a_breach_aborts_with_the_rollback_and_how_to_verify_it() {
    let exporter = Exporter::start(100);
    let Some(prometheus) = Prometheus::scraping(&exporter.address, "test_logins") else {
        return;
    };
    let (repo, ticket) = repo_watching(
        &prometheus.url,
        "abort_if = \"< 50\"\nwatch = \"20s\"\ninterval = \"1s\"",
    );
    let marker = repo.path().join("on-abort.env");
    let script = repo.path().join("on-abort.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$CHANGEGATE_TICKET|$CHANGEGATE_SIGNAL|$CHANGEGATE_SNAPSHOT|$1\" > {}\nexit 4\n",
            marker.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let child = watch(
        &repo,
        &ticket,
        &["--on-abort", script.to_str().unwrap(), "--now-rolling-back"],
    );
    std::thread::sleep(Duration::from_secs(2));
    exporter.set(10);
    let (code, out, err) = finish(child);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(out.contains("ABORT: health signal `logins`"), "{out}");
    assert!(out.contains("10 is < 50"), "{out}");
    assert!(out.contains("1. Revert the merge commit"), "{out}");
    assert!(
        out.contains("changegate verify snapshots/CHG-W.json"),
        "{out}"
    );
    let env = std::fs::read_to_string(&marker).unwrap();
    assert!(
        env.contains("|logins|snapshots/CHG-W.json|--now-rolling-back"),
        "{env}"
    );
    assert!(err.contains("exited with exit status: 4"), "{err}");
}

#[test]
fn a_relative_threshold_aborts_on_a_fall_from_the_baseline() {
    let exporter = Exporter::start(200);
    let Some(prometheus) = Prometheus::scraping(&exporter.address, "test_logins") else {
        return;
    };
    let (repo, ticket) = repo_watching(
        &prometheus.url,
        "abort_if = \"< 50% of baseline\"\nwatch = \"20s\"\ninterval = \"1s\"\nfor = \"2s\"",
    );
    let child = watch(&repo, &ticket, &["--format", "json"]);
    std::thread::sleep(Duration::from_secs(2));
    // 120 is above half of 200: healthy. 80 is below: a breach, which must hold for 2s.
    exporter.set(120);
    std::thread::sleep(Duration::from_secs(2));
    exporter.set(80);
    let (code, out, err) = finish(child);
    assert_eq!(code, 1, "{out}\n{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let breached: Vec<&serde_json::Value> =
        lines.iter().filter(|l| l["breached"] == true).collect();
    assert!(breached.len() >= 2, "`for` held the abort back: {out}");
    assert!(
        lines
            .iter()
            .any(|l| l["event"] == "evaluation" && l["value"] == 120.0 && l["breached"] == false),
        "{out}"
    );
    let summary = lines.last().unwrap();
    assert_eq!(summary["result"], "aborted");
    assert!(
        summary["why"]
            .as_str()
            .unwrap()
            .contains("< 50% of baseline (baseline 200)"),
        "{summary}"
    );
}

#[test]
fn a_store_that_goes_away_blinds_the_watch_and_aborts_it() {
    let exporter = Exporter::start(100);
    let Some(prometheus) = Prometheus::scraping(&exporter.address, "test_logins") else {
        return;
    };
    let (repo, ticket) = repo_watching(
        &prometheus.url,
        "abort_if = \"< 50\"\nwatch = \"30s\"\ninterval = \"1s\"",
    );
    let child = watch(&repo, &ticket, &["--max-blind", "2"]);
    std::thread::sleep(Duration::from_secs(2));
    prometheus.stop();
    let (code, out, err) = finish(child);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(out.contains("went blind"), "{out}");
}

#[test]
fn the_watch_refuses_to_start_blind_or_without_signals_and_stops_on_interrupt() {
    let exporter = Exporter::start(100);
    let Some(prometheus) = Prometheus::scraping(&exporter.address, "test_logins") else {
        return;
    };
    // A signal that sees nothing at the start: could not start.
    let (repo, ticket) = repo_watching(
        &prometheus.url,
        "abort_if = \"< 50\"\nwatch = \"5s\"\ninterval = \"1s\"",
    );
    let text = std::fs::read_to_string(&ticket)
        .unwrap()
        .replace("sum(test_logins)", "sum(no_such_metric)");
    std::fs::write(&ticket, text).unwrap();
    let (code, _, err) = finish(watch(&repo, &ticket, &[]));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("is dead"), "{err}");
    // A constant sees something forever and measures nothing: could not start.
    let text = std::fs::read_to_string(&ticket)
        .unwrap()
        .replace("sum(no_such_metric)", "vector(100)");
    std::fs::write(&ticket, text).unwrap();
    let (code, _, err) = finish(watch(&repo, &ticket, &[]));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("reads no metric"), "{err}");
    // No signals at all: invalid input.
    let bare = repo.path().join("changes/CHG-B.toml");
    std::fs::write(
        &bare,
        format!(
            "{}\n[[change]]\naction = \"create\"\nname = \"b.example.com\"\ntype = \"TXT\"\nvalues = [\"\\\"x\\\"\"]\n",
            complete_ticket("CHG-B", "record")
        ),
    )
    .unwrap();
    let (code, _, err) = finish(watch(&repo, &bare, &[]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no `[[health_signal]]`"), "{err}");
    // Ctrl-C: never 0.
    let (repo, ticket) = repo_watching(
        &prometheus.url,
        "abort_if = \"< 50\"\nwatch = \"60s\"\ninterval = \"1s\"",
    );
    let child = watch(&repo, &ticket, &[]);
    std::thread::sleep(Duration::from_secs(2));
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let (code, _, err) = finish(child);
    assert_eq!(code, 130, "{err}");
    assert!(err.contains("interrupted"), "{err}");
}

/// The review's finding: a window with no room for evaluations, or a `for` no breach could
/// last, is refused in the ticket; a window that ends blind or still breached is no success.
#[test]
fn a_watch_never_passes_without_having_looked() {
    let exporter = Exporter::start(100);
    let Some(prometheus) = Prometheus::scraping(&exporter.address, "test_logins") else {
        return;
    };
    for signal in [
        "abort_if = \"< 50\"\nwatch = \"29s\"",
        "abort_if = \"< 50\"\nwatch = \"4s\"\ninterval = \"2s\"\nfor = \"3s\"",
        "abort_if = \"< 50\"\nwatch = \"99999999w\"\ninterval = \"1s\"",
    ] {
        let (repo, ticket) = repo_watching(&prometheus.url, signal);
        let (code, _, err) = finish(watch(&repo, &ticket, &[]));
        assert_eq!(code, 2, "{signal}: {err}");
    }
    // A breach that starts at the very end, held less than `for`: aborted, not healthy.
    let (repo, ticket) = repo_watching(
        &prometheus.url,
        "abort_if = \"< 50\"\nwatch = \"6s\"\ninterval = \"1s\"\nfor = \"4s\"",
    );
    let child = watch(&repo, &ticket, &[]);
    std::thread::sleep(Duration::from_secs(4));
    exporter.set(10);
    let (code, out, err) = finish(child);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(out.contains("not yet held"), "{out}");
}

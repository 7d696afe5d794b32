//! Test harness: temp DNS repositories, the real binary, and real components.
#![allow(dead_code)]

pub mod clickhouse;
pub mod dns;
pub mod knot;
pub mod prometheus;
pub mod stub;
pub mod victoria;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The evaluation instant used by every test, so results never depend on the clock.
pub const NOW: &str = "2026-01-15T00:00:00Z";
pub const NOW_UNIX: i64 = 1_768_435_200;

/// A DNS repository in a temp dir.
pub struct Repo {
    pub dir: tempfile::TempDir,
}

/// The same for query logs, which are asked by name and type: only the window.
pub const LOGS_POLICY: &str = r#"
[[tier]]
name = "routine"
require = []

[deletion]
window = "14d"
"#;

/// A policy where deletions are "routine" (no approvals), so a test sees the deletion gate
/// alone.
pub const GATE_ONLY_POLICY: &str = r#"
[[tier]]
name = "routine"
require = []

[deletion]
query = 'sum(increase(dns_resolutions_total{name="{name}",type="{type}"}[{window}]))'
coverage_query = 'sum(increase(dns_resolutions_total{zone="{zone}"}[{window}]))'
window = "14d"
"#;

impl Repo {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, rel: &str, text: &str) -> &Self {
        let path = self.dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    /// A repository whose metrics come from Prometheus at `url`, with zones `example.com` and
    /// `dark.example`.
    pub fn with_prometheus(url: &str, timeout: &str) -> Self {
        Self::with_metrics(
            &format!("backend = \"prometheus\"\nurl = \"{url}\"\ntimeout = \"{timeout}\"\n"),
            GATE_ONLY_POLICY,
        )
    }

    /// A repository with this `[metrics]` section and policy, and zones `example.com` and
    /// `dark.example`.
    pub fn with_metrics(metrics: &str, policy: &str) -> Self {
        let repo = Self::new();
        repo.write(
            "changegate.toml",
            &format!(
                "policy = \"policies/default.toml\"\n[sources]\nzonefiles = [\"zones/*.zone\"]\n\
                 [metrics]\n{metrics}"
            ),
        )
        .write("policies/default.toml", policy)
        .write(
            "zones/example.com.zone",
            "$ORIGIN example.com.\n@ 300 IN SOA ns1 hostmaster 1 2 3 4 5\n",
        )
        .write("zones/dark.example.zone", "$ORIGIN dark.example.\n");
        repo
    }

    /// Writes `changes/<id>.toml` deleting the given RRsets.
    pub fn delete_ticket(&self, id: &str, rrsets: &[(&str, &str)]) -> PathBuf {
        let mut text = complete_ticket(id, "record");
        for (name, rtype) in rrsets {
            text.push_str(&format!(
                "\n[[change]]\naction = \"delete\"\nname = \"{name}\"\ntype = \"{rtype}\"\n"
            ));
        }
        let rel = format!("changes/{id}.toml");
        self.write(&rel, &text);
        self.path().join(rel)
    }

    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("changegate").unwrap();
        cmd.current_dir(self.path())
            .env("CHANGEGATE_NOW", NOW)
            .env_remove("CI")
            .env("NO_COLOR", "1");
        cmd
    }

    /// Runs `check --format json`, returning the exit code and the parsed verdict.
    pub fn check_json(&self, extra: &[&str]) -> (i32, serde_json::Value) {
        let output = self
            .cmd()
            .args(["check", "--format", "json"])
            .args(extra)
            .output()
            .unwrap();
        let code = output.status.code().unwrap_or(-1);
        let json = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            )
        });
        (code, json)
    }
}

/// Runs git in `dir` as a fixed author, with no user config, and returns its output.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git is required");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// A ticket with every always-required field, and no changes yet.
pub fn complete_ticket(id: &str, scope: &str) -> String {
    format!(
        r#"id = "{id}"
title = "Test change"
author = "vojtech@example.com"

[intent]
summary = "Remove what is no longer used"

[blast_radius]
scope = "{scope}"
impact = "Clients of the names below"

[rollback]
steps = ["Revert the merge commit"]
"#
    )
}

/// The refusal codes of the first ticket.
pub fn codes(verdict: &serde_json::Value) -> Vec<String> {
    verdict["tickets"][0]["reasons"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| r["code"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The first reason with `code`, or a panic that shows the verdict.
pub fn reason<'a>(verdict: &'a serde_json::Value, code: &str) -> &'a serde_json::Value {
    verdict["tickets"][0]["reasons"]
        .as_array()
        .and_then(|a| a.iter().find(|r| r["code"] == code))
        .unwrap_or_else(|| panic!("no `{code}` in {verdict:#}"))
}

/// One plain HTTP/1.0 request to a loopback server: its status and body, or `None` if
/// nothing answers.
pub fn http(method: &str, url: &str, body: &[u8]) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://")?;
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let mut stream = std::net::TcpStream::connect(host).ok()?;
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .ok()?;
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: {host}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .ok()?;
    stream.write_all(body).ok()?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).ok()?;
    let text = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, body.to_string()))
}

/// The path of `binary` on PATH.
pub fn which(binary: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join(binary))
        .find(|p| p.is_file())
}

/// The path of a real component's `binary`, installed by Debian's `package`; `None` (skip)
/// only outside CI, where a missing component fails the test instead.
pub fn tool(binary: &str, package: &str) -> Option<PathBuf> {
    let found = which(binary);
    if found.is_none() {
        assert!(
            !required(),
            "CI is set but `{binary}` is not installed (apt-get install {package})"
        );
        eprintln!("skipping: `{binary}` is not installed ({package})");
    }
    found
}

/// A loopback port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A server process of a test, stopped when dropped.
pub struct Daemon(pub std::process::Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// True if a real component is required here (CI), so a missing one fails instead of skipping.
pub fn required() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty())
}

/// A small deterministic generator (xorshift), so that generated inputs are the same on every
/// run and failures reproduce.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

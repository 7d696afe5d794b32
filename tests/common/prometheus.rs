//! A real Prometheus server on a free loopback port, with history backfilled by
//! `promtool tsdb create-blocks-from openmetrics`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Prometheus {
    child: Child,
    pub url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Prometheus {
    /// Starts Prometheus with `openmetrics` (without the final `# EOF`) as its history.
    /// `None` (skip) only outside CI when Prometheus is not installed.
    pub fn start(openmetrics: &str) -> Option<Self> {
        Self::launch(openmetrics, "scrape_configs: []\n")
    }

    /// Starts Prometheus scraping `target` (`host:port`, its `/metrics`) every second, so
    /// that values change while a test runs, and waits until `metric` has been scraped.
    pub fn scraping(target: &str, metric: &str) -> Option<Self> {
        let config = format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: test\n    static_configs:\n      - targets: ['{target}']\n"
        );
        let server = Self::launch("", &config)?;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let url = format!("{}/api/v1/query?query={metric}", server.url);
            if let Some((200, body)) = super::http("GET", &url, b"") {
                if body.contains("\"value\"") {
                    return Some(server);
                }
            }
            assert!(
                Instant::now() < deadline,
                "prometheus never scraped {target}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn launch(openmetrics: &str, scrape: &str) -> Option<Self> {
        let prometheus = super::tool("prometheus", "prometheus")?;
        let promtool = super::tool("promtool", "prometheus")?;
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        let input = dir.path().join("history.om");
        std::fs::write(&input, format!("{openmetrics}# EOF\n")).unwrap();
        let blocks = dir.path().join("blocks");
        let status = if openmetrics.is_empty() {
            None
        } else {
            Some(
                Command::new(&promtool)
                    .args([
                        "tsdb",
                        "create-blocks-from",
                        "openmetrics",
                        "--max-block-duration=744h",
                    ])
                    .arg(&input)
                    .arg(&blocks)
                    .stdout(Stdio::null())
                    .status()
                    .expect("run promtool"),
            )
        };
        if let Some(status) = status {
            assert!(status.success(), "promtool failed to backfill");
            for entry in std::fs::read_dir(&blocks).unwrap() {
                let entry = entry.unwrap();
                copy_dir(&entry.path(), &data.join(entry.file_name()));
            }
        }
        let config = dir.path().join("prometheus.yml");
        std::fs::write(&config, scrape).unwrap();
        let mut child = Command::new(prometheus)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", data.display()))
            .arg("--storage.tsdb.retention.time=100y")
            .arg("--web.listen-address=127.0.0.1:0")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start prometheus");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("msg=\"Listening on\" address=").nth(1) {
                    let _ = tx.send(
                        rest.split_whitespace()
                            .next()
                            .unwrap_or_default()
                            .to_string(),
                    );
                }
            }
        });
        let address = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("prometheus did not start listening");
        let server = Self {
            child,
            url: format!("http://{address}"),
            _dir: dir,
        };
        server.wait_ready(&address);
        Some(server)
    }

    fn wait_ready(&self, address: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(mut stream) = TcpStream::connect(address) {
                let _ = write!(stream, "GET /-/ready HTTP/1.0\r\nHost: {address}\r\n\r\n");
                let mut response = String::new();
                let _ = stream.read_to_string(&mut response);
                if response.starts_with("HTTP/1.0 200") || response.starts_with("HTTP/1.1 200") {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("prometheus was not ready in time");
    }

    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// One counter series sampled every 10 minutes over the 16 days before `end`, rising by
/// `per_sample` each time.
pub fn counter(labels: &str, end: i64, per_sample: u64) -> String {
    counter_for(labels, 16, end, per_sample)
}

/// [`counter`] with only `days` of history before `end`.
pub fn counter_for(labels: &str, days: i64, end: i64, per_sample: u64) -> String {
    let mut out = String::new();
    let start = end - days * 86_400;
    let mut value = 1000;
    let mut t = start;
    while t <= end {
        out.push_str(&format!("dns_resolutions_total{{{labels}}} {value} {t}\n"));
        value += per_sample;
        t += 600;
    }
    out
}

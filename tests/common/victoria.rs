//! A real VictoriaMetrics (Debian's `victoria-metrics`) on a free loopback port, with
//! history imported through `/api/v1/import/prometheus` and flushed to be searchable.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{Daemon, free_port};

pub struct VictoriaMetrics {
    _child: Daemon,
    pub url: String,
    _dir: tempfile::TempDir,
}

impl VictoriaMetrics {
    /// Starts VictoriaMetrics with `openmetrics` (the lines `name{labels} value seconds` the
    /// Prometheus helper backfills) as its history. `None` (skip) only outside CI when it is
    /// not installed.
    pub fn start(openmetrics: &str) -> Option<Self> {
        let binary = super::tool("victoria-metrics", "victoria-metrics")?;
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let child = Command::new(binary)
            .arg(format!(
                "-storageDataPath={}",
                dir.path().join("data").display()
            ))
            .arg(format!("-httpListenAddr=127.0.0.1:{port}"))
            .arg("-retentionPeriod=100y")
            // The newest 30 s are hidden by default; the tests evaluate at exact instants.
            .arg("-search.latencyOffset=0s")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start victoria-metrics");
        let url = format!("http://127.0.0.1:{port}");
        let server = Self {
            _child: Daemon(child),
            url,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while super::http("GET", &format!("{}/health", server.url), b"").map(|r| r.0) != Some(200) {
            assert!(Instant::now() < deadline, "victoria-metrics did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        // Prometheus text with millisecond timestamps.
        let lines: String = openmetrics
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| {
                let (series, seconds) = l.rsplit_once(' ').unwrap();
                format!("{series} {}000\n", seconds.trim())
            })
            .collect();
        let (status, body) = super::http(
            "POST",
            &format!("{}/api/v1/import/prometheus", server.url),
            lines.as_bytes(),
        )
        .expect("import");
        assert!(status / 100 == 2, "import refused: {body}");
        super::http("GET", &format!("{}/internal/force_flush", server.url), b"");
        Some(server)
    }
}

//! A real ClickHouse server (Debian's `clickhouse-server`) on free loopback ports, its data
//! in a temp dir, started in the foreground and stopped when dropped.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{Daemon, free_port};

pub struct ClickHouse {
    _child: Daemon,
    pub url: String,
    /// The native protocol's port, for `clickhouse-client`.
    pub tcp_port: u16,
    dir: tempfile::TempDir,
}

impl ClickHouse {
    /// `None` (skip) only outside CI when ClickHouse is not installed.
    pub fn start() -> Option<Self> {
        let server = super::tool("clickhouse-server", "clickhouse-server")?;
        let dir = tempfile::tempdir().unwrap();
        let (http, tcp) = (free_port(), free_port());
        let root = dir.path().display();
        let config = format!(
            "<?xml version=\"1.0\"?>\n<yandex>\n<logger><level>warning</level><console>1</console></logger>\n\
             <http_port>{http}</http_port>\n<tcp_port>{tcp}</tcp_port>\n<listen_host>127.0.0.1</listen_host>\n\
             <path>{root}/data/</path>\n<tmp_path>{root}/tmp/</tmp_path>\n\
             <users_config>/etc/clickhouse-server/users.xml</users_config>\n\
             <default_profile>default</default_profile>\n<default_database>default</default_database>\n\
             <mark_cache_size>5368709120</mark_cache_size>\n</yandex>\n"
        );
        let config_path = dir.path().join("config.xml");
        std::fs::write(&config_path, config).unwrap();
        let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
        let child = Command::new(server)
            .arg(format!("--config-file={}", config_path.display()))
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start clickhouse-server");
        let url = format!("http://127.0.0.1:{http}");
        let server = Self {
            _child: Daemon(child),
            url,
            tcp_port: tcp,
            dir,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while server.get("/ping").as_deref() != Some("Ok.\n") {
            assert!(
                Instant::now() < deadline,
                "clickhouse-server did not start: {}",
                std::fs::read_to_string(server.dir.path().join("server.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(server)
    }

    fn get(&self, path: &str) -> Option<String> {
        match super::http("GET", &format!("{}{path}", self.url), b"") {
            Some((200, body)) => Some(body),
            _ => None,
        }
    }

    /// Runs one statement; panics with ClickHouse's message if it fails.
    pub fn execute(&self, sql: &str) -> String {
        self.post(&format!("{}/", self.url), sql.as_bytes())
    }

    /// The result of a query, trimmed.
    pub fn query(&self, sql: &str) -> String {
        self.execute(sql).trim().to_string()
    }

    /// Inserts rows with explicit values (`FORMAT JSONEachRow`).
    pub fn insert(&self, table: &str, rows: &[serde_json::Value]) {
        if rows.is_empty() {
            return;
        }
        let body: String = rows.iter().map(|r| format!("{r}\n")).collect();
        let query = format!("INSERT INTO {table} FORMAT JSONEachRow");
        let url = format!("{}/?query={}", self.url, query.replace(' ', "%20"));
        self.post(&url, body.as_bytes());
    }

    fn post(&self, url: &str, body: &[u8]) -> String {
        let (status, text) = super::http("POST", url, body).expect("ClickHouse answers");
        assert_eq!(status, 200, "ClickHouse refused: {text}");
        text
    }
}

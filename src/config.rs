//! `changegate.toml`: where the policy, tickets and zones are, and how to reach metrics and
//! resolvers. Found by walking up from the current directory, as cargo finds `Cargo.toml`.

use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, SourceFile};
use crate::document::Reader;
use crate::model::Duration;

pub const FILE_NAME: &str = "changegate.toml";

/// octoDNS's own `default_ttl`, the default of `[sources] octodns_default_ttl`.
pub const OCTODNS_DEFAULT_TTL: u32 = 3600;

/// A validated configuration; every path is resolved against the config file's folder.
#[derive(Clone, Debug)]
pub struct Config {
    pub file: SourceFile,
    /// The folder holding `changegate.toml`: the root of the DNS repository.
    pub root: PathBuf,
    pub policy: PathBuf,
    pub tickets: PathBuf,
    /// Glob patterns (relative to `root`) of RFC 1035 zone files.
    pub zonefiles: Vec<String>,
    /// Glob patterns (relative to `root`) of octoDNS YAML zone files.
    pub octodns: Vec<String>,
    /// The TTL of octoDNS records that give none: the octoDNS provider's `default_ttl`
    /// (`[sources] octodns_default_ttl`, default 3600 as in octoDNS).
    pub octodns_default_ttl: u32,
    pub metrics: Option<MetricsConfig>,
    pub resolvers: Vec<String>,
}

/// How the deletion gate measures resolutions.
#[derive(Clone, Debug)]
pub enum MetricsConfig {
    Prometheus {
        url: String,
        /// The *name* of the environment variable that holds the bearer token.
        bearer_token_env: Option<String>,
        timeout: Duration,
        /// Queries in flight at once.
        concurrency: usize,
    },
    /// A CSV export `name,type,count` of resolutions over the window; `path` is relative to
    /// the repository root and read like every other file of it (from the base with `--base`).
    File { path: String },
}

/// Finds `changegate.toml` in `start` or the nearest folder above it.
pub fn discover(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
}

pub fn read_config(file: SourceFile, path: &Path) -> Result<Config, Vec<Diagnostic>> {
    let text = file.text.clone();
    let mut r = Reader::new(file, "config-invalid");
    let Some(root_table) = r.parse(&text) else {
        return Err(r.problems);
    };
    let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut top = r.root(&root_table);
    let policy = top
        .get("policy")
        .and_then(|v| r.text_field(v, "policy"))
        .map_or_else(|| "policies/default.toml".into(), |s| s.into_inner());
    let tickets = top
        .get("tickets")
        .and_then(|v| r.text_field(v, "tickets"))
        .map_or_else(|| "changes".into(), |s| s.into_inner());
    let (mut zonefiles, mut octodns) = (Vec::new(), Vec::new());
    let mut octodns_default_ttl = OCTODNS_DEFAULT_TTL;
    if let Some(v) = top.get("sources") {
        if let Some(mut t) = r.table(v, "sources".into()) {
            if let Some(v) = t.get("octodns_default_ttl") {
                match r.integer(v, "sources.octodns_default_ttl") {
                    Some(ttl) if (0..=i64::from(u32::MAX)).contains(&ttl) => {
                        octodns_default_ttl = ttl as u32;
                    }
                    Some(_) => r.error(
                        v.span(),
                        "`sources.octodns_default_ttl` must be a TTL in seconds",
                        "here",
                        Some("use the `default_ttl` of the octoDNS YamlProvider, e.g. 3600".into()),
                    ),
                    None => {}
                }
            }
            for (key, out) in [("zonefiles", &mut zonefiles), ("octodns", &mut octodns)] {
                if let Some(v) = t.get(key) {
                    let path = format!("sources.{key}");
                    *out = r
                        .array(v, &path, |r, v, p| {
                            r.text_field(v, &p).map(|s| s.into_inner())
                        })
                        .unwrap_or_default();
                }
            }
            t.finish(&mut r);
        }
    }
    let metrics = top.get("metrics").and_then(|v| read_metrics(&mut r, v));
    let mut resolvers = Vec::new();
    if let Some(v) = top.get("dns") {
        if let Some(mut t) = r.table(v, "dns".into()) {
            if let Some(v) = t.get("resolvers") {
                resolvers = r
                    .array(v, "dns.resolvers", |r, v, p| {
                        r.text_field(v, &p).map(|s| s.into_inner())
                    })
                    .unwrap_or_default();
            }
            t.finish(&mut r);
        }
    }
    top.finish(&mut r);
    if !r.problems.is_empty() {
        return Err(r.problems);
    }
    Ok(Config {
        file: r.file,
        policy: root.join(policy),
        tickets: root.join(tickets),
        root,
        zonefiles,
        octodns,
        octodns_default_ttl,
        metrics,
        resolvers,
    })
}

fn read_metrics(r: &mut Reader, v: &crate::document::Value<'_>) -> Option<MetricsConfig> {
    let mut t = r.table(v, "metrics".into())?;
    let backend = t
        .require(r, "backend", "\"prometheus\"")
        .and_then(|v| r.text_field(v, "metrics.backend"));
    let url = t.get("url").and_then(|v| r.text_field(v, "metrics.url"));
    let path = t.get("path").and_then(|v| r.text_field(v, "metrics.path"));
    let token = t
        .get("bearer_token_env")
        .and_then(|v| r.text_field(v, "metrics.bearer_token_env"));
    let timeout = t
        .get("timeout")
        .and_then(|v| r.parsed(v, "metrics.timeout", Duration::parse));
    let concurrency = t.get("concurrency").and_then(|v| {
        let n = r.integer(v, "metrics.concurrency")?;
        if (1..=256).contains(&n) {
            Some(n as usize)
        } else {
            r.error(
                v.span(),
                "`metrics.concurrency` must be between 1 and 256",
                "out of range",
                None,
            );
            None
        }
    });
    let table_span = t.span();
    t.finish(r);
    let backend = backend?;
    match backend.get_ref().as_str() {
        "prometheus" => {
            let Some(url) = url else {
                r.error(
                    table_span,
                    "`metrics.url` is missing for the `prometheus` backend",
                    "in `[metrics]`",
                    Some("add e.g. `url = \"http://127.0.0.1:9090\"`".into()),
                );
                return None;
            };
            if !(url.get_ref().starts_with("http://") || url.get_ref().starts_with("https://")) {
                r.error(
                    url.span(),
                    format!("`{}` is not an http:// or https:// URL", url.get_ref()),
                    "here",
                    None,
                );
                return None;
            }
            if let Some(token) = &token {
                if !token
                    .get_ref()
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
                {
                    r.error(token.span(), "`metrics.bearer_token_env` names an environment variable, not the token",
                        "not a variable name",
                        Some("put the token in an environment variable and name the variable here; the token itself never belongs in a file".into()));
                    return None;
                }
            }
            if timeout.as_ref().is_some_and(|t| t.get_ref().as_secs() == 0) {
                r.error(
                    timeout.as_ref().map(|t| t.span()).unwrap_or_default(),
                    "`metrics.timeout` must be at least 1s",
                    "zero",
                    None,
                );
                return None;
            }
            Some(MetricsConfig::Prometheus {
                url: url.into_inner(),
                bearer_token_env: token.map(|t| t.into_inner()),
                timeout: timeout.map_or(Duration::from_secs(10), |t| t.into_inner()),
                concurrency: concurrency.unwrap_or(8),
            })
        }
        "file" => {
            let Some(path) = path else {
                r.error(
                    table_span,
                    "`metrics.path` is missing for the `file` backend",
                    "in `[metrics]`",
                    Some("add e.g. `path = \"resolutions.csv\"` (a CSV `name,type,count`)".into()),
                );
                return None;
            };
            Some(MetricsConfig::File {
                path: path.into_inner(),
            })
        }
        other => {
            r.error(
                backend.span(),
                format!("`{other}` is not a metrics backend"),
                "here",
                Some("use `prometheus` or `file`".into()),
            );
            None
        }
    }
}

//! `changegate.toml`: where the policy, tickets and zones are, and how to reach metrics and
//! resolvers. Found by walking up from the current directory, as cargo finds `Cargo.toml`.

use std::ops::Range;
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
    /// `terraform show -json` plan globs (`[sources] terraform_plans`).
    pub terraform_plans: Vec<String>,
    /// `[holds] drift = true`: `check --base` refuses changes to names whose live answers
    /// already differ from the base's desired state.
    pub hold_on_drift: bool,
    /// The TTL of octoDNS records that give none: the octoDNS provider's `default_ttl`
    /// (`[sources] octodns_default_ttl`, default 3600 as in octoDNS).
    pub octodns_default_ttl: u32,
    pub metrics: Option<MetricsConfig>,
    /// `[metrics.server]`: where the policy's `completeness_query` runs (a PromQL store with
    /// the DNS server's own counters).
    pub metrics_server: Option<MetricsConfig>,
    pub resolvers: Vec<String>,
}

/// How the deletion gate measures resolutions.
#[derive(Clone, Debug)]
pub enum MetricsConfig {
    /// Any PromQL store (Prometheus, VictoriaMetrics, Thanos, Mimir), asked with the policy's
    /// query templates.
    Prometheus {
        url: String,
        /// The *name* of the environment variable that holds the bearer token.
        bearer_token_env: Option<String>,
        timeout: Duration,
        /// Queries in flight at once.
        concurrency: usize,
    },
    /// DNS query logs in ClickHouse, counted over its HTTP interface.
    ClickHouse(ClickHouseConfig),
    /// A CSV export `name,type,count` of resolutions over the window; `path` is relative to
    /// the repository root and read like every other file of it (from the base with `--base`).
    File { path: String },
    /// Any other store, through a command that answers the JSON-lines protocol of SPEC.md.
    Command {
        /// The argument vector, run without a shell from the repository root.
        argv: Vec<String>,
        timeout: Duration,
        /// Names of environment variables passed on (the rest of the environment is not).
        env: Vec<String>,
    },
}

/// Where DNS query logs are in ClickHouse, and how they are laid out.
#[derive(Clone, Debug)]
pub struct ClickHouseConfig {
    pub url: String,
    /// `[database.]table`, checked to be plain identifiers.
    pub table: String,
    pub layout: LogLayout,
    /// Server identities that must have rows in every hour of the window.
    pub servers: Vec<String>,
    /// The *names* of the environment variables with the credentials.
    pub user_env: Option<String>,
    pub password_env: Option<String>,
    pub timeout: Duration,
    pub concurrency: usize,
}

/// The columns of a query-log table, and which rows are queries (not responses).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLayout {
    pub name: String,
    pub rtype: String,
    pub server: String,
    pub time: String,
    /// An SQL condition selecting query rows; from the config (read from the base), never
    /// from anything a change brings.
    pub filter: String,
}

impl LogLayout {
    /// DNS-collector's ClickHouse logger: queries are the `CLIENT_QUERY` and `AUTH_QUERY`
    /// operations; the type is its mnemonic.
    pub fn dns_collector() -> Self {
        Self {
            name: "qname".into(),
            rtype: "qtype".into(),
            server: "identity".into(),
            time: "timestamp".into(),
            filter: "operation IN ('CLIENT_QUERY', 'AUTH_QUERY')".into(),
        }
    }

    /// dnsmonster's `DNS_LOG`: queries have `QR = 0`; the type is its number.
    pub fn dnsmonster() -> Self {
        Self {
            name: "Question".into(),
            rtype: "Type".into(),
            server: "Server".into(),
            time: "PacketTime".into(),
            filter: "QR = 0".into(),
        }
    }
}

/// A ClickHouse identifier as changegate accepts it: letters, digits and `_`, not starting
/// with a digit. Anything else could carry SQL.
pub fn is_identifier(text: &str) -> bool {
    let mut bytes = text.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
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
    let (mut zonefiles, mut octodns, mut terraform_plans) = (Vec::new(), Vec::new(), Vec::new());
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
            for (key, out) in [
                ("zonefiles", &mut zonefiles),
                ("octodns", &mut octodns),
                ("terraform_plans", &mut terraform_plans),
            ] {
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
    let (metrics, metrics_server) = match top.get("metrics") {
        Some(v) => read_metrics(&mut r, v),
        None => (None, None),
    };
    let mut hold_on_drift = false;
    let mut holds_span = 0..0;
    if let Some(v) = top.get("holds") {
        holds_span = v.span();
        if let Some(mut t) = r.table(v, "holds".into()) {
            if let Some(v) = t.get("drift") {
                hold_on_drift = r.bool(v, "holds.drift").unwrap_or(false);
            }
            t.finish(&mut r);
        }
    }
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
    if hold_on_drift && resolvers.is_empty() {
        r.error(
            holds_span,
            "`holds.drift` resolves the names a change touches, but `[dns] resolvers` names no resolver",
            "needs resolvers",
            Some("add `[dns]\nresolvers = [\"192.0.2.53\"]`: the resolvers (or authoritative servers) production answers from".into()),
        );
    }
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
        terraform_plans,
        hold_on_drift,
        octodns_default_ttl,
        metrics,
        metrics_server,
        resolvers,
    })
}

/// `[metrics]`, and `[metrics.server]` inside it.
fn read_metrics(
    r: &mut Reader,
    v: &crate::document::Value<'_>,
) -> (Option<MetricsConfig>, Option<MetricsConfig>) {
    let Some(mut t) = r.table(v, "metrics".into()) else {
        return (None, None);
    };
    let server = t.get("server").and_then(|v| {
        let config = read_backend(r, v, "metrics.server")?;
        if matches!(config, MetricsConfig::Prometheus { .. }) {
            Some(config)
        } else {
            r.error(
                v.span(),
                "`[metrics.server]` must be a `prometheus` backend: it runs the policy's PromQL `completeness_query`",
                "here",
                None,
            );
            None
        }
    });
    let metrics = read_backend_fields(r, &mut t, "metrics");
    t.finish(r);
    (metrics, server)
}

fn read_backend(
    r: &mut Reader,
    v: &crate::document::Value<'_>,
    path: &str,
) -> Option<MetricsConfig> {
    let mut t = r.table(v, path.into())?;
    let config = read_backend_fields(r, &mut t, path);
    t.finish(r);
    config
}

/// The keys of one metrics backend. Keys that belong to another backend are errors, so a
/// mistyped `backend` never leaves settings silently unused.
fn read_backend_fields(
    r: &mut Reader,
    t: &mut crate::document::Fields<'_, '_>,
    path: &str,
) -> Option<MetricsConfig> {
    let key = |k: &str| format!("{path}.{k}");
    let backend = t
        .require(r, "backend", "\"prometheus\"")
        .and_then(|v| r.text_field(v, &key("backend")));
    let text = |r: &mut Reader, t: &mut crate::document::Fields<'_, '_>, k: &'static str| {
        t.get(k).and_then(|v| r.text_field(v, &key(k)))
    };
    let url = text(r, t, "url");
    let path_field = text(r, t, "path");
    let token = text(r, t, "bearer_token_env");
    let table = text(r, t, "table");
    let schema = text(r, t, "schema");
    let user_env = text(r, t, "user_env");
    let password_env = text(r, t, "password_env");
    let servers = t.get("servers").map(|v| {
        (
            v.span(),
            r.array(v, &key("servers"), |r, v, p| {
                r.text_field(v, &p).map(|s| s.into_inner())
            }),
        )
    });
    let env = t.get("env").map(|v| {
        (
            v.span(),
            r.array(v, &key("env"), |r, v, p| {
                let name = r.text_field(v, &p)?;
                if name
                    .get_ref()
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
                {
                    Some(name.into_inner())
                } else {
                    r.error(
                        name.span(),
                        "this names an environment variable, not a value",
                        "not a variable name",
                        None,
                    );
                    None
                }
            }),
        )
    });
    let command = t.get("command").map(|v| {
        (
            v.span(),
            r.array(v, &key("command"), |r, v, p| {
                r.string(v, &p).map(|s| s.into_inner())
            }),
        )
    });
    let columns = t
        .get("columns")
        .and_then(|v| read_columns(r, v, &key("columns")));
    let timeout = t
        .get("timeout")
        .and_then(|v| r.parsed(v, &key("timeout"), Duration::parse));
    let concurrency_value = t.get("concurrency");
    let concurrency = concurrency_value.and_then(|v| {
        let n = r.integer(v, &key("concurrency"))?;
        if (1..=256).contains(&n) {
            Some(n as usize)
        } else {
            r.error(
                v.span(),
                format!("`{}` must be between 1 and 256", key("concurrency")),
                "out of range",
                None,
            );
            None
        }
    });
    let table_span = t.span();
    let backend = backend?;
    let name = backend.get_ref().as_str();
    // Which keys each backend takes; any other key given is a mistake worth saying.
    let allowed: &[&str] = match name {
        "prometheus" => &["url", "bearer_token_env", "timeout", "concurrency"],
        "clickhouse" => &[
            "url",
            "table",
            "schema",
            "columns",
            "servers",
            "user_env",
            "password_env",
            "timeout",
            "concurrency",
        ],
        "file" => &["path"],
        "command" => &["command", "timeout", "env"],
        other => {
            r.error(
                backend.span(),
                format!("`{other}` is not a metrics backend"),
                "here",
                Some("use `prometheus`, `clickhouse`, `command` or `file`".into()),
            );
            return None;
        }
    };
    let columns_span = t.get("columns").map(|v| v.span());
    let given: [(&str, Option<Range<usize>>); 13] = [
        ("url", url.as_ref().map(|s| s.span())),
        ("path", path_field.as_ref().map(|s| s.span())),
        ("bearer_token_env", token.as_ref().map(|s| s.span())),
        ("table", table.as_ref().map(|s| s.span())),
        ("schema", schema.as_ref().map(|s| s.span())),
        ("user_env", user_env.as_ref().map(|s| s.span())),
        ("password_env", password_env.as_ref().map(|s| s.span())),
        ("servers", servers.as_ref().map(|s| s.0.clone())),
        ("command", command.as_ref().map(|s| s.0.clone())),
        ("timeout", timeout.as_ref().map(|s| s.span())),
        ("concurrency", concurrency_value.map(|v| v.span())),
        ("env", env.as_ref().map(|e| e.0.clone())),
        ("columns", columns_span),
    ];
    let mut ok = true;
    for (k, span) in given {
        if let Some(span) = span {
            if !allowed.contains(&k) {
                r.error(
                    span,
                    format!("`{}` is not a setting of the `{name}` backend", key(k)),
                    "here",
                    Some(format!("the `{name}` backend takes {}", allowed.join(", "))),
                );
                ok = false;
            }
        }
    }
    if timeout.as_ref().is_some_and(|t| t.get_ref().as_secs() == 0) {
        r.error(
            timeout.as_ref().map(|t| t.span()).unwrap_or_default(),
            format!("`{}` must be at least 1s", key("timeout")),
            "zero",
            None,
        );
        ok = false;
    }
    for var in [&token, &user_env, &password_env].into_iter().flatten() {
        if !var
            .get_ref()
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            r.error(
                var.span(),
                "this names an environment variable, not a secret",
                "not a variable name",
                Some("put the secret in an environment variable and name the variable here; secrets never belong in a file".into()),
            );
            ok = false;
        }
    }
    let need_url = |r: &mut Reader, example: &str| -> Option<String> {
        let Some(url) = &url else {
            r.error(
                table_span.clone(),
                format!("`{}` is missing for the `{name}` backend", key("url")),
                format!("in `[{path}]`"),
                Some(format!("add e.g. `url = \"{example}\"`")),
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
        let authority = url.get_ref().split("://").nth(1).unwrap_or_default();
        if authority
            .split('/')
            .next()
            .unwrap_or_default()
            .contains('@')
        {
            r.error(
                url.span(),
                "this URL carries credentials; they would be shown wherever the URL is",
                "user or password here",
                Some("name environment variables instead (`user_env`/`password_env`, `bearer_token_env`)".into()),
            );
            return None;
        }
        Some(url.get_ref().clone())
    };
    let timeout = timeout.map_or(Duration::from_secs(10), |t| t.into_inner());
    match name {
        "prometheus" => {
            let url = need_url(r, "http://127.0.0.1:9090")?;
            ok.then(|| MetricsConfig::Prometheus {
                url,
                bearer_token_env: token.map(|t| t.into_inner()),
                timeout,
                concurrency: concurrency.unwrap_or(8),
            })
        }
        "clickhouse" => {
            let url = need_url(r, "http://127.0.0.1:8123");
            let table = match table {
                Some(t)
                    if t.get_ref().split('.').count() <= 2
                        && t.get_ref().split('.').all(is_identifier) =>
                {
                    Some(t.into_inner())
                }
                Some(t) => {
                    r.error(
                        t.span(),
                        format!("`{}` is not a `[database.]table` name", t.get_ref()),
                        "letters, digits and `_` only",
                        None,
                    );
                    None
                }
                None => {
                    r.error(
                        table_span.clone(),
                        format!("`{}` is missing for the `clickhouse` backend", key("table")),
                        format!("in `[{path}]`"),
                        Some("add e.g. `table = \"dnstap\"`, the table of DNS query rows".into()),
                    );
                    None
                }
            };
            let layout = match (schema.as_ref().map(|s| s.get_ref().as_str()), columns) {
                (Some("dns-collector") | None, None) => Some(LogLayout::dns_collector()),
                (Some("dnsmonster"), None) => Some(LogLayout::dnsmonster()),
                (Some("custom"), Some(layout)) => Some(layout),
                (Some("custom"), None) => {
                    r.error(
                        table_span.clone(),
                        "`schema = \"custom\"` needs `[metrics.columns]`",
                        format!("in `[{path}]`"),
                        Some("give `name`, `type`, `server`, `time` and `filter` there".into()),
                    );
                    None
                }
                (Some(_), Some(_)) | (None, Some(_)) => {
                    r.error(
                        table_span.clone(),
                        "`[metrics.columns]` is for `schema = \"custom\"`",
                        format!("in `[{path}]`"),
                        None,
                    );
                    None
                }
                (Some(other), None) => {
                    r.error(
                        schema.as_ref().map(|s| s.span()).unwrap_or_default(),
                        format!("`{other}` is not a query-log schema"),
                        "here",
                        Some("use `dns-collector`, `dnsmonster` or `custom`".into()),
                    );
                    None
                }
            };
            let servers = match servers {
                Some((_, Some(list))) if !list.is_empty() => Some(list),
                Some((_, None)) => None,
                _ => {
                    r.error(
                        table_span.clone(),
                        format!("`{}` is missing for the `clickhouse` backend", key("servers")),
                        format!("in `[{path}]`"),
                        Some("list every server identity whose logs must cover the window, e.g. `servers = [\"ns1\", \"ns2\"]`: a server that logged nothing is not a server that saw nothing".into()),
                    );
                    None
                }
            };
            let (url, table, layout, servers) = (url?, table?, layout?, servers?);
            ok.then(|| {
                MetricsConfig::ClickHouse(ClickHouseConfig {
                    url,
                    table,
                    layout,
                    servers,
                    user_env: user_env.map(|s| s.into_inner()),
                    password_env: password_env.map(|s| s.into_inner()),
                    timeout,
                    concurrency: concurrency.unwrap_or(8),
                })
            })
        }
        "file" => {
            let Some(path_field) = path_field else {
                r.error(
                    table_span,
                    format!("`{}` is missing for the `file` backend", key("path")),
                    format!("in `[{path}]`"),
                    Some("add e.g. `path = \"resolutions.csv\"` (a CSV `name,type,count`)".into()),
                );
                return None;
            };
            ok.then(|| MetricsConfig::File {
                path: path_field.into_inner(),
            })
        }
        _ => {
            let argv = match command {
                Some((_, Some(argv))) if argv.first().is_some_and(|a| !a.trim().is_empty()) => argv,
                Some((span, Some(_))) => {
                    r.error(
                        span,
                        format!("`{}` needs a program to run", key("command")),
                        "empty",
                        Some(
                            "e.g. `command = [\"scripts/resolutions\", \"--account\", \"prod\"]`"
                                .into(),
                        ),
                    );
                    return None;
                }
                Some((_, None)) => return None,
                None => {
                    r.error(
                        table_span,
                        format!("`{}` is missing for the `command` backend", key("command")),
                        format!("in `[{path}]`"),
                        Some("add the program and its arguments as a list, e.g. `command = [\"scripts/resolutions\"]` (no shell)".into()),
                    );
                    return None;
                }
            };
            let env = match env {
                Some((_, Some(env))) => env,
                Some((_, None)) => return None,
                None => Vec::new(),
            };
            ok.then(|| MetricsConfig::Command {
                argv,
                timeout: timeout.max(Duration::from_secs(1)),
                env,
            })
        }
    }
}

/// `[metrics.columns]` of a custom query-log layout.
fn read_columns(r: &mut Reader, v: &crate::document::Value<'_>, path: &str) -> Option<LogLayout> {
    let mut t = r.table(v, path.into())?;
    let mut column = |r: &mut Reader, k: &'static str| {
        let value = t
            .require(r, k, "\"qname\"")
            .and_then(|v| r.text_field(v, &format!("{path}.{k}")))?;
        if is_identifier(value.get_ref()) {
            Some(value.into_inner())
        } else {
            r.error(
                value.span(),
                format!("`{}` is not a column name", value.get_ref()),
                "letters, digits and `_` only",
                None,
            );
            None
        }
    };
    let name = column(r, "name");
    let rtype = column(r, "type");
    let server = column(r, "server");
    let time = column(r, "time");
    let filter = t
        .get("filter")
        .and_then(|v| r.text_field(v, &format!("{path}.filter")))
        .map_or_else(|| "1".to_string(), |f| f.into_inner());
    t.finish(r);
    Some(LogLayout {
        name: name?,
        rtype: rtype?,
        server: server?,
        time: time?,
        filter,
    })
}

//! Loading a DNS repository's configuration: `changegate.toml`, the policy it names, and the
//! policy's `allowed_signers`, each validated, with every problem reported as a diagnostic.

use std::path::{Path, PathBuf};

use crate::approval::{AllowedSigners, read_allowed_signers};
use crate::config::{self, Config};
use crate::diag::{Diagnostic, SourceFile};
pub use crate::model::display_path;
use crate::policy::{self, Policy};
use crate::zone::{Files, FsFiles};
use crate::zone::{ManagedZone, managed_zones};

/// A loaded, valid configuration and policy.
pub struct Workspace {
    pub config: Config,
    pub policy: Policy,
    pub signers: Option<AllowedSigners>,
    pub zones: Vec<ManagedZone>,
}

/// Reads `path` as a file of the repository at `root` when it lies inside it (every folder on
/// the way checked, as [`FsFiles`] does), else as a file a person named ([`read_source`]).
pub fn read_in(
    root: &Path,
    path: &Path,
    code: &'static str,
    what: &str,
) -> Result<SourceFile, Vec<Diagnostic>> {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    match absolute(path).strip_prefix(absolute(root)) {
        Ok(rel) => {
            let shown = display_path(path);
            FsFiles::new(root)
                .read(&rel.to_string_lossy().replace('\\', "/"))
                .map(|text| SourceFile::new(shown.clone(), text))
                .map_err(|e| unreadable(&shown, e, code, what))
        }
        Err(_) => read_source(path, code, what),
    }
}

/// Reads a file a person named (a ticket or config on the command line), shown relative to
/// the current directory. It must be a regular file, not a link.
pub fn read_source(
    path: &Path,
    code: &'static str,
    what: &str,
) -> Result<SourceFile, Vec<Diagnostic>> {
    let shown = display_path(path);
    crate::zone::files::read_named(path)
        .map(|text| SourceFile::new(shown.clone(), text))
        .map_err(|e| unreadable(&shown, e, code, what))
}

/// Reads a file the user wrote through `files`; the error is the one diagnostic saying why
/// it cannot be read.
pub fn read_from(
    files: &dyn Files,
    rel: &str,
    code: &'static str,
    what: &str,
) -> Result<SourceFile, Vec<Diagnostic>> {
    let shown = files.display(rel);
    files
        .read(rel)
        .map(|text| SourceFile::new(shown.clone(), text))
        .map_err(|e| unreadable(&shown, e, code, what))
}

/// The one diagnostic saying why a file cannot be read, and what to do.
fn unreadable(shown: &str, e: String, code: &'static str, what: &str) -> Vec<Diagnostic> {
    let help = if e.contains("UTF-8") {
        "save the file as UTF-8".to_string()
    } else if e.contains("symbolic link") || e.contains("regular file") {
        "keep the file itself in the repository: changegate reads what a checkout holds, never through links".to_string()
    } else if e.contains("out of the repository") || e.contains("absolute path") {
        "name a path inside the repository, relative to `changegate.toml`".to_string()
    } else {
        format!("check that `{shown}` exists and is readable")
    };
    vec![Diagnostic::new(code, format!("cannot read {what} `{shown}`: {e}")).help(help)]
}

/// Finds the config: `--config`, else `changegate.toml` here or in the nearest folder above.
pub fn find_config(config_path: Option<&Path>) -> Result<PathBuf, Vec<Diagnostic>> {
    if let Some(p) = config_path {
        return Ok(p.to_path_buf());
    }
    let cwd = std::env::current_dir().map_err(|e| {
        vec![Diagnostic::new(
            "config-invalid",
            format!("cannot read the current directory: {e}"),
        )]
    })?;
    config::discover(&cwd).ok_or_else(|| {
        vec![
            Diagnostic::new(
                "config-invalid",
                format!(
                    "no `{}` in `{}` or any folder above it",
                    config::FILE_NAME,
                    cwd.display()
                ),
            )
            .help("run changegate inside a DNS repository, or pass `--config FILE`"),
        ]
    })
}

/// Loads the config found on disk, then its policy and signers, and lints the policy.
pub fn load(config_path: Option<&Path>) -> Result<Workspace, Vec<Diagnostic>> {
    let path = find_config(config_path)?;
    let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !path.is_file() {
        // Say it the way a user reads it, with the path they gave.
        read_source(&path, "config-invalid", "the config")?;
    }
    load_from(&FsFiles { root: root.clone() }, &name, &root)
}

/// Loads config, policy and `allowed_signers` through `files` (the work tree, or a commit),
/// with `config` relative to the files' root and `root` the work-tree folder it stands for.
pub fn load_from(
    files: &dyn Files,
    config: &str,
    root: &Path,
) -> Result<Workspace, Vec<Diagnostic>> {
    let read = |rel: &str, code: &'static str, what: &str| read_from(files, rel, code, what);
    let relative = |path: &Path| {
        path.strip_prefix(root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/")
    };
    let file = read(config, "config-invalid", "the config")?;
    let config = config::read_config(file, &root.join(config))?;
    let policy_file = read(&relative(&config.policy), "policy-invalid", "the policy")?;
    let policy = policy::read_policy(policy_file, &config.policy)?;
    let signers = match &policy.allowed_signers {
        None => None,
        Some(path) => {
            let file = read(
                &relative(path.get_ref()),
                "policy-invalid",
                "the allowed signers file",
            )
            .map_err(|problems| {
                let named = |d: Diagnostic| d.at(&policy.file, path.span(), "named here");
                problems.into_iter().map(named).collect::<Vec<_>>()
            })?;
            Some(read_allowed_signers(file)?)
        }
    };
    let mut problems = policy::lint(&policy, signers.as_ref());
    problems.extend(deletion_fits_backend(&config, &policy));
    if !problems.is_empty() {
        return Err(problems);
    }
    let zones = managed_zones(files, &config).map_err(|e| {
        vec![Diagnostic::new("config-invalid", e).help("fix `[sources]` in changegate.toml")]
    })?;
    Ok(Workspace {
        config,
        policy,
        signers,
        zones,
    })
}

/// The policy's `[deletion]` asks what the configured backend can answer: a PromQL store
/// needs the query templates, and `completeness_query` needs `[metrics.server]`.
fn deletion_fits_backend(config: &config::Config, policy: &policy::Policy) -> Vec<Diagnostic> {
    let Some(deletion) = &policy.deletion else {
        return Vec::new();
    };
    let mut problems = Vec::new();
    let at = |d: Diagnostic, span| d.at(&policy.file, span, "in `[deletion]`");
    let promql = matches!(
        config.metrics,
        Some(config::MetricsConfig::Prometheus { .. })
    );
    if promql && deletion.get_ref().coverage_query.is_none() {
        problems.push(at(
            Diagnostic::new(
                "policy-invalid",
                "`deletion.coverage_query` is missing: without it \"no telemetry\" cannot be told from \"no traffic\"",
            )
            .help("add e.g. `coverage_query = 'sum(increase(dns_resolutions_total{zone=\"{zone}\"}[{window}]))'`"),
            deletion.span(),
        ));
    }
    if promql && deletion.get_ref().query.is_none() {
        problems.push(at(
            Diagnostic::new(
                "policy-invalid",
                "`[deletion] query` is missing: the `prometheus` backend counts resolutions with it",
            )
            .help("add e.g. `query = 'sum(increase(dns_resolutions_total{name=\"{name}\",type=\"{type}\"}[{window}]))'`"),
            deletion.span(),
        ));
    }
    // Query logs are asked by name and type: templates written for a PromQL store would be
    // silently unused, and a setting that does nothing is a trap.
    let logs = match &config.metrics {
        Some(config::MetricsConfig::ClickHouse(_)) => Some("clickhouse"),
        Some(config::MetricsConfig::Command { .. }) => Some("command"),
        _ => None,
    };
    if let Some(backend) = logs {
        let d = deletion.get_ref();
        let unused = [
            ("query", d.query.as_ref().map(|q| q.span())),
            (
                "coverage_query",
                d.coverage_query.as_ref().map(|q| q.span()),
            ),
            (
                "wildcard_query",
                d.wildcard_query.as_ref().map(|q| q.span()),
            ),
            ("subtree_query", d.subtree_query.as_ref().map(|q| q.span())),
            ("max_gap", d.max_gap.as_ref().map(|q| q.span())),
        ];
        for (key, span) in unused {
            if let Some(span) = span {
                problems.push(
                    Diagnostic::new(
                        "policy-invalid",
                        format!(
                            "`[deletion] {key}` is for a PromQL store; the `{backend}` backend never uses it"
                        ),
                    )
                    .at(&policy.file, span, "not used")
                    .help(if backend == "clickhouse" {
                        "remove it: query logs are counted by name and type, and their coverage is proven for every hour (the layout is `schema` or `[metrics.columns]` in changegate.toml)"
                    } else {
                        "remove it: the command is asked by name, type and reach, and answers its own coverage"
                    }),
                );
            }
        }
    }
    if deletion.get_ref().completeness_query.is_some() && config.metrics_server.is_none() {
        problems.push(at(
            Diagnostic::new(
                "policy-invalid",
                "`[deletion] completeness_query` needs `[metrics.server]` in changegate.toml, where it runs",
            )
            .help("add `[metrics.server]` with `backend = \"prometheus\"` and the `url` of the store holding the DNS server's own counters"),
            deletion.span(),
        ));
    }
    problems
}

//! `changegate init`: a starting configuration for the DNS repository it runs in. It finds the
//! zone files and octoDNS zones that are there (reading an octoDNS config rather than
//! guessing), and writes `changegate.toml`, a starter policy that passes `lint` as written, an
//! `allowed_signers` stub and the tickets folder. It never overwrites without `--force`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::Outcome;
use crate::cli::{InitArgs, InitMetrics};

/// Folders never searched: version control, build output, dependencies.
const SKIP: &[&str] = &[
    ".git",
    "target",
    "node_modules",
    ".venv",
    "venv",
    "__pycache__",
];

pub fn run(args: &InitArgs) -> anyhow::Result<Outcome> {
    let root = std::env::current_dir()?;
    let found = discover(&root);
    let zonefiles = if args.zonefiles.is_empty() {
        found.zonefiles.iter().cloned().collect()
    } else {
        args.zonefiles.clone()
    };
    let octodns = if args.octodns.is_empty() {
        found.octodns.iter().cloned().collect()
    } else {
        args.octodns.clone()
    };
    let signers = found
        .signers
        .clone()
        .unwrap_or_else(|| "allowed_signers".to_string());
    let mut files: Vec<(PathBuf, String)> = vec![
        (
            root.join("changegate.toml"),
            config(&zonefiles, &octodns, found.default_ttl, args),
        ),
        (root.join("policies/default.toml"), policy(&signers, args)),
    ];
    if found.signers.is_none() {
        files.push((
            root.join("policies/allowed_signers"),
            SIGNERS_STUB.to_string(),
        ));
    }
    let existing: Vec<String> = files
        .iter()
        .filter(|(path, _)| path.exists())
        .map(|(path, _)| crate::workspace::display_path(path))
        .collect();
    for (path, _) in &files {
        if let Err(e) = crate::zone::files::no_links_below(&root, path) {
            eprintln!("error: {e}");
            return Ok(Outcome::Invalid);
        }
    }
    if let Err(e) = crate::zone::files::no_links_below(&root, &root.join("changes")) {
        eprintln!("error: {e}");
        return Ok(Outcome::Invalid);
    }
    if !existing.is_empty() && !args.force {
        eprintln!(
            "error: {} exist(s); `init` never overwrites (run it with `--force` to replace)",
            existing.join(", ")
        );
        return Ok(Outcome::Invalid);
    }
    for (path, text) in &files {
        write_atomically(path, text)?;
        eprintln!("wrote {}", crate::workspace::display_path(path));
    }
    std::fs::create_dir_all(root.join("changes"))?;
    eprintln!(
        "\nfound {} zone-file pattern(s) and {} octoDNS pattern(s){}",
        zonefiles.len(),
        octodns.len(),
        found
            .octodns_config
            .as_ref()
            .map_or_else(String::new, |c| format!(" (from the octoDNS config `{c}`)"))
    );
    if zonefiles.is_empty() && octodns.is_empty() {
        eprintln!("no zones were found: list them in `[sources]` of changegate.toml");
    }
    eprintln!(
        "next:\n  1. put each approver's SSH public key in `policies/{signers}` and name them in `[groups]`\n  2. point `[metrics]` in changegate.toml at where your DNS query counts are (Prometheus, ClickHouse, a command)\n  3. `changegate lint`, then `changegate hook install`; for a change: `changegate ticket new --base origin/main`",
        signers = if found.signers.is_some() {
            signers.as_str()
        } else {
            "allowed_signers"
        }
    );
    Ok(Outcome::Allowed)
}

/// What the repository already holds.
#[derive(Default)]
struct Found {
    zonefiles: BTreeSet<String>,
    octodns: BTreeSet<String>,
    octodns_config: Option<String>,
    default_ttl: Option<u32>,
    /// An `allowed_signers` file, relative to `policies/`.
    signers: Option<String>,
}

fn discover(root: &Path) -> Found {
    let mut found = Found::default();
    let mut stack = vec![root.to_path_buf()];
    let mut yaml_configs = Vec::new();
    let mut seen = 0usize;
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            seen += 1;
            if seen > 100_000 {
                return found;
            }
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if !SKIP.contains(&name.as_str()) && !name.starts_with('.') {
                    stack.push(path);
                }
                continue;
            }
            if !kind.is_file() {
                continue;
            }
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            let folder = rel.rsplit_once('/').map_or("", |(f, _)| f);
            let glob = |pattern: &str| {
                if folder.is_empty() {
                    pattern.to_string()
                } else {
                    format!("{folder}/{pattern}")
                }
            };
            // Only the places a policy keeps it: not a test fixture deep in the tree.
            let shallow = folder.is_empty() || folder == "policies";
            if name == "allowed_signers" && shallow && found.signers.is_none() {
                found.signers = Some(relative_to_policies(&rel));
            } else if name.ends_with(".yaml") || name.ends_with(".yml") {
                yaml_configs.push((rel.clone(), path.clone()));
            } else if name.starts_with("db.") {
                if looks_like_zone(&path) {
                    found.zonefiles.insert(glob("db.*"));
                }
            } else if let Some(ext) = name.rsplit_once('.').map(|(_, e)| e) {
                if matches!(ext, "zone" | "db") && looks_like_zone(&path) {
                    found.zonefiles.insert(glob(&format!("*.{ext}")));
                }
            }
        }
    }
    // An octoDNS config names where its YAML zones are: read it, do not guess.
    for (rel, path) in yaml_configs {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if let Some((directory, ttl)) = yaml_provider(&text) {
            let directory = directory.trim_start_matches("./").trim_end_matches('/');
            found.octodns.insert(format!(
                "{}/*.yaml",
                if directory.is_empty() { "." } else { directory }
            ));
            found.octodns_config.get_or_insert(rel);
            if found.default_ttl.is_none() {
                found.default_ttl = ttl;
            }
        }
    }
    found
}

/// A path relative to `policies/`, where the policy names its signers from.
fn relative_to_policies(rel: &str) -> String {
    match rel.strip_prefix("policies/") {
        Some(inside) => inside.to_string(),
        None => format!("../{rel}"),
    }
}

/// Zone files hold an `$ORIGIN` or an SOA near their top.
fn looks_like_zone(path: &Path) -> bool {
    let mut head = vec![0u8; 8192];
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let n = std::io::Read::read(&mut file, &mut head).unwrap_or(0);
    let text = String::from_utf8_lossy(&head[..n]).to_ascii_uppercase();
    text.contains("$ORIGIN") || text.contains(" SOA ") || text.contains("\tSOA")
}

/// The `directory` (and `default_ttl`) of a `YamlProvider` in an octoDNS config, read line by
/// line within the provider's block.
fn yaml_provider(text: &str) -> Option<(String, Option<u32>)> {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim() == "class: octodns.provider.yaml.YamlProvider")?;
    let indent = |l: &str| l.len() - l.trim_start().len();
    let depth = indent(lines[at]);
    let start = (0..at)
        .rev()
        .find(|&i| indent(lines[i]) < depth)
        .map_or(0, |i| i + 1);
    let end = (at + 1..lines.len())
        .find(|&i| !lines[i].trim().is_empty() && indent(lines[i]) < depth)
        .unwrap_or(lines.len());
    let field = |key: &str| {
        lines[start..end]
            .iter()
            .filter(|l| indent(l) == depth)
            .find_map(|l| l.trim().strip_prefix(key))
            .map(|v| v.trim().trim_matches(['\'', '"']).to_string())
    };
    let directory = field("directory:")?;
    let ttl = field("default_ttl:").and_then(|t| t.parse().ok());
    Some((directory, ttl))
}

fn config(zonefiles: &[String], octodns: &[String], ttl: Option<u32>, args: &InitArgs) -> String {
    let list = |items: &[String]| {
        items
            .iter()
            .map(|i| format!("\"{i}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = String::from(
        "# changegate: the gate for this repository's DNS changes (see the README).\n\
         policy = \"policies/default.toml\"\ntickets = \"changes\"\n\n[sources]\n",
    );
    out.push_str(&format!("zonefiles = [{}]\n", list(zonefiles)));
    out.push_str(&format!("octodns = [{}]\n", list(octodns)));
    if let Some(ttl) = ttl {
        out.push_str(&format!(
            "octodns_default_ttl = {ttl}   # the YamlProvider's default_ttl\n"
        ));
    }
    out.push('\n');
    let url = args
        .url
        .clone()
        .unwrap_or_else(|| "http://127.0.0.1:9090".to_string());
    match args.metrics {
        Some(InitMetrics::Prometheus) => out.push_str(&format!(
            "[metrics]                          # where resolution counts are, for the deletion gate\n\
             backend = \"prometheus\"\nurl = \"{url}\"\n\
             # bearer_token_env = \"CHANGEGATE_PROM_TOKEN\"   # the variable's name, never the token\n"
        )),
        Some(InitMetrics::File) => out.push_str(
            "[metrics]                          # offline: a CSV `name,type,count` export with\n\
             backend = \"file\"                   # `# from:` and `# to:` lines\n\
             path = \"resolutions.csv\"\n",
        ),
        None => out.push_str(&format!(
            "# Where resolution counts are: without it, every deletion is refused (fail closed).\n\
             # [metrics]\n# backend = \"prometheus\"            # or \"clickhouse\", \"command\", \"file\"\n\
             # url = \"{url}\"\n"
        )),
    }
    out.push_str(
        "\n# Resolvers for snapshot, verify and drift:\n# [dns]\n# resolvers = [\"1.1.1.1\", \"9.9.9.9\"]\n",
    );
    out
}

fn policy(signers: &str, args: &InitArgs) -> String {
    let deletion = match args.metrics {
        Some(InitMetrics::Prometheus) | None => {
            "[deletion]\n\
             # Resolutions of the RRset over the window, counted from zero where the counter did not\n\
             # exist at the window's start.\n\
             query = '''sum(last_over_time(dns_resolutions_total{name=\"{name}\",type=\"{type}\"}[{window}])\n  \
             - (dns_resolutions_total{name=\"{name}\",type=\"{type}\"} offset {window}\n     \
             or last_over_time(dns_resolutions_total{name=\"{name}\",type=\"{type}\"}[{window}]) * 0))'''\n\
             # Resolutions of the whole zone: proof that telemetry flows at all.\n\
             coverage_query = 'sum(increase(dns_resolutions_total{zone=\"{zone}\"}[{window}]))'\n\
             window = \"14d\"\n"
        }
        Some(InitMetrics::File) => "[deletion]\nwindow = \"14d\"\n",
    };
    format!(
        "# The starting policy `changegate init` wrote. It passes `changegate lint` as it is;\n\
         # make it yours: add approvers, name what is critical, raise tiers.\n\
         \n\
         # Who may approve: principals as in allowed_signers.\n\
         # [groups]\n\
         # dns-oncall = [\"alice@example.com\", \"bob@example.com\"]\n\
         \n\
         [signers]\n\
         allowed_signers = \"{signers}\"\n\
         \n\
         # Tiers, lowest first. Once approvers' keys are in allowed_signers, require them:\n\
         #   require = [{{ group = \"dns-oncall\", count = 1 }}]\n\
         [[tier]]\n\
         name = \"routine\"\n\
         require = []\n\
         \n\
         [[tier]]\n\
         name = \"high\"\n\
         require = []\n\
         require_fields = [\"rollback.last_known_good\"]\n\
         \n\
         # What names really are: their scope, and whether they are critical.\n\
         # [[inventory]]\n\
         # names = [\"login.example.com\"]\n\
         # scope = \"global\"\n\
         # critical = true\n\
         \n\
         [[rule]]\n\
         when = {{ action = \"delete\" }}\n\
         tier = \"high\"\n\
         \n\
         [[rule]]\n\
         when = {{ scope = [\"region\", \"global\"] }}\n\
         tier = \"high\"\n\
         \n\
         # An A record retyped to a CNAME (or back) changes the shape of every answer.\n\
         [[rule]]\n\
         when = {{ type_change = true }}\n\
         tier = \"high\"\n\
         \n\
         {deletion}"
    )
}

const SIGNERS_STUB: &str = "# One line per approver key, as ssh-keygen -Y verify reads it:\n\
# alice@example.com namespaces=\"changegate\" ssh-ed25519 AAAAC3Nza... alice's laptop\n";

/// Writes a file whole or not at all.
fn write_atomically(path: &Path, text: &str) -> anyhow::Result<()> {
    crate::zone::files::write_whole(path, text.as_bytes(), true)
        .map_err(|e| anyhow::anyhow!("cannot write `{}`: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_yaml_providers_directory_is_read_from_its_block() {
        let config = "providers:\n  config:\n    class: octodns.provider.yaml.YamlProvider\n    directory: ./config/zones\n    default_ttl: 600\n  route53:\n    class: octodns_route53.Route53Provider\n    directory: elsewhere\n";
        assert_eq!(
            yaml_provider(config),
            Some(("./config/zones".to_string(), Some(600)))
        );
        assert_eq!(yaml_provider("providers: {}\n"), None);
    }
}

//! The managed zones: the zones whose desired state lives in this repository, named by the
//! zone files and octoDNS files that `[sources]` lists. A change belongs to the managed zone
//! that is the longest suffix of its name.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::config::Config;
use crate::model::Fqdn;

/// A managed zone and the file that defines it.
#[derive(Clone, Debug)]
pub struct ManagedZone {
    pub name: Fqdn,
    pub file: PathBuf,
}

/// Expands `[sources]` and names every zone found.
pub fn managed_zones(config: &Config) -> anyhow::Result<Vec<ManagedZone>> {
    let mut zones = Vec::new();
    for (patterns, octodns) in [(&config.zonefiles, false), (&config.octodns, true)] {
        for pattern in patterns {
            for file in expand(&config.root, pattern)? {
                let name = if octodns { None } else { origin_of(&file)? }
                    .map_or_else(|| zone_from_stem(&file), Ok)?;
                zones.push(ManagedZone { name, file });
            }
        }
    }
    zones.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(zones)
}

/// The managed zone for a name: the longest zone that contains it.
pub fn zone_of<'a>(zones: &'a [ManagedZone], name: &Fqdn) -> Option<&'a ManagedZone> {
    zones
        .iter()
        .filter(|z| name.is_in(&z.name))
        .max_by_key(|z| z.name.label_count())
}

fn expand(root: &Path, pattern: &str) -> anyhow::Result<Vec<PathBuf>> {
    let full = root.join(pattern);
    let full = full
        .to_str()
        .context("a `[sources]` pattern is not valid UTF-8")?;
    let mut files = Vec::new();
    for entry in glob::glob(full)
        .with_context(|| format!("`{pattern}` in `[sources]` is not a valid glob"))?
    {
        let path = entry.with_context(|| format!("cannot read a file matched by `{pattern}`"))?;
        if path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn zone_from_stem(file: &Path) -> anyhow::Result<Fqdn> {
    let stem = file
        .file_stem()
        .and_then(|s| s.to_str())
        .with_context(|| format!("`{}` has no usable file name", file.display()))?;
    // `example.com.zone` and `example.com.yaml` name `example.com`; a trailing dot is allowed.
    Fqdn::parse(stem).map_err(|e| {
        anyhow::anyhow!(
            "the zone name `{stem}` taken from `{}` is invalid: {e}",
            file.display()
        )
    })
}

/// The first `$ORIGIN` of a zone file, read up to the first record.
fn origin_of(file: &Path) -> anyhow::Result<Option<Fqdn>> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read the zone file `{}`", file.display()))?;
    for (index, line) in text.lines().enumerate() {
        let line = line.split(';').next().unwrap_or_default().trim();
        if line.is_empty() || line.starts_with("$TTL") || line.starts_with("$INCLUDE") {
            continue;
        }
        if let Some(rest) = line.strip_prefix("$ORIGIN") {
            let origin = rest.trim();
            return Fqdn::parse(origin).map(Some).map_err(|e| {
                anyhow::anyhow!(
                    "{}:{}: `$ORIGIN {origin}` is invalid: {e}",
                    file.display(),
                    index + 1
                )
            });
        }
        break;
    }
    Ok(None)
}

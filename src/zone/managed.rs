//! The managed zones: the zones whose desired state lives in this repository, named by the
//! zone files and octoDNS files that `[sources]` lists. A change belongs to the managed zone
//! that is the longest suffix of its name.

use super::files::Files;
use super::source::zone_name;
use crate::config::Config;
use crate::model::Fqdn;

/// A managed zone and the file that defines it.
#[derive(Clone, Debug)]
pub struct ManagedZone {
    pub name: Fqdn,
    pub file: String,
}

/// Expands `[sources]` and names every zone found, without reading their records.
pub fn managed_zones(files: &dyn Files, config: &Config) -> Result<Vec<ManagedZone>, String> {
    let mut zones = Vec::new();
    for (patterns, octodns) in [(&config.zonefiles, false), (&config.octodns, true)] {
        for pattern in patterns {
            for path in files
                .list(pattern)
                .map_err(|e| format!("`[sources]`: {e}"))?
            {
                let text = if octodns {
                    None
                } else {
                    Some(
                        files
                            .read_bytes(&path)
                            .map(super::files::master_text)
                            .map_err(|e| format!("cannot read `{}`: {e}", files.display(&path)))?,
                    )
                };
                let name = zone_name(&path, text.as_deref())
                    .map_err(|e| format!("{}: {e}", files.display(&path)))?;
                zones.push(ManagedZone {
                    name,
                    file: files.display(&path),
                });
            }
        }
    }
    // Zones Terraform manages: those its plans hold records of.
    let plans =
        super::terraform::load_plans(files, None, &config.terraform_plans).map_err(|d| {
            d.iter()
                .map(|d| d.message.clone())
                .collect::<Vec<_>>()
                .join("; ")
        })?;
    for given in plans {
        for (zone, _) in given.plan.before.iter().chain(&given.plan.after) {
            if !zones.iter().any(|z| &z.name == zone) {
                zones.push(ManagedZone {
                    name: zone.clone(),
                    file: given.plan.shown.clone(),
                });
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

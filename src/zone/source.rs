//! Where desired state comes from: files matched by `[sources]` globs, read from the work
//! tree ([`FsFiles`]) or from a git commit (`crate::git::TreeFiles`), parsed one thread per
//! file into a [`State`].

use std::collections::BTreeMap;
use std::path::Path;

use super::files::Files;
use super::{Zone, octodns, zonefile};
use crate::diag::Diagnostic;
use crate::model::{Fqdn, RecordType};

/// The kind of a source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    ZoneFile,
    OctoDns,
}

/// Desired state: every managed zone, and the files records came from.
#[derive(Clone, Debug, Default)]
pub struct State {
    pub zones: BTreeMap<Fqdn, Zone>,
    /// Paths as shown to the user; `Origin::file` indexes this.
    pub files: Vec<String>,
    /// The file that defines each zone.
    pub zone_files: BTreeMap<Fqdn, String>,
}

impl State {
    /// The managed zone that is the longest suffix of `name`.
    pub fn zone_of(&self, name: &Fqdn) -> Option<&Zone> {
        self.zones
            .values()
            .filter(|z| name.is_in(&z.name))
            .max_by_key(|z| z.name.label_count())
    }

    pub fn location(&self, origin: super::Origin) -> String {
        format!(
            "{}:{}",
            self.files
                .get(origin.file as usize)
                .map_or("?", String::as_str),
            origin.line
        )
    }
}

/// Reads every file the patterns match. Zone files name their zone by their first `$ORIGIN`,
/// else by their file stem; octoDNS files by their stem, with octoDNS's default TTL.
pub fn load_state(
    files: &dyn Files,
    zonefiles: &[String],
    octodns: &[String],
) -> Result<State, Vec<Diagnostic>> {
    load_state_with(files, zonefiles, octodns, super::octodns::DEFAULT_TTL)
}

/// The desired state `[sources]` of a config names, read through `files`.
pub fn load_sources(
    files: &dyn Files,
    config: &crate::config::Config,
) -> Result<State, Vec<Diagnostic>> {
    load_state_with(
        files,
        &config.zonefiles,
        &config.octodns,
        config.octodns_default_ttl,
    )
}

/// [`load_state`], with the TTL of octoDNS records that give none (the octoDNS provider's
/// `default_ttl`).
pub fn load_state_with(
    files: &dyn Files,
    zonefiles: &[String],
    octodns: &[String],
    octodns_default_ttl: u32,
) -> Result<State, Vec<Diagnostic>> {
    let mut sources: Vec<(String, Format)> = Vec::new();
    let mut problems = Vec::new();
    for (patterns, format) in [(zonefiles, Format::ZoneFile), (octodns, Format::OctoDns)] {
        for pattern in patterns {
            match files.list(pattern) {
                Ok(paths) => sources.extend(paths.into_iter().map(|p| (p, format))),
                Err(e) => problems.push(Diagnostic::new(
                    "config-invalid",
                    format!("`[sources]`: {e}"),
                )),
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    // One thread per file, as many at once as there are cores.
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut results: Vec<Result<ReadZone, Vec<Diagnostic>>> = Vec::new();
    for chunk in sources.chunks(threads) {
        std::thread::scope(|scope| {
            let handles: Vec<_> = chunk
                .iter()
                .map(|(path, format)| {
                    scope.spawn(move || read_one(files, path, *format, octodns_default_ttl))
                })
                .collect();
            results.extend(handles.into_iter().map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(vec![Diagnostic::new(
                        "zone-invalid",
                        "a zone reader crashed",
                    )])
                })
            }));
        });
    }
    let mut state = State::default();
    for ((path, _), result) in sources.iter().zip(results) {
        match result {
            Err(mut p) => problems.append(&mut p),
            Ok((zone, mut grouped, names)) => {
                if let Some(other) = state.zone_files.get(&zone) {
                    problems.push(Diagnostic::new(
                        "zone-invalid",
                        format!(
                            "the zone `{zone}` is defined twice: in `{other}` and in `{}`",
                            files.display(path)
                        ),
                    ));
                    continue;
                }
                // Re-base the file indexes of this file's records onto the state's list.
                let base = state.files.len() as u32;
                for rrset in &mut grouped.rrsets {
                    rrset.origin.file += base;
                }
                state.files.extend(names);
                state.zone_files.insert(zone.clone(), files.display(path));
                state.zones.insert(zone, grouped);
            }
        }
    }
    if problems.is_empty() {
        Ok(state)
    } else {
        Err(problems)
    }
}

/// A zone read from one file and grouped into RRsets (in the reading thread): its name, the
/// zone, and the files its records came from.
type ReadZone = (Fqdn, Zone, Vec<String>);

fn read_one(
    files: &dyn Files,
    path: &str,
    format: Format,
    octodns_default_ttl: u32,
) -> Result<ReadZone, Vec<Diagnostic>> {
    let mut names = Vec::new();
    let zone = match format {
        Format::ZoneFile => match files.read_bytes(path).map(super::files::master_text) {
            Ok(text) => zone_name(path, Some(&text)),
            Err(e) => {
                return Err(vec![Diagnostic::new(
                    "zone-invalid",
                    format!("cannot read `{}`: {e}", files.display(path)),
                )]);
            }
        },
        Format::OctoDns => zone_name(path, None),
    }
    .map_err(|e| {
        vec![Diagnostic::new(
            "zone-invalid",
            format!("{}: {e}", files.display(path)),
        )]
    })?;
    let records = match format {
        Format::ZoneFile => zonefile::read_zone_file(files, path, &zone, &mut names)?,
        Format::OctoDns => {
            octodns::read_octodns(files, path, &zone, octodns_default_ttl, &mut names)?
        }
    };
    let grouped = Zone::from_records(zone.clone(), records);
    let problems = node_rules(&grouped, &names);
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok((zone, grouped, names))
}

/// A CNAME is the only data at its name (RFC 1034 §3.6.2; DNSSEC's RRSIG, NSEC and KEY
/// aside) and has one target: BIND and octoDNS refuse a zone that breaks this, so a gate must
/// not pass it.
fn node_rules(zone: &Zone, files: &[String]) -> Vec<Diagnostic> {
    let at = |origin: super::Origin| {
        format!(
            "{}:{}",
            files.get(origin.file as usize).map_or("?", String::as_str),
            origin.line
        )
    };
    let mut problems = Vec::new();
    let rrsets = &zone.rrsets;
    let mut start = 0;
    while start < rrsets.len() {
        let end = start
            + rrsets[start..]
                .iter()
                .take_while(|r| r.key == rrsets[start].key && r.name == rrsets[start].name)
                .count();
        let node = &rrsets[start..end];
        for rrset in node {
            let name = &rrset.name;
            let apex = name == &zone.name;
            let wildcard = name.as_str() == "*" || name.as_str().starts_with("*.");
            // As BIND refuses them when it loads the zone.
            let problem = match rrset.rtype {
                RecordType::Soa | RecordType::Dname if rrset.values.len() > 1 => Some(format!(
                    "`{name}` has {} {} records ({}); a name has at most one",
                    rrset.values.len(),
                    rrset.rtype,
                    at(rrset.origin)
                )),
                RecordType::Soa if !apex => Some(format!(
                    "`{name}` has an SOA ({}), but only the zone's apex `{}` has one",
                    at(rrset.origin),
                    zone.name
                )),
                RecordType::Ds if apex => Some(format!(
                    "`{name}` has a DS ({}) at the zone's apex: a DS belongs in the parent zone",
                    at(rrset.origin)
                )),
                RecordType::Ns if wildcard => Some(format!(
                    "`{name}` is a wildcard with NS records ({}): a wildcard cannot delegate",
                    at(rrset.origin)
                )),
                _ => None,
            };
            problems.extend(problem.map(|p| Diagnostic::new("zone-invalid", p)));
        }
        if let Some(cname) = node.iter().find(|r| r.rtype == RecordType::Cname) {
            if cname.values.len() > 1 {
                problems.push(Diagnostic::new(
                    "zone-invalid",
                    format!(
                        "`{}` has {} CNAME records ({}); a name has at most one",
                        cname.name,
                        cname.values.len(),
                        at(cname.origin)
                    ),
                ));
            }
            let others: Vec<String> = node
                .iter()
                .filter(|r| {
                    !matches!(
                        r.rtype,
                        RecordType::Cname | RecordType::Rrsig | RecordType::Nsec | RecordType::Key
                    )
                })
                .map(|r| format!("{} ({})", r.rtype, at(r.origin)))
                .collect();
            if !others.is_empty() {
                problems.push(Diagnostic::new(
                    "zone-invalid",
                    format!(
                        "`{}` has a CNAME ({}) and other data: {}; a CNAME is the only data at its name",
                        cname.name,
                        at(cname.origin),
                        others.join(", ")
                    ),
                ));
            }
        }
        start = end;
    }
    problems
}

/// A zone file's zone: its first `$ORIGIN` before any record, else the file stem.
pub fn zone_name(path: &str, text: Option<&str>) -> Result<Fqdn, String> {
    if let Some(text) = text {
        for line in text.lines() {
            let line = line.split(';').next().unwrap_or_default().trim();
            let directive = line.get(..8).unwrap_or(line).to_ascii_uppercase();
            if line.is_empty() || directive.starts_with("$TTL") || directive.starts_with("$INCLUDE")
            {
                continue;
            }
            if directive.starts_with("$ORIGIN") {
                // Read as the zone file reads names (BIND takes any label bytes here: RFC 2317
                // zones such as `0/25.2.0.192.in-addr.arpa.`), not as a host name.
                let origin = line[7..].trim();
                return super::rdata::bare_name(origin, "")
                    .map(Fqdn::from_normalised)
                    .map_err(|e| format!("`$ORIGIN {origin}` is invalid: {e}"));
            }
            break;
        }
    }
    // BIND's convention `db.example.com` names its zone after the prefix; otherwise the
    // file's stem (`example.com.zone`).
    let file = Path::new(path)
        .file_name()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let stem = match file.strip_prefix("db.") {
        Some(zone) if !zone.is_empty() => zone,
        _ => Path::new(path)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default(),
    };
    Fqdn::parse(stem)
        .map_err(|e| format!("the zone name `{stem}` taken from the file name is invalid: {e}"))
}

//! Desired-state DNS: zone files and octoDNS YAML read into one RRset model, and the diff
//! between two states (create, update, delete per RRset, plus type changes and cascade).
//!
//! Readers canonicalise record data (names lowercase and absolute, addresses canonical, TXT
//! unescaped and re-chunked) so that equal records compare equal whatever their spelling.

mod diff;
pub mod dnssec;
pub mod files;
mod lexer;
mod loc;
mod managed;
pub mod octodns;
pub mod rdata;
pub mod source;
mod svcb;
pub mod terraform;
mod yaml;
mod zonefile;

pub use diff::{
    Cascade, ChangeKind, DanglingReference, RRsetChange, TypeChange, ZoneDiff, dependents,
    diff_states,
};
pub use files::{Files, FsFiles, MemFiles};
pub use managed::{ManagedZone, managed_zones, zone_of};
pub use octodns::read_octodns;
pub use source::{State, load_sources, load_state, load_state_with};
pub use zonefile::read_zone_file;

use crate::diag::Diagnostic;
use crate::model::{Fqdn, RecordType};

pub(crate) use crate::diag::MAX_PROBLEMS;

/// Closes a file's problems with a note when reading stopped at [`MAX_PROBLEMS`].
pub(crate) fn note_if_stopped(problems: &mut Vec<Diagnostic>, shown: &str) {
    if problems.len() >= MAX_PROBLEMS {
        problems.push(Diagnostic::new(
            "zone-invalid",
            format!(
                "stopped reading `{shown}` after {MAX_PROBLEMS} problems; fix these and run again"
            ),
        ));
    }
}

/// Where a record was written: an index into the state's file list, and a 1-based line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin {
    pub file: u32,
    pub line: u32,
}

/// A 64-bit FNV-1a hash of a name: the first sort key of records and RRsets, so that sorting
/// and searching compare one integer before any bytes. Any order both sides share serves the
/// merge-join of a diff; changes are sorted by name afterwards for people.
pub fn name_key(name: &str) -> u64 {
    fnv1a(FNV_OFFSET, name.as_bytes())
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// FNV-1a as a `Hasher`: names are short and trusted, so it beats SipHash for the diff's
/// indexes.
pub(crate) struct FnvHasher(u64);

impl Default for FnvHasher {
    fn default() -> Self {
        Self(FNV_OFFSET)
    }
}

impl std::hash::Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0 = fnv1a(self.0, bytes);
    }
}

pub(crate) type Fnv = std::hash::BuildHasherDefault<FnvHasher>;

/// One resource record as read, before grouping.
#[derive(Clone, Debug)]
pub struct Record {
    /// [`name_key`] of `name`.
    pub key: u64,
    pub name: Fqdn,
    pub rtype: RecordType,
    pub ttl: u32,
    /// Canonical presentation of the record data.
    pub rdata: Box<str>,
    /// What octoDNS says of the record beyond its value ([`RRset::octodns`]).
    pub octodns: Option<Box<OctoDns>>,
    pub origin: Origin,
}

/// What an octoDNS file says of an RRset beyond its values. Both parts change what the name
/// answers, so they belong to the RRset: a change to either is an update, and is signed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OctoDns {
    /// `octodns:` provider settings (Cloudflare's `proxied`, Route 53 health checks, ...) as
    /// one line of flow YAML with sorted keys.
    pub settings: Option<Box<str>>,
    /// `dynamic:` pools and rules, as the same kind of line.
    pub dynamic: Option<Box<str>>,
    /// The values of the dynamic pools as canonical record data: they are answered too, and a
    /// pool value that names a host is a reference like the RRset's own values.
    pub pool_values: Vec<Box<str>>,
    /// Settings a Terraform provider keeps beside the values (Cloudflare's `proxied`, Route 53
    /// routing and alias options), as one line.
    pub provider: Option<Box<str>>,
}

impl OctoDns {
    /// `(what, canonical text)` for each part present, in a fixed order: for people, for JSON
    /// and for the plan an approval signs.
    pub fn parts(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("octodns", &self.settings),
            ("dynamic", &self.dynamic),
            ("provider", &self.provider),
        ]
        .into_iter()
        .filter_map(|(what, text)| text.as_deref().map(|t| (what, t)))
    }
}

/// All records of one name and type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RRset {
    /// [`name_key`] of `name`.
    pub key: u64,
    pub name: Fqdn,
    pub rtype: RecordType,
    pub ttl: u32,
    /// Canonical record data, sorted and without duplicates.
    pub values: Vec<Box<str>>,
    /// What octoDNS says of the RRset beyond its values; `None` for zone files.
    pub octodns: Option<Box<OctoDns>>,
    pub origin: Origin,
}

impl RRset {
    /// The target of a provider alias read from a Terraform plan (`alias <target>`).
    pub fn alias_target(&self) -> Option<&str> {
        self.values
            .first()
            .and_then(|v| v.strip_prefix(terraform::ALIAS_PREFIX))
    }

    /// Names this RRset points at: CNAME, ALIAS and DNAME targets, MX exchanges, SRV targets,
    /// NS hosts, and the targets of Terraform aliases (a Route 53 alias's DNS name, an Azure
    /// alias's resource ID). Values are canonical, so the target is always the last field.
    pub fn targets(&self) -> impl Iterator<Item = &str> {
        let points = matches!(
            self.rtype,
            RecordType::Cname
                | RecordType::Alias
                | RecordType::Dname
                | RecordType::Mx
                | RecordType::Srv
                | RecordType::Ns
        );
        let pools = self.octodns.iter().flat_map(|o| o.pool_values.iter());
        self.values
            .iter()
            .chain(pools)
            .filter(move |v| points || v.starts_with(terraform::ALIAS_PREFIX))
            .filter_map(|v| v.rsplit(' ').next())
            .map(|t| t.strip_suffix('.').unwrap_or(t))
            .filter(|t| !t.is_empty())
    }
}

/// One zone's desired state: its RRsets sorted by name key, name, then type.
#[derive(Clone, Debug)]
pub struct Zone {
    pub name: Fqdn,
    pub rrsets: Vec<RRset>,
}

impl Zone {
    /// Groups records into RRsets. The TTL of an RRset is the smallest of its records', as a
    /// resolver would cache it.
    pub fn from_records(name: Fqdn, mut records: Vec<Record>) -> Self {
        records.sort_unstable_by(|a, b| {
            (a.key, a.name.as_str(), a.rtype, &a.rdata).cmp(&(
                b.key,
                b.name.as_str(),
                b.rtype,
                &b.rdata,
            ))
        });
        let mut rrsets: Vec<RRset> = Vec::with_capacity(records.len());
        for record in records {
            match rrsets.last_mut() {
                Some(last)
                    if last.key == record.key
                        && last.rtype == record.rtype
                        && last.name == record.name =>
                {
                    // As BIND loads it: the RRset takes the TTL of its first record in the
                    // file, whatever later records say. Signatures are one RRset per covered
                    // type to BIND, each with its own TTL, and one here: the least of them,
                    // whatever order they are written in.
                    if matches!(record.rtype, RecordType::Rrsig | RecordType::Sig) {
                        last.ttl = last.ttl.min(record.ttl);
                    } else if record.origin < last.origin {
                        last.ttl = record.ttl;
                    }
                    last.origin = last.origin.min(record.origin);
                    if last.octodns.is_none() {
                        last.octodns = record.octodns;
                    }
                    if last.values.last() != Some(&record.rdata) {
                        last.values.push(record.rdata);
                    }
                }
                _ => rrsets.push(RRset {
                    key: record.key,
                    name: record.name,
                    rtype: record.rtype,
                    ttl: record.ttl,
                    values: vec![record.rdata],
                    octodns: record.octodns,
                    origin: record.origin,
                }),
            }
        }
        Self { name, rrsets }
    }

    pub fn find(&self, name: &Fqdn, rtype: RecordType) -> Option<&RRset> {
        let key = name_key(name.as_str());
        self.rrsets
            .binary_search_by(|r| {
                (r.key, r.name.as_str(), r.rtype).cmp(&(key, name.as_str(), rtype))
            })
            .ok()
            .map(|i| &self.rrsets[i])
    }

    pub fn has_name(&self, name: &Fqdn) -> bool {
        let key = name_key(name.as_str());
        let start = self
            .rrsets
            .partition_point(|r| (r.key, r.name.as_str()) < (key, name.as_str()));
        self.rrsets.get(start).is_some_and(|r| &r.name == name)
    }
}

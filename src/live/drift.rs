//! Desired state against live answers, alias-aware: every managed RRset is asked for and
//! compared. Missing, extra and changed values and type mismatches (including a desired A or
//! ALIAS that is live as a CNAME chain) are drift; TTL differences are findings. Names the
//! inventory marks dynamic (traffic-managed, or proxied by their provider) answer with values
//! of their own: they must keep their shape and answer, and their values may differ.

use serde::Serialize;

use super::answer::{Answer, Rcode};
use crate::model::RecordType;
use crate::zone::RRset;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Drift {
    pub name: String,
    #[serde(rename = "type")]
    pub rtype: String,
    pub resolver: String,
    /// `missing`, `extra`, `changed`, `type-mismatch`, `unavailable` or `ttl` (a finding);
    /// with `--authoritative` also `lame` (a server that refuses or answers without authority)
    /// and `behind` (a server with an older SOA serial than another of the zone's servers).
    pub kind: &'static str,
    pub desired: String,
    pub live: String,
    pub message: String,
    /// Where the desired RRset is written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

impl Drift {
    /// TTL differences inform; everything else is drift.
    pub fn is_drift(&self) -> bool {
        self.kind != "ttl"
    }
}

/// Compares one desired RRset with one resolver's answer; a `dynamic` name's values may
/// differ from the desired ones.
pub fn compare(
    desired: &RRset,
    resolver: &str,
    live: &Answer,
    file: Option<String>,
    dynamic: bool,
) -> Vec<Drift> {
    let desired_text = format!("{} {}", desired.rtype, desired.values.join(" | "));
    let drift = |kind: &'static str, message: String| Drift {
        name: desired.name.to_string(),
        rtype: desired.rtype.to_string(),
        resolver: resolver.to_string(),
        kind,
        desired: desired_text.clone(),
        live: live.describe(),
        message,
        file: file.clone(),
    };
    match live.rcode {
        Rcode::Noerror => {}
        Rcode::Nxdomain | Rcode::Nodata => {
            return vec![drift(
                "missing",
                format!(
                    "`{}` {} is not live ({})",
                    desired.name,
                    desired.rtype,
                    live.rcode.as_str()
                ),
            )];
        }
        _ => {
            return vec![drift(
                "unavailable",
                format!("cannot tell: {}", live.describe()),
            )];
        }
    }
    let name = desired.name.as_str();
    // Records at the asked name itself; anything else in the chain came through an alias.
    let own: Vec<_> = live.chain.iter().filter(|rr| rr.name == name).collect();
    let through_cname =
        own.iter().any(|rr| rr.rtype == RecordType::Cname) && desired.rtype != RecordType::Cname;
    if through_cname {
        return vec![drift(
            "type-mismatch",
            format!(
                "desired {} at `{name}`, but it is live as a CNAME chain: {}",
                desired.rtype,
                live.shape().join(" → ")
            ),
        )];
    }
    if desired.rtype.is_provider_record() || desired.alias_target().is_some() {
        // The provider resolves the target (or serves its redirect): the shape is what can
        // be checked. A Terraform alias answers its own type with its target's addresses.
        let answers = if desired.rtype.is_provider_record() {
            RecordType::A
        } else {
            desired.rtype
        };
        return if own.iter().any(|rr| rr.rtype == answers) {
            Vec::new()
        } else {
            vec![drift(
                "type-mismatch",
                format!(
                    "desired {} at `{name}`, but it does not answer with {answers} records",
                    desired.rtype
                ),
            )]
        };
    }
    let expected_type = desired.rtype;
    let live_values: Vec<&str> = {
        let mut v: Vec<&str> = own
            .iter()
            .filter(|rr| rr.rtype == expected_type)
            .map(|rr| rr.data.as_str())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    if live_values.is_empty() {
        let types: Vec<String> = own.iter().map(|rr| rr.rtype.to_string()).collect();
        return vec![drift(
            "type-mismatch",
            format!(
                "desired {expected_type} at `{name}`, live {}",
                types.join(", ")
            ),
        )];
    }
    let wanted: Vec<&str> = if dynamic {
        // Whatever it answers is its own to choose; `live_values` is not empty.
        live_values.clone()
    } else {
        desired.values.iter().map(|v| &**v).collect()
    };
    let missing: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|v| !live_values.contains(v))
        .collect();
    let extra: Vec<&str> = live_values
        .iter()
        .copied()
        .filter(|v| !wanted.contains(v))
        .collect();
    let mut out = Vec::new();
    match (missing.is_empty(), extra.is_empty()) {
        (true, true) => {}
        (true, false) => out.push(drift(
            "extra",
            format!("live has extra values: {}", extra.join(", ")),
        )),
        (false, true) => out.push(drift(
            "changed",
            format!("live lacks values: {}", missing.join(", ")),
        )),
        (false, false) => out.push(drift(
            "changed",
            format!(
                "live has {} instead of {}",
                extra.join(", "),
                missing.join(", ")
            ),
        )),
    }
    if let Some(rr) = own.iter().find(|rr| rr.rtype == expected_type) {
        if rr.ttl != desired.ttl {
            out.push(drift(
                "ttl",
                format!("TTL {} live, {} desired", rr.ttl, desired.ttl),
            ));
        }
    }
    out
}

//! Comparing fresh answers with a snapshot, exactly: the same response code, the same shape
//! (types at every step, CNAME targets) and the same values. Names the inventory calls
//! dynamic (traffic-managed) need the same shape and a non-empty answer, their values may move.

use serde::Serialize;

use super::answer::{Answer, Rcode};
use crate::model::{Fqdn, RecordType};

/// One way an answer differs from the snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub name: String,
    #[serde(rename = "type")]
    pub rtype: String,
    pub resolver: String,
    /// `rcode`, `shape`, `values` or `empty`; with `--authoritative` also `unavailable`,
    /// `lame` and `behind` (see `drift`).
    pub kind: &'static str,
    pub expected: String,
    pub actual: String,
    pub message: String,
}

/// Compares one answer with the one recorded.
pub fn compare(
    name: &str,
    rtype: &str,
    resolver: &str,
    was: &Answer,
    now: &Answer,
    dynamic: bool,
) -> Option<Difference> {
    let difference = |kind: &'static str, message: String| Difference {
        name: name.to_string(),
        rtype: rtype.to_string(),
        resolver: resolver.to_string(),
        kind,
        expected: was.describe(),
        actual: now.describe(),
        message,
    };
    if was.rcode != now.rcode {
        return Some(difference(
            "rcode",
            format!("was {}, now {}", was.rcode.as_str(), now.rcode.as_str()),
        ));
    }
    let (before, after) = (was.shape(), now.shape());
    if before != after {
        let cname = |shape: &[String]| shape.iter().any(|s| s.contains(" CNAME "));
        let message = if cname(&after) && !cname(&before) {
            format!(
                "a CNAME now stands where {} records were: `{}` is answered through `{}`",
                rtype,
                name,
                after.join(" → ")
            )
        } else if cname(&before) && !cname(&after) {
            format!(
                "the CNAME chain `{}` is gone: `{}` now answers `{}`",
                before.join(" → "),
                name,
                after.join(" → ")
            )
        } else {
            format!(
                "the answer changed shape: was `{}`, now `{}`",
                before.join(" → "),
                after.join(" → ")
            )
        };
        return Some(difference("shape", message));
    }
    if dynamic {
        // Values may move; an answer that had records must still have some.
        let emptied = now.values().is_empty() && !was.values().is_empty();
        return emptied.then(|| {
            difference(
                "empty",
                "a traffic-managed name answers with no records".into(),
            )
        });
    }
    if was.values() != now.values() {
        let gone: Vec<&str> = was
            .values()
            .into_iter()
            .filter(|v| !now.values().contains(v))
            .collect();
        let new: Vec<&str> = now
            .values()
            .into_iter()
            .filter(|v| !was.values().contains(v))
            .collect();
        return Some(difference(
            "values",
            format!(
                "values changed: lost {}, gained {}",
                list(&gone),
                list(&new)
            ),
        ));
    }
    None
}

/// The part of an answer inside `zone`, as the zone's own server answers it: a chain that
/// leaves the zone ends there, with NOERROR (how the rest resolved is another zone's answer).
pub fn within(answer: &Answer, zone: &Fqdn) -> Answer {
    let kept = answer
        .chain
        .iter()
        .take_while(|rr| Fqdn::from_normalised(rr.name.clone()).is_in(zone))
        .cloned()
        .collect::<Vec<_>>();
    let left = kept.len() < answer.chain.len();
    let mut inside = answer.clone();
    inside.chain = kept;
    if left {
        inside.rcode = Rcode::Noerror;
        inside.error = None;
    }
    inside
}

/// A snapshot's answer (taken through a resolver) and a zone's own server's answer, made
/// comparable: both cut where their chain leaves the zone, or enters a cut the server refers
/// the rest to; and where the resolver lost a CNAME chain that ends in no data (it answers
/// NODATA or NXDOMAIN with no records), a server's CNAME-only answer that ends the same way
/// agrees with it.
pub fn comparable(was: &Answer, now: &Answer, zone: &Fqdn) -> (Answer, Answer) {
    let name = |text: &str| Fqdn::from_normalised(text.trim_end_matches('.').to_ascii_lowercase());
    let mut was = within(was, zone);
    let now = within(now, zone);
    let cut = now
        .referral
        .iter()
        .filter(|rr| rr.rtype == RecordType::Ns)
        .map(|rr| name(&rr.name))
        .find(|c| c != zone && c.is_in(zone));
    if let Some(cut) = cut {
        let kept: Vec<_> = was
            .chain
            .iter()
            .take_while(|rr| !name(&rr.name).is_in(&cut))
            .cloned()
            .collect();
        if kept.len() < was.chain.len() {
            was.chain = kept;
            was.rcode = Rcode::Noerror;
            was.error = None;
        }
    }
    let aliases_only = !now.chain.is_empty()
        && now
            .chain
            .iter()
            .all(|rr| matches!(rr.rtype, RecordType::Cname | RecordType::Dname));
    if was.chain.is_empty() && aliases_only {
        let ends_outside = now
            .chain
            .last()
            .is_some_and(|rr| !name(&rr.data).is_in(zone));
        let agrees = match was.rcode {
            Rcode::Nodata => matches!(now.rcode, Rcode::Noerror | Rcode::Nodata),
            Rcode::Nxdomain => now.rcode == Rcode::Nxdomain || ends_outside,
            _ => false,
        };
        if agrees {
            return (was.clone(), was);
        }
    }
    (was, now)
}

fn list(values: &[&str]) -> String {
    if values.is_empty() {
        "none".into()
    } else {
        values.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::{Rcode, Rr};

    fn answer(chain: &[(&str, RecordType, &str)]) -> Answer {
        Answer {
            rcode: Rcode::Noerror,
            authoritative: Some(true),
            chain: chain
                .iter()
                .map(|(n, t, d)| Rr {
                    name: n.to_string(),
                    rtype: *t,
                    ttl: 300,
                    data: d.to_string(),
                })
                .collect(),
            referral: Vec::new(),
            error: None,
        }
    }

    #[test]
    fn a_cname_where_an_a_record_was_is_named_as_such() {
        let was = answer(&[("sso.example.com", RecordType::A, "192.0.2.1")]);
        let now = answer(&[
            ("sso.example.com", RecordType::Cname, "tm.example.net."),
            ("tm.example.net", RecordType::A, "192.0.2.1"),
        ]);
        let d = compare("sso.example.com", "A", "r", &was, &now, false).unwrap();
        assert_eq!(d.kind, "shape");
        assert!(
            d.message
                .contains("a CNAME now stands where A records were"),
            "{}",
            d.message
        );
        // Even a traffic-managed name must keep its shape.
        assert!(compare("sso.example.com", "A", "r", &was, &now, true).is_some());
    }

    #[test]
    fn an_answer_is_cut_where_its_chain_leaves_the_zone() {
        let zone = Fqdn::parse("example.com").unwrap();
        let mut through = answer(&[
            ("sso.example.com", RecordType::Cname, "edge.example.com."),
            ("edge.example.com", RecordType::Cname, "tm.example.net."),
            ("tm.example.net", RecordType::A, "192.0.2.1"),
        ]);
        through.rcode = Rcode::Nxdomain;
        let inside = within(&through, &zone);
        assert_eq!(inside.rcode, Rcode::Noerror);
        assert_eq!(
            inside.shape(),
            [
                "sso.example.com CNAME edge.example.com.",
                "edge.example.com CNAME tm.example.net."
            ]
        );
        // Wholly inside: unchanged, its response code too.
        let own = answer(&[("www.example.com", RecordType::A, "192.0.2.2")]);
        assert_eq!(within(&own, &zone), own);
        // A name that only ends like the zone is not in it.
        let lookalike = answer(&[
            ("a.example.com", RecordType::Cname, "notexample.com."),
            ("notexample.com", RecordType::A, "192.0.2.3"),
        ]);
        assert_eq!(within(&lookalike, &zone).chain.len(), 1);
    }

    #[test]
    fn a_zone_server_answer_is_compared_as_far_as_the_zone_goes() {
        let zone = Fqdn::parse("example.com").unwrap();
        let cname_out = answer(&[("www.example.com", RecordType::Cname, "cdn.example.net.")]);
        // The resolver lost the chain of a CNAME to a name without AAAA: NODATA, no records.
        let lost = Answer {
            rcode: Rcode::Nodata,
            authoritative: Some(false),
            chain: vec![],
            referral: vec![],
            error: None,
        };
        let (was, now) = comparable(&lost, &cname_out, &zone);
        assert!(compare("www.example.com", "AAAA", "s", &was, &now, false).is_none());
        // ... or NXDOMAIN at the end of a chain that leaves the zone.
        let dangling = Answer {
            rcode: Rcode::Nxdomain,
            ..lost.clone()
        };
        let (was, now) = comparable(&dangling, &cname_out, &zone);
        assert!(compare("www.example.com", "A", "s", &was, &now, false).is_none());
        // An address where the snapshot had the name NODATA is still a change.
        let address = answer(&[("www.example.com", RecordType::Aaaa, "2001:db8::1")]);
        let (was, now) = comparable(&lost, &address, &zone);
        assert!(compare("www.example.com", "AAAA", "s", &was, &now, false).is_some());
        // A CNAME into a child zone: the server refers the rest to the child's servers.
        let through = answer(&[
            ("x.example.com", RecordType::Cname, "y.sub.example.com."),
            ("y.sub.example.com", RecordType::A, "192.0.2.9"),
        ]);
        let mut referred = answer(&[("x.example.com", RecordType::Cname, "y.sub.example.com.")]);
        referred.referral = vec![Rr {
            name: "sub.example.com".into(),
            rtype: RecordType::Ns,
            ttl: 300,
            data: "ns.sub.example.com.".into(),
        }];
        let (was, now) = comparable(&through, &referred, &zone);
        assert!(compare("x.example.com", "A", "s", &was, &now, false).is_none());
    }

    #[test]
    fn dynamic_names_may_rotate_values_but_not_go_empty() {
        let was = answer(&[("tm.example.com", RecordType::A, "192.0.2.1")]);
        let rotated = answer(&[("tm.example.com", RecordType::A, "192.0.2.9")]);
        assert!(compare("tm.example.com", "A", "r", &was, &rotated, true).is_none());
        assert_eq!(
            compare("tm.example.com", "A", "r", &was, &rotated, false)
                .unwrap()
                .kind,
            "values"
        );
        let nodata = Answer {
            rcode: Rcode::Nodata,
            authoritative: Some(true),
            chain: vec![],
            referral: vec![],
            error: None,
        };
        assert_eq!(
            compare("tm.example.com", "A", "r", &was, &nodata, true)
                .unwrap()
                .kind,
            "rcode"
        );
        assert!(
            compare("tm.example.com", "AAAA", "r", &nodata, &nodata, true).is_none(),
            "NODATA then and now is no change"
        );
    }
}

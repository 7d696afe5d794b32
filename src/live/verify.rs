//! Comparing fresh answers with a snapshot, exactly: the same response code, the same shape
//! (types at every step, CNAME targets) and the same values. Names the inventory calls
//! dynamic (traffic-managed) need the same shape and a non-empty answer, their values may move.

use serde::Serialize;

use super::answer::{Answer, Rcode};
use crate::model::Fqdn;

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
    use crate::model::RecordType;

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

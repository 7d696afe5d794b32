//! `drift --authoritative` and `verify --authoritative`: every server of each zone, asked
//! directly, compared on its own.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use serde::Serialize;

use super::{Parents, Server, ask, ask_each, same, serial, servers_of_zone, soa_of};
use crate::cli::Global;
use crate::live::answer::{Answer, Rcode};
use crate::live::resolve::Options;
use crate::model::{Fqdn, RecordType};
use crate::zone::State;

/// Where a zone's servers disagree on one question: each server's answer.
#[derive(Clone, Debug, Serialize)]
pub(in crate::commands) struct Disagreement {
    pub zone: String,
    pub name: String,
    #[serde(rename = "type")]
    pub rtype: String,
    pub answers: BTreeMap<String, String>,
}

/// A zone's servers as asked: each server's answers to the zone's questions.
pub(in crate::commands) struct Asked {
    pub zone: Fqdn,
    pub servers: Vec<Server>,
    /// Name servers (or the parent's) that cannot be asked, as named, with why.
    pub unfound: Vec<(String, String)>,
    /// Addresses this machine has no route to: not asked.
    pub unroutable: Vec<Server>,
    /// Per question, per server.
    pub answers: Vec<Vec<Answer>>,
    /// Each server's SOA answer for the zone.
    pub soa: Vec<Answer>,
}

/// Something wrong with a zone's servers as a whole: who (a name server, or a server with its
/// address), the type it concerns (`NS`: it cannot be asked; `SOA`: it cannot speak for the
/// zone, or is behind), the kind, and why.
pub(in crate::commands) struct ZoneProblem {
    pub who: String,
    pub rtype: &'static str,
    pub kind: &'static str,
    pub message: String,
}

impl ZoneProblem {
    /// A zone whose servers cannot be found at all.
    pub fn unfound(why: anyhow::Error) -> Self {
        Self {
            who: "-".into(),
            rtype: "NS",
            kind: "unavailable",
            message: why.to_string(),
        }
    }
}

impl Asked {
    /// Every problem of the zone's servers as a whole: name servers that cannot be asked, servers
    /// that cannot speak for the zone, and servers that are behind.
    pub fn zone_problems(&self) -> Vec<ZoneProblem> {
        let unfound = self.unfound.iter().map(|(who, why)| ZoneProblem {
            who: who.clone(),
            rtype: "NS",
            kind: "unavailable",
            message: why.clone(),
        });
        let silent = self.silent().into_iter().map(|(s, kind, why)| ZoneProblem {
            who: self.servers[s].label(),
            rtype: "SOA",
            kind,
            message: why,
        });
        let behind = self.behind().into_iter().map(|(s, why)| ZoneProblem {
            who: self.servers[s].label(),
            rtype: "SOA",
            kind: "behind",
            message: why,
        });
        unfound.chain(silent).chain(behind).collect()
    }

    /// Servers that cannot speak for the zone, with the kind (`unavailable`: no answer; `lame`:
    /// a refusal, or an answer without authority for its SOA) and why; their other answers
    /// are not compared.
    pub fn silent(&self) -> Vec<(usize, &'static str, String)> {
        self.soa
            .iter()
            .enumerate()
            .filter_map(|(s, soa)| {
                let lame = |how: &str| {
                    Some((
                        s,
                        "lame",
                        format!("{how} for `{}`: it does not serve the zone", self.zone),
                    ))
                };
                match soa.rcode {
                    Rcode::Refused => lame("refuses to answer"),
                    Rcode::Timeout | Rcode::Error | Rcode::Servfail => {
                        Some((s, "unavailable", format!("cannot tell: {}", soa.describe())))
                    }
                    _ if soa.authoritative != Some(true) => {
                        lame("answers without authority (AA not set)")
                    }
                    _ if serial(soa, &self.zone).is_none() => Some((
                        s,
                        "lame",
                        format!("has no SOA for `{}` (empty): {}", self.zone, soa.describe()),
                    )),
                    _ => None,
                }
            })
            .collect()
    }

    /// Servers behind another that serves the zone from the same primary (the SOA's MNAME):
    /// an older serial, in serial arithmetic (RFC 1982), with why. Servers of different
    /// providers number serials their own way, and are not compared.
    pub fn behind(&self) -> Vec<(usize, String)> {
        // A server that cannot speak for the zone is named once, as such, and not compared.
        let silent: Vec<usize> = self.silent().into_iter().map(|(s, _, _)| s).collect();
        let soas: Vec<Option<(String, u32)>> = self
            .soa
            .iter()
            .enumerate()
            .map(|(s, a)| {
                if silent.contains(&s) {
                    return None;
                }
                soa_of(a, &self.zone)
            })
            .collect();
        let ahead_of = |a: u32, b: u32| a != b && b.wrapping_sub(a) > 1 << 31;
        soas.iter()
            .enumerate()
            .filter_map(|(s, soa)| {
                let (mname, mine) = soa.as_ref()?;
                let (other, top) = soas.iter().enumerate().find_map(|(o, x)| match x {
                    Some((m, serial)) if m == mname && ahead_of(*serial, *mine) => {
                        Some((o, *serial))
                    }
                    _ => None,
                })?;
                Some((
                    s,
                    format!(
                        "serves serial {mine} of `{}` while {} serves {top} from the same primary (`{mname}`): it is behind",
                        self.zone,
                        self.servers[other].shown()
                    ),
                ))
            })
            .collect()
    }

    /// Questions whose answers differ between servers that speak for the zone.
    pub fn disagreements(&self, questions: &[(Fqdn, RecordType)]) -> Vec<Disagreement> {
        let silent: Vec<usize> = self.silent().into_iter().map(|(s, _, _)| s).collect();
        questions
            .iter()
            .zip(&self.answers)
            .filter_map(|((name, rtype), row)| {
                let speaking: Vec<(usize, &Answer)> = row
                    .iter()
                    .enumerate()
                    .filter(|(s, _)| !silent.contains(s))
                    .collect();
                let agree = speaking.windows(2).all(|w| same(w[0].1, w[1].1));
                (!agree).then(|| Disagreement {
                    zone: self.zone.to_string(),
                    name: name.to_string(),
                    rtype: rtype.to_string(),
                    answers: speaking
                        .iter()
                        .map(|(s, a)| (self.servers[*s].label(), a.describe()))
                        .collect(),
                })
            })
            .collect()
    }
}

/// Asks each server of `zone` (its apex NS set in `state`, else as the resolvers answer)
/// every question, and the zone's SOA.
pub(in crate::commands) fn ask_zone(
    global: &Global,
    resolvers: &[SocketAddr],
    state: Option<&State>,
    zone: &Fqdn,
    questions: &[(Fqdn, RecordType)],
    parents: &mut Parents,
    options: Options,
) -> anyhow::Result<Asked> {
    let servers = servers_of_zone(global, resolvers, state, zone, Some(parents), options)?;
    let mut all = questions.to_vec();
    all.push((zone.clone(), RecordType::Soa));
    let mut answers = ask_each(global, &servers.found, &all, options)?;
    let soa = answers.pop().unwrap_or_default();
    Ok(Asked {
        zone: zone.clone(),
        servers: servers.found,
        unfound: servers.unfound,
        unroutable: servers.unroutable,
        answers,
        soa,
    })
}

/// The zone each name is in, as the resolvers see it: the deepest of the name and its
/// ancestors that answers for its own SOA. A DS lives in the parent zone, so for a DS the
/// search starts one label up.
pub(in crate::commands) fn zones_of(
    global: &Global,
    resolvers: &[SocketAddr],
    questions: &[(Fqdn, RecordType)],
    options: Options,
) -> anyhow::Result<Vec<Fqdn>> {
    let Some(first) = resolvers.first() else {
        anyhow::bail!("no resolver to find the zones with: pass `--resolver ADDR`");
    };
    let ancestors = |name: &Fqdn, rtype: RecordType| -> Vec<Fqdn> {
        let text = name.as_str();
        let mut out: Vec<Fqdn> = std::iter::once(text)
            .chain(text.match_indices('.').map(|(i, _)| &text[i + 1..]))
            .map(|t| Fqdn::from_normalised(t.to_string()))
            .collect();
        if rtype == RecordType::Ds && out.len() > 1 {
            out.remove(0);
        }
        out
    };
    let mut candidates: Vec<Fqdn> = questions
        .iter()
        .flat_map(|(n, t)| ancestors(n, *t))
        .collect();
    candidates.sort();
    candidates.dedup();
    let soa_questions: Vec<(Fqdn, RecordType)> = candidates
        .iter()
        .map(|c| (c.clone(), RecordType::Soa))
        .collect();
    let rows = ask(global, std::slice::from_ref(first), options, &soa_questions)?;
    // From the name up, the first name that answers for its own SOA is the zone; a probe
    // that failed on the way could hide the cut, and is an error, not a guess.
    let probed: BTreeMap<&Fqdn, &Answer> =
        candidates.iter().zip(rows.iter().map(|r| &r[0])).collect();
    questions
        .iter()
        .map(|(name, rtype)| {
            for a in ancestors(name, *rtype) {
                let Some(answer) = probed.get(&a) else {
                    continue;
                };
                if serial(answer, &a).is_some() {
                    return Ok(a);
                }
                if !answer.rcode.is_answer() {
                    anyhow::bail!(
                        "cannot find the zone of `{name}`: {first} answers `{a}` SOA with {}",
                        answer.describe()
                    );
                }
            }
            anyhow::bail!(
                "cannot find the zone of `{name}`: {first} answers no SOA for it or any name above it"
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::Rr;

    fn soa(mname: &str, serial: u32) -> Answer {
        Answer {
            rcode: Rcode::Noerror,
            authoritative: Some(true),
            chain: vec![Rr {
                name: "example.com".into(),
                rtype: RecordType::Soa,
                ttl: 300,
                data: format!("{mname} hostmaster.example.com. {serial} 7200 3600 1209600 300"),
            }],
            referral: Vec::new(),
            error: None,
        }
    }

    fn asked(soas: Vec<Answer>) -> Asked {
        let servers = (0..soas.len())
            .map(|i| Server {
                host: Fqdn::parse(&format!("ns{i}.example.com")).unwrap(),
                address: SocketAddr::from(([192, 0, 2, i as u8], 53)),
            })
            .collect();
        Asked {
            zone: Fqdn::parse("example.com").unwrap(),
            servers,
            unfound: Vec::new(),
            unroutable: Vec::new(),
            answers: Vec::new(),
            soa: soas,
        }
    }

    #[test]
    fn behind_is_judged_in_serial_arithmetic_among_servers_of_one_primary() {
        let a = asked(vec![soa("ns0.example.com.", 7), soa("ns0.example.com.", 3)]);
        let behind = a.behind();
        assert_eq!(behind.len(), 1);
        assert_eq!(behind[0].0, 1);
        assert!(behind[0].1.contains("serves serial 3"), "{}", behind[0].1);
        // Past the wrap, 5 is ahead of 4294967290 (RFC 1982).
        let wrapped = asked(vec![
            soa("ns0.example.com.", 4_294_967_290),
            soa("ns0.example.com.", 5),
        ]);
        assert_eq!(
            wrapped.behind().iter().map(|b| b.0).collect::<Vec<_>>(),
            [0]
        );
        // Two providers, two numberings: neither is behind the other.
        let two = asked(vec![
            soa("ns1.provider-a.net.", 2026120501),
            soa("ns1.provider-b.net.", 7),
        ]);
        assert!(two.behind().is_empty());
    }
}

//! `delegation-target-mismatch`: a delegation moves only to servers that serve the zone.

use super::{
    Server, ask_each, configured, host, ns_hosts, same, serial, servers_of, soa_fields,
    unknown_hosts,
};
use crate::cli::Global;
use crate::live::answer::{Answer, Rcode};
use crate::live::resolve::Options;
use crate::model::{Fqdn, RecordType};
use crate::premerge::PreMerge;
use crate::verdict::{Code, Item};
use crate::zone::terraform::KNOWN_AFTER_APPLY;

/// The apex records a zone's new servers must serve as its current ones do.
const APEX_TYPES: [RecordType; 6] = [
    RecordType::Ns,
    RecordType::A,
    RecordType::Aaaa,
    RecordType::Mx,
    RecordType::Txt,
    RecordType::Caa,
];

/// NS hosts in an answer, as names.
fn ns_set(answer: &Answer) -> Vec<Fqdn> {
    let mut hosts: Vec<Fqdn> = answer
        .chain
        .iter()
        .filter(|rr| rr.rtype == RecordType::Ns)
        .map(|rr| host(&rr.data))
        .collect();
    hosts.sort();
    hosts.dedup();
    hosts
}

fn names(hosts: &[Fqdn]) -> String {
    if hosts.is_empty() {
        return "none".into();
    }
    hosts
        .iter()
        .map(|h| h.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a zone is, that its new servers must serve.
enum Reference {
    /// A managed zone: its desired apex RRsets, the base's and the change's (types the
    /// desired state leaves to the provider, or that answer values of their own, are skipped).
    Desired(Vec<(RecordType, Vec<Vec<String>>)>),
    /// A zone not managed here: what one of the servers delegated today answers.
    Today(Server, Vec<Answer>),
    /// A zone not managed here that no server answers for today (a new delegation, or its
    /// servers down; how many are delegated today): the new servers must at least agree with
    /// one another, and the change is reported as unverified.
    Nothing(usize),
}

/// The desired apex of a managed zone, from the base and the head. A zone with an SOA is
/// written whole (a zone file), so a type it lacks must be absent live; without one (octoDNS,
/// Terraform), a type it lacks is not compared.
fn desired_apex(pm: &PreMerge, zone: &Fqdn) -> Vec<(RecordType, Vec<Vec<String>>)> {
    // An apex ALIAS (or a Terraform alias, or a name the inventory calls dynamic) answers
    // addresses of the provider's choosing.
    let provider_addresses = pm.ws.policy.is_dynamic(zone)
        || [&pm.base_state, &pm.head_state].iter().any(|state| {
            state.zones.get(zone).is_some_and(|z| {
                z.rrsets.iter().any(|r| {
                    r.name == *zone && (r.rtype.is_provider_record() || r.alias_target().is_some())
                })
            })
        });
    APEX_TYPES
        .iter()
        .filter(|t| !(provider_addresses && matches!(t, RecordType::A | RecordType::Aaaa)))
        .filter_map(|t| {
            let mut wanted: Vec<Vec<String>> = Vec::new();
            for state in [&pm.base_state, &pm.head_state] {
                let Some(z) = state.zones.get(zone) else {
                    continue;
                };
                match z.find(zone, *t) {
                    Some(r)
                        if r.alias_target().is_some()
                            || r.octodns.as_ref().is_some_and(|o| o.dynamic.is_some()) =>
                    {
                        return None;
                    }
                    Some(r) => {
                        let mut values: Vec<String> =
                            r.values.iter().map(|v| v.to_string()).collect();
                        if *t == RecordType::Ns {
                            values = values.iter().map(|v| host(v).to_string()).collect();
                        }
                        values.sort();
                        wanted.push(values);
                    }
                    None if z.find(zone, RecordType::Soa).is_some() => wanted.push(Vec::new()),
                    None => {}
                }
            }
            (!wanted.is_empty()).then_some((*t, wanted))
        })
        .collect()
}

/// Names whose addresses the change creates, updates or deletes.
fn readdressed(pm: &PreMerge) -> Vec<&Fqdn> {
    pm.diff
        .changes
        .iter()
        .filter(|c| matches!(c.rtype(), RecordType::A | RecordType::Aaaa))
        .map(|c| c.name())
        .collect()
}

/// The delegations a change moves: every NS set it creates or updates, and every delegation
/// whose name server's address (glue, or a managed host's A/AAAA) it changes.
fn moved_delegations(pm: &PreMerge) -> Vec<(Fqdn, Fqdn)> {
    let mut out: Vec<(Fqdn, Fqdn)> = pm
        .diff
        .changes
        .iter()
        .filter(|c| c.rtype() == RecordType::Ns && c.new.is_some())
        .map(|c| (c.zone.clone(), c.name().clone()))
        .collect();
    let readdressed = readdressed(pm);
    if !readdressed.is_empty() {
        for zone in pm.head_state.zones.values() {
            for ns in zone.rrsets.iter().filter(|r| r.rtype == RecordType::Ns) {
                if ns.values.iter().any(|v| readdressed.contains(&&host(v))) {
                    out.push((zone.name.clone(), ns.name.clone()));
                }
            }
        }
    }
    // A zone this change creates is not served until it is deployed, and nothing delegates
    // to it from here yet: its own apex is not asked (its parent's delegation, if managed
    // here, is).
    out.retain(|(zone, name)| zone != name || pm.base_state.zones.contains_key(zone));
    out.sort();
    out.dedup();
    out
}

/// `delegation-target-mismatch`: a change that moves a delegation (an NS set in a managed
/// parent, a managed zone's apex NS set, or a name server's address) is refused unless every
/// server of the new set answers for the zone authoritatively and serves what the zone is:
/// the same apex records (NS, A, AAAA, MX, TXT, CAA) as its desired state, or for a zone not
/// managed here, as the servers delegated today; its apex NS set must be the new set, or
/// what the zone names today. The SOA serial is evidence in the message, never proof: every
/// new hosted zone at some providers has serial 1.
pub(in crate::commands) fn delegation_rules(
    global: &Global,
    pm: &PreMerge,
) -> anyhow::Result<Vec<Item>> {
    let resolvers = configured(&pm.ws);
    let mut out = Vec::new();
    let apex_questions = |child: &Fqdn| -> Vec<(Fqdn, RecordType)> {
        std::iter::once((child.clone(), RecordType::Soa))
            .chain(APEX_TYPES.iter().map(|t| (child.clone(), *t)))
            .collect()
    };
    for (parent, child) in moved_delegations(pm) {
        let new = servers_of(global, &resolvers, &pm.head_state, &parent, &child)?;
        let new_set = {
            let mut set = ns_hosts(&pm.head_state, &parent, &child);
            set.sort();
            set.dedup();
            set
        };
        let mut problems: Vec<String> = new
            .unfound
            .iter()
            .map(|(h, why)| format!("`{h}`: {why}"))
            .collect();
        if unknown_hosts(&pm.head_state, &parent, &child) {
            problems.push(format!(
                "the plan leaves name servers {KNOWN_AFTER_APPLY}, so they cannot be asked before merge; create the zone's servers first and delegate to them by name in a later change"
            ));
        }
        if new.found.is_empty() && problems.is_empty() {
            problems.push("the new NS set names no server".into());
        }
        let questions = apex_questions(&child);
        let reference = if pm.head_state.zones.contains_key(&child) {
            Reference::Desired(desired_apex(pm, &child))
        } else {
            let old = servers_of(global, &resolvers, &pm.base_state, &parent, &child)?;
            let rows = ask_each(global, &old.found, &questions, Options::default())?;
            // The first of today's servers that answers for the zone with authority speaks
            // for them.
            let speaker = (0..old.found.len()).find(|s| {
                let soa = &rows[0][*s];
                soa.rcode == Rcode::Noerror
                    && soa.authoritative == Some(true)
                    && serial(soa, &child).is_some()
            });
            match speaker {
                Some(s) => Reference::Today(
                    old.found[s].clone(),
                    rows.iter().skip(1).map(|row| row[s].clone()).collect(),
                ),
                None => Reference::Nothing(old.found.len()),
            }
        };
        // A new address this machine cannot route to cannot be asked. A server reachable at
        // none of its addresses is refused (unfound); one asked at another address is named.
        let base_set = ns_hosts(&pm.base_state, &parent, &child);
        let readdressed = readdressed(pm);
        let unasked: Vec<String> = new
            .unroutable
            .iter()
            .filter(|s| !base_set.contains(&s.host) || readdressed.contains(&&s.host))
            .map(Server::shown)
            .collect();
        if !unasked.is_empty() {
            out.push(
                Item::new(
                    Code::DelegationUnverified,
                    format!(
                        "`{child}` NS in `{parent}`: {} could not be asked from this machine (no route to it); the server was checked at its other addresses; run the check where it can be reached",
                        unasked.join(", ")
                    ),
                )
                .rrset(&child, Some(RecordType::Ns)),
            );
        }
        let rows = ask_each(global, &new.found, &questions, Options::default())?;
        let answers_for_zone = |s: usize| {
            let soa = &rows[0][s];
            soa.rcode == Rcode::Noerror
                && soa.authoritative == Some(true)
                && serial(soa, &child).is_some()
        };
        // With nothing to compare with, the new servers are compared with the first of them
        // that answers for the zone.
        let peer = (0..new.found.len()).find(|s| answers_for_zone(*s));
        for (s, server) in new.found.iter().enumerate() {
            let soa = &rows[0][s];
            let apex: Vec<&Answer> = rows.iter().skip(1).map(|row| &row[s]).collect();
            let problem = match (soa.rcode, soa.authoritative, serial(soa, &child)) {
                (Rcode::Noerror, Some(true), Some(mine)) => {
                    let peer = peer.filter(|p| *p != s).map(|p| {
                        (
                            &new.found[p],
                            rows.iter().skip(1).map(|row| &row[p]).collect::<Vec<_>>(),
                        )
                    });
                    let differ =
                        apex_differences(&reference, &apex, &new_set, &child, peer.as_ref());
                    (!differ.is_empty()).then(|| {
                        format!(
                            "serves other data ({}): {}",
                            serial_note(pm, &child, mine),
                            differ.join("; ")
                        )
                    })
                }
                (Rcode::Noerror | Rcode::Nodata, Some(false), _) => {
                    Some("answers without authority (lame): it does not serve the zone".into())
                }
                (Rcode::Noerror | Rcode::Nodata, _, None) => {
                    Some("has no SOA for the zone (empty)".into())
                }
                _ => Some(format!("cannot serve it: {}", soa.describe())),
            };
            if let Some(problem) = problem {
                problems.push(format!("{} {problem}", server.shown()));
            }
        }
        if let (Reference::Nothing(today), true) = (&reference, problems.is_empty()) {
            out.push(
                Item::new(
                    Code::DelegationUnverified,
                    format!(
                        "`{child}` NS in `{parent}` moves to servers whose data could be compared with nothing: {}; they answer for it with authority{}, but whether they serve what the zone should is not known; check them by hand before the change lands",
                        if *today == 0 {
                            "no server is delegated to today".to_string()
                        } else {
                            format!("none of the {today} server address(es) delegated today answers for it")
                        },
                        if new.found.len() > 1 {
                            " and agree with one another"
                        } else {
                            ""
                        }
                    ),
                )
                .rrset(&child, Some(RecordType::Ns)),
            );
        }
        if !problems.is_empty() {
            out.push(
                Item::new(
                    Code::DelegationTargetMismatch,
                    format!(
                        "`{child}` NS in `{parent}` would send resolvers to servers that do not serve `{child}`: {}; every server of the new set must answer for it authoritatively, with the same data, before the delegation moves",
                        problems.join("; ")
                    ),
                )
                .rrset(&child, Some(RecordType::Ns)),
            );
        }
    }
    Ok(out)
}

/// A server's serial as messages show it, beside the desired state's when that differs: the
/// serial is evidence, not proof.
fn serial_note(pm: &PreMerge, zone: &Fqdn, mine: u32) -> String {
    let desired: Vec<u32> = [&pm.base_state, &pm.head_state]
        .iter()
        .filter_map(|state| {
            let soa = state.zones.get(zone)?.find(zone, RecordType::Soa)?;
            soa_fields(soa.values.first()?).map(|(_, serial)| serial)
        })
        .collect();
    match desired.first() {
        Some(d) if !desired.contains(&mine) => {
            format!("serial {mine}; the desired state's is {d}")
        }
        _ => format!("serial {mine}"),
    }
}

/// How one new server's apex answers differ from what the zone is; `peer` is another new
/// server that answers for the zone, and its apex answers, for when nothing else is known.
fn apex_differences(
    reference: &Reference,
    apex: &[&Answer],
    new_set: &[Fqdn],
    child: &Fqdn,
    peer: Option<&(&Server, Vec<&Answer>)>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (t, mine) in APEX_TYPES.iter().zip(apex) {
        if !matches!(mine.rcode, Rcode::Noerror | Rcode::Nodata) || mine.authoritative != Some(true)
        {
            out.push(format!("{t} is answered {}", mine.describe()));
            continue;
        }
        if *t == RecordType::Ns {
            let live = ns_set(mine);
            let today: Option<Vec<Fqdn>> = match reference {
                Reference::Today(_, theirs) => Some(ns_set(&theirs[0])),
                _ => None,
            };
            let desired: Vec<Vec<Fqdn>> = match reference {
                Reference::Desired(types) => types
                    .iter()
                    .filter(|(dt, _)| *dt == RecordType::Ns)
                    .flat_map(|(_, sets)| sets.iter())
                    .map(|set| set.iter().map(|v| host(v)).collect())
                    .collect(),
                _ => Vec::new(),
            };
            let fits = live == new_set || today.as_ref() == Some(&live) || desired.contains(&live);
            if !fits {
                out.push(format!(
                    "its apex NS set for `{child}` is {}, not the new delegation's ({})",
                    names(&live),
                    names(new_set)
                ));
            }
            continue;
        }
        match reference {
            Reference::Desired(types) => {
                let Some((_, wanted)) = types.iter().find(|(dt, _)| dt == t) else {
                    continue;
                };
                let live: Vec<String> = mine.values().into_iter().map(str::to_string).collect();
                if !wanted.contains(&live) {
                    out.push(format!(
                        "{t} {} where the desired state has {}",
                        mine.describe(),
                        wanted
                            .iter()
                            .map(|w| if w.is_empty() {
                                "none".to_string()
                            } else {
                                w.join(", ")
                            })
                            .collect::<Vec<_>>()
                            .join(" or ")
                    ));
                }
            }
            Reference::Today(speaker, theirs) => {
                let i = APEX_TYPES.iter().position(|x| x == t).unwrap_or(0);
                if !same_apex(*t, &theirs[i], mine) {
                    out.push(format!(
                        "{t} {} where {} answers {}",
                        mine.describe(),
                        speaker.shown(),
                        theirs[i].describe()
                    ));
                }
            }
            Reference::Nothing(_) => {
                let i = APEX_TYPES.iter().position(|x| x == t).unwrap_or(0);
                if let Some((other, theirs)) = peer {
                    if !same_apex(*t, theirs[i], mine) {
                        out.push(format!(
                            "{t} {} where {} answers {} (no server answers for the zone today to compare with)",
                            mine.describe(),
                            other.shown(),
                            theirs[i].describe()
                        ));
                    }
                }
            }
        }
    }
    out
}

/// Apex answers of two providers as compared: addresses may rotate or be flattened
/// differently, so A and AAAA need a value in common (or both none); the rest must be equal.
fn same_apex(rtype: RecordType, a: &Answer, b: &Answer) -> bool {
    if matches!(rtype, RecordType::A | RecordType::Aaaa) {
        let (x, y) = (a.values(), b.values());
        return a.rcode == b.rcode
            && ((x.is_empty() && y.is_empty()) || x.iter().any(|v| y.contains(v)));
    }
    same(a, b)
}

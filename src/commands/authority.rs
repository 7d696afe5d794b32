//! Asking a zone's own authoritative servers (the NS set, addresses from glue in the desired
//! state, else from the resolvers; port 53): for the child's keys behind a DS, and before a
//! delegation moves to new servers.

use std::net::{IpAddr, SocketAddr};

use super::live::ask;
use crate::cli::Global;
use crate::live::answer::{Answer, Rcode};
use crate::live::resolve::Options;
use crate::model::{Fqdn, RecordType};
use crate::premerge::PreMerge;
use crate::verdict::{Code, Item};
use crate::zone::State;
use crate::zone::dnssec::{Delegation, KeySource};

/// A server as shown (`` `ns1.example.com` (192.0.2.53:53) ``), and where to ask it.
type Server = (String, SocketAddr);

/// The servers of a delegation, and each one whose address cannot be found, with why.
type Servers = (Vec<Server>, Vec<(String, String)>);

/// The servers `state` delegates `child` to from `parent` (its NS set there), each with its
/// address; and each server whose address cannot be found, with why.
pub(super) fn servers_of(
    global: &Global,
    pm: &PreMerge,
    state: &State,
    parent: &Fqdn,
    child: &Fqdn,
) -> anyhow::Result<Servers> {
    let hosts: Vec<Fqdn> = state
        .zones
        .get(parent)
        .and_then(|z| z.find(child, RecordType::Ns))
        .map(|r| {
            r.values
                .iter()
                .map(|v| Fqdn::from_normalised(v.trim_end_matches('.').to_string()))
                .collect()
        })
        .unwrap_or_default();
    let mut servers = Vec::new();
    let mut unfound = Vec::new();
    let resolvers: Vec<SocketAddr> = pm
        .ws
        .config
        .resolvers
        .iter()
        .filter_map(|a| crate::live::resolve::parse_address(a).ok())
        .collect();
    for host in &hosts {
        let mut addresses: Vec<IpAddr> = [RecordType::A, RecordType::Aaaa]
            .iter()
            .flat_map(|t| {
                state
                    .zone_of(host)
                    .and_then(|z| z.find(host, *t))
                    .map(|r| r.values.clone())
                    .unwrap_or_default()
            })
            .filter_map(|v| v.parse().ok())
            .collect();
        if addresses.is_empty() {
            if resolvers.is_empty() {
                unfound.push((
                    format!("`{host}`"),
                    "it has no glue in the desired state and `[dns] resolvers` names no resolver to find its address".to_string(),
                ));
                continue;
            }
            let rows = ask(
                global,
                &resolvers[..1],
                Options::default(),
                &[(host.clone(), RecordType::A)],
            )?;
            addresses = rows[0][0]
                .chain
                .iter()
                .filter(|rr| rr.rtype == RecordType::A)
                .filter_map(|rr| rr.data.parse().ok())
                .collect();
            if addresses.is_empty() {
                unfound.push((
                    format!("`{host}`"),
                    format!("its address cannot be found: {}", rows[0][0].describe()),
                ));
                continue;
            }
        }
        servers.extend(addresses.into_iter().map(|ip| {
            (
                format!("`{host}` ({})", SocketAddr::new(ip, 53)),
                SocketAddr::new(ip, 53),
            )
        }));
    }
    Ok((servers, unfound))
}

/// Asks each server one question.
fn ask_each(
    global: &Global,
    servers: &[(String, SocketAddr)],
    name: &Fqdn,
    rtype: RecordType,
) -> anyhow::Result<Vec<Answer>> {
    if servers.is_empty() {
        return Ok(Vec::new());
    }
    let addresses: Vec<SocketAddr> = servers.iter().map(|(_, a)| *a).collect();
    let mut rows = ask(
        global,
        &addresses,
        Options::default(),
        &[(name.clone(), rtype)],
    )?;
    Ok(rows.remove(0))
}

/// The child's DNSKEYs as each of its authoritative servers serves them.
pub(super) fn keys(
    global: &Global,
    pm: &PreMerge,
    d: &Delegation,
) -> anyhow::Result<Vec<KeySource>> {
    let (servers, unfound) = servers_of(global, pm, &pm.head_state, &d.parent, &d.child)?;
    let mut sources: Vec<KeySource> = unfound.into_iter().map(|(s, why)| (s, Err(why))).collect();
    if servers.is_empty() && sources.is_empty() {
        sources.push((
            format!("the delegation of `{}`", d.child),
            Err(format!(
                "`{}` has DS records but no NS records in `{}`",
                d.child, d.parent
            )),
        ));
    }
    let answers = ask_each(global, &servers, &d.child, RecordType::Dnskey)?;
    for ((label, _), live) in servers.iter().zip(&answers) {
        let keys = match live.rcode {
            Rcode::Noerror | Rcode::Nodata => Ok(live
                .chain
                .iter()
                .filter(|rr| rr.rtype == RecordType::Dnskey)
                .filter_map(|rr| crate::zone::dnssec::key(&rr.data))
                .collect()),
            _ => Err(format!("it answered {}", live.describe())),
        };
        sources.push((label.clone(), keys));
    }
    Ok(sources)
}

fn owned_values(answer: &Answer) -> Vec<String> {
    answer.values().into_iter().map(str::to_string).collect()
}

/// The SOA serial of `zone` in an authoritative answer.
fn serial(live: &Answer, zone: &Fqdn) -> Option<u32> {
    live.chain
        .iter()
        .find(|rr| rr.rtype == RecordType::Soa && rr.name == zone.as_str())
        .and_then(|rr| rr.data.split_whitespace().nth(2)?.parse().ok())
}

/// `delegation-target-mismatch`: a change to a delegation's NS set (in a managed parent) or to
/// a managed zone's apex NS set is refused unless every server of the new set answers for the
/// zone authoritatively (AA, NOERROR) and serves what the zone is: the SOA serial of its
/// desired state (the base's or the change's), or for a zone not managed here, the serial
/// the servers delegated today answer, or else the same apex NS set they answer.
pub(super) fn delegation_rules(global: &Global, pm: &PreMerge) -> anyhow::Result<Vec<Item>> {
    let mut out = Vec::new();
    for change in pm
        .diff
        .changes
        .iter()
        .filter(|c| c.rtype() == RecordType::Ns && c.new.is_some())
    {
        let (parent, child) = (&change.zone, change.name().clone());
        let (new_servers, unfound) = servers_of(global, pm, &pm.head_state, parent, &child)?;
        let mut problems: Vec<String> = unfound
            .into_iter()
            .map(|(s, why)| format!("{s}: {why}"))
            .collect();
        // What the zone is: its desired serials, or what today's servers answer.
        let desired: Vec<u32> = [&pm.base_state, &pm.head_state]
            .iter()
            .filter_map(|state| {
                let soa = state.zones.get(&child)?.find(&child, RecordType::Soa)?;
                soa.values.first()?.split_whitespace().nth(2)?.parse().ok()
            })
            .collect();
        let managed = pm.head_state.zones.contains_key(&child);
        let (today, today_ns) = if managed {
            (desired.clone(), Vec::new())
        } else {
            let (old_servers, _) = servers_of(global, pm, &pm.base_state, parent, &child)?;
            let soas = ask_each(global, &old_servers, &child, RecordType::Soa)?;
            let nss = ask_each(global, &old_servers, &child, RecordType::Ns)?;
            let mut serials: Vec<u32> = soas.iter().filter_map(|a| serial(a, &child)).collect();
            serials.sort_unstable();
            serials.dedup();
            let sets: Vec<Vec<String>> = nss.iter().map(owned_values).collect();
            (serials, sets)
        };
        let soas = ask_each(global, &new_servers, &child, RecordType::Soa)?;
        let nss = ask_each(global, &new_servers, &child, RecordType::Ns)?;
        for (((label, _), soa), ns) in new_servers.iter().zip(&soas).zip(&nss) {
            let problem = match (soa.rcode, soa.authoritative, serial(soa, &child)) {
                (Rcode::Noerror, Some(true), Some(s)) if today.contains(&s) => None,
                (Rcode::Noerror, Some(true), Some(_))
                    if !managed && today_ns.contains(&owned_values(ns)) =>
                {
                    None
                }
                (Rcode::Noerror, Some(true), Some(s)) => Some(format!(
                    "serves serial {s}, not {} ({})",
                    today
                        .iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join(" or "),
                    if managed {
                        "the desired state's"
                    } else {
                        "what the servers delegated today answer, and its apex NS set differs too"
                    }
                )),
                (Rcode::Noerror | Rcode::Nodata, Some(false), _) => {
                    Some("answers without authority (lame): it does not serve the zone".into())
                }
                (Rcode::Noerror | Rcode::Nodata, _, None) => {
                    Some("has no SOA for the zone (empty)".into())
                }
                _ => Some(format!("cannot serve it: {}", soa.describe())),
            };
            if let Some(problem) = problem {
                problems.push(format!("{label} {problem}"));
            }
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

//! Asking a zone's own authoritative servers directly (the NS set; addresses from glue in the
//! desired state, else from the resolvers; port 53; no recursion): for the child's keys behind
//! a DS, before a delegation moves to new servers, and for `drift`/`verify --authoritative`.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};

use serde::Serialize;

use super::live::ask;
use crate::cli::Global;
use crate::live::answer::{Answer, Rcode};
use crate::live::resolve::Options;
use crate::model::{Fqdn, RecordType};
use crate::premerge::PreMerge;
use crate::verdict::{Code, Item};
use crate::workspace::Workspace;
use crate::zone::State;
use crate::zone::dnssec::{Delegation, KeySource};
use crate::zone::terraform::KNOWN_AFTER_APPLY;

/// One address of one name server of a zone, port 53.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Server {
    pub host: Fqdn,
    pub address: SocketAddr,
}

impl Server {
    /// As messages name it: `` `ns1.example.com` (192.0.2.53:53) ``.
    pub fn shown(&self) -> String {
        format!("`{}` ({})", self.host, self.address)
    }

    /// As report columns name it: `ns1.example.com (192.0.2.53:53)`.
    pub fn label(&self) -> String {
        format!("{} ({})", self.host, self.address)
    }
}

/// The servers of a zone, and each name server whose address cannot be found, with why.
#[derive(Debug, Default)]
pub(super) struct Servers {
    pub found: Vec<Server>,
    pub unfound: Vec<(Fqdn, String)>,
    /// Addresses this machine has no route to (IPv6 on an IPv4-only machine): not asked.
    pub unroutable: Vec<Server>,
}

/// The resolvers of `[dns] resolvers` (used only to find name servers' addresses).
fn configured(ws: &Workspace) -> Vec<SocketAddr> {
    ws.config
        .resolvers
        .iter()
        .filter_map(|a| crate::live::resolve::parse_address(a).ok())
        .collect()
}

/// Options for asking a zone's own servers: no recursion.
fn direct(options: Options) -> Options {
    Options {
        recursion: false,
        ..options
    }
}

/// The NS hosts `state` delegates `child` to from `parent` (the apex NS set when they are
/// one zone).
fn ns_hosts(state: &State, parent: &Fqdn, child: &Fqdn) -> Vec<Fqdn> {
    state
        .zones
        .get(parent)
        .and_then(|z| z.find(child, RecordType::Ns))
        .map(|r| {
            r.values
                .iter()
                .filter(|v| &***v != KNOWN_AFTER_APPLY)
                .map(|v| host(v))
                .collect()
        })
        .unwrap_or_default()
}

/// True if a Terraform plan leaves some of the NS set unknown until apply.
fn unknown_hosts(state: &State, parent: &Fqdn, child: &Fqdn) -> bool {
    state
        .zones
        .get(parent)
        .and_then(|z| z.find(child, RecordType::Ns))
        .is_some_and(|r| r.values.iter().any(|v| &**v == KNOWN_AFTER_APPLY))
}

fn host(value: &str) -> Fqdn {
    Fqdn::from_normalised(value.trim_end_matches('.').to_ascii_lowercase())
}

/// True if this machine has a route to `address` (an IPv4-only runner has none to IPv6).
fn routable(address: SocketAddr) -> bool {
    let local = if address.is_ipv4() {
        "0.0.0.0:0"
    } else {
        "[::]:0"
    };
    std::net::UdpSocket::bind(local)
        .and_then(|s| s.connect(address))
        .is_ok()
}

/// Where each host's addresses come from. A host inside the delegated zone (`cut`: parent and
/// child) is reached only through the parent's glue, as resolvers reach it; another host
/// through its records in a managed zone, else through the first resolver (A and AAAA).
fn addresses(
    global: &Global,
    resolvers: &[SocketAddr],
    state: Option<&State>,
    cut: Option<(&Fqdn, &Fqdn)>,
    hosts: &[Fqdn],
) -> anyhow::Result<Servers> {
    let mut servers = Servers::default();
    let mut ask_for = Vec::new();
    let mut found: Vec<(Fqdn, IpAddr)> = Vec::new();
    for host in hosts {
        let in_child = cut.filter(|(_, child)| host.is_in(child));
        let zone = match in_child {
            Some((parent, _)) => state.and_then(|s| s.zones.get(parent)),
            None => state.and_then(|s| s.zone_of(host)),
        };
        let glue: Vec<IpAddr> = zone
            .map(|z| {
                [RecordType::A, RecordType::Aaaa]
                    .iter()
                    .filter_map(|t| z.find(host, *t))
                    .flat_map(|r| r.values.iter().filter_map(|v| v.parse().ok()))
                    .collect()
            })
            .unwrap_or_default();
        // A managed zone that holds the host's own records (not below one of its cuts) is
        // the truth about its address: none there is none, whatever resolvers still answer.
        let authoritative_for = zone.filter(|z| {
            !z.rrsets
                .iter()
                .any(|r| r.rtype == RecordType::Ns && r.name != z.name && host.is_in(&r.name))
        });
        if !glue.is_empty() {
            found.extend(glue.into_iter().map(|ip| (host.clone(), ip)));
        } else if let Some((parent, child)) = in_child {
            servers.unfound.push((
                host.clone(),
                format!("it is inside `{child}` but `{parent}` has no glue (A or AAAA) for it: resolvers cannot reach it"),
            ));
        } else if let Some(z) = authoritative_for.filter(|_| in_child.is_none()) {
            servers.unfound.push((
                host.clone(),
                format!("`{}` serves its name but gives it no address (A or AAAA) that is known before apply", z.name),
            ));
        } else {
            ask_for.push(host.clone());
        }
    }
    if !ask_for.is_empty() && resolvers.is_empty() {
        servers.unfound.extend(ask_for.drain(..).map(|h| {
            (
                h,
                "it has no address in the desired state and no resolver is configured (`--resolver`, or `[dns] resolvers`) to find one".to_string(),
            )
        }));
    }
    if !ask_for.is_empty() {
        let questions: Vec<(Fqdn, RecordType)> = ask_for
            .iter()
            .flat_map(|h| [(h.clone(), RecordType::A), (h.clone(), RecordType::Aaaa)])
            .collect();
        let rows = ask(global, &resolvers[..1], Options::default(), &questions)?;
        for (host, pair) in ask_for.into_iter().zip(rows.chunks(2)) {
            let ips: Vec<IpAddr> = pair
                .iter()
                .flat_map(|row| &row[0].chain)
                .filter(|rr| matches!(rr.rtype, RecordType::A | RecordType::Aaaa))
                .filter_map(|rr| rr.data.parse().ok())
                .collect();
            if ips.is_empty() {
                let why = format!("its address cannot be found: {}", pair[0][0].describe());
                servers.unfound.push((host, why));
                continue;
            }
            found.extend(ips.into_iter().map(|ip| (host.clone(), ip)));
        }
    }
    found.sort();
    found.dedup();
    for (host, ip) in found {
        let server = Server {
            host,
            address: SocketAddr::new(ip, 53),
        };
        if routable(server.address) {
            servers.found.push(server);
        } else {
            servers.unroutable.push(server);
        }
    }
    // A host reachable at none of its addresses from here cannot be checked from here.
    let reachable: Vec<&Fqdn> = servers.found.iter().map(|s| &s.host).collect();
    let stranded: Vec<Fqdn> = servers
        .unroutable
        .iter()
        .map(|s| s.host.clone())
        .filter(|h| !reachable.contains(&h))
        .collect();
    for host in stranded {
        if !servers.unfound.iter().any(|(h, _)| *h == host) {
            servers.unfound.push((
                host,
                "none of its addresses can be reached from this machine (no route)".into(),
            ));
        }
    }
    Ok(servers)
}

/// The servers `state` delegates `child` to from `parent` (its NS set there), each with its
/// address; and each server whose address cannot be found, with why.
pub(super) fn servers_of(
    global: &Global,
    resolvers: &[SocketAddr],
    state: &State,
    parent: &Fqdn,
    child: &Fqdn,
) -> anyhow::Result<Servers> {
    let cut = (parent != child).then_some((parent, child));
    addresses(
        global,
        resolvers,
        Some(state),
        cut,
        &ns_hosts(state, parent, child),
    )
}

/// The servers of `zone`: its apex NS set in `state` and, when its parent zone is managed
/// too, the NS set the parent delegates to (a server the parent still lists is asked even when
/// the zone no longer names it); else the NS set the resolvers answer. An error when neither
/// names a server.
fn servers_of_zone(
    global: &Global,
    resolvers: &[SocketAddr],
    state: Option<&State>,
    zone: &Fqdn,
) -> anyhow::Result<Servers> {
    let mut hosts = state.map(|s| ns_hosts(s, zone, zone)).unwrap_or_default();
    // The managed parent, when it delegates the zone itself (no unmanaged zone between).
    let parent = state.and_then(|s| {
        s.zones
            .values()
            .filter(|p| p.name != *zone && zone.is_in(&p.name))
            .max_by_key(|p| p.name.label_count())
            .filter(|p| p.find(zone, RecordType::Ns).is_some())
    });
    if let (Some(state), Some(parent)) = (state, parent) {
        hosts.extend(ns_hosts(state, &parent.name, zone));
    }
    if hosts.is_empty() {
        let Some(first) = resolvers.first() else {
            anyhow::bail!(
                "cannot find the servers of `{zone}`: its desired state has no apex NS records and no resolver is configured to ask (`--resolver`, or `[dns] resolvers`)"
            );
        };
        let rows = ask(
            global,
            std::slice::from_ref(first),
            Options::default(),
            &[(zone.clone(), RecordType::Ns)],
        )?;
        let answer = &rows[0][0];
        hosts = answer
            .chain
            .iter()
            .filter(|rr| rr.rtype == RecordType::Ns && rr.name == zone.as_str())
            .map(|rr| host(&rr.data))
            .collect();
        if hosts.is_empty() {
            anyhow::bail!(
                "cannot find the servers of `{zone}`: {first} answers its NS query with {}",
                answer.describe()
            );
        }
    }
    hosts.sort();
    hosts.dedup();
    let cut = parent.map(|p| (&p.name, zone));
    addresses(global, resolvers, state, cut, &hosts)
}

/// Asks every question of each server directly; answers per question, per server.
fn ask_each(
    global: &Global,
    servers: &[Server],
    questions: &[(Fqdn, RecordType)],
    options: Options,
) -> anyhow::Result<Vec<Vec<Answer>>> {
    if servers.is_empty() || questions.is_empty() {
        return Ok(vec![Vec::new(); questions.len()]);
    }
    let addresses: Vec<SocketAddr> = servers.iter().map(|s| s.address).collect();
    ask(global, &addresses, direct(options), questions)
}

/// Asks one question of each server directly.
fn ask_one(
    global: &Global,
    servers: &[Server],
    name: &Fqdn,
    rtype: RecordType,
) -> anyhow::Result<Vec<Answer>> {
    Ok(ask_each(
        global,
        servers,
        &[(name.clone(), rtype)],
        Options::default(),
    )?
    .remove(0))
}

/// The child's DNSKEYs as each of its authoritative servers serves them.
pub(super) fn keys(
    global: &Global,
    pm: &PreMerge,
    d: &Delegation,
) -> anyhow::Result<Vec<KeySource>> {
    let servers = servers_of(
        global,
        &configured(&pm.ws),
        &pm.head_state,
        &d.parent,
        &d.child,
    )?;
    let mut sources: Vec<KeySource> = servers
        .unfound
        .into_iter()
        .map(|(h, why)| (format!("`{h}`"), Err(why)))
        .collect();
    if servers.found.is_empty() && sources.is_empty() {
        sources.push((
            format!("the delegation of `{}`", d.child),
            Err(format!(
                "`{}` has DS records but no NS records in `{}`",
                d.child, d.parent
            )),
        ));
    }
    let answers = ask_one(global, &servers.found, &d.child, RecordType::Dnskey)?;
    for (server, live) in servers.found.iter().zip(&answers) {
        let keys = match live.rcode {
            Rcode::Noerror | Rcode::Nodata => Ok(live
                .chain
                .iter()
                .filter(|rr| rr.rtype == RecordType::Dnskey)
                .filter_map(|rr| crate::zone::dnssec::key(&rr.data))
                .collect()),
            _ => Err(format!("it answered {}", live.describe())),
        };
        sources.push((server.shown(), keys));
    }
    Ok(sources)
}

/// The SOA serial of `zone` in an authoritative answer.
fn serial(live: &Answer, zone: &Fqdn) -> Option<u32> {
    live.chain
        .iter()
        .find(|rr| rr.rtype == RecordType::Soa && rr.name == zone.as_str())
        .and_then(|rr| rr.data.split_whitespace().nth(2)?.parse().ok())
}

/// The apex records a zone's new servers must serve as its current ones do.
const APEX_TYPES: [RecordType; 6] = [
    RecordType::Ns,
    RecordType::A,
    RecordType::Aaaa,
    RecordType::Mx,
    RecordType::Txt,
    RecordType::Caa,
];

/// Answers as compared between servers: the response code and the values, not TTLs.
fn same(a: &Answer, b: &Answer) -> bool {
    a.rcode == b.rcode && a.shape() == b.shape() && a.values() == b.values()
}

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
pub(super) fn delegation_rules(global: &Global, pm: &PreMerge) -> anyhow::Result<Vec<Item>> {
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
                        let desired_serials: Vec<u32> = [&pm.base_state, &pm.head_state]
                            .iter()
                            .filter_map(|st| {
                                let soa = st.zones.get(&child)?.find(&child, RecordType::Soa)?;
                                soa.values.first()?.split_whitespace().nth(2)?.parse().ok()
                            })
                            .collect();
                        let serial_note = match desired_serials.first() {
                            Some(d) if !desired_serials.contains(&mine) => {
                                format!(" (serial {mine}; the desired state's is {d})")
                            }
                            _ => format!(" (serial {mine})"),
                        };
                        format!("serves other data{serial_note}: {}", differ.join("; "))
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

// ---------------------------------------------------------------------------------------------
// `drift --authoritative` and `verify --authoritative`: every server of each zone, asked
// directly, compared on its own.

/// Where a zone's servers disagree on one question: each server's answer.
#[derive(Clone, Debug, Serialize)]
pub(super) struct Disagreement {
    pub zone: String,
    pub name: String,
    #[serde(rename = "type")]
    pub rtype: String,
    pub answers: BTreeMap<String, String>,
}

/// A zone's servers as asked: each server's answers to the zone's questions.
pub(super) struct Asked {
    pub zone: Fqdn,
    pub servers: Vec<Server>,
    /// Name servers whose address cannot be found, with why.
    pub unfound: Vec<(Fqdn, String)>,
    /// Addresses this machine has no route to: not asked.
    pub unroutable: Vec<Server>,
    /// Per question, per server.
    pub answers: Vec<Vec<Answer>>,
    /// Each server's SOA answer for the zone.
    pub soa: Vec<Answer>,
}

impl Asked {
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
                let rr = a
                    .chain
                    .iter()
                    .find(|rr| rr.rtype == RecordType::Soa && rr.name == self.zone.as_str())?;
                let mut fields = rr.data.split_whitespace();
                let mname = fields.next()?.to_ascii_lowercase();
                let serial = fields.nth(1)?.parse().ok()?;
                Some((mname, serial))
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
pub(super) fn ask_zone(
    global: &Global,
    resolvers: &[SocketAddr],
    state: Option<&State>,
    zone: &Fqdn,
    questions: &[(Fqdn, RecordType)],
    options: Options,
) -> anyhow::Result<Asked> {
    let servers = servers_of_zone(global, resolvers, state, zone)?;
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
pub(super) fn zones_of(
    global: &Global,
    resolvers: &[SocketAddr],
    questions: &[(Fqdn, RecordType)],
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
    let rows = ask(
        global,
        std::slice::from_ref(first),
        Options::default(),
        &soa_questions,
    )?;
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

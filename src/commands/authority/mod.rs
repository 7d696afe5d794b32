//! Asking a zone's own authoritative servers directly (the NS set; addresses from glue in the
//! desired state, else from the resolvers; port 53; no recursion): for the child's keys behind
//! a DS, before a delegation moves to new servers ([`delegation`]), and for `drift`/`verify
//! --authoritative` ([`zones`]).

mod delegation;
mod zones;

pub(super) use delegation::delegation_rules;
pub(super) use zones::{Asked, Disagreement, ask_zone, zones_of};

use std::net::{IpAddr, SocketAddr};

use super::live::ask;
use crate::cli::Global;
use crate::live::answer::{Answer, Rcode};
use crate::live::resolve::Options;
use crate::model::{Fqdn, RecordType};
use crate::premerge::PreMerge;
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
    referred: &[(Fqdn, IpAddr)],
    options: Options,
) -> anyhow::Result<Servers> {
    let mut servers = Servers::default();
    let mut ask_for = Vec::new();
    let mut found: Vec<(Fqdn, IpAddr)> = Vec::new();
    for host in hosts {
        // Glue the live parent gave with its referral is how resolvers reach the host.
        let given: Vec<IpAddr> = referred
            .iter()
            .filter(|(h, _)| h == host)
            .map(|(_, ip)| *ip)
            .collect();
        if !given.is_empty() {
            found.extend(given.into_iter().map(|ip| (host.clone(), ip)));
            continue;
        }
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
        let rows = ask(global, &resolvers[..1], options, &questions)?;
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
        &[],
        Options::default(),
    )
}

/// The servers of `zone`: its apex NS set in `state`, and the NS set its parent delegates it
/// to (a server the parent still lists is asked even when the zone no longer names it): from
/// the parent's desired state when the parent is managed here, else, with `ask_parent` and a
/// resolver, from the live parent's servers. A zone with neither takes the NS set the
/// resolvers answer. An error when nothing names a server.
fn servers_of_zone(
    global: &Global,
    resolvers: &[SocketAddr],
    state: Option<&State>,
    zone: &Fqdn,
    ask_parent: bool,
    options: Options,
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
    let mut referred = Vec::new();
    let mut parent_problem = None;
    if parent.is_none() && ask_parent && !resolvers.is_empty() && !zone.as_str().is_empty() {
        match live_delegation(global, resolvers, zone, options)? {
            Ok((listed, glue)) => {
                hosts.extend(listed);
                referred = glue;
            }
            Err(problem) => parent_problem = Some(problem),
        }
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
            options,
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
    let mut servers = addresses(global, resolvers, state, cut, &hosts, &referred, options)?;
    servers.unfound.extend(parent_problem);
    Ok(servers)
}

/// What the live parent delegates `zone` to: the parent zone found through the resolvers, each
/// of its servers asked directly for the zone's NS set; the hosts listed, and the glue given
/// with them. `Err` (the parent, and why) when the delegation cannot be read.
#[allow(clippy::type_complexity)]
fn live_delegation(
    global: &Global,
    resolvers: &[SocketAddr],
    zone: &Fqdn,
    options: Options,
) -> anyhow::Result<Result<(Vec<Fqdn>, Vec<(Fqdn, IpAddr)>), (Fqdn, String)>> {
    let above = Fqdn::from_normalised(
        zone.as_str()
            .split_once('.')
            .map(|(_, rest)| rest.to_string())
            .unwrap_or_default(),
    );
    let why = |parent: &Fqdn, text: String| {
        Ok(Err((
            parent.clone(),
            format!("the parent's delegation of `{zone}` cannot be read: {text}"),
        )))
    };
    let parent = match zones_of(
        global,
        resolvers,
        &[(above.clone(), RecordType::Soa)],
        options,
    ) {
        Ok(mut found) => found.remove(0),
        Err(e) => return why(&above, e.to_string()),
    };
    let servers = match servers_of_zone(global, resolvers, None, &parent, false, options) {
        Ok(servers) => servers,
        Err(e) => return why(&parent, e.to_string()),
    };
    let rows = ask_each(
        global,
        &servers.found,
        &[(zone.clone(), RecordType::Ns)],
        options,
    )?;
    let mut hosts = Vec::new();
    let mut glue = Vec::new();
    for answer in rows.iter().flatten() {
        for rr in answer.chain.iter().chain(&answer.referral) {
            match rr.rtype {
                RecordType::Ns if rr.name == zone.as_str() => hosts.push(host(&rr.data)),
                RecordType::A | RecordType::Aaaa => {
                    if let Ok(ip) = rr.data.parse() {
                        glue.push((host(&rr.name), ip));
                    }
                }
                _ => {}
            }
        }
    }
    if hosts.is_empty() {
        let seen = rows
            .iter()
            .flatten()
            .next()
            .map(Answer::describe)
            .unwrap_or_else(|| "no server of it could be found".into());
        return why(
            &parent,
            format!("its servers answer no NS set for it ({seen})"),
        );
    }
    Ok(Ok((hosts, glue)))
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

/// Answers as compared between servers: the response code and the values, not TTLs.
fn same(a: &Answer, b: &Answer) -> bool {
    a.rcode == b.rcode && a.shape() == b.shape() && a.values() == b.values()
}

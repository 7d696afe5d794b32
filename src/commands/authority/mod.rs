//! Asking a zone's own authoritative servers directly (the NS set; addresses from glue in the
//! desired state, else from the resolvers; port 53; no recursion): for the child's keys behind
//! a DS, before a delegation moves to new servers ([`delegation`]), and for `drift`/`verify
//! --authoritative` ([`zones`]).

mod delegation;
mod zones;

pub(super) use delegation::delegation_rules;
pub(super) use zones::{Asked, Disagreement, ZoneProblem, ask_zone, zones_of};

use std::collections::BTreeMap;
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

/// The servers of a zone, and each one that cannot be asked (as named: a host, or a server
/// with its address), with why.
#[derive(Clone, Debug, Default)]
pub(super) struct Servers {
    pub found: Vec<Server>,
    pub unfound: Vec<(String, String)>,
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
        // Glue the live parent gave with its referral is how resolvers reach a host the
        // desired state gives no address.
        let given: Vec<IpAddr> = referred
            .iter()
            .filter(|(h, _)| h == host)
            .map(|(_, ip)| *ip)
            .collect();
        if !glue.is_empty() {
            found.extend(glue.into_iter().map(|ip| (host.clone(), ip)));
        } else if !given.is_empty() {
            found.extend(given.into_iter().map(|ip| (host.clone(), ip)));
        } else if let Some((parent, child)) = in_child {
            servers.unfound.push((
                host.to_string(),
                format!("it is inside `{child}` but `{parent}` has no glue (A or AAAA) for it: resolvers cannot reach it"),
            ));
        } else if let Some(z) = authoritative_for.filter(|_| in_child.is_none()) {
            servers.unfound.push((
                host.to_string(),
                format!("`{}` serves its name but gives it no address (A or AAAA) that is known before apply", z.name),
            ));
        } else {
            ask_for.push(host.clone());
        }
    }
    if !ask_for.is_empty() && resolvers.is_empty() {
        servers.unfound.extend(ask_for.drain(..).map(|h| {
            (
                h.to_string(),
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
                servers.unfound.push((host.to_string(), why));
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
        if !servers.unfound.iter().any(|(h, _)| h == host.as_str()) {
            servers.unfound.push((
                host.to_string(),
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
    parents: Option<&mut Parents>,
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
    let mut delegated = Delegated::default();
    if let (None, Some(parents)) = (parent, parents) {
        if !resolvers.is_empty() && !zone.as_str().is_empty() {
            delegated = live_delegation(global, resolvers, zone, parents, options)?;
            hosts.extend(delegated.hosts.iter().cloned());
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
            let mut why = format!(
                "cannot find the servers of `{zone}`: {first} answers its NS query with {}",
                answer.describe()
            );
            for (who, problem) in &delegated.problems {
                why.push_str(&format!("; {who}: {problem}"));
            }
            anyhow::bail!(why);
        }
    }
    hosts.sort();
    hosts.dedup();
    let cut = parent.map(|p| (&p.name, zone));
    let mut servers = addresses(
        global,
        resolvers,
        state,
        cut,
        &hosts,
        &delegated.glue,
        options,
    )?;
    servers.unfound.extend(delegated.problems);
    Ok(servers)
}

/// Parent zones found in one run, by the name above a zone: the parent and its servers, or
/// why they cannot be found. Zones that share a parent find it once.
pub(super) type Parents = BTreeMap<Fqdn, Result<(Fqdn, Servers), String>>;

/// What the live parent says of a zone's delegation.
#[derive(Debug, Default)]
struct Delegated {
    /// The NS hosts its referrals list.
    hosts: Vec<Fqdn>,
    /// Their glue, for hosts inside the parent zone only (resolvers drop the rest).
    glue: Vec<(Fqdn, IpAddr)>,
    /// Who could not be read, and why.
    problems: Vec<(String, String)>,
}

/// What the live parent delegates `zone` to: the parent zone found through the resolvers, each
/// of its servers asked directly for the zone's NS set. A referral (no authority, the NS set
/// in the authority section) is the delegation; a server that answers for the zone itself
/// serves it too, and its delegation cannot be read apart. Each server, or the parent, that
/// cannot be read is named.
fn live_delegation(
    global: &Global,
    resolvers: &[SocketAddr],
    zone: &Fqdn,
    parents: &mut Parents,
    options: Options,
) -> anyhow::Result<Delegated> {
    let above = Fqdn::from_normalised(
        zone.as_str()
            .split_once('.')
            .map(|(_, rest)| rest.to_string())
            .unwrap_or_default(),
    );
    let mut out = Delegated::default();
    if !parents.contains_key(&above) {
        let found = zones_of(
            global,
            resolvers,
            &[(above.clone(), RecordType::Soa)],
            options,
        )
        .map_err(|e| e.to_string())
        .and_then(|mut zones| {
            let parent = zones.remove(0);
            servers_of_zone(global, resolvers, None, &parent, None, options)
                .map(|servers| (parent, servers))
                .map_err(|e| e.to_string())
        });
        parents.insert(above.clone(), found);
    }
    let (parent, servers) = match &parents[&above] {
        Ok(found) => found,
        Err(e) => {
            out.problems.push((
                above.to_string(),
                format!("the parent's delegation of `{zone}` cannot be read: {e}"),
            ));
            return Ok(out);
        }
    };
    let unread = |why: String| format!("the parent's delegation of `{zone}` cannot be read: {why}");
    out.problems.extend(
        servers
            .unfound
            .iter()
            .map(|(who, why)| (who.clone(), unread(why.clone()))),
    );
    let rows = ask_each(
        global,
        &servers.found,
        &[(zone.clone(), RecordType::Ns)],
        options,
    )?;
    let mut served_alike = false;
    for (server, answer) in servers.found.iter().zip(rows.iter().flatten()) {
        let listed: Vec<Fqdn> = answer
            .referral
            .iter()
            .filter(|rr| rr.rtype == RecordType::Ns && rr.name == zone.as_str())
            .map(|rr| host(&rr.data))
            .collect();
        let own_ns = answer
            .chain
            .iter()
            .any(|rr| rr.rtype == RecordType::Ns && rr.name == zone.as_str());
        if own_ns && answer.authoritative == Some(true) {
            // It serves the zone too: its answer is the zone's own NS set.
            served_alike = true;
            continue;
        }
        if listed.is_empty() {
            out.problems.push((
                server.label(),
                unread(format!("it answers {}", answer.describe())),
            ));
            continue;
        }
        out.glue.extend(
            answer
                .referral
                .iter()
                .filter(|rr| matches!(rr.rtype, RecordType::A | RecordType::Aaaa))
                .map(|rr| (host(&rr.name), rr))
                .filter(|(h, _)| listed.contains(h) && h.is_in(parent))
                .filter_map(|(h, rr)| Some((h, rr.data.parse().ok()?))),
        );
        out.hosts.extend(listed);
    }
    if out.hosts.is_empty() && !served_alike && out.problems.is_empty() {
        out.problems.push((
            parent.to_string(),
            unread("no server of it could be asked".into()),
        ));
    }
    out.hosts.sort();
    out.hosts.dedup();
    out.glue.sort();
    out.glue.dedup();
    Ok(out)
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

/// An SOA's primary (MNAME, lowercase) and serial, from its record data.
fn soa_fields(data: &str) -> Option<(String, u32)> {
    let mut fields = data.split_whitespace();
    let mname = fields.next()?.to_ascii_lowercase();
    let serial = fields.nth(1)?.parse().ok()?;
    Some((mname, serial))
}

/// The SOA of `zone` in an authoritative answer: its primary and serial.
fn soa_of(live: &Answer, zone: &Fqdn) -> Option<(String, u32)> {
    live.chain
        .iter()
        .find(|rr| rr.rtype == RecordType::Soa && rr.name == zone.as_str())
        .and_then(|rr| soa_fields(&rr.data))
}

/// The SOA serial of `zone` in an authoritative answer.
fn serial(live: &Answer, zone: &Fqdn) -> Option<u32> {
    soa_of(live, zone).map(|(_, serial)| serial)
}

/// Answers as compared between servers: the response code and the values, not TTLs.
fn same(a: &Answer, b: &Answer) -> bool {
    a.rcode == b.rcode && a.shape() == b.shape() && a.values() == b.values()
}

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
        .map(|r| r.values.iter().map(|v| host(v)).collect())
        .unwrap_or_default()
}

fn host(value: &str) -> Fqdn {
    Fqdn::from_normalised(value.trim_end_matches('.').to_ascii_lowercase())
}

/// Each host's addresses: from glue in `state`, else an A query to the first resolver.
fn addresses(
    global: &Global,
    resolvers: &[SocketAddr],
    state: Option<&State>,
    hosts: &[Fqdn],
) -> anyhow::Result<Servers> {
    let mut servers = Servers::default();
    let mut ask_for = Vec::new();
    for host in hosts {
        let glue: Vec<IpAddr> = state
            .and_then(|s| s.zone_of(host))
            .map(|z| {
                [RecordType::A, RecordType::Aaaa]
                    .iter()
                    .filter_map(|t| z.find(host, *t))
                    .flat_map(|r| r.values.iter().filter_map(|v| v.parse().ok()))
                    .collect()
            })
            .unwrap_or_default();
        if glue.is_empty() {
            ask_for.push(host.clone());
        }
        servers.found.extend(glue.into_iter().map(|ip| Server {
            host: host.clone(),
            address: SocketAddr::new(ip, 53),
        }));
    }
    if ask_for.is_empty() {
        return Ok(servers);
    }
    if resolvers.is_empty() {
        servers.unfound.extend(ask_for.into_iter().map(|h| {
            (
                h,
                "it has no glue in the desired state and no resolver is configured (`[dns] resolvers`) to find its address".to_string(),
            )
        }));
        return Ok(servers);
    }
    let questions: Vec<(Fqdn, RecordType)> =
        ask_for.iter().map(|h| (h.clone(), RecordType::A)).collect();
    let rows = ask(global, &resolvers[..1], Options::default(), &questions)?;
    for (host, row) in ask_for.into_iter().zip(rows) {
        let found: Vec<IpAddr> = row[0]
            .chain
            .iter()
            .filter(|rr| rr.rtype == RecordType::A)
            .filter_map(|rr| rr.data.parse().ok())
            .collect();
        if found.is_empty() {
            let why = format!("its address cannot be found: {}", row[0].describe());
            servers.unfound.push((host, why));
            continue;
        }
        servers.found.extend(found.into_iter().map(|ip| Server {
            host: host.clone(),
            address: SocketAddr::new(ip, 53),
        }));
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
    addresses(
        global,
        resolvers,
        Some(state),
        &ns_hosts(state, parent, child),
    )
}

/// The servers of `zone`: its apex NS set in `state` when it has one, else the NS set the
/// resolvers answer. Refuses (an error) when neither names a server.
fn servers_of_zone(
    global: &Global,
    resolvers: &[SocketAddr],
    state: Option<&State>,
    zone: &Fqdn,
) -> anyhow::Result<Servers> {
    let mut hosts = state.map(|s| ns_hosts(s, zone, zone)).unwrap_or_default();
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
    addresses(global, resolvers, state, &hosts)
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

/// Apex types whose answers must agree when a zone not managed here moves between servers
/// whose serials legitimately differ (a move between providers).
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

/// `delegation-target-mismatch`: a change to a delegation's NS set (in a managed parent) or to
/// a managed zone's apex NS set is refused unless every server of the new set answers for the
/// zone authoritatively (AA, NOERROR) and serves what the zone is: the SOA serial of its
/// desired state (the base's or the change's); for a zone not managed here, the serial the
/// servers delegated today answer, or else the same answers they give for the apex records.
pub(super) fn delegation_rules(global: &Global, pm: &PreMerge) -> anyhow::Result<Vec<Item>> {
    let resolvers = configured(&pm.ws);
    let mut out = Vec::new();
    for change in pm
        .diff
        .changes
        .iter()
        .filter(|c| c.rtype() == RecordType::Ns && c.new.is_some())
    {
        let (parent, child) = (&change.zone, change.name().clone());
        let new = servers_of(global, &resolvers, &pm.head_state, parent, &child)?;
        let mut problems: Vec<String> = new
            .unfound
            .iter()
            .map(|(h, why)| format!("`{h}`: {why}"))
            .collect();
        if new.found.is_empty() && problems.is_empty() {
            problems.push("the new NS set names no server".into());
        }
        // What the zone is: its desired serials, or what today's servers answer.
        let mut desired: Vec<u32> = [&pm.base_state, &pm.head_state]
            .iter()
            .filter_map(|state| {
                let soa = state.zones.get(&child)?.find(&child, RecordType::Soa)?;
                soa.values.first()?.split_whitespace().nth(2)?.parse().ok()
            })
            .collect();
        desired.sort_unstable();
        desired.dedup();
        let managed = pm.head_state.zones.contains_key(&child);
        let apex_questions: Vec<(Fqdn, RecordType)> =
            APEX_TYPES.iter().map(|t| (child.clone(), *t)).collect();
        // For a zone not managed here: today's serials, and one of today's servers' answers
        // for the apex records.
        let (today, today_apex) = if managed {
            (desired.clone(), None)
        } else {
            let old = servers_of(global, &resolvers, &pm.base_state, parent, &child)?;
            let soas = ask_one(global, &old.found, &child, RecordType::Soa)?;
            let mut serials: Vec<u32> = soas.iter().filter_map(|a| serial(a, &child)).collect();
            serials.sort_unstable();
            serials.dedup();
            // The first of today's servers that answers authoritatively speaks for them.
            let speaker = old
                .found
                .iter()
                .zip(&soas)
                .find(|(_, a)| a.rcode == Rcode::Noerror && a.authoritative == Some(true))
                .map(|(s, _)| s.clone());
            let apex = match speaker {
                Some(s) => {
                    let rows = ask_each(
                        global,
                        std::slice::from_ref(&s),
                        &apex_questions,
                        Options::default(),
                    )?;
                    Some((s, rows.into_iter().flatten().collect::<Vec<Answer>>()))
                }
                None => None,
            };
            (serials, apex)
        };
        let soas = ask_one(global, &new.found, &child, RecordType::Soa)?;
        for (server, soa) in new.found.iter().zip(&soas) {
            let problem = match (soa.rcode, soa.authoritative, serial(soa, &child)) {
                (Rcode::Noerror, Some(true), Some(s)) if today.contains(&s) => None,
                (Rcode::Noerror, Some(true), Some(s)) => {
                    // Serials may differ (another provider, a signer that numbers its own);
                    // the apex answers may not.
                    let mine: Vec<Answer> = ask_each(
                        global,
                        std::slice::from_ref(server),
                        &apex_questions,
                        Options::default(),
                    )?
                    .into_iter()
                    .flatten()
                    .collect();
                    let differ: Vec<String> = if managed {
                        // Against the desired state, the base's or the change's.
                        APEX_TYPES
                            .iter()
                            .zip(&mine)
                            .filter(|(t, b)| {
                                let live = b.values();
                                ![&pm.base_state, &pm.head_state].iter().any(|state| {
                                    let want: Vec<&str> = state
                                        .zones
                                        .get(&child)
                                        .and_then(|z| z.find(&child, **t))
                                        .map(|r| r.values.iter().map(|v| &**v).collect())
                                        .unwrap_or_default();
                                    want == live
                                })
                            })
                            .map(|(t, b)| {
                                format!("{t} {} where the desired state differs", b.describe())
                            })
                            .collect()
                    } else if let Some((speaker, theirs)) = &today_apex {
                        APEX_TYPES
                            .iter()
                            .zip(theirs)
                            .zip(&mine)
                            .filter(|((_, a), b)| !same(a, b))
                            .map(|((t, a), b)| {
                                format!(
                                    "{t} {} where {} answers {}",
                                    b.describe(),
                                    speaker.shown(),
                                    a.describe()
                                )
                            })
                            .collect()
                    } else {
                        vec!["none of the servers delegated today answers to compare with".into()]
                    };
                    (!differ.is_empty()).then(|| {
                        format!(
                            "serves serial {s}, not {}, and other apex records: {}",
                            if today.is_empty() {
                                "a known one".to_string()
                            } else {
                                list(&today)
                            },
                            differ.join(", ")
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

fn list(serials: &[u32]) -> String {
    serials
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(" or ")
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

    /// Servers whose SOA serial is not the highest the zone's servers serve, with why.
    pub fn behind(&self) -> Vec<(usize, String)> {
        let serials: Vec<Option<u32>> = self.soa.iter().map(|a| serial(a, &self.zone)).collect();
        let Some(top) = serials.iter().flatten().max().copied() else {
            return Vec::new();
        };
        let ahead = serials.iter().position(|s| *s == Some(top)).unwrap_or(0);
        serials
            .iter()
            .enumerate()
            .filter_map(|(s, serial)| match serial {
                Some(mine) if *mine != top => Some((
                    s,
                    format!(
                        "serves serial {mine} of `{}` while {} serves {top}: it is behind",
                        self.zone,
                        self.servers[ahead].shown()
                    ),
                )),
                _ => None,
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
    let apexes: Vec<&Fqdn> = candidates
        .iter()
        .zip(&rows)
        .filter(|(c, row)| serial(&row[0], c).is_some())
        .map(|(c, _)| c)
        .collect();
    questions
        .iter()
        .map(|(name, rtype)| {
            ancestors(name, *rtype)
                .into_iter()
                .find(|a| apexes.contains(&a))
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "cannot find the zone of `{name}`: {first} answers no SOA for it or any name above it"
                    )
                })
        })
        .collect()
}

//! `changegate snapshot`, `verify` and `drift`: ask resolvers, then compare.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, bail};

use super::authority::{self, ZoneProblem};
use super::{Outcome, write_stdout};
use crate::cli::{DnsArgs, DriftArgs, Global, SnapshotArgs, VerifyArgs};
use crate::live::drift::{self, Drift};
use crate::live::resolve::{Options, Resolvers, parse_address};
use crate::live::snapshot::{Entry, Snapshot, VERSION};
use crate::live::verify::{self, Difference};
use crate::live::{Answer, Rcode};
use crate::model::{Duration, Fqdn, RecordType};
use crate::report::Format;
use crate::workspace::{self, Workspace};
use crate::zone::{FsFiles, dependents, load_sources, terraform};

/// A progress bar on stderr, only for a person at a terminal.
fn progress(global: &Global, total: u64, what: &str) -> indicatif::ProgressBar {
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
    if global.no_progress || ci || global.quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} ({per_sec}, {eta})")
    {
        bar.set_style(style);
    }
    bar.set_message(what.to_string());
    bar
}

/// Resolver addresses: `--resolver`, else `[dns] resolvers`, else the given fallback.
fn addresses(
    args: &DnsArgs,
    ws: Option<&Workspace>,
    fallback: &[String],
) -> anyhow::Result<Vec<SocketAddr>> {
    let configured = ws.map(|w| w.config.resolvers.clone()).unwrap_or_default();
    let chosen = if !args.resolver.is_empty() {
        args.resolver.clone()
    } else if !configured.is_empty() {
        configured
    } else {
        fallback.to_vec()
    };
    if chosen.is_empty() {
        bail!(
            "no resolver to ask: pass `--resolver ADDR` or set `[dns] resolvers` in changegate.toml"
        );
    }
    chosen
        .iter()
        .map(|a| parse_address(a).map_err(anyhow::Error::msg))
        .collect()
}

fn options(args: &DnsArgs) -> anyhow::Result<Options> {
    let timeout = Duration::parse(&args.timeout).map_err(anyhow::Error::msg)?;
    if timeout.as_secs() == 0 {
        bail!("`--timeout` must be at least 1s");
    }
    Ok(Options {
        timeout: timeout.to_std(),
        attempts: args.attempts.max(1),
        concurrency: args.concurrency.max(1),
        recursion: true,
    })
}

/// Asks every question of every resolver, on one runtime.
pub(super) fn ask(
    global: &Global,
    addresses: &[SocketAddr],
    options: Options,
    questions: &[(Fqdn, RecordType)],
) -> anyhow::Result<Vec<Vec<Answer>>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let bar = progress(
        global,
        (questions.len() * addresses.len()) as u64,
        "resolving",
    );
    let answers = runtime.block_on(async {
        let resolvers = Arc::new(Resolvers::new(addresses, options)?);
        anyhow::Ok(resolvers.ask_all(questions, &bar).await)
    })?;
    bar.finish_and_clear();
    Ok(answers)
}

/// The workspace if there is one; live commands also work outside a DNS repository.
fn optional_workspace(global: &Global) -> Option<Workspace> {
    workspace::load(global.config.as_deref()).ok()
}

pub fn snapshot(
    global: &Global,
    args: &SnapshotArgs,
    now: jiff::Timestamp,
) -> anyhow::Result<Outcome> {
    let ws = optional_workspace(global);
    let mut names: Vec<Fqdn> = Vec::new();
    for name in &args.names {
        names.push(Fqdn::parse(name).map_err(|e| anyhow::anyhow!("`{name}`: {e}"))?);
    }
    if let Some(ticket_path) = &args.ticket {
        let ws = ws.as_ref().context("`--ticket` needs the DNS repository's changegate.toml (run inside it, or pass --config)")?;
        let file = workspace::read_source(ticket_path, "ticket-invalid", "the ticket")
            .map_err(|d| anyhow::anyhow!("{}", d[0].message))?;
        let ticket = crate::ticket::read_ticket(file, ticket_path).map_err(|d| {
            anyhow::anyhow!(
                "the ticket is invalid: {}; run `changegate lint {}`",
                d[0].message,
                ticket_path.display()
            )
        })?;
        let touched: Vec<&Fqdn> = ticket.names();
        names.extend(touched.iter().map(|n| (*n).clone()));
        // Names that depend on the ticket's names answer differently when they change, too.
        let files = FsFiles::new(&ws.config.root);
        let first = |d: Vec<crate::diag::Diagnostic>| anyhow::anyhow!("{}", d[0].message);
        let mut state = load_sources(&files, &ws.config).map_err(first)?;
        // Names from Terraform plans: those of `[sources]`, and the plans given, whose
        // aliases of deleted resources lose their answers too.
        let mut given =
            terraform::load_plans(&files, None, &ws.config.terraform_plans).map_err(first)?;
        given.extend(terraform::load_named(&args.terraform_plans).map_err(first)?);
        if !given.is_empty() {
            let mut before = state.clone();
            let effects = terraform::merge(given, &mut before, &mut state).map_err(first)?;
            names.extend(effects.lost.into_iter().map(|(_, name, _, _)| name));
        }
        let roots: Vec<&str> = names.iter().map(|n| n.as_str()).collect();
        let affected: Vec<Fqdn> = dependents(&state, &roots)
            .into_iter()
            .map(|c| c.name)
            .collect();
        names.extend(affected);
    }
    names.sort();
    names.dedup();
    if names.is_empty() {
        bail!("nothing to snapshot: name some names, or pass `--ticket TICKET`");
    }
    let types: Vec<RecordType> = args
        .types
        .split(',')
        .map(|t| RecordType::parse(t.trim()).map_err(anyhow::Error::msg))
        .collect::<anyhow::Result<_>>()?;
    let addresses = addresses(&args.dns, ws.as_ref(), &[])?;
    let questions: Vec<(Fqdn, RecordType)> = names
        .iter()
        .flat_map(|n| types.iter().map(move |t| (n.clone(), *t)))
        .collect();
    let answers = ask(global, &addresses, options(&args.dns)?, &questions)?;

    let labels: Vec<String> = addresses.iter().map(|a| a.to_string()).collect();
    let mut entries = Vec::new();
    let mut failed = 0;
    let mut disagree = Vec::new();
    for ((name, rtype), row) in questions.iter().zip(answers) {
        failed += row.iter().filter(|a| !a.rcode.is_answer()).count();
        if row.windows(2).any(|w| {
            w[0].rcode != w[1].rcode
                || w[0].shape() != w[1].shape()
                || w[0].values() != w[1].values()
        }) {
            disagree.push(format!("{name} {rtype}"));
        }
        let answers: BTreeMap<String, Answer> = labels.iter().cloned().zip(row).collect();
        entries.push(Entry {
            name: name.to_string(),
            rtype: rtype.to_string(),
            answers,
        });
    }
    let snapshot = Snapshot {
        version: VERSION,
        taken_at: now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        resolvers: labels,
        entries,
    };
    snapshot.write(&args.out)?;
    if global.format == Format::Json {
        write_stdout(&format!("{}\n", serde_json::to_string_pretty(&snapshot)?));
    } else if !global.quiet {
        let mut t = crate::report::table(false);
        t.set_header(vec!["name", "type", "resolver", "answer"]);
        for e in snapshot.entries.iter().take(200) {
            for (resolver, answer) in &e.answers {
                t.add_row(vec![
                    e.name.clone(),
                    e.rtype.clone(),
                    resolver.clone(),
                    answer.describe(),
                ]);
            }
        }
        let more = snapshot.entries.len().saturating_sub(200);
        let tail = if more > 0 {
            format!("… and {more} more in the file\n")
        } else {
            String::new()
        };
        write_stdout(&format!("{t}\n{tail}"));
    }
    for d in &disagree {
        eprintln!("warning: the resolvers disagree on {d}");
    }
    eprintln!(
        "wrote {} ({} question(s), {} resolver(s))",
        workspace::display_path(&args.out),
        questions.len(),
        addresses.len()
    );
    if failed > 0 {
        eprintln!(
            "error: {failed} answer(s) failed (timeout, SERVFAIL or error): the snapshot is not a complete last-known-good"
        );
        return Ok(Outcome::Refused);
    }
    Ok(Outcome::Allowed)
}

pub fn verify(global: &Global, args: &VerifyArgs) -> anyhow::Result<Outcome> {
    let snapshot = Snapshot::read(&args.snapshot).map_err(anyhow::Error::msg)?;
    let ws = optional_workspace(global);
    if args.authoritative {
        return verify_authoritative(global, args, &snapshot, ws.as_ref());
    }
    let addresses = addresses(&args.dns, None, &snapshot.resolvers)?;
    // Each resolver is compared with its own recorded answers (or the only ones recorded).
    let recorded: Vec<String> = addresses
        .iter()
        .map(|a| {
            let label = a.to_string();
            if snapshot.resolvers.contains(&label) {
                Ok(label)
            } else if let [only] = snapshot.resolvers.as_slice() {
                Ok(only.clone())
            } else {
                Err(anyhow::anyhow!(
                    "`{label}` is not one of the snapshot's resolvers ({})",
                    snapshot.resolvers.join(", ")
                ))
            }
        })
        .collect::<anyhow::Result<_>>()?;
    let mut questions = Vec::new();
    for e in &snapshot.entries {
        let name = Fqdn::parse(&e.name)
            .map_err(|m| anyhow::anyhow!("the snapshot names `{}`: {m}", e.name))?;
        let rtype = RecordType::parse(&e.rtype).map_err(anyhow::Error::msg)?;
        questions.push((name, rtype));
    }
    let answers = ask(global, &addresses, options(&args.dns)?, &questions)?;
    let mut differences: Vec<Difference> = Vec::new();
    for ((entry, (name, _)), row) in snapshot.entries.iter().zip(&questions).zip(&answers) {
        let dynamic = ws.as_ref().is_some_and(|w| w.policy.is_dynamic(name));
        for (s, now) in row.iter().enumerate() {
            let Some(was) = entry.answers.get(&recorded[s]) else {
                continue;
            };
            differences.extend(verify::compare(
                &entry.name,
                &entry.rtype,
                &addresses[s].to_string(),
                was,
                now,
                dynamic,
            ));
        }
    }
    let asked = questions.len() * addresses.len();
    render_verify(global, args, &snapshot, &differences, asked, None)
}

/// What `--authoritative` adds to a report: the servers asked per zone, and where they
/// disagree.
#[derive(Default)]
struct PerServer {
    servers: BTreeMap<String, Vec<String>>,
    disagreements: Vec<authority::Disagreement>,
    /// Server addresses this machine has no route to (IPv6 on an IPv4-only machine).
    unchecked: Vec<String>,
}

impl PerServer {
    /// Adds what was learnt asking one zone's servers.
    fn add(&mut self, asked: &authority::Asked, questions: &[(Fqdn, RecordType)]) {
        self.disagreements.extend(asked.disagreements(questions));
        self.servers.insert(
            asked.zone.to_string(),
            asked.servers.iter().map(|s| s.label()).collect(),
        );
        self.unchecked
            .extend(asked.unroutable.iter().map(|s| s.label()));
    }

    /// Into a report's JSON object: `authoritative`, `servers`, `disagreements`, `unchecked`.
    fn extend_json(&self, doc: &mut serde_json::Value) {
        doc["authoritative"] = true.into();
        doc["servers"] = serde_json::json!(self.servers);
        doc["disagreements"] = serde_json::json!(self.disagreements);
        doc["unchecked"] = serde_json::json!(self.unchecked);
    }

    /// Says on stderr which addresses could not be asked from here.
    fn warn(&self) {
        for server in &self.unchecked {
            eprintln!(
                "warning: {server} was not asked: this machine has no route to it; ask from a machine that has"
            );
        }
    }

    /// One table per zone whose servers disagree: a column per server.
    fn tables(&self) -> String {
        let mut out = String::new();
        let mut zones: Vec<&str> = self.disagreements.iter().map(|d| d.zone.as_str()).collect();
        zones.dedup();
        for zone in zones {
            let servers = self.servers.get(zone).cloned().unwrap_or_default();
            let mut header = vec!["name".to_string(), "type".to_string()];
            header.extend(servers.iter().cloned());
            let rows = self
                .disagreements
                .iter()
                .filter(|d| d.zone == zone)
                .map(|d| {
                    let mut row = vec![d.name.clone(), d.rtype.clone()];
                    row.extend(
                        servers
                            .iter()
                            .map(|s| d.answers.get(s).cloned().unwrap_or_else(|| "-".into())),
                    );
                    row
                });
            out.push_str(&format!(
                "the servers of `{zone}` disagree:\n{}",
                listing(&header, rows)
            ));
        }
        out
    }
}

/// The column naming who answered: a zone's `server` with `--authoritative`, else the
/// `resolver`.
fn who(per_server: Option<&PerServer>) -> &'static str {
    if per_server.is_some() {
        "server"
    } else {
        "resolver"
    }
}

/// A table of what a live command found, a row each.
fn listing<H: ToString>(header: &[H], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut t = crate::report::table(false);
    t.set_header(header.iter().map(H::to_string).collect::<Vec<_>>());
    for row in rows {
        t.add_row(row);
    }
    format!("{t}\n")
}

fn render_verify(
    global: &Global,
    args: &VerifyArgs,
    snapshot: &Snapshot,
    differences: &[Difference],
    asked: usize,
    per_server: Option<&PerServer>,
) -> anyhow::Result<Outcome> {
    if let Some(p) = per_server {
        p.warn();
    }
    if global.format == Format::Json {
        let mut doc = serde_json::json!({"schema": 1, "snapshot": workspace::display_path(&args.snapshot), "taken_at": snapshot.taken_at, "matches": differences.is_empty(), "differences": differences});
        if let Some(p) = per_server {
            p.extend_json(&mut doc);
        }
        write_stdout(&format!("{}\n", serde_json::to_string_pretty(&doc)?));
    } else {
        let mut out = String::new();
        if !differences.is_empty() {
            out.push_str(&listing(
                &[
                    "name",
                    "type",
                    who(per_server),
                    "what differs",
                    "snapshot",
                    "now",
                ],
                differences.iter().map(|d| {
                    vec![
                        d.name.clone(),
                        d.rtype.clone(),
                        d.resolver.clone(),
                        d.message.clone(),
                        d.expected.clone(),
                        d.actual.clone(),
                    ]
                }),
            ));
        }
        if let Some(p) = per_server {
            out.push_str(&p.tables());
        }
        let at = if per_server.is_some() {
            "authoritative answer(s)"
        } else {
            "answer(s)"
        };
        if differences.is_empty() {
            out.push_str(&format!(
                "verify: all {asked} {at} match the snapshot taken at {}\n",
                snapshot.taken_at
            ));
        } else {
            out.push_str(&format!(
                "verify: {} {at} differ from the snapshot taken at {}\n",
                differences.len(),
                snapshot.taken_at
            ));
        }
        write_stdout(&out);
    }
    Ok(if differences.is_empty() {
        Outcome::Allowed
    } else {
        Outcome::Refused
    })
}

/// A problem of a zone's servers as a whole, as `verify` lists it.
fn zone_difference(zone: &Fqdn, p: ZoneProblem) -> Difference {
    Difference {
        name: zone.to_string(),
        rtype: p.rtype.into(),
        resolver: p.who,
        kind: p.kind,
        expected: String::new(),
        actual: String::new(),
        message: p.message,
    }
}

/// A problem of a zone's servers as a whole, as `drift` lists it.
fn zone_drift(zone: &Fqdn, p: ZoneProblem) -> Drift {
    Drift {
        name: zone.to_string(),
        rtype: p.rtype.into(),
        resolver: p.who,
        kind: p.kind,
        desired: String::new(),
        live: String::new(),
        message: p.message,
        file: None,
    }
}

/// `verify --authoritative`: each entry asked of every server of its zone (found through the
/// resolvers), each compared with the snapshot's first resolver's answer as far as the zone
/// goes.
fn verify_authoritative(
    global: &Global,
    args: &VerifyArgs,
    snapshot: &Snapshot,
    ws: Option<&Workspace>,
) -> anyhow::Result<Outcome> {
    let resolvers = addresses(&args.dns, ws, &snapshot.resolvers)?;
    let options = options(&args.dns)?;
    let mut questions = Vec::new();
    for e in &snapshot.entries {
        let name = Fqdn::parse(&e.name)
            .map_err(|m| anyhow::anyhow!("the snapshot names `{}`: {m}", e.name))?;
        let rtype = RecordType::parse(&e.rtype).map_err(anyhow::Error::msg)?;
        questions.push((name, rtype));
    }
    let zones = authority::zones_of(global, &resolvers, &questions, options)?;
    let mut by_zone: BTreeMap<&Fqdn, Vec<usize>> = BTreeMap::new();
    for (i, zone) in zones.iter().enumerate() {
        by_zone.entry(zone).or_default().push(i);
    }
    let reference = snapshot.resolvers.first().cloned().unwrap_or_default();
    let mut differences: Vec<Difference> = Vec::new();
    let mut per_server = PerServer::default();
    let mut asked_total = 0;
    let mut parents = authority::Parents::new();
    for (zone, indices) in by_zone {
        let qs: Vec<(Fqdn, RecordType)> = indices.iter().map(|i| questions[*i].clone()).collect();
        let asked =
            match authority::ask_zone(global, &resolvers, None, zone, &qs, &mut parents, options) {
                Ok(asked) => asked,
                // One zone whose servers cannot be found is reported; the others are asked.
                Err(e) => {
                    differences.push(zone_difference(zone, ZoneProblem::unfound(e)));
                    continue;
                }
            };
        asked_total += qs.len() * asked.servers.len();
        differences.extend(
            asked
                .zone_problems()
                .into_iter()
                .map(|p| zone_difference(zone, p)),
        );
        let silent = asked.silent();
        for (k, i) in indices.iter().enumerate() {
            let entry = &snapshot.entries[*i];
            let Some(was) = entry
                .answers
                .get(&reference)
                .or_else(|| entry.answers.values().next())
            else {
                continue;
            };
            let dynamic = ws.is_some_and(|w| w.policy.is_dynamic(&questions[*i].0));
            for (s, now) in asked.answers[k].iter().enumerate() {
                if silent.iter().any(|(q, _, _)| *q == s) {
                    continue;
                }
                let label = asked.servers[s].label();
                if now.rcode.is_answer() && now.authoritative == Some(false) {
                    differences.push(Difference {
                        name: entry.name.clone(),
                        rtype: entry.rtype.clone(),
                        resolver: label,
                        kind: "lame",
                        expected: was.describe(),
                        actual: now.describe(),
                        message: format!("answers without authority (AA not set) for `{zone}`"),
                    });
                    continue;
                }
                let (was, now) = verify::comparable(was, now, zone);
                differences.extend(verify::compare(
                    &entry.name,
                    &entry.rtype,
                    &label,
                    &was,
                    &now,
                    dynamic,
                ));
            }
        }
        per_server.add(&asked, &qs);
    }
    render_verify(
        global,
        args,
        snapshot,
        &differences,
        asked_total,
        Some(&per_server),
    )
}

pub fn drift(global: &Global, args: &DriftArgs) -> anyhow::Result<Outcome> {
    let ws = match workspace::load(global.config.as_deref()) {
        Ok(ws) => ws,
        Err(problems) => {
            for p in &problems {
                eprint!("{}", p.render(false));
            }
            return Ok(Outcome::Invalid);
        }
    };
    // What Terraform's state holds now (each plan's `before`) is desired as much as a zone file.
    let files = FsFiles::new(&ws.config.root);
    let state = load_sources(&files, &ws.config).and_then(|mut state| {
        let plans = terraform::load_plans(&files, None, &ws.config.terraform_plans)?;
        if !plans.is_empty() {
            let mut after = state.clone();
            terraform::merge(plans, &mut state, &mut after)?;
        }
        Ok(state)
    });
    let state = match state {
        Ok(state) => state,
        Err(problems) => {
            for p in &problems {
                eprint!("{}", p.render(false));
            }
            return Ok(Outcome::Invalid);
        }
    };
    let wanted: Vec<Fqdn> = args
        .zone
        .iter()
        .map(|z| Fqdn::parse(z).map_err(anyhow::Error::msg))
        .collect::<anyhow::Result<_>>()?;
    for zone in &wanted {
        if !state.zones.contains_key(zone) {
            bail!(
                "`{zone}` is not a managed zone; the managed zones are {}",
                state
                    .zones
                    .keys()
                    .map(|z| z.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    let dynamic = |rrset: &crate::zone::RRset| {
        ws.policy.is_dynamic(&rrset.name)
            || rrset.octodns.as_ref().is_some_and(|o| o.dynamic.is_some())
    };
    if args.authoritative {
        return drift_authoritative(global, args, &ws, &state, &wanted, &dynamic);
    }
    let rrsets: Vec<&crate::zone::RRset> = state
        .zones
        .values()
        .filter(|z| wanted.is_empty() || wanted.contains(&z.name))
        .flat_map(|z| z.rrsets.iter())
        .filter(|r| r.rtype != RecordType::Soa)
        .collect();
    let questions: Vec<(Fqdn, RecordType)> = rrsets
        .iter()
        .map(|r| (r.name.clone(), r.rtype.asked_as()))
        .collect();
    let addresses = addresses(&args.dns, Some(&ws), &[])?;
    let answers = ask(global, &addresses, options(&args.dns)?, &questions)?;
    let mut found: Vec<Drift> = Vec::new();
    for (rrset, row) in rrsets.iter().zip(&answers) {
        for (s, live) in row.iter().enumerate() {
            found.extend(drift::compare(
                rrset,
                &addresses[s].to_string(),
                live,
                Some(state.location(rrset.origin)),
                dynamic(rrset),
            ));
        }
    }
    let labels: Vec<String> = addresses.iter().map(|a| a.to_string()).collect();
    render_drift(global, &found, rrsets.len(), &labels, None)
}

/// Prints what `drift` found; exit 1 on drift.
fn render_drift(
    global: &Global,
    found: &[Drift],
    rrsets: usize,
    resolvers: &[String],
    per_server: Option<&PerServer>,
) -> anyhow::Result<Outcome> {
    if let Some(p) = per_server {
        p.warn();
    }
    let drifted = found.iter().filter(|d| d.is_drift()).count();
    if global.format == Format::Json {
        let mut doc = serde_json::json!({"schema": 1, "rrsets": rrsets, "drift": drifted > 0, "differences": found});
        doc["resolvers"] = resolvers.into();
        if let Some(p) = per_server {
            p.extend_json(&mut doc);
        }
        write_stdout(&format!("{}\n", serde_json::to_string_pretty(&doc)?));
    } else {
        let mut out = String::new();
        if !found.is_empty() {
            out.push_str(&listing(
                &[
                    "",
                    "name",
                    "type",
                    who(per_server),
                    "what",
                    "desired",
                    "live",
                ],
                found.iter().map(|d| {
                    vec![
                        d.kind.to_string(),
                        d.name.clone(),
                        d.rtype.clone(),
                        d.resolver.clone(),
                        d.message.clone(),
                        d.desired.clone(),
                        d.live.clone(),
                    ]
                }),
            ));
        }
        let against = match per_server {
            Some(p) => {
                out.push_str(&p.tables());
                format!(
                    "at {} authoritative server(s) of {} zone(s)",
                    p.servers.values().map(Vec::len).sum::<usize>(),
                    p.servers.len()
                )
            }
            None => format!("against {} resolver(s)", resolvers.len()),
        };
        out.push_str(&format!(
            "drift: {} of {rrsets} RRset(s) checked {against}: {drifted} drifted, {} TTL difference(s)\n",
            found
                .iter()
                .filter(|d| d.is_drift())
                .map(|d| (&d.name, &d.rtype))
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            found.len() - drifted
        ));
        write_stdout(&out);
    }
    Ok(if drifted > 0 {
        Outcome::Refused
    } else {
        Outcome::Allowed
    })
}

/// A delegation's NS set and its glue, as the parent's server answers them: in a referral,
/// without authority. The referral's records stand for the answer.
fn referral_answer(live: &Answer, rrset: &crate::zone::RRset) -> Answer {
    if live.referral.is_empty() {
        return live.clone();
    }
    let chain: Vec<crate::live::Rr> = live
        .referral
        .iter()
        .filter(|rr| rr.name == rrset.name.as_str() && rr.rtype == rrset.rtype)
        .cloned()
        .collect();
    Answer {
        rcode: if chain.is_empty() {
            Rcode::Nodata
        } else {
            Rcode::Noerror
        },
        authoritative: live.authoritative,
        chain,
        referral: Vec::new(),
        error: None,
    }
}

/// `drift --authoritative`: each managed zone's RRsets asked of every server of its NS set,
/// each server compared with the desired state on its own; a server that cannot be reached,
/// answers without authority or serves an older serial is drift too.
fn drift_authoritative(
    global: &Global,
    args: &DriftArgs,
    ws: &Workspace,
    state: &crate::zone::State,
    wanted: &[Fqdn],
    dynamic: &dyn Fn(&crate::zone::RRset) -> bool,
) -> anyhow::Result<Outcome> {
    // Resolvers only find servers that have no glue; without one, those are named.
    let resolvers = if args.dns.resolver.is_empty() && ws.config.resolvers.is_empty() {
        Vec::new()
    } else {
        addresses(&args.dns, Some(ws), &[])?
    };
    let options = options(&args.dns)?;
    if resolvers.is_empty() {
        eprintln!(
            "warning: no resolver is configured (`--resolver`, or `[dns] resolvers`): parents' delegations are read only where the parent zone is managed here; each zone's own NS set is asked"
        );
    }
    let mut parents = authority::Parents::new();
    let mut found: Vec<Drift> = Vec::new();
    let mut per_server = PerServer::default();
    let mut checked = 0;
    for zone in state
        .zones
        .values()
        .filter(|z| wanted.is_empty() || wanted.contains(&z.name))
    {
        let rrsets: Vec<&crate::zone::RRset> = zone
            .rrsets
            .iter()
            .filter(|r| r.rtype != RecordType::Soa)
            .collect();
        checked += rrsets.len();
        let questions: Vec<(Fqdn, RecordType)> = rrsets
            .iter()
            .map(|r| (r.name.clone(), r.rtype.asked_as()))
            .collect();
        let asked = match authority::ask_zone(
            global,
            &resolvers,
            Some(state),
            &zone.name,
            &questions,
            &mut parents,
            options,
        ) {
            Ok(asked) => asked,
            // One zone whose servers cannot be found is reported; the others are asked.
            Err(e) => {
                found.push(zone_drift(&zone.name, ZoneProblem::unfound(e)));
                continue;
            }
        };
        found.extend(
            asked
                .zone_problems()
                .into_iter()
                .map(|p| zone_drift(&zone.name, p)),
        );
        let silent = asked.silent();
        // Names at or below a delegation are answered by referral, without authority.
        let cuts: Vec<&Fqdn> = zone
            .rrsets
            .iter()
            .filter(|r| r.rtype == RecordType::Ns && r.name != zone.name)
            .map(|r| &r.name)
            .collect();
        for (rrset, row) in rrsets.iter().zip(&asked.answers) {
            let delegated =
                rrset.rtype != RecordType::Ds && cuts.iter().any(|c| rrset.name.is_in(c));
            for (s, live) in row.iter().enumerate() {
                if silent.iter().any(|(q, _, _)| *q == s) {
                    continue;
                }
                let label = asked.servers[s].label();
                let file = Some(state.location(rrset.origin));
                if delegated {
                    let live = referral_answer(live, rrset);
                    found.extend(drift::compare(rrset, &label, &live, file, dynamic(rrset)));
                    continue;
                }
                if live.rcode.is_answer() && live.authoritative == Some(false) {
                    found.push(Drift {
                        name: rrset.name.to_string(),
                        rtype: rrset.rtype.to_string(),
                        resolver: label,
                        kind: "lame",
                        desired: format!("{} {}", rrset.rtype, rrset.values.join(" | ")),
                        live: live.describe(),
                        message: format!(
                            "answers without authority (AA not set) for `{}`",
                            zone.name
                        ),
                        file,
                    });
                    continue;
                }
                found.extend(drift::compare(rrset, &label, live, file, dynamic(rrset)));
            }
        }
        per_server.add(&asked, &questions);
    }
    let labels: Vec<String> = resolvers.iter().map(|a| a.to_string()).collect();
    render_drift(global, &found, checked, &labels, Some(&per_server))
}

//! `changegate check`: load, gather evidence for every deletion at once, decide per ticket.

use std::path::PathBuf;

use crate::approval;
use crate::cli::{CheckArgs, Global, TicketArgs};
use crate::diag::Diagnostic;
use crate::evidence::signals::{SignalFacts, measure_signals};
use crate::evidence::{DeletionFacts, DeletionTarget, measure_deletions};
use crate::gate::{Facts, evaluate};
use std::path::Path;

use crate::plan::Plan;
use crate::premerge::{Failure, PreMerge};
use crate::ticket::{Ticket, read_ticket};
use crate::verdict::{Approvals, TicketVerdict, Verdict};
use crate::verdict::{Code, Item};
use crate::workspace::{self, Workspace};
use crate::zone::{Files, FsFiles};

use super::{invalid, item_of};

pub fn run(
    global: &Global,
    args: &CheckArgs,
    now: jiff::Timestamp,
) -> anyhow::Result<(Verdict, Vec<Diagnostic>)> {
    if let Some(base) = &args.range.base {
        if !args.tickets.tickets.is_empty() {
            let d = vec![Diagnostic::new(
                "ticket-invalid",
                "with `--base`, the tickets are the ones the range adds or edits; do not name ticket files",
            )];
            return Ok((invalid(&d, now), d));
        }
        return premerge(
            global,
            base,
            args.range.head.as_deref(),
            &args.range.terraform_plans,
            None,
            &args.authors,
            now,
        );
    }
    if !args.range.terraform_plans.is_empty() {
        // A plan is a diff of its own: judged like a range with no commits, against what is
        // committed, the tickets named or every ticket of the folder.
        return premerge(
            global,
            "HEAD",
            None,
            &args.range.terraform_plans,
            Some(&args.tickets.tickets),
            &args.authors,
            now,
        );
    }
    let authors = &args.authors;
    let args = &args.tickets;
    let (ws, paths) = match prepare(global, args) {
        Ok(prepared) => prepared,
        Err(d) => return Ok((invalid(&d, now), d)),
    };
    if paths.is_empty() {
        let d = vec![
            Diagnostic::new(
                "ticket-invalid",
                format!(
                    "no tickets to check in `{}`",
                    workspace::display_path(&ws.config.tickets)
                ),
            )
            .help("name ticket files on the command line, or add `changes/<ID>.toml`"),
        ];
        return Ok((invalid(&d, now), d));
    }
    let loaded = load_tickets(&ws, &paths);

    let plans: Vec<&Plan> = loaded
        .iter()
        .filter_map(|t| t.as_ref().ok())
        .map(|(_, plan)| plan)
        .collect();
    let read: Vec<&Ticket> = loaded
        .iter()
        .filter_map(|t| t.as_ref().ok())
        .map(|(ticket, _)| ticket)
        .collect();
    let evidence = gather_evidence(&ws, &FsFiles::new(&ws.config.root), &plans, &read, now)?;

    let mut tickets = Vec::new();
    let mut diagnostics = Vec::new();
    for (path, result) in paths.iter().zip(loaded) {
        match result {
            Ok((ticket, plan)) => {
                let (files, dir) = approval::beside(path, ticket.id.get_ref());
                let mut approvals = approval::gather(
                    &files,
                    &dir,
                    &ticket,
                    plan.digest(),
                    ws.signers.as_ref(),
                    now,
                )?;
                approvals.committers.extend(authors.iter().cloned());
                let snapshot = snapshot_facts(
                    &FsFiles {
                        root: ws.config.root.clone(),
                    },
                    &ticket,
                );
                let facts = Facts {
                    snapshot: snapshot.as_ref(),
                    approvals: &approvals,
                    ticket: &ticket,
                    plan: &plan,
                    deletions: &evidence.deletions,
                    signals: &evidence.signals,
                    now,
                };
                tickets.push(evaluate(&facts, &ws.policy));
            }
            Err(problems) => {
                tickets.push(invalid_ticket(path, &problems));
                diagnostics.extend(problems);
            }
        }
    }
    let invalid = !diagnostics.is_empty();
    Ok((
        Verdict::decide(now, tickets, Vec::new(), Vec::new(), invalid),
        diagnostics,
    ))
}

/// The ticket's last-known-good snapshot, read through `files` (paths are relative to the
/// folder of changegate.toml).
pub(super) fn snapshot_facts(
    files: &dyn Files,
    ticket: &Ticket,
) -> Option<Result<Vec<String>, String>> {
    let path = ticket
        .rollback
        .as_ref()?
        .get_ref()
        .last_known_good
        .as_ref()?;
    Some(crate::live::Snapshot::coverage(files, path.get_ref()))
}

/// Everything the gate needs from outside, gathered at once in one runtime: every deletion of
/// these plans, and every health signal of these tickets.
pub(super) fn gather_evidence(
    ws: &Workspace,
    files: &dyn Files,
    plans: &[&Plan],
    tickets: &[&Ticket],
    now: jiff::Timestamp,
) -> anyhow::Result<Evidence> {
    let mut targets: Vec<DeletionTarget> = plans
        .iter()
        .flat_map(|plan| plan.deletion_targets())
        .collect();
    targets.sort();
    targets.dedup();
    let queries: Vec<String> = tickets
        .iter()
        .flat_map(|t| t.health_signals.iter().map(|s| s.get_ref().query.clone()))
        .collect();
    if targets.is_empty() && queries.is_empty() {
        return Ok(Evidence::default());
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let policy = ws.policy.deletion.as_ref().map(|d| d.get_ref());
    let (deletions, signals) = runtime.block_on(async {
        tokio::join!(
            measure_deletions(&ws.config, files, policy, &targets, now),
            measure_signals(&ws.config, &queries, now)
        )
    });
    Ok(Evidence { deletions, signals })
}

/// What [`gather_evidence`] found.
#[derive(Default)]
pub(super) struct Evidence {
    pub deletions: DeletionFacts,
    pub signals: SignalFacts,
}

/// Loads config and policy and finds the tickets to look at; `Err` holds every problem that
/// stops evaluation.
pub(super) fn prepare(
    global: &Global,
    args: &TicketArgs,
) -> Result<(Workspace, Vec<PathBuf>), Vec<Diagnostic>> {
    let ws = workspace::load(global.config.as_deref())?;
    let paths = ticket_paths(&ws, &args.tickets)?;
    Ok((ws, paths))
}

/// The tickets named, or every `*.toml` in the tickets folder (listed like every repository
/// file: links are listed, and refused when read).
fn ticket_paths(ws: &Workspace, given: &[PathBuf]) -> Result<Vec<PathBuf>, Vec<Diagnostic>> {
    if !given.is_empty() {
        return Ok(given.to_vec());
    }
    let root = &ws.config.root;
    let dir = ws
        .config
        .tickets
        .strip_prefix(root)
        .unwrap_or(&ws.config.tickets);
    let pattern = format!(
        "{}/*.toml",
        glob::Pattern::escape(&dir.to_string_lossy().replace('\\', "/"))
    );
    let files = FsFiles::new(root);
    let listed = files.list(&pattern).map_err(|e| {
        vec![
            Diagnostic::new(
                "ticket-invalid",
                format!(
                    "cannot list the tickets in `{}`: {e}",
                    workspace::display_path(&ws.config.tickets)
                ),
            )
            .help("`tickets` in changegate.toml names a folder inside the repository"),
        ]
    })?;
    Ok(listed.into_iter().map(|rel| root.join(rel)).collect())
}

/// Reads every ticket and resolves its plan; a bad ticket does not stop the others.
pub(super) fn load_tickets(
    ws: &Workspace,
    paths: &[PathBuf],
) -> Vec<Result<(Ticket, Plan), Vec<Diagnostic>>> {
    paths
        .iter()
        .map(|path| {
            let file = workspace::read_in(&ws.config.root, path, "ticket-invalid", "the ticket")?;
            let ticket = read_ticket(file, path)?;
            let plan = Plan::from_ticket(&ticket, &ws.zones)?;
            Ok((ticket, plan))
        })
        .collect()
}

fn invalid_ticket(path: &std::path::Path, problems: &[Diagnostic]) -> TicketVerdict {
    TicketVerdict {
        id: path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        file: workspace::display_path(path),
        tier: None,
        digest: None,
        plan_digest: None,
        tier_reasons: Vec::new(),
        reasons: problems.iter().map(item_of).collect(),
        findings: Vec::new(),
        deletions: Vec::new(),
        signals: Vec::new(),
        changes: Vec::new(),
        approvals: Approvals::default(),
    }
}

/// `check --base`: the tickets of a range judged against the real diff, by the base's policy.
fn premerge(
    global: &Global,
    base: &str,
    head: Option<&str>,
    plans: &[PathBuf],
    tickets: Option<&[PathBuf]>,
    authors: &[String],
    now: jiff::Timestamp,
) -> anyhow::Result<(Verdict, Vec<Diagnostic>)> {
    let mut pm = match PreMerge::prepare(global.config.as_deref(), base, head, plans) {
        Ok(pm) => pm,
        Err(Failure::Invalid(d)) => return Ok((invalid(&d, now), d)),
        Err(Failure::CannotEvaluate(e)) => return Err(e),
    };
    // Tickets, approvals and snapshots: the range's as committed, or, for a plan judged on its
    // own, the work tree's (where they are being written).
    let committed = pm.head_files()?;
    let work_tree = FsFiles::new(&pm.root);
    let head_files: &dyn Files = match tickets {
        Some(named) => {
            pm.tickets = pm.work_tree_tickets(named)?;
            &work_tree
        }
        None => &committed,
    };
    let mut covered = vec![false; pm.diff.changes.len()];
    let mut loaded = Vec::new();
    for rel in &pm.tickets {
        let result = pm.read_ticket(head_files, rel).map(|ticket| {
            let plan = pm.plan(&ticket, &mut covered, now);
            (ticket, plan)
        });
        loaded.push((rel, result));
    }
    let plans: Vec<&Plan> = loaded
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok())
        .map(|(_, p)| p)
        .collect();
    let read: Vec<&Ticket> = loaded
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok())
        .map(|(t, _)| t)
        .collect();
    let base_files = pm.base_files()?;
    let evidence = gather_evidence(&pm.ws, &base_files, &plans, &read, now)?;
    // For the range-wide mass-change rule: which names each ticket declares, and whether it
    // says it means to be large.
    let declared: Vec<(bool, Vec<crate::model::Fqdn>)> = read
        .iter()
        .map(|t| {
            (
                t.blast_radius
                    .as_ref()
                    .is_some_and(|b| b.get_ref().mass_change),
                t.changes.iter().map(|c| c.name.get_ref().clone()).collect(),
            )
        })
        .collect();

    let loaded_tickets: Vec<Ticket> = read.iter().map(|t| (*t).clone()).collect();
    let mut tickets = Vec::new();
    let mut diagnostics = Vec::new();
    for (rel, result) in loaded {
        match result {
            Ok((ticket, plan)) => {
                let dir = match rel.rsplit_once('/') {
                    Some((folder, _)) => format!("{folder}/{}.approvals", ticket.id.get_ref()),
                    None => format!("{}.approvals", ticket.id.get_ref()),
                };
                let mut approvals = approval::gather(
                    head_files,
                    &dir,
                    &ticket,
                    plan.digest(),
                    pm.ws.signers.as_ref(),
                    now,
                )?;
                approvals.committers = pm.ticket_committers(rel)?;
                approvals.committers.extend(authors.iter().cloned());
                let snapshot = snapshot_facts(head_files, &ticket);
                let facts = Facts {
                    snapshot: snapshot.as_ref(),
                    approvals: &approvals,
                    ticket: &ticket,
                    plan: &plan,
                    deletions: &evidence.deletions,
                    signals: &evidence.signals,
                    now,
                };
                let mut verdict = evaluate(&facts, &pm.ws.policy);
                // A merged ticket is the record of its change: an emergency must be a ticket
                // of its own, or an edit could borrow a reviewed ticket's history.
                if *ticket.kind.get_ref() == crate::ticket::Kind::Emergency
                    && base_files.exists(rel)
                {
                    verdict.reasons.push(
                        Item::new(
                            Code::TicketInvalid,
                            format!(
                                "`{rel}` is already on the base: an emergency is a new ticket, added in the change it authorizes; write a new ticket for this change"
                            ),
                        )
                        .at_line(rel.clone(), 1),
                    );
                }
                tickets.push(verdict);
            }
            Err(problems) => {
                tickets.push(invalid_ticket(Path::new(rel), &problems));
                diagnostics.extend(problems);
            }
        }
    }

    let mut reasons = Vec::new();
    for (change, _) in pm
        .diff
        .changes
        .iter()
        .zip(&covered)
        .filter(|(_, covered)| !**covered)
    {
        let state = if change.new.is_some() {
            &pm.head_state
        } else {
            &pm.base_state
        };
        let origin = change.origin();
        let file = state
            .files
            .get(origin.file as usize)
            .cloned()
            .unwrap_or_default();
        let why = change
            .cause
            .as_ref()
            .map(|c| format!(": {c}"))
            .unwrap_or_default();
        reasons.push(
            Item::new(
                Code::UndeclaredChange,
                format!(
                    "`{} {} {}` ({file}:{}) is not declared by any ticket in this change{why}",
                    change.kind.as_str(),
                    change.name(),
                    change.rtype(),
                    origin.line
                ),
            )
            .rrset(change.name(), Some(change.rtype()))
            .at_line(file, origin.line as usize),
        );
    }
    reasons.extend(mass_change_across_tickets(&pm, &declared, &tickets));
    for message in &pm.terraform.dangling {
        reasons.push(Item::new(Code::DanglingReference, message.clone()));
    }
    for message in &pm.terraform.unknown {
        reasons.push(Item::new(Code::PlanUnknown, message.clone()));
    }
    for message in &pm.terraform.zones_gone {
        reasons.push(Item::new(Code::MassChange, message.clone()));
    }
    reasons.extend(emergency_holds(global, &pm, now)?);
    reasons.extend(dnssec_rules(global, &pm)?);
    let (refusing, delegation_findings): (Vec<Item>, Vec<Item>) =
        super::authority::delegation_rules(global, &pm)?
            .into_iter()
            .partition(|i| i.code.refuses());
    reasons.extend(refusing);
    if pm.ws.config.hold_on_drift {
        // Only a ticket that passes may say its change reconciles drift.
        let passing: Vec<&Ticket> = loaded_tickets
            .iter()
            .filter(|t| {
                tickets
                    .iter()
                    .any(|v| v.id == *t.id.get_ref() && v.allowed())
            })
            .collect();
        reasons.extend(drift_holds(global, &pm, &passing)?);
    }
    // Merge times come from commits: an emergency's range may not claim to be from the future,
    // or its review would never fall due.
    if loaded_tickets
        .iter()
        .any(|t| *t.kind.get_ref() == crate::ticket::Kind::Emergency)
    {
        if let Some((time, id)) = pm.repo.latest_time(&pm.base, &pm.head)? {
            if time > now.as_second() + 3600 {
                reasons.push(Item::new(
                    Code::TicketInvalid,
                    format!(
                        "commit {} is dated {}, after now: an emergency's review falls due a time after it merges, which commits dated in the future would postpone; commit with a correct clock",
                        &id.to_string()[..12],
                        jiff::Timestamp::from_second(time)
                            .map(|t| t.to_string())
                            .unwrap_or_else(|_| time.to_string())
                    ),
                ));
            }
        }
    }
    for path in &pm.policy_changes {
        reasons.push(Item::new(Code::PolicyChanged, format!(
            "`{path}` changes in this range (its content or its file type); the bar is not changed by the change it judges: land it in a change of its own, reviewed by the policy's owners, with no DNS edits or tickets"))
            .at_line(path.clone(), 1));
    }
    let mut findings: Vec<Item> = pm
        .terraform
        .drift
        .iter()
        .map(|m| Item::new(Code::ResourceDrift, m.clone()))
        .chain(delegation_findings)
        .collect();
    if !pm.dirty.is_empty() {
        let shown: Vec<&str> = pm.dirty.iter().take(5).map(String::as_str).collect();
        findings.push(Item::new(
            Code::UncommittedChanges,
            format!(
                "{} uncommitted file(s) were not evaluated ({}{}); commit them to include them",
                pm.dirty.len(),
                shown.join(", "),
                if pm.dirty.len() > 5 { ", ..." } else { "" }
            ),
        ));
    }
    let invalid = !diagnostics.is_empty();
    Ok((
        Verdict::decide(now, tickets, reasons, findings, invalid),
        diagnostics,
    ))
}

/// The DNSSEC chain across every delegation the range touches: `dnssec-order` from the diff
/// alone; `dnssec-chain-broken` against the child's keys, from its desired state when it is
/// managed, else from each of its authoritative servers (glue, else the resolvers; port 53).
fn dnssec_rules(global: &Global, pm: &PreMerge) -> anyhow::Result<Vec<Item>> {
    use crate::model::RecordType;
    use crate::zone::dnssec;
    let mut out: Vec<Item> = dnssec::order(&pm.base_state, &pm.head_state, &pm.diff)
        .into_iter()
        .map(|m| Item::new(Code::DnssecOrder, m))
        .collect();
    for d in dnssec::touched(&pm.head_state, &pm.diff) {
        if d.ds.is_empty() {
            continue;
        }
        let sources = match dnssec::desired_keys(&pm.head_state, &d.child) {
            Some(keys) => vec![(format!("the desired state of `{}`", d.child), Ok(keys))],
            None => super::authority::keys(global, pm, &d)?,
        };
        out.extend(
            dnssec::broken(&d, &sources).into_iter().map(|m| {
                Item::new(Code::DnssecChainBroken, m).rrset(&d.child, Some(RecordType::Ds))
            }),
        );
    }
    Ok(out)
}

/// `zone-drifted`: with `[holds] drift = true`, every RRset the range changes (as the base
/// has it) and every name in its cascade is resolved, and compared with the base's desired
/// state, alias-aware. A change built on a false premise is refused, unless its ticket says
/// it reconciles that name (`reconciles_drift = true`); a resolver that fails to answer is not
/// "no drift" (fail closed).
fn drift_holds(global: &Global, pm: &PreMerge, tickets: &[&Ticket]) -> anyhow::Result<Vec<Item>> {
    use crate::live::answer::Rcode;
    use crate::model::RecordType;
    // Reconciled: the change that covers the RRset, in a passing ticket, says so.
    let reconciled = |change: &crate::zone::RRsetChange| {
        tickets.iter().any(|t| {
            t.changes.iter().any(|c| {
                c.reconciles_drift
                    && c.name.get_ref() == change.name()
                    && *c.rtype.get_ref() == change.rtype()
                    && c.action.as_str() == change.kind.as_str()
            })
        })
    };
    // (name, type, the RRset the base desires, if any), each once.
    let mut wanted: Vec<(crate::model::Fqdn, RecordType, Option<&crate::zone::RRset>)> = Vec::new();
    for change in &pm.diff.changes {
        if reconciled(change) {
            continue;
        }
        wanted.push((change.name().clone(), change.rtype(), change.old.as_ref()));
    }
    for c in &pm.diff.cascade {
        let old = pm
            .base_state
            .zone_of(&c.name)
            .and_then(|z| z.find(&c.name, c.rtype));
        if old.is_some() {
            wanted.push((c.name.clone(), c.rtype, old));
        }
    }
    wanted.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    wanted.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    wanted.retain(|(_, rtype, _)| *rtype != RecordType::Soa);
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let addresses: Vec<std::net::SocketAddr> = pm
        .ws
        .config
        .resolvers
        .iter()
        .map(|a| crate::live::resolve::parse_address(a).map_err(anyhow::Error::msg))
        .collect::<anyhow::Result<_>>()?;
    let questions: Vec<(crate::model::Fqdn, RecordType)> = wanted
        .iter()
        .map(|(name, rtype, _)| (name.clone(), rtype.asked_as()))
        .collect();
    let answers = super::live::ask(
        global,
        &addresses,
        crate::live::resolve::Options::default(),
        &questions,
    )?;
    // A name the base answers through a wildcard desires the wildcard's data, at its own name.
    let covering = |name: &crate::model::Fqdn, rtype: RecordType| -> Option<crate::zone::RRset> {
        let zone = pm.base_state.zone_of(name)?;
        let mut rest = name.as_str();
        while let Some((_, parent)) = rest.split_once('.') {
            let wildcard = crate::model::Fqdn::parse(&format!("*.{parent}")).ok()?;
            if !wildcard.is_in(&zone.name) {
                return None;
            }
            if zone.has_name(&wildcard) {
                let rrset = zone
                    .find(&wildcard, rtype)
                    .or_else(|| zone.find(&wildcard, RecordType::Cname))?;
                let mut answered = rrset.clone();
                answered.name = name.clone();
                answered.key = crate::zone::name_key(name.as_str());
                return Some(answered);
            }
            rest = parent;
        }
        None
    };
    let mut out = Vec::new();
    for ((name, rtype, old), row) in wanted.iter().zip(&answers) {
        let wildcard = old.is_none().then(|| covering(name, *rtype)).flatten();
        let old = old.or(wildcard.as_ref());
        for (i, live) in row.iter().enumerate() {
            let resolver = addresses[i].to_string();
            let differences: Vec<String> = match old {
                Some(desired) => {
                    let dynamic = pm.ws.policy.is_dynamic(name)
                        || desired
                            .octodns
                            .as_ref()
                            .is_some_and(|o| o.dynamic.is_some());
                    crate::live::drift::compare(desired, &resolver, live, None, dynamic)
                        .into_iter()
                        .filter(|d| d.is_drift())
                        .map(|d| format!("{} (desired {}, live {})", d.message, d.desired, d.live))
                        .collect()
                }
                // Created by the change: the base desires nothing there, so nothing may answer.
                None => match live.rcode {
                    Rcode::Nxdomain | Rcode::Nodata => Vec::new(),
                    // Anything at the name itself (a CNAME too) is data the base does not have.
                    Rcode::Noerror if !live.chain.iter().any(|rr| rr.name == name.as_str()) => {
                        Vec::new()
                    }
                    Rcode::Noerror => vec![format!(
                        "the base desires no {rtype} at `{name}`, but it is live: {}",
                        live.describe()
                    )],
                    _ => vec![format!("cannot tell: {}", live.describe())],
                },
            };
            for difference in differences {
                out.push(
                    Item::new(
                        Code::ZoneDrifted,
                        format!(
                            "`{name} {rtype}` already differs at {resolver} from the base's desired state: {difference}; this change starts from a false premise: reconcile it first, or say `reconciles_drift = true` on the ticket's `[[change]]` for it"
                        ),
                    )
                    .rrset(name, Some(*rtype)),
                );
            }
        }
    }
    Ok(out)
}

/// `emergency-unreviewed`: an emergency merged on the base whose review is overdue holds the
/// zones it touched; any change to them is refused until its tier's approvals are signed as
/// reviews. A range that only adds those reviews changes no zone, so it passes.
fn emergency_holds(
    global: &Global,
    pm: &PreMerge,
    now: jiff::Timestamp,
) -> anyhow::Result<Vec<Item>> {
    if pm.diff.changes.is_empty() {
        return Ok(Vec::new());
    }
    let merged = crate::emergency::merged(
        global.config.as_deref(),
        &pm.base.id.to_string(),
        None,
        true,
        now,
    )?;
    let mut out = Vec::new();
    for m in &merged {
        let Some(review) = m
            .review
            .as_ref()
            .filter(|r| r.state == crate::emergency::ReviewState::Overdue)
        else {
            continue;
        };
        for zone in &m.zones {
            let touched: Vec<&crate::zone::RRsetChange> =
                pm.diff.changes.iter().filter(|c| &c.zone == zone).collect();
            let Some(first) = touched.first() else {
                continue;
            };
            out.push(
                Item::new(
                    Code::EmergencyUnreviewed,
                    format!(
                        "the emergency change `{}` ({}, merged {} in {}) touched `{zone}`, and its review was due {}: {}; until it is reviewed, `{zone}` takes no further changes (this range makes {} there, e.g. `{} {} {}`); reviewers sign with `changegate approve {}` on the branch it merged into",
                        m.id,
                        m.file,
                        m.merged_at,
                        &m.commit[..12],
                        review.deadline.as_deref().unwrap_or("?"),
                        review
                            .missing
                            .as_deref()
                            .unwrap_or("its tier's approvals are missing"),
                        touched.len(),
                        first.kind.as_str(),
                        first.name(),
                        first.rtype(),
                        m.file
                    ),
                )
                .at_line(m.file.clone(), 1),
            );
        }
    }
    Ok(out)
}

/// `mass-change` over the whole range: a change split across several tickets is as large as
/// its diff. Zones already refused for their size by one ticket, or whose tickets say
/// `mass_change = true`, are left to those tickets.
fn mass_change_across_tickets(
    pm: &PreMerge,
    declared: &[(bool, Vec<crate::model::Fqdn>)],
    verdicts: &[TicketVerdict],
) -> Vec<Item> {
    use crate::zone::ChangeKind;
    let limits = pm.ws.policy.limits;
    // The changes a ticket saying `mass_change = true` declares are its own to answer for;
    // every other change of the zone still counts against the limit.
    let meant = |name: &crate::model::Fqdn| {
        declared
            .iter()
            .any(|(mass, names)| *mass && names.contains(name))
    };
    let mut out = Vec::new();
    for (zone, state) in &pm.base_state.zones {
        let existing = state.rrsets.len();
        if existing < limits.min_existing {
            continue;
        }
        let already = verdicts.iter().any(|v| {
            v.reasons
                .iter()
                .any(|r| r.code == Code::MassChange && r.message.contains(&format!("`{zone}`")))
        });
        if already {
            continue;
        }
        for (kind, max, key) in [
            (ChangeKind::Update, limits.max_update_pct, "max_update_pct"),
            (ChangeKind::Delete, limits.max_delete_pct, "max_delete_pct"),
        ] {
            let n = pm
                .diff
                .changes
                .iter()
                .filter(|c| &c.zone == zone && c.kind == kind && !meant(c.name()))
                .count();
            if (n as f64) * 100.0 > max * existing as f64 {
                out.push(Item::new(
                    Code::MassChange,
                    format!(
                        "this range {}s {n} of the {existing} RRsets of `{zone}` ({:.0}%), more than `[limits] {key}` ({max}%), across its tickets; if it means to be this large, say `mass_change = true` in the `[blast_radius]` of a ticket for the zone",
                        kind.as_str(),
                        n as f64 * 100.0 / existing as f64
                    ),
                ));
            }
        }
    }
    out
}

//! `changegate approve TICKET`: show an approver what they are signing (the ticket, its
//! changes, tier, evidence, rollback, health signals, who already approved), ask, sign with
//! their SSH key, and write `changes/<ID>.approvals/<principal>.sig` atomically.
//!
//! Nobody approves blind: without a terminal (or with `CI` set) the approver must repeat the
//! ticket digest they reviewed with `--digest`.

use std::io::IsTerminal;

use anyhow::Context;
use comfy_table::Cell;

use super::check::{gather_evidence, load_tickets, prepare};
use super::{Outcome, write_stdout};
use crate::approval::{self, Message, SigFile, sign};
use crate::cli::{ApproveArgs, Global, TicketArgs};
use crate::diag::Diagnostic;
use crate::gate::{Facts, evaluate};
use crate::plan::Plan;
use crate::premerge::{Failure, PreMerge};
use crate::ticket::Ticket;
use crate::verdict::{Code, TicketVerdict};
use crate::workspace::Workspace;
use crate::zone::FsFiles;

pub fn run(
    global: &Global,
    args: &ApproveArgs,
    now: jiff::Timestamp,
    color: bool,
) -> anyhow::Result<Outcome> {
    let (ticket, plan, from) = match load(global, args, now) {
        Ok(loaded) => loaded,
        Err(Failure::Invalid(problems)) => return Ok(invalid_input(&problems, color)),
        Err(Failure::CannotEvaluate(e)) => return Err(e),
    };
    let digest = approval::sha256(ticket.file.text.as_bytes());
    if args.show_digest {
        write_stdout(&format!("{digest}\n"));
        return Ok(Outcome::Allowed);
    }

    let interactive = std::io::stdin().is_terminal()
        && std::io::stderr().is_terminal()
        && std::env::var_os("CI").is_none_or(|v| v.is_empty());
    match &args.digest {
        Some(given) if *given != digest => {
            eprintln!(
                "error: the ticket changed since it was reviewed: its digest is now {digest}, not {given}\n\
                 review it again (`changegate approve {}`) before approving",
                args.ticket.display()
            );
            return Ok(Outcome::Refused);
        }
        None if !interactive => {
            eprintln!(
                "error: no terminal to review the ticket on, so nobody can confirm what is being approved\n\
                 help: review it, then repeat its digest: `changegate approve --digest {digest} {}`",
                args.ticket.display()
            );
            return Ok(Outcome::Invalid);
        }
        _ => {}
    }
    let ws = from.workspace();
    let signers = ws
        .signers
        .as_ref()
        .context("the policy names no `allowed_signers` file, so approvals cannot be verified")?;

    // File evidence comes from where the policy came from: the base, with `--base`.
    let evidence = match &from {
        Basis::Range(pm, _) | Basis::Review(pm, _, _, _, _) => {
            gather_evidence(ws, &pm.base_files()?, &[&plan], &[&ticket], now)?
        }
        Basis::WorkTree(ws) => gather_evidence(
            ws,
            &FsFiles::new(&ws.config.root),
            &[&plan],
            &[&ticket],
            now,
        )?,
    };
    let (files, mut dir) = approval::beside(&args.ticket, ticket.id.get_ref());
    let merged = match &from {
        Basis::Review(_, _, commit, _, _) => Some(commit.clone()),
        _ => None,
    };
    if merged.is_some() {
        dir = format!("{}.reviews", ticket.id.get_ref());
    }
    let mut approvals = approval::gather(&files, &dir, &ticket, plan.digest(), Some(signers), now)?;
    approvals.review_of = merged.clone();
    // A review is judged as of the merge (the tier then), its signature against now.
    let judged_at = match &from {
        Basis::Review(_, _, _, _, merged_at) => {
            approvals.judged_at = Some(now);
            *merged_at
        }
        _ => now,
    };
    let snapshot = super::check::snapshot_facts(&FsFiles::new(&ws.config.root), &ticket);
    let facts = Facts {
        snapshot: snapshot.as_ref(),
        ticket: &ticket,
        plan: &plan,
        deletions: &evidence.deletions,
        signals: &evidence.signals,
        approvals: &approvals,
        now: judged_at,
    };
    let verdict = evaluate(&facts, &ws.policy);
    let tier = verdict.tier.clone().unwrap_or_default();
    write_stdout(&summary(&ticket, &plan, &verdict, &digest));
    if let Some(commit) = &merged {
        write_stdout(&format!(
            "This is the retrospective review of the emergency change merged in {}: it is signed as a review (`changegate review v1`) of that merge, and counts toward tier `{}`'s approvals.\n",
            &commit[..12],
            verdict.tier.as_deref().unwrap_or("?")
        ));
    }

    // The key, then who it makes us.
    let mut ask_passphrase = |prompt: &str| {
        interactive
            .then(|| {
                dialoguer::Password::new()
                    .with_prompt(prompt)
                    .interact()
                    .ok()
            })
            .flatten()
    };
    let signer = sign::find_signer(args.key.as_deref(), signers, &mut ask_passphrase)?;
    let holders: Vec<_> = signers.entries_for_key(signer.public.key_data()).collect();
    // The names this key may sign as by default: the literal ones (patterns and negations
    // name no one in particular).
    let mut known: Vec<String> = holders
        .iter()
        .flat_map(|e| e.principals.iter())
        .filter(|p| approval::check_file_principal(p).is_ok())
        .cloned()
        .collect();
    known.dedup();
    let principal = match (&args.principal, known.as_slice()) {
        (Some(p), _) if holders.iter().any(|e| e.names(p)) => p.clone(),
        (Some(p), _) => anyhow::bail!(
            "the key from {} is not registered for `{p}` in `{}`{}",
            signer.source,
            signers.file.name,
            if holders.is_empty() {
                String::new()
            } else {
                let all: Vec<&str> = holders
                    .iter()
                    .flat_map(|e| e.principals.iter().map(String::as_str))
                    .collect();
                format!(" (it is registered for {})", all.join(", "))
            }
        ),
        (None, [only]) => only.clone(),
        (None, []) if holders.is_empty() => anyhow::bail!(
            "the key from {} ({}) is not in `{}`; ask for it to be added, or pass `--key` with your registered key",
            signer.source,
            signer.public.fingerprint(ssh_key::HashAlg::Sha256),
            signers.file.name
        ),
        (None, []) => anyhow::bail!(
            "the key is registered only through patterns in `{}`; pass `--as PRINCIPAL` to say who you are",
            signers.file.name
        ),
        (None, many) => anyhow::bail!(
            "the key is registered for several principals ({}); pass `--as PRINCIPAL`",
            many.join(", ")
        ),
    };
    approval::check_file_principal(&principal).map_err(anyhow::Error::msg)?;
    let committers = match &from {
        Basis::Range(pm, rel) | Basis::Review(pm, rel, _, _, _) => pm.ticket_committers(rel)?,
        Basis::WorkTree(_) => Vec::new(),
    };
    let authors = std::iter::once(ticket.author.get_ref().as_str())
        .chain(committers.iter().map(String::as_str));
    if let Some(author) = authors.into_iter().find(|a| {
        approval::is_person(
            &principal,
            holders.iter().map(|e| e.principals.as_slice()),
            a,
        )
    }) {
        eprintln!(
            "error: `{author}` wrote {}, and you sign as `{principal}` with a key registered to them; the author's approval never counts",
            ticket.id.get_ref()
        );
        return Ok(Outcome::Refused);
    }
    // The groups whose approvals count: an emergency's before merge are `[emergency]`'s.
    let tier_groups = ws
        .policy
        .tiers
        .iter()
        .find(|t| *t.name.get_ref() == tier)
        .map(|t| t.require.clone())
        .unwrap_or_default();
    let required = match &ws.policy.emergency {
        Some(e) if merged.is_none() && *ticket.kind.get_ref() == crate::ticket::Kind::Emergency => {
            e.get_ref().require.clone()
        }
        _ => tier_groups,
    };
    if !required.iter().any(|r| {
        ws.policy
            .groups
            .get(&r.group)
            .is_some_and(|g| g.members.iter().any(|m| *m.get_ref() == principal))
    }) {
        eprintln!(
            "error: `{principal}` is in none of the groups whose approvals this ticket needs now (tier `{tier}`), so the approval would not count"
        );
        return Ok(Outcome::Refused);
    }

    let comment = match &args.comment {
        Some(c) => c.clone(),
        None if interactive => dialoguer::Input::<String>::new()
            .with_prompt("Comment (optional, one line)")
            .allow_empty(true)
            .interact_text()
            .context("cannot read the comment")?,
        None => String::new(),
    };
    if comment.chars().any(char::is_control) || comment.len() > 500 {
        anyhow::bail!("the comment must be one line of at most 500 characters");
    }
    if interactive {
        let question = format!(
            "Approve {} (tier `{tier}`) as {principal}?",
            ticket.id.get_ref()
        );
        let yes = dialoguer::Confirm::new()
            .with_prompt(question)
            .default(false)
            .interact()
            .context("cannot read the answer")?;
        if !yes {
            eprintln!("not approved; nothing was written");
            return Ok(Outcome::Refused);
        }
    }

    let message = Message {
        merged: merged.clone(),
        ticket: ticket.id.get_ref().clone(),
        digest,
        plan: plan.digest(),
        approver: principal.clone(),
        tier: tier.clone(),
        signed_at: jiff::Timestamp::from_second(now.as_second()).unwrap_or(now),
        comment: comment.trim().to_string(),
    }
    .to_string();
    let signature = signer.sign(message.as_bytes())?;
    let path = approval::write_approval(
        &files.root.join(&dir),
        &principal,
        &SigFile { message, signature },
        args.force,
    )?;
    write_stdout(&format!(
        "{} {} at tier `{tier}` as {principal} with {}: wrote {}\n",
        if merged.is_some() {
            "reviewed"
        } else {
            "approved"
        },
        ticket.id.get_ref(),
        signer.source,
        crate::model::display_path(&path)
    ));
    Ok(Outcome::Allowed)
}

/// What `approve` works from: the ticket, its plan, and where config and policy came from.
type Loaded = (Ticket, Plan, Basis);

enum Basis {
    WorkTree(Box<Workspace>),
    /// `--base`: config, policy and file evidence are the base's; the ticket's path in the
    /// range (relative to the config's folder).
    Range(Box<PreMerge>, String),
    /// The retrospective review of an emergency ticket merged on this branch: the merged
    /// change, the ticket's path, and the merge commit.
    Review(
        Box<PreMerge>,
        String,
        String,
        Box<Workspace>,
        jiff::Timestamp,
    ),
}

impl Basis {
    fn workspace(&self) -> &Workspace {
        match self {
            Self::WorkTree(ws) => ws,
            Self::Range(pm, _) => &pm.ws,
            // Reviews are judged by the branch's signers and groups, as `check` judges them.
            Self::Review(_, _, _, tip, _) => tip,
        }
    }
}

/// The policy, the ticket and its plan: declared (no `--base`), or from the diff of the
/// range, exactly as `check --base` sees them, so the approval signs the plan it checks.
fn load(global: &Global, args: &ApproveArgs, now: jiff::Timestamp) -> Result<Loaded, Failure> {
    let plans = &args.range.terraform_plans;
    // A plan is a diff of its own: approved as a range with no commits, as `check` judges it.
    let range = args
        .range
        .base
        .as_deref()
        .or((!plans.is_empty()).then_some("HEAD"));
    if range.is_none() {
        // An emergency ticket merged on this branch: what is signed now is its review.
        if let Some(r) = crate::emergency::merge_of(global.config.as_deref(), &args.ticket)? {
            return Ok((
                r.ticket,
                r.plan,
                Basis::Review(
                    Box::new(r.pm),
                    r.rel,
                    r.commit,
                    Box::new(r.tip),
                    r.merged_at,
                ),
            ));
        }
    }
    let Some(base) = range else {
        let ticket_args = TicketArgs {
            tickets: vec![args.ticket.clone()],
        };
        let (ws, paths) = prepare(global, &ticket_args).map_err(Failure::Invalid)?;
        let (ticket, plan) = load_tickets(&ws, &paths)
            .remove(0)
            .map_err(Failure::Invalid)?;
        return Ok((ticket, plan, Basis::WorkTree(Box::new(ws))));
    };
    let pm = PreMerge::prepare(
        global.config.as_deref(),
        base,
        args.range.head.as_deref(),
        plans,
    )?;
    if args.range.base.is_none() {
        // A plan judged on its own: the ticket as the work tree holds it, as `check` reads it.
        let rel = pm
            .work_tree_tickets(std::slice::from_ref(&args.ticket))?
            .remove(0);
        let ticket = pm
            .read_ticket(&FsFiles::new(&pm.root), &rel)
            .map_err(Failure::Invalid)?;
        let plan = pm.plan(&ticket, &mut vec![false; pm.diff.changes.len()], now);
        return Ok((ticket, plan, Basis::Range(Box::new(pm), rel)));
    }
    // The ticket as named, never through a link: its folder resolved, its file name kept.
    let rel = pm.repo.relative(&args.ticket)?;
    let rel = match pm.prefix.as_str() {
        "" => rel,
        prefix => rel
            .strip_prefix(&format!("{prefix}/"))
            .map(str::to_string)
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "`{}` is not in the repository of changegate.toml",
                    args.ticket.display()
                )
            })?,
    };
    let head_files = pm.head_files()?;
    let ticket = pm
        .read_ticket(&head_files, &rel)
        .map_err(Failure::Invalid)?;
    if ticket.file.text.as_bytes() != std::fs::read(&args.ticket).unwrap_or_default() {
        return Err(Failure::CannotEvaluate(anyhow::anyhow!(
            "`{}` differs from its committed version at `{}`; with `--base`, commit the ticket first: the approval signs what is committed",
            args.ticket.display(),
            pm.head.label
        )));
    }
    let plan = pm.plan(&ticket, &mut vec![false; pm.diff.changes.len()], now);
    drop(head_files);
    Ok((ticket, plan, Basis::Range(Box::new(pm), rel)))
}

fn invalid_input(problems: &[Diagnostic], color: bool) -> Outcome {
    for problem in problems {
        eprint!("{}", problem.render(color));
    }
    Outcome::Invalid
}

/// The review table: everything an approver should see before signing.
fn summary(ticket: &Ticket, plan: &Plan, v: &TicketVerdict, digest: &str) -> String {
    let mut table = crate::report::table(false);
    let mut row = |key: &str, value: String| {
        table.add_row(vec![Cell::new(key), Cell::new(value)]);
    };
    let text =
        |s: Option<&toml::Spanned<String>>| s.map_or("-".to_string(), |s| s.get_ref().clone());
    row(
        "ticket",
        format!(
            "{}: {}\nby {} ({} change)",
            ticket.id.get_ref(),
            ticket.title,
            ticket.author.get_ref(),
            ticket.kind.get_ref().as_str()
        ),
    );
    let intent = ticket.intent.as_ref().map(|i| i.get_ref());
    row(
        "intent",
        format!(
            "{}\nreason: {}",
            text(intent.and_then(|i| i.summary.as_ref())),
            text(intent.and_then(|i| i.reason.as_ref()))
        ),
    );
    let radius = ticket.blast_radius.as_ref().map(|b| b.get_ref());
    row(
        "blast radius",
        format!(
            "{}: {}",
            radius
                .and_then(|r| r.scope.as_ref())
                .map_or("-".into(), |s| s.get_ref().to_string()),
            text(radius.and_then(|r| r.impact.as_ref()))
        ),
    );
    let changes: Vec<String> = plan
        .changes
        .iter()
        .map(|c| {
            let ttl = c.ttl.map(|t| format!(" ttl {t}")).unwrap_or_default();
            let mut values = if c.values.is_empty() {
                String::new()
            } else {
                format!(" → {}", c.values.join(", "))
            };
            for (what, text) in &c.extras {
                values.push_str(&format!(" ({what} {text})"));
            }
            format!(
                "{} {} {} (zone {}){ttl}{values}",
                c.action.as_str(),
                c.name,
                c.rtype,
                c.zone
            )
        })
        .collect();
    row("changes", changes.join("\n"));
    let why: Vec<String> = v
        .tier_reasons
        .iter()
        .map(|c| format!("`{}`: {}", c.tier, c.description))
        .collect();
    row(
        "tier",
        format!("{}\n{}", v.tier.as_deref().unwrap_or("-"), why.join("\n")),
    );
    if !v.deletions.is_empty() {
        let evidence: Vec<String> = v
            .deletions
            .iter()
            .map(|d| {
                let detail = d.evidence.as_ref().map_or("not measured".to_string(), |e| {
                    match (e.result, e.value) {
                        ("value", Some(n)) => format!(
                            "{n} resolutions in {}",
                            e.window.map(|w| w.to_string()).unwrap_or_default()
                        ),
                        ("empty", _) => "no resolutions recorded".into(),
                        _ => format!("unavailable: {}", e.error.as_deref().unwrap_or("unknown")),
                    }
                });
                // The traffic's shape over the window, when the store gave it.
                let detail = match &d.evidence.as_ref().and_then(|e| e.history.as_ref()) {
                    Some(h) if !h.is_empty() => {
                        let values: Vec<f64> = h.iter().map(|(_, v)| *v).collect();
                        format!("{} {detail}", crate::report::sparkline(&values))
                    }
                    _ => detail,
                };
                format!(
                    "{} {} {}: {detail}",
                    if d.allowed { "✓" } else { "✗" },
                    d.name,
                    d.rtype
                )
            })
            .collect();
        row("deletions", evidence.join("\n"));
    }
    let rollback = ticket.rollback.as_ref().map(|r| r.get_ref());
    row(
        "rollback",
        match rollback {
            None => "-".into(),
            Some(r) => format!(
                "{}\nlast known good: {}; time to mitigate: {}; rehearsed: {}",
                r.steps.join("\n"),
                text(r.last_known_good.as_ref()),
                r.time_to_mitigate
                    .as_ref()
                    .map_or("-".into(), |t| t.get_ref().to_string()),
                r.rehearsed
                    .as_ref()
                    .map_or("-".into(), |b| b.get_ref().to_string())
            ),
        },
    );
    // Each signal with what it answered now: an approver sees it is alive.
    let signals: Vec<String> = ticket
        .health_signals
        .iter()
        .map(|h| {
            let h = h.get_ref();
            let now = v.signals.iter().find(|s| s.name == h.name).map_or_else(
                || "not asked".to_string(),
                |s| match (s.value, &s.error) {
                    (Some(value), _) => format!("{} now: {value}", s.verdict),
                    (None, Some(e)) => format!("{}: {e}", s.verdict),
                    (None, None) => s.verdict.to_string(),
                },
            );
            format!(
                "{}: abort if {} (watch {}); {now}\n  {}",
                h.name, h.abort_if, h.watch, h.query
            )
        })
        .collect();
    row(
        "health signals",
        if signals.is_empty() {
            "-".into()
        } else {
            signals.join("\n")
        },
    );
    let mut approvals: Vec<String> = v
        .approvals
        .valid
        .iter()
        .map(|a| {
            format!(
                "✓ {} ({})",
                a.approver,
                a.signed_at.as_deref().unwrap_or("?")
            )
        })
        .collect();
    approvals.extend(
        v.approvals
            .invalid
            .iter()
            .map(|a| format!("✗ {}: {}", a.approver, a.reason.as_deref().unwrap_or(""))),
    );
    row(
        "approved by",
        if approvals.is_empty() {
            "nobody yet".into()
        } else {
            approvals.join("\n")
        },
    );
    let blocking: Vec<String> = v
        .reasons
        .iter()
        .filter(|r| {
            !matches!(
                r.code,
                Code::ApprovalsMissing
                    | Code::ApprovalInvalid
                    | Code::ApprovalStale
                    | Code::SelfApproval
            )
        })
        .map(|r| format!("✗ {}: {}", r.code.as_str(), r.message))
        .collect();
    if !blocking.is_empty() {
        row("also refused", blocking.join("\n"));
    }
    row("digest", format!("{digest}\nplan {}", plan.digest()));
    format!("{table}\n")
}

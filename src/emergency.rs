//! Tickets after they merged: when each merged (from the branch's first-parent history), the
//! tier and approvals it merged with, and for an emergency whether its retrospective review
//! is complete, pending or overdue. An overdue review holds the zones the emergency touched.
//!
//! Facts are gathered from git here; the gate decides with them, as for any ticket.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::approval;
use crate::evidence::DeletionFacts;
use crate::evidence::signals::SignalFacts;
use crate::gate::{Facts, evaluate};
use crate::git::{Added, Repo};
use crate::model::Fqdn;
use crate::premerge::{Failure, PreMerge};
use crate::ticket::{Kind, Ticket};
use crate::verdict::Code;

/// Where the review of an emergency stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReviewState {
    /// The tier's approvals are signed as reviews of the merge.
    Reviewed,
    /// Not yet, and the deadline has not passed.
    Pending,
    /// Past the deadline without them: the emergency's zones take no further changes.
    Overdue,
    /// The policy had no `[emergency]`: the ticket needed its tier's approvals up front.
    NotDue,
}

/// An emergency's review.
#[derive(Clone, Debug, Serialize)]
pub struct Review {
    pub state: ReviewState,
    /// When the review is due; none without `[emergency]`.
    pub deadline: Option<String>,
    /// Who signed a valid review.
    pub reviewers: Vec<String>,
    /// What is still missing, as `approvals-missing` says it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<String>,
}

/// One ticket merged on the branch.
#[derive(Clone, Debug, Serialize)]
pub struct Merged {
    pub id: String,
    /// The ticket's path, relative to the folder of `changegate.toml`.
    pub file: String,
    pub kind: &'static str,
    pub commit: String,
    pub merged_at: String,
    /// The tier it merged at, if its change could be read again.
    pub tier: Option<String>,
    /// Who approved it before merge (valid approvals in the merge commit).
    pub approvals: Vec<String>,
    /// The zones its change touched.
    pub zones: Vec<Fqdn>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review: Option<Review>,
    /// Why the ticket or its change could not be read again, if so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// The commit that merged a ticket, found on the first-parent history of `tip`.
pub struct Merge {
    pub added: Added,
    /// The ticket's path relative to the config's folder.
    pub rel: String,
}

/// Where the config lives in the repository, and what the tip says: the repository, the
/// config's path, its folder in the repository, the tickets folder relative to that, and the
/// tip's workspace (whose signers and groups judge reviews: a key removed since the merge
/// signs none, and today's approvers can sign).
#[allow(clippy::type_complexity)]
fn locate(
    config: Option<&Path>,
    tip: &crate::git::Commit,
) -> anyhow::Result<(Repo, PathBuf, String, String, crate::workspace::Workspace)> {
    let cwd = std::env::current_dir()?;
    let repo = Repo::discover(&cwd)?;
    let config_path =
        crate::workspace::find_config(config).map_err(|d| anyhow::anyhow!("{}", d[0].message))?;
    let config_rel = repo.relative(&config_path)?;
    let (prefix, name) = match config_rel.rsplit_once('/') {
        Some((dir, name)) => (dir.to_string(), name.to_string()),
        None => (String::new(), config_rel.clone()),
    };
    let root = config_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let files = repo.files_at(tip, &prefix)?;
    let ws = crate::workspace::load_from(&files, &name, &root).map_err(|d| {
        anyhow::anyhow!("the config at `{}` is invalid: {}", tip.label, d[0].message)
    })?;
    let tickets = ws
        .config
        .tickets
        .strip_prefix(&root)
        .unwrap_or(&ws.config.tickets)
        .to_string_lossy()
        .replace('\\', "/");
    drop(files);
    Ok((repo, config_path, prefix, tickets, ws))
}

/// Every ticket merged on the first-parent history of `tip` (newest first), at or after
/// `since`, judged again: the emergencies only, or all.
pub fn merged(
    config: Option<&Path>,
    tip: &str,
    since: Option<jiff::Timestamp>,
    emergencies_only: bool,
    now: jiff::Timestamp,
) -> anyhow::Result<Vec<Merged>> {
    let cwd = std::env::current_dir()?;
    let tip = Repo::discover(&cwd)?.commit(tip)?;
    let (repo, config_path, prefix, tickets, tip_ws) = locate(config, &tip)?;
    let in_repo = |rel: &str| {
        if prefix.is_empty() {
            rel.to_string()
        } else {
            format!("{prefix}/{rel}")
        }
    };
    let added = repo.added_on_first_parent(&tip, &in_repo(&tickets))?;
    let mut out = Vec::new();
    for added in added {
        if since.is_some_and(|s| added.time < s.as_second()) {
            continue;
        }
        let rel = match prefix.as_str() {
            "" => added.path.clone(),
            p => added.path[p.len() + 1..].to_string(),
        };
        let ticket = match read_text(&repo, &added, &rel) {
            Ok(ticket) => ticket,
            Err(problem) => {
                if !emergencies_only {
                    out.push(unreadable(&rel, &added, problem));
                }
                continue;
            }
        };
        if emergencies_only && *ticket.kind.get_ref() != Kind::Emergency {
            continue;
        }
        let merge = Merge { added, rel };
        out.push(judge_merged(
            &config_path,
            &merge,
            &ticket,
            &tip,
            &tip_ws,
            now,
        )?);
    }
    Ok(out)
}

/// The ticket as the commit that added it holds it (one blob, not the whole tree).
fn read_text(repo: &Repo, added: &Added, rel: &str) -> Result<Ticket, String> {
    let text = repo.text_at(&added.commit, &added.path).ok_or_else(|| {
        format!(
            "`{}` is not a UTF-8 file at {}",
            added.path, added.commit.label
        )
    })?;
    crate::ticket::read_ticket(
        crate::diag::SourceFile::new(format!("{}:{rel}", added.commit.label), text),
        Path::new(rel),
    )
    .map_err(|d| d[0].message.clone())
}

/// A commit time as an instant, whatever the commit claims.
fn instant(seconds: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_second(seconds).unwrap_or(if seconds < 0 {
        jiff::Timestamp::MIN
    } else {
        jiff::Timestamp::MAX
    })
}

/// The zones a ticket's declared changes are in: its own `zone`, else the managed zone
/// holding the name.
fn declared_zones(ticket: &Ticket, zones: &[crate::zone::ManagedZone]) -> Vec<Fqdn> {
    ticket
        .changes
        .iter()
        .filter_map(|c| match &c.zone {
            Some(zone) => Some(zone.get_ref().clone()),
            None => crate::zone::zone_of(zones, c.name.get_ref()).map(|z| z.name.clone()),
        })
        .collect()
}

fn unreadable(rel: &str, added: &Added, problem: String) -> Merged {
    Merged {
        id: Path::new(rel)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        file: rel.to_string(),
        kind: "?",
        commit: added.commit.id.to_string(),
        merged_at: timestamp(added.time),
        tier: None,
        approvals: Vec::new(),
        zones: Vec::new(),
        review: None,
        problem: Some(problem),
    }
}

fn timestamp(seconds: i64) -> String {
    instant(seconds).strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The merged change read again (its parent to its merge commit, by the parent's policy):
/// tier and approvals before merge; for an emergency, its review as the tip holds it, judged
/// as of the merge (its tier then; reviews do not expire) by the tip's signers and groups.
fn judge_merged(
    config: &Path,
    merge: &Merge,
    ticket: &Ticket,
    tip: &crate::git::Commit,
    tip_ws: &crate::workspace::Workspace,
    now: jiff::Timestamp,
) -> anyhow::Result<Merged> {
    let added = &merge.added;
    let merged_at = instant(added.time);
    let emergency = *ticket.kind.get_ref() == Kind::Emergency;
    let mut record = Merged {
        id: ticket.id.get_ref().clone(),
        file: merge.rel.clone(),
        kind: ticket.kind.get_ref().as_str(),
        commit: added.commit.id.to_string(),
        merged_at: timestamp(added.time),
        tier: None,
        approvals: Vec::new(),
        zones: declared_zones(ticket, &tip_ws.zones),
        review: None,
        problem: None,
    };
    // What is due, and by when: the tip's `[emergency]` says.
    let deadline = tip_ws.policy.emergency.as_ref().map(|e| {
        let within = e.get_ref().review_within.get_ref().as_secs() as i64;
        instant(added.time.saturating_add(within))
    });
    let shown = |d: jiff::Timestamp| d.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    // An emergency that cannot be read again cannot be shown reviewed: once its review is
    // due, it holds the zones it declares (fail closed).
    let unjudged = |record: &mut Merged, problem: String| {
        if emergency {
            record.review = Some(Review {
                state: match deadline {
                    None => ReviewState::NotDue,
                    Some(d) if now > d => ReviewState::Overdue,
                    Some(_) => ReviewState::Pending,
                },
                deadline: deadline.map(shown),
                reviewers: Vec::new(),
                missing: Some(problem.clone()),
            });
        }
        record.problem = Some(problem);
    };
    let (pm, plan) = match reread(config, merge, ticket)? {
        Ok(read) => read,
        Err(problem) => {
            unjudged(&mut record, problem);
            return Ok(record);
        }
    };
    let mut zones: Vec<Fqdn> = plan.changes.iter().map(|c| c.zone.clone()).collect();
    zones.append(&mut record.zones);
    zones.sort();
    zones.dedup();
    record.zones = zones;
    let folder = match merge.rel.rsplit_once('/') {
        Some((folder, _)) => format!("{folder}/"),
        None => String::new(),
    };
    let id = ticket.id.get_ref();
    let none = (DeletionFacts::default(), SignalFacts::default());
    let judge = |facts: &approval::ApprovalFacts, policy: &crate::policy::Policy| {
        evaluate(
            &Facts {
                snapshot: None,
                approvals: facts,
                ticket,
                plan: &plan,
                deletions: &none.0,
                signals: &none.1,
                now: merged_at,
            },
            policy,
        )
    };
    // Before merge: the approvals the merge commit holds, as of the merge.
    let at_merge = pm.head_files()?;
    let mut upfront = approval::gather(
        &at_merge,
        &format!("{folder}{id}.approvals"),
        ticket,
        plan.digest(),
        pm.ws.signers.as_ref(),
        merged_at,
    )?;
    upfront.committers = pm.ticket_committers(&merge.rel)?;
    let verdict = judge(&upfront, &pm.ws.policy);
    record.tier = verdict.tier.clone();
    record.approvals = verdict
        .approvals
        .valid
        .iter()
        .map(|a| a.approver.clone())
        .collect();
    if !emergency {
        return Ok(record);
    }
    let Some(deadline) = deadline else {
        record.review = Some(Review {
            state: ReviewState::NotDue,
            deadline: None,
            reviewers: Vec::new(),
            missing: None,
        });
        return Ok(record);
    };
    // After merge: the reviews the tip holds, of this merge, for the tier's full approvals.
    let at_tip = pm.repo.files_at(tip, &pm.prefix)?;
    let mut reviews = approval::gather(
        &at_tip,
        &format!("{folder}{id}.reviews"),
        ticket,
        plan.digest(),
        tip_ws.signers.as_ref(),
        now,
    )?;
    reviews.review_of = Some(added.commit.id.to_string());
    reviews.judged_at = Some(now);
    // Whoever wrote the change never reviews it.
    reviews.committers = upfront.committers.clone();
    let verdict = judge(&reviews, &tip_ws.policy);
    let missing = verdict
        .reasons
        .iter()
        .find(|r| r.code == Code::ApprovalsMissing)
        .map(|r| r.message.clone());
    record.review = Some(Review {
        state: match (&missing, now > deadline) {
            (None, _) => ReviewState::Reviewed,
            (Some(_), false) => ReviewState::Pending,
            (Some(_), true) => ReviewState::Overdue,
        },
        deadline: Some(shown(deadline)),
        reviewers: verdict
            .approvals
            .valid
            .iter()
            .filter(|a| a.fills.is_some())
            .map(|a| a.approver.clone())
            .collect(),
        missing,
    });
    Ok(record)
}

/// The merged change read again, and the ticket's plan in it: the diff of the commit that
/// added the ticket. When that commit does not hold every change the ticket declares (a
/// rebase or fast-forward merge split the change over commits), the plan is the declared one,
/// as it was checked and approved before merge. `Err` says why it cannot be read.
fn reread(
    config: &Path,
    merge: &Merge,
    ticket: &Ticket,
) -> anyhow::Result<Result<(PreMerge, crate::plan::Plan), String>> {
    let added = &merge.added;
    let Some(parent) = added.parent.clone() else {
        return Ok(Err(
            "it was added by the first commit: there is no change to read".into(),
        ));
    };
    let cwd = std::env::current_dir()?;
    let pm = match PreMerge::between(
        Repo::discover(&cwd)?,
        Some(config),
        parent,
        added.commit.clone(),
        &[],
    ) {
        Ok(pm) => pm,
        Err(Failure::Invalid(d)) => {
            return Ok(Err(format!(
                "its change cannot be read again: {}",
                d[0].message
            )));
        }
        Err(Failure::CannotEvaluate(e)) => {
            return Ok(Err(format!("its change cannot be read again: {e}")));
        }
    };
    let mut plan = pm.plan(
        ticket,
        &mut vec![false; pm.diff.changes.len()],
        instant(added.time),
    );
    if !plan.not_in_diff.is_empty() {
        plan = match crate::plan::Plan::from_ticket(ticket, &pm.ws.zones) {
            Ok(plan) => plan,
            Err(d) => {
                return Ok(Err(format!(
                    "the commit that added it holds only part of its change, and its declared plan cannot be read: {}",
                    d[0].message
                )));
            }
        };
    }
    Ok(Ok((pm, plan)))
}

/// What a retrospective review signs: the merged change read again, the ticket as it merged,
/// its plan (as `check` judges reviews), its path relative to the config's folder, and the
/// merge commit.
pub struct Reviewed {
    pub pm: PreMerge,
    pub ticket: Ticket,
    pub plan: crate::plan::Plan,
    pub rel: String,
    pub commit: String,
    /// The branch's own workspace, whose signers and groups judge reviews.
    pub tip: crate::workspace::Workspace,
    /// When it merged: reviews are judged as of then (the tier it merged at).
    pub merged_at: jiff::Timestamp,
}

/// An emergency ticket's merge, for its retrospective review: the merged change read again,
/// the ticket as it merged, its path relative to the config's folder, and the merge commit.
/// `None` when `ticket` is not an emergency merged on the branch it is run on: its first-parent
/// history, as far as the default branch (`origin/HEAD`, `origin/main`, `main`, ...) has it,
/// so that a pull request's own commit is never taken for the merge.
pub fn merge_of(config: Option<&Path>, ticket: &Path) -> anyhow::Result<Option<Reviewed>> {
    let cwd = std::env::current_dir()?;
    let Ok(repo) = Repo::discover(&cwd) else {
        return Ok(None);
    };
    let Ok(tip) = repo.commit("HEAD") else {
        return Ok(None);
    };
    let Ok(wanted) = repo.relative(ticket) else {
        return Ok(None);
    };
    let default = [
        "origin/HEAD",
        "origin/main",
        "origin/master",
        "main",
        "master",
    ]
    .iter()
    .find_map(|name| repo.commit(name).ok());
    drop(repo);
    let (repo, config_path, prefix, tickets, tip_ws) = locate(config, &tip)?;
    let folder = if prefix.is_empty() {
        tickets.clone()
    } else {
        format!("{prefix}/{tickets}")
    };
    let Some(added) = repo
        .added_on_first_parent(&tip, &folder)?
        .into_iter()
        .find(|a| a.path == wanted)
    else {
        return Ok(None);
    };
    if default.is_some_and(|branch| !repo.is_ancestor(&added.commit, &branch)) {
        return Ok(None);
    }
    let rel = match prefix.as_str() {
        "" => added.path.clone(),
        p => added.path[p.len() + 1..].to_string(),
    };
    let merged = read_text(&repo, &added, &rel).map_err(anyhow::Error::msg)?;
    if *merged.kind.get_ref() != Kind::Emergency {
        return Ok(None);
    }
    let commit = added.commit.id.to_string();
    let merged_at = instant(added.time);
    drop(repo);
    let merge = Merge { added, rel };
    match reread(&config_path, &merge, &merged)? {
        Ok((pm, plan)) => Ok(Some(Reviewed {
            pm,
            ticket: merged,
            plan,
            rel: merge.rel,
            commit,
            tip: tip_ws,
            merged_at,
        })),
        Err(problem) => anyhow::bail!(
            "the merged change of `{}` cannot be reviewed: {problem}",
            merge.rel
        ),
    }
}

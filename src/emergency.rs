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
use crate::zone::Files;

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

/// Where the config lives in the repository: (repository, config path, prefix, tickets folder
/// relative to the prefix).
fn locate(
    config: Option<&Path>,
    tip: &crate::git::Commit,
) -> anyhow::Result<(Repo, PathBuf, String, String)> {
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
    Ok((repo, config_path, prefix, tickets))
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
    let (repo, config_path, prefix, tickets) = locate(config, &tip)?;
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
        let files = repo.files_at(&added.commit, &prefix)?;
        let ticket = match read_at(&files, &rel) {
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
        drop(files);
        let merge = Merge { added, rel };
        out.push(judge_merged(&config_path, &merge, &ticket, &tip, now)?);
    }
    Ok(out)
}

fn read_at(files: &dyn Files, rel: &str) -> Result<Ticket, String> {
    let text = files.read(rel)?;
    crate::ticket::read_ticket(
        crate::diag::SourceFile::new(files.display(rel), text),
        Path::new(rel),
    )
    .map_err(|d| d[0].message.clone())
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
    jiff::Timestamp::from_second(seconds)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// The merged change read again (its parent to its merge commit, by the parent's policy):
/// tier, approvals before merge, and for an emergency its review as the tip holds it.
fn judge_merged(
    config: &Path,
    merge: &Merge,
    ticket: &Ticket,
    tip: &crate::git::Commit,
    now: jiff::Timestamp,
) -> anyhow::Result<Merged> {
    let added = &merge.added;
    let merged_at = jiff::Timestamp::from_second(added.time)?;
    let mut record = Merged {
        id: ticket.id.get_ref().clone(),
        file: merge.rel.clone(),
        kind: ticket.kind.get_ref().as_str(),
        commit: added.commit.id.to_string(),
        merged_at: timestamp(added.time),
        tier: None,
        approvals: Vec::new(),
        zones: Vec::new(),
        review: None,
        problem: None,
    };
    let Some(parent) = added.parent.clone() else {
        record.problem =
            Some("it was added by the first commit: there is no change to read".into());
        return Ok(record);
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
            record.problem = Some(format!("its change cannot be read again: {}", d[0].message));
            return Ok(record);
        }
        Err(Failure::CannotEvaluate(e)) => {
            record.problem = Some(format!("its change cannot be read again: {e}"));
            return Ok(record);
        }
    };
    let plan = pm.plan(ticket, &mut vec![false; pm.diff.changes.len()], merged_at);
    let mut zones: Vec<Fqdn> = plan.changes.iter().map(|c| c.zone.clone()).collect();
    zones.sort();
    zones.dedup();
    record.zones = zones;
    let folder = match merge.rel.rsplit_once('/') {
        Some((folder, _)) => format!("{folder}/"),
        None => String::new(),
    };
    let id = ticket.id.get_ref();
    let signers = pm.ws.signers.as_ref();
    let none = (DeletionFacts::default(), SignalFacts::default());
    let judge = |facts: &approval::ApprovalFacts, at: jiff::Timestamp| {
        evaluate(
            &Facts {
                snapshot: None,
                approvals: facts,
                ticket,
                plan: &plan,
                deletions: &none.0,
                signals: &none.1,
                now: at,
            },
            &pm.ws.policy,
        )
    };
    // Before merge: the approvals the merge commit holds, as of the merge.
    let at_merge = pm.head_files()?;
    let upfront = approval::gather(
        &at_merge,
        &format!("{folder}{id}.approvals"),
        ticket,
        plan.digest(),
        signers,
        merged_at,
    )?;
    let verdict = judge(&upfront, merged_at);
    record.tier = verdict.tier.clone();
    record.approvals = verdict
        .approvals
        .valid
        .iter()
        .map(|a| a.approver.clone())
        .collect();
    if *ticket.kind.get_ref() != Kind::Emergency {
        return Ok(record);
    }
    let Some(emergency) = &pm.ws.policy.emergency else {
        record.review = Some(Review {
            state: ReviewState::NotDue,
            deadline: None,
            reviewers: Vec::new(),
            missing: None,
        });
        return Ok(record);
    };
    let within = emergency.get_ref().review_within.get_ref().as_secs() as i64;
    let deadline = jiff::Timestamp::from_second(added.time.saturating_add(within))?;
    // After merge: the reviews the tip holds, of this merge, by the tier's full approvals.
    let at_tip = pm.repo.files_at(tip, &pm.prefix)?;
    let mut reviews = approval::gather(
        &at_tip,
        &format!("{folder}{id}.reviews"),
        ticket,
        plan.digest(),
        signers,
        now,
    )?;
    reviews.review_of = Some(added.commit.id.to_string());
    let verdict = judge(&reviews, now);
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
        deadline: Some(deadline.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()),
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

/// An emergency ticket's merge, for its retrospective review: the merged change read again
/// (its merge commit's parent to the merge commit), the ticket as it merged, its path relative
/// to the config's folder, and the merge commit. `None` when `ticket` is not an emergency
/// ticket merged on the first-parent history of `HEAD`.
pub fn merge_of(
    config: Option<&Path>,
    ticket: &Path,
) -> anyhow::Result<Option<(PreMerge, Ticket, String, String)>> {
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
    drop(repo);
    let (repo, config_path, prefix, tickets) = locate(config, &tip)?;
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
    let rel = match prefix.as_str() {
        "" => added.path.clone(),
        p => added.path[p.len() + 1..].to_string(),
    };
    let merged =
        read_at(&repo.files_at(&added.commit, &prefix)?, &rel).map_err(anyhow::Error::msg)?;
    if *merged.kind.get_ref() != Kind::Emergency {
        return Ok(None);
    }
    let Some(parent) = added.parent.clone() else {
        return Ok(None);
    };
    let commit = added.commit.id.to_string();
    let pm = PreMerge::between(repo, Some(&config_path), parent, added.commit, &[]).map_err(
        |f| match f {
            Failure::Invalid(d) => {
                anyhow::anyhow!("the merged change cannot be read again: {}", d[0].message)
            }
            Failure::CannotEvaluate(e) => e,
        },
    )?;
    Ok(Some((pm, merged, rel, commit)))
}

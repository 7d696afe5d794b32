//! Step 7: which approvals count. A signature that verified still counts only if it signs
//! this ticket's current digest and plan at the current tier, is younger than the tier's
//! `approval_ttl`, is not the author's, and comes from a member of a required group. Each
//! person counts once (by principal and by key), each approval fills at most one requirement,
//! and a maximum matching decides who fills what.

use super::Facts;
use crate::diag::Location;
use crate::policy::{Policy, Requirement, Tier};
use crate::verdict::{ApprovalEntry, Code, Item, TicketVerdict};

/// Clock skew tolerated for `signed_at` in the future.
const SKEW: jiff::SignedDuration = jiff::SignedDuration::from_secs(300);

pub(super) fn judge(facts: &Facts<'_>, policy: &Policy, tier: &Tier, v: &mut TicketVerdict) {
    let ticket = facts.ticket;
    let a = facts.approvals;
    let tier_name = tier.name.get_ref();
    let author = ticket.author.get_ref();
    let at = Location::new(&ticket.file, ticket.id.span());
    v.approvals.required = tier.require.clone();

    let refuse = |v: &mut TicketVerdict, code: Code, approver: &str, file: &str, reason: String| {
        v.reasons.push(
            Item::new(
                code,
                format!("the approval by `{approver}` ({file}) does not count: {reason}"),
            )
            .at(at.clone()),
        );
        v.approvals.invalid.push(ApprovalEntry {
            approver: approver.to_string(),
            file: file.to_string(),
            fills: None,
            signed_at: None,
            code: Some(code),
            reason: Some(reason),
        });
    };

    for r in &a.rejected {
        refuse(
            v,
            Code::ApprovalInvalid,
            &r.principal,
            &r.file,
            r.reason.clone(),
        );
    }

    // Candidates: verified, current, and eligible; (principal, key, groups they can fill).
    let mut candidates: Vec<(&crate::approval::Checked, Vec<usize>)> = Vec::new();
    for c in &a.checked {
        let m = &c.message;
        let (code, reason) = if let Some(reason) = kind_mismatch(m, a.review_of.as_deref()) {
            (Code::ApprovalInvalid, reason)
        } else if m.ticket != *ticket.id.get_ref() {
            (
                Code::ApprovalInvalid,
                format!(
                    "it approves ticket `{}`, not `{}` (copied from another ticket?)",
                    m.ticket,
                    ticket.id.get_ref()
                ),
            )
        } else if m.digest != a.ticket_digest {
            (
                Code::ApprovalStale,
                "the ticket was edited after it was approved".to_string(),
            )
        } else if m.plan != a.plan_digest && m.plan == facts.plan.digest_v1() {
            (
                Code::ApprovalStale,
                "it signs the plan as `changegate plan v1`, which does not say what the change replaces; approve again to sign `changegate plan v2`".to_string(),
            )
        } else if m.plan != a.plan_digest {
            let replaced = facts.plan.replaced();
            (
                Code::ApprovalStale,
                if replaced.is_empty() {
                    "the planned DNS changes differ from the ones approved".to_string()
                } else {
                    format!(
                        "the planned DNS changes, or the state they start from, differ from the ones approved (the base may have moved under the change); now {}",
                        replaced.join("; ")
                    )
                },
            )
        } else if m.tier != *tier_name {
            (
                Code::ApprovalStale,
                format!(
                    "it was given at tier `{}`; the ticket is now tier `{tier_name}`",
                    m.tier
                ),
            )
        } else if m.signed_at > a.judged_at.unwrap_or(facts.now) + SKEW {
            (
                Code::ApprovalInvalid,
                format!("it claims to be signed in the future ({})", m.signed_at),
            )
        } else if let Some(ttl) = tier
            .approval_ttl
            .as_ref()
            .map(|t| *t.get_ref())
            // A review is the record of a change already made: it does not expire.
            .filter(|_| a.review_of.is_none())
            .filter(|ttl| {
                m.signed_at + jiff::SignedDuration::from_secs(ttl.as_secs() as i64) < facts.now
            })
        {
            (
                Code::ApprovalStale,
                format!(
                    "it expired: signed at {}, and approvals for tier `{tier_name}` last {ttl}",
                    m.signed_at
                ),
            )
        } else if c.signed_by(author) {
            (
                Code::SelfApproval,
                format!("`{author}` wrote the change, and the author never approves it"),
            )
        } else if let Some(committer) = a.committers.iter().find(|p| c.signed_by(p)) {
            (
                Code::SelfApproval,
                format!(
                    "`{committer}` is one of the change's authors (a commit in the range edits the ticket, or `--author` names them), and an author never approves"
                ),
            )
        } else {
            let groups: Vec<usize> = tier
                .require
                .iter()
                .enumerate()
                .filter(|(_, r)| in_group(policy, &r.group, &m.approver))
                .map(|(i, _)| i)
                .collect();
            if groups.is_empty() {
                let names: Vec<String> = tier
                    .require
                    .iter()
                    .map(|r| format!("`{}`", r.group))
                    .collect();
                (
                    Code::ApprovalInvalid,
                    if names.is_empty() {
                        format!("tier `{tier_name}` requires no approvals")
                    } else {
                        format!(
                            "`{}` is not in {}, the group(s) tier `{tier_name}` requires",
                            m.approver,
                            names.join(" or ")
                        )
                    },
                )
            } else if let Some((other, _)) = candidates.iter().find(|(o, _)| o.key == c.key) {
                (
                    Code::ApprovalInvalid,
                    format!(
                        "it is signed with the same key as the approval by `{}`: one person counts once",
                        other.message.approver
                    ),
                )
            } else if let Some((other, _)) = candidates
                .iter()
                .find(|(o, _)| c.signed_by(&o.message.approver) || o.signed_by(&m.approver))
            {
                (
                    Code::ApprovalInvalid,
                    format!(
                        "`{}` already approved as `{}`: one person counts once, whatever keys they hold",
                        m.approver, other.message.approver
                    ),
                )
            } else {
                candidates.push((c, groups));
                continue;
            }
        };
        refuse(v, code, &m.approver, &c.file, reason);
    }

    // Slots: one per approval needed; a maximum bipartite matching fills them.
    let slots: Vec<usize> = tier
        .require
        .iter()
        .enumerate()
        .flat_map(|(i, r)| std::iter::repeat_n(i, r.count as usize))
        .collect();
    let eligible: Vec<Vec<usize>> = candidates
        .iter()
        .map(|(_, groups)| {
            (0..slots.len())
                .filter(|s| groups.contains(&slots[*s]))
                .collect()
        })
        .collect();
    let assigned = max_matching(&eligible, slots.len());
    for (i, (c, _)) in candidates.iter().enumerate() {
        let fills = assigned
            .iter()
            .position(|owner| *owner == Some(i))
            .map(|slot| tier.require[slots[slot]].group.clone());
        v.approvals.valid.push(ApprovalEntry {
            approver: c.message.approver.clone(),
            file: c.file.clone(),
            fills,
            signed_at: Some(
                c.message
                    .signed_at
                    .strftime("%Y-%m-%dT%H:%M:%SZ")
                    .to_string(),
            ),
            code: None,
            reason: None,
        });
    }

    let missing: Vec<Requirement> = tier
        .require
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let filled = slots
                .iter()
                .zip(&assigned)
                .filter(|(g, owner)| **g == i && owner.is_some())
                .count() as u32;
            (filled < r.count).then(|| Requirement {
                group: r.group.clone(),
                count: r.count - filled,
                span: r.span.clone(),
            })
        })
        .collect();
    if !missing.is_empty() {
        let approved: Vec<&str> = candidates
            .iter()
            .map(|(c, _)| c.message.approver.as_str())
            .collect();
        v.reasons.push(
            Item::new(
                Code::ApprovalsMissing,
                needed(&missing, facts, policy, tier_name, &approved),
            )
            .at(at),
        );
    }
}

/// Why an approval is the wrong kind: a review where an approval before merge is needed, an
/// approval where the review of a merge is, or the review of another merge.
fn kind_mismatch(m: &crate::approval::Message, review_of: Option<&str>) -> Option<String> {
    match (review_of, &m.merged) {
        (None, Some(merged)) => Some(format!(
            "it is a review of the merged change {}, signed after the fact: it cannot stand in for an approval before merge",
            &merged[..merged.len().min(12)]
        )),
        (Some(_), None) => Some(
            "it is an approval signed before merge; the emergency's review is a new signature (`changegate approve` on the branch it merged into)".into(),
        ),
        (Some(expected), Some(merged)) if expected != merged => Some(format!(
            "it reviews the merge {}, not {}",
            &merged[..merged.len().min(12)],
            &expected[..expected.len().min(12)]
        )),
        _ => None,
    }
}

fn in_group(policy: &Policy, group: &str, principal: &str) -> bool {
    policy
        .groups
        .get(group)
        .is_some_and(|g| g.members.iter().any(|m| m.get_ref() == principal))
}

/// Kuhn's augmenting paths: `eligible[c]` lists the slots candidate `c` may fill; returns
/// the candidate in each slot. Sizes are a handful, so simplicity wins.
fn max_matching(eligible: &[Vec<usize>], slots: usize) -> Vec<Option<usize>> {
    fn augment(
        c: usize,
        eligible: &[Vec<usize>],
        owner: &mut [Option<usize>],
        seen: &mut [bool],
    ) -> bool {
        for &s in &eligible[c] {
            if seen[s] {
                continue;
            }
            seen[s] = true;
            if owner[s].is_none_or(|other| augment(other, eligible, owner, seen)) {
                owner[s] = Some(c);
                return true;
            }
        }
        false
    }
    let mut owner = vec![None; slots];
    for c in 0..eligible.len() {
        augment(c, eligible, &mut owner, &mut vec![false; slots]);
    }
    owner
}

/// What is still needed, naming who can still give it.
fn needed(
    missing: &[Requirement],
    facts: &Facts<'_>,
    policy: &Policy,
    tier: &str,
    approved: &[&str],
) -> String {
    let author = facts.ticket.author.get_ref();
    let parts: Vec<String> = missing
        .iter()
        .map(|r| {
            let eligible: Vec<&str> = policy
                .groups
                .get(&r.group)
                .map(|g| {
                    g.members
                        .iter()
                        .map(|m| m.get_ref().as_str())
                        .filter(|m| m != author && !approved.contains(m))
                        .collect()
                })
                .unwrap_or_default();
            let who = if eligible.is_empty() {
                "nobody left in the group can approve".to_string()
            } else {
                format!("from {}", eligible.join(", "))
            };
            format!("{} more from `{}` ({who})", r.count, r.group)
        })
        .collect();
    format!(
        "tier `{tier}` still needs {}; approvers must be distinct, and the author `{author}` never counts",
        parts.join(" and ")
    )
}

#[cfg(test)]
mod tests {
    use super::max_matching;

    #[test]
    fn matching_finds_an_assignment_when_one_exists() {
        // Slots: 0 = leads, 1 = cab. Alice can fill both, Bob only leads: Alice must take cab.
        let owner = max_matching(&[vec![0, 1], vec![0]], 2);
        assert_eq!(owner, [Some(1), Some(0)]);
        // One person cannot fill two slots.
        assert_eq!(max_matching(&[vec![0, 1]], 2).iter().flatten().count(), 1);
    }
}

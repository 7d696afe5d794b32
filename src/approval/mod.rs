//! Signed approvals: who may sign off (`allowed_signers`), the exact message they sign, the
//! `.sig` files that hold it, checking them, and signing new ones with an SSH key.
//!
//! Verification here is cryptographic and pure (no I/O): whether a valid approval *counts*
//! for a tier is the gate's decision.

mod file;
mod message;
pub mod sign;
mod signers;
mod verify;

pub use crate::model::sha256;

pub use file::{FoundApproval, SigFile, beside, read_approvals, write_approval};
pub use message::{Message, is_digest};
pub use signers::{AllowedSigners, SignerEntry, read_allowed_signers};
pub use verify::{Checked, Rejection, check};

/// The SSHSIG namespace of every approval.
pub const NAMESPACE: &str = "changegate";

/// Whether two principals name one person: equal with ASCII case ignored, as mail addresses
/// are in practice. Used to keep authors from approving and people from counting twice; a
/// key is still granted only to the exact spelling `allowed_signers` gives it.
pub fn same_principal(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Whether whoever signs as `principal` with a key that `allowed_signers` gives to the
/// principal lists `key_principals` is `person`: the same principal ([`same_principal`]), or
/// a key registered to them too. The one rule for keeping authors from approving.
pub fn is_person<'a>(
    principal: &str,
    mut key_principals: impl Iterator<Item = &'a [String]>,
    person: &str,
) -> bool {
    same_principal(principal, person)
        || key_principals.any(|list| signers::list_names(list, person, true))
}

/// A principal used as a file name (`<principal>.sig`): a literal name, not a pattern, that
/// cannot leave the approvals folder or hide in it.
pub fn check_file_principal(principal: &str) -> Result<(), String> {
    let bad = if principal.is_empty() {
        Some("it is empty")
    } else if principal.len() > 200 {
        Some("it is longer than 200 bytes")
    } else if principal.starts_with('.') {
        Some("it starts with `.`")
    } else if principal.contains(['/', '\\']) {
        Some("it contains a path separator")
    } else if principal.contains(['*', '?', '!']) {
        Some("it is a pattern, not one person's name")
    } else if principal
        .chars()
        .any(|c| c.is_control() || c.is_whitespace())
    {
        Some("it contains a control or space character")
    } else {
        None
    };
    match bad {
        Some(why) => Err(format!(
            "`{}` cannot name an approval file: {why}",
            principal.escape_debug()
        )),
        None => Ok(()),
    }
}

/// A ticket's approvals, their signatures already checked, for the gate to judge.
#[derive(Clone, Debug, Default)]
pub struct ApprovalFacts {
    /// `sha256:` of the ticket file's bytes.
    pub ticket_digest: String,
    /// `sha256:` of the plan's canonical text.
    pub plan_digest: String,
    pub checked: Vec<Checked>,
    pub rejected: Vec<Rejection>,
    /// Authors beyond the ticket's own `author`: with `--base`, the authors of the commits in
    /// the range that add or edit the ticket, and whoever `--author` names. They wrote the
    /// change as much as its `author` did.
    pub committers: Vec<String>,
    /// For a retrospective review: the commit that merged the change. Only reviews of that
    /// merge count then; otherwise reviews never count.
    pub review_of: Option<String>,
    /// For a review judged as of its merge: the instant it is judged in fact, which a
    /// signature may not claim to be later than.
    pub judged_at: Option<jiff::Timestamp>,
}

/// Reads and checks every approval of a ticket: the `*.sig` files in `dir` of `files`.
pub fn gather(
    files: &dyn crate::zone::Files,
    dir: &str,
    ticket: &crate::ticket::Ticket,
    plan_digest: String,
    signers: Option<&AllowedSigners>,
    now: jiff::Timestamp,
) -> anyhow::Result<ApprovalFacts> {
    let mut facts = ApprovalFacts {
        ticket_digest: sha256(ticket.file.text.as_bytes()),
        plan_digest,
        ..Default::default()
    };
    for found in read_approvals(files, dir)? {
        match check(&found, signers, now) {
            Ok(checked) => facts.checked.push(checked),
            Err(rejection) => facts.rejected.push(rejection),
        }
    }
    Ok(facts)
}

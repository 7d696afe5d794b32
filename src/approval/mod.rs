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

use sha2::{Digest, Sha256};

pub use file::{FoundApproval, SigFile, beside, read_approvals, write_approval};
pub use message::{Message, is_digest};
pub use signers::{AllowedSigners, SignerEntry, read_allowed_signers};
pub use verify::{Checked, Rejection, check};

/// The SSHSIG namespace of every approval.
pub const NAMESPACE: &str = "changegate";

/// A ticket's approvals, their signatures already checked, for the gate to judge.
#[derive(Clone, Debug, Default)]
pub struct ApprovalFacts {
    /// `sha256:` of the ticket file's bytes.
    pub ticket_digest: String,
    /// `sha256:` of the plan's canonical text.
    pub plan_digest: String,
    pub checked: Vec<Checked>,
    pub rejected: Vec<Rejection>,
}

/// Reads and checks every approval of a ticket: the `*.sig` files in `dir` of `files`.
pub fn gather(
    files: &dyn crate::zone::Files,
    dir: &str,
    ticket: &crate::ticket::Ticket,
    plan: &crate::plan::Plan,
    signers: Option<&AllowedSigners>,
    now: jiff::Timestamp,
) -> anyhow::Result<ApprovalFacts> {
    let mut facts = ApprovalFacts {
        ticket_digest: sha256(ticket.file.text.as_bytes()),
        plan_digest: plan.digest(),
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

/// `sha256:<hex>` of some bytes.
pub fn sha256(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let mut out = String::with_capacity(71);
    out.push_str("sha256:");
    for byte in hash {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

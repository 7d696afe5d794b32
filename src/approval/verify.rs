//! Checking one approval file: that it is well formed, names its approver, and carries an
//! SSHSIG in the `changegate` namespace by a key that `allowed_signers` gives that approver,
//! valid now. Whether it *counts* (digests, tier, groups, author, age) is the gate's call.

use ssh_key::{HashAlg, SshSig};

use super::file::FoundApproval;
use super::{AllowedSigners, Message, NAMESPACE};

/// An approval whose signature verified.
#[derive(Clone, Debug)]
pub struct Checked {
    pub file: String,
    pub message: Message,
    /// `SHA256:...` of the signing key: two approvals by one key are one person.
    pub key: String,
    /// The principals list of every `allowed_signers` line holding the signing key: whoever
    /// the key belongs to is the signer, whatever name the message uses.
    pub key_principals: Vec<Vec<String>>,
}

impl Checked {
    /// Whether the person who signed this is `person` ([`super::is_person`]).
    pub fn signed_by(&self, person: &str) -> bool {
        super::is_person(
            &self.message.approver,
            self.key_principals.iter().map(Vec::as_slice),
            person,
        )
    }
}

/// An approval that is not valid, with the reason.
#[derive(Clone, Debug)]
pub struct Rejection {
    pub file: String,
    pub principal: String,
    pub reason: String,
}

/// Checks one file's format and signature against `allowed_signers` at `now`.
pub fn check(
    found: &FoundApproval,
    signers: Option<&AllowedSigners>,
    now: jiff::Timestamp,
) -> Result<Checked, Rejection> {
    let reject = |reason: String| Rejection {
        file: found.file.clone(),
        principal: found.principal.clone(),
        reason,
    };
    let sig_file = found
        .content
        .as_ref()
        .map_err(|e| reject(format!("malformed approval file: {e}")))?;
    let message = Message::parse(&sig_file.message)
        .map_err(|e| reject(format!("malformed approval message: {e}")))?;
    if message.approver != found.principal {
        return Err(reject(format!(
            "the file is named for `{}` but the message is signed as `{}`",
            found.principal, message.approver
        )));
    }
    let sig = SshSig::from_pem(sig_file.signature.trim().as_bytes())
        .map_err(|e| reject(format!("`signature` is not an armored SSH signature: {e}")))?;
    if sig.namespace() != NAMESPACE {
        return Err(reject(format!(
            "signed in the namespace `{}`, not `{NAMESPACE}`",
            sig.namespace()
        )));
    }
    let Some(signers) = signers else {
        return Err(reject(
            "the policy names no `allowed_signers` file to check it against".into(),
        ));
    };
    let fingerprint = sig.public_key().fingerprint(HashAlg::Sha256).to_string();
    let holders: Vec<_> = signers.entries_for_key(sig.public_key()).collect();
    if holders.is_empty() {
        return Err(reject(format!(
            "signed by the key {fingerprint}, which is not in `{}`",
            signers.file.name
        )));
    }
    let Some(entry) = holders.iter().find(|e| e.names(&message.approver)) else {
        let owners: Vec<String> = holders.iter().flat_map(|e| e.principals.clone()).collect();
        return Err(reject(format!(
            "signed with the key of {}, not of `{}`",
            owners
                .iter()
                .map(|o| format!("`{o}`"))
                .collect::<Vec<_>>()
                .join(", "),
            message.approver
        )));
    };
    for at in [now, message.signed_at] {
        if let Some(why) = entry.refuses(NAMESPACE, at) {
            return Err(reject(why));
        }
    }
    entry
        .key
        .verify(NAMESPACE, sig_file.message.as_bytes(), &sig)
        .map_err(|_| {
            reject(
                "the signature does not verify: the message was altered or the signature forged"
                    .into(),
            )
        })?;
    let key_principals = holders.iter().map(|e| e.principals.clone()).collect();
    Ok(Checked {
        file: found.file.clone(),
        message,
        key: fingerprint,
        key_principals,
    })
}

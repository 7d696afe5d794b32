//! Approvals: who may sign off (`allowed_signers`) and, later, the signed approvals
//! themselves.

mod signers;

pub use signers::{AllowedSigners, SignerEntry, read_allowed_signers};

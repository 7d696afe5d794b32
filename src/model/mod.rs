//! Small domain types shared by tickets, policies and evidence: DNS names, name patterns,
//! record types, durations and scopes. Each parses from the text a user writes and reports
//! what is wrong in a sentence that can be shown next to that text.

mod duration;
mod format;
mod name;
mod record_type;
mod scope;

pub use duration::Duration;
pub use format::{display_path, ser_timestamp, sha256};
pub(crate) use name::glob_match;
pub use name::{Fqdn, NamePattern};
pub use record_type::RecordType;
pub use scope::Scope;

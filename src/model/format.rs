//! How values are written out, the same everywhere: content digests (`sha256:<hex>`, for
//! tickets and plans alike), paths as a person types them, and instants.

use sha2::{Digest, Sha256};

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

/// A path as the user would type it: relative to the current directory where possible.
pub fn display_path(path: &std::path::Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    let shown = path.strip_prefix(&cwd).unwrap_or(path);
    let shown = shown.strip_prefix("./").unwrap_or(shown);
    shown.display().to_string()
}

/// An instant as RFC 3339 in UTC, to the second: how every timestamp is written out.
pub fn ser_timestamp<S: serde::Serializer>(t: &jiff::Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&t.strftime("%Y-%m-%dT%H:%M:%SZ"))
}

//! Snapshot files: the last-known-good answers, versioned JSON, stable and diff-friendly
//! (entries sorted by name and type, resolvers by address), written atomically.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use super::answer::Answer;

pub const VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    pub version: u32,
    /// When the answers were taken (RFC 3339).
    pub taken_at: String,
    /// The resolvers asked, by address.
    pub resolvers: Vec<String>,
    pub entries: Vec<Entry>,
}

/// One question and every resolver's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub name: String,
    #[serde(rename = "type")]
    pub rtype: String,
    /// Answers by resolver address.
    pub answers: BTreeMap<String, Answer>,
}

impl Snapshot {
    /// Reads and checks a snapshot file; the error says what is wrong and where.
    pub fn read(path: &Path) -> Result<Self, String> {
        let text = crate::zone::files::read_named(path)
            .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parses a snapshot's text and checks its version; `shown` names the file in errors.
    fn parse(text: &str, shown: &str) -> Result<Self, String> {
        let snapshot: Snapshot = serde_json::from_str(text).map_err(|e| {
            format!(
                "`{shown}` is not a changegate snapshot (line {}, column {}: {e})",
                e.line(),
                e.column()
            )
        })?;
        if snapshot.version != VERSION {
            return Err(format!(
                "`{shown}` is a version {} snapshot; this changegate reads version {VERSION}",
                snapshot.version
            ));
        }
        Ok(snapshot)
    }

    /// Writes the snapshot next to `path` and renames it into place, so a reader never sees half
    /// a file.
    pub fn write(&self, path: &Path) -> anyhow::Result<()> {
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        crate::zone::files::write_whole(path, text.as_bytes(), true)
            .with_context(|| format!("cannot write `{}`", path.display()))
    }

    /// Reads a snapshot through `files` (the work tree or a commit): the names it covers, or
    /// why it cannot serve as a last-known-good.
    pub fn coverage(files: &dyn crate::zone::Files, path: &str) -> Result<Vec<String>, String> {
        let shown = files.display(path);
        let text = files
            .read(path)
            .map_err(|e| format!("`{shown}` cannot be read: {e}"))?;
        let snapshot = Self::parse(&text, &shown)?;
        Ok(snapshot.names().into_iter().map(str::to_string).collect())
    }

    /// The names the snapshot covers.
    pub fn names(&self) -> std::collections::BTreeSet<&str> {
        self.entries.iter().map(|e| e.name.as_str()).collect()
    }
}

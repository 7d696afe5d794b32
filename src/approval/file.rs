//! Approval files: `changes/<ID>.approvals/<principal>.sig`, one per approver so approvers
//! never conflict. Each is TOML with the exact signed `message` and the armored `signature`,
//! so an auditor can check it with nothing but `ssh-keygen`.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::zone::{Files, FsFiles};
use serde::{Deserialize, Serialize};

/// The contents of a `.sig` file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigFile {
    /// The exact text that was signed.
    pub message: String,
    /// `-----BEGIN SSH SIGNATURE-----` ... `-----END SSH SIGNATURE-----`.
    pub signature: String,
}

/// One file found in a ticket's approvals folder.
#[derive(Clone, Debug)]
pub struct FoundApproval {
    /// The path as shown to the user.
    pub file: String,
    /// The principal the file is named after.
    pub principal: String,
    pub content: Result<SigFile, String>,
}

/// Where the approvals of a ticket file on disk live: the folder beside it
/// (`changes/CHG-1042.toml` → `changes/` and `CHG-1042.approvals`).
pub fn beside(ticket_path: &Path, id: &str) -> (FsFiles, String) {
    let root = ticket_path.parent().unwrap_or(Path::new("")).to_path_buf();
    (FsFiles { root }, format!("{id}.approvals"))
}

/// Reads every `*.sig` in `dir` (relative to `files`); unreadable or malformed files are
/// kept, with the reason.
pub fn read_approvals(files: &dyn Files, dir: &str) -> anyhow::Result<Vec<FoundApproval>> {
    let pattern = format!("{}/*.sig", glob::Pattern::escape(dir));
    let paths = files
        .list(&pattern)
        .map_err(|e| anyhow::anyhow!("cannot list the approvals in `{dir}`: {e}"))?;
    let mut found: Vec<FoundApproval> = paths
        .into_iter()
        .map(|path| {
            // Exactly one `.sig` comes off: `carol.sig.sig` is named for `carol.sig`.
            let name = path.rsplit('/').next().unwrap_or_default();
            let principal = name.strip_suffix(".sig").unwrap_or(name).to_string();
            let content = files.read(&path).and_then(|text| {
                toml::from_str::<SigFile>(&text).map_err(|e| {
                    format!(
                        "it is not an approval file (TOML with `message` and `signature`): {}",
                        e.message()
                    )
                })
            });
            FoundApproval {
                file: files.display(&path),
                principal,
                content,
            }
        })
        .collect();
    found.sort_by(|a, b| a.principal.cmp(&b.principal));
    Ok(found)
}

/// Writes `<dir>/<principal>.sig` atomically: a temp file in the same folder, flushed, then
/// linked into place. Never replaces another file unless `force` (one's own earlier approval).
pub fn write_approval(
    dir: &Path,
    principal: &str,
    sig: &SigFile,
    force: bool,
) -> anyhow::Result<PathBuf> {
    super::check_file_principal(principal).map_err(anyhow::Error::msg)?;
    if std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink()) {
        anyhow::bail!(
            "`{}` is a symbolic link; approvals are written into a real folder beside the ticket",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    let path = dir.join(format!("{principal}.sig"));
    if path.parent() != Some(dir) {
        anyhow::bail!("`{principal}` would write outside `{}`", dir.display());
    }
    let text = toml::to_string(sig).context("cannot encode the approval")?;
    let shown = crate::model::display_path(&path);
    crate::zone::files::write_whole(&path, text.as_bytes(), force).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            anyhow::anyhow!("`{shown}` already exists: you approved this ticket before; pass `--force` to replace your approval")
        } else {
            anyhow::anyhow!("cannot write `{shown}`: {e}")
        }
    })?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_readable_toml_and_never_clobbers() {
        let dir = tempfile::tempdir().unwrap();
        let sig = SigFile {
            message: "changegate approval v1\ncomment: a \"quoted\" \\ comment\n".into(),
            signature: "-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n".into(),
        };
        let path = write_approval(dir.path(), "carol@example.com", &sig, false).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("-----BEGIN SSH SIGNATURE-----\nAAAA"),
            "multi-line strings stay readable:\n{text}"
        );
        let files = FsFiles {
            root: dir.path().to_path_buf(),
        };
        let found = read_approvals(&files, ".").unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].principal, "carol@example.com");
        assert_eq!(found[0].content.as_ref().unwrap(), &sig);

        let err = write_approval(dir.path(), "carol@example.com", &sig, false).unwrap_err();
        assert!(err.to_string().contains("--force"), "{err}");
        write_approval(dir.path(), "carol@example.com", &sig, true).unwrap();
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temp files left behind");
    }
}

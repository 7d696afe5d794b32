//! Reading a DNS repository's history with libgit2: files at a commit (for `--base`/`--head`),
//! the paths that changed between two commits (renames detected), and uncommitted changes.
//! Nothing is checked out or modified.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, anyhow};
use git2::{
    DiffFindOptions, ObjectType, Oid, Repository, StatusOptions, TreeWalkMode, TreeWalkResult,
};

use crate::zone::Files;

/// A repository with a work tree.
pub struct Repo {
    repo: Mutex<Repository>,
    pub workdir: PathBuf,
}

/// A commit chosen by the user, with the name they gave it.
#[derive(Clone, Debug)]
pub struct Commit {
    pub id: Oid,
    pub tree: Oid,
    pub label: String,
}

/// How a path changed between two commits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangedPath {
    /// `added`, `modified`, `deleted` or `renamed`.
    pub status: &'static str,
    pub old: Option<String>,
    pub new: Option<String>,
}

impl Repo {
    /// The repository containing `dir`.
    pub fn discover(dir: &Path) -> anyhow::Result<Self> {
        let repo = Repository::discover(dir).map_err(|_| {
            anyhow!(
                "`{}` is not inside a git repository; `--base` compares commits",
                dir.display()
            )
        })?;
        let workdir = repo
            .workdir()
            .ok_or_else(|| {
                anyhow!(
                    "the repository at `{}` is bare; run changegate in a clone",
                    repo.path().display()
                )
            })?
            .canonicalize()?;
        Ok(Self {
            repo: Mutex::new(repo),
            workdir,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Repository> {
        self.repo.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Resolves a revision (`origin/main`, `HEAD~2`, a hash) to a commit.
    pub fn commit(&self, rev: &str) -> anyhow::Result<Commit> {
        let repo = self.lock();
        let object = repo.revparse_single(rev).map_err(|_| {
            anyhow!("the revision `{rev}` does not exist in this repository (fetch it first?)")
        })?;
        let commit = object
            .peel_to_commit()
            .map_err(|_| anyhow!("`{rev}` is not a commit"))?;
        Ok(Commit {
            id: commit.id(),
            tree: commit.tree_id(),
            label: rev.to_string(),
        })
    }

    /// A path relative to the work tree, `/`-separated.
    pub fn relative(&self, path: &Path) -> anyhow::Result<String> {
        let absolute = path
            .canonicalize()
            .with_context(|| format!("cannot find `{}`", path.display()))?;
        let rel = absolute.strip_prefix(&self.workdir).map_err(|_| {
            anyhow!(
                "`{}` is outside the repository at `{}`",
                path.display(),
                self.workdir.display()
            )
        })?;
        Ok(rel.to_string_lossy().replace('\\', "/"))
    }

    /// Paths that differ between two commits, renames detected, under `prefix`.
    pub fn changed_paths(&self, base: &Commit, head: &Commit) -> anyhow::Result<Vec<ChangedPath>> {
        let repo = self.lock();
        let (old, new) = (repo.find_tree(base.tree)?, repo.find_tree(head.tree)?);
        let mut diff = repo.diff_tree_to_tree(Some(&old), Some(&new), None)?;
        diff.find_similar(Some(DiffFindOptions::new().renames(true)))?;
        let mut out = Vec::new();
        for delta in diff.deltas() {
            let path =
                |f: git2::DiffFile<'_>| f.path().map(|p| p.to_string_lossy().replace('\\', "/"));
            let status = match delta.status() {
                git2::Delta::Added => "added",
                git2::Delta::Deleted => "deleted",
                git2::Delta::Renamed => "renamed",
                _ => "modified",
            };
            let old = (status != "added")
                .then(|| path(delta.old_file()))
                .flatten();
            let new = (status != "deleted")
                .then(|| path(delta.new_file()))
                .flatten();
            out.push(ChangedPath { status, old, new });
        }
        Ok(out)
    }

    /// Uncommitted changes (staged, unstaged, untracked) under `prefix`.
    pub fn dirty_paths(&self, prefix: &str) -> anyhow::Result<Vec<String>> {
        let repo = self.lock();
        let mut options = StatusOptions::new();
        options
            .include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_ignored(false);
        let statuses = repo.statuses(Some(&mut options))?;
        let mut out: Vec<String> = statuses
            .iter()
            .filter_map(|s| s.path().ok().map(str::to_string))
            .filter(|p| p.starts_with(prefix))
            .collect();
        out.sort();
        Ok(out)
    }

    /// The files of a commit, seen from `prefix` (the folder of `changegate.toml`).
    pub fn files_at<'r>(&'r self, commit: &Commit, prefix: &str) -> anyhow::Result<TreeFiles<'r>> {
        let mut paths = Vec::new();
        {
            let repo = self.lock();
            let tree = repo.find_tree(commit.tree)?;
            tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
                if entry.kind() == Some(ObjectType::Blob) {
                    if let Ok(name) = entry.name() {
                        paths.push(format!("{dir}{name}"));
                    }
                }
                TreeWalkResult::Ok
            })?;
        }
        let prefix = if prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", prefix.trim_end_matches('/'))
        };
        Ok(TreeFiles {
            repo: self,
            tree: commit.tree,
            label: commit.label.clone(),
            prefix,
            paths,
            shown_at: None,
        })
    }
}

/// The files of one commit, implementing [`Files`] over blobs.
pub struct TreeFiles<'r> {
    repo: &'r Repo,
    tree: Oid,
    label: String,
    /// The folder of `changegate.toml` inside the repository, with a trailing `/` (or empty).
    prefix: String,
    paths: Vec<String>,
    /// Show paths as in this work-tree folder rather than as `REF:path`.
    shown_at: Option<PathBuf>,
}

impl TreeFiles<'_> {
    /// Shows paths as files of the work tree (for the checked-out head, so that annotations
    /// and messages name files a person can open).
    pub fn shown_at(mut self, root: PathBuf) -> Self {
        self.shown_at = Some(root);
        self
    }

    pub fn exists(&self, path: &str) -> bool {
        let full = format!("{}{path}", self.prefix);
        self.paths.binary_search(&full).is_ok() || self.paths.contains(&full)
    }
}

impl Files for TreeFiles<'_> {
    fn read(&self, path: &str) -> Result<String, String> {
        let full = format!("{}{}", self.prefix, normalise(path));
        let repo = self.repo.lock();
        let tree = repo
            .find_tree(self.tree)
            .map_err(|e| e.message().to_string())?;
        let entry = tree
            .get_path(Path::new(&full))
            .map_err(|_| format!("no such file at `{}`", self.label))?;
        let blob = repo
            .find_blob(entry.id())
            .map_err(|_| format!("`{full}` is not a file at `{}`", self.label))?;
        String::from_utf8(blob.content().to_vec()).map_err(|_| "it is not UTF-8 text".to_string())
    }

    fn list(&self, pattern: &str) -> Result<Vec<String>, String> {
        let glob = glob::Pattern::new(&format!("{}{}", self.prefix, normalise(pattern)))
            .map_err(|e| format!("`{pattern}` is not a valid glob: {e}"))?;
        let options = glob::MatchOptions {
            require_literal_separator: true,
            ..Default::default()
        };
        let mut out: Vec<String> = self
            .paths
            .iter()
            .filter(|p| glob.matches_with(p, options))
            .map(|p| p[self.prefix.len()..].to_string())
            .collect();
        out.sort();
        Ok(out)
    }

    fn display(&self, path: &str) -> String {
        match &self.shown_at {
            Some(root) => crate::workspace::display_path(&root.join(normalise(path))),
            None => format!("{}:{}{}", self.label, self.prefix, normalise(path)),
        }
    }
}

/// `a/./b/../c` → `a/c`.
fn normalise(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

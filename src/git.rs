//! Reading a DNS repository's history with libgit2: files at a commit (for `--base`/`--head`),
//! the paths that changed between two commits (renames detected), and uncommitted changes.
//! Nothing is checked out or modified.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, anyhow};
use git2::{
    DiffFindOptions, ObjectType, Oid, Repository, StatusOptions, TreeWalkMode, TreeWalkResult,
};

use crate::zone::files::{self, Files};

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

/// A file a commit added on a branch's first-parent history.
#[derive(Clone, Debug)]
pub struct Added {
    /// Repository-relative.
    pub path: String,
    pub commit: Commit,
    /// The commit's first parent: the branch before it (none for a root commit).
    pub parent: Option<Commit>,
    /// The commit's time, seconds since the epoch.
    pub time: i64,
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
    ///
    /// A short name that more than one reference answers to, at different commits, is refused
    /// rather than resolved by git's order (where a tag `origin/main` beats the branch): a
    /// pushed tag must not choose the base.
    pub fn commit(&self, rev: &str) -> anyhow::Result<Commit> {
        let repo = self.lock();
        let name = rev.split(['~', '^', ':', '@']).next().unwrap_or(rev);
        if !name.is_empty() && !name.starts_with("refs/") {
            let candidates = [
                name.to_string(),
                format!("refs/{name}"),
                format!("refs/tags/{name}"),
                format!("refs/heads/{name}"),
                format!("refs/remotes/{name}"),
                format!("refs/remotes/{name}/HEAD"),
            ];
            let mut found: Vec<(String, Oid)> = Vec::new();
            for candidate in candidates {
                let target = repo
                    .find_reference(&candidate)
                    .and_then(|r| r.peel_to_commit())
                    .map(|c| c.id());
                if let Ok(id) = target {
                    found.push((candidate, id));
                }
            }
            // A hex name is also an abbreviated hash, which git resolves after every ref: a
            // tag named like the base's hash must not take its place.
            if name.len() >= 4 && name.len() < 40 && name.bytes().all(|b| b.is_ascii_hexdigit()) {
                if let Ok(object) = repo.find_object_by_prefix(name, None) {
                    if let Ok(commit) = object.peel_to_commit() {
                        found.push((format!("the commit {}", commit.id()), commit.id()));
                    }
                }
            }
            if found.iter().any(|(_, id)| *id != found[0].1) {
                let names: Vec<String> = found.iter().map(|(n, _)| format!("`{n}`")).collect();
                anyhow::bail!(
                    "`{name}` is ambiguous: {} all match it, at different commits; name the one you mean in full (e.g. `{}`)",
                    names.join(", "),
                    found
                        .iter()
                        .map(|(n, _)| n.as_str())
                        .find(|n| n.starts_with("refs/remotes/") || n.starts_with("refs/heads/"))
                        .unwrap_or(&found[0].0)
                );
            }
        }
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

    /// A path relative to the work tree, `/`-separated. The folders on the way are resolved
    /// as the system finds them, but the file itself is named as given, never through a link:
    /// a `changegate.toml` that is a link to another file is still `changegate.toml`.
    pub fn relative(&self, path: &Path) -> anyhow::Result<String> {
        let name = path
            .file_name()
            .ok_or_else(|| anyhow!("`{}` names no file", path.display()))?;
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let folder = parent
            .canonicalize()
            .with_context(|| format!("cannot find `{}`", parent.display()))?;
        let rel = folder.strip_prefix(&self.workdir).map_err(|_| {
            anyhow!(
                "`{}` is outside the repository at `{}`",
                path.display(),
                self.workdir.display()
            )
        })?;
        let rel = rel.join(name);
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

    /// The authors (mail addresses) of the commits after `base` up to `head` that add or
    /// change `path` (repository-relative): a merge counts only if it changed the file itself.
    pub fn authors_of(
        &self,
        base: &Commit,
        head: &Commit,
        path: &str,
    ) -> anyhow::Result<Vec<String>> {
        let repo = self.lock();
        let mut walk = repo.revwalk()?;
        walk.push(head.id)?;
        walk.hide(base.id)?;
        let blob_at = |tree: &git2::Tree<'_>| tree.get_path(Path::new(path)).ok().map(|e| e.id());
        let mut out: Vec<String> = Vec::new();
        for id in walk {
            let commit = repo.find_commit(id?)?;
            let Some(now) = blob_at(&commit.tree()?) else {
                continue;
            };
            let changed = commit.parents().all(|parent| {
                parent
                    .tree()
                    .map_or(true, |tree| blob_at(&tree) != Some(now))
            });
            if changed {
                let email = String::from_utf8_lossy(commit.author().email_bytes()).into_owned();
                if !out.contains(&email) {
                    out.push(email);
                }
            }
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

    /// The distinct states of `folders` (repository paths; empty: the whole tree) on
    /// `from`'s first-parent history since `since` (unix seconds), newest first, and the state
    /// that stood at `since`: one commit per distinct set of folder trees, at most `limit`.
    /// `false` if the history held more distinct states than that.
    pub fn states_since(
        &self,
        from: &Commit,
        since: i64,
        folders: &[String],
        limit: usize,
    ) -> anyhow::Result<(Vec<Commit>, bool)> {
        /// First-parent commits read for their times; a longer history is not walked whole,
        /// and the states are reported incomplete (fail closed).
        const CHAIN: usize = 1_000_000;
        let repo = self.lock();
        // Commit times are whatever their authors set. A commit cannot have landed before the
        // commits under it, so a state stood within the window if any commit from it down to
        // the root is dated inside it: a backdated commit cannot cut the walk short, it only
        // makes more states read. The walk reads times first, then trees as far as needed.
        let mut chain: Vec<(Oid, i64)> = Vec::new();
        let mut commit = repo.find_commit(from.id)?;
        loop {
            chain.push((commit.id(), commit.time().seconds()));
            if chain.len() > CHAIN {
                return Ok((Vec::new(), false));
            }
            match commit.parent(0) {
                Ok(parent) => commit = parent,
                Err(_) => break,
            }
        }
        // Through the deepest commit dated inside the window, and the one that stood at
        // `since` under it.
        let needed = chain
            .iter()
            .rposition(|(_, time)| *time > since)
            .map_or(1, |deepest| deepest + 2)
            .min(chain.len());
        let mut states: Vec<Commit> = Vec::new();
        let mut last_tree: Option<Vec<Oid>> = None;
        for (id, _) in &chain[..needed] {
            let commit = repo.find_commit(*id)?;
            let tree = commit.tree()?;
            // A state is what the folders holding the zone sources hold: tickets and
            // approvals come and go without making one.
            let folder: Vec<Oid> = folders
                .iter()
                .map(|f| {
                    if f.is_empty() {
                        tree.id()
                    } else {
                        tree.get_path(Path::new(f))
                            .map(|e| e.id())
                            .unwrap_or(Oid::ZERO_SHA1)
                    }
                })
                .collect();
            if last_tree.as_ref() != Some(&folder) {
                if states.len() == limit {
                    return Ok((states, false));
                }
                last_tree = Some(folder);
                states.push(Commit {
                    id: commit.id(),
                    tree: commit.tree_id(),
                    label: format!("{} ({})", from.label, &commit.id().to_string()[..12]),
                });
            }
        }
        Ok((states, true))
    }

    /// The files of a commit, seen from `prefix` (the folder of `changegate.toml`).
    /// The `*.toml` files directly in `folder` (repository-relative) that each commit on the
    /// first-parent history of `tip` added: how tickets merge into a branch. Newest first, each
    /// with the commit that added it, its first parent, and when it merged: the commit's time,
    /// or a later first-parent commit's when that is earlier (a commit dated in the future does
    /// not postpone what is due after it).
    pub fn added_on_first_parent(&self, tip: &Commit, folder: &str) -> anyhow::Result<Vec<Added>> {
        let repo = self.lock();
        let folder_of = |tree: &git2::Tree<'_>| -> Option<Oid> {
            if folder.is_empty() {
                Some(tree.id())
            } else {
                tree.get_path(Path::new(folder)).ok().map(|e| e.id())
            }
        };
        let names = |id: Option<Oid>| -> std::collections::HashSet<String> {
            id.and_then(|id| repo.find_tree(id).ok())
                .map(|t| {
                    t.iter()
                        .filter(|e| e.kind() == Some(ObjectType::Blob))
                        .filter_map(|e| e.name().ok().map(str::to_string))
                        .filter(|n| n.ends_with(".toml"))
                        .collect()
                })
                .unwrap_or_default()
        };
        let label = |c: &git2::Commit<'_>| Commit {
            id: c.id(),
            tree: c.tree_id(),
            label: c.id().to_string()[..12].to_string(),
        };
        let mut out = Vec::new();
        let mut commit = repo.find_commit(tip.id)?;
        let mut floor = i64::MAX;
        loop {
            floor = floor.min(commit.time().seconds());
            let parent = commit.parent(0).ok();
            let now = folder_of(&commit.tree()?);
            let before = match &parent {
                Some(p) => folder_of(&p.tree()?),
                None => None,
            };
            if now != before {
                let old = names(before);
                let mut added: Vec<String> = names(now)
                    .into_iter()
                    .filter(|n| !old.contains(n))
                    .collect();
                added.sort();
                for name in added {
                    let path = if folder.is_empty() {
                        name
                    } else {
                        format!("{folder}/{name}")
                    };
                    out.push(Added {
                        path,
                        commit: label(&commit),
                        parent: parent.as_ref().map(label),
                        time: floor,
                    });
                }
            }
            match parent {
                Some(p) => commit = p,
                None => break,
            }
        }
        Ok(out)
    }

    /// The text of one file at a commit (repository-relative), if it is a blob there.
    pub fn text_at(&self, commit: &Commit, path: &str) -> Option<String> {
        let repo = self.lock();
        let tree = repo.find_tree(commit.tree).ok()?;
        let entry = tree.get_path(Path::new(path)).ok()?;
        if entry.kind() != Some(ObjectType::Blob) {
            return None;
        }
        let blob = repo.find_blob(entry.id()).ok()?;
        String::from_utf8(blob.content().to_vec()).ok()
    }

    /// True if `commit` is `of` or one of its ancestors.
    pub fn is_ancestor(&self, commit: &Commit, of: &Commit) -> bool {
        let repo = self.lock();
        commit.id == of.id || repo.graph_descendant_of(of.id, commit.id).unwrap_or(false)
    }

    /// The latest commit time in `base..head`, with its commit.
    pub fn latest_time(&self, base: &Commit, head: &Commit) -> anyhow::Result<Option<(i64, Oid)>> {
        let repo = self.lock();
        let mut walk = repo.revwalk()?;
        walk.push(head.id)?;
        walk.hide(base.id)?;
        let mut latest: Option<(i64, Oid)> = None;
        for id in walk {
            let id = id?;
            let time = repo.find_commit(id)?.time().seconds();
            if latest.is_none_or(|(t, _)| time > t) {
                latest = Some((time, id));
            }
        }
        Ok(latest)
    }

    pub fn files_at<'r>(&'r self, commit: &Commit, prefix: &str) -> anyhow::Result<TreeFiles<'r>> {
        let mut paths = Vec::new();
        {
            let repo = self.lock();
            let tree = repo.find_tree(commit.tree)?;
            tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
                // Links and submodules are listed too: reading them refuses, with the reason.
                if matches!(entry.kind(), Some(ObjectType::Blob | ObjectType::Commit)) {
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
    fn read_bytes(&self, path: &str) -> Result<Vec<u8>, String> {
        let full = format!("{}{}", self.prefix, files::clean(path)?);
        let repo = self.repo.lock();
        let missing = || format!("no such file at `{}`", self.label);
        let mut tree = repo
            .find_tree(self.tree)
            .map_err(|e| e.message().to_string())?;
        let mut steps = full.split('/').peekable();
        while let Some(step) = steps.next() {
            let (mode, id) = {
                let entry = tree.get_name(step).ok_or_else(missing)?;
                (entry.filemode(), entry.id())
            };
            let last = steps.peek().is_none();
            match (mode, last) {
                (0o120000, _) => {
                    return Err(format!(
                        "`{step}` is a symbolic link at `{}`; changegate reads regular files only, never through links (commit the file itself)",
                        self.label
                    ));
                }
                (0o160000, _) => {
                    return Err(format!(
                        "`{step}` is a submodule at `{}`; changegate reads regular files of this repository only",
                        self.label
                    ));
                }
                (0o040000, false) => {
                    tree = repo.find_tree(id).map_err(|e| e.message().to_string())?;
                }
                (0o100644 | 0o100755 | 0o100664, true) => {
                    let blob = repo.find_blob(id).map_err(|_| missing())?;
                    if blob.size() as u64 > files::MAX_FILE_BYTES {
                        return Err(files::too_big(blob.size() as u64));
                    }
                    return Ok(blob.content().to_vec());
                }
                (_, true) => return Err("it is not a regular file".into()),
                (_, false) => return Err(format!("`{step}` is not a folder")),
            }
        }
        Err(missing())
    }

    fn list(&self, pattern: &str) -> Result<Vec<String>, String> {
        let glob = glob::Pattern::new(&format!("{}{}", self.prefix, files::clean(pattern)?))
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

    /// Writes every regular file below the prefix to a new temporary folder, keeping the
    /// executable bit; links and submodules are left out (changegate never follows them).
    fn folder(&self) -> Result<files::Folder, String> {
        let dir =
            tempfile::tempdir().map_err(|e| format!("cannot make a temporary folder: {e}"))?;
        let repo = self.repo.lock();
        let tree = repo
            .find_tree(self.tree)
            .map_err(|e| e.message().to_string())?;
        let mut problem = None;
        let walked = tree.walk(TreeWalkMode::PreOrder, |folder, entry| {
            let path = format!("{folder}{}", entry.name().unwrap_or_default());
            let Some(rel) = path.strip_prefix(&self.prefix) else {
                return TreeWalkResult::Ok;
            };
            let mode = entry.filemode();
            if !matches!(mode, 0o100644 | 0o100755 | 0o100664) || rel.is_empty() {
                return TreeWalkResult::Ok;
            }
            let written = files::clean(rel).and_then(|rel| {
                let blob = repo
                    .find_blob(entry.id())
                    .map_err(|e| e.message().to_string())?;
                let target = dir.path().join(&rel);
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
                }
                std::fs::write(&target, blob.content()).map_err(|e| e.to_string())?;
                if mode == 0o100755 {
                    use std::os::unix::fs::PermissionsExt;
                    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o755))
                        .map_err(|e| e.to_string())?;
                }
                Ok(())
            });
            match written {
                Ok(()) => TreeWalkResult::Ok,
                Err(e) => {
                    problem = Some(format!("cannot write `{path}` of `{}`: {e}", self.label));
                    TreeWalkResult::Abort
                }
            }
        });
        match (problem, walked) {
            (Some(problem), _) => Err(problem),
            (None, Err(e)) => Err(format!("cannot read `{}`: {}", self.label, e.message())),
            (None, Ok(())) => Ok(files::Folder::Copy(dir)),
        }
    }

    fn display(&self, path: &str) -> String {
        match &self.shown_at {
            Some(root) => crate::model::display_path(
                &root.join(files::clean(path).unwrap_or_else(|_| path.to_string())),
            ),
            None => format!(
                "{}:{}{}",
                self.label,
                self.prefix,
                files::clean(path).unwrap_or_else(|_| path.to_string())
            ),
        }
    }
}

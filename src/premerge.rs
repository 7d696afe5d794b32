//! Gathering the facts of a pre-merge check: the repository, the base and head commits, the
//! configuration, policy and `allowed_signers` **of the base** (a change cannot lower its own
//! bar), both desired states and their diff, and the tickets the range adds or edits.

use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, SourceFile};
use crate::git::{Commit, Repo, TreeFiles};
use crate::model::{Fqdn, RecordType};
use crate::plan::Plan;
use crate::ticket::{Ticket, read_ticket};
use crate::workspace::{self, Workspace};
use crate::zone::{Files, State, ZoneDiff, diff_states, load_sources, terraform};

/// Why a pre-merge check could not be prepared.
pub enum Failure {
    /// The user's files are invalid (exit 2).
    Invalid(Vec<Diagnostic>),
    /// The question cannot be asked: no repository, no such revision (exit 3).
    CannotEvaluate(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Self::CannotEvaluate(e)
    }
}

/// Everything `check --base`, `diff --base` and `approve --base` start from.
pub struct PreMerge {
    pub repo: Repo,
    pub base: Commit,
    pub head: Commit,
    /// The folder of `changegate.toml` inside the repository (`""` at the top).
    pub prefix: String,
    /// The work-tree folder of `changegate.toml`.
    pub root: PathBuf,
    /// Config, policy and signers read from the base commit.
    pub ws: Workspace,
    pub base_state: State,
    pub head_state: State,
    pub diff: ZoneDiff,
    /// What the Terraform plans of the change do beyond their records: aliases whose targets
    /// they delete, records left pointing at deleted resources, unknowns and drift.
    pub terraform: terraform::Effects,
    /// Paths (relative to `prefix`) of tickets added or edited in the range.
    pub tickets: Vec<String>,
    /// Config, policy or signer files the range edits.
    pub policy_changes: Vec<String>,
    /// Uncommitted files, when head defaults to `HEAD`.
    pub dirty: Vec<String>,
}

impl PreMerge {
    /// `plans` are Terraform plans named on the command line: part of the change, whatever
    /// the range holds.
    pub fn prepare(
        config: Option<&Path>,
        base: &str,
        head: Option<&str>,
        plans: &[PathBuf],
    ) -> Result<Self, Failure> {
        let cwd = std::env::current_dir().map_err(anyhow::Error::from)?;
        let repo = Repo::discover(&cwd)?;
        let base = repo.commit(base)?;
        let head = repo.commit(head.unwrap_or("HEAD"))?;
        Self::between(repo, config, base, head, plans)
    }

    /// [`PreMerge::prepare`] for two commits already found.
    pub fn between(
        repo: Repo,
        config: Option<&Path>,
        base: Commit,
        head: Commit,
        plans: &[PathBuf],
    ) -> Result<Self, Failure> {
        let config_path = workspace::find_config(config).map_err(Failure::Invalid)?;
        let config_rel = repo.relative(&config_path)?;
        let (prefix, config_name) = match config_rel.rsplit_once('/') {
            Some((dir, name)) => (dir.to_string(), name.to_string()),
            None => (String::new(), config_rel.clone()),
        };
        let root: PathBuf = config_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let base_files = repo.files_at(&base, &prefix)?;
        if !base_files.exists(&config_name) {
            return Err(Failure::CannotEvaluate(anyhow::anyhow!(
                "`{config_rel}` does not exist at `{}`: the base decides the policy, so land the config and policy first, in a change without DNS edits",
                base.label
            )));
        }
        let ws =
            workspace::load_from(&base_files, &config_name, &root).map_err(Failure::Invalid)?;
        let root_shown = root.clone();
        let head_files = repo.files_at(&head, &prefix)?.shown_at(root_shown);
        let (base_state, head_state) = std::thread::scope(|s| {
            let old = s.spawn(|| load_sources(&base_files, &ws.config));
            let new = load_sources(&head_files, &ws.config);
            (old.join().unwrap_or_else(|_| Err(Vec::new())), new)
        });
        let mut base_state = base_state.map_err(Failure::Invalid)?;
        let mut head_state = head_state.map_err(Failure::Invalid)?;
        // Plans in `[sources]` are the change when the range adds or edits them; the others
        // are what Terraform already manages. Plans named on the command line are the change.
        let mut given =
            terraform::load_plans(&head_files, Some(&base_files), &ws.config.terraform_plans)
                .map_err(Failure::Invalid)?;
        let named = terraform::load_named(plans).map_err(Failure::Invalid)?;
        // A plan both committed and named is the named one: the change.
        given.retain(|g| !named.iter().any(|n| n.plan.digest == g.plan.digest));
        given.extend(named);
        let terraform =
            terraform::merge(given, &mut base_state, &mut head_state).map_err(Failure::Invalid)?;
        let mut diff = diff_states(&base_state, &head_state);
        terraform.explain(&mut diff);

        // Paths as git names them: relative to the repository, written plainly, so that
        // `policies/../policies/default.toml` in the config is still the policy.
        let in_repo = |path: &str| {
            let plain = crate::zone::files::clean(path).unwrap_or_else(|_| path.to_string());
            if prefix.is_empty() {
                plain
            } else {
                format!("{prefix}/{plain}")
            }
        };
        let rel = |path: &Path| {
            in_repo(
                &path
                    .strip_prefix(&root)
                    .unwrap_or(path)
                    .to_string_lossy()
                    .replace('\\', "/"),
            )
        };
        let tickets_dir = rel(&ws.config.tickets);
        let mut watched = vec![config_rel.clone(), rel(&ws.config.policy)];
        if let Some(signers) = &ws.policy.allowed_signers {
            watched.push(rel(signers.get_ref()));
        }
        match &ws.config.metrics {
            Some(crate::config::MetricsConfig::File { path }) => watched.push(in_repo(path)),
            // The program and every file it is given run from the work tree: a change that
            // edits (or adds) one of them would choose its own evidence.
            Some(crate::config::MetricsConfig::Command { argv, .. }) => {
                for arg in argv {
                    let plain = arg.strip_prefix("./").unwrap_or(arg);
                    if plain.contains('/') || base_files.exists(plain) {
                        watched.push(in_repo(plain));
                    }
                }
            }
            _ => {}
        }
        let mut tickets = Vec::new();
        let mut policy_changes = Vec::new();
        for changed in repo.changed_paths(&base, &head)? {
            for path in [&changed.old, &changed.new].into_iter().flatten() {
                if watched.contains(path) && !policy_changes.contains(path) {
                    policy_changes.push(path.clone());
                }
            }
            let Some(new) = &changed.new else { continue };
            let in_tickets = new
                .strip_prefix(&format!("{tickets_dir}/"))
                .is_some_and(|rest| !rest.contains('/'));
            if in_tickets && new.ends_with(".toml") {
                let strip = if prefix.is_empty() {
                    new.as_str()
                } else {
                    &new[prefix.len() + 1..]
                };
                tickets.push(strip.to_string());
            }
        }
        tickets.sort();
        let dirty = if head.label == "HEAD" {
            repo.dirty_paths(&prefix)?
        } else {
            Vec::new()
        };
        Ok(Self {
            repo,
            base,
            head,
            prefix,
            root,
            ws,
            base_state,
            head_state,
            diff,
            terraform,
            tickets,
            policy_changes,
            dirty,
        })
    }

    /// The tickets to judge when they are not the range's, as the work tree holds them: those
    /// named (relative to the config's folder), else every `*.toml` of the tickets folder.
    pub fn work_tree_tickets(&self, named: &[PathBuf]) -> anyhow::Result<Vec<String>> {
        let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        let root = absolute(&self.root);
        if !named.is_empty() {
            return named
                .iter()
                .map(|path| {
                    absolute(path)
                        .strip_prefix(&root)
                        .map(|rel| rel.to_string_lossy().replace('\\', "/"))
                        .map_err(|_| {
                            anyhow::anyhow!(
                                "`{}` is not in the folder of changegate.toml",
                                path.display()
                            )
                        })
                })
                .collect();
        }
        let dir = self
            .ws
            .config
            .tickets
            .strip_prefix(&self.root)
            .unwrap_or(&self.ws.config.tickets)
            .to_string_lossy()
            .replace('\\', "/");
        let pattern = format!("{}/*.toml", glob::Pattern::escape(&dir));
        crate::zone::FsFiles::new(&self.root)
            .list(&pattern)
            .map_err(|e| anyhow::anyhow!("cannot list the tickets in `{dir}`: {e}"))
    }

    /// The base commit's files, seen from the config's folder: where config, policy, signers
    /// and file evidence come from.
    /// The plan of `ticket` in this range's diff, with the TTLs of what it deletes widened to
    /// the largest they had on the base's history within the deletion window.
    pub fn plan(&self, ticket: &Ticket, covered: &mut [bool], now: jiff::Timestamp) -> Plan {
        let mut plan = Plan::from_diff(ticket, &self.diff, &self.head_state, covered);
        self.widen_ttls(&mut plan, now);
        plan
    }

    /// Resolvers that cached an RRset under an older, longer TTL may not have asked for it
    /// since: a TTL lowered just before a deletion would hide them from the logs. So the TTL
    /// judged is the largest the RRset had at any state of the base within the window.
    fn widen_ttls(&self, plan: &mut Plan, now: jiff::Timestamp) {
        /// The most states of the repository's folder read from history; a window holding
        /// more is not read in full, and the deletions are refused (fail closed).
        const MOST: usize = 256;
        let Some(window) = self
            .ws
            .policy
            .deletion
            .as_ref()
            .map(|d| *d.get_ref().window.get_ref())
        else {
            return;
        };
        let mut wanted: Vec<(Fqdn, RecordType)> = plan
            .changes
            .iter()
            .filter(|c| c.action == crate::ticket::Action::Delete)
            .map(|c| (c.name.clone(), c.rtype))
            .chain(plan.cascade.iter().map(|(c, _)| (c.name.clone(), c.rtype)))
            .collect();
        if wanted.is_empty() {
            return;
        }
        wanted.sort();
        wanted.dedup();
        let since = now.as_second() - window.as_secs() as i64;
        // The folders the zone sources live in: the literal part of each glob.
        let mut folders: Vec<String> = self
            .ws
            .config
            .zonefiles
            .iter()
            .chain(&self.ws.config.octodns)
            .map(|glob| {
                let literal = glob
                    .split('/')
                    .take_while(|part| !part.contains(['*', '?', '[']))
                    .collect::<Vec<_>>();
                let dir = if literal.len() == glob.split('/').count() {
                    &literal[..literal.len().saturating_sub(1)]
                } else {
                    &literal[..]
                };
                let dir = dir.join("/");
                match (self.prefix.is_empty(), dir.is_empty()) {
                    (true, _) => dir,
                    (false, true) => self.prefix.clone(),
                    (false, false) => format!("{}/{dir}", self.prefix),
                }
            })
            .collect();
        folders.sort();
        folders.dedup();
        let states = match self.repo.states_since(&self.base, since, &folders, MOST) {
            Ok((states, true)) => states,
            Ok((_, false)) => {
                plan.ttl_history_gap = Some(format!(
                    "the base's history within the window holds more than {MOST} states of the zones, so the TTLs the records had in it were not all read"
                ));
                return;
            }
            Err(e) => {
                plan.ttl_history_gap = Some(format!("the base's history cannot be read: {e}"));
                return;
            }
        };
        let mut most: std::collections::HashMap<(Fqdn, RecordType), u32> = Default::default();
        // The base itself is read already; the states before it are read now.
        for state in states.iter().skip(1) {
            let Ok(files) = self.repo.files_at(state, &self.prefix) else {
                continue;
            };
            let Ok(old) = load_sources(&files, &self.ws.config) else {
                continue;
            };
            for (name, rtype) in &wanted {
                if let Some(rrset) = old.zone_of(name).and_then(|z| z.find(name, *rtype)) {
                    let ttl = most.entry((name.clone(), *rtype)).or_default();
                    *ttl = (*ttl).max(rrset.ttl);
                }
            }
        }
        for change in &mut plan.changes {
            if let Some(ttl) = most.get(&(change.name.clone(), change.rtype)) {
                change.old_ttl = Some(change.old_ttl.unwrap_or(0).max(*ttl));
            }
        }
        for (cascade, _) in &mut plan.cascade {
            if let Some(ttl) = most.get(&(cascade.name.clone(), cascade.rtype)) {
                cascade.ttl = cascade.ttl.max(*ttl);
            }
        }
    }

    pub fn base_files(&self) -> anyhow::Result<TreeFiles<'_>> {
        self.repo.files_at(&self.base, &self.prefix)
    }

    /// The head commit's files, seen from the config's folder and shown as work-tree paths.
    pub fn head_files(&self) -> anyhow::Result<TreeFiles<'_>> {
        Ok(self
            .repo
            .files_at(&self.head, &self.prefix)?
            .shown_at(self.root.clone()))
    }

    /// The authors of the range's commits that add or edit the ticket at `rel` (relative to
    /// the config's folder).
    pub fn ticket_committers(&self, rel: &str) -> anyhow::Result<Vec<String>> {
        let path = if self.prefix.is_empty() {
            rel.to_string()
        } else {
            format!("{}/{rel}", self.prefix)
        };
        self.repo.authors_of(&self.base, &self.head, &path)
    }

    /// Reads a ticket from the head commit. `rel` is relative to the config's folder.
    pub fn read_ticket(&self, files: &dyn Files, rel: &str) -> Result<Ticket, Vec<Diagnostic>> {
        let shown = files.display(rel);
        let text = files.read(rel).map_err(|e| {
            vec![Diagnostic::new(
                "ticket-invalid",
                format!("cannot read the ticket `{shown}`: {e}"),
            )]
        })?;
        read_ticket(SourceFile::new(shown, text), Path::new(rel))
    }
}

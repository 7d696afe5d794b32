//! `changegate ticket new`: a ticket that declares every RRset change of a range (or of two
//! paths), with the fields a person must write left as marked placeholders that `check`
//! refuses until they are filled in. Never overwrites.

use std::fmt::Write as _;
use std::path::Path;

use super::Outcome;
use crate::cli::{Global, TicketNewArgs};
use crate::diag::{Diagnostic, SourceFile};
use crate::evidence::DeletionFacts;
use crate::gate::{Facts, evaluate};
use crate::plan::Plan;
use crate::premerge::{Failure, PreMerge};
use crate::ticket::{FieldPath, Ticket, read_ticket};
use crate::workspace::{self, Workspace};
use crate::zone::{ChangeKind, ZoneDiff, diff_states, zone_of};

pub fn new(global: &Global, args: &TicketNewArgs) -> anyhow::Result<Outcome> {
    let pm;
    let owned_ws;
    let plans = &args.range.terraform_plans;
    if !plans.is_empty() && !args.paths.is_empty() {
        eprintln!(
            "error: a Terraform plan is a diff of its own: give `--terraform-plan` alone or with `--base REF`, not with two paths"
        );
        return Ok(Outcome::Invalid);
    }
    let range = args
        .range
        .base
        .as_deref()
        .or((!plans.is_empty() && args.paths.is_empty()).then_some("HEAD"));
    let (ws, diff): (&Workspace, ZoneDiff) = if let Some(base) = range {
        if !args.paths.is_empty() {
            eprintln!("error: give either `--base REF` or two paths, not both");
            return Ok(Outcome::Invalid);
        }
        pm = match PreMerge::prepare(
            global.config.as_deref(),
            base,
            args.range.head.as_deref(),
            plans,
        ) {
            Ok(pm) => pm,
            Err(Failure::Invalid(problems)) => return Ok(report(&problems)),
            Err(Failure::CannotEvaluate(e)) => return Err(e),
        };
        (&pm.ws, pm.diff.clone())
    } else {
        let [old, new] = args.paths.as_slice() else {
            eprintln!(
                "error: give `--base REF` (the range's changes) or two zone files or folders (`ticket new OLD NEW`)"
            );
            return Ok(Outcome::Invalid);
        };
        owned_ws = match workspace::load(global.config.as_deref()) {
            Ok(ws) => ws,
            Err(problems) => return Ok(report(&problems)),
        };
        let (old, new) = match (super::diff::state_of(old), super::diff::state_of(new)) {
            (Ok(o), Ok(n)) => (o, n),
            (o, n) => {
                let problems: Vec<Diagnostic> =
                    [o.err(), n.err()].into_iter().flatten().flatten().collect();
                return Ok(report(&problems));
            }
        };
        (&owned_ws, diff_states(&old, &new))
    };
    if diff.changes.is_empty() {
        eprintln!("no DNS changes: there is nothing for a ticket to declare, so none was written");
        return Ok(Outcome::Allowed);
    }
    let id = match &args.id {
        Some(id) => id.clone(),
        None => next_id(&ws.config.tickets),
    };
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        eprintln!("error: `{id}` is not a ticket id (letters, digits, `-` and `_`)");
        return Ok(Outcome::Invalid);
    }
    let path = ws.config.tickets.join(format!("{id}.toml"));
    if let Err(e) = crate::zone::files::no_links_below(&ws.config.root, &path) {
        eprintln!("error: {e}");
        return Ok(Outcome::Invalid);
    }
    if path.exists() {
        eprintln!(
            "error: `{}` exists; a ticket is never overwritten (choose another `--id`)",
            workspace::display_path(&path)
        );
        return Ok(Outcome::Invalid);
    }
    let author = args.author.clone().or_else(git_email);
    let draft = draft(&id, author.as_deref(), &diff, ws);
    // What the change will need, from the policy: the tier, its fields and approvals.
    let (tier, needs) = requirements(&draft, &path, ws);
    let text = format!("{needs}{draft}");
    write_new(&path, &text)?;
    eprintln!(
        "wrote `{}`: {} change(s) declared; tier `{tier}`",
        workspace::display_path(&path),
        diff.changes.len()
    );
    eprint!("{}", needs.replace("# ", "  "));
    eprintln!(
        "fill in every `TODO`, then run `changegate check`; until then it refuses the ticket"
    );
    Ok(Outcome::Allowed)
}

fn report(problems: &[Diagnostic]) -> Outcome {
    for p in problems {
        eprint!("{}", p.render(false));
    }
    Outcome::Invalid
}

/// The next free `CHG-<n>` in the tickets folder.
fn next_id(tickets: &Path) -> String {
    let highest = std::fs::read_dir(tickets)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_prefix("CHG-")?
                .strip_suffix(".toml")?
                .parse::<u64>()
                .ok()
        })
        .max()
        .unwrap_or(0);
    format!("CHG-{}", highest + 1)
}

/// `user.email` from git's configuration, if set.
fn git_email() -> Option<String> {
    let cwd = std::env::current_dir().ok()?;
    let config = git2::Repository::discover(&cwd)
        .and_then(|r| r.config())
        .or_else(|_| git2::Config::open_default())
        .ok()?;
    config
        .get_string("user.email")
        .ok()
        .filter(|e| !e.is_empty())
}

fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("{text:?}"))
}

/// The ticket text: every change declared; what a person must decide left as commented
/// `TODO` lines, which `check` reports as missing until they are written.
fn draft(id: &str, author: Option<&str>, diff: &ZoneDiff, ws: &Workspace) -> String {
    let mut summary: Vec<String> = diff
        .changes
        .iter()
        .take(3)
        .map(|c| format!("{} {} {}", verb(c.kind), c.name(), c.rtype()))
        .collect();
    if diff.changes.len() > 3 {
        summary.push(format!("and {} more", diff.changes.len() - 3));
    }
    let mut out = String::new();
    let _ = writeln!(out, "id = {}", quote(id));
    let _ = writeln!(out, "title = {}", quote(&summary.join(", ")));
    match author {
        Some(author) => {
            let _ = writeln!(out, "author = {}", quote(author));
        }
        None => {
            let _ = writeln!(out, "# TODO: who makes the change (git has no user.email)");
            let _ = writeln!(out, "# author = \"you@example.com\"");
        }
    }
    out.push_str(
        "\n[intent]\n# TODO: why this change is made\n# summary = \"...\"\n\
         \n[blast_radius]\n# TODO: how far a failure reaches: record, service, zone, region or global\n# scope = \"record\"\n\
         # TODO: who notices if it goes wrong\n# impact = \"...\"\n\
         \n[rollback]\n# TODO: how to undo it\n# steps = [\"Revert the merge commit\"]\n\
         # last_known_good = \"snapshots/ID.json\"   # `changegate snapshot --ticket` before the change\n",
    );
    for change in &diff.changes {
        let _ = writeln!(out, "\n[[change]]");
        let _ = writeln!(out, "action = {}", quote(action(change.kind)));
        let _ = writeln!(out, "name = {}", quote(change.name().as_str()));
        let _ = writeln!(out, "type = {}", quote(&change.rtype().as_str()));
        // The zone only where the longest managed zone would not find it.
        let found = zone_of(&ws.zones, change.name()).map(|z| z.name.clone());
        if found.as_ref() != Some(&change.zone) {
            let _ = writeln!(out, "zone = {}", quote(change.zone.as_str()));
        }
    }
    out
}

fn verb(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Create => "create",
        ChangeKind::Update => "update",
        ChangeKind::Delete => "delete",
    }
}

fn action(kind: ChangeKind) -> &'static str {
    verb(kind)
}

/// The tier the draft gets and what it needs, as comment lines for the ticket's top.
fn requirements(draft: &str, path: &Path, ws: &Workspace) -> (String, String) {
    let file = SourceFile::new(workspace::display_path(path), draft.to_string());
    let Ok(ticket) = read_ticket(file, path) else {
        return ("unknown".into(), String::new());
    };
    let Ok(plan) = Plan::from_ticket(&ticket, &ws.zones) else {
        return ("unknown".into(), String::new());
    };
    let verdict = evaluate(
        &Facts {
            snapshot: None,
            approvals: &Default::default(),
            ticket: &ticket,
            plan: &plan,
            deletions: &DeletionFacts::default(),
            signals: &Default::default(),
            now: jiff::Timestamp::now(),
        },
        &ws.policy,
    );
    let tier = verdict.tier.clone().unwrap_or_default();
    let mut out = format!("# Tier `{tier}`");
    if let Some(reason) = verdict.tier_reasons.last() {
        let _ = write!(out, ": {}", reason.description);
    }
    out.push('\n');
    if let Some(def) = ws.policy.tiers.iter().find(|t| t.name.get_ref() == &tier) {
        let fields: Vec<String> = crate::ticket::fields::ALWAYS_REQUIRED
            .iter()
            .copied()
            .chain(def.require_fields.iter().map(|f| *f.get_ref()))
            .map(|f: FieldPath| f.to_string())
            .collect();
        let _ = writeln!(out, "# It needs: {}.", fields.join(", "));
        if !def.require.is_empty() {
            let approvals: Vec<String> = def
                .require
                .iter()
                .map(|r| format!("{} from `{}`", r.count, r.group))
                .collect();
            let _ = writeln!(out, "# Approvals: {}.", approvals.join(", "));
        }
    }
    if plan_deletes(&ticket) {
        out.push_str("# Every deleted record must be proven unused over the deletion window.\n");
    }
    out.push('\n');
    (tier, out)
}

fn plan_deletes(ticket: &Ticket) -> bool {
    ticket
        .changes
        .iter()
        .any(|c| c.action == crate::ticket::Action::Delete)
}

/// Writes a new file and never replaces one: the text lands whole or not at all.
fn write_new(path: &Path, text: &str) -> anyhow::Result<()> {
    crate::zone::files::write_whole(path, text.as_bytes(), false)
        .map_err(|e| anyhow::anyhow!("cannot write `{}`: {e}", path.display()))
}

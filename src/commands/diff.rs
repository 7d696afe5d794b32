//! `changegate diff`: the desired-state diff between two files or folders, or between two
//! commits (`--base`, reading `[sources]` from the base's config).

use std::path::{Path, PathBuf};

use super::{Outcome, write_stdout};
use crate::cli::{DiffArgs, Global};
use crate::diag::Diagnostic;
use crate::premerge::{Failure, PreMerge};
use crate::report::{Format, zonediff};
use crate::zone::{FsFiles, State, diff_states, load_state, terraform};

pub fn run(global: &Global, args: &DiffArgs, color: bool) -> anyhow::Result<Outcome> {
    let plans = &args.range.terraform_plans;
    if !plans.is_empty() && !args.paths.is_empty() {
        return Ok(usage(
            "a Terraform plan is a diff of its own: give `--terraform-plan` alone or with `--base REF`, not with two paths",
        ));
    }
    let mut effects = terraform::Effects::default();
    let (old, new) = if let Some(base) = &args.range.base {
        if !args.paths.is_empty() {
            return Ok(usage("give either `--base REF` or two paths, not both"));
        }
        match PreMerge::prepare(
            global.config.as_deref(),
            base,
            args.range.head.as_deref(),
            plans,
        ) {
            Ok(pm) => {
                effects = pm.terraform;
                (pm.base_state, pm.head_state)
            }
            Err(Failure::Invalid(problems)) => return Ok(report(&problems, color)),
            Err(Failure::CannotEvaluate(e)) => return Err(e),
        }
    } else if args.paths.is_empty() && !plans.is_empty() {
        // The plans alone: each is a diff of its own, no repository needed.
        let (mut old, mut new) = (State::default(), State::default());
        let merged = terraform::load_named(plans)
            .and_then(|given| terraform::merge(given, &mut old, &mut new));
        match merged {
            Ok(e) => effects = e,
            Err(problems) => return Ok(report(&problems, color)),
        }
        (old, new)
    } else {
        let [old, new] = args.paths.as_slice() else {
            return Ok(usage(
                "give two zone files or folders (`changegate diff OLD NEW`), `--base REF`, or `--terraform-plan FILE`",
            ));
        };
        // Both sides at once: read NEW here while OLD reads in its own thread.
        let (old, new) = std::thread::scope(|s| {
            let o = s.spawn(|| state_of(old));
            let n = state_of(new);
            (o.join().unwrap_or_else(|_| Err(Vec::new())), n)
        });
        match (old, new) {
            (Ok(o), Ok(n)) => (o, n),
            (o, n) => {
                let problems: Vec<Diagnostic> =
                    [o.err(), n.err()].into_iter().flatten().flatten().collect();
                return Ok(report(&problems, color));
            }
        }
    };
    let mut diff = diff_states(&old, &new);
    effects.explain(&mut diff);
    if global.format != Format::Json {
        for (what, messages) in [
            ("dangling", &effects.dangling),
            ("cannot gate", &effects.unknown),
            ("drift", &effects.drift),
            ("zone deleted", &effects.zones_gone),
        ] {
            for message in messages {
                eprintln!("{what}: {message}");
            }
        }
    }
    let text = match global.format {
        Format::Json => zonediff::json(&diff, &old, &new),
        Format::Markdown => zonediff::markdown(&diff),
        _ => zonediff::human(&diff, &old, &new, color),
    };
    write_stdout(&text);
    // The process ends here: returning a million records to the allocator one by one would
    // only delay the exit.
    std::mem::forget((old, new, diff));
    Ok(Outcome::Allowed)
}

fn usage(message: &str) -> Outcome {
    eprintln!("error: {message}");
    Outcome::Invalid
}

fn report(problems: &[Diagnostic], color: bool) -> Outcome {
    for p in problems {
        eprint!("{}", p.render(color));
    }
    Outcome::Invalid
}

/// A file is one zone (octoDNS for `.yaml`/`.yml`, else a zone file); a folder holds zones.
pub(super) fn state_of(path: &Path) -> Result<State, Vec<Diagnostic>> {
    let meta = std::fs::metadata(path).map_err(|e| {
        vec![Diagnostic::new(
            "zone-invalid",
            format!("cannot read `{}`: {e}", path.display()),
        )]
    })?;
    if meta.is_dir() {
        let files = FsFiles {
            root: path.to_path_buf(),
        };
        let zonefiles = ["**/*.zone".to_string(), "**/*.db".to_string()];
        let octodns = ["**/*.yaml".to_string(), "**/*.yml".to_string()];
        return load_state(&files, &zonefiles, &octodns);
    }
    let root: PathBuf = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let name = path
        .file_name()
        .map(|n| glob::Pattern::escape(&n.to_string_lossy()))
        .unwrap_or_default();
    let files = FsFiles { root };
    let yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
    if yaml {
        load_state(&files, &[], &[name])
    } else {
        load_state(&files, &[name], &[])
    }
}

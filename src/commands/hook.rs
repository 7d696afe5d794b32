//! `changegate hook install`: a git `pre-push` hook that runs `changegate check --base` on
//! every pushed ref, so a push whose DNS changes do not pass the gate never leaves the machine.

use std::path::PathBuf;

use anyhow::{Context, bail};

use super::{Outcome, write_stdout};

const MARKER: &str = "# changegate pre-push hook";

/// The hook: for each pushed ref, the base is what the remote has (or the upstream, or the
/// remote's default branch for a new branch), the head is what is pushed.
fn script(fallback: &str) -> String {
    format!(
        r#"#!/bin/sh
{MARKER}: refuses a push whose DNS changes do not pass the gate.
# Installed by `changegate hook install`; remove this file to uninstall.
changegate=$(command -v changegate || echo '{fallback}')
remote="$1"
zero=0000000000000000000000000000000000000000
status=0
while read -r local_ref local_sha remote_ref remote_sha; do
    case "$local_sha" in *[!0]*) ;; *) continue ;; esac   # a deleted ref: nothing to check
    case "$remote_sha" in
        *[!0]*) base="$remote_sha" ;;
        *) base=$(git rev-parse --verify -q '@{{upstream}}' 2>/dev/null ||
                  git rev-parse --verify -q "refs/remotes/$remote/HEAD" 2>/dev/null) || {{
               echo "changegate: no base to compare $local_ref with; set an upstream (git push -u)" >&2
               status=1; continue; }} ;;
    esac
    echo "changegate: checking $local_ref against $base" >&2
    "$changegate" check --base "$base" --head "$local_sha" || status=1
done
exit $status
"#
    )
}

pub fn install(force: bool) -> anyhow::Result<Outcome> {
    let cwd = std::env::current_dir()?;
    let repo = git2::Repository::discover(&cwd)
        .map_err(|_| anyhow::anyhow!("`{}` is not inside a git repository", cwd.display()))?;
    let hooks: PathBuf = match repo.config()?.get_path("core.hooksPath") {
        Ok(path) if path.is_absolute() => path,
        Ok(path) => repo.workdir().unwrap_or(repo.path()).join(path),
        Err(_) => repo.path().join("hooks"),
    };
    std::fs::create_dir_all(&hooks)
        .with_context(|| format!("cannot create `{}`", hooks.display()))?;
    let path = hooks.join("pre-push");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        if !existing.contains(MARKER) && !force {
            bail!(
                "`{}` already exists and is not changegate's; pass `--force` to replace it (or call `changegate check --base ...` from it)",
                path.display()
            );
        }
    }
    let me = std::env::current_exe().context("cannot find the changegate executable")?;
    let text = script(&me.display().to_string().replace('\'', "'\\''"));
    let temp = hooks.join(".pre-push.changegate.tmp");
    std::fs::write(&temp, text).with_context(|| format!("cannot write `{}`", temp.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&temp, std::fs::Permissions::from_mode(0o755))?;
    }
    std::fs::rename(&temp, &path)
        .with_context(|| format!("cannot install `{}`", path.display()))?;
    write_stdout(&format!(
        "installed the pre-push hook at {}\n",
        path.display()
    ));
    Ok(Outcome::Allowed)
}

#!/bin/sh
# Replays the outage from Terraform plans in a throwaway git repository holding this folder,
# and runs `changegate check --terraform-plan` on one scenario:
#
#   examples/incident-2025-02-terraform/replay.sh delete-profile   CHG-2001 (the incident)
#   examples/incident-2025-02-terraform/replay.sh rollback-cname   CHG-2002 (the rollback)
#   examples/incident-2025-02-terraform/replay.sh delete-unused    CHG-2003 (really unused)
#
# Extra arguments go to `check` (e.g. `--format json`). CHANGEGATE=/path/to/changegate skips
# the build.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
scenario=${1:-delete-profile}
[ $# -gt 0 ] && shift
case $scenario in
    delete-profile) ticket=CHG-2001 ;;
    rollback-cname) ticket=CHG-2002 ;;
    delete-unused) ticket=CHG-2003 ;;
    *) echo "error: no scenario \`$scenario\`: delete-profile, rollback-cname or delete-unused" >&2; exit 2 ;;
esac
if [ -z "${CHANGEGATE:-}" ]; then
    cargo build --quiet --locked --manifest-path "$here/../../Cargo.toml"
    CHANGEGATE="$here/../../target/debug/changegate"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -R "$here/." "$work/"
cd "$work"
rm -f replay.sh README.md
git init -q -b main
git -c user.name=replay -c user.email=replay@example.com add -A
git -c user.name=replay -c user.email=replay@example.com commit -q -m "the DNS repository, with the tickets"
CHANGEGATE_NOW=${CHANGEGATE_NOW:-2025-02-25T12:00:00Z} "$CHANGEGATE" check \
    --terraform-plan "plans/$scenario.json" "changes/$ticket.toml" "$@"

#!/bin/sh
# Replays the incident as a pull request: a throwaway git repository whose base holds the zone
# as it was, and whose head deletes autologon-tm while autologon still CNAMEs to it. Then it
# runs `changegate check --base` on it, as CI would.
#
#   examples/incident-2025-02/premerge-replay.sh            (uses `cargo run`)
#   CHANGEGATE=/path/to/changegate examples/incident-2025-02/premerge-replay.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${CHANGEGATE:-}" ]; then
    cargo build --quiet --locked --manifest-path "$here/../../Cargo.toml"
    CHANGEGATE="$here/../../target/debug/changegate"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -R "$here/." "$work/"
cd "$work"
rm -rf changes premerge-replay.sh README.md keys
git init -q -b main
git -c user.name=replay -c user.email=replay@example.com add -A
git -c user.name=replay -c user.email=replay@example.com commit -q -m "the zone as it was"
# The change: retire the traffic-manager profile's record, with the incident's ticket.
sed -i.bak '/^autologon-tm/d' zones/example.com.zone && rm zones/example.com.zone.bak
mkdir changes && cp "$here/changes/CHG-1042.toml" changes/
git -c user.name=replay -c user.email=replay@example.com add -A
git -c user.name=replay -c user.email=replay@example.com commit -q -m "CHG-1042: retire the IPv6 migration profile"
CHANGEGATE_NOW=${CHANGEGATE_NOW:-2025-02-25T12:00:00Z} "$CHANGEGATE" check --base main~1 "$@"

#!/usr/bin/env bash
# Benchmarks `changegate diff` against the anchors, on the same machine, in one run:
#   - a pair of 1M-record zone files (1% deletes, 1% changes, 1% adds) against
#     `ldns-compare-zones` (Debian ldnsutils);
#   - a pair of 100k-record octoDNS YAML zones against `octodns-sync` planning between them
#     (octoDNS from PyPI).
# Reports the median wall time of RUNS runs (octoDNS: one run; it takes minutes) and the peak
# memory, and checks that every tool finds the same number of changes.
#
#   apt-get install -y ldnsutils time && pip install octodns
#   benches/run.sh            # RUNS=3 by default; writes the table to stdout
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
for tool in ldns-compare-zones octodns-sync /usr/bin/time python3; do
    command -v "$tool" >/dev/null || { echo "missing: $tool (see the header of $0)" >&2; exit 2; }
done
cargo build --release --locked --quiet
bin=$PWD/target/release/changegate
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
python3 "$OLDPWD/benches/gen_zones.py" 1000000 old.zone new.zone
python3 "$OLDPWD/benches/gen_zones.py" 100000 yold ynew octodns

# measure NAME COMMAND...: prints "wall_seconds peak_kb" for one run, output to NAME.out.
measure() {
    local name=$1; shift
    /usr/bin/time -f "%e %M" -o "$name.time" "$@" > "$name.out" 2> "$name.err" || true
    cat "$name.time"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
max() { sort -n | tail -1; }

declare -A wall rss
for name in changegate-zone ldns; do : > "$name.walls"; : > "$name.rss"; done
for i in $(seq "$runs"); do
    read -r w m < <(measure changegate-zone "$bin" diff old.zone new.zone); echo "$w" >> changegate-zone.walls; echo "$m" >> changegate-zone.rss
    read -r w m < <(measure ldns ldns-compare-zones old.zone new.zone); echo "$w" >> ldns.walls; echo "$m" >> ldns.rss
done
: > changegate-yaml.walls; : > changegate-yaml.rss
for i in $(seq "$runs"); do
    read -r w m < <(measure changegate-yaml "$bin" diff yold ynew); echo "$w" >> changegate-yaml.walls; echo "$m" >> changegate-yaml.rss
done
cat > octodns.yaml <<'YAML'
providers:
  old: {class: octodns.provider.yaml.YamlProvider, directory: ./yold, enforce_order: false}
  new: {class: octodns.provider.yaml.YamlProvider, directory: ./ynew, enforce_order: false}
zones:
  bench.example.: {sources: [new], targets: [old]}
YAML
read -r w m < <(measure octodns octodns-sync --config-file=octodns.yaml); echo "$w" > octodns.walls; echo "$m" > octodns.rss

for name in changegate-zone ldns changegate-yaml octodns; do
    wall[$name]=$(median < "$name.walls"); rss[$name]=$(max < "$name.rss")
done
# The same changes, or the comparison means nothing.
cg_zone=$(tail -1 changegate-zone.out)
ldns_counts=$(tail -1 ldns.out | tr -d '\t')
cg_yaml=$(tail -1 changegate-yaml.out)
octo_counts=$(grep -o 'Creates=[0-9]*, Updates=[0-9]*, Deletes=[0-9]*' octodns.err | tail -1)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }
mb() { awk -v k="$1" 'BEGIN {printf "%.0f", k / 1024}'; }
cat <<TABLE
| comparison | tool | wall (median of $runs) | peak memory | changes found |
| --- | --- | ---: | ---: | --- |
| 1M-record zone files | changegate diff | ${wall[changegate-zone]} s | $(mb "${rss[changegate-zone]}") MB | $cg_zone |
| 1M-record zone files | ldns-compare-zones | ${wall[ldns]} s | $(mb "${rss[ldns]}") MB | $ldns_counts |
| 100k-record octoDNS YAML | changegate diff | ${wall[changegate-yaml]} s | $(mb "${rss[changegate-yaml]}") MB | $cg_yaml |
| 100k-record octoDNS YAML | octodns-sync (plan) | ${wall[octodns]} s (1 run) | $(mb "${rss[octodns]}") MB | $octo_counts |

changegate / ldns-compare-zones: $(ratio "${wall[changegate-zone]}" "${wall[ldns]}")× wall, $(ratio "${rss[changegate-zone]}" "${rss[ldns]}")× memory
changegate / octodns-sync: $(ratio "${wall[changegate-yaml]}" "${wall[octodns]}")× wall, $(ratio "${rss[changegate-yaml]}" "${rss[octodns]}")× memory
TABLE

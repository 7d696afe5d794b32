#!/usr/bin/env bash
# Benchmarks reading a Terraform plan: `changegate diff --terraform-plan` on a plan with N
# DNS record resources (default 10,000; `benches/gen_plan.py`), against the floor any reader
# of it has: Python's json.load of the same file. Median wall of RUNS runs, peak memory.
#
#   apt-get install -y time python3
#   benches/plan.sh           # RUNS=5, N=10000
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
n=${N:-10000}
cargo build --release --locked --quiet
bin=$PWD/target/release/changegate
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 benches/gen_plan.py "$n" "$work/plan.json"
size=$(du -m "$work/plan.json" | cut -f1)
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
max() { sort -n | tail -1; }
run() {
    local name=$1; shift
    : > "$work/$name.walls"; : > "$work/$name.rss"
    for _ in $(seq "$runs"); do
        /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" > "$work/$name.out" 2> "$work/$name.err" || true
        read -r w m < "$work/$name.time"
        echo "$w" >> "$work/$name.walls"; echo "$m" >> "$work/$name.rss"
    done
}
run changegate "$bin" diff --terraform-plan "$work/plan.json"
run json python3 -c "import json, sys; json.load(open(sys.argv[1]))" "$work/plan.json"
mb() { awk -v k="$1" 'BEGIN {printf "%.0f", k / 1024}'; }
cat <<TABLE
| plan | tool | wall (median of $runs) | peak memory | result |
| --- | --- | ---: | ---: | --- |
| $n DNS resources, ${size} MB | changegate diff --terraform-plan | $(median < "$work/changegate.walls") s | $(mb "$(max < "$work/changegate.rss")") MB | $(grep -v '^dangling' "$work/changegate.out" | tail -1), $(grep -c '^dangling' "$work/changegate.err") dangling |
| $n DNS resources, ${size} MB | python3 json.load (parse only) | $(median < "$work/json.walls") s | $(mb "$(max < "$work/json.rss")") MB | - |
TABLE

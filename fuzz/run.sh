#!/usr/bin/env bash
# Runs every fuzz target (or those named) for RUNS executions each (default 2,000,000) and
# prints, per target, the executions, the coverage reached and the crashes found. Crashing
# inputs land in fuzz/artifacts/<target>/; copy each into tests/fuzz/<target>/ once fixed,
# so that `cargo test` keeps running it. Needs the nightly toolchain and cargo-fuzz
# (`cargo install cargo-fuzz`).
#   fuzz/run.sh                   # all targets, 2M executions each
#   RUNS=100000 fuzz/run.sh ticket
set -euo pipefail
cd "$(dirname "$0")"
runs=${RUNS:-2000000}
targets=${*:-$(cargo +nightly fuzz list)}
cargo +nightly fuzz build -O >/dev/null
printf '%-16s %11s %7s %9s %8s %s\n' target executions cov features crashes seconds
for target in $targets; do
  mkdir -p "corpus/$target" "artifacts/$target"
  cp -n ../tests/fuzz/"$target"/* "corpus/$target/" 2>/dev/null || true
  log="artifacts/$target.log"
  start=$(date +%s)
  status=0
  cargo +nightly fuzz run -O "$target" "corpus/$target" -- \
    -runs="$runs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    >"$log" 2>&1 || status=$?
  seconds=$(( $(date +%s) - start ))
  executions=$(grep -o 'number_of_executed_units: *[0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*$' || echo '?')
  cov=$(grep -o ' cov: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*' || echo '?')
  features=$(grep -o ' ft: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*' || echo '?')
  crashes=$(find "artifacts/$target" -type f | wc -l)
  [ "$status" -eq 0 ] || [ "$crashes" -gt 0 ] || crashes="exit $status"
  printf '%-16s %11s %7s %9s %8s %s\n' "$target" "$executions" "$cov" "$features" "$crashes" "$seconds"
done

#!/usr/bin/env bash
# Runs each libFuzzer target (docs/fuzzing.md) until RUNS executions or
# SECONDS seconds, whichever comes first, starting from its checked-in seed
# corpus; new inputs go to $WORK/NAME (not into the repository). Prints one
# line per target with executions, time and coverage; stops at the first
# target that finds a crash, leak or sanitizer report (its input is kept in
# $WORK as NAME-crash-*; add it to fuzz/corpus/NAME once fixed).
# Usage: scripts/run-fuzzers.sh [TARGET...]
#   env: BUILD_DIR (build-fuzz), RUNS (1000000), SECONDS_EACH (1800), WORK (/tmp/centinela-fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build-fuzz}
runs=${RUNS:-1000000}
seconds=${SECONDS_EACH:-1800}
work=${WORK:-/tmp/centinela-fuzz}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(decoder_fuzzer expr_fuzzer rule_pack_fuzzer ofac_csv_fuzzer un_xml_fuzzer list_csv_fuzzer
           csv_mapping_fuzzer api_request_fuzzer)
fi
if [ ! -d "$build" ]; then
  cmake --preset fuzz >/dev/null
fi
cmake --build "$build" -j"${JOBS:-2}" --target "${targets[@]}"
for t in "${targets[@]}"; do
  mkdir -p "$work/$t"
  log="$work/$t.log"
  start=$(date +%s)
  if ! "$build/fuzz/$t" -runs="$runs" -max_total_time="$seconds" -max_len=65536 -timeout=30 -rss_limit_mb=4096 \
       -artifact_prefix="$work/$t-" -print_final_stats=1 "$work/$t" "fuzz/corpus/$t" >"$log" 2>&1; then
    echo "fuzz: $t FAILED; see $log" >&2
    tail -40 "$log" >&2
    exit 1
  fi
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
  echo "fuzz: $t: $execs executions in $(($(date +%s) - start)) s, coverage $cov edges, corpus $(ls "$work/$t" | wc -l) files, no crash"
done

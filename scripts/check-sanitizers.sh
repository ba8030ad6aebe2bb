#!/usr/bin/env bash
# The sanitizer and thread-safety stage of .ci/run (docs/hardening.md):
# builds every library, the centinela binary and the unit tests with clang,
# AddressSanitizer and UndefinedBehaviorSanitizer (any report is fatal) and
# -Wthread-safety -Werror=thread-safety (the ABSL_GUARDED_BY annotations),
# then runs the unit tests, fuzz corpus replays included.
# Usage: scripts/check-sanitizers.sh [BUILD_DIR]   (default build-asan)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-asan}
jobs=${JOBS:-2}
start=$(date +%s)
cmake -S . -B "$dir" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DCENTINELA_SANITIZE=ON -DCENTINELA_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build "$dir" -j"$jobs" --target unit_tests
built=$(date +%s)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd "$dir" && ctest -L unit --output-on-failure -j"$jobs")
echo "sanitizers: clang ASan+UBSan and -Wthread-safety: build $((built - start)) s, unit tests $(($(date +%s) - built)) s, clean"

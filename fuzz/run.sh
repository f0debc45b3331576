#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, in build-fuzz/) and runs each for a set time on its corpus.
#   fuzz/run.sh [SECONDS] [TARGET...]   default: $FUZZ_SECONDS or 60 s, every target
# New inputs go to a scratch directory, so the committed corpus (fuzz/corpus/<target>/) is only
# read. Exits 1 when a target crashes, times out or runs out of memory; the input that did it is
# kept in build-fuzz/artifacts/<target>/ and the line to reproduce it is printed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

seconds="${1:-${FUZZ_SECONDS:-60}}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(yaml_document predicate_parser spark_sql delta_log read_options)
build="${FUZZ_BUILD_DIR:-$root/build-fuzz}"
cc="${FUZZ_CC:-clang-14}"
cxx="${FUZZ_CXX:-clang++-14}"
jobs="${JOBS:-$(nproc)}"

if ! command -v "$cxx" >/dev/null 2>&1; then
  echo "fuzz: $cxx not found; run 'make setup' (installs clang-14 and libclang-rt-14-dev)" >&2
  exit 1
fi
if [ ! -f "$build/build.ninja" ]; then
  # -O1 with line tables: what libFuzzer recommends, and the quickest to compile with ASan.
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE= -DCMAKE_CXX_FLAGS="-O1 -gline-tables-only" \
    -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" -DDLS_FUZZ=ON \
    -DDLS_BUILD_TESTS=OFF -DDLS_BUILD_BENCH=OFF >/dev/null
fi
cmake --build "$build" -j "$jobs" --target fuzz_targets

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export LSAN_OPTIONS="suppressions=$root/tests/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
failed=()
for t in "${targets[@]}"; do
  scratch="$(mktemp -d)"
  artifacts="$build/artifacts/$t"
  mkdir -p "$artifacts"
  log="$build/fuzz_$t.log"
  echo "fuzz: $t for ${seconds}s (log: $log)"
  # -timeout: one input may take at most 10 s; -rss_limit_mb: or 2 GB (a hang or a runaway
  # allocation is a failure, as a crash is).
  if "$build/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "$scratch" "fuzz/corpus/$t" >"$log" 2>&1; then
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "$log" | tr '\n' ' '
    echo
  else
    echo "fuzz: $t FAILED; the end of $log:" >&2
    tail -n 40 "$log" >&2
    echo "fuzz: reproduce with: $build/fuzz/fuzz_$t $artifacts/<file> (the file named above)" >&2
    failed+=("$t")
  fi
  rm -rf "$scratch"
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failed: ${failed[*]}" >&2
  exit 1
fi

#!/usr/bin/env bash
# `make bench`: runs every benchmark; paste the printed tables into bench/RESULTS.md.
set -euo pipefail
build="${1:-build}"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr)"
"$build/delta_bench" "${DLS_BENCH_ROWS:-2000000}" "${DLS_BENCH_COMMITS:-10000}"
"$build/store_bench"
"$build/pipeline_bench"
"$build/cdc_bench"
bash "$(dirname "$0")/ingest_bench.sh" "$build/dls" "${DLS_BENCH_INGEST_ROWS:-18000000}"

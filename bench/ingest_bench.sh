#!/usr/bin/env bash
# Ingest throughput (issue 6): CSV files → a bronze Delta table by `dls run` (cloudFiles, typed by
# source_schema, Parquet + per-file stats + commit), against DuckDB's own
# COPY (SELECT * FROM read_csv(…)) TO … (FORMAT parquet) of the same files, in the same script and
# through the same libduckdb (`dls query` runs the COPY).
#
# Usage: bench/ingest_bench.sh path/to/dls [ROWS] [FILES]   (default 10,000,000 rows ≈ 1 GB, 8 files)
set -euo pipefail
dls="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
rows="${2:-10000000}"
files="${3:-8}"
work="${DLS_BENCH_DIR:-/tmp/dls-ingest-bench}"
rm -rf "$work"
mkdir -p "$work/landing"
export DLS_WAREHOUSE="$work/warehouse"
cd "$work"

now() { date +%s.%N; }
per_file=$((rows / files))
echo "generating $rows rows in $files CSV files…" >&2
for ((i = 0; i < files; i++)); do
  "$dls" --quiet query "COPY (SELECT (range + $((i * per_file)))::BIGINT AS order_id,
      (range % 100000)::BIGINT AS customer_id,
      TIMESTAMP '2026-01-01' + to_seconds(range % 31536000) AS order_ts,
      round((range % 100000) / 100.0 + 0.5, 2)::DECIMAL(10,2) AS amount,
      ['placed','shipped','returned'][1 + range % 3] AS status,
      'note ' || (range % 977)::VARCHAR AS note
    FROM range($per_file)) TO '$work/landing/part-$i.csv' (HEADER)" > /dev/null
done
bytes=$(du -cb landing/*.csv | tail -1 | cut -f1)

t0=$(now)
"$dls" --quiet query "COPY (SELECT * FROM read_csv('$work/landing/*.csv', header = true))
    TO '$work/duckdb_copy.parquet' (FORMAT parquet)" > /dev/null
t1=$(now)

"$dls" --quiet store init > /dev/null
"$dls" --quiet upsert --json "{\"entity_id\": \"bronze\", \"group\": \"main.bench\",
  \"source\": \"$work/landing\", \"source_format\": \"cloudFiles\", \"destination\": \"orders_bronze\",
  \"source_schema\": \"order_id BIGINT, customer_id BIGINT, order_ts TIMESTAMP, amount DECIMAL(10,2), status STRING, note STRING\",
  \"read_options\": {\"cloudFiles.format\": \"csv\", \"header\": \"true\"}}" > /dev/null
t2=$(now)
"$dls" --quiet run --group main.bench > /dev/null
t3=$(now)

out_rows=$("$dls" query "SELECT count(*) FROM main.bench.orders_bronze" --format csv | tail -1)
[ "$out_rows" = "$rows" ] || { echo "bronze has $out_rows rows, expected $rows" >&2; exit 1; }

awk -v rows="$rows" -v bytes="$bytes" -v c0="$t0" -v c1="$t1" -v r0="$t2" -v r1="$t3" 'BEGIN {
  copy = c1 - c0; run = r1 - r0
  printf "input: %d rows, %.1f MB of CSV\n", rows, bytes / 1e6
  printf "DuckDB COPY read_csv -> parquet: %.2f s (%.0f MB/s)\n", copy, bytes / 1e6 / copy
  printf "dls run (cloudFiles -> bronze Delta, stats, commit): %.2f s (%.0f MB/s)\n", run, bytes / 1e6 / run
  printf "ratio dls / DuckDB COPY: %.2fx\n", run / copy
}'

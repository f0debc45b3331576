#!/usr/bin/env bash
# `make demo`: a tour of dls on the bundled example. Usage: examples/demo.sh path/to/dls
set -euo pipefail
dls="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
bin_dir="$(dirname "$dls")"
cd "$(dirname "$0")/.."
export DLS_WAREHOUSE="$PWD/warehouse"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Write a partitioned Delta table through the library (./warehouse/main/demo/trips)"
"$bin_dir/demo_write_table" "$DLS_WAREHOUSE"

step "dls table history main.demo.trips"
"$dls" table history main.demo.trips

step "dls table describe main.demo.trips"
"$dls" table describe main.demo.trips

step "dls query: trips and revenue per city"
"$dls" query "SELECT city, count(*) AS trips, sum(fare) AS revenue, round(avg(distance_km), 2) AS avg_km
              FROM main.demo.trips GROUP BY city ORDER BY city"

step "dls query: time travel to version 1 with delta_scan"
"$dls" query "SELECT count(*) AS trips_at_v1 FROM delta_scan('$DLS_WAREHOUSE/main/demo/trips', version => 1)"

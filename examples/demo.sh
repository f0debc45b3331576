#!/usr/bin/env bash
# `make demo`: a tour of dls on the bundled example (examples/retail/pipeline.yml).
# Usage: examples/demo.sh path/to/dls
#
# It works in ./warehouse (the default warehouse), which it starts afresh: the metadata store,
# the pipeline's tables, its state and event log, and the landing folder where "new files arrive"
# (examples/retail/landing/orders, the source pipeline.yml names relative to itself).
set -euo pipefail
dls="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
bin_dir="$(dirname "$dls")"
cd "$(dirname "$0")/.."
export DLS_WAREHOUSE="$PWD/warehouse"
landing="$PWD/examples/retail/landing/orders"  # pipeline.yml's orders source, next to it

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() {
  printf '\033[2m$ dls %s\033[0m\n' "$*"
  "$dls" "$@"
}

step "Starting from an empty warehouse at $DLS_WAREHOUSE"
rm -rf "$DLS_WAREHOUSE" "$landing"
mkdir -p "$landing"

step "1. The metadata store: a Delta table holding every version of every entity"
run store init
run load yaml examples/retail/pipeline.yml
run list
run graph --group main.retail

step "2. Two files of orders land; the first update ingests them"
cp examples/retail/data/orders/orders_2026-11-01.csv examples/retail/data/orders/orders_2026-11-02.csv "$landing/"
run run --group main.retail

step "3. Rows that failed a rule are quarantined, each with the rules it failed"
run query "SELECT order_id, customer_id, amount, status, _errors
           FROM main.retail.orders_silver_invalid ORDER BY order_id"

step "4. The gold materialized view"
run query "SELECT * FROM main.retail.sales_summary"

step "5. A third file lands: only its rows are processed"
cp examples/retail/data/orders/orders_2026-11-03.csv "$landing/"
run run --group main.retail
run query "SELECT (SELECT count(*) FROM main.retail.orders_bronze) AS bronze_rows,
                  (SELECT count(*) FROM main.retail.orders_silver) AS silver_rows,
                  (SELECT count(*) FROM main.retail.orders_silver_invalid) AS quarantined_rows"

step "6. Nothing new: the update commits nothing"
run run --group main.retail

step "7. Revenue per country, joining two datasets with plain SQL"
run query "SELECT c.country, count(*) AS orders, sum(o.amount) AS revenue
           FROM main.retail.orders_silver AS o JOIN main.retail.customers AS c USING (customer_id)
           GROUP BY c.country ORDER BY revenue DESC"

step "8. The same query in Spark SQL, as it would run on Databricks"
run query --dialect spark "SELECT date_format(order_ts, 'yyyy-MM-dd') AS day, count(*) AS orders,
           concat_ws(',', collect_set(status)) AS statuses
           FROM main.retail.orders_silver GROUP BY 1 ORDER BY 1"

step "9. The event log and the history of a table"
run events --last 8
run table history main.retail.orders_silver

step "10. The same metadata, generated for Databricks (Lakeflow SQL + an Asset Bundle)"
run generate databricks --group main.retail --out "$DLS_WAREHOUSE/_generated/databricks"
sed -n '1,40p' "$DLS_WAREHOUSE/_generated/databricks/src/main_retail/transformations/orders_silver.sql"

step "11. Change metadata: disable the gold view (a new version in the store) and see its history"
run disable sales_summary
run show sales_summary --history | sed -n '1,6p'

step "12. The Delta library directly: a partitioned table written from C++ (examples/demo_write_table.cpp)"
"$bin_dir/demo_write_table" "$DLS_WAREHOUSE"
run query "SELECT city, count(*) AS trips, sum(fare) AS revenue FROM main.demo.trips GROUP BY city ORDER BY city"
run query "SELECT count(*) AS trips_at_v1 FROM delta_scan('$DLS_WAREHOUSE/main/demo/trips', version => 1)"

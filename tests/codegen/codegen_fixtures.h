// Entities shared by the codegen tests: a medallion pipeline using every construct the generators
// translate, and entities whose names and texts are hostile to SQL and YAML.
#pragma once

#include <filesystem>
#include <string>

#include "dls/codegen/generated_project.h"
#include "dls/core/entity.h"
#include "dls/core/entity_list.h"

namespace dls::testing {

/// Auto Loader CSV bronze table with expectations, quarantine, partitions, properties, tags.
inline DeltaLiveEntity orders_bronze() {
  DeltaLiveEntity e;
  e.entity_id = "orders_bronze";
  e.group = "main.etl";
  e.source = "raw/orders";  // relative: read under the source volume
  e.source_format = "cloudFiles";
  e.destination = "main.etl.orders_bronze";
  e.read_options = {{"cloudFiles.format", "csv"},
                    {"header", "true"},
                    {"cloudFiles.schemaHints", "amount DECIMAL(18,2)"},
                    {"cloudFiles.maxFilesPerTrigger", "100"},
                    {"cloudFiles.schemaLocation", "/tmp/schemas/orders"}};
  e.select_expr = {"*", "_metadata.file_path AS source_file"};
  e.partition_cols = {"region"};
  e.comment = "Raw orders, one row per CSV line.";
  e.table_properties = {{"quality", "bronze"}};
  e.tags = {{"owner", "sales"}};
  e.spark_conf = {{"spark.sql.shuffle.partitions", "8"}};
  e.expectations.expect_all = {{"valid_id", "id IS NOT NULL"},
                               {"valid_region", "region IN ('EU', 'US')"}};
  e.expectations.expect_all_or_drop = {{"positive_amount", "amount > 0"}};
  e.expectations.expect_all_or_fail = {{"known_op", "op IN ('INSERT', 'UPDATE', 'DELETE')"}};
  e.is_quarantined = true;
  return normalized(e);
}

/// SCD type 1 AUTO CDC from the bronze table: where, deletes, truncates, COLUMNS * EXCEPT,
/// IGNORE NULL UPDATES, a flow name and an expectation on the target.
inline DeltaLiveEntity orders_silver() {
  DeltaLiveEntity e;
  e.entity_id = "orders_silver";
  e.group = "main.etl";
  e.source = "main.etl.orders_bronze";
  e.source_format = "dlt";
  e.destination = "main.etl.orders_silver";
  e.primary_keys = {"id"};
  e.comment = "Current orders.";
  e.table_properties = {{"pipelines.cdc.tombstoneGCThresholdInSeconds", "172800"}};
  e.expectations.expect_all = {{"has_amount", "amount IS NOT NULL"}};
  ApplyChanges ac;
  ac.sequence_by = "seq";
  ac.where = "op <> 'NOOP'";
  ac.ignore_null_updates = true;
  ac.apply_as_deletes = "op = 'DELETE'";
  ac.apply_as_truncates = "op = 'TRUNCATE'";
  ac.except_column_list = {"op", "seq"};
  ac.flow_name = "orders_cdc";
  e.apply_changes = ac;
  return normalized(e);
}

/// SCD type 2 with struct sequencing, COLUMNS list, TRACK HISTORY ON * EXCEPT, partial
/// ignore-null updates, and quarantine of the change feed.
inline DeltaLiveEntity customers_history() {
  DeltaLiveEntity e;
  e.entity_id = "customers_history";
  e.group = "main.etl";
  e.source = "main.crm.customer_changes";
  e.source_format = "delta";
  e.destination = "customers_history";
  e.primary_keys = {"customer_id"};
  e.partition_cols = {"country"};
  e.is_quarantined = true;
  e.expectations.expect_all = {{"has_customer", "customer_id IS NOT NULL"}};
  ApplyChanges ac;
  ac.sequence_by = "STRUCT(event_ts, lsn)";
  ac.apply_as_deletes = "operation = 'DELETE'";
  ac.column_list = {"customer_id", "name", "country", "last_login_at", "event_ts", "lsn"};
  ac.stored_as_scd_type = 2;
  ac.track_history_except_column_list = {"last_login_at"};
  ac.ignore_null_updates_column_list = {"name", "country"};
  e.apply_changes = ac;
  return normalized(e);
}

/// SCD type 2 with an explicit TRACK HISTORY ON list and IGNORE NULL UPDATES ON * EXCEPT.
inline DeltaLiveEntity orders_history() {
  DeltaLiveEntity e;
  e.entity_id = "orders_history";
  e.group = "main.etl";
  e.source = "main.etl.orders_bronze";
  e.source_format = "dlt";
  e.destination = "main.etl.orders_history";
  e.primary_keys = {"id", "region"};
  ApplyChanges ac;
  ac.sequence_by = "seq";
  ac.stored_as_scd_type = 2;
  ac.track_history_column_list = {"amount", "status"};
  ac.ignore_null_updates_except_column_list = {"status"};
  e.apply_changes = ac;
  return normalized(e);
}

/// A batch CSV read with a schema: a materialized view.
inline DeltaLiveEntity lookup() {
  DeltaLiveEntity e;
  e.entity_id = "lookup";
  e.group = "main.etl";
  e.source = "/Volumes/main/ref/lookup.csv";
  e.source_format = "csv";
  e.destination = "lookup";
  e.source_schema = "code STRING, name STRING";
  e.read_options = {{"header", "true"}, {"sep", ";"}};
  return normalized(e);
}

/// A temporary view over the lookup with a warn expectation.
inline DeltaLiveEntity lookup_view() {
  DeltaLiveEntity e;
  e.entity_id = "lookup_view";
  e.group = "main.etl";
  e.source = "lookup";
  e.source_format = "dlt";
  e.is_streaming = false;
  e.destination = "lookup_v";
  e.destination_type = "view";
  e.select_expr = {"upper(code) AS code", "name"};
  e.comment = "Lookup with upper-case codes.";
  e.expectations.expect_all = {{"has_name", "name IS NOT NULL"}};
  return normalized(e);
}

/// A partitioned materialized view over the view, with a declared schema from a Delta table.
inline DeltaLiveEntity reference_copy() {
  DeltaLiveEntity e;
  e.entity_id = "reference_copy";
  e.group = "main.etl";
  e.source = "/mnt/shared/reference";
  e.source_format = "delta";
  e.is_streaming = false;
  e.destination = "main.etl.reference";
  e.source_schema = "code STRING, label STRING";
  e.partition_cols = {"code"};
  e.expectations.expect_all_or_drop = {{"has_label", "label IS NOT NULL"}};
  return normalized(e);
}

/// A Kafka source in another group (a second pipeline).
inline DeltaLiveEntity events_raw() {
  DeltaLiveEntity e;
  e.entity_id = "events_raw";
  e.group = "streaming";
  e.source = "events";
  e.source_format = "kafka";
  e.destination = "events_raw";
  e.read_options = {{"kafka.bootstrap.servers", "broker:9092"}, {"startingOffsets", "earliest"}};
  e.select_expr = {"CAST(key AS STRING) AS key", "CAST(value AS STRING) AS payload", "timestamp"};
  e.spark_conf = {{"spark.sql.shuffle.partitions", "4"}};
  return normalized(e);
}

inline EntityList medallion() {
  return EntityList{orders_bronze(), orders_silver(), customers_history(), orders_history(),
                    lookup(),        lookup_view(),   reference_copy(),    events_raw()};
}

/// Append flows and a once flow: CSV and JSON Auto Loader sources appending into one streaming
/// table (one flow with its own name and expectations), and a Parquet backfill run once.
/// `with_once`: include the once flow (Apache Spark pipelines have none).
inline EntityList flows(bool with_once) {
  DeltaLiveEntity csv;
  csv.entity_id = "orders_csv";
  csv.group = "main.etl";
  csv.source = "/Volumes/main/raw/orders_csv";
  csv.source_format = "cloudFiles";
  csv.destination = "main.etl.orders_all";
  csv.read_options = {{"cloudFiles.format", "csv"}, {"header", "true"}};
  csv.select_expr = {"id", "CAST(amount AS DECIMAL(18,2)) AS amount", "'csv' AS origin"};
  csv.table_properties = {{"quality", "silver"}};
  csv.comment = "Orders from every source.";
  DeltaLiveEntity json = csv;
  json.entity_id = "orders_json";
  json.flow_name = "orders_from_json";
  json.source = "/Volumes/main/raw/orders_json";
  json.read_options = {{"cloudFiles.format", "json"}};
  json.select_expr = {"id", "amount", "customer", "'json' AS origin"};
  json.expectations.expect_all_or_drop = {{"valid_id", "id IS NOT NULL"}};
  EntityList list{normalized(csv), normalized(json)};
  if (with_once) {
    DeltaLiveEntity backfill = csv;
    backfill.entity_id = "orders_backfill";
    backfill.source = "/Volumes/main/raw/orders_history";
    backfill.source_format = "parquet";
    backfill.read_options.clear();
    backfill.select_expr = {"id", "amount", "'history' AS origin"};
    backfill.once = true;
    list.push_back(normalized(backfill));
  }
  DeltaLiveEntity gold;
  gold.entity_id = "orders_totals";
  gold.group = "main.etl";
  gold.source = "main.etl.orders_all";
  gold.source_format = "dlt";
  gold.is_streaming = false;
  gold.destination = "main.etl.orders_totals";
  gold.select_expr = {"count(*) AS n", "sum(amount) AS total"};
  gold.where_clause = {"n > 0"};
  list.push_back(normalized(gold));
  return list;
}

/// Sinks (Python only: dp.create_sink + @dp.append_flow): an Auto Loader bronze table, a Kafka
/// sink fed from it (key/value columns by select_expr), and a Delta sink written by two append
/// flows, one filtered by where_clause.
inline EntityList sinks() {
  DeltaLiveEntity bronze;
  bronze.entity_id = "orders_bronze";
  bronze.group = "main.etl";
  bronze.source = "/Volumes/main/raw/orders";
  bronze.source_format = "cloudFiles";
  bronze.destination = "main.etl.orders_bronze";
  bronze.read_options = {{"cloudFiles.format", "json"}};
  bronze.source_schema = "id BIGINT, amount DOUBLE, status STRING";
  DeltaLiveEntity kafka;
  kafka.entity_id = "orders_to_kafka";
  kafka.group = "main.etl";
  kafka.source = "main.etl.orders_bronze";
  kafka.source_format = "dlt";
  kafka.destination = "orders_topic";
  kafka.destination_type = "sink";
  kafka.sink_format = "kafka";
  kafka.sink_options = {{"kafka.bootstrap.servers", "broker:9092"}, {"topic", "orders"}};
  kafka.select_expr = {"CAST(id AS STRING) AS key", "to_json(struct(*)) AS value"};
  DeltaLiveEntity export_all;
  export_all.entity_id = "orders_export";
  export_all.group = "main.etl";
  export_all.source = "main.etl.orders_bronze";
  export_all.source_format = "dlt";
  export_all.destination = "orders_export";
  export_all.destination_type = "sink";
  export_all.sink_format = "delta";
  export_all.sink_options = {{"path", "/Volumes/main/exports/orders"}};
  export_all.select_expr = {"id", "amount"};
  DeltaLiveEntity export_refunds = export_all;
  export_refunds.entity_id = "refunds_export";
  export_refunds.flow_name = "refunds";
  export_refunds.where_clause = {"amount < 0"};
  export_refunds.spark_conf = {{"spark.sql.shuffle.partitions", "4"}};
  return {normalized(bronze), normalized(kafka), normalized(export_all),
          normalized(export_refunds)};
}

/// Names, comments and options with quotes, backticks, newlines, unicode and SQL keywords.
inline EntityList hostile() {
  DeltaLiveEntity a;
  a.entity_id = "select";
  a.group = "we'ird\"group";
  a.source = "/Volumes/x/it's \"here\"/`dir`";
  a.source_format = "cloudFiles";
  a.destination = "from.`where`.tablé 😀";
  a.read_options = {{"cloudFiles.format", "json"},
                    {"it's`key", "va'l\"ue\\n\n-- DROP TABLE x; --"},
                    {"true", "1"}};
  a.comment = "Ends here'; DROP TABLE t; --\n*/ /* \u00e9\u4e2d\u6587 \u0001";
  a.table_properties = {{"k'ey", "v`al'ue"}};
  a.tags = {{"own\"er", "Zoë's"}};
  a.partition_cols = {"order", "we`ird"};
  a.spark_conf = {{"spark.x'y", "a\"b: c # d"}};
  a.expectations.expect_all_or_drop = {{"name with 'quote' and `tick`", "`select` IS NOT NULL"}};
  a = normalized(a);

  DeltaLiveEntity b;
  b.entity_id = "group";
  b.group = "we'ird\"group";
  b.source = "from.`where`.tablé 😀";
  b.source_format = "dlt";
  b.destination = "table";
  b.primary_keys = {"key`1", "from"};
  b.comment = "\\'\\";
  ApplyChanges ac;
  ac.sequence_by = "`order`";
  ac.apply_as_deletes = "\"op\" = 'DEL;ETE'";
  ac.except_column_list = {"op`"};
  ac.flow_name = "flow `name`";
  b.apply_changes = ac;
  b = normalized(b);
  return EntityList{a, b};
}

}  // namespace dls::testing

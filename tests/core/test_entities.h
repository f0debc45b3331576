// Entities shared by the core tests.
#pragma once

#include "dls/core/entity.h"

namespace dls::testing {

/// A fully populated entity (every user field set to a non-default value).
inline DeltaLiveEntity full_entity() {
  DeltaLiveEntity e;
  e.entity_id = "orders_silver";
  e.group = "main.etl";
  e.source = "orders_bronze";
  e.source_format = "dlt";
  e.destination = "main.etl.orders_silver";
  e.destination_type = "table";
  e.source_schema = "id INT, amount DOUBLE";
  e.select_expr = {"id", "amount * 2 AS double_amount"};
  e.is_streaming = true;
  e.primary_keys = {"id"};
  e.read_options = {{"skipChangeCommits", "true"}};  // a dlt source takes the delta options
  e.table_properties = {{"delta.appendOnly", "false"}};
  e.tags = {{"pii", "no"}, {"owner", "sales"}};
  e.spark_conf = {{"spark.sql.shuffle.partitions", "8"}};
  e.partition_cols = {"region"};
  e.comment = "Orders, cleaned.";
  e.expectations.expect_all = {{"valid_id", "id IS NOT NULL"}};
  e.expectations.expect_all_or_drop = {{"positive", "amount > 0"}};
  e.expectations.expect_all_or_fail = {{"has_region", "region IS NOT NULL"}};
  ApplyChanges ac;
  ac.sequence_by = "seq";
  ac.where = "op <> 'NOOP'";
  ac.ignore_null_updates = false;
  ac.apply_as_deletes = "op = 'DELETE'";
  ac.apply_as_truncates = std::nullopt;
  ac.column_list = {};
  ac.except_column_list = {"op"};
  ac.stored_as_scd_type = 2;
  ac.track_history_column_list = {"amount"};
  ac.flow_name = "orders_cdc";
  ac.ignore_null_updates_except_column_list = {"id"};
  e.apply_changes = ac;
  e.is_quarantined = false;
  e.is_enabled = true;
  return e;
}

/// A minimal valid entity.
inline DeltaLiveEntity simple_entity(std::string entity_id = "1") {
  DeltaLiveEntity e;
  e.entity_id = std::move(entity_id);
  e.source = "/data/in";
  e.destination = "dataset1_bronze";
  e.read_options = {{"cloudFiles.format", "csv"}};
  return e;
}

}  // namespace dls::testing

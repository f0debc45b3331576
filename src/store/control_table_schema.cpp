#include "dls/store/control_table_schema.h"

namespace dls {

namespace {

using delta::DataType;
using delta::StructField;

StructField column(std::string name, DataType type) {
  return StructField{std::move(name), std::move(type), true, nlohmann::json::object()};
}

DataType string_type() {
  return DataType::primitive("string");
}
DataType boolean_type() {
  return DataType::primitive("boolean");
}
DataType string_list() {
  return DataType::array(string_type(), true);
}
DataType string_map() {
  return DataType::map(string_type(), string_type(), true);
}

delta::Schema build_schema() {
  DataType expectations = DataType::structure({
      column("expect_all", string_map()),
      column("expect_all_or_drop", string_map()),
      column("expect_all_or_fail", string_map()),
  });
  DataType apply_changes = DataType::structure({
      column("sequence_by", string_type()),
      column("where", string_type()),
      column("ignore_null_updates", boolean_type()),
      column("apply_as_deletes", string_type()),
      column("apply_as_truncates", string_type()),
      column("column_list", string_list()),
      column("except_column_list", string_list()),
      column("stored_as_scd_type", DataType::primitive("integer")),
      column("track_history_column_list", string_list()),
      column("track_history_except_column_list", string_list()),
      column("flow_name", string_type()),
      column("ignore_null_updates_column_list", string_list()),
      column("ignore_null_updates_except_column_list", string_list()),
  });
  delta::Schema schema;
  schema.fields = {
      column("id", string_type()),
      column("entity_id", string_type()),
      column("destination_type", string_type()),
      column("group", string_type()),
      column("source", string_type()),
      column("source_format", string_type()),
      column("source_schema", string_type()),
      column("select_expr", string_list()),
      column("is_streaming", boolean_type()),
      column("primary_keys", string_list()),
      column("read_options", string_map()),
      column("table_properties", string_map()),
      column("tags", string_map()),
      column("expectations", expectations),
      column("apply_changes", apply_changes),
      column("is_quarantined", boolean_type()),
      column("spark_conf", string_map()),
      column("partition_cols", string_list()),
      column("destination", string_type()),
      column("comment", string_type()),
      column("created_ts", DataType::primitive("timestamp")),
      column("expired_ts", DataType::primitive("timestamp")),
      column("created_by", string_type()),
      column("modified_by", string_type()),
      column("is_enabled", boolean_type()),
      column("is_latest", boolean_type()),
      column("hash", string_type()),
      // Added after the seed's columns (kAddedControlTableColumns): absent from older tables.
      column("where_clause", string_list()),
      column("query", string_type()),
      column("flow_name", string_type()),
      column("once", boolean_type()),
      column("sink_format", string_type()),
      column("sink_options", string_map()),
  };
  return schema;
}

}  // namespace

const delta::Schema& control_table_schema() {
  static const delta::Schema schema = build_schema();
  return schema;
}

std::vector<std::string> control_table_columns() {
  std::vector<std::string> names;
  for (const auto& f : control_table_schema().fields) names.push_back(f.name);
  return names;
}

std::vector<std::string> required_control_table_columns() {
  std::vector<std::string> names;
  for (const auto& name : control_table_columns()) {
    if (!is_added_control_table_column(name)) names.push_back(name);
  }
  return names;
}

bool is_added_control_table_column(const std::string& name) {
  for (const char* added : kAddedControlTableColumns) {
    if (name == added) return true;
  }
  return false;
}

std::vector<std::string> missing_added_columns(const delta::Snapshot& snapshot) {
  std::vector<std::string> missing;
  for (const char* added : kAddedControlTableColumns) {
    if (!snapshot.schema().find(added)) missing.push_back(added);
  }
  return missing;
}

bool is_control_table(const delta::Snapshot& snapshot) {
  const auto& config = snapshot.metadata().configuration;
  if (auto it = config.find(kControlTableProperty); it != config.end()) return it->second == "true";
  for (const auto& name : required_control_table_columns()) {
    if (!snapshot.schema().find(name)) return false;
  }
  return true;
}

}  // namespace dls

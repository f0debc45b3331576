#include "store/entity_rows.h"

#include "dls/core/error.h"
#include "dls/sql/quote.h"
#include "dls/store/control_table_schema.h"

namespace dls::store_detail {

namespace {

using nlohmann::json;
using sql::quote_identifier;

// Column positions of read_entities' SELECT (control-table order).
enum Col {
  kId,
  kEntityId,
  kDestinationType,
  kGroup,
  kSource,
  kSourceFormat,
  kSourceSchema,
  kSelectExpr,
  kIsStreaming,
  kPrimaryKeys,
  kReadOptions,
  kTableProperties,
  kTags,
  kExpectations,
  kApplyChanges,
  kIsQuarantined,
  kSparkConf,
  kPartitionCols,
  kDestination,
  kComment,
  kCreatedTs,
  kExpiredTs,
  kCreatedBy,
  kModifiedBy,
  kIsEnabled,
  kIsLatest,
  kHash,
  kWhereClause,
  kQuery,
  kFlowName,
  kOnce,
  kSinkFormat,
  kSinkOptions,
  kColumnCount,
};

/// The read expression of one column: nested values as JSON text, timestamps as microseconds.
std::string read_expr(const delta::StructField& f) {
  const std::string col = quote_identifier(f.name);
  const std::string& kind = f.type.kind;
  if (kind == "struct" || kind == "map" || kind == "array") {
    return "CAST(to_json(" + col + ") AS VARCHAR)";
  }
  if (kind == "timestamp" || kind == "timestamp_ntz") return "epoch_us(" + col + ")";
  return col;
}

const std::string& select_list() {
  static const std::string list = [] {
    const auto& fields = control_table_schema().fields;
    if (fields.size() != kColumnCount) throw Error("control table schema/column map mismatch");
    std::string s;
    for (const auto& f : fields) s += (s.empty() ? "" : ", ") + read_expr(f);
    return s;
  }();
  return list;
}

json parse_json(const std::string& text) {
  return json::parse(text, nullptr, /*allow_exceptions=*/true);
}

StringList list_of(const json& j) {
  StringList out;
  if (!j.is_array()) return out;
  out.reserve(j.size());
  for (const auto& v : j) out.push_back(v.is_string() ? v.get<std::string>() : v.dump());
  return out;
}

StringMap map_of(const json& j) {
  StringMap out;
  if (!j.is_object()) return out;
  for (const auto& [k, v] : j.items()) {
    // A NULL map value (possible in Spark-written rows) reads as "".
    out.emplace(k, v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump());
  }
  return out;
}

std::optional<std::string> opt_string(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

StringList list_field(const json& j, const char* key) {
  auto it = j.find(key);
  return it == j.end() ? StringList{} : list_of(*it);
}

/// Text of a nested column: "[]", "{}" and NULL short-circuit the JSON parser.
StringList read_list(const sql::DataChunk& chunk, size_t col, size_t row) {
  if (chunk.is_null(col, row)) return {};
  std::string text = chunk.get_string(col, row);
  if (text == "[]") return {};
  return list_of(parse_json(text));
}

StringMap read_map(const sql::DataChunk& chunk, size_t col, size_t row) {
  if (chunk.is_null(col, row)) return {};
  std::string text = chunk.get_string(col, row);
  if (text == "{}") return {};
  return map_of(parse_json(text));
}

std::optional<std::string> read_opt(const sql::DataChunk& chunk, size_t col, size_t row) {
  if (chunk.is_null(col, row)) return std::nullopt;
  return chunk.get_string(col, row);
}

std::string read_str(const sql::DataChunk& chunk, size_t col, size_t row) {
  return chunk.is_null(col, row) ? std::string() : chunk.get_string(col, row);
}

bool read_bool(const sql::DataChunk& chunk, size_t col, size_t row, bool fallback) {
  if (chunk.is_null(col, row)) return fallback;
  return chunk.value(col, row).as_bool();
}

std::optional<Timestamp> read_ts(const sql::DataChunk& chunk, size_t col, size_t row) {
  if (chunk.is_null(col, row)) return std::nullopt;
  return chunk.get_int(col, row);
}

DeltaLiveEntity entity_of(const sql::DataChunk& c, size_t r) {
  DeltaLiveEntity e;
  e.id = read_opt(c, kId, r);
  e.entity_id = read_str(c, kEntityId, r);
  e.destination_type = read_str(c, kDestinationType, r);
  e.group = read_str(c, kGroup, r);
  e.source = read_str(c, kSource, r);
  e.source_format = read_str(c, kSourceFormat, r);
  e.source_schema = read_opt(c, kSourceSchema, r);
  e.select_expr = read_list(c, kSelectExpr, r);
  e.is_streaming = read_bool(c, kIsStreaming, r, true);
  e.primary_keys = read_list(c, kPrimaryKeys, r);
  e.read_options = read_map(c, kReadOptions, r);
  e.table_properties = read_map(c, kTableProperties, r);
  e.tags = read_map(c, kTags, r);
  if (!c.is_null(kExpectations, r)) {
    json x = parse_json(c.get_string(kExpectations, r));
    if (x.is_object()) {
      e.expectations.expect_all = map_of(x.value("expect_all", json()));
      e.expectations.expect_all_or_drop = map_of(x.value("expect_all_or_drop", json()));
      e.expectations.expect_all_or_fail = map_of(x.value("expect_all_or_fail", json()));
    }
  }
  if (!c.is_null(kApplyChanges, r)) {
    json x = parse_json(c.get_string(kApplyChanges, r));
    if (x.is_object()) {
      ApplyChanges ac;
      ac.sequence_by = opt_string(x, "sequence_by").value_or("");
      ac.where = opt_string(x, "where");
      auto inu = x.find("ignore_null_updates");
      ac.ignore_null_updates = inu != x.end() && inu->is_boolean() && inu->get<bool>();
      ac.apply_as_deletes = opt_string(x, "apply_as_deletes");
      ac.apply_as_truncates = opt_string(x, "apply_as_truncates");
      ac.column_list = list_field(x, "column_list");
      ac.except_column_list = list_field(x, "except_column_list");
      auto scd = x.find("stored_as_scd_type");
      ac.stored_as_scd_type = scd != x.end() && scd->is_number_integer() ? scd->get<int>() : 1;
      ac.track_history_column_list = list_field(x, "track_history_column_list");
      ac.track_history_except_column_list = list_field(x, "track_history_except_column_list");
      ac.flow_name = opt_string(x, "flow_name");
      ac.ignore_null_updates_column_list = list_field(x, "ignore_null_updates_column_list");
      ac.ignore_null_updates_except_column_list =
          list_field(x, "ignore_null_updates_except_column_list");
      e.apply_changes = std::move(ac);
    }
  }
  e.is_quarantined = read_bool(c, kIsQuarantined, r, false);
  e.spark_conf = read_map(c, kSparkConf, r);
  e.partition_cols = read_list(c, kPartitionCols, r);
  e.destination = read_str(c, kDestination, r);
  e.comment = read_opt(c, kComment, r);
  e.created_ts = read_ts(c, kCreatedTs, r);
  e.expired_ts = read_ts(c, kExpiredTs, r);
  e.created_by = read_opt(c, kCreatedBy, r);
  e.modified_by = read_opt(c, kModifiedBy, r);
  e.is_enabled = read_bool(c, kIsEnabled, r, true);
  e.is_latest = read_bool(c, kIsLatest, r, false);
  e.hash = read_opt(c, kHash, r);
  e.where_clause = read_list(c, kWhereClause, r);
  e.query = read_opt(c, kQuery, r);
  e.flow_name = read_opt(c, kFlowName, r);
  e.once = read_bool(c, kOnce, r, false);
  e.sink_format = read_opt(c, kSinkFormat, r);
  e.sink_options = read_map(c, kSinkOptions, r);
  return e;
}

json opt_json(const std::optional<std::string>& s) {
  return s ? json(*s) : json(nullptr);
}
json opt_json(const std::optional<Timestamp>& t) {
  return t ? json(*t) : json(nullptr);
}

json map_json(const StringMap& m) {
  json out = json::object();
  for (const auto& [k, v] : m) out[k] = v;
  return out;
}

/// json_transform's structure for one type: DuckDB type names, nested objects for structs,
/// BIGINT (microseconds) for timestamps.
json structure_of(const delta::DataType& type) {
  if (type.kind == "struct") {
    json obj = json::object();
    for (const auto& f : type.fields) obj[f.name] = structure_of(f.type);
    return obj;
  }
  if (type.kind == "timestamp" || type.kind == "timestamp_ntz") return "BIGINT";
  return type.to_duckdb();
}

}  // namespace

EntityList read_entities(sql::Connection& con, const std::string& rows_sql,
                         const std::string& where, const std::string& order_by) {
  std::string q = "SELECT " + select_list() + " FROM (" + rows_sql + ") AS __dls_rows";
  if (!where.empty()) q += " WHERE " + where;
  if (!order_by.empty()) q += " ORDER BY " + order_by;
  auto result = con.query(q);
  std::vector<DeltaLiveEntity> out;
  while (auto chunk = result.next_chunk()) {
    for (size_t r = 0; r < chunk->size(); ++r) out.push_back(entity_of(*chunk, r));
  }
  return EntityList(std::move(out));
}

EntityList read_latest_index(sql::Connection& con, const std::string& rows_sql) {
  auto result = con.query("SELECT entity_id, id, hash, epoch_us(created_ts) FROM (" + rows_sql +
                          ") AS __dls_rows WHERE coalesce(is_latest, false)");
  std::vector<DeltaLiveEntity> out;
  while (auto chunk = result.next_chunk()) {
    for (size_t r = 0; r < chunk->size(); ++r) {
      DeltaLiveEntity e;
      e.entity_id = read_str(*chunk, 0, r);
      e.id = read_opt(*chunk, 1, r);
      e.hash = read_opt(*chunk, 2, r);
      e.created_ts = read_ts(*chunk, 3, r);
      e.is_latest = true;
      out.push_back(std::move(e));
    }
  }
  return EntityList(std::move(out));
}

json row_json(const DeltaLiveEntity& e) {
  json row = json::object();
  row["id"] = opt_json(e.id);
  row["entity_id"] = e.entity_id;
  row["destination_type"] = e.destination_type;
  row["group"] = e.group.empty() ? json(nullptr) : json(e.group);
  row["source"] = e.source;
  row["source_format"] = e.source_format;
  row["source_schema"] = opt_json(e.source_schema);
  row["select_expr"] = e.select_expr;
  row["is_streaming"] = e.is_streaming;
  row["primary_keys"] = e.primary_keys;
  row["read_options"] = map_json(e.read_options);
  row["table_properties"] = map_json(e.table_properties);
  row["tags"] = map_json(e.tags);
  row["expectations"] = {{"expect_all", map_json(e.expectations.expect_all)},
                         {"expect_all_or_drop", map_json(e.expectations.expect_all_or_drop)},
                         {"expect_all_or_fail", map_json(e.expectations.expect_all_or_fail)}};
  if (e.apply_changes) {
    const ApplyChanges& ac = *e.apply_changes;
    row["apply_changes"] = {
        {"sequence_by", ac.sequence_by},
        {"where", opt_json(ac.where)},
        {"ignore_null_updates", ac.ignore_null_updates},
        {"apply_as_deletes", opt_json(ac.apply_as_deletes)},
        {"apply_as_truncates", opt_json(ac.apply_as_truncates)},
        {"column_list", ac.column_list},
        {"except_column_list", ac.except_column_list},
        {"stored_as_scd_type", ac.stored_as_scd_type},
        {"track_history_column_list", ac.track_history_column_list},
        {"track_history_except_column_list", ac.track_history_except_column_list},
        {"flow_name", opt_json(ac.flow_name)},
        {"ignore_null_updates_column_list", ac.ignore_null_updates_column_list},
        {"ignore_null_updates_except_column_list", ac.ignore_null_updates_except_column_list},
    };
  } else {
    row["apply_changes"] = nullptr;
  }
  row["is_quarantined"] = e.is_quarantined;
  row["spark_conf"] = map_json(e.spark_conf);
  row["partition_cols"] = e.partition_cols;
  row["destination"] = e.destination;
  row["comment"] = opt_json(e.comment);
  row["created_ts"] = opt_json(e.created_ts);
  row["expired_ts"] = opt_json(e.expired_ts);
  row["created_by"] = opt_json(e.created_by);
  row["modified_by"] = opt_json(e.modified_by);
  row["is_enabled"] = e.is_enabled;
  row["is_latest"] = e.is_latest;
  row["hash"] = opt_json(e.hash);
  row["where_clause"] = e.where_clause;
  row["query"] = opt_json(e.query);
  row["flow_name"] = opt_json(e.flow_name);
  row["once"] = e.once;
  row["sink_format"] = opt_json(e.sink_format);
  row["sink_options"] = map_json(e.sink_options);
  return row;
}

void stage_rows(sql::Connection& con, const std::string& table,
                const std::vector<DeltaLiveEntity>& entities) {
  con.execute("CREATE OR REPLACE TABLE " + quote_identifier(table) + " (doc VARCHAR)");
  auto appender = con.appender(table);
  for (const auto& e : entities) {
    appender.append(row_json(e).dump());
    appender.end_row();
  }
  appender.close();
}

std::string staged_rows_sql(const std::string& table) {
  const auto& schema = control_table_schema();
  json structure = json::object();
  for (const auto& f : schema.fields) structure[f.name] = structure_of(f.type);
  std::string cols;
  for (const auto& f : schema.fields) {
    std::string field = "__j." + quote_identifier(f.name);
    std::string expr = f.type.kind == "timestamp" || f.type.kind == "timestamp_ntz"
                           ? "CAST(make_timestamp(" + field + ") AS " + f.type.to_duckdb() + ")"
                           : field;
    cols += (cols.empty() ? "" : ", ") + expr + " AS " + quote_identifier(f.name);
  }
  return "SELECT " + cols + " FROM (SELECT json_transform_strict(doc, " +
         sql::quote_literal(structure.dump()) + ") AS __j FROM " + quote_identifier(table) +
         ") AS __dls_staged";
}

}  // namespace dls::store_detail

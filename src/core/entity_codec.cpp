#include "dls/core/entity_codec.h"

#include "dls/core/error.h"
#include "dls/core/timestamp.h"
#include "metadata_value.h"

namespace dls {
namespace {

using nlohmann::json;

json optional_json(const std::optional<std::string>& v) {
  return v ? json(*v) : json(nullptr);
}

json timestamp_json(const std::optional<Timestamp>& ts) {
  return ts ? json(format_timestamp(*ts)) : json(nullptr);
}

void split(Diagnostics&& all, Diagnostics* warnings, const std::string& prefix = "") {
  std::vector<std::string> errors;
  for (auto& d : all) {
    if (d.is_error()) {
      errors.push_back(prefix + d.to_string());
    } else if (warnings) {
      if (!prefix.empty()) d.message = prefix + d.message;
      warnings->push_back(std::move(d));
    }
  }
  if (!errors.empty()) throw MetadataErrors(std::move(errors));
}

void emit_string(YAML::Emitter& out, const std::string& s) {
  const bool needs_quotes = detail::resolve_plain_scalar(s) != detail::Value::Kind::kString ||
                            s.empty() || s.front() == ' ' || s.back() == ' ';
  if (needs_quotes) {
    out << YAML::DoubleQuoted << s;
  } else {
    out << s;
  }
}

void emit_list(YAML::Emitter& out, const char* key, const StringList& list) {
  if (list.empty()) return;
  out << YAML::Key << key << YAML::Value << YAML::BeginSeq;
  for (const auto& item : list) emit_string(out, item);
  out << YAML::EndSeq;
}

void emit_map(YAML::Emitter& out, const char* key, const StringMap& map) {
  if (map.empty()) return;
  out << YAML::Key << key << YAML::Value << YAML::BeginMap;
  for (const auto& [k, v] : map) {
    out << YAML::Key;
    emit_string(out, k);
    out << YAML::Value;
    emit_string(out, v);
  }
  out << YAML::EndMap;
}

void emit_field(YAML::Emitter& out, const char* key, const std::string& value) {
  if (value.empty()) return;
  out << YAML::Key << key << YAML::Value;
  emit_string(out, value);
}

void emit_field(YAML::Emitter& out, const char* key, const std::optional<std::string>& value) {
  if (value) emit_field(out, key, *value);
}

void emit_bool(YAML::Emitter& out, const char* key, bool value) {
  out << YAML::Key << key << YAML::Value << (value ? "true" : "false");
}

}  // namespace

json to_json(const DeltaLiveEntity& e) {
  json j;
  j["id"] = optional_json(e.id);
  j["entity_id"] = e.entity_id;
  j["group"] = e.group.empty() ? json(nullptr) : json(e.group);
  j["source"] = e.source;
  j["source_format"] = e.source_format;
  j["destination"] = e.destination;
  j["destination_type"] = e.destination_type;
  j["source_schema"] = optional_json(e.source_schema);
  j["select_expr"] = e.select_expr;
  // Fields added after the seed appear only when set, so documents of entities that do not use
  // them read as before (entity_from_json accepts them either way).
  if (!e.where_clause.empty()) j["where_clause"] = e.where_clause;
  if (e.query) j["query"] = *e.query;
  if (e.flow_name) j["flow_name"] = *e.flow_name;
  if (e.once) j["once"] = true;
  if (e.sink_format) j["sink_format"] = *e.sink_format;
  if (!e.sink_options.empty()) j["sink_options"] = e.sink_options;
  j["is_streaming"] = e.is_streaming;
  j["primary_keys"] = e.primary_keys;
  j["read_options"] = e.read_options;
  j["table_properties"] = e.table_properties;
  j["tags"] = e.tags;
  j["spark_conf"] = e.spark_conf;
  j["partition_cols"] = e.partition_cols;
  j["comment"] = optional_json(e.comment);
  j["expectations"] = {{"expect_all", e.expectations.expect_all},
                       {"expect_all_or_drop", e.expectations.expect_all_or_drop},
                       {"expect_all_or_fail", e.expectations.expect_all_or_fail}};
  if (e.apply_changes) {
    const auto& a = *e.apply_changes;
    j["apply_changes"] = {
        {"sequence_by", a.sequence_by},
        {"where", optional_json(a.where)},
        {"ignore_null_updates", a.ignore_null_updates},
        {"apply_as_deletes", optional_json(a.apply_as_deletes)},
        {"apply_as_truncates", optional_json(a.apply_as_truncates)},
        {"column_list", a.column_list},
        {"except_column_list", a.except_column_list},
        {"stored_as_scd_type", a.stored_as_scd_type},
        {"track_history_column_list", a.track_history_column_list},
        {"track_history_except_column_list", a.track_history_except_column_list},
        {"flow_name", optional_json(a.flow_name)},
        {"ignore_null_updates_column_list", a.ignore_null_updates_column_list},
        {"ignore_null_updates_except_column_list", a.ignore_null_updates_except_column_list},
    };
  } else {
    j["apply_changes"] = nullptr;
  }
  j["is_quarantined"] = e.is_quarantined;
  j["is_enabled"] = e.is_enabled;
  j["is_latest"] = e.is_latest;
  j["created_ts"] = timestamp_json(e.created_ts);
  j["expired_ts"] = timestamp_json(e.expired_ts);
  j["created_by"] = optional_json(e.created_by);
  j["modified_by"] = optional_json(e.modified_by);
  j["hash"] = optional_json(e.hash);
  return j;
}

DeltaLiveEntity entity_from_json(const json& j, Diagnostics* warnings) {
  auto decoded = detail::decode_entity(detail::from_json(j), /*allow_generated=*/true);
  split(detail::check_decoded(decoded), warnings);
  return std::move(decoded.entity);
}

std::vector<DeltaLiveEntity> entities_from_json(const json& j, Diagnostics* warnings) {
  if (!j.is_array()) return {entity_from_json(j, warnings)};
  std::vector<DeltaLiveEntity> out;
  std::vector<std::string> errors;
  for (std::size_t i = 0; i < j.size(); ++i) {
    try {
      out.push_back(entity_from_json(j[i], warnings));
    } catch (const MetadataErrors& e) {
      for (const auto& message : e.errors())
        errors.push_back("[" + std::to_string(i) + "] " + message);
    }
  }
  if (!errors.empty()) throw MetadataErrors(std::move(errors));
  return out;
}

DeltaLiveEntity decode_entity_yaml(const YAML::Node& node, const YamlDecodeOptions& options,
                                   Diagnostics& diagnostics) {
  auto decoded =
      detail::decode_entity(detail::from_yaml(node, options.file), options.allow_generated);
  auto found = detail::check_decoded(decoded);
  diagnostics.insert(diagnostics.end(), found.begin(), found.end());
  return std::move(decoded.entity);
}

DeltaLiveEntity entity_from_yaml(const YAML::Node& node, const YamlDecodeOptions& options,
                                 Diagnostics* warnings) {
  Diagnostics all;
  DeltaLiveEntity entity = decode_entity_yaml(node, options, all);
  split(std::move(all), warnings);
  return entity;
}

void emit_yaml(YAML::Emitter& out, const DeltaLiveEntity& e) {
  out << YAML::BeginMap;
  emit_field(out, "entity_id", e.entity_id);
  emit_field(out, "source", e.source);
  emit_field(out, "destination", e.destination);
  emit_field(out, "destination_type", e.destination_type);
  emit_field(out, "source_format", e.source_format);
  emit_bool(out, "is_streaming", e.is_streaming);
  emit_bool(out, "is_enabled", e.is_enabled);
  emit_field(out, "source_schema", e.source_schema);
  emit_list(out, "primary_keys", e.primary_keys);
  emit_list(out, "select_expr", e.select_expr);
  emit_list(out, "where_clause", e.where_clause);
  emit_field(out, "query", e.query);
  emit_field(out, "flow_name", e.flow_name);
  if (e.once) emit_bool(out, "once", true);
  emit_field(out, "sink_format", e.sink_format);
  emit_map(out, "sink_options", e.sink_options);
  emit_map(out, "read_options", e.read_options);
  emit_map(out, "table_properties", e.table_properties);
  emit_map(out, "tags", e.tags);
  emit_map(out, "spark_conf", e.spark_conf);
  emit_list(out, "partition_cols", e.partition_cols);
  emit_field(out, "group", e.group);
  emit_field(out, "comment", e.comment);
  if (!e.expectations.empty()) {
    out << YAML::Key << "expectations" << YAML::Value << YAML::BeginMap;
    emit_map(out, "expect_all", e.expectations.expect_all);
    emit_map(out, "expect_all_or_drop", e.expectations.expect_all_or_drop);
    emit_map(out, "expect_all_or_fail", e.expectations.expect_all_or_fail);
    out << YAML::EndMap;
  }
  emit_bool(out, "is_quarantined", e.is_quarantined);
  if (e.apply_changes) {
    const auto& a = *e.apply_changes;
    out << YAML::Key << "apply_changes" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "sequence_by" << YAML::Value;
    emit_string(out, a.sequence_by);
    emit_field(out, "where", a.where);
    if (a.ignore_null_updates) emit_bool(out, "ignore_null_updates", true);
    emit_field(out, "apply_as_deletes", a.apply_as_deletes);
    emit_field(out, "apply_as_truncates", a.apply_as_truncates);
    emit_list(out, "column_list", a.column_list);
    emit_list(out, "except_column_list", a.except_column_list);
    out << YAML::Key << "stored_as_scd_type" << YAML::Value << a.stored_as_scd_type;
    emit_list(out, "track_history_column_list", a.track_history_column_list);
    emit_list(out, "track_history_except_column_list", a.track_history_except_column_list);
    emit_field(out, "flow_name", a.flow_name);
    emit_list(out, "ignore_null_updates_column_list", a.ignore_null_updates_column_list);
    emit_list(out, "ignore_null_updates_except_column_list",
              a.ignore_null_updates_except_column_list);
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

std::string to_yaml(const DeltaLiveEntity& entity) {
  YAML::Emitter out;
  emit_yaml(out, entity);
  return std::string(out.c_str()) + "\n";
}

}  // namespace dls

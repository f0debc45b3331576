#include "dls/core/validation.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <set>

#include "dls/core/read_option_names.h"
#include "dls/core/suggest.h"
#include "dls/core/table_name.h"

namespace dls {
namespace {

std::atomic<SparkTextChecker> g_spark_text_checker{nullptr};

class Checker {
 public:
  explicit Checker(const DeltaLiveEntity& e) : e_(e) {}

  void error(std::string field, std::string message) {
    out_.push_back({Severity::kError, e_.entity_id, std::move(field), std::move(message), {}});
  }
  void warning(std::string field, std::string message) {
    out_.push_back({Severity::kWarning, e_.entity_id, std::move(field), std::move(message), {}});
  }

  void required(const std::string& field, const std::string& value) {
    if (value.empty()) error(field, "is required and must not be empty");
  }

  void names(const std::string& field, const StringList& list, bool warn_duplicates = true) {
    std::set<std::string> seen;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string path = field + "[" + std::to_string(i) + "]";
      if (list[i].empty()) error(path, "must not be an empty string");
      if (!seen.insert(list[i]).second && warn_duplicates && !list[i].empty()) {
        warning(path, "'" + list[i] + "' is listed twice");
      }
    }
  }

  void map_keys(const std::string& field, const StringMap& map) {
    for (const auto& [key, value] : map) {
      if (key.empty()) error(field, "has an empty key");
    }
  }

  void rules(const std::string& field, const StringMap& map) {
    for (const auto& [name, expr] : map) {
      if (name.empty()) error(field, "has a rule with an empty name");
      if (expr.find_first_not_of(" \t\r\n") == std::string::npos) {
        error(field + "." + name, "the rule's expression is empty");
      }
    }
  }

  // Runs the installed SparkTextChecker on one text; empty texts are reported elsewhere.
  void spark_text(const std::string& field, SparkTextKind kind, const std::string& text) {
    const SparkTextChecker checker = g_spark_text_checker.load();
    if (!checker || text.find_first_not_of(" \t\r\n") == std::string::npos) return;
    if (auto problem = checker(kind, text)) {
      if (problem->is_error) {
        error(field, "'" + text + "': " + problem->message);
      } else {
        warning(field, "'" + text + "': " + problem->message);
      }
    }
  }

  Diagnostics run();

 private:
  void check_apply_changes(const ApplyChanges& ac);
  void check_query();
  void check_flow();
  void check_sink();
  void check_read_options();
  void check_spark_texts();

  const DeltaLiveEntity& e_;
  Diagnostics out_;
};

std::vector<std::string_view> values(const auto& array) {
  return std::vector<std::string_view>(std::begin(array), std::end(array));
}

std::string quoted_list(const auto& array) {
  std::string out;
  for (auto v : array) out += (out.empty() ? "" : ", ") + std::string(v);
  return out;
}

Diagnostics Checker::run() {
  const auto streaming = forced_is_streaming(e_.source_format).value_or(e_.is_streaming);

  required("entity_id", e_.entity_id);
  if (!e_.query) required("source", e_.source);
  required("destination", e_.destination);
  check_query();
  check_flow();
  check_sink();

  if (!is_valid_source_format(e_.source_format)) {
    error("source_format", "'" + e_.source_format + "' is not a source format; expected one of " +
                               quoted_list(kSourceFormats) +
                               did_you_mean(e_.source_format, values(kSourceFormats)));
  }
  if (!is_valid_destination_type(e_.destination_type)) {
    error("destination_type", "'" + e_.destination_type +
                                  "' is not a destination type; expected table, view or sink" +
                                  did_you_mean(e_.destination_type, values(kDestinationTypes)));
  }
  if (!e_.destination.empty() && !is_safe_table_name(e_.destination)) {
    error("destination", "'" + e_.destination +
                             "' is not a safe table name: use table, schema.table or "
                             "catalog.schema.table, each part matching [A-Za-z_][A-Za-z0-9_]*");
  }
  const bool source_is_name =
      e_.source_format == "dlt" ||
      (e_.source_format == "delta" && e_.source.find('/') == std::string::npos);
  if (!e_.source.empty() && source_is_name && !is_safe_table_name(e_.source)) {
    error("source",
          "'" + e_.source + "' is not a safe table name (source_format " + e_.source_format +
              " reads a table by name; each part must match [A-Za-z_][A-Za-z0-9_]*" +
              (e_.source_format == "delta" ? ", or give a path containing '/'" : "") + ")");
  }
  if (source_is_name && !e_.source.empty() && e_.source == e_.destination) {
    warning("source", "the entity reads its own destination '" + e_.destination +
                          "'; the pipeline rejects this cycle");
  }

  names("select_expr", e_.select_expr, false);
  names("where_clause", e_.where_clause, false);
  names("primary_keys", e_.primary_keys);
  names("partition_cols", e_.partition_cols);
  map_keys("read_options", e_.read_options);
  map_keys("table_properties", e_.table_properties);
  map_keys("tags", e_.tags);
  map_keys("spark_conf", e_.spark_conf);
  rules("expectations.expect_all", e_.expectations.expect_all);
  rules("expectations.expect_all_or_drop", e_.expectations.expect_all_or_drop);
  rules("expectations.expect_all_or_fail", e_.expectations.expect_all_or_fail);
  check_read_options();
  check_spark_texts();

  // The same rule name in two maps: the event log keys metrics by name.
  {
    std::map<std::string, std::string> where;
    const std::pair<const char*, const StringMap*> maps[] = {
        {"expect_all", &e_.expectations.expect_all},
        {"expect_all_or_drop", &e_.expectations.expect_all_or_drop},
        {"expect_all_or_fail", &e_.expectations.expect_all_or_fail}};
    for (const auto& [map_name, map] : maps) {
      for (const auto& [name, expr] : *map) {
        auto [it, inserted] = where.emplace(name, map_name);
        if (!inserted) {
          warning(std::string("expectations.") + map_name + "." + name,
                  "rule '" + name + "' is also defined in expectations." + it->second +
                      "; give each rule a distinct name");
        }
      }
    }
  }

  if (e_.source_format == "cloudFiles" && !e_.read_options.count("cloudFiles.format")) {
    warning("read_options",
            "source_format cloudFiles needs read_options 'cloudFiles.format' (csv, json, parquet, "
            "text, avro, ...); the pipeline cannot read the source without it");
  }
  if (e_.destination_type == "view") {
    if (!e_.partition_cols.empty()) {
      warning("partition_cols", "is ignored: a view is not stored, so it has no partitions");
    }
    if (!e_.table_properties.empty()) {
      warning("table_properties", "is ignored: a view is not stored, so it has no properties");
    }
  }
  if (e_.is_quarantined && e_.expectations.expect_all.empty()) {
    warning("is_quarantined",
            "has no effect: quarantine splits rows on expectations.expect_all rules and there are "
            "none");
  }
  if (e_.apply_changes) {
    if (e_.primary_keys.empty()) {
      error("apply_changes",
            "needs primary_keys, which is empty: apply_changes merges change events by "
            "primary_keys, so the pipeline cannot run it; add primary_keys (the key columns) or "
            "remove apply_changes");
    }
    if (!streaming) {
      warning("apply_changes",
              "needs a streaming source but is_streaming is false; the pipeline rejects "
              "apply_changes on a batch read");
    }
    if (e_.destination_type == "view") {
      warning("apply_changes",
              "cannot write into a view: the target of apply_changes must be a table");
    }
    check_apply_changes(*e_.apply_changes);
  }
  return std::move(out_);
}

void Checker::check_query() {
  if (!e_.query) {
    if (e_.source_format == "sql") {
      error("query",
            "is required with source_format sql: write the Spark SQL query that defines the "
            "dataset, or choose the source_format of its source");
    }
    return;
  }
  if (e_.query->find_first_not_of(" \t\r\n") == std::string::npos) {
    error("query", "is empty: write the Spark SQL query that defines the dataset");
  }
  if (!e_.source.empty()) {
    error("source", "'" + e_.source +
                        "' cannot be combined with query: an entity defined by a query reads the "
                        "tables its query names; remove source (or query)");
  }
  if (e_.source_format != "sql") {
    error("source_format", "'" + e_.source_format +
                               "' cannot be combined with query: the source_format of an entity "
                               "defined by a query is sql; remove source_format");
  }
  if (!e_.read_options.empty()) {
    error("read_options",
          "do not apply to an entity defined by a query (it reads pipeline datasets and tables "
          "by name); remove them");
  }
}

void Checker::check_flow() {
  if (e_.flow_name && !is_safe_table_name(*e_.flow_name)) {
    error("flow_name", "'" + *e_.flow_name +
                           "' is not a flow name: use one name matching [A-Za-z_][A-Za-z0-9_]*");
  } else if (e_.flow_name && e_.flow_name->find('.') != std::string::npos) {
    error("flow_name", "'" + *e_.flow_name +
                           "' is not a flow name: a flow name has one part (no dots), matching "
                           "[A-Za-z_][A-Za-z0-9_]*");
  }
  if (e_.flow_name && e_.apply_changes && e_.apply_changes->flow_name &&
      *e_.apply_changes->flow_name != *e_.flow_name) {
    error("flow_name", "'" + *e_.flow_name + "' differs from apply_changes.flow_name '" +
                           *e_.apply_changes->flow_name + "'; give the CDC flow one name");
  }
  if (!e_.once) return;
  if (e_.destination_type == "view") {
    error("once", "cannot write into a view: a once flow appends a backfill to a table");
  }
  if (e_.apply_changes) {
    error("once",
          "cannot be combined with apply_changes: a once flow appends a backfill (AUTO CDC ONCE "
          "is not supported); remove once or apply_changes");
  }
  if (e_.query) {
    error("once", "cannot be combined with query: a once flow is a batch read of its source");
  }
}

void Checker::check_sink() {
  if (e_.destination_type != "sink") {
    if (e_.sink_format) {
      error("sink_format",
            "'" + *e_.sink_format + "' is only for destination_type sink (this is a " +
                e_.destination_type + "); remove sink_format or set destination_type: sink");
    }
    if (!e_.sink_options.empty()) {
      error("sink_options", "are only for destination_type sink (this is a " + e_.destination_type +
                                "); remove sink_options or set destination_type: sink");
    }
    return;
  }
  if (!e_.destination.empty() && e_.destination.find('.') != std::string::npos) {
    error("destination", "'" + e_.destination +
                             "' is not a sink name: a sink is named by one part (no dots), "
                             "matching [A-Za-z_][A-Za-z0-9_]*");
  }
  map_keys("sink_options", e_.sink_options);
  // Spark reads option names case-insensitively.
  std::map<std::string, std::string> options;
  for (const auto& [key, value] : e_.sink_options) options[lower_ascii(key)] = value;
  auto has = [&](const char* key) {
    auto it = options.find(key);
    return it != options.end() && it->second.find_first_not_of(" \t\r\n") != std::string::npos;
  };
  if (!e_.sink_format) {
    error("sink_format", "is required with destination_type sink: kafka or delta");
  } else if (std::find(std::begin(kSinkFormats), std::end(kSinkFormats), *e_.sink_format) ==
             std::end(kSinkFormats)) {
    error("sink_format", "'" + *e_.sink_format + "' is not a sink format; expected one of " +
                             quoted_list(kSinkFormats) +
                             did_you_mean(*e_.sink_format, values(kSinkFormats)));
  } else if (*e_.sink_format == "kafka") {
    if (!has("kafka.bootstrap.servers")) {
      error("sink_options",
            "a kafka sink needs 'kafka.bootstrap.servers' (host:port,...); 'topic' names the "
            "topic unless the rows carry a topic column");
    }
    for (const auto& [key, value] : e_.sink_options) {
      const std::string lower = lower_ascii(key);
      if (!lower.starts_with("kafka.")) {
        if (lower != "topic") {
          error("sink_options." + key,
                "is not an option of a kafka sink (kafka.bootstrap.servers, topic, "
                "kafka.<librdkafka setting>)");
        }
      } else if (auto why = refused_kafka_setting(key.substr(6), true)) {
        error("sink_options." + key, "is not supported: " + *why);
      }
    }
  } else if (*e_.sink_format == "delta") {
    const bool path = has("path");
    const bool table_name = has("tablename");
    if (path == table_name) {
      error("sink_options", std::string("a delta sink needs exactly one of 'path' (a directory) ") +
                                "or 'tableName' (catalog.schema.table)" +
                                (path ? ", not both" : ""));
    } else if (table_name && !is_safe_table_name(options["tablename"])) {
      error("sink_options.tableName",
            "'" + options["tablename"] +
                "' is not a safe table name: use table, schema.table or catalog.schema.table, "
                "each part matching [A-Za-z_][A-Za-z0-9_]*");
    }
  }
  // Databricks: a sink is the target of streaming append flows only; it takes no expectations
  // and is not a table the pipeline manages.
  const auto refuse = [&](const char* field, const std::string& why) {
    error(field, "a sink " + why);
  };
  const auto streaming = forced_is_streaming(e_.source_format).value_or(e_.is_streaming);
  if (!streaming) {
    refuse("is_streaming",
           "is written by a streaming flow: is_streaming must be true (source_format " +
               e_.source_format + " is a batch read)");
  }
  if (!e_.expectations.empty()) refuse("expectations", "takes no expectations (Databricks)");
  if (e_.is_quarantined) refuse("is_quarantined", "has no quarantine table: remove it");
  if (e_.apply_changes) {
    refuse("apply_changes", "is written by append flows only (no AUTO CDC): remove apply_changes");
  }
  if (!e_.partition_cols.empty()) refuse("partition_cols", "has no partitions: remove them");
  if (e_.once) refuse("once", "is written by streaming append flows: remove once");
  if (!e_.table_properties.empty()) {
    refuse("table_properties",
           "is not a table the pipeline manages: remove table_properties (use sink_options)");
  }
}

void Checker::check_read_options() {
  // Duplicates first: Spark reads option names case-insensitively, so "Header" and "header" are
  // one option given twice.
  std::map<std::string, std::string> seen;  // lower-case name -> name as written
  std::optional<std::string> cloud_files_format;
  for (const auto& [key, value] : e_.read_options) {
    const std::string lower = lower_ascii(key);
    auto [it, inserted] = seen.emplace(lower, key);
    if (!inserted) {
      error("read_options." + key, "is the option '" + it->second +
                                       "' given twice (option names are case-insensitive); keep "
                                       "one of them");
    }
    if (lower == "cloudfiles.format") cloud_files_format = value;
  }
  if (e_.source_format == "cloudFiles" && cloud_files_format) {
    const std::vector<std::string_view> formats = values(kCloudFilesFormats);
    const bool known = std::any_of(formats.begin(), formats.end(), [&](std::string_view f) {
      return lower_ascii(f) == lower_ascii(*cloud_files_format);
    });
    if (!known) {
      error("read_options.cloudFiles.format",
            "'" + *cloud_files_format + "' is not a file format; expected one of " +
                quoted_list(kCloudFilesFormats) + did_you_mean(*cloud_files_format, formats));
      return;
    }
  }
  const auto allowed = supported_read_options(
      e_.source_format,
      cloud_files_format ? std::optional<std::string_view>(*cloud_files_format) : std::nullopt);
  if (!allowed) return;
  for (const auto& [key, value] : e_.read_options) {
    const std::string lower = lower_ascii(key);
    if (e_.source_format == "kafka" && lower.starts_with("kafka.")) {  // client settings
      if (auto why = refused_kafka_setting(key.substr(6), false)) {
        error("read_options." + key, "is not supported: " + *why);
      }
      continue;
    }
    const bool known = std::any_of(allowed->begin(), allowed->end(),
                                   [&](std::string_view a) { return lower_ascii(a) == lower; });
    if (known) continue;
    std::string what = e_.source_format;
    if (e_.source_format == "cloudFiles") {
      what += cloud_files_format ? " (" + *cloud_files_format + ")" : " (any format)";
    }
    error("read_options." + key, "'" + key + "' is not a read option of the " + what + " source" +
                                     did_you_mean(key, *allowed) + "; supported options: " +
                                     quoted_list(*allowed) + " (see docs/sources.md)");
  }
}

void Checker::check_spark_texts() {
  for (std::size_t i = 0; i < e_.select_expr.size(); ++i) {
    spark_text("select_expr[" + std::to_string(i) + "]", SparkTextKind::kSelectItem,
               e_.select_expr[i]);
  }
  const std::pair<const char*, const StringMap*> maps[] = {
      {"expect_all", &e_.expectations.expect_all},
      {"expect_all_or_drop", &e_.expectations.expect_all_or_drop},
      {"expect_all_or_fail", &e_.expectations.expect_all_or_fail}};
  for (const auto& [map_name, map] : maps) {
    for (const auto& [name, expr] : *map) {
      spark_text(std::string("expectations.") + map_name + "." + name, SparkTextKind::kExpression,
                 expr);
    }
  }
  if (!e_.apply_changes) return;
  const ApplyChanges& ac = *e_.apply_changes;
  spark_text("apply_changes.sequence_by", SparkTextKind::kExpression, ac.sequence_by);
  if (ac.where) spark_text("apply_changes.where", SparkTextKind::kExpression, *ac.where);
  if (ac.apply_as_deletes) {
    spark_text("apply_changes.apply_as_deletes", SparkTextKind::kExpression, *ac.apply_as_deletes);
  }
  if (ac.apply_as_truncates) {
    spark_text("apply_changes.apply_as_truncates", SparkTextKind::kExpression,
               *ac.apply_as_truncates);
  }
}

void Checker::check_apply_changes(const ApplyChanges& ac) {
  const std::string p = "apply_changes.";
  if (ac.sequence_by.find_first_not_of(" \t\r\n") == std::string::npos) {
    error(p + "sequence_by", "is required: the column (or expression) that orders change events");
  }
  if (ac.stored_as_scd_type != 1 && ac.stored_as_scd_type != 2) {
    error(p + "stored_as_scd_type", "must be 1 or 2, got " + std::to_string(ac.stored_as_scd_type));
  }
  names(p + "column_list", ac.column_list);
  names(p + "except_column_list", ac.except_column_list);
  names(p + "track_history_column_list", ac.track_history_column_list);
  names(p + "track_history_except_column_list", ac.track_history_except_column_list);
  names(p + "ignore_null_updates_column_list", ac.ignore_null_updates_column_list);
  names(p + "ignore_null_updates_except_column_list", ac.ignore_null_updates_except_column_list);

  if (ac.apply_as_truncates && ac.stored_as_scd_type == 2) {
    warning(p + "apply_as_truncates",
            "is not supported with stored_as_scd_type 2 (truncates apply to SCD type 1 only); the "
            "pipeline rejects it");
  }
  if (ac.stored_as_scd_type == 1) {
    if (!ac.track_history_column_list.empty()) {
      warning(p + "track_history_column_list",
              "is ignored with stored_as_scd_type 1 (history is tracked by SCD type 2 only)");
    }
    if (!ac.track_history_except_column_list.empty()) {
      warning(p + "track_history_except_column_list",
              "is ignored with stored_as_scd_type 1 (history is tracked by SCD type 2 only)");
    }
  }
  auto exclusive = [&](const StringList& a, const char* a_name, const StringList& b,
                       const char* b_name) {
    if (!a.empty() && !b.empty()) {
      warning(p + b_name, std::string("cannot be combined with ") + a_name +
                              " (give one or the other); the pipeline rejects both");
    }
  };
  exclusive(ac.column_list, "column_list", ac.except_column_list, "except_column_list");
  exclusive(ac.track_history_column_list, "track_history_column_list",
            ac.track_history_except_column_list, "track_history_except_column_list");
  exclusive(ac.ignore_null_updates_column_list, "ignore_null_updates_column_list",
            ac.ignore_null_updates_except_column_list, "ignore_null_updates_except_column_list");
  if (ac.ignore_null_updates && (!ac.ignore_null_updates_column_list.empty() ||
                                 !ac.ignore_null_updates_except_column_list.empty())) {
    warning(p + "ignore_null_updates",
            "true cannot be combined with ignore_null_updates_column_list or "
            "ignore_null_updates_except_column_list; the pipeline rejects both");
  }
}

}  // namespace

void set_spark_text_checker(SparkTextChecker checker) {
  g_spark_text_checker.store(checker);
}

SparkTextChecker spark_text_checker() {
  return g_spark_text_checker.load();
}

Diagnostics validate(const DeltaLiveEntity& entity) {
  return Checker(entity).run();
}

Diagnostics validate_or_throw(const DeltaLiveEntity& entity) {
  Diagnostics all = validate(entity);
  throw_if_errors(all);
  Diagnostics warnings;
  for (auto& d : all) {
    if (!d.is_error()) warnings.push_back(std::move(d));
  }
  return warnings;
}

}  // namespace dls

#include "dls/codegen/pipeline_sources.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "dls/codegen/codegen_error.h"
#include "dls/codegen/expression_check.h"
#include "dls/codegen/quoting.h"
#include "dls/core/flow_sharing.h"
#include "dls/core/timestamp.h"

namespace dls::codegen {
namespace {

using Warnings = std::vector<CodegenWarning>;

bool is_file_format(std::string_view f) {
  return f == "csv" || f == "json" || f == "parquet" || f == "avro" || f == "orc" || f == "text";
}

bool is_path(std::string_view source) {
  return source.find('/') != std::string_view::npos || source.find(':') != std::string_view::npos;
}

bool is_relative_path(std::string_view path) {
  return !path.empty() && path.front() != '/' && path.find(":/") == std::string_view::npos;
}

// The properties of a dataset's table, in the order both renderers print them: its
// table_properties, then each tag as dls.tag.<key> (as `dls run` sets them).
std::vector<std::pair<std::string, std::string>> table_properties_of(const DeltaLiveEntity& e) {
  std::vector<std::pair<std::string, std::string>> out(e.table_properties.begin(),
                                                       e.table_properties.end());
  for (const auto& [k, v] : e.tags) out.emplace_back("dls.tag." + k, v);
  return out;
}

// An absolute path of this machine's file system, as opposed to a URI (s3://, abfss://, dbfs:/)
// or a path a Databricks workspace can read itself (/Volumes/, /Workspace/, /dbfs/).
bool is_local_absolute_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return false;
  for (std::string_view workspace : {"/Volumes/", "/Workspace/", "/dbfs/"}) {
    if (path.rfind(workspace, 0) == 0) return false;
  }
  return true;
}

std::vector<std::string> split_name(const std::string& name, const std::string& entity_id,
                                    const std::string& field) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = name.find('.', start);
    parts.push_back(name.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  const bool empty_part =
      std::any_of(parts.begin(), parts.end(), [](const auto& p) { return p.empty(); });
  if (name.empty() || empty_part || parts.size() > 3) {
    throw CodegenError("entity '" + entity_id + "': " + field + ": '" + name +
                       "' is not a table name: write table, schema.table or "
                       "catalog.schema.table with non-empty parts");
  }
  return parts;
}

std::string last_part(const std::string& name) {
  const std::size_t dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(dot + 1);
}

// "a, b" of quoted identifiers in parentheses.
std::string column_list(const StringList& columns) {
  return "(" + quote_identifier_list(columns) + ")";
}

std::string indent(const std::string& text, const std::string& prefix) {
  std::string out = prefix;
  for (char c : text) {
    out += c;
    if (c == '\n') out += prefix;
  }
  return out;
}

// State of one pipeline's generation: dataset names, temporary view names in use.
class PipelineWriter {
 public:
  PipelineWriter(const PipelinePlan& plan, Target target, Warnings& warnings)
      : plan_(plan), target_(target), warnings_(warnings) {
    for (const auto& e : plan.entities) {
      split_name(e.destination, e.entity_id, "destination");
      auto [it, inserted] = by_destination_.emplace(e.destination, &e);
      std::vector<const DeltaLiveEntity*>& flows = flows_[e.destination];
      if (!inserted) {
        // Several entities into one table: append flows (core/flow_sharing.h) or an error.
        for (const DeltaLiveEntity* other : flows) {
          const std::string why = shared_destination_problem(*other, e);
          if (why.empty()) continue;
          throw CodegenError("entities '" + other->entity_id + "' and '" + e.entity_id +
                             "' both write destination '" + e.destination + "', but " + why + "; " +
                             shared_destination_rule() +
                             ": change one destination or disable one entity");
        }
      }
      flows.push_back(&e);
      if (e.destination_type == "view") used_views_.insert(last_part(e.destination));
    }
  }

  std::vector<SourceFile> run() {
    std::vector<SourceFile> files;
    std::set<std::string> names;
    // A sink's flows are in the file of its first flow, after dp.create_sink: Spark registers a
    // flow's target as the sink only when the sink is defined before the flow (a flow in another
    // file, imported earlier, fails with "Unsupported destination"), and imports files in no
    // set order.
    std::map<std::string, std::pair<std::size_t, int>> sink_file;  // sink -> (file, flows)
    for (const auto& e : plan_.entities) {
      entity_ = &e;
      python_.clear();
      std::string sql = entity_sql(e);
      if (sql.empty() && python_.empty()) continue;
      if (e.destination_type == "sink") {
        auto it = sink_file.find(e.destination);
        if (it != sink_file.end()) {
          auto& [file, flows] = it->second;
          files[file].content += "\n\n" + later_sink_flow(python_, ++flows);
          continue;
        }
        sink_file[e.destination] = {files.size(), 1};
      }
      const std::string stem = unique(safe_name(e.entity_id), names);
      // An entity is one SQL file (with a Python file for its source), or one Python file.
      if (!python_.empty()) files.push_back({stem + (sql.empty() ? ".py" : "_source.py"), python_});
      if (!sql.empty()) files.push_back({stem + ".sql", std::move(sql)});
    }
    return files;
  }

 private:
  /// A later flow of a sink (sink_python's file of it) as a part of the sink's file: without the
  /// file header, its functions numbered so that they do not redefine the first flow's.
  std::string later_sink_flow(const std::string& python, int n) const {
    const std::string header_end = "spark = SparkSession.active()\n";
    std::string body = python;
    const std::size_t at = body.find(header_end);
    if (at != std::string::npos) body = body.substr(at + header_end.size());
    body.erase(0, body.find_first_not_of('\n'));
    const std::string suffix = "_" + std::to_string(n);
    for (const std::string name : {"def source_view(", "def sink_flow("}) {
      const std::size_t def = body.find(name);
      if (def != std::string::npos) body.insert(def + name.size() - 1, suffix);
    }
    return "# The flow " + sql_comment_text(effective_flow_name(*entity_)) + " of entity " +
           sql_comment_text(entity_->entity_id) + ".\n" + body;
  }

  void warn(const std::string& field, const std::string& message) {
    warnings_.push_back({entity_->entity_id, field, message});
  }

  // source_schema is DDL (checked lexically); select_expr entries are select items; every other
  // pasted text is one expression (expression_check.h).
  void check(const std::string& fragment, const std::string& field) {
    if (field == "source_schema") {
      check_sql_fragment(fragment, entity_->entity_id, field);
    } else if (field == "query") {
      check_pasted_expression(fragment, SparkTextKind::kQuery, entity_->entity_id, field);
    } else {
      check_pasted_expression(fragment,
                              field.rfind("select_expr", 0) == 0 ? SparkTextKind::kSelectItem
                                                                 : SparkTextKind::kExpression,
                              entity_->entity_id, field);
    }
  }

  static std::string unique(std::string name, std::set<std::string>& used) {
    std::string candidate = name;
    for (int i = 2; !used.insert(candidate).second; ++i) candidate = name + "_" + std::to_string(i);
    return candidate;
  }

  // destination -> its writers, in plan order (the first declares the table).
  std::map<std::string, std::vector<const DeltaLiveEntity*>> flows_;

  std::string view_name(const std::string& suffix) {
    return unique(last_part(entity_->destination) + suffix, used_views_);
  }

  bool spark() const { return target_ == Target::kSpark; }

  // The dataset name a reader of `destination` uses.
  std::string dataset_ref(const DeltaLiveEntity& e) const {
    if (e.destination_type == "view") return quote_identifier(last_part(e.destination));
    return quote_table_name(e.destination);
  }

  std::string header(const DeltaLiveEntity& e) const {
    std::string h = "-- Generated by dls from entity " + sql_comment_text(e.entity_id);
    if (!e.group.empty()) h += " (group " + sql_comment_text(e.group) + ")";
    h += ". Do not edit: change the metadata and run `dls generate` again.\n";
    std::string version;
    auto add = [&](const std::string& key, const std::optional<std::string>& value) {
      if (!value) return;
      version += (version.empty() ? "" : ", ") + key + "=" + sql_comment_text(*value);
    };
    add("id", e.id);
    add("created_ts", e.created_ts ? std::optional(format_timestamp(*e.created_ts)) : std::nullopt);
    add("created_by", e.created_by);
    add("modified_by", e.modified_by);
    add("hash", e.hash);
    if (!version.empty()) h += "-- Version: " + version + "\n";
    return h;
  }

  // ---- sources ---------------------------------------------------------------------------

  std::string path_literal(const std::string& path) {
    if (path.find("${") != std::string::npos && !spark()) {
      warn("source",
           "the path contains '${', which the pipeline replaces with a configuration "
           "value");
    }
    if (is_relative_path(path) && !spark()) {
      return sql_string_literal("${dls.source_volume}/" + path);
    }
    if (!spark() && is_local_absolute_path(path)) {
      // `dls load` stores relative sources as absolute local paths; a workspace cannot read
      // those. Keep the whole path under the volume: unique, and the warning says where to copy.
      const std::string remapped = "${dls.source_volume}" + path;
      warn("source", "the local path " + path + " is read from " + remapped +
                         " on Databricks: copy the files there, or give a /Volumes/ path");
      return sql_string_literal(remapped);
    }
    return sql_string_literal(path);
  }

  static std::string option_arg(const std::string& key, const std::string& value) {
    return quote_identifier(key) + " => " + sql_string_literal(value);
  }

  std::string read_files_call(const DeltaLiveEntity& e) {
    std::vector<std::string> args{path_literal(e.source)};
    static const std::set<std::string> kMapped = {"schemaHints",
                                                  "schemaEvolutionMode",
                                                  "inferColumnTypes",
                                                  "maxFilesPerTrigger",
                                                  "maxBytesPerTrigger",
                                                  "includeExistingFiles",
                                                  "allowOverwrites",
                                                  "partitionColumns",
                                                  "useStrictGlobber",
                                                  "rescuedDataColumn",
                                                  "format"};
    if (is_file_format(e.source_format)) args.push_back(option_arg("format", e.source_format));
    // read_files infers CSV/JSON column types by default; the local run (as Auto Loader and
    // Spark's batch CSV reader) keeps them STRING unless asked: say which, so the types match.
    const bool auto_loader = e.source_format == "cloudFiles";
    const auto option = [&e](const std::string& key) -> std::optional<std::string> {
      auto it = e.read_options.find(key);
      if (it == e.read_options.end()) return std::nullopt;
      return it->second;
    };
    const std::string file_format =
        auto_loader ? option("cloudFiles.format").value_or("") : e.source_format;
    std::optional<std::string> infer =
        auto_loader ? option("cloudFiles.inferColumnTypes") : option("inferSchema");
    if (!e.source_schema && (file_format == "csv" || file_format == "json") && !infer) {
      // Defaults of the local run (docs/sources.md): Auto Loader false; batch csv false, json true.
      const bool local_default = !auto_loader && file_format == "json";
      args.push_back(option_arg("inferColumnTypes", local_default ? "true" : "false"));
    }
    for (const auto& [key, value] : e.read_options) {
      if (!auto_loader && key == "inferSchema") {
        args.push_back(option_arg("inferColumnTypes", value));  // read_files' name for it
        continue;
      }
      if (key.rfind("cloudFiles.", 0) == 0) {
        const std::string name = key.substr(11);
        if (name == "schemaLocation") {
          warn("read_options." + key,
               "not generated: pipelines manage the schema location of read_files themselves");
          continue;
        }
        if (kMapped.count(name)) {
          args.push_back(option_arg(name, value));
          continue;
        }
        warn("read_options." + key,
             "passed to read_files unchanged; it is an Auto Loader option that read_files may "
             "not accept — check it against the read_files option list");
      }
      args.push_back(option_arg(key, value));
    }
    if (e.source_schema) {
      check(*e.source_schema, "source_schema");
      args.push_back(option_arg("schema", *e.source_schema));
    }
    std::string call = "read_files(\n";
    for (std::size_t i = 0; i < args.size(); ++i) {
      call += "  " + args[i] + (i + 1 < args.size() ? ",\n" : "\n");
    }
    return call + ")";
  }

  std::string read_kafka_call(const DeltaLiveEntity& e) {
    std::vector<std::string> args;
    bool has_topics = false;
    for (const auto& [key, value] : e.read_options) {
      if (key == "subscribe" || key == "subscribePattern" || key == "assign") has_topics = true;
      args.push_back(
          option_arg(key == "kafka.bootstrap.servers" ? "bootstrapServers" : key, value));
    }
    if (!has_topics) {
      args.push_back(option_arg("subscribe", e.source));
    } else {
      warn("source",
           "not used: read_options choose the Kafka topics (subscribe, "
           "subscribePattern or assign)");
    }
    std::string call = "read_kafka(\n";
    for (std::size_t i = 0; i < args.size(); ++i) {
      call += "  " + args[i] + (i + 1 < args.size() ? ",\n" : "\n");
    }
    return call + ")";
  }

  // Spark: a Python temporary view over a file or Kafka source; returns the view's name.
  std::string python_source_view(const DeltaLiveEntity& e, bool streaming) {
    const std::string name = view_name("_dls_source");
    std::string format = e.source_format;
    std::vector<std::pair<std::string, std::string>> options;
    for (const auto& [key, value] : e.read_options) {
      if (e.source_format == "cloudFiles" && key == "cloudFiles.format") {
        format = value;
      } else if (e.source_format == "cloudFiles" && key.rfind("cloudFiles.", 0) == 0) {
        warn("read_options." + key,
             "not generated: Apache Spark has no Auto Loader (cloudFiles); the directory is read "
             "with Spark's file stream source");
      } else {
        options.emplace_back(key, value);
      }
    }
    if (e.source_format == "cloudFiles") {
      if (format == "cloudFiles") {
        throw CodegenError("entity '" + e.entity_id +
                           "': read_options: cloudFiles needs read_options.cloudFiles.format "
                           "(csv, json, parquet, ...) to be generated for Apache Spark");
      }
      warn("source_format", "cloudFiles becomes Spark's file stream source of format '" + format +
                                "': no schema evolution, no _rescued_data column");
      if (!e.source_schema) {
        warn("source_schema",
             "Spark's file stream source needs a schema: set source_schema or "
             "spark.sql.streaming.schemaInference=true in spark_conf");
      }
    }
    if (e.source_format != "kafka" && is_relative_path(e.source)) {
      warn("source", "a relative path: Spark reads it relative to its working directory");
    }
    if (e.source_format == "kafka") {
      const bool has_topics = std::any_of(options.begin(), options.end(), [](const auto& o) {
        return o.first == "subscribe" || o.first == "subscribePattern" || o.first == "assign";
      });
      if (!has_topics) options.emplace_back("subscribe", e.source);
      if (e.source_schema) {
        warn("source_schema",
             "not applied: a Kafka source has the columns key, value, topic, "
             "...; parse value in select_expr (from_json)");
      }
    }
    std::string py = "# Generated by dls from entity " + sql_comment_text(e.entity_id) +
                     ": the source of " + sql_comment_text(e.destination) +
                     " (Spark SQL has no read_files/read_kafka).\n"
                     "from pyspark import pipelines as dp\n"
                     "from pyspark.sql import SparkSession\n\n"
                     "spark = SparkSession.active()\n\n\n";
    // The name is parsed as an identifier: quoted, so that any name is one part.
    py += "@dp.temporary_view(name=" + python_string_literal(quote_identifier(name)) + ")\n";
    py += "def source_view():\n";
    py += std::string("    reader = spark.") + (streaming ? "readStream" : "read") + ".format(" +
          python_string_literal(format) + ")\n";
    for (const auto& [key, value] : options) {
      py += "    reader = reader.option(" + python_string_literal(key) + ", " +
            python_string_literal(value) + ")\n";
    }
    if (e.source_schema && e.source_format != "kafka") {
      check(*e.source_schema, "source_schema");
      py += "    reader = reader.schema(" + python_string_literal(*e.source_schema) + ")\n";
    }
    py += e.source_format == "kafka"
              ? "    return reader.load()\n"
              : "    return reader.load(" + python_string_literal(e.source) + ")\n";
    python_ = std::move(py);
    return quote_identifier(name);
  }

  // The FROM item for the entity's source, streaming or not.
  std::string source_relation(const DeltaLiveEntity& e, bool streaming) {
    const std::string& f = e.source_format;
    if (spark() && (f == "cloudFiles" || f == "kafka" || is_file_format(f))) {
      const std::string view = python_source_view(e, streaming);
      return streaming ? "STREAM(" + view + ")" : view;
    }
    if (f == "cloudFiles" || is_file_format(f)) {
      if (f != "cloudFiles" && streaming) {
        warn("is_streaming", "a " + f + " source is read in batch; read as a stream here");
      }
      return (streaming ? "STREAM " : "") + read_files_call(e);
    }
    if (f == "kafka") {
      if (e.source_schema) {
        warn("source_schema",
             "not applied: read_kafka returns the columns key, value, topic, "
             "...; parse value in select_expr (from_json)");
      }
      return (streaming ? "STREAM " : "") + read_kafka_call(e);
    }
    for (const auto& [key, value] : e.read_options) {
      warn("read_options." + key,
           "not generated: reader options of a " + f + " source cannot be given in pipeline SQL");
    }
    std::string relation;
    if (f == "delta") {
      relation =
          is_path(e.source) ? "delta." + quote_identifier(e.source) : quote_table_name(e.source);
      if (!is_path(e.source)) split_name(e.source, e.entity_id, "source");
    } else if (f == "dlt") {
      auto it = by_destination_.find(e.source);
      if (it == by_destination_.end()) {
        split_name(e.source, e.entity_id, "source");
        warn("source", "upstream dataset '" + e.source +
                           "' is not in this pipeline; it is read as a table by name");
        relation = quote_table_name(e.source);
      } else if (it->second->destination_type == "sink") {
        throw CodegenError("entity '" + e.entity_id + "': source: '" + e.source +
                           "' is a sink (written by entity '" + it->second->entity_id +
                           "'), and sinks cannot be read; read the sink's source instead");
      } else {
        relation = dataset_ref(*it->second);
      }
    } else {
      throw CodegenError("entity '" + e.entity_id + "': source_format: unknown format '" + f +
                         "'; use one of cloudFiles, kafka, delta, dlt, csv, json, parquet, "
                         "avro, orc, text");
    }
    return streaming ? "STREAM(" + relation + ")" : relation;
  }

  // ---- statement parts -------------------------------------------------------------------

  // The query of a query entity as pasted: without a trailing ';' and surrounding white space.
  std::string entity_query(const DeltaLiveEntity& e) {
    std::string q = *e.query;
    while (!q.empty() && (std::isspace(static_cast<unsigned char>(q.back())) || q.back() == ';')) {
      q.pop_back();
    }
    const auto start = q.find_first_not_of(" \t\r\n");
    q = start == std::string::npos ? std::string() : q.substr(start);
    check(q, "query");
    return q;
  }

  // The dataset's rows: the query (or SELECT select_expr FROM the source), then where_clause.
  std::string shaped_select(const DeltaLiveEntity& e, bool streaming) {
    std::string select;
    if (e.query) {
      const std::string q = entity_query(e);
      select = e.select_expr.empty()
                   ? q
                   : "SELECT\n  " + select_list(e) + "\nFROM (\n" + indent(q, "  ") + "\n)";
    } else {
      select = "SELECT\n  " + select_list(e) + "\nFROM " + source_relation(e, streaming);
    }
    if (e.where_clause.empty()) return select;
    std::string condition;
    for (std::size_t i = 0; i < e.where_clause.size(); ++i) {
      check(e.where_clause[i], "where_clause[" + std::to_string(i) + "]");
      condition += (i ? "\n  AND " : "") + std::string("(") + e.where_clause[i] + ")";
    }
    return "SELECT *\nFROM (\n" + indent(select, "  ") + "\n)\nWHERE " + condition;
  }

  std::string select_list(const DeltaLiveEntity& e) {
    if (e.select_expr.empty()) return "*";
    std::string out;
    for (std::size_t i = 0; i < e.select_expr.size(); ++i) {
      check(e.select_expr[i], "select_expr[" + std::to_string(i) + "]");
      out += (i ? ",\n  " : "") + e.select_expr[i];
    }
    return out;
  }

  // CONSTRAINT lines of the expectations (Databricks) in declaration order.
  std::vector<std::string> constraints(const Expectations& x, bool include_warn_rules) {
    std::vector<std::string> out;
    std::set<std::string> names;
    auto add = [&](const StringMap& rules, const std::string& field, const std::string& action) {
      for (const auto& [name, expr] : rules) {
        check(expr, "expectations." + field + "." + name);
        if (!names.insert(name).second) {
          throw CodegenError("entity '" + entity_->entity_id + "': expectations: the rule name '" +
                             name +
                             "' is used twice; expectation names must be unique per "
                             "dataset");
        }
        out.push_back("CONSTRAINT " + quote_identifier(name) + " EXPECT (" + expr + ")" + action);
      }
    };
    if (include_warn_rules) add(x.expect_all, "expect_all", "");
    add(x.expect_all_or_drop, "expect_all_or_drop", " ON VIOLATION DROP ROW");
    add(x.expect_all_or_fail, "expect_all_or_fail", " ON VIOLATION FAIL UPDATE");
    return out;
  }

  // Spark 4.2 pipelines have no expectations; the generated query gives dls's result instead.
  // expect_all rules keep their rows (reported: no metrics); an expect_all_or_fail rule fails the
  // flow, and so the update, through raise_error at the first failing row (checked on every row,
  // before the drop rules, as dls counts them); expect_all_or_drop rules filter. NULL fails a rule.
  std::string spark_checked(const std::string& select, const Expectations& x,
                            bool include_warn_rules) {
    if (include_warn_rules) {
      for (const auto& [name, expr] : x.expect_all) {
        check(expr, "expectations.expect_all." + name);
        warn("expectations.expect_all." + name,
             "rows failing it are kept, as dls does, but not counted: Spark 4.2 pipelines have "
             "no expectation metrics");
      }
    }
    std::string query = select;
    std::string fail;
    for (const auto& [name, expr] : x.expect_all_or_fail) {
      check(expr, "expectations.expect_all_or_fail." + name);
      const std::string message = "entity " + entity_->entity_id + ": expectation '" + name +
                                  "' (expect_all_or_fail: " + expr +
                                  ") failed (a NULL result counts as failed)";
      fail += (fail.empty() ? "" : "\n  AND ") + std::string("CASE WHEN coalesce((") + expr +
              "), false) THEN true ELSE raise_error(" + sql_string_literal(message) + ") END";
    }
    if (!fail.empty()) {
      warn("expectations.expect_all_or_fail",
           "enforced with raise_error: the first failing row fails the flow and the update; "
           "unlike dls, datasets of the same update that do not depend on it may be written");
      query = "SELECT * FROM (\n" + indent(query, "  ") + "\n)\nWHERE " + fail;
    }
    std::string drop;
    for (const auto& [name, expr] : x.expect_all_or_drop) {
      check(expr, "expectations.expect_all_or_drop." + name);
      drop += (drop.empty() ? "" : "\n  AND ") + std::string("coalesce((") + expr + "), false)";
    }
    if (!drop.empty()) query = "SELECT * FROM (\n" + indent(query, "  ") + "\n)\nWHERE " + drop;
    return query;
  }

  std::string errors_expression(const StringMap& rules) {
    std::string items;
    for (const auto& [name, expr] : rules) {
      check(expr, "expectations.expect_all." + name);
      items += std::string(items.empty() ? "" : ",\n    ") + "IF(coalesce((" + expr +
               "), false), NULL, " + sql_string_literal(name) + ")";
    }
    return "filter(array(\n    " + items + "), r -> r IS NOT NULL)";
  }

  std::string all_pass(const StringMap& rules) {
    std::string out;
    for (const auto& [name, expr] : rules) {
      out += (out.empty() ? "" : "\n  AND ") + std::string("coalesce((") + expr + "), false)";
    }
    return out;
  }

  // PARTITIONED BY / COMMENT / TBLPROPERTIES lines of a table.
  std::string table_clauses(const DeltaLiveEntity& e, bool with_partitions = true) {
    std::string out;
    if (!e.partition_cols.empty() && with_partitions) {
      out += "PARTITIONED BY " + column_list(e.partition_cols) + "\n";
    }
    if (e.comment) out += "COMMENT " + sql_string_literal(*e.comment) + "\n";
    std::vector<std::string> props;
    for (const auto& [k, v] : table_properties_of(e)) {
      props.push_back(sql_string_literal(k) + " = " + sql_string_literal(v));
    }
    if (!props.empty()) {
      out += "TBLPROPERTIES (\n";
      for (std::size_t i = 0; i < props.size(); ++i) {
        out += "  " + props[i] + (i + 1 < props.size() ? ",\n" : "\n");
      }
      out += ")\n";
    }
    return out;
  }

  // "(\n  a,\n  b\n)\n" or "".
  static std::string paren_block(const std::vector<std::string>& items) {
    if (items.empty()) return "";
    std::string out = "(\n";
    for (std::size_t i = 0; i < items.size(); ++i) {
      out += "  " + items[i] + (i + 1 < items.size() ? ",\n" : "\n");
    }
    return out + ")\n";
  }

  std::string create(const std::string& kind) const {
    return spark() ? "CREATE " + kind + " " : "CREATE OR REFRESH " + kind + " ";
  }

  // ---- entity ----------------------------------------------------------------------------

  void report_generated_columns(const DeltaLiveEntity& e) {
    // id, created_ts, created_by, modified_by, hash are written to the header; these are checks.
    if (!e.is_latest) warn("is_latest", "this is not the latest version of the entity");
    if (e.expired_ts) {
      warn("expired_ts", "this version expired at " + format_timestamp(*e.expired_ts));
    }
  }

  std::string entity_sql(const DeltaLiveEntity& e) {
    report_generated_columns(e);
    if (e.destination_type == "sink") {
      python_ = sink_python(e);
      return "";
    }
    if (e.destination_type != "table" && e.destination_type != "view") {
      throw CodegenError("entity '" + e.entity_id + "': destination_type: '" + e.destination_type +
                         "' is neither table, view nor sink");
    }
    if (e.apply_changes) return cdc_sql(e);
    if (!e.primary_keys.empty()) {
      warn("primary_keys", "not generated: primary keys are only used by apply_changes");
    }
    const bool quarantine = e.is_quarantined && !e.expectations.expect_all.empty();
    if (e.is_quarantined && e.expectations.expect_all.empty()) {
      warn("is_quarantined", "no expect_all rules: nothing to quarantine, no _invalid table");
    }
    if (e.destination_type == "view") return view_sql(e, quarantine);
    if (e.once || flows_.at(e.destination).size() > 1 || (e.flow_name && e.is_streaming)) {
      return flow_sql(e, quarantine);
    }
    if (e.flow_name) {
      warn("flow_name", "not generated: a materialized view has one flow, named after the dataset");
    }
    return table_sql(e, quarantine);
  }

  // One append flow (or once flow) into a streaming table that several entities may write: the
  // table is declared once, in the file of its first writer; each entity is a CREATE FLOW ... AS
  // INSERT INTO ... BY NAME. Expectations of a flow (Databricks) are CONSTRAINTs of a temporary
  // view the flow reads, so that each flow keeps its own rules.
  std::string flow_sql(const DeltaLiveEntity& e, bool quarantine) {
    const std::string flow = effective_flow_name(e);
    if (quarantine) {
      throw CodegenError("entity '" + e.entity_id +
                         "': is_quarantined: not generated for an append flow (a flow of " +
                         e.destination +
                         "): the quarantine split needs its own tables; write the valid rows "
                         "with expect_all_or_drop, or give the entity its own destination");
    }
    if (e.once && spark()) {
      throw CodegenError(
          "entity '" + e.entity_id +
          "': once: Apache Spark Declarative Pipelines have no once flows (SPARK-52851 removed "
          "append_flow(once=True); the SQL handler registers every flow with once = false): "
          "generate for databricks, or load the backfill with a separate job and remove once");
    }
    const bool first = flows_.at(e.destination).front() == &e;
    std::string out = header(e) + "\n";
    if (first) {
      std::string writers;
      for (const DeltaLiveEntity* w : flows_.at(e.destination)) {
        writers += (writers.empty() ? "" : ", ") + effective_flow_name(*w);
      }
      out += "-- Written by the flows " + sql_comment_text(writers) + ".\n";
      out += create("STREAMING TABLE") + quote_table_name(e.destination) + "\n" + table_clauses(e);
      while (!out.empty() && out.back() == '\n') out.pop_back();
      out += ";\n\n";
    }
    declared_schema(e, false);
    std::string select = shaped_select(e, !e.once);
    if (spark()) {
      select = spark_checked(select, e.expectations, true);
    } else if (!e.expectations.empty()) {
      const std::string checked = view_name("_" + flow + "_dls_checked");
      out += "-- The rows of flow " + sql_comment_text(flow) + ", checked by its expectations.\n";
      out += "CREATE TEMPORARY VIEW " + quote_identifier(checked) + "\n" +
             paren_block(constraints(e.expectations, true)) + "AS " + select + ";\n\n";
      select = "SELECT * FROM " +
               (e.once ? quote_identifier(checked) : "STREAM(" + quote_identifier(checked) + ")");
    }
    if (e.once) {
      out += "-- A once flow: a backfill, run once (again only after a full refresh).\n";
    }
    out += "CREATE FLOW " + quote_identifier(flow) + " AS INSERT " + (e.once ? "ONCE " : "") +
           "INTO " + quote_table_name(e.destination) + " BY NAME\n" + select + ";\n";
    return out;
  }

  // A sink's flow (Python only: there is no SQL CREATE SINK): the sink is declared with
  // dp.create_sink in the file of its first flow; each entity is an @dp.append_flow into it whose
  // function returns the streaming rows (the same SELECT a table's flow has, through spark.sql).
  // On Spark the source's temporary view, when there is one, is in the same file.
  std::string sink_python(const DeltaLiveEntity& e) {
    const std::string flow = effective_flow_name(e);
    if (!e.primary_keys.empty()) {
      warn("primary_keys", "not generated: primary keys are only used by apply_changes");
    }
    if (e.comment) warn("comment", "not generated: a sink has no comment");
    if (!e.tags.empty()) warn("tags", "not generated: a sink has no tags");
    if (e.source_schema) declared_schema(e, true);  // reported when not applied at the source
    const std::string format = e.sink_format.value_or("");
    if (format != "kafka" && format != "delta") {
      throw CodegenError("entity '" + e.entity_id + "': sink_format: '" + format +
                         "' is not a sink format; expected kafka or delta");
    }
    for (const auto& [key, value] : e.sink_options) {
      if (key == "path" && is_relative_path(value)) {
        warn("sink_options.path",
             spark() ? "a relative path: Spark resolves it against its working directory"
                     : "a relative path: give the sink an absolute path (a Unity Catalog "
                       "volume, /Volumes/...) or a tableName");
      }
    }
    const std::string select = shaped_select(e, true);  // may write python_ (the source view)
    std::string py = python_;
    if (py.empty()) {
      py = "# Generated by dls from entity " + sql_comment_text(e.entity_id) +
           (e.group.empty() ? "" : " (group " + sql_comment_text(e.group) + ")") +
           ". Do not edit: change the metadata and run `dls generate` again.\n"
           "from pyspark import pipelines as dp\n"
           "from pyspark.sql import SparkSession\n\n"
           "spark = SparkSession.active()\n";
    }
    py += "\n\n";
    const bool first = flows_.at(e.destination).front() == &e;
    if (first) {
      std::string writers;
      for (const DeltaLiveEntity* w : flows_.at(e.destination)) {
        writers += (writers.empty() ? "" : ", ") + effective_flow_name(*w);
      }
      py += "# The sink " + sql_comment_text(e.destination) + " (" + format +
            (format == "kafka" ? ", at least once" : ", exactly once") +
            "), written by the flows " + sql_comment_text(writers) +
            ". A full refresh does not clear it.\n";
      py += "dp.create_sink(\n    name=" + python_string_literal(e.destination) +
            ",\n    format=" + python_string_literal(format) + ",\n    options={";
      bool comma = false;
      for (const auto& [key, value] : e.sink_options) {
        py += std::string(comma ? ", " : "") + python_string_literal(key) + ": " +
              python_string_literal(value);
        comma = true;
      }
      py += "},\n)\n\n\n";
    }
    // spark_conf goes to the pipeline's configuration, as every entity's (pipeline_configuration).
    py += "@dp.append_flow(target=" + python_string_literal(e.destination) +
          ", name=" + python_string_literal(flow);
    py += ")\ndef sink_flow():\n    return spark.sql(\n";
    std::size_t start = 0;
    while (start <= select.size()) {
      const std::size_t end = select.find('\n', start);
      const bool last = end == std::string::npos;
      py +=
          "        " +
          python_string_literal(select.substr(start, last ? std::string::npos : end + 1 - start)) +
          "\n";
      if (last) break;
      start = end + 1;
    }
    py += "    )\n";
    return py;
  }

  // The declared schema of a table, when source_schema describes its rows.
  std::string declared_schema(const DeltaLiveEntity& e, bool rows_are_source_rows) {
    if (!e.source_schema) return "";
    const bool file = e.source_format == "cloudFiles" || is_file_format(e.source_format);
    if (file || e.source_format == "kafka") return "";  // applied (or reported) at the source
    if (!rows_are_source_rows) {
      warn("source_schema",
           "not generated: the dataset's columns are not the source's (it has "
           "select_expr, apply_changes or a quarantine split)");
      return "";
    }
    check(*e.source_schema, "source_schema");
    return *e.source_schema;
  }

  std::string table_sql(const DeltaLiveEntity& e, bool quarantine) {
    const bool streaming = e.is_streaming;
    const std::string kind = streaming ? "STREAMING TABLE" : "MATERIALIZED VIEW";
    const std::string select = shaped_select(e, streaming);
    std::string out = header(e) + "\n";
    if (!quarantine) {
      std::vector<std::string> items;
      const std::string schema = declared_schema(e, e.select_expr.empty());
      if (!schema.empty()) items.push_back(schema);
      std::string query = select;
      if (spark()) {
        query = spark_checked(select, e.expectations, true);
      } else {
        for (auto& c : constraints(e.expectations, true)) items.push_back(std::move(c));
      }
      out += create(kind) + quote_table_name(e.destination) + "\n" + paren_block(items) +
             table_clauses(e) + "AS " + query + ";\n";
      return out;
    }
    // Quarantine: a checked view adds _errors; valid and invalid rows go to two tables.
    declared_schema(e, false);
    const std::string checked = view_name("_dls_checked");
    const std::string invalid = e.destination + "_invalid";
    split_name(invalid, e.entity_id, "destination");
    std::string cons;
    std::string checked_select = select;
    if (spark()) {
      checked_select = spark_checked(select, e.expectations, false);
    } else {
      cons = paren_block(constraints(e.expectations, true));
    }
    const std::string checked_query =
        "SELECT\n  *,\n  " + errors_expression(e.expectations.expect_all) +
        " AS _errors\nFROM (\n" + indent(checked_select, "  ") + "\n)";
    out += "-- Rows with the names of the expect_all rules they fail (NULL counts as failing).\n";
    out += "CREATE TEMPORARY VIEW " + quote_identifier(checked) + "\n" + cons + "AS " +
           checked_query + ";\n\n";
    const std::string read_checked =
        streaming ? "STREAM(" + quote_identifier(checked) + ")" : quote_identifier(checked);
    out += "-- Valid rows.\n";
    if (spark()) {
      // Spark SQL has no SELECT * EXCEPT (_errors): the valid rows are read from the source again
      // and kept when they pass every expect_all rule, without an _errors column.
      out += create(kind) + quote_table_name(e.destination) + "\n" + table_clauses(e) +
             "AS SELECT * FROM (\n" + indent(checked_select, "  ") + "\n)\nWHERE " +
             all_pass(e.expectations.expect_all) + ";\n\n";
    } else {
      out += create(kind) + quote_table_name(e.destination) + "\n" + table_clauses(e) +
             "AS SELECT * EXCEPT (_errors) FROM " + read_checked + "\nWHERE size(_errors) = 0;\n\n";
    }
    out += "-- Invalid rows, with _errors.\n";
    DeltaLiveEntity invalid_entity = e;
    invalid_entity.table_properties.clear();
    invalid_entity.tags.clear();
    out +=
        create(kind) + quote_table_name(invalid) + "\n" +
        (e.comment
             ? "COMMENT " +
                   sql_string_literal("Quarantined rows of " + e.destination + ": " + *e.comment) +
                   "\n"
             : std::string()) +
        "AS SELECT * FROM " + read_checked + "\nWHERE size(_errors) > 0;\n";
    return out;
  }

  std::string view_sql(const DeltaLiveEntity& e, bool quarantine) {
    if (e.destination.find('.') != std::string::npos) {
      warn("destination", "a temporary view has no catalog or schema: it is named '" +
                              last_part(e.destination) + "'");
    }
    if (!e.partition_cols.empty())
      warn("partition_cols", "not generated: a view has no partitions");
    for (const auto& [k, v] : e.table_properties) {
      warn("table_properties." + k, "not generated: a temporary view has no table properties");
    }
    for (const auto& [k, v] : e.tags) {
      warn("tags." + k, "not generated: a temporary view has no table properties to hold tags");
    }
    if (e.source_schema && !(e.source_format == "cloudFiles" || is_file_format(e.source_format) ||
                             e.source_format == "kafka")) {
      warn("source_schema", "not generated: a temporary view does not declare column types");
    }
    if (quarantine) {
      warn("is_quarantined",
           "not generated: a view is not persisted, so it has no _invalid "
           "table; the expect_all rules only count failing rows");
    }
    std::string select = shaped_select(e, e.is_streaming);
    std::string cons;
    if (spark()) {
      select = spark_checked(select, e.expectations, true);
    } else {
      cons = paren_block(constraints(e.expectations, true));
    }
    std::string out = header(e) + "\n";
    out += "CREATE TEMPORARY VIEW " + quote_identifier(last_part(e.destination)) + "\n" + cons +
           (e.comment ? "COMMENT " + sql_string_literal(*e.comment) + "\n" : std::string()) +
           "AS " + select + ";\n";
    return out;
  }

  std::string cdc_sql(const DeltaLiveEntity& e) {
    const ApplyChanges& ac = *e.apply_changes;
    auto fail = [&](const std::string& field, const std::string& what) {
      throw CodegenError("entity '" + e.entity_id + "': " + field + ": " + what);
    };
    if (e.destination_type != "table") {
      fail("destination_type", "apply_changes needs destination_type table (a streaming table)");
    }
    if (e.primary_keys.empty()) fail("primary_keys", "apply_changes needs primary_keys (its KEYS)");
    if (ac.sequence_by.empty()) fail("apply_changes.sequence_by", "required by apply_changes");
    if (ac.stored_as_scd_type != 1 && ac.stored_as_scd_type != 2) {
      fail("apply_changes.stored_as_scd_type",
           "must be 1 or 2, not " + std::to_string(ac.stored_as_scd_type));
    }
    if (!ac.column_list.empty() && !ac.except_column_list.empty()) {
      fail("apply_changes.column_list", "give column_list or except_column_list, not both");
    }
    if (!ac.track_history_column_list.empty() && !ac.track_history_except_column_list.empty()) {
      fail("apply_changes.track_history_column_list",
           "give track_history_column_list or track_history_except_column_list, not both");
    }
    if (!ac.ignore_null_updates_column_list.empty() &&
        !ac.ignore_null_updates_except_column_list.empty()) {
      fail("apply_changes.ignore_null_updates_column_list",
           "give ignore_null_updates_column_list or ignore_null_updates_except_column_list, not "
           "both");
    }
    if (ac.apply_as_truncates && ac.stored_as_scd_type == 2) {
      fail("apply_changes.apply_as_truncates",
           "SCD type 2 does not support truncates (AUTO CDC "
           "rejects APPLY AS TRUNCATE WHEN with SCD TYPE 2)");
    }
    check(ac.sequence_by, "apply_changes.sequence_by");
    if (ac.where) check(*ac.where, "apply_changes.where");
    if (ac.apply_as_deletes) check(*ac.apply_as_deletes, "apply_changes.apply_as_deletes");
    if (ac.apply_as_truncates) check(*ac.apply_as_truncates, "apply_changes.apply_as_truncates");

    if (spark()) {
      spark_cdc(e);
      return "";
    }
    if (!e.is_streaming) {
      warn("is_streaming", "AUTO CDC reads its source as a stream; is_streaming false is ignored");
    }
    const bool quarantine = e.is_quarantined && !e.expectations.expect_all.empty();
    if (e.is_quarantined && !quarantine) {
      warn("is_quarantined", "no expect_all rules: nothing to quarantine, no _invalid table");
    }
    declared_schema(e, false);

    std::string out = header(e) + "\n";
    // Input view: the change feed, shaped and filtered.
    const std::string input = view_name(quarantine ? "_dls_checked" : "_dls_changes");
    std::string select = shaped_select(e, true);
    if (ac.where && !e.where_clause.empty()) {
      select = "SELECT *\nFROM (\n" + indent(select, "  ") + "\n)";
    }
    if (ac.where) select += "\nWHERE " + *ac.where;
    std::string cdc_source = input;
    if (quarantine) {
      out +=
          "-- Change events with the names of the expect_all rules they fail (NULL counts as "
          "failing).\n";
      out += "CREATE TEMPORARY VIEW " + quote_identifier(input) + "\n" +
             paren_block(constraints(e.expectations, true)) + "AS SELECT\n  *,\n  " +
             errors_expression(e.expectations.expect_all) + " AS _errors\nFROM (\n" +
             indent(select, "  ") + "\n);\n\n";
      const std::string invalid = e.destination + "_invalid";
      out += "-- Invalid change events, with _errors.\n";
      out += create("STREAMING TABLE") + quote_table_name(invalid) + "\nAS SELECT * FROM STREAM(" +
             quote_identifier(input) + ")\nWHERE size(_errors) > 0;\n\n";
      cdc_source = view_name("_dls_valid");
      out += "-- Valid change events.\n";
      out += "CREATE TEMPORARY VIEW " + quote_identifier(cdc_source) +
             "\nAS SELECT * EXCEPT (_errors) FROM STREAM(" + quote_identifier(input) +
             ")\nWHERE size(_errors) = 0;\n\n";
    } else {
      out += "-- Change events.\n";
      out += "CREATE TEMPORARY VIEW " + quote_identifier(input) + "\nAS " + select + ";\n\n";
    }
    // Target.
    out += "-- Target of the AUTO CDC flow.\n";
    std::string target =
        create("STREAMING TABLE") + quote_table_name(e.destination) + "\n" +
        paren_block(quarantine ? std::vector<std::string>{} : constraints(e.expectations, true)) +
        table_clauses(e);
    target.pop_back();  // the statement ends after its last clause
    out += target + ";\n\n";
    // Flow.
    const std::string flow = ac.flow_name  ? *ac.flow_name
                             : e.flow_name ? *e.flow_name
                                           : last_part(e.destination) + "_cdc";
    out += "CREATE FLOW " + quote_identifier(flow) + " AS AUTO CDC INTO " +
           quote_table_name(e.destination) + "\n";
    out += "FROM STREAM(" + quote_identifier(cdc_source) + ")\n";
    out += "KEYS " + column_list(e.primary_keys) + "\n";
    if (!ac.ignore_null_updates_column_list.empty()) {
      out += "IGNORE NULL UPDATES ON " + column_list(ac.ignore_null_updates_column_list) + "\n";
    } else if (!ac.ignore_null_updates_except_column_list.empty()) {
      out += "IGNORE NULL UPDATES ON * EXCEPT " +
             column_list(ac.ignore_null_updates_except_column_list) + "\n";
    } else if (ac.ignore_null_updates) {
      out += "IGNORE NULL UPDATES\n";
    }
    if (ac.apply_as_deletes) out += "APPLY AS DELETE WHEN " + *ac.apply_as_deletes + "\n";
    if (ac.apply_as_truncates) out += "APPLY AS TRUNCATE WHEN " + *ac.apply_as_truncates + "\n";
    out += "SEQUENCE BY " + ac.sequence_by + "\n";
    if (!ac.column_list.empty()) out += "COLUMNS " + column_list(ac.column_list) + "\n";
    if (!ac.except_column_list.empty()) {
      out += "COLUMNS * EXCEPT " + column_list(ac.except_column_list) + "\n";
    }
    out += "STORED AS SCD TYPE " + std::to_string(ac.stored_as_scd_type);
    const bool has_history =
        !ac.track_history_column_list.empty() || !ac.track_history_except_column_list.empty();
    if (has_history && ac.stored_as_scd_type == 1) {
      warn(ac.track_history_column_list.empty() ? "apply_changes.track_history_except_column_list"
                                                : "apply_changes.track_history_column_list",
           "not generated: history is only tracked with SCD type 2");
    } else if (!ac.track_history_column_list.empty()) {
      out += "\nTRACK HISTORY ON " + column_list(ac.track_history_column_list);
    } else if (!ac.track_history_except_column_list.empty()) {
      out += "\nTRACK HISTORY ON * EXCEPT " + column_list(ac.track_history_except_column_list);
    }
    out += ";\n";
    return out;
  }

  static std::string python_list(const StringList& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
      out += (i ? ", " : "") + python_string_literal(items[i]);
    }
    return out + "]";
  }

  static std::string python_optional(const std::optional<std::string>& value) {
    return value ? python_string_literal(*value) : std::string("None");
  }

  // Spark 4.2 pipelines have no AUTO CDC: apply_changes becomes a materialized view (a Python
  // file) that computes the target from the whole change feed, read in batch, the way dls's
  // incremental merges (src/pipeline/cdc) define it: events de-duplicated per (keys, sequence), a
  // delete winning; SCD type 1 keeps the latest upsert per key after its last delete (or
  // truncate); SCD type 2 replays the events in sequence order into __START_AT/__END_AT versions.
  void spark_cdc(const DeltaLiveEntity& e) {
    const ApplyChanges& ac = *e.apply_changes;
    std::string ignore_null = python_list(ac.ignore_null_updates_column_list);
    if (ac.ignore_null_updates || !ac.ignore_null_updates_except_column_list.empty()) {
      // The generated code never asks for the change feed's columns (a pipeline query function
      // may not analyze a DataFrame), so it cannot enumerate "every non-key column".
      warn(ac.ignore_null_updates ? "apply_changes.ignore_null_updates"
                                  : "apply_changes.ignore_null_updates_except_column_list",
           "entity not generated for Spark: name the columns with "
           "ignore_null_updates_column_list instead");
      return;
    }
    warn("apply_changes",
         "generated as a materialized view recomputed from the whole change feed on every "
         "update (Spark 4.2 pipelines have no AUTO CDC); change events repeating a (keys, "
         "sequence_by) pair keep the smallest row (rows compared as structs), where dls keeps the "
         "later update's");
    if (e.is_streaming) {
      warn("is_streaming", "the change feed is read in batch by the materialized view");
    }
    if (e.is_quarantined && e.expectations.expect_all.empty()) {
      warn("is_quarantined", "no expect_all rules: nothing to quarantine, no _invalid table");
    }
    const bool quarantine = e.is_quarantined && !e.expectations.expect_all.empty();
    declared_schema(e, false);
    for (const auto& [name, expr] : e.expectations.expect_all) {
      check(expr, "expectations.expect_all." + name);
      if (!quarantine) {
        warn("expectations.expect_all." + name,
             "change events failing it are kept, as dls does, but not counted: Spark 4.2 "
             "pipelines have no expectation metrics");
      }
    }
    for (const auto& [name, expr] : e.expectations.expect_all_or_drop) {
      check(expr, "expectations.expect_all_or_drop." + name);
    }
    for (const auto& [name, expr] : e.expectations.expect_all_or_fail) {
      check(expr, "expectations.expect_all_or_fail." + name);
    }
    if (e.query || !e.where_clause.empty()) {
      throw CodegenError("entity '" + e.entity_id + "': " + (e.query ? "query" : "where_clause") +
                         ": not generated for Spark with apply_changes (the Spark project's CDC "
                         "flow is Python over one source); generate for Databricks, or move the "
                         "query into an upstream entity");
    }
    std::string relation = source_relation(e, false);  // may write python_ (the source view)
    std::string py = python_;
    if (py.empty()) {
      // The SQL header's comment lines, as Python comments.
      std::string comment = header(e);
      for (std::size_t at = 0; (at = comment.find("-- ", at)) != std::string::npos;) {
        if (at == 0 || comment[at - 1] == '\n') comment.replace(at, 3, "# ");
        at += 2;
      }
      py = comment + "from pyspark import pipelines as dp\n" +
           "from pyspark.sql import SparkSession\n\n" + "spark = SparkSession.active()\n";
    }
    auto rules = [](const StringMap& m) {
      std::string out = "{";
      bool first = true;
      for (const auto& [name, expr] : m) {
        out +=
            (first ? "" : ", ") + python_string_literal(name) + ": " + python_string_literal(expr);
        first = false;
      }
      return out + "}";
    };
    std::string tracked = "(\"except\", [])";
    if (!ac.track_history_column_list.empty()) {
      tracked = "(\"only\", " + python_list(ac.track_history_column_list) + ")";
    } else if (!ac.track_history_except_column_list.empty()) {
      tracked = "(\"except\", " + python_list(ac.track_history_except_column_list) + ")";
    }
    std::string decorator = "@dp.materialized_view(\n    name=" +
                            python_string_literal(quote_table_name(e.destination));
    if (e.comment) decorator += ",\n    comment=" + python_string_literal(*e.comment);
    if (!e.partition_cols.empty()) {
      decorator += ",\n    partition_cols=" + python_list(e.partition_cols);
    }
    std::vector<std::string> props;
    for (const auto& [k, v] : table_properties_of(e)) {
      props.push_back(python_string_literal(k) + ": " + python_string_literal(v));
    }
    if (!props.empty()) {
      decorator += ",\n    table_properties={";
      for (std::size_t i = 0; i < props.size(); ++i) decorator += (i ? ", " : "") + props[i];
      decorator += "}";
    }
    decorator += ",\n)\n";
    const std::string invalid = e.destination + "_invalid";
    if (quarantine) split_name(invalid, e.entity_id, "destination");

    py += R"py(
from pyspark.sql import Window
from pyspark.sql import functions as F

# apply_changes of entity @ENTITY@ (see the project's README.md: AUTO CDC).
SOURCE = @SOURCE@
SELECT_EXPR = @SELECT_EXPR@
WHERE = @WHERE@
KEYS = @KEYS@
SEQUENCE_BY = @SEQUENCE_BY@
APPLY_AS_DELETES = @DELETES@
APPLY_AS_TRUNCATES = @TRUNCATES@
COLUMN_LIST = @COLUMN_LIST@
EXCEPT_COLUMN_LIST = @EXCEPT_COLUMN_LIST@
IGNORE_NULL_UPDATES = @IGNORE_NULL@  # the non-key columns where a NULL keeps the value
TRACK_HISTORY = @TRACKED@  # SCD type 2: ("only", columns) or ("except", columns)
SCD_TYPE = @SCD_TYPE@
EXPECT_ALL = @EXPECT_ALL@
EXPECT_ALL_OR_DROP = @EXPECT_ALL_OR_DROP@
EXPECT_ALL_OR_FAIL = @EXPECT_ALL_OR_FAIL@
QUARANTINE = @QUARANTINE@
ENTITY = @ENTITY_LITERAL@


def _col(name):
    return F.col("`" + name.replace("`", "``") + "`")


def _passes(rule):
    return F.coalesce(F.expr(rule), F.lit(False))


def _checked_changes():
    """The change feed: shaped, filtered by `where`, expect_all_or_fail / _or_drop applied."""
    changes = spark.read.table(SOURCE)
    if SELECT_EXPR:
        changes = changes.selectExpr(*SELECT_EXPR)
    if WHERE is not None:
        changes = changes.where(_passes(WHERE))
    for name, rule in EXPECT_ALL_OR_FAIL.items():
        message = (f"entity {ENTITY}: expectation '{name}' (expect_all_or_fail: {rule}) "
                   "failed (a NULL result counts as failed)")
        changes = changes.where(F.when(_passes(rule), F.lit(True)).otherwise(
            F.raise_error(F.lit(message)).cast("boolean")))
    for rule in EXPECT_ALL_OR_DROP.values():
        changes = changes.where(_passes(rule))
    return changes


def _valid_changes():
    changes = _checked_changes()
    if QUARANTINE:
        for rule in EXPECT_ALL.values():
            changes = changes.where(_passes(rule))
    return changes


def _target():
    # Pipeline query functions may not analyze a DataFrame (nor use DataFrame operations that
    # the server plans by analyzing their input: withColumn, drop), so the code never asks for
    # column names: each change event is one struct column __dls_row (the target's columns),
    # with its keys, sequence value and kind (U upsert, D delete, T truncate) beside it.
    changes = _valid_changes()
    row = F.struct(*[_col(c) for c in COLUMN_LIST]) if COLUMN_LIST else F.struct("*")
    if EXCEPT_COLUMN_LIST:
        row = row.dropFields(*EXCEPT_COLUMN_LIST)
    seq = F.expr(SEQUENCE_BY)
    kind = F.lit("U")
    if APPLY_AS_DELETES is not None:
        kind = F.when(_passes(APPLY_AS_DELETES), F.lit("D")).otherwise(kind)
    if APPLY_AS_TRUNCATES is not None:
        kind = F.when(_passes(APPLY_AS_TRUNCATES), F.lit("T")).otherwise(kind)
    keys = [f"__dls_key_{i}" for i in range(len(KEYS))]
    raw = changes.select(
        row.alias("__dls_row"),
        *[_col(k).alias(name) for k, name in zip(KEYS, keys)],
        F.when(seq.isNull(), F.raise_error(F.lit(
            f"entity {ENTITY}: apply_changes: a change event has a NULL sequence_by value"
        ))).otherwise(seq).alias("__dls_seq"),
        kind.alias("__dls_op"),
    )
    event = ["__dls_row", *keys, "__dls_seq", "__dls_op"]
    # One event per (keys, sequence): a delete wins, then the smallest row.
    first = Window.partitionBy(*keys, "__dls_seq").orderBy(
        F.col("__dls_op").asc(), F.col("__dls_row").asc_nulls_last())
    events = (raw.where("__dls_op <> 'T'")
              .select(*event, F.row_number().over(first).alias("__dls_rank"))
              .where("__dls_rank = 1").select(*event))
    by_key = Window.partitionBy(*keys)
    ordered = by_key.orderBy("__dls_seq")
    running = ordered.rowsBetween(Window.unboundedPreceding, Window.currentRow)
    is_delete = F.col("__dls_op") == "D"
    field = F.col("__dls_row").getField

    if SCD_TYPE == 1:
        # The latest upsert per key after its last delete or truncate; an ignore-NULL column
        # takes the latest non-NULL value since then.
        truncated = raw.where("__dls_op = 'T'").agg(F.max("__dls_seq").alias("__dls_truncated"))
        last_delete = F.greatest(F.max(F.when(is_delete, F.col("__dls_seq"))).over(by_key),
                                 F.col("__dls_truncated"))
        alive = (events.crossJoin(truncated).select(*event, last_delete.alias("__dls_last"))
                 .where(~is_delete & (F.col("__dls_last").isNull()
                                      | (F.col("__dls_seq") > F.col("__dls_last")))))
        values = [F.max_by(F.col("__dls_row"), F.col("__dls_seq")).alias("__dls_row")]
        for i, c in enumerate(IGNORE_NULL_UPDATES):
            values.append(F.max_by(field(c), F.when(field(c).isNotNull(), F.col("__dls_seq")))
                          .alias(f"__dls_ignore_null_{i}"))
        result = F.col("__dls_row")
        for i, c in enumerate(IGNORE_NULL_UPDATES):
            result = result.withField(c, F.col(f"__dls_ignore_null_{i}"))
        rows = alive.groupBy(*keys).agg(*values).select(result.alias("__dls_row"))
        return rows.select("__dls_row.*")

    # SCD type 2: an upsert opens a version when none is open or a tracked column changed, else
    # it updates the open version; a delete closes it.
    events = events.select(*event, F.sum(is_delete.cast("int")).over(running).alias("__dls_life"))
    life = Window.partitionBy(*keys, "__dls_life").orderBy("__dls_seq").rowsBetween(
        Window.unboundedPreceding, Window.currentRow)
    effective = F.col("__dls_row")
    for c in IGNORE_NULL_UPDATES:
        effective = effective.withField(
            c, F.last(F.when(~is_delete, field(c)), ignorenulls=True).over(life))
    events = events.select(effective.alias("__dls_row"), *event[1:])
    if TRACK_HISTORY[0] == "only":
        tracked = F.struct(*[field(c) for c in TRACK_HISTORY[1]])
    else:
        tracked = F.col("__dls_row")
        if TRACK_HISTORY[1]:
            tracked = tracked.dropFields(*TRACK_HISTORY[1])
    changed = ~tracked.eqNullSafe(F.lag(tracked).over(ordered))
    previous = F.lag("__dls_op").over(ordered)
    opens = ~is_delete & (previous.isNull() | (previous == "D") | changed)
    events = events.select(*event, opens.cast("int").alias("__dls_opens"),
                           F.lead("__dls_seq").over(ordered).alias("__dls_next_seq"))
    events = events.select(*event, "__dls_next_seq",
                           F.sum("__dls_opens").over(running).alias("__dls_version"))
    versions = events.where(~is_delete).groupBy(*keys, "__dls_version").agg(
        F.max_by(F.col("__dls_row"), F.col("__dls_seq")).alias("__dls_row"),
        F.min("__dls_seq").alias("__START_AT"),
        F.max_by(F.col("__dls_next_seq"), F.col("__dls_seq")).alias("__END_AT"))
    return versions.select("__dls_row.*", "__START_AT", "__END_AT")


@DECORATOR@def @FUNCTION@():
    return _target()
)py";
    std::map<std::string, std::string> py_vars;
    auto put = [](std::map<std::string, std::string>& vars, const std::string& key,
                  const std::string& value) { vars[key] = value; };
    if (quarantine) {
      std::string errors;
      for (const auto& [name, expr] : e.expectations.expect_all) {
        errors += std::string(errors.empty() ? "" : ",\n        ") + "F.when(_passes(" +
                  python_string_literal(expr) + "), F.lit(None)).otherwise(F.lit(" +
                  python_string_literal(name) + "))";
      }
      py += R"py(

@dp.materialized_view(name=@INVALID@)
def @FUNCTION@_invalid():
    """Change events failing an expect_all rule, with _errors (the names of those rules)."""
    errors = F.filter(F.array(
        @ERRORS@), lambda r: r.isNotNull())
    return _checked_changes().select("*", errors.alias("_errors")).where(F.size("_errors") > 0)
)py";
      put(py_vars, "@INVALID@", python_string_literal(quote_table_name(invalid)));
      put(py_vars, "@ERRORS@", errors);
    }
    put(py_vars, "@DECORATOR@", decorator);
    put(py_vars, "@FUNCTION@", "dataset_" + safe_name(last_part(e.destination)));
    put(py_vars, "@ENTITY_LITERAL@", python_string_literal(e.entity_id));
    put(py_vars, "@ENTITY@", sql_comment_text(e.entity_id));
    put(py_vars, "@SOURCE@", python_string_literal(relation));
    put(py_vars, "@SELECT_EXPR@", python_list(e.select_expr));
    for (std::size_t i = 0; i < e.select_expr.size(); ++i) {
      check(e.select_expr[i], "select_expr[" + std::to_string(i) + "]");
    }
    put(py_vars, "@WHERE@", python_optional(ac.where));
    put(py_vars, "@KEYS@", python_list(e.primary_keys));
    put(py_vars, "@SEQUENCE_BY@", python_string_literal(ac.sequence_by));
    put(py_vars, "@DELETES@", python_optional(ac.apply_as_deletes));
    put(py_vars, "@TRUNCATES@", python_optional(ac.apply_as_truncates));
    put(py_vars, "@COLUMN_LIST@", python_list(ac.column_list));
    put(py_vars, "@EXCEPT_COLUMN_LIST@", python_list(ac.except_column_list));
    put(py_vars, "@IGNORE_NULL@", ignore_null);
    put(py_vars, "@TRACKED@", tracked);
    put(py_vars, "@SCD_TYPE@", std::to_string(ac.stored_as_scd_type));
    put(py_vars, "@EXPECT_ALL@", rules(e.expectations.expect_all));
    put(py_vars, "@EXPECT_ALL_OR_DROP@", rules(e.expectations.expect_all_or_drop));
    put(py_vars, "@EXPECT_ALL_OR_FAIL@", rules(e.expectations.expect_all_or_fail));
    put(py_vars, "@QUARANTINE@", quarantine ? "True" : "False");
    python_ = fill_template(py, py_vars);
  }

  // The template with every @NAME@ of `vars` replaced in one pass (values are not scanned again).
  static std::string fill_template(const std::string& text,
                                   const std::map<std::string, std::string>& vars) {
    std::string out;
    std::size_t at = 0;
    while (at < text.size()) {
      const std::size_t open = text.find('@', at);
      if (open == std::string::npos) break;
      const std::size_t close = text.find('@', open + 1);
      if (close == std::string::npos) break;
      const auto it = vars.find(text.substr(open, close - open + 1));
      if (it == vars.end()) {
        out += text.substr(at, open + 1 - at);
        at = open + 1;
        continue;
      }
      out += text.substr(at, open - at) + it->second;
      at = close + 1;
    }
    return out + text.substr(at);
  }

  const PipelinePlan& plan_;
  Target target_;
  Warnings& warnings_;
  std::map<std::string, const DeltaLiveEntity*> by_destination_;
  std::set<std::string> used_views_;
  const DeltaLiveEntity* entity_ = nullptr;
  std::string python_;
};

}  // namespace

std::string safe_name(std::string_view text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    out += (std::isalnum(u) && u < 0x80) || c == '_' ? c : '_';
  }
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out.front()))) out = "_" + out;
  return out;
}

std::string resource_name(std::string_view text) {
  std::string name = safe_name(text);
  while (!name.empty() && name.front() == '_') name.erase(0, 1);
  while (!name.empty() && name.back() == '_') name.pop_back();
  if (name.empty()) return "dls";
  if (!std::isalpha(static_cast<unsigned char>(name.front()))) name = "p_" + name;
  return name;
}

std::vector<PipelinePlan> plan_pipelines(const EntityList& entities, Warnings& warnings) {
  std::vector<PipelinePlan> plans;
  std::set<std::string> ids;
  std::set<std::string> names;
  for (const auto& e : entities) {
    if (!ids.insert(e.entity_id).second) {
      throw CodegenError("entity '" + e.entity_id +
                         "' is selected twice (two versions?); select "
                         "the latest versions only");
    }
    if (!e.is_enabled) {
      warnings.push_back({e.entity_id, "is_enabled", "disabled: left out of the pipeline"});
      continue;
    }
    auto it = std::find_if(plans.begin(), plans.end(),
                           [&](const PipelinePlan& p) { return p.group == e.group; });
    if (it == plans.end()) {
      PipelinePlan plan;
      plan.group = e.group;
      std::string base = e.group.empty() ? "dls" : resource_name(e.group);
      std::string name = base;
      for (int i = 2; names.count(name); ++i) name = base + "_" + std::to_string(i);
      names.insert(name);
      plan.name = name;
      plans.push_back(std::move(plan));
      it = plans.end() - 1;
    }
    it->entities.push_back(e);
  }
  return plans;
}

std::vector<SourceFile> generate_pipeline_sources(const PipelinePlan& pipeline, Target target,
                                                  Warnings& warnings) {
  return PipelineWriter(pipeline, target, warnings).run();
}

std::map<std::string, std::string> pipeline_configuration(const PipelinePlan& pipeline,
                                                          Warnings& warnings) {
  std::map<std::string, std::string> conf;
  std::map<std::string, std::string> owner;
  for (const auto& e : pipeline.entities) {
    for (const auto& [k, v] : e.spark_conf) {
      auto [it, inserted] = conf.emplace(k, v);
      if (inserted) {
        owner[k] = e.entity_id;
      } else if (it->second != v) {
        warnings.push_back({e.entity_id, "spark_conf." + k,
                            "not generated: entity '" + owner[k] + "' sets it to '" + it->second +
                                "' in the same pipeline configuration (one value per pipeline)"});
      }
    }
  }
  return conf;
}

}  // namespace dls::codegen

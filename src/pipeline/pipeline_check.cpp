#include "dls/pipeline/pipeline_check.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "dls/catalog/table_name.h"
#include "dls/core/error.h"
#include "dls/core/validation.h"
#include "dls/pipeline/dataset_transform.h"
#include "dls/pipeline/expectations.h"
#include "dls/pipeline/pipeline_state.h"
#include "dls/sql/database.h"
#include "dls/sql/quote.h"
#include "dls/sql/spark/ddl_schema.h"
#include "dls/sql/spark/dialect.h"
#include "dls/sql/sql_error.h"
#include "pipeline/engine_message.h"
#include "pipeline/flow_keys.h"
#include "pipeline/storage_type.h"
#include "pipeline/write_plan.h"

namespace dls::pipeline {

namespace {

namespace fs = std::filesystem;

/// A fresh directory under the system temp dir, removed with everything in it on destruction.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "dls-check-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw Error("cannot create a temporary directory");
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

/// `message` without a leading "entity '<id>': " or "entity '<id>', " (the diagnostic names the
/// entity itself).
std::string without_entity(const std::string& message, const std::string& entity_id) {
  for (const char* after : {"': ", "', "}) {
    const std::string prefix = "entity '" + entity_id + after;
    if (message.rfind(prefix, 0) == 0) return message.substr(prefix.size());
  }
  return message;
}

Diagnostic error_of(const DeltaLiveEntity& e, const std::string& field,
                    const std::string& message) {
  return {Severity::kError, e.entity_id, field, without_entity(message, e.entity_id), std::nullopt};
}

Diagnostic warning_of(const DeltaLiveEntity& e, const std::string& field,
                      const std::string& message) {
  return {Severity::kWarning, e.entity_id, field, without_entity(message, e.entity_id),
          std::nullopt};
}

/// The field a source's complaint is about: its read options, else its source.
std::string source_field(const std::string& message) {
  return message.find("read option") != std::string::npos ? "read_options" : "source";
}

/// An empty relation with the columns of the declared `source_schema` (DuckDB types as the
/// transform casts to) and the source's hidden `_metadata` struct when it has one (as file
/// sources build it), or nullopt when it has none or does not parse (validation reports that).
std::optional<std::string> declared_input(const DeltaLiveEntity& e,
                                          const std::vector<std::string>& hidden) {
  if (!e.source_schema || e.source_schema->find_first_not_of(" \t\r\n") == std::string::npos) {
    return std::nullopt;
  }
  try {
    std::string select;
    for (const auto& c : sql::spark::parse_ddl_schema(*e.source_schema)) {
      select += (select.empty() ? "" : ", ") + std::string("CAST(NULL AS ") +
                storage_duckdb_type(c.spark_type) + ") AS " + sql::quote_identifier(c.name);
    }
    if (select.empty()) return std::nullopt;
    if (std::find(hidden.begin(), hidden.end(), "_metadata") != hidden.end()) {
      select +=
          ", struct_pack(file_path := ''::VARCHAR, file_name := ''::VARCHAR, file_size := "
          "0::BIGINT, file_block_start := 0::BIGINT, file_block_length := 0::BIGINT, "
          "file_modification_time := make_timestamptz(0)) AS _metadata";
    }
    return "SELECT " + select + " WHERE false";
  } catch (const Error&) {
    return std::nullopt;
  }
}

/// Copies the persisted state of a flow's source (inferred schemas) into `to`, so that the
/// check infers as the next update would, without touching the real state.
void copy_state(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::create_directories(to, ec);
  if (fs::exists(from, ec)) fs::copy(from, to, fs::copy_options::recursive, ec);
}

/// Binds the apply_changes expressions (sequence_by, where, apply_as_deletes,
/// apply_as_truncates) on `rows`, the change events after the transform, as the merge reads them.
void bind_apply_changes(sql::Connection& con, const DeltaLiveEntity& e, const std::string& rows,
                        Diagnostics& out) {
  if (!e.apply_changes) return;
  const ApplyChanges& ac = *e.apply_changes;
  const std::pair<const char*, std::optional<std::string>> fields[] = {
      {"sequence_by", ac.sequence_by},
      {"where", ac.where},
      {"apply_as_deletes", ac.apply_as_deletes},
      {"apply_as_truncates", ac.apply_as_truncates}};
  std::vector<std::string> columns;
  for (const auto& [name, text] : fields) {
    if (!text || text->find_first_not_of(" \t\r\n") == std::string::npos) continue;
    const std::string field = std::string("apply_changes.") + name;
    try {
      const std::string duck = sql::spark::translate_expression(*text);
      con.query("DESCRIBE SELECT " + duck + " FROM (" + rows + ") AS __dls_rows");
    } catch (const sql::SqlError& x) {
      if (columns.empty()) {
        for (const auto& row : con.query("DESCRIBE " + rows).rows()) {
          columns.push_back(row.at(0).as_string());
        }
      }
      out.push_back(error_of(
          e, field,
          "`" + *text + "`: " + describe_engine_problem(explain_engine_error(x.what()), columns) +
              ". Fix the expression (Spark SQL over the dataset's columns)"));
    } catch (const Error& x) {
      out.push_back(error_of(e, field, "`" + *text + "`: " + x.what()));
    }
  }
}

}  // namespace

PipelineCheck check_pipeline(const catalog::Warehouse& warehouse,
                             const std::vector<DeltaLiveEntity>& entities,
                             const PipelineCheckOptions& options) {
  PipelineCheck check;
  for (const auto& e : entities) {
    for (auto& d : validate(e)) check.diagnostics.push_back(std::move(d));
  }
  Diagnostics graph_problems;
  std::optional<PipelineGraph> graph =
      PipelineGraph::check(entities, options.target.catalog, options.target.schema, graph_problems);
  check.diagnostics.insert(check.diagnostics.end(), graph_problems.begin(), graph_problems.end());
  // With graph problems, the rest is checked on the entities they do not name: each round leaves
  // out the entities a problem names (a duplicate's second writer, a cycle's first member, ...)
  // until a graph can be built. Problems of later rounds follow from the first ones (a reader of
  // a left-out entity has no upstream) and are not reported.
  std::vector<DeltaLiveEntity> remaining = entities;
  for (Diagnostics round = graph_problems; !graph && !remaining.empty();) {
    std::set<std::string> named;
    for (const auto& d : round) {
      if (d.is_error()) named.insert(d.entity_id);
    }
    const size_t before = remaining.size();
    std::erase_if(remaining, [&](const DeltaLiveEntity& e) { return named.count(e.entity_id); });
    if (remaining.size() == before) break;
    round.clear();
    graph = PipelineGraph::check(remaining, options.target.catalog, options.target.schema, round);
  }
  if (!graph) return check;

  PipelineOptions run_options;
  run_options.pipeline = options.pipeline;
  run_options.target = options.target;
  try {
    for (auto& d : write_target_problems(warehouse, *graph, run_options)) {
      check.diagnostics.push_back(std::move(d));
    }
  } catch (const Error& e) {
    check.diagnostics.push_back({Severity::kError, "", "destination", e.what(), std::nullopt});
  }

  const SourceFactory factory =
      options.source_factory ? options.source_factory : default_source_factory();
  const PipelineState state(warehouse.pipeline_dir(options.pipeline));
  ScratchDir scratch;
  sql::Database db("", {});
  sql::Connection con(db);
  con.execute("SET TimeZone = 'UTC'");

  // qualified name -> the TEMP table holding the checked schema of that dataset's rows (no rows).
  std::map<std::string, std::string> checked;
  const std::vector<std::string> keys = flow_keys(*graph, state);
  size_t n = 0;
  for (const DatasetNode& node : graph->datasets()) {
    const std::string& key = keys[n];
    const DeltaLiveEntity& e = node.entity;
    CompiledDataset out;
    out.name = node.name;
    out.qualified_name = node.qualified_name;
    out.entity_id = e.entity_id;
    out.kind = node.kind;
    out.upstream = node.upstream;
    const std::string table = "__dls_input_" + std::to_string(n++);

    std::optional<DatasetTransform> transform;
    std::optional<ExpectationSet> expectations;
    try {
      transform = DatasetTransform::compile(e);
    } catch (const InvalidMetadataError& x) {
      check.diagnostics.push_back(error_of(e, "select_expr", x.what()));
    }
    try {
      expectations = ExpectationSet::compile(e);
    } catch (const InvalidMetadataError& x) {
      check.diagnostics.push_back(error_of(e, "expectations", x.what()));
    }

    // The input: an upstream dataset's checked rows, else the source as `dls run` reads it.
    std::optional<std::string> input;
    std::vector<std::string> hidden;
    bool source_failed = false;  // an error about the source was reported
    if (!node.upstream.empty()) {
      const std::string& up = node.upstream.front();
      out.input = "dataset " + up;
      if (auto it = checked.find(up); it != checked.end()) {
        std::string reads = up;
        try {
          reads = catalog::parse_table_name(e.source, options.target).to_string();
        } catch (const Error&) {
        }
        // A reader of the quarantine table sees its `_errors` column too.
        input =
            "SELECT *" +
            std::string(reads == up + "_invalid" ? ", CAST(NULL AS VARCHAR[]) AS _errors" : "") +
            " FROM " + sql::quote_identifier(it->second);
      }
    } else {
      SourceContext context;
      context.state_dir = scratch.path() / std::to_string(n);
      copy_state(state.source_state_dir(key), context.state_dir);
      context.resolve_table = [&warehouse, ns = options.target](const std::string& name) {
        return warehouse.resolve(name, ns).root;
      };
      context.view_sql = [](const std::string&) { return std::optional<std::string>(); };
      try {
        std::unique_ptr<Source> source = factory(e, context);
        out.input = source->describe();
        hidden = source->hidden_columns();
        if ((node.kind == DatasetKind::kStreamingTable || node.kind == DatasetKind::kSink) &&
            !node.once) {
          if (auto planned = source->plan(nullptr)) input = source->batch(con, *planned).sql;
        } else {
          input = source->full_sql(con);
        }
      } catch (const InvalidMetadataError& x) {
        check.diagnostics.push_back(error_of(e, source_field(x.what()), x.what()));
        source_failed = true;
      } catch (const Error& x) {
        check.diagnostics.push_back(warning_of(
            e, "source", std::string("its input cannot be read yet (") + x.what() + ")"));
      }
      if (!input) input = declared_input(e, hidden);
    }
    if (!input) {
      if (transform && expectations && !source_failed) {
        check.diagnostics.push_back(warning_of(
            e, "source",
            "select_expr and expectations were not bound: the input schema is unknown (no input "
            "files or table yet, no source_schema, or its upstream did not bind)"));
      }
      check.datasets.push_back(std::move(out));
      continue;
    }
    if (!transform || !expectations) {
      check.datasets.push_back(std::move(out));
      continue;
    }
    try {
      const std::string rows = transform->apply(con, *input, hidden);
      try {
        expectations->check_binds(con, rows);
      } catch (const InvalidMetadataError& x) {
        check.diagnostics.push_back(error_of(e, "expectations", x.what()));
        check.datasets.push_back(std::move(out));
        continue;
      }
      bind_apply_changes(con, e, rows, check.diagnostics);
      out.duckdb_sql = expectations->empty() ? rows : expectations->annotate_sql(rows);
      std::string columns;
      for (const auto& row : con.query("DESCRIBE " + rows).rows()) {
        out.columns.emplace_back(row.at(0).as_string(), row.at(1).as_string());
        columns += (columns.empty() ? "" : ", ") + sql::quote_identifier(row.at(0).as_string()) +
                   " " + row.at(1).as_string();
      }
      con.execute("CREATE TEMP TABLE " + sql::quote_identifier(table) + " (" + columns + ")");
      checked[node.qualified_name] = table;
    } catch (const InvalidMetadataError& x) {
      check.diagnostics.push_back(error_of(e, "select_expr", x.what()));
    } catch (const Error& x) {
      check.diagnostics.push_back(error_of(e, "source", x.what()));
    }
    check.datasets.push_back(std::move(out));
  }
  return check;
}

}  // namespace dls::pipeline

// The checks of a pipeline without running it (`dls validate`, `dls compile`, issue 14): every
// problem `dls run` would find before it writes anything, all of them listed rather than the
// first, and the DuckDB SQL each dataset runs.
//
// What check_pipeline() checks, over the entities of one pipeline:
//   * each entity on its own (core/validation.h: required fields, read option names, the Spark SQL
//     of select_expr, expectations and apply_changes parsed);
//   * the graph (pipeline_graph.h, PipelineGraph::check): valid destinations, two entities writing
//     one destination, `dlt` sources without an upstream dataset, apply_changes specs, cycles;
//   * the write plan (table ownership, table_ownership.h): tables of other pipelines, control
//     tables, reserved names — the messages `dls run` refuses them with;
//   * binding, dataset by dataset in topological order: the source is made as `dls run` makes it
//     (read option values are checked then) and its input schema found without reading rows —
//     an existing Delta table's schema, a file source's schema as DuckDB infers it from a sample
//     of its files, else the declared source_schema; an upstream dataset of the pipeline has the
//     schema its own checked query produces. select_expr and the expectation rules are then bound
//     against it (errors in the user's terms: which item or rule, which column is missing).
//     A dataset whose input schema cannot be known (no files yet, no table yet, no source_schema)
//     is not bound, with a warning.
// Nothing is written: no table, no pipeline state (file sources infer their schema in a temporary
// directory, removed afterwards), no event log. Thread-safe for distinct calls.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dls/catalog/warehouse.h"
#include "dls/core/diagnostic.h"
#include "dls/core/entity.h"
#include "dls/pipeline/pipeline_graph.h"
#include "dls/pipeline/pipeline_runner.h"

namespace dls::pipeline {

struct PipelineCheckOptions {
  /// The pipeline's name (owner of its tables; where its state is read from).
  std::string pipeline = "default";
  /// Where bare destinations resolve.
  catalog::Namespace target{"main", "default"};
  /// Creates the sources; default_source_factory() when empty.
  SourceFactory source_factory;
};

/// One dataset as the pipeline would run it.
struct CompiledDataset {
  std::string name;            // destination as written
  std::string qualified_name;  // catalog.schema.table
  std::string entity_id;
  DatasetKind kind = DatasetKind::kStreamingTable;
  std::vector<std::string> upstream;  // qualified names of the pipeline datasets it reads
  /// What it reads: the source's description, or "dataset <qualified name>".
  std::string input;
  /// The DuckDB SELECT producing its rows (source, source_schema, select_expr, one
  /// `__dls_ok_<i>` column per expectation rule), nullopt when its input schema is unknown or
  /// it did not bind. The input of a dataset reading an upstream dataset is that dataset's table
  /// (or, for a view, its query), shown as `__dls_input_<n>`.
  std::optional<std::string> duckdb_sql;
  /// Its output columns (name, DuckDB type) when it bound.
  std::vector<std::pair<std::string, std::string>> columns;
};

struct PipelineCheck {
  Diagnostics diagnostics;                // errors and warnings, entity by entity, then the graph
  std::vector<CompiledDataset> datasets;  // topological order; empty when the graph is invalid
  bool has_errors() const { return dls::has_errors(diagnostics); }
};

/// Runs every check on `entities` (the pipeline's selection). Throws only for problems of the
/// whole call (an invalid target): everything about the entities is a diagnostic.
PipelineCheck check_pipeline(const catalog::Warehouse& warehouse,
                             const std::vector<DeltaLiveEntity>& entities,
                             const PipelineCheckOptions& options);

}  // namespace dls::pipeline

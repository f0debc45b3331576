// The views of one update (destination_type view): not persisted; each is computed at most once
// per update, when the first reader asks for it, into an in-memory DuckDB table shared by every
// connection of the update's Database. Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "dls/catalog/table_name.h"
#include "dls/pipeline/pipeline_runner.h"
#include "dls/sql/database.h"

namespace dls::pipeline {

class ViewRegistry {
 public:
  using ContextFor = std::function<SourceContext(const DatasetNode&)>;
  /// `context_for` gives a node's SourceContext except view_sql, which the registry adds.
  ViewRegistry(sql::Database& db, const PipelineGraph& graph, catalog::Namespace target,
               SourceFactory factory, ContextFor context_for);
  ViewRegistry(const ViewRegistry&) = delete;
  ViewRegistry& operator=(const ViewRegistry&) = delete;

  /// For a name (bare, schema.table or qualified) of a view of the pipeline: a SELECT of its rows
  /// (computing them on first use; errors name the view). nullopt for any other name.
  std::optional<std::string> view_sql(const std::string& name);

  /// A fingerprint of the node's input and definition, following upstream views: equal
  /// fingerprints mean equal results (for materialized views reading views).
  std::string fingerprint(const DatasetNode& node);

  bool is_view(const std::string& qualified) const { return views_.count(qualified) > 0; }

  /// Counts of a computed view (nullopt when no reader asked for it).
  std::optional<EvaluatedBatch> evaluation(const std::string& qualified) const;

 private:
  SourceContext context_of(const DatasetNode& node);
  struct Entry {
    const DatasetNode* node = nullptr;
    size_t index = 0;
    std::mutex mutex;
    bool done = false;
    std::optional<std::string> error;
    std::optional<EvaluatedBatch> evaluation;
  };
  sql::Database& db_;
  const PipelineGraph& graph_;
  catalog::Namespace target_;
  SourceFactory factory_;
  ContextFor context_for_;
  std::map<std::string, std::unique_ptr<Entry>> views_;
  mutable std::mutex counts_mutex_;
};

}  // namespace dls::pipeline

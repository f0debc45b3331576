// Running one dataset of an update: the streaming-table, materialized-view and view flows
// (pipeline_runner.h states the semantics). Internal to the pipeline layer.
#pragma once

#include <functional>
#include <string>

#include "dls/catalog/warehouse.h"
#include "dls/pipeline/dataset_transform.h"
#include "dls/pipeline/event_log.h"
#include "dls/pipeline/expectations.h"
#include "dls/pipeline/pipeline_runner.h"
#include "dls/pipeline/pipeline_state.h"
#include "dls/sql/connection.h"

namespace dls::pipeline {

class ViewRegistry;

struct FlowEnvironment {
  const DatasetNode& node;
  const catalog::Warehouse& warehouse;
  const PipelineOptions& options;
  PipelineState& state;
  ViewRegistry& views;
  SourceContext source_context;
  bool full_refresh = false;
  std::string temp_prefix;   // unique per dataset: names of TEMP tables on the connection
  std::string flow_key;      // the flow's checkpoint/state/txn name (flow_keys.h)
  bool clears_table = true;  // a full refresh clears the table (its first flow; others reset)
  /// Called after each committed batch of a streaming flow with the dataset's totals so far.
  std::function<void(const DatasetUpdate&)> batch_committed;
};

/// The dataset's rows transformed and checked, held in a TEMP table. Throws DataQualityError when
/// an expect_all_or_fail rule failed (nothing is written then).
struct ProcessedRows {
  std::string table;
  EvaluatedBatch evaluation;
};
ProcessedRows process_rows(sql::Connection& con, const DatasetTransform& transform,
                           const ExpectationSet& expectations, const std::string& source_sql,
                           const std::string& temp_table, const std::string& dataset,
                           const std::vector<std::string>& hidden_columns);

/// Runs the dataset; fills `result` (status, counts, error). Never throws: a failure is
/// result.status == kFailed with the error and its exit code.
void run_dataset(sql::Connection& con, FlowEnvironment& env, DatasetUpdate& result);

/// For an entity with apply_changes: primary_keys given, a streaming table, and a valid spec
/// (validate_apply_changes). Throws InvalidMetadataError naming the entity. No-op without
/// apply_changes.
void check_apply_changes(const DeltaLiveEntity& entity, DatasetKind kind);

/// The txn appId of a flow: "<pipeline>/<flow>".
std::string flow_app_id(const std::string& pipeline, const std::string& flow);

}  // namespace dls::pipeline

// The outcome of one pipeline update (`dls run`): per dataset what ran, how many rows went where,
// the expectation counts and, for failures, why — the data behind the end-of-run summary and the
// event log.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dls/core/error.h"
#include "dls/pipeline/expectations.h"
#include "dls/pipeline/pipeline_graph.h"

namespace dls::pipeline {

enum class DatasetStatus {
  kCompleted,    // ran; new data was committed (or, for a view, it is defined for its readers)
  kUpToDate,     // nothing to do: no new input (streaming) or unchanged input (materialized view)
  kFailed,       // an error or an expect_all_or_fail rule; nothing of the failing batch committed
  kSkipped,      // not run because an upstream dataset failed (or was skipped)
  kFullRefresh,  // its table and checkpoints were cleared and all available input reprocessed
};

/// "COMPLETED", "UP_TO_DATE", "FAILED", "SKIPPED", "FULL_REFRESH".
std::string to_string(DatasetStatus status);

struct DatasetUpdate {
  std::string name;  // qualified catalog.schema.table
  std::string entity_id;
  std::string flow_name;  // the flow writing `name` (the entity's flow_name, else its entity_id)
  bool shared = false;    // `name` is written by several flows (append flows / once flows)
  bool once = false;      // a once flow; UP_TO_DATE when it had already run

  DatasetKind kind = DatasetKind::kStreamingTable;
  DatasetStatus status = DatasetStatus::kSkipped;
  int64_t num_batches = 0;                       // streaming: batches committed by this update
  int64_t num_input_rows = 0;                    // rows read from the source (after the transform)
  int64_t num_input_files = 0;                   // file sources: files read by this update
  int64_t num_input_bytes = 0;                   // file sources: their bytes
  std::optional<int64_t> backlog_files;          // streaming file sources: files left for later
  std::optional<int64_t> backlog_bytes;          // batches (maxFilesPerTrigger ...), and bytes
  int64_t num_output_rows = 0;                   // rows written to the destination
                                                 // (apply_changes: upserted + deleted)
  int64_t dropped_records = 0;                   // rows removed by expect_all_or_drop
  int64_t quarantined_rows = 0;                  // rows written to <destination>_invalid
  std::vector<ExpectationMetrics> expectations;  // per rule, summed over batches
  bool apply_changes = false;                    // a CDC flow (the two counts below apply)
  int64_t num_upserted_rows = 0;                 // apply_changes: target rows inserted/changed
  int64_t num_deleted_rows = 0;                  // apply_changes: keys deleted / versions closed
  int64_t num_tombstones_removed = 0;            // apply_changes: expired tombstones cleaned
  bool full_refresh = false;                     // the table was cleared (status FULL_REFRESH)
  std::optional<int64_t> rows_before;            // full refresh: the table's rows before ...
  std::optional<int64_t> rows_after;             // ... and after the update
  std::optional<int64_t> version_before;         // full refresh: the table's version before
  std::vector<std::string> warnings;             // e.g. a full refresh that emptied a table
  std::optional<std::string> error;              // failed: the error; skipped: the reason
  ExitCode error_code = ExitCode::kOk;           // failed: the error's exit code
  int64_t duration_ms = 0;
  /// The sum over rules of failed_records (a row failing two rules counts twice).
  int64_t failed_expectation_records() const;
};

struct PipelineUpdate {
  std::string pipeline;
  std::string update_id;
  std::string target;                   // catalog.schema
  std::vector<DatasetUpdate> datasets;  // in graph (topological) order
  int64_t duration_ms = 0;
  /// The update was cancelled (PipelineOptions::cancelled said so): datasets not started are
  /// SKIPPED, and the event log ends the update CANCELED.
  bool cancelled = false;

  bool ok() const;
  /// kCancelled when cancelled; kOk when every dataset completed or was up to date; kDataQuality
  /// when an expect_all_or_fail rule failed anywhere; else kFailure.
  ExitCode exit_code() const;
  /// One line per failed or skipped dataset ("main.default.silver: FAILED: ..."); "" when ok().
  std::string failure_summary() const;
  const DatasetUpdate* find(const std::string& qualified_name) const;
};

}  // namespace dls::pipeline

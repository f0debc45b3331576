// The pipeline event log (DESIGN §7): a Delta table per pipeline at
// <warehouse>/_pipelines/<pipeline>/event_log with DLT-like events, queryable with `dls events`
// and with SQL (`dls query "SELECT * FROM delta_scan('<warehouse>/_pipelines/P/event_log')"`).
//
// Columns (as DLT's event log, simplified):
//   id          STRING     unique id of the event
//   sequence    BIGINT     order of the event within its update (0, 1, ...)
//   origin      STRUCT<pipeline_name, update_id, flow_name, dataset_name: STRING>
//   timestamp   TIMESTAMP  when it happened (UTC)
//   level       STRING     INFO, WARN, ERROR or METRICS
//   message     STRING     human-readable
//   event_type  STRING     create_update, update_progress, flow_progress
//   details     STRING     JSON, keyed by event_type as in DLT:
//       {"create_update": {"cause", "full_refresh", "full_refresh_selection", "target"}}
//       {"update_progress": {"state": STARTING|RUNNING|COMPLETED|FAILED}}
//       {"flow_progress": {"status": RUNNING|COMPLETED|FAILED|SKIPPED,
//                          "metrics": {"num_output_rows", "num_input_rows", "dropped_records",
//                                      "num_quarantined_rows", "num_batches"; apply_changes
//                                      flows also "num_upserted_rows", "num_deleted_rows",
//                                      "num_tombstones_removed"},
//                          "data_quality": {"dropped_records", "expectations": [{"name",
//                                      "dataset", "action", "passed_records", "failed_records"}]},
//                          "up_to_date": bool}}
//   and, on failures, an "error": {"message", "exit_code"} member in details.
//
// record() is thread-safe and only buffers; flush() appends the buffered events as one Delta
// commit (so a crash loses at most the events since the last flush, never corrupts the log).
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dls/delta/schema.h"
#include "dls/sql/connection.h"

namespace dls::pipeline {

struct PipelineEvent {
  std::string level = "INFO";
  std::string event_type;
  std::string message;
  std::string flow_name;     // "" = NULL
  std::string dataset_name;  // "" = NULL
  nlohmann::json details = nlohmann::json::object();
  // Filled by EventLog::record:
  std::string id;
  int64_t sequence = 0;
  int64_t timestamp_ms = 0;
};

class EventLog {
 public:
  EventLog(std::filesystem::path table_root, std::string pipeline, std::string update_id);

  /// Stamps (id, sequence, timestamp) and buffers the event. Thread-safe.
  void record(PipelineEvent event);
  /// Appends the buffered events (creating the table on first use). Thread-safe. Throws the
  /// Delta layer's errors; the buffered events are kept for a later flush then.
  void flush(sql::Connection& con);
  /// Milliseconds since the last successful flush (or construction).
  int64_t ms_since_flush() const;

  const std::filesystem::path& root() const { return root_; }
  /// The table's schema.
  static delta::Schema schema();

 private:
  std::filesystem::path root_;
  std::string pipeline_;
  std::string update_id_;
  mutable std::mutex mutex_;
  std::vector<PipelineEvent> pending_;
  int64_t next_sequence_ = 0;
  int64_t last_flush_ms_ = 0;
};

/// A random RFC 4122 version-4 UUID (for update and event ids).
std::string random_id();
/// Milliseconds since the epoch.
int64_t now_ms();

}  // namespace dls::pipeline

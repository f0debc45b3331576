// A sink writer: where a sink's flow (destination_type sink, Databricks' `create_sink`) puts the
// rows of each batch. Internal to the pipeline layer; dataset_flow.cpp's run_sink drives it the
// way run_streaming drives a streaming table:
//
//   1. the flow plans a batch from its source and records it in its write-ahead offsets log;
//   2. it asks has_committed(app_id, batch): a batch the sink already holds is not written again;
//   3. else it calls write(con, sql, app_id, batch) with the batch's rows.
//
// The delivery guarantee is the writer's: the Delta writer commits the rows with a txn action
// (appId, version = batch) in the same commit, so has_committed is exact and a batch is written
// exactly once, kill -9 included; a writer that cannot commit atomically with its record (Kafka)
// records the batch after the write succeeded, so a process killed in between writes the batch
// again (at least once).
//
// A writer belongs to one flow of one update and is used by one thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "dls/catalog/warehouse.h"
#include "dls/core/entity.h"
#include "dls/sql/connection.h"

namespace dls::pipeline {

/// What a writer is made from: the sink's entity (sink_format, sink_options), where names and
/// paths resolve, and the flow's checkpoint directory (a writer may keep its own records there;
/// a full refresh of the flow removes it).
struct SinkContext {
  const DeltaLiveEntity& entity;
  const catalog::Warehouse& warehouse;
  catalog::Namespace target;             // the pipeline's catalog.schema (bare tableName)
  std::filesystem::path checkpoint_dir;  // the flow's checkpoint directory
  std::string pipeline;                  // the pipeline's name
};

class SinkWriter {
 public:
  virtual ~SinkWriter() = default;

  /// Where the rows go, for messages and the event log ("delta table /abs/path",
  /// "kafka topic orders at broker:9092").
  virtual std::string describe() const = 0;

  /// Whether batch `batch` of the flow `app_id` (flow_app_id) is in the sink already.
  virtual bool has_committed(const std::string& app_id, int64_t batch) = 0;

  /// The batch number after the last one `app_id` committed to the sink (0 for none), so that a
  /// batch number is never reused for the same appId (after a full refresh of the flow too).
  virtual int64_t next_batch(const std::string& app_id) = 0;

  /// Writes the rows of `select_sql` (a query on `con`) as batch `batch` of `app_id`; returns the
  /// number of rows written. Throws dls::Error when the sink refuses them; nothing of the batch is
  /// recorded as committed then.
  virtual int64_t write(sql::Connection& con, const std::string& select_sql,
                        const std::string& app_id, int64_t batch) = 0;

  /// The rows the sink holds, when the writer can tell (Delta); nullopt otherwise (Kafka).
  virtual std::optional<int64_t> row_count(sql::Connection& con) const = 0;
};

/// The value of the sink option `key` (names compare case-insensitively, as Spark reads option
/// names), or nullopt.
std::optional<std::string> sink_option(const DeltaLiveEntity& entity, std::string_view key);

/// The writer for `context.entity`'s sink_format. Throws InvalidMetadataError for a sink whose
/// options cannot be resolved (e.g. an unsafe tableName) and dls::Error for a format without a
/// writer.
std::unique_ptr<SinkWriter> make_sink_writer(const SinkContext& context);

}  // namespace dls::pipeline

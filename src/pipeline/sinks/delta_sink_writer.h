// The Delta sink (sink_format delta): each batch is appended to a Delta table outside the
// pipeline's datasets, exactly once. Internal to the pipeline layer; see sink_writer.h.
#pragma once

#include <filesystem>

#include "pipeline/sinks/sink_writer.h"

namespace dls::pipeline {

/// Where a delta sink writes: sink_options `path` (a directory; absolute, or relative to the
/// current directory as every path dls is given, catalog/warehouse.h) or `tableName` (resolved by
/// the warehouse like every table name, a bare name in `target`). Option names compare
/// case-insensitively. Throws InvalidMetadataError naming the entity when neither (or both) is
/// given or the name is unsafe.
catalog::TableLocation delta_sink_location(const DeltaLiveEntity& entity,
                                           const catalog::Warehouse& warehouse,
                                           const catalog::Namespace& target);

/// Appends each batch to the Delta table at delta_sink_location(): the table is created by the
/// first batch with the batch's schema (later batches add new columns), and each append commits
/// the rows with the txn action (appId, version = batch) and operation STREAMING UPDATE, so
/// has_committed() reads the table's txn and a batch is never written twice. The table records
/// no owner: a sink is not a dataset of the pipeline.
class DeltaSinkWriter : public SinkWriter {
 public:
  explicit DeltaSinkWriter(const SinkContext& context);

  std::string describe() const override;
  bool has_committed(const std::string& app_id, int64_t batch) override;
  int64_t next_batch(const std::string& app_id) override;
  int64_t write(sql::Connection& con, const std::string& select_sql, const std::string& app_id,
                int64_t batch) override;
  std::optional<int64_t> row_count(sql::Connection& con) const override;

  const std::filesystem::path& root() const { return location_.root; }

 private:
  const DeltaLiveEntity& entity_;
  catalog::TableLocation location_;
};

}  // namespace dls::pipeline

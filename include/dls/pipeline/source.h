// Sources (DESIGN §7): where a flow's input rows come from. A source turns the entity's
// `source`/`source_format`/`read_options` into DuckDB SQL, and — for streaming reads — into
// incremental batches described by JSON offsets that are written to the write-ahead offsets log
// before the batch is processed, so a re-run of a planned batch reads exactly the same rows.
//
// Offsets are opaque JSON owned by each source (e.g. cloudFiles: the list of files in the batch
// plus the files already seen; delta/dlt: the table version range).
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dls/core/entity.h"
#include "dls/sql/connection.h"

namespace dls::pipeline {

/// What a source may use from the pipeline.
struct SourceContext {
  /// Directory for this flow's persistent source state (inferred schema and its versions).
  std::filesystem::path state_dir;
  /// Resolves a table name (catalog.schema.table, schema.table, bare name in the target, or a path)
  /// to a Delta table root. Throws for unsafe names.
  std::function<std::filesystem::path(const std::string&)> resolve_table;
  /// When the entity reads a pipeline view (destination_type view): its SQL, else nullopt.
  std::function<std::optional<std::string>(const std::string&)> view_sql;
};

/// One planned batch of input.
struct SourceBatch {
  nlohmann::json offsets;   // written to the offsets log; plan(offsets) continues after it
  std::string sql;          // SELECT over exactly this batch's rows
  int64_t input_files = 0;  // for metrics (0 when not file-based)
  int64_t input_bytes = 0;
};

class Source {
 public:
  virtual ~Source() = default;

  /// Streaming: the next batch after `committed` (null on the first run), or nullopt when there is
  /// no new input. Must not change any state; the caller logs the offsets, then calls batch_sql.
  virtual std::optional<nlohmann::json> plan(const nlohmann::json& committed) = 0;
  /// Streaming: the SELECT for a planned batch (the same rows every time it is called with the
  /// same offsets). May create TEMP objects in `con`.
  virtual SourceBatch batch(sql::Connection& con, const nlohmann::json& planned) = 0;

  /// Batch (materialized views): a fingerprint of the whole current input — unchanged fingerprint
  /// means the view need not be recomputed — and the SELECT over all of it.
  virtual std::string fingerprint() = 0;
  virtual std::string full_sql(sql::Connection& con) = 0;

  /// Streaming: the input the last plan() left for later batches (maxFilesPerTrigger,
  /// maxBytesPerTrigger), as Auto Loader's backlog metrics; nullopt when the source cannot tell.
  struct Backlog {
    int64_t files = 0;
    int64_t bytes = 0;
  };
  virtual std::optional<Backlog> backlog() const { return std::nullopt; }

  /// Columns the source adds beyond the data (e.g. _rescued_data), for documentation/graph output.
  virtual std::string describe() const = 0;

  /// Columns the SQL of batch()/full_sql() carries that are hidden as in Spark: readable by name in
  /// select_expr but not part of `*` and not to be written to the target (file sources: the
  /// `_metadata` struct, present only when select_expr/expectations mention `_metadata` or
  /// input_file_name()). Callers expand `*` as `* EXCLUDE (<these>)`.
  virtual std::vector<std::string> hidden_columns() const { return {}; }
};

/// The source for `entity` (cloudFiles, csv, json, parquet, avro, text, orc, delta, dlt, kafka). Throws
/// InvalidMetadataError for bad options and an Error saying "not supported by the local engine"
/// for formats it cannot read (orc).
std::unique_ptr<Source> make_source(const DeltaLiveEntity& entity, const SourceContext& context);

}  // namespace dls::pipeline

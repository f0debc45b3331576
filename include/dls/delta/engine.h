// The engine: the one interface through which the delta layer reads and writes the Parquet files
// of the Delta log, as delta-kernel-rs's Engine supplies its kernel with I/O. The protocol logic
// (which checkpoint to read, which actions a checkpoint holds, tombstone expiry, publishing a file
// atomically) stays in the delta layer; an Engine only moves actions between memory and Parquet.
// duckdb_engine() is the implementation, over the delta layer's own in-memory DuckDB database;
// tests substitute their own (e.g. one that records calls) through Snapshot::load.
//
// What the delta layer's I/O goes through:
// - Parquet files of the log (checkpoints, classic and multi-part; v2 checkpoints' sidecars):
//   this interface.
// - The file system (listing _delta_log, reading commits, atomic and exclusive writes, fsyncs,
//   locks, deletions): Storage (storage.h).
// - JSON (commit files, _last_checkpoint, v2 checkpoint JSON files): the delta layer's own codec
//   (action.h over nlohmann::json), no engine involved.
// - Deletion vector files: bytes through Storage, decoded with CRoaring (deletion_vector.h).
// Not covered: the data plane, which runs on the caller's sql::Connection because it carries the
// user's query or rows. The rows of data files are read by the SELECT a TableScan returns and
// written by DataWriter's COPY; the reads that go with them — TableScan's DESCRIBE of the files,
// the stats collector's parquet_metadata footer read, delete_where's per-file counts, the SQL
// keyed_scan and row_level_write build over log stats and row addresses — stay SQL there too.
//
// Paths are absolute local paths, as in Storage. Every Engine is safe to call from several threads
// at once.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dls/delta/action.h"

namespace dls::delta {

class Engine {
 public:
  virtual ~Engine() = default;

  /// Reads the actions stored in Parquet files in the checkpoint schema (PROTOCOL.md "Checkpoint
  /// Schema"): the parts of one multi-part checkpoint or the sidecars of one v2 checkpoint, read
  /// as one table whose columns are unified by name. Reads only the top-level action columns named
  /// in `columns` ("add", "remove", "protocol", "metaData", "txn", "domainMetadata", "sidecar");
  /// a named column the files lack is skipped. Returns one action per non-null cell, row by row
  /// (a sidecar as OtherAction of kind "sidecar"); a remove cell without a path (a struct of
  /// nulls) is no action. An add whose `stats` is null or absent gets its `stats_parsed` struct as
  /// its stats JSON. Throws CorruptTableError naming the file when a file is unreadable or holds
  /// an invalid action.
  virtual std::vector<Action> read_parquet_actions(const std::vector<std::string>& files,
                                                   const std::vector<std::string>& columns) = 0;

  /// The content of a Parquet file holding `actions`, one row per action, in the columns of the
  /// classic checkpoint schema (protocol, metaData, txn, add, remove, domainMetadata; partition
  /// values and tags as string maps, stats as a JSON string; no stats_parsed), in the given order.
  /// Writes nothing where a reader could see it: the caller publishes the bytes (with
  /// Storage::write_atomic). Throws UsageError for an action the checkpoint schema has no column
  /// for (commitInfo, cdc, ...), dls::Error when the engine fails.
  virtual std::string write_parquet_actions(const std::vector<Action>& actions) = 0;
};

/// The DuckDB engine: one process-wide object over one in-memory DuckDB database, created on first
/// use and kept until exit. Thread-safe.
std::shared_ptr<Engine> duckdb_engine();

}  // namespace dls::delta

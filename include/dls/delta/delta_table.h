// DeltaTable: the high-level API to create, write, inspect and maintain one Delta table.
// Data files are Parquet written by DuckDB; every write is one atomic commit (transaction.h) and
// leaves the table exactly as it was on failure (orphan data files may remain; vacuum removes
// them). A commit whose checkpoint failed still succeeds: CommitResult::checkpoint_error says why
// and the delta layer reports it as a warning (warnings.h, stderr by default).
//
// Reads (snapshot, history, describe) load the log on every call. append, overwrite, delete_where,
// optimize and restore start from the snapshot this object's previous commit of those produced in
// memory when no other commit happened since (checked with one stat of the latest commit file and
// one existence check of the next), else they load it; replace_rows loads its read version and the
// latest one, and does not update that in-memory snapshot. Snapshots are loaded with the default
// engine (duckdb_engine(), engine.h).
//
// Thread/process safety: any number of DeltaTable objects in any number of processes may write the
// same table; concurrent blind appends all succeed (and OPTIMIZE with appends), other conflicts
// throw CommitConflictError. One DeltaTable object may be used from several threads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dls/delta/schema.h"
#include "dls/delta/snapshot.h"
#include "dls/delta/transaction.h"
#include "dls/sql/connection.h"

namespace dls::delta {

struct CreateOptions {
  std::vector<std::string> partition_columns;
  std::map<std::string, std::string> properties;  // metaData.configuration
  std::optional<std::string> comment;             // metaData.description
  std::optional<std::string> name;
};

struct WriteOptions {
  /// Exactly-once: skip the write when (app_id, version) is already committed.
  std::optional<std::string> txn_app_id;
  std::optional<int64_t> txn_version;
  std::string operation = "WRITE";
  nlohmann::json operation_parameters = nlohmann::json::object();
  /// Target rows per data file (0 = one file per partition per write).
  int64_t target_file_rows = 0;
  /// overwrite() only: the version the caller read and computed the new rows from. The write is
  /// based on that version, so a commit made after it is a CommitConflictError (nothing written)
  /// instead of being silently replaced — the caller re-reads and retries (read-modify-write).
  /// Unset: overwrite whatever version is latest when the write starts.
  std::optional<int64_t> read_version;
};

/// A row-level change computed from the rows of one version (see DeltaTable::replace_rows).
struct RowChange {
  /// The version the change was computed from; the removed rows' addresses refer to its files.
  int64_t read_version = 0;
  /// A SELECT (or table name) of (__dls_file VARCHAR, __dls_row BIGINT): the addresses of the rows
  /// to remove, as TableScan with row addresses returned them at read_version. May be empty.
  std::string removed_rows_sql;
  /// A SELECT of the rows to add (matched to the schema by name, as append). Empty: none.
  std::string added_rows_sql;
  /// For the change data feed (tables with delta.enableChangeDataFeed=true): a removed row whose
  /// key columns equal an added row's is an update (update_preimage / update_postimage), other
  /// removed rows are deletes and other added rows inserts. Empty: rows removed and added with
  /// identical values cancel out, the others are deletes and inserts.
  std::vector<std::string> key_columns;
};

/// What a row-level change wrote, for metrics and tests.
struct RowChangeResult {
  CommitResult commit;
  int64_t deleted_rows = 0;
  int64_t added_rows = 0;
  int64_t copied_rows = 0;             // kept rows rewritten into new files (copy-on-write)
  int64_t deletion_vectors_added = 0;  // files that got a new deletion vector (merge-on-read)
  int64_t removed_files = 0;           // files removed whole (rewritten or emptied)
  int64_t added_files = 0;             // new data files
  int64_t change_data_rows = 0;        // rows written to _change_data files (change data feed)
};

/// One history entry (from commitInfo; fields absent when the writer did not record them).
struct HistoryEntry {
  int64_t version = 0;
  /// The commit's time as time travel sees it: the in-commit timestamp, else the commit file's
  /// modification time (strictly increasing over the log). VersionSpec{.timestamp_ms = this}
  /// selects this version.
  int64_t timestamp_ms = 0;
  std::optional<std::string> operation;
  nlohmann::json operation_parameters;
  nlohmann::json operation_metrics;
  nlohmann::json commit_info;
};

struct TableDescription {
  std::string location;
  int64_t version = 0;
  Schema schema;
  std::vector<std::string> partition_columns;
  std::map<std::string, std::string> properties;
  std::optional<std::string> description;
  std::string id;
  Protocol protocol;
  int64_t num_files = 0;
  int64_t size_bytes = 0;
  std::optional<int64_t> num_records;  // from stats, when every file has them
  int64_t created_time_ms = 0;
  int64_t last_modified_ms = 0;
};

struct VacuumResult {
  std::vector<std::string> files;  // deleted (or, on a dry run, to be deleted), relative paths
  int64_t bytes = 0;
  bool dry_run = false;
};

struct OptimizeOptions {
  /// DuckDB SQL over the partition columns only (as Delta's OPTIMIZE ... WHERE): only the files
  /// of matching partitions are compacted. Unset: every partition.
  std::optional<std::string> where;
  /// Files smaller than this are compacted, into files of about this size (bin-packing by file
  /// size). 0: the table property delta.targetFileSize, else 128 MiB.
  int64_t target_size_bytes = 0;
};

struct OptimizeResult {
  /// The OPTIMIZE commit; skipped=true (version unchanged, nothing written) when no partition
  /// had two small files or a file with a deletion vector.
  CommitResult commit;
  int64_t files_removed = 0;
  int64_t files_added = 0;
  int64_t bytes_removed = 0;
  int64_t bytes_added = 0;
  int64_t partitions_optimized = 0;
  int64_t deletion_vectors_purged = 0;  // files rewritten without their deletion vector
  int64_t target_size_bytes = 0;        // the bin size used
};

struct RestoreResult {
  /// The RESTORE commit; skipped=true (nothing written) when the table already has exactly the
  /// files and metadata of the restored version.
  CommitResult commit;
  int64_t restored_version = 0;
  int64_t files_added = 0;    // files of the restored version re-added
  int64_t files_removed = 0;  // active files not in the restored version
  int64_t bytes_added = 0;
  int64_t bytes_removed = 0;
};

class DeltaTable {
 public:
  /// Opens an existing table; throws TableNotFoundError.
  static DeltaTable open(const std::string& table_root,
                         std::shared_ptr<Storage> storage = local_storage());
  /// Creates an empty table at version 0. Throws dls::Error if a table already exists there.
  static DeltaTable create(const std::string& table_root, const Schema& schema,
                           const CreateOptions& options = {},
                           std::shared_ptr<Storage> storage = local_storage());
  static bool exists(const std::string& table_root,
                     std::shared_ptr<Storage> storage = local_storage());

  const std::string& root() const { return root_; }
  Snapshot snapshot(const VersionSpec& spec = {}) const;

  /// Throws UnsupportedFeatureError, naming the feature, when dls cannot append to the table as
  /// of `snap` (a writer feature or table property whose requirements it does not implement).
  /// Every write checks this itself; callers use it to refuse early, before planning any work.
  void check_appendable(const Snapshot& snap) const;

  /// Appends the rows of `select_sql` (run on `con`; its columns must match the table schema by
  /// name, missing nullable columns become NULL, extra columns are an error).
  CommitResult append(sql::Connection& con, const std::string& select_sql,
                      const WriteOptions& options = {});
  /// Replaces all rows with the rows of `select_sql` (removes every active file).
  CommitResult overwrite(sql::Connection& con, const std::string& select_sql,
                         const WriteOptions& options = {});
  /// Deletes the rows matching `predicate_sql` (DuckDB SQL over the table's columns) by rewriting
  /// the affected files (copy-on-write; it reads every active file to find the matches). Returns
  /// the commit (skipped=true and version unchanged when nothing matched). Refuses with
  /// UnsupportedFeatureError a table whose files have deletion vectors (run optimize first).
  CommitResult delete_where(sql::Connection& con, const std::string& predicate_sql,
                            const WriteOptions& options = {});

  /// Removes the rows at `change.removed_rows_sql` and adds the rows of `change.added_rows_sql`
  /// in one commit (a MERGE-style write that costs the change, not the table). Only the files
  /// holding removed rows are touched: with deletion vectors enabled (delta.enableDeletionVectors
  /// and the deletionVectors feature in the protocol) each gets a new deletion vector (merge-on-
  /// read, one DV file per commit); otherwise its kept rows are rewritten into new files and the
  /// old file is removed (copy-on-write). A file whose rows are all removed is removed whole.
  /// Based on read_version: any commit after it is a CommitConflictError (nothing written), so
  /// callers re-read and retry. Throws UsageError for an address not in an active file. With
  /// delta.enableChangeDataFeed=true the commit also carries `cdc` actions for _change_data files
  /// holding the removed and added rows with their _change_type (see RowChange::key_columns).
  RowChangeResult replace_rows(sql::Connection& con, const RowChange& change,
                               const WriteOptions& options = {});
  /// Whether replace_rows writes deletion vectors to this table as of `snap`.
  static bool writes_deletion_vectors(const Snapshot& snap);

  std::vector<HistoryEntry> history(std::optional<int64_t> limit = std::nullopt) const;
  TableDescription describe() const;
  /// Deletes data files that no version within the retention period needs: files removed from
  /// the table more than `retention_hours` ago, and orphan files (never committed, e.g. left by a
  /// failed write) older than that. Never deletes a file of the current snapshot, a file removed
  /// within the retention period, the deletion vector file of either, a file modified within it
  /// (a concurrent write may be about to commit it), or anything under a hidden path
  /// (`_delta_log` with checkpoints and sidecars, `_change_data`, names starting with '_' or '.').
  /// Refuses with UnsupportedFeatureError, deleting nothing, a table whose writer protocol uses
  /// a version or feature dls does not know (see vacuumProtocolCheck in PROTOCOL.md).
  /// Default retention: delta.deletedFileRetentionDuration or 7 days. A retention shorter than
  /// the table's setting is refused with UsageError unless `force` (it breaks time travel and can
  /// delete the files of a concurrent, not yet committed write). `dry_run` lists, deletes nothing.
  /// Vacuum writes no commit.
  VacuumResult vacuum(std::optional<int64_t> retention_hours = std::nullopt, bool dry_run = false,
                      bool force = false);

  /// Compacts small files and purges deletion vectors, in one commit with operation OPTIMIZE whose
  /// adds and removes have dataChange=false (streaming readers skip it): per partition (of those
  /// `options.where` selects), files smaller than the target size are bin-packed into files of
  /// about that size, and every file with a deletion vector is rewritten without its deleted rows.
  /// A partition with a single small file and no deletion vector is left as it is. The table's
  /// rows are unchanged. Conflicts: a concurrent commit that removes one of the compacted files
  /// (delete, overwrite, another OPTIMIZE) makes it throw CommitConflictError (nothing committed,
  /// the new files deleted); concurrent appends do not conflict. Throws UsageError for a
  /// `where` that is not valid SQL over the partition columns or a negative target size,
  /// UnsupportedFeatureError for a table dls cannot write. Writes through `con`.
  OptimizeResult optimize(sql::Connection& con, const OptimizeOptions& options = {});

  /// Restores the table to the version `spec` selects (a version or a timestamp, as time travel),
  /// in one commit with operation RESTORE: removes the active files that version did not have,
  /// re-adds its files that are no longer active, and restores its metaData when it differs (the
  /// protocol stays). Throws NotFoundError when the version does not exist (saying which do),
  /// UsageError when `spec` is empty, and dls::Error naming the file — committing nothing — when a
  /// file the version needs (data or deletion vector) is gone (removed by VACUUM).
  RestoreResult restore(const VersionSpec& spec);

 private:
  DeltaTable(std::string root, std::shared_ptr<Storage> storage);
  /// The latest snapshot for a write: the one this object's last commit produced in memory
  /// (CommitResult::snapshot) while no newer commit exists and the commit file it was built from
  /// is unchanged (same size and modification time), else Snapshot::load.
  Snapshot latest_for_write() const;
  /// Remembers `result.snapshot` for latest_for_write.
  void remember(const CommitResult& result) const;

  struct SnapshotCache;
  std::string root_;
  std::shared_ptr<Storage> storage_;
  std::shared_ptr<SnapshotCache> cache_;  // shared by copies of this object
};

}  // namespace dls::delta

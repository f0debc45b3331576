// A Snapshot: the state of a Delta table at one version, the result of log replay
// (PROTOCOL.md "Action Reconciliation"). Immutable and cheap to copy (shared state).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dls/delta/action.h"
#include "dls/delta/engine.h"
#include "dls/delta/schema.h"
#include "dls/delta/storage.h"

namespace dls::delta {

/// Which version to load. Empty = latest. `timestamp_ms` selects the latest version whose commit
/// timestamp (in-commit timestamp if enabled, else the commit file's modification time, raised
/// where needed to be strictly increasing over the log, as Spark does) is <= it; only versions
/// whose commit file still exists (not removed by log clean-up) can be selected.
struct VersionSpec {
  std::optional<int64_t> version;
  std::optional<int64_t> timestamp_ms;
};

class Snapshot {
 public:
  /// Loads the table at `table_root` (an absolute local path). Reads _last_checkpoint and lists
  /// _delta_log only from the checkpoint it names (Storage::list_from); when it is missing or
  /// damaged, names a checkpoint that is missing or unreadable, or the version asked for is older
  /// (or given by timestamp), lists the whole log instead — the hint never changes the result.
  /// Starts from the newest complete checkpoint at or before the version (one the engine reports
  /// unreadable with CorruptTableError falls back to an older one or to the commits), then applies
  /// the JSON commits after it. Each call reads the log afresh (no cache; DeltaTable's writes
  /// reuse their own commit's snapshot, see CommitResult::snapshot). Checkpoint files are read
  /// through `engine` (engine.h), which the snapshot keeps: the checkpoints written from it and
  /// from the snapshots advance() derives from it go through the same engine.
  /// Throws UsageError when `spec` has both a version and a timestamp, TableNotFoundError,
  /// CorruptTableError (naming the file and version: invalid JSON, a commit without any action,
  /// an integer out of range, a missing commit), UnsupportedFeatureError (unknown reader feature,
  /// naming it), NotFoundError (version/timestamp out of range, saying which range exists).
  static Snapshot load(std::shared_ptr<Storage> storage, const std::string& table_root,
                       const VersionSpec& spec = {},
                       std::shared_ptr<Engine> engine = duckdb_engine());

  int64_t version() const;
  const std::string& table_root() const;
  const Protocol& protocol() const;
  const Metadata& metadata() const;
  const Schema& schema() const;  // logical schema
  const std::vector<std::string>& partition_columns() const;
  /// Active files, in a deterministic order (by path).
  const std::vector<AddFile>& files() const;
  /// Latest txn version per appId.
  const std::map<std::string, int64_t>& transactions() const;
  std::optional<int64_t> transaction_version(const std::string& app_id) const;
  /// Active domain metadata by domain.
  const std::map<std::string, DomainMetadata>& domain_metadata() const;
  /// Commit timestamp (ms) of this version: its in-commit timestamp when enabled, else its commit
  /// file's modification time (as stored, not the adjusted time VersionSpec::timestamp_ms
  /// compares with), else — its commit file cleaned up — its checkpoint file's; 0 without either.
  int64_t timestamp_ms() const;
  /// Column mapping mode: "none", "name" or "id".
  std::string column_mapping_mode() const;
  /// Version of the newest checkpoint used to build this snapshot (nullopt: none).
  std::optional<int64_t> checkpoint_version() const;
  Storage& storage() const;
  std::shared_ptr<Storage> storage_ptr() const;
  /// The engine the snapshot was loaded with (Parquet I/O of the log).
  Engine& engine() const;
  std::shared_ptr<Engine> engine_ptr() const;

  /// The snapshot of `version`, which must be version() + 1, built in memory by applying
  /// `actions` (the whole content of commit `version`, as written) to this snapshot with the
  /// same reconciliation as load(): equal to what load() returns for that version, without
  /// reading the log. `commit_file_time_ms` is the commit file's modification time, the
  /// version's timestamp unless in-commit timestamps are enabled. checkpoint_version() stays
  /// this snapshot's. Throws UsageError for another version, and what load() throws for a state
  /// it would refuse (e.g. an unsupported reader feature, a metaData without schema).
  Snapshot advance(int64_t version, std::vector<Action> actions, int64_t commit_file_time_ms) const;
  /// This snapshot as a load from the checkpoint of `checkpoint_version` (its version) returns
  /// it: checkpoint_version() set, every file's dataChange false (as checkpoints store them).
  Snapshot with_checkpoint_version(int64_t checkpoint_version) const;
  /// This snapshot restricted to `files` (and read with `schema` when given, e.g. an older
  /// version's): a TableScan of it reads exactly those files' logical rows, with the table's
  /// partition values, column mapping and deletion vectors. For scans of a change set (the files
  /// a commit added or removed, a batch's files).
  Snapshot with_files(std::vector<AddFile> files, const Schema* schema = nullptr) const;

  struct State;
  explicit Snapshot(std::shared_ptr<const State> state);

 private:
  std::shared_ptr<const State> state_;
};

/// The path of `_delta_log` and of the files in it.
std::string log_dir(const std::string& table_root);
std::string commit_file_name(int64_t version);  // 00000000000000000012.json
/// True if `table_root/_delta_log` holds at least one commit or checkpoint.
bool is_delta_table(Storage& storage, const std::string& table_root);

}  // namespace dls::delta

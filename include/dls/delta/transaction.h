// A Delta transaction: a set of actions committed atomically as the next version, with optimistic
// concurrency (PROTOCOL.md "Optimistic Concurrency Control").
//
// Durability: before the commit file is linked, every file the commit adds (and its DV file) and
// the directories leading to it are fsynced; put_if_absent fsyncs _delta_log after the link. A
// failed fsync fails the commit (dls::Error) — before the link, nothing is committed.
//
// Commit protocol: the commit file N.json is created with Storage::put_if_absent; if another writer
// created it first, the winning commits are read and checked against what this transaction read
// and wrote. A blind append (only AddFiles, no removes, no metadata/protocol change, nothing read
// from the table) is retried at the next version; any other overlap (a removed file we also remove,
// a metadata change, a txn of the same appId, files added where we deleted/overwrote) throws
// CommitConflictError. After a successful commit, a checkpoint is written when the version is a
// multiple of delta.checkpointInterval (default 10), from the in-memory snapshot of the new
// version (no reload), followed by _last_checkpoint and the log clean-up
// (delta.logRetentionDuration, checkpoint_writer.h); a failed checkpoint never fails the commit and
// is reported in CommitResult::checkpoint_error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dls/delta/action.h"
#include "dls/delta/snapshot.h"

namespace dls::delta {

/// A change data file (PROTOCOL.md "Add CDC File"): Parquet under _change_data/ holding the rows a
/// commit changed, with a `_change_type` column; committed as a `cdc` action (dataChange false).
struct ChangeDataFile {
  std::string path;  // relative to the table root, URI-encoded as add.path
  PartitionValues partition_values;
  int64_t size = 0;
};

struct CommitResult {
  int64_t version = -1;  // the committed version (or the existing one when skipped)
  bool skipped = false;  // true when a txn (appId, version) was already committed: no-op
  int attempts = 1;      // 1 + number of conflict retries
  /// After a commit (not skipped): the table at `version`, built in memory from the read
  /// snapshot, the winning commits of any retries and this commit's actions (Snapshot::advance),
  /// equal to Snapshot::load of that version. Unset when skipped.
  std::optional<Snapshot> snapshot;
  /// Set when the commit succeeded but the checkpoint due after it failed (why); the table is
  /// intact, the next load only replays more JSON. Writers surface it as a warning.
  std::optional<std::string> checkpoint_error;
};

class Transaction {
 public:
  /// A transaction on an existing table, based on `read_snapshot`.
  explicit Transaction(Snapshot read_snapshot);
  /// A transaction that creates the table at version 0 (fails with CommitConflictError if a
  /// version 0 already exists).
  Transaction(std::shared_ptr<Storage> storage, std::string table_root);

  void set_protocol(Protocol protocol);
  void set_metadata(Metadata metadata);
  void add_file(AddFile add);
  void remove_file(RemoveFile remove);
  void add_change_data_file(ChangeDataFile file);
  /// Makes the write idempotent: if the table already holds txn (app_id, >= version), commit()
  /// writes nothing and returns skipped=true.
  void set_transaction(const std::string& app_id, int64_t version);
  /// commitInfo: operation name (WRITE, CREATE TABLE, DELETE, ...), operationParameters, metrics.
  void set_operation(std::string operation, nlohmann::json parameters = nlohmann::json::object());
  void set_metrics(nlohmann::json metrics);
  /// The transaction read the table's data (e.g. delete-where, overwrite): never a blind append.
  void mark_read_data();

  /// Writes the commit. Throws CommitConflictError after a logical conflict, CorruptTableError
  /// when a file it adds does not exist or a winning commit is damaged, dls::Error on I/O failure
  /// (a failed fsync included). A Transaction commits at most once.
  CommitResult commit();

  /// Why the checkpoint after the last commit() failed (the commit itself succeeded), if it did.
  const std::optional<std::string>& checkpoint_error() const { return checkpoint_error_; }

 private:
  /// Throws CommitConflictError when the winning commit `winner_version` conflicts with this
  /// transaction; returns true when it already holds our txn (appId, >= version): skip.
  /// `winner` receives the winning commit's actions.
  bool check_winner(int64_t winner_version, int64_t read_version, std::vector<Action>& winner);
  /// The table at `version` after this commit: `base` advanced in memory, else loaded; nullopt
  /// when neither works (the commit stands regardless).
  std::optional<Snapshot> advanced_snapshot(const std::optional<Snapshot>& base, int64_t version,
                                            std::vector<Action> actions,
                                            const std::string& commit_path) const;
  /// fsyncs the files this transaction adds and their directories (before the commit links).
  void make_files_durable();
  /// Returns `snapshot`, marked with its checkpoint when one was written.
  Snapshot write_checkpoint_if_due(Snapshot snapshot);

  std::shared_ptr<Storage> storage_;
  std::string table_root_;
  std::optional<Snapshot> read_snapshot_;
  std::optional<Protocol> protocol_;
  std::optional<Metadata> metadata_;
  std::vector<AddFile> adds_;
  std::vector<RemoveFile> removes_;
  std::vector<ChangeDataFile> change_files_;
  std::optional<SetTransaction> txn_;
  std::string operation_ = "WRITE";
  nlohmann::json parameters_ = nlohmann::json::object();
  nlohmann::json metrics_ = nlohmann::json::object();
  bool read_data_ = false;
  bool committed_ = false;
  std::optional<std::string> checkpoint_error_;
};

}  // namespace dls::delta

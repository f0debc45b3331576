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
#include "dls/delta/schema.h"
#include "dls/delta/storage.h"

namespace dls::delta {

/// Which version to load. Empty = latest. `timestamp_ms` selects the latest version whose commit
/// timestamp (in-commit timestamp if enabled, else the commit file's modification time) is <= it.
struct VersionSpec {
  std::optional<int64_t> version;
  std::optional<int64_t> timestamp_ms;
};

class Snapshot {
 public:
  /// Loads the table at `table_root` (an absolute local path). Lists _delta_log and starts from
  /// the newest complete checkpoint at or before the version (the listing is authoritative, so
  /// _last_checkpoint is not read; an unreadable checkpoint falls back to an older one or to the
  /// commits), then applies the JSON commits after it. Throws TableNotFoundError,
  /// CorruptTableError (naming the file and version: invalid JSON, a commit without any action,
  /// an integer out of range, a missing commit), UnsupportedFeatureError (unknown reader feature,
  /// naming it), NotFoundError (version/timestamp out of range, saying which range exists).
  static Snapshot load(std::shared_ptr<Storage> storage, const std::string& table_root,
                       const VersionSpec& spec = {});

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
  /// Commit timestamp (ms) of this version.
  int64_t timestamp_ms() const;
  /// Column mapping mode: "none", "name" or "id".
  std::string column_mapping_mode() const;
  /// Version of the newest checkpoint used to build this snapshot (nullopt: none).
  std::optional<int64_t> checkpoint_version() const;
  Storage& storage() const;
  std::shared_ptr<Storage> storage_ptr() const;

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

// Action reconciliation (PROTOCOL.md "Action Reconciliation"): applying a checkpoint and then
// commits in version order yields the table state. Files are keyed by (path, deletion vector id),
// so one data file can be removed and re-added with a new DV in one commit. Linear in the number
// of actions (one hash-map operation per add/remove).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "dls/delta/action.h"

namespace dls::delta {

class LogReplay {
 public:
  /// The state at a checkpoint (only protocol, metaData, txn, domainMetadata and add matter).
  void apply_checkpoint(std::vector<Action>&& actions);
  /// One commit's actions, in file order. Commits must be applied in ascending version order.
  void apply_commit(int64_t version, std::vector<Action>&& actions);

  const std::optional<Protocol>& protocol() const { return protocol_; }
  const std::optional<Metadata>& metadata() const { return metadata_; }
  /// Version of the commit that set the current protocol/metaData (-1: from the checkpoint).
  int64_t protocol_version() const { return protocol_version_; }
  int64_t metadata_version() const { return metadata_version_; }
  const std::map<std::string, int64_t>& transactions() const { return transactions_; }
  const std::map<std::string, DomainMetadata>& domain_metadata() const { return domains_; }
  /// commitInfo.inCommitTimestamp of the last applied commit, when it has one.
  std::optional<int64_t> last_in_commit_timestamp() const { return last_ict_; }
  /// The active files, sorted by path (then DV id). Leaves the replay empty.
  std::vector<AddFile> take_files();

 private:
  void apply(Action&& action);
  std::optional<Protocol> protocol_;
  std::optional<Metadata> metadata_;
  int64_t protocol_version_ = -1, metadata_version_ = -1, current_version_ = -1;
  std::unordered_map<std::string, AddFile> files_;
  std::map<std::string, int64_t> transactions_;
  std::map<std::string, DomainMetadata> domains_;
  std::optional<int64_t> last_ict_;
};

}  // namespace dls::delta

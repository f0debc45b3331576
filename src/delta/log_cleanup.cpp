#include "delta/log_cleanup.h"

#include <algorithm>

#include "delta/log_segment.h"
#include "delta/writer_features.h"
#include "dls/delta/snapshot.h"

namespace dls::delta {

namespace {

constexpr int64_t kDefaultLogRetentionMs = 30LL * 24 * 3600 * 1000;

bool is_false(const Metadata& metadata, const std::string& key) {
  auto it = metadata.configuration.find(key);
  return it != metadata.configuration.end() && (it->second == "false" || it->second == "FALSE");
}

}  // namespace

std::vector<std::string> cleanup_expired_logs(Storage& storage, const std::string& table_root,
                                              const Metadata& metadata, int64_t checkpoint_version,
                                              int64_t now_ms) {
  std::vector<std::string> deleted;
  if (is_false(metadata, "delta.enableExpiredLogCleanup")) return deleted;
  const int64_t cutoff =
      now_ms - interval_property_ms(metadata, "delta.logRetentionDuration", kDefaultLogRetentionMs);
  LogListing listing = list_log(storage, table_root);

  // E: the oldest version still within the retention (versions >= the checkpoint always are).
  int64_t earliest_retained = checkpoint_version;
  for (const auto& [version, commit] : listing.commits) {
    if (version >= checkpoint_version) break;
    if (commit.modification_time_ms >= cutoff) {
      earliest_retained = version;
      break;
    }
  }
  // K: the newest complete checkpoint at or before E; without one, every file is still needed.
  std::optional<int64_t> keep;
  for (const CheckpointFiles& cp : listing.checkpoints) {
    if (cp.version <= earliest_retained && cp.version <= checkpoint_version) keep = cp.version;
  }
  if (!keep) return deleted;

  const std::string dir = log_dir(table_root);
  for (const FileInfo& f : storage.list(dir)) {
    if (f.is_directory || f.name.size() < 21 || f.name[20] != '.') continue;
    if (!std::all_of(f.name.begin(), f.name.begin() + 20,
                     [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    const std::string rest = f.name.substr(21);
    const bool log_file = rest == "json" || rest == "crc" || rest.rfind("checkpoint.", 0) == 0;
    if (!log_file) continue;  // temp files, compacted logs and anything unknown stay
    const int64_t version = std::stoll(f.name.substr(0, 20));
    if (version >= *keep || f.modification_time_ms >= cutoff) continue;
    storage.remove(dir + "/" + f.name);
    deleted.push_back(f.name);
  }
  return deleted;
}

}  // namespace dls::delta

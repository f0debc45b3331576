#include "delta/tombstones.h"

#include <chrono>
#include <map>
#include <set>

#include "delta/checkpoint_reader.h"
#include "delta/log_segment.h"
#include "dls/delta/delta_error.h"

namespace dls::delta {

namespace {

/// The reconciliation key of a file (PROTOCOL.md "Action Reconciliation": path + DV id), with the
/// path decoded so that different URI spellings of one file meet.
template <typename FileAction>
std::string file_key(const FileAction& f) {
  std::string key = decode_path(f.path);
  if (f.deletion_vector) key += "\n" + f.deletion_vector->unique_id();
  return key;
}

}  // namespace

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<RemoveFile> collect_tombstones(const Snapshot& snapshot, int64_t expire_before_ms) {
  std::map<std::string, RemoveFile> removes;  // by file_key; the newest wins
  int64_t first_commit = 0;
  if (auto cp = snapshot.checkpoint_version()) {
    first_commit = *cp + 1;
    // The snapshot's own checkpoint, of any kind: classic, multi-part, or v2 with sidecars (whose
    // tombstones live in the sidecar files).
    LogListing listing = list_log(snapshot.storage(), snapshot.table_root());
    const CheckpointFiles* found = nullptr;
    for (auto it = listing.checkpoints.rbegin(); it != listing.checkpoints.rend(); ++it) {
      if (it->version == *cp) {
        found = &*it;
        break;
      }
    }
    if (!found) {
      throw CorruptTableError("table " + snapshot.table_root() + ": the checkpoint of version " +
                              std::to_string(*cp) + " disappeared while collecting tombstones");
    }
    for (auto& action :
         read_checkpoint(snapshot.engine(), snapshot.storage(), snapshot.table_root(), *found,
                         /*with_tombstones=*/true)) {
      if (auto* r = std::get_if<RemoveFile>(&action)) {
        std::string key = file_key(*r);
        removes[key] = std::move(*r);
      }
    }
  }
  const std::string dir = log_dir(snapshot.table_root());
  for (int64_t v = first_commit; v <= snapshot.version(); ++v) {
    const std::string path = dir + "/" + commit_file_name(v);
    for (auto& action : parse_commit(snapshot.storage().read(path), path)) {
      if (auto* r = std::get_if<RemoveFile>(&action)) {
        std::string key = file_key(*r);
        removes[key] = std::move(*r);
      }
    }
  }
  std::set<std::string> active;
  for (const auto& add : snapshot.files()) active.insert(file_key(add));
  std::vector<RemoveFile> out;
  for (auto& [path, r] : removes) {
    if (active.count(path)) continue;
    if (r.deletion_timestamp && *r.deletion_timestamp <= expire_before_ms) continue;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace dls::delta

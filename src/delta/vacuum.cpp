// DeltaTable::vacuum: deleting data files that no version within the retention period needs.
//
// What a retained version references, and vacuum therefore keeps: the active files and the files of
// unexpired tombstones (PROTOCOL.md "Add File and Remove File"), the deletion vector files of both
// (storage types 'u' and 'p'; 'i' is inline), and everything under hidden paths — _delta_log
// (commits, checkpoints, _sidecars/ of v2 checkpoints) and _change_data/ (change data of retained
// versions). The table's writer protocol is checked first (check_vacuumable): a feature we do not
// know may reference files in ways we would not see.
#include <set>

#include "delta/tombstones.h"
#include "delta/writer_features.h"
#include "dls/core/error.h"
#include "dls/delta/deletion_vector.h"
#include "dls/delta/delta_table.h"

namespace dls::delta {

namespace {

constexpr int64_t kHourMs = 3600LL * 1000;
constexpr int64_t kDefaultRetentionMs = 7 * 24 * kHourMs;

/// A path from the log, relative to the root when it lies inside the table.
std::string relative_to(const std::string& root, const std::string& log_path) {
  std::string p = decode_path(log_path);
  if (p.rfind(root + "/", 0) == 0) return p.substr(root.size() + 1);
  return p;
}

/// An absolute filesystem path, relative to the root when it lies inside the table.
std::string relative_to_root(const std::string& root, const std::string& absolute) {
  if (absolute.rfind(root + "/", 0) == 0) return absolute.substr(root.size() + 1);
  return absolute;
}

/// Keeps a file action's data file and its deletion vector file (if stored in a file).
template <typename FileAction>
void keep_file_of(const std::string& root, const FileAction& f, std::set<std::string>& keep) {
  keep.insert(relative_to(root, f.path));
  if (f.deletion_vector && f.deletion_vector->storage_type != "i") {
    // Throws CorruptTableError on a malformed descriptor: refuse rather than guess.
    keep.insert(relative_to_root(root, deletion_vector_path(*f.deletion_vector, root)));
  }
}

/// Every file under `dir` (relative paths), skipping hidden entries ('_' or '.' prefixed):
/// the log, change data, temporary files of writers.
void walk(Storage& storage, const std::string& root, const std::string& relative,
          std::vector<std::pair<std::string, FileInfo>>& out) {
  for (const auto& f : storage.list(relative.empty() ? root : root + "/" + relative)) {
    if (f.name.empty() || f.name[0] == '_' || f.name[0] == '.') continue;
    std::string path = relative.empty() ? f.name : relative + "/" + f.name;
    if (f.is_directory) {
      walk(storage, root, path, out);
    } else {
      out.emplace_back(path, f);
    }
  }
}

}  // namespace

VacuumResult DeltaTable::vacuum(std::optional<int64_t> retention_hours, bool dry_run, bool force) {
  Snapshot snap = snapshot();
  const int64_t table_retention = interval_property_ms(
      snap.metadata(), "delta.deletedFileRetentionDuration", kDefaultRetentionMs);
  if (retention_hours && *retention_hours < 0) {
    throw UsageError("vacuum of " + root_ + ": the retention must not be negative");
  }
  if (retention_hours && *retention_hours > now_ms() / kHourMs) {
    throw UsageError("vacuum of " + root_ + ": a retention of " + std::to_string(*retention_hours) +
                     " hours reaches back before 1970; nothing could be deleted");
  }
  const int64_t retention = retention_hours ? *retention_hours * kHourMs : table_retention;
  if (retention < table_retention && !force) {
    throw UsageError("vacuum of " + root_ + ": a retention of " + std::to_string(*retention_hours) +
                     " hours is shorter than the table's delta.deletedFileRetentionDuration (" +
                     std::to_string(table_retention / kHourMs) +
                     " hours); it would break time travel to versions within that period and "
                     "could delete files of writes still in progress. Use force to do it anyway, "
                     "or lower the table property");
  }
  const int64_t cutoff = now_ms() - retention;
  check_vacuumable(snap.protocol(), root_);

  std::set<std::string> keep;
  for (const auto& f : snap.files()) keep_file_of(root_, f, keep);
  for (const auto& r : collect_tombstones(snap, cutoff)) keep_file_of(root_, r, keep);
  std::vector<std::pair<std::string, FileInfo>> files;
  walk(*storage_, root_, "", files);
  VacuumResult result;
  result.dry_run = dry_run;
  for (const auto& [path, info] : files) {
    if (keep.count(path) || info.modification_time_ms > cutoff) continue;
    result.files.push_back(path);
    result.bytes += info.size;
  }
  if (!dry_run) {
    for (const auto& path : result.files) storage_->remove(root_ + "/" + path);
  }
  return result;
}

}  // namespace dls::delta

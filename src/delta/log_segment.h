// The files of _delta_log that make up one version of a table (PROTOCOL.md "Delta Log Entries",
// "Checkpoints"): the newest usable checkpoint at or before the version plus the contiguous JSON
// commits after it.
//
// The listing of _delta_log is authoritative. _last_checkpoint is a hint: Snapshot::load lists
// only from the hinted checkpoint's version on (list_log with `from_version`), and lists the whole
// log when the hint is missing, unreadable, names a checkpoint the listing does not hold, or the
// checkpoint cannot be read — so a missing, stale or wrong _last_checkpoint costs time, never a
// wrong snapshot.
// Ignored: N.crc, N.M.compacted.json (log compaction, optional), temp files, _sidecars/ (read
// through their v2 checkpoint).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dls/delta/storage.h"

namespace dls::delta {

struct LogFile {
  int64_t version = 0;
  std::string path;  // absolute
  int64_t size = 0;
  int64_t modification_time_ms = 0;
};

/// One complete checkpoint: a classic single file, all parts of a multi-part checkpoint, or the
/// top-level file of a v2 checkpoint (N.checkpoint.<uuid>.json|parquet).
struct CheckpointFiles {
  enum class Kind { kClassic, kMultiPart, kV2Json, kV2Parquet };
  int64_t version = 0;
  Kind kind = Kind::kClassic;
  std::vector<LogFile> files;  // parts in order
};

struct LogListing {
  std::string table_root;
  std::map<int64_t, LogFile> commits;
  /// Complete checkpoints, ascending by version (several may share a version).
  std::vector<CheckpointFiles> checkpoints;
  /// Highest version with a commit or checkpoint; nullopt for an empty log.
  std::optional<int64_t> latest_version() const;
  /// Lowest version that can be reconstructed (commit 0, else the oldest checkpoint).
  std::optional<int64_t> earliest_version() const;
};

/// Lists `table_root/_delta_log` (only the files of versions >= `from_version` when given).
/// Throws TableNotFoundError when the listed files hold no commit and no checkpoint.
LogListing list_log(const Storage& storage, const std::string& table_root,
                    std::optional<int64_t> from_version = std::nullopt);

/// The version _last_checkpoint names, or nullopt when it is missing or unreadable (a hint only).
std::optional<int64_t> read_last_checkpoint_version(const Storage& storage,
                                                    const std::string& table_root);

struct LogSegment {
  std::string table_root;
  int64_t version = 0;
  std::optional<CheckpointFiles> checkpoint;
  std::vector<LogFile> commits;           // checkpoint+1 .. version, contiguous
  std::optional<LogFile> version_commit;  // the commit file of `version` itself, when it exists
};

/// The segment for `version` (latest when empty), using the newest complete checkpoint at or before
/// it whose version is < `checkpoint_below` (used to fall back when a checkpoint is unreadable).
/// Throws NotFoundError (version out of range, or its history was removed), CorruptTableError
/// (a commit missing from the sequence).
LogSegment build_segment(const LogListing& listing, std::optional<int64_t> version,
                         std::optional<int64_t> checkpoint_below = std::nullopt);

}  // namespace dls::delta

// Log clean-up after a checkpoint (PROTOCOL.md "Metadata Cleanup"; Spark's MetadataCleanup):
// deletes the commit files (N.json, N.crc) and checkpoints of _delta_log that no retained version
// needs.
//
// Retained versions are those whose commit file was written within delta.logRetentionDuration
// (default "interval 30 days") before now, plus every version at or after the checkpoint just
// written. Reading the oldest retained version E needs the newest complete checkpoint K <= E and
// the commits after K, so exactly the files of versions < K are deleted, and of those only the
// ones last modified before the cut-off. Never deleted: a file of a version >= K (so never one
// newer than the latest checkpoint), the checkpoint K itself, _last_checkpoint, _sidecars/, files
// dls does not recognise. Disabled by delta.enableExpiredLogCleanup=false.
//
// Safe with concurrent writers and cleaners: each deletion is of a file no retained version needs,
// and a file already gone is not an error. A reader that listed the log before the clean-up and
// reads a version older than the retention may find a commit gone (CorruptTableError), as with
// every Delta engine.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dls/delta/action.h"
#include "dls/delta/storage.h"

namespace dls::delta {

/// Deletes the expired log files of the table at `table_root` given that a complete checkpoint
/// of `checkpoint_version` exists, with the table's `metadata` (its retention properties) and
/// `now_ms` as the current time. Returns the deleted file names (relative to _delta_log).
/// Throws dls::Error on a listing or deletion failure (files deleted before it stay deleted;
/// each deletion is safe on its own); InvalidMetadataError for an unparsable retention property.
std::vector<std::string> cleanup_expired_logs(Storage& storage, const std::string& table_root,
                                              const Metadata& metadata, int64_t checkpoint_version,
                                              int64_t now_ms);

}  // namespace dls::delta

// Tombstones: the remove actions of a table that are still relevant (PROTOCOL.md "Add File and
// Remove File": a remove stays in the state until it expires). Log replay for the reader keeps
// only active files, so writers that need tombstones — checkpoints and vacuum — collect them here.
#pragma once

#include <cstdint>
#include <vector>

#include "dls/delta/action.h"
#include "dls/delta/snapshot.h"

namespace dls::delta {

/// The removes of the snapshot's checkpoint (if any, of any kind, sidecars included) and of every
/// JSON commit after it up to the snapshot's version, the newest per logical file (path + deletion
/// vector id, as in log replay), minus files active in the snapshot, keeping only those with
/// deletionTimestamp > `expire_before_ms` (a remove without timestamp never expires). A data file
/// whose DV was replaced therefore keeps the tombstone of its old DV: vacuum must keep that DV
/// file while versions that read it are retained.
std::vector<RemoveFile> collect_tombstones(const Snapshot& snapshot, int64_t expire_before_ms);

/// Milliseconds since the Unix epoch, now.
int64_t now_ms();

}  // namespace dls::delta

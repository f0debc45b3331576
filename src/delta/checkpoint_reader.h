// Reading checkpoints (PROTOCOL.md "Checkpoints"): classic and multi-part Parquet checkpoints and
// v2 checkpoints (a JSON or Parquet top-level file whose `sidecar` actions name Parquet files in
// _delta_log/_sidecars). Parquet files are read through the Engine (engine.h), in one call per
// checkpoint (or set of sidecars), of only the columns that carry state; JSON ones with the commit
// codec. The sidecar references a checkpoint holds are followed here.
#pragma once

#include <vector>

#include "delta/log_segment.h"
#include "dls/delta/action.h"
#include "dls/delta/engine.h"
#include "dls/delta/storage.h"

namespace dls::delta {

/// The state actions of checkpoint `cp`: protocol, metaData, txn, domainMetadata and add (remove
/// tombstones, checkpointMetadata and sidecar references are consumed here, not returned). An add
/// whose `stats` column is absent gets its `stats_parsed` struct as its stats JSON.
/// Throws CorruptTableError naming the file when a checkpoint or sidecar file is missing or
/// unreadable.
/// `with_tombstones` also returns the checkpoint's remove actions (tombstones, which vacuum and the
/// checkpoint writer need, in sidecars too).
std::vector<Action> read_checkpoint(Engine& engine, const Storage& storage,
                                    const std::string& table_root, const CheckpointFiles& cp,
                                    bool with_tombstones = false);

}  // namespace dls::delta

// Writing classic (single-file, V1 spec) Parquet checkpoints and `_last_checkpoint`
// (PROTOCOL.md "Checkpoints", "Checkpoint Schema", "Last Checkpoint File Schema").
//
// The checkpoint of version N holds one row per action of the reconciled state: protocol,
// metaData, one txn per appId, one add per active file, one remove per unexpired tombstone
// (without stats/tags), and active domainMetadata, in the columns of the protocol's checkpoint
// schema (partitionValues and tags as MAP(VARCHAR, VARCHAR), stats as a JSON string). No
// stats_parsed, no sidecars, no v2 checkpoints; the whole state is held in memory.
//
// How: the snapshot's engine (Snapshot::engine, engine.h) turns the actions into the bytes of a
// Parquet file, which are published under _delta_log with Storage::write_atomic (temp file, fsync,
// rename, fsync of _delta_log), so a crash never leaves a partial checkpoint under the
// checkpoint's name. Tombstones are collected from the snapshot's own checkpoint (read through the
// same engine) and the commits after it (tombstones.h).
// `_last_checkpoint` is written after it, atomically, and never moved back to an older version by
// a dls writer: it is read, compared and replaced under Storage::lock on _delta_log (other engines
// do not take that lock). The log clean-up that follows a checkpoint is in log_cleanup.h.
#pragma once

#include <cstdint>

#include "dls/delta/snapshot.h"
#include "dls/delta/storage.h"

namespace dls::delta {

struct CheckpointInfo {
  int64_t version = 0;
  int64_t size = 0;           // actions (rows) in the checkpoint
  int64_t size_in_bytes = 0;  // of the Parquet file
  int64_t num_of_add_files = 0;
};

/// Writes `NNN.checkpoint.parquet` for the snapshot's version, replacing a checkpoint of that
/// version if one exists, and moves _last_checkpoint forward to it (never back: a newer
/// _last_checkpoint stays). Returns what was written, also when _last_checkpoint was left as it
/// was. Throws dls::Error on failure (the table stays readable: nothing partial is published;
/// when only the _last_checkpoint update fails, the checkpoint file exists and readers find it by
/// listing).
CheckpointInfo write_checkpoint(const Snapshot& snapshot);

}  // namespace dls::delta

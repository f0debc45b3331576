// Writing classic (single-file, V1 spec) Parquet checkpoints and `_last_checkpoint`
// (PROTOCOL.md "Checkpoints", "Checkpoint Schema", "Last Checkpoint File Schema").
//
// The checkpoint of version N holds one row per action of the reconciled state: protocol,
// metaData, one txn per appId, one add per active file, one remove per unexpired tombstone
// (without stats/tags), and active domainMetadata, in the columns of the protocol's checkpoint
// schema (partitionValues and tags as MAP(VARCHAR, VARCHAR), stats as a JSON string). No
// stats_parsed, no sidecars, no v2 checkpoints; the whole state is held in memory.
//
// How: the actions are serialised as JSON lines into a scratch directory under the system temp
// directory, DuckDB converts them (read_json with the checkpoint schema) into a Parquet file there,
// and its bytes are published under _delta_log with Storage::write_atomic (temp file, fsync,
// rename, fsync of _delta_log), so a crash never leaves a partial checkpoint under the
// checkpoint's name. The scratch directory is removed however the call ends.
// `_last_checkpoint` is written after it, atomically, and never moved back to an older version by
// a dls writer: it is read, compared and replaced under Storage::lock on _delta_log (other engines
// do not take that lock). The log clean-up that follows a checkpoint is in log_cleanup.h.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "dls/delta/snapshot.h"
#include "dls/delta/storage.h"

namespace dls::delta {

struct CheckpointInfo {
  int64_t version = 0;
  int64_t size = 0;           // actions (rows) in the checkpoint
  int64_t size_in_bytes = 0;  // of the Parquet file
  int64_t num_of_add_files = 0;
};

/// Writes `NNN.checkpoint.parquet` for the snapshot's version and updates _last_checkpoint.
/// Throws dls::Error on failure (the table stays readable: nothing partial is published).
CheckpointInfo write_checkpoint(const Snapshot& snapshot);

/// The checkpoint's column types, as DuckDB type names (exposed for tests).
std::string checkpoint_columns_sql();

}  // namespace dls::delta

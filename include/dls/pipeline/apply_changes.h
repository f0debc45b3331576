// apply_changes: change data capture (CDC) into a Delta table with the semantics of Databricks
// APPLY CHANGES / AUTO CDC (DESIGN §7), SCD type 1 or 2.
//
// One call merges one batch of change events (the rows of a DuckDB SELECT) into the target:
//
//   * SCD type 1: one row per key, the latest event by `sequence_by`, unless that event is a
//     delete (`apply_as_deletes`). Events older than what the key already has are discarded; a
//     delete leaves a tombstone in the CDC state table so a late, older insert or update does not
//     resurrect the key. Tombstones are garbage-collected as on Databricks: one recorded more than
//     `tombstone_gc_threshold_seconds` ago (table property
//     pipelines.cdc.tombstoneGCThresholdInSeconds, default two days) is removed by the next batch,
//     and from then on a late event of that key is treated as for a key never seen (a late insert
//     or update comes back). The same holds for the delete events an SCD2 state keeps.
//     `apply_as_truncates` removes every row whose latest event is older than the truncate (a
//     sequenced truncate, as in the docs' example).
//   * SCD type 2: history rows with `__START_AT` / `__END_AT` (typed like the sequence), placed in
//     sequence order whatever the arrival order; a delete closes the current version; a change
//     touching only untracked columns (track_history_*_column_list) updates the current version in
//     place; SCD2 + apply_as_truncates is an InvalidMetadataError.
//   * column_list / except_column_list select the target's columns; ignore_null_updates and its
//     column-list variants keep the target's value where an update has NULL.
//
// Duplicate events (same key and same sequence): a delete wins over an upsert (as open-source
// Spark's AutoCDC); between upserts of one batch the smallest row in a fixed column-by-column
// order wins; an event of a later batch replaces one of an earlier batch. Deterministic whatever
// the input order. NULL sequence values are an error (Databricks: unsupported).
//
// State: the ordering information the target cannot hold (SCD1: the latest sequence and tombstone
// of each key plus the truncate watermark; SCD2: the events that cannot be reconstructed from the
// history — deletes that closed nothing, no-op upserts, upserts merged in place) lives in a hidden
// Delta table at `state_root`, owned by the flow. Rows of a target without state (e.g. written by
// hand) count as older than every event. A full refresh must delete the state with the target.
//
// Commits: the state table is written first (the batch's state rows and the garbage-collected
// tombstones in one row-level commit with the txn), then the target. Target rows that the batch
// leaves unchanged are not touched. The target gets ONE commit carrying the txn (txn_app_id,
// txn_version) when given — except when a batch both adds rows of keys the target does not hold
// (inserts) and changes or removes existing rows: then the inserts come first in an append-only
// commit (no removed files; its txn is `<txn_app_id>#inserts` at txn_version), then the rest in a
// commit with the flow's txn. A streaming reader of the target with skipChangeCommits thus still
// receives every inserted row once; updates and deletes reach it only through the change data
// feed. The first batch also creates the target (an empty version 0). Exactly once: a batch whose
// txn is already in the target is skipped (metrics.skipped); a run killed after the state commit
// and before the last target commit is recovered on rerun from the state version before that
// batch, at the clock of that state commit; the rows an inserts commit already added are then
// unchanged rows, so the rerun leaves them alone.
//
// Thread safety: one call at a time per target (the pipeline lock guarantees it); `con` is used
// exclusively during the call. The call creates and drops TEMP tables named `__dls_cdc_*`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dls/core/entity.h"
#include "dls/delta/delta_table.h"
#include "dls/sql/connection.h"

namespace dls::pipeline {

/// The table property giving the tombstone retention, and its Databricks default (two days).
inline constexpr const char* kTombstoneGcThresholdProperty =
    "pipelines.cdc.tombstoneGCThresholdInSeconds";
inline constexpr int64_t kDefaultTombstoneGcThresholdSeconds = 172800;

/// What to merge, where.
struct ApplyChangesRequest {
  /// The target Delta table (created from the batch's columns when absent).
  std::string target_root;
  /// The flow's CDC state table (hidden; e.g. <pipeline>/checkpoints/<flow>/cdc_state).
  std::string state_root;
  /// A DuckDB SELECT producing the batch of change events (any column order).
  std::string changes_sql;
  /// The entity's primary_keys (column names of the batch).
  std::vector<std::string> keys;
  /// The entity's apply_changes; Spark SQL expressions are translated to DuckDB.
  ApplyChanges spec;
  /// For error messages ("entity 'x': ..."); may be empty.
  std::string entity;
  /// Exactly once: the target commit carries txn (app_id, version); a batch already committed is
  /// skipped. Both or neither.
  std::optional<std::string> txn_app_id;
  std::optional<int64_t> txn_version;
  /// Used only when the target is created.
  delta::CreateOptions create_options;
  /// Tombstones (and SCD2 residual deletes) recorded longer ago than this are removed from the
  /// state; pipelines read it from the target's table property (tombstone_gc_threshold_seconds).
  int64_t tombstone_gc_threshold_seconds = kDefaultTombstoneGcThresholdSeconds;
  /// The clock of the batch in milliseconds since the epoch (tests inject it); unset: the wall
  /// clock. A rerun of a batch whose state commit happened uses that commit's clock instead.
  std::optional<int64_t> now_ms;
};

/// The tombstone retention of an entity from its table_properties (key matched case-
/// insensitively), else the default. Throws InvalidMetadataError naming the entity and the
/// property when the value is not a non-negative whole number of seconds.
int64_t tombstone_gc_threshold_seconds(const StringMap& table_properties,
                                       const std::string& entity);

/// What one call did (the event log's flow_progress metrics).
struct ApplyChangesMetrics {
  bool skipped = false;             ///< txn already committed: nothing done
  int64_t target_version = -1;      ///< the target's version after the call
  int64_t num_input_rows = 0;       ///< change events after `where`
  int64_t num_upserted_rows = 0;    ///< target rows inserted or changed (SCD2: version rows)
  int64_t num_deleted_rows = 0;     ///< keys removed (SCD1) / current versions closed by a delete
  int64_t num_versions_closed = 0;  ///< SCD2: history rows that got (or got a new) __END_AT
  int64_t num_tombstones_removed = 0;  ///< expired tombstones garbage-collected from the state
};

/// Checks the spec against the keys without running anything: SCD type 1|2, truncates only for
/// SCD1, track_history lists only for SCD2, the mutually exclusive list pairs, a sequence_by, at
/// least one key. Throws InvalidMetadataError naming the entity and the field.
void validate_apply_changes(const std::vector<std::string>& keys, const ApplyChanges& spec,
                            const std::string& entity = "");

/// Merges the batch into the target (see the file comment). Throws InvalidMetadataError for a bad
/// spec or a column the batch lacks, dls::Error for NULL sequence values, delta CommitConflictError
/// when another writer changed the target meanwhile (nothing of the target written; rerun), and
/// SqlError for expressions DuckDB rejects.
ApplyChangesMetrics apply_changes(sql::Connection& con, const ApplyChangesRequest& request);

}  // namespace dls::pipeline

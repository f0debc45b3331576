// Internal to apply_changes (src/pipeline/cdc/): the resolved merge plan and the steps that use
// it. Each step lives in its own file:
//   cdc_plan.cpp      resolving an ApplyChanges spec against the batch and target columns
//   temp_tables.cpp   uniquely named TEMP tables dropped at the end of a call
//   change_batch.cpp  materializing the batch as classified, de-duplicated events
//   cdc_state.cpp     the hidden state table: load (with crash recovery) and save
//   scd1_merge.cpp    SCD type 1 new state
//   scd2_merge.cpp    SCD type 2 new history
//   apply_changes.cpp the orchestration and the commits
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dls/core/entity.h"
#include "dls/delta/schema.h"
#include "dls/pipeline/apply_changes.h"
#include "dls/sql/connection.h"

namespace dls::pipeline::cdc {

/// A column name and its DuckDB type (as DESCRIBE prints it).
struct Column {
  std::string name;
  std::string type;
};

/// The spec resolved against the batch (and the existing target, if any).
struct CdcPlan {
  std::string entity;
  int scd_type = 1;
  std::vector<std::string> keys;         // as spelled in the target columns
  std::vector<Column> columns;           // target data columns in order (keys included)
  std::vector<std::string> ignore_null;  // non-key columns where a NULL keeps the old value
  std::vector<std::string> tracked;      // SCD2: non-key columns whose change opens a version
  std::string sequence_sql;              // DuckDB
  std::string where_sql;                 // DuckDB, empty = none
  std::string delete_sql;                // DuckDB, empty = none
  std::string truncate_sql;              // DuckDB, empty = none
  std::string sequence_type;             // DuckDB type of the sequence (after the batch is read)
  std::vector<std::string> missing_in_batch;  // target columns the batch lacks (become NULL)

  bool is_ignore_null(const std::string& column) const;
  std::vector<std::string> column_names() const;
  std::vector<std::string> non_key_columns() const;
};

/// "entity 'x': " or "".
std::string entity_prefix(const std::string& entity);

/// The columns of a SELECT (DESCRIBE).
std::vector<Column> describe(sql::Connection& con, const std::string& select_sql);
/// The Delta schema of a SELECT's columns.
delta::Schema schema_of(sql::Connection& con, const std::string& select_sql);

/// The checks of validate_apply_changes that need no translation (apply_changes.h).
void validate_apply_changes_spec(const std::vector<std::string>& keys, const ApplyChanges& spec,
                                 const std::string& entity);

/// Resolves the plan. `batch` are the columns of the changes SELECT; `target` the target's data
/// columns (without __START_AT/__END_AT) when it exists. Throws InvalidMetadataError.
CdcPlan make_plan(const ApplyChangesRequest& request, const std::vector<Column>& batch,
                  const std::optional<std::vector<Column>>& target);

// --- SQL helpers -------------------------------------------------------------------------------

/// `p."c1", p."c2"` (prefix may be empty: `"c1", "c2"`).
std::string column_list(const std::vector<std::string>& columns, const std::string& prefix = "");
/// `a."k1" IS NOT DISTINCT FROM b."k1" AND ...`.
std::string keys_match(const std::vector<std::string>& keys, const std::string& a,
                       const std::string& b);

// --- TEMP tables ---------------------------------------------------------------------------------

/// Hands out unique TEMP table names for one call and drops them on destruction.
class TempTables {
 public:
  explicit TempTables(sql::Connection& con);
  ~TempTables();
  TempTables(const TempTables&) = delete;
  TempTables& operator=(const TempTables&) = delete;
  /// A fresh quoted name (`"__dls_cdc_<n>_<label>"`); the caller creates the table.
  std::string name(const std::string& label);

 private:
  sql::Connection& con_;
  std::string prefix_;
  std::vector<std::string> names_;
};

// --- steps ---------------------------------------------------------------------------------------

/// The batch as events, in the TEMP table `events` with columns: the plan's columns, __dls_seq,
/// __dls_op ('U' upsert / 'D' delete), de-duplicated on (keys, __dls_seq); truncates in
/// `truncates` (one column __dls_seq). Sets plan.sequence_type. Returns the number of rows after
/// `where`.
int64_t load_change_batch(sql::Connection& con, CdcPlan& plan, const std::string& changes_sql,
                          const std::string& events, const std::string& truncates);

/// The TEMP tables a merge reads and writes.
struct MergeTables {
  std::string events;      // load_change_batch
  std::string truncates;   // load_change_batch
  std::string target;      // the target's rows (data columns [+ __START_AT, __END_AT])
  std::string state;       // the state rows (state_columns)
  std::string new_target;  // created by the merge: the complete new target
  std::string new_state;   // created by the merge: the complete new state
};

/// Metrics of the merge (skipped/target_version/num_input_rows are set by the caller).
ApplyChangesMetrics merge_scd1(sql::Connection& con, const CdcPlan& plan, const MergeTables& t,
                               TempTables& temps);
ApplyChangesMetrics merge_scd2(sql::Connection& con, const CdcPlan& plan, const MergeTables& t,
                               TempTables& temps);

// --- state table ---------------------------------------------------------------------------------

/// SELECT list (`CAST(NULL AS type) AS name, ...`) of an empty state, used when there is none:
/// SCD1 keys, __dls_seq, __dls_op; SCD2 all columns, __dls_seq, __dls_op.
std::string empty_state_sql(const CdcPlan& plan);

/// The state table's column holding when a tombstone (a row with __dls_op 'D') was recorded, in
/// milliseconds since the epoch; NULL on other rows, so the column's min/max statistics bound the
/// tombstones' ages alone and the garbage collection reads only files holding expired ones.
/// State tables written before it existed get the column on their next write (ADD COLUMNS);
/// their tombstones are stamped with the clock of the batch that next rewrites them.
inline constexpr const char* kTombstoneTimeColumn = "__dls_tombstone_ms";

/// What load_state read, for save_state.
struct LoadedState {
  std::optional<int64_t> version;  // the state table version read; nullopt: no table yet
  /// Keyed load: a TEMP table whose rows (__dls_file, __dls_row) are the addresses of every
  /// loaded row; save_state replaces exactly those. Empty: the whole state was loaded.
  std::string addresses;
  /// The batch's clock (ms since the epoch): the request's, or on the rerun of a batch whose
  /// state is committed, the clock recorded in that commit — so the rerun collects the same
  /// tombstones and computes the same target.
  int64_t now_ms = 0;
  /// A TEMP table of the loaded tombstones that are kept: keys, __dls_seq, __dls_op and their
  /// recorded time (NULL for tombstones of a state table older than the time column).
  std::string tombstone_times;
  /// Keyed load: a TEMP table (__dls_file, __dls_row) of the expired tombstones of the whole
  /// state (loaded or not); save_state removes them. Empty: none (or a full load, which leaves
  /// them out of the loaded state and so out of the overwrite).
  std::string expired;
  int64_t expired_count = 0;
};

/// Loads the state into TEMP table `into`: the latest version, or — when its txn already carries
/// `txn_version` (a run killed after the state commit, before the target commit) — the version
/// before it. An absent table gives an empty state. With `keys_table` (a TEMP table of the key
/// columns) only the rows of those keys and the truncate watermark are loaded, reading only the
/// files that may hold them; otherwise every row. Tombstones recorded more than the request's
/// threshold before the batch's clock are left out of `into` (the key is as never seen) and
/// listed for removal.
LoadedState load_state(sql::Connection& con, const CdcPlan& plan,
                       const ApplyChangesRequest& request, const std::string& into,
                       const std::string& keys_table, TempTables& temps);

/// Writes `new_state` (a TEMP table) as the state table's next version (created if absent, with
/// deletion vectors enabled), with the request's txn and the batch's clock: after a keyed load it
/// replaces the loaded rows and removes the expired tombstones (one row-level change), after a
/// full load the whole table. A tombstone keeps its recorded time while its key's sequence and
/// kind are unchanged; a new one gets the batch's clock. Returns the tombstones removed.
int64_t save_state(sql::Connection& con, const CdcPlan& plan, const ApplyChangesRequest& request,
                   const std::string& new_state, const LoadedState& loaded, TempTables& temps);

/// `options` with delta.enableDeletionVectors=true unless they set it: CDC targets and states
/// use deletion vectors by default, as Databricks does.
delta::CreateOptions with_deletion_vectors(delta::CreateOptions options);

}  // namespace dls::pipeline::cdc

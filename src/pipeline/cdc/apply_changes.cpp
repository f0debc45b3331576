// apply_changes: orchestration — read target and state, merge, commit the state then the target
// (apply_changes.h).
#include "dls/pipeline/apply_changes.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

#include "dls/core/error.h"
#include "dls/delta/table_scan.h"
#include "dls/sql/quote.h"
#include "pipeline/cdc/cdc_plan.h"

namespace dls::pipeline {
namespace {

bool is_history_column(const std::string& name) {
  return name == "__START_AT" || name == "__END_AT";
}

}  // namespace

int64_t tombstone_gc_threshold_seconds(const StringMap& table_properties,
                                       const std::string& entity) {
  std::string wanted = kTombstoneGcThresholdProperty;
  std::transform(wanted.begin(), wanted.end(), wanted.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const auto& [key, value] : table_properties) {
    std::string k = key;
    std::transform(k.begin(), k.end(), k.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (k != wanted) continue;
    int64_t seconds = -1;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec != std::errc() || end != value.data() + value.size() || seconds < 0 ||
        seconds > std::numeric_limits<int64_t>::max() / 1000) {
      throw InvalidMetadataError(
          cdc::entity_prefix(entity) + "table_properties." + key + " is '" + value +
          "'; it must be a whole number of seconds (0 or more), e.g. " +
          std::to_string(kDefaultTombstoneGcThresholdSeconds) + " (two days, the default)");
    }
    return seconds;
  }
  return kDefaultTombstoneGcThresholdSeconds;
}

ApplyChangesMetrics apply_changes(sql::Connection& con, const ApplyChangesRequest& request) {
  using namespace cdc;
  if (request.txn_app_id.has_value() != request.txn_version.has_value())
    throw UsageError("apply_changes: txn_app_id and txn_version go together (both or neither)");
  validate_apply_changes(request.keys, request.spec, request.entity);

  std::optional<delta::DeltaTable> target;
  std::optional<delta::Snapshot> snapshot;
  if (delta::DeltaTable::exists(request.target_root)) {
    target = delta::DeltaTable::open(request.target_root);
    snapshot = target->snapshot();
    if (request.txn_app_id) {
      auto done = snapshot->transaction_version(*request.txn_app_id);
      if (done && *done >= *request.txn_version) {
        ApplyChangesMetrics skipped;
        skipped.skipped = true;
        skipped.target_version = snapshot->version();
        return skipped;
      }
    }
  }

  TempTables temps(con);
  auto batch = describe(con, "SELECT * FROM (" + request.changes_sql + ") AS __src");
  std::optional<std::vector<Column>> target_columns;
  if (snapshot) {
    target_columns.emplace();
    int history_columns = 0;
    for (const auto& f : snapshot->schema().fields) {
      if (is_history_column(f.name))
        ++history_columns;
      else
        target_columns->push_back({f.name, f.type.to_duckdb()});
    }
    int expected = request.spec.stored_as_scd_type == 2 ? 2 : 0;
    if (history_columns != expected)
      throw InvalidMetadataError(
          entity_prefix(request.entity) + "apply_changes: the target table " + request.target_root +
          (expected ? " lacks __START_AT/__END_AT" : " has __START_AT/__END_AT") +
          " but stored_as_scd_type is " + std::to_string(request.spec.stored_as_scd_type) +
          "; changing the SCD type needs a full refresh");
  }
  CdcPlan plan = make_plan(request, batch, target_columns);

  MergeTables t;
  t.events = temps.name("events");
  t.truncates = temps.name("truncates");
  t.target = temps.name("target");
  t.state = temps.name("state");
  t.new_target = temps.name("new_target");
  t.new_state = temps.name("new_state");
  int64_t input_rows = load_change_batch(con, plan, request.changes_sql, t.events, t.truncates);

  std::string target_cols = column_list(plan.column_names());
  if (plan.scd_type == 2) target_cols += ", __START_AT, __END_AT";
  // Keyed: read and rewrite only the rows of the batch's keys (the files that may hold them).
  // A batch with a truncate (SCD1) touches every key: then the whole target and state.
  const bool keyed =
      plan.scd_type == 2 || con.query("SELECT count(*) FROM " + t.truncates).scalar().as_int() == 0;
  std::string batch_keys;
  if (keyed) {
    batch_keys = temps.name("batch_keys");
    con.execute("CREATE TEMP TABLE " + batch_keys + " AS SELECT DISTINCT " +
                column_list(plan.keys) + " FROM " + t.events);
  }
  std::string target_rows;  // keyed: the loaded target rows with their addresses
  if (snapshot) {
    delta::TableScan scan(*snapshot);
    if (keyed) {
      target_rows = temps.name("target_rows");
      con.execute("CREATE TEMP TABLE " + target_rows + " AS " +
                  scan.sql_for_keys(con, plan.keys, batch_keys));
      con.execute("CREATE TEMP TABLE " + t.target + " AS SELECT " + target_cols + " FROM " +
                  target_rows);
    } else {
      con.execute("CREATE TEMP TABLE " + t.target + " AS SELECT " + target_cols + " FROM (" +
                  scan.sql(con) + ") AS __target");
    }
  } else {
    std::string empty;
    for (const auto& c : plan.columns)
      empty += "CAST(NULL AS " + c.type + ") AS " + sql::quote_identifier(c.name) + ", ";
    if (plan.scd_type == 2)
      empty += "CAST(NULL AS " + plan.sequence_type + ") AS __START_AT, CAST(NULL AS " +
               plan.sequence_type + ") AS __END_AT, ";
    empty.resize(empty.size() - 2);
    con.execute("CREATE TEMP TABLE " + t.target + " AS SELECT " + empty + " WHERE false");
  }
  LoadedState state = load_state(con, plan, request, t.state, batch_keys, temps);

  ApplyChangesMetrics metrics =
      plan.scd_type == 1 ? merge_scd1(con, plan, t, temps) : merge_scd2(con, plan, t, temps);
  metrics.num_input_rows = input_rows;

  // The state first: a run killed before the target commit recomputes from the state before it.
  metrics.num_tombstones_removed = save_state(con, plan, request, t.new_state, state, temps);

  std::string select = "SELECT * FROM " + t.new_target;
  if (!target) {
    delta::DeltaTable::create(request.target_root, schema_of(con, select),
                              with_deletion_vectors(request.create_options));
    target = delta::DeltaTable::open(request.target_root);
  }
  delta::WriteOptions options;
  options.txn_app_id = request.txn_app_id;
  options.txn_version = request.txn_version;
  options.operation = "MERGE";
  options.operation_parameters = {
      {"source", "apply_changes"},
      {"keys", request.keys},
      {"stored_as_scd_type", plan.scd_type},
      {"flow", request.spec.flow_name.value_or(request.entity)},
  };
  delta::CommitResult commit;
  if (keyed || !snapshot) {
    // The merge's new_target holds exactly the new rows of the loaded keys (the loaded target rows
    // were only those keys'): replace the loaded rows by them — leaving alone the rows the batch
    // did not change, so a batch of new keys only is an append-only commit.
    std::vector<std::string> names = plan.column_names();
    if (plan.scd_type == 2) names.insert(names.end(), {"__START_AT", "__END_AT"});
    const std::string cols = column_list(names);
    std::string removed;                          // addresses of the loaded rows that go
    std::string inserts = temps.name("inserts");  // new rows of keys the target does not hold
    std::string changes = temps.name("changes");  // the other new rows
    if (target_rows.empty()) {
      con.execute("CREATE TEMP TABLE " + inserts + " AS " + select);
      con.execute("CREATE TEMP TABLE " + changes + " AS " + select + " WHERE false");
    } else {
      // Identical rows pair up one to one (n-th copy with n-th copy), by every column.
      std::string same;
      for (const auto& n : names) {
        auto q = sql::quote_identifier(n);
        same += "o." + q + " IS NOT DISTINCT FROM n." + q + " AND ";
      }
      same += "o.__dls_n = n.__dls_n";
      const std::string old_n = temps.name("old_numbered");
      const std::string new_n = temps.name("new_numbered");
      con.execute("CREATE TEMP TABLE " + old_n + " AS SELECT " + cols +
                  ", __dls_file, __dls_row, row_number() OVER (PARTITION BY " + cols +
                  " ORDER BY __dls_file, __dls_row) AS __dls_n FROM " + target_rows);
      con.execute("CREATE TEMP TABLE " + new_n + " AS SELECT " + cols +
                  ", row_number() OVER (PARTITION BY " + cols + ") AS __dls_n FROM " +
                  t.new_target);
      removed = temps.name("removed");
      con.execute("CREATE TEMP TABLE " + removed + " AS SELECT o.__dls_file, o.__dls_row FROM " +
                  old_n + " AS o ANTI JOIN " + new_n + " AS n ON " + same);
      const std::string added = temps.name("added");
      con.execute("CREATE TEMP TABLE " + added + " AS SELECT " + column_list(names, "n") +
                  " FROM " + new_n + " AS n ANTI JOIN " + old_n + " AS o ON " + same);
      con.execute("CREATE TEMP TABLE " + inserts + " AS SELECT a.* FROM " + added +
                  " AS a ANTI JOIN " + target_rows + " AS o ON " + keys_match(plan.keys, "a", "o"));
      con.execute("CREATE TEMP TABLE " + changes + " AS SELECT a.* FROM " + added +
                  " AS a SEMI JOIN " + target_rows + " AS o ON " + keys_match(plan.keys, "a", "o"));
    }
    auto rows_in = [&](const std::string& table) {
      return con.query("SELECT count(*) FROM " + table).scalar().as_int();
    };
    const bool has_changes = (!removed.empty() && rows_in(removed) > 0) || rows_in(changes) > 0;
    int64_t read_version = snapshot ? snapshot->version() : 0;
    if (has_changes && rows_in(inserts) > 0) {
      // Inserts first, append-only, so a streaming reader that skips change commits gets them.
      // Its own txn makes it exactly once; on a rerun after it, those rows are unchanged rows.
      delta::WriteOptions insert_options = options;
      if (request.txn_app_id) insert_options.txn_app_id = *request.txn_app_id + "#inserts";
      insert_options.operation_parameters["rows"] = "inserts of new keys";
      delta::RowChange append;
      append.read_version = read_version;
      append.added_rows_sql = "SELECT * FROM " + inserts;
      if (plan.scd_type == 1) append.key_columns = plan.keys;
      read_version = target->replace_rows(con, append, insert_options).commit.version;
      con.execute("DELETE FROM " + inserts);
    }
    delta::RowChange change;
    change.read_version = read_version;
    if (!removed.empty()) change.removed_rows_sql = "SELECT __dls_file, __dls_row FROM " + removed;
    change.added_rows_sql = "SELECT * FROM " + inserts + " UNION ALL SELECT * FROM " + changes;
    // SCD1 keeps one row per key: a replaced row is an update in the change data feed.
    if (plan.scd_type == 1) change.key_columns = plan.keys;
    commit = target->replace_rows(con, change, options).commit;
  } else {
    options.read_version = snapshot->version();
    commit = target->overwrite(con, select, options);
  }
  metrics.skipped = commit.skipped;
  metrics.target_version = commit.version;
  return metrics;
}

}  // namespace dls::pipeline

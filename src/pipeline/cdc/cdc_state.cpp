// The hidden CDC state table of a flow: what the target cannot hold about event order (SCD1:
// latest sequence and tombstone per key, the truncate watermark; SCD2: events not reconstructible
// from the history). Loading recovers from a run killed between the state and target commits and
// garbage-collects tombstones older than the retention; saving stamps new tombstones.
#include <algorithm>
#include <cctype>
#include <optional>

#include <nlohmann/json.hpp>

#include "dls/delta/delta_table.h"
#include "dls/delta/table_scan.h"
#include "dls/delta/transaction.h"
#include "dls/pipeline/event_log.h"
#include "dls/pipeline/table_ownership.h"
#include "dls/sql/quote.h"
#include "pipeline/cdc/cdc_plan.h"

namespace dls::pipeline::cdc {
namespace {

std::vector<Column> state_columns(const CdcPlan& plan) {
  std::vector<Column> out;
  for (const auto& c : plan.columns)
    if (plan.scd_type == 2 ||
        std::find(plan.keys.begin(), plan.keys.end(), c.name) != plan.keys.end())
      out.push_back(c);
  out.push_back({"__dls_seq", plan.sequence_type});
  out.push_back({"__dls_op", "VARCHAR"});
  return out;
}

std::string cast_list(const std::vector<Column>& columns, bool nulls) {
  std::string out;
  for (const auto& c : columns) {
    if (!out.empty()) out += ", ";
    out += "CAST(" + (nulls ? std::string("NULL") : sql::quote_identifier(c.name)) + " AS " +
           c.type + ") AS " + sql::quote_identifier(c.name);
  }
  return out;
}

/// The operation parameter of a state commit holding the batch's clock (ms since the epoch).
constexpr const char* kClockParameter = "cdcClockMs";

/// The clock recorded in the state table's latest commit (the batch being rerun), if any.
std::optional<int64_t> committed_clock(const delta::DeltaTable& table) {
  auto history = table.history(1);
  if (history.empty()) return std::nullopt;
  const auto& params = history.front().operation_parameters;
  if (!params.is_object() || !params.contains(kClockParameter)) return std::nullopt;
  const auto& value = params[kClockParameter];
  try {
    if (value.is_string()) return std::stoll(value.get<std::string>());
    if (value.is_number_integer()) return value.get<int64_t>();
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

/// The active files that may hold a tombstone recorded before `cutoff`: by the time column's
/// statistics (NULL on every non-tombstone row, so its minimum is the oldest tombstone's time).
/// A file without usable statistics is kept; a file whose column is all NULL holds none. The
/// statistics of a file with a deletion vector still count its deleted rows, so such a file may
/// be read again without yielding a tombstone until a rewrite (copy-on-write past a third
/// deleted, or OPTIMIZE) tightens them.
std::vector<delta::AddFile> files_with_expired_tombstones(const delta::Snapshot& snapshot,
                                                          int64_t cutoff) {
  const std::string mode = snapshot.column_mapping_mode();
  const bool physical_is_logical = mode.empty() || mode == "none";
  std::vector<delta::AddFile> out;
  for (const auto& f : snapshot.files()) {
    bool keep = true;
    if (f.stats && physical_is_logical) {
      try {
        auto stats = nlohmann::json::parse(*f.stats);
        const auto* min =
            stats.is_object() && stats.contains("minValues") ? &stats["minValues"] : nullptr;
        const auto* nulls =
            stats.is_object() && stats.contains("nullCount") ? &stats["nullCount"] : nullptr;
        if (min && min->is_object() && min->contains(kTombstoneTimeColumn) &&
            (*min)[kTombstoneTimeColumn].is_number_integer()) {
          keep = (*min)[kTombstoneTimeColumn].get<int64_t>() < cutoff;
        } else if (nulls && nulls->is_object() && nulls->contains(kTombstoneTimeColumn) &&
                   stats.contains("numRecords") &&
                   (*nulls)[kTombstoneTimeColumn] == stats["numRecords"]) {
          keep = false;
        }
      } catch (const std::exception&) {
      }
    }
    if (keep) out.push_back(f);
  }
  return out;
}

/// Adds the tombstone time column to a state table written before it existed (a metadata-only
/// commit; older files read it as NULL). Returns the version of that commit, if it was needed.
std::optional<int64_t> add_tombstone_time_column(delta::DeltaTable& table) {
  delta::Snapshot snap = table.snapshot();
  if (snap.schema().find(kTombstoneTimeColumn)) return std::nullopt;
  delta::Schema next = snap.schema();
  next.fields.push_back(
      delta::StructField{kTombstoneTimeColumn, delta::DataType::from_duckdb("BIGINT"), true});
  delta::Metadata metadata = snap.metadata();
  metadata.schema_string = next.to_json_string();
  delta::Transaction tx(snap);
  tx.set_metadata(metadata);
  tx.mark_read_data();
  tx.set_operation("ADD COLUMNS");
  return tx.commit().version;
}

}  // namespace

std::string empty_state_sql(const CdcPlan& plan) {
  return "SELECT " + cast_list(state_columns(plan), true) + " WHERE false";
}

delta::CreateOptions with_deletion_vectors(delta::CreateOptions options) {
  for (const auto& [key, value] : options.properties) {
    std::string k = key;
    for (char& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (k == "delta.enabledeletionvectors") return options;
  }
  options.properties["delta.enableDeletionVectors"] = "true";
  return options;
}

LoadedState load_state(sql::Connection& con, const CdcPlan& plan,
                       const ApplyChangesRequest& request, const std::string& into,
                       const std::string& keys_table, TempTables& temps) {
  LoadedState loaded;
  loaded.now_ms = request.now_ms ? *request.now_ms : now_ms();
  loaded.tombstone_times = temps.name("tombstone_times");
  const std::string keyed_columns = column_list(plan.keys) + ", __dls_seq, __dls_op";
  auto no_tombstones = [&] {
    con.execute("CREATE TEMP TABLE " + loaded.tombstone_times + " AS SELECT " + keyed_columns +
                ", CAST(NULL AS BIGINT) AS " + sql::quote_identifier(kTombstoneTimeColumn) +
                " FROM " + into + " WHERE false");
  };
  if (!delta::DeltaTable::exists(request.state_root)) {
    con.execute("CREATE TEMP TABLE " + into + " AS " + empty_state_sql(plan));
    no_tombstones();
    return loaded;
  }
  auto table = delta::DeltaTable::open(request.state_root);
  auto snapshot = table.snapshot();
  if (request.txn_app_id && request.txn_version) {
    auto done = snapshot.transaction_version(*request.txn_app_id);
    if (done && *done >= *request.txn_version) {
      // The state of this batch is committed but the target's is not (the target's txn was
      // checked first): compute again from the state before this batch, at its clock.
      if (auto clock = committed_clock(table)) loaded.now_ms = *clock;
      if (snapshot.version() == 0) {
        con.execute("CREATE TEMP TABLE " + into + " AS " + empty_state_sql(plan));
        no_tombstones();
        loaded.version = 0;
        return loaded;
      }
      snapshot = table.snapshot(delta::VersionSpec{snapshot.version() - 1, std::nullopt});
    }
  }
  loaded.version = snapshot.version();
  const bool has_time = snapshot.schema().find(kTombstoneTimeColumn) != nullptr;
  const std::string time_column = sql::quote_identifier(kTombstoneTimeColumn);
  const std::string time_sql = has_time ? time_column : "CAST(NULL AS BIGINT)";
  const int64_t cutoff = loaded.now_ms - request.tombstone_gc_threshold_seconds * 1000;
  const std::string expired_sql = has_time ? "coalesce(__dls_op = 'D' AND " + time_column + " < " +
                                                 std::to_string(cutoff) + ", false)"
                                           : "false";
  const std::string state_cols = cast_list(state_columns(plan), false);
  std::string rows;  // the loaded rows, expired tombstones included
  if (keys_table.empty()) {
    rows = temps.name("state_all");
    delta::TableScan scan(snapshot);
    con.execute("CREATE TEMP TABLE " + rows + " AS SELECT " + state_cols + ", " + time_sql +
                " AS " + time_column + " FROM (" + scan.sql(con) + ") AS __state");
    loaded.expired_count =
        con.query("SELECT count(*) FROM " + rows + " WHERE " + expired_sql).scalar().as_int();
  } else {
    // The keys, and one all-NULL key: the truncate watermark's row (SCD1).
    std::string null_keys;
    for (const auto& k : plan.keys) {
      const auto c = std::find_if(plan.columns.begin(), plan.columns.end(),
                                  [&](const Column& col) { return col.name == k; });
      if (!null_keys.empty()) null_keys += ", ";
      null_keys += "CAST(NULL AS " + (c != plan.columns.end() ? c->type : std::string("VARCHAR")) +
                   ") AS " + sql::quote_identifier(k);
    }
    std::string state_keys = temps.name("state_keys");
    con.execute("CREATE TEMP TABLE " + state_keys + " AS SELECT " + column_list(plan.keys) +
                " FROM " + keys_table + " UNION ALL SELECT " + null_keys);
    loaded.addresses = temps.name("state_rows");
    con.execute("CREATE TEMP TABLE " + loaded.addresses + " AS " +
                delta::TableScan(snapshot).sql_for_keys(con, plan.keys, state_keys));
    rows = temps.name("state_loaded");
    con.execute("CREATE TEMP TABLE " + rows + " AS SELECT " + state_cols + ", " + time_sql +
                " AS " + time_column + " FROM " + loaded.addresses);
    // Expired tombstones of the whole table, reading only the files that may hold one.
    loaded.expired = temps.name("expired");
    std::string expired_rows =
        "SELECT NULL::VARCHAR AS __dls_file, NULL::BIGINT AS __dls_row "
        "WHERE false";
    if (has_time) {
      delta::ScanOptions options;
      options.files = files_with_expired_tombstones(snapshot, cutoff);
      options.with_row_address = true;
      if (!options.files->empty())
        expired_rows = "SELECT __dls_file, __dls_row FROM (" +
                       delta::TableScan(snapshot, options).sql(con) + ") AS __s WHERE " +
                       expired_sql;
    }
    con.execute("CREATE TEMP TABLE " + loaded.expired + " AS " + expired_rows);
    loaded.expired_count = con.query("SELECT count(*) FROM " + loaded.expired).scalar().as_int();
  }
  con.execute("CREATE TEMP TABLE " + into + " AS SELECT " + cast_list(state_columns(plan), false) +
              " FROM " + rows + " WHERE NOT " + expired_sql);
  con.execute("CREATE TEMP TABLE " + loaded.tombstone_times + " AS SELECT " + keyed_columns +
              ", max(" + time_column + ") AS " + time_column + " FROM " + rows +
              " WHERE __dls_op = 'D' AND NOT " + expired_sql + " GROUP BY ALL");
  return loaded;
}

int64_t save_state(sql::Connection& con, const CdcPlan& plan, const ApplyChangesRequest& request,
                   const std::string& new_state, const LoadedState& loaded, TempTables& temps) {
  // Stamp the tombstones: the recorded time of an unchanged one, else the batch's clock.
  const std::string time_column = sql::quote_identifier(kTombstoneTimeColumn);
  std::string on = keys_match(plan.keys, "n", "o") +
                   " AND n.__dls_seq IS NOT DISTINCT FROM o.__dls_seq AND n.__dls_op = o.__dls_op";
  const std::string stamped = temps.name("stamped_state");
  con.execute("CREATE TEMP TABLE " + stamped + " AS SELECT n.*, CASE WHEN n.__dls_op = 'D' THEN " +
              "coalesce(o." + time_column + ", " + std::to_string(loaded.now_ms) + ") END AS " +
              time_column + " FROM " + new_state + " AS n LEFT JOIN " + loaded.tombstone_times +
              " AS o ON " + on);
  std::string select = "SELECT * FROM " + stamped;
  if (!delta::DeltaTable::exists(request.state_root)) {
    delta::CreateOptions options;
    options.comment = "dls apply_changes state" +
                      (request.entity.empty() ? std::string() : " of entity " + request.entity) +
                      " (internal: sequences, tombstones)";
    // The state belongs to the pipeline that owns the target (table_ownership.h).
    if (auto owner = request.create_options.properties.find(kOwnerProperty);
        owner != request.create_options.properties.end()) {
      options.properties[kOwnerProperty] = owner->second;
    }
    delta::DeltaTable::create(request.state_root, schema_of(con, select),
                              with_deletion_vectors(options));
  }
  auto table = delta::DeltaTable::open(request.state_root);
  const std::optional<int64_t> upgraded = add_tombstone_time_column(table);
  delta::WriteOptions options;
  options.txn_app_id = request.txn_app_id;
  options.txn_version = request.txn_version;
  // The clock, for a rerun of this batch (committed_clock).
  options.operation_parameters = {{kClockParameter, std::to_string(loaded.now_ms)},
                                  {"tombstonesRemoved", std::to_string(loaded.expired_count)}};
  if (!loaded.version || !loaded.addresses.empty()) {
    // Row-level: the loaded rows and the expired tombstones go, the new state rows of the loaded
    // keys come — one commit, so a kill leaves either all of it or none.
    options.operation = "MERGE";
    delta::RowChange change;
    // After an upgrade the change is based on it (same files, so the addresses still hold).
    change.read_version = upgraded ? *upgraded : loaded.version.value_or(0);
    if (!loaded.addresses.empty()) {
      change.removed_rows_sql = "SELECT __dls_file, __dls_row FROM " + loaded.addresses +
                                " UNION SELECT __dls_file, __dls_row FROM " + loaded.expired;
    }
    change.added_rows_sql = select;
    table.replace_rows(con, change, options);
    return loaded.expired_count;
  }
  options.operation = "WRITE";
  table.overwrite(con, select, options);
  return loaded.expired_count;
}

}  // namespace dls::pipeline::cdc

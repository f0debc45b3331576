// The hidden CDC state table of a flow: what the target cannot hold about event order (SCD1:
// latest sequence and tombstone per key, the truncate watermark; SCD2: events not reconstructible
// from the history). Loading recovers from a run killed between the state and target commits.
#include <algorithm>
#include <cctype>

#include "dls/delta/delta_table.h"
#include "dls/delta/table_scan.h"
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
  if (!delta::DeltaTable::exists(request.state_root)) {
    con.execute("CREATE TEMP TABLE " + into + " AS " + empty_state_sql(plan));
    return loaded;
  }
  auto table = delta::DeltaTable::open(request.state_root);
  auto snapshot = table.snapshot();
  if (request.txn_app_id && request.txn_version) {
    auto done = snapshot.transaction_version(*request.txn_app_id);
    if (done && *done >= *request.txn_version) {
      // The state of this batch is committed but the target's is not (the target's txn was
      // checked first): compute again from the state before this batch.
      if (snapshot.version() == 0) {
        con.execute("CREATE TEMP TABLE " + into + " AS " + empty_state_sql(plan));
        loaded.version = 0;
        return loaded;
      }
      snapshot = table.snapshot(delta::VersionSpec{snapshot.version() - 1, std::nullopt});
    }
  }
  loaded.version = snapshot.version();
  delta::TableScan scan(snapshot);
  if (keys_table.empty()) {
    con.execute("CREATE TEMP TABLE " + into + " AS SELECT " +
                cast_list(state_columns(plan), false) + " FROM (" + scan.sql(con) + ") AS __state");
    return loaded;
  }
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
              scan.sql_for_keys(con, plan.keys, state_keys));
  con.execute("CREATE TEMP TABLE " + into + " AS SELECT " + cast_list(state_columns(plan), false) +
              " FROM " + loaded.addresses);
  return loaded;
}

void save_state(sql::Connection& con, const ApplyChangesRequest& request,
                const std::string& new_state, const LoadedState& loaded) {
  std::string select = "SELECT * FROM " + new_state;
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
  delta::WriteOptions options;
  options.txn_app_id = request.txn_app_id;
  options.txn_version = request.txn_version;
  auto table = delta::DeltaTable::open(request.state_root);
  if (!loaded.version || !loaded.addresses.empty()) {
    // Row-level: the loaded rows go, the new state rows of those keys come.
    options.operation = "MERGE";
    delta::RowChange change;
    change.read_version = loaded.version.value_or(0);
    if (!loaded.addresses.empty())
      change.removed_rows_sql = "SELECT __dls_file, __dls_row FROM " + loaded.addresses;
    change.added_rows_sql = select;
    table.replace_rows(con, change, options);
    return;
  }
  options.operation = "WRITE";
  table.overwrite(con, select, options);
}

}  // namespace dls::pipeline::cdc

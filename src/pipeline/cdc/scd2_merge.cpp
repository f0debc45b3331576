// SCD type 2: history rows with __START_AT / __END_AT in sequence order (cdc_plan.h).
//
// For every affected key the complete event list is rebuilt — events reconstructed from the
// target's history (an upsert at each __START_AT, a delete at each __END_AT no version starts
// at), the state's residual events, the batch — de-duplicated per (key, sequence) and replayed:
// an upsert opens a version when nothing is open or a tracked column changes, otherwise it updates
// the open version in place; a delete closes it. The residual state is every event the new
// history does not reproduce exactly (deletes that closed nothing, no-op or in-place upserts).
#include "dls/sql/quote.h"
#include "pipeline/cdc/cdc_plan.h"

namespace dls::pipeline::cdc {
namespace {

int64_t count(sql::Connection& con, const std::string& select) {
  return con.query("SELECT count(*) FROM (" + select + ") AS __n").scalar().as_int();
}

bool is_key(const CdcPlan& plan, const std::string& column) {
  return std::find(plan.keys.begin(), plan.keys.end(), column) != plan.keys.end();
}

/// The columns with NULL for every non-key column (a delete event's shape).
std::string delete_values(const CdcPlan& plan, const std::string& alias) {
  std::string out;
  for (const auto& c : plan.columns) {
    if (!out.empty()) out += ", ";
    out += is_key(plan, c.name) ? alias + "." + sql::quote_identifier(c.name)
                                : "CAST(NULL AS " + c.type + ")";
    out += " AS " + sql::quote_identifier(c.name);
  }
  return out;
}

}  // namespace

ApplyChangesMetrics merge_scd2(sql::Connection& con, const CdcPlan& plan, const MergeTables& t,
                               TempTables& temps) {
  const auto names = plan.column_names();
  const auto cols = column_list(names);
  const auto keys = column_list(plan.keys);
  const std::string seq = "CAST(__dls_seq AS " + plan.sequence_type + ")";

  std::string affected = temps.name("keys");
  con.execute("CREATE TEMP TABLE " + affected + " AS SELECT DISTINCT " + keys + " FROM " +
              t.events);
  std::string old_rows = temps.name("old_rows");
  con.execute("CREATE TEMP TABLE " + old_rows + " AS SELECT tg.* FROM " + t.target +
              " AS tg SEMI JOIN " + affected + " AS k ON " + keys_match(plan.keys, "tg", "k"));

  // All events of the affected keys; priority: history 0 < state 1 < batch 2.
  std::string all_events = temps.name("all_events");
  con.execute(
      "CREATE TEMP TABLE " + all_events + " AS SELECT " + cols +
      ", __START_AT AS __dls_seq, 'U' AS __dls_op, 0 AS __dls_prio FROM " + old_rows +
      " UNION ALL SELECT " + delete_values(plan, "o") + ", o.__END_AT, 'D', 0 FROM " + old_rows +
      " AS o ANTI JOIN " + old_rows + " AS o2 ON " + keys_match(plan.keys, "o", "o2") +
      " AND o2.__START_AT = o.__END_AT WHERE o.__END_AT IS NOT NULL" + " UNION ALL SELECT " +
      column_list(names, "s") + ", s.__dls_seq, s.__dls_op, 1 FROM " + t.state +
      " AS s SEMI JOIN " + affected + " AS k ON " + keys_match(plan.keys, "s", "k") +
      " UNION ALL SELECT " + cols + ", " + seq + ", __dls_op, 2 FROM " + t.events);

  // One event per (key, sequence): a delete wins, then the newest source.
  std::string events = temps.name("events");
  con.execute("CREATE TEMP TABLE " + events + " AS SELECT * EXCLUDE (__dls_rk, __dls_prio) FROM " +
              "(SELECT *, row_number() OVER (PARTITION BY " + keys + ", __dls_seq ORDER BY " +
              "(__dls_op = 'D') DESC, __dls_prio DESC) AS __dls_rk FROM " + all_events +
              ") WHERE __dls_rk = 1");

  // Replay. Effective values: an ignore-NULL column takes the last non-NULL value since the
  // key's last delete.
  std::string effective;
  for (const auto& c : plan.columns) {
    auto q = sql::quote_identifier(c.name);
    effective += ", ";
    if (!is_key(plan, c.name) && plan.is_ignore_null(c.name))
      effective += "last_value(" + q + " IGNORE NULLS) OVER (PARTITION BY " + keys +
                   ", __dls_life ORDER BY __dls_ord ROWS BETWEEN UNBOUNDED PRECEDING AND " +
                   "CURRENT ROW) AS " + q;
    else
      effective += q;
  }
  std::string changed = "false";
  std::string previous;
  for (size_t i = 0; i < plan.tracked.size(); ++i) {
    auto q = sql::quote_identifier(plan.tracked[i]);
    previous += ", lag(" + q + ") OVER w AS __dls_prev_" + std::to_string(i);
    changed += " OR " + q + " IS DISTINCT FROM __dls_prev_" + std::to_string(i);
  }
  std::string version_values;
  for (const auto& c : plan.columns) {
    auto q = sql::quote_identifier(c.name);
    version_values += is_key(plan, c.name) ? q : "(arg_max({'v': " + q + "}, __dls_ord)).v AS " + q;
    version_values += ", ";
  }
  std::string history = temps.name("history");
  con.execute(
      "CREATE TEMP TABLE " + history + " AS WITH ordered AS (SELECT *, row_number() OVER " +
      "(PARTITION BY " + keys + " ORDER BY __dls_seq ASC NULLS FIRST) AS __dls_ord FROM " + events +
      "), lives AS (SELECT *, sum(CASE WHEN __dls_op = 'D' THEN 1 ELSE 0 END) OVER " +
      "(PARTITION BY " + keys + " ORDER BY __dls_ord ROWS UNBOUNDED PRECEDING) AS __dls_life " +
      "FROM ordered), eff AS (SELECT __dls_seq, __dls_op, __dls_ord" + effective +
      " FROM lives), prev AS (SELECT *, lag(__dls_op) OVER w AS __dls_prev_op, lead(__dls_seq) " +
      "OVER w AS __dls_next_seq" + previous + " FROM eff WINDOW w AS (PARTITION BY " + keys +
      " ORDER BY __dls_ord)), versions AS (SELECT *, sum(CASE WHEN __dls_op = 'U' AND " +
      "(__dls_prev_op IS NULL OR __dls_prev_op = 'D' OR " + changed + ") THEN 1 ELSE 0 END) " +
      "OVER (PARTITION BY " + keys + " ORDER BY __dls_ord ROWS UNBOUNDED PRECEDING) AS " +
      "__dls_version FROM prev) SELECT " + version_values +
      "(arg_min({'v': __dls_seq}, __dls_ord)).v AS __START_AT, (arg_max({'v': __dls_next_seq}," +
      " __dls_ord)).v AS __END_AT FROM versions WHERE __dls_op = 'U' GROUP BY " + keys +
      ", __dls_version");

  // Residual state: events the new history does not reproduce.
  std::string residual =
      "(SELECT " + cols + ", __dls_seq, 'U' AS __dls_op FROM " + events +
      " WHERE __dls_op = 'U' EXCEPT SELECT " + cols + ", __START_AT, 'U' FROM " + history +
      ") UNION ALL (SELECT " + delete_values(plan, "e") + ", e.__dls_seq, 'D' FROM " + events +
      " AS e WHERE e.__dls_op = 'D' EXCEPT (SELECT " + delete_values(plan, "h") +
      ", h.__END_AT, 'D' FROM " + history + " AS h WHERE h.__END_AT IS NOT NULL EXCEPT SELECT " +
      delete_values(plan, "h") + ", h.__START_AT, 'D' FROM " + history + " AS h))";
  con.execute("CREATE TEMP TABLE " + t.new_state + " AS SELECT s.* FROM " + t.state +
              " AS s ANTI JOIN " + affected + " AS k ON " + keys_match(plan.keys, "s", "k") +
              " UNION ALL " + residual);

  const std::string all = cols + ", __START_AT, __END_AT";
  con.execute("CREATE TEMP TABLE " + t.new_target + " AS SELECT " + all + " FROM (SELECT tg.* " +
              "FROM " + t.target + " AS tg ANTI JOIN " + affected + " AS k ON " +
              keys_match(plan.keys, "tg", "k") + ") AS __kept UNION ALL SELECT " + all + " FROM " +
              history);

  ApplyChangesMetrics m;
  m.num_upserted_rows = count(
      con, "SELECT " + all + " FROM " + history + " EXCEPT SELECT " + all + " FROM " + old_rows);
  m.num_versions_closed = count(con, "SELECT " + keys + ", __START_AT, __END_AT FROM " + history +
                                         " WHERE __END_AT IS NOT NULL EXCEPT SELECT " + keys +
                                         ", __START_AT, __END_AT FROM " + old_rows);
  m.num_deleted_rows =
      count(con, "SELECT " + keys + " FROM " + old_rows + " WHERE __END_AT IS NULL EXCEPT SELECT " +
                     keys + " FROM " + history + " WHERE __END_AT IS NULL");
  return m;
}

}  // namespace dls::pipeline::cdc

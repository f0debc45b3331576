// SCD type 1: the latest event per key by sequence, deletes, sequenced truncates (cdc_plan.h).
//
// Per affected key the events are replayed in sequence order: the target's row (at the key's
// stored sequence; NULL = older than everything), the key's tombstone, the truncates (old
// watermark and new ones, each a delete of every affected key) and the batch's events (those
// older than the key's stored sequence are discarded). The row is the last upsert after the last
// delete; an ignore-NULL column takes the last non-NULL value since then.
#include "dls/sql/quote.h"
#include "pipeline/cdc/cdc_plan.h"

namespace dls::pipeline::cdc {
namespace {

int64_t count(sql::Connection& con, const std::string& select) {
  return con.query("SELECT count(*) FROM (" + select + ") AS __n").scalar().as_int();
}

}  // namespace

ApplyChangesMetrics merge_scd1(sql::Connection& con, const CdcPlan& plan, const MergeTables& t,
                               TempTables& temps) {
  const auto cols = column_list(plan.column_names());
  const auto keys = column_list(plan.keys);
  bool new_truncates = count(con, "SELECT * FROM " + t.truncates) > 0;

  // Affected keys: those of the batch, and every key of the target when the batch truncates.
  std::string affected = temps.name("keys");
  con.execute("CREATE TEMP TABLE " + affected + " AS SELECT DISTINCT " + keys + " FROM " +
              t.events +
              (new_truncates ? " UNION SELECT " + keys + " FROM " + t.target : std::string()));
  std::string old_rows = temps.name("old_rows");
  con.execute("CREATE TEMP TABLE " + old_rows + " AS SELECT tg.* FROM " + t.target +
              " AS tg SEMI JOIN " + affected + " AS k ON " + keys_match(plan.keys, "tg", "k"));

  // The affected keys' values with NULL for every non-key column (a delete event's shape).
  auto delete_values = [&](const std::string& alias) {
    std::string out;
    for (const auto& c : plan.columns) {
      if (!out.empty()) out += ", ";
      bool is_key = std::find(plan.keys.begin(), plan.keys.end(), c.name) != plan.keys.end();
      out += is_key ? alias + "." + sql::quote_identifier(c.name) : "CAST(NULL AS " + c.type + ")";
      out += " AS " + sql::quote_identifier(c.name);
    }
    return out;
  };
  const std::string seq_type = plan.sequence_type;
  std::string events = temps.name("replay");
  con.execute(
      "CREATE TEMP TABLE " + events + " AS " +
      // the target's rows, at the sequence the state knows (NULL: older than any event)
      "SELECT " + column_list(plan.column_names(), "tg") + ", s.__dls_seq, 0 AS __dls_prio FROM " +
      old_rows + " AS tg LEFT JOIN (SELECT * FROM " + t.state + " WHERE __dls_op = 'U') AS s ON " +
      keys_match(plan.keys, "tg", "s") +
      // tombstones
      " UNION ALL SELECT " + delete_values("s") + ", s.__dls_seq, 2 FROM " + t.state +
      " AS s SEMI JOIN " + affected + " AS k ON " + keys_match(plan.keys, "s", "k") +
      " WHERE s.__dls_op = 'D'" +
      // truncates, old (the watermark) and new: a delete of every affected key
      " UNION ALL SELECT " + delete_values("k") + ", w.__dls_seq, 2 FROM " + affected +
      " AS k CROSS JOIN (SELECT __dls_seq FROM " + t.state +
      " WHERE __dls_op = 'T' UNION SELECT CAST(__dls_seq AS " + seq_type + ") FROM " + t.truncates +
      ") AS w" +
      // the batch, minus events older than what the key already has
      " UNION ALL SELECT " + column_list(plan.column_names(), "e") +
      ", e.__dls_seq, CASE WHEN e.__dls_op = 'D' THEN 2 ELSE 1 END FROM " + t.events +
      " AS e LEFT JOIN (SELECT * FROM " + t.state + " WHERE __dls_op = 'U') AS s ON " +
      keys_match(plan.keys, "e", "s") + " WHERE s.__dls_seq IS NULL OR e.__dls_seq >= s.__dls_seq");

  // Replay order: sequence (unknown first), then at equal sequence target < batch < delete.
  std::string ordered = temps.name("ordered");
  con.execute("CREATE TEMP TABLE " + ordered + " AS SELECT *, max(CASE WHEN __dls_prio = 2 THEN " +
              "__dls_ord END) OVER (PARTITION BY " + keys + ") AS __dls_last_delete FROM (" +
              "SELECT *, row_number() OVER (PARTITION BY " + keys +
              " ORDER BY __dls_seq ASC NULLS FIRST, __dls_prio) AS __dls_ord FROM " + events +
              ") AS __r");

  std::string values;
  for (const auto& c : plan.columns) {
    auto q = sql::quote_identifier(c.name);
    if (!values.empty()) values += ", ";
    if (std::find(plan.keys.begin(), plan.keys.end(), c.name) != plan.keys.end())
      values += q;
    else if (plan.is_ignore_null(c.name))
      values += "arg_max(" + q + ", __dls_ord) FILTER (WHERE " + q + " IS NOT NULL) AS " + q;
    else
      values += "(arg_max({'v': " + q + "}, __dls_ord)).v AS " + q;
  }
  std::string rows = temps.name("rows");
  con.execute("CREATE TEMP TABLE " + rows + " AS SELECT " + values + " FROM " + ordered +
              " WHERE __dls_ord > coalesce(__dls_last_delete, 0) GROUP BY " + keys);

  // The new state: per key the last event's sequence and kind; the truncate watermark.
  std::string watermark = "(SELECT max(__dls_seq) FROM (SELECT __dls_seq FROM " + t.state +
                          " WHERE __dls_op = 'T' UNION ALL SELECT CAST(__dls_seq AS " + seq_type +
                          ") FROM " + t.truncates + ") AS __w)";
  std::string key_state =
      "SELECT " + keys +
      ", (arg_max({'v': __dls_seq}, __dls_ord)).v AS __dls_seq, CASE WHEN arg_max(__dls_prio, "
      "__dls_ord) = 2 THEN 'D' ELSE 'U' END AS __dls_op FROM " +
      ordered + " GROUP BY " + keys;
  std::string kept_state = "SELECT s.* FROM " + t.state + " AS s ANTI JOIN " + affected +
                           " AS k ON " + keys_match(plan.keys, "s", "k") +
                           " WHERE s.__dls_op <> 'T'";
  std::string null_keys;
  for (const auto& c : plan.columns)
    if (std::find(plan.keys.begin(), plan.keys.end(), c.name) != plan.keys.end())
      null_keys += "CAST(NULL AS " + c.type + ") AS " + sql::quote_identifier(c.name) + ", ";
  con.execute("CREATE TEMP TABLE " + t.new_state + " AS SELECT * FROM (" + kept_state +
              " UNION ALL " + key_state + ") AS __s WHERE __dls_seq IS NOT NULL AND NOT (" +
              "__dls_op = 'D' AND coalesce(__dls_seq <= " + watermark +
              ", false)) UNION ALL SELECT " + null_keys + "w AS __dls_seq, 'T' AS __dls_op FROM " +
              "(SELECT " + watermark + " AS w) WHERE w IS NOT NULL");

  con.execute("CREATE TEMP TABLE " + t.new_target + " AS SELECT " + cols + " FROM (SELECT tg.* " +
              "FROM " + t.target + " AS tg ANTI JOIN " + affected + " AS k ON " +
              keys_match(plan.keys, "tg", "k") + ") AS __kept UNION ALL SELECT " + cols + " FROM " +
              rows);

  ApplyChangesMetrics m;
  m.num_upserted_rows = count(
      con, "SELECT " + cols + " FROM " + rows + " EXCEPT SELECT " + cols + " FROM " + old_rows);
  m.num_deleted_rows = count(con, "SELECT o.* FROM " + old_rows + " AS o ANTI JOIN " + rows +
                                      " AS r ON " + keys_match(plan.keys, "o", "r"));
  return m;
}

}  // namespace dls::pipeline::cdc

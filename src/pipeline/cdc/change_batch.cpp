// Materializing a batch of change events: projection, `where`, classification (upsert / delete /
// truncate), NULL-sequence check and de-duplication of (keys, sequence) (cdc_plan.h).
#include <algorithm>

#include "dls/core/error.h"
#include "dls/sql/quote.h"
#include "pipeline/cdc/cdc_plan.h"

namespace dls::pipeline::cdc {

int64_t load_change_batch(sql::Connection& con, CdcPlan& plan, const std::string& changes_sql,
                          const std::string& events, const std::string& truncates) {
  TempTables temps(con);
  std::string raw = temps.name("raw");

  std::string select;
  for (const auto& c : plan.columns) {
    bool missing = std::find(plan.missing_in_batch.begin(), plan.missing_in_batch.end(), c.name) !=
                   plan.missing_in_batch.end();
    select += missing ? "CAST(NULL AS " + c.type + ")" : "__src." + sql::quote_identifier(c.name);
    select += " AS " + sql::quote_identifier(c.name) + ", ";
  }
  select += "(" + plan.sequence_sql + ") AS __dls_seq, CASE";
  if (!plan.truncate_sql.empty())
    select += " WHEN coalesce((" + plan.truncate_sql + "), false) THEN 'T'";
  if (!plan.delete_sql.empty())
    select += " WHEN coalesce((" + plan.delete_sql + "), false) THEN 'D'";
  select += " ELSE 'U' END AS __dls_op";
  std::string sql =
      "CREATE TEMP TABLE " + raw + " AS SELECT " + select + " FROM (" + changes_sql + ") AS __src";
  if (!plan.where_sql.empty()) sql += " WHERE (" + plan.where_sql + ")";
  con.execute(sql);

  int64_t rows = con.query("SELECT count(*) FROM " + raw).scalar().as_int();
  int64_t null_seq =
      con.query("SELECT count(*) FROM " + raw + " WHERE __dls_seq IS NULL").scalar().as_int();
  if (null_seq > 0)
    throw Error(entity_prefix(plan.entity) + "apply_changes: " + std::to_string(null_seq) +
                " change event(s) have a NULL sequence_by value; NULL sequencing values are "
                "not supported (Databricks: one distinct update per key at each sequence "
                "value, never NULL) — filter them out with `where` or fix the feed");
  plan.sequence_type = describe(con, "SELECT __dls_seq FROM " + raw).at(0).type;

  // One event per (keys, sequence): a delete wins; between upserts, the smallest row in a fixed
  // column-by-column order — deterministic whatever the input order.
  std::string order = "(__dls_op = 'D') DESC";
  for (const auto& c : plan.columns) order += ", " + sql::quote_identifier(c.name) + " NULLS LAST";
  con.execute("CREATE TEMP TABLE " + events + " AS SELECT * EXCLUDE (__dls_rk) FROM (SELECT *, " +
              "row_number() OVER (PARTITION BY " + column_list(plan.keys) +
              ", __dls_seq ORDER BY " + order + ") AS __dls_rk FROM " + raw +
              " WHERE __dls_op <> 'T') WHERE __dls_rk = 1");
  con.execute("CREATE TEMP TABLE " + truncates + " AS SELECT DISTINCT __dls_seq FROM " + raw +
              " WHERE __dls_op = 'T'");
  return rows;
}

}  // namespace dls::pipeline::cdc

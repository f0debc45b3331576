// Expectations (DESIGN §7): an entity's data-quality rules compiled to DuckDB SQL and evaluated on
// one batch of rows.
//
// Semantics, per rule:
//   expect_all          (warn)  failing rows are kept and counted; with is_quarantined they go to
//                               `<destination>_invalid` instead of `<destination>`;
//   expect_all_or_drop  (drop)  failing rows are removed and counted as dropped;
//   expect_all_or_fail  (fail)  one failing row fails the dataset's update, nothing is committed.
// A rule whose expression evaluates to NULL counts as FAILED (as the SQL CHECK-constraint reading
// "the row must satisfy it" — `coalesce(expr, false)`), for every action.
// Passed/failed counts are per rule over every input row of the batch (a row can fail several).
// Output rows: rows passing every drop rule; with quarantine, of those, rows passing every warn
// rule go to the destination and the others to the quarantine table, so valid + invalid + dropped
// is exactly the input and valid and invalid are disjoint.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dls/core/entity.h"
#include "dls/sql/connection.h"

namespace dls::pipeline {

enum class ExpectationAction { kWarn, kDrop, kFail };

/// "warn", "drop" or "fail".
std::string to_string(ExpectationAction action);

struct Expectation {
  std::string name;
  std::string spark_sql;   // as written in the metadata
  std::string duckdb_sql;  // translated (DESIGN §6)
  ExpectationAction action = ExpectationAction::kWarn;
};

/// Per-rule counts of one dataset's update (summed over its batches).
struct ExpectationMetrics {
  std::string name;
  std::string dataset;
  ExpectationAction action = ExpectationAction::kWarn;
  int64_t passed_records = 0;
  int64_t failed_records = 0;
};

/// The result of evaluating the rules on a batch held in a table.
struct EvaluatedBatch {
  int64_t input_rows = 0;
  int64_t dropped_rows = 0;                 // failed at least one drop rule
  int64_t output_rows = 0;                  // go to the destination
  int64_t quarantined_rows = 0;             // go to <destination>_invalid (quarantine only)
  std::vector<ExpectationMetrics> metrics;  // one per rule, in rules() order
  /// Set when a fail rule failed: names the rule, its expression and an example row (JSON).
  std::optional<std::string> failure;
};

/// The compiled rules of one entity. Immutable; safe to share between threads.
class ExpectationSet {
 public:
  /// Translates every rule. Throws InvalidMetadataError naming the entity, the rule and the
  /// expression when a rule cannot be translated. is_quarantined without expect_all rules is
  /// allowed and keeps every row (no quarantine table is written).
  static ExpectationSet compile(const DeltaLiveEntity& entity);

  const std::vector<Expectation>& rules() const { return rules_; }
  bool empty() const { return rules_.empty(); }
  /// is_quarantined with at least one expect_all rule: the batch is split in two tables.
  bool quarantine() const { return quarantine_; }

  /// Checks, before any row is read, that every rule binds on the rows of `input_sql` (runs a
  /// DESCRIBE on `con`). Throws InvalidMetadataError naming, for every rule that does not, the
  /// entity, the rule, its action, the expression as written and what is wrong in the user's terms
  /// ("column `idd` does not exist; available columns: id, amount").
  void check_binds(sql::Connection& con, const std::string& input_sql) const;

  /// SELECT * of `input_sql` plus one BOOLEAN column `__dls_ok_<i>` per rule (NULL → false).
  std::string annotate_sql(const std::string& input_sql) const;
  /// Counts the rules on `annotated_table` (a table made from annotate_sql). `dataset` goes into
  /// the metrics and the failure message. Runs one aggregate query (plus one to fetch an example
  /// row when a fail rule failed).
  EvaluatedBatch evaluate(sql::Connection& con, const std::string& annotated_table,
                          const std::string& dataset) const;
  /// The rows for the destination / the quarantine table (with `_errors VARCHAR[]` naming the
  /// failed warn rules), without the `__dls_ok_*` columns.
  std::string valid_rows_sql(const std::string& annotated_table) const;
  std::string invalid_rows_sql(const std::string& annotated_table) const;

 private:
  std::string exclude_list() const;
  std::string passes(ExpectationAction action) const;  // "TRUE" when no rule of that action

  std::string entity_id_;
  std::vector<Expectation> rules_;
  bool quarantine_ = false;
};

}  // namespace dls::pipeline

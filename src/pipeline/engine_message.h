// The local engine's (DuckDB's) errors about a user's expression, in the user's terms.
//
// DuckDB reports a bad column in a select_expr or an expectation against the SQL dls generated
// around it: `Binder Error: Referenced column "idd" not found in FROM clause! Candidate bindings:
// "__dls_t4_0.id" ... LINE 1: DESCRIBE SELECT ...`, with advice about SQL the user never wrote
// (COLUMNS(*), "Did you mean sqlite_temp_master"). explain_engine_error keeps what concerns the
// expression — the missing column or table, or the first sentence of the engine's message — and
// drops the generated SQL, dls's internal names (`__dls_*`) and the engine's advice; callers add
// the entity, the field or rule, the user's expression and the columns that do exist.
// Pure, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dls::pipeline {

struct EngineProblem {
  std::optional<std::string> missing_column;  ///< "idd" for a column that does not exist
  std::optional<std::string> missing_table;   ///< "t" for `t.x` where no `t` is in scope
  std::string detail;  ///< one sentence without generated SQL, internal names or advice
};

EngineProblem explain_engine_error(std::string_view message);

/// "column `idd` does not exist; available columns: id, amount" and the like, from `problem`
/// and the columns of the rows the expression is evaluated on.
std::string describe_engine_problem(const EngineProblem& problem,
                                    const std::vector<std::string>& available_columns);

}  // namespace dls::pipeline

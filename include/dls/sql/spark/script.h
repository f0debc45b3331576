// Spark SQL scripts: several statements separated by ';', run one after another in one session, as
// `dls query --dialect spark` and Spark's own SQL test files do.
//
// A session keeps what earlier statements made: `SET key=value` (recorded and echoed, the local
// engine's semantics do not change with it), `CREATE [OR REPLACE] TEMPORARY VIEW name [(cols)] AS
// query`, `CREATE TABLE name (cols) [USING fmt]` / `CREATE TABLE name [USING fmt] AS query` (a
// temporary table that lives as long as the session: scripts never create warehouse tables),
// `INSERT INTO name [(cols)] VALUES ... | query`, `DROP VIEW|TABLE [IF EXISTS] name`, and queries.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "dls/sql/connection.h"
#include "dls/sql/spark/printer.h"
#include "dls/sql/spark/renderer.h"

namespace dls::sql::spark {

/// One statement of a script and the byte offset where it starts (for error positions).
struct ScriptStatement {
  std::string text;
  size_t offset = 0;
};

/// Splits `script` at the ';' that end statements: not inside quotes, backticks, comments or
/// brackets. Empty statements (only whitespace and comments) are dropped.
std::vector<ScriptStatement> split_script(std::string_view script);

/// What one statement gave.
struct StatementResult {
  enum class Kind { kQuery, kSet, kCommand };
  Kind kind = Kind::kCommand;
  RenderedResult result;  // kQuery and kSet
  bool ordered = false;   // a query with a top-level ORDER BY: its row order is meaningful
};

/// A Spark SQL session on one DuckDB connection. Not thread-safe (as the connection).
class SparkSession {
 public:
  /// Rewrites the DuckDB SQL of every statement before it runs (e.g. the warehouse's table names).
  using SqlHook = std::function<std::string(const std::string&)>;

  /// `options.resolve_table` resolves names that are not the session's own views and tables.
  explicit SparkSession(Connection& con, TranslateOptions options = {}, SqlHook rewrite = {});

  /// True when `statement` is a query (not SET or a command).
  static bool is_query(std::string_view statement);

  /// The DuckDB SQL a query statement runs, without running it.
  std::string query_sql(std::string_view statement) const;

  /// Runs one statement (no trailing ';' needed). Throws the dialect's errors for text it cannot
  /// translate and SqlError when DuckDB fails.
  StatementResult execute(std::string_view statement);

  /// The values recorded by SET.
  const std::map<std::string, std::string>& conf() const { return conf_; }

 private:
  std::string resolve(const std::vector<std::string>& name) const;
  std::string translate(std::string_view query) const;
  void refresh_column_types();
  void run(const std::string& duckdb_sql);

  Connection& con_;
  TranslateOptions base_;
  SqlHook rewrite_;
  std::set<std::string> own_names_;  // lower-case names of the session's views and tables
  std::map<std::string, std::string> conf_;
  std::map<std::string, SparkType> column_types_;  // lower-case column name -> type
};

}  // namespace dls::sql::spark

// DuckDB SQL printer: turns a parsed Spark SQL expression or query into DuckDB SQL with Spark's
// meaning (DESIGN §6).
//
// The printer infers Spark types statically where it can (literals, casts, known function results,
// columns whose type the caller supplies through TranslateOptions::column_type) because several
// Spark constructs translate differently per type (arr[0] vs map['k'], size of an array or a map,
// reverse of a string or an array, ...). When a type is unknown the printer assumes the common case
// documented in docs/spark-sql.md. Anything it cannot translate faithfully throws
// UnsupportedSparkFunctionError / UnsupportedSparkSyntaxError; it never emits SQL with a different
// meaning.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dls/sql/spark/ast.h"
#include "dls/sql/spark/spark_type.h"

namespace dls::sql::spark {

/// A translated expression: DuckDB SQL text and its inferred Spark type (kUnknown if not known).
struct TypedSql {
  std::string sql;
  SparkType type;
};

struct TranslateOptions {
  /// The Spark type of a column path (["a"] or ["t", "a"]), or nullopt when unknown.
  std::function<std::optional<SparkType>(const std::vector<std::string>& path)> column_type;
  /// DuckDB SQL for a table name in FROM (["catalog","schema","table"] parts); by default the parts
  /// are quoted as DuckDB identifiers and joined with '.'. A parenthesized relation (a scan's
  /// SELECT) is aliased with the name's last part unless the query gives an alias, so that
  /// `table.column` references keep working.
  std::function<std::string(const std::vector<std::string>& name)> resolve_table;
  /// What input_file_name() becomes: by default the `_metadata.file_path` column that the pipeline
  /// engine provides for file sources.
  std::string input_file_name_sql = "\"_metadata\".\"file_path\"";
};

class Printer {
 public:
  /// `input` is the original Spark text, used for error positions.
  Printer(std::string_view input, TranslateOptions options = {});

  TypedSql expr(const Expr& e);
  std::string query(const Query& q);

  /// Translates a lambda argument for a higher-order function. `param_types` are the Spark types of
  /// the parameters; `index_param` (if >= 0) is the position of a parameter that Spark numbers from
  /// 0 and DuckDB from 1 (it is rewritten to `p - 1` inside the body). Returns "lambda a, b: body".
  TypedSql lambda(const Expr& e, const std::vector<SparkType>& param_types, int index_param = -1,
                  size_t max_params = 3);

  /// Translates the body of lambda `e` with its parameters bound to already-translated SQL (used to
  /// apply a lambda to a value, e.g. aggregate's finish function).
  TypedSql inline_lambda(const Expr& e, const std::vector<TypedSql>& args);
  /// A binary operator applied to translated operands, as for a kBinaryOp node. `right` (optional)
  /// is the parsed right operand (a non-zero literal divisor needs no zero check).
  TypedSql apply_operator(const std::string& op, const TypedSql& l, const TypedSql& r,
                          const Expr* right, size_t position);

  /// A fresh identifier for generated lambdas (`_s1`, `_s2`, ...).
  std::string fresh_name();
  /// Whether the expression being translated is inside a lambda's body (its parameters are in
  /// scope).
  bool inside_lambda() const { return !scopes_.empty(); }

  [[noreturn]] void fail_unsupported_function(const std::string& name, size_t position,
                                              const std::string& reason = "") const;
  [[noreturn]] void fail_syntax(const std::string& what, size_t position) const;
  [[noreturn]] void fail_unsupported(const std::string& what, size_t position) const;

  const TranslateOptions& options() const { return options_; }
  std::string_view input() const { return input_; }

 private:
  TypedSql literal_number(const Expr& e);
  TypedSql binary(const Expr& e);
  TypedSql function(const Expr& e);
  TypedSql subscript(const Expr& e);
  // CAST/TRY_CAST (`fn`) of `a` to an integral type with Spark's rules: fractions truncate toward
  // zero (DuckDB rounds), and a STRING must be an integer literal (ANSI mode).
  TypedSql integral_cast(const std::string& fn, const TypedSql& a, const SparkType& to);
  std::string table_ref(const TableRef& r);
  std::string table_ref_core(const TableRef& r);
  std::string table_alias_sql(const TableRef& r, const std::string& fallback_alias);
  std::string pivot_sql(const std::string& input, const TableRef& r);
  std::string pivot_by_filters(const std::string& input, const TableRef& r);
  std::string window_sql(const WindowSpec& w);
  std::string order_items_sql(const std::vector<OrderItem>& items);
  // A generator (explode, posexplode, inline, stack, ...) as a DuckDB lateral subquery.
  std::string lateral_view_sql(const Expr& generator, bool outer,
                               const std::vector<std::string>& column_aliases,
                               const std::string& alias);
  // `call` with FILTER (WHERE ...), IGNORE NULLS and OVER (...) applied to its translation.
  TypedSql decorate_call(const Expr& e, TypedSql call, bool window_function);
  std::string frame_offset(const WindowSpec& w, const FrameBound& b);

  std::string_view input_;
  TranslateOptions options_;
  std::map<std::string, SparkType> inline_column_types_;  // lower-case column of a VALUES table
  struct Binding {
    std::string sql;
    SparkType type;
  };
  std::vector<std::map<std::string, Binding>> scopes_;
  int counter_ = 0;
};

}  // namespace dls::sql::spark

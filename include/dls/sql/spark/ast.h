// The syntax tree of a Spark SQL expression or simple query, as produced by the parser.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dls/sql/spark/spark_type.h"

namespace dls::sql::spark {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;
struct WindowSpec;

/// One expression node. Which members are meaningful depends on `kind` (see each enumerator).
struct Expr {
  enum class Kind {
    kNull,            // NULL
    kBool,            // text: "true" / "false"
    kNumber,          // text: as written, with Spark suffix (10L, 2.5BD, 1e3, 1.5D)
    kString,          // text: the string's value
    kBinary,          // text: hex digits
    kTypedLiteral,    // DATE/TIMESTAMP/TIMESTAMP_NTZ/TIME 'text': type, text
    kInterval,        // interval literal: months, days, micros; type is the interval kind
    kColumn,          // names: a[.b[.c]] (a column, possibly qualified, or struct field path)
    kStar,            // * or t.*: names holds the qualifier (may be empty)
    kUnary,           // op ("-", "+", "NOT", "~"), args[0]
    kBinaryOp,        // op ("+","-","*","/","%","DIV","||","=","==","!=","<>","<","<=",">",">=",
                      //     "<=>","AND","OR","&","|","^"), args[0], args[1]
    kFunction,        // name (lower case), args; distinct (count(DISTINCT x)); star (count(*))
    kCast,            // args[0] AS type; op "CAST", "TRY_CAST" or "::"
    kCase,            // args: [operand?] when, then, when, then, ..., [else]; has_operand, has_else
    kIn,              // args[0] IN (args[1..]) or IN (query); negated
    kBetween,         // args[0] BETWEEN args[1] AND args[2]; negated
    kLike,            // op "LIKE"/"ILIKE"/"RLIKE"; args[0], args[1], [escape args[2]]; negated
    kIsNull,          // args[0] IS [NOT] NULL; negated
    kIsBool,          // args[0] IS [NOT] TRUE/FALSE; text "true"/"false"; negated
    kSubscript,       // args[0][args[1]]
    kField,           // args[0].name (field of a non-column expression, e.g. f(x).a)
    kLambda,          // names: parameters; args[0]: body
    kExtract,         // EXTRACT(text FROM args[0])
    kScalarSubquery,  // (SELECT ...): query; op "EXISTS" for EXISTS (SELECT ...)
  };

  Kind kind;
  size_t position = 0;  // byte offset of the node's first token in the input
  std::string text;
  std::string op;
  std::string name;
  std::vector<std::string> names;
  std::vector<ExprPtr> args;
  SparkType type;
  long long months = 0, days = 0, micros = 0;  // kInterval
  bool negated = false;
  bool distinct = false;
  bool star = false;
  // kFunction used as a window function: `fn(...) [IGNORE NULLS] OVER (...)` or `OVER name`.
  std::shared_ptr<WindowSpec> window;
  bool ignore_nulls = false;
  ExprPtr filter;  // kFunction: aggregate `FILTER (WHERE filter)`
  bool has_operand = false;
  bool has_else = false;
  std::shared_ptr<struct Query> query;  // kScalarSubquery

  explicit Expr(Kind k, size_t pos = 0) : kind(k), position(pos) {}
};

/// One item of a FROM clause: a table name, a parenthesized subquery or a join of two items.
struct TableRef {
  enum class Kind { kTable, kSubquery, kJoin, kFunction, kValues };
  Kind kind = Kind::kTable;
  size_t position = 0;
  std::vector<std::string> names;  // kTable: catalog.schema.table parts
  std::string alias;
  std::vector<std::string> column_aliases;  // `AS t(a, b)`
  std::shared_ptr<Query> subquery;          // kSubquery
  std::vector<std::vector<ExprPtr>> rows;   // kValues: an inline table VALUES (..), (..)
  std::shared_ptr<struct Pivot> pivot;      // `<ref> PIVOT (...)`, applied to this item
  std::string pivot_alias;                  // `<ref> PIVOT (...) alias`
  ExprPtr function;  // kFunction (table-valued function call, e.g. range(10))
  // kJoin
  std::string join_type;  // "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "LEFT SEMI", "LEFT ANTI"
  std::unique_ptr<TableRef> left, right;
  ExprPtr on;
  std::vector<std::string> using_columns;
  bool natural = false;
};

struct SelectItem {
  ExprPtr expr;
  std::string alias;                        // empty when none
  std::vector<std::string> column_aliases;  // a generator's `AS (a, b)`
};

struct OrderItem {
  ExprPtr expr;
  bool descending = false;
  std::optional<bool> nulls_first;
};

/// One frame bound of a window: UNBOUNDED PRECEDING/FOLLOWING, CURRENT ROW or `offset`
/// PRECEDING/FOLLOWING.
struct FrameBound {
  enum class Kind { kUnboundedPreceding, kPreceding, kCurrentRow, kFollowing, kUnboundedFollowing };
  Kind kind = Kind::kCurrentRow;
  ExprPtr offset;
};

/// OVER (PARTITION BY ... ORDER BY ... frame), or a reference to a named window (`OVER w`).
struct WindowSpec {
  std::string name;  // `OVER w` / `OVER (w ...)`: the WINDOW clause's name
  std::vector<ExprPtr> partition_by;
  std::vector<OrderItem> order_by;
  std::string frame_unit;  // "", "ROWS" or "RANGE"
  FrameBound frame_start, frame_end;
  size_t position = 0;
};

/// `LATERAL VIEW [OUTER] generator(args) alias [AS col, ...]`.
struct LateralView {
  ExprPtr generator;  // kFunction: explode, explode_outer, posexplode, inline, stack, ...
  bool outer = false;
  std::string alias;
  std::vector<std::string> column_aliases;
  size_t position = 0;
};

/// `PIVOT (agg [AS alias], ... FOR column IN (value [AS alias], ...))`.
struct Pivot {
  std::vector<SelectItem> aggregates;
  std::vector<ExprPtr> for_columns;  // one column, or `(a, b)`
  std::vector<SelectItem> values;    // a value or a tuple `(x, y)` (kFunction "struct")
  size_t position = 0;
};

/// SELECT [DISTINCT] items [FROM ...] [WHERE] [GROUP BY] [HAVING] [ORDER BY] [LIMIT [OFFSET]],
/// possibly combined with UNION [ALL] / EXCEPT / INTERSECT and preceded by WITH.
struct Query {
  std::vector<std::pair<std::string, std::shared_ptr<Query>>> with;
  std::vector<std::vector<std::string>> with_columns;  // per `with` entry: `name(a, b) AS (...)`
  bool distinct = false;
  std::vector<SelectItem> items;
  std::vector<TableRef> from;  // comma-separated items
  std::vector<LateralView> lateral_views;
  ExprPtr where;
  std::vector<ExprPtr> group_by;
  bool group_by_all = false;
  std::string grouping;  // "", "ROLLUP", "CUBE": GROUP BY ... WITH ROLLUP/CUBE or ROLLUP(...)
  std::vector<std::pair<std::string, std::shared_ptr<WindowSpec>>> named_windows;
  ExprPtr having;
  std::vector<OrderItem> order_by;
  ExprPtr limit;
  ExprPtr offset;
  std::string set_op;  // "UNION", "UNION ALL", "EXCEPT", "INTERSECT" joining `next`
  std::shared_ptr<Query> next;
};

}  // namespace dls::sql::spark

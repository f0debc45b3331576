// The Spark function library of the local engine: Spark function name -> DuckDB translation.
//
// Each entry checks its argument count and rewrites a call, with its arguments already translated,
// into DuckDB SQL (a rename, a template or custom C++). A name that is not in the registry is not
// supported by the local engine: the printer throws UnsupportedSparkFunctionError naming it. The
// registry is immutable after construction and safe to share between threads.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "dls/sql/spark/ast.h"
#include "dls/sql/spark/printer.h"

namespace dls::sql::spark {

/// What a rewrite sees: the call, its translated arguments and the printer (for lambdas and
/// errors).
class CallContext {
 public:
  CallContext(Printer& printer, const Expr& call, std::vector<TypedSql> args)
      : printer_(printer), call_(call), args_(std::move(args)) {}

  size_t size() const { return args_.size(); }
  /// The translated i-th argument (lambda arguments are left untranslated: sql is empty).
  const TypedSql& arg(size_t i) const { return args_.at(i); }
  const std::string& sql(size_t i) const { return args_.at(i).sql; }
  const SparkType& type(size_t i) const { return args_.at(i).type; }
  /// The i-th argument as parsed.
  const Expr& raw(size_t i) const { return *call_.args.at(i); }
  const Expr& call() const { return call_; }
  Printer& printer() { return printer_; }
  /// All arguments from `from` on, comma-separated.
  std::string joined(size_t from = 0) const;
  /// The literal string value of argument i, or nullopt when it is not a string literal.
  std::optional<std::string> literal_string(size_t i) const;
  /// The literal integer value of argument i, or nullopt when it is not an integer literal.
  std::optional<long long> literal_int(size_t i) const;

  [[noreturn]] void unsupported(const std::string& reason) const {
    printer_.fail_unsupported_function(call_.name, call_.position, reason);
  }

 private:
  Printer& printer_;
  const Expr& call_;
  std::vector<TypedSql> args_;
};

using Rewrite = std::function<TypedSql(CallContext&)>;

struct SparkFunction {
  std::string name;  // lower case
  int min_args = 0;
  int max_args = 0;      // -1: any number
  std::string category;  // string, conditional, predicate, math, datetime, array, map, struct,
                         // higher_order, json, hash, url, cast, aggregate, misc
  Rewrite rewrite;
  std::string notes;  // deviations from Spark worth documenting
};

/// An operator or special form that the parser and printer translate (not a registry call), named
/// as in Spark's function list ("<=>", "and", "between", "case", "cast", "div", "extract", ...).
struct SparkOperator {
  std::string name;    // Spark's name for it
  std::string syntax;  // how it is written, e.g. "a <=> b"
  std::string notes;   // its Spark semantics worth stating / deviations
};

/// Every supported operator and special form, sorted by name. Together with
/// FunctionRegistry::all() this is the supported list that docs/spark-sql.md documents.
const std::vector<SparkOperator>& supported_operators();

class FunctionRegistry {
 public:
  /// The registry with every supported function.
  static const FunctionRegistry& instance();

  void add(SparkFunction f);
  /// The entry for a lower-case name, or nullptr.
  const SparkFunction* find(const std::string& name) const;
  /// Every entry, sorted by name.
  std::vector<const SparkFunction*> all() const;
  /// Why a known Spark function is unsupported (empty when the name is not a known Spark function).
  std::string unsupported_reason(const std::string& name) const;
  void add_unsupported(const std::string& name, const std::string& reason);
  /// Every known-but-unsupported Spark function with the reason, sorted by name.
  const std::map<std::string, std::string>& unsupported() const { return unsupported_; }

 private:
  std::map<std::string, SparkFunction> functions_;
  std::map<std::string, std::string> unsupported_;
};

}  // namespace dls::sql::spark

// Private helpers shared by the function library files (functions_*.cpp).
#pragma once

#include <string>
#include <vector>

#include "dls/sql/quote.h"
#include "dls/sql/spark/function_registry.h"

namespace dls::sql::spark::lib {

using K = SparkType::Kind;

inline SparkType T(K k) {
  return SparkType::of(k);
}

/// Replaces {0}..{9} with the translated arguments and {*} with all of them, comma-separated.
std::string subst(const std::string& tmpl, const CallContext& c);

/// Argument i as a DuckDB VARCHAR (strings as they are, binary decoded as UTF-8, others cast).
std::string str(const CallContext& c, size_t i);
/// Argument i as a DuckDB BLOB (strings encoded as UTF-8).
std::string bin(const CallContext& c, size_t i);
/// Argument i as a DuckDB DATE (strings parsed like Spark's CAST to DATE).
std::string as_date(const CallContext& c, size_t i);
/// Argument i as a DuckDB TIMESTAMP.
std::string as_ts(const CallContext& c, size_t i);
std::string as_date(const TypedSql& t);
std::string as_ts(const TypedSql& t);

/// Spark's limit on the elements of an array and the bytes of a string
/// (ByteArrayMethods.MAX_ROUNDED_ARRAY_LENGTH): a bigger result fails the query in Spark, so it
/// must fail here too rather than allocate gigabytes.
inline constexpr const char* kMaxRoundedArrayLength = "2147483632";

/// `value_sql`, or a query error like Spark's when `size_sql` (the size the value would have)
/// exceeds kMaxRoundedArrayLength. `what` names the function in the message.
std::string within_size_limit(const std::string& size_sql, const std::string& value_sql,
                              const std::string& what);

/// "lambda p...: body" split into its parameter list and body.
struct LambdaParts {
  std::string params;
  std::string body;
};
LambdaParts split_lambda(const std::string& lambda_sql);

/// Converts a Java DateTimeFormatter pattern (Spark's datetime patterns) to a DuckDB strftime /
/// strptime format. Throws UnsupportedSparkFunctionError through `c` for letters it cannot map.
std::string java_to_strftime(const std::string& pattern, const CallContext& c, bool parsing);

/// to_char(number, format) with Spark's Oracle-style number format (a literal).
TypedSql to_char_number(CallContext& c, const std::string& format);

/// Registers a function.
void def(FunctionRegistry& r, const std::string& name, int min_args, int max_args,
         const std::string& category, Rewrite rewrite, const std::string& notes = "");
/// A template rewrite with a fixed result type.
Rewrite tmpl(std::string t, SparkType result);
/// A template rewrite whose arguments are all converted to VARCHAR first.
Rewrite tmpl_str(std::string t, SparkType result);

void register_string_functions(FunctionRegistry& r);
void register_datetime_functions(FunctionRegistry& r);
void register_collection_functions(FunctionRegistry& r);
void register_misc_functions(FunctionRegistry& r);

}  // namespace dls::sql::spark::lib

// Renders DuckDB query results the way Spark's `SELECT` prints them (hiveResultString), so that
// `dls query --dialect spark` shows what Databricks would show.
//
// NULL at top level, null inside nested values; booleans true/false; doubles as Java prints them
// (1.0, 1.0E10, NaN, Infinity); decimals with their full scale; dates 2016-07-31; timestamps
// 2016-12-31 00:12:00 with only the fraction digits needed (TIMESTAMP WITH TIME ZONE values are
// shown in UTC, the local engine's session time zone); binary values as their UTF-8 text;
// year-month intervals as 3-0; arrays [1,2,3]; maps {1:"a",2:"b"}; structs {"a":1,"b":2}; strings
// inside nested values in double quotes, dates and timestamps inside nested values unquoted.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dls/sql/connection.h"

namespace dls::sql::spark {

struct RenderedResult {
  std::vector<std::string> column_names;
  std::vector<std::vector<std::string>> rows;
};

/// Runs `duckdb_sql` (already DuckDB SQL, e.g. from translate_query) on `con` and renders every
/// value. Throws SqlError when the query fails and dls::Error for a DuckDB type Spark has no
/// rendering for (UUID, ENUM, UNION, ...).
RenderedResult render_spark_result(Connection& con, std::string_view duckdb_sql);

/// Java's Double.toString (shortest representation; scientific notation outside [1e-3, 1e7)).
std::string java_double_to_string(double v);
/// Java's Float.toString.
std::string java_float_to_string(float v);

}  // namespace dls::sql::spark

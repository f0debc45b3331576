// The Spark-SQL dialect layer (DESIGN §6): the entry points the rest of dls uses.
//
//   translate_expression("nvl(a, 0) + size(tags)")  -> DuckDB SQL for a select_expr, an expectation
//                                                       or a where/sequence_by condition
//   translate_query("SELECT ... FROM ...")          -> DuckDB SQL for `dls query --dialect spark`
//   parse_ddl_schema("id INT, name STRING")         -> columns (ddl_schema.h)
//   render_spark_result(con, duckdb_sql)            -> values as Spark prints them (renderer.h)
//
// Errors: SparkSyntaxError for malformed text, UnsupportedSparkFunctionError naming a function the
// local engine does not support, UnsupportedSparkSyntaxError for other unsupported constructs.
// All derive from dls::InvalidMetadataError and carry the position in the input. Callers add the
// entity name. Pure functions of their input: safe to call from several threads.
#pragma once

#include <string>
#include <string_view>

#include "dls/sql/spark/ddl_schema.h"
#include "dls/sql/spark/printer.h"
#include "dls/sql/spark/renderer.h"
#include "dls/sql/spark/spark_error.h"

namespace dls::sql::spark {

/// DuckDB SQL for one Spark SQL expression (no trailing ';'). An alias (`expr AS name`) is not part
/// of an expression: use translate_select_item for select_expr entries.
std::string translate_expression(std::string_view spark_expr, const TranslateOptions& options = {});

/// DuckDB SQL for one select_expr entry, "expr [AS] alias" keeping the alias (quoted for DuckDB),
/// or "*".
std::string translate_select_item(std::string_view spark_item,
                                  const TranslateOptions& options = {});

/// DuckDB SQL for a Spark SELECT query (a trailing ';' is accepted).
std::string translate_query(std::string_view spark_sql, const TranslateOptions& options = {});

}  // namespace dls::sql::spark

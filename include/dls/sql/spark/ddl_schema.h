// Parsing of Spark DDL schema strings (`source_schema`, from_json schemas):
// "id INT, name STRING NOT NULL COMMENT 'full name', tags ARRAY<STRING>".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dls/sql/spark/spark_type.h"

namespace dls::sql::spark {

struct ColumnSpec {
  std::string name;
  SparkType spark_type;
  std::string duckdb_type;  // spark_type.duckdb_name()
  bool nullable = true;
  std::string comment;
};

/// The columns of a DDL string, in order. Column names may be `quoted`; types are Spark type names
/// (see parse_type). Throws SparkSyntaxError with the position of the error in `ddl`, and
/// InvalidMetadataError for an empty schema or a duplicate column name (case-insensitive, as
/// Spark).
std::vector<ColumnSpec> parse_ddl_schema(std::string_view ddl);

}  // namespace dls::sql::spark

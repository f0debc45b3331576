// A fixture for tests of the Spark-SQL dialect layer: runs one Spark SQL query on an in-memory
// DuckDB and returns its values as Spark prints them.
#pragma once

#include <gtest/gtest.h>

#include <exception>
#include <string>

#include "dls/sql/connection.h"
#include "dls/sql/database.h"
#include "dls/sql/spark/dialect.h"

namespace dls::sql::spark {

class SparkQueryTest : public ::testing::Test {
 protected:
  Database db;
  Connection con = db.connect();

  /// The values of the query as Spark prints them: tab between columns, rows concatenated (the
  /// tests run one-row queries).
  std::string run(const std::string& spark_sql, const TranslateOptions& options = {}) {
    auto result = render_spark_result(con, translate_query(spark_sql, options));
    std::string out;
    for (const auto& row : result.rows) {
      for (size_t c = 0; c < row.size(); ++c) out += (c ? "\t" : "") + row[c];
    }
    return out;
  }
  /// The error message the query fails with, or "no error".
  std::string error_of(const std::string& spark_sql) {
    try {
      run(spark_sql);
    } catch (const std::exception& e) {
      return e.what();
    }
    return "no error";
  }
};

}  // namespace dls::sql::spark

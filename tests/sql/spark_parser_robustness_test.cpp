// Inputs the fuzzer found (fuzz/fuzz_spark_sql.cpp, corpus in fuzz/corpus/spark_sql): each is a
// Spark syntax error naming its position — never another exception escaping the parser, which
// would end the process.
#include <gtest/gtest.h>

#include "dls/sql/spark/dialect.h"
#include "dls/sql/spark/spark_error.h"

namespace dls::sql::spark {
namespace {

TEST(SparkParserRobustness, BadNumbersAreSyntaxErrors) {
  for (const char* sql : {"cast(amount AS DECIMAL(.0,2)) * 2", "cast(a AS DECIMAL(10, 1e2))",
                          "cast(a AS DECIMAL(99999999999, 2))", "INTERVAL 1e999 DAYS",
                          "INTERVAL '1e999' DAY", "INTERVAL '1e999 days'"}) {
    EXPECT_THROW(translate_expression(sql), SparkSyntaxError) << sql;
  }
  for (const char* sql : {"SELECT stack(.5, 1)", "SELECT stack(99999999999999999999, 1)"}) {
    EXPECT_THROW(translate_query(sql), SparkSyntaxError) << sql;
  }
}

}  // namespace
}  // namespace dls::sql::spark

// Division by a column: `/`, `div` and `%` whose divisor is not a literal are guarded against
// zero (Spark's ANSI DIVIDE_BY_ZERO). The guard's message once ended the SQL string early, so
// every division by a column failed to bind (only literal divisors, which need no guard, worked).
#include <gtest/gtest.h>

#include "spark_query_fixture.h"

namespace dls::sql::spark {
namespace {

class SparkArithmetic : public SparkQueryTest {};

TEST_F(SparkArithmetic, DivisionByAColumnGivesSparksValues) {
  EXPECT_EQ(run("SELECT a / b, a div b, a % b FROM VALUES (7, 2) AS t(a, b)"), "3.5\t3\t1");
  EXPECT_EQ(run("SELECT a / b FROM VALUES (CAST(7.5 AS DOUBLE), 3) AS t(a, b)"), "2.5");
}

TEST_F(SparkArithmetic, DivisionByAZeroColumnIsSparksError) {
  for (const char* op : {"/", "div", "%"}) {
    const std::string message =
        error_of(std::string("SELECT a ") + op + " b FROM VALUES (7, 0) AS t(a, b)");
    EXPECT_NE(message.find("[DIVIDE_BY_ZERO] Division by zero in '" + std::string(op) + "'"),
              std::string::npos)
        << op << ": " << message;
  }
  EXPECT_EQ(run("SELECT try_divide(a, b) FROM VALUES (7, 0) AS t(a, b)"), "NULL");
}

}  // namespace
}  // namespace dls::sql::spark

// Joins of unaliased subqueries: each gets a name of its own, so that two of them in one FROM are
// not an ambiguous reference in DuckDB (Spark accepts them).
#include <gtest/gtest.h>

#include "spark_query_fixture.h"

namespace dls::sql::spark {
namespace {

class SparkJoin : public SparkQueryTest {};

TEST_F(SparkJoin, TwoUnaliasedSubqueriesJoin) {
  EXPECT_EQ(run("SELECT * FROM (SELECT 1 AS c1, 3 AS c2) NATURAL JOIN (SELECT 1 AS c1, 4 AS c3)"),
            "1\t3\t4");
  EXPECT_EQ(run("SELECT a, b FROM (SELECT 1 AS a) JOIN (SELECT 1 AS b) ON a = b"), "1\t1");
}

}  // namespace
}  // namespace dls::sql::spark

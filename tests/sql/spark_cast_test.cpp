// CAST to an integral type with Spark's meaning (issue 10): fractions truncate toward zero
// (DuckDB rounds), a STRING must hold an integer (ANSI mode), TRY_CAST gives NULL instead of an
// error — for literals, typed columns and columns whose type the translator does not know.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spark_query_fixture.h"

namespace dls::sql::spark {
namespace {

using ::testing::HasSubstr;

using SparkCast = SparkQueryTest;

TEST_F(SparkCast, DecimalToIntTruncatesTowardZeroAsSpark) {
  // The example: Spark prints 3, -3, 2 (DuckDB alone gives 4, -4, 3).
  EXPECT_EQ(run("SELECT cast(3.7 AS INT), cast(-3.7 AS INT), cast(2.5 AS INT)"), "3\t-3\t2");
  EXPECT_EQ(run("SELECT int(-0.5), bigint(-3.99)"), "0\t-3");
  EXPECT_EQ(run("SELECT CAST(99999999999999999.9 AS BIGINT), CAST(-2147483648.9 AS INT)"),
            "99999999999999999\t-2147483648");
}

TEST_F(SparkCast, DoubleAndFloatToIntTruncate) {
  EXPECT_EQ(run("SELECT CAST(3.7D AS INT), CAST(-3.7D AS SMALLINT), CAST(1.5F AS TINYINT), "
                "CAST(-0.9D AS BIGINT)"),
            "3\t-3\t1\t0");
}

TEST_F(SparkCast, OutOfRangeAndNaNAreErrorsAndTryCastGivesNull) {
  EXPECT_THAT(error_of("SELECT CAST(2147483648.1 AS INT)"), HasSubstr("INT"));
  EXPECT_NE(error_of("SELECT CAST(CAST('NaN' AS DOUBLE) AS INT)"), "no error");
  EXPECT_EQ(run("SELECT TRY_CAST(1e10 AS INT), TRY_CAST(3.7 AS INT)"), "NULL\t3");
}

TEST_F(SparkCast, StringMustHoldAnIntegerInAnsiMode) {
  EXPECT_EQ(run("SELECT CAST(' 42 ' AS INT), CAST('+5' AS INT), CAST('-7' AS BIGINT)"),
            "42\t5\t-7");
  EXPECT_THAT(error_of("SELECT CAST('3.7' AS INT)"), HasSubstr("CAST_INVALID_INPUT"));
  EXPECT_THAT(error_of("SELECT CAST('1e3' AS INT)"), HasSubstr("CAST_INVALID_INPUT"));
  EXPECT_EQ(run("SELECT TRY_CAST('3.7' AS INT), TRY_CAST('abc' AS INT), CAST(NULL AS INT)"),
            "NULL\tNULL\tNULL");
}

TEST_F(SparkCast, ColumnOfUnknownTypeIsCastByItsValuesType) {
  // A subquery's columns have no static type: the translation dispatches on DuckDB's typeof.
  EXPECT_EQ(run("SELECT CAST(d AS INT), CAST(x AS INT), CAST(s AS INT), CAST(i AS INT) FROM "
                "(SELECT -3.7D AS d, 2.5 AS x, ' 12 ' AS s, 9L AS i)"),
            "-3\t2\t12\t9");
  EXPECT_EQ(run("SELECT CAST(x AS INT), CAST(y AS BIGINT), CAST(n AS INT) FROM (SELECT -0.5 AS x, "
                "-99999999999999999.9 AS y, CAST(NULL AS DECIMAL(3,1)) AS n)"),
            "0\t-99999999999999999\tNULL");
  EXPECT_THAT(error_of("SELECT CAST(s AS INT) FROM (SELECT '3.7' AS s)"),
              HasSubstr("CAST_INVALID_INPUT"));
}

TEST_F(SparkCast, TypedColumnsFromTheCallerTruncate) {
  con.execute("CREATE TABLE t AS SELECT 3.7::DOUBLE AS d, (-2.5)::DECIMAL(10,2) AS m");
  TranslateOptions options;
  options.column_type = [](const std::vector<std::string>& path) -> std::optional<SparkType> {
    if (path.back() == "d") return SparkType::of(SparkType::Kind::kDouble);
    return std::nullopt;
  };
  EXPECT_EQ(run("SELECT CAST(d AS INT), CAST(m AS INT) FROM t", options), "3\t-2");
}

}  // namespace
}  // namespace dls::sql::spark

// Spark SQL scripts (sql/spark/script.h): splitting, the session's views/tables/SET, and the query
// constructs a script runs (windows, generators, PIVOT, inline tables), checked by their rows.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dls/core/error.h"
#include "dls/sql/database.h"
#include "dls/sql/spark/dialect.h"
#include "dls/sql/spark/script.h"

namespace dls::sql::spark {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> lines(const StatementResult& r) {
  std::vector<std::string> out;
  for (const auto& row : r.result.rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) line += (i ? "|" : "") + row[i];
    out.push_back(line);
  }
  return out;
}

class SparkScriptTest : public ::testing::Test {
 protected:
  std::vector<std::string> run(const std::string& script) {
    StatementResult last;
    for (const auto& s : split_script(script)) last = session_.execute(s.text);
    return lines(last);
  }
  Database db_;
  Connection con_ = db_.connect();
  SparkSession session_{con_};
};

TEST(SparkScriptSplit, SplitsAtSemicolonsOutsideQuotesCommentsAndBrackets) {
  auto s = split_script(
      "SELECT 'a;b' AS x; -- c;d\n SELECT `e;f` FROM t;; /* g; */ SELECT (1;2);\n -- only\n");
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].text, "SELECT 'a;b' AS x");
  EXPECT_EQ(s[1].text, "-- c;d\n SELECT `e;f` FROM t");
  EXPECT_EQ(s[2].text, "/* g; */ SELECT (1;2)");
  EXPECT_EQ(s[0].offset, 0u);
}

TEST_F(SparkScriptTest, SetIsRecordedAndEchoed) {
  EXPECT_THAT(run("SET spark.sql.ansi.enabled = true"), ElementsAre("spark.sql.ansi.enabled|true"));
  EXPECT_THAT(run("SET spark.sql.ansi.enabled"), ElementsAre("spark.sql.ansi.enabled|true"));
  EXPECT_THAT(run("SET x.y"), ElementsAre("x.y|<undefined>"));
  EXPECT_EQ(session_.conf().at("spark.sql.ansi.enabled"), "true");
}

TEST_F(SparkScriptTest, TemporaryViewsTablesInsertsAndDrops) {
  EXPECT_THAT(run("CREATE TEMPORARY VIEW v(id, name) AS VALUES (1, 'a'), (2, 'b');"
                  "SELECT name FROM v WHERE id = 2"),
              ElementsAre("b"));
  EXPECT_THAT(run("CREATE TABLE t (id INT, tags ARRAY<STRING>) USING parquet;"
                  "INSERT INTO t VALUES (1, array('x', 'y')), (2, array());"
                  "SELECT id, size(tags) FROM t ORDER BY id"),
              ElementsAre("1|2", "2|0"));
  EXPECT_THAT(
      run("CREATE TABLE c USING parquet AS SELECT id * 10 AS n FROM v; SELECT sum(n) FROM c"),
      ElementsAre("30"));
  run("DROP VIEW v; DROP TABLE IF EXISTS nothing_here");
  EXPECT_THROW(run("SELECT * FROM v"), Error);
  EXPECT_THROW(run("DROP VIEW some_warehouse_view"), Error);
  EXPECT_THROW(run("DESCRIBE t"), Error);
}

TEST_F(SparkScriptTest, WindowFunctionsFollowSparkDefaults) {
  run("CREATE TEMPORARY VIEW s AS VALUES ('a', 1, 10), ('a', 2, NULL), ('a', 3, 30), ('b', 1, 5)"
      " AS s(k, o, v)");
  EXPECT_THAT(
      run("SELECT k, o, row_number() OVER (PARTITION BY k ORDER BY o DESC) AS rn,"
          " sum(v) OVER (PARTITION BY k ORDER BY o) AS running,"
          " lag(v) IGNORE NULLS OVER w AS prev,"
          " sum(v) OVER (PARTITION BY k ORDER BY o ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)"
          " AS pair FROM s WINDOW w AS (PARTITION BY k ORDER BY o) ORDER BY k, o"),
      ElementsAre("a|1|3|10|NULL|10", "a|2|2|10|10|10", "a|3|1|40|10|30", "b|1|1|5|NULL|5"));
  // Spark refuses a ranking function over an unordered window.
  EXPECT_THROW(run("SELECT row_number() OVER (PARTITION BY k) FROM s"), Error);
  EXPECT_THAT(
      run("SELECT count(*) FILTER (WHERE v > 5), first(v, true), last(o) FROM s WHERE k = 'a'"
          " GROUP BY k"),
      ElementsAre("2|10|3"));
}

TEST_F(SparkScriptTest, GeneratorsAndLateralViews) {
  EXPECT_THAT(run("SELECT explode(array(1, 2)) AS n ORDER BY n"), ElementsAre("1", "2"));
  run("CREATE TEMPORARY VIEW g AS VALUES (1, array('x', 'y')), (2, array()) AS g(id, tags)");
  EXPECT_THAT(run("SELECT id, pos, tag FROM g LATERAL VIEW posexplode(tags) t AS pos, tag"
                  " ORDER BY id, pos"),
              ElementsAre("1|0|x", "1|1|y"));
  EXPECT_THAT(
      run("SELECT id, tag FROM g LATERAL VIEW OUTER explode(tags) t AS tag ORDER BY id, tag"),
      ElementsAre("1|x", "1|y", "2|NULL"));
  EXPECT_THAT(run("SELECT stack(2, 'a', 1, 'b', 2) ORDER BY col1"), ElementsAre("a|1", "b|2"));
  // A pipeline's select_expr is one expression per row: a generator is refused there.
  EXPECT_THROW(translate_select_item("explode(tags) AS tag"), Error);
}

TEST_F(SparkScriptTest, PivotGroupByRollupNaturalJoinAndCteColumns) {
  run("CREATE TEMPORARY VIEW sales AS VALUES ('dotNET', 2012, 10000), ('Java', 2012, 20000),"
      " ('dotNET', 2012, 5000), ('dotNET', 2013, 48000), ('Java', 2013, 30000)"
      " AS sales(course, year, earnings)");
  EXPECT_THAT(run("SELECT * FROM sales PIVOT (sum(earnings) FOR course IN ('dotNET', 'Java'))"
                  " ORDER BY year"),
              ElementsAre("2012|15000|20000", "2013|48000|30000"));
  EXPECT_THAT(
      run("SELECT * FROM (SELECT course, year, earnings FROM sales)"
          " PIVOT (sum(earnings) FOR (course, year) IN (('dotNET', 2012) AS c1, ('Java', 2013)"
          " AS c2))"),
      ElementsAre("15000|30000"));
  EXPECT_THAT(run("SELECT course, sum(earnings) FROM sales GROUP BY ROLLUP(course)"
                  " ORDER BY course NULLS LAST"),
              ElementsAre("Java|50000", "dotNET|63000", "NULL|113000"));
  EXPECT_THAT(run("WITH t(c, y) AS (SELECT course, year FROM sales WHERE earnings > 25000)"
                  " SELECT * FROM t NATURAL JOIN (SELECT 'Java' AS c) ORDER BY y"),
              ElementsAre("Java|2013"));
  EXPECT_THAT(run("SELECT year, count(DISTINCT course, year) FROM sales GROUP BY ALL ORDER BY 1"),
              ElementsAre("2012|2", "2013|2"));
}

TEST_F(SparkScriptTest, ErrorsNameThePosition) {
  try {
    run("SELECT 1; SELECT nope( FROM x");
    FAIL() << "expected a syntax error";
  } catch (const SparkSyntaxError& e) {
    EXPECT_THAT(e.what(), HasSubstr("position"));
  }
}

}  // namespace
}  // namespace dls::sql::spark

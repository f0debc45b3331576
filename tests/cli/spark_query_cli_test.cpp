// `dls query --dialect spark "SQL"`: Spark SQL translated by the dialect layer (DESIGN §6), run
// over warehouse tables or none; table/csv output shows values as Spark prints them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "dls/delta/delta_table.h"
#include "dls/sql/connection.h"
#include "dls/sql/database.h"
#include "support/test_support.h"

namespace dls {
namespace {

using testing::CommandResult;
using testing::run_dls;
using testing::shell_quote;

class SparkQueryCli : public ::testing::Test {
 protected:
  CommandResult spark(const std::string& sql, const std::string& format = "csv") {
    return run_dls("--warehouse " + shell_quote(warehouse.str()) + " --format " + format +
                   " query --dialect spark " + shell_quote(sql));
  }
  // main.demo.people: (id BIGINT, name STRING, tags ARRAY<STRING>), three rows.
  void write_people() {
    delta::Schema schema{{
        delta::StructField{"id", delta::DataType::primitive("long"), false},
        delta::StructField{"name", delta::DataType::primitive("string"), true},
    }};
    auto table = delta::DeltaTable::create((warehouse / "main/demo/people").string(), schema, {});
    sql::Database db;
    auto con = db.connect();
    table.append(con,
                 "SELECT * FROM (VALUES (1::BIGINT, 'ann'), (2::BIGINT, NULL), (3::BIGINT, "
                 "'bob')) AS t(id, name)");
  }
  testing::TempDir warehouse;
};

// The value line of a one-row CSV result (the header is the first line).
std::string value_line(const CommandResult& r) {
  size_t nl = r.out.find('\n');
  EXPECT_NE(nl, std::string::npos) << r.out;
  std::string rest = r.out.substr(nl + 1);
  if (!rest.empty() && rest.back() == '\n') rest.pop_back();
  return rest;
}

TEST_F(SparkQueryCli, CsvPrintsValuesAsSparkDocumentsThem) {
  CommandResult r = spark(
      "SELECT NULL, true, 1.5D, 2.50, array(1, 2), map(1, 'a'), "
      "named_struct('a', 1, 'b', 'x'), date'2016-07-31';");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(value_line(r),
            R"(NULL,true,1.5,2.50,"[1,2]","{1:""a""}","{""a"":1,""b"":""x""}",2016-07-31)")
      << r.out;
}

TEST_F(SparkQueryCli, AScriptRunsInOneSessionAndPrintsTheLastResult) {
  write_people();
  CommandResult r = spark(
      "SET spark.sql.ansi.enabled=true;\n"
      "CREATE TEMPORARY VIEW named AS SELECT id, name FROM main.demo.people WHERE name IS NOT "
      "NULL;\n"
      "-- a comment; with a semicolon\n"
      "WITH r AS (SELECT name, row_number() OVER (ORDER BY id DESC) AS rn FROM named)\n"
      "SELECT name, rn FROM r ORDER BY rn;");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "name,rn\nbob,1\nann,2\n");
  // JSON of the last statement; a SET alone prints its key and value.
  r = spark("CREATE TEMPORARY VIEW v AS VALUES (1, 'a') AS v(n, s); SELECT * FROM v", "json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out), nlohmann::json::parse(R"([{"n": 1, "s": "a"}])"));
  r = spark("SET a.b=c");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "key,value\na.b,c\n");
  // A failing statement stops the script with the dialect's error (exit 3) and changes nothing.
  r = spark("CREATE TEMPORARY VIEW w AS SELECT 1 AS x; SELECT x FROM w LATERAL VIEW nope(x) t");
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("nope"), std::string::npos) << r.err;
}

TEST_F(SparkQueryCli, DoubleQuotedTextIsAStringAndBackticksQuoteIdentifiers) {
  CommandResult r = spark(R"(SELECT `x y` FROM (SELECT "it's" AS `x y`))");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(value_line(r), "it's");
}

TEST_F(SparkQueryCli, SparkSemanticsNotDuckDbs) {
  // 1-based substr, fractional '/', NULL-safe <=>, Java date patterns, RLIKE anywhere.
  CommandResult r = spark(
      "SELECT substr('Spark SQL', 5), 3 / 2, NULL <=> NULL, "
      "date_format(date'2016-04-08', 'dd/MM/yyyy'), 'abc123' RLIKE '[0-9]+'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(value_line(r), "k SQL,1.5,true,08/04/2016,true");
}

TEST_F(SparkQueryCli, RunsOverWarehouseTablesByName) {
  write_people();
  CommandResult r = spark(
      "SELECT id, nvl(name, 'n/a') AS name, upper(name) AS up FROM main.demo.people ORDER BY id");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "id,name,up\n1,ann,ANN\n2,n/a,NULL\n3,bob,BOB\n");

  CommandResult agg = spark("SELECT count(*) AS n FROM demo.people p WHERE p.id >= 2");
  ASSERT_EQ(agg.exit_code, 0) << agg.err;
  EXPECT_EQ(agg.out, "n\n2\n");

  // Names come from the parser's table references: `people.id` works without an alias, a join
  // reads the table twice, the same text in a string or a backtick-quoted column stays as it is,
  // and delta.`/path` reads by path.
  CommandResult qualified = spark(
      "SELECT people.id, 'main.demo.people' AS `main.demo.people`, q.name FROM main.demo.people "
      "JOIN main.demo.people q ON q.id = people.id WHERE people.id = 3");
  ASSERT_EQ(qualified.exit_code, 0) << qualified.err;
  EXPECT_EQ(qualified.out, "id,main.demo.people,name\n3,main.demo.people,bob\n");
  CommandResult by_path = spark("SELECT count(*) AS n FROM delta.`" +
                                (warehouse.path() / "main" / "demo" / "people").string() + "`");
  ASSERT_EQ(by_path.exit_code, 0) << by_path.err;
  EXPECT_EQ(by_path.out, "n\n3\n");
}

TEST_F(SparkQueryCli, JsonFormatKeepsTypedValues) {
  CommandResult r = spark("SELECT 1 AS a, 'x' AS b, array(1, 2) AS c", "json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc.size(), 1u) << r.out;
  EXPECT_EQ(doc[0]["a"], 1);
  EXPECT_EQ(doc[0]["b"], "x");
  EXPECT_EQ(doc[0]["c"], nlohmann::json::array({1, 2}));
}

TEST_F(SparkQueryCli, UnsupportedFunctionIsAClearErrorNamingIt) {
  CommandResult r = spark("SELECT xxhash64('Spark')");
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.err.find("'xxhash64'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not supported"), std::string::npos) << r.err;
}

TEST_F(SparkQueryCli, SyntaxErrorShowsThePosition) {
  CommandResult r = spark("SELECT 1 +* 2");
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.err.find("position"), std::string::npos) << r.err;
}

TEST_F(SparkQueryCli, BadUnicodeEscapeIsASyntaxErrorWithPosition) {
  // Was "dls: error: stoul" with exit 1; '\u12' took the closing quote as part of the escape.
  for (const std::string sql : {R"(SELECT '\uZZZZ')", R"(SELECT '\u12' AS x)"}) {
    CommandResult r = spark(sql);
    EXPECT_EQ(r.exit_code, 3) << sql << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find("\\u escape"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("at position 8"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("stoul"), std::string::npos) << r.err;
  }
}

TEST_F(SparkQueryCli, UnknownTableIsNotFound) {
  CommandResult r = spark("SELECT * FROM main.demo.missing");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("missing"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace dls

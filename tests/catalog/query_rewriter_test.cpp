#include "dls/catalog/query_rewriter.h"

#include <gtest/gtest.h>

#include <set>

#include "dls/core/error.h"

namespace fs = std::filesystem;
using dls::catalog::QueryRewriter;
using dls::catalog::TableSource;
using dls::catalog::Warehouse;

namespace {

// Tables are the paths in `tables`; a scan is "SCAN <path>[@v<N>|@t<ms>]".
class FakeSource : public TableSource {
 public:
  std::set<fs::path> tables;
  bool is_table(const fs::path& root) override { return tables.count(root) > 0; }
  std::string scan_sql(const fs::path& root, const dls::delta::VersionSpec& spec) override {
    std::string s = "SCAN " + root.string();
    if (spec.version) s += "@v" + std::to_string(*spec.version);
    if (spec.timestamp_ms) s += "@t" + std::to_string(*spec.timestamp_ms);
    return s;
  }
};

class QueryRewriterTest : public ::testing::Test {
 protected:
  QueryRewriterTest() : warehouse_("/wh") {
    source_.tables = {"/wh/main/s/t", "/wh/cat/sch/orders", "/data/tbl"};
  }
  std::string rewrite(std::string_view sql) {
    return QueryRewriter(warehouse_, source_, "/work").rewrite(sql);
  }
  Warehouse warehouse_;
  FakeSource source_;
};

}  // namespace

TEST_F(QueryRewriterTest, ThreePartNameGetsItsLastPartAsAlias) {
  EXPECT_EQ(rewrite("SELECT t.a FROM main.s.t WHERE t.a > 1"),
            "SELECT t.a FROM (SCAN /wh/main/s/t) AS \"t\" WHERE t.a > 1");
}

TEST_F(QueryRewriterTest, TwoPartNameUsesCatalogMain) {
  EXPECT_EQ(rewrite("SELECT * FROM s.t"), "SELECT * FROM (SCAN /wh/main/s/t) AS \"t\"");
}

TEST_F(QueryRewriterTest, UserAliasIsKept) {
  EXPECT_EQ(rewrite("SELECT x.a FROM main.s.t x"), "SELECT x.a FROM (SCAN /wh/main/s/t) x");
  EXPECT_EQ(rewrite("SELECT x.a FROM main.s.t AS x"), "SELECT x.a FROM (SCAN /wh/main/s/t) AS x");
  EXPECT_EQ(rewrite("SELECT * FROM main.s.t \"X\""), "SELECT * FROM (SCAN /wh/main/s/t) \"X\"");
  EXPECT_EQ(rewrite("SELECT * FROM main.s.t x(a, b)"), "SELECT * FROM (SCAN /wh/main/s/t) x(a, b)");
}

TEST_F(QueryRewriterTest, KeywordAfterTableIsNotAnAlias) {
  EXPECT_EQ(rewrite("SELECT * FROM main.s.t WHERE 1=1"),
            "SELECT * FROM (SCAN /wh/main/s/t) AS \"t\" WHERE 1=1");
  EXPECT_EQ(rewrite("SELECT * FROM main.s.t JOIN cat.sch.orders o ON true"),
            "SELECT * FROM (SCAN /wh/main/s/t) AS \"t\" JOIN (SCAN /wh/cat/sch/orders) o ON true");
  EXPECT_EQ(rewrite("SELECT * FROM main.s.t;"), "SELECT * FROM (SCAN /wh/main/s/t) AS \"t\";");
}

TEST_F(QueryRewriterTest, StringsCommentsAndQuotedIdentifiersAreUntouched) {
  std::string sql =
      "SELECT 'main.s.t', \"main.s.t\" -- FROM main.s.t\n /* main.s.t */ FROM \"main\".\"s\".\"t\"";
  EXPECT_EQ(rewrite(sql), sql);
}

TEST_F(QueryRewriterTest, ColumnReferencesAndLongerChainsAreUntouched) {
  std::string sql = "SELECT t.a, main.s.t.a, s.t.x FROM other.t";
  EXPECT_EQ(rewrite(sql), sql);
}

TEST_F(QueryRewriterTest, FunctionCallsAreNotTables) {
  std::string sql = "SELECT s.t(1)";
  EXPECT_EQ(rewrite(sql), sql);
}

TEST_F(QueryRewriterTest, MissingThreePartTableAfterFromIsNotFound) {
  try {
    rewrite("SELECT * FROM main.s.missing");
    FAIL();
  } catch (const dls::NotFoundError& e) {
    EXPECT_NE(std::string(e.what()).find("/wh/main/s/missing"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("main.s.missing"), std::string::npos) << e.what();
  }
  EXPECT_THROW(rewrite("SELECT * FROM main.s.t JOIN a.b.c ON true"), dls::NotFoundError);
}

TEST_F(QueryRewriterTest, DuckDbOwnCatalogsAndTwoPartNamesPassThrough) {
  for (std::string sql :
       {"SELECT * FROM memory.main.x", "SELECT * FROM system.main.duckdb_tables()",
        "SELECT * FROM information_schema.tables", "SELECT * FROM temp.main.x"}) {
    EXPECT_EQ(rewrite(sql), sql);
  }
}

TEST_F(QueryRewriterTest, DeltaScanWithPath) {
  EXPECT_EQ(rewrite("SELECT count(*) FROM delta_scan('/data/tbl')"),
            "SELECT count(*) FROM (SCAN /data/tbl) AS \"delta_scan\"");
  EXPECT_EQ(rewrite("SELECT * FROM DELTA_SCAN( '/data/tbl/' ) d"),
            "SELECT * FROM (SCAN /data/tbl) d");
}

TEST_F(QueryRewriterTest, DeltaScanRelativePathResolvesAgainstWorkingDirectory) {
  EXPECT_EQ(rewrite("FROM delta_scan('./x/../tbl')"), "FROM (SCAN /work/tbl) AS \"delta_scan\"");
}

TEST_F(QueryRewriterTest, DeltaScanWithName) {
  EXPECT_EQ(rewrite("FROM delta_scan('s.t')"), "FROM (SCAN /wh/main/s/t) AS \"delta_scan\"");
  EXPECT_THROW(rewrite("FROM delta_scan('a..b')"), dls::InvalidMetadataError);
}

TEST_F(QueryRewriterTest, DeltaScanVersionAndTimestamp) {
  EXPECT_EQ(rewrite("FROM delta_scan('/data/tbl', version => 3)"),
            "FROM (SCAN /data/tbl@v3) AS \"delta_scan\"");
  EXPECT_EQ(rewrite("FROM delta_scan('/data/tbl', version := 0) AS v"),
            "FROM (SCAN /data/tbl@v0) AS v");
  EXPECT_EQ(rewrite("FROM delta_scan('/data/tbl', timestamp => '1970-01-01T00:00:01.5Z')"),
            "FROM (SCAN /data/tbl@t1500) AS \"delta_scan\"");
}

TEST_F(QueryRewriterTest, DeltaScanBadArgumentsAreClearErrors) {
  for (const char* sql : {"FROM delta_scan(x)", "FROM delta_scan('/data/tbl', version => -1)",
                          "FROM delta_scan('/data/tbl', version => 'a')",
                          "FROM delta_scan('/data/tbl', timestamp => 'yesterday')",
                          "FROM delta_scan('/data/tbl', foo => 1)",
                          "FROM delta_scan('/data/tbl', version => 1, timestamp => '2024-01-01')",
                          "FROM delta_scan('/data/tbl'", "FROM delta_scan('/data/tbl',"}) {
    SCOPED_TRACE(sql);
    try {
      rewrite(sql);
      ADD_FAILURE() << "accepted";
    } catch (const dls::Error& e) {
      EXPECT_NE(std::string(e.what()).find("delta_scan"), std::string::npos) << e.what();
    }
  }
}

TEST_F(QueryRewriterTest, DeltaScanInsideStringIsUntouched) {
  std::string sql = "SELECT 'delta_scan(''/data/tbl'')' AS s";
  EXPECT_EQ(rewrite(sql), sql);
}

TEST_F(QueryRewriterTest, QualifiedFunctionNamedDeltaScanIsUntouched) {
  std::string sql = "SELECT * FROM x.delta_scan('/data/tbl')";
  EXPECT_EQ(rewrite(sql), sql);
}

TEST_F(QueryRewriterTest, DeltaScanTimestampForms) {
  EXPECT_EQ(rewrite("FROM delta_scan('/data/tbl', timestamp => '2024-01-02')"),
            "FROM (SCAN /data/tbl@t1704153600000) AS \"delta_scan\"");
  EXPECT_EQ(rewrite("FROM delta_scan('/data/tbl', timestamp => '2024-01-02 01:00:00+01:00')"),
            "FROM (SCAN /data/tbl@t1704153600000) AS \"delta_scan\"");
  EXPECT_EQ(rewrite("FROM delta_scan('/data/tbl', timestamp => '2024-01-02T00:00:00.123456Z')"),
            "FROM (SCAN /data/tbl@t1704153600123) AS \"delta_scan\"");
}

// Spark SQL: the parser finds the table references; table_sql resolves each name by the same
// rules, and Spark's delta.`/path` form by path (issue 13: one Spark SQL front end).
TEST_F(QueryRewriterTest, SparkTableNamesResolveLikeDuckDbNames) {
  QueryRewriter r(warehouse_, source_, "/work");
  EXPECT_EQ(r.table_sql({"main", "s", "t"}), "SCAN /wh/main/s/t");
  EXPECT_EQ(r.table_sql({"s", "t"}), "SCAN /wh/main/s/t");
  EXPECT_EQ(r.table_sql({"cat", "sch", "orders"}), "SCAN /wh/cat/sch/orders");
  EXPECT_EQ(r.table_sql({"delta", "/data/tbl/"}), "SCAN /data/tbl");
  EXPECT_EQ(r.table_sql({"DELTA", "/data/./tbl"}), "SCAN /data/tbl");
  // Not warehouse tables: session views, DuckDB tables, names no table could have.
  EXPECT_EQ(r.table_sql({"t"}), std::nullopt);
  EXPECT_EQ(r.table_sql({"s", "missing"}), std::nullopt);
  EXPECT_EQ(r.table_sql({"temp", "main", "v"}), std::nullopt);
  EXPECT_EQ(r.table_sql({"main", "s", "a b"}), std::nullopt);
  EXPECT_EQ(r.table_sql({"_pipelines", "x", "y"}), std::nullopt);
  try {
    (void)r.table_sql({"main", "s", "missing"});
    FAIL();
  } catch (const dls::NotFoundError& e) {
    EXPECT_NE(std::string(e.what()).find("table main.s.missing not found: no Delta table at "
                                         "/wh/main/s/missing"),
              std::string::npos)
        << e.what();
  }
}

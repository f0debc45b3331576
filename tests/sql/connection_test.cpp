#include <gtest/gtest.h>

#include "dls/sql/connection.h"
#include "dls/sql/database.h"
#include "dls/sql/quote.h"
#include "dls/sql/sql_error.h"

namespace dls::sql {
namespace {

TEST(Connection, QueryReturnsTypedValues) {
  Database db;
  auto con = db.connect();
  auto rows =
      con.query(
             "SELECT 42::INTEGER AS i, 'x''y' AS s, true AS b, 1.5::DOUBLE AS d, NULL AS n, "
             "DATE '2024-02-29' AS dt, TIMESTAMP '2024-01-02 03:04:05.000006' AS ts")
          .rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0].as_int(), 42);
  EXPECT_EQ(rows[0][1].as_string(), "x'y");
  EXPECT_TRUE(rows[0][2].as_bool());
  EXPECT_DOUBLE_EQ(rows[0][3].as_double(), 1.5);
  EXPECT_TRUE(rows[0][4].is_null());
  EXPECT_EQ(rows[0][5].as_string(), "2024-02-29");
  EXPECT_EQ(rows[0][6].as_string(), "2024-01-02 03:04:05.000006");
}

TEST(Connection, ErrorCarriesDuckDbMessageAndStatement) {
  Database db;
  auto con = db.connect();
  try {
    con.query("SELECT * FROM no_such_table");
    FAIL() << "expected SqlError";
  } catch (const SqlError& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_table"), std::string::npos) << e.what();
    EXPECT_EQ(e.statement(), "SELECT * FROM no_such_table");
    EXPECT_EQ(e.exit_code(), ExitCode::kFailure);
  }
}

TEST(Connection, ChunkedIterationVisitsEveryRow) {
  Database db;
  auto con = db.connect();
  auto result = con.query("SELECT range AS r FROM range(10000)");
  int64_t sum = 0, count = 0;
  size_t chunks = 0;
  while (auto chunk = result.next_chunk()) {
    ++chunks;
    for (size_t r = 0; r < chunk->size(); ++r) {
      sum += chunk->get_int(0, r);
      ++count;
    }
  }
  EXPECT_EQ(count, 10000);
  EXPECT_EQ(sum, 10000LL * 9999 / 2);
  EXPECT_GT(chunks, 1u);
}

TEST(Connection, ReadsMapsOfStringMapsPerRow) {
  Database db;
  auto con = db.connect();
  auto result = con.query(
      "SELECT * FROM (VALUES (1, MAP {'a': MAP {'min': '1', 'max': NULL}, 'b': MAP {}}), "
      "(2, NULL), (3, MAP {'c': NULL})) AS t(i, m) ORDER BY i");
  auto chunk = result.next_chunk();
  ASSERT_TRUE(chunk);
  using Maps = std::map<std::string, std::map<std::string, std::string>>;
  EXPECT_EQ(chunk->map_of_string_maps(1, 0), (Maps{{"a", {{"min", "1"}}}, {"b", {}}}))
      << "a NULL value is left out";
  EXPECT_EQ(chunk->map_of_string_maps(1, 1), Maps{}) << "a NULL map is empty";
  EXPECT_EQ(chunk->map_of_string_maps(1, 2), (Maps{{"c", {}}}));
  EXPECT_THROW(chunk->map_of_string_maps(0, 0), SqlError) << "not a map";
}

TEST(PreparedStatement, BindsParametersOfEveryType) {
  Database db;
  auto con = db.connect();
  auto stmt = con.prepare("SELECT ?::BIGINT + 1, ? || '!', ?, ?::DOUBLE * 2, ? IS NULL");
  stmt.bind(1, int64_t{41}).bind(2, "hi").bind(3, false).bind(4, 2.25).bind_null(5);
  auto rows = stmt.execute().rows();
  EXPECT_EQ(rows[0][0].as_int(), 42);
  EXPECT_EQ(rows[0][1].as_string(), "hi!");
  EXPECT_FALSE(rows[0][2].as_bool());
  EXPECT_DOUBLE_EQ(rows[0][3].as_double(), 4.5);
  EXPECT_TRUE(rows[0][4].as_bool());
  EXPECT_THROW(con.prepare("SELEC 1"), SqlError);
}

TEST(Appender, LoadsRowsIntoATable) {
  Database db;
  auto con = db.connect();
  con.execute("CREATE TABLE t (id BIGINT, name VARCHAR, ok BOOLEAN, ts TIMESTAMP)");
  {
    auto app = con.appender("t");
    for (int i = 0; i < 5000; ++i) {
      app.append(int64_t{i}).append("n" + std::to_string(i)).append(i % 2 == 0);
      app.append_timestamp_micros(int64_t{i} * 1000000);
      app.end_row();
    }
    app.close();
  }
  auto rows = con.query("SELECT count(*), sum(id), count(*) FILTER (ok), max(ts) FROM t").rows();
  EXPECT_EQ(rows[0][0].as_int(), 5000);
  EXPECT_EQ(rows[0][1].as_int(), 5000LL * 4999 / 2);
  EXPECT_EQ(rows[0][2].as_int(), 2500);
  EXPECT_EQ(rows[0][3].as_string(), "1970-01-01 01:23:19");
}

TEST(Quote, IdentifiersAndLiteralsCannotBreakOut) {
  Database db;
  auto con = db.connect();
  std::string evil = "a\"; DROP TABLE x; --'";
  auto rows = con.query("SELECT " + quote_literal(evil) + " AS " + quote_identifier(evil)).rows();
  EXPECT_EQ(rows[0][0].as_string(), evil);
}

}  // namespace
}  // namespace dls::sql

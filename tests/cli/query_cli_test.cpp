// `dls query "SQL"` over Delta tables (DESIGN §4, §9, issue 2): catalog.schema.table and
// schema.table names, delta_scan('PATH', version => N), output formats, and bad input (clear
// error naming the path/version, §9 exit code, nothing written).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>

#include "dls/delta/delta_table.h"
#include "dls/delta/snapshot.h"
#include "dls/delta/table_scan.h"
#include "dls/sql/database.h"
#include "support/file_tree.h"
#include "support/test_support.h"

namespace dls {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::CommandResult;
using testing::run_dls;
using testing::shell_quote;

using testing::file_tree;

const char* kTripsSchema =
    R"~({"type":"struct","fields":[)~"
    R"~({"name":"id","type":"long","nullable":true,"metadata":{}},)~"
    R"~({"name":"city","type":"string","nullable":true,"metadata":{}},)~"
    R"~({"name":"fare","type":"decimal(10,2)","nullable":true,"metadata":{}}]})~";
const char* kCitiesSchema =
    R"~({"type":"struct","fields":[)~"
    R"~({"name":"city","type":"string","nullable":true,"metadata":{}},)~"
    R"~({"name":"country","type":"string","nullable":true,"metadata":{}}]})~";

class QueryCli : public ::testing::Test {
 protected:
  void SetUp() override {
    sql::Database db;
    auto con = db.connect();
    delta::CreateOptions options;
    options.partition_columns = {"city"};
    auto table = delta::DeltaTable::create(trips().string(),
                                           delta::Schema::from_json_string(kTripsSchema), options);
    table.append(con,
                 "SELECT * FROM (VALUES (1, 'paris', 12.5), (2, 'rome', 8.0)) t(id, city, fare)");
    table.append(con, "SELECT 3 AS id, 'paris' AS city, 20.25 AS fare");
    auto cities = delta::DeltaTable::create((warehouse / "geo" / "ref" / "cities").string(),
                                            delta::Schema::from_json_string(kCitiesSchema));
    cities.append(con, "SELECT * FROM (VALUES ('paris', 'FR'), ('rome', 'IT')) t(city, country)");
  }

  fs::path trips() const { return warehouse / "main" / "demo" / "trips"; }
  CommandResult query(const std::string& sql, const std::string& format = "csv",
                      const std::string& more_args = "") {
    return run_dls("--warehouse " + shell_quote(warehouse.str()) + " query " + shell_quote(sql) +
                   " --format " + format + more_args);
  }

  testing::TempDir warehouse;
};

TEST_F(QueryCli, CatalogSchemaTableNamesResolveInTheWarehouse) {
  CommandResult r = query(
      "SELECT city, count(*) AS n, sum(fare) AS total FROM main.demo.trips GROUP BY city "
      "ORDER BY city");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "city,n,total\nparis,2,32.75\nrome,1,8.00\n");

  // schema.table is catalog main; names join with each other, with aliases.
  CommandResult join = query(
      "SELECT c.country, t.id FROM demo.trips t JOIN geo.ref.cities AS c ON t.city = c.city "
      "ORDER BY t.id");
  ASSERT_EQ(join.exit_code, 0) << join.err;
  EXPECT_EQ(join.out, "country,id\nFR,1\nIT,2\nFR,3\n");
}

TEST_F(QueryCli, OutputFormats) {
  const std::string sql = "SELECT id, city, fare FROM main.demo.trips ORDER BY id";
  CommandResult j = query(sql, "json");
  ASSERT_EQ(j.exit_code, 0) << j.err;
  json rows = json::parse(j.out);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0]["id"], 1);
  EXPECT_EQ(rows[0]["city"], "paris");
  EXPECT_EQ(rows[2]["fare"], 20.25);

  CommandResult t = query(sql, "table");
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_NE(t.out.find("rome"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("(3 rows)"), std::string::npos) << t.out;

  CommandResult c = query(sql, "csv");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out, "id,city,fare\n1,paris,12.50\n2,rome,8.00\n3,paris,20.25\n");

  EXPECT_EQ(query(sql, "xml").exit_code, 2);
}

TEST_F(QueryCli, TableFormatPrintsAtMostTheLimitWithANotice) {
  // Table format holds back rows beyond 1,000 (issue 14), saying so on stderr.
  CommandResult t = query("SELECT * FROM range(1500) AS r(n) ORDER BY n", "table");
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_NE(t.out.find("(1000 rows)"), std::string::npos) << t.out.substr(t.out.size() - 40);
  EXPECT_EQ(t.out.find(" 1000\n"), std::string::npos);
  EXPECT_NE(t.err.find("showing the first 1000 rows"), std::string::npos) << t.err;

  // --limit N for any format; --limit 0 prints every row; csv/json print every row by default.
  CommandResult few = query("SELECT * FROM range(1500) AS r(n) ORDER BY n", "csv", " --limit 2");
  ASSERT_EQ(few.exit_code, 0) << few.err;
  EXPECT_EQ(few.out, "n\n0\n1\n");
  EXPECT_NE(few.err.find("showing the first 2 rows"), std::string::npos) << few.err;
  CommandResult all = query("SELECT * FROM range(1500) AS r(n)", "table", " --limit 0");
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_NE(all.out.find("(1500 rows)"), std::string::npos);
  EXPECT_EQ(all.err, "");
  CommandResult csv = query("SELECT * FROM range(1500) AS r(n)", "csv");
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 1501);
  EXPECT_EQ(csv.err, "");

  // Exactly the limit: nothing held back, no notice.
  CommandResult exact = query("SELECT * FROM range(3) AS r(n)", "table", " --limit 3");
  EXPECT_EQ(exact.err, "");
  EXPECT_EQ(query("SELECT 1", "csv", " --limit -1").exit_code, 2);
}

TEST_F(QueryCli, DeltaScanByPathWithTimeTravel) {
  const std::string path = trips().string();
  CommandResult latest = query("SELECT count(*) AS n FROM delta_scan('" + path + "')");
  ASSERT_EQ(latest.exit_code, 0) << latest.err;
  EXPECT_EQ(latest.out, "n\n3\n");
  CommandResult v1 =
      query("SELECT id FROM delta_scan('" + path + "', version => 1) AS t ORDER BY id");
  ASSERT_EQ(v1.exit_code, 0) << v1.err;
  EXPECT_EQ(v1.out, "id\n1\n2\n");
  CommandResult v0 = query("SELECT count(*) AS n FROM delta_scan('" + path + "', version => 0)");
  ASSERT_EQ(v0.exit_code, 0) << v0.err;
  EXPECT_EQ(v0.out, "n\n0\n");

  // A relative path is relative to the working directory.
  CommandResult rel = run_dls(
      "query \"SELECT count(*) AS n FROM delta_scan('./main/demo/trips', version => 2)\" "
      "--format csv",
      warehouse.path());
  ASSERT_EQ(rel.exit_code, 0) << rel.err;
  EXPECT_EQ(rel.out, "n\n3\n");

  CommandResult missing = query("SELECT * FROM delta_scan('" + path + "', version => 7)");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("version 7"), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("0..2"), std::string::npos) << missing.err;
}

// ---- bad input ----

TEST_F(QueryCli, TruncatedCommitJson) {
  const fs::path commit = trips() / "_delta_log" / delta::commit_file_name(2);
  std::string content = testing::read_file(commit);
  testing::write_file(commit, content.substr(0, content.size() / 2));
  auto before = file_tree(warehouse.path());
  CommandResult r = query("SELECT * FROM main.demo.trips");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(commit.string()), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
  // Older versions stay readable.
  CommandResult v1 =
      query("SELECT count(*) AS n FROM delta_scan('" + trips().string() + "', version => 1)");
  EXPECT_EQ(v1.exit_code, 0) << v1.err;
  EXPECT_EQ(v1.out, "n\n2\n");
  EXPECT_EQ(file_tree(warehouse.path()), before);
}

TEST_F(QueryCli, MissingDataFile) {
  auto snap = delta::DeltaTable::open(trips().string()).snapshot();
  const std::string missing = delta::TableScan(snap).data_file_paths().at(0);
  fs::remove(missing);
  auto before = file_tree(warehouse.path());
  CommandResult r = query("SELECT count(*) FROM main.demo.trips");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("version 2"), std::string::npos) << r.err;
  EXPECT_EQ(file_tree(warehouse.path()), before);
}

TEST_F(QueryCli, UnknownReaderFeature) {
  const fs::path features = warehouse / "main" / "demo" / "features";
  fs::copy(testing::testdata_dir() / "delta" / "simple_table_features", features,
           fs::copy_options::recursive);
  auto before = file_tree(warehouse.path());
  for (const std::string& sql :
       std::vector<std::string>{std::string("SELECT * FROM main.demo.features"),
                                "SELECT * FROM delta_scan('" + features.string() + "')"}) {
    CommandResult r = query(sql);
    EXPECT_EQ(r.exit_code, 1) << sql;
    EXPECT_NE(r.err.find("blahabl"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(features.string()), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
  }
  EXPECT_EQ(file_tree(warehouse.path()), before);
}

TEST_F(QueryCli, PathThatIsNotATable) {
  const fs::path plain = warehouse.path() / "plain";
  testing::write_file(plain / "data.csv", "a\n1\n");
  auto before = file_tree(warehouse.path());
  CommandResult r = query("SELECT * FROM delta_scan('" + plain.string() + "')");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no Delta table at " + plain.string()), std::string::npos) << r.err;
  CommandResult absent = query("SELECT * FROM delta_scan('/nonexistent/dls/table')");
  EXPECT_EQ(absent.exit_code, 1);
  EXPECT_NE(absent.err.find("/nonexistent/dls/table"), std::string::npos) << absent.err;
  CommandResult name = query("SELECT * FROM main.demo.nothing");
  EXPECT_EQ(name.exit_code, 1);
  EXPECT_NE(name.err.find("main.demo.nothing"), std::string::npos) << name.err;
  EXPECT_EQ(file_tree(warehouse.path()), before);
}

TEST_F(QueryCli, UnsafeTableNames) {
  auto before = file_tree(warehouse.path());
  for (const std::string& name :
       std::vector<std::string>{"main.demo..trips", "a.b.c.d", "main.demo.trips-2"}) {
    CommandResult r = query("SELECT * FROM delta_scan('" + name + "')");
    EXPECT_EQ(r.exit_code, 3) << name << "\n" << r.err;
    EXPECT_NE(r.err.find(name), std::string::npos) << r.err;
  }
  EXPECT_EQ(file_tree(warehouse.path()), before);
}

}  // namespace
}  // namespace dls

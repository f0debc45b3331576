// `dls table optimize|restore NAME_OR_PATH` (issue 12): one commit each with its operation in the
// history, the rows kept (optimize) or brought back (restore), JSON output, and bad input that
// changes nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>

#include "dls/delta/delta_table.h"
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

class TableMaintenanceCli : public ::testing::Test {
 protected:
  void SetUp() override {
    sql::Database db;
    auto con = db.connect();
    delta::CreateOptions options;
    options.partition_columns = {"city"};
    auto table = delta::DeltaTable::create(
        trips().string(),
        delta::Schema::from_json_string(
            R"({"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}},)"
            R"({"name":"city","type":"string","nullable":true,"metadata":{}}]})"),
        options);
    table.append(con, "SELECT * FROM (VALUES (1, 'paris'), (2, 'rome')) t(id, city)");  // v1
    table.append(con, "SELECT 3 AS id, 'paris' AS city");                               // v2
    table.append(con, "SELECT 4 AS id, 'paris' AS city");                               // v3
  }
  fs::path trips() const { return warehouse / "main" / "demo" / "trips"; }
  CommandResult dls(const std::string& args) {
    return run_dls("--warehouse " + shell_quote(warehouse.str()) + " " + args);
  }
  std::string rows() {
    CommandResult q =
        dls("query \"SELECT id, city FROM main.demo.trips ORDER BY id\" --format csv");
    EXPECT_EQ(q.exit_code, 0) << q.err;
    return q.out;
  }
  json last_history_entry() {
    CommandResult h = dls("table history main.demo.trips --limit 1 --format json");
    EXPECT_EQ(h.exit_code, 0) << h.err;
    return json::parse(h.out).at(0);
  }
  testing::TempDir warehouse;
};

TEST_F(TableMaintenanceCli, OptimizeCompactsFilesKeepingTheRows) {
  const std::string before = rows();
  CommandResult r = dls("table optimize main.demo.trips --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["committed"], true);
  EXPECT_EQ(j["version"], 4);
  EXPECT_EQ(j["files_removed"], 3);  // paris's three files; rome's single file stays
  EXPECT_EQ(j["files_added"], 1);
  EXPECT_EQ(j["partitions_optimized"], 1);
  EXPECT_EQ(j["checkpoint_error"], nullptr);
  EXPECT_EQ(rows(), before);
  EXPECT_EQ(last_history_entry()["operation"], "OPTIMIZE");
  // Again: nothing to do, nothing committed.
  CommandResult again = dls("table optimize main.demo.trips");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("already optimized"), std::string::npos) << again.err;
  EXPECT_EQ(last_history_entry()["version"], 4);
}

TEST_F(TableMaintenanceCli, OptimizeWhereAndTargetSize) {
  CommandResult r =
      dls("table optimize main.demo.trips --where \"city = 'rome'\" --target-size 1000000 "
          "--format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["committed"], false);  // rome has one file: nothing to do
  CommandResult p = dls("table optimize main.demo.trips --where \"city = 'paris'\" --format json");
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(json::parse(p.out)["files_removed"], 3);
}

TEST_F(TableMaintenanceCli, OptimizeRefusesBadInputChangingNothing) {
  const auto before = file_tree(trips());
  for (const char* args :
       {"--where \"no_such = 1\"", "--where \"id > 1\"", "--target-size 0", "--target-size -5"}) {
    CommandResult r = dls(std::string("table optimize main.demo.trips ") + args);
    EXPECT_EQ(r.exit_code, 2) << args << ": " << r.err;
    EXPECT_NE(r.err.find("dls: error:"), std::string::npos) << r.err;
  }
  CommandResult missing = dls("table optimize main.demo.nope");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("not found"), std::string::npos) << missing.err;
  EXPECT_EQ(file_tree(trips()), before);
}

TEST_F(TableMaintenanceCli, RestoreByVersionAndTimestamp) {
  CommandResult r = dls("table restore main.demo.trips --version 1 --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["committed"], true);
  EXPECT_EQ(j["version"], 4);
  EXPECT_EQ(j["restored_version"], 1);
  EXPECT_EQ(j["files_removed"], 2);
  EXPECT_EQ(rows(), "id,city\n1,paris\n2,rome\n");
  json entry = last_history_entry();
  EXPECT_EQ(entry["operation"], "RESTORE");
  EXPECT_EQ(entry["operation_parameters"]["version"], "1");
  // By timestamp: version 3's commit time brings back its four rows.
  CommandResult h = dls("table history main.demo.trips --format json");
  std::string ts3;
  for (const auto& e : json::parse(h.out))
    if (e["version"] == 3) ts3 = e["timestamp"];
  CommandResult t = dls("table restore main.demo.trips --timestamp " + ts3);
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_NE(t.err.find("restored main.demo.trips to version 3"), std::string::npos) << t.err;
  EXPECT_EQ(rows(), "id,city\n1,paris\n2,rome\n3,paris\n4,paris\n");
}

TEST_F(TableMaintenanceCli, RestoreRefusesBadInputChangingNothing) {
  const auto before = file_tree(trips());
  for (const char* args :
       {"", "--version 1 --timestamp 2024-01-01", "--version -1", "--timestamp yesterday"}) {
    CommandResult r = dls(std::string("table restore main.demo.trips ") + args);
    EXPECT_EQ(r.exit_code, 2) << args << ": " << r.err;
  }
  CommandResult future = dls("table restore main.demo.trips --version 99");
  EXPECT_NE(future.exit_code, 0);
  EXPECT_NE(future.err.find("no version 99"), std::string::npos) << future.err;
  CommandResult early = dls("table restore main.demo.trips --timestamp 2001-01-01");
  EXPECT_NE(early.exit_code, 0);
  EXPECT_EQ(file_tree(trips()), before);
  // A file of version 1 vacuumed away: refused, naming it.
  const auto v1 = delta::DeltaTable::open(trips().string()).snapshot(delta::VersionSpec{1, {}});
  dls("table optimize main.demo.trips");  // version 4 removes v1's paris file
  const std::string gone = v1.files().front().path;
  fs::remove(trips() / gone);
  const auto before_restore = file_tree(trips());
  CommandResult vacuumed = dls("table restore main.demo.trips --version 1");
  EXPECT_EQ(vacuumed.exit_code, 1) << vacuumed.err;
  EXPECT_NE(vacuumed.err.find("no longer exists"), std::string::npos) << vacuumed.err;
  EXPECT_EQ(file_tree(trips()), before_restore);
}

TEST_F(TableMaintenanceCli, HelpDescribesBothCommands) {
  CommandResult o = dls("table optimize --help");
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_NE(o.out.find("--target-size"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("OPTIMIZE"), std::string::npos) << o.out;
  CommandResult r = dls("table restore --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--timestamp"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace dls

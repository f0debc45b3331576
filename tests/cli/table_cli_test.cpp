// `dls --version`, `dls --help` and `dls table describe|history|vacuum NAME_OR_PATH` (DESIGN §9,
// issue 2): names and paths, output formats, exit codes, and bad input that writes nothing.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>

#include "dls/delta/delta_table.h"
#include "dls/delta/snapshot.h"
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

size_t count_lines(const std::string& s) {
  return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
}

const char* kTripsSchema =
    R"~({"type":"struct","fields":[)~"
    R"~({"name":"id","type":"long","nullable":true,"metadata":{}},)~"
    R"~({"name":"city","type":"string","nullable":true,"metadata":{}},)~"
    R"~({"name":"fare","type":"decimal(10,2)","nullable":true,"metadata":{}}]})~";

class TableCli : public ::testing::Test {
 protected:
  void SetUp() override {
    sql::Database db;
    auto con = db.connect();
    delta::CreateOptions options;
    options.partition_columns = {"city"};
    options.comment = "taxi trips";
    options.properties = {{"owner", "data-eng"}};
    auto table = delta::DeltaTable::create(trips().string(),
                                           delta::Schema::from_json_string(kTripsSchema), options);
    table.append(con,
                 "SELECT * FROM (VALUES (1, 'paris', 12.5), (2, 'rome', 8.0)) t(id, city, fare)");
    table.append(con, "SELECT 3 AS id, 'paris' AS city, 20.25 AS fare");
  }

  fs::path trips() const { return warehouse / "main" / "demo" / "trips"; }
  CommandResult dls(const std::string& args) {
    return run_dls("--warehouse " + shell_quote(warehouse.str()) + " " + args);
  }

  testing::TempDir warehouse;
};

TEST_F(TableCli, VersionAndHelp) {
  CommandResult v = run_dls("--version");
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.out.find("dls " DLS_VERSION), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("DuckDB"), std::string::npos) << v.out;

  CommandResult h = run_dls("--help");
  EXPECT_EQ(h.exit_code, 0) << h.err;
  for (const char* text :
       {"table describe", "table history", "table vacuum", "query", "--warehouse", "Exit codes"}) {
    EXPECT_NE(h.out.find(text), std::string::npos) << text << "\n" << h.out;
  }
  CommandResult none = run_dls("");
  EXPECT_EQ(none.exit_code, 2);
  CommandResult unknown = run_dls("table frobnicate x");
  EXPECT_EQ(unknown.exit_code, 2) << unknown.err;
}

TEST_F(TableCli, DescribeByNameAndByPath) {
  CommandResult r = dls("table describe main.demo.trips --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json d = json::parse(r.out);
  EXPECT_EQ(d["name"], "main.demo.trips");
  EXPECT_EQ(d["location"], trips().string());
  EXPECT_EQ(d["version"], 2);
  EXPECT_EQ(d["partition_columns"], json::array({"city"}));
  EXPECT_EQ(d["properties"]["owner"], "data-eng");
  EXPECT_EQ(d["description"], "taxi trips");
  EXPECT_EQ(d["num_files"], 3);
  EXPECT_EQ(d["num_records"], 3);
  ASSERT_EQ(d["schema"].size(), 3u);
  EXPECT_EQ(d["schema"][2],
            json({{"name", "fare"}, {"type", "decimal(10,2)"}, {"nullable", true}}));

  // schema.table uses catalog main; a path gives the same table without a name.
  CommandResult two = dls("table describe demo.trips --format json");
  ASSERT_EQ(two.exit_code, 0) << two.err;
  EXPECT_EQ(json::parse(two.out)["location"], trips().string());
  CommandResult path =
      run_dls("table describe " + shell_quote(trips().string()) + " --format json");
  ASSERT_EQ(path.exit_code, 0) << path.err;
  json p = json::parse(path.out);
  EXPECT_TRUE(p["name"].is_null());
  EXPECT_EQ(p["version"], 2);
  // Relative paths are relative to the working directory.
  CommandResult rel = run_dls("table describe ./main/demo/trips --format json", warehouse.path());
  ASSERT_EQ(rel.exit_code, 0) << rel.err;
  EXPECT_EQ(json::parse(rel.out)["location"], trips().string());

  CommandResult text = dls("table describe main.demo.trips");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  for (const char* s : {"main.demo.trips", "Partition columns  city", "Version            2",
                        "city (partition)", "decimal(10,2)", "owner=data-eng"}) {
    EXPECT_NE(text.out.find(s), std::string::npos) << s << "\n" << text.out;
  }
  CommandResult csv = dls("table describe main.demo.trips --format csv");
  EXPECT_EQ(csv.exit_code, 2) << "describe is a document, not rows";
  EXPECT_NE(csv.err.find("csv"), std::string::npos) << csv.err;
}

TEST_F(TableCli, HistoryInJsonAndCsv) {
  CommandResult r = dls("table history main.demo.trips --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json h = json::parse(r.out);
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0]["version"], 2);
  EXPECT_EQ(h[0]["operation"], "WRITE");
  EXPECT_EQ(h[0]["operation_parameters"]["mode"], "Append");
  EXPECT_EQ(h[0]["operation_metrics"]["numOutputRows"], "1");
  EXPECT_EQ(h[2]["operation"], "CREATE TABLE");
  EXPECT_TRUE(h[0]["timestamp"].get<std::string>().ends_with("Z"));

  CommandResult csv = dls("table history " + shell_quote(trips().string()) + " --format csv");
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out.substr(0, csv.out.find('\n')),
            "version,timestamp,operation,operation_parameters,operation_metrics");
  EXPECT_EQ(count_lines(csv.out), 4u) << csv.out;

  CommandResult limited = dls("table history main.demo.trips --limit 1 --format json");
  ASSERT_EQ(limited.exit_code, 0) << limited.err;
  EXPECT_EQ(json::parse(limited.out).size(), 1u);
  EXPECT_EQ(dls("table history main.demo.trips --limit 0").exit_code, 2);
}

TEST_F(TableCli, HistoryTimestampTimeTravelsToItsVersion) {
  CommandResult r = dls("table history main.demo.trips --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& entry : json::parse(r.out)) {
    CommandResult q =
        dls("query --format json " +
            shell_quote("SELECT count(*) AS n FROM delta_scan('" + trips().string() +
                        "', timestamp => '" + entry["timestamp"].get<std::string>() + "')"));
    ASSERT_EQ(q.exit_code, 0) << q.err;
    int expected = entry["version"] == 0 ? 0 : entry["version"] == 1 ? 2 : 3;
    EXPECT_EQ(json::parse(q.out)[0]["n"], expected) << entry.dump();
  }
}

TEST_F(TableCli, VacuumDryRunRetentionAndForce) {
  // An orphan file (a failed write's), old enough for the default retention.
  const fs::path orphan = trips() / "city=paris" / "part-orphan.snappy.parquet";
  testing::write_file(orphan, "orphan");
  fs::last_write_time(orphan, fs::file_time_type::clock::now() - std::chrono::hours(24 * 30));

  CommandResult dry = dls("table vacuum main.demo.trips --dry-run --format json");
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  json d = json::parse(dry.out);
  EXPECT_EQ(d["dry_run"], true);
  EXPECT_EQ(d["files"], json::array({"city=paris/part-orphan.snappy.parquet"}));
  EXPECT_TRUE(fs::exists(orphan));

  // A retention under the table's (7 days) is refused without --force, and deletes nothing.
  CommandResult refused = dls("table vacuum main.demo.trips --retain 1");
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("--force"), std::string::npos) << refused.err;
  EXPECT_TRUE(fs::exists(orphan));
  // ... but may be previewed.
  CommandResult preview = dls("table vacuum main.demo.trips --retain 0 --dry-run --format csv");
  ASSERT_EQ(preview.exit_code, 0) << preview.err;
  EXPECT_EQ(preview.out, "file\ncity=paris/part-orphan.snappy.parquet\n");

  CommandResult done = dls("table vacuum main.demo.trips --retain 1 --force --format json");
  ASSERT_EQ(done.exit_code, 0) << done.err;
  EXPECT_EQ(json::parse(done.out)["num_files"], 1);
  EXPECT_FALSE(fs::exists(orphan));
  EXPECT_NE(done.err.find("deleted 1 file"), std::string::npos) << done.err;
  // The table's files are untouched.
  CommandResult q = dls("query \"SELECT count(*) FROM main.demo.trips\" --format csv");
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_EQ(q.out, "count_star()\n3\n");

  CommandResult text = dls("table vacuum main.demo.trips");
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.err.find("deleted 0 files"), std::string::npos) << text.err;
}

// ---- bad input: a clear error naming the path/version, the §9 exit code, nothing written ----

TEST_F(TableCli, TruncatedCommitJson) {
  const fs::path commit = trips() / "_delta_log" / delta::commit_file_name(2);
  std::string content = testing::read_file(commit);
  testing::write_file(commit, content.substr(0, content.size() - 20));
  auto before = file_tree(warehouse.path());
  for (const char* cmd : {"describe", "history --format json", "vacuum --dry-run"}) {
    std::string sub(cmd);
    std::string args = "table " + sub.substr(0, sub.find(' ')) + " main.demo.trips" +
                       (sub.find(' ') == std::string::npos ? "" : sub.substr(sub.find(' ')));
    CommandResult r = dls(args);
    if (sub.rfind("history", 0) == 0) {
      // History lists commits; the damaged one is shown without its details, never invented.
      EXPECT_EQ(r.exit_code, 0) << r.err;
      continue;
    }
    EXPECT_EQ(r.exit_code, 1) << args << "\n" << r.err;
    EXPECT_NE(r.err.find(commit.string()), std::string::npos) << args << "\n" << r.err;
  }
  EXPECT_EQ(file_tree(warehouse.path()), before);
}

TEST_F(TableCli, UnknownReaderFeature) {
  const fs::path features = warehouse / "main" / "demo" / "features";
  fs::copy(testing::testdata_dir() / "delta" / "simple_table_features", features,
           fs::copy_options::recursive);
  auto before = file_tree(warehouse.path());
  for (const std::string& target :
       std::vector<std::string>{std::string("main.demo.features"), features.string()}) {
    CommandResult r = dls("table describe " + shell_quote(target));
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("blahabl"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(features.string()), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("version 4"), std::string::npos) << r.err;
    CommandResult v = dls("table vacuum " + shell_quote(target) + " --retain 0 --force");
    EXPECT_EQ(v.exit_code, 1) << v.err;
  }
  EXPECT_EQ(file_tree(warehouse.path()), before);
}

TEST_F(TableCli, PathThatIsNotATable) {
  const fs::path plain = warehouse.path() / "plain";
  testing::write_file(plain / "data.csv", "a\n1\n");
  auto before = file_tree(warehouse.path());
  CommandResult r = dls("table describe " + shell_quote(plain.string()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no Delta table at " + plain.string()), std::string::npos) << r.err;
  CommandResult name = dls("table history main.demo.nothing");
  EXPECT_EQ(name.exit_code, 1);
  EXPECT_NE(name.err.find("main.demo.nothing"), std::string::npos) << name.err;
  EXPECT_NE(name.err.find((warehouse / "main" / "demo" / "nothing").string()), std::string::npos)
      << name.err;
  CommandResult v = dls("table vacuum " + shell_quote(plain.string()) + " --retain 0 --force");
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_EQ(file_tree(warehouse.path()), before);
  EXPECT_FALSE(fs::exists(warehouse / "main" / "demo" / "nothing"));
}

TEST_F(TableCli, UnsafeTableNames) {
  auto before = file_tree(warehouse.path());
  for (const std::string& name :
       std::vector<std::string>{"main.demo..trips", "a.b.c.d", "main.demo.trips-2",
                                "_pipelines.x.y", ".hidden.t", "main.de mo.trips"}) {
    for (const char* cmd : {"describe", "history", "vacuum"}) {
      CommandResult r = dls(std::string("table ") + cmd + " " + shell_quote(name));
      EXPECT_EQ(r.exit_code, 3) << cmd << " " << name << "\n" << r.err;
      EXPECT_NE(r.err.find(name), std::string::npos) << r.err;
    }
  }
  EXPECT_EQ(file_tree(warehouse.path()), before);
}

}  // namespace
}  // namespace dls

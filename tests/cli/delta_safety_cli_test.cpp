// Issue 15 ("Nothing lost, nothing wrong") through the CLI: `dls table vacuum` keeps the deletion
// vector files that a table's versions reference, so `dls query` still reads every Delta table of
// shared/testdata/delta that stores deletion vectors in files; and a commit file without any action
// makes `dls query` fail naming the file (exit 1) instead of reading it as an empty commit.
#include <fcntl.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "dls/delta/delta_table.h"
#include "dls/delta/snapshot.h"
#include "dls/sql/database.h"
#include "support/test_support.h"

namespace dls {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::CommandResult;
using testing::run_dls;
using testing::shell_quote;

fs::path delta_testdata() {
  return testing::testdata_dir() / "delta";
}

/// The manifest cases whose tables keep deletion vectors in files, with their latest version.
std::vector<json> dv_cases() {
  std::vector<json> out;
  std::ifstream in(delta_testdata() / "MANIFEST.json");
  if (!in) return out;
  const json manifest = json::parse(in);  // alive for the whole loop
  for (const auto& c : manifest.at("cases")) {
    if (c.value("must_fail", false)) continue;
    const fs::path root = delta_testdata() / c.at("name").get<std::string>();
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      if (e.path().filename().string().rfind("deletion_vector_", 0) == 0) {
        out.push_back(c);
        break;
      }
    }
  }
  return out;
}

std::string case_name(const ::testing::TestParamInfo<json>& info) {
  std::string name = info.param.at("name").get<std::string>();
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

void age_files(const fs::path& root, std::chrono::hours age) {
  const auto t = std::chrono::system_clock::now() - age;
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  struct timespec times[2] = {{static_cast<time_t>(s), 0}, {static_cast<time_t>(s), 0}};
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    ASSERT_EQ(::utimensat(AT_FDCWD, e.path().c_str(), times, 0), 0) << e.path();
  }
}

class VacuumDvTableCli : public ::testing::TestWithParam<json> {
 protected:
  void SetUp() override {
    fs::copy(delta_testdata() / GetParam().at("name").get<std::string>(), table_,
             fs::copy_options::recursive);
  }
  CommandResult dls(const std::string& args) {
    return run_dls("--warehouse " + shell_quote(warehouse_.str()) + " " + args);
  }
  /// `dls query` reads every row of the latest version (all columns: DV files are read) and
  /// counts them as the manifest says.
  void expect_query_reads_latest() {
    const json& latest = GetParam().at("versions").back();
    ASSERT_TRUE(latest.contains("rows") && latest["rows"].is_number());
    const std::string scan = "delta_scan('" + table_.string() + "')";
    CommandResult all = dls("query " + shell_quote("SELECT * FROM " + scan) + " --format csv");
    ASSERT_EQ(all.exit_code, 0) << all.err;
    CommandResult n =
        dls("query " + shell_quote("SELECT count(*) AS n FROM " + scan) + " --format csv");
    ASSERT_EQ(n.exit_code, 0) << n.err;
    EXPECT_EQ(n.out, "n\n" + std::to_string(latest["rows"].get<int64_t>()) + "\n");
  }

  testing::TempDir warehouse_;
  fs::path table_ = warehouse_.path() / "dv_table";
};

TEST_P(VacuumDvTableCli, VacuumRetainZeroThenQuery) {
  CommandResult v = dls("table vacuum " + shell_quote(table_.string()) + " --retain 0 --force");
  ASSERT_EQ(v.exit_code, 0) << v.err;
  expect_query_reads_latest();
}

TEST_P(VacuumDvTableCli, VacuumDefaultRetentionOnOldFilesThenQuery) {
  age_files(table_, std::chrono::hours(24 * 8));
  CommandResult v = dls("table vacuum " + shell_quote(table_.string()));
  ASSERT_EQ(v.exit_code, 0) << v.err;
  expect_query_reads_latest();
}

INSTANTIATE_TEST_SUITE_P(Manifest, VacuumDvTableCli, ::testing::ValuesIn(dv_cases()), case_name);

TEST(ActionlessCommitCli, QueryFailsNamingTheEmptyCommitFile) {
  testing::TempDir warehouse;
  const fs::path root = warehouse.path() / "main" / "demo" / "t";
  {
    sql::Database db;
    auto con = db.connect();
    auto table = delta::DeltaTable::create(
        root.string(),
        delta::Schema::from_json_string(
            R"({"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}}]})"));
    table.append(con, "SELECT 1 AS id");
    table.append(con, "SELECT 2 AS id");
  }
  const fs::path commit = root / "_delta_log" / delta::commit_file_name(2);
  fs::resize_file(commit, 0);  // what a crashed, non-atomic copy leaves behind
  for (const std::string& target :
       {std::string("main.demo.t"), "delta_scan('" + root.string() + "')"}) {
    CommandResult r = run_dls("--warehouse " + shell_quote(warehouse.str()) + " query " +
                              shell_quote("SELECT count(*) AS n FROM " + target) + " --format csv");
    EXPECT_EQ(r.exit_code, 1) << target << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find(commit.string()), std::string::npos) << target << "\n" << r.err;
  }
  EXPECT_EQ(fs::file_size(commit), 0u);
  EXPECT_FALSE(fs::exists(root / "_delta_log" / delta::commit_file_name(3)));
}

}  // namespace
}  // namespace dls

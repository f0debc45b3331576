// Damaged or foreign tables (issue 2 acceptance, library side): each is a clear error naming the
// path and the version, and a write attempted on it leaves the table exactly as it was. The CLI
// side (exit codes) is in tests/cli/table_cli_test.cpp and query_cli_test.cpp.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "dls/core/error.h"
#include "dls/delta/delta_error.h"
#include "dls/sql/database.h"
#include "support/file_tree.h"
#include "write_test_support.h"

namespace dls::delta {
namespace {

using namespace write_testing;
namespace fs = std::filesystem;

using testing::file_tree;

class BadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    con.emplace(db.connect());
    auto table = DeltaTable::create(root(), make_schema({{"id", "long"}, {"s", "string"}}));
    table.append(*con, "SELECT range::BIGINT AS id, 'x' AS s FROM range(3)");
    table.append(*con, "SELECT range::BIGINT AS id, 'y' AS s FROM range(3, 5)");
  }
  std::string root() const { return (dir / "t").string(); }
  std::string commit(int64_t v) const {
    return (fs::path(root()) / "_delta_log" / commit_file_name(v)).string();
  }
  /// Runs a write that must fail with E, and checks that it left every file as it was.
  template <class E, class F>
  std::string expect_failed_write(F&& write) {
    auto before = file_tree(root());
    std::string message;
    try {
      write();
      ADD_FAILURE() << "the write should have failed";
    } catch (const E& e) {
      message = e.what();
    }
    EXPECT_EQ(file_tree(root()), before) << "a failed write must leave the table untouched";
    return message;
  }

  testing::TempDir dir;
  sql::Database db;
  std::optional<sql::Connection> con;
};

TEST_F(BadInput, TruncatedCommitJsonNamesTheFileAndKeepsOlderVersionsReadable) {
  std::string content = testing::read_file(commit(2));
  testing::write_file(commit(2), content.substr(0, content.size() / 2));
  try {
    DeltaTable::open(root()).snapshot();
    FAIL() << "a truncated commit must not load";
  } catch (const CorruptTableError& e) {
    EXPECT_NE(std::string(e.what()).find(commit(2)), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("version 2"), std::string::npos) << e.what();
  }
  EXPECT_EQ(DeltaTable::open(root()).snapshot(VersionSpec{1, std::nullopt}).version(), 1);
  std::string msg = expect_failed_write<CorruptTableError>(
      [&] { DeltaTable::open(root()).append(*con, "SELECT 9::BIGINT AS id, 'z' AS s"); });
  EXPECT_NE(msg.find(commit(2)), std::string::npos) << msg;
}

TEST_F(BadInput, MissingDataFileNamesTheFileAndVersion) {
  auto table = DeltaTable::open(root());
  Snapshot snap = table.snapshot();
  const std::string missing = TableScan(snap).data_file_paths().at(0);
  fs::remove(missing);
  try {
    TableScan(table.snapshot()).sql(*con);
    FAIL() << "a missing data file must not be read as an empty one";
  } catch (const CorruptTableError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(missing), std::string::npos) << msg;
    EXPECT_NE(msg.find("version 2"), std::string::npos) << msg;
  }
  std::string msg =
      expect_failed_write<Error>([&] { table.delete_where(*con, "id = 1 OR id = 4"); });
  EXPECT_NE(msg.find(fs::path(missing).filename().string()), std::string::npos) << msg;
}

TEST_F(BadInput, UnknownReaderFeatureIsRefusedForReadsAndWrites) {
  const std::string features = (dir / "features").string();
  fs::copy(testing::testdata_dir() / "delta" / "simple_table_features", features,
           fs::copy_options::recursive);
  auto before = file_tree(features);
  try {
    DeltaTable::open(features).snapshot();
    FAIL() << "an unknown reader feature must be refused";
  } catch (const UnsupportedFeatureError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(features), std::string::npos) << msg;
    EXPECT_NE(msg.find("blahabl"), std::string::npos) << msg;
    EXPECT_NE(msg.find("version 4"), std::string::npos) << msg;
  }
  EXPECT_THROW(DeltaTable::open(features).append(*con, "SELECT 1 AS id"), UnsupportedFeatureError);
  EXPECT_THROW(DeltaTable::open(features).vacuum(), UnsupportedFeatureError);
  EXPECT_EQ(file_tree(features), before);
}

TEST_F(BadInput, PathThatIsNotATable) {
  const fs::path plain = dir / "plain";
  testing::write_file(plain / "data.csv", "a,b\n1,2\n");
  testing::write_file(plain / "_delta_log" / "README", "not a commit");
  for (const std::string& path :
       std::vector<std::string>{plain.string(), (dir / "absent").string()}) {
    try {
      DeltaTable::open(path);
      FAIL() << path;
    } catch (const TableNotFoundError& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
    try {
      Snapshot::load(local_storage(), path);
      FAIL() << path;
    } catch (const TableNotFoundError& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
  }
  EXPECT_FALSE(fs::exists(dir / "absent"));
  EXPECT_EQ(file_tree(plain).size(), 2u);
}

TEST_F(BadInput, GapInTheLogNamesTheMissingCommit) {
  fs::remove(commit(1));
  try {
    DeltaTable::open(root()).snapshot();
    FAIL() << "a gap in the log must not be skipped";
  } catch (const CorruptTableError& e) {
    EXPECT_NE(std::string(e.what()).find(commit_file_name(1)), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace dls::delta

// A commit file without any action (zero-length, blank, or invalid JSON) is corruption, not an
// empty commit (issue 15): read as an empty commit, that version's rows vanish from reads and the
// next run ingests them again. Reads fail naming the file, and no writer commits on top of it or
// replaces it.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "dls/delta/delta_error.h"
#include "dls/delta/delta_table.h"
#include "dls/delta/snapshot.h"
#include "dls/delta/transaction.h"
#include "dls/sql/database.h"
#include "support/file_tree.h"
#include "support/test_support.h"

namespace dls::delta {
namespace {

namespace fs = std::filesystem;

const char* kSchema =
    R"({"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}}]})";

using testing::file_tree;

class ActionlessCommit : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto table = DeltaTable::create(root_, Schema::from_json_string(kSchema));
    table.append(con_, "SELECT 1 AS id");                     // version 1
    table.append(con_, "SELECT 2 AS id UNION ALL SELECT 3");  // version 2
  }
  /// Replaces the newest commit (version 2) with the damaged content under test.
  void damage_newest_commit() { testing::write_file(commit2_, GetParam()); }

  /// `f` must throw CorruptTableError naming the damaged commit file.
  template <typename F>
  void expect_corrupt(F&& f, const std::string& what) {
    try {
      f();
      ADD_FAILURE() << what << " succeeded on a table whose newest commit is damaged";
    } catch (const CorruptTableError& e) {
      EXPECT_NE(std::string(e.what()).find(commit2_.string()), std::string::npos)
          << what << ": " << e.what();
    }
  }

  testing::TempDir tmp_;
  std::string root_ = (tmp_.path() / "t").string();
  fs::path commit2_ = fs::path(root_) / "_delta_log" / commit_file_name(2);
  sql::Database db_;
  sql::Connection con_{db_};
};

TEST_P(ActionlessCommit, ReadsFailNamingTheFile) {
  damage_newest_commit();
  expect_corrupt([&] { Snapshot::load(local_storage(), root_); }, "loading the latest snapshot");
  expect_corrupt([&] { DeltaTable::open(root_).describe(); }, "describe");
  expect_corrupt([&] { DeltaTable::open(root_).history(); }, "history");
  // Older versions do not read the damaged file and stay readable.
  EXPECT_EQ(Snapshot::load(local_storage(), root_, VersionSpec{1, {}}).files().size(), 1u);
}

TEST_P(ActionlessCommit, WritesFailAndLeaveTheTableUnchanged) {
  damage_newest_commit();
  const auto before = file_tree(root_);
  auto table = DeltaTable::open(root_);
  expect_corrupt([&] { table.append(con_, "SELECT 4 AS id"); }, "append");
  expect_corrupt([&] { table.overwrite(con_, "SELECT 4 AS id"); }, "overwrite");
  expect_corrupt([&] { table.delete_where(con_, "id = 1"); }, "delete");
  expect_corrupt([&] { table.vacuum(0, false, true); }, "vacuum");
  EXPECT_EQ(file_tree(root_), before) << "nothing may be written over or after a damaged commit";
}

TEST_P(ActionlessCommit, AWriterThatReadAnOlderVersionDoesNotCommitOnTopOfIt) {
  // The writer read version 1; meanwhile a crashed writer left a damaged version 2. Committing
  // finds version 2 taken, reads it to check for conflicts, and must stop there: committing
  // version 3 would make the damaged file part of the table's history.
  Snapshot v1 = Snapshot::load(local_storage(), root_, VersionSpec{1, {}});
  damage_newest_commit();
  // The file it adds exists (never read: the commit must stop before referencing it).
  testing::write_file(fs::path(root_) / "part-00000-extra.parquet", "x");
  const auto before = file_tree(root_);
  Transaction tx(v1);
  AddFile add;
  add.path = "part-00000-extra.parquet";
  add.size = 1;
  tx.add_file(add);
  expect_corrupt([&] { tx.commit(); }, "a blind append based on version 1");
  EXPECT_EQ(file_tree(root_), before);
  EXPECT_FALSE(fs::exists(fs::path(root_) / "_delta_log" / commit_file_name(3)));
}

INSTANTIATE_TEST_SUITE_P(Content, ActionlessCommit,
                         ::testing::Values(std::string(), std::string("\n"),
                                           std::string("  \n\t\n  "),
                                           std::string("{\"commitInfo\":{\"operation\":\"WR")),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           switch (info.index) {
                             case 0:
                               return std::string("ZeroLength");
                             case 1:
                               return std::string("EmptyLine");
                             case 2:
                               return std::string("Whitespace");
                             default:
                               return std::string("TruncatedJson");
                           }
                         });

TEST(ActionlessCommitParse, ParseCommitRejectsAFileWithoutActions) {
  EXPECT_THROW(parse_commit("", "commit x.json"), CorruptTableError);
  EXPECT_THROW(parse_commit("\r\n \n", "commit x.json"), CorruptTableError);
  EXPECT_EQ(parse_commit("{\"commitInfo\":{}}\n\n", "commit x.json").size(), 1u);
}

}  // namespace
}  // namespace dls::delta

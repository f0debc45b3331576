// Maintenance commits (issue 12): OPTIMIZE bin-packs small files per partition and purges deletion
// vectors without changing the rows, as one dataChange=false commit; RESTORE brings back the files
// of an earlier version as one commit. Both refuse bad input, changing nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "dls/core/error.h"
#include "dls/delta/delta_error.h"
#include "dls/sql/database.h"
#include "write_test_support.h"

namespace dls::delta {
namespace {

using namespace write_testing;
namespace fs = std::filesystem;

class Maintenance : public ::testing::Test {
 protected:
  DeltaTable create(std::vector<std::string> partitions = {}) {
    CreateOptions options;
    options.partition_columns = std::move(partitions);
    return DeltaTable::create(root(), make_schema({{"id", "long"}, {"p", "string"}}), options);
  }
  std::string root() const { return (dir.path() / "t").string(); }
  void append(DeltaTable& t, int from, int to, const std::string& p = "a") {
    t.append(con, "SELECT range::BIGINT AS id, '" + p + "' AS p FROM range(" +
                      std::to_string(from) + ", " + std::to_string(to) + ")");
  }
  testing::TempDir dir;
  sql::Database db;
  sql::Connection con = db.connect();
};

TEST_F(Maintenance, OptimizeCompactsSmallFilesPerPartitionKeepingTheRows) {
  auto table = create({"p"});
  for (int i = 0; i < 6; ++i) append(table, i * 10, i * 10 + 10, i % 2 ? "x" : "y");
  const Rows before = table_rows(con, table);
  const int64_t version_before = table.snapshot().version();
  ASSERT_EQ(table.snapshot().files().size(), 6u);
  OptimizeResult r = table.optimize(con);
  EXPECT_FALSE(r.commit.skipped);
  EXPECT_EQ(r.commit.version, version_before + 1);
  EXPECT_EQ(r.files_removed, 6);
  EXPECT_EQ(r.files_added, 2);  // one per partition
  EXPECT_EQ(r.partitions_optimized, 2);
  EXPECT_EQ(table.snapshot().files().size(), 2u);
  EXPECT_EQ(table_rows(con, table), before);
  // dataChange=false on every add and remove; operation OPTIMIZE in the history.
  for (const auto& a : actions_of(root(), r.commit.version, "add"))
    EXPECT_FALSE(a["dataChange"].get<bool>());
  for (const auto& a : actions_of(root(), r.commit.version, "remove"))
    EXPECT_FALSE(a["dataChange"].get<bool>());
  auto history = table.history(1);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].operation, "OPTIMIZE");
  EXPECT_EQ(history[0].operation_metrics["numRemovedFiles"], "6");
  // Nothing left to do: a second optimize commits nothing.
  OptimizeResult again = table.optimize(con);
  EXPECT_TRUE(again.commit.skipped);
  EXPECT_EQ(table.snapshot().version(), r.commit.version);
}

TEST_F(Maintenance, OptimizeWhereSelectsPartitions) {
  auto table = create({"p"});
  for (int i = 0; i < 4; ++i) append(table, i * 10, i * 10 + 10, i % 2 ? "x" : "y");
  const Rows before = table_rows(con, table);
  OptimizeOptions options;
  options.where = "p = 'x'";
  OptimizeResult r = table.optimize(con, options);
  EXPECT_EQ(r.files_removed, 2);
  EXPECT_EQ(r.files_added, 1);
  EXPECT_EQ(table.snapshot().files().size(), 3u);
  EXPECT_EQ(table_rows(con, table), before);
}

TEST_F(Maintenance, OptimizeRespectsTheTargetSize) {
  auto table = create();
  for (int i = 0; i < 4; ++i) append(table, i * 10, i * 10 + 10);
  int64_t largest = 0;
  for (const auto& f : table.snapshot().files()) largest = std::max(largest, f.size);
  OptimizeOptions options;
  options.target_size_bytes = largest * 2 + 1;  // two files per bin (the sizes differ slightly)
  OptimizeResult r = table.optimize(con, options);
  EXPECT_EQ(r.files_removed, 4);
  EXPECT_EQ(r.files_added, 2);
  EXPECT_EQ(table_rows(con, table).size(), 40u);
}

TEST_F(Maintenance, OptimizeRefusesBadInputAndChangesNothing) {
  auto table = create({"p"});
  append(table, 0, 10);
  append(table, 10, 20);
  const int64_t version = table.snapshot().version();
  OptimizeOptions bad_where;
  bad_where.where = "no_such_column = 1";
  EXPECT_THROW(table.optimize(con, bad_where), UsageError);
  OptimizeOptions data_column;
  data_column.where = "id > 3";  // not a partition column
  EXPECT_THROW(table.optimize(con, data_column), UsageError);
  OptimizeOptions negative;
  negative.target_size_bytes = -1;
  EXPECT_THROW(table.optimize(con, negative), UsageError);
  EXPECT_EQ(table.snapshot().version(), version);
  EXPECT_EQ(data_files_on_disk(root()).size(), 2u);
}

TEST_F(Maintenance, OptimizePurgesDeletionVectors) {
  const fs::path src = testing::testdata_dir() / "delta" / "table-with-dv-small";
  fs::copy(src, dir.path() / "t", fs::copy_options::recursive);
  auto table = DeltaTable::open(root());
  const Rows before = table_rows(con, table);
  ASSERT_EQ(before.size(), 8u);  // 10 rows, 2 deleted through the DV
  ASSERT_TRUE(table.snapshot().files().front().deletion_vector.has_value());
  OptimizeResult r = table.optimize(con);
  EXPECT_FALSE(r.commit.skipped);
  EXPECT_EQ(r.deletion_vectors_purged, 1);
  Snapshot after = table.snapshot();
  ASSERT_EQ(after.files().size(), 1u);
  EXPECT_FALSE(after.files().front().deletion_vector.has_value());
  EXPECT_EQ(table_rows(con, table), before);
  EXPECT_EQ(table.history(1)[0].operation, "OPTIMIZE");
}

TEST_F(Maintenance, ARearrangementDoesNotConflictWithAConcurrentAppend) {
  auto table = create();
  append(table, 0, 10);
  append(table, 10, 20);
  Snapshot read = table.snapshot();
  auto other = DeltaTable::open(root());
  append(other, 20, 30);  // commits while the rearrangement below is in flight
  // What OPTIMIZE commits: removes (and adds) with dataChange=false, based on `read`.
  Transaction tx(read);
  RemoveFile rm;
  rm.path = read.files().back().path;
  rm.data_change = false;
  rm.deletion_timestamp = 1;
  tx.remove_file(rm);
  tx.set_operation("OPTIMIZE");
  CommitResult r = tx.commit();
  EXPECT_EQ(r.attempts, 2);
  // A concurrent removal of the same file does conflict.
  Snapshot read2 = table.snapshot();
  table.delete_where(con, "true");  // removes every file
  Transaction tx2(read2);
  RemoveFile rm2;
  rm2.path = read2.files().front().path;
  rm2.data_change = false;
  tx2.remove_file(rm2);
  EXPECT_THROW(tx2.commit(), CommitConflictError);
}

TEST_F(Maintenance, RestoreBringsBackTheRowsOfAVersion) {
  auto table = create();
  append(table, 0, 10);  // v1
  const Rows v1 = table_rows(con, table);
  append(table, 10, 20);                                      // v2
  table.delete_where(con, "id % 2 = 0");                      // v3
  table.overwrite(con, "SELECT 99::BIGINT AS id, 'z' AS p");  // v4
  RestoreResult r = table.restore(VersionSpec{1, std::nullopt});
  EXPECT_FALSE(r.commit.skipped);
  EXPECT_EQ(r.commit.version, 5);
  EXPECT_EQ(r.restored_version, 1);
  EXPECT_EQ(table_rows(con, table), v1);
  auto h = table.history(1);
  EXPECT_EQ(h[0].operation, "RESTORE");
  EXPECT_EQ(h[0].operation_parameters["version"], "1");
  // By timestamp: the version of v2's commit time.
  const int64_t ts2 = table.history()[table.history().size() - 3].timestamp_ms;
  RestoreResult by_ts = table.restore(VersionSpec{std::nullopt, ts2});
  EXPECT_EQ(by_ts.restored_version, 2);
  EXPECT_EQ(table_rows(con, table).size(), 20u);
  // Restoring the version the table already has commits nothing.
  RestoreResult same = table.restore(VersionSpec{2, std::nullopt});
  EXPECT_TRUE(same.commit.skipped);
}

TEST_F(Maintenance, RestoreRefusesBadInputAndVacuumedFilesChangingNothing) {
  auto table = create();
  append(table, 0, 10);                                       // v1
  table.overwrite(con, "SELECT 99::BIGINT AS id, 'z' AS p");  // v2
  const int64_t version = table.snapshot().version();
  EXPECT_THROW(table.restore(VersionSpec{}), UsageError);
  EXPECT_THROW(table.restore(VersionSpec{-1, std::nullopt}), UsageError);
  EXPECT_THROW(table.restore(VersionSpec{7, std::nullopt}), NotFoundError);
  EXPECT_THROW(table.restore(VersionSpec{std::nullopt, 1000}), NotFoundError);
  // The file of version 1 vacuumed: refused, naming the file.
  const std::string gone = table.snapshot(VersionSpec{1, std::nullopt}).files().front().path;
  fs::remove(dir.path() / "t" / gone);
  try {
    table.restore(VersionSpec{1, std::nullopt});
    FAIL() << "restore of a vacuumed version succeeded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(gone), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("nothing was changed"), std::string::npos) << e.what();
  }
  EXPECT_EQ(table.snapshot().version(), version);
}

}  // namespace
}  // namespace dls::delta

// Row-level changes (DeltaTable::replace_rows) and keyed scans (TableScan::sql_for_keys): only the
// files holding changed rows are touched, with deletion vectors or by copy-on-write, in one commit.
#include <gtest/gtest.h>

#include <set>

#include "delta/write_test_support.h"
#include "dls/core/error.h"
#include "dls/delta/deletion_vector.h"
#include "dls/delta/delta_error.h"
#include "dls/sql/database.h"

namespace dls::delta {
namespace {

using namespace write_testing;
namespace fs = std::filesystem;
using nlohmann::json;

class RowLevelWrite : public ::testing::Test {
 protected:
  RowLevelWrite() : con_(db_.connect()) {}

  /// A table of (id BIGINT, name STRING, part STRING) with three files of ids [0,100), [100,200),
  /// [200,300); `part` is 'a' for ids below 150, else 'b'.
  DeltaTable make_table(bool deletion_vectors, bool partitioned = false) {
    CreateOptions options;
    if (deletion_vectors) options.properties["delta.enableDeletionVectors"] = "true";
    if (partitioned) options.partition_columns = {"part"};
    auto table = DeltaTable::create(
        root(), make_schema({{"id", "long"}, {"name", "string"}, {"part", "string"}}), options);
    for (int f = 0; f < 3; ++f) {
      table.append(con_,
                   "SELECT i AS id, 'n' || i AS name, CASE WHEN i < 150 THEN 'a' ELSE 'b' "
                   "END AS part FROM range(" +
                       std::to_string(f * 100) + ", " + std::to_string(f * 100 + 100) + ") t(i)");
    }
    return table;
  }

  std::string root() const { return (dir_.path() / "t").string(); }

  /// Keys in a temp table `keys` (id BIGINT).
  void set_keys(const std::string& values) {
    con_.execute("CREATE OR REPLACE TEMP TABLE keys AS SELECT * FROM (VALUES " + values +
                 ") AS k(id)");
  }

  /// Replaces the rows of `keys` by their new values (name 'new' || id) and inserts keys that
  /// did not exist; returns the result.
  RowChangeResult upsert_keys(DeltaTable& table) {
    Snapshot snap = table.snapshot();
    con_.execute("CREATE OR REPLACE TEMP TABLE old AS " +
                 TableScan(snap).sql_for_keys(con_, {"id"}, "keys"));
    RowChange change;
    change.read_version = snap.version();
    change.removed_rows_sql = "SELECT __dls_file, __dls_row FROM old";
    change.added_rows_sql =
        "SELECT id, 'new' || id AS name, CASE WHEN id < 150 THEN 'a' ELSE 'b' END AS part FROM "
        "keys";
    return table.replace_rows(con_, change);
  }

  dls::testing::TempDir dir_;
  sql::Database db_;
  sql::Connection con_;
};

Rows expected_after_upsert(const std::set<int64_t>& keys) {
  Rows out;
  std::set<int64_t> all = keys;
  for (int64_t i = 0; i < 300; ++i) all.insert(i);
  for (int64_t i : all) {
    out.push_back({std::to_string(i), (keys.count(i) ? "new" : "n") + std::to_string(i),
                   i < 150 ? "a" : "b"});
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST_F(RowLevelWrite, KeyedScanReadsOnlyTheFilesWhoseStatsHoldAKey) {
  auto table = make_table(false);
  set_keys("(5::BIGINT), (250), (999)");
  TableScan scan(table.snapshot());
  auto files = scan.files_for_keys(con_, {"id"}, "keys");
  ASSERT_EQ(files.size(), 2u);
  auto rows =
      rows_as_text(con_, "SELECT id, name FROM (" + scan.sql_for_keys(con_, {"id"}, "keys") + ")");
  EXPECT_EQ(rows, (Rows{{"250", "n250"}, {"5", "n5"}}));
  // A NULL key matches only files that may hold NULL ids (none here).
  set_keys("(NULL::BIGINT)");
  EXPECT_TRUE(scan.files_for_keys(con_, {"id"}, "keys").empty());
}

TEST_F(RowLevelWrite, PartitionValuesPruneAndNullKeysMatchNullPartitions) {
  auto table = make_table(false, true);
  table.append(con_, "SELECT 1000 AS id, 'x' AS name, NULL::VARCHAR AS part");
  con_.execute("CREATE TEMP TABLE pkeys AS SELECT * FROM (VALUES ('b'), (NULL)) AS k(part)");
  TableScan scan(table.snapshot());
  auto files = scan.files_for_keys(con_, {"part"}, "pkeys");
  // Files of part 'b' (ids 150..299 in two files) and the NULL partition; not those of 'a'.
  std::set<std::string> parts;
  for (const auto& f : files) {
    auto v = f.partition_values.at("part");
    parts.insert(v ? *v : "NULL");
  }
  EXPECT_EQ(parts, (std::set<std::string>{"b", "NULL"}));
  auto n = con_.query("SELECT count(*) FROM (" + scan.sql_for_keys(con_, {"part"}, "pkeys") + ")")
               .scalar()
               .as_int();
  EXPECT_EQ(n, 151);
}

TEST_F(RowLevelWrite, DeletionVectorsMarkRemovedRowsAndKeepTheFile) {
  auto table = make_table(true);
  auto protocol = table.snapshot().protocol();
  ASSERT_TRUE(protocol.writer_features);
  EXPECT_NE(std::find(protocol.writer_features->begin(), protocol.writer_features->end(),
                      "deletionVectors"),
            protocol.writer_features->end());
  set_keys("(5::BIGINT), (6), (250), (999)");
  auto r = upsert_keys(table);
  EXPECT_EQ(r.deleted_rows, 3);
  EXPECT_EQ(r.added_rows, 4);
  EXPECT_EQ(r.deletion_vectors_added, 2);
  EXPECT_EQ(r.copied_rows, 0);
  EXPECT_EQ(table_rows(con_, table, "id, name, part"), expected_after_upsert({5, 6, 250, 999}));

  // The commit removes and re-adds the two files with a DV; the middle file is untouched.
  auto adds = actions_of(root(), r.commit.version, "add");
  auto removes = actions_of(root(), r.commit.version, "remove");
  ASSERT_EQ(removes.size(), 2u);
  int with_dv = 0;
  for (const auto& a : adds) {
    if (!a.contains("deletionVector")) continue;
    ++with_dv;
    EXPECT_EQ(a["deletionVector"]["storageType"], "u");
    EXPECT_FALSE(json::parse(a["stats"].get<std::string>())["tightBounds"].get<bool>());
  }
  EXPECT_EQ(with_dv, 2);
  int dv_files = 0;
  for (const auto& f : data_files_on_disk(root()))
    if (f.starts_with("deletion_vector_")) ++dv_files;
  EXPECT_EQ(dv_files, 1);  // one DV file per commit

  // A second change to a file with a DV merges the old DV into the new one.
  set_keys("(7::BIGINT)");
  r = upsert_keys(table);
  EXPECT_EQ(r.deleted_rows, 1);
  for (const auto& a : actions_of(root(), r.commit.version, "add")) {
    if (a.contains("deletionVector")) {
      EXPECT_EQ(a["deletionVector"]["cardinality"], 3);
    }
  }
  EXPECT_EQ(table_rows(con_, table, "id, name, part"), expected_after_upsert({5, 6, 7, 250, 999}));
  EXPECT_EQ(table.history(1).at(0).operation, "MERGE");
}

TEST_F(RowLevelWrite, CopyOnWriteRewritesOnlyTheAffectedFiles) {
  auto table = make_table(false);
  std::set<std::string> before;
  const Snapshot first = table.snapshot();
  for (const auto& f : first.files()) before.insert(f.path);
  set_keys("(120::BIGINT)");
  auto r = upsert_keys(table);
  EXPECT_EQ(r.deleted_rows, 1);
  EXPECT_EQ(r.copied_rows, 99);
  EXPECT_EQ(r.removed_files, 1);
  EXPECT_EQ(r.deletion_vectors_added, 0);
  std::set<std::string> after;
  const Snapshot second = table.snapshot();
  for (const auto& f : second.files()) after.insert(f.path);
  int kept = 0;
  for (const auto& p : before) kept += after.count(p) ? 1 : 0;
  EXPECT_EQ(kept, 2);
  EXPECT_EQ(table_rows(con_, table, "id, name, part"), expected_after_upsert({120}));
  for (const auto& a : actions_of(root(), r.commit.version, "add"))
    EXPECT_FALSE(a.contains("deletionVector"));
}

TEST_F(RowLevelWrite, RemovingEveryRowOfAFileRemovesTheFile) {
  auto table = make_table(true);
  con_.execute("CREATE TEMP TABLE keys AS SELECT i::BIGINT AS id FROM range(100, 200) t(i)");
  Snapshot snap = table.snapshot();
  RowChange change;
  change.read_version = snap.version();
  change.removed_rows_sql = "SELECT __dls_file, __dls_row FROM (" +
                            TableScan(snap).sql_for_keys(con_, {"id"}, "keys") + ")";
  auto r = table.replace_rows(con_, change);
  EXPECT_EQ(r.deleted_rows, 100);
  EXPECT_EQ(r.removed_files, 1);
  EXPECT_EQ(r.deletion_vectors_added, 0);
  EXPECT_EQ(table.snapshot().files().size(), 2u);
  EXPECT_EQ(con_.query("SELECT count(*) FROM (" + TableScan(table.snapshot()).sql(con_) + ")")
                .scalar()
                .as_int(),
            200);
}

TEST_F(RowLevelWrite, AFileMoreThanAThirdDeletedIsRewrittenInsteadOfGettingABiggerDv) {
  auto table = make_table(true);
  con_.execute("CREATE TEMP TABLE keys AS SELECT i::BIGINT AS id FROM range(0, 20) t(i)");
  auto r = upsert_keys(table);
  EXPECT_EQ(r.deletion_vectors_added, 1);  // 20 of 100 rows: a DV
  con_.execute(
      "CREATE OR REPLACE TEMP TABLE keys AS SELECT i::BIGINT AS id FROM range(20, 40) t(i)");
  r = upsert_keys(table);
  EXPECT_EQ(r.deletion_vectors_added, 0);  // 40 of 100 rows: the file is rewritten
  EXPECT_EQ(r.removed_files, 1);
  EXPECT_EQ(r.copied_rows, 60);
  std::set<int64_t> changed;
  for (int64_t i = 0; i < 40; ++i) changed.insert(i);
  EXPECT_EQ(table_rows(con_, table, "id, name, part"), expected_after_upsert(changed));
  const Snapshot snap = table.snapshot();
  for (const auto& f : snap.files()) EXPECT_FALSE(f.deletion_vector) << f.path;
}

TEST_F(RowLevelWrite, ChangeDataFeedGetsTheChangedRowsWithTheirChangeType) {
  CreateOptions options;
  options.properties["delta.enableDeletionVectors"] = "true";
  options.properties["delta.enableChangeDataFeed"] = "true";
  auto table = DeltaTable::create(
      root(), make_schema({{"id", "long"}, {"name", "string"}, {"part", "string"}}), options);
  auto protocol = table.snapshot().protocol();
  ASSERT_TRUE(protocol.writer_features);
  EXPECT_NE(std::find(protocol.writer_features->begin(), protocol.writer_features->end(),
                      "changeDataFeed"),
            protocol.writer_features->end());
  table.append(con_, "SELECT i AS id, 'n' || i AS name, 'a' AS part FROM range(0, 10) t(i)");
  set_keys("(1::BIGINT), (2), (99)");
  Snapshot snap = table.snapshot();
  con_.execute("CREATE TEMP TABLE old AS " + TableScan(snap).sql_for_keys(con_, {"id"}, "keys"));
  RowChange change;
  change.read_version = snap.version();
  change.removed_rows_sql = "SELECT __dls_file, __dls_row FROM old WHERE id <> 2";  // 2: kept
  change.added_rows_sql = "SELECT id, 'new' || id AS name, 'a' AS part FROM keys WHERE id <> 2";
  change.key_columns = {"id"};
  auto r = table.replace_rows(con_, change);
  EXPECT_EQ(r.change_data_rows, 3);
  auto cdc = actions_of(root(), r.commit.version, "cdc");
  ASSERT_EQ(cdc.size(), 1u);
  EXPECT_FALSE(cdc[0]["dataChange"].get<bool>());
  const std::string path = root() + "/" + cdc[0]["path"].get<std::string>();
  EXPECT_EQ(rows_as_text(con_, "SELECT id, name, _change_type FROM read_parquet('" + path + "')"),
            (Rows{{"1", "n1", "update_preimage"},
                  {"1", "new1", "update_postimage"},
                  {"99", "new99", "insert"}}));
  // A removal with no added row of its key is a delete.
  snap = table.snapshot();
  set_keys("(5::BIGINT)");
  con_.execute("CREATE OR REPLACE TEMP TABLE old AS " +
               TableScan(snap).sql_for_keys(con_, {"id"}, "keys"));
  change.read_version = snap.version();
  change.removed_rows_sql = "SELECT __dls_file, __dls_row FROM old";
  change.added_rows_sql = "";
  r = table.replace_rows(con_, change);
  cdc = actions_of(root(), r.commit.version, "cdc");
  ASSERT_EQ(cdc.size(), 1u);
  EXPECT_EQ(rows_as_text(con_, "SELECT id, _change_type FROM read_parquet('" + root() + "/" +
                                   cdc[0]["path"].get<std::string>() + "')"),
            (Rows{{"5", "delete"}}));
  EXPECT_THROW(table.delete_where(con_, "id = 3"), UnsupportedFeatureError);
}

TEST_F(RowLevelWrite, AChangeBasedOnAnOldVersionConflictsAndLeavesNoFiles) {
  auto table = make_table(true);
  Snapshot snap = table.snapshot();
  set_keys("(5::BIGINT)");
  con_.execute("CREATE TEMP TABLE old AS " + TableScan(snap).sql_for_keys(con_, {"id"}, "keys"));
  table.append(con_, "SELECT 500 AS id, 'late' AS name, 'b' AS part");  // a concurrent commit
  const auto files_before = data_files_on_disk(root());
  RowChange change;
  change.read_version = snap.version();
  change.removed_rows_sql = "SELECT __dls_file, __dls_row FROM old";
  change.added_rows_sql = "SELECT 5 AS id, 'x' AS name, 'a' AS part";
  EXPECT_THROW(table.replace_rows(con_, change), CommitConflictError);
  EXPECT_EQ(data_files_on_disk(root()), files_before);  // no data file, no DV file left
  EXPECT_EQ(table.snapshot().version(), snap.version() + 1);
}

TEST_F(RowLevelWrite, AnAddressOutsideTheTableIsRefusedAndNothingIsWritten) {
  auto table = make_table(true);
  const int64_t version = table.snapshot().version();
  RowChange change;
  change.read_version = version;
  change.removed_rows_sql = "SELECT '/nowhere/x.parquet' AS __dls_file, 0::BIGINT AS __dls_row";
  EXPECT_THROW(table.replace_rows(con_, change), UsageError);
  change.removed_rows_sql = "SELECT __dls_file, 100000::BIGINT AS __dls_row FROM (" +
                            TableScan(table.snapshot(), ScanOptions{std::nullopt, true}).sql(con_) +
                            ") LIMIT 1";
  EXPECT_THROW(table.replace_rows(con_, change), UsageError);
  EXPECT_EQ(table.snapshot().version(), version);
}

TEST_F(RowLevelWrite, SameTxnIsSkipped) {
  auto table = make_table(true);
  set_keys("(5::BIGINT)");
  Snapshot snap = table.snapshot();
  con_.execute("CREATE TEMP TABLE old AS " + TableScan(snap).sql_for_keys(con_, {"id"}, "keys"));
  RowChange change;
  change.read_version = snap.version();
  change.removed_rows_sql = "SELECT __dls_file, __dls_row FROM old";
  change.added_rows_sql = "SELECT 5 AS id, 'x' AS name, 'a' AS part";
  WriteOptions options;
  options.txn_app_id = "app";
  options.txn_version = 1;
  auto first = table.replace_rows(con_, change, options);
  EXPECT_FALSE(first.commit.skipped);
  auto again = table.replace_rows(con_, change, options);
  EXPECT_TRUE(again.commit.skipped);
  EXPECT_EQ(table.snapshot().version(), first.commit.version);
}

TEST(DeletionVectorFormat, RoaringBitmapArrayRoundTripsAcrossBuckets) {
  std::vector<uint64_t> rows = {
      0, 1, 2, 3, 100, 65535, 65536, 1'000'000, (1ULL << 32) + 7, (5ULL << 32) + 1};
  for (uint64_t i = 2'000'000; i < 2'010'000; ++i) rows.push_back(i);  // a run
  std::sort(rows.begin(), rows.end());
  EXPECT_EQ(parse_roaring_bitmap_array(serialize_roaring_bitmap_array(rows)), rows);
  EXPECT_THROW(serialize_roaring_bitmap_array({3, 2}), Error);
}

TEST(DeletionVectorFormat, BuiltFileReadsBackThroughTheReader) {
  dls::testing::TempDir dir;
  auto storage = local_storage();
  DeletionVectorFileBuilder builder;
  auto a = builder.add({1, 5, 9});
  auto b = builder.add({0, 2});
  builder.write(*storage, dir.path().string());
  EXPECT_EQ(read_deletion_vector(*storage, dir.path().string(), a),
            (std::vector<uint64_t>{1, 5, 9}));
  EXPECT_EQ(read_deletion_vector(*storage, dir.path().string(), b), (std::vector<uint64_t>{0, 2}));
  EXPECT_EQ(deletion_vector_path(a, dir.path().string()), builder.path(dir.path().string()));
}

}  // namespace
}  // namespace dls::delta

// Transactions and table management (issue 2 acceptance): txn idempotency, optimistic concurrency
// between two DeltaTable objects, checkpoints every delta.checkpointInterval, time travel by
// version and timestamp, history, describe and vacuum.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <set>

#include "delta/data_writer.h"
#include "dls/core/error.h"
#include "dls/delta/delta_error.h"
#include "dls/sql/database.h"
#include "write_test_support.h"

namespace dls::delta {
namespace {

using namespace write_testing;
namespace fs = std::filesystem;
using nlohmann::json;

class TransactionTest : public ::testing::Test {
 protected:
  void SetUp() override { con.emplace(db.connect()); }

  DeltaTable create(const CreateOptions& options = {}) {
    return DeltaTable::create(root(), make_schema({{"id", "long"}, {"p", "string"}}), options);
  }
  std::string root() const { return (dir / "t").string(); }
  /// Rows (id, 'a') for ids in [from, to).
  static std::string rows(int from, int to, const std::string& p = "a") {
    return "SELECT range::BIGINT AS id, '" + p + "' AS p FROM range(" + std::to_string(from) +
           ", " + std::to_string(to) + ")";
  }
  int64_t count(const DeltaTable& table, const VersionSpec& spec = {}) {
    TableScan scan(table.snapshot(spec));
    return con->query("SELECT count(*) FROM (" + scan.sql(*con) + ")").rows().at(0).at(0).as_int();
  }
  /// Data files written for `snap`'s table but not committed: the AddFiles of a concurrent writer.
  WrittenFiles write_files(const Snapshot& snap, const std::string& select_sql) {
    DataWriter writer(snap.storage_ptr(), snap.table_root(), snap.metadata());
    return writer.write(*con, select_sql);
  }

  testing::TempDir dir;
  sql::Database db;
  std::optional<sql::Connection> con;
};

// ---- txn: idempotent, exactly-once writes ----

TEST_F(TransactionTest, WriteWithCommittedTxnIsSkipped) {
  auto table = create();
  WriteOptions txn;
  txn.txn_app_id = "flow-1";
  txn.txn_version = 3;
  auto first = table.append(*con, rows(0, 10), txn);
  EXPECT_FALSE(first.skipped);
  EXPECT_EQ(first.version, 1);
  const auto files_before = data_files_on_disk(table.root());

  auto again = table.append(*con, rows(0, 10), txn);
  EXPECT_TRUE(again.skipped);
  EXPECT_EQ(again.version, 1);
  txn.txn_version = 2;  // older batches of the same flow are done too
  EXPECT_TRUE(table.append(*con, rows(0, 10), txn).skipped);
  EXPECT_TRUE(table.overwrite(*con, rows(100, 101), txn).skipped);
  EXPECT_TRUE(table.delete_where(*con, "id < 5", txn).skipped);
  EXPECT_EQ(count_commits(table.root()), 2);
  EXPECT_EQ(data_files_on_disk(table.root()), files_before) << "a skipped write leaves no files";
  EXPECT_EQ(count(table), 10);

  txn.txn_version = 4;  // the next batch commits
  auto next = table.append(*con, rows(10, 15), txn);
  EXPECT_FALSE(next.skipped);
  EXPECT_EQ(next.version, 2);
  WriteOptions other;  // another appId is independent
  other.txn_app_id = "flow-2";
  other.txn_version = 0;
  EXPECT_EQ(table.append(*con, rows(15, 16), other).version, 3);
  auto snap = table.snapshot();
  EXPECT_EQ(snap.transaction_version("flow-1"), 4);
  EXPECT_EQ(snap.transaction_version("flow-2"), 0);
  EXPECT_EQ(count(table), 16);
  auto txns = actions_of(table.root(), 2, "txn");
  ASSERT_EQ(txns.size(), 1u);
  EXPECT_EQ(txns[0]["appId"], "flow-1");
  EXPECT_EQ(txns[0]["version"], 4);
  EXPECT_TRUE(txns[0]["lastUpdated"].is_number_integer());
}

TEST_F(TransactionTest, TxnCommittedByAConcurrentWriterIsSkippedAtCommit) {
  auto table = create();
  // Writer B reads version 0 and prepares batch 5 of flow "f"; meanwhile writer A commits it.
  Snapshot read = table.snapshot();
  WrittenFiles b_files = write_files(read, rows(0, 3));
  Transaction b(read);
  for (const auto& add : b_files.adds) b.add_file(add);
  b.set_transaction("f", 5);

  auto a = DeltaTable::open(root());
  WriteOptions txn;
  txn.txn_app_id = "f";
  txn.txn_version = 5;
  ASSERT_EQ(a.append(*con, rows(0, 3), txn).version, 1);

  CommitResult r = b.commit();
  EXPECT_TRUE(r.skipped);
  EXPECT_EQ(count_commits(root()), 2);
  EXPECT_EQ(count(table), 3);
}

// ---- optimistic concurrency ----

TEST_F(TransactionTest, ConcurrentBlindAppendsRetryAndBothLand) {
  auto one = create();
  auto two = DeltaTable::open(root());
  one.append(*con, rows(0, 2));
  // Writer two reads version 1, writer one commits version 2, then writer two commits.
  Snapshot read = two.snapshot();
  WrittenFiles files = write_files(read, rows(100, 105));
  one.append(*con, rows(2, 4));
  Transaction tx(read);
  for (const auto& add : files.adds) tx.add_file(add);
  CommitResult r = tx.commit();
  EXPECT_FALSE(r.skipped);
  EXPECT_EQ(r.version, 3);
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(count(one), 9);
  auto info = actions_of(root(), 3, "commitInfo").at(0);
  EXPECT_EQ(info["readVersion"], 1);
  EXPECT_EQ(info["isBlindAppend"], true);

  // Through the high-level API, two objects appending in turn never lose a row.
  for (int i = 0; i < 5; ++i) {
    one.append(*con, rows(1000 + 2 * i, 1001 + 2 * i));
    two.append(*con, rows(1001 + 2 * i, 1002 + 2 * i));
  }
  EXPECT_EQ(count(two), 19);
  EXPECT_EQ(two.snapshot().version(), 13);
}

TEST_F(TransactionTest, DeleteConflictingWithConcurrentAppendFailsAndWritesNothing) {
  auto table = create();
  table.append(*con, rows(0, 10));
  Snapshot read = table.snapshot();  // version 1
  // The delete read version 1 and rewrites its only file.
  Transaction del(read);
  del.mark_read_data();
  del.set_operation("DELETE", {{"predicate", "id < 5"}});
  del.remove_file(RemoveFile{read.files().at(0).path, 1, true});
  // Meanwhile another writer appends.
  DeltaTable::open(root()).append(*con, rows(10, 20));
  try {
    del.commit();
    FAIL() << "expected CommitConflictError";
  } catch (const CommitConflictError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find(root()), std::string::npos) << msg;
    EXPECT_NE(msg.find("read version 1"), std::string::npos) << msg;
    EXPECT_NE(msg.find("version 2"), std::string::npos) << msg;
  }
  EXPECT_EQ(count_commits(root()), 3);
  EXPECT_EQ(count(table), 20);
}

TEST_F(TransactionTest, TwoDeletesOfTheSameFileConflict) {
  auto table = create();
  table.append(*con, rows(0, 10));
  Snapshot read = table.snapshot();
  auto remove = [&](Transaction& tx) {
    tx.mark_read_data();
    tx.remove_file(RemoveFile{read.files().at(0).path, 1, true});
  };
  Transaction first(read), second(read);
  remove(first);
  remove(second);
  EXPECT_EQ(first.commit().version, 2);
  EXPECT_THROW(second.commit(), CommitConflictError);
  EXPECT_EQ(count_commits(root()), 3);
  EXPECT_EQ(count(table), 0);
}

TEST_F(TransactionTest, OverwriteBasedOnAnOldVersionFailsAndLeavesNoFiles) {
  auto table = create();
  table.append(*con, rows(0, 10));
  auto other = DeltaTable::open(root());
  other.append(*con, rows(10, 20));  // version 2, after the overwrite's read of version 1
  const auto files_before = data_files_on_disk(root());
  WriteOptions options;
  options.read_version = 1;
  EXPECT_THROW(table.overwrite(*con, rows(0, 1), options), CommitConflictError);
  EXPECT_EQ(count_commits(root()), 3);
  EXPECT_EQ(data_files_on_disk(root()), files_before) << "the overwrite's files are discarded";
  EXPECT_EQ(count(table), 20);

  options.read_version = 2;  // re-read and retry: succeeds
  EXPECT_EQ(table.overwrite(*con, rows(0, 1), options).version, 3);
  EXPECT_EQ(count(table), 1);
}

TEST_F(TransactionTest, MetadataChangeConflictsWithAConcurrentCommit) {
  auto table = create();
  Snapshot read = table.snapshot();
  table.append(*con, rows(0, 1));
  Transaction tx(read);
  Metadata m = read.metadata();
  m.configuration["delta.appendOnly"] = "false";
  tx.set_metadata(m);
  EXPECT_THROW(tx.commit(), CommitConflictError);
  EXPECT_EQ(count_commits(root()), 2);
}

TEST_F(TransactionTest, AddingATimestampNtzColumnUpgradesTheProtocolInTheSameCommit) {
  CreateOptions options;
  options.properties = {{"delta.appendOnly", "false"}};
  auto table = create(options);
  table.append(*con, rows(0, 2));
  auto created = actions_of(root(), 0, "protocol").at(0);
  ASSERT_EQ(created["minWriterVersion"], 2);  // a legacy protocol: appendOnly + invariants implied

  Snapshot snap = table.snapshot();
  Metadata m = snap.metadata();
  Schema schema = snap.schema();
  schema.fields.push_back(make_schema({{"seen", "timestamp_ntz"}}).fields.at(0));
  m.schema_string = schema.to_json_string();
  Transaction tx(snap);
  tx.set_metadata(m);
  tx.set_operation("ADD COLUMNS");
  auto result = tx.commit();

  auto protocols = actions_of(root(), result.version, "protocol");
  ASSERT_EQ(protocols.size(), 1u) << "the schema change and the upgrade are one commit";
  EXPECT_EQ(protocols[0]["minReaderVersion"], 3);
  EXPECT_EQ(protocols[0]["minWriterVersion"], 7);
  EXPECT_EQ(protocols[0]["readerFeatures"], json::array({"timestampNtz"}));
  EXPECT_EQ(protocols[0]["writerFeatures"],
            json::array({"appendOnly", "invariants", "timestampNtz"}));
  EXPECT_EQ(actions_of(root(), result.version, "metaData").size(), 1u);
  EXPECT_EQ(table.snapshot().protocol().min_reader_version, 3);

  // A further metadata change leaves the upgraded protocol alone.
  Snapshot upgraded = table.snapshot();
  Metadata again = upgraded.metadata();
  again.configuration["delta.checkpointInterval"] = "20";
  Transaction tx2(upgraded);
  tx2.set_metadata(again);
  auto second = tx2.commit();
  EXPECT_TRUE(actions_of(root(), second.version, "protocol").empty());
}

TEST_F(TransactionTest, MetadataChangeWithoutNewFeaturesKeepsTheProtocol) {
  auto table = create();
  Snapshot snap = table.snapshot();
  Metadata m = snap.metadata();
  Schema schema = snap.schema();
  schema.fields.push_back(make_schema({{"ts", "timestamp"}}).fields.at(0));
  m.schema_string = schema.to_json_string();
  Transaction tx(snap);
  tx.set_metadata(m);
  auto result = tx.commit();
  EXPECT_TRUE(actions_of(root(), result.version, "protocol").empty());
  EXPECT_EQ(table.snapshot().protocol().min_writer_version, 2);
}

// ---- checkpoints ----

TEST_F(TransactionTest, CheckpointEveryIntervalWithLastCheckpoint) {
  CreateOptions options;
  options.properties = {{"delta.checkpointInterval", "4"}};
  auto table = create(options);
  const fs::path log = fs::path(root()) / "_delta_log";
  for (int v = 1; v <= 9; ++v) table.append(*con, rows(v, v + 1));
  std::set<std::string> checkpoints;
  for (const auto& e : fs::directory_iterator(log)) {
    std::string name = e.path().filename().string();
    if (name.find(".checkpoint.") != std::string::npos) checkpoints.insert(name);
  }
  EXPECT_EQ(checkpoints, (std::set<std::string>{"00000000000000000004.checkpoint.parquet",
                                                "00000000000000000008.checkpoint.parquet"}));
  auto last = json::parse(testing::read_file(log / "_last_checkpoint"));
  EXPECT_EQ(last["version"], 8);
  EXPECT_EQ(last["numOfAddFiles"], 8);
  auto snap = table.snapshot();
  EXPECT_EQ(snap.checkpoint_version(), 8);
  EXPECT_EQ(snap.version(), 9);

  // The checkpoint alone reconstructs the table: commits before it may be gone (log cleanup).
  for (int v = 0; v <= 8; ++v) fs::remove(log / commit_file_name(v));
  EXPECT_EQ(count(table), 9);
  EXPECT_EQ(count(table, VersionSpec{8, std::nullopt}), 8);
  EXPECT_THROW(table.snapshot(VersionSpec{3, std::nullopt}), NotFoundError);
  // A stale or missing _last_checkpoint changes nothing: the listing is authoritative.
  testing::write_file(log / "_last_checkpoint", R"({"version":4,"size":3})");
  EXPECT_EQ(count(table), 9);
  fs::remove(log / "_last_checkpoint");
  EXPECT_EQ(count(table), 9);
}

TEST_F(TransactionTest, DefaultCheckpointIntervalIsTen) {
  auto table = create();
  for (int v = 1; v <= 10; ++v) {
    table.append(*con, rows(v, v + 1));
    if (v < 10) {
      EXPECT_FALSE(table.snapshot().checkpoint_version()) << v;
    }
  }
  EXPECT_EQ(table.snapshot().checkpoint_version(), 10);
  EXPECT_TRUE(fs::exists(fs::path(root()) / "_delta_log" / "_last_checkpoint"));
}

// ---- time travel ----

TEST_F(TransactionTest, TimeTravelByVersionAndTimestamp) {
  auto table = create();
  table.append(*con, rows(0, 5));
  table.overwrite(*con, rows(0, 2));
  table.append(*con, rows(2, 3));
  EXPECT_EQ(count(table, VersionSpec{0, std::nullopt}), 0);
  EXPECT_EQ(count(table, VersionSpec{1, std::nullopt}), 5);
  EXPECT_EQ(count(table, VersionSpec{2, std::nullopt}), 2);
  EXPECT_EQ(count(table, VersionSpec{3, std::nullopt}), 3);
  try {
    table.snapshot(VersionSpec{4, std::nullopt});
    FAIL() << "version 4 does not exist";
  } catch (const NotFoundError& e) {
    EXPECT_NE(std::string(e.what()).find("0..3"), std::string::npos) << e.what();
  }

  // Commit times are the commit files' modification times; pin them.
  const fs::path log = fs::path(root()) / "_delta_log";
  const int64_t base = 1'700'000'000'000;  // ms
  for (int v = 0; v <= 3; ++v) {
    auto tp = std::chrono::file_clock::from_sys(std::chrono::sys_time<std::chrono::milliseconds>(
        std::chrono::milliseconds(base + v * 60'000)));
    fs::last_write_time(log / commit_file_name(v), tp);
  }
  auto at = [&](int64_t ts) { return table.snapshot(VersionSpec{std::nullopt, ts}); };
  EXPECT_EQ(at(base).version(), 0);
  EXPECT_EQ(at(base + 60'000 - 1).version(), 0);
  EXPECT_EQ(at(base + 60'000).version(), 1);
  EXPECT_EQ(at(base + 150'000).version(), 2);
  EXPECT_EQ(at(base + 10 * 60'000).version(), 3);
  EXPECT_EQ(at(base + 150'000).timestamp_ms(), base + 120'000);
  EXPECT_THROW(at(base - 1), NotFoundError);
  EXPECT_THROW(table.snapshot(VersionSpec{1, base}), UsageError);
}

TEST_F(TransactionTest, HistoryTimestampsTimeTravelToTheirVersion) {
  auto table = create();
  for (int v = 1; v <= 4; ++v) table.append(*con, rows(v, v + 1));
  for (const auto& h : table.history()) {
    EXPECT_EQ(table.snapshot(VersionSpec{std::nullopt, h.timestamp_ms}).version(), h.version)
        << "history says version " << h.version << " was committed at " << h.timestamp_ms;
  }
}

// ---- history ----

TEST_F(TransactionTest, HistoryRecordsOperationParametersAndMetrics) {
  CreateOptions options;
  options.partition_columns = {"p"};
  options.comment = "trips";
  auto table = create(options);
  table.append(*con, rows(0, 10));
  table.append(*con, rows(10, 12, "b"));
  table.overwrite(*con, rows(0, 4));
  table.delete_where(*con, "id = 1");

  auto h = table.history();
  ASSERT_EQ(h.size(), 5u);
  for (size_t i = 0; i < h.size(); ++i) EXPECT_EQ(h[i].version, 4 - static_cast<int64_t>(i));
  for (size_t i = 1; i < h.size(); ++i) EXPECT_GE(h[i - 1].timestamp_ms, h[i].timestamp_ms);

  EXPECT_EQ(h[4].operation, "CREATE TABLE");
  EXPECT_EQ(h[4].operation_parameters["partitionBy"], R"(["p"])");
  EXPECT_EQ(h[4].operation_parameters["description"], "trips");

  EXPECT_EQ(h[3].operation, "WRITE");
  EXPECT_EQ(h[3].operation_parameters["mode"], "Append");
  EXPECT_EQ(h[3].operation_metrics["numOutputRows"], "10");
  EXPECT_EQ(h[3].operation_metrics["numFiles"], "1");
  EXPECT_GT(std::stoll(h[3].operation_metrics["numOutputBytes"].get<std::string>()), 0);
  EXPECT_EQ(h[3].commit_info["isBlindAppend"], true);
  EXPECT_EQ(h[3].commit_info["readVersion"], 0);

  EXPECT_EQ(h[1].operation, "WRITE");
  EXPECT_EQ(h[1].operation_parameters["mode"], "Overwrite");
  EXPECT_EQ(h[1].operation_metrics["numRemovedFiles"], "2");
  EXPECT_EQ(h[1].operation_metrics["numOutputRows"], "4");
  EXPECT_EQ(h[1].commit_info["isBlindAppend"], false);

  EXPECT_EQ(h[0].operation, "DELETE");
  EXPECT_EQ(h[0].operation_parameters["predicate"], R"(["id = 1"])");
  EXPECT_EQ(h[0].operation_metrics["numDeletedRows"], "1");
  EXPECT_EQ(h[0].operation_metrics["numCopiedRows"], "3");

  auto limited = table.history(2);
  ASSERT_EQ(limited.size(), 2u);
  EXPECT_EQ(limited[0].version, 4);
  EXPECT_EQ(limited[1].version, 3);
}

// ---- describe ----

TEST_F(TransactionTest, DescribeReportsSchemaPartitioningPropertiesFilesAndSize) {
  CreateOptions options;
  options.partition_columns = {"p"};
  options.comment = "a comment";
  options.properties = {{"delta.checkpointInterval", "5"}, {"owner", "team"}};
  auto table = create(options);
  table.append(*con, rows(0, 7));
  table.append(*con, rows(7, 10, "b"));
  TableDescription d = table.describe();
  EXPECT_EQ(d.location, root());
  EXPECT_EQ(d.version, 2);
  ASSERT_EQ(d.schema.fields.size(), 2u);
  EXPECT_EQ(d.schema.fields[0].name, "id");
  EXPECT_EQ(d.schema.fields[0].type.kind, "long");
  EXPECT_EQ(d.partition_columns, std::vector<std::string>{"p"});
  EXPECT_EQ(d.properties.at("owner"), "team");
  EXPECT_EQ(d.properties.at("delta.checkpointInterval"), "5");
  EXPECT_EQ(d.description, "a comment");
  EXPECT_FALSE(d.id.empty());
  EXPECT_EQ(d.num_files, 2);
  EXPECT_EQ(d.num_records, 10);
  int64_t bytes = 0;
  for (const auto& f : data_files_on_disk(root()))
    bytes += static_cast<int64_t>(fs::file_size(fs::path(root()) / f));
  EXPECT_EQ(d.size_bytes, bytes);
  EXPECT_GT(d.created_time_ms, 0);
  EXPECT_GE(d.last_modified_ms, d.created_time_ms);
  EXPECT_GE(d.protocol.min_reader_version, 1);
}

// ---- vacuum ----

TEST_F(TransactionTest, VacuumRespectsRetentionAndDryRun) {
  auto table = create();
  table.append(*con, rows(0, 5));
  const auto first_files = data_files_on_disk(root());
  ASSERT_EQ(first_files.size(), 1u);
  table.overwrite(*con, rows(0, 2));  // removes the first file
  const fs::path orphan = fs::path(root()) / "part-orphan.parquet";
  testing::write_file(orphan, "not committed");
  const fs::path hidden = fs::path(root()) / "_hidden" / "x.parquet";
  testing::write_file(hidden, "hidden");
  // Make every file old: only the log's deletion timestamps protect removed files now.
  auto old = fs::file_time_type::clock::now() - std::chrono::hours(24 * 30);
  for (const auto& f : data_files_on_disk(root())) fs::last_write_time(fs::path(root()) / f, old);

  // Default retention (7 days): the file removed just now belongs to a retained version.
  VacuumResult kept = table.vacuum();
  EXPECT_EQ(kept.files, std::vector<std::string>{"part-orphan.parquet"});
  EXPECT_FALSE(fs::exists(orphan));
  EXPECT_TRUE(fs::exists(fs::path(root()) / first_files[0]));
  EXPECT_EQ(count(table, VersionSpec{1, std::nullopt}), 5) << "version 1 stays readable";

  // A retention shorter than the table's needs force.
  EXPECT_THROW(table.vacuum(0), UsageError);
  // Dry run lists and deletes nothing.
  VacuumResult dry = table.vacuum(0, /*dry_run=*/true, /*force=*/true);
  EXPECT_TRUE(dry.dry_run);
  EXPECT_EQ(dry.files, first_files);
  EXPECT_GT(dry.bytes, 0);
  EXPECT_TRUE(fs::exists(fs::path(root()) / first_files[0]));

  VacuumResult done = table.vacuum(0, false, true);
  EXPECT_EQ(done.files, first_files);
  EXPECT_FALSE(fs::exists(fs::path(root()) / first_files[0]));
  EXPECT_TRUE(fs::exists(hidden)) << "hidden paths are never vacuumed";
  EXPECT_EQ(count(table), 2) << "the current version is untouched";
  EXPECT_TRUE(table.vacuum(0, false, true).files.empty());
  EXPECT_EQ(count_commits(root()), 3) << "vacuum writes no commit";
}

TEST_F(TransactionTest, VacuumKeepsRecentlyWrittenUncommittedFiles) {
  auto table = create();
  table.append(*con, rows(0, 5));
  // A concurrent writer's file, not committed yet: recent, so the default retention keeps it
  // (only a forced, shorter retention could delete it — which is why that needs force).
  testing::write_file(fs::path(root()) / "part-inflight.parquet", "in flight");
  EXPECT_TRUE(table.vacuum().files.empty());
  EXPECT_TRUE(fs::exists(fs::path(root()) / "part-inflight.parquet"));
}

TEST_F(TransactionTest, VacuumHonoursTheTableRetentionProperty) {
  CreateOptions options;
  options.properties = {{"delta.deletedFileRetentionDuration", "interval 1 hours"}};
  auto table = create(options);
  table.append(*con, rows(0, 5));
  const auto first_files = data_files_on_disk(root());
  table.overwrite(*con, rows(0, 1));
  auto old = fs::file_time_type::clock::now() - std::chrono::hours(48);
  fs::last_write_time(fs::path(root()) / first_files[0], old);
  // Removed just now: within the table's 1 hour retention, so kept.
  EXPECT_TRUE(table.vacuum().files.empty());
  EXPECT_TRUE(table.vacuum(1).files.empty());
  EXPECT_THROW(table.vacuum(0), UsageError);
}

}  // namespace
}  // namespace dls::delta

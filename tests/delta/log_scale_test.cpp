// The Delta log at scale (issue 12): listing _delta_log from _last_checkpoint (with a fallback to
// the full listing that never changes the answer), the in-memory snapshot after a writer's own
// commit (equal to a reload), log clean-up after checkpoints per delta.logRetentionDuration, and
// failed checkpoints reported rather than swallowed.
#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>

#include "delta/log_cleanup.h"
#include "delta/tombstones.h"
#include "dls/core/error.h"
#include "dls/delta/delta_error.h"
#include "dls/delta/warnings.h"
#include "dls/sql/database.h"
#include "write_test_support.h"

namespace dls::delta {
namespace {

using namespace write_testing;
namespace fs = std::filesystem;

/// The local filesystem, recording which listings were made.
class ListingStorage : public LocalStorage {
 public:
  std::vector<FileInfo> list(const std::string& dir) const override {
    std::lock_guard<std::mutex> g(mu);
    full_listings.push_back(dir);
    return LocalStorage::list(dir);
  }
  std::vector<FileInfo> list_from(const std::string& dir, const std::string& start) const override {
    std::lock_guard<std::mutex> g(mu);
    if (start.empty())
      full_listings.push_back(dir);
    else
      partial_listings.push_back(start);
    return LocalStorage::list_from(dir, start);
  }
  void write_atomic(const std::string& path, const std::string& content) override {
    if (fail_checkpoints && path.find(".checkpoint.parquet") != std::string::npos)
      throw Error("disk full (injected) writing " + path);
    LocalStorage::write_atomic(path, content);
  }
  mutable std::mutex mu;
  mutable std::vector<std::string> full_listings;
  mutable std::vector<std::string> partial_listings;
  bool fail_checkpoints = false;
};

/// Every observable field of a snapshot as one JSON document (files in snapshot order). A file's
/// dataChange depends on the checkpoint the state was built from (checkpoints store false):
/// `with_data_change` = false leaves it out, to compare snapshots built from different ones.
nlohmann::json snapshot_json(const Snapshot& s, bool with_data_change = true) {
  nlohmann::json j;
  j["version"] = s.version();
  j["protocol"] = action_to_json(s.protocol());
  j["metadata"] = action_to_json(s.metadata());
  j["schema"] = s.schema().to_json_string();
  j["files"] = nlohmann::json::array();
  for (const auto& f : s.files()) {
    j["files"].push_back(action_to_json(f));
    if (!with_data_change) j["files"].back()["add"].erase("dataChange");
  }
  j["txns"] = s.transactions();
  j["domains"] = nlohmann::json::array();
  for (const auto& [d, dm] : s.domain_metadata()) j["domains"].push_back(action_to_json(dm));
  j["timestamp"] = s.timestamp_ms();
  j["column_mapping"] = s.column_mapping_mode();
  return j;
}

class LogScale : public ::testing::Test {
 protected:
  DeltaTable create(std::map<std::string, std::string> properties,
                    std::shared_ptr<Storage> storage = local_storage()) {
    CreateOptions options;
    options.properties = std::move(properties);
    return DeltaTable::create(root(), make_schema({{"id", "long"}, {"p", "string"}}), options,
                              std::move(storage));
  }
  std::string root() const { return (dir.path() / "t").string(); }
  fs::path log() const { return dir.path() / "t" / "_delta_log"; }
  void append(DeltaTable& t, int id) {
    t.append(con, "SELECT " + std::to_string(id) + "::BIGINT AS id, 'a' AS p");
  }
  static std::string checkpoint_name(int64_t v) {
    return commit_file_name(v).substr(0, 20) + ".checkpoint.parquet";
  }

  testing::TempDir dir;
  sql::Database db;
  sql::Connection con = db.connect();
};

// ---- listing from _last_checkpoint ----

TEST_F(LogScale, LoadListsTheLogOnlyFromTheLastCheckpoint) {
  auto table = create({{"delta.checkpointInterval", "5"}});
  for (int i = 1; i <= 12; ++i) append(table, i);  // checkpoints at 5 and 10
  auto storage = std::make_shared<ListingStorage>();
  Snapshot snap = Snapshot::load(storage, root());
  EXPECT_EQ(snap.version(), 12);
  EXPECT_EQ(snap.checkpoint_version(), 10);
  EXPECT_EQ(snap.files().size(), 12u);
  EXPECT_TRUE(storage->full_listings.empty());
  ASSERT_EQ(storage->partial_listings.size(), 1u);
  EXPECT_EQ(storage->partial_listings[0], commit_file_name(10).substr(0, 20));
  EXPECT_EQ(snapshot_json(snap), snapshot_json(Snapshot::load(local_storage(), root())));
}

TEST_F(LogScale, TimeTravelBeforeTheLastCheckpointListsTheWholeLog) {
  auto table = create({{"delta.checkpointInterval", "5"}});
  for (int i = 1; i <= 7; ++i) append(table, i);
  auto storage = std::make_shared<ListingStorage>();
  Snapshot snap = Snapshot::load(storage, root(), VersionSpec{3, std::nullopt});
  EXPECT_EQ(snap.files().size(), 3u);
  EXPECT_FALSE(storage->full_listings.empty());
}

TEST_F(LogScale, AWrongLastCheckpointNeverChangesTheSnapshot) {
  auto table = create({{"delta.checkpointInterval", "5"}});
  for (int i = 1; i <= 12; ++i) append(table, i);
  const auto expected = snapshot_json(Snapshot::load(local_storage(), root()));
  // Missing, beyond the log, naming a version without checkpoint, stale, garbage: same answer.
  for (const std::string& content :
       {std::string(), std::string("{\"version\":900}"), std::string("{\"version\":7}"),
        std::string("{\"version\":5}"), std::string("{\"vers"), std::string("[1,2]")}) {
    SCOPED_TRACE(content);
    fs::remove(log() / "_last_checkpoint");
    if (!content.empty()) testing::write_file(log() / "_last_checkpoint", content);
    EXPECT_EQ(snapshot_json(Snapshot::load(local_storage(), root())), expected);
  }
}

TEST_F(LogScale, ADamagedHintedCheckpointFallsBackToTheFullListing) {
  auto table = create({{"delta.checkpointInterval", "5"}});
  for (int i = 1; i <= 12; ++i) append(table, i);
  const auto expected = snapshot_json(Snapshot::load(local_storage(), root()), false);
  testing::write_file(log() / checkpoint_name(10), "not parquet");
  auto storage = std::make_shared<ListingStorage>();
  Snapshot snap = Snapshot::load(storage, root());
  EXPECT_EQ(snapshot_json(snap, false), expected);
  EXPECT_EQ(snap.checkpoint_version(), 5);  // the older checkpoint, found by the full listing
  EXPECT_FALSE(storage->full_listings.empty());
  // The checkpoint named by the hint deleted: the same.
  fs::remove(log() / checkpoint_name(10));
  EXPECT_EQ(snapshot_json(Snapshot::load(local_storage(), root()), false), expected);
}

// ---- the writer's snapshot after its own commit ----

TEST_F(LogScale, SnapshotAfterCommitEqualsAReloadAfterManyMixedCommits) {
  auto table = create({{"delta.checkpointInterval", "4"}});
  for (int i = 1; i <= 40; ++i) {
    CommitResult r;
    WriteOptions txn;
    switch (i % 5) {
      case 0:
        r = table.delete_where(con, "id % 3 = 0");
        break;
      case 1:
        r = table.overwrite(
            con, "SELECT range::BIGINT AS id, 'o' AS p FROM range(" + std::to_string(i) + ")");
        break;
      case 2:
        txn.txn_app_id = "app";
        txn.txn_version = i;
        r = table.append(con, "SELECT " + std::to_string(i) + "::BIGINT AS id, 'x' AS p", txn);
        break;
      default:
        r = table.append(con, "SELECT range::BIGINT AS id, 'y' AS p FROM range(" +
                                  std::to_string(i) + ", " + std::to_string(i + 3) + ")");
    }
    if (r.skipped) continue;
    SCOPED_TRACE("commit " + std::to_string(i) + " -> version " + std::to_string(r.version));
    ASSERT_TRUE(r.snapshot.has_value());
    EXPECT_FALSE(r.checkpoint_error.has_value());
    Snapshot reloaded = Snapshot::load(local_storage(), root(), VersionSpec{r.version, {}});
    EXPECT_EQ(snapshot_json(*r.snapshot), snapshot_json(reloaded));
    if (r.version % 4 == 0) {
      EXPECT_EQ(r.snapshot->checkpoint_version(), r.version);
    }
  }
}

TEST_F(LogScale, SnapshotAfterARetriedCommitIncludesTheWinningCommit) {
  auto a = create({});
  auto b = DeltaTable::open(root());
  Snapshot read = b.snapshot();
  append(a, 1);  // the winner, version 1
  Transaction tx(read);
  AddFile add;
  add.path = "x.parquet";
  add.size = 1;
  add.modification_time = 1;
  testing::write_file(dir.path() / "t" / "x.parquet", "x");
  tx.add_file(add);
  CommitResult r = tx.commit();
  EXPECT_EQ(r.version, 2);
  EXPECT_EQ(r.attempts, 2);
  ASSERT_TRUE(r.snapshot.has_value());
  EXPECT_EQ(snapshot_json(*r.snapshot), snapshot_json(Snapshot::load(local_storage(), root())));
}

TEST_F(LogScale, WritesSeeCommitsOfOtherWritersAfterTheirOwn) {
  auto a = create({});
  auto b = DeltaTable::open(root());
  append(a, 1);
  append(b, 2);
  append(a, 3);  // a's remembered snapshot (version 1) is stale: it must not be used
  EXPECT_EQ(a.snapshot().files().size(), 3u);
  EXPECT_EQ(snapshot_json(a.snapshot()),
            snapshot_json(Snapshot::load(local_storage(), root(), VersionSpec{3, {}})));
  EXPECT_EQ(table_rows(con, a, "id"), (Rows{{"1"}, {"2"}, {"3"}}));
}

// ---- log clean-up ----

void age(const fs::path& file, std::chrono::hours by) {
  fs::last_write_time(file, fs::file_time_type::clock::now() - by);
}

TEST_F(LogScale, CheckpointCleansLogFilesOlderThanTheRetention) {
  auto table = create(
      {{"delta.checkpointInterval", "2"}, {"delta.logRetentionDuration", "interval 1 days"}});
  for (int i = 1; i <= 5; ++i) append(table, i);  // checkpoints at 2 and 4
  for (int v = 0; v <= 3; ++v) age(log() / commit_file_name(v), std::chrono::hours(48));
  age(log() / checkpoint_name(2), std::chrono::hours(48));
  append(table, 6);  // version 6: checkpoint, then clean-up
  // Versions 4.. are retained; the checkpoint they need is 4: everything before it goes.
  for (int v = 0; v <= 3; ++v) EXPECT_FALSE(fs::exists(log() / commit_file_name(v))) << v;
  EXPECT_FALSE(fs::exists(log() / checkpoint_name(2)));
  for (int v = 4; v <= 6; ++v) EXPECT_TRUE(fs::exists(log() / commit_file_name(v))) << v;
  EXPECT_TRUE(fs::exists(log() / checkpoint_name(4)));
  EXPECT_TRUE(fs::exists(log() / checkpoint_name(6)));
  EXPECT_EQ(Snapshot::load(local_storage(), root()).files().size(), 6u);
  EXPECT_EQ(Snapshot::load(local_storage(), root(), VersionSpec{4, {}}).files().size(), 4u);
  EXPECT_THROW(Snapshot::load(local_storage(), root(), VersionSpec{3, {}}), NotFoundError);
  EXPECT_EQ(table.history().back().version, 4);
}

TEST_F(LogScale, CleanupKeepsTheCheckpointTheOldestRetainedVersionNeeds) {
  auto table = create(
      {{"delta.checkpointInterval", "2"}, {"delta.logRetentionDuration", "interval 1 days"}});
  for (int i = 1; i <= 5; ++i) append(table, i);
  for (int v = 0; v <= 2; ++v) age(log() / commit_file_name(v), std::chrono::hours(48));
  age(log() / checkpoint_name(2), std::chrono::hours(48));
  append(table, 6);
  // Version 3 is retained and needs checkpoint 2 (+ commit 3): only 0 and 1 go.
  EXPECT_FALSE(fs::exists(log() / commit_file_name(0)));
  EXPECT_FALSE(fs::exists(log() / commit_file_name(1)));
  EXPECT_TRUE(fs::exists(log() / commit_file_name(2)));
  EXPECT_TRUE(fs::exists(log() / checkpoint_name(2)));
  EXPECT_EQ(Snapshot::load(local_storage(), root(), VersionSpec{3, {}}).files().size(), 3u);
}

TEST_F(LogScale, CleanupNeverDeletesFilesNewerThanTheCheckpoint) {
  auto table = create(
      {{"delta.checkpointInterval", "2"}, {"delta.logRetentionDuration", "interval 1 hours"}});
  for (int i = 1; i <= 7; ++i) append(table, i);
  for (const auto& e : fs::directory_iterator(log())) age(e.path(), std::chrono::hours(48));
  // A clean-up after checkpoint 4 (a slow writer) while versions up to 7 exist.
  auto deleted = cleanup_expired_logs(
      *local_storage(), root(), Snapshot::load(local_storage(), root()).metadata(), 4, now_ms());
  for (const auto& name : deleted) EXPECT_LT(name, commit_file_name(4).substr(0, 20)) << name;
  for (int v = 4; v <= 7; ++v) EXPECT_TRUE(fs::exists(log() / commit_file_name(v))) << v;
  EXPECT_TRUE(fs::exists(log() / checkpoint_name(4)));
  EXPECT_TRUE(fs::exists(log() / checkpoint_name(6)));
  EXPECT_EQ(Snapshot::load(local_storage(), root()).files().size(), 7u);
}

TEST_F(LogScale, DefaultRetentionKeepsRecentLogs) {
  auto table = create({{"delta.checkpointInterval", "2"}});
  for (int i = 1; i <= 6; ++i) append(table, i);
  EXPECT_EQ(count_commits(root()), 7);
}

// ---- failed checkpoints are reported ----

TEST_F(LogScale, AFailedCheckpointIsReportedNotSwallowed) {
  auto storage = std::make_shared<ListingStorage>();
  auto table = create({{"delta.checkpointInterval", "2"}}, storage);
  std::vector<std::string> warnings;
  auto old = set_warning_handler([&](std::string_view m) { warnings.emplace_back(m); });
  storage->fail_checkpoints = true;
  append(table, 1);
  CommitResult r = table.append(con, "SELECT 2::BIGINT AS id, 'a' AS p");
  set_warning_handler(old);
  EXPECT_EQ(r.version, 2);
  ASSERT_TRUE(r.checkpoint_error.has_value());
  EXPECT_NE(r.checkpoint_error->find("disk full (injected)"), std::string::npos);
  EXPECT_NE(r.checkpoint_error->find("version 2"), std::string::npos);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("the commit succeeded"), std::string::npos);
  EXPECT_FALSE(fs::exists(log() / checkpoint_name(2)));
  EXPECT_EQ(Snapshot::load(local_storage(), root()).files().size(), 2u);
}

}  // namespace
}  // namespace dls::delta

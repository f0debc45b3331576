// Durability of commits (issue 15): a power loss after a commit must not leave it pointing at a
// missing or short file. A storage layer that records every fsync (and can fail one) checks the
// order of operations deterministically: each data file and every directory up to the table root
// is fsynced before the commit file is linked, the commit's temp file is fsynced before the link,
// _delta_log is fsynced after it; a failed fsync fails the commit and leaves the table readable at
// its previous version. _last_checkpoint is replaced under a lock and never moves backwards.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "delta/checkpoint_writer.h"
#include "delta/write_test_support.h"
#include "dls/delta/delta_error.h"
#include "dls/delta/delta_table.h"
#include "dls/delta/storage.h"
#include "dls/sql/database.h"
#include "support/test_support.h"

namespace dls::delta {
namespace {

namespace fs = std::filesystem;
using write_testing::table_rows;

/// One recorded storage call. `committed`: whether the watched commit file existed at that moment.
struct Event {
  std::string op;  // sync_file, sync_directory, put_if_absent, lock, unlock, read, write_atomic
  std::string path;
  bool committed = false;
};

/// The local filesystem, recording calls and failing the ones `fail` selects. LocalStorage does its
/// own fsyncs through the virtual sync_file/sync_directory, so they are recorded too.
class RecordingStorage : public LocalStorage {
 public:
  std::string watched_commit;  // the commit file whose presence each event records
  std::function<bool(const Event&)> fail;
  std::function<void(const Event&)> on_event;

  std::vector<Event> events() const {
    std::lock_guard<std::mutex> g(mu_);
    return events_;
  }
  void sync_file(const std::string& path) override {
    record("sync_file", path);
    LocalStorage::sync_file(path);
  }
  void sync_directory(const std::string& dir) override {
    record("sync_directory", dir);
    LocalStorage::sync_directory(dir);
  }
  bool put_if_absent(const std::string& path, const std::string& content) override {
    record("put_if_absent", path);
    return LocalStorage::put_if_absent(path, content);
  }
  void write_atomic(const std::string& path, const std::string& content) override {
    record("write_atomic", path);
    LocalStorage::write_atomic(path, content);
  }
  /// Recorded once the content is read (or found missing): what a caller decides from it.
  std::string read(const std::string& path) const override {
    auto* self = const_cast<RecordingStorage*>(this);
    std::string content;
    try {
      content = LocalStorage::read(path);
    } catch (const NotFoundError&) {
      self->record("read", path);
      throw;
    }
    self->record("read", path);
    return content;
  }
  std::unique_ptr<StorageLock> lock(const std::string& path) override {
    record("lock", path);
    auto inner = LocalStorage::lock(path);
    record("locked", path);
    return std::make_unique<Recorded>(std::move(inner), *this, path);
  }

 private:
  struct Recorded : StorageLock {
    Recorded(std::unique_ptr<StorageLock> inner, RecordingStorage& s, std::string path)
        : inner_(std::move(inner)), s_(s), path_(std::move(path)) {}
    ~Recorded() override { s_.record("unlock", path_); }
    std::unique_ptr<StorageLock> inner_;
    RecordingStorage& s_;
    std::string path_;
  };

  void record(const std::string& op, const std::string& path) {
    Event e{op, path, !watched_commit.empty() && fs::exists(watched_commit)};
    {
      std::lock_guard<std::mutex> g(mu_);
      events_.push_back(e);
    }
    if (on_event) on_event(e);
    if (fail && fail(e)) throw Error("injected failure: " + op + " " + path);
  }

  mutable std::mutex mu_;
  std::vector<Event> events_;
};

const char* kSchema =
    R"({"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}},)"
    R"({"name":"city","type":"string","nullable":true,"metadata":{}}]})";

class Durability : public ::testing::Test {
 protected:
  void SetUp() override {
    CreateOptions options;
    options.partition_columns = {"city"};
    options.properties = {{"delta.checkpointInterval", "1000"}};
    DeltaTable::create(root_, Schema::from_json_string(kSchema), options);
    DeltaTable::open(root_).append(con_, "SELECT 1 AS id, 'paris' AS city");  // version 1
    storage_->watched_commit = (fs::path(root_) / "_delta_log" / commit_file_name(2)).string();
  }

  /// Index of the first event matching, or -1.
  static int find(const std::vector<Event>& events, const std::string& op, const std::string& path,
                  bool committed) {
    for (size_t i = 0; i < events.size(); ++i) {
      if (events[i].op == op && events[i].path == path && events[i].committed == committed)
        return static_cast<int>(i);
    }
    return -1;
  }

  testing::TempDir tmp_;
  std::string root_ = (tmp_.path() / "t").string();
  std::shared_ptr<RecordingStorage> storage_ = std::make_shared<RecordingStorage>();
  sql::Database db_;
  sql::Connection con_{db_};
};

TEST_F(Durability, DataFilesAndTheirDirectoriesAreSyncedBeforeTheCommitIsLinked) {
  // Two partitions, one of them new: its directory entry in the root must be durable too.
  DeltaTable::open(root_, storage_)
      .append(con_, "SELECT * FROM (VALUES (2, 'paris'), (3, 'rome')) t(id, city)");
  const auto events = storage_->events();
  const auto adds = write_testing::actions_of(root_, 2, "add");
  ASSERT_EQ(adds.size(), 2u);
  for (const auto& add : adds) {
    const fs::path file = fs::path(root_) / decode_path(add.at("path").get<std::string>());
    EXPECT_GE(find(events, "sync_file", file.string(), false), 0)
        << file << " was not fsynced before the commit was linked";
    EXPECT_GE(find(events, "sync_directory", file.parent_path().string(), false), 0)
        << file.parent_path() << " was not fsynced before the commit was linked";
  }
  EXPECT_GE(find(events, "sync_directory", root_, false), 0)
      << "the table root (new partition directory) was not fsynced before the commit";
  // The commit itself: its temp file fsynced before the link, _delta_log fsynced after it.
  const std::string log = (fs::path(root_) / "_delta_log").string();
  int put = find(events, "put_if_absent", storage_->watched_commit, false);
  ASSERT_GE(put, 0);
  bool temp_synced = false;
  for (size_t i = static_cast<size_t>(put); i < events.size(); ++i) {
    if (events[i].op == "sync_file" && fs::path(events[i].path).parent_path() == log &&
        !events[i].committed)
      temp_synced = true;
  }
  EXPECT_TRUE(temp_synced) << "the commit's temp file was not fsynced before the link";
  EXPECT_GE(find(events, "sync_directory", log, true), 0)
      << "_delta_log was not fsynced after the commit was linked";
}

TEST_F(Durability, AFailedDataFileSyncFailsTheCommitAndKeepsThePreviousVersion) {
  storage_->fail = [](const Event& e) {
    return e.op == "sync_file" && e.path.ends_with(".parquet");
  };
  EXPECT_THROW(DeltaTable::open(root_, storage_).append(con_, "SELECT 2 AS id, 'rome' AS city"),
               Error);
  EXPECT_FALSE(fs::exists(storage_->watched_commit));
  auto table = DeltaTable::open(root_);
  EXPECT_EQ(table.snapshot().version(), 1);
  EXPECT_EQ(table_rows(con_, table, "id"), (write_testing::Rows{{"1"}}));
}

TEST_F(Durability, AFailedDirectorySyncBeforeTheLinkFailsTheCommit) {
  storage_->fail = [this](const Event& e) { return e.op == "sync_directory" && e.path == root_; };
  EXPECT_THROW(DeltaTable::open(root_, storage_).append(con_, "SELECT 2 AS id, 'rome' AS city"),
               Error);
  EXPECT_FALSE(fs::exists(storage_->watched_commit));
  EXPECT_EQ(DeltaTable::open(root_).snapshot().version(), 1);
}

TEST_F(Durability, AFailedSyncOfTheCommitsTempFileCommitsNothing) {
  const std::string log = (fs::path(root_) / "_delta_log").string();
  storage_->fail = [log](const Event& e) {
    return e.op == "sync_file" && fs::path(e.path).parent_path() == log;
  };
  EXPECT_THROW(DeltaTable::open(root_, storage_).append(con_, "SELECT 2 AS id, 'rome' AS city"),
               Error);
  EXPECT_FALSE(fs::exists(storage_->watched_commit));
  for (const auto& e : fs::directory_iterator(log)) {
    EXPECT_FALSE(e.path().filename().string().ends_with(".tmp")) << "temp file left: " << e.path();
  }
}

TEST_F(Durability, AFailedSyncOfTheLogAfterTheLinkIsReportedNotIgnored) {
  const std::string log = (fs::path(root_) / "_delta_log").string();
  storage_->fail = [log](const Event& e) {
    return e.op == "sync_directory" && e.path == log && e.committed;
  };
  try {
    DeltaTable::open(root_, storage_).append(con_, "SELECT 2 AS id, 'rome' AS city");
    ADD_FAILURE() << "a failed fsync of _delta_log must fail the commit";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("power loss"), std::string::npos) << e.what();
  }
}

TEST_F(Durability, ACommitOfAMissingFileIsRefused) {
  Transaction tx(Snapshot::load(storage_, root_));
  AddFile add;
  add.path = "city=rome/part-00000-never-written.c000.snappy.parquet";
  add.size = 100;
  tx.add_file(add);
  EXPECT_THROW(tx.commit(), CorruptTableError);
  EXPECT_FALSE(fs::exists(storage_->watched_commit));
}

// ---- _last_checkpoint ----

int64_t last_checkpoint_version(const std::string& root) {
  return nlohmann::json::parse(
             testing::read_file(fs::path(root) / "_delta_log" / "_last_checkpoint"))
      .at("version")
      .get<int64_t>();
}

TEST_F(Durability, LastCheckpointIsReadAndReplacedUnderTheLock) {
  write_checkpoint(Snapshot::load(storage_, root_));
  const std::string log = (fs::path(root_) / "_delta_log").string();
  const std::string last = log + "/_last_checkpoint";
  const auto events = storage_->events();
  int locked = find(events, "locked", log, false);
  // Snapshot::load reads _last_checkpoint too (a hint, without the lock): the read that decides
  // is the one after the lock is taken.
  int read = -1;
  for (size_t i = std::max(locked, 0); i < events.size() && read < 0; ++i) {
    if (events[i].op == "read" && events[i].path == last) read = static_cast<int>(i);
  }
  int write = find(events, "write_atomic", last, false);
  int unlock = find(events, "unlock", log, false);
  ASSERT_GE(locked, 0);
  EXPECT_LT(locked, read);
  EXPECT_LT(read, write);
  EXPECT_LT(write, unlock);
  EXPECT_EQ(last_checkpoint_version(root_), 1);
}

TEST_F(Durability, LastCheckpointNeverMovesBackwards) {
  DeltaTable::open(root_).append(con_, "SELECT 2 AS id, 'rome' AS city");  // version 2
  write_checkpoint(Snapshot::load(local_storage(), root_));
  write_checkpoint(Snapshot::load(local_storage(), root_, VersionSpec{1, {}}));
  EXPECT_EQ(last_checkpoint_version(root_), 2);
  // A version that is not an int64 is unreadable, not a huge version: it is replaced.
  testing::write_file(fs::path(root_) / "_delta_log" / "_last_checkpoint", R"({"version":1e30})");
  write_checkpoint(Snapshot::load(local_storage(), root_, VersionSpec{1, {}}));
  EXPECT_EQ(last_checkpoint_version(root_), 1);
}

TEST_F(Durability, ConcurrentCheckpointWritersCannotRegressLastCheckpoint) {
  // Writer A (checkpoint of version 1) has read _last_checkpoint and is about to replace it when
  // writer B (checkpoint of version 2) runs. Without the lock, B writes 2 and A then writes 1.
  DeltaTable::open(root_).append(con_, "SELECT 2 AS id, 'rome' AS city");  // version 2
  const std::string log = (fs::path(root_) / "_delta_log").string();
  const std::string last = log + "/_last_checkpoint";
  auto storage_b = std::make_shared<RecordingStorage>();
  std::mutex mu;
  std::condition_variable cv;
  bool b_waiting_or_done = false;
  storage_b->on_event = [&](const Event& e) {
    if (e.op == "lock") {
      std::lock_guard<std::mutex> g(mu);
      b_waiting_or_done = true;
      cv.notify_all();
    }
  };
  std::thread b;
  std::atomic<bool> started{false};
  bool a_locked = false;  // Snapshot::load reads _last_checkpoint as a hint before the lock
  storage_->on_event = [&](const Event& e) {
    if (e.op == "locked" && e.path == log) a_locked = true;
    if (e.op != "read" || e.path != last || !a_locked || started.exchange(true)) return;
    b = std::thread([&] {
      write_checkpoint(Snapshot::load(storage_b, root_));
      std::lock_guard<std::mutex> g(mu);
      b_waiting_or_done = true;
      cv.notify_all();
    });
    std::unique_lock<std::mutex> g(mu);
    cv.wait_for(g, std::chrono::seconds(120), [&] { return b_waiting_or_done; });
  };
  write_checkpoint(Snapshot::load(storage_, root_, VersionSpec{1, {}}));
  ASSERT_TRUE(started);
  b.join();
  EXPECT_EQ(last_checkpoint_version(root_), 2);
}

}  // namespace
}  // namespace dls::delta

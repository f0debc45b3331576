// The engine interface (dls/delta/engine.h): checkpoints are read and written through the
// snapshot's engine only, and the DuckDB engine keeps every field of the actions it writes.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "delta/checkpoint_writer.h"
#include "dls/core/error.h"
#include "dls/delta/delta_table.h"
#include "dls/delta/engine.h"
#include "dls/delta/snapshot.h"
#include "dls/delta/transaction.h"
#include "dls/sql/database.h"
#include "support/test_support.h"

namespace dls::delta {
namespace {

namespace fs = std::filesystem;

/// Records every call and passes it on to the DuckDB engine (or fails writes when asked).
class RecordingEngine : public Engine {
 public:
  struct Read {
    std::vector<std::string> files;
    std::vector<std::string> columns;
  };

  std::vector<Action> read_parquet_actions(const std::vector<std::string>& files,
                                           const std::vector<std::string>& columns) override {
    {
      std::lock_guard lock(mutex_);
      reads.push_back({files, columns});
    }
    return duckdb_engine()->read_parquet_actions(files, columns);
  }

  std::string write_parquet_actions(const std::vector<Action>& actions) override {
    {
      std::lock_guard lock(mutex_);
      writes.push_back(actions);
    }
    if (fail_writes) throw Error("engine failure injected by the test");
    return duckdb_engine()->write_parquet_actions(actions);
  }

  bool fail_writes = false;
  std::vector<Read> reads;
  std::vector<std::vector<Action>> writes;

 private:
  std::mutex mutex_;
};

template <class T>
size_t count_of(const std::vector<Action>& actions) {
  return static_cast<size_t>(std::count_if(actions.begin(), actions.end(), [](const Action& a) {
    return std::holds_alternative<T>(a);
  }));
}

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = (dir_ / "t").string();
    CreateOptions options;
    options.properties["delta.checkpointInterval"] = "1000";  // checkpoints only when asked
    Schema schema{{StructField{"id", DataType::primitive("long"), true}}};
    auto table = DeltaTable::create(root_, schema, options);
    table.append(con_, "SELECT 1::BIGINT AS id");
    table.append(con_, "SELECT 2::BIGINT AS id");  // version 2, two files
  }

  std::string checkpoint_path(int64_t version) const {
    std::string name = commit_file_name(version);
    return log_dir(root_) + "/" + name.substr(0, name.size() - 5) + ".checkpoint.parquet";
  }

  testing::TempDir dir_;
  sql::Database db_;
  sql::Connection con_ = db_.connect();
  std::string root_;
  std::shared_ptr<RecordingEngine> engine_ = std::make_shared<RecordingEngine>();
};

TEST_F(EngineTest, CheckpointWriterWritesThroughTheSnapshotsEngine) {
  Snapshot snap = Snapshot::load(local_storage(), root_, {}, engine_);
  EXPECT_TRUE(engine_->reads.empty());  // no checkpoint yet: commits only
  write_checkpoint(snap);
  ASSERT_EQ(engine_->writes.size(), 1u);
  const auto& written = engine_->writes[0];
  EXPECT_EQ(count_of<Protocol>(written), 1u);
  EXPECT_EQ(count_of<Metadata>(written), 1u);
  EXPECT_EQ(count_of<AddFile>(written), 2u);
  EXPECT_EQ(count_of<CommitInfo>(written), 0u);
  EXPECT_TRUE(fs::exists(checkpoint_path(2)));
}

TEST_F(EngineTest, SnapshotLoadReadsTheCheckpointThroughItsEngine) {
  write_checkpoint(Snapshot::load(local_storage(), root_));
  Snapshot snap = Snapshot::load(local_storage(), root_, {}, engine_);
  ASSERT_EQ(engine_->reads.size(), 1u);
  EXPECT_EQ(engine_->reads[0].files, std::vector<std::string>{checkpoint_path(2)});
  // Tombstones are not state: a snapshot load does not read the remove column.
  const auto& columns = engine_->reads[0].columns;
  EXPECT_NE(std::find(columns.begin(), columns.end(), "add"), columns.end());
  EXPECT_EQ(std::find(columns.begin(), columns.end(), "remove"), columns.end());
  EXPECT_EQ(snap.checkpoint_version(), 2);
  EXPECT_EQ(snap.files().size(), 2u);
  EXPECT_EQ(&snap.engine(), engine_.get());
}

TEST_F(EngineTest, CommitsKeepTheEngineOfTheSnapshotTheyStartFrom) {
  // A transaction's checkpoint is written from the snapshot its commit produced in memory
  // (Snapshot::advance), which keeps the engine; its tombstones come from the previous checkpoint,
  // read with the remove column through the same engine.
  write_checkpoint(Snapshot::load(local_storage(), root_));
  Snapshot snap = Snapshot::load(local_storage(), root_, {}, engine_);
  Transaction txn(snap);
  Metadata metadata = snap.metadata();
  metadata.configuration["delta.checkpointInterval"] = "1";
  txn.set_metadata(metadata);
  CommitResult result = txn.commit();
  EXPECT_FALSE(result.checkpoint_error) << *result.checkpoint_error;
  ASSERT_EQ(engine_->writes.size(), 1u);
  EXPECT_EQ(count_of<AddFile>(engine_->writes[0]), 2u);
  ASSERT_EQ(engine_->reads.size(), 2u);
  const auto& columns = engine_->reads[1].columns;
  EXPECT_NE(std::find(columns.begin(), columns.end(), "remove"), columns.end());
  EXPECT_TRUE(fs::exists(checkpoint_path(3)));
}

TEST_F(EngineTest, FailedEngineWritePublishesNoCheckpoint) {
  engine_->fail_writes = true;
  EXPECT_THROW(write_checkpoint(Snapshot::load(local_storage(), root_, {}, engine_)), Error);
  EXPECT_FALSE(fs::exists(checkpoint_path(2)));
  EXPECT_FALSE(fs::exists(log_dir(root_) + "/_last_checkpoint"));
}

TEST(DuckDbEngine, WrittenActionsReadBackWithEveryField) {
  Protocol protocol{3, 7, std::vector<std::string>{"deletionVectors"},
                    std::vector<std::string>{"deletionVectors", "domainMetadata"}};
  Metadata metadata;
  metadata.id = "2b7c4c1e-0000-4000-8000-000000000001";
  metadata.name = "t";
  metadata.description = "a table";
  metadata.format.options = {{"k", "v"}};
  metadata.schema_string = R"({"type":"struct","fields":[]})";
  metadata.partition_columns = {"p"};
  metadata.configuration = {{"delta.enableDeletionVectors", "true"}};
  metadata.created_time = 1700000000000;
  AddFile add;
  add.path = "p=a/part%20one.parquet";
  add.partition_values = {{"p", "a"}, {"q", std::nullopt}};
  add.size = 123;
  add.modification_time = 1700000000001;
  add.data_change = false;
  add.stats = R"({"numRecords":3})";
  add.tags = std::map<std::string, std::string>{{"INSERTION_TIME", "1"}};
  add.deletion_vector = DeletionVectorDescriptor{"u", "ab^-aqEH.-t@S}K{vb[*k^", 1, 36, 2};
  add.base_row_id = 10;
  add.default_row_commit_version = 4;
  add.clustering_provider = "liquid";
  AddFile plain;
  plain.path = "plain.parquet";
  plain.size = 1;
  RemoveFile remove;
  remove.path = "old.parquet";
  remove.deletion_timestamp = 1700000000002;
  remove.data_change = false;
  remove.extended_file_metadata = true;
  remove.partition_values = PartitionValues{{"p", "b"}};
  remove.size = 99;
  std::vector<Action> actions = {protocol,
                                 metadata,
                                 SetTransaction{"app", 7, 1700000000003},
                                 add,
                                 plain,
                                 remove,
                                 DomainMetadata{"delta.rowTracking", R"({"x":1})", false}};

  testing::TempDir dir;
  const fs::path file = dir / "actions.parquet";
  testing::write_file(file, duckdb_engine()->write_parquet_actions(actions));
  auto read = duckdb_engine()->read_parquet_actions(
      {file.string()}, {"protocol", "metaData", "txn", "add", "remove", "domainMetadata"});

  // Read back row by row: the same actions, compared through the commit codec.
  ASSERT_EQ(read.size(), actions.size());
  for (size_t i = 0; i < actions.size(); ++i)
    EXPECT_EQ(action_to_json(read[i]), action_to_json(actions[i])) << "action " << i;
}

TEST(DuckDbEngine, RefusesActionsACheckpointDoesNotHold) {
  CommitInfo info;
  info.fields["operation"] = "WRITE";
  EXPECT_THROW(duckdb_engine()->write_parquet_actions({info}), UsageError);
}

}  // namespace
}  // namespace dls::delta

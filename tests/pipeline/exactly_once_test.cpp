// Write-ahead offsets log + Delta txn: a batch planned before a crash is re-run exactly, and a
// batch committed to only one of its two tables (quarantine) is completed, not duplicated.
#include <gtest/gtest.h>

#include "dls/pipeline/offsets_log.h"
#include "dls/pipeline/pipeline_state.h"
#include "pipeline/pipeline_test_support.h"

namespace dls::pipeline {
namespace {

using testing::PipelineHarness;
using testing::rows_sql;
using Rows = std::vector<std::string>;

const char* kFlow = "main.default.bronze";

TEST(OffsetsLog, WritesDurablyAndReadsTheLatest) {
  dls::testing::TempDir dir;
  OffsetsLog log(dir.path());
  EXPECT_FALSE(log.latest());
  log.write(0, {{"files", {"a"}}});
  log.write(1, {{"files", {"b"}}});
  EXPECT_THROW(log.write(1, {}), Error);
  auto latest = log.latest();
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->batch, 1);
  EXPECT_EQ(latest->offsets["files"][0], "b");
  log.purge_before(1);
  EXPECT_FALSE(log.read(0));
  log.forget(1);  // a batch that failed before any commit
  EXPECT_FALSE(log.latest());
  log.forget(1);  // absent: nothing to do
  log.write(1, {{"files", {"c"}}});
  EXPECT_EQ(log.latest()->offsets["files"][0], "c") << "the batch number is planned again";
  dls::testing::write_file(dir.path() / "offsets" / "7.json", "{broken");
  EXPECT_THROW(log.latest(), Error);
}

TEST(ExactlyOnce, PlannedButUncommittedBatchIsRerunWithTheSameOffsets) {
  PipelineHarness h;
  h.add("bronze", "in", "bronze");
  auto in = h.input("in");
  in->batches.push_back(rows_sql({{1, "a"}}));
  ASSERT_TRUE(h.run().ok());
  // A crash after the offsets of batch 1 were logged, before its commit.
  in->batches.push_back(rows_sql({{2, "b"}}));
  in->batches.push_back(rows_sql({{3, "c"}}));
  PipelineState state(h.warehouse().pipeline_dir("test"));
  OffsetsLog(state.checkpoint_dir(kFlow)).write(1, {{"from", 1}, {"next", 2}});
  auto u = h.run();
  ASSERT_TRUE(u.ok()) << u.failure_summary();
  EXPECT_EQ(h.rows("bronze", "id"), (Rows{"1", "2", "3"}));
  EXPECT_EQ(u.find(kFlow)->num_batches, 2);
  // The txn of the last batch is in the table.
  auto snap = delta::DeltaTable::open(h.table_root("bronze")).snapshot();
  EXPECT_EQ(snap.transaction_version(std::string("test/") + kFlow), 2);
}

TEST(ExactlyOnce, LoggedBatchAlreadyCommittedIsNotWrittenAgain) {
  PipelineHarness h;
  h.add("bronze", "in", "bronze");
  auto in = h.input("in");
  in->batches.push_back(rows_sql({{1, "a"}}));
  in->batches.push_back(rows_sql({{2, "b"}}));
  ASSERT_TRUE(h.run().ok());
  int64_t v = h.version("bronze");
  auto u = h.run();
  EXPECT_EQ(u.find(kFlow)->status, DatasetStatus::kUpToDate);
  EXPECT_EQ(h.version("bronze"), v);
  EXPECT_EQ(h.rows("bronze", "id"), (Rows{"1", "2"}));
}

TEST(ExactlyOnce, QuarantineBatchCommittedToOneTableIsCompletedOnRerun) {
  PipelineHarness h;
  auto& e = h.add("bronze", "in", "bronze");
  e.is_quarantined = true;
  e.expectations.expect_all = {{"not_bad", "v <> 'bad'"}};
  auto in = h.input("in");
  in->batches.push_back(rows_sql({{1, "a"}, {2, "bad"}}));
  ASSERT_TRUE(h.run().ok());
  // Batch 1 is logged and its invalid part committed (with the txn), then the process dies.
  in->batches.push_back(rows_sql({{3, "c"}, {4, "bad"}}));
  PipelineState state(h.warehouse().pipeline_dir("test"));
  OffsetsLog(state.checkpoint_dir(kFlow)).write(1, {{"from", 1}, {"next", 2}});
  delta::WriteOptions w;
  w.txn_app_id = std::string("test/") + kFlow;
  w.txn_version = 1;
  delta::DeltaTable::open(h.table_root("bronze_invalid"))
      .append(h.con(), "SELECT 4 AS id, 'bad' AS v, ['not_bad'] AS _errors", w);
  auto u = h.run();
  ASSERT_TRUE(u.ok()) << u.failure_summary();
  EXPECT_EQ(h.rows("bronze", "id"), (Rows{"1", "3"}));
  EXPECT_EQ(h.rows("bronze_invalid", "id"), (Rows{"2", "4"}));
}

TEST(ExactlyOnce, FullRefreshInterruptedIsFinishedByTheNextUpdate) {
  PipelineHarness h;
  h.add("bronze", "in", "bronze");
  auto in = h.input("in");
  in->batches.push_back(rows_sql({{1, "a"}}));
  ASSERT_TRUE(h.run().ok());
  PipelineState state(h.warehouse().pipeline_dir("test"));
  state.begin_full_refresh(kFlow);  // ... and the process died
  in->batches.push_back(rows_sql({{2, "b"}}));
  ASSERT_TRUE(h.run().ok());
  EXPECT_EQ(h.rows("bronze", "id"), (Rows{"1", "2"}));
  EXPECT_FALSE(state.full_refresh_pending(kFlow));
}

TEST(ExactlyOnce, SecondConcurrentUpdateOfOnePipelineIsRefused) {
  PipelineHarness h;
  h.add("bronze", "in", "bronze");
  PipelineLock lock(h.warehouse().pipeline_dir("test"), "test");
  EXPECT_THROW(h.run(), Error);
}

}  // namespace
}  // namespace dls::pipeline

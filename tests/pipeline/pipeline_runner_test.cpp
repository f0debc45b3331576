#include "dls/pipeline/pipeline_runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "dls/pipeline/pipeline_state.h"
#include "pipeline/pipeline_test_support.h"
#include "support/test_support.h"

namespace dls::pipeline {
namespace {

using testing::PipelineHarness;
using testing::rows_sql;
using Rows = std::vector<std::string>;

TEST(PipelineRunner, StreamingTableAppendsOnlyNewInput) {
  PipelineHarness h;
  h.add("bronze", "in", "bronze");
  h.input("in")->batches.push_back(rows_sql({{1, "a"}, {2, "b"}}));
  auto u1 = h.run();
  ASSERT_TRUE(u1.ok()) << u1.failure_summary();
  EXPECT_EQ(h.rows("bronze", "id, v"), (Rows{"1|a", "2|b"}));
  EXPECT_EQ(u1.find("main.default.bronze")->num_output_rows, 2);

  h.input("in")->batches.push_back(rows_sql({{3, "c"}}));
  auto u2 = h.run();
  ASSERT_TRUE(u2.ok());
  EXPECT_EQ(h.rows("bronze", "id, v"), (Rows{"1|a", "2|b", "3|c"}));
  EXPECT_EQ(u2.find("main.default.bronze")->num_output_rows, 1);
  EXPECT_EQ(u2.find("main.default.bronze")->status, DatasetStatus::kCompleted);

  int64_t v = h.version("bronze");
  auto u3 = h.run();
  ASSERT_TRUE(u3.ok());
  EXPECT_EQ(u3.find("main.default.bronze")->status, DatasetStatus::kUpToDate);
  EXPECT_EQ(h.version("bronze"), v) << "no new input: no new commit";
}

TEST(PipelineRunner, MaterializedViewIsRecomputedOnlyWhenItsInputChanged) {
  PipelineHarness h;
  h.add("bronze", "in", "bronze");
  h.add("gold", "bronze", "gold", false, "dlt").select_expr = {"count(*) AS n"};
  h.input("in")->batches.push_back(rows_sql({{1, "a"}, {2, "b"}}));
  ASSERT_TRUE(h.run().ok());
  EXPECT_EQ(h.rows("gold", "n"), (Rows{"2"}));
  int64_t v = h.version("gold");
  auto again = h.run();
  EXPECT_EQ(again.find("main.default.gold")->status, DatasetStatus::kUpToDate);
  EXPECT_EQ(h.version("gold"), v);
  h.input("in")->batches.push_back(rows_sql({{3, "c"}}));
  ASSERT_TRUE(h.run().ok());
  EXPECT_EQ(h.rows("gold", "n"), (Rows{"3"}));
}

TEST(PipelineRunner, SourceSchemaAndSelectExprShapeTheRows) {
  PipelineHarness h;
  auto& e = h.add("bronze", "in", "bronze");
  e.source_schema = "id BIGINT, v STRING, missing INT";
  e.select_expr = {"id * 10 AS id10", "upper(v) AS v", "nvl(missing, -1) AS m"};
  h.input("in")->batches.push_back(
      "SELECT * FROM (VALUES ('1', 'a', 'x'), ('oops', 'b', 'y')) AS t(id, v, extra)");
  auto u = h.run();
  ASSERT_TRUE(u.ok()) << u.failure_summary();
  EXPECT_EQ(h.rows("bronze", "coalesce(CAST(id10 AS VARCHAR), 'NULL'), v, m"),
            (Rows{"10|A|-1", "NULL|B|-1"}));
}

TEST(PipelineRunner, BadSelectExprFailsNamingTheEntityAndExpression) {
  PipelineHarness h;
  h.add("bronze", "in", "bronze").select_expr = {"no_such_column + 1 AS x"};
  h.input("in")->batches.push_back(rows_sql({{1, "a"}}));
  auto u = h.run();
  ASSERT_FALSE(u.ok());
  const auto* d = u.find("main.default.bronze");
  EXPECT_EQ(d->status, DatasetStatus::kFailed);
  EXPECT_NE(d->error->find("'bronze'"), std::string::npos) << *d->error;
  EXPECT_NE(d->error->find("no_such_column + 1 AS x"), std::string::npos) << *d->error;
  EXPECT_EQ(u.exit_code(), ExitCode::kFailure);
}

TEST(PipelineRunner, TableOptionsAreAppliedOnCreation) {
  PipelineHarness h;
  auto& e = h.add("bronze", "in", "bronze");
  e.partition_cols = {"v"};
  e.table_properties = {{"delta.appendOnly", "true"}};
  e.tags = {{"layer", "bronze"}};
  e.comment = "raw rows";
  h.input("in")->batches.push_back(rows_sql({{1, "a"}, {2, "b"}}));
  ASSERT_TRUE(h.run().ok());
  auto d = delta::DeltaTable::open(h.table_root("bronze")).describe();
  EXPECT_EQ(d.partition_columns, std::vector<std::string>{"v"});
  EXPECT_EQ(d.properties["delta.appendOnly"], "true");
  EXPECT_EQ(d.properties["dls.tag.layer"], "bronze");
  EXPECT_EQ(d.description.value_or(""), "raw rows");
  EXPECT_EQ(h.rows("bronze", "id, v"), (Rows{"1|a", "2|b"}));
}

TEST(PipelineRunner, NewColumnsAreAddedToAStreamingTable) {
  PipelineHarness h;
  h.add("bronze", "in", "bronze");
  h.input("in")->batches.push_back(rows_sql({{1, "a"}}));
  ASSERT_TRUE(h.run().ok());
  h.input("in")->batches.push_back("SELECT 2 AS id, 'b' AS v, 'new' AS w");
  auto u = h.run();
  ASSERT_TRUE(u.ok()) << u.failure_summary();
  EXPECT_EQ(h.rows("bronze", "id, v, coalesce(w, 'NULL')"), (Rows{"1|a|NULL", "2|b|new"}));
}

TEST(PipelineRunner, FailedDatasetSkipsItsDownstreamAndOthersStillRun) {
  PipelineHarness h;
  h.add("bad", "bad_in", "bad").select_expr = {"id / 0 AS x", "nope"};
  h.add("bad_child", "bad", "bad_child", false, "dlt");
  h.add("good", "good_in", "good");
  h.input("bad_in")->batches.push_back(rows_sql({{1, "a"}}));
  h.input("good_in")->batches.push_back(rows_sql({{1, "a"}}));
  auto u = h.run();
  EXPECT_EQ(u.find("main.default.bad")->status, DatasetStatus::kFailed);
  EXPECT_EQ(u.find("main.default.bad_child")->status, DatasetStatus::kSkipped);
  EXPECT_NE(u.find("main.default.bad_child")->error->find("main.default.bad failed"),
            std::string::npos);
  EXPECT_EQ(u.find("main.default.good")->status, DatasetStatus::kCompleted);
  EXPECT_EQ(h.rows("good", "id"), (Rows{"1"}));
  EXPECT_FALSE(h.exists("bad_child"));
  EXPECT_NE(u.failure_summary().find("main.default.bad: FAILED"), std::string::npos);
}

TEST(PipelineRunner, CancelledUpdateSkipsDatasetsNotYetStartedAndKeepsCommittedOnes) {
  PipelineHarness h;
  h.add("bronze", "in", "bronze");
  h.add("silver", "bronze", "silver", true, "dlt");
  h.input("in")->batches.push_back(rows_sql({{1, "a"}}));
  PipelineOptions o = h.options();
  o.parallelism = 1;
  // Cancelled once the first dataset finished (before the second one starts).
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  o.on_progress = [cancel](const DatasetProgress& p) {
    if (p.finished) cancel->store(true);
  };
  o.cancelled = [cancel] { return cancel->load(); };
  auto u = h.run(o);
  EXPECT_EQ(u.find("main.default.bronze")->status, DatasetStatus::kCompleted);
  EXPECT_EQ(u.find("main.default.silver")->status, DatasetStatus::kSkipped);
  EXPECT_EQ(*u.find("main.default.silver")->error, "the update was cancelled");
  EXPECT_EQ(h.rows("bronze", "id"), (Rows{"1"}));
  EXPECT_FALSE(h.exists("silver"));
  EXPECT_FALSE(u.ok());
}

TEST(PipelineRunner, CancelledUpdateStopsARunningDatasetAndKeepsItsCommittedBatches) {
  PipelineHarness h;
  h.add("bronze", "in", "bronze");
  for (int i = 1; i <= 4; ++i) h.input("in")->batches.push_back(rows_sql({{i, "x"}}));
  PipelineOptions o = h.options();
  o.parallelism = 1;
  // Cancelled while bronze runs: once its source plans its second batch (the first is committed).
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  auto plan_source = o.source_factory;
  o.source_factory = [plan_source, cancel](const DeltaLiveEntity& e, const SourceContext& c) {
    struct CancellingSource : Source {
      std::unique_ptr<Source> inner;
      std::shared_ptr<std::atomic<bool>> cancel;
      int plans = 0;
      std::optional<nlohmann::json> plan(const nlohmann::json& committed) override {
        if (++plans == 2) cancel->store(true);
        return inner->plan(committed);
      }
      SourceBatch batch(sql::Connection& con, const nlohmann::json& planned) override {
        return inner->batch(con, planned);
      }
      std::string fingerprint() override { return inner->fingerprint(); }
      std::string full_sql(sql::Connection& con) override { return inner->full_sql(con); }
      std::string describe() const override { return inner->describe(); }
      std::vector<std::string> hidden_columns() const override { return inner->hidden_columns(); }
    };
    auto source = std::make_unique<CancellingSource>();
    source->inner = plan_source(e, c);
    source->cancel = cancel;
    return std::unique_ptr<Source>(std::move(source));
  };
  o.cancelled = [cancel] { return cancel->load(); };
  auto u = h.run(o);
  const DatasetUpdate& bronze = *u.find("main.default.bronze");
  EXPECT_EQ(bronze.status, DatasetStatus::kFailed);
  ASSERT_TRUE(bronze.error);
  EXPECT_EQ(bronze.error->rfind("the update was cancelled", 0), 0u) << *bronze.error;
  // The second batch was either interrupted (not written) or committed; never the others.
  Rows kept = h.rows("bronze", "id");
  EXPECT_TRUE(kept == (Rows{"1"}) || kept == (Rows{"1", "2"})) << kept.size();
  EXPECT_FALSE(u.ok());

  // The next update resumes after the committed batches: every row exactly once.
  auto again = h.run();
  ASSERT_TRUE(again.ok()) << again.failure_summary();
  EXPECT_EQ(h.rows("bronze", "id"), (Rows{"1", "2", "3", "4"}));
}

TEST(PipelineRunner, ViewIsComputedForItsReadersAndNotPersisted) {
  PipelineHarness h;
  h.add("bronze", "in", "bronze");
  auto& v = h.add("v", "bronze", "v_recent", false, "dlt");
  v.destination_type = "view";
  v.select_expr = {"id", "v"};
  v.expectations.expect_all_or_drop = {{"positive", "id > 1"}};
  h.add("gold", "v_recent", "gold", false, "dlt").select_expr = {"sum(id) AS total"};
  h.input("in")->batches.push_back(rows_sql({{1, "a"}, {2, "b"}, {3, "c"}}));
  auto u = h.run();
  ASSERT_TRUE(u.ok()) << u.failure_summary();
  EXPECT_EQ(h.rows("gold", "total"), (Rows{"5"}));
  EXPECT_FALSE(h.exists("v_recent"));
  EXPECT_EQ(u.find("main.default.v_recent")->dropped_records, 1);
}

TEST(PipelineRunner, IndependentDatasetsRunInParallel) {
  PipelineHarness h;
  for (int i = 0; i < 6; ++i) {
    std::string n = "t" + std::to_string(i);
    h.add(n, "in_" + n, n);
    h.input("in_" + n)->batches.push_back(rows_sql({{i, n}}));
  }
  auto o = h.options();
  o.parallelism = 3;
  int started = 0, finished = 0;
  o.on_progress = [&](const DatasetProgress& p) {
    if (p.kind == DatasetProgress::Kind::kStarted) ++started;
    if (p.kind == DatasetProgress::Kind::kFinished) ++finished;
  };
  auto u = h.run(o);
  ASSERT_TRUE(u.ok()) << u.failure_summary();
  EXPECT_EQ(started, 6);
  EXPECT_EQ(finished, 6);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(h.rows("t" + std::to_string(i), "id").size(), 1u);
}

// Progress (issue 14): a streaming dataset reports each committed batch with its totals so far
// (batches, files, rows) and Auto Loader's backlog, with an ETA from the rate so far; the
// backlog metrics reach the event log as Databricks reports them.
TEST(PipelineRunner, ProgressReportsEachBatchWithFilesBacklogAndEta) {
  dls::testing::TempDir in;
  for (int f = 0; f < 3; ++f) {
    dls::testing::write_file(in.path() / ("f" + std::to_string(f) + ".csv"),
                             "id\n" + std::to_string(f) + "\n" + std::to_string(f + 10) + "\n");
  }
  PipelineHarness h;
  h.add("bronze", in.path().string(), "bronze").read_options = {
      {"cloudFiles.format", "csv"}, {"header", "true"}, {"cloudFiles.maxFilesPerTrigger", "1"}};
  PipelineOptions o = h.options();
  o.source_factory = default_source_factory();
  struct Seen {
    DatasetProgress::Kind kind;
    int64_t batches, files, rows;
    std::optional<int64_t> backlog_files, eta_ms;
  };
  std::vector<Seen> seen;
  o.on_progress = [&seen](const DatasetProgress& p) {
    Seen s{p.kind, 0, 0, 0, std::nullopt, p.eta_ms};
    if (p.result) {
      s.batches = p.result->num_batches;
      s.files = p.result->num_input_files;
      s.rows = p.result->num_input_rows;
      s.backlog_files = p.result->backlog_files;
    }
    if (p.kind != DatasetProgress::Kind::kQueryProgress) seen.push_back(s);
  };
  auto u = h.run(o);
  ASSERT_TRUE(u.ok()) << u.failure_summary();
  using K = DatasetProgress::Kind;
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen[0].kind, K::kStarted);
  for (int b = 1; b <= 3; ++b) {
    const Seen& s = seen[static_cast<size_t>(b)];
    EXPECT_EQ(s.kind, K::kBatchCommitted);
    EXPECT_EQ(s.batches, b);
    EXPECT_EQ(s.files, b);
    EXPECT_EQ(s.rows, 2 * b);
    EXPECT_EQ(s.backlog_files, 3 - b);
    ASSERT_TRUE(s.eta_ms) << "batch " << b;
    if (b == 3) {
      EXPECT_EQ(*s.eta_ms, 0);
    }
  }
  EXPECT_EQ(seen[4].kind, K::kFinished);
  const DatasetUpdate& d = *u.find("main.default.bronze");
  EXPECT_EQ(d.num_input_files, 3);
  EXPECT_EQ(d.num_input_bytes, static_cast<int64_t>(3 * std::string("id\n0\n10\n").size()));
  EXPECT_EQ(d.backlog_files, 0);

  const std::string log = PipelineState(h.warehouse().pipeline_dir("test")).event_log_dir();
  bool reported = false;
  for (const auto& details : h.rows(log, "details")) {
    reported = reported || details.find("\"backlog_files\":0") != std::string::npos;
  }
  EXPECT_TRUE(reported) << "flow_progress metrics carry backlog_files";
}

TEST(PipelineRunner, FullRefreshReprocessesEverything) {
  PipelineHarness h;
  h.add("bronze", "in", "bronze").select_expr = {"id"};
  h.add("other", "in2", "other");
  h.input("in")->batches.push_back(rows_sql({{1, "a"}}));
  h.input("in")->batches.push_back(rows_sql({{2, "b"}}));
  h.input("in2")->batches.push_back(rows_sql({{7, "x"}}));
  ASSERT_TRUE(h.run().ok());
  EXPECT_EQ(h.rows("bronze", "id"), (Rows{"1", "2"}));
  // The definition changes: a full refresh re-reads all input with the new select_expr.
  h.entities[0].select_expr = {"id", "v"};
  auto o = h.options();
  o.full_refresh = {"bronze"};
  int64_t other_version = h.version("other");
  auto u = h.run(o);
  ASSERT_TRUE(u.ok()) << u.failure_summary();
  EXPECT_EQ(h.rows("bronze", "id, v"), (Rows{"1|a", "2|b"}));
  EXPECT_EQ(h.version("other"), other_version);
  // And incremental processing continues afterwards.
  h.input("in")->batches.push_back(rows_sql({{3, "c"}}));
  ASSERT_TRUE(h.run().ok());
  EXPECT_EQ(h.rows("bronze", "id, v"), (Rows{"1|a", "2|b", "3|c"}));
}

TEST(PipelineRunner, UnknownFullRefreshDatasetIsAUsageError) {
  PipelineHarness h;
  h.add("bronze", "in", "bronze");
  auto o = h.options();
  o.full_refresh = {"nope"};
  EXPECT_THROW(h.run(o), UsageError);
}

TEST(PipelineRunner, ApplyChangesReportsTheTombstonesItCleaned) {
  PipelineHarness h;
  DeltaLiveEntity& e = h.add("users", "in", "users");
  e.primary_keys = {"k"};
  e.apply_changes = ApplyChanges{};
  e.apply_changes->sequence_by = "seq";
  e.apply_changes->apply_as_deletes = "op = 'D'";
  e.table_properties = {{"pipelines.cdc.tombstoneGCThresholdInSeconds", "0"}};
  auto in = h.input("in");
  in->batches.push_back("SELECT * FROM (VALUES (1, 1, 'U'), (2, 1, 'U')) AS t(k, seq, op)");
  in->batches.push_back("SELECT * FROM (VALUES (1, 2, 'D')) AS t(k, seq, op)");
  auto first = h.run();
  ASSERT_TRUE(first.ok()) << first.failure_summary();
  EXPECT_EQ(first.find("main.default.users")->num_tombstones_removed, 0);
  // The delete's tombstone is older than the 0-second retention at the next batch of its key.
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  in->batches.push_back("SELECT * FROM (VALUES (1, 3, 'U')) AS t(k, seq, op)");
  auto second = h.run();
  ASSERT_TRUE(second.ok()) << second.failure_summary();
  EXPECT_EQ(second.find("main.default.users")->num_tombstones_removed, 1);
  EXPECT_EQ(h.rows("users", "k, seq"), (std::vector<std::string>{"1|3", "2|1"}));
}

}  // namespace
}  // namespace dls::pipeline

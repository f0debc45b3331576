// Append flows and once flows: several entities writing one streaming table, each flow with its
// own checkpoint, flow name and metrics; a once flow's backfill runs exactly once (again after a
// full refresh); writers that may not share a table are refused naming both entities.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dls/core/error.h"
#include "dls/pipeline/pipeline_graph.h"
#include "dls/pipeline/pipeline_runner.h"
#include "pipeline/pipeline_test_support.h"

namespace dls::pipeline {
namespace {

using testing::PipelineHarness;
using testing::rows_sql;
using Rows = std::vector<std::string>;

/// The update of the flow `flow` of `table` (main.default.<table>).
const DatasetUpdate& flow_of(const PipelineUpdate& u, const std::string& table,
                             const std::string& flow) {
  for (const auto& d : u.datasets) {
    if (d.name == "main.default." + table && d.flow_name == flow) return d;
  }
  throw std::runtime_error("no flow " + flow + " of " + table);
}

std::string graph_error(const std::vector<DeltaLiveEntity>& entities) {
  try {
    PipelineGraph::build(entities, "main", "default");
  } catch (const InvalidMetadataError& e) {
    return e.what();
  }
  return "";
}

TEST(AppendFlows, TwoFlowsWriteOneTableEachWithItsOwnCheckpointAndMetrics) {
  PipelineHarness h;
  h.add("orders_csv", "csv_in", "orders_silver");
  h.add("orders_json", "json_in", "orders_silver").flow_name = "from_json";
  h.input("csv_in")->batches.push_back(rows_sql({{1, "a"}, {2, "b"}}));
  h.input("json_in")->batches.push_back(rows_sql({{10, "x"}}));
  auto u1 = h.run();
  ASSERT_TRUE(u1.ok()) << u1.failure_summary();
  ASSERT_EQ(u1.datasets.size(), 2u);
  EXPECT_EQ(h.rows("orders_silver", "id, v"), (Rows{"10|x", "1|a", "2|b"}));
  const DatasetUpdate& csv = flow_of(u1, "orders_silver", "orders_csv");
  const DatasetUpdate& json = flow_of(u1, "orders_silver", "from_json");
  EXPECT_TRUE(csv.shared);
  EXPECT_EQ(csv.num_output_rows, 2);
  EXPECT_EQ(json.num_output_rows, 1);
  EXPECT_EQ(json.entity_id, "orders_json");

  // New input for one flow only: the other is up to date, nothing is read twice.
  h.input("csv_in")->batches.push_back(rows_sql({{3, "c"}}));
  auto u2 = h.run();
  ASSERT_TRUE(u2.ok()) << u2.failure_summary();
  EXPECT_EQ(flow_of(u2, "orders_silver", "orders_csv").num_output_rows, 1);
  EXPECT_EQ(flow_of(u2, "orders_silver", "from_json").status, DatasetStatus::kUpToDate);
  EXPECT_EQ(h.rows("orders_silver", "id, v"), (Rows{"10|x", "1|a", "2|b", "3|c"}));
}

TEST(AppendFlows, AddingAFlowLaterNeverReprocessesTheOthers) {
  PipelineHarness h;
  // A table written by one entity for a while (its checkpoint is the table's) ...
  h.add("orders_csv", "csv_in", "orders_silver");
  h.input("csv_in")->batches.push_back(rows_sql({{1, "a"}, {2, "b"}}));
  ASSERT_TRUE(h.run().ok());
  // ... gets a second flow, then a third.
  h.add("orders_json", "json_in", "orders_silver");
  h.input("json_in")->batches.push_back(rows_sql({{10, "x"}}));
  auto u2 = h.run();
  ASSERT_TRUE(u2.ok()) << u2.failure_summary();
  EXPECT_EQ(flow_of(u2, "orders_silver", "orders_csv").status, DatasetStatus::kUpToDate);
  EXPECT_EQ(h.rows("orders_silver", "id, v"), (Rows{"10|x", "1|a", "2|b"}));

  h.add("orders_api", "api_in", "orders_silver");
  h.input("api_in")->batches.push_back(rows_sql({{20, "y"}}));
  h.input("csv_in")->batches.push_back(rows_sql({{3, "c"}}));
  auto u3 = h.run();
  ASSERT_TRUE(u3.ok()) << u3.failure_summary();
  EXPECT_EQ(flow_of(u3, "orders_silver", "orders_api").num_output_rows, 1);
  EXPECT_EQ(flow_of(u3, "orders_silver", "orders_csv").num_output_rows, 1);
  EXPECT_EQ(flow_of(u3, "orders_silver", "orders_json").status, DatasetStatus::kUpToDate);
  // Every input row exactly once: 3 + 1 + 1 rows.
  EXPECT_EQ(h.rows("orders_silver", "id, v"), (Rows{"10|x", "1|a", "20|y", "2|b", "3|c"}));

  // Removing the first flow and adding it back keeps its checkpoint too.
  auto removed = h.entities.front();
  h.entities.erase(h.entities.begin());
  ASSERT_TRUE(h.run().ok());
  h.entities.push_back(removed);
  auto u5 = h.run();
  ASSERT_TRUE(u5.ok()) << u5.failure_summary();
  EXPECT_EQ(flow_of(u5, "orders_silver", "orders_csv").status, DatasetStatus::kUpToDate);
  EXPECT_EQ(h.rows("orders_silver", "count(*)"), (Rows{"5"}));
}

TEST(AppendFlows, FlowsWithDifferentColumnsMergeByName) {
  PipelineHarness h;
  h.add("a", "a_in", "t");
  h.add("b", "b_in", "t").select_expr = {"id", "v AS w"};
  h.input("a_in")->batches.push_back(rows_sql({{1, "a"}}));
  h.input("b_in")->batches.push_back(rows_sql({{2, "b"}}));
  auto u = h.run();
  ASSERT_TRUE(u.ok()) << u.failure_summary();
  EXPECT_EQ(h.rows("t", "id, coalesce(v, '-'), coalesce(w, '-')"), (Rows{"1|a|-", "2|-|b"}));
}

TEST(AppendFlows, AReaderOfTheTableWaitsForEveryFlow) {
  PipelineHarness h;
  h.add("a", "a_in", "t");
  h.add("b", "b_in", "t");
  h.add("gold", "t", "gold", false, "dlt");
  h.input("a_in")->batches.push_back(rows_sql({{1, "a"}}));
  h.input("b_in")->batches.push_back(rows_sql({{2, "b"}}));
  auto u = h.run();
  ASSERT_TRUE(u.ok()) << u.failure_summary();
  EXPECT_EQ(h.rows("gold", "id"), (Rows{"1", "2"}));
  const PipelineGraph g = PipelineGraph::build(h.entities, "main", "default");
  EXPECT_NE(g.render("text").find("flow b"), std::string::npos) << g.render("text");
}

TEST(AppendFlows, FullRefreshClearsTheTableOnceAndReprocessesEveryFlow) {
  PipelineHarness h;
  h.add("a", "a_in", "t");
  h.add("b", "b_in", "t");
  h.input("a_in")->batches.push_back(rows_sql({{1, "a"}}));
  h.input("b_in")->batches.push_back(rows_sql({{2, "b"}}));
  ASSERT_TRUE(h.run().ok());
  h.input("b_in")->batches.push_back(rows_sql({{3, "c"}}));
  PipelineOptions o = h.options();
  o.full_refresh = {"t"};
  auto u = h.run(o);
  ASSERT_TRUE(u.ok()) << u.failure_summary();
  EXPECT_EQ(flow_of(u, "t", "a").status, DatasetStatus::kFullRefresh);
  EXPECT_EQ(flow_of(u, "t", "b").status, DatasetStatus::kFullRefresh);
  EXPECT_EQ(h.rows("t", "id"), (Rows{"1", "2", "3"}));
}

TEST(OnceFlows, ABackfillRunsOnceThenIsSkippedUntilAFullRefresh) {
  PipelineHarness h;
  h.add("orders_stream", "live_in", "orders");
  DeltaLiveEntity& backfill = h.add("orders_backfill", "history_in", "orders", false, "csv");
  backfill.once = true;
  h.input("live_in")->batches.push_back(rows_sql({{1, "live"}}));
  h.input("history_in")->batches.push_back(rows_sql({{100, "old"}, {101, "old"}}));
  auto u1 = h.run();
  ASSERT_TRUE(u1.ok()) << u1.failure_summary();
  const DatasetUpdate& once = flow_of(u1, "orders", "orders_backfill");
  EXPECT_TRUE(once.once);
  EXPECT_EQ(once.status, DatasetStatus::kCompleted);
  EXPECT_EQ(once.num_output_rows, 2);
  EXPECT_EQ(h.rows("orders", "id"), (Rows{"1", "100", "101"}));

  // Later updates skip it, even when its source has more rows.
  h.input("history_in")->batches.push_back(rows_sql({{102, "old"}}));
  h.input("live_in")->batches.push_back(rows_sql({{2, "live"}}));
  auto u2 = h.run();
  ASSERT_TRUE(u2.ok()) << u2.failure_summary();
  EXPECT_EQ(flow_of(u2, "orders", "orders_backfill").status, DatasetStatus::kUpToDate);
  EXPECT_EQ(flow_of(u2, "orders", "orders_backfill").num_output_rows, 0);
  EXPECT_EQ(h.rows("orders", "id"), (Rows{"1", "100", "101", "2"}));
  auto u3 = h.run();
  ASSERT_TRUE(u3.ok());
  EXPECT_EQ(h.rows("orders", "count(*)"), (Rows{"4"}));

  // A full refresh runs it again, over what its source holds now.
  PipelineOptions o = h.options();
  o.full_refresh_all = true;
  auto u4 = h.run(o);
  ASSERT_TRUE(u4.ok()) << u4.failure_summary();
  EXPECT_EQ(flow_of(u4, "orders", "orders_backfill").num_output_rows, 3);
  EXPECT_EQ(h.rows("orders", "id"), (Rows{"1", "100", "101", "102", "2"}));
  auto u5 = h.run();
  ASSERT_TRUE(u5.ok());
  EXPECT_EQ(flow_of(u5, "orders", "orders_backfill").status, DatasetStatus::kUpToDate);
  EXPECT_EQ(h.rows("orders", "count(*)"), (Rows{"5"}));
}

TEST(FlowSharing, MixedBatchAndStreamingWritersAreRefusedNamingBoth) {
  PipelineHarness h;
  h.add("live", "live_in", "t");
  h.add("batch", "batch_in", "t", false, "csv");
  const std::string error = graph_error(h.entities);
  EXPECT_NE(error.find("entities 'live' and 'batch' both write the destination main.default.t"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("'batch': it is not streaming"), std::string::npos) << error;
  EXPECT_NE(error.find("once: true"), std::string::npos) << error;
}

TEST(FlowSharing, CdcQueryAndDisagreeingWritersAreRefused) {
  PipelineHarness h;
  h.add("a", "a_in", "t");
  DeltaLiveEntity& cdc = h.add("cdc", "c_in", "t");
  cdc.primary_keys = {"id"};
  cdc.apply_changes = ApplyChanges{};
  cdc.apply_changes->sequence_by = "id";
  EXPECT_NE(graph_error(h.entities).find("'cdc': it has apply_changes"), std::string::npos)
      << graph_error(h.entities);

  h.entities.pop_back();
  h.add("b", "b_in", "t").table_properties = {{"quality", "silver"}};
  EXPECT_NE(graph_error(h.entities).find("table_properties differ"), std::string::npos)
      << graph_error(h.entities);

  h.entities.pop_back();
  h.add("b", "b_in", "t").flow_name = "a";
  const std::string dup = graph_error(h.entities);
  EXPECT_NE(dup.find("flow name 'a'"), std::string::npos) << dup;

  // check() reports the problem with the entity and field.
  Diagnostics problems;
  EXPECT_FALSE(PipelineGraph::check(h.entities, "main", "default", problems));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].entity_id, "b");
  EXPECT_EQ(problems[0].field, "flow_name");
}

}  // namespace
}  // namespace dls::pipeline

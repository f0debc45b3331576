#include "dls/pipeline/event_log.h"

#include <gtest/gtest.h>

#include "pipeline/pipeline_test_support.h"

namespace dls::pipeline {
namespace {

using testing::PipelineHarness;
using testing::rows_sql;

std::vector<nlohmann::json> events(PipelineHarness& h, const std::string& where = "true") {
  std::string root = (h.warehouse().pipeline_dir("test") / "event_log").string();
  std::string scan = delta::TableScan(delta::DeltaTable::open(root).snapshot()).sql(h.con());
  std::vector<nlohmann::json> out;
  for (const auto& r : h.con()
                           .query("SELECT event_type, level, message, details, origin.update_id, "
                                  "origin.dataset_name, CAST(timestamp AS VARCHAR) FROM (" +
                                  scan + ") WHERE " + where + " ORDER BY timestamp, sequence")
                           .rows()) {
    out.push_back({{"event_type", r[0].as_string()},
                   {"level", r[1].as_string()},
                   {"message", r[2].as_string()},
                   {"details", nlohmann::json::parse(r[3].as_string())},
                   {"update_id", r[4].as_string()},
                   {"dataset", r[5].is_null() ? "" : r[5].as_string()}});
  }
  return out;
}

TEST(EventLog, RecordsTheUpdateFlowsAndDataQuality) {
  PipelineHarness h;
  auto& e = h.add("silver", "in", "silver");
  e.expectations.expect_all = {{"v_set", "v IS NOT NULL"}};
  e.expectations.expect_all_or_drop = {{"small", "id < 3"}};
  h.input("in")->batches.push_back(rows_sql({{1, "a"}, {2, "NULL"}, {3, "c"}}));
  auto u = h.run();
  ASSERT_TRUE(u.ok()) << u.failure_summary();
  auto all = events(h);
  ASSERT_GE(all.size(), 6u);
  EXPECT_EQ(all.front()["event_type"], "create_update");
  std::vector<std::string> states;
  for (const auto& ev : all) {
    EXPECT_EQ(ev["update_id"], u.update_id);
    if (ev["event_type"] == "update_progress") {
      states.push_back(ev["details"]["update_progress"]["state"]);
    }
  }
  EXPECT_EQ(states, (std::vector<std::string>{"STARTING", "RUNNING", "COMPLETED"}));
  auto flows = events(h,
                      "event_type = 'flow_progress' AND "
                      "details LIKE '%COMPLETED%'");
  ASSERT_EQ(flows.size(), 1u);
  const auto& fp = flows[0]["details"]["flow_progress"];
  EXPECT_EQ(flows[0]["dataset"], "main.default.silver");
  EXPECT_EQ(fp["metrics"]["num_input_rows"], 3);
  EXPECT_EQ(fp["metrics"]["num_output_rows"], 2);
  EXPECT_EQ(fp["metrics"]["dropped_records"], 1);
  EXPECT_EQ(fp["data_quality"]["dropped_records"], 1);
  bool found = false;
  for (const auto& x : fp["data_quality"]["expectations"]) {
    if (x["name"] == "v_set") {
      found = true;
      EXPECT_EQ(x["dataset"], "main.default.silver");
      EXPECT_EQ(x["passed_records"], 2);
      EXPECT_EQ(x["failed_records"], 1);
    }
  }
  EXPECT_TRUE(found) << fp.dump();
}

TEST(EventLog, FailuresAreErrorsWithTheirMessage) {
  PipelineHarness h;
  h.add("silver", "in", "silver").expectations.expect_all_or_fail = {{"no_bad", "v <> 'bad'"}};
  h.input("in")->batches.push_back(rows_sql({{1, "bad"}}));
  auto u = h.run();
  EXPECT_EQ(u.exit_code(), ExitCode::kDataQuality);
  auto failed = events(h, "level = 'ERROR'");
  ASSERT_EQ(failed.size(), 2u);  // the flow and the update
  EXPECT_EQ(failed[0]["details"]["flow_progress"]["status"], "FAILED");
  EXPECT_NE(failed[0]["details"]["error"]["message"].get<std::string>().find("no_bad"),
            std::string::npos);
  EXPECT_EQ(failed[1]["details"]["update_progress"]["state"], "FAILED");
  // Two updates append to the same log.
  h.run();
  EXPECT_EQ(events(h, "event_type = 'create_update'").size(), 2u);
}

}  // namespace
}  // namespace dls::pipeline

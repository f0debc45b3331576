#include "dls/pipeline/expectations.h"

#include <gtest/gtest.h>

#include "pipeline/pipeline_test_support.h"

namespace dls::pipeline {
namespace {

using testing::PipelineHarness;
using testing::rows_sql;
using Rows = std::vector<std::string>;

const ExpectationMetrics& metric(const DatasetUpdate& d, const std::string& name) {
  for (const auto& m : d.expectations) {
    if (m.name == name) return m;
  }
  throw std::runtime_error("no metric " + name);
}

// Fixture: 5 rows, id 3 has v NULL (the rule evaluates to NULL), id 4 has v 'bad'.
std::string fixture() {
  return rows_sql({{1, "a"}, {2, "b"}, {3, "NULL"}, {4, "bad"}, {5, "e"}});
}

TEST(Expectations, WarnKeepsEveryRowAndCountsFailuresIncludingNull) {
  PipelineHarness h;
  h.add("silver", "in", "silver").expectations.expect_all = {{"valid_v", "v <> 'bad'"}};
  h.input("in")->batches.push_back(fixture());
  auto u = h.run();
  ASSERT_TRUE(u.ok()) << u.failure_summary();
  EXPECT_EQ(h.rows("silver", "id").size(), 5u);
  const auto& m = metric(*u.find("main.default.silver"), "valid_v");
  EXPECT_EQ(m.passed_records, 3);
  EXPECT_EQ(m.failed_records, 2) << "NULL counts as failed";
  EXPECT_EQ(m.dataset, "main.default.silver");
  EXPECT_EQ(u.find("main.default.silver")->dropped_records, 0);
}

TEST(Expectations, DropRemovesExactlyTheFailingRows) {
  PipelineHarness h;
  auto& e = h.add("silver", "in", "silver");
  e.expectations.expect_all_or_drop = {{"valid_v", "v <> 'bad'"}, {"small_id", "id < 5"}};
  h.input("in")->batches.push_back(fixture());
  auto u = h.run();
  ASSERT_TRUE(u.ok()) << u.failure_summary();
  EXPECT_EQ(h.rows("silver", "id"), (Rows{"1", "2"}));
  const auto* d = u.find("main.default.silver");
  EXPECT_EQ(d->dropped_records, 3);
  EXPECT_EQ(d->num_input_rows, 5);
  EXPECT_EQ(d->num_output_rows, 2);
  EXPECT_EQ(metric(*d, "small_id").failed_records, 1);
  EXPECT_EQ(metric(*d, "valid_v").failed_records, 2);
}

TEST(Expectations, FailCommitsNothingNamesTheRuleAndAnExampleRow) {
  PipelineHarness h;
  h.add("silver", "in", "silver").expectations.expect_all_or_fail = {{"no_bad", "v <> 'bad'"}};
  h.add("silver_child", "silver", "child", false, "dlt");
  h.add("independent", "in2", "independent");
  h.input("in")->batches.push_back(rows_sql({{1, "a"}}));
  h.input("in2")->batches.push_back(rows_sql({{1, "a"}}));
  ASSERT_TRUE(h.run().ok());
  int64_t before = h.version("silver");
  h.input("in")->batches.push_back(rows_sql({{2, "b"}, {4, "bad"}}));
  h.input("in2")->batches.push_back(rows_sql({{2, "b"}}));
  auto u = h.run();
  EXPECT_EQ(u.exit_code(), ExitCode::kDataQuality);
  const auto* d = u.find("main.default.silver");
  ASSERT_EQ(d->status, DatasetStatus::kFailed);
  EXPECT_EQ(d->error_code, ExitCode::kDataQuality);
  EXPECT_NE(d->error->find("'no_bad'"), std::string::npos) << *d->error;
  EXPECT_NE(d->error->find("\"v\":\"bad\""), std::string::npos) << *d->error;
  EXPECT_EQ(h.version("silver"), before) << "nothing committed";
  EXPECT_EQ(h.rows("silver", "id"), (Rows{"1"}));
  EXPECT_EQ(u.find("main.default.child")->status, DatasetStatus::kSkipped);
  EXPECT_EQ(u.find("main.default.independent")->status, DatasetStatus::kCompleted);
  EXPECT_EQ(h.rows("independent", "id"), (Rows{"1", "2"}));
  // The failing batch stays planned: it fails again until the data or the rule changes.
  EXPECT_EQ(h.run().exit_code(), ExitCode::kDataQuality);
  h.entities[0].expectations.expect_all_or_fail.clear();
  auto fixed = h.run();
  ASSERT_TRUE(fixed.ok()) << fixed.failure_summary();
  EXPECT_EQ(h.rows("silver", "id"), (Rows{"1", "2", "4"}));
}

TEST(Expectations, FailOnNullResult) {
  PipelineHarness h;
  h.add("silver", "in", "silver").expectations.expect_all_or_fail = {{"v_set", "v <> 'bad'"}};
  h.input("in")->batches.push_back(rows_sql({{1, "a"}, {3, "NULL"}}));
  EXPECT_EQ(h.run().exit_code(), ExitCode::kDataQuality);
  EXPECT_FALSE(h.exists("silver"));
}

TEST(Expectations, UntranslatableRuleIsAnErrorNamingEntityRuleAndExpression) {
  DeltaLiveEntity e;
  e.entity_id = "silver_orders";
  e.expectations.expect_all = {{"weird", "no_such_function_xyz(v)"}};
  try {
    ExpectationSet::compile(e);
    FAIL();
  } catch (const InvalidMetadataError& ex) {
    std::string msg = ex.what();
    EXPECT_NE(msg.find("silver_orders"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'weird'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("no_such_function_xyz(v)"), std::string::npos) << msg;
  }
}

TEST(Quarantine, ValidAndInvalidPartitionTheInputExactly) {
  PipelineHarness h;
  auto& e = h.add("silver", "in", "silver");
  e.is_quarantined = true;
  e.expectations.expect_all = {{"valid_v", "v <> 'bad'"}, {"small_id", "id < 5"}};
  h.input("in")->batches.push_back(fixture());
  auto u = h.run();
  ASSERT_TRUE(u.ok()) << u.failure_summary();
  EXPECT_EQ(h.rows("silver", "id, v"), (Rows{"1|a", "2|b"}));
  EXPECT_EQ(h.rows("silver_invalid", "id, coalesce(v, 'NULL'), array_to_string(_errors, ',')"),
            (Rows{"3|NULL|valid_v", "4|bad|valid_v", "5|e|small_id"}));
  const auto* d = u.find("main.default.silver");
  EXPECT_EQ(d->num_output_rows, 2);
  EXPECT_EQ(d->quarantined_rows, 3);
  // Disjoint and complete over a second batch too.
  h.input("in")->batches.push_back(rows_sql({{4, "ok"}, {9, "bad"}}));
  ASSERT_TRUE(h.run().ok());
  auto valid = h.rows("silver", "id, coalesce(v, 'NULL')");
  auto invalid = h.rows("silver_invalid", "id, coalesce(v, 'NULL')");
  EXPECT_EQ(valid.size() + invalid.size(), 7u);
  for (const auto& r : valid) EXPECT_EQ(std::count(invalid.begin(), invalid.end(), r), 0) << r;
  EXPECT_EQ(h.rows("silver_invalid", "id, array_to_string(_errors, ',')").back(),
            "9|small_id,valid_v");
}

TEST(Quarantine, MaterializedViewQuarantine) {
  PipelineHarness h;
  auto& e = h.add("silver", "in", "silver", false);
  e.is_quarantined = true;
  e.expectations.expect_all = {{"valid_v", "v <> 'bad'"}};
  h.input("in")->batches.push_back(fixture());
  ASSERT_TRUE(h.run().ok());
  EXPECT_EQ(h.rows("silver", "id"), (Rows{"1", "2", "5"}));
  EXPECT_EQ(h.rows("silver_invalid", "id"), (Rows{"3", "4"}));
}

}  // namespace
}  // namespace dls::pipeline

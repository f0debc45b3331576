// `dls updates`, `dls quality` and the filters of `dls events` (issue 14) through the binary: two
// updates of a pipeline with a warn rule, one of which fails rows, then an update that fails.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace dls {
namespace {

using dls::testing::run_dls;
using dls::testing::shell_quote;
using dls::testing::TempDir;
using dls::testing::write_file;
using nlohmann::json;

class HistoryCli : public ::testing::Test {
 protected:
  void SetUp() override {
    wh_ = (dir_.path() / "wh").string();
    write_file(dir_.path() / "in" / "a.csv", "id,amount\n1,5\n2,-1\n3,-2\n");
    json entity = {{"entity_id", "orders"},
                   {"group", "main.h"},
                   {"source", (dir_.path() / "in").string()},
                   {"source_format", "cloudFiles"},
                   {"read_options",
                    {{"cloudFiles.format", "csv"},
                     {"header", "true"},
                     {"cloudFiles.inferColumnTypes", "true"}}},
                   {"expectations", {{"expect_all", {{"positive", "amount > 0"}}}}},
                   {"destination", "orders"}};
    ASSERT_EQ(dls("store init").exit_code, 0);
    auto up = dls("upsert --json " + shell_quote(json::array({entity}).dump()));
    ASSERT_EQ(up.exit_code, 0) << up.err;
    auto r1 = dls("run");
    ASSERT_EQ(r1.exit_code, 0) << r1.err;
    write_file(dir_.path() / "in" / "b.csv", "id,amount\n4,7\n");
    auto r2 = dls("run");
    ASSERT_EQ(r2.exit_code, 0) << r2.err;
  }

  testing::CommandResult dls(const std::string& args) {
    return run_dls("--warehouse " + shell_quote(wh_) + " " + args, dir_.path());
  }
  json json_of(const std::string& args) {
    auto r = dls("--format json " + args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  }

  TempDir dir_;
  std::string wh_;
};

TEST_F(HistoryCli, UpdatesListEachUpdateWithStatusRowsAndRuleFailures) {
  json updates = json_of("updates");
  ASSERT_EQ(updates.size(), 2u) << updates.dump();
  EXPECT_EQ(updates[0]["status"], "COMPLETED");
  EXPECT_EQ(updates[0]["completed"], 1);
  EXPECT_EQ(updates[0]["failed"], 0);
  EXPECT_EQ(updates[0]["rows_written"], 3);
  EXPECT_EQ(updates[0]["failed_records"], 2);
  EXPECT_EQ(updates[1]["rows_written"], 1);
  EXPECT_EQ(updates[1]["failed_records"], 0);
  EXPECT_GE(updates[1]["duration_ms"].get<int64_t>(), 0);
  EXPECT_EQ(json_of("updates --last 1").size(), 1u);
  auto table = dls("updates");
  EXPECT_NE(table.out.find("COMPLETED"), std::string::npos) << table.out;
  EXPECT_EQ(dls("updates --last 0").exit_code, 2);
  auto missing = dls("updates --pipeline nope");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("has no event log"), std::string::npos) << missing.err;
}

TEST_F(HistoryCli, QualityShowsPassedAndFailedRowsPerRuleAndUpdate) {
  json rules = json_of("quality");
  ASSERT_EQ(rules.size(), 2u) << rules.dump();
  EXPECT_EQ(rules[0]["dataset"], "main.h.orders");
  EXPECT_EQ(rules[0]["rule"], "positive");
  EXPECT_EQ(rules[0]["action"], "warn");
  EXPECT_EQ(rules[0]["passed"], 1);
  EXPECT_EQ(rules[0]["failed"], 2);
  EXPECT_EQ(rules[1]["passed"], 1);
  EXPECT_EQ(rules[1]["failed"], 0);
  EXPECT_EQ(json_of("quality --last 1").size(), 1u);
  EXPECT_EQ(json_of("quality --dataset orders").size(), 2u);
  EXPECT_EQ(json_of("quality --dataset main.h.orders").size(), 2u);
  EXPECT_TRUE(json_of("quality --dataset other").empty());
}

TEST_F(HistoryCli, EventsFilterByUpdateLevelAndDataset) {
  json updates = json_of("updates");
  const std::string first = updates[0]["update_id"];
  json of_first = json_of("events --update " + first.substr(0, 8));
  ASSERT_FALSE(of_first.empty());
  for (const auto& e : of_first) EXPECT_EQ(e["update_id"], first);
  json warnings = json_of("events --level warn");
  ASSERT_EQ(warnings.size(), 1u) << warnings.dump();  // the first update's rule failures
  EXPECT_EQ(warnings[0]["update_id"], first);
  for (const auto& e : json_of("events --dataset orders")) EXPECT_EQ(e["dataset"], "main.h.orders");
  EXPECT_TRUE(json_of("events --dataset nothing").empty());
  EXPECT_EQ(dls("events --level loud").exit_code, 2);
}

}  // namespace
}  // namespace dls

// Append flows and once flows through the `dls` binary: a YAML file with a CSV and a JSON bronze
// source appending into one silver table plus a once backfill, `dls run` end to end (rows, the
// summary's flow column, flow_progress events named after the flows), the backfill skipped on the
// next run and run again by --full-refresh; and exit 3 for entities that may not share a table.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "support/test_support.h"

namespace dls {
namespace {

using nlohmann::json;
using testing::CommandResult;
using testing::run_dls;
using testing::shell_quote;
using testing::TempDir;
using testing::write_file;

class FlowsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    wh_ = (dir_.path() / "wh").string();
    data_ = dir_.path() / "data";
    write_file(data_ / "csv" / "part1.csv", "id,amount\n1,10\n2,20\n");
    write_file(data_ / "json" / "part1.json",
               "{\"id\": 10, \"amount\": 5, \"customer\": \"ann\"}\n");
    write_file(data_ / "history" / "old.csv", "id,amount\n100,1\n101,2\n102,3\n");
    ASSERT_EQ(dls("store init").exit_code, 0);
  }

  CommandResult dls(const std::string& args) {
    return run_dls("--warehouse " + shell_quote(wh_) + " " + args, dir_.path());
  }

  std::string yaml(const std::string& backfill_extra = "    once: true\n") const {
    return "delta_live_store:\n"
           "  - entity_id: orders_csv\n"
           "    group: main.shop\n"
           "    source: " +
           (data_ / "csv").string() +
           "\n"
           "    read_options: {cloudFiles.format: csv, header: 'true'}\n"
           "    select_expr: ['CAST(id AS INT) AS id', 'CAST(amount AS INT) AS amount']\n"
           "    destination: orders_silver\n"
           "  - entity_id: orders_json\n"
           "    group: main.shop\n"
           "    flow_name: from_json\n"
           "    source: " +
           (data_ / "json").string() +
           "\n"
           "    read_options: {cloudFiles.format: json}\n"
           "    select_expr: ['CAST(id AS INT) AS id', 'CAST(amount AS INT) AS amount', "
           "'customer']\n"
           "    destination: orders_silver\n"
           "  - entity_id: orders_backfill\n"
           "    group: main.shop\n"
           "    source: " +
           (data_ / "history").string() +
           "\n"
           "    source_format: csv\n"
           "    read_options: {header: 'true'}\n"
           "    select_expr: ['CAST(id AS INT) AS id', 'CAST(amount AS INT) AS amount']\n"
           "    destination: orders_silver\n" +
           backfill_extra;
  }

  std::string query(const std::string& sql) {
    CommandResult r = dls("query --format csv " + shell_quote(sql));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  static json summary_row(const std::string& out, const std::string& flow) {
    for (const auto& row : json::parse(out)) {
      if (row["flow"] == flow) return row;
    }
    ADD_FAILURE() << "no row for flow " << flow << " in " << out;
    return json::object();
  }

  TempDir dir_;
  std::string wh_;
  std::filesystem::path data_;
};

TEST_F(FlowsCli, CsvAndJsonBronzeAppendIntoOneSilverTableAndABackfillRunsOnce) {
  write_file(dir_.path() / "flows.yml", yaml());
  CommandResult load = dls("load yaml flows.yml");
  ASSERT_EQ(load.exit_code, 0) << load.err;

  CommandResult run = dls("run --format json --group main.shop");
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  EXPECT_EQ(summary_row(run.out, "orders_csv")["output"], 2) << run.out;
  EXPECT_EQ(summary_row(run.out, "from_json")["output"], 1) << run.out;
  EXPECT_EQ(summary_row(run.out, "orders_backfill")["output"], 3) << run.out;
  EXPECT_EQ(summary_row(run.out, "from_json")["dataset"], "main.shop.orders_silver");
  EXPECT_NE(run.err.find("main.shop.orders_silver (flow from_json): COMPLETED"), std::string::npos)
      << run.err;
  EXPECT_EQ(query("SELECT id, amount, customer FROM main.shop.orders_silver ORDER BY id"),
            "id,amount,customer\n1,10,\n2,20,\n10,5,ann\n100,1,\n101,2,\n102,3,\n");

  // New files for one flow; the backfill's source grows too, but it already ran.
  write_file(data_ / "csv" / "part2.csv", "id,amount\n3,30\n");
  write_file(data_ / "history" / "older.csv", "id,amount\n103,4\n");
  CommandResult again = dls("run --format json --group main.shop");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(summary_row(again.out, "orders_csv")["output"], 1) << again.out;
  EXPECT_EQ(summary_row(again.out, "from_json")["status"], "UP_TO_DATE") << again.out;
  EXPECT_EQ(summary_row(again.out, "orders_backfill")["status"], "UP_TO_DATE") << again.out;
  EXPECT_EQ(query("SELECT count(*) AS n FROM main.shop.orders_silver"), "n\n7\n");

  // The event log names each flow.
  CommandResult events = dls("events --format json --last 40");
  ASSERT_EQ(events.exit_code, 0) << events.err;
  std::set<std::string> flows;
  for (const auto& e : json::parse(events.out)) {
    if (e["event_type"] != "flow_progress" || e["dataset"] != "main.shop.orders_silver") continue;
    flows.insert(e["flow_name"].get<std::string>());
  }
  EXPECT_EQ(flows, (std::set<std::string>{"orders_csv", "from_json", "orders_backfill"}))
      << events.out;

  // A full refresh runs the backfill again, over what its source holds now.
  CommandResult refresh = dls("run --format json --group main.shop --full-refresh orders_silver");
  ASSERT_EQ(refresh.exit_code, 0) << refresh.err;
  EXPECT_EQ(summary_row(refresh.out, "orders_backfill")["output"], 4) << refresh.out;
  EXPECT_EQ(query("SELECT count(*) AS n FROM main.shop.orders_silver"), "n\n8\n");
}

TEST_F(FlowsCli, ABatchEntitySharingAStreamingTableIsRefusedWithExit3) {
  write_file(dir_.path() / "flows.yml", yaml(""));  // the backfill without once: true
  CommandResult load = dls("load yaml flows.yml");
  EXPECT_EQ(load.exit_code, 3) << load.err;
  EXPECT_NE(load.err.find("entity 'orders_backfill': destination: entities 'orders_csv' and "
                          "'orders_backfill' both write the destination orders_silver"),
            std::string::npos)
      << load.err;
  EXPECT_NE(load.err.find("'orders_backfill': it is not streaming"), std::string::npos) << load.err;
  EXPECT_NE(load.err.find("set once: true"), std::string::npos) << load.err;

  // Stored without the loader's checks, `dls validate` and `dls run` refuse it too.
  CommandResult up =
      dls("upsert --json " +
          shell_quote(R"([{"entity_id": "a", "group": "g", "source": "/in/a", "destination": "t",
        "read_options": {"cloudFiles.format": "csv"}},
        {"entity_id": "b", "group": "g", "source": "/in/b", "source_format": "csv",
        "destination": "t"}])"));
  ASSERT_EQ(up.exit_code, 0) << up.err;
  CommandResult validate = dls("validate --group g");
  EXPECT_EQ(validate.exit_code, 3) << validate.out << validate.err;
  EXPECT_NE(validate.out.find("entities 'a' and 'b' both write the destination"), std::string::npos)
      << validate.out;
  CommandResult run = dls("run --group g");
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_NE(run.err.find("'b': it is not streaming"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace dls

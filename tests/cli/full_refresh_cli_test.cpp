// `dls run --full-refresh` (issue 15, item 3), through the binary: a full refresh of everything is
// confirmed (a terminal prompt, --yes otherwise); pipelines.reset.allowed = false keeps a table's
// rows; a refreshed dataset reports FULL_REFRESH with its rows before and after, in the summary
// and the event log, and a warning when it emptied a streaming table whose files are gone.
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace dls {
namespace {

using nlohmann::json;
using testing::CommandResult;
using testing::run_dls;
using testing::shell_quote;
using testing::TempDir;
using testing::write_file;

class FullRefreshCli : public ::testing::Test {
 protected:
  void SetUp() override {
    wh_ = (dir_.path() / "wh").string();
    data_ = dir_.path() / "data";
    write_file(data_ / "orders" / "part1.csv", "id,amount\n1,10\n2,20\n");
    write_file(data_ / "orders" / "part2.csv", "id,amount\n3,30\n");
    ASSERT_EQ(dls("store init").exit_code, 0);
  }

  CommandResult dls(const std::string& args) {
    return run_dls("--warehouse " + shell_quote(wh_) + " " + args, dir_.path());
  }

  /// bronze (cloudFiles; `bronze_extra` is more YAML of that entity) -> gold (materialized view).
  void load(const std::string& bronze_extra = "") {
    write_file(dir_.path() / "pipeline.yml",
               "delta_live_store:\n"
               "  - entity_id: orders_bronze\n"
               "    group: main.sales\n"
               "    source: " +
                   (data_ / "orders").string() +
                   "\n"
                   "    source_format: cloudFiles\n"
                   "    read_options: {cloudFiles.format: csv, header: 'true'}\n"
                   "    destination: orders_bronze\n" +
                   bronze_extra +
                   "  - entity_id: orders_gold\n"
                   "    group: main.sales\n"
                   "    source: orders_bronze\n"
                   "    source_format: dlt\n"
                   "    is_streaming: false\n"
                   "    select_expr: ['count(*) AS n']\n"
                   "    destination: orders_gold\n");
    CommandResult r = dls("load yaml pipeline.yml");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  std::string query(const std::string& sql) {
    CommandResult r = dls("query --format csv " + shell_quote(sql));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  int64_t version(const std::string& table) {
    CommandResult r = dls("table describe --format json " + table);
    if (r.exit_code != 0) return -1;
    return json::parse(r.out)["version"].get<int64_t>();
  }

  /// The summary row of `dataset` in `dls run --format json` output.
  static json summary_row(const std::string& out, const std::string& dataset) {
    for (const auto& row : json::parse(out)) {
      if (row["dataset"] == dataset) return row;
    }
    ADD_FAILURE() << "no row for " << dataset << " in " << out;
    return json::object();
  }

  TempDir dir_;
  std::string wh_;
  std::filesystem::path data_;
};

TEST_F(FullRefreshCli, FullRefreshOfEverythingNeedsYesWithoutATerminal) {
  load();
  ASSERT_EQ(dls("run").exit_code, 0);
  const int64_t bronze = version("main.sales.orders_bronze");
  const int64_t gold = version("main.sales.orders_gold");

  CommandResult refused = dls("run --full-refresh");
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("pass --yes"), std::string::npos) << refused.err;
  EXPECT_EQ(version("main.sales.orders_bronze"), bronze) << "nothing cleared";
  EXPECT_EQ(version("main.sales.orders_gold"), gold);

  // Named datasets need no confirmation.
  CommandResult named = dls("run --full-refresh orders_gold");
  EXPECT_EQ(named.exit_code, 0) << named.err;

  CommandResult yes = dls("run --format json --full-refresh --yes");
  ASSERT_EQ(yes.exit_code, 0) << yes.err;
  json row = summary_row(yes.out, "main.sales.orders_bronze");
  EXPECT_EQ(row["status"], "FULL_REFRESH") << yes.out;
  EXPECT_EQ(row["rows_before"], 3) << yes.out;
  EXPECT_EQ(row["rows_after"], 3) << yes.out;
  EXPECT_EQ(summary_row(yes.out, "main.sales.orders_gold")["status"], "FULL_REFRESH");
  EXPECT_EQ(query("SELECT count(*) AS n FROM main.sales.orders_bronze"), "n\n3\n");

  // The event log says so too.
  CommandResult events = dls("events --format json --last 20");
  ASSERT_EQ(events.exit_code, 0) << events.err;
  bool found = false;
  for (const auto& e : json::parse(events.out)) {
    if (e["dataset"] != "main.sales.orders_bronze" || e["event_type"] != "flow_progress") continue;
    const json& p = e["details"]["flow_progress"];
    if (!p.contains("full_refresh")) continue;
    found = true;
    EXPECT_EQ(p["full_refresh"]["rows_before"], 3);
    EXPECT_EQ(p["full_refresh"]["rows_after"], 3);
    EXPECT_NE(e["message"].get<std::string>().find("FULL_REFRESH"), std::string::npos);
  }
  EXPECT_TRUE(found) << events.out;
}

TEST_F(FullRefreshCli, FullRefreshOfEverythingAsksOnATerminal) {
  load();
  ASSERT_EQ(dls("run").exit_code, 0);
  const int64_t bronze = version("main.sales.orders_bronze");
  // script(1) runs dls on a pseudo-terminal whose input is the piped answer.
  auto on_terminal = [&](const std::string& answer) {
    std::string command =
        shell_quote(DLS_BINARY) + " --warehouse " + shell_quote(wh_) + " run --full-refresh";
    std::string sh = "cd " + shell_quote(dir_.str()) + " && printf " + shell_quote(answer) +
                     " | script -qec " + shell_quote(command) + " /dev/null > " +
                     shell_quote((dir_.path() / "tty.out").string()) + " 2>&1";
    int status = std::system(sh.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  EXPECT_EQ(on_terminal("n\n"), 1);
  EXPECT_NE(testing::read_file(dir_.path() / "tty.out").find("[y/N]"), std::string::npos)
      << testing::read_file(dir_.path() / "tty.out");
  EXPECT_EQ(version("main.sales.orders_bronze"), bronze) << "declined: nothing cleared";
  EXPECT_EQ(on_terminal("y\n"), 0) << testing::read_file(dir_.path() / "tty.out");
  EXPECT_GT(version("main.sales.orders_bronze"), bronze);
  EXPECT_EQ(query("SELECT count(*) AS n FROM main.sales.orders_bronze"), "n\n3\n");
}

TEST_F(FullRefreshCli, ResetAllowedFalseKeepsTheRowsAndProcessesOnlyNewInput) {
  load("    table_properties: {pipelines.reset.allowed: 'false'}\n");
  ASSERT_EQ(dls("run").exit_code, 0);
  // The first files are gone (retention), a new one arrived.
  std::filesystem::remove(data_ / "orders" / "part1.csv");
  write_file(data_ / "orders" / "part3.csv", "id,amount\n4,40\n");
  CommandResult r = dls("run --format json --full-refresh orders_bronze");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(query("SELECT id FROM main.sales.orders_bronze ORDER BY id"), "id\n1\n2\n3\n4\n");
  json row = summary_row(r.out, "main.sales.orders_bronze");
  EXPECT_EQ(row["status"], "COMPLETED") << r.out;
  EXPECT_NE(r.err.find("pipelines.reset.allowed = false"), std::string::npos) << r.err;
}

TEST_F(FullRefreshCli, FullRefreshThatEmptiesAStreamingTableWarns) {
  load();
  ASSERT_EQ(dls("run").exit_code, 0);
  const int64_t before = version("main.sales.orders_bronze");
  std::filesystem::remove_all(data_ / "orders");
  std::filesystem::create_directories(data_ / "orders");
  CommandResult r = dls("run --format json --full-refresh orders_bronze");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json row = summary_row(r.out, "main.sales.orders_bronze");
  EXPECT_EQ(row["status"], "FULL_REFRESH") << r.out << " (was reported UP_TO_DATE)";
  EXPECT_EQ(row["rows_before"], 3);
  EXPECT_EQ(row["rows_after"], 0);
  EXPECT_NE(r.err.find("warning: main.sales.orders_bronze: the full refresh emptied"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("version => " + std::to_string(before)), std::string::npos) << r.err;
  // The old rows are where the warning says.
  EXPECT_EQ(query("SELECT count(*) AS n FROM delta_scan('" + wh_ +
                  "/main/sales/orders_bronze', version => " + std::to_string(before) + ")"),
            "n\n3\n");
}

TEST_F(FullRefreshCli, RunHelpExplainsYesAndResetAllowed) {
  CommandResult help = dls("run --help");
  ASSERT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--yes"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("pipelines.reset.allowed"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("FULL_REFRESH"), std::string::npos) << help.out;
}

}  // namespace
}  // namespace dls

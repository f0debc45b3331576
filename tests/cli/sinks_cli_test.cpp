// Sinks through the `dls` binary: a YAML file with a CSV bronze table and a Delta sink written
// from it (a relative path), loaded, shown by `dls graph`, `dls validate` and `dls compile` (the
// generated Python), run end to end (the summary shows the sink and its rows), a second run that
// writes nothing, a full refresh that keeps the sink's rows with a warning, runs killed at random
// moments that leave every row in the sink exactly once, and exit 3 for an entity reading a sink.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>

#include "support/test_support.h"

namespace dls {
namespace {

using nlohmann::json;
using testing::CommandResult;
using testing::run_dls;
using testing::shell_quote;
using testing::TempDir;
using testing::write_file;

class SinksCli : public ::testing::Test {
 protected:
  void SetUp() override {
    wh_ = (dir_.path() / "wh").string();
    write_file(dir_.path() / "data" / "part1.csv", "id,amount\n1,10\n2,20\n");
    ASSERT_EQ(dls("store init").exit_code, 0);
  }

  CommandResult dls(const std::string& args) {
    return run_dls("--warehouse " + shell_quote(wh_) + " " + args, dir_.path());
  }

  std::string yaml(const std::string& extra = "") const {
    return "delta_live_store:\n"
           "  - entity_id: orders_bronze\n"
           "    group: main.shop\n"
           "    source: " +
           (dir_.path() / "data").string() +
           "\n"
           "    read_options: {cloudFiles.format: csv, header: 'true'}\n"
           "    select_expr: ['CAST(id AS INT) AS id', 'CAST(amount AS INT) AS amount']\n"
           "    destination: orders_bronze\n"
           "  - entity_id: orders_export\n"
           "    group: main.shop\n"
           "    source: orders_bronze\n"
           "    source_format: dlt\n"
           "    select_expr: [id, 'amount * 2 AS doubled']\n"
           "    destination: orders_export\n"
           "    destination_type: sink\n"
           "    sink_format: delta\n"
           "    sink_options: {path: exports/orders}\n" +
           extra;
  }

  /// Rows of the sink's Delta table, counted by `dls query`.
  std::string sink_count() {
    const std::string path = (dir_.path() / "exports" / "orders").string();
    CommandResult r = dls("query --format csv " +
                          shell_quote("SELECT count(*) AS n FROM delta_scan('" + path + "')"));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  static json row_of(const std::string& out, const std::string& name) {
    for (const auto& row : json::parse(out)) {
      if (row["dataset"] == name) return row;
    }
    ADD_FAILURE() << "no row for " << name << " in " << out;
    return json::object();
  }

  TempDir dir_;
  std::string wh_;
};

TEST_F(SinksCli, ADeltaSinkIsLoadedShownAndWrittenExactlyOnce) {
  write_file(dir_.path() / "sinks.yml", yaml());
  CommandResult load = dls("load yaml sinks.yml");
  ASSERT_EQ(load.exit_code, 0) << load.err;

  CommandResult graph = dls("graph --group main.shop");
  ASSERT_EQ(graph.exit_code, 0) << graph.err;
  EXPECT_NE(graph.out.find("main.shop.orders_export  [sink delta path=exports/orders]"),
            std::string::npos)
      << graph.out;
  CommandResult validate = dls("validate --group main.shop");
  EXPECT_EQ(validate.exit_code, 0) << validate.out << validate.err;
  CommandResult compile = dls("compile --group main.shop");
  EXPECT_EQ(compile.exit_code, 0) << compile.err;
  EXPECT_NE(compile.out.find("-- dataset main.shop.orders_export (sink)"), std::string::npos)
      << compile.out;
  EXPECT_NE(compile.out.find("dp.create_sink("), std::string::npos) << compile.out;

  CommandResult run = dls("run --format json --group main.shop");
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  json sink = row_of(run.out, "main.shop.orders_export");
  EXPECT_EQ(sink["kind"], "sink") << run.out;
  EXPECT_EQ(sink["output"], 2) << run.out;
  EXPECT_EQ(sink_count(), "n\n2\n");
  EXPECT_FALSE(
      std::filesystem::exists(std::filesystem::path(wh_) / "main" / "shop" / "orders_export"));

  // Nothing new: nothing written.
  CommandResult again = dls("run --format json --group main.shop");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(row_of(again.out, "main.shop.orders_export")["status"], "UP_TO_DATE") << again.out;
  EXPECT_EQ(sink_count(), "n\n2\n");

  // A full refresh: the sink keeps its rows (and gets the reprocessed ones), with a warning.
  CommandResult refresh = dls("run --group main.shop --full-refresh --yes");
  ASSERT_EQ(refresh.exit_code, 0) << refresh.err << refresh.out;
  EXPECT_NE((refresh.out + refresh.err).find("did not clear the sink orders_export"),
            std::string::npos)
      << refresh.out << refresh.err;
  EXPECT_EQ(sink_count(), "n\n4\n");
}

TEST_F(SinksCli, KilledRunsWriteEveryRowToTheDeltaSinkExactlyOnce) {
  // One file per batch, so that kills land between batches too; the sink's rows must be the
  // bronze table's, each once, whatever the kills interrupted.
  std::string entities = yaml();
  const std::string from = "cloudFiles.format: csv, header: 'true'";
  entities.replace(entities.find(from), from.size(), from + ", cloudFiles.maxFilesPerTrigger: '1'");
  const std::string path = (dir_.path() / "exports" / "orders").string();
  entities.replace(entities.find("path: exports/orders"), 20, "path: " + path);
  write_file(dir_.path() / "sinks.yml", entities);
  ASSERT_EQ(dls("load yaml sinks.yml").exit_code, 0);
  std::mt19937 rng(std::random_device{}());
  int next_id = 3;
  auto add_file = [&](int n) {
    std::string rows = "id,amount\n";
    for (int i = 0; i < 2; ++i, ++next_id) rows += std::to_string(next_id) + ",1\n";
    write_file(dir_.path() / "data" / ("part" + std::to_string(n + 10) + ".csv"), rows);
  };
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(dls("run").exit_code, 0);
  const int64_t full_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  int killed = 0;
  for (int k = 0; k < 12; ++k) {
    add_file(2 * k);
    add_file(2 * k + 1);
    std::uniform_int_distribution<int64_t> delay(0, std::max<int64_t>(full_ms * 2, 50));
    if (testing::run_dls_killed_after(wh_, std::chrono::milliseconds(delay(rng)))) ++killed;
  }
  EXPECT_GT(killed, 0) << "no run was killed: the test proved nothing";
  CommandResult done = dls("run");
  ASSERT_EQ(done.exit_code, 0) << done.err;
  auto rows = [&](const std::string& from_sql) {
    CommandResult r =
        dls("query --format csv " +
            shell_quote("SELECT id, count(*) AS n FROM " + from_sql + " GROUP BY id ORDER BY id"));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };
  const std::string bronze = rows("main.shop.orders_bronze");
  EXPECT_EQ(rows("delta_scan('" + path + "')"), bronze) << "after " << killed << " kills";
  EXPECT_EQ(bronze.find(",2\n"), std::string::npos) << bronze;
  EXPECT_NE(bronze.find("\n" + std::to_string(next_id - 1) + ",1\n"), std::string::npos) << bronze;
}

TEST_F(SinksCli, AnEntityReadingASinkIsRefusedWithExit3) {
  write_file(dir_.path() / "sinks.yml", yaml("  - entity_id: reader\n"
                                             "    group: main.shop\n"
                                             "    source: orders_export\n"
                                             "    source_format: dlt\n"
                                             "    destination: orders_gold\n"));
  CommandResult load = dls("load yaml sinks.yml");
  EXPECT_EQ(load.exit_code, 3) << load.err;
  EXPECT_NE(load.err.find("entity 'reader': source: reads the sink orders_export"),
            std::string::npos)
      << load.err;
  EXPECT_NE(load.err.find("sinks cannot be read"), std::string::npos) << load.err;
}

}  // namespace
}  // namespace dls

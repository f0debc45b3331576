// End-to-end tests of `dls run | graph | events` through the binary: CSV files -> bronze
// (cloudFiles) -> silver (expectations + quarantine) -> gold (materialized view), incremental
// runs, no-op runs, expect_or_fail isolation, and kill -9 at random moments.
#include <chrono>
#include <map>
#include <random>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace dls {
namespace {

using dls::testing::run_dls;
using dls::testing::shell_quote;
using dls::testing::TempDir;
using dls::testing::write_file;

class RunCli : public ::testing::Test {
 protected:
  void SetUp() override {
    wh_ = (dir_.path() / "wh").string();
    data_ = dir_.path() / "data";
    std::filesystem::create_directories(data_ / "orders");
    std::filesystem::create_directories(data_ / "customers");
  }

  testing::CommandResult dls(const std::string& args) {
    return run_dls("--warehouse " + shell_quote(wh_) + " " + args, dir_.path());
  }

  void orders_file(const std::string& name, const std::string& rows) {
    write_file(data_ / "orders" / name, "id,amount,status\n" + rows);
  }

  /// bronze (cloudFiles csv) -> silver (warn + quarantine) -> gold (materialized view), plus an
  /// independent customers table; group main.sales (target main.sales, pipeline main_sales).
  nlohmann::json entities(const nlohmann::json& silver_expectations) const {
    nlohmann::json csv = {{"cloudFiles.format", "csv"}, {"header", "true"}};
    return nlohmann::json::array(
        {{{"entity_id", "orders_bronze"},
          {"group", "main.sales"},
          {"source", (data_ / "orders").string()},
          {"source_format", "cloudFiles"},
          {"read_options", csv},
          {"destination", "orders_bronze"}},
         {{"entity_id", "orders_silver"},
          {"group", "main.sales"},
          {"source", "orders_bronze"},
          {"source_format", "dlt"},
          {"is_streaming", true},
          {"select_expr", {"id", "CAST(amount AS DOUBLE) AS amount", "upper(status) AS status"}},
          {"expectations", silver_expectations},
          {"is_quarantined", true},
          {"destination", "orders_silver"}},
         {{"entity_id", "orders_gold"},
          {"group", "main.sales"},
          {"source", "orders_silver"},
          {"source_format", "dlt"},
          {"is_streaming", false},
          {"select_expr", {"count(*) AS n", "sum(amount) AS total"}},
          {"destination", "orders_gold"}},
         {{"entity_id", "customers"},
          {"group", "main.sales"},
          {"source", (data_ / "customers").string()},
          {"source_format", "cloudFiles"},
          {"read_options", csv},
          {"destination", "customers"}}});
  }

  void load(const nlohmann::json& list) {
    auto init = dls("store init");
    ASSERT_EQ(init.exit_code, 0) << init.err;
    auto up = dls("upsert --json " + shell_quote(list.dump()));
    ASSERT_EQ(up.exit_code, 0) << up.err;
  }

  std::string query(const std::string& sql) {
    auto r = dls("query --format csv " + shell_quote(sql));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  int64_t version(const std::string& table) {
    auto r = dls("table describe --format json " + table);
    if (r.exit_code != 0) return -1;
    return nlohmann::json::parse(r.out)["version"].get<int64_t>();
  }

  std::map<std::string, int64_t> versions() {
    std::map<std::string, int64_t> v;
    for (const char* t :
         {"orders_bronze", "orders_silver", "orders_silver_invalid", "orders_gold", "customers"}) {
      v[t] = version(std::string("main.sales.") + t);
    }
    return v;
  }

  TempDir dir_;
  std::string wh_;
  std::filesystem::path data_;
};

const nlohmann::json kWarn = {{"expect_all", {{"positive_amount", "amount > 0"}}}};

TEST_F(RunCli, IncrementalRunsAppendOnlyNewRowsAndANoOpRunCommitsNothing) {
  orders_file("part1.csv", "1,10.5,ok\n2,-3,ok\n3,7,bad\n");
  write_file(data_ / "customers" / "c1.csv", "id,name\n1,ann\n");
  load(entities(kWarn));

  auto r1 = dls("run");
  ASSERT_EQ(r1.exit_code, 0) << r1.err << r1.out;
  EXPECT_NE(r1.out.find("main.sales.orders_silver"), std::string::npos) << r1.out;
  EXPECT_EQ(query("SELECT count(*) FROM main.sales.orders_bronze"), "count_star()\n3\n");
  EXPECT_EQ(query("SELECT id FROM main.sales.orders_silver ORDER BY id"), "id\n1\n3\n");
  EXPECT_EQ(query("SELECT id, _errors FROM main.sales.orders_silver_invalid"),
            "id,_errors\n2,[positive_amount]\n");
  EXPECT_EQ(query("SELECT n, total FROM main.sales.orders_gold"), "n,total\n2,17.5\n");
  EXPECT_NE(r1.err.find("Done. 4 completed, 0 failed, 0 skipped, 1 rule warned"), std::string::npos)
      << r1.err;

  orders_file("part2.csv", "4,1,ok\n5,2,ok\n");
  auto r2 = dls("run --format json");
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  for (const auto& d : nlohmann::json::parse(r2.out)) {
    EXPECT_EQ(d["failed_expectations"], nlohmann::json::array()) << d.dump();
  }
  EXPECT_EQ(query("SELECT count(*) FROM main.sales.orders_bronze"), "count_star()\n5\n");
  EXPECT_EQ(query("SELECT count(*), count(DISTINCT id) FROM main.sales.orders_bronze"),
            "count_star(),count(DISTINCT id)\n5,5\n");
  EXPECT_EQ(query("SELECT n, total FROM main.sales.orders_gold"), "n,total\n4,20.5\n");

  auto before = versions();
  auto r3 = dls("run");
  ASSERT_EQ(r3.exit_code, 0) << r3.err;
  EXPECT_EQ(versions(), before) << "a run with no new input commits nothing";
  EXPECT_NE(r3.out.find("UP_TO_DATE"), std::string::npos) << r3.out;

  auto ev = dls("events --last 200 --format json");
  ASSERT_EQ(ev.exit_code, 0) << ev.err;
  EXPECT_NE(ev.out.find("\"passed_records\""), std::string::npos);
  EXPECT_NE(ev.out.find("positive_amount"), std::string::npos);
  auto by_sql = query("SELECT count(*) FROM delta_scan('" + wh_ +
                      "/_pipelines/main_sales/event_log') WHERE event_type = 'create_update'");
  EXPECT_EQ(by_sql, "count_star()\n3\n");
}

TEST_F(RunCli, JsonSummaryListsTheRulesThatFailedRowsAndADoneLineCountsDatasets) {
  orders_file("part1.csv", "1,10,ok\n2,-3,ok\n3,-4,ok\n");
  write_file(data_ / "customers" / "c1.csv", "id,name\n1,ann\n");
  load(entities(kWarn));
  auto r = dls("run --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json summary = nlohmann::json::parse(r.out);
  ASSERT_EQ(summary.size(), 4u) << r.out;
  for (const auto& d : summary) {
    ASSERT_TRUE(d["failed_expectations"].is_array()) << d.dump();
    if (d["dataset"] == "main.sales.orders_silver") {
      EXPECT_EQ(d["failed_expectations"],
                nlohmann::json::parse(
                    R"([{"name":"positive_amount","action":"warn","failed_records":2}])"));
    } else {
      EXPECT_TRUE(d["failed_expectations"].empty()) << d.dump();
    }
  }
  EXPECT_NE(r.err.find("Done. 4 completed, 0 failed, 0 skipped, 1 rule warned"), std::string::npos)
      << r.err;
}

TEST_F(RunCli, GraphShowsTheDatasets) {
  load(entities(kWarn));
  auto text = dls("graph");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("main.sales.orders_bronze"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("└── main.sales.orders_silver"), std::string::npos) << text.out;
  auto mermaid = dls("graph --format mermaid");
  EXPECT_NE(mermaid.out.find("flowchart LR"), std::string::npos);
  EXPECT_EQ(dls("graph --format svg").exit_code, 2);
}

TEST_F(RunCli, ExpectOrFailExitsFourAndTheIndependentDatasetIsStillUpdated) {
  orders_file("part1.csv", "1,10,ok\n2,-3,ok\n");
  write_file(data_ / "customers" / "c1.csv", "id,name\n1,ann\n");
  load(entities({{"expect_all_or_fail", {{"positive_amount", "amount > 0"}}}}));
  auto r = dls("run");
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("positive_amount"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("main.sales.orders_gold: SKIPPED"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Done. 2 completed, 1 failed, 1 skipped, 0 rules warned"), std::string::npos)
      << r.err;
  EXPECT_EQ(version("main.sales.orders_silver"), -1) << "nothing committed to silver";
  EXPECT_EQ(version("main.sales.orders_gold"), -1);
  EXPECT_EQ(query("SELECT count(*) FROM main.sales.customers"), "count_star()\n1\n");
  EXPECT_EQ(query("SELECT count(*) FROM main.sales.orders_bronze"), "count_star()\n2\n");
}

TEST_F(RunCli, FullRefreshReprocessesADataset) {
  orders_file("part1.csv", "1,10,ok\n2,5,ok\n");
  load(entities(kWarn));
  ASSERT_EQ(dls("run").exit_code, 0);
  auto r = dls("run --full-refresh orders_silver");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(query("SELECT count(*) FROM main.sales.orders_silver"), "count_star()\n2\n");
  EXPECT_EQ(query("SELECT count(*) FROM main.sales.orders_bronze"), "count_star()\n2\n");
  EXPECT_EQ(dls("run --full-refresh nope").exit_code, 2);

  // A bare --full-refresh (last, or before other options) reprocesses every dataset.
  orders_file("part2.csv", "3,1,ok\n");
  for (const char* args :
       {"run --full-refresh --yes", "run --full-refresh --group main.sales --yes"}) {
    auto all = dls(args);
    ASSERT_EQ(all.exit_code, 0) << args << ": " << all.err;
    EXPECT_EQ(query("SELECT count(*) FROM main.sales.orders_bronze"), "count_star()\n3\n") << args;
    EXPECT_EQ(query("SELECT n FROM main.sales.orders_gold"), "n\n3\n") << args;
  }
}

/// Every table's rows as sorted CSV.
std::map<std::string, std::string> snapshot_tables(RunCli* t,
                                                   std::function<std::string(std::string)> q) {
  std::map<std::string, std::string> out;
  for (const char* table :
       {"orders_bronze", "orders_silver", "orders_silver_invalid", "orders_gold", "customers"}) {
    out[table] = q(std::string("SELECT * FROM main.sales.") + table + " ORDER BY ALL");
  }
  return out;
}

TEST_F(RunCli, KilledRunsNeitherLoseNorDuplicateRows) {
  load(entities(kWarn));
  write_file(data_ / "customers" / "c1.csv", "id,name\n1,ann\n");
  std::mt19937 rng(std::random_device{}());
  int next_id = 1;
  auto add_file = [&](int n) {
    std::string rows;
    for (int i = 0; i < 3; ++i, ++next_id) {
      rows += std::to_string(next_id) + "," + std::to_string(next_id % 4 - 1) + ",s" +
              std::to_string(next_id % 3) + "\n";
    }
    orders_file("part" + std::to_string(n) + ".csv", rows);
  };
  // How long an update takes here, to spread the kills over it.
  add_file(0);
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(dls("run").exit_code, 0);
  int64_t full_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  const int kKills = 20;
  int killed = 0;
  for (int k = 1; k <= kKills; ++k) {
    if (k % 2) add_file(k);
    if (k % 7 == 0)
      write_file(data_ / "customers" / ("c" + std::to_string(k) + ".csv"),
                 "id,name\n" + std::to_string(k) + ",n" + std::to_string(k) + "\n");
    std::uniform_int_distribution<int64_t> delay(0, std::max<int64_t>(full_ms * 3 / 2, 50));
    if (testing::run_dls_killed_after(wh_, std::chrono::milliseconds(delay(rng)))) ++killed;
  }
  auto done = dls("run");
  ASSERT_EQ(done.exit_code, 0) << done.err;
  auto killed_tables = snapshot_tables(this, [this](std::string s) { return query(s); });

  // A clean run over the same files in a fresh warehouse.
  std::string clean_wh = (dir_.path() / "clean").string();
  auto clean = [&](const std::string& args) {
    return run_dls("--warehouse " + shell_quote(clean_wh) + " " + args, dir_.path());
  };
  ASSERT_EQ(clean("store init").exit_code, 0);
  ASSERT_EQ(clean("upsert --json " + shell_quote(entities(kWarn).dump())).exit_code, 0);
  ASSERT_EQ(clean("run").exit_code, 0);
  auto clean_tables = snapshot_tables(this, [&](std::string s) {
    auto r = clean("query --format csv " + shell_quote(s));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  });
  for (const auto& [table, rows] : clean_tables) {
    EXPECT_EQ(killed_tables[table], rows) << table << " differs after " << killed << " kills";
  }
  EXPECT_NE(clean_tables["orders_bronze"].find("\n"), std::string::npos);
}

}  // namespace
}  // namespace dls

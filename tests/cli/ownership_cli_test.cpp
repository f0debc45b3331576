// Pipelines never write what they do not own (issue 15, items 1 and 2), through the binary:
// a destination naming a control table or pipeline state is refused at plan time (exit 3, nothing
// written); a table records its owner (pipelines.pipelineId) and another pipeline writing it is
// refused until `dls table set-owner` moves it.
#include <gtest/gtest.h>

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

class OwnershipCli : public ::testing::Test {
 protected:
  void SetUp() override {
    wh_ = (dir_.path() / "wh").string();
    data_ = dir_.path() / "data";
    // 60 distinct orders in two files.
    for (int f = 0; f < 2; ++f) {
      std::string rows = "id,amount\n";
      for (int i = 1; i <= 30; ++i) {
        rows += std::to_string(f * 30 + i) + "," + std::to_string(i) + "\n";
      }
      write_file(data_ / "orders" / ("part" + std::to_string(f) + ".csv"), rows);
    }
    CommandResult init = dls("store init");
    ASSERT_EQ(init.exit_code, 0) << init.err;
  }

  CommandResult dls(const std::string& args) {
    return run_dls("--warehouse " + shell_quote(wh_) + " " + args, dir_.path());
  }

  /// Loads a YAML file of entities (group main.sales unless `group` says otherwise).
  void load_yaml(const std::string& entities) {
    write_file(dir_.path() / "pipeline.yml", "delta_live_store:\n" + entities);
    CommandResult r = dls("load yaml pipeline.yml");
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  }

  /// orders_bronze (cloudFiles) -> orders_silver (quarantined expectation).
  std::string medallion() const {
    return "  - entity_id: orders_bronze\n"
           "    group: main.sales\n"
           "    source: " +
           (data_ / "orders").string() +
           "\n"
           "    source_format: cloudFiles\n"
           "    read_options: {cloudFiles.format: csv, header: 'true'}\n"
           "    destination: orders_bronze\n"
           "  - entity_id: orders_silver\n"
           "    group: main.sales\n"
           "    source: orders_bronze\n"
           "    source_format: dlt\n"
           "    is_streaming: true\n"
           "    expectations: {expect_all: {small: 'CAST(amount AS INT) < 30'}}\n"
           "    is_quarantined: true\n"
           "    destination: orders_silver\n";
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

  json properties(const std::string& table) {
    CommandResult r = dls("table describe --format json " + table);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out)["properties"];
  }

  int64_t store_version(const std::string& store = "") {
    CommandResult r =
        dls((store.empty() ? "" : "--store " + store + " ") + "store status --format json");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out)["version"].get<int64_t>();
  }

  bool pipeline_state_exists(const std::string& pipeline) {
    return std::filesystem::exists(std::filesystem::path(wh_) / "_pipelines" / pipeline);
  }

  TempDir dir_;
  std::string wh_;
  std::filesystem::path data_;
};

TEST_F(OwnershipCli, DestinationOnTheControlTableIsRefusedBeforeAnythingIsWritten) {
  load_yaml(
      "  - entity_id: clobber\n"
      "    group: main.sales\n"
      "    source: " +
      (data_ / "orders").string() +
      "\n"
      "    source_format: cloudFiles\n"
      "    read_options: {cloudFiles.format: csv, header: 'true'}\n"
      "    destination: dls.control_table\n");
  const int64_t before = store_version();
  CommandResult r = dls("run");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("entity 'clobber'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("dls.control_table"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("control table"), std::string::npos) << r.err;
  EXPECT_EQ(store_version(), before);
  EXPECT_FALSE(pipeline_state_exists("main_sales")) << "no lock, no event log";
  CommandResult list = dls("list --format json");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(json::parse(list.out).size(), 1u);
}

TEST_F(OwnershipCli, ControlTableOfAnotherStoreIsRefusedToo) {
  // The pipeline's entities live in meta.entities; its destination is the default store.
  ASSERT_EQ(dls("--store meta.entities store init").exit_code, 0);
  write_file(dir_.path() / "other.yml",
             "delta_live_store:\n"
             "  - entity_id: clobber\n"
             "    group: main.sales\n"
             "    source: " +
                 (data_ / "orders").string() +
                 "\n"
                 "    source_format: cloudFiles\n"
                 "    read_options: {cloudFiles.format: csv, header: 'true'}\n"
                 "    destination: main.dls.control_table\n"
                 "  - entity_id: self\n"
                 "    group: main.sales\n"
                 "    source: main.dls.control_table\n"
                 "    source_format: delta\n"
                 "    is_streaming: false\n"
                 "    destination: meta.entities\n");
  ASSERT_EQ(dls("--store meta.entities load yaml other.yml").exit_code, 0);
  const int64_t main_before = store_version();
  const int64_t meta_before = store_version("meta.entities");
  CommandResult r = dls("--store meta.entities run");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  // Both refusals are reported at once.
  EXPECT_NE(r.err.find("entity 'clobber' (destination 'main.dls.control_table')"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("entity 'self' (destination 'meta.entities')"), std::string::npos) << r.err;
  EXPECT_EQ(store_version(), main_before);
  EXPECT_EQ(store_version("meta.entities"), meta_before);
  EXPECT_EQ(dls("--store meta.entities list").exit_code, 0);
  EXPECT_EQ(dls("list").exit_code, 0);
}

TEST_F(OwnershipCli, DestinationInPipelineStateIsRefused) {
  load_yaml(medallion());
  ASSERT_EQ(dls("run").exit_code, 0);
  const std::filesystem::path event_log =
      std::filesystem::path(wh_) / "_pipelines" / "main_sales" / "event_log";
  const int64_t log_version = version(event_log.string());
  ASSERT_GE(log_version, 0);
  write_file(dir_.path() / "evil.yml",
             "delta_live_store:\n"
             "  - entity_id: overwrite_state\n"
             "    group: evil\n"
             "    source: " +
                 (data_ / "orders").string() +
                 "\n"
                 "    source_format: csv\n"
                 "    read_options: {header: 'true'}\n"
                 "    destination: _pipelines.main_sales.event_log\n");
  ASSERT_EQ(dls("load yaml evil.yml").exit_code, 0);
  CommandResult r = dls("run --group evil");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("entity 'overwrite_state'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("_pipelines.main_sales.event_log"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("reserved"), std::string::npos) << r.err;
  EXPECT_EQ(version(event_log.string()), log_version);
  EXPECT_FALSE(pipeline_state_exists("evil"));
  EXPECT_EQ(dls("events --pipeline main_sales --last 1").exit_code, 0);
}

TEST_F(OwnershipCli, AnotherPipelineCannotReadTheSameFilesIntoTheSameTables) {
  load_yaml(medallion());
  CommandResult a = dls("run --pipeline a");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const std::string counts =
      "SELECT count(*) AS n, count(DISTINCT id) AS d FROM main.sales.orders_bronze";
  EXPECT_EQ(query(counts), "n,d\n60,60\n");
  EXPECT_EQ(properties("main.sales.orders_bronze")["pipelines.pipelineId"], "a");
  EXPECT_EQ(properties("main.sales.orders_silver")["pipelines.pipelineId"], "a");
  EXPECT_EQ(properties("main.sales.orders_silver_invalid")["pipelines.pipelineId"], "a");
  const int64_t bronze = version("main.sales.orders_bronze");
  const int64_t silver = version("main.sales.orders_silver");
  const int64_t invalid = version("main.sales.orders_silver_invalid");

  // Before ownership, this read every file again: 120 rows, 60 distinct.
  CommandResult b = dls("run --pipeline b");
  EXPECT_EQ(b.exit_code, 3) << b.err;
  EXPECT_NE(b.err.find("entity 'orders_bronze'"), std::string::npos) << b.err;
  EXPECT_NE(b.err.find("owned by pipeline 'a'"), std::string::npos) << b.err;
  EXPECT_NE(b.err.find("dls table set-owner main.sales.orders_bronze b"), std::string::npos)
      << b.err;
  EXPECT_EQ(query(counts), "n,d\n60,60\n");
  EXPECT_EQ(version("main.sales.orders_bronze"), bronze);
  EXPECT_EQ(version("main.sales.orders_silver"), silver);
  EXPECT_EQ(version("main.sales.orders_silver_invalid"), invalid);
  EXPECT_FALSE(pipeline_state_exists("b"));
}

TEST_F(OwnershipCli, SetOwnerMovesATableAndItsQuarantineTable) {
  load_yaml(medallion());
  ASSERT_EQ(dls("run --pipeline a").exit_code, 0);
  const int64_t silver = version("main.sales.orders_silver");

  CommandResult moved = dls("table set-owner main.sales.orders_silver b");
  ASSERT_EQ(moved.exit_code, 0) << moved.err;
  EXPECT_EQ(properties("main.sales.orders_silver")["pipelines.pipelineId"], "b");
  EXPECT_EQ(properties("main.sales.orders_silver_invalid")["pipelines.pipelineId"], "b");
  EXPECT_EQ(version("main.sales.orders_silver"), silver + 1) << "one metadata-only commit";
  CommandResult history = dls("table history --format json --limit 1 main.sales.orders_silver");
  ASSERT_EQ(history.exit_code, 0) << history.err;
  EXPECT_EQ(json::parse(history.out)[0]["operation"], "SET TBLPROPERTIES") << history.out;
  EXPECT_EQ(query("SELECT count(*) AS n FROM main.sales.orders_silver"), "n\n58\n");
  // Again: nothing to change, no commit.
  ASSERT_EQ(dls("table set-owner main.sales.orders_silver b").exit_code, 0);
  EXPECT_EQ(version("main.sales.orders_silver"), silver + 1);

  // Pipeline b still may not write bronze (a's), and a may no longer write silver.
  CommandResult b = dls("run --pipeline b");
  EXPECT_EQ(b.exit_code, 3) << b.err;
  EXPECT_NE(b.err.find("main.sales.orders_bronze is owned by pipeline 'a'"), std::string::npos)
      << b.err;
  CommandResult a = dls("run --pipeline a");
  EXPECT_EQ(a.exit_code, 3) << a.err;
  EXPECT_NE(a.err.find("main.sales.orders_silver is owned by pipeline 'b'"), std::string::npos)
      << a.err;

  // Once bronze moves too, b may write both.
  ASSERT_EQ(dls("table set-owner main.sales.orders_bronze b").exit_code, 0);
  CommandResult ok = dls("run --pipeline b --full-refresh --yes");
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(query("SELECT count(*) AS n, count(DISTINCT id) AS d FROM main.sales.orders_bronze"),
            "n,d\n60,60\n");
}

TEST_F(OwnershipCli, SetOwnerRefusesControlTablesAndBadPipelineNames) {
  const int64_t before = store_version();
  CommandResult control = dls("table set-owner main.dls.control_table p");
  EXPECT_EQ(control.exit_code, 3) << control.err;
  EXPECT_NE(control.err.find("control table"), std::string::npos) << control.err;
  EXPECT_EQ(store_version(), before);
  load_yaml(medallion());
  ASSERT_EQ(dls("run --pipeline a").exit_code, 0);
  EXPECT_EQ(dls("table set-owner main.sales.orders_bronze 'x/y'").exit_code, 3);
  EXPECT_EQ(dls("table set-owner main.sales.nope b").exit_code, 1);
  EXPECT_EQ(properties("main.sales.orders_bronze")["pipelines.pipelineId"], "a");
  CommandResult help = dls("table set-owner --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("pipelines.pipelineId"), std::string::npos) << help.out;
}

TEST_F(OwnershipCli, AMaterializedViewOfAnotherPipelineDoesNotOverwriteItsTable) {
  // main.sales.orders_bronze is written by pipeline a ...
  load_yaml(medallion());
  ASSERT_EQ(dls("run --pipeline a").exit_code, 0);
  // ... and a materialized view of another pipeline names it as its destination.
  write_file(dir_.path() / "mv.yml",
             "delta_live_store:\n"
             "  - entity_id: summary\n"
             "    group: other\n"
             "    source: main.sales.orders_silver\n"
             "    source_format: delta\n"
             "    is_streaming: false\n"
             "    select_expr: ['count(*) AS n']\n"
             "    destination: main.sales.orders_bronze\n");
  ASSERT_EQ(dls("load yaml mv.yml").exit_code, 0);
  CommandResult r = dls("run --group other");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("entity 'summary'"), std::string::npos) << r.err;
  EXPECT_EQ(query("SELECT count(*) AS n FROM main.sales.orders_bronze"), "n\n60\n");
}

}  // namespace
}  // namespace dls

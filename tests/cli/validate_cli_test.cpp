// `dls validate`, `dls compile` and dbt-like selection (issue 14), through the binary: validate
// lists every problem at once (exit 3) and writes nothing; the bundled example is clean; compile
// prints the DuckDB and the Spark SQL of each dataset; --select picks datasets by name, lineage
// and tag; `run --select X --no-deps` refreshes only X; `dls load` refuses what validate refuses;
// `dls run` prints plain progress lines on stderr when it is not a terminal.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace dls {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::CommandResult;
using testing::run_dls;
using testing::shell_quote;
using testing::TempDir;
using testing::write_file;

/// Every file under `dir` with its size (what "nothing was written" compares).
std::set<std::string> tree(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    out.insert(fs::relative(entry.path(), dir).string() +
               (entry.is_regular_file() ? ":" + std::to_string(entry.file_size()) : "/"));
  }
  return out;
}

class ValidateCli : public ::testing::Test {
 protected:
  void SetUp() override {
    wh_ = (dir_.path() / "wh").string();
    data_ = dir_.path() / "data";
    write_file(data_ / "orders" / "part0.csv", "id,amount\n1,10\n2,20\n3,30\n");
    CommandResult init = dls("store init");
    ASSERT_EQ(init.exit_code, 0) << init.err;
  }

  CommandResult dls(const std::string& args) {
    return run_dls("--warehouse " + shell_quote(wh_) + " " + args, dir_.path());
  }

  void load_yaml(const std::string& entities) {
    write_file(dir_.path() / "pipeline.yml", "delta_live_store:\n" + entities);
    CommandResult r = dls("load yaml pipeline.yml");
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  }

  void upsert(const std::string& entity_json) {
    CommandResult r = dls("upsert --json " + shell_quote(entity_json));
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  }

  /// orders_bronze (csv files) -> orders_silver (dlt, quarantine) -> orders_gold (dlt, tagged).
  std::string medallion() const {
    return "  - entity_id: orders_bronze\n"
           "    group: main.sales\n"
           "    source: " +
           (data_ / "orders").string() +
           "\n"
           "    source_format: cloudFiles\n"
           "    read_options: {cloudFiles.format: csv, header: 'true'}\n"
           "    destination: orders_bronze\n"
           "    tags: {layer: bronze}\n"
           "  - entity_id: orders_silver\n"
           "    group: main.sales\n"
           "    source: orders_bronze\n"
           "    source_format: dlt\n"
           "    is_streaming: true\n"
           "    select_expr: ['CAST(id AS INT) AS id', 'CAST(amount AS INT) AS amount']\n"
           "    expectations: {expect_all: {small: 'amount < 30'}}\n"
           "    is_quarantined: true\n"
           "    destination: orders_silver\n"
           "    tags: {layer: silver}\n"
           "  - entity_id: orders_gold\n"
           "    group: main.sales\n"
           "    source: orders_silver\n"
           "    source_format: dlt\n"
           "    is_streaming: false\n"
           "    select_expr: ['sum(amount) AS total']\n"
           "    destination: orders_gold\n"
           "    tags: {layer: gold}\n";
  }

  /// The datasets `dls compile --select ...` picks (table names, sorted).
  std::vector<std::string> compiled(const std::string& selection) {
    CommandResult r = dls("--format json compile --group main.sales " + selection);
    EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
    std::vector<std::string> names;
    if (r.exit_code != 0) return names;
    for (const auto& d : json::parse(r.out)) {
      std::string q = d["dataset"].get<std::string>();
      names.push_back(q.substr(q.rfind('.') + 1));
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  TempDir dir_;
  std::string wh_;
  fs::path data_;
};

TEST_F(ValidateCli, ListsEveryProblemAtOnceAndWritesNothing) {
  load_yaml(medallion());
  // Problems `dls load` refuses (cycle, duplicate destination) reach the store through upsert;
  // the others are found only against the data's schema and the read options' values.
  upsert(R"({"entity_id": "bad_expr", "group": "main.sales", "source": "orders_bronze",
             "source_format": "dlt", "is_streaming": false, "destination": "bad_expr",
             "select_expr": ["id", "idd + 1 AS x"]})");
  upsert(R"({"entity_id": "bad_rule", "group": "main.sales", "source": "orders_bronze",
             "source_format": "dlt", "is_streaming": false, "destination": "bad_rule",
             "expectations": {"expect_all": {"positive": "amout > 0"}}})");
  upsert(R"({"entity_id": "bad_option", "group": "main.sales", "source": ")" +
         (data_ / "orders").string() + R"(", "source_format": "csv", "destination": "bad_option",
             "read_options": {"header": "maybe"}})");
  upsert(R"({"entity_id": "cycle_a", "group": "main.sales", "source": "cycle_b",
             "source_format": "dlt", "destination": "cycle_a"})");
  upsert(R"({"entity_id": "cycle_b", "group": "main.sales", "source": "cycle_a",
             "source_format": "dlt", "destination": "cycle_b"})");
  upsert(R"({"entity_id": "dup", "group": "main.sales", "source": "orders_bronze",
             "source_format": "dlt", "destination": "orders_gold", "is_streaming": false})");
  const auto before = tree(wh_);

  CommandResult r = dls("validate --group main.sales");
  EXPECT_EQ(r.exit_code, 3) << r.err << r.out;
  // Each problem names its entity, its field and where in the field.
  EXPECT_NE(r.out.find("entity 'bad_expr': select_expr: select_expr[1] `idd + 1 AS x`"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("idd"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("entity 'bad_rule': expectations:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("amout"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("entity 'bad_option': read_options:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("the pipeline has a cycle"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("both write the destination main.sales.orders_gold"), std::string::npos)
      << r.out;
  EXPECT_NE(r.err.find("problems in"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("entities valid"), std::string::npos) << r.out;

  CommandResult j = dls("--format json validate --group main.sales");
  EXPECT_EQ(j.exit_code, 3) << j.err;
  std::set<std::string> entities;
  for (const auto& p : json::parse(j.out)) {
    if (p["severity"] == "error") entities.insert(p["entity_id"].get<std::string>());
  }
  // A cycle and a duplicate are reported once, on one of the entities concerned.
  EXPECT_EQ(entities.count("cycle_a") + entities.count("cycle_b"), 1u) << j.out;
  EXPECT_EQ(entities.count("dup") + entities.count("orders_gold"), 1u) << j.out;
  for (const char* id : {"bad_expr", "bad_rule", "bad_option"}) {
    EXPECT_EQ(entities.count(id), 1u) << id << "\n" << j.out;
  }
  EXPECT_EQ(entities.size(), 5u) << j.out;

  // Nothing was read into a table nor written: no table, no pipeline state, no event log.
  EXPECT_EQ(tree(wh_), before);
  EXPECT_FALSE(fs::exists(fs::path(wh_) / "_pipelines"));
}

TEST_F(ValidateCli, ApplyChangesExpressionsAreBound) {
  load_yaml(
      "  - entity_id: orders_cdc\n"
      "    group: main.sales\n"
      "    source: " +
      (data_ / "orders").string() +
      "\n"
      "    source_format: cloudFiles\n"
      "    read_options: {cloudFiles.format: csv, header: 'true'}\n"
      "    destination: orders_cdc\n"
      "    primary_keys: [id]\n"
      "    apply_changes: {sequence_by: amount, apply_as_deletes: \"operation = 'D'\"}\n");
  CommandResult r = dls("validate --group main.sales");
  EXPECT_EQ(r.exit_code, 3) << r.err << r.out;
  EXPECT_NE(r.out.find("entity 'orders_cdc': apply_changes.apply_as_deletes: `operation = 'D'`: "
                       "column `operation` does not exist"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("sequence_by"), std::string::npos) << r.out;
}

TEST_F(ValidateCli, CleanPipelineIsValid) {
  load_yaml(medallion());
  CommandResult r = dls("validate --group main.sales");
  EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("3 entities valid"), std::string::npos) << r.out;
  CommandResult j = dls("--format json validate --group main.sales");
  EXPECT_EQ(j.exit_code, 0) << j.err;
  EXPECT_EQ(json::parse(j.out), json::array());
}

TEST_F(ValidateCli, BundledExampleIsValid) {
  const fs::path example = fs::path(DLS_SOURCE_DIR) / "examples" / "retail" / "pipeline.yml";
  CommandResult load = dls("load yaml " + shell_quote(example.string()));
  ASSERT_EQ(load.exit_code, 0) << load.err;
  CommandResult r = dls("validate");
  EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("5 entities valid"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("error:"), std::string::npos) << r.out;
}

TEST_F(ValidateCli, CompilePrintsDuckDbAndSparkSql) {
  load_yaml(medallion());
  CommandResult r = dls("compile --group main.sales --dataset orders_silver");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("-- dataset main.sales.orders_silver (streaming table)"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("-- DuckDB SQL"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("__dls_ok_0"), std::string::npos) << r.out;  // the expectation column
  EXPECT_NE(r.out.find("CREATE OR REFRESH STREAMING TABLE"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("EXPECT (amount < 30)"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("orders_gold ("), std::string::npos) << r.out;

  CommandResult j = dls("--format json compile --group main.sales");
  ASSERT_EQ(j.exit_code, 0) << j.err;
  const json all = json::parse(j.out);
  ASSERT_EQ(all.size(), 3u) << j.out;
  EXPECT_EQ(all[2]["dataset"], "main.sales.orders_gold");
  EXPECT_NE(all[2]["duckdb_sql"].get<std::string>().find("sum("), std::string::npos);
  EXPECT_NE(all[2]["spark_sql"].get<std::string>().find("MATERIALIZED VIEW"), std::string::npos);
  EXPECT_EQ(all[2]["columns"][0]["name"], "total");

  CommandResult unknown = dls("compile --group main.sales --dataset nope");
  EXPECT_EQ(unknown.exit_code, 2) << unknown.err;
}

TEST_F(ValidateCli, SelectorsPickDatasetsByNameLineageAndTag) {
  load_yaml(medallion());
  using V = std::vector<std::string>;
  EXPECT_EQ(compiled("--select orders_silver"), V{"orders_silver"});
  EXPECT_EQ(compiled("--select +orders_silver"), (V{"orders_bronze", "orders_silver"}));
  EXPECT_EQ(compiled("--select orders_silver+"), (V{"orders_gold", "orders_silver"}));
  EXPECT_EQ(compiled("--select +orders_silver+"),
            (V{"orders_bronze", "orders_gold", "orders_silver"}));
  EXPECT_EQ(compiled("--select main.sales.orders_gold"), V{"orders_gold"});
  EXPECT_EQ(compiled("--select tag:layer=gold"), V{"orders_gold"});
  EXPECT_EQ(compiled("--select tag:layer"), (V{"orders_bronze", "orders_gold", "orders_silver"}));
  EXPECT_EQ(compiled("--select orders_bronze --select tag:layer=gold"),
            (V{"orders_bronze", "orders_gold"}));
  EXPECT_EQ(compiled("--select 'orders_bronze orders_gold'"), (V{"orders_bronze", "orders_gold"}));
  // Combined (AND) with --where.
  EXPECT_EQ(compiled("--where \"~by_entity_id('orders_gold')\" --select orders_silver+"),
            V{"orders_silver"});

  CommandResult unknown = dls("validate --group main.sales --select +orders_platinum");
  EXPECT_EQ(unknown.exit_code, 2) << unknown.err;
  EXPECT_NE(unknown.err.find("no dataset 'orders_platinum'"), std::string::npos) << unknown.err;
}

TEST_F(ValidateCli, RunNoDepsRefreshesOnlyTheSelectedDataset) {
  load_yaml(medallion());
  auto ran = [](const CommandResult& r) {
    std::set<std::string> names;
    for (const auto& d : json::parse(r.out)) {
      if (d["status"] != "SKIPPED") names.insert(d["dataset"].get<std::string>());
    }
    return names;
  };
  // Without --no-deps the selection runs with its upstream.
  CommandResult first = dls("--format json run --group main.sales --select orders_silver");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(ran(first),
            (std::set<std::string>{"main.sales.orders_bronze", "main.sales.orders_silver"}));
  // New input: --no-deps does not ingest it into bronze, gold alone is recomputed.
  write_file(data_ / "orders" / "part1.csv", "id,amount\n4,5\n");
  CommandResult gold = dls("--format json run --group main.sales --select orders_gold --no-deps");
  ASSERT_EQ(gold.exit_code, 0) << gold.err;
  EXPECT_EQ(ran(gold), std::set<std::string>{"main.sales.orders_gold"});
  CommandResult q = dls("query --format csv 'SELECT total FROM main.sales.orders_gold'");
  EXPECT_EQ(q.out, "total\n30\n") << q.err;  // 10 + 20 valid rows; the new file not read
  CommandResult rows =
      dls("query --format csv 'SELECT count(*) AS n FROM main.sales.orders_bronze'");
  EXPECT_EQ(rows.out, "n\n3\n") << rows.err;

  CommandResult no_select = dls("run --group main.sales --no-deps");
  EXPECT_EQ(no_select.exit_code, 2) << no_select.err;
}

TEST_F(ValidateCli, RunPrintsPlainProgressLinesAndQuietOnlyTheEndOfEachDataset) {
  load_yaml(medallion());
  CommandResult r = dls("run --group main.sales");  // stderr is not a terminal: plain lines
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("main.sales.orders_bronze: RUNNING\n"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("main.sales.orders_bronze: COMPLETED (3 rows read in 1 batch, 3 rows "
                       "written"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("\r"), std::string::npos) << r.err;  // no redrawn status line
  write_file(data_ / "orders" / "part1.csv", "id,amount\n4,5\n");
  // --quiet: only the plain line of each finished dataset (issue 14), no RUNNING lines.
  CommandResult quiet = dls("run --group main.sales --quiet");
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_NE(quiet.err.find("main.sales.orders_bronze: COMPLETED (1 rows read in 1 batch"),
            std::string::npos)
      << quiet.err;
  EXPECT_EQ(quiet.err.find("RUNNING"), std::string::npos) << quiet.err;
  EXPECT_EQ(quiet.err.find("\r"), std::string::npos) << quiet.err;
}

TEST_F(ValidateCli, LoadRefusesTwoEntitiesWritingOneDestination) {
  write_file(dir_.path() / "dup.yml",
             "delta_live_store:\n"
             "  - {entity_id: a, group: g, source: /in/a, source_format: csv, destination: t}\n"
             "  - {entity_id: b, group: g, source: /in/b, source_format: csv, destination: t}\n");
  CommandResult r = dls("load yaml dup.yml");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("entities 'a' and 'b' both write the destination t"), std::string::npos)
      << r.err;
  CommandResult list = dls("--format json list");
  EXPECT_EQ(json::parse(list.out).size(), 0u) << list.out;
}

}  // namespace
}  // namespace dls

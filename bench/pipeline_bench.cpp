// Pipeline engine benchmarks (issue 6):
//  1. a no-op update of a 100-dataset pipeline (50 cloudFiles streaming tables, each read by a
//     materialized view), in ms — nothing new, so nothing is committed;
//  2. a silver streaming table with 5 expectations + quarantine over ROWS rows of a bronze Delta
//     table, against a plain DuckDB `CREATE TABLE AS` of the same rows (and a COPY to Parquet),
//     as ratios.
//
// Usage: pipeline_bench [ROWS=1000000] [WORKDIR=/tmp/dls-pipeline-bench]
// Prints figures as Markdown table rows for bench/RESULTS.md.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

#include "dls/catalog/warehouse.h"
#include "dls/delta/delta_table.h"
#include "dls/delta/table_scan.h"
#include "dls/pipeline/pipeline_runner.h"
#include "dls/sql/connection.h"
#include "dls/sql/database.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace dls;

namespace {

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

pipeline::PipelineUpdate run(const catalog::Warehouse& wh,
                             const std::vector<DeltaLiveEntity>& entities) {
  auto graph = pipeline::PipelineGraph::build(entities, "main", "bench");
  pipeline::PipelineOptions o;
  o.pipeline = "bench";
  o.target = {"main", "bench"};
  o.source_factory = pipeline::default_source_factory();
  pipeline::PipelineRunner runner(wh, graph, o);
  auto u = runner.run();
  if (!u.ok()) {
    std::cerr << "update failed:\n" << u.failure_summary() << "\n";
    std::exit(1);
  }
  return u;
}

double noop_update_ms(const fs::path& work) {
  catalog::Warehouse wh(work / "noop_wh");
  std::vector<DeltaLiveEntity> entities;
  for (int i = 0; i < 50; ++i) {
    fs::path dir = work / "noop_data" / ("d" + std::to_string(i));
    fs::create_directories(dir);
    std::ofstream(dir / "f.csv") << "id,v\n1,a\n2,b\n";
    DeltaLiveEntity bronze;
    bronze.entity_id = "b" + std::to_string(i);
    bronze.source = dir.string();
    bronze.source_format = "cloudFiles";
    bronze.read_options = {{"cloudFiles.format", "csv"}, {"header", "true"}};
    bronze.destination = "bronze_" + std::to_string(i);
    normalize(bronze);
    DeltaLiveEntity gold;
    gold.entity_id = "g" + std::to_string(i);
    gold.source = bronze.destination;
    gold.source_format = "dlt";
    gold.is_streaming = false;
    gold.select_expr = {"count(*) AS n"};
    gold.destination = "gold_" + std::to_string(i);
    entities.push_back(bronze);
    entities.push_back(gold);
  }
  run(wh, entities);  // initial update
  std::vector<double> times;
  for (int i = 0; i < 5; ++i) {
    auto start = Clock::now();
    auto u = run(wh, entities);
    times.push_back(ms_since(start));
    for (const auto& d : u.datasets) {
      if (d.status != pipeline::DatasetStatus::kUpToDate) {
        std::cerr << d.name << " was not up to date in a no-op update\n";
        std::exit(1);
      }
    }
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int64_t rows = argc > 1 ? std::stoll(argv[1]) : 1000000;
  fs::path work = argc > 2 ? fs::path(argv[2]) : fs::path("/tmp/dls-pipeline-bench");
  fs::remove_all(work);
  fs::create_directories(work);

  double noop = noop_update_ms(work);

  // Bronze: ROWS rows in a Delta table.
  catalog::Warehouse wh(work / "wh");
  sql::Database db;
  sql::Connection con(db);
  const std::string gen =
      "SELECT i AS id, 'name_' || (i % 1000) AS name, (i % 200) - 10 AS amount, "
      "CASE WHEN i % 50 = 0 THEN NULL ELSE 'x' || (i % 7) END AS code, "
      "DATE '2024-01-01' + CAST(i % 365 AS INTEGER) AS day FROM range(" +
      std::to_string(rows) + ") t(i)";
  fs::path bronze_root = wh.root() / "main" / "bench" / "bronze";
  {
    con.execute("CREATE TEMP TABLE gen AS " + gen);
    delta::Schema schema;
    for (const auto& r : con.query("DESCRIBE SELECT * FROM gen").rows()) {
      schema.fields.push_back(
          {r[0].as_string(), delta::DataType::from_duckdb(r[1].as_string()), true});
    }
    delta::DeltaTable::create(bronze_root.string(), schema).append(con, "SELECT * FROM gen");
  }
  DeltaLiveEntity silver;
  silver.entity_id = "silver";
  silver.source = "main.bench.bronze";
  silver.source_format = "delta";
  silver.is_streaming = true;
  silver.destination = "silver";
  silver.is_quarantined = true;
  silver.expectations.expect_all = {{"id_set", "id IS NOT NULL"},
                                    {"positive", "amount > 0"},
                                    {"code_set", "code IS NOT NULL"},
                                    {"name_prefix", "name LIKE 'name_%'"},
                                    {"recent", "day >= DATE'2024-02-01'"}};
  auto start = Clock::now();
  auto u = run(wh, {silver});
  double silver_ms = ms_since(start);
  const auto* d = u.find("main.bench.silver");

  std::string scan =
      delta::TableScan(delta::DeltaTable::open(bronze_root.string()).snapshot()).sql(con);
  start = Clock::now();
  con.execute("CREATE TABLE ctas AS " + scan);
  double ctas_ms = ms_since(start);
  start = Clock::now();
  con.execute("COPY (" + scan + ") TO '" + (work / "copy.parquet").string() + "' (FORMAT parquet)");
  double copy_ms = ms_since(start);

  std::cout << std::fixed << std::setprecision(1);
  std::cout << "| no-op update, 100 datasets (50 cloudFiles ST + 50 MV), median of 5 | " << noop
            << " ms |\n";
  std::cout << "| silver: " << rows << " rows, 5 expect_all + quarantine (" << d->num_output_rows
            << " valid, " << d->quarantined_rows << " invalid) | " << silver_ms << " ms |\n";
  std::cout << "| DuckDB CREATE TABLE AS of the same rows | " << ctas_ms << " ms (ratio "
            << std::setprecision(2) << silver_ms / ctas_ms << "x) |\n";
  std::cout << std::setprecision(1) << "| DuckDB COPY of the same rows to Parquet | " << copy_ms
            << " ms (ratio " << std::setprecision(2) << silver_ms / copy_ms << "x) |\n";
  fs::remove_all(work);
  return 0;
}

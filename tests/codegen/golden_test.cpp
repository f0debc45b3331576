// Golden files of the generators: the whole generated project of each scenario is compared with
// tests/codegen/golden/<scenario>/ (plus WARNINGS.txt). Set DLS_UPDATE_GOLDEN=1 to rewrite them,
// then review the diff against the Databricks SQL reference (golden/README.md).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <set>
#include <string>

#include "codegen_fixtures.h"
#include "dls/codegen/databricks_bundle.h"
#include "dls/codegen/spark_project.h"
#include "support/test_support.h"

namespace dls::codegen {
namespace {

namespace fs = std::filesystem;
using dls::testing::read_file;
using dls::testing::write_file;

const fs::path kGoldenDir = fs::path(DLS_SOURCE_DIR) / "tests" / "codegen" / "golden";

std::string warnings_text(const GeneratedProject& project) {
  std::string out;
  for (const auto& w : project.warnings()) out += w.to_string() + "\n";
  return out;
}

void check_golden(const std::string& scenario, const GeneratedProject& project) {
  const fs::path dir = kGoldenDir / scenario;
  const bool update = std::getenv("DLS_UPDATE_GOLDEN") != nullptr;
  if (update) {
    fs::remove_all(dir);
    project.write_to(dir);
    write_file(dir / "WARNINGS.txt", warnings_text(project));
    return;
  }
  ASSERT_TRUE(fs::is_directory(dir))
      << "no golden directory " << dir << "; run with DLS_UPDATE_GOLDEN=1 and review the files";
  std::set<std::string> expected;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) expected.insert(fs::relative(entry.path(), dir).generic_string());
  }
  std::set<std::string> actual{"WARNINGS.txt"};
  for (const auto& f : project.files()) actual.insert(f.path);
  EXPECT_EQ(expected, actual) << "the set of generated files changed (" << scenario << ")";
  for (const auto& f : project.files()) {
    if (!expected.count(f.path)) continue;
    EXPECT_EQ(read_file(dir / f.path), f.content) << scenario << "/" << f.path;
  }
  EXPECT_EQ(read_file(dir / "WARNINGS.txt"), warnings_text(project)) << scenario << " warnings";
}

TEST(GoldenTest, DatabricksMedallionBundle) {
  DatabricksBundleOptions options;
  options.bundle_name = "orders_etl";
  options.target = "main.etl";
  check_golden("databricks_medallion", generate_databricks_bundle(testing::medallion(), options));
}

TEST(GoldenTest, SparkMedallionProject) {
  SparkProjectOptions options;
  options.target = "main.etl";
  options.storage_root = "file:///var/lib/spark-pipelines/";
  check_golden("spark_medallion", generate_spark_project(testing::medallion(), options));
}

TEST(GoldenTest, DatabricksFlowsBundle) {
  DatabricksBundleOptions options;
  options.bundle_name = "orders_flows";
  options.target = "main.etl";
  check_golden("databricks_flows", generate_databricks_bundle(testing::flows(true), options));
}

TEST(GoldenTest, SparkFlowsProject) {
  SparkProjectOptions options;
  options.target = "main.etl";
  options.storage_root = "file:///var/lib/spark-pipelines/";
  check_golden("spark_flows", generate_spark_project(testing::flows(false), options));
}

TEST(GoldenTest, DatabricksSinksBundle) {
  DatabricksBundleOptions options;
  options.bundle_name = "orders_sinks";
  options.target = "main.etl";
  check_golden("databricks_sinks", generate_databricks_bundle(testing::sinks(), options));
}

TEST(GoldenTest, SparkSinksProject) {
  SparkProjectOptions options;
  options.target = "main.etl";
  options.storage_root = "file:///var/lib/spark-pipelines/";
  check_golden("spark_sinks", generate_spark_project(testing::sinks(), options));
}

TEST(GoldenTest, DatabricksHostileNames) {
  check_golden("databricks_hostile", generate_databricks_bundle(testing::hostile()));
}

TEST(GoldenTest, SparkHostileNames) {
  check_golden("spark_hostile", generate_spark_project(testing::hostile()));
}

// The acceptance criterion: every construct of issue 5 appears in at least one golden file.
TEST(GoldenTest, EveryConstructAppearsInAGoldenFile) {
  std::string all;
  for (const auto& entry : fs::recursive_directory_iterator(kGoldenDir)) {
    if (entry.is_regular_file()) all += read_file(entry.path());
  }
  const char* constructs[] = {
      "CREATE OR REFRESH STREAMING TABLE",
      "CREATE FLOW `orders_from_json` AS INSERT INTO",
      "AS INSERT ONCE INTO",
      "dp.create_sink(",
      "@dp.append_flow(target=",
      "BY NAME\n",
      "STREAM read_files(",
      "`format` => 'csv'",
      "`schemaHints` => ",
      "read_kafka(",
      "`bootstrapServers` => ",
      "STREAM(`main`.`crm`.`customer_changes`)",
      "delta.`/mnt/shared/reference`",
      "FROM STREAM(`main`.`etl`.`orders_bronze`)",
      "CREATE OR REFRESH MATERIALIZED VIEW",
      "CREATE TEMPORARY VIEW",
      "CONSTRAINT `valid_id` EXPECT (id IS NOT NULL)",
      "ON VIOLATION DROP ROW",
      "ON VIOLATION FAIL UPDATE",
      "_invalid",
      "AS _errors",
      "CREATE FLOW `orders_cdc` AS AUTO CDC INTO",
      "KEYS (`id`)",
      "SEQUENCE BY seq",
      "SEQUENCE BY STRUCT(event_ts, lsn)",
      "APPLY AS DELETE WHEN",
      "APPLY AS TRUNCATE WHEN",
      "COLUMNS * EXCEPT (`op`, `seq`)",
      "COLUMNS (`customer_id`",
      "STORED AS SCD TYPE 1",
      "STORED AS SCD TYPE 2",
      "TRACK HISTORY ON (`amount`, `status`)",
      "TRACK HISTORY ON * EXCEPT (`last_login_at`)",
      "IGNORE NULL UPDATES\n",
      "IGNORE NULL UPDATES ON (`name`, `country`)",
      "IGNORE NULL UPDATES ON * EXCEPT (`status`)",
      "PARTITIONED BY (`region`)",
      "COMMENT 'Raw orders, one row per CSV line.'",
      "TBLPROPERTIES (",
      "'dls.tag.owner' = 'sales'",
      "(\n  code STRING, label STRING",
      "spark.sql.shuffle.partitions: \"8\"",
      "pipeline_task:",
      "spark_python_task:",
      "serverless: true",
      "spark-pipeline",
      "entity_id: orders_bronze",
  };
  for (const char* c : constructs) EXPECT_NE(all.find(c), std::string::npos) << "missing: " << c;
}

}  // namespace
}  // namespace dls::codegen

// `dls generate databricks|spark --out DIR` and `dls deploy` (DESIGN §8/§9, issue 5): entities
// come from the control table, warnings go to stderr, metadata that cannot be generated exits 3
// and writes nothing.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "support/test_support.h"

namespace dls {
namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::read_file;
using testing::run_dls;
using testing::shell_quote;

class GenerateCli : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("DLS_USER", "cli-tester", 1);
    CommandResult r = dls("store init");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = dls("upsert --json " + shell_quote(R"([
      {"entity_id": "orders_bronze", "group": "etl", "source": "raw/orders",
       "destination": "orders_bronze", "read_options": {"cloudFiles.format": "json"},
       "expectations": {"expect_all_or_drop": {"has_id": "id IS NOT NULL"}}},
      {"entity_id": "orders_silver", "group": "etl", "source": "orders_bronze",
       "source_format": "dlt", "destination": "orders_silver", "primary_keys": ["id"],
       "apply_changes": {"sequence_by": "seq", "stored_as_scd_type": 2}},
      {"entity_id": "other", "group": "other", "source": "/data/x", "source_format": "parquet",
       "destination": "x"}])"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  void TearDown() override { ::unsetenv("DLS_USER"); }

  CommandResult dls(const std::string& args) {
    return run_dls("--warehouse " + shell_quote(warehouse.str()) + " " + args);
  }

  testing::TempDir warehouse;
  testing::TempDir out;
};

TEST_F(GenerateCli, DatabricksBundleOfOneGroup) {
  const CommandResult r = dls("generate databricks --out " + shell_quote(out.str()) +
                              " --group etl --target main.sales");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(out / "databricks.yml"));
  EXPECT_TRUE(fs::exists(out / "resources/etl.pipeline.yml"));
  EXPECT_TRUE(fs::exists(out / "resources/etl.job.yml"));
  EXPECT_FALSE(fs::exists(out / "resources/other.pipeline.yml"));
  const std::string silver = read_file(out / "src/etl/transformations/orders_silver.sql");
  EXPECT_NE(silver.find("AS AUTO CDC INTO `orders_silver`"), std::string::npos) << silver;
  EXPECT_NE(silver.find("STORED AS SCD TYPE 2"), std::string::npos) << silver;
  const std::string bundle = read_file(out / "databricks.yml");
  EXPECT_NE(bundle.find("default: \"sales\""), std::string::npos) << bundle;
  EXPECT_NE(read_file(out / "metadata/entities.yml").find("orders_silver"), std::string::npos);
  EXPECT_NE(r.out.find("databricks.yml"), std::string::npos) << r.out;  // files on stdout
}

TEST_F(GenerateCli, SparkProjectWarnsOnStderrAboutWhatSparkLacks) {
  const CommandResult r =
      dls("generate spark --out " + shell_quote(out.str()) + " --where \"by_group('etl')\"");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(out / "etl/spark-pipeline.yml"));
  EXPECT_TRUE(fs::exists(out / "etl/transformations/orders_bronze.sql"));
  EXPECT_NE(r.err.find("entity 'orders_silver': apply_changes:"), std::string::npos) << r.err;
  EXPECT_NE(read_file(out / "etl/spark-pipeline.yml").find("storage: \"file://"),
            std::string::npos);
}

TEST_F(GenerateCli, MetadataThatCannotBeGeneratedExits3AndWritesNothing) {
  // Two entities writing one table, one of them a batch read (streaming ones would be append
  // flows): storable (the store does not plan pipelines), not generatable.
  // (A select_expr such as "id; DROP TABLE x" can no longer be stored at all: issue 15.)
  CommandResult r = dls("upsert --json " + shell_quote(R"([{"entity_id": "bad1", "group": "bad",
      "source": "/data/a", "destination": "bad", "read_options": {"cloudFiles.format": "csv"}},
      {"entity_id": "bad2", "group": "bad", "source": "/data/b", "destination": "bad",
      "source_format": "csv"}])"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = dls("generate databricks --out " + shell_quote((out / "b").string()) + " --group bad");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("both write destination 'bad'"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out / "b"));
}

TEST_F(GenerateCli, WhereAndGroupTogetherIsAUsageError) {
  const CommandResult r = dls("generate databricks --out " + shell_quote(out.str()) +
                              " --group etl --where \"by_all()\"");
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

TEST_F(GenerateCli, NoMatchingEntityExits3) {
  const CommandResult r =
      dls("generate databricks --out " + shell_quote(out.str()) + " --group nope");
  EXPECT_EQ(r.exit_code, 3) << r.err;
}

TEST_F(GenerateCli, DeployWithoutTheDatabricksCliSaysHowToInstallIt) {
  ASSERT_EQ(dls("generate databricks --out " + shell_quote(out.str())).exit_code, 0);
  if (std::system("command -v databricks >/dev/null 2>&1") == 0) {
    GTEST_SKIP() << "the Databricks CLI is installed; this test needs a machine without it";
  }
  const CommandResult r = dls("deploy --bundle " + shell_quote(out.str()));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("Databricks CLI"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace dls

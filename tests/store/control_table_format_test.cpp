// The control table is a plain Delta table with Spark-compatible nested types that other
// readers (DuckDB's read_parquet, Spark) understand.
#include <gtest/gtest.h>

#include <map>

#include "dls/delta/delta_table.h"
#include "dls/sql/connection.h"
#include "dls/sql/database.h"
#include "dls/sql/quote.h"
#include "dls/store/control_table_schema.h"
#include "dls/store/delta_live_store.h"
#include "store/store_test_support.h"
#include "support/test_support.h"

namespace dls {
namespace {

TEST(ControlTableFormat, ColumnsAreTheSeedsInOrder) {
  std::vector<std::string> expected = {"id",
                                       "entity_id",
                                       "destination_type",
                                       "group",
                                       "source",
                                       "source_format",
                                       "source_schema",
                                       "select_expr",
                                       "is_streaming",
                                       "primary_keys",
                                       "read_options",
                                       "table_properties",
                                       "tags",
                                       "expectations",
                                       "apply_changes",
                                       "is_quarantined",
                                       "spark_conf",
                                       "partition_cols",
                                       "destination",
                                       "comment",
                                       "created_ts",
                                       "expired_ts",
                                       "created_by",
                                       "modified_by",
                                       "is_enabled",
                                       "is_latest",
                                       "hash",
                                       "where_clause",
                                       "query",
                                       "flow_name",
                                       "once",
                                       "sink_format",
                                       "sink_options"};
  EXPECT_EQ(control_table_columns(), expected);
  EXPECT_EQ(required_control_table_columns(),
            std::vector<std::string>(expected.begin(), expected.end() - 6));
  const auto& schema = control_table_schema();
  EXPECT_EQ(schema.find("apply_changes")->type.fields.size(), 13u);
  EXPECT_EQ(schema.find("expectations")->type.fields.size(), 3u);
}

TEST(ControlTableFormat, LogSchemaIsSparkJson) {
  testing::TempDir dir;
  DeltaLiveStore store(dir.str());
  store.initialize();
  auto meta = delta::DeltaTable::open(dir.str()).snapshot().metadata();
  auto schema = nlohmann::json::parse(meta.schema_string);
  std::map<std::string, nlohmann::json> types;
  for (const auto& f : schema["fields"]) types[f["name"]] = f["type"];
  EXPECT_EQ(types["id"], "string");
  EXPECT_EQ(types["is_enabled"], "boolean");
  EXPECT_EQ(types["created_ts"], "timestamp");
  EXPECT_EQ(types["select_expr"]["type"], "array");
  EXPECT_EQ(types["select_expr"]["elementType"], "string");
  EXPECT_EQ(types["read_options"]["type"], "map");
  EXPECT_EQ(types["read_options"]["keyType"], "string");
  EXPECT_EQ(types["read_options"]["valueType"], "string");
  EXPECT_EQ(types["expectations"]["type"], "struct");
  EXPECT_EQ(types["apply_changes"]["type"], "struct");
  bool found_scd = false;
  for (const auto& f : types["apply_changes"]["fields"]) {
    if (f["name"] == "stored_as_scd_type") {
      EXPECT_EQ(f["type"], "integer");
      found_scd = true;
    }
  }
  EXPECT_TRUE(found_scd);
}

TEST(ControlTableFormat, DataFilesAreReadableByDuckDbWithNestedTypes) {
  testing::TempDir dir;
  DeltaLiveStore store(dir.str(), "alice");
  store.initialize();
  DeltaLiveEntity e = store_testing::entity("1", "path/to/data1", "table1");
  e.select_expr = {"id", "name"};
  e.expectations.expect_all = {{"valid", "id IS NOT NULL"}};
  e.primary_keys = {"id"};
  ApplyChanges ac;
  ac.sequence_by = "seq";
  ac.stored_as_scd_type = 2;
  e.apply_changes = ac;
  store.upsert(e);

  sql::Database db;
  sql::Connection con = db.connect();
  con.execute("SET TimeZone = 'UTC'");
  const std::string files = "read_parquet(" + sql::quote_literal(dir.str() + "/*.parquet") + ")";
  std::map<std::string, std::string> types;
  for (auto& row : con.query("DESCRIBE SELECT * FROM " + files).rows()) {
    types[row.at(0).as_string()] = row.at(1).as_string();
  }
  EXPECT_EQ(types["read_options"], "MAP(VARCHAR, VARCHAR)");
  EXPECT_EQ(types["select_expr"], "VARCHAR[]");
  EXPECT_EQ(types["created_ts"], "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(types["is_latest"], "BOOLEAN");
  EXPECT_EQ(types["expectations"].rfind("STRUCT(", 0), 0u) << types["expectations"];
  EXPECT_NE(types["apply_changes"].find("stored_as_scd_type INTEGER"), std::string::npos)
      << types["apply_changes"];

  auto row = con.query(
                    "SELECT read_options['pathGlobFilter'], select_expr[2], "
                    "expectations.expect_all['valid'], apply_changes.stored_as_scd_type, "
                    "apply_changes.sequence_by, \"group\" IS NULL, created_by FROM " +
                    files)
                 .rows();
  ASSERT_EQ(row.size(), 1u);
  EXPECT_EQ(row[0][0].as_string(), "*.parquet");
  EXPECT_EQ(row[0][1].as_string(), "name");
  EXPECT_EQ(row[0][2].as_string(), "id IS NOT NULL");
  EXPECT_EQ(row[0][3].as_int(), 2);
  EXPECT_EQ(row[0][4].as_string(), "seq");
  EXPECT_TRUE(row[0][5].as_bool());
  EXPECT_EQ(row[0][6].as_string(), "alice");
}

}  // namespace
}  // namespace dls

// DatasetTransform's column types: Spark TIMESTAMP (LTZ) results become DuckDB TIMESTAMP WITH TIME
// ZONE, written as Delta `timestamp` as on Databricks; TIMESTAMP_NTZ only when written so.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dls/pipeline/dataset_transform.h"
#include "dls/sql/database.h"
#include "pipeline/sources_test_support.h"

namespace dls::pipeline {
namespace {

using testing::columns_of;
using ::testing::ElementsAre;
using testing::rows_of;

class DatasetTransformTypes : public ::testing::Test {
 protected:
  void SetUp() override { con.execute("SET TimeZone = 'UTC'"); }
  sql::Database db;
  sql::Connection con = db.connect();
  const std::string source = "SELECT '2024-01-02 03:04:05' AS s, 5 AS n";
};

TEST_F(DatasetTransformTypes, CastsToTimestampAreUtcInstantsAndNtzStaysWallClock) {
  DeltaLiveEntity e;
  e.entity_id = "t";
  e.select_expr = {"CAST(s AS TIMESTAMP) AS ltz", "to_timestamp(s) AS parsed",
                   "CAST(s AS TIMESTAMP_NTZ) AS ntz", "n"};
  const std::string sql = DatasetTransform::compile(e).apply(con, source);
  EXPECT_THAT(columns_of(con, sql),
              ElementsAre("ltz TIMESTAMP WITH TIME ZONE", "parsed TIMESTAMP WITH TIME ZONE",
                          "ntz TIMESTAMP", "n INTEGER"));
  // The same instant: the text is read as UTC, never as local time.
  EXPECT_THAT(rows_of(con,
                      "SELECT CAST(epoch(ltz) AS BIGINT), CAST(epoch(parsed) AS BIGINT), "
                      "CAST(epoch(ntz) AS BIGINT) FROM (" +
                          sql + ")"),
              ElementsAre("1704164645|1704164645|1704164645"));
}

TEST_F(DatasetTransformTypes, SourceSchemaTimestampIsAUtcInstant) {
  DeltaLiveEntity e;
  e.entity_id = "t";
  e.source_schema = "s TIMESTAMP, n INT, w TIMESTAMP_NTZ";
  const std::string sql = DatasetTransform::compile(e).apply(con, source);
  EXPECT_THAT(columns_of(con, sql),
              ElementsAre("s TIMESTAMP WITH TIME ZONE", "n INTEGER", "w TIMESTAMP"));
}

}  // namespace
}  // namespace dls::pipeline

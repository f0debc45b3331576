// Batch file sources (csv, json, parquet, text) and make_source's errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dls/core/error.h"
#include "dls/pipeline/source.h"
#include "pipeline/sources_test_support.h"
#include "support/test_support.h"

namespace dls::pipeline {
namespace {

using dls::testing::TempDir;
using dls::testing::write_file;
using testing::columns_of;
using ::testing::ElementsAre;
using testing::file_entity;
using ::testing::HasSubstr;
using testing::rows_of;

class SourceBatchFiles : public ::testing::Test {
 protected:
  TempDir dir;
  sql::Database db;
  sql::Connection con = db.connect();
  SourceContext context() { return {dir / "state", {}, {}}; }
};

TEST_F(SourceBatchFiles, CsvDirectoryWithHeaderReadsAllFilesAsStrings) {
  write_file(dir / "in/a.csv", "id,name\n1,x\n2,y\n");
  write_file(dir / "in/b.csv", "id,name\n3,z\n");
  write_file(dir / "in/_SUCCESS", "");
  auto src =
      make_source(file_entity("csv", (dir / "in").string(), {{"header", "true"}}), context());
  const auto sql = src->full_sql(con);
  EXPECT_THAT(columns_of(con, sql), ElementsAre("id VARCHAR", "name VARCHAR"));
  EXPECT_THAT(rows_of(con, sql), ElementsAre("1|x", "2|y", "3|z"));
}

TEST_F(SourceBatchFiles, CsvOptionsSepQuoteInferSchemaAndNoHeader) {
  write_file(dir / "a.txt", "1;'a;b'\n2;'c'\n");
  auto src = make_source(file_entity("csv", (dir / "a.txt").string(),
                                     {{"sep", ";"}, {"quote", "'"}, {"inferSchema", "true"}}),
                         context());
  const auto sql = src->full_sql(con);
  EXPECT_THAT(columns_of(con, sql), ElementsAre("_c0 BIGINT", "_c1 VARCHAR"));
  EXPECT_THAT(rows_of(con, sql), ElementsAre("1|a;b", "2|c"));
}

TEST_F(SourceBatchFiles, GlobAndPathGlobFilterSelectFiles) {
  write_file(dir / "in/a.csv", "v\n1\n");
  write_file(dir / "in/b.txt", "v\n2\n");
  write_file(dir / "in/c.csv", "v\n3\n");
  auto by_glob =
      make_source(file_entity("csv", (dir / "in/*.csv").string(), {{"header", "true"}}), context());
  EXPECT_THAT(rows_of(con, by_glob->full_sql(con)), ElementsAre("1", "3"));
  auto by_filter = make_source(
      file_entity("csv", (dir / "in").string(), {{"header", "true"}, {"pathGlobFilter", "*.txt"}}),
      context());
  EXPECT_THAT(rows_of(con, by_filter->full_sql(con)), ElementsAre("2"));
}

TEST_F(SourceBatchFiles, JsonInfersTypesAndParquetKeepsItsSchema) {
  write_file(dir / "j/a.json", "{\"id\": 1, \"tags\": [\"a\"]}\n{\"id\": 2, \"tags\": []}\n");
  auto json = make_source(file_entity("json", (dir / "j").string()), context());
  const auto jsql = json->full_sql(con);
  EXPECT_THAT(columns_of(con, jsql), ElementsAre("id BIGINT", "tags VARCHAR[]"));
  EXPECT_THAT(rows_of(con, "SELECT id, tags::VARCHAR FROM (" + jsql + ")"),
              ElementsAre("1|[a]", "2|[]"));

  con.execute("COPY (SELECT 7::INTEGER AS n, 'q' AS s) TO '" + (dir / "p.parquet").string() +
              "' (FORMAT parquet)");
  auto parquet = make_source(file_entity("parquet", (dir / "p.parquet").string()), context());
  const auto psql = parquet->full_sql(con);
  EXPECT_THAT(columns_of(con, psql), ElementsAre("n INTEGER", "s VARCHAR"));
  EXPECT_THAT(rows_of(con, psql), ElementsAre("7|q"));
}

// Spark's TIMESTAMP is TIMESTAMP_LTZ: a UTC-adjusted instant (Delta `timestamp`, as Databricks
// writes it). Inferred timestamps and source_schema's TIMESTAMP are held as DuckDB TIMESTAMP WITH
// TIME ZONE; only TIMESTAMP_NTZ stays a wall-clock TIMESTAMP (Delta `timestamp_ntz`).
TEST_F(SourceBatchFiles, InferredAndDeclaredTimestampsAreUtcInstantsUnlessNtz) {
  con.execute("SET TimeZone = 'UTC'");
  write_file(dir / "c/a.csv", "id,ts\n1,2024-01-02 03:04:05\n");
  auto csv = make_source(
      file_entity("csv", (dir / "c").string(), {{"header", "true"}, {"inferSchema", "true"}}),
      context());
  const auto csql = csv->full_sql(con);
  EXPECT_THAT(columns_of(con, csql), ElementsAre("id BIGINT", "ts TIMESTAMP WITH TIME ZONE"));
  EXPECT_THAT(rows_of(con, "SELECT CAST(epoch(ts) AS BIGINT) FROM (" + csql + ")"),
              ElementsAre("1704164645"));

  write_file(dir / "j/a.json", "{\"ts\": \"2024-01-02 03:04:05\"}\n");
  auto json = make_source(file_entity("json", (dir / "j").string()), context());
  EXPECT_THAT(columns_of(con, json->full_sql(con)), ElementsAre("ts TIMESTAMP WITH TIME ZONE"));

  std::filesystem::create_directories(dir / "empty");
  auto e = file_entity("csv", (dir / "empty").string());
  e.source_schema = "a TIMESTAMP, b TIMESTAMP_NTZ, c ARRAY<TIMESTAMP>, d STRUCT<x: TIMESTAMP_NTZ>";
  auto declared = make_source(e, context());
  EXPECT_THAT(columns_of(con, declared->full_sql(con)),
              ElementsAre("a TIMESTAMP WITH TIME ZONE", "b TIMESTAMP",
                          "c TIMESTAMP WITH TIME ZONE[]", "d STRUCT(x TIMESTAMP)"));
}

TEST_F(SourceBatchFiles, FingerprintChangesWhenAFileIsAdded) {
  write_file(dir / "in/a.csv", "v\n1\n");
  auto src =
      make_source(file_entity("csv", (dir / "in").string(), {{"header", "true"}}), context());
  const auto before = src->fingerprint();
  EXPECT_EQ(before, src->fingerprint());
  write_file(dir / "in/b.csv", "v\n2\n");
  EXPECT_NE(before, src->fingerprint());
}

TEST_F(SourceBatchFiles, MetadataColumnIsHiddenAndOnlyWhenReferenced) {
  write_file(dir / "in/a.csv", "v\n1\n");
  auto plain =
      make_source(file_entity("csv", (dir / "in").string(), {{"header", "true"}}), context());
  EXPECT_TRUE(plain->hidden_columns().empty());
  auto e = file_entity("csv", (dir / "in").string(), {{"header", "true"}});
  e.select_expr = {"*", "_metadata.file_name AS f"};
  auto src = make_source(e, context());
  EXPECT_THAT(src->hidden_columns(), ElementsAre("_metadata"));
  const auto sql = src->full_sql(con);
  auto rows = rows_of(con,
                      "SELECT v, _metadata.file_name, _metadata.file_size, "
                      "_metadata.file_path = '" +
                          (dir / "in/a.csv").string() + "' FROM (" + sql + ")");
  EXPECT_THAT(rows, ElementsAre("1|a.csv|4|true"));
}

TEST_F(SourceBatchFiles, UnknownOptionIsInvalidMetadataNamingIt) {
  try {
    make_source(file_entity("csv", dir.str(), {{"hedaer", "true"}}), context());
    FAIL() << "expected InvalidMetadataError";
  } catch (const InvalidMetadataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("'hedaer'"));
    EXPECT_THAT(e.what(), HasSubstr("did you mean header"));
    EXPECT_EQ(e.exit_code(), ExitCode::kInvalidMetadata);
  }
  EXPECT_THROW(make_source(file_entity("csv", dir.str(), {{"header", "maybe"}}), context()),
               InvalidMetadataError);
}

TEST_F(SourceBatchFiles, EmptyDirectoryNeedsASchemaAndMissingPathIsNotFound) {
  std::filesystem::create_directories(dir / "empty");
  auto src = make_source(file_entity("csv", (dir / "empty").string()), context());
  EXPECT_THAT([&] { src->full_sql(con); },
              ::testing::ThrowsMessage<Error>(HasSubstr("unable to infer a schema")));
  auto e = file_entity("csv", (dir / "empty").string());
  e.source_schema = "id INT, name STRING";
  auto with_schema = make_source(e, context());
  const auto sql = with_schema->full_sql(con);
  EXPECT_THAT(columns_of(con, sql), ElementsAre("id INTEGER", "name VARCHAR"));
  EXPECT_TRUE(rows_of(con, sql).empty());
  auto missing = make_source(file_entity("csv", (dir / "nope").string()), context());
  EXPECT_THROW(missing->full_sql(con), NotFoundError);
}

TEST_F(SourceBatchFiles, OrcIsNotSupportedByTheLocalEngine) {
  EXPECT_THAT(
      [&] { make_source(file_entity("orc", dir.str()), context()); },
      ::testing::ThrowsMessage<Error>(HasSubstr("orc is not supported by the local engine")));
  // kafka is (sources_kafka_test.cpp); without brokers it is invalid metadata.
  EXPECT_THAT([&] { make_source(file_entity("kafka", "topic"), context()); },
              ::testing::ThrowsMessage<InvalidMetadataError>(
                  HasSubstr("needs the read option kafka.bootstrap.servers")));
}

TEST_F(SourceBatchFiles, TextReadsOneRowPerLine) {
  write_file(dir / "t.txt", "hello\r\nworld\n");
  auto src = make_source(file_entity("text", (dir / "t.txt").string()), context());
  const auto sql = src->full_sql(con);
  EXPECT_THAT(columns_of(con, sql), ElementsAre("value VARCHAR"));
  EXPECT_THAT(rows_of(con, sql), ElementsAre("hello", "world"));
}

TEST_F(SourceBatchFiles, CsvRescuedDataColumnKeepsExtraValuesPastTheSniffersSample) {
  std::string text = "id,v\n";
  for (int i = 1; i <= 3000; ++i)
    text += std::to_string(i) + ",x" + (i == 2049 ? ",late" : "") + "\n";
  write_file(dir / "in/a.csv", text);
  auto src = make_source(file_entity("csv", (dir / "in").string(),
                                     {{"header", "true"}, {"rescuedDataColumn", "_rescued"}}),
                         context());
  const auto sql = src->full_sql(con);
  EXPECT_THAT(rows_of(con, "SELECT id, _rescued::JSON->>'column2' FROM (" + sql +
                               ") WHERE _rescued IS NOT NULL"),
              ElementsAre("2049|late"));
}

}  // namespace
}  // namespace dls::pipeline

// cloudFiles (Auto Loader): incremental discovery, exactly-once offsets, schema inference and
// evolution, rescued data, malformed records.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "dls/core/error.h"
#include "dls/pipeline/source.h"
#include "pipeline/sources_test_support.h"
#include "support/test_support.h"

namespace dls::pipeline {
namespace {

namespace fs = std::filesystem;
using dls::testing::TempDir;
using dls::testing::write_file;
using testing::columns_of;
using ::testing::ElementsAre;
using testing::file_entity;
using ::testing::HasSubstr;
using testing::rows_of;

class SourceCloudFiles : public ::testing::Test {
 protected:
  TempDir dir;
  sql::Database db;
  sql::Connection con = db.connect();
  SourceContext context() { return {dir / "state", {}, {}}; }

  // Writes a file with a modification time `age` seconds in the past (older first).
  void put(const std::string& name, const std::string& content, int age) {
    write_file(dir / "in" / name, content);
    fs::last_write_time(dir / "in" / name,
                        fs::file_time_type::clock::now() - std::chrono::seconds(age));
  }
  std::unique_ptr<Source> source(StringMap options) {
    return make_source(file_entity("cloudFiles", (dir / "in").string(), std::move(options)),
                       context());
  }
  std::vector<std::string> read(Source& src, const nlohmann::json& offsets) {
    return rows_of(con, src.batch(con, offsets).sql);
  }
};

StringMap csv(StringMap more = {}) {
  more["cloudFiles.format"] = "csv";
  more["header"] = "true";
  return more;
}

TEST_F(SourceCloudFiles, DiscoversOnlyNewFilesExactlyOnce) {
  put("a.csv", "id,v\n1,x\n", 30);
  put("b.csv", "id,v\n2,y\n", 20);
  auto src = source(csv());
  auto first = src->plan(nullptr);
  ASSERT_TRUE(first);
  EXPECT_EQ((*first)["files"].size(), 2u);
  EXPECT_THAT(read(*src, *first), ElementsAre("1|x|NULL", "2|y|NULL"));
  EXPECT_FALSE(src->plan(*first)) << "nothing new";

  put("c.csv", "id,v\n3,z\n", 10);
  auto second = src->plan(*first);
  ASSERT_TRUE(second);
  ASSERT_EQ((*second)["files"].size(), 1u);
  EXPECT_THAT((*second)["files"][0]["path"].get<std::string>(), HasSubstr("c.csv"));
  EXPECT_THAT(read(*src, *second), ElementsAre("3|z|NULL"));
  EXPECT_FALSE(src->plan(*second));
}

TEST_F(SourceCloudFiles, SameOffsetsReadTheSameRowsAgain) {
  put("a.csv", "id,v\n1,x\n", 30);
  auto src = source(csv());
  auto offsets = src->plan(nullptr);
  ASSERT_TRUE(offsets);
  const auto once = read(*src, *offsets);
  put("b.csv", "id,v,extra\n2,y,e\n", 20);  // arrives after planning: not in this batch
  auto again = make_source(file_entity("cloudFiles", (dir / "in").string(), csv()), context());
  sql::Connection other = db.connect();
  EXPECT_EQ(rows_of(other, again->batch(other, *offsets).sql), once);
  EXPECT_EQ(read(*src, *offsets), once);
}

TEST_F(SourceCloudFiles, MaxFilesPerTriggerTakesOldestFirst) {
  put("z.csv", "id\n1\n", 30);
  put("a.csv", "id\n2\n", 20);
  put("m.csv", "id\n3\n", 10);
  auto src = source(csv({{"cloudFiles.maxFilesPerTrigger", "2"}}));
  auto b1 = src->plan(nullptr);
  ASSERT_TRUE(b1);
  EXPECT_THAT(read(*src, *b1), ElementsAre("1|NULL", "2|NULL"));
  // The backlog (Auto Loader's backlog_files/backlog_bytes): what the plan left for later.
  ASSERT_TRUE(src->backlog());
  EXPECT_EQ(src->backlog()->files, 1);
  EXPECT_EQ(src->backlog()->bytes, 5);
  auto b2 = src->plan(*b1);
  ASSERT_TRUE(b2);
  EXPECT_THAT(read(*src, *b2), ElementsAre("3|NULL"));
  EXPECT_EQ(src->backlog()->files, 0);
  EXPECT_FALSE(src->plan(*b2));
  EXPECT_EQ(src->backlog()->bytes, 0);
}

TEST_F(SourceCloudFiles, SchemaIsInferredAsStringsAndPersistedWhenTheBatchIsRead) {
  put("a.csv", "id,v\n1,x\n", 30);
  auto src = source(csv());
  auto offsets = src->plan(nullptr);
  EXPECT_FALSE(fs::exists(dir / "state/_schemas/0.json")) << "plan() must not change state";
  auto batch = src->batch(con, *offsets);
  EXPECT_TRUE(fs::exists(dir / "state/_schemas/0.json"));
  EXPECT_THAT(columns_of(con, batch.sql),
              ElementsAre("id VARCHAR", "v VARCHAR", "_rescued_data VARCHAR"));
  EXPECT_EQ(batch.input_files, 1);
}

TEST_F(SourceCloudFiles, AddNewColumnsEvolvesTheSchemaAndReadsTheBatchWithIt) {
  put("a.csv", "id,v\n1,x\n", 30);
  auto src = source(csv());
  auto b1 = src->plan(nullptr);
  src->batch(con, *b1);
  put("b.csv", "id,v,extra\n2,y,e\n", 20);
  auto b2 = src->plan(*b1);
  ASSERT_TRUE(b2);
  EXPECT_EQ((*b2)["schema_version"], 1);
  const auto batch = src->batch(con, *b2);
  EXPECT_THAT(columns_of(con, batch.sql),
              ElementsAre("id VARCHAR", "v VARCHAR", "extra VARCHAR", "_rescued_data VARCHAR"));
  EXPECT_THAT(rows_of(con, batch.sql), ElementsAre("2|y|e|NULL"));
  EXPECT_TRUE(fs::exists(dir / "state/_schemas/1.json"));
  // A new source (next run) without committed offsets starts from the persisted schema.
  auto fresh = source(csv());
  put("c.csv", "id\n3\n", 10);
  auto b3 = fresh->plan(*b2);
  EXPECT_THAT(rows_of(con, fresh->batch(con, *b3).sql), ElementsAre("3|NULL|NULL|NULL"));
}

TEST_F(SourceCloudFiles, RescueModeKeepsTheSchemaAndRescuesNewColumns) {
  put("a.csv", "id,v\n1,x\n", 30);
  auto src = source(csv({{"cloudFiles.schemaEvolutionMode", "rescue"}}));
  auto b1 = src->plan(nullptr);
  src->batch(con, *b1);
  put("b.csv", "id,v,extra\n2,y,e\n", 20);
  auto b2 = src->plan(*b1);
  const auto batch = src->batch(con, *b2);
  EXPECT_THAT(columns_of(con, batch.sql),
              ElementsAre("id VARCHAR", "v VARCHAR", "_rescued_data VARCHAR"));
  auto rows = con.query(
                     "SELECT _rescued_data::JSON->>'extra', _rescued_data::JSON->>'_file_path' "
                     "FROM (" +
                     batch.sql + ")")
                  .rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0].as_string(), "e");
  EXPECT_THAT(rows[0][1].as_string(), HasSubstr("b.csv"));
}

TEST_F(SourceCloudFiles, FailOnNewColumnsFailsThePlanNamingTheColumn) {
  put("a.csv", "id,v\n1,x\n", 30);
  auto src = source(csv({{"cloudFiles.schemaEvolutionMode", "failOnNewColumns"}}));
  auto b1 = src->plan(nullptr);
  src->batch(con, *b1);
  put("b.csv", "id,v,extra\n2,y,e\n", 20);
  EXPECT_THAT([&] { src->plan(*b1); },
              ::testing::ThrowsMessage<Error>(HasSubstr("new columns [extra]")));
}

TEST_F(SourceCloudFiles, NoneModeDropsNewColumnsWithoutRescue) {
  put("a.csv", "id,v\n1,x\n", 30);
  auto src = source(csv({{"cloudFiles.schemaEvolutionMode", "none"}}));
  auto b1 = src->plan(nullptr);
  EXPECT_THAT(columns_of(con, src->batch(con, *b1).sql), ElementsAre("id VARCHAR", "v VARCHAR"));
  put("b.csv", "id,v,extra\n2,y,e\n", 20);
  auto b2 = src->plan(*b1);
  EXPECT_THAT(read(*src, *b2), ElementsAre("2|y"));
}

TEST_F(SourceCloudFiles, InferColumnTypesAndSchemaHintsRescueTypeMismatches) {
  put("a.csv", "id,amount\n1,2.5\n", 30);
  auto src = source(csv({{"cloudFiles.inferColumnTypes", "true"},
                         {"cloudFiles.schemaHints", "amount DECIMAL(10,2)"}}));
  auto b1 = src->plan(nullptr);
  const auto batch = src->batch(con, *b1);
  EXPECT_THAT(columns_of(con, batch.sql),
              ElementsAre("id BIGINT", "amount DECIMAL(10,2)", "_rescued_data VARCHAR"));
  put("b.csv", "id,amount\nx,3\n", 20);
  auto b2 = src->plan(*b1);
  const auto sql2 = src->batch(con, *b2).sql;
  auto rows =
      con.query("SELECT id, amount::VARCHAR, _rescued_data::JSON->>'id' FROM (" + sql2 + ")")
          .rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(rows[0][0].is_null());
  EXPECT_EQ(rows[0][1].as_string(), "3.00");
  EXPECT_EQ(rows[0][2].as_string(), "x");
}

TEST_F(SourceCloudFiles, MalformedJsonIsRescuedDroppedOrFailsPerMode) {
  put("a.json", "{\"id\": 1}\nnot json\n{\"id\": 2, \"more\": {\"k\": true}}\n", 30);
  auto permissive = source({{"cloudFiles.format", "json"}});
  auto offsets = permissive->plan(nullptr);
  const auto sql = permissive->batch(con, *offsets).sql;
  EXPECT_THAT(columns_of(con, sql),
              ElementsAre("id VARCHAR", "more VARCHAR", "_rescued_data VARCHAR"));
  auto rows = con.query("SELECT id, more, _rescued_data::JSON->>'_corrupt_record' FROM (" + sql +
                        ") ORDER BY id NULLS FIRST")
                  .rows();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_TRUE(rows[0][0].is_null());
  EXPECT_EQ(rows[0][2].as_string(), "not json");
  EXPECT_EQ(rows[2][1].as_string(), "{\"k\":true}");

  auto drop = source({{"cloudFiles.format", "json"}, {"mode", "DROPMALFORMED"}});
  EXPECT_EQ(rows_of(con, drop->batch(con, *drop->plan(nullptr)).sql).size(), 2u);

  auto fail = source({{"cloudFiles.format", "json"}, {"mode", "FAILFAST"}});
  const auto fail_sql = fail->batch(con, *fail->plan(nullptr)).sql;
  EXPECT_THAT([&] { con.query(fail_sql); },
              ::testing::ThrowsMessage<Error>(HasSubstr("malformed json record")));
}

TEST_F(SourceCloudFiles, CsvRowWithTooManyValuesIsRescued) {
  put("a.csv", "id,v\n1,x\n2,y,surplus\n", 30);
  auto src = source(csv());
  const auto sql = src->batch(con, *src->plan(nullptr)).sql;
  auto rows = con.query(
                     "SELECT id, v, _rescued_data IS NOT NULL, _rescued_data LIKE '%surplus%' "
                     "FROM (" +
                     sql + ") ORDER BY id")
                  .rows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_FALSE(rows[0][2].as_bool());
  EXPECT_TRUE(rows[1][3].as_bool());
}

// A CSV of `rows` data rows `id,v` where the data row `odd` (1-based) has two values more than
// the header: DuckDB's sniffer sizes rows from a sample of ~2,048 rows, so row 2,049 and later must
// be found by reading the whole file.
std::string csv_with_a_wide_row(size_t rows, size_t odd) {
  std::string text = "id,v\n";
  text.reserve(rows * 16);
  for (size_t i = 1; i <= rows; ++i) {
    text += std::to_string(i) + ",x";
    if (i == odd) text += ",surplus,more";
    text += "\n";
  }
  return text;
}

class CsvWideRow : public SourceCloudFiles, public ::testing::WithParamInterface<size_t> {};

TEST_P(CsvWideRow, ExtraValuesAreRescuedWhereverTheRowIs) {
  const size_t odd = GetParam();
  put("a.csv", csv_with_a_wide_row(std::max<size_t>(odd, 3000), odd), 30);
  auto src = source(csv());
  const auto sql = src->batch(con, *src->plan(nullptr)).sql;
  EXPECT_THAT(columns_of(con, sql),
              ElementsAre("id VARCHAR", "v VARCHAR", "_rescued_data VARCHAR"));
  auto rows = con.query(
                     "SELECT id, v, _rescued_data::JSON->>'column2', "
                     "_rescued_data::JSON->>'column3' FROM (" +
                     sql + ") WHERE _rescued_data IS NOT NULL")
                  .rows();
  ASSERT_EQ(rows.size(), 1u) << "exactly the wide row is rescued";
  EXPECT_EQ(rows[0][0].as_string(), std::to_string(odd));
  EXPECT_EQ(rows[0][1].as_string(), "x");
  EXPECT_EQ(rows[0][2].as_string(), "surplus");
  EXPECT_EQ(rows[0][3].as_string(), "more");
}

INSTANTIATE_TEST_SUITE_P(OddRowAt, CsvWideRow, ::testing::Values(1u, 2049u, 1000000u));

TEST_F(SourceCloudFiles, CsvRowWiderThanEightExtraValuesIsRescuedWhole) {
  std::string text = "id\n1\n2";
  for (int i = 0; i < 40; ++i) text += ",e" + std::to_string(i);
  put("a.csv", text + "\n", 30);
  auto src = source(csv());
  const auto sql = src->batch(con, *src->plan(nullptr)).sql;
  auto rows = con.query(
                     "SELECT _rescued_data::JSON->>'column1', _rescued_data::JSON->>'column40' "
                     "FROM (" +
                     sql + ") WHERE id = '2'")
                  .rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0].as_string(), "e0");
  EXPECT_EQ(rows[0][1].as_string(), "e39");
}

TEST_F(SourceCloudFiles, CsvTypesAreInferredFromEveryRowNotASample) {
  // Spark's inferSchema reads every row: a text value at row 25,000 makes the column a STRING
  // (DuckDB's sample of 20,480 rows would make it BIGINT and the value a type mismatch).
  std::string text = "id,n\n";
  for (int i = 1; i <= 30000; ++i) {
    text += std::to_string(i) + "," + (i == 25000 ? "n/a" : "7") + "\n";
  }
  put("a.csv", text, 30);
  auto src = source(csv({{"cloudFiles.inferColumnTypes", "true"}}));
  const auto sql = src->batch(con, *src->plan(nullptr)).sql;
  EXPECT_THAT(columns_of(con, sql), ElementsAre("id BIGINT", "n VARCHAR", "_rescued_data VARCHAR"));
  EXPECT_THAT(rows_of(con, "SELECT n FROM (" + sql + ") WHERE id = 25000"), ElementsAre("n/a"));
}

TEST_F(SourceCloudFiles, EmptyOrMissingDirectory) {
  fs::create_directories(dir / "in");
  auto src = source(csv());
  EXPECT_FALSE(src->plan(nullptr)) << "an empty directory has no new input";
  auto missing =
      make_source(file_entity("cloudFiles", (dir / "missing").string(), csv()), context());
  EXPECT_THROW(missing->plan(nullptr), NotFoundError);
}

TEST_F(SourceCloudFiles, UnreadableFileIsAClearErrorNotACrash) {
  put("a.parquet", "this is not parquet", 30);
  auto src = source({{"cloudFiles.format", "parquet"}});
  EXPECT_THAT([&] { src->plan(nullptr); }, ::testing::ThrowsMessage<Error>(HasSubstr("a.parquet")));
}

TEST_F(SourceCloudFiles, ParquetAndTextFormats) {
  fs::create_directories(dir / "in");
  con.execute("COPY (SELECT 1::INTEGER AS n) TO '" + (dir / "in/a.parquet").string() +
              "' (FORMAT parquet)");
  auto pq = source({{"cloudFiles.format", "parquet"}});
  auto b1 = pq->plan(nullptr);
  EXPECT_THAT(read(*pq, *b1), ElementsAre("1|NULL"));
  con.execute("COPY (SELECT 2::INTEGER AS n, 'new' AS s) TO '" + (dir / "in/b.parquet").string() +
              "' (FORMAT parquet)");
  auto b2 = pq->plan(*b1);
  EXPECT_THAT(read(*pq, *b2), ElementsAre("2|new|NULL"));

  TempDir other;
  write_file(other / "log.txt", "line 1\nline 2\n");
  auto text = make_source(file_entity("cloudFiles", other.str(), {{"cloudFiles.format", "text"}}),
                          SourceContext{other / "state", {}, {}});
  EXPECT_THAT(rows_of(con, text->batch(con, *text->plan(nullptr)).sql),
              ElementsAre("line 1", "line 2"));
}

TEST_F(SourceCloudFiles, OptionErrorsAreInvalidMetadata) {
  EXPECT_THROW(source({{"header", "true"}}), InvalidMetadataError);  // no cloudFiles.format
  EXPECT_THROW(source(csv({{"cloudFiles.maxFilesPerTriger", "2"}})), InvalidMetadataError);
  EXPECT_THROW(source(csv({{"cloudFiles.schemaEvolutionMode", "sometimes"}})),
               InvalidMetadataError);
  EXPECT_THROW(source(csv({{"cloudFiles.maxFilesPerTrigger", "0"}})), InvalidMetadataError);
}

}  // namespace
}  // namespace dls::pipeline

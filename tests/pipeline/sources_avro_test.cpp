// Avro through avro-c: batch `avro` and cloudFiles.format avro.
#include <avro.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "dls/core/error.h"
#include "dls/pipeline/source.h"
#include "pipeline/sources_test_support.h"
#include "support/test_support.h"

namespace dls::pipeline {
namespace {

using dls::testing::TempDir;
using testing::columns_of;
using ::testing::ElementsAre;
using testing::file_entity;
using ::testing::HasSubstr;
using testing::rows_of;

const char* kSchema = R"({"type": "record", "name": "r", "fields": [
  {"name": "id", "type": "long"},
  {"name": "name", "type": ["null", "string"]},
  {"name": "score", "type": "double"},
  {"name": "ok", "type": "boolean"},
  {"name": "n", "type": "int"},
  {"name": "tags", "type": {"type": "array", "items": "string"}},
  {"name": "attrs", "type": {"type": "map", "values": "int"}},
  {"name": "addr", "type": {"type": "record", "name": "a", "fields": [
    {"name": "city", "type": "string"}, {"name": "zip", "type": "int"}]}}]})";

// Writes rows (id, name or null) with fixed other values.
void write_avro(const std::string& path, const std::vector<std::pair<int64_t, const char*>>& rows) {
  avro_schema_t schema = nullptr;
  ASSERT_EQ(avro_schema_from_json_length(kSchema, std::strlen(kSchema), &schema), 0)
      << avro_strerror();
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  avro_file_writer_t writer = nullptr;
  ASSERT_EQ(avro_file_writer_create(path.c_str(), schema, &writer), 0) << avro_strerror();
  avro_value_iface_t* iface = avro_generic_class_from_schema(schema);
  avro_value_t rec;
  avro_generic_value_new(iface, &rec);
  for (const auto& [id, name] : rows) {
    avro_value_reset(&rec);
    avro_value_t f, b, e;
    avro_value_get_by_name(&rec, "id", &f, nullptr);
    avro_value_set_long(&f, id);
    avro_value_get_by_name(&rec, "name", &f, nullptr);
    if (name) {
      avro_value_set_branch(&f, 1, &b);
      avro_value_set_string(&b, name);
    } else {
      avro_value_set_branch(&f, 0, &b);
      avro_value_set_null(&b);
    }
    avro_value_get_by_name(&rec, "score", &f, nullptr);
    avro_value_set_double(&f, 1.5);
    avro_value_get_by_name(&rec, "ok", &f, nullptr);
    avro_value_set_boolean(&f, 1);
    avro_value_get_by_name(&rec, "n", &f, nullptr);
    avro_value_set_int(&f, 7);
    avro_value_get_by_name(&rec, "tags", &f, nullptr);
    avro_value_append(&f, &e, nullptr);
    avro_value_set_string(&e, "t1");
    avro_value_append(&f, &e, nullptr);
    avro_value_set_string(&e, "t2");
    avro_value_get_by_name(&rec, "attrs", &f, nullptr);
    avro_value_add(&f, "k", &e, nullptr, nullptr);
    avro_value_set_int(&e, 3);
    avro_value_get_by_name(&rec, "addr", &f, nullptr);
    avro_value_get_by_name(&f, "city", &e, nullptr);
    avro_value_set_string(&e, "Paris");
    avro_value_get_by_name(&f, "zip", &e, nullptr);
    avro_value_set_int(&e, 75001);
    ASSERT_EQ(avro_file_writer_append_value(writer, &rec), 0) << avro_strerror();
  }
  avro_file_writer_close(writer);
  avro_value_decref(&rec);
  avro_value_iface_decref(iface);
  avro_schema_decref(schema);
}

class SourceAvro : public ::testing::Test {
 protected:
  TempDir dir;
  sql::Database db;
  sql::Connection con = db.connect();
  SourceContext context() { return {dir / "state", {}, {}}; }
};

TEST_F(SourceAvro, BatchRoundTripOfPrimitivesUnionsRecordsArraysAndMaps) {
  write_avro((dir / "in/a.avro").string(), {{1, "x"}, {2, nullptr}});
  auto src = make_source(file_entity("avro", (dir / "in").string()), context());
  const auto sql = src->full_sql(con);
  EXPECT_THAT(columns_of(con, sql),
              ElementsAre("id BIGINT", "name VARCHAR", "score DOUBLE", "ok BOOLEAN", "n INTEGER",
                          "tags VARCHAR[]", "attrs MAP(VARCHAR, INTEGER)",
                          "addr STRUCT(city VARCHAR, zip INTEGER)"));
  EXPECT_THAT(rows_of(con,
                      "SELECT id, name, score, ok, n, tags::VARCHAR, attrs['k'], addr.city, "
                      "addr.zip FROM (" +
                          sql + ")"),
              ElementsAre("1|x|1.5|true|7|[t1, t2]|3|Paris|75001",
                          "2|NULL|1.5|true|7|[t1, t2]|3|Paris|75001"));
}

TEST_F(SourceAvro, CloudFilesAvroIsIncremental) {
  write_avro((dir / "in/a.avro").string(), {{1, "x"}});
  auto src = make_source(
      file_entity("cloudFiles", (dir / "in").string(), {{"cloudFiles.format", "avro"}}), context());
  auto b1 = src->plan(nullptr);
  ASSERT_TRUE(b1);
  EXPECT_THAT(
      rows_of(con, "SELECT id, name, _rescued_data FROM (" + src->batch(con, *b1).sql + ")"),
      ElementsAre("1|x|NULL"));
  write_avro((dir / "in/b.avro").string(), {{2, "y"}});
  auto b2 = src->plan(*b1);
  ASSERT_TRUE(b2);
  EXPECT_THAT(rows_of(con, "SELECT id, name FROM (" + src->batch(con, *b2).sql + ")"),
              ElementsAre("2|y"));
}

TEST_F(SourceAvro, NotAnAvroFileIsAClearError) {
  dls::testing::write_file(dir / "in/bad.avro", "nope");
  auto src = make_source(file_entity("avro", (dir / "in").string()), context());
  EXPECT_THAT([&] { src->full_sql(con); }, ::testing::ThrowsMessage<Error>(HasSubstr("bad.avro")));
}

}  // namespace
}  // namespace dls::pipeline

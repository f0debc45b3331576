// parse_ddl_schema: Spark DDL schema strings (`source_schema`, from_json schemas) -> columns with
// Spark and DuckDB types, nullability and comments; errors carry the position in the DDL text.
#include <gtest/gtest.h>

#include "dls/sql/spark/dialect.h"
#include "dls/sql/spark/parser.h"

namespace dls::sql::spark {
namespace {

using K = SparkType::Kind;

TEST(SparkDdlSchema, PrimitiveColumnsInOrderWithDuckDbTypes) {
  auto cols = parse_ddl_schema(
      "id INT, big BIGINT, small SMALLINT, tiny TINYINT, name STRING, ok BOOLEAN, d DATE, "
      "ts TIMESTAMP, ntz TIMESTAMP_NTZ, f FLOAT, x DOUBLE, raw BINARY");
  ASSERT_EQ(cols.size(), 12u);
  std::vector<std::string> names, duck;
  for (const auto& c : cols) {
    names.push_back(c.name);
    duck.push_back(c.duckdb_type);
    EXPECT_TRUE(c.nullable) << c.name;
    EXPECT_TRUE(c.comment.empty()) << c.name;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"id", "big", "small", "tiny", "name", "ok", "d", "ts",
                                             "ntz", "f", "x", "raw"}));
  EXPECT_EQ(duck, (std::vector<std::string>{"INTEGER", "BIGINT", "SMALLINT", "TINYINT", "VARCHAR",
                                            "BOOLEAN", "DATE", "TIMESTAMP", "TIMESTAMP", "FLOAT",
                                            "DOUBLE", "BLOB"}));
  EXPECT_TRUE(cols[0].spark_type.is(K::kInt));
  EXPECT_TRUE(cols[8].spark_type.is(K::kTimestampNtz));
}

TEST(SparkDdlSchema, TypeNamesAreCaseInsensitiveAndAcceptSparkAliases) {
  auto cols = parse_ddl_schema(
      "a integer, b Long, c short, d byte, e varchar(10), f char(3), "
      "g Real, h dec(5,1), i numeric");
  ASSERT_EQ(cols.size(), 9u);
  EXPECT_TRUE(cols[0].spark_type.is(K::kInt));
  EXPECT_TRUE(cols[1].spark_type.is(K::kBigInt));
  EXPECT_TRUE(cols[2].spark_type.is(K::kSmallInt));
  EXPECT_TRUE(cols[3].spark_type.is(K::kTinyInt));
  EXPECT_TRUE(cols[4].spark_type.is(K::kString));
  EXPECT_TRUE(cols[5].spark_type.is(K::kString));
  EXPECT_TRUE(cols[6].spark_type.is(K::kFloat));
  EXPECT_EQ(cols[7].spark_type, SparkType::decimal(5, 1));
  EXPECT_EQ(cols[8].spark_type, SparkType::decimal(10, 0));  // Spark's default DECIMAL
}

TEST(SparkDdlSchema, DecimalPrecisionAndScale) {
  auto cols = parse_ddl_schema("price DECIMAL(10,2), rate DECIMAL(38, 18), n DECIMAL(5)");
  ASSERT_EQ(cols.size(), 3u);
  EXPECT_EQ(cols[0].spark_type, SparkType::decimal(10, 2));
  EXPECT_EQ(cols[0].duckdb_type, "DECIMAL(10,2)");
  EXPECT_EQ(cols[1].spark_type, SparkType::decimal(38, 18));
  EXPECT_EQ(cols[2].spark_type, SparkType::decimal(5, 0));
  EXPECT_EQ(cols[0].spark_type.spark_name(), "DECIMAL(10,2)");
}

TEST(SparkDdlSchema, InvalidDecimalIsAnErrorAtTheType) {
  for (const char* ddl : {"p DECIMAL(39,2)", "p DECIMAL(5,6)", "p DECIMAL(0)"}) {
    try {
      parse_ddl_schema(ddl);
      ADD_FAILURE() << ddl << " was accepted";
    } catch (const SparkSyntaxError& e) {
      EXPECT_EQ(e.position(), 2u) << ddl << ": " << e.what();
      EXPECT_NE(std::string(e.what()).find("DECIMAL"), std::string::npos) << e.what();
    }
  }
}

TEST(SparkDdlSchema, NestedStructArrayMap) {
  auto cols = parse_ddl_schema(
      "address STRUCT<street: STRING, zip INT, geo: STRUCT<lat: DOUBLE, lon: DOUBLE>>, "
      "tags ARRAY<STRING>, matrix ARRAY<ARRAY<INT>>, attrs MAP<STRING, ARRAY<BIGINT>>, "
      "events ARRAY<STRUCT<at: TIMESTAMP, kind: STRING>>");
  ASSERT_EQ(cols.size(), 5u);
  const SparkType& addr = cols[0].spark_type;
  ASSERT_TRUE(addr.is(K::kStruct));
  ASSERT_EQ(addr.fields.size(), 3u);
  EXPECT_EQ(addr.fields[1].name, "zip");
  EXPECT_TRUE(addr.fields[1].type.is(K::kInt));
  ASSERT_TRUE(addr.fields[2].type.is(K::kStruct));
  EXPECT_TRUE(addr.fields[2].type.fields[0].type.is(K::kDouble));

  EXPECT_EQ(cols[1].spark_type, SparkType::array(SparkType::of(K::kString)));
  EXPECT_EQ(cols[1].duckdb_type, "VARCHAR[]");
  EXPECT_EQ(cols[2].spark_type, SparkType::array(SparkType::array(SparkType::of(K::kInt))));
  EXPECT_EQ(cols[2].duckdb_type, "INTEGER[][]");
  EXPECT_EQ(cols[3].spark_type,
            SparkType::map(SparkType::of(K::kString), SparkType::array(SparkType::of(K::kBigInt))));
  EXPECT_EQ(cols[3].duckdb_type, "MAP(VARCHAR, BIGINT[])");
  EXPECT_EQ(cols[3].spark_type.spark_name(), "MAP<STRING, ARRAY<BIGINT>>");
  ASSERT_TRUE(cols[4].spark_type.is(K::kArray));
  EXPECT_TRUE(cols[4].spark_type.element().is(K::kStruct));
  EXPECT_EQ(cols[4].spark_type.spark_name(), "ARRAY<STRUCT<at: TIMESTAMP, kind: STRING>>");
}

TEST(SparkDdlSchema, NestedTypesGiveDuckDbTypesThatDuckDbAccepts) {
  auto cols = parse_ddl_schema("s STRUCT<a: INT, `b c`: MAP<STRING, DECIMAL(10,2)>>");
  ASSERT_EQ(cols.size(), 1u);
  EXPECT_NE(cols[0].duckdb_type.find("STRUCT("), std::string::npos) << cols[0].duckdb_type;
  EXPECT_NE(cols[0].duckdb_type.find("\"b c\""), std::string::npos) << cols[0].duckdb_type;
  EXPECT_NE(cols[0].duckdb_type.find("MAP(VARCHAR, DECIMAL(10,2))"), std::string::npos)
      << cols[0].duckdb_type;
}

TEST(SparkDdlSchema, NotNullAndComment) {
  auto cols = parse_ddl_schema(
      "id BIGINT NOT NULL COMMENT 'surrogate key', name STRING COMMENT \"full name\", "
      "s STRUCT<a: INT NOT NULL COMMENT 'inner', b STRING>");
  ASSERT_EQ(cols.size(), 3u);
  EXPECT_FALSE(cols[0].nullable);
  EXPECT_EQ(cols[0].comment, "surrogate key");
  EXPECT_TRUE(cols[1].nullable);
  EXPECT_EQ(cols[1].comment, "full name");
  ASSERT_EQ(cols[2].spark_type.fields.size(), 2u);
  EXPECT_FALSE(cols[2].spark_type.fields[0].nullable);
  EXPECT_EQ(cols[2].spark_type.fields[0].comment, "inner");
  EXPECT_TRUE(cols[2].spark_type.fields[1].nullable);
}

TEST(SparkDdlSchema, CommentKeepsEscapesAndQuotes) {
  auto cols = parse_ddl_schema(R"(a INT COMMENT 'it\'s a "key"')");
  ASSERT_EQ(cols.size(), 1u);
  EXPECT_EQ(cols[0].comment, "it's a \"key\"");
}

TEST(SparkDdlSchema, BacktickedNames) {
  auto cols = parse_ddl_schema("`order id` INT, `select` STRING, `a``b` DOUBLE, `Mixed.Case` INT");
  ASSERT_EQ(cols.size(), 4u);
  EXPECT_EQ(cols[0].name, "order id");
  EXPECT_EQ(cols[1].name, "select");
  EXPECT_EQ(cols[2].name, "a`b");
  EXPECT_EQ(cols[3].name, "Mixed.Case");
}

TEST(SparkDdlSchema, WhitespaceAndNewlinesAreFree) {
  auto cols = parse_ddl_schema("\n  id INT,\n\tname   STRING  \n");
  ASSERT_EQ(cols.size(), 2u);
  EXPECT_EQ(cols[1].name, "name");
}

TEST(SparkDdlSchema, EmptySchemaIsInvalidMetadata) {
  EXPECT_THROW(parse_ddl_schema(""), InvalidMetadataError);
  EXPECT_THROW(parse_ddl_schema("   \n"), InvalidMetadataError);
}

TEST(SparkDdlSchema, DuplicateColumnsAreRejectedIgnoringCase) {
  try {
    parse_ddl_schema("id INT, name STRING, ID BIGINT");
    ADD_FAILURE() << "duplicate accepted";
  } catch (const InvalidMetadataError& e) {
    EXPECT_NE(std::string(e.what()).find("duplicate column 'ID'"), std::string::npos) << e.what();
  }
}

// The position of a syntax error, relative to the DDL text the user wrote.
size_t error_position(const std::string& ddl) {
  try {
    parse_ddl_schema(ddl);
  } catch (const SparkSyntaxError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("at position " + std::to_string(e.position())), std::string::npos) << what;
    EXPECT_NE(what.find(ddl.substr(0, 10)), std::string::npos) << "quotes the input: " << what;
    return e.position();
  }
  ADD_FAILURE() << "'" << ddl << "' was accepted";
  return std::string::npos;
}

TEST(SparkDdlSchema, UnknownTypeIsAnErrorAtItsPosition) {
  EXPECT_EQ(error_position("id INT, name STRNG"), 13u);
  EXPECT_EQ(error_position("id INT, tags ARRAY<STRNG>"), 19u);
}

TEST(SparkDdlSchema, MalformedSchemasReportWhereTheyBreak) {
  EXPECT_EQ(error_position("id INT,"), 7u);              // missing column after ','
  EXPECT_EQ(error_position("id INT name STRING"), 7u);   // missing ','
  EXPECT_EQ(error_position("id"), 2u);                   // missing type
  EXPECT_EQ(error_position("tags ARRAY<STRING"), 17u);   // unclosed '<'
  EXPECT_EQ(error_position("m MAP<STRING>"), 12u);       // MAP needs two types
  EXPECT_EQ(error_position("p DECIMAL(10,"), 13u);       // missing scale
  EXPECT_EQ(error_position("id INT NOT NUL"), 11u);      // NOT without NULL
  EXPECT_EQ(error_position("id INT COMMENT 42"), 15u);   // comment must be a string
  EXPECT_EQ(error_position("`unterminated INT"), 0u);    // unterminated backtick
  EXPECT_EQ(error_position("s STRUCT<a INT, b>"), 17u);  // field without a type
}

TEST(SparkDdlSchema, ParseTypeAcceptsStandaloneTypes) {
  EXPECT_EQ(parse_type("ARRAY<STRUCT<col: BIGINT>>").spark_name(), "ARRAY<STRUCT<col: BIGINT>>");
  EXPECT_EQ(parse_type("map<string,int>"),
            SparkType::map(SparkType::of(K::kString), SparkType::of(K::kInt)));
  EXPECT_THROW(parse_type("ARRAY<>"), SparkSyntaxError);
}

}  // namespace
}  // namespace dls::sql::spark

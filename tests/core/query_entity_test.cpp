// The entity fields query and where_clause in the model: decoding defaults, validation of
// contradictory combinations, round trips through JSON and YAML, and a hash that does not change
// for entities that do not use them.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "dls/core/content_hash.h"
#include "dls/core/entity_codec.h"
#include "dls/core/error.h"
#include "dls/core/validation.h"

namespace dls {
namespace {

std::string errors_of(const std::string& yaml) {
  try {
    entity_from_yaml(YAML::Load(yaml), {"e.yml"});
  } catch (const MetadataErrors& e) {
    return e.what();
  }
  return "";
}

TEST(QueryEntity, AQueryEntityHasSourceFormatSqlAndIsAMaterializedViewByDefault) {
  DeltaLiveEntity e = entity_from_yaml(YAML::Load(
      "entity_id: gold\ndestination: revenue\nquery: SELECT sum(amount) AS t FROM orders\n"
      "where_clause: [\"t > 0\"]\n"));
  EXPECT_EQ(e.source_format, "sql");
  EXPECT_FALSE(e.is_streaming);
  EXPECT_EQ(e.source, "");
  EXPECT_EQ(e.where_clause, (StringList{"t > 0"}));
  EXPECT_TRUE(validate(e).empty());

  DeltaLiveEntity s = entity_from_yaml(YAML::Load(
      "entity_id: s\ndestination: s\nis_streaming: true\nquery: SELECT * FROM STREAM(orders)\n"));
  EXPECT_TRUE(s.is_streaming);
}

TEST(QueryEntity, RoundTripsThroughJsonAndYaml) {
  DeltaLiveEntity e;
  e.entity_id = "gold";
  e.destination = "revenue";
  e.query = "SELECT 1 AS one FROM orders";
  e.where_clause = {"one = 1", "one IS NOT NULL"};
  e.is_streaming = false;
  normalize(e);
  EXPECT_EQ(entity_from_json(to_json(e)), e);
  EXPECT_EQ(entity_from_yaml(YAML::Load(to_yaml(e))), e) << to_yaml(e);
}

TEST(QueryEntity, ContradictoryCombinationsAreErrorsNamingTheField) {
  EXPECT_NE(errors_of("entity_id: g\ndestination: d\nsource: orders\nquery: SELECT 1\n")
                .find("source: 'orders' cannot be combined with query"),
            std::string::npos);
  EXPECT_NE(errors_of("entity_id: g\ndestination: d\nsource_format: delta\nquery: SELECT 1\n")
                .find("source_format: 'delta' cannot be combined with query"),
            std::string::npos);
  EXPECT_NE(errors_of("entity_id: g\ndestination: d\nquery: SELECT 1\n"
                      "read_options: {header: \"true\"}\n")
                .find("read_options: do not apply to an entity defined by a query"),
            std::string::npos);
  EXPECT_NE(errors_of("entity_id: g\ndestination: d\nsource_format: sql\n")
                .find("query: is required with source_format sql"),
            std::string::npos);
  EXPECT_NE(errors_of("entity_id: g\ndestination: d\nquery: \"  \"\n").find("query: is empty"),
            std::string::npos);
  EXPECT_NE(errors_of("entity_id: g\ndestination: d\nsource: s\nwhere_clause: [\"\"]\n")
                .find("where_clause[0]: must not be an empty string"),
            std::string::npos);
  EXPECT_NE(errors_of("entity_id: g\ndestination: d\n").find("source: is required"),
            std::string::npos);
}

TEST(QueryEntity, HashOfAnEntityWithoutTheNewFieldsIsUnchanged) {
  DeltaLiveEntity e;
  e.entity_id = "e";
  e.source = "/in";
  e.destination = "t";
  e.read_options = {{"cloudFiles.format", "csv"}};
  const std::string canonical = canonical_content(e);
  EXPECT_EQ(canonical.find("where_clause"), std::string::npos);
  EXPECT_EQ(canonical.find("query"), std::string::npos);
  DeltaLiveEntity filtered = e;
  filtered.where_clause = {"id > 0"};
  EXPECT_NE(content_hash(filtered), content_hash(e));
}

}  // namespace
}  // namespace dls

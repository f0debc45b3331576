#include "dls/core/entity_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/test_entities.h"
#include "dls/core/error.h"

namespace dls {
namespace {

using testing::full_entity;
using ::testing::HasSubstr;
using testing::simple_entity;

// The message of the MetadataErrors thrown by decoding `yaml` ("" when nothing is thrown).
std::string yaml_error(const std::string& yaml) {
  try {
    entity_from_yaml(YAML::Load(yaml), {"e.yml"});
  } catch (const MetadataErrors& e) {
    return e.what();
  }
  return "";
}

DeltaLiveEntity with_generated(DeltaLiveEntity e) {
  e.id = "2b7c6f1e-0000-4000-8000-000000000001";
  e.created_ts = 1704164645000006LL;
  e.expired_ts = 1704164645000007LL;
  e.created_by = "alice";
  e.modified_by = "bob";
  e.is_latest = false;
  e.hash = "abc";
  return e;
}

TEST(EntityCodec, JsonUsesSeedNamesAndIsoTimestamps) {
  nlohmann::json j = to_json(with_generated(full_entity()));
  EXPECT_EQ(j["entity_id"], "orders_silver");
  EXPECT_EQ(j["created_ts"], "2024-01-02T03:04:05.000006Z");
  EXPECT_EQ(j["apply_changes"]["stored_as_scd_type"], 2);
  EXPECT_EQ(j["expectations"]["expect_all"]["valid_id"], "id IS NOT NULL");
  EXPECT_TRUE(j["apply_changes"]["apply_as_truncates"].is_null());
  EXPECT_EQ(j.size(), 27u);
  EXPECT_EQ(j["apply_changes"].size(), 13u);
  EXPECT_TRUE(to_json(simple_entity())["group"].is_null());
}

TEST(EntityCodec, JsonRoundTripKeepsEveryField) {
  const DeltaLiveEntity e = with_generated(full_entity());
  EXPECT_EQ(entity_from_json(to_json(e)), e);
  EXPECT_EQ(entity_from_json(nlohmann::json::parse(to_json(e).dump())), e);
}

TEST(EntityCodec, JsonErrorsNameEntityAndField) {
  nlohmann::json j = to_json(simple_entity("5"));
  j["tags"] = nlohmann::json::array({"a"});
  j["colour"] = "red";
  try {
    entity_from_json(j);
    FAIL();
  } catch (const MetadataErrors& e) {
    ASSERT_EQ(e.errors().size(), 2u) << e.what();
    EXPECT_THAT(e.what(), HasSubstr("entity '5': colour: unknown key 'colour'"));
    EXPECT_THAT(e.what(),
                HasSubstr("entity '5': tags: expected a mapping of key: value, got a list"));
  }
}

TEST(EntityCodec, JsonArrayErrorsAreIndexed) {
  nlohmann::json arr = {to_json(simple_entity("1")), {{"entity_id", "2"}}};
  try {
    entities_from_json(arr);
    FAIL();
  } catch (const MetadataErrors& e) {
    EXPECT_THAT(e.what(), HasSubstr("[1] error: entity '2': source: is required"));
  }
  EXPECT_EQ(entities_from_json(to_json(simple_entity())).size(), 1u);
}

TEST(EntityCodec, YamlRoundTripDropsGeneratedColumns) {
  const DeltaLiveEntity e = full_entity();
  const std::string text = to_yaml(with_generated(e));
  EXPECT_THAT(text, ::testing::Not(::testing::ContainsRegex("(^|\n)id:")));
  for (const char* generated :
       {"created_ts", "expired_ts", "created_by", "modified_by", "is_latest", "hash"}) {
    EXPECT_THAT(text, ::testing::Not(HasSubstr(generated)));
  }
  EXPECT_EQ(entity_from_yaml(YAML::Load(text)), e) << text;
}

TEST(EntityCodec, YamlOmitsNullsAndEmptyValues) {
  const std::string text = to_yaml(simple_entity());
  for (const char* absent : {"source_schema", "comment", "group", "primary_keys", "tags",
                             "expectations", "apply_changes", "~", "null", "[]", "{}"}) {
    EXPECT_THAT(text, ::testing::Not(HasSubstr(absent))) << text;
  }
}

TEST(EntityCodec, YamlQuotesStringsThatLookLikeOtherTypes) {
  DeltaLiveEntity e = simple_entity("1");
  e.comment = "true";
  e.tags = {{"count", "3"}, {"none", "~"}};
  e.primary_keys = {"null"};
  const std::string text = to_yaml(e);
  EXPECT_THAT(text, HasSubstr("entity_id: \"1\""));
  EXPECT_EQ(entity_from_yaml(YAML::Load(text)), e) << text;
}

TEST(EntityCodec, YamlUnknownKeyHasLineColumnAndSuggestion) {
  EXPECT_THAT(yaml_error("entity_id: a\nsource: s\ndestination: d\nsoruce_format: csv\n"),
              HasSubstr("e.yml:4:1: error: entity 'a': soruce_format: unknown key 'soruce_format' "
                        "in an entity (did you mean source_format?)"));
  EXPECT_THAT(yaml_error("entity_id: a\nsource: s\ndestination: d\napply_changes:\n"
                         "  sequence_by: x\n  scd_type: 2\n"),
              HasSubstr("e.yml:6:3: error: entity 'a': apply_changes.scd_type: unknown key"));
}

TEST(EntityCodec, YamlWrongTypeHasLineColumn) {
  EXPECT_THAT(yaml_error("entity_id: a\nsource: s\ndestination: d\nread_options:\n  - x\n"),
              HasSubstr("e.yml:5:3: error: entity 'a': read_options: expected a mapping of key: "
                        "value, got a list"));
  EXPECT_THAT(yaml_error("entity_id: 1\nsource: s\ndestination: d\n"),
              HasSubstr("e.yml:1:12: error: entity_id: expected a string, got integer 1; quote it "
                        "(\"1\")"));
  EXPECT_THAT(yaml_error("entity_id: a\nsource: s\ndestination: d\nis_enabled: yes\n"),
              HasSubstr("e.yml:4:13: error: entity 'a': is_enabled: expected true or false, got "
                        "\"yes\" (YAML 1.1 spellings"));
  EXPECT_THAT(yaml_error("entity_id: a\nsource: s\ndestination: d\napply_changes:\n"
                         "  sequence_by: x\n  stored_as_scd_type: \"2\"\n"),
              HasSubstr("e.yml:6:23: error: entity 'a': apply_changes.stored_as_scd_type: expected "
                        "the integer 1 or 2"));
  EXPECT_THAT(yaml_error("- entity_id: a\n"), HasSubstr("e.yml:1:1: error: an entity must be a "
                                                        "mapping"));
}

TEST(EntityCodec, YamlBadEnumHasLineColumn) {
  EXPECT_THAT(yaml_error("entity_id: a\nsource: s\ndestination: d\ndestination_type: tabel\n"),
              HasSubstr("e.yml:4:19: error: entity 'a': destination_type: 'tabel' is not a "
                        "destination type"));
  EXPECT_THAT(
      yaml_error("entity_id: a\nsource: s\ndestination: d\napply_changes:\n"
                 "  sequence_by: x\n  stored_as_scd_type: 3\n"),
      HasSubstr("e.yml:6:23: error: entity 'a': apply_changes.stored_as_scd_type: must be 1 "
                "or 2, got 3"));
}

TEST(EntityCodec, YamlMissingRequiredFieldPointsAtEntity) {
  EXPECT_THAT(yaml_error("entity_id: a\nsource: s\n"),
              HasSubstr("e.yml:1:1: error: entity 'a': destination: is required"));
}

TEST(EntityCodec, YamlDuplicateKeyIsAnError) {
  EXPECT_THAT(yaml_error("entity_id: a\nsource: s\ndestination: d\nsource: t\n"),
              HasSubstr("e.yml:4:1: error: entity 'a': source: duplicate key 'source' (first at "
                        "line 2)"));
}

TEST(EntityCodec, YamlRejectsGeneratedColumnsUnlessAllowed) {
  const std::string yaml = "entity_id: a\nsource: s\ndestination: d\nhash: abc\n";
  EXPECT_THAT(yaml_error(yaml), HasSubstr("'hash' is generated by the store"));
  EXPECT_EQ(entity_from_yaml(YAML::Load(yaml), {"", true}).hash, "abc");
}

TEST(EntityCodec, YamlReportsEveryProblemAtOnce) {
  const std::string message =
      yaml_error("entity_id: a\nsource: [1]\ndestination: d\nbogus: 1\nsource_format: xyz\n");
  EXPECT_THAT(message, HasSubstr("e.yml:2:9"));
  EXPECT_THAT(message, HasSubstr("e.yml:4:1"));
  EXPECT_THAT(message, HasSubstr("e.yml:5:16"));
  EXPECT_THAT(message, ::testing::Not(HasSubstr("source: is required")));  // already reported
}

TEST(EntityCodec, YamlOverriddenStreamingIsAWarning) {
  Diagnostics warnings;
  auto e = entity_from_yaml(
      YAML::Load(
          "entity_id: a\nsource: s\ndestination: d\nsource_format: csv\nis_streaming: true\n"),
      {"e.yml"}, &warnings);
  EXPECT_FALSE(e.is_streaming);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].to_string(),
            "e.yml:5:15: warning: entity 'a': is_streaming: is forced to false for source_format "
            "csv; the given value is ignored");
}

TEST(EntityCodec, YamlOptionMapsAcceptAnyScalar) {
  auto e = entity_from_yaml(YAML::Load(
      "entity_id: a\nsource: s\ndestination: d\nread_options:\n  cloudFiles.format: csv\n"
      "  header: true\n  cloudFiles.maxFilesPerTrigger: 10\n"));
  EXPECT_EQ(e.read_options.at("header"), "true");
  EXPECT_EQ(e.read_options.at("cloudFiles.maxFilesPerTrigger"), "10");
}

}  // namespace
}  // namespace dls

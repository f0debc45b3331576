// YAML export without a store: order, what is left out, and that the text loads back to the same
// entities.
#include "dls/loaders/yaml_exporter.h"

#include <gtest/gtest.h>

#include "dls/core/yaml_document.h"
#include "dls/loaders/group_sync.h"
#include "support/test_support.h"

namespace dls {
namespace {

namespace fs = std::filesystem;

DeltaLiveEntity entity(std::string id, std::string group) {
  DeltaLiveEntity e;
  e.entity_id = id;
  e.group = std::move(group);
  e.source = "/data/" + id;
  e.destination = "t_" + id;
  e.read_options = {{"cloudFiles.format", "csv"}};
  return e;
}

DeltaLiveEntity with_generated_columns(DeltaLiveEntity e) {
  e.id = "5f0c7d1e-0000-4000-8000-000000000001";
  e.created_ts = Timestamp{1700000000000000};
  e.expired_ts = Timestamp{1700000000000001};
  e.created_by = "alice";
  e.modified_by = "bob";
  e.is_latest = false;
  e.hash = "abc";
  return e;
}

std::vector<std::string> ids(const std::vector<DeltaLiveEntity>& entities) {
  std::vector<std::string> out;
  for (const auto& e : entities) out.push_back(e.entity_id);
  return out;
}

// The seed's sample with primary_keys on entity 2, whose apply_changes needs them (issue 15:
// without keys it is refused).
std::string seed_sample_with_keys() {
  std::string text = testing::read_file(testing::testdata_dir() / "seed-sample.yml");
  text.insert(text.find("    apply_changes:"), "    primary_keys: [id]\n");
  return text;
}

TEST(YamlExport, OrdersByGroupThenNaturalEntityIdWithoutGroupLast) {
  const auto ordered =
      in_export_order({entity("10", "b"), entity("x", ""), entity("2", "b"), entity("b1", "a"),
                       entity("a10", "a"), entity("a9", "a"), entity("1", "")});
  EXPECT_EQ(ids(ordered), (std::vector<std::string>{"a9", "a10", "b1", "2", "10", "1", "x"}));
}

TEST(YamlExport, LeavesOutGeneratedColumnsNullsAndEmptyValues) {
  const std::string yaml = export_yaml({with_generated_columns(entity("1", "g"))});
  for (const char* key : {" id:", "created_ts", "expired_ts", "created_by", "modified_by",
                          "is_latest", "hash", "source_schema", "comment", "primary_keys",
                          "select_expr", "tags", "apply_changes", "expectations", "~", "null"}) {
    EXPECT_EQ(yaml.find(key), std::string::npos) << key << " in\n" << yaml;
  }
  EXPECT_NE(yaml.find("entity_id: \"1\""), std::string::npos) << yaml;
  EXPECT_EQ(yaml.rfind("delta_live_store:", 0), 0u) << yaml;
}

TEST(YamlExport, StartsWithTheSchemaCommentWhenGiven) {
  const std::string yaml = export_yaml({entity("1", "g")}, "../schemas/config_schema.json");
  EXPECT_EQ(yaml.rfind("# yaml-language-server: $schema=../schemas/config_schema.json\n", 0), 0u)
      << yaml;
}

TEST(YamlExport, LoadsBackToTheSameEntities) {
  DeltaLiveEntity full = entity("orders", "main.etl");
  full.destination = "main.etl.orders";
  full.source_schema = "id INT, amount DOUBLE";
  full.select_expr = {"*", "amount * 2 AS double_amount"};
  full.primary_keys = {"id"};
  full.read_options = {{"cloudFiles.format", "csv"}, {"header", "true"}, {"sep", "1"}};
  full.table_properties = {{"delta.appendOnly", "true"}};
  full.tags = {{"pii", "no"}, {"null", "~"}, {"empty", ""}};
  full.spark_conf = {{"spark.sql.shuffle.partitions", "8"}};
  full.partition_cols = {"region"};
  full.comment = "yes: a comment with 'quotes' and # hash";
  full.expectations.expect_all = {{"valid_id", "id IS NOT NULL"}};
  full.expectations.expect_all_or_drop = {{"positive", "amount > 0"}};
  full.expectations.expect_all_or_fail = {{"known", "op IN ('I', 'U')"}};
  full.is_quarantined = true;
  DeltaLiveEntity cdc = entity("cdc", "main.etl");
  cdc.source = "main.etl.orders";
  cdc.source_format = "dlt";
  cdc.read_options.clear();
  cdc.primary_keys = {"id"};
  ApplyChanges ac;
  ac.sequence_by = "seq";
  ac.where = "op <> 'NOOP'";
  ac.ignore_null_updates = true;
  ac.apply_as_deletes = "op = 'D'";
  ac.except_column_list = {"op"};
  ac.stored_as_scd_type = 2;
  ac.track_history_column_list = {"amount"};
  ac.flow_name = "orders_cdc";
  cdc.apply_changes = ac;
  DeltaLiveEntity off = entity("off", "");
  off.is_enabled = false;
  off.destination_type = "view";
  DeltaLiveEntity batch = entity("batch", "");
  batch.source_format = "parquet";
  batch.read_options.clear();
  batch.is_streaming = false;

  std::vector<DeltaLiveEntity> all{full, cdc, off, batch};
  for (auto& e : all) e = normalized(e);
  std::vector<DeltaLiveEntity> stored;
  for (const auto& e : all) stored.push_back(with_generated_columns(e));

  const std::string yaml = export_yaml(stored, "schemas/config_schema.json");
  const YamlDocument doc = parse_yaml_document(yaml, "export.yml");
  const auto expected = in_export_order(all);
  ASSERT_EQ(doc.entities.size(), expected.size()) << yaml;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(doc.entities[i], expected[i]) << expected[i].entity_id << " in\n" << yaml;
  }
}

TEST(YamlExport, SeedSampleSurvivesARoundTrip) {
  const YamlDocument seed = parse_yaml_document(seed_sample_with_keys(), "seed-sample.yml");
  const YamlDocument again = parse_yaml_document(export_yaml(seed.entities), "again.yml");
  EXPECT_EQ(again.entities, in_export_order(seed.entities));
}

TEST(YamlExport, NoEntitiesGiveAnEmptyListThatLoads) {
  const std::string yaml = export_yaml(std::vector<DeltaLiveEntity>{});
  EXPECT_TRUE(parse_yaml_document(yaml, "empty.yml").entities.empty()) << yaml;
}

TEST(YamlExport, SchemaReferenceIsRelativeToTheOutputFile) {
  EXPECT_EQ(schema_reference("/repo/schemas/config_schema.json", "/repo/config/prod.yml"),
            "../schemas/config_schema.json");
  EXPECT_EQ(schema_reference("/repo/schemas/config_schema.json", "/repo/x.yml"),
            "schemas/config_schema.json");
  EXPECT_EQ(schema_reference("https://example.com/s.json", "/repo/x.yml"),
            "https://example.com/s.json");
  EXPECT_TRUE(fs::is_regular_file(default_schema_path())) << default_schema_path();
}

}  // namespace
}  // namespace dls

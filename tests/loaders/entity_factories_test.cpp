// The directory factories: entity_from_directory_entry and medallion_from_directory_entry with
// their options, deterministic ids and safe destination names.
#include "dls/loaders/entity_factories.h"

#include <gtest/gtest.h>

#include "dls/core/error.h"
#include "dls/core/validation.h"
#include "dls/loaders/entity_id.h"

namespace dls {
namespace {

DirectoryEntry entry(std::string name, std::optional<std::string> format = "csv",
                     std::size_t files = 3) {
  DirectoryEntry e;
  e.name = name;
  e.path = "/data/landing/" + name;
  e.file_format = std::move(format);
  e.file_count = format ? files : 0;
  return e;
}

void expect_storable(const std::vector<DeltaLiveEntity>& entities) {
  for (const auto& e : entities) {
    for (const auto& d : validate(e)) EXPECT_FALSE(d.is_error()) << d.to_string();
  }
}

TEST(EntityFactories, TablePartMakesSafeNameParts) {
  EXPECT_EQ(table_part("Orders"), "orders");
  EXPECT_EQ(table_part("sales-2024 v2"), "sales_2024_v2");
  EXPECT_EQ(table_part("2024_orders"), "_2024_orders");
  EXPECT_EQ(table_part("caf\xc3\xa9"), "caf__");
  EXPECT_EQ(table_part("a.b"), "a_b");
  EXPECT_EQ(table_part(""), "");
}

TEST(EntityFactories, BronzeReadsTheDirectoryWithAutoLoader) {
  const auto made = entity_from_directory_entry()(entry("orders"));
  ASSERT_EQ(made.size(), 1u);
  const DeltaLiveEntity& e = made[0];
  EXPECT_EQ(e.source, "/data/landing/orders");
  EXPECT_EQ(e.source_format, "cloudFiles");
  EXPECT_EQ(e.destination, "orders_bronze");
  EXPECT_EQ(e.entity_id, deterministic_entity_id("", "orders_bronze"));
  EXPECT_EQ(e.group, "");
  EXPECT_TRUE(e.is_streaming);
  EXPECT_EQ(e.read_options, (StringMap{{"cloudFiles.format", "csv"}, {"header", "true"}}));
  EXPECT_FALSE(e.id || e.created_ts || e.hash);
  expect_storable(made);
}

TEST(EntityFactories, JsonDirectoryGetsNoCsvHeaderOption) {
  const auto made = entity_from_directory_entry()(entry("events", "json"));
  EXPECT_EQ(made[0].read_options, (StringMap{{"cloudFiles.format", "json"}}));
}

TEST(EntityFactories, OptionsSetGroupPrefixSuffixTagsExpectationsAndQuarantine) {
  DirectoryFactoryOptions o;
  o.group = "main.etl";
  o.bronze.prefix = "main.etl.";
  o.bronze.suffix = "_raw";
  o.bronze.tags = {{"layer", "bronze"}};
  o.bronze.expectations.expect_all = {{"has_id", "id IS NOT NULL"}};
  o.bronze.is_quarantined = true;
  o.bronze.comment = "Raw {name} files";
  o.bronze.partition_cols = {"day"};
  o.source_schema = "id INT, day DATE";
  o.read_options = {{"header", "false"}, {"sep", ";"}};
  const auto made = entity_from_directory_entry(o)(entry("Orders"));
  ASSERT_EQ(made.size(), 1u);
  const DeltaLiveEntity& e = made[0];
  EXPECT_EQ(e.group, "main.etl");
  EXPECT_EQ(e.destination, "main.etl.orders_raw");
  EXPECT_EQ(e.entity_id, deterministic_entity_id("main.etl", "main.etl.orders_raw"));
  EXPECT_EQ(e.tags, (StringMap{{"layer", "bronze"}}));
  EXPECT_EQ(e.expectations.expect_all, (StringMap{{"has_id", "id IS NOT NULL"}}));
  EXPECT_TRUE(e.is_quarantined);
  EXPECT_EQ(e.comment, "Raw Orders files");
  EXPECT_EQ(e.partition_cols, (StringList{"day"}));
  EXPECT_EQ(e.source_schema, "id INT, day DATE");
  // The caller's read options win over derived ones.
  EXPECT_EQ(e.read_options,
            (StringMap{{"cloudFiles.format", "csv"}, {"header", "false"}, {"sep", ";"}}));
  expect_storable(made);
}

TEST(EntityFactories, FileFormatOptionOverridesDetection) {
  DirectoryFactoryOptions o;
  o.file_format = "parquet";
  const auto made = entity_from_directory_entry(o)(entry("orders", "csv"));
  EXPECT_EQ(made[0].read_options, (StringMap{{"cloudFiles.format", "parquet"}}));
}

TEST(EntityFactories, BatchSourceFormatReadsWithoutAutoLoader) {
  DirectoryFactoryOptions o;
  o.source_format = "csv";
  const auto made = entity_from_directory_entry(o)(entry("orders", std::nullopt));
  ASSERT_EQ(made.size(), 1u);
  EXPECT_EQ(made[0].source_format, "csv");
  EXPECT_FALSE(made[0].is_streaming);  // forced by the batch format
  EXPECT_EQ(made[0].read_options, (StringMap{{"header", "true"}}));
  expect_storable(made);

  o.source_format = "parquet";
  const auto parquet = entity_from_directory_entry(o)(entry("orders", "parquet"));
  EXPECT_TRUE(parquet[0].read_options.empty());
}

TEST(EntityFactories, UndetectableFormatAsksForOne) {
  try {
    entity_from_directory_entry()(entry("empty", std::nullopt));
    FAIL() << "expected InvalidMetadataError";
  } catch (const InvalidMetadataError& e) {
    EXPECT_NE(std::string(e.what()).find("/data/landing/empty"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("--format"), std::string::npos) << e.what();
  }
  // An explicit cloudFiles.format read option is enough.
  DirectoryFactoryOptions o;
  o.read_options = {{"cloudFiles.format", "text"}};
  EXPECT_EQ(entity_from_directory_entry(o)(entry("empty", std::nullopt))[0].read_options,
            (StringMap{{"cloudFiles.format", "text"}}));
}

TEST(EntityFactories, MedallionMakesBronzeAndSilverReadingIt) {
  DirectoryFactoryOptions o;
  o.group = "main.etl";
  o.silver.tags = {{"layer", "silver"}};
  o.silver.expectations.expect_all = {{"positive", "amount > 0"}};
  o.silver.is_quarantined = true;
  o.silver.primary_keys = {"id"};
  o.silver.prefix = "clean_";
  const auto made = medallion_from_directory_entry(o)(entry("orders"));
  ASSERT_EQ(made.size(), 2u);
  const DeltaLiveEntity& bronze = made[0];
  const DeltaLiveEntity& silver = made[1];
  EXPECT_EQ(bronze.destination, "orders_bronze");
  EXPECT_TRUE(bronze.tags.empty());
  EXPECT_FALSE(bronze.is_quarantined);
  EXPECT_EQ(silver.destination, "clean_orders_silver");
  EXPECT_EQ(silver.source, "orders_bronze");
  EXPECT_EQ(silver.source_format, "dlt");
  EXPECT_TRUE(silver.is_streaming);
  EXPECT_TRUE(silver.read_options.empty());
  EXPECT_EQ(silver.group, "main.etl");
  EXPECT_EQ(silver.tags, (StringMap{{"layer", "silver"}}));
  EXPECT_TRUE(silver.is_quarantined);
  EXPECT_EQ(silver.primary_keys, (StringList{"id"}));
  EXPECT_EQ(silver.entity_id, deterministic_entity_id("main.etl", "clean_orders_silver"));
  EXPECT_NE(silver.entity_id, bronze.entity_id);
  expect_storable(made);
}

TEST(EntityFactories, IdsDoNotDependOnWhereTheDataLives) {
  // The same dataset under another root (another machine's mount) keeps its entity ids.
  DirectoryEntry here = entry("orders");
  DirectoryEntry there = here;
  there.path = "/mnt/other/orders";
  const auto a = medallion_from_directory_entry()(here);
  const auto b = medallion_from_directory_entry()(there);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].entity_id, b[i].entity_id);
}

}  // namespace
}  // namespace dls

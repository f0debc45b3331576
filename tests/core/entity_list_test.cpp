#include "dls/core/entity_list.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/test_entities.h"
#include "dls/core/yaml_document.h"

namespace dls {
namespace {

using ::testing::HasSubstr;

EntityList sample() {
  auto a = testing::simple_entity("1");
  a.group = "g";
  auto b = testing::simple_entity("2");
  b.is_enabled = false;
  b.group = "g";
  auto c = testing::full_entity();
  c.created_ts = 0;
  return EntityList{a, b, c};
}

TEST(EntityList, FiltersKeepOrder) {
  const EntityList list = sample();
  const EntityList enabled = list.filter(by_is_enabled());
  ASSERT_EQ(enabled.size(), 2u);
  EXPECT_EQ(enabled[0].entity_id, "1");
  EXPECT_EQ(enabled[1].entity_id, "orders_silver");
  EXPECT_EQ(list.filter(by_group("g") & ~by_is_enabled()).first()->entity_id, "2");
  EXPECT_FALSE(list.filter(by_group("none")).first());
  std::vector<std::string> ids;
  for (const auto& e : list) ids.push_back(e.entity_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"1", "2", "orders_silver"}));
}

TEST(EntityList, RendersJsonAndYaml) {
  const EntityList list = sample();
  const auto json = list.to_json();
  ASSERT_TRUE(json.is_array());
  EXPECT_EQ(json.size(), 3u);
  EXPECT_EQ(json[2]["created_ts"], "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(EntityList().to_json(), nlohmann::json::array());
  auto back = parse_yaml_document(list.to_yaml()).entities;
  ASSERT_EQ(back.size(), 3u);
  EXPECT_FALSE(back[1].is_enabled);
  EXPECT_EQ(back[2].apply_changes, list[2].apply_changes);
}

TEST(EntityList, RendersAnAlignedTable) {
  const std::string table = sample().to_table();
  std::vector<std::string> lines;
  std::string line;
  for (char c : table) {
    if (c == '\n') {
      lines.push_back(line);
      line.clear();
    } else {
      line += c;
    }
  }
  ASSERT_EQ(lines.size(), 6u) << table;
  EXPECT_THAT(lines[0], ::testing::StartsWith("entity_id      group     source_format"));
  EXPECT_THAT(lines[1], ::testing::StartsWith("-------------  --------  -------------"));
  // Every column starts at the same offset in every row.
  const auto destination_col = lines[0].find("destination");
  EXPECT_EQ(lines[2].find("dataset1_bronze"), destination_col) << table;
  EXPECT_EQ(lines[4].find("main.etl.orders_silver"), destination_col) << table;
  EXPECT_THAT(lines[3], HasSubstr("no"));
  EXPECT_EQ(lines[5], "(3 entities)");
}

}  // namespace
}  // namespace dls

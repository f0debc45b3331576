// Group synchronisation: which stored entities a YAML file turns off.
#include "dls/loaders/group_sync.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace dls {
namespace {

DeltaLiveEntity stored(std::string id, std::string group, std::string source,
                       std::string destination, bool enabled = true) {
  DeltaLiveEntity e;
  e.entity_id = std::move(id);
  e.group = std::move(group);
  e.source = std::move(source);
  e.source_format = "dlt";
  e.destination = std::move(destination);
  e.is_enabled = enabled;
  e.id = "version-" + e.entity_id;
  e.created_ts = Timestamp{1};
  e.created_by = "alice";
  e.hash = "h";
  return e;
}

std::vector<std::string> ids(const std::vector<DeltaLiveEntity>& entities) {
  std::vector<std::string> out;
  for (const auto& e : entities) out.push_back(e.entity_id);
  return out;
}

YamlDocument file_with(const std::string& yaml) {
  return parse_yaml_document(yaml, "f.yml");
}

TEST(GroupSync, DisablesEnabledEntitiesOfTheFilesGroupsMissingFromIt) {
  EntityList latest{stored("1", "g", "/d1", "t1"), stored("2", "g", "/d2", "t2"),
                    stored("3", "other", "/d3", "t3"), stored("4", "", "/d4", "t4")};
  const auto doc = file_with(R"(delta_live_store:
  - {entity_id: "1", source: /d1, destination: t1, group: g}
)");
  const auto off = entities_to_disable(latest, doc);
  ASSERT_EQ(ids(off), (std::vector<std::string>{"2"}));
  EXPECT_FALSE(off[0].is_enabled);
  // Ready to upsert: the generated columns are cleared.
  EXPECT_FALSE(off[0].id || off[0].created_ts || off[0].created_by || off[0].hash);
  EXPECT_TRUE(off[0].is_latest);
}

TEST(GroupSync, EntitiesWithoutAGroupAreNeverSynchronised) {
  EntityList latest{stored("1", "", "/d1", "t1"), stored("2", "", "/d2", "t2")};
  const auto doc = file_with(R"(delta_live_store:
  - {entity_id: "1", source: /d1, destination: t1}
)");
  EXPECT_TRUE(entities_to_disable(latest, doc).empty());
}

TEST(GroupSync, DisablingCascadesDownstreamAcrossGroups) {
  EntityList latest{stored("1", "g", "/d1", "t1"), stored("2", "g", "t1", "t2"),
                    stored("3", "other", "t2", "t3"), stored("4", "other", "t9", "t4")};
  const auto doc = file_with(R"(delta_live_store:
  - {entity_id: "5", source: /d5, destination: t5, group: g}
)");
  EXPECT_EQ(ids(entities_to_disable(latest, doc)), (std::vector<std::string>{"1", "2", "3"}));
}

TEST(GroupSync, TheFileWinsOverTheCascade) {
  // 1 is missing from the file, 2 (reading 1) is in it: 2 stays as the file says, and the cascade
  // does not go below it.
  EntityList latest{stored("1", "g", "/d1", "t1"), stored("2", "g", "t1", "t2"),
                    stored("3", "g2", "t2", "t3")};
  const auto doc = file_with(R"(delta_live_store:
  - {entity_id: "2", source: t1, source_format: dlt, destination: t2, group: g}
)");
  EXPECT_EQ(ids(entities_to_disable(latest, doc)), (std::vector<std::string>{"1"}));
}

TEST(GroupSync, AlreadyDisabledEntitiesWriteNothingButTheCascadeWalksThrough) {
  EntityList latest{stored("1", "g", "/d1", "t1", /*enabled=*/false),
                    stored("2", "g", "t1", "t2", /*enabled=*/false), stored("3", "x", "t2", "t3")};
  const auto doc = file_with(R"(delta_live_store:
  - {entity_id: "9", source: /d9, destination: t9, group: g}
)");
  // Only enabled entities start the cascade: 1 and 2 are disabled already, so nothing starts.
  EXPECT_TRUE(entities_to_disable(latest, doc).empty());

  EntityList chain{stored("1", "g", "/d1", "t1"), stored("2", "x", "t1", "t2", false),
                   stored("3", "x", "t2", "t3")};
  EXPECT_EQ(ids(entities_to_disable(chain, doc)), (std::vector<std::string>{"1", "3"}));
}

TEST(GroupSync, CyclesTerminate) {
  EntityList latest{stored("1", "g", "t2", "t1"), stored("2", "g", "t1", "t2")};
  const auto doc = file_with(R"(delta_live_store:
  - {entity_id: "9", source: /d9, destination: t9, group: g}
)");
  EXPECT_EQ(ids(entities_to_disable(latest, doc)), (std::vector<std::string>{"1", "2"}));
}

TEST(GroupSync, WithoutGeneratedColumnsKeepsTheContent) {
  DeltaLiveEntity e = stored("1", "g", "/d", "t");
  e.is_latest = false;
  e.expired_ts = Timestamp{2};
  e.modified_by = "bob";
  DeltaLiveEntity clean = without_generated_columns(e);
  EXPECT_FALSE(clean.id || clean.created_ts || clean.expired_ts || clean.created_by ||
               clean.modified_by || clean.hash);
  EXPECT_TRUE(clean.is_latest);
  EXPECT_EQ(clean.entity_id, "1");
  EXPECT_EQ(clean.source, "/d");
}

}  // namespace
}  // namespace dls

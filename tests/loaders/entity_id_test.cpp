// Deterministic entity ids: name-based UUIDs pinned to Python's uuid.uuid5, so that generated
// metadata addresses the same entities on every run and machine.
#include "dls/loaders/entity_id.h"

#include <gtest/gtest.h>

#include "dls/core/error.h"

namespace dls {
namespace {

TEST(EntityId, UuidV5MatchesPythonUuid5) {
  // uuid.uuid5(uuid.NAMESPACE_DNS, "python.org")
  EXPECT_EQ(uuid_v5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "python.org"),
            "886313e1-3b8a-5372-9b90-0c9aee199e5d");
}

TEST(EntityId, DeterministicEntityIdIsPinned) {
  // uuid.uuid5(uuid.NAMESPACE_URL, "dls:entity:main.etl/dataset1_bronze")
  EXPECT_EQ(deterministic_entity_id("main.etl", "dataset1_bronze"),
            "49264076-8779-520a-81cf-465417055494");
  // uuid.uuid5(uuid.NAMESPACE_URL, "dls:entity:/orders_bronze")
  EXPECT_EQ(deterministic_entity_id("", "orders_bronze"), "3448577d-5180-5c3c-a39d-ee43cacd0cf3");
}

TEST(EntityId, DependsOnGroupAndDestination) {
  const std::string id = deterministic_entity_id("g", "t");
  EXPECT_EQ(id, deterministic_entity_id("g", "t"));
  EXPECT_NE(id, deterministic_entity_id("h", "t"));
  EXPECT_NE(id, deterministic_entity_id("g", "u"));
  EXPECT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '5');  // version 5
}

TEST(EntityId, BadNamespaceIsAnError) {
  EXPECT_THROW(uuid_v5("not-a-uuid", "x"), Error);
  EXPECT_THROW(uuid_v5("6ba7b810-9dad-11d1-80b4-00c04fd430", "x"), Error);
}

}  // namespace
}  // namespace dls

// JsonLoader without a store: decoding, generated columns, and located errors.
#include "dls/loaders/json_loader.h"

#include <gtest/gtest.h>

#include "dls/core/entity_list.h"
#include "dls/core/error.h"
#include "support/test_support.h"

namespace dls {
namespace {

std::vector<std::string> errors_of(const JsonLoader& loader) {
  try {
    loader.entities();
  } catch (const MetadataErrors& e) {
    return e.errors();
  }
  ADD_FAILURE() << "expected MetadataErrors";
  return {};
}

TEST(JsonLoader, DecodesAnArrayOfEntities) {
  const auto entities = JsonLoader::from_text(R"([
    {"entity_id": "1", "source": "/d1", "destination": "t1", "group": "g",
     "read_options": {"cloudFiles.format": "csv"}},
    {"entity_id": "2", "source": "t1", "source_format": "dlt", "destination": "t2"}
  ])")
                            .entities();
  ASSERT_EQ(entities.size(), 2u);
  EXPECT_EQ(entities[0].entity_id, "1");
  EXPECT_EQ(entities[0].group, "g");
  EXPECT_EQ(entities[1].source_format, "dlt");
}

TEST(JsonLoader, AcceptsOneObject) {
  const auto entities = JsonLoader::from_text(
                            R"({"entity_id": "1", "source": "/d", "destination": "t",
                                "source_format": "csv"})")
                            .entities();
  ASSERT_EQ(entities.size(), 1u);
  EXPECT_FALSE(entities[0].is_streaming);  // normalized
}

TEST(JsonLoader, AListingLoadsBackWithGeneratedColumnsIgnored) {
  DeltaLiveEntity e;
  e.entity_id = "1";
  e.source = "/d";
  e.destination = "t";
  e.read_options = {{"cloudFiles.format", "json"}};
  DeltaLiveEntity stored = e;
  stored.id = "0b0a7c1e-0000-4000-8000-000000000001";
  stored.created_ts = Timestamp{1700000000000000};
  stored.expired_ts = Timestamp{1700000000000005};
  stored.created_by = "alice";
  stored.modified_by = "bob";
  stored.is_latest = false;
  stored.hash = "abc";
  const std::string listing = EntityList{stored}.to_json().dump();
  const auto entities = JsonLoader::from_text(listing).entities();
  ASSERT_EQ(entities.size(), 1u);
  EXPECT_EQ(entities[0], e);
}

TEST(JsonLoader, MalformedJsonIsLocated) {
  const auto errors =
      errors_of(JsonLoader::from_text("[\n  {\"entity_id\": \"1\",}\n]", "in.json"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].rfind("in.json:2:", 0), 0u) << errors[0];
  EXPECT_NE(errors[0].find("malformed JSON"), std::string::npos) << errors[0];
}

TEST(JsonLoader, ANonArrayIsRejected) {
  const auto errors = errors_of(JsonLoader::from_text("42", "in.json"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("expected a JSON array"), std::string::npos) << errors[0];
}

TEST(JsonLoader, EveryInvalidElementIsReportedWithItsIndex) {
  const auto errors = errors_of(JsonLoader::from_text(R"([
    {"entity_id": "1", "source": "/d", "destination": "t1", "destination_type": "tabel"},
    {"entity_id": "2", "source": "/d", "destination": "t2",
     "read_options": {"cloudFiles.format": "csv"}},
    {"entity_id": "3", "source": "/d", "destination": "t3", "colour": "red"}
  ])",
                                                      "in.json"));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].rfind("in.json: [0] error: entity '1': destination_type", 0), 0u)
      << errors[0];
  EXPECT_EQ(errors[1].rfind("in.json: [2] error:", 0), 0u) << errors[1];
  EXPECT_NE(errors[1].find("colour"), std::string::npos) << errors[1];
}

TEST(JsonLoader, DuplicateEntityIdsAreRejected) {
  const auto errors = errors_of(JsonLoader::from_text(R"([
    {"entity_id": "1", "source": "/d", "destination": "t1", "source_format": "csv"},
    {"entity_id": "1", "source": "/d", "destination": "t2", "source_format": "csv"}
  ])",
                                                      "in.json"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].rfind("in.json: [1] error: entity '1': entity_id: duplicate", 0), 0u)
      << errors[0];
}

TEST(JsonLoader, AMissingFileIsNotFound) {
  testing::TempDir dir;
  EXPECT_THROW(JsonLoader(dir / "missing.json").entities(), NotFoundError);
}

TEST(JsonLoader, ReadsAFile) {
  testing::TempDir dir;
  testing::write_file(dir / "e.json",
                      R"([{"entity_id": "1", "source": "/d", "destination": "t",
                          "source_format": "parquet"}])");
  EXPECT_EQ(JsonLoader(dir / "e.json").entities().size(), 1u);
}

}  // namespace
}  // namespace dls

namespace dls {
namespace {

TEST(JsonLoaderStore, UpsertsWithoutGroupSynchronisation) {
  testing::TempDir dir;
  DeltaLiveStore store((dir / "control").string(), "tester");
  store.initialize();
  const std::string two = R"([
    {"entity_id": "1", "source": "/d1", "source_format": "csv", "destination": "t1", "group": "g"},
    {"entity_id": "2", "source": "/d2", "source_format": "csv", "destination": "t2", "group": "g"}
  ])";
  EXPECT_EQ(JsonLoader::from_text(two).run(store).inserted.size(), 2u);
  EXPECT_FALSE(JsonLoader::from_text(two).run(store).changed());

  // Only entity 1, changed: 2 stays enabled (no group sync).
  const LoadSummary s = JsonLoader::from_text(R"([{"entity_id": "1", "source": "/d1",
      "source_format": "json", "destination": "t1", "group": "g"}])")
                            .run(store);
  EXPECT_EQ(s.updated, (std::vector<std::string>{"1"}));
  EXPECT_TRUE(s.disabled.empty());
  EXPECT_EQ(store.find_entities(by_group("g")).size(), 2u);
  EXPECT_EQ(store.find_history(by_entity_id("1")).size(), 2u);
}

TEST(JsonLoaderStore, InvalidInputLeavesTheStoreUnchanged) {
  testing::TempDir dir;
  DeltaLiveStore store((dir / "control").string(), "tester");
  store.initialize();
  const int64_t version = store.version();
  EXPECT_THROW(JsonLoader::from_text(R"([
    {"entity_id": "1", "source": "/d1", "source_format": "csv", "destination": "t1"},
    {"entity_id": "2", "source": "/d2", "source_format": "xml", "destination": "t2"}
  ])")
                   .run(store),
               MetadataErrors);
  EXPECT_EQ(store.version(), version);
  EXPECT_FALSE(store.entity_exists(by_all()));
}

}  // namespace
}  // namespace dls

// DirectoryLoader (the seed's FileServiceLoader): entities per sub-directory, duplicate checks, and
// loading into a real control table with deterministic ids.
#include "dls/loaders/directory_loader.h"

#include <gtest/gtest.h>

#include "dls/core/error.h"
#include "dls/loaders/entity_id.h"
#include "support/test_support.h"

namespace dls {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using testing::write_file;

class DirectoryLoaderTest : public ::testing::Test {
 protected:
  DirectoryLoaderTest() {
    write_file(data_ / "orders/2024-01-01.csv", "id,amount\n1,2.5\n");
    write_file(data_ / "customers/part-0.json", "{\"id\": 1}\n");
    write_file(data_ / "_tmp/x.csv", "id\n");
    write_file(data_ / "notes.txt", "ignored\n");
  }
  TempDir data_;
  TempDir warehouse_;
};

TEST_F(DirectoryLoaderTest, OneEntityPerSubDirectory) {
  const auto entities = DirectoryLoader(data_.path()).entities();
  ASSERT_EQ(entities.size(), 2u);
  EXPECT_EQ(entities[0].destination, "customers_bronze");
  EXPECT_EQ(entities[0].read_options.at("cloudFiles.format"), "json");
  EXPECT_EQ(entities[1].destination, "orders_bronze");
  EXPECT_EQ(entities[1].source, fs::absolute(data_ / "orders").lexically_normal().string());
  EXPECT_EQ(entities[1].read_options.at("cloudFiles.format"), "csv");
}

TEST_F(DirectoryLoaderTest, MedallionGivesBronzeAndSilverPairs) {
  const auto entities =
      DirectoryLoader(data_.path(), medallion_from_directory_entry({.group = "main.etl"}))
          .entities();
  ASSERT_EQ(entities.size(), 4u);
  EXPECT_EQ(entities[0].destination, "customers_bronze");
  EXPECT_EQ(entities[1].destination, "customers_silver");
  EXPECT_EQ(entities[1].source, "customers_bronze");
  EXPECT_EQ(entities[3].entity_id, deterministic_entity_id("main.etl", "orders_silver"));
}

TEST_F(DirectoryLoaderTest, CollidingDirectoriesAreReportedTogether) {
  write_file(data_ / "a-b/x.csv", "");
  write_file(data_ / "a_b/x.csv", "");
  write_file(data_ / "empty/README", "");  // no detectable format
  try {
    DirectoryLoader(data_.path()).entities();
    FAIL() << "expected MetadataErrors";
  } catch (const MetadataErrors& e) {
    ASSERT_EQ(e.errors().size(), 2u) << e.what();
    EXPECT_NE(e.errors()[0].find("a-b"), std::string::npos) << e.what();
    EXPECT_NE(e.errors()[0].find("a_b"), std::string::npos) << e.what();
    EXPECT_NE(e.errors()[1].find("empty"), std::string::npos) << e.what();
  }
}

TEST_F(DirectoryLoaderTest, MissingRootIsNotFound) {
  EXPECT_THROW(DirectoryLoader(data_ / "nope").entities(), NotFoundError);
}

TEST_F(DirectoryLoaderTest, LoadsOnceAndAgainWritesNothing) {
  DeltaLiveStore store((warehouse_ / "control").string(), "tester");
  store.initialize();
  DirectoryLoader loader(data_.path(), medallion_from_directory_entry({.group = "main.etl"}));
  const LoadSummary first = loader.run(store);
  EXPECT_EQ(first.inserted.size(), 4u);
  EXPECT_EQ(store.find_entities(by_group("main.etl")).size(), 4u);
  const int64_t version = store.version();

  // Another loader object (another run, another process) addresses the same entities.
  const LoadSummary second =
      DirectoryLoader(data_.path(), medallion_from_directory_entry({.group = "main.etl"}))
          .run(store);
  EXPECT_FALSE(second.changed());
  EXPECT_EQ(second.unchanged.size(), 4u);
  EXPECT_EQ(store.version(), version);

  // A new directory adds its entities; a vanished one stays as it is (no group sync).
  fs::remove_all(data_ / "customers");
  write_file(data_ / "payments/p.parquet", "");
  const LoadSummary third = loader.run(store);
  EXPECT_EQ(third.inserted.size(), 2u);
  EXPECT_EQ(third.unchanged.size(), 2u);
  EXPECT_TRUE(third.disabled.empty());
  EXPECT_EQ(store.find_entities(by_group("main.etl")).size(), 6u);
}

TEST_F(DirectoryLoaderTest, InvalidEntitiesWriteNothing) {
  DeltaLiveStore store((warehouse_ / "control").string(), "tester");
  store.initialize();
  const int64_t version = store.version();
  // A prefix with four name parts makes every destination unsafe: the store refuses them all.
  DirectoryFactoryOptions o;
  o.bronze.prefix = "a.b.c.";
  EXPECT_THROW(DirectoryLoader(data_.path(), entity_from_directory_entry(o)).run(store),
               InvalidMetadataError);
  EXPECT_EQ(store.version(), version);
}

}  // namespace
}  // namespace dls

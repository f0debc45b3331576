// YamlLoader against a real control table: validation before writing, group synchronisation,
// idempotent reloads, and the export → destroy → init → load round trip.
#include "dls/loaders/yaml_loader.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "dls/core/error.h"
#include "dls/loaders/yaml_exporter.h"
#include "support/test_support.h"

namespace dls {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using testing::write_file;

// The seed's sample with primary_keys on entity 2, whose apply_changes needs them (issue 15:
// without keys it is refused).
std::string seed_sample_with_keys() {
  std::string text = testing::read_file(testing::testdata_dir() / "seed-sample.yml");
  text.insert(text.find("    apply_changes:"), "    primary_keys: [id]\n");
  return text;
}

class YamlLoaderTest : public ::testing::Test {
 protected:
  YamlLoaderTest() : store_((dir_ / "control").string(), "tester") { store_.initialize(); }

  fs::path file(const std::string& name, const std::string& yaml) {
    const fs::path path = dir_ / name;
    write_file(path, yaml);
    return path;
  }

  // The latest versions, keyed and ordered by entity_id, without generated columns.
  std::vector<DeltaLiveEntity> latest() const {
    std::vector<DeltaLiveEntity> out;
    for (const auto& e : store_.find_entities(by_all())) {
      DeltaLiveEntity copy = e;
      copy.id.reset();
      copy.created_ts.reset();
      copy.expired_ts.reset();
      copy.created_by.reset();
      copy.modified_by.reset();
      copy.hash.reset();
      out.push_back(copy);
    }
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.entity_id < b.entity_id; });
    return out;
  }

  bool enabled(const std::string& id) const {
    auto e = store_.find_entity(by_entity_id(id));
    return e && e->is_enabled;
  }

  TempDir dir_;
  DeltaLiveStore store_;
};

constexpr const char* kThree = R"(delta_live_store:
  - entity_id: "1"
    source: /data/one
    destination: t1
    group: g
    read_options: {cloudFiles.format: csv}
  - entity_id: "2"
    source: t1
    source_format: dlt
    destination: t2
    group: g
  - entity_id: "3"
    source: /data/three
    source_format: parquet
    destination: t3
    group: other
)";

TEST_F(YamlLoaderTest, SeedSampleWithoutKeysIsRefusedAndWithKeysLoads) {
  // Entity 2's apply_changes has no primary_keys: the pipeline cannot run it (issue 15).
  EXPECT_THROW(YamlLoader(testing::testdata_dir() / "seed-sample.yml").run(store_), MetadataErrors);
  EXPECT_EQ(store_.find_entities().size(), 0u);
  const LoadSummary s = YamlLoader(file("seed.yml", seed_sample_with_keys())).run(store_);
  EXPECT_EQ(s.inserted, (std::vector<std::string>{"1", "2"}));
  EXPECT_TRUE(s.changed());
  EXPECT_EQ(store_.find_entities().size(), 2u);
  EXPECT_TRUE(s.warnings.empty());
}

TEST_F(YamlLoaderTest, LoadingTheSameFileTwiceCreatesNoNewVersions) {
  const fs::path f = file("three.yml", kThree);
  const LoadSummary first = YamlLoader(f).run(store_);
  EXPECT_EQ(first.inserted.size(), 3u);
  const int64_t version = store_.version();
  const std::size_t history = store_.find_history().size();

  const LoadSummary second = YamlLoader(f).run(store_);
  EXPECT_FALSE(second.changed());
  EXPECT_EQ(second.unchanged.size(), 3u);
  EXPECT_EQ(second.version, version);
  EXPECT_EQ(store_.version(), version);
  EXPECT_EQ(store_.find_history().size(), history);
}

TEST_F(YamlLoaderTest, AGroupsEntityRemovedFromTheFileIsDisabledOnReload) {
  YamlLoader(file("three.yml", kThree)).run(store_);
  // Entity 1 leaves group g; 2 reads 1's destination but stays in the file, so it stays enabled;
  // group "other" is not in the new file and is left alone.
  const LoadSummary s = YamlLoader(file("two.yml", R"(delta_live_store:
  - entity_id: "2"
    source: t1
    source_format: dlt
    destination: t2
    group: g
  - entity_id: "4"
    source: /data/four
    source_format: csv
    destination: t4
    group: g
)"))
                            .run(store_);
  EXPECT_EQ(s.disabled, (std::vector<std::string>{"1"}));
  EXPECT_EQ(s.inserted, (std::vector<std::string>{"4"}));
  EXPECT_EQ(s.unchanged, (std::vector<std::string>{"2"}));
  EXPECT_FALSE(enabled("1"));
  EXPECT_TRUE(enabled("2"));
  EXPECT_TRUE(enabled("3"));
  EXPECT_TRUE(enabled("4"));
  // One commit for the disable and the upsert.
  EXPECT_EQ(store_.find_history(by_entity_id("1")).size(), 2u);
}

TEST_F(YamlLoaderTest, DisablingCascadesToEntitiesMissingFromTheFile) {
  YamlLoader(file("three.yml", kThree)).run(store_);
  const LoadSummary s = YamlLoader(file("g.yml", R"(delta_live_store:
  - {entity_id: "5", source: /data/five, source_format: csv, destination: t5, group: g}
)"))
                            .run(store_);
  std::vector<std::string> disabled = s.disabled;
  std::sort(disabled.begin(), disabled.end());
  EXPECT_EQ(disabled, (std::vector<std::string>{"1", "2"}));
  EXPECT_TRUE(enabled("3"));
}

TEST_F(YamlLoaderTest, ADisabledEntityListedInTheFileIsEnabledAgain) {
  const fs::path f = file("three.yml", kThree);
  YamlLoader(f).run(store_);
  store_.disable(by_entity_id("3"));
  ASSERT_FALSE(enabled("3"));
  const LoadSummary s = YamlLoader(f).run(store_);
  EXPECT_EQ(s.updated, (std::vector<std::string>{"3"}));
  EXPECT_TRUE(enabled("3"));
}

TEST_F(YamlLoaderTest, InvalidFileLeavesTheControlTableUnchanged) {
  YamlLoader(file("three.yml", kThree)).run(store_);
  const int64_t version = store_.version();
  // Valid entity 9 in group g (whose 1 and 2 would be disabled), then a bad enum.
  const fs::path bad = file("bad.yml", R"(delta_live_store:
  - {entity_id: "9", source: /d, source_format: csv, destination: t9, group: g}
  - entity_id: "10"
    source: /d
    destination: t10
    destination_type: tabel
)");
  try {
    YamlLoader(bad).run(store_);
    FAIL() << "expected MetadataErrors";
  } catch (const MetadataErrors& e) {
    ASSERT_EQ(e.errors().size(), 1u) << e.what();
    EXPECT_EQ(e.errors()[0].rfind(bad.string() + ":6:23: error:", 0), 0u) << e.errors()[0];
    EXPECT_EQ(e.exit_code(), ExitCode::kInvalidMetadata);
  }
  EXPECT_EQ(store_.version(), version);
  EXPECT_TRUE(enabled("1"));
  EXPECT_FALSE(store_.entity_exists(by_entity_id("9")));
}

TEST_F(YamlLoaderTest, MissingFileIsNotFoundAndUninitialisedStoreIsAnError) {
  EXPECT_THROW(YamlLoader(dir_ / "missing.yml").run(store_), NotFoundError);
  DeltaLiveStore fresh((dir_ / "nothing").string(), "tester");
  try {
    YamlLoader(file("three.yml", kThree)).run(fresh);
    FAIL() << "expected Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("dls store init"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fresh.is_initialized());
}

TEST_F(YamlLoaderTest, FromTextAndLoadReportLikeTheSeed) {
  YamlLoader loader = YamlLoader::from_text(kThree, "<stdin>");
  const StoreChange change = loader.load(store_);
  EXPECT_EQ(change.inserted.size(), 3u);
  EXPECT_TRUE(change.changed());
}

TEST_F(YamlLoaderTest, ExportDestroyInitLoadReproducesTheLatestEntities) {
  YamlLoader(file("seed.yml", seed_sample_with_keys())).run(store_);
  YamlLoader(file("full.yml", testing::read_file(fs::path(DLS_SOURCE_DIR) /
                                                 "tests/core/samples/valid/full.yml")))
      .run(store_);
  YamlLoader(file("more.yml", R"(delta_live_store:
  - {entity_id: "10", source: /data/ten, source_format: json, destination: t10}
  - {entity_id: "9", source: t10, source_format: dlt, destination: t9, is_streaming: false}
  - entity_id: view_1
    source: main.etl.orders_silver
    source_format: delta
    destination: v1
    destination_type: view
    select_expr: ["id", "amount * 2 AS double_amount"]
    tags: {"null": "~", "yes": "no", empty: ""}
)"))
      .run(store_);
  store_.disable(by_entity_id("9"));  // a disabled entity stays disabled through the round trip
  const auto before = latest();
  ASSERT_EQ(before.size(), 2u + 2u + 3u);

  const fs::path exported = dir_ / "export.yml";
  write_file(exported, export_yaml(store_, "schemas/config_schema.json"));
  store_.destroy();
  ASSERT_FALSE(store_.is_initialized());
  store_.initialize();
  const LoadSummary s = YamlLoader(exported).run(store_);
  EXPECT_EQ(s.inserted.size(), before.size());
  EXPECT_EQ(latest(), before);
  EXPECT_FALSE(enabled("9"));

  // And loading the export again changes nothing.
  EXPECT_FALSE(YamlLoader(exported).run(store_).changed());
}

}  // namespace
}  // namespace dls

// DeltaLiveStore: the seed's store behaviours (tests/dbrx_dls_store_test.py) and the SCD2,
// atomicity and filter guarantees of DESIGN §3.
#include "dls/store/delta_live_store.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "core/test_entities.h"
#include "dls/core/content_hash.h"
#include "dls/core/error.h"
#include "dls/delta/delta_error.h"
#include "dls/delta/delta_table.h"
#include "dls/store/control_table_schema.h"
#include "store/store_test_support.h"
#include "support/test_support.h"

namespace dls {
namespace {

using store_testing::entity;
using store_testing::seed_entities;

class DeltaLiveStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { store.initialize(); }

  std::vector<std::string> entity_ids(const EntityList& list) {
    std::vector<std::string> ids;
    for (const auto& e : list) ids.push_back(e.entity_id);
    return ids;
  }

  testing::TempDir dir;
  DeltaLiveStore store{(dir / "control_table").string(), "alice"};
};

TEST_F(DeltaLiveStoreTest, InitializeIsIdempotentAndDestroyRemovesTheTable) {
  EXPECT_TRUE(store.is_initialized());
  EXPECT_EQ(store.version(), 0);
  store.initialize();
  EXPECT_EQ(store.version(), 0);
  store.destroy();
  EXPECT_FALSE(store.is_initialized());
  EXPECT_EQ(store.version(), -1);
  EXPECT_FALSE(std::filesystem::exists(dir / "control_table"));
  store.destroy();  // idempotent
  store.initialize();
  EXPECT_TRUE(store.is_initialized());
}

TEST_F(DeltaLiveStoreTest, DestroyRefusesADirectoryThatIsNotADeltaTable) {
  DeltaLiveStore other((dir / "data").string(), "alice");
  testing::write_file(dir / "data" / "precious.txt", "keep me");
  EXPECT_THROW(other.destroy(), Error);
  EXPECT_TRUE(std::filesystem::exists(dir / "data" / "precious.txt"));
}

TEST_F(DeltaLiveStoreTest, FindOnAnUninitializedStoreSaysHowToCreateIt) {
  DeltaLiveStore missing((dir / "missing").string());
  try {
    missing.find_entities();
    FAIL() << "expected NotFoundError";
  } catch (const NotFoundError& e) {
    EXPECT_NE(std::string(e.what()).find("dls store init"), std::string::npos) << e.what();
  }
}

TEST_F(DeltaLiveStoreTest, UpsertInsertsAFirstVersionWithGeneratedColumns) {
  const Timestamp before = now_micros();
  StoreChange change = store.upsert(entity("1", "path/to/data1", "table1"));
  EXPECT_EQ(change.version, 1);
  EXPECT_EQ(change.inserted, std::vector<std::string>{"1"});
  EXPECT_TRUE(change.changed());

  auto found = store.find_entity(by_entity_id("1"));
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->id);
  EXPECT_TRUE(std::regex_match(
      *found->id,
      std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
  EXPECT_TRUE(found->is_latest);
  EXPECT_TRUE(found->is_enabled);
  ASSERT_TRUE(found->created_ts);
  EXPECT_GE(*found->created_ts, before);
  EXPECT_LE(*found->created_ts, now_micros());
  EXPECT_FALSE(found->expired_ts);
  EXPECT_EQ(found->created_by, "alice");
  EXPECT_EQ(found->modified_by, "alice");
  EXPECT_EQ(found->hash, content_hash(entity("1", "path/to/data1", "table1")));
}

TEST_F(DeltaLiveStoreTest, UpsertRoundTripsEveryField) {
  DeltaLiveEntity full = testing::full_entity();
  full.group = "";  // no group: stored as NULL, read back as ""
  full.apply_changes->where.reset();
  store.upsert(full);
  auto found = store.find_entity(by_entity_id(full.entity_id));
  ASSERT_TRUE(found);
  DeltaLiveEntity got = *found;
  got.id.reset();
  got.created_ts.reset();
  got.created_by.reset();
  got.modified_by.reset();
  got.hash.reset();
  EXPECT_EQ(got, normalized(full));

  // And with a group, a comment-less entity and no apply_changes.
  DeltaLiveEntity plain = entity("p", "path/p", "p_table");
  plain.group = "main.etl";
  store.upsert(plain);
  auto p = store.find_entity(by_entity_id("p"));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->group, "main.etl");
  EXPECT_FALSE(p->apply_changes);
  EXPECT_FALSE(p->comment);
  EXPECT_EQ(p->read_options, (StringMap{{"pathGlobFilter", "*.parquet"}}));
}

TEST_F(DeltaLiveStoreTest, UpsertOfExpectationsKeepsThem) {  // seed: test_control_upsert
  DeltaLiveEntity e = entity("1", "path/to/data1", "table1");
  e.expectations.expect_all = {{"constraint_1", "1==1"}};
  e.expectations.expect_all_or_drop = {{"constraint_2", "1==1"}};
  e.expectations.expect_all_or_fail = {{"constraint_3", "1==1"}};
  store.upsert(e);
  auto all = store.find_entities(by_all());
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].expectations, e.expectations);
}

TEST_F(DeltaLiveStoreTest, UpsertManyIsOneCommit) {  // seed: test_control_upsert_many
  StoreChange change = store.upsert(seed_entities());
  EXPECT_EQ(change.version, 1);
  EXPECT_EQ(store.version(), 1);
  EXPECT_EQ(store.find_entities(by_all()).size(), 3u);
}

TEST_F(DeltaLiveStoreTest, UpsertChangedEntitiesKeepsEveryVersion) {  // seed: upsert_update
  store.upsert(seed_entities());
  std::vector<DeltaLiveEntity> update = {
      entity("1", "path/to/data1", "table1", "csv"),
      entity("2", "path/to/data2", "table1", "csv"),
      entity("4", "path/to/data4", "table1", "csv"),
  };
  StoreChange change = store.upsert(update);
  EXPECT_EQ(change.version, 2);
  EXPECT_EQ(change.inserted, std::vector<std::string>{"4"});
  EXPECT_EQ(change.updated, (std::vector<std::string>{"1", "2"}));

  EXPECT_EQ(store.find_history(by_all()).size(), 6u);
  EXPECT_EQ(store.find_history(by_entity_id("1")).size(), 2u);
  EXPECT_EQ(store.find_history(by_entity_id("2")).size(), 2u);
  EXPECT_EQ(store.find_history(by_entity_id("3")).size(), 1u);
  EXPECT_EQ(store.find_history(by_entity_id("4")).size(), 1u);

  EntityList versions = store.find_history(by_entity_id("1"));
  const DeltaLiveEntity& newer = versions[0];
  const DeltaLiveEntity& older = versions[1];
  EXPECT_EQ(newer.source_format, "csv");
  EXPECT_EQ(older.source_format, "parquet");
  ASSERT_TRUE(older.expired_ts);
  EXPECT_EQ(newer.created_ts, older.expired_ts);
  EXPECT_GT(*newer.created_ts, *older.created_ts);
  EXPECT_FALSE(older.is_latest);
  EXPECT_TRUE(newer.is_latest);
  EXPECT_NE(newer.id, older.id);
  EXPECT_EQ(older.modified_by, "alice");
  EXPECT_FALSE(newer.expired_ts);
  EXPECT_EQ(store.find_entities(by_all()).size(), 4u);
}

TEST_F(DeltaLiveStoreTest, AnUpsertRewritesNoRowItDoesNotChange) {
  // The control table uses deletion vectors: an update marks the superseded row in its file and
  // adds one file with the two changed rows; every other file stays as it was.
  store.upsert(seed_entities());
  store.upsert({entity("9", "path/to/data9", "table9", "csv")});
  auto table = delta::DeltaTable::open((dir / "control_table").string());
  const delta::Snapshot before = table.snapshot();
  EXPECT_TRUE(delta::DeltaTable::writes_deletion_vectors(before));
  StoreChange change = store.upsert({entity("1", "path/to/data1", "table1", "csv")});
  ASSERT_EQ(change.updated, std::vector<std::string>{"1"});
  const delta::Snapshot after = table.snapshot();
  std::set<std::string> old_paths, new_paths;
  for (const auto& f : before.files()) old_paths.insert(f.path);
  int with_dv = 0;
  for (const auto& f : after.files()) {
    new_paths.insert(f.path);
    if (f.deletion_vector) ++with_dv;
  }
  EXPECT_EQ(with_dv, 1);
  EXPECT_EQ(new_paths.size(), old_paths.size() + 1);
  for (const auto& p : old_paths) EXPECT_TRUE(new_paths.count(p)) << p;
  EXPECT_EQ(store.find_history(by_all()).size(), 5u);
  EXPECT_EQ(store.find_history(by_entity_id("1")).size(), 2u);
  EXPECT_EQ(store.find_entities(by_all()).size(), 4u);
}

TEST(DeltaLiveStoreWithoutDeletionVectors, AnOlderControlTableIsChangedByCopyOnWrite) {
  // A control table created before deletion vectors were the default keeps working: the file
  // holding a superseded version is rewritten, the others are kept.
  testing::TempDir dir;
  const std::string root = (dir / "control_table").string();
  {
    DeltaLiveStore store{root, "alice"};
    store.initialize();
  }
  // Recreate it without the property (as dls wrote control tables before).
  std::filesystem::remove_all(root);
  delta::CreateOptions options;
  options.properties[kControlTableProperty] = "true";
  delta::DeltaTable::create(root, control_table_schema(), options);
  DeltaLiveStore store{root, "alice"};
  store.upsert(seed_entities());
  store.upsert({entity("1", "path/to/data1", "table1", "csv")});
  auto table = delta::DeltaTable::open(root);
  EXPECT_FALSE(delta::DeltaTable::writes_deletion_vectors(table.snapshot()));
  EXPECT_EQ(store.find_history(by_entity_id("1")).size(), 2u);
  EXPECT_EQ(store.find_entities(by_all()).size(), 3u);
  const delta::Snapshot snap = table.snapshot();
  for (const auto& f : snap.files()) EXPECT_FALSE(f.deletion_vector);
}

TEST_F(DeltaLiveStoreTest, UpsertWithoutChangesMakesNoCommit) {
  store.upsert(seed_entities());
  const int64_t version = store.version();
  StoreChange change = store.upsert(seed_entities());
  EXPECT_FALSE(change.changed());
  EXPECT_EQ(change.unchanged.size(), 3u);
  EXPECT_EQ(change.version, version);
  EXPECT_EQ(store.version(), version);
  // An entity read back from the store (generated columns set) is unchanged too.
  auto found = store.find_entity(by_entity_id("2"));
  ASSERT_TRUE(found);
  EXPECT_FALSE(store.upsert(*found).changed());
  EXPECT_EQ(store.version(), version);
  EXPECT_EQ(store.find_history().size(), 3u);
}

TEST_F(DeltaLiveStoreTest, SameEntityIdTwiceInOneUpsertIsInvalidAndCommitsNothing) {
  store.upsert(seed_entities());
  const int64_t version = store.version();
  try {
    store.upsert({entity("9", "a", "t9"), entity("9", "b", "t9b")});
    FAIL() << "expected InvalidMetadataError";
  } catch (const InvalidMetadataError& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::kInvalidMetadata);
    EXPECT_NE(std::string(e.what()).find("'9'"), std::string::npos) << e.what();
  }
  EXPECT_EQ(store.version(), version);
  EXPECT_FALSE(store.entity_exists(by_entity_id("9")));
}

TEST_F(DeltaLiveStoreTest, InvalidEntityThrowsAndLeavesTheVersionUnchanged) {
  store.upsert(seed_entities());
  const int64_t version = store.version();
  DeltaLiveEntity bad = entity("1", "path/to/data1", "table1", "excel");  // not a format
  try {
    store.upsert({entity("5", "path/5", "table5"), bad});
    FAIL() << "expected MetadataErrors";
  } catch (const MetadataErrors& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::kInvalidMetadata);
    EXPECT_NE(std::string(e.what()).find("excel"), std::string::npos) << e.what();
  }
  DeltaLiveEntity missing = entity("6", "", "table6");  // source is required
  EXPECT_THROW(store.upsert(missing), MetadataErrors);
  EXPECT_EQ(store.version(), version);
  EXPECT_FALSE(store.entity_exists(by_entity_id("5")));
  EXPECT_EQ(store.find_entity(by_entity_id("1"))->source_format, "parquet");
}

TEST_F(DeltaLiveStoreTest, FindBySourcePath) {  // seed: test_find_by_source_path
  store.upsert(seed_entities());
  auto found = store.find_entity(by_source("path/to/data1"));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->source, "path/to/data1");
  EXPECT_FALSE(store.find_entity(by_source("path/to/nothing")));
}

TEST_F(DeltaLiveStoreTest, FindByEntityId) {  // seed: test_find_by_entity_id
  store.upsert(seed_entities());
  auto found = store.find_entity(by_entity_id("2"));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->entity_id, "2");
  EXPECT_TRUE(store.entity_exists(by_entity_id("3")));
  EXPECT_FALSE(store.entity_exists(by_entity_id("42")));
}

TEST_F(DeltaLiveStoreTest, UpdatingReadOptionsMergesWhatTheCallerMerged) {
  // seed: test_update_read_options — the caller merges into the stored map (|=) and upserts; the
  // store keeps exactly the map it is given.
  store.upsert(seed_entities());
  DeltaLiveEntity e = *store.find_entity(by_entity_id("2"));
  e.read_options.insert({"recursiveFileLookup", "true"});
  store.upsert(e);
  DeltaLiveEntity updated = *store.find_entity(by_entity_id("2"));
  EXPECT_EQ(updated.read_options.size(), 2u);
  EXPECT_EQ(updated.read_options,
            (StringMap{{"pathGlobFilter", "*.parquet"}, {"recursiveFileLookup", "true"}}));
  EXPECT_EQ(store.find_history(by_entity_id("2")).size(), 2u);
}

TEST_F(DeltaLiveStoreTest, UpdatingTablePropertiesOfAnEmptyMap) {  // seed: update_missing_options
  store.upsert(seed_entities());
  DeltaLiveEntity e = *store.find_entity(by_entity_id("2"));
  e.table_properties.insert({"new_key", "new_value"});
  store.upsert(e);
  EXPECT_EQ(store.find_entity(by_entity_id("2"))->table_properties.size(), 1u);
}

TEST_F(DeltaLiveStoreTest, DisableWritesANewVersion) {  // seed: test_disable_by_entity_id
  store.upsert(seed_entities());
  DeltaLiveEntity enabled = *store.find_entity(by_entity_id("2"));
  EXPECT_TRUE(enabled.is_enabled);
  store.disable(by_entity_id("2"));
  DeltaLiveEntity disabled = *store.find_entity(by_entity_id("2"));
  EXPECT_FALSE(disabled.is_enabled);
  EXPECT_NE(enabled.id, disabled.id);
  store.enable(by_entity_id("2"));
  DeltaLiveEntity again = *store.find_entity(by_entity_id("2"));
  EXPECT_TRUE(again.is_enabled);
  EXPECT_NE(again.id, disabled.id);
}

// A plan depending on the store runs again on the versions of the attempt that commits: a writer
// that commits between the plan's read and its commit is seen, never overwritten or missed.
TEST_F(DeltaLiveStoreTest, PlannedUpsertReplansAfterAConcurrentCommit) {
  store.upsert(entity("old", "in/old", "t_old"));
  DeltaLiveStore other((dir / "control_table").string(), "bob");
  int plans = 0;
  auto change = store.upsert({entity("new", "in/new", "t_new")}, [&](const EntityList& latest) {
    if (++plans == 1) other.upsert(entity("sneaky", "in/s", "t_s"));  // commits first
    std::vector<DeltaLiveEntity> off;
    for (const auto& e : latest) {
      if (e.entity_id == "new" || !e.is_enabled) continue;
      DeltaLiveEntity copy = e;
      copy.is_enabled = false;
      off.push_back(copy);
    }
    return off;
  });
  EXPECT_EQ(plans, 2);
  EXPECT_EQ(entity_ids(store.find_entities(by_is_enabled())), std::vector<std::string>{"new"})
      << "the concurrently inserted entity was planned over too";
  EXPECT_EQ(change.updated, (std::vector<std::string>{"old", "sneaky"}));
  EXPECT_EQ(store.find_history(by_entity_id("sneaky")).size(), 2u) << "bob's version is kept";
}

TEST_F(DeltaLiveStoreTest, DisableCascadesDownstream) {  // seed: disable_all_dependant_entities
  store.upsert(seed_entities());
  StoreChange change = store.disable(by_entity_id("1"));
  EXPECT_EQ(change.updated, (std::vector<std::string>{"1", "2", "3"}));
  EntityList all = store.find_entities(by_entity_id("1") | by_entity_id("2") | by_entity_id("3"));
  ASSERT_EQ(all.size(), 3u);
  for (const auto& e : all) EXPECT_FALSE(e.is_enabled) << e.entity_id;
  EXPECT_TRUE(store.find_entities().empty());  // default: enabled only
}

TEST_F(DeltaLiveStoreTest, DisableCascadesOnlyDownstream) {  // seed: some_dependant_entities
  store.upsert(seed_entities());
  store.disable(by_entity_id("2"));
  EntityList all = store.find_entities(by_entity_id("1") | by_entity_id("2") | by_entity_id("3"));
  EXPECT_TRUE(all.filter(by_entity_id("1")).first()->is_enabled);
  EXPECT_FALSE(all.filter(by_entity_id("2")).first()->is_enabled);
  EXPECT_FALSE(all.filter(by_entity_id("3")).first()->is_enabled);
  EXPECT_EQ(entity_ids(store.find_entities()), std::vector<std::string>{"1"});
}

TEST_F(DeltaLiveStoreTest, EnableCascadesUpstream) {  // seed: enable_some_dependant_entities
  store.upsert(seed_entities());
  store.disable(by_all());
  const int64_t version = store.version();
  StoreChange change = store.enable(by_entity_id("2"));
  EXPECT_EQ(change.version, version + 1);
  EXPECT_EQ(change.updated, (std::vector<std::string>{"1", "2"}));
  EntityList all = store.find_entities(by_all());
  EXPECT_TRUE(all.filter(by_entity_id("1")).first()->is_enabled);
  EXPECT_TRUE(all.filter(by_entity_id("2")).first()->is_enabled);
  EXPECT_FALSE(all.filter(by_entity_id("3")).first()->is_enabled);
}

TEST_F(DeltaLiveStoreTest, EnablingWhatIsEnabledMakesNoCommit) {
  store.upsert(seed_entities());
  const int64_t version = store.version();
  StoreChange change = store.enable(by_all());
  EXPECT_FALSE(change.changed());
  EXPECT_EQ(change.unchanged.size(), 3u);
  EXPECT_EQ(store.version(), version);
  EXPECT_FALSE(store.disable(by_entity_id("nope")).changed());
  EXPECT_EQ(store.version(), version);
}

TEST_F(DeltaLiveStoreTest, FindHistoryIsNewestFirst) {
  store.upsert(seed_entities());
  store.disable(by_entity_id("3"));
  store.enable(by_entity_id("3"));
  EntityList history = store.find_history(by_entity_id("3"));
  ASSERT_EQ(history.size(), 3u);
  EXPECT_TRUE(history[0].is_enabled);
  EXPECT_FALSE(history[1].is_enabled);
  EXPECT_TRUE(history[2].is_enabled);
  EXPECT_GT(*history[0].created_ts, *history[1].created_ts);
  EXPECT_GT(*history[1].created_ts, *history[2].created_ts);
  EXPECT_EQ(store.find_history(by_is_latest(false)).size(), 2u);
  // Time travel by reference timestamp: the version valid just after the first write.
  EntityList at = store.find_history(by_reference_ts(*history[2].created_ts) & by_entity_id("3"));
  ASSERT_EQ(at.size(), 1u);
  EXPECT_EQ(at[0].id, history[2].id);
}

TEST_F(DeltaLiveStoreTest, FiltersAgreeWithTheirCppSemantics) {
  // find_* push filters down into SQL; the result must equal evaluating them in C++.
  std::vector<DeltaLiveEntity> entities;
  for (int i = 0; i < 12; ++i) {
    DeltaLiveEntity e = entity(std::to_string(i), "src" + std::to_string(i % 4),
                               "dst" + std::to_string(i), i % 3 == 0 ? "csv" : "cloudFiles");
    if (e.source_format == "cloudFiles") e.read_options["cloudFiles.format"] = "csv";
    e.group = i % 2 ? "g1" : "";
    if (i % 4 == 1) e.tags = {{"pii", "yes"}};
    if (i % 4 == 2) e.tags = {{"pii", ""}};
    if (i == 5) e.destination_type = "view";
    entities.push_back(e);
  }
  store.upsert(entities);
  store.disable(by_entity_id("4") | by_entity_id("7"));
  EntityList everything = store.find_history(by_all());
  const Timestamp mid = *store.find_entity(by_entity_id("7"))->created_ts;
  std::vector<Predicate> predicates = {
      by_all(),
      by_group("g1"),
      by_group(""),
      ~by_group("g1"),
      by_has_tag("pii"),
      ~by_has_tag("pii"),
      by_has_tag_value("pii", ""),
      by_has_tag_value("pii", "yes") | by_is_streaming(false),
      by_is_enabled(false),
      by_is_enabled() & ~(by_source("src1") | by_destination("dst2")),
      by_destination_type("view"),
      by_created_by("alice") & by_modified_by("alice"),
      by_created_by("bob"),
      by_created_ts_between(0, mid - 1),
      by_reference_ts(mid - 1),
      ~by_reference_ts(mid),
      by_is_latest(false),
      by_predicate([](const DeltaLiveEntity& e) { return e.entity_id.size() == 2; }, "two") &
          by_group("g1"),
      ~by_predicate([](const DeltaLiveEntity& e) { return e.entity_id == "3"; }, "three"),
  };
  for (const auto& p : predicates) {
    EXPECT_EQ(store.find_history(p).size(), everything.filter(p).size()) << p.to_string();
    EXPECT_EQ(store.find_entities(p).size(), everything.filter(p & by_is_latest()).size())
        << p.to_string();
  }
}

TEST_F(DeltaLiveStoreTest, StatusCountsVersions) {
  StoreStatus empty = store.status();
  EXPECT_TRUE(empty.initialized);
  EXPECT_EQ(empty.history_rows, 0);
  DeltaLiveEntity grouped = entity("g", "path/g", "tg");
  grouped.group = "main.etl";
  auto entities = seed_entities();
  entities.push_back(grouped);
  store.upsert(entities);
  store.disable(by_entity_id("3"));
  StoreStatus s = store.status();
  EXPECT_EQ(s.version, 2);
  EXPECT_EQ(s.latest_entities, 4);
  EXPECT_EQ(s.enabled_entities, 3);
  EXPECT_EQ(s.history_rows, 5);
  EXPECT_EQ(s.groups, std::vector<std::string>{"main.etl"});
  store.destroy();
  EXPECT_FALSE(store.status().initialized);
}

TEST_F(DeltaLiveStoreTest, UserComesFromDlsUserVariable) {
  ::setenv("DLS_USER", "carol", 1);
  EXPECT_EQ(current_user(), "carol");
  DeltaLiveStore s((dir / "control_table").string());
  EXPECT_EQ(s.user(), "carol");
  ::unsetenv("DLS_USER");
  EXPECT_FALSE(current_user().empty());
  EXPECT_NE(current_user(), "carol");
}

TEST_F(DeltaLiveStoreTest, RefusesATableThatIsNotAControlTable) {
  testing::TempDir other;
  delta::Schema schema;
  schema.fields.push_back({"x", delta::DataType::primitive("long"), true, {}});
  delta::DeltaTable::create(other.str(), schema);
  DeltaLiveStore wrong(other.str());
  EXPECT_THROW(wrong.find_entities(), InvalidMetadataError);
  EXPECT_THROW(wrong.upsert(entity("1", "a", "b")), InvalidMetadataError);
}

}  // namespace
}  // namespace dls

namespace dls {
namespace {

TEST(DeltaLiveStoreOlderTable, AControlTableWithoutTheFlowColumnsIsReadAndGetsThemOnItsFirstWrite) {
  // A control table created before where_clause, query, flow_name and once existed (only the
  // seed's columns): its rows read with the defaults; the first write adds the columns, and
  // entities using them round-trip.
  testing::TempDir dir;
  const std::string root = (dir / "control_table").string();
  delta::Schema old_schema = control_table_schema();
  std::erase_if(old_schema.fields,
                [](const delta::StructField& f) { return is_added_control_table_column(f.name); });
  ASSERT_EQ(old_schema.fields.size(), required_control_table_columns().size());
  delta::CreateOptions options;
  options.properties[kControlTableProperty] = "true";
  delta::DeltaTable::create(root, old_schema, options);
  DeltaLiveStore store{root, "alice"};
  EXPECT_TRUE(store.is_initialized());
  EXPECT_TRUE(store.find_entities(by_all()).empty());

  store.upsert(store_testing::seed_entities());
  auto schema = delta::DeltaTable::open(root).snapshot().schema();
  ASSERT_NE(schema.find("flow_name"), nullptr);
  ASSERT_NE(schema.find("once"), nullptr);
  auto plain = store.find_entity(by_entity_id("1"));
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->flow_name);
  EXPECT_FALSE(plain->once);

  DeltaLiveEntity flow = store_testing::entity("7", "/in/hist", "orders", "parquet");
  flow.flow_name = "orders_backfill";
  flow.once = true;
  store.upsert({flow});
  auto back = store.find_entity(by_entity_id("7"));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->flow_name, "orders_backfill");
  EXPECT_TRUE(back->once);
  // Unchanged metadata is unchanged: reloading commits nothing.
  const int64_t version = store.version();
  EXPECT_FALSE(store.upsert({flow}).changed());
  EXPECT_FALSE(store.upsert(store_testing::seed_entities()).changed());
  EXPECT_EQ(store.version(), version);
}

}  // namespace
}  // namespace dls

namespace dls {
namespace {

DeltaLiveEntity delta_sink_entity() {
  DeltaLiveEntity sink = store_testing::entity("8", "orders", "orders_export", "dlt");
  sink.read_options.clear();
  sink.destination_type = "sink";
  sink.sink_format = "delta";
  sink.sink_options = {{"path", "/exports/orders"}, {"mergeSchema", "true"}};
  return normalized(sink);
}

TEST(DeltaLiveStoreOlderTable, AControlTableWithoutTheSinkColumnsIsReadAndGetsThemOnItsFirstWrite) {
  // A control table of the release before sinks: it has the flow columns but not sink_format and
  // sink_options. Its rows read as no sink; the first write adds the columns, sinks round-trip.
  testing::TempDir dir;
  const std::string root = (dir / "control_table").string();
  delta::Schema old_schema = control_table_schema();
  std::erase_if(old_schema.fields, [](const delta::StructField& f) {
    return f.name == "sink_format" || f.name == "sink_options";
  });
  delta::CreateOptions options;
  options.properties[kControlTableProperty] = "true";
  delta::DeltaTable::create(root, old_schema, options);
  DeltaLiveStore store{root, "alice"};
  EXPECT_TRUE(store.is_initialized());

  store.upsert(store_testing::seed_entities());
  auto schema = delta::DeltaTable::open(root).snapshot().schema();
  ASSERT_NE(schema.find("sink_format"), nullptr);
  ASSERT_NE(schema.find("sink_options"), nullptr);
  auto plain = store.find_entity(by_entity_id("1"));
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->sink_format);
  EXPECT_TRUE(plain->sink_options.empty());

  const DeltaLiveEntity sink = delta_sink_entity();
  store.upsert({sink});
  auto back = store.find_entity(by_entity_id("8"));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->destination_type, "sink");
  EXPECT_EQ(back->sink_format, "delta");
  EXPECT_EQ(back->sink_options, sink.sink_options);
  const int64_t version = store.version();
  EXPECT_FALSE(store.upsert({sink}).changed());
  EXPECT_EQ(store.version(), version);
}

TEST(DeltaLiveStoreSinks, BySinkDestinationTypeFindsTheSinks) {
  testing::TempDir dir;
  DeltaLiveStore store{(dir / "control_table").string(), "alice"};
  store.initialize();
  store.upsert(store_testing::seed_entities());
  store.upsert({delta_sink_entity()});
  auto sinks = store.find_entities(by_destination_type("sink"));
  ASSERT_EQ(sinks.size(), 1u);
  EXPECT_EQ(sinks[0].entity_id, "8");
  EXPECT_EQ(sinks[0].sink_options.at("mergeSchema"), "true");
  EXPECT_EQ(store.find_entities(by_destination_type("table")).size() + 1,
            store.find_entities(by_all()).size());
}

}  // namespace
}  // namespace dls

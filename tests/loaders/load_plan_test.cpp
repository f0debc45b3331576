// What a load checks against the control table before writing (load_plan.h): group moves need
// allow_move, cycles among the enabled entities are refused — across groups, through stored
// entities — and every problem is listed; the loaders write nothing then.
#include "dls/loaders/load_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dls/core/error.h"
#include "dls/loaders/json_loader.h"
#include "dls/loaders/yaml_loader.h"
#include "support/test_support.h"

namespace dls {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;

DeltaLiveEntity entity(std::string id, std::string group, std::string source,
                       std::string destination) {
  DeltaLiveEntity e;
  e.entity_id = std::move(id);
  e.group = std::move(group);
  e.source = std::move(source);
  e.source_format = "delta";
  e.destination = std::move(destination);
  return e;
}

std::string errors_of(const EntityList& latest, const std::vector<DeltaLiveEntity>& loaded,
                      LoadOptions options = {}) {
  try {
    plan_load(latest, loaded, nullptr, options, "in.yml");
  } catch (const MetadataErrors& e) {
    return e.what();
  }
  return "";
}

TEST(LoadPlan, MovingAnEntityToAnotherGroupIsRefusedUnlessAllowed) {
  const EntityList latest({entity("x", "team_a", "/t/x", "x"), entity("y", "", "/t/y", "y")});
  const std::vector<DeltaLiveEntity> loaded = {entity("x", "team_b", "/t/x", "x"),
                                               entity("y", "team_b", "/t/y", "y"),
                                               entity("z", "team_b", "/t/z", "z")};
  const std::string errors = errors_of(latest, loaded);
  EXPECT_THAT(errors, AllOf(HasSubstr("in.yml: error: entity 'x': group: the entity is in group "
                                      "'team_a'"),
                            HasSubstr("entity 'y': group: the entity is in group '' (no group)"),
                            HasSubstr("--allow-move")))
      << errors;
  EXPECT_THAT(errors, ::testing::Not(HasSubstr("'z'")));
  const LoadPlan plan = plan_load(latest, loaded, nullptr, {.allow_move = true}, "in.yml");
  EXPECT_EQ(plan.moved, (std::vector<MovedEntity>{{"x", "team_a", "team_b"}, {"y", "", "team_b"}}));
}

TEST(LoadPlan, CycleAcrossGroupsAndThroughStoredEntitiesIsRefused) {
  // Stored: a (g1) reads c; loaded: b (g2) reads a, c (g3) reads b.
  const EntityList latest({entity("a", "g1", "c", "a")});
  const std::string errors =
      errors_of(latest, {entity("b", "g2", "a", "b"), entity("c", "g3", "b", "c")});
  EXPECT_THAT(errors, AllOf(HasSubstr("'a' (in the control table)"), HasSubstr("'b'"),
                            HasSubstr("'c'"), HasSubstr("a -> b -> c -> a")))
      << errors;
}

TEST(LoadPlan, DisabledEntitiesBreakCycles) {
  DeltaLiveEntity a = entity("a", "g1", "c", "a");
  a.is_enabled = false;
  EXPECT_EQ(errors_of(EntityList({a}), {entity("b", "g2", "a", "b"), entity("c", "g3", "b", "c")}),
            "");
  // ... and so does the loaded version replacing a stored one.
  EXPECT_EQ(errors_of(EntityList({entity("a", "g1", "c", "a")}),
                      {entity("a", "g1", "/files", "a"), entity("b", "g1", "a", "b"),
                       entity("c", "g1", "b", "c")}),
            "");
}

TEST(LoadPlan, SelfReadAndEveryCycleAreListed) {
  const std::string errors =
      errors_of(EntityList(), {entity("s", "g", "s_t", "s_t"), entity("p", "g", "q_t", "p_t"),
                               entity("q", "g", "p_t", "q_t")});
  EXPECT_THAT(errors, AllOf(HasSubstr("entity 's': source: the entity reads its own destination"),
                            HasSubstr("'p', 'q' read each other")))
      << errors;
}

class LoaderPlanTest : public ::testing::Test {
 protected:
  LoaderPlanTest() : store_((dir_ / "control").string(), "tester") { store_.initialize(); }
  fs::path file(const std::string& name, const std::string& text) {
    testing::write_file(dir_ / name, text);
    return dir_ / name;
  }
  testing::TempDir dir_;
  DeltaLiveStore store_;
};

TEST_F(LoaderPlanTest, YamlLoaderWritesNothingWhenTheFileWouldMoveAnEntity) {
  YamlLoader(file("a.yml", R"(delta_live_store:
  - {entity_id: x, group: a, source: /t/x, source_format: delta, destination: x}
)"))
      .run(store_);
  const int64_t version = store_.version();
  const fs::path b = file("b.yml", R"(delta_live_store:
  - {entity_id: x, group: b, source: /t/x, source_format: delta, destination: x}
  - {entity_id: other, group: b, source: /t/o, source_format: delta, destination: o}
)");
  EXPECT_THROW(YamlLoader(b).run(store_), MetadataErrors);
  EXPECT_EQ(store_.version(), version);
  const LoadSummary s = YamlLoader(b).run(store_, {.allow_move = true});
  EXPECT_EQ(s.moved, (std::vector<MovedEntity>{{"x", "a", "b"}}));
  EXPECT_THAT(s.to_text(), HasSubstr("moved x from group 'a' to 'b'"));
  EXPECT_EQ(s.to_json()["moved"][0]["to_group"], "b");
}

TEST_F(LoaderPlanTest, MalformedSparkSqlIsALocatedLoadError) {
  const fs::path f = file("sql.yml", R"(delta_live_store:
  - entity_id: s
    source: /t/s
    source_format: delta
    destination: s
    select_expr: ["id", "a FROM t UNION SELECT b"]
    expectations:
      expect_all:
        ok: "id > 0"
        broken: "id >"
)");
  try {
    YamlLoader(f).run(store_);
    FAIL() << "expected errors";
  } catch (const MetadataErrors& e) {
    ASSERT_EQ(e.errors().size(), 2u) << e.what();
    EXPECT_THAT(e.what(), AllOf(HasSubstr("sql.yml:6:"), HasSubstr("select_expr[1]"),
                                HasSubstr("one select item"), HasSubstr("at position 2")));
    EXPECT_THAT(e.what(),
                AllOf(HasSubstr("sql.yml:10:"), HasSubstr("expectations.expect_all.broken"),
                      HasSubstr("at position 4")));
  }
  EXPECT_EQ(store_.find_entities(by_all()).size(), 0u);
}

TEST_F(LoaderPlanTest, SparkSqlTheLocalEngineCannotRunIsAWarning) {
  // Valid Spark SQL (a function without a DuckDB equivalent): Databricks runs it, `dls run` does
  // not.
  const fs::path f = file("w.yml", R"(delta_live_store:
  - entity_id: w
    source: /t/w
    source_format: delta
    destination: w
    is_streaming: false
    select_expr: ["regexp_instr(name, 'a+') AS n"]
)");
  const LoadSummary s = YamlLoader(f).run(store_);
  ASSERT_EQ(s.inserted.size(), 1u);
  ASSERT_EQ(s.warnings.size(), 1u);
  EXPECT_THAT(s.warnings[0].to_string(),
              AllOf(HasSubstr("select_expr[0]"), HasSubstr("`dls run` will refuse it")));
}

TEST_F(LoaderPlanTest, JsonLoaderChecksSparkSqlToo) {
  const JsonLoader loader = JsonLoader::from_text(
      R"([{"entity_id": "j", "source": "/t/j", "source_format": "delta", "destination": "j",
          "primary_keys": ["id"], "apply_changes": {"sequence_by": "ts", "apply_as_deletes": "op = "}}])");
  try {
    loader.run(store_);
    FAIL() << "expected errors";
  } catch (const MetadataErrors& e) {
    EXPECT_THAT(e.what(),
                AllOf(HasSubstr("entity 'j'"), HasSubstr("apply_changes.apply_as_deletes"),
                      HasSubstr("position")));
  }
}

}  // namespace
}  // namespace dls

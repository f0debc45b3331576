// The control table marker (issue 15): `store init` marks the control table with the property
// dls.controlTable=true (and marks an older, unmarked one), so pipelines never write it and
// destroy() deletes nothing else.
#include <gtest/gtest.h>

#include "dls/core/error.h"
#include "dls/delta/delta_table.h"
#include "dls/delta/transaction.h"
#include "dls/store/control_table_schema.h"
#include "dls/store/delta_live_store.h"
#include "support/test_support.h"

namespace dls {
namespace {

std::map<std::string, std::string> properties(const std::string& root) {
  return delta::DeltaTable::open(root).snapshot().metadata().configuration;
}

TEST(ControlTableMarker, InitializeMarksTheControlTable) {
  testing::TempDir dir;
  const std::string root = (dir / "store").string();
  DeltaLiveStore store(root);
  store.initialize();
  EXPECT_EQ(properties(root)[kControlTableProperty], "true");
  EXPECT_TRUE(store.is_control_table());
  EXPECT_EQ(store.version(), 0);
  store.initialize();
  EXPECT_EQ(store.version(), 0) << "idempotent: no commit";
}

TEST(ControlTableMarker, InitializeMarksAControlTableCreatedWithoutTheMarker) {
  testing::TempDir dir;
  const std::string root = (dir / "store").string();
  delta::DeltaTable::create(root, control_table_schema());  // as an older dls created it
  EXPECT_TRUE(is_control_table(delta::DeltaTable::open(root).snapshot())) << "by its columns";
  DeltaLiveStore store(root);
  store.initialize();
  EXPECT_EQ(store.version(), 1) << "one metadata commit";
  EXPECT_EQ(properties(root)[kControlTableProperty], "true");
  EXPECT_EQ(delta::DeltaTable::open(root).history(1).at(0).operation, "SET TBLPROPERTIES");
}

TEST(ControlTableMarker, AnotherDeltaTableIsNeitherInitializedNorDestroyed) {
  testing::TempDir dir;
  const std::string root = (dir / "data").string();
  delta::Schema schema;
  schema.fields.push_back(
      {"id", delta::DataType::primitive("long"), true, nlohmann::json::object()});
  delta::DeltaTable::create(root, schema);
  DeltaLiveStore store(root);
  EXPECT_FALSE(store.is_control_table());
  EXPECT_THROW(store.initialize(), InvalidMetadataError);
  EXPECT_THROW(store.destroy(), InvalidMetadataError);
  EXPECT_TRUE(delta::DeltaTable::exists(root));
  EXPECT_EQ(delta::DeltaTable::open(root).snapshot().version(), 0);
}

TEST(ControlTableMarker, DestroyDeletesAControlTable) {
  testing::TempDir dir;
  const std::string root = (dir / "store").string();
  DeltaLiveStore store(root);
  store.initialize();
  store.destroy();
  EXPECT_FALSE(store.is_initialized());
  store.destroy();  // idempotent
}

}  // namespace
}  // namespace dls

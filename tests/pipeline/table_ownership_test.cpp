// Table ownership at the pipeline layer (issue 15): created tables record their owner; a table of
// another pipeline, one no pipeline owns, or a reserved name is refused before anything is written;
// a table written by an older dls (no owner property) is adopted by the pipeline whose txn ids it
// carries, in one metadata commit.
#include <gtest/gtest.h>

#include "dls/core/error.h"
#include "dls/delta/transaction.h"
#include "dls/pipeline/table_ownership.h"
#include "pipeline/pipeline_test_support.h"

namespace dls::pipeline {
namespace {

using testing::PipelineHarness;
using testing::rows_sql;
using Rows = std::vector<std::string>;

std::string owner_of(PipelineHarness& h, const std::string& table) {
  return recorded_owner(delta::DeltaTable::open(h.table_root(table)).snapshot()).value_or("");
}

/// Removes the owner property, as a table written before ownership existed.
void forget_owner(PipelineHarness& h, const std::string& table) {
  delta::Snapshot snap = delta::DeltaTable::open(h.table_root(table)).snapshot();
  delta::Metadata m = snap.metadata();
  m.configuration.erase(kOwnerProperty);
  delta::Transaction tx(snap);
  tx.set_metadata(m);
  tx.set_operation("UNSET TBLPROPERTIES");
  tx.commit();
}

std::string refusal_of(PipelineHarness& h, PipelineOptions o) {
  try {
    h.run(std::move(o));
  } catch (const MetadataErrors& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::kInvalidMetadata);
    return e.what();
  }
  ADD_FAILURE() << "the update was not refused";
  return "";
}

TEST(TableOwnership, CreatedTablesRecordTheirPipeline) {
  PipelineHarness h;
  h.add("bronze", "in", "bronze").is_quarantined = true;
  h.entities[0].expectations.expect_all = {{"small", "id < 2"}};
  h.input("in")->batches.push_back(rows_sql({{1, "a"}, {2, "b"}}));
  ASSERT_TRUE(h.run().ok());
  EXPECT_EQ(owner_of(h, "bronze"), "test");
  EXPECT_EQ(owner_of(h, "bronze_invalid"), "test");
}

TEST(TableOwnership, AnotherPipelineIsRefusedBeforeAnythingIsWritten) {
  PipelineHarness h;
  h.add("bronze", "in", "bronze");
  h.input("in")->batches.push_back(rows_sql({{1, "a"}}));
  ASSERT_TRUE(h.run().ok());
  const int64_t v = h.version("bronze");
  h.input("in")->batches.push_back(rows_sql({{2, "b"}}));
  auto o = h.options();
  o.pipeline = "other";
  std::string why = refusal_of(h, o);
  EXPECT_NE(why.find("entity 'bronze' (destination 'bronze')"), std::string::npos) << why;
  EXPECT_NE(why.find("owned by pipeline 'test'"), std::string::npos) << why;
  EXPECT_EQ(h.version("bronze"), v);
  EXPECT_FALSE(std::filesystem::exists(h.warehouse().pipeline_dir("other")));
  // After set_table_owner, the other pipeline may write it.
  OwnerChange c = set_table_owner(h.table_root("bronze"), "other");
  EXPECT_TRUE(c.changed);
  EXPECT_EQ(c.previous, "test");
  EXPECT_EQ(c.version, v + 1);
  EXPECT_TRUE(h.run(o).ok());
}

TEST(TableOwnership, ATableNoPipelineOwnsIsNotWritten) {
  PipelineHarness h;
  delta::Schema schema;
  schema.fields.push_back(
      {"id", delta::DataType::primitive("integer"), true, nlohmann::json::object()});
  delta::DeltaTable::create(h.table_root("mv"), schema);
  h.add("mv", "in", "mv", false);
  h.input("in")->batches.push_back(rows_sql({{1, "a"}}));
  std::string why = refusal_of(h, h.options());
  EXPECT_NE(why.find("not owned by any pipeline"), std::string::npos) << why;
  EXPECT_EQ(h.version("mv"), 0);
  EXPECT_FALSE(std::filesystem::exists(h.warehouse().pipeline_dir("test")));
}

TEST(TableOwnership, ReservedDestinationIsRefused) {
  PipelineHarness h;
  h.add("state", "in", "_pipelines.test.event_log");
  h.input("in")->batches.push_back(rows_sql({{1, "a"}}));
  std::string why = refusal_of(h, h.options());
  EXPECT_NE(why.find("entity 'state' (destination '_pipelines.test.event_log')"), std::string::npos)
      << why;
  EXPECT_NE(why.find("reserved"), std::string::npos) << why;
  EXPECT_FALSE(std::filesystem::exists(h.warehouse().pipeline_dir("test")));
}

TEST(TableOwnership, ATableWrittenBeforeOwnershipIsAdoptedByItsWriter) {
  PipelineHarness h;
  h.add("bronze", "in", "bronze");
  h.add("mv", "bronze", "mv", false, "dlt");
  h.input("in")->batches.push_back(rows_sql({{1, "a"}}));
  ASSERT_TRUE(h.run().ok());
  forget_owner(h, "bronze");
  forget_owner(h, "mv");
  // Another pipeline is told who wrote it (the txn ids of the streaming table).
  auto o = h.options();
  o.pipeline = "other";
  std::string why = refusal_of(h, o);
  EXPECT_NE(why.find("main.default.bronze has no owner"), std::string::npos) << why;
  EXPECT_NE(why.find("'test'"), std::string::npos) << why;
  EXPECT_NE(why.find("main.default.mv exists and is not owned by any pipeline"), std::string::npos)
      << why;
  // Its writer adopts both: the streaming table by its txn ids, the view by the flow's state.
  const int64_t v = h.version("bronze");
  ASSERT_TRUE(h.run().ok());
  EXPECT_EQ(owner_of(h, "bronze"), "test");
  EXPECT_EQ(owner_of(h, "mv"), "test");
  EXPECT_EQ(h.version("bronze"), v + 1) << "one metadata commit, no data";
  EXPECT_EQ(delta::DeltaTable::open(h.table_root("bronze")).history(1).at(0).operation,
            "SET TBLPROPERTIES");
  EXPECT_EQ(h.rows("bronze", "id"), (Rows{"1"}));
}

}  // namespace
}  // namespace dls::pipeline

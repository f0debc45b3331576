// delta and dlt sources: streaming reads of new appends only, non-append changes, batch reads.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dls/core/error.h"
#include "dls/delta/delta_table.h"
#include "dls/delta/table_scan.h"
#include "dls/pipeline/source.h"
#include "pipeline/sources_test_support.h"
#include "support/test_support.h"

namespace dls::pipeline {
namespace {

using dls::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::rows_of;

class SourceDelta : public ::testing::Test {
 protected:
  TempDir dir;
  sql::Database db;
  sql::Connection con = db.connect();
  std::string root = (dir / "upstream").string();

  void SetUp() override {
    delta::Schema schema;
    schema.fields.push_back({"id", delta::DataType::primitive("long")});
    schema.fields.push_back({"name", delta::DataType::primitive("string")});
    delta::DeltaTable::create(root, schema);
  }
  void append(const std::string& values) {
    delta::DeltaTable::open(root).append(con,
                                         "SELECT * FROM (VALUES " + values + ") AS t(id, name)");
  }
  SourceContext context() {
    SourceContext c;
    c.state_dir = dir / "state";
    c.resolve_table = [this](const std::string& name) {
      if (name == "main.etl.upstream") return std::filesystem::path(root);
      return std::filesystem::path(name);
    };
    c.view_sql = [](const std::string& name) -> std::optional<std::string> {
      if (name == "a_view") return "SELECT 42 AS answer";
      return std::nullopt;
    };
    return c;
  }
  std::unique_ptr<Source> source(const std::string& format, const std::string& name,
                                 StringMap options = {}, bool streaming = true) {
    DeltaLiveEntity e;
    e.entity_id = "reader";
    e.source = name;
    e.source_format = format;
    e.destination = "reader";
    e.is_streaming = streaming;
    e.read_options = std::move(options);
    return make_source(e, context());
  }
};

TEST_F(SourceDelta, StreamingReadsTheSnapshotThenOnlyNewAppends) {
  append("(1::BIGINT, 'a'), (2, 'b')");
  auto src = source("delta", "main.etl.upstream");
  auto first = src->plan(nullptr);
  ASSERT_TRUE(first);
  EXPECT_THAT(rows_of(con, src->batch(con, *first).sql), ElementsAre("1|a", "2|b"));
  EXPECT_FALSE(src->plan(*first));

  append("(3::BIGINT, 'c')");
  append("(4::BIGINT, 'd')");
  auto second = src->plan(*first);
  ASSERT_TRUE(second);
  EXPECT_EQ((*second)["start_version"], (*first)["end_version"].get<int64_t>() + 1);
  EXPECT_THAT(rows_of(con, src->batch(con, *second).sql), ElementsAre("3|c", "4|d"));
  // The same offsets read the same rows even after more commits.
  append("(5::BIGINT, 'e')");
  EXPECT_THAT(rows_of(con, src->batch(con, *second).sql), ElementsAre("3|c", "4|d"));
  auto third = src->plan(*second);
  ASSERT_TRUE(third);
  EXPECT_THAT(rows_of(con, src->batch(con, *third).sql), ElementsAre("5|e"));
}

TEST_F(SourceDelta, EmptyTableHasNoInputUntilRowsArrive) {
  auto src = source("delta", root);
  EXPECT_FALSE(src->plan(nullptr));
  append("(1::BIGINT, 'a')");
  auto first = src->plan(nullptr);
  ASSERT_TRUE(first);
  EXPECT_THAT(rows_of(con, src->batch(con, *first).sql), ElementsAre("1|a"));
}

TEST_F(SourceDelta, NonAppendChangeIsAnErrorUnlessSkipChangeCommits) {
  append("(1::BIGINT, 'a'), (2, 'b')");
  auto src = source("delta", root);
  auto first = src->plan(nullptr);
  delta::DeltaTable::open(root).delete_where(con, "id = 1");
  append("(3::BIGINT, 'c')");
  EXPECT_THAT([&] { src->plan(*first); },
              ::testing::ThrowsMessage<Error>(HasSubstr("skipChangeCommits")));

  auto skipping = source("delta", root, {{"skipChangeCommits", "true"}});
  auto next = skipping->plan(*first);
  ASSERT_TRUE(next);
  EXPECT_THAT(rows_of(con, skipping->batch(con, *next).sql), ElementsAre("3|c"));
}

TEST_F(SourceDelta, ReadChangeFeedStreamsInsertsUpdatesAndDeletes) {
  const std::string cdf_root = (dir / "cdf").string();
  delta::Schema schema;
  schema.fields.push_back({"id", delta::DataType::primitive("long")});
  schema.fields.push_back({"name", delta::DataType::primitive("string")});
  delta::CreateOptions options;
  options.properties = {{"delta.enableChangeDataFeed", "true"},
                        {"delta.enableDeletionVectors", "true"}};
  auto table = delta::DeltaTable::create(cdf_root, schema, options);
  table.append(con, "SELECT * FROM (VALUES (1::BIGINT, 'a'), (2, 'b'), (3, 'c')) AS t(id, name)");
  auto src = source("delta", cdf_root, {{"readChangeFeed", "true"}});
  auto first = src->plan(nullptr);
  ASSERT_TRUE(first);
  EXPECT_THAT(rows_of(con, "SELECT id, name, _change_type, _commit_version FROM (" +
                               src->batch(con, *first).sql + ")"),
              ElementsAre("1|a|insert|1", "2|b|insert|1", "3|c|insert|1"));

  // A row-level change (update 2, delete 3) and then an append.
  con.execute("CREATE TEMP TABLE keys AS SELECT * FROM (VALUES (2::BIGINT), (3)) AS k(id)");
  auto snap = table.snapshot();
  con.execute("CREATE TEMP TABLE old AS " +
              delta::TableScan(snap).sql_for_keys(con, {"id"}, "keys"));
  delta::RowChange change;
  change.read_version = snap.version();
  change.removed_rows_sql = "SELECT __dls_file, __dls_row FROM old";
  change.added_rows_sql = "SELECT 2::BIGINT AS id, 'B' AS name";
  change.key_columns = {"id"};
  table.replace_rows(con, change);
  table.append(con, "SELECT 4::BIGINT AS id, 'd' AS name");
  auto second = src->plan(*first);
  ASSERT_TRUE(second);
  EXPECT_THAT(rows_of(con, "SELECT id, name, _change_type, _commit_version FROM (" +
                               src->batch(con, *second).sql + ")"),
              ElementsAre("2|B|update_postimage|2", "2|b|update_preimage|2", "3|c|delete|2",
                          "4|d|insert|3"));
  EXPECT_FALSE(src->plan(*second));

  // A batch read needs startingVersion and reads the feed from there to the latest version.
  EXPECT_THROW(source("delta", cdf_root, {{"readChangeFeed", "true"}}, false)->full_sql(con),
               InvalidMetadataError);
  auto batch =
      source("delta", cdf_root, {{"readChangeFeed", "true"}, {"startingVersion", "2"}}, false);
  EXPECT_THAT(rows_of(con, "SELECT id, _change_type FROM (" + batch->full_sql(con) + ")"),
              ElementsAre("2|update_postimage", "2|update_preimage", "3|delete", "4|insert"));
}

TEST_F(SourceDelta, BatchReadsTheWholeTableAndFingerprintsTheVersion) {
  append("(1::BIGINT, 'a')");
  auto src = source("delta", root, {}, false);
  const auto fp = src->fingerprint();
  EXPECT_THAT(rows_of(con, src->full_sql(con)), ElementsAre("1|a"));
  EXPECT_EQ(fp, src->fingerprint());
  append("(2::BIGINT, 'b')");
  EXPECT_NE(fp, src->fingerprint());
  EXPECT_THAT(rows_of(con, src->full_sql(con)), ElementsAre("1|a", "2|b"));
  auto old = source("delta", root, {{"versionAsOf", "1"}}, false);
  EXPECT_THAT(rows_of(con, old->full_sql(con)), ElementsAre("1|a"));
}

TEST_F(SourceDelta, DltReadsUpstreamTablesAndViews) {
  append("(1::BIGINT, 'a')");
  auto table = source("dlt", "main.etl.upstream");
  auto first = table->plan(nullptr);
  ASSERT_TRUE(first);
  EXPECT_THAT(rows_of(con, table->batch(con, *first).sql), ElementsAre("1|a"));

  auto view = source("dlt", "a_view", {}, false);
  EXPECT_THAT(rows_of(con, view->full_sql(con)), ElementsAre("42"));
  EXPECT_NE(view->fingerprint(), view->fingerprint()) << "a view is always recomputed";
  auto streaming_view = source("dlt", "a_view");
  EXPECT_THAT([&] { streaming_view->plan(nullptr); },
              ::testing::ThrowsMessage<Error>(HasSubstr("not supported by the local engine")));
}

TEST_F(SourceDelta, MissingTableIsNotFound) {
  auto src = source("delta", (dir / "nope").string());
  EXPECT_THROW(src->plan(nullptr), NotFoundError);
  EXPECT_THROW(source("delta", root, {{"skipChangeCommit", "true"}}), InvalidMetadataError);
}

}  // namespace
}  // namespace dls::pipeline

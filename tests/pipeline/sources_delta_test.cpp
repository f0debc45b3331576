// delta and dlt sources: streaming reads of new appends only, non-append changes, batch reads.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dls/core/error.h"
#include "dls/delta/delta_table.h"
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

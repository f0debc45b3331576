// Metadata changes reach existing tables (issue 15, item 5), through the binary: a new comment,
// tag or table property of an entity is applied on the next `dls run` as one metadata-only commit
// before the data commit, and an unchanged definition adds no commit.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace dls {
namespace {

using nlohmann::json;
using testing::CommandResult;
using testing::run_dls;
using testing::shell_quote;
using testing::TempDir;
using testing::write_file;

class MetadataSyncCli : public ::testing::Test {
 protected:
  void SetUp() override {
    wh_ = (dir_.path() / "wh").string();
    write_file(dir_.path() / "in" / "a.csv", "id\n1\n2\n");
    ASSERT_EQ(dls("store init").exit_code, 0);
  }

  CommandResult dls(const std::string& args) {
    return run_dls("--warehouse " + shell_quote(wh_) + " " + args, dir_.path());
  }

  /// A streaming table with `meta` (YAML lines) and a materialized view over it with `gold_meta`.
  void load(const std::string& meta, const std::string& gold_meta) {
    write_file(dir_.path() / "p.yml",
               "delta_live_store:\n"
               "  - entity_id: bronze\n"
               "    group: main.sales\n"
               "    source: " +
                   (dir_.path() / "in").string() +
                   "\n"
                   "    source_format: cloudFiles\n"
                   "    read_options: {cloudFiles.format: csv, header: 'true'}\n"
                   "    destination: bronze\n" +
                   meta +
                   "  - entity_id: gold\n"
                   "    group: main.sales\n"
                   "    source: bronze\n"
                   "    source_format: dlt\n"
                   "    is_streaming: false\n"
                   "    select_expr: ['count(*) AS n']\n"
                   "    destination: gold\n" +
                   gold_meta);
    CommandResult r = dls("load yaml p.yml");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  json describe(const std::string& table) {
    CommandResult r = dls("table describe --format json " + table);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  }

  json history(const std::string& table) {
    CommandResult r = dls("table history --format json " + table);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  }

  TempDir dir_;
  std::string wh_;
};

TEST_F(MetadataSyncCli, ChangedCommentTagsAndPropertiesReachTheTablesInOneCommit) {
  const std::string first =
      "    comment: first\n    table_properties: {quality: bronze}\n    tags: {layer: raw}\n";
  load(first, first);
  ASSERT_EQ(dls("run").exit_code, 0);
  const int64_t bronze = describe("main.sales.bronze")["version"];
  const int64_t gold = describe("main.sales.gold")["version"];
  EXPECT_EQ(describe("main.sales.bronze")["description"], "first");

  const std::string second =
      "    comment: second\n    table_properties: {quality: silver, owner_team: sales}\n"
      "    tags: {tier: one}\n";
  load(second, second);
  CommandResult r = dls("run");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& [table, before] : {std::pair{std::string("main.sales.bronze"), bronze},
                                      std::pair{std::string("main.sales.gold"), gold}}) {
    json d = describe(table);
    EXPECT_EQ(d["description"], "second") << table;
    EXPECT_EQ(d["properties"]["quality"], "silver") << table;
    EXPECT_EQ(d["properties"]["owner_team"], "sales") << table;
    EXPECT_EQ(d["properties"]["dls.tag.tier"], "one") << table;
    EXPECT_FALSE(d["properties"].contains("dls.tag.layer")) << "a removed tag is removed";
    // The metadata commit comes first (the view is then recomputed: its input table changed).
    json h = history(table);
    int metadata_commits = 0;
    for (const auto& c : h) {
      if (c["version"].get<int64_t>() <= before) continue;
      if (c["operation"] == "SET TBLPROPERTIES") {
        ++metadata_commits;
        EXPECT_EQ(c["version"], before + 1) << h.dump();
        EXPECT_EQ(c["operation_parameters"]["comment"], "second") << h.dump();
      }
    }
    EXPECT_EQ(metadata_commits, 1) << table << ": " << h.dump();
  }
  EXPECT_EQ(describe("main.sales.bronze")["version"], bronze + 1) << "no new data: no data commit";

  // Nothing changed: no commit at all.
  const int64_t gold_after = describe("main.sales.gold")["version"];
  ASSERT_EQ(dls("run").exit_code, 0);
  EXPECT_EQ(describe("main.sales.bronze")["version"], bronze + 1);
  EXPECT_EQ(describe("main.sales.gold")["version"], gold_after);
}

TEST_F(MetadataSyncCli, AMaterializedViewWhoseMetadataAloneChangedIsNotRecomputed) {
  load("", "    comment: first\n");
  ASSERT_EQ(dls("run").exit_code, 0);
  const int64_t gold = describe("main.sales.gold")["version"];
  load("", "    comment: second\n    table_properties: {quality: gold}\n");
  CommandResult r = dls("run --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& row : json::parse(r.out)) EXPECT_EQ(row["status"], "UP_TO_DATE") << r.out;
  EXPECT_EQ(describe("main.sales.gold")["version"], gold + 1) << "one metadata commit only";
  EXPECT_EQ(describe("main.sales.gold")["description"], "second");
  EXPECT_EQ(history("main.sales.gold")[0]["operation"], "SET TBLPROPERTIES");
  // And its state still matches: the next run neither recomputes nor commits.
  ASSERT_EQ(dls("run").exit_code, 0);
  EXPECT_EQ(describe("main.sales.gold")["version"], gold + 1);
}

TEST_F(MetadataSyncCli, OnlyACommentChangeIsAChangeCommentCommit) {
  load("    comment: first\n", "");
  ASSERT_EQ(dls("run").exit_code, 0);
  const int64_t bronze = describe("main.sales.bronze")["version"];
  load("    comment: changed\n", "");
  write_file(dir_.path() / "in" / "b.csv", "id\n3\n");
  ASSERT_EQ(dls("run").exit_code, 0);
  json h = history("main.sales.bronze");
  // Newest first: the data commit, then the metadata commit before it.
  ASSERT_GE(h.size(), 2u);
  EXPECT_EQ(h[0]["operation"], "STREAMING UPDATE") << h.dump();
  EXPECT_EQ(h[1]["operation"], "CHANGE COMMENT") << h.dump();
  EXPECT_EQ(h[1]["version"], bronze + 1);
  EXPECT_EQ(describe("main.sales.bronze")["description"], "changed");
}

}  // namespace
}  // namespace dls

// `dls store init|destroy|status`, `dls upsert|list|show|enable|disable` (DESIGN §9): output
// formats, exit codes 0/1/2/3, and a control table left unchanged by bad input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "support/test_support.h"

namespace dls {
namespace {

using nlohmann::json;
using testing::CommandResult;
using testing::run_dls;
using testing::shell_quote;

class StoreCli : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("DLS_USER", "cli-tester", 1);
    CommandResult r = dls("store init");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  void TearDown() override { ::unsetenv("DLS_USER"); }

  CommandResult dls(const std::string& args) {
    return run_dls("--warehouse " + shell_quote(warehouse.str()) + " " + args);
  }
  CommandResult upsert(const std::string& json_text) {
    return dls("upsert --json " + shell_quote(json_text));
  }
  json status() {
    CommandResult r = dls("store status --format json");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  }
  int64_t version() { return status()["version"].get<int64_t>(); }
  void seed_chain() {
    CommandResult r = upsert(
        R"([{"entity_id": "1", "source": "path/to/data1", "destination": "table1", "source_format": "parquet"},
            {"entity_id": "2", "source": "table1", "destination": "table2", "source_format": "parquet"},
            {"entity_id": "3", "source": "table2", "destination": "table3", "source_format": "parquet", "group": "g"}])");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::vector<std::string> listed_ids(const std::string& args) {
    CommandResult r = dls("list --format json " + args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> ids;
    for (const auto& e : json::parse(r.out)) ids.push_back(e["entity_id"]);
    return ids;
  }

  testing::TempDir warehouse;
};

TEST_F(StoreCli, InitCreatesTheControlTableInTheWarehouse) {
  EXPECT_TRUE(std::filesystem::exists(warehouse / "main" / "dls" / "control_table" / "_delta_log"));
  json s = status();
  EXPECT_EQ(s["name"], "main.dls.control_table");
  EXPECT_EQ(s["initialized"], true);
  EXPECT_EQ(s["version"], 0);
  EXPECT_EQ(dls("store init").exit_code, 0);  // idempotent
  EXPECT_EQ(version(), 0);
  CommandResult table = dls("store status");
  EXPECT_EQ(table.exit_code, 0);
  EXPECT_NE(table.out.find("latest_entities"), std::string::npos) << table.out;
}

TEST_F(StoreCli, DestroyDeletesTheControlTable) {
  seed_chain();
  EXPECT_EQ(dls("store destroy --yes").exit_code, 0);
  EXPECT_EQ(status()["initialized"], false);
  EXPECT_EQ(dls("store destroy --yes").exit_code, 0);
  CommandResult r = dls("list");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("dls store init"), std::string::npos) << r.err;
}

TEST_F(StoreCli, StoreOptionNamesAnotherControlTable) {
  EXPECT_EQ(dls("--store meta.entities store init").exit_code, 0);
  EXPECT_TRUE(std::filesystem::exists(warehouse / "main" / "meta" / "entities" / "_delta_log"));
  EXPECT_EQ(
      dls("--store meta.entities upsert --json " +
          shell_quote(
              R"({"entity_id": "x", "source": "a/b", "destination": "t", "source_format": "csv"})"))
          .exit_code,
      0);
  EXPECT_EQ(listed_ids("--store meta.entities"), std::vector<std::string>{"x"});
  EXPECT_TRUE(listed_ids("").empty());
}

TEST_F(StoreCli, UpsertThenListAsJsonWithSeedFieldNamesAndIsoTimestamps) {
  CommandResult r = upsert(
      R"({"entity_id": "1", "source": "/data/in", "destination": "t1", "source_format": "csv",
          "read_options": {"header": "true"}, "tags": {"pii": "no"}})");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("inserted"), std::string::npos) << r.out;
  CommandResult list = dls("list --format json");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  json entities = json::parse(list.out);
  ASSERT_EQ(entities.size(), 1u);
  const json& e = entities[0];
  for (const char* key : {"id",
                          "entity_id",
                          "destination_type",
                          "group",
                          "source",
                          "source_format",
                          "source_schema",
                          "select_expr",
                          "is_streaming",
                          "primary_keys",
                          "read_options",
                          "table_properties",
                          "tags",
                          "expectations",
                          "apply_changes",
                          "is_quarantined",
                          "spark_conf",
                          "partition_cols",
                          "destination",
                          "comment",
                          "created_ts",
                          "expired_ts",
                          "created_by",
                          "modified_by",
                          "is_enabled",
                          "is_latest",
                          "hash"}) {
    EXPECT_TRUE(e.contains(key)) << key;
  }
  EXPECT_EQ(e["read_options"]["header"], "true");
  EXPECT_EQ(e["is_streaming"], false);  // forced by csv
  EXPECT_EQ(e["created_by"], "cli-tester");
  EXPECT_TRUE(std::regex_match(e["created_ts"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)")))
      << e["created_ts"];
  EXPECT_TRUE(e["expired_ts"].is_null());

  // Same content again: nothing committed.
  const int64_t v = version();
  CommandResult again = upsert(
      R"({"entity_id": "1", "source": "/data/in", "destination": "t1", "source_format": "csv",
          "read_options": {"header": "true"}, "tags": {"pii": "no"}})");
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("unchanged"), std::string::npos) << again.out;
  EXPECT_EQ(version(), v);
}

TEST_F(StoreCli, UpsertJsonOutputReportsTheChange) {
  CommandResult r = dls(
      "--format json upsert --json " +
      shell_quote(
          R"({"entity_id": "1", "source": "a/b", "destination": "t", "source_format": "csv"})"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json change = json::parse(r.out);
  EXPECT_EQ(change["version"], 1);
  EXPECT_EQ(change["inserted"], json::array({"1"}));
}

TEST_F(StoreCli, ListFormatsTableAndYaml) {
  seed_chain();
  CommandResult table = dls("list");
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("entity_id"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("table3"), std::string::npos) << table.out;
  CommandResult yaml = dls("list --format yaml");
  ASSERT_EQ(yaml.exit_code, 0) << yaml.err;
  EXPECT_NE(yaml.out.find("entity_id: \"1\""), std::string::npos) << yaml.out;
  EXPECT_EQ(dls("list --format csv").exit_code, 2);
}

TEST_F(StoreCli, ListWhereIncludesDisabledAndHistorySearchesAllVersions) {
  seed_chain();
  ASSERT_EQ(dls("disable 2").exit_code, 0);
  EXPECT_EQ(listed_ids(""), std::vector<std::string>{"1"});  // latest enabled
  EXPECT_EQ(listed_ids("--where " + shell_quote("by_is_enabled(false)")),
            (std::vector<std::string>{"2", "3"}));
  EXPECT_EQ(listed_ids("--where " + shell_quote("by_group('g') | by_entity_id('1')")),
            (std::vector<std::string>{"1", "3"}));
  EXPECT_EQ(listed_ids("--history --where " + shell_quote("by_entity_id('3')")).size(), 2u);
  EXPECT_EQ(listed_ids("--history").size(), 5u);
}

TEST_F(StoreCli, DisableCascadesDownstreamAndEnableUpstream) {
  seed_chain();
  CommandResult d = dls("disable 1");
  ASSERT_EQ(d.exit_code, 0) << d.err;
  EXPECT_TRUE(listed_ids("").empty());
  CommandResult e = dls("enable --where " + shell_quote("by_entity_id('2')"));
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_EQ(listed_ids(""), (std::vector<std::string>{"1", "2"}));
  CommandResult missing = dls("disable nope");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("nope"), std::string::npos) << missing.err;
}

TEST_F(StoreCli, ShowHistoryDiffsConsecutiveVersions) {
  seed_chain();
  ASSERT_EQ(upsert(R"({"entity_id": "1", "source": "path/to/data1", "destination": "table1",
                      "source_format": "csv", "read_options": {"header": "true"}})")
                .exit_code,
            0);
  ASSERT_EQ(dls("disable 1").exit_code, 0);
  CommandResult show = dls("show 1 --history");
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("version 3 of 3"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("is_enabled: true -> false"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("source_format: 'parquet' -> 'csv'"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("read_options.header: (none) -> 'true'"), std::string::npos) << show.out;

  CommandResult js = dls("show 1 --history --format json");
  ASSERT_EQ(js.exit_code, 0) << js.err;
  json versions = json::parse(js.out);
  ASSERT_EQ(versions.size(), 3u);
  EXPECT_EQ(versions[0]["entity"]["is_enabled"], false);
  EXPECT_EQ(versions[0]["changes"][0]["field"], "is_enabled");
  EXPECT_TRUE(versions[2]["changes"].empty());

  CommandResult latest = dls("show 2 --format json");
  ASSERT_EQ(latest.exit_code, 0) << latest.err;
  EXPECT_EQ(json::parse(latest.out)["entity_id"], "2");
  CommandResult unknown = dls("show 22");
  EXPECT_EQ(unknown.exit_code, 1);
}

TEST_F(StoreCli, InvalidInputExitsThreeAndLeavesTheControlTableUnchanged) {
  seed_chain();
  const int64_t v = version();
  struct Case {
    std::string args;
    std::string says;
  };
  std::vector<Case> cases = {
      {"upsert --json " +
           shell_quote(
               R"({"entity_id": "9", "source": "a", "destination": "t", "source_format": "excel"})"),
       "excel"},
      {"upsert --json " + shell_quote(R"({"entity_id": "9", "destination": "t"})"), "source"},
      {"upsert --json " + shell_quote(R"({"entity_id": 9, "source": "a", "destination": "t"})"),
       "entity_id"},
      {"upsert --json " +
           shell_quote(
               R"({"entity_id": "9", "source": "a", "destination": "t", "sorce_format": "csv"})"),
       "sorce_format"},
      {"upsert --json " +
           shell_quote(
               R"([{"entity_id": "9", "source": "a", "destination": "t", "source_format": "csv"},
                                          {"entity_id": "9", "source": "b", "destination": "u", "source_format": "csv"}])"),
       "'9'"},
      {"upsert --json " + shell_quote(R"({"entity_id": "9", )"), "JSON"},
      {"upsert --json " + shell_quote("42"), "object"},
      {"--store " + shell_quote("main..x") + " list", "main..x"},
      {"--store " + shell_quote("main.dls.bad-name") + " store init", "bad-name"},
      {"--store " + shell_quote("a.b.c.d") + " store init", "a.b.c.d"},
      {"list --where " + shell_quote("by_grup('g')"), "column 1"},
      {"disable --where " + shell_quote("by_group('g') &"), "column"},
  };
  for (const auto& c : cases) {
    CommandResult r = dls(c.args);
    EXPECT_EQ(r.exit_code, 3) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << c.args << "\n" << r.err;
  }
  EXPECT_EQ(version(), v);
  EXPECT_FALSE(std::filesystem::exists(warehouse / "main" / "dls" / "bad-name"));
}

TEST_F(StoreCli, UsageErrorsExitTwo) {
  seed_chain();
  const int64_t v = version();
  EXPECT_EQ(dls("disable").exit_code, 2);
  EXPECT_EQ(dls("enable 1 --where " + shell_quote("by_all()")).exit_code, 2);
  EXPECT_EQ(dls("upsert").exit_code, 2);
  EXPECT_EQ(dls("list --format xml").exit_code, 2);
  EXPECT_EQ(dls("store").exit_code, 2);
  EXPECT_EQ(version(), v);
}

}  // namespace
}  // namespace dls

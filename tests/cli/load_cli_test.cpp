// `dls load yaml|dir|json` and `dls export yaml` (DESIGN §9): summaries, exit code 3 with
// file:line:column for invalid metadata and an unchanged control table, the load dir options,
// stdin, and the export → destroy → init → load round trip.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "dls/store/delta_live_store.h"
#include "support/test_support.h"

namespace dls {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::CommandResult;
using testing::shell_quote;
using testing::write_file;

constexpr const char* kYaml = R"(# yaml-language-server: $schema=schemas/config_schema.json
delta_live_store:
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
)";

class LoadCli : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("DLS_USER", "cli-tester", 1);
    store().initialize();
  }
  void TearDown() override { ::unsetenv("DLS_USER"); }

  DeltaLiveStore store() const {
    return DeltaLiveStore((warehouse.path() / "main/dls/control_table").string());
  }
  CommandResult dls(const std::string& args) {
    return testing::run_dls("--warehouse " + shell_quote(warehouse.str()) + " " + args,
                            work.path());
  }
  // Runs dls with `input` on stdin.
  CommandResult dls_with_stdin(const std::string& args, const std::string& input) {
    write_file(work / "stdin.txt", input);
    const std::string cmd = "cd " + shell_quote(work.str()) + " && " + shell_quote(DLS_BINARY) +
                            " --warehouse " + shell_quote(warehouse.str()) + " " + args +
                            " <stdin.txt >out.txt 2>err.txt";
    const int status = std::system(cmd.c_str());
    CommandResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = testing::read_file(work / "out.txt");
    r.err = testing::read_file(work / "err.txt");
    return r;
  }
  std::string file(const std::string& name, const std::string& text) {
    write_file(work / name, text);
    return (work / name).string();
  }
  // The latest entities as JSON objects without the generated columns, sorted by entity_id.
  json latest() const {
    json out = json::array();
    for (const auto& e : store().find_entities(by_all()).to_json()) {
      json copy = e;
      for (const char* k : {"id", "created_ts", "expired_ts", "created_by", "modified_by", "hash"})
        copy.erase(k);
      out.push_back(copy);
    }
    std::sort(out.begin(), out.end(), [](const json& a, const json& b) {
      return a["entity_id"].get<std::string>() < b["entity_id"].get<std::string>();
    });
    return out;
  }

  testing::TempDir warehouse;
  testing::TempDir work;
};

TEST_F(LoadCli, LoadYamlPrintsASummaryAndASecondLoadChangesNothing) {
  const std::string f = file("meta.yml", kYaml);
  CommandResult r = dls("load yaml " + shell_quote(f));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("3 inserted, 0 updated, 0 unchanged, 0 disabled"), std::string::npos)
      << r.out;
  const int64_t version = store().version();

  r = dls("load yaml " + shell_quote(f));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("0 inserted, 0 updated, 3 unchanged, 0 disabled (no change"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(store().version(), version);
  EXPECT_EQ(store().find_history().size(), 3u);
}

TEST_F(LoadCli, OutputFormatMayFollowTheCommand) {
  // `load yaml` has no --format of its own: the global one chooses the summary's format.
  CommandResult r = dls("load yaml " + shell_quote(file("meta.yml", kYaml)) + " --format yaml");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("inserted:"), std::string::npos) << r.out;
  r = dls("load yaml " + shell_quote(file("meta.yml", kYaml)) + " --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["counts"]["unchanged"], 3);
  EXPECT_EQ(dls("load yaml " + shell_quote(file("meta.yml", kYaml)) + " --format csv").exit_code,
            2);
}

TEST_F(LoadCli, LoadYamlDisablesAGroupsMissingEntities) {
  ASSERT_EQ(dls("load yaml " + shell_quote(file("meta.yml", kYaml))).exit_code, 0);
  CommandResult r = dls("--format json load yaml " + shell_quote(file("less.yml", R"(
delta_live_store:
  - {entity_id: "2", source: t1, source_format: dlt, destination: t2, group: g}
)")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json summary = json::parse(r.out);
  EXPECT_EQ(summary["disabled"], json::array({"1"}));
  EXPECT_EQ(summary["unchanged"], json::array({"2"}));
  EXPECT_EQ(summary["counts"]["disabled"], 1);
  EXPECT_FALSE(store().find_entity(by_entity_id("1"))->is_enabled);
  EXPECT_TRUE(store().find_entity(by_entity_id("3"))->is_enabled);  // no group: untouched
}

TEST_F(LoadCli, InvalidYamlExitsThreeWithLocationsAndChangesNothing) {
  ASSERT_EQ(dls("load yaml " + shell_quote(file("meta.yml", kYaml))).exit_code, 0);
  const int64_t version = store().version();
  const std::string bad = file("bad.yml", R"(delta_live_store:
  - entity_id: "9"
    source: /d
    destination: t9
    source_format: cloudfiles
    group: g
  - entity_id: "10"
    source: /d
    destination: t10
    destinaton_type: view
)");
  CommandResult r = dls("load yaml " + shell_quote(bad));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find(bad + ":5:20: error: entity '9': source_format"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(bad + ":10:5: error:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("2 errors in " + bad + "; nothing was loaded"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_EQ(store().version(), version);
  EXPECT_TRUE(store().find_entity(by_entity_id("1"))->is_enabled);
}

TEST_F(LoadCli, MalformedYamlAndDuplicateIdsExitThree) {
  const int64_t version = store().version();
  CommandResult r = dls("load yaml " + shell_quote(file("m.yml", "delta_live_store:\n  - [\n")));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("m.yml:"), std::string::npos) << r.err;
  r = dls("load yaml " + shell_quote(file("d.yml", R"(delta_live_store:
  - {entity_id: "1", source: /d, source_format: csv, destination: t1}
  - {entity_id: "1", source: /d, source_format: csv, destination: t2}
)")));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("d.yml:3:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("duplicate entity_id"), std::string::npos) << r.err;
  EXPECT_EQ(store().version(), version);
}

TEST_F(LoadCli, TopLevelCommaExitsThreeInsteadOfHanging) {
  // yaml-cpp's LoadAll never returned on this one byte, allocating ~1 GB/s; the file and stdin.
  const int64_t version = store().version();
  const std::string comma = file("comma.yml", ",");
  CommandResult r = dls("load yaml " + shell_quote(comma));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find(comma + ":1:1: error: malformed YAML: unexpected ','"), std::string::npos)
      << r.err;
  r = dls_with_stdin("load yaml -", ",");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("<stdin>:1:1: error: malformed YAML"), std::string::npos) << r.err;
  EXPECT_EQ(store().version(), version);
}

TEST_F(LoadCli, UnterminatedQuoteSwallowingTheNextEntityExitsThree) {
  ASSERT_EQ(dls("load yaml " + shell_quote(file("meta.yml", kYaml))).exit_code, 0);
  const int64_t version = store().version();
  // Valid YAML in which entity 4's source takes entity 5 into its string: was loaded (exit 0).
  const std::string bad = file("quote.yml", R"(delta_live_store:
  - entity_id: "4"
    source: "/data/four
    source_format: parquet
    destination: t4
  - entity_id: e5
    source: /data/five"
    source_format: parquet
    destination: t5
)");
  CommandResult r = dls("load yaml " + shell_quote(bad));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find(bad + ":3:13: error: entity '4': source: this quoted string runs over 5 "
                             "lines and contains 'source_format:' on line 4"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_EQ(store().version(), version);
  EXPECT_FALSE(store().find_entity(by_entity_id("4")));
}

TEST_F(LoadCli, UnsafeStoreNameExitsThree) {
  CommandResult r =
      dls("--store " + shell_quote("main..x") + " load yaml " + shell_quote(file("m.yml", kYaml)));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  r = dls("--store a.b.c.d load yaml " + shell_quote(file("m.yml", kYaml)));
  EXPECT_EQ(r.exit_code, 3) << r.err;
}

TEST_F(LoadCli, MissingFileFailsAndUninitialisedStoreSaysHowToInit) {
  CommandResult r = dls("load yaml " + shell_quote((work / "nope.yml").string()));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("nope.yml"), std::string::npos) << r.err;
  store().destroy();
  r = dls("load yaml " + shell_quote(file("m.yml", kYaml)));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("dls store init"), std::string::npos) << r.err;
}

TEST_F(LoadCli, LoadYamlFromStdin) {
  CommandResult r = dls_with_stdin("load yaml -", kYaml);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("loaded <stdin>: 3 inserted"), std::string::npos) << r.out;
}

TEST_F(LoadCli, LoadDirWithFormatCsvReadsFilesWithoutExtensions) {
  write_file(work / "landing/orders/part-0001", "id,amount\n1,2\n");
  write_file(work / "landing/customers/part-0001", "id\n1\n");
  const std::string landing = (work / "landing").string();
  // The format cannot be detected from the file names: the load asks for it.
  CommandResult r = dls("load dir " + shell_quote(landing));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("--format"), std::string::npos) << r.err;
  EXPECT_EQ(store().find_history().size(), 0u);

  r = dls("load dir " + shell_quote(landing) + " --format csv --group main.etl --option " +
          shell_quote("sep=;"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2 inserted"), std::string::npos) << r.out;
  const auto orders = store().find_entity(by_destination("orders_bronze"));
  ASSERT_TRUE(orders);
  EXPECT_EQ(orders->source_format, "cloudFiles");
  EXPECT_EQ(orders->group, "main.etl");
  EXPECT_EQ(orders->read_options,
            (StringMap{{"cloudFiles.format", "csv"}, {"header", "true"}, {"sep", ";"}}));

  // Again: the same deterministic ids, nothing written.
  const int64_t version = store().version();
  r = dls("load dir " + shell_quote(landing) + " --format csv --group main.etl --option " +
          shell_quote("sep=;"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2 unchanged"), std::string::npos) << r.out;
  EXPECT_EQ(store().version(), version);
}

TEST_F(LoadCli, LoadDirMedallionWithOptions) {
  write_file(work / "landing/Orders-2024/a.json", "{}\n");
  CommandResult r = dls("--format json load dir " + shell_quote((work / "landing").string()) +
                        " --medallion --group main.etl --prefix raw_ --tag owner=sales"
                        " --expect " +
                        shell_quote("valid_id=id IS NOT NULL") + " --quarantine");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["counts"]["inserted"], 2);
  const auto bronze = store().find_entity(by_destination("raw_orders_2024_bronze"));
  const auto silver = store().find_entity(by_destination("raw_orders_2024_silver"));
  ASSERT_TRUE(bronze && silver);
  EXPECT_EQ(bronze->read_options.at("cloudFiles.format"), "json");
  EXPECT_EQ(silver->source, "raw_orders_2024_bronze");
  EXPECT_EQ(silver->source_format, "dlt");
  EXPECT_EQ(silver->tags.at("owner"), "sales");
  EXPECT_EQ(silver->expectations.expect_all.at("valid_id"), "id IS NOT NULL");
  EXPECT_TRUE(silver->is_quarantined);
  EXPECT_FALSE(bronze->is_quarantined);
}

TEST_F(LoadCli, RepeatableOptionsTakeOneValueEach) {
  write_file(work / "landing/orders/a.csv", "id\n1\n");
  // PATH after repeated options is not swallowed as another option value.
  CommandResult r = dls("load dir --tag a=1 --tag b=2 --option sep=, " +
                        shell_quote((work / "landing").string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto orders = store().find_entity(by_destination("orders_bronze"));
  ASSERT_TRUE(orders);
  EXPECT_EQ(orders->tags, (StringMap{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(orders->read_options.at("sep"), ",");
}

TEST_F(LoadCli, LoadDirBatchSourceFormatAndBadOptions) {
  write_file(work / "landing/events/e.parquet", "");
  const std::string landing = shell_quote((work / "landing").string());
  CommandResult r = dls("load dir " + landing + " --source-format parquet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto events = store().find_entity(by_destination("events_bronze"));
  ASSERT_TRUE(events);
  EXPECT_EQ(events->source_format, "parquet");
  EXPECT_FALSE(events->is_streaming);

  EXPECT_EQ(dls("load dir " + landing + " --format xlsx").exit_code, 2);
  EXPECT_EQ(dls("load dir " + landing + " --option nokey").exit_code, 2);
  EXPECT_EQ(dls("load dir " + landing + " --source-format parquet --format csv").exit_code, 2);
  EXPECT_EQ(dls("load dir " + shell_quote((work / "nope").string())).exit_code, 1);
}

TEST_F(LoadCli, LoadDirDryRunPrintsYamlAndWritesNothing) {
  write_file(work / "landing/orders/a.csv", "id\n1\n");
  store().destroy();  // no store needed
  CommandResult r = dls("load dir " + shell_quote((work / "landing").string()) + " --dry-run");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("destination: orders_bronze"), std::string::npos) << r.out;
  EXPECT_FALSE(store().is_initialized());
}

TEST_F(LoadCli, LoadJsonFromFileAndStdin) {
  const std::string entities = R"([
    {"entity_id": "a", "source": "/d/a", "source_format": "csv", "destination": "ta", "group": "g"},
    {"entity_id": "b", "source": "/d/b", "source_format": "csv", "destination": "tb", "group": "g"}
  ])";
  CommandResult r = dls("load json " + shell_quote(file("e.json", entities)));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2 inserted"), std::string::npos) << r.out;

  // Only "a", changed, on stdin: "b" stays enabled (no group sync).
  r = dls_with_stdin("load json -", R"([{"entity_id": "a", "source": "/d/a2",
      "source_format": "csv", "destination": "ta", "group": "g"}])");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("loaded <stdin>: 0 inserted, 1 updated, 0 unchanged, 0 disabled"),
            std::string::npos)
      << r.out;
  EXPECT_TRUE(store().find_entity(by_entity_id("b"))->is_enabled);

  const int64_t version = store().version();
  r = dls("load json " + shell_quote(file("bad.json", "[{\"entity_id\": \"c\",\n  oops}]")));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("bad.json:2:"), std::string::npos) << r.err;
  r = dls("load json " + shell_quote(file("bad2.json", R"([{"entity_id": "c", "source": "/d",
      "destination": "tc", "destination_type": "tabel"}])")));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("[0] error: entity 'c': destination_type"), std::string::npos) << r.err;
  EXPECT_EQ(store().version(), version);
}

TEST_F(LoadCli, ExportDestroyInitLoadReproducesTheLatestEntities) {
  ASSERT_EQ(dls("load yaml " + shell_quote(file("meta.yml", kYaml))).exit_code, 0);
  // The seed's sample, with the primary_keys its apply_changes needs (issue 15).
  std::string seed = testing::read_file(testing::testdata_dir() / "seed-sample.yml");
  seed.insert(seed.find("    apply_changes:"), "    primary_keys: [id]\n");
  // Its entity "1" is kYaml's "1" in another group: taking it needs --allow-move.
  ASSERT_EQ(dls("load yaml --allow-move " + shell_quote(file("seed.yml", seed))).exit_code, 0);
  store().disable(by_entity_id("3"));
  const json before = latest();

  CommandResult r = dls("export yaml out/export.yml");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string text = testing::read_file(work / "out/export.yml");
  EXPECT_EQ(text.rfind("# yaml-language-server: $schema=", 0), 0u) << text;
  EXPECT_EQ(text.find("created_ts"), std::string::npos) << text;
  EXPECT_EQ(text.find("hash"), std::string::npos) << text;

  // The schema reference resolves from the file's directory.
  const std::string first_line = text.substr(0, text.find('\n'));
  const std::string ref = first_line.substr(first_line.find('=') + 1);
  EXPECT_TRUE(fs::exists(work / "out" / ref)) << ref;

  store().destroy();
  store().initialize();
  r = dls("load yaml out/export.yml");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(latest(), before);
}

TEST_F(LoadCli, ExportToStdoutAndWithoutAStore) {
  ASSERT_EQ(dls("load yaml " + shell_quote(file("meta.yml", kYaml))).exit_code, 0);
  CommandResult r = dls("export yaml --no-schema");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("delta_live_store:", 0), 0u) << r.out;
  r = dls("export yaml --schema https://example.com/s.json");
  EXPECT_EQ(r.out.rfind("# yaml-language-server: $schema=https://example.com/s.json\n", 0), 0u)
      << r.out;
  store().destroy();
  r = dls("export yaml");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("dls store init"), std::string::npos) << r.err;
}

TEST_F(LoadCli, HelpListsTheLoadCommands) {
  CommandResult r = dls("--help");
  EXPECT_NE(r.out.find("load yaml"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("load dir"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("load json"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("export yaml"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace dls

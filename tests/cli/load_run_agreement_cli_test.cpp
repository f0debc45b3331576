// What `dls load` accepts, `dls run` runs (issue 15): metadata that would fail the run for a
// reason knowable from the metadata is refused at load time (exit 3, every problem listed, nothing
// written); entity ids are global (moving one to another group needs --allow-move); the engine's
// errors name the entity, the rule and the user's expression; unknown commands say so; relative
// source paths mean "next to the metadata file"; Spark table names with quotes stay names.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "dls/delta/delta_table.h"
#include "dls/sql/database.h"
#include "dls/store/delta_live_store.h"
#include "support/test_support.h"

namespace dls {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using testing::CommandResult;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::shell_quote;
using testing::write_file;

class LoadRunAgreementCli : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("DLS_USER", "cli-tester", 1);
    ASSERT_EQ(dls("store init").exit_code, 0);
  }
  void TearDown() override { ::unsetenv("DLS_USER"); }

  CommandResult dls(const std::string& args, const fs::path& cwd = {}) {
    return testing::run_dls("--warehouse " + shell_quote(warehouse.str()) + " " + args,
                            cwd.empty() ? work.path() : cwd);
  }
  std::string file(const std::string& name, const std::string& text) {
    write_file(work / name, text);
    return (work / name).string();
  }
  EntityList latest() const {
    return DeltaLiveStore((warehouse.path() / "main/dls/control_table").string())
        .find_entities(by_all());
  }
  int64_t store_version() const {
    return DeltaLiveStore((warehouse.path() / "main/dls/control_table").string()).version();
  }
  // A landing folder with one CSV file of orders (id, amount).
  std::string orders_folder() {
    write_file(work / "landing/orders/part-1.csv", "id,amount\n1,10\n2,20\n3,30\n");
    return (work / "landing/orders").string();
  }

  testing::TempDir warehouse;
  testing::TempDir work;
};

// --- 1. load refuses what run would refuse --------------------------------------------------

TEST_F(LoadRunAgreementCli, ApplyChangesWithoutPrimaryKeysIsALoadErrorNamingEntityAndField) {
  const std::string yml = file("cdc.yml", R"(delta_live_store:
  - entity_id: customers_scd
    source: /data/cdc
    destination: customers
    read_options: {cloudFiles.format: json}
    apply_changes:
      sequence_by: ts
)");
  const int64_t before = store_version();
  CommandResult r = dls("load yaml " + shell_quote(yml));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.err, AllOf(HasSubstr("cdc.yml:"), HasSubstr("entity 'customers_scd'"),
                           HasSubstr("apply_changes"), HasSubstr("primary_keys")));
  EXPECT_EQ(store_version(), before);
  EXPECT_EQ(latest().size(), 0u);
}

TEST_F(LoadRunAgreementCli, EveryProblemIsListedAndNothingIsWritten) {
  // An unknown read option, a malformed expectation, a select_expr that is a query and a bad
  // apply_changes condition, in three entities: all four are reported, with file:line:col.
  const std::string yml = file("bad.yml", R"(delta_live_store:
  - entity_id: bronze
    source: /data/orders
    destination: orders_bronze
    read_options: {cloudFiles.format: csv, heder: "true"}
  - entity_id: silver
    source: orders_bronze
    source_format: dlt
    destination: orders_silver
    select_expr: ["a FROM t UNION SELECT b"]
    expectations:
      expect_all_or_drop:
        valid_id: "id >"
  - entity_id: scd
    source: orders_silver
    source_format: dlt
    destination: orders_scd
    primary_keys: [id]
    apply_changes:
      sequence_by: ts
      where: "op = 'U' AND"
)");
  CommandResult r = dls("load yaml " + shell_quote(yml));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.err, AllOf(HasSubstr("bad.yml:5:"), HasSubstr("read_options.heder"),
                           HasSubstr("did you mean header")))
      << r.err;
  EXPECT_THAT(r.err, AllOf(HasSubstr("entity 'silver'"), HasSubstr("select_expr[0]"),
                           HasSubstr("one select item")))
      << r.err;
  EXPECT_THAT(r.err, AllOf(HasSubstr("expectations.expect_all_or_drop.valid_id"),
                           HasSubstr("'id >'"), HasSubstr("at position 4")))
      << r.err;
  EXPECT_THAT(r.err, AllOf(HasSubstr("entity 'scd'"), HasSubstr("apply_changes.where"))) << r.err;
  EXPECT_THAT(r.err, HasSubstr("4 errors"));
  EXPECT_EQ(latest().size(), 0u);
}

TEST_F(LoadRunAgreementCli, ReadOptionsOfEachSourceFormatAreChecked) {
  // A delta source does not take csv options; a cloudFiles format that is not a format.
  const std::string json = file("bad.json", R"([
    {"entity_id": "d", "source": "/tables/t", "source_format": "delta",
     "destination": "t_copy", "read_options": {"header": "true"}},
    {"entity_id": "c", "source": "/data/c", "destination": "c",
     "read_options": {"cloudFiles.format": "csvv"}}
  ])");
  CommandResult r = dls("load json " + shell_quote(json));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.err, AllOf(HasSubstr("entity 'd'"), HasSubstr("read_options.header"),
                           HasSubstr("not a read option of the delta source")));
  EXPECT_THAT(r.err, AllOf(HasSubstr("entity 'c'"), HasSubstr("'csvv' is not a file format"),
                           HasSubstr("did you mean csv")));
  EXPECT_EQ(latest().size(), 0u);
  // The same options in another case are accepted (Spark's options are case-insensitive).
  const std::string ok = file("ok.yml", R"(delta_live_store:
  - entity_id: c
    source: /data/c
    destination: c
    read_options: {cloudFiles.Format: csv, HEADER: "true", cloudFiles.inferColumnTypes: "true"}
)");
  EXPECT_EQ(dls("load yaml " + shell_quote(ok)).exit_code, 0);
}

TEST_F(LoadRunAgreementCli, CycleThroughSeveralEntitiesAcrossGroupsIsALoadError) {
  const std::string yml = file("cycle.yml", R"(delta_live_store:
  - {entity_id: a, group: g1, source: main.x.c, source_format: delta, destination: main.x.a}
  - {entity_id: b, group: g2, source: main.x.a, source_format: delta, destination: main.x.b}
  - {entity_id: c, group: g1, source: main.x.b, source_format: delta, destination: main.x.c}
  - {entity_id: d, group: g1, source: main.x.a, source_format: delta, destination: main.x.d}
)");
  CommandResult r = dls("load yaml " + shell_quote(yml));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.err, AllOf(HasSubstr("cycle"), HasSubstr("'a'"), HasSubstr("'b'"), HasSubstr("'c'"),
                           HasSubstr("main.x.a -> main.x.b -> main.x.c")))
      << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr("'d'")));
  EXPECT_EQ(latest().size(), 0u);

  // The circle closed by a later load, through entities already in the control table.
  const std::string first = file("first.yml", R"(delta_live_store:
  - {entity_id: a, group: g1, source: main.x.c, source_format: delta, destination: main.x.a}
  - {entity_id: b, group: g1, source: main.x.a, source_format: delta, destination: main.x.b}
)");
  ASSERT_EQ(dls("load yaml " + shell_quote(first)).exit_code, 0);
  const int64_t before = store_version();
  const std::string closing = file("closing.yml", R"(delta_live_store:
  - {entity_id: c, group: g2, source: main.x.b, source_format: delta, destination: main.x.c}
)");
  r = dls("load yaml " + shell_quote(closing));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.err, AllOf(HasSubstr("'a' (in the control table)"), HasSubstr("'c'")));
  EXPECT_EQ(store_version(), before);
}

// --- 2. entity ids are global ---------------------------------------------------------------

TEST_F(LoadRunAgreementCli, TakingAnEntityFromAnotherGroupNeedsAllowMove) {
  const std::string team_a = file("a.yml", R"(delta_live_store:
  - {entity_id: shared, group: team_a, source: /data/a, destination: a_t,
     read_options: {cloudFiles.format: csv}}
)");
  const std::string team_b = file("b.yml", R"(delta_live_store:
  - {entity_id: shared, group: team_b, source: /data/b, destination: b_t,
     read_options: {cloudFiles.format: csv}}
  - {entity_id: own, group: team_b, source: /data/own, destination: own_t,
     read_options: {cloudFiles.format: csv}}
)");
  ASSERT_EQ(dls("load yaml " + shell_quote(team_a)).exit_code, 0);
  const int64_t before = store_version();

  CommandResult r = dls("load yaml " + shell_quote(team_b));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.err, AllOf(HasSubstr("entity 'shared'"), HasSubstr("group 'team_a'"),
                           HasSubstr("group 'team_b'"), HasSubstr("--allow-move")));
  EXPECT_EQ(store_version(), before);  // nothing written, not even the other entity
  ASSERT_EQ(latest().size(), 1u);
  EXPECT_EQ(latest()[0].group, "team_a");

  // The JSON and directory loaders refuse it too.
  const std::string json = file("b.json", R"([{"entity_id": "shared", "group": "team_c",
      "source": "/data/c", "destination": "c_t", "read_options": {"cloudFiles.format": "csv"}}])");
  EXPECT_EQ(dls("load json " + shell_quote(json)).exit_code, 3);

  r = dls("--format json load yaml --allow-move " + shell_quote(team_b));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto summary = nlohmann::json::parse(r.out);
  ASSERT_EQ(summary["moved"].size(), 1u) << r.out;
  EXPECT_EQ(summary["moved"][0]["entity_id"], "shared");
  EXPECT_EQ(summary["moved"][0]["from_group"], "team_a");
  EXPECT_EQ(summary["moved"][0]["to_group"], "team_b");
  for (const auto& e : latest()) EXPECT_EQ(e.group, "team_b") << e.entity_id;

  // The text summary names the moved entity too.
  r = dls("load json --allow-move " + shell_quote(json));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("moved shared from group 'team_b' to 'team_c'"));
}

// --- 5. the engine's errors in the user's terms ---------------------------------------------

class EngineErrorsCli : public LoadRunAgreementCli {
 protected:
  // orders_bronze (cloudFiles csv) -> orders_silver with `silver` merged in.
  CommandResult load_and_run(const std::string& silver) {
    const std::string yml = file("p.yml",
                                 "delta_live_store:\n"
                                 "  - entity_id: orders_bronze\n"
                                 "    group: main.shop\n"
                                 "    source: " +
                                     orders_folder() +
                                     "\n"
                                     "    destination: orders_bronze\n"
                                     "    read_options: {cloudFiles.format: csv, header: "
                                     "\"true\", cloudFiles.inferColumnTypes: \"true\"}\n"
                                     "  - entity_id: orders_silver\n"
                                     "    group: main.shop\n"
                                     "    source: orders_bronze\n"
                                     "    source_format: dlt\n"
                                     "    destination: orders_silver\n" +
                                     silver);
    CommandResult load = dls("load yaml " + shell_quote(yml));
    EXPECT_EQ(load.exit_code, 0) << load.err;
    CommandResult r = dls("run --group main.shop");
    r.err += r.out;
    return r;
  }
  static void expect_no_engine_internals(const std::string& message) {
    EXPECT_THAT(message, AllOf(Not(HasSubstr("__dls_")), Not(HasSubstr("DESCRIBE")),
                               Not(HasSubstr("Did you mean sqlite")), Not(HasSubstr("COLUMNS(*)")),
                               Not(HasSubstr("Binder Error"))))
        << message;
  }
};

TEST_F(EngineErrorsCli, ExpectationOnAMissingColumnNamesEntityRuleAndExpression) {
  CommandResult r = load_and_run(
      "    expectations:\n      expect_all_or_drop:\n        valid_id: \"idd IS NOT NULL\"\n");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, AllOf(HasSubstr("entity 'orders_silver'"), HasSubstr("'valid_id'"),
                           HasSubstr("expect_all_or_drop"), HasSubstr("idd IS NOT NULL"),
                           HasSubstr("column `idd` does not exist"),
                           HasSubstr("available columns: id, amount")))
      << r.err;
  expect_no_engine_internals(r.err);
}

TEST_F(EngineErrorsCli, BadSelectExprNamesTheItemAndTheColumns) {
  CommandResult r = load_and_run("    select_expr: [id, \"amout * 2 AS doubled\"]\n");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err,
              AllOf(HasSubstr("entity 'orders_silver'"), HasSubstr("select_expr[1]"),
                    HasSubstr("amout * 2 AS doubled"), HasSubstr("column `amout` does not exist"),
                    HasSubstr("available columns: id, amount")))
      << r.err;
  expect_no_engine_internals(r.err);
}

TEST_F(EngineErrorsCli, UnknownQualifierGivesNoAdviceAboutEngineTables) {
  CommandResult r = load_and_run("    select_expr: [\"o.id\"]\n");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, AllOf(HasSubstr("entity 'orders_silver'"), HasSubstr("select_expr[0]"),
                           HasSubstr("`o.id`"), HasSubstr("available columns")))
      << r.err;
  expect_no_engine_internals(r.err);
}

// --- 6. unknown commands ----------------------------------------------------------------------

TEST_F(LoadRunAgreementCli, UnknownCommandSaysSoAndSuggestsTheNearest) {
  CommandResult r = testing::run_dls("lst");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, AllOf(HasSubstr("unknown command 'lst'"), HasSubstr("did you mean list?")))
      << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr("subcommand is required")));

  r = dls("table descibe main.x.y");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, AllOf(HasSubstr("unknown command 'table descibe'"),
                           HasSubstr("did you mean describe?")))
      << r.err;

  r = testing::run_dls("--format json frobnicate");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown command 'frobnicate'")) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr("did you mean")));

  // A missing subcommand is still reported as such.
  r = testing::run_dls("table");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, Not(HasSubstr("unknown command"))) << r.err;
}

// --- 7. relative source paths -----------------------------------------------------------------

TEST_F(LoadRunAgreementCli, RelativeSourcesResolveAgainstTheMetadataFileFromAnyDirectory) {
  // project/pipeline.yml reads project/data/orders; load and run from two other directories.
  const fs::path project = work / "project";
  write_file(project / "data/orders/part-1.csv", "id,amount\n1,10\n2,20\n");
  write_file(project / "pipeline.yml", R"(delta_live_store:
  - entity_id: orders
    group: main.rel
    source: data/orders
    destination: orders
    read_options: {cloudFiles.format: csv, header: "true"}
)");
  fs::create_directories(work / "elsewhere");
  fs::create_directories(work / "another");
  CommandResult r = dls("load yaml ../project/pipeline.yml", work / "elsewhere");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(latest().size(), 1u);
  EXPECT_EQ(latest()[0].source, (project / "data/orders").string());

  r = dls("run --group main.rel", work / "another");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  r = dls("--format csv query \"SELECT count(*) AS n FROM main.rel.orders\"", work / "another");
  EXPECT_THAT(r.out, HasSubstr("\n2\n")) << r.out << r.err;

  // Export into the project writes the path back relative to the file; loading it again from
  // yet another directory changes nothing.
  r = dls("export yaml --no-schema " + shell_quote((project / "exported.yml").string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(testing::read_file(project / "exported.yml"), HasSubstr("source: data/orders"));
  const int64_t before = store_version();
  r = dls("load yaml exported.yml", project);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("1 unchanged"));
  EXPECT_EQ(store_version(), before);

  // Exported elsewhere, the path stays absolute.
  r = dls("export yaml --no-schema " + shell_quote((work / "elsewhere/x.yml").string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(testing::read_file(work / "elsewhere/x.yml"),
              HasSubstr("source: " + (project / "data/orders").string()));
}

// --- 4. Spark table names holding a double quote ------------------------------------------------

TEST_F(LoadRunAgreementCli, SparkQueryKeepsQuotesInsideTableNamesAndPaths) {
  const fs::path root = work / "we\"ird";
  delta::Schema schema{{delta::StructField{"id", delta::DataType::primitive("long"), false}}};
  auto table = delta::DeltaTable::create(root.string(), schema, {});
  sql::Database db;
  auto con = db.connect();
  table.append(con, "SELECT * FROM (VALUES (1::BIGINT), (2::BIGINT)) AS t(id)");

  const std::string query = "SELECT count(*) AS n FROM delta.`" + root.string() + "`";
  CommandResult r = dls("--format csv query --dialect spark " + shell_quote(query));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "n\n2\n");

  // A name with a quote is one (missing) table, not SQL text.
  r = dls("query --dialect spark " + shell_quote("SELECT * FROM `x\" UNION SELECT 1 --`"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, AllOf(HasSubstr("x\" UNION SELECT 1 --"), Not(HasSubstr("Parser Error"))))
      << r.err;
}

}  // namespace
}  // namespace dls

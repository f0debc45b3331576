// Behaviour of the generators beyond the golden files: quoting whatever the metadata contains,
// every entity field translated or reported, errors for metadata that cannot be generated, and
// bundle files that validate against the Databricks bundle JSON Schema.
#include <gtest/gtest.h>

#include <yaml-cpp/yaml.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "codegen_fixtures.h"
#include "dls/codegen/codegen_error.h"
#include "dls/codegen/databricks_bundle.h"
#include "dls/codegen/expression_check.h"
#include "dls/codegen/pipeline_sources.h"
#include "dls/codegen/quoting.h"
#include "dls/codegen/spark_project.h"
#include "dls/codegen/yaml_text.h"
#include "dls/core/entity_codec.h"
#include "dls/sql/spark/tokenizer.h"
#include "support/test_support.h"

namespace dls::codegen {
namespace {

namespace fs = std::filesystem;

// ---- quoting ----------------------------------------------------------------------------

TEST(QuotingTest, IdentifiersDoubleBackticks) {
  EXPECT_EQ(quote_identifier("a`b"), "`a``b`");
  EXPECT_EQ(quote_identifier("select"), "`select`");
  EXPECT_EQ(quote_table_name("c.s.t`x"), "`c`.`s`.`t``x`");
}

TEST(QuotingTest, StringLiteralsEscapeQuotesBackslashesAndControls) {
  EXPECT_EQ(sql_string_literal("it's \\ \n\x01"), "'it\\'s \\\\ \\n\\u0001'");
  // Spark's own tokenizer reads the literal back as the same string.
  const auto tokens = sql::spark::tokenize(sql_string_literal("a'b\\c\nd\x02é"));
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[0].kind, sql::spark::Token::Kind::kString);
  EXPECT_EQ(tokens[0].text, "a'b\\c\nd\x02é");
}

TEST(QuotingTest, PythonLiteralsKeepUnicodeAsUtf8) {
  EXPECT_EQ(python_string_literal("é😀\"\\\n"), "\"é😀\\\"\\\\\\n\"");
}

TEST(QuotingTest, YamlScalarsReadBackAsTheSameString) {
  for (const std::string& s :
       std::vector<std::string>{"true", "1", "null", "# x", "a: b", "\"q\" 'q'", "${var.x}", "é😀",
                                std::string("\x01\x7f\t\n", 4), "-", "[1]"}) {
    const YAML::Node node = YAML::Load("v: " + yaml_quote(s));
    EXPECT_EQ(node["v"].as<std::string>(), s) << yaml_quote(s);
  }
}

TEST(QuotingTest, SqlFragmentsThatWouldEscapeTheirPlaceAreRejected) {
  for (const char* bad : {"a; DROP TABLE t", "a -- comment", "a)", "(a", "'open", "`open", ""}) {
    EXPECT_THROW(check_sql_fragment(bad, "e", "select_expr[0]"), CodegenError) << bad;
  }
  EXPECT_NO_THROW(check_sql_fragment("concat(';', '--', `a;b`) /* c */", "e", "f"));
}

// ---- hostile metadata -------------------------------------------------------------------

struct LexedFiles {
  std::multiset<std::string> identifiers;  // unquoted values of `...` tokens
  std::multiset<std::string> strings;      // unquoted values of '...' tokens
};

// Lexes every SQL file; each statement (split at ';') must start with CREATE.
LexedFiles lex_sql_files(const GeneratedProject& project) {
  LexedFiles out;
  for (const auto& f : project.files()) {
    if (f.path.size() < 4 || f.path.substr(f.path.size() - 4) != ".sql") continue;
    using Kind = sql::spark::Token::Kind;
    std::vector<sql::spark::Token> tokens;
    try {
      tokens = sql::spark::tokenize(f.content);  // comments skipped
    } catch (const std::exception& e) {
      ADD_FAILURE() << f.path << ": " << e.what();
      continue;
    }
    bool statement_start = true;
    for (const auto& t : tokens) {
      if (t.kind == Kind::kEnd) break;
      if (statement_start) {
        EXPECT_EQ(t.text, "CREATE") << f.path << " at byte " << t.position;
        statement_start = false;
      }
      if (t.is_op(";")) statement_start = true;
      if (t.kind == Kind::kQuotedIdentifier) out.identifiers.insert(t.text);
      if (t.kind == Kind::kString) out.strings.insert(t.text);
    }
    EXPECT_TRUE(statement_start) << f.path << ": the last statement does not end with ';'";
  }
  return out;
}

TEST(HostileMetadataTest, NamesAndTextsStayOneTokenInDatabricksSql) {
  const EntityList entities = testing::hostile();
  const GeneratedProject project = generate_databricks_bundle(entities);
  const LexedFiles lexed = lex_sql_files(project);
  const DeltaLiveEntity& a = entities[0];
  const DeltaLiveEntity& b = entities[1];
  for (const std::string& id : std::vector<std::string>{
           "from", "`where`", "tablé 😀", "order", "we`ird", "key`1", "op`", "flow `name`", "table",
           "name with 'quote' and `tick`", "it's`key"}) {
    EXPECT_TRUE(lexed.identifiers.count(id)) << "identifier not quoted as one token: " << id;
  }
  for (const std::string& s :
       std::vector<std::string>{*a.comment, *b.comment, std::string("k'ey"), std::string("v`al'ue"),
                                std::string("dls.tag.own\"er"), std::string("Zoë's"), a.source,
                                a.read_options.at("it's`key")}) {
    EXPECT_TRUE(lexed.strings.count(s)) << "string not kept as one literal: " << s;
  }
}

TEST(HostileMetadataTest, NamesAndTextsStayOneTokenInSparkSql) {
  const GeneratedProject project = generate_spark_project(testing::hostile());
  const LexedFiles lexed = lex_sql_files(project);
  EXPECT_TRUE(lexed.identifiers.count("tablé 😀"));
  EXPECT_TRUE(lexed.strings.count(*testing::hostile()[0].comment));
}

TEST(HostileMetadataTest, YamlValuesReadBackUnchanged) {
  const EntityList entities = testing::hostile();
  DatabricksBundleOptions options;
  options.control_table = "c.s.t: \"x\" # y";
  const GeneratedProject project = generate_databricks_bundle(entities, options);
  const auto* pipeline = project.find("resources/we_ird_group.pipeline.yml");
  ASSERT_NE(pipeline, nullptr);
  const YAML::Node doc = YAML::Load(pipeline->content);
  const YAML::Node conf = doc["resources"]["pipelines"]["we_ird_group"]["configuration"];
  EXPECT_EQ(conf["spark.x'y"].as<std::string>(), "a\"b: c # d");
  const YAML::Node root = YAML::Load(project.find("databricks.yml")->content);
  EXPECT_EQ(root["variables"]["control_table"]["default"].as<std::string>(), options.control_table);
  // The bundle's entities file reads back as the same entities.
  const YAML::Node yml = YAML::Load(project.find("metadata/entities.yml")->content);
  ASSERT_EQ(yml["delta_live_store"].size(), 2u);
  // (decode_entity_yaml: the core validation rejects these names for the store; the codec
  // still round-trips them.)
  Diagnostics diagnostics;
  EXPECT_EQ(decode_entity_yaml(yml["delta_live_store"][0], {}, diagnostics), entities[0]);
}

TEST(HostileMetadataTest, PythonSourcesParseWithPython) {
  if (std::system("python3 -c 'pass' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "python3 is not installed; the Python syntax check needs it";
  }
  dls::testing::TempDir dir;
  const GeneratedProject project = generate_spark_project(testing::hostile());
  project.write_to(dir.path());
  const fs::path py = dir / "we_ird_group/transformations/select_source.py";
  // Every string literal of the file, as Python reads it, one per line (JSON).
  const std::string cmd =
      "python3 -c 'import ast,json,sys; t=ast.parse(open(sys.argv[1],encoding=\"utf-8\").read());"
      "print(json.dumps([n.value for n in ast.walk(t) if isinstance(n,ast.Constant) and "
      "isinstance(n.value,str)]))' " +
      dls::testing::shell_quote(py.string()) + " > " +
      dls::testing::shell_quote((dir / "out.json").string());
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "generated Python does not parse";
  const auto values = nlohmann::json::parse(dls::testing::read_file(dir / "out.json"));
  const DeltaLiveEntity a = testing::hostile()[0];
  std::set<std::string> strings(values.begin(), values.end());
  // The view's name is an identifier to spark-pipelines: quoted.
  EXPECT_TRUE(strings.count("`tablé 😀_dls_source`"));
  EXPECT_TRUE(strings.count(a.read_options.at("it's`key")));
  EXPECT_TRUE(strings.count(a.source));
  // The apply_changes materialized view (a Python file of its own) parses too.
  const std::string cdc =
      "python3 -c 'import ast,sys; ast.parse(open(sys.argv[1],encoding=\"utf-8\").read())' " +
      dls::testing::shell_quote((dir / "we_ird_group/transformations/group.py").string());
  EXPECT_EQ(std::system(cdc.c_str()), 0) << "generated apply_changes Python does not parse";
}

// ---- every field translated or reported ---------------------------------------------------

using Mutation = std::function<void(DeltaLiveEntity&)>;

// One non-default value per field of the entity model (JSON names; nested ones with a dot).
const std::map<std::string, Mutation>& mutations() {
  static const std::map<std::string, Mutation> m = {
      {"id", [](auto& e) { e.id = "version-1"; }},
      {"entity_id", [](auto& e) { e.entity_id = "renamed"; }},
      {"group", [](auto& e) { e.group = "other"; }},
      {"source", [](auto& e) { e.source = "main.other.table"; }},
      {"source_format", [](auto& e) { e.source_format = "parquet"; }},
      {"destination", [](auto& e) { e.destination = "moved"; }},
      {"destination_type", [](auto& e) { e.destination_type = "view"; }},
      {"source_schema", [](auto& e) { e.source_schema = "id INT, seq BIGINT"; }},
      {"select_expr",
       [](auto& e) {
         e.select_expr = {"id", "seq"};
       }},
      {"is_streaming", [](auto& e) { e.is_streaming = !e.is_streaming; }},
      {"primary_keys",
       [](auto& e) {
         e.primary_keys = {"id", "region"};
       }},
      {"read_options",
       [](auto& e) {
         e.read_options = {{"skipChangeCommits", "true"}};
       }},
      {"table_properties",
       [](auto& e) {
         e.table_properties = {{"quality", "gold"}};
       }},
      {"tags",
       [](auto& e) {
         e.tags = {{"owner", "x"}};
       }},
      {"spark_conf",
       [](auto& e) {
         e.spark_conf = {{"spark.sql.ansi.enabled", "true"}};
       }},
      {"partition_cols", [](auto& e) { e.partition_cols = {"region"}; }},
      {"comment", [](auto& e) { e.comment = "A comment."; }},
      {"expectations",
       [](auto& e) {
         e.expectations.expect_all = {{"r", "id > 0"}};
       }},
      {"expectations.expect_all",
       [](auto& e) {
         e.expectations.expect_all = {{"r", "id > 0"}};
       }},
      {"expectations.expect_all_or_drop",
       [](auto& e) {
         e.expectations.expect_all_or_drop = {{"r", "id > 0"}};
       }},
      {"expectations.expect_all_or_fail",
       [](auto& e) {
         e.expectations.expect_all_or_fail = {{"r", "id > 0"}};
       }},
      {"apply_changes",
       [](auto& e) {
         e.apply_changes = ApplyChanges{};
         e.apply_changes->sequence_by = "seq";
         e.primary_keys = {"id"};
       }},
      {"apply_changes.sequence_by", [](auto& e) { e.apply_changes->sequence_by = "seq2"; }},
      {"apply_changes.where", [](auto& e) { e.apply_changes->where = "op <> 'X'"; }},
      {"apply_changes.ignore_null_updates",
       [](auto& e) { e.apply_changes->ignore_null_updates = true; }},
      {"apply_changes.apply_as_deletes",
       [](auto& e) { e.apply_changes->apply_as_deletes = "op = 'D'"; }},
      {"apply_changes.apply_as_truncates",
       [](auto& e) { e.apply_changes->apply_as_truncates = "op = 'T'"; }},
      {"apply_changes.column_list", [](auto& e) { e.apply_changes->column_list = {"id"}; }},
      {"apply_changes.except_column_list",
       [](auto& e) { e.apply_changes->except_column_list = {"op"}; }},
      {"apply_changes.stored_as_scd_type",
       [](auto& e) { e.apply_changes->stored_as_scd_type = 2; }},
      {"apply_changes.track_history_column_list",
       [](auto& e) { e.apply_changes->track_history_column_list = {"a"}; }},
      {"apply_changes.track_history_except_column_list",
       [](auto& e) { e.apply_changes->track_history_except_column_list = {"a"}; }},
      {"apply_changes.flow_name", [](auto& e) { e.apply_changes->flow_name = "f"; }},
      {"apply_changes.ignore_null_updates_column_list",
       [](auto& e) { e.apply_changes->ignore_null_updates_column_list = {"a"}; }},
      {"apply_changes.ignore_null_updates_except_column_list",
       [](auto& e) { e.apply_changes->ignore_null_updates_except_column_list = {"a"}; }},
      {"is_quarantined", [](auto& e) { e.is_quarantined = true; }},
      {"where_clause", [](auto& e) { e.where_clause = {"a > 1"}; }},
      {"query",
       [](auto& e) {
         e.query = "SELECT u.a, count(*) AS n FROM up AS u GROUP BY u.a";
         e.source.clear();
         e.source_format = "sql";
         e.is_streaming = false;
       }},
      {"flow_name", [](auto& e) { e.flow_name = "subject_flow"; }},
      {"once", [](auto& e) { e.once = true; }},
      {"sink_format",
       [](auto& e) {
         e.destination_type = "sink";
         e.sink_format = "kafka";
         e.sink_options = {{"kafka.bootstrap.servers", "b:9092"}, {"topic", "t"}};
       }},
      {"sink_options",
       [](auto& e) {
         e.destination_type = "sink";
         e.sink_format = "delta";
         e.sink_options = {{"path", "/exports/subject"}};
       }},
      {"is_enabled", [](auto& e) { e.is_enabled = false; }},
      {"is_latest", [](auto& e) { e.is_latest = false; }},
      {"created_ts", [](auto& e) { e.created_ts = Timestamp{1700000000000000}; }},
      {"expired_ts", [](auto& e) { e.expired_ts = Timestamp{1700000000000000}; }},
      {"created_by", [](auto& e) { e.created_by = "alice"; }},
      {"modified_by", [](auto& e) { e.modified_by = "bob"; }},
      {"hash", [](auto& e) { e.hash = std::string(64, 'a'); }},
  };
  return m;
}

// Every field of the model, from the JSON codec of an entity with every field set, so a field
// added to the model shows up here without editing the test.
std::vector<std::string> all_fields() {
  DeltaLiveEntity e;
  e.apply_changes = ApplyChanges{};
  e.where_clause = {"x"};  // written only when set
  e.query = "SELECT 1";
  e.flow_name = "f";                  // written only when set
  e.once = true;                      // written only when true
  e.sink_format = "delta";            // written only when set
  e.sink_options = {{"path", "/x"}};  // written only when not empty
  const nlohmann::json j = to_json(e);
  std::vector<std::string> fields;
  for (const auto& [key, value] : j.items()) {
    fields.push_back(key);
    if (key == "expectations" || key == "apply_changes") {
      for (const auto& [sub, ignored] : value.items()) fields.push_back(key + "." + sub);
    }
  }
  return fields;
}

DeltaLiveEntity upstream() {
  DeltaLiveEntity e;
  e.entity_id = "up";
  e.group = "g";
  e.source = "/data/in";
  e.destination = "up";
  e.read_options = {{"cloudFiles.format", "json"}};
  return normalized(e);
}

// The subject reads `up`; with apply_changes for the apply_changes.* fields.
DeltaLiveEntity subject(bool cdc) {
  DeltaLiveEntity e;
  e.entity_id = "subject";
  e.group = "g";
  e.source = "up";
  e.source_format = "dlt";
  e.destination = "subject";
  if (cdc) {
    e.primary_keys = {"id"};
    e.apply_changes = ApplyChanges{};
    e.apply_changes->sequence_by = "seq";
  }
  return e;
}

struct Outcome {
  std::map<std::string, std::string> files;  // generated pipeline files (not metadata/)
  std::vector<CodegenWarning> warnings;
  std::string error;
};

Outcome generate(Target target, const DeltaLiveEntity& e) {
  Outcome out;
  const EntityList entities{upstream(), e};
  try {
    GeneratedProject p = target == Target::kDatabricks ? generate_databricks_bundle(entities)
                                                       : generate_spark_project(entities);
    for (const auto& f : p.files()) {
      if (f.path.rfind("metadata/", 0) != 0) out.files[f.path] = f.content;
    }
    out.warnings = p.warnings();
  } catch (const CodegenError& err) {
    out.error = err.what();
  }
  return out;
}

bool reported(const Outcome& o, const std::string& field) {
  const std::string leaf = field.substr(field.rfind('.') + 1);
  if (!o.error.empty()) return o.error.find(leaf) != std::string::npos;
  for (const auto& w : o.warnings) {
    if (w.field == field || w.field.rfind(field + ".", 0) == 0 ||
        field.rfind(w.field + ".", 0) == 0) {
      return true;
    }
  }
  return false;
}

void check_every_field(Target target) {
  const std::vector<std::string> fields = all_fields();
  EXPECT_EQ(std::count_if(fields.begin(), fields.end(),
                          [](const auto& f) { return f.rfind("apply_changes.", 0) == 0; }),
            13);
  EXPECT_EQ(std::count_if(fields.begin(), fields.end(),
                          [](const auto& f) { return f.rfind("expectations.", 0) == 0; }),
            3);
  for (const auto& field : fields) {
    auto it = mutations().find(field);
    if (it == mutations().end()) {
      ADD_FAILURE() << "entity field '" << field << "' has no mutation in this test: translate "
                    << "or report it in the generators, then add it here";
      continue;
    }
    const bool cdc = field.rfind("apply_changes.", 0) == 0;
    const DeltaLiveEntity base = subject(cdc);
    DeltaLiveEntity changed = base;
    it->second(changed);
    const Outcome before = generate(target, base);
    ASSERT_EQ(before.error, "") << field;
    const Outcome after = generate(target, changed);
    const bool translated = after.error.empty() && after.files != before.files;
    EXPECT_TRUE(translated || reported(after, field))
        << "field '" << field << "' is neither translated (the generated files did not change) "
        << "nor reported (no warning or error names it)";
  }
}

TEST(FieldCoverageTest, EveryEntityFieldIsTranslatedOrReportedForDatabricks) {
  check_every_field(Target::kDatabricks);
}

TEST(FieldCoverageTest, EveryEntityFieldIsTranslatedOrReportedForSpark) {
  check_every_field(Target::kSpark);
}

// ---- metadata that cannot be generated ---------------------------------------------------

void expect_codegen_error(const EntityList& entities, const std::string& needle) {
  try {
    generate_databricks_bundle(entities);
    ADD_FAILURE() << "expected a CodegenError mentioning " << needle;
  } catch (const CodegenError& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    EXPECT_EQ(e.exit_code(), ExitCode::kInvalidMetadata);
  }
}

TEST(CodegenErrorTest, SelectExprThatWouldEndTheStatementIsRejected) {
  DeltaLiveEntity e = subject(false);
  e.select_expr = {"id FROM x; DROP TABLE y"};
  expect_codegen_error({upstream(), e}, "select_expr[0]");
}

TEST(CodegenErrorTest, ExpectationWithLineCommentIsRejected) {
  DeltaLiveEntity e = subject(false);
  e.expectations.expect_all_or_fail = {{"r", "id > 0 -- )"}};
  expect_codegen_error({upstream(), e}, "expectations.expect_all_or_fail.r");
}

TEST(CodegenErrorTest, TwoEntitiesWritingOneDestination) {
  DeltaLiveEntity e = subject(false);
  e.destination = "up";
  e.is_streaming = false;  // a materialized view may not share a table with a streaming one
  expect_codegen_error({upstream(), e}, "both write destination 'up'");
  expect_codegen_error({upstream(), e}, "'subject': it is not streaming");
}

// Two streaming entities into one table: one CREATE STREAMING TABLE, one CREATE FLOW each.
DeltaLiveEntity second_flow() {
  DeltaLiveEntity e = upstream();
  e.entity_id = "up_json";
  e.source = "/data/in_json";
  e.flow_name = "from_json";
  return normalized(e);
}

std::string all_sql(const GeneratedProject& p) {
  std::string all;
  for (const auto& f : p.files()) {
    if (f.path.rfind("metadata/", 0) != 0) all += f.content;
  }
  return all;
}

std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(CodegenFlowsTest, AppendFlowsDeclareTheTableOnceAndInsertByName) {
  const EntityList entities{upstream(), second_flow()};
  const std::string databricks = all_sql(generate_databricks_bundle(entities));
  EXPECT_EQ(occurrences(databricks, "CREATE OR REFRESH STREAMING TABLE `up`"), 1u) << databricks;
  EXPECT_NE(databricks.find("CREATE FLOW `up` AS INSERT INTO `up` BY NAME\nSELECT"),
            std::string::npos)
      << databricks;
  EXPECT_NE(databricks.find("CREATE FLOW `from_json` AS INSERT INTO `up` BY NAME"),
            std::string::npos)
      << databricks;
  const std::string spark = all_sql(generate_spark_project(entities));
  EXPECT_EQ(occurrences(spark, "CREATE STREAMING TABLE `up`"), 1u) << spark;
  EXPECT_NE(spark.find("CREATE FLOW `from_json` AS INSERT INTO `up` BY NAME"), std::string::npos)
      << spark;
}

DeltaLiveEntity delta_sink(const std::string& id, const std::string& source,
                           const std::string& format) {
  DeltaLiveEntity e = upstream();
  e.entity_id = id;
  e.source = source;
  e.source_format = format;
  if (format == "dlt") e.read_options.clear();
  e.destination = "export";
  e.destination_type = "sink";
  e.sink_format = "delta";
  e.sink_options = {{"path", "/Volumes/main/exports/x"}};
  return normalized(e);
}

TEST(CodegenSinksTest, ASinkFlowIsAPythonFileWithCreateSinkAndAppendFlow) {
  const EntityList entities{upstream(), delta_sink("out", "up", "dlt")};
  for (const GeneratedProject& p :
       {generate_databricks_bundle(entities), generate_spark_project(entities)}) {
    const std::string all = all_sql(p);
    EXPECT_NE(all.find("from pyspark import pipelines as dp\n"), std::string::npos) << all;
    EXPECT_NE(all.find("dp.create_sink(\n    name=\"export\",\n    format=\"delta\",\n    "
                       "options={\"path\": \"/Volumes/main/exports/x\"},\n)"),
              std::string::npos)
        << all;
    EXPECT_NE(all.find("@dp.append_flow(target=\"export\", name=\"out\")\ndef sink_flow():"),
              std::string::npos)
        << all;
    EXPECT_NE(all.find("\"FROM STREAM(`up`)\""), std::string::npos) << all;
    bool python_file = false;
    for (const auto& f : p.files()) python_file |= f.path.ends_with("transformations/out.py");
    EXPECT_TRUE(python_file);
  }
}

TEST(CodegenSinksTest, TwoFlowsIntoOneSinkDeclareItOnce) {
  DeltaLiveEntity second = delta_sink("out2", "up", "dlt");
  second.flow_name = "second";
  const EntityList entities{upstream(), delta_sink("out", "up", "dlt"), second};
  const std::string all = all_sql(generate_databricks_bundle(entities));
  EXPECT_EQ(occurrences(all, "dp.create_sink("), 1u) << all;
  EXPECT_NE(all.find("@dp.append_flow(target=\"export\", name=\"second\")"), std::string::npos)
      << all;
}

TEST(CodegenSinksTest, OnSparkASinkOverAFileSourceHasItsSourceViewInTheSameFile) {
  const EntityList entities{delta_sink("out", "/data/in", "cloudFiles")};
  const GeneratedProject p = generate_spark_project(entities);
  std::string file;
  for (const auto& f : p.files()) {
    if (f.path.ends_with("transformations/out.py")) file = f.content;
  }
  EXPECT_NE(file.find("@dp.temporary_view(name="), std::string::npos) << file;
  EXPECT_NE(file.find("dp.create_sink("), std::string::npos) << file;
  EXPECT_LT(file.find("@dp.temporary_view(name="), file.find("dp.create_sink(")) << file;
}

TEST(CodegenSinksTest, AnEntityReadingASinkIsAnError) {
  DeltaLiveEntity reader = subject(false);
  reader.source = "export";
  expect_codegen_error({upstream(), delta_sink("out", "up", "dlt"), reader},
                       "sinks cannot be read");
}

TEST(CodegenFlowsTest, AOnceFlowIsInsertOnceOnDatabricksAndRefusedForSpark) {
  DeltaLiveEntity backfill = second_flow();
  backfill.source_format = "parquet";
  backfill.read_options.clear();
  backfill.once = true;
  backfill = normalized(backfill);
  const EntityList entities{upstream(), backfill};
  const std::string databricks = all_sql(generate_databricks_bundle(entities));
  EXPECT_NE(databricks.find("CREATE FLOW `from_json` AS INSERT ONCE INTO `up` BY NAME"),
            std::string::npos)
      << databricks;
  EXPECT_EQ(databricks.find("STREAM read_files('/data/in_json'"), std::string::npos) << databricks;
  try {
    generate_spark_project(entities);
    ADD_FAILURE() << "expected a CodegenError for the once flow";
  } catch (const CodegenError& e) {
    EXPECT_NE(std::string(e.what()).find("entity 'up_json': once:"), std::string::npos) << e.what();
    EXPECT_EQ(e.exit_code(), ExitCode::kInvalidMetadata);
  }
}

TEST(CodegenFlowsTest, QuarantineInAnAppendFlowIsAnError) {
  DeltaLiveEntity a = upstream();
  DeltaLiveEntity b = second_flow();
  for (DeltaLiveEntity* e : {&a, &b}) {
    e->is_quarantined = true;
    e->expectations.expect_all = {{"r", "id > 0"}};
  }
  expect_codegen_error({a, b}, "is_quarantined: not generated for an append flow");
}

TEST(CodegenErrorTest, TruncatesWithScdType2) {
  DeltaLiveEntity e = subject(true);
  e.apply_changes->stored_as_scd_type = 2;
  e.apply_changes->apply_as_truncates = "op = 'T'";
  expect_codegen_error({upstream(), e}, "apply_as_truncates");
}

TEST(CodegenErrorTest, ApplyChangesWithoutKeys) {
  DeltaLiveEntity e = subject(true);
  e.primary_keys.clear();
  expect_codegen_error({upstream(), e}, "primary_keys");
}

TEST(CodegenErrorTest, NothingEnabledToGenerate) {
  DeltaLiveEntity e = upstream();
  e.is_enabled = false;
  expect_codegen_error({e}, "no enabled entity");
}

TEST(CodegenErrorTest, MalformedTargetIsInvalidMetadata) {
  DatabricksBundleOptions options;
  options.target = "main";
  EXPECT_THROW(generate_databricks_bundle({upstream()}, options), InvalidMetadataError);
}

TEST(DatabricksBundleTargetTest, WithoutTargetAGroupCatalogSchemaIsThePipelinesNamespace) {
  // `dls run` writes group main.retail's bare destinations to main.retail (not main.dls).
  DeltaLiveEntity retail = upstream();
  retail.group = "main.retail";
  DeltaLiveEntity plain = upstream();
  plain.entity_id = "plain";
  plain.destination = "plain";
  plain.group = "etl jobs";
  const GeneratedProject p = generate_databricks_bundle({retail, plain});
  const YAML::Node root = YAML::Load(p.find("databricks.yml")->content);
  EXPECT_EQ(root["variables"]["catalog"]["default"].as<std::string>(), "main");
  EXPECT_EQ(root["variables"]["schema"]["default"].as<std::string>(), "default");
  const YAML::Node retail_pipeline =
      YAML::Load(p.find("resources/main_retail.pipeline.yml")
                     ->content)["resources"]["pipelines"]["main_retail"];
  EXPECT_EQ(retail_pipeline["catalog"].as<std::string>(), "main");
  EXPECT_EQ(retail_pipeline["schema"].as<std::string>(), "retail");
  const YAML::Node plain_pipeline = YAML::Load(
      p.find("resources/etl_jobs.pipeline.yml")->content)["resources"]["pipelines"]["etl_jobs"];
  EXPECT_EQ(plain_pipeline["schema"].as<std::string>(), "${var.schema}");
}

TEST(DatabricksBundleTargetTest, AnExplicitTargetIsEveryPipelinesDefault) {
  DeltaLiveEntity retail = upstream();
  retail.group = "main.retail";
  DatabricksBundleOptions options;
  options.target = "cat.sales";
  const GeneratedProject p = generate_databricks_bundle({retail}, options);
  const YAML::Node pipeline = YAML::Load(p.find("resources/main_retail.pipeline.yml")
                                             ->content)["resources"]["pipelines"]["main_retail"];
  EXPECT_EQ(pipeline["schema"].as<std::string>(), "${var.schema}");
  EXPECT_EQ(YAML::Load(p.find("databricks.yml")->content)["variables"]["schema"]["default"]
                .as<std::string>(),
            "sales");
}

TEST(DatabricksBundleSourcesTest, AnAbsoluteLocalSourceIsReadFromTheVolumeWithAWarning) {
  // `dls load` stores relative sources as absolute local paths; a workspace cannot read those.
  DeltaLiveEntity local = upstream();  // source /data/in
  DeltaLiveEntity volume = upstream();
  volume.entity_id = "vol";
  volume.destination = "vol";
  volume.source = "/Volumes/main/raw/in";
  DeltaLiveEntity cloud = upstream();
  cloud.entity_id = "cloud";
  cloud.destination = "cloud";
  cloud.source = "s3://bucket/in";
  const GeneratedProject p = generate_databricks_bundle({local, volume, cloud});
  std::string sql;
  for (const auto& f : p.files()) sql += f.content;
  EXPECT_NE(sql.find("'${dls.source_volume}/data/in'"), std::string::npos);
  EXPECT_NE(sql.find("'/Volumes/main/raw/in'"), std::string::npos);
  EXPECT_NE(sql.find("'s3://bucket/in'"), std::string::npos);
  std::vector<std::string> source_warnings;
  for (const auto& w : p.warnings()) {
    if (w.field == "source") source_warnings.push_back(w.to_string());
  }
  ASSERT_EQ(source_warnings.size(), 1u);
  EXPECT_NE(source_warnings[0].find("entity 'up'"), std::string::npos) << source_warnings[0];
  EXPECT_NE(source_warnings[0].find("${dls.source_volume}/data/in"), std::string::npos);
}

// ---- the JSON Schema of bundle files -------------------------------------------------------

struct CommandRun {
  int status = -1;
  std::string output;
};

CommandRun run(const std::string& command) {
  CommandRun r;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe)) r.output += buf.data();
  r.status = pclose(pipe);
  return r;
}

void validate_bundle(const GeneratedProject& project) {
  const fs::path tools = fs::path(DLS_SOURCE_DIR) / "tools" / "jsonschema";
  ASSERT_TRUE(fs::is_directory(tools / "node_modules" / "ajv"))
      << tools / "node_modules"
      << " is missing: run `npm ci --prefix tools/jsonschema` (scripts/setup.sh does it); the "
         "bundle files must be checked by a real JSON Schema validator";
  const fs::path schema = dls::testing::testdata_dir() / "databricks" / "bundle_config_schema.json";
  ASSERT_TRUE(fs::exists(schema)) << schema;
  dls::testing::TempDir dir;
  project.write_to(dir.path());
  std::string files;
  int count = 0;
  for (const auto& f : project.files()) {
    if (f.path == "databricks.yml" || f.path.rfind("resources/", 0) == 0) {
      files += " " + dls::testing::shell_quote((dir / f.path).string());
      ++count;
    }
  }
  ASSERT_GE(count, 3);
  const CommandRun r = run("node " + dls::testing::shell_quote((tools / "validate.js").string()) +
                           " " + dls::testing::shell_quote(schema.string()) + files);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), count) << r.output;
}

TEST(BundleSchemaTest, MedallionBundleValidatesAgainstTheDatabricksSchema) {
  DatabricksBundleOptions options;
  options.target = "main.etl";
  validate_bundle(generate_databricks_bundle(testing::medallion(), options));
}

TEST(BundleSchemaTest, HostileBundleValidatesAgainstTheDatabricksSchema) {
  validate_bundle(generate_databricks_bundle(testing::hostile()));
}

TEST(BundleSchemaTest, ValidatorRejectsAnUnknownKey) {
  // The validator is real: a bundle file with an unknown key fails.
  GeneratedProject project;
  project.add_file("databricks.yml", "bundle:\n  name: x\n  no_such_key: 1\n");
  project.add_file("resources/a.yml", "resources: {}\n");
  project.add_file("resources/b.yml", "resources: {}\n");
  const fs::path tools = fs::path(DLS_SOURCE_DIR) / "tools" / "jsonschema";
  ASSERT_TRUE(fs::is_directory(tools / "node_modules" / "ajv"))
      << "run `npm ci --prefix tools/jsonschema` (scripts/setup.sh does it)";
  dls::testing::TempDir dir;
  project.write_to(dir.path());
  const CommandRun r =
      run("node " + dls::testing::shell_quote((tools / "validate.js").string()) + " " +
          dls::testing::shell_quote(
              (dls::testing::testdata_dir() / "databricks/bundle_config_schema.json").string()) +
          " " + dls::testing::shell_quote((dir / "databricks.yml").string()));
  EXPECT_NE(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("no_such_key"), std::string::npos) << r.output;
}

TEST(SparkProjectTest, SpecNamesStorageLibrariesAndTarget) {
  SparkProjectOptions options;
  options.target = "cat.db";
  options.storage_root = "file:///s";
  const GeneratedProject p = generate_spark_project({upstream()}, options);
  const YAML::Node spec = YAML::Load(p.find("g/spark-pipeline.yml")->content);
  EXPECT_EQ(spec["name"].as<std::string>(), "g");
  EXPECT_EQ(spec["storage"].as<std::string>(), "file:///s/g");
  EXPECT_EQ(spec["libraries"][0]["glob"]["include"].as<std::string>(), "transformations/**");
  EXPECT_EQ(spec["catalog"].as<std::string>(), "cat");
  EXPECT_EQ(spec["database"].as<std::string>(), "db");
}

TEST(SparkProjectTest, SparkWarehouseWritesRunLocalAndTheRunNamespace) {
  DeltaLiveEntity retail = upstream();
  retail.group = "main.retail";
  SparkProjectOptions options;
  options.spark_warehouse = "/w/spark_wh/";
  const GeneratedProject p = generate_spark_project({retail}, options);
  // No catalog or database: the tables go to the metastore's default database, which run-local.sh
  // locates at the directory of the namespace `dls run` uses for group main.retail.
  const YAML::Node spec = YAML::Load(p.find("main_retail/spark-pipeline.yml")->content);
  EXPECT_FALSE(spec["database"]);
  EXPECT_FALSE(spec["catalog"]);
  const GeneratedFile* script = p.find("main_retail/run-local.sh");
  ASSERT_NE(script, nullptr);
  // The location is one shell word, single-quoted.
  EXPECT_NE(script->content.find("--conf spark.sql.warehouse.dir='/w/spark_wh/main/retail'"),
            std::string::npos)
      << script->content;
  // The Spark Connect server that runs the pipeline gets the settings too.
  EXPECT_NE(script->content.find("export PYSPARK_SUBMIT_ARGS"), std::string::npos);
  ASSERT_NE(p.find("README.md"), nullptr);
  EXPECT_NE(p.find("README.md")->content.find("run-local.sh"), std::string::npos);
  EXPECT_NE(script->content.find("spark.sql.sources.default=delta"), std::string::npos);
  EXPECT_NE(script->content.find("spark-pipelines\" \"$command\" --spec"), std::string::npos);
}

TEST(SparkProjectTest, SparkWarehouseMustBeAnAbsolutePathWithoutQuotes) {
  SparkProjectOptions options;
  options.spark_warehouse = "relative/wh";
  EXPECT_THROW(generate_spark_project({upstream()}, options), CodegenError);
  options.spark_warehouse = "/tmp/it's";
  EXPECT_THROW(generate_spark_project({upstream()}, options), CodegenError);
}

TEST(GeneratedProjectTest, RefusesPathsOutsideTheOutputDirectory) {
  GeneratedProject p;
  EXPECT_THROW(p.add_file("../x", ""), CodegenError);
  EXPECT_THROW(p.add_file("/abs", ""), CodegenError);
  p.add_file("a/b.sql", "");
  EXPECT_THROW(p.add_file("a/b.sql", ""), CodegenError);
}

}  // namespace
}  // namespace dls::codegen

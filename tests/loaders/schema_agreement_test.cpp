// schemas/config_schema.json and the C++ validator agree: both accept every valid sample and both
// reject every invalid one (tests/core/samples and tests/loaders/schema_samples), and what the
// YAML exporter writes passes both. The second validator is ajv (tools/jsonschema, installed by
// scripts/setup.sh); when it is missing the test fails and says how to install it.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>

#include "dls/core/yaml_document.h"
#include "dls/loaders/yaml_exporter.h"
#include "support/test_support.h"

namespace dls {
namespace {

namespace fs = std::filesystem;
using testing::shell_quote;

const fs::path kSource = DLS_SOURCE_DIR;

std::vector<fs::path> samples(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".yml") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<fs::path> samples_of(const std::string& kind) {
  auto out = samples(kSource / "tests/core/samples" / kind);
  auto mine = samples(kSource / "tests/loaders/schema_samples" / kind);
  out.insert(out.end(), mine.begin(), mine.end());
  return out;
}

// What ajv says about each file: true = valid. Fails the test when ajv cannot run.
std::map<fs::path, bool> ajv_verdicts(const std::vector<fs::path>& files, std::string* report) {
  const fs::path tool = kSource / "tools/jsonschema";
  std::map<fs::path, bool> verdicts;
  if (!fs::exists(tool / "node_modules/ajv/package.json") ||
      !fs::exists(tool / "node_modules/yaml/package.json")) {
    ADD_FAILURE() << "ajv is not installed in " << (tool / "node_modules").string()
                  << ": run scripts/setup.sh (or `npm ci --prefix tools/jsonschema`)";
    return verdicts;
  }
  testing::TempDir capture;
  std::string command = "node " + shell_quote((tool / "validate.js").string()) + " " +
                        shell_quote((kSource / "schemas/config_schema.json").string());
  for (const auto& f : files) command += " " + shell_quote(f.string());
  command += " >" + shell_quote((capture / "out").string()) + " 2>" +
             shell_quote((capture / "err").string());
  const int status = std::system(command.c_str());
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  const std::string out = testing::read_file(capture / "out");
  const std::string err = testing::read_file(capture / "err");
  if (code != 0 && code != 1) {
    ADD_FAILURE() << "ajv failed to run (exit " << code << "): " << err
                  << "\nIs node installed? Run scripts/setup.sh.";
    return verdicts;
  }
  for (const auto& f : files) verdicts[f] = false;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("ok ", 0) == 0) verdicts[fs::path(line.substr(3))] = true;
  }
  if (report) *report = err;
  return verdicts;
}

bool cpp_accepts(const fs::path& file, std::string* errors) {
  try {
    load_yaml_document(file);
    return true;
  } catch (const std::exception& e) {
    if (errors) *errors = e.what();
    return false;
  }
}

TEST(SchemaAgreement, BothValidatorsAcceptTheValidSamples) {
  auto files = samples_of("valid");
  ASSERT_GE(files.size(), 7u);
  std::string ajv_errors;
  const auto verdicts = ajv_verdicts(files, &ajv_errors);
  for (const auto& f : files) {
    std::string errors;
    EXPECT_TRUE(cpp_accepts(f, &errors)) << f << "\n" << errors;
    if (!verdicts.empty()) {
      EXPECT_TRUE(verdicts.at(f)) << "ajv rejects " << f << "\n" << ajv_errors;
    }
  }
}

TEST(SchemaAgreement, BothValidatorsRejectTheInvalidSamples) {
  auto files = samples_of("invalid");
  // The seed's own sample: apply_changes without primary_keys (refused since issue 15).
  files.push_back(testing::testdata_dir() / "seed-sample.yml");
  ASSERT_GE(files.size(), 40u);
  const auto verdicts = ajv_verdicts(files, nullptr);
  for (const auto& f : files) {
    EXPECT_FALSE(cpp_accepts(f, nullptr)) << "the C++ validator accepts " << f;
    if (!verdicts.empty()) {
      EXPECT_FALSE(verdicts.at(f)) << "ajv accepts " << f;
    }
  }
}

TEST(SchemaAgreement, ExportedYamlPassesBoth) {
  const YamlDocument seed = load_yaml_document(kSource / "tests/core/samples/valid/full.yml");
  testing::TempDir dir;
  const fs::path file = dir / "export.yml";
  testing::write_file(file,
                      export_yaml(seed.entities, schema_reference(default_schema_path(), file)));
  std::string errors;
  EXPECT_TRUE(cpp_accepts(file, &errors)) << errors;
  std::string ajv_errors;
  const auto verdicts = ajv_verdicts({file}, &ajv_errors);
  if (!verdicts.empty()) {
    EXPECT_TRUE(verdicts.at(file)) << ajv_errors;
  }
}

TEST(SchemaAgreement, SchemaListsEveryEntityField) {
  // A field added to the model but not to the schema would make editors flag valid files.
  const std::string schema = testing::read_file(kSource / "schemas/config_schema.json");
  for (const char* field : {"entity_id",
                            "group",
                            "source",
                            "source_format",
                            "destination",
                            "destination_type",
                            "source_schema",
                            "select_expr",
                            "is_streaming",
                            "primary_keys",
                            "read_options",
                            "table_properties",
                            "tags",
                            "spark_conf",
                            "partition_cols",
                            "comment",
                            "expectations",
                            "expect_all",
                            "expect_all_or_drop",
                            "expect_all_or_fail",
                            "apply_changes",
                            "sequence_by",
                            "where",
                            "ignore_null_updates",
                            "apply_as_deletes",
                            "apply_as_truncates",
                            "column_list",
                            "except_column_list",
                            "stored_as_scd_type",
                            "track_history_column_list",
                            "track_history_except_column_list",
                            "flow_name",
                            "ignore_null_updates_column_list",
                            "ignore_null_updates_except_column_list",
                            "is_quarantined",
                            "is_enabled"}) {
    EXPECT_NE(schema.find("\"" + std::string(field) + "\""), std::string::npos) << field;
  }
}

}  // namespace
}  // namespace dls

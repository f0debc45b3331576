#include "dls/core/yaml_document.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/test_entities.h"
#include "dls/core/error.h"
#include "support/test_support.h"

namespace dls {
namespace {

using ::testing::HasSubstr;

std::string document_error(const std::string& yaml) {
  try {
    parse_yaml_document(yaml, "f.yml");
  } catch (const MetadataErrors& e) {
    return e.what();
  }
  return "";
}

TEST(YamlDocument, SeedSampleApplyChangesWithoutPrimaryKeysIsALocatedError) {
  // The seed's entity 2 has apply_changes but no primary_keys: the seed skipped apply_changes
  // silently, the pipeline cannot run it, so loading refuses it (issue 15).
  const std::string path = std::string(DLS_TESTDATA_DIR) + "/seed-sample.yml";
  try {
    load_yaml_document(path);
    FAIL() << "expected an error";
  } catch (const MetadataErrors& e) {
    ASSERT_EQ(e.errors().size(), 1u) << e.what();
    EXPECT_THAT(e.errors()[0], HasSubstr("seed-sample.yml:41:7: error: entity '2': apply_changes: "
                                         "needs primary_keys"));
  }
}

TEST(YamlDocument, SeedSampleWithKeysLoads) {
  std::string text = testing::read_file(std::string(DLS_TESTDATA_DIR) + "/seed-sample.yml");
  const auto at = text.find("    apply_changes:");
  ASSERT_NE(at, std::string::npos);
  text.insert(at, "    primary_keys: [id]\n");
  const YamlDocument doc = parse_yaml_document(text, "seed-sample.yml");
  ASSERT_EQ(doc.entities.size(), 2u);
  const auto& bronze = doc.entities[0];
  EXPECT_EQ(bronze.entity_id, "1");
  EXPECT_EQ(bronze.source, "/Volumes/nfleming/harbor_freight/data/high_temps");
  EXPECT_EQ(bronze.destination, "high_temps_new");
  EXPECT_EQ(bronze.read_options.at("cloudFiles.format"), "csv");
  EXPECT_EQ(bronze.read_options.at("header"), "true");
  EXPECT_EQ(bronze.primary_keys, StringList{"id"});
  EXPECT_FALSE(bronze.source_schema);
  EXPECT_EQ(bronze.comment, "This is the main manufacturing production table.");
  const auto& silver = doc.entities[1];
  EXPECT_EQ(silver.source_format, "dlt");
  EXPECT_TRUE(silver.is_quarantined);
  EXPECT_EQ(silver.expectations.expect_all.at("temp_gt_50"), "temp > 50");
  ASSERT_TRUE(silver.apply_changes);
  EXPECT_EQ(silver.apply_changes->sequence_by, "id");
  EXPECT_EQ(silver.apply_changes->stored_as_scd_type, 1);
  ASSERT_EQ(doc.groups.size(), 1u);
  EXPECT_EQ(doc.groups[0].first, "main.manufacturing");
  EXPECT_EQ(doc.groups[0].second.size(), 2u);
  EXPECT_TRUE(doc.warnings.empty()) << doc.warnings[0].to_string();
}

TEST(YamlDocument, GroupsInOrderOfFirstAppearance) {
  const auto doc = parse_yaml_document(
      "delta_live_store:\n"
      "  - {entity_id: a, source: s, destination: d1, group: g2, source_format: dlt}\n"
      "  - {entity_id: b, source: s, destination: d2, source_format: dlt}\n"
      "  - {entity_id: c, source: s, destination: d3, group: g2, source_format: dlt}\n");
  ASSERT_EQ(doc.groups.size(), 2u);
  EXPECT_EQ(doc.groups[0].first, "g2");
  EXPECT_EQ(doc.groups[0].second.size(), 2u);
  EXPECT_EQ(doc.groups[1].first, "");
}

TEST(YamlDocument, EmptyListIsValid) {
  EXPECT_TRUE(parse_yaml_document("delta_live_store: []\n").entities.empty());
}

TEST(YamlDocument, DuplicateEntityIdIsAnError) {
  EXPECT_THAT(document_error("delta_live_store:\n"
                             "  - {entity_id: a, source: s, destination: d, source_format: dlt}\n"
                             "  - entity_id: a\n    source: t\n    destination: e\n"),
              HasSubstr("f.yml:3:16: error: entity 'a': entity_id: duplicate entity_id 'a' (first "
                        "defined at line 2)"));
}

TEST(YamlDocument, MalformedYamlHasLineColumn) {
  EXPECT_THAT(document_error("delta_live_store:\n  - entity_id: a\n    source: [x, y\n"),
              HasSubstr("f.yml:4:1: error: malformed YAML: "));
  EXPECT_THAT(document_error("delta_live_store:\n  - entity_id: a\n   source: [x\n"),
              HasSubstr("malformed YAML"));
}

TEST(YamlDocument, TopLevelShapeIsChecked) {
  EXPECT_THAT(document_error(""), HasSubstr("f.yml:1:1: error: the file is empty"));
  EXPECT_THAT(document_error("- entity_id: a\n"),
              HasSubstr("f.yml:1:1: error: expected a mapping with the key 'delta_live_store'"));
  EXPECT_THAT(document_error("delta_live_stor: []\n"),
              HasSubstr("f.yml:1:1: error: unknown top-level key 'delta_live_stor'; expected only "
                        "'delta_live_store' (did you mean delta_live_store?)"));
  EXPECT_THAT(document_error("delta_live_store:\n  entity_id: a\n"),
              HasSubstr("f.yml:2:3: error: 'delta_live_store' must be a list of entities"));
}

TEST(YamlDocument, CollectsErrorsOfAllEntities) {
  try {
    parse_yaml_document(
        "delta_live_store:\n"
        "  - {entity_id: a, source: s, destination: d, destination_type: tabel}\n"
        "  - {entity_id: b, source: s, destination: \"../x\"}\n"
        "  - {entity_id: c, source: s, destination: d2, id: x}\n",
        "f.yml");
    FAIL();
  } catch (const MetadataErrors& e) {
    ASSERT_EQ(e.errors().size(), 3u) << e.what();
    EXPECT_THAT(e.errors()[0], HasSubstr("f.yml:2:65: error: entity 'a': destination_type"));
    EXPECT_THAT(e.errors()[1], HasSubstr("f.yml:3:44: error: entity 'b': destination: '../x' is "
                                         "not a safe table name"));
    EXPECT_THAT(e.errors()[2], HasSubstr("f.yml:4:48: error: entity 'c': id: 'id' is generated"));
    EXPECT_EQ(e.exit_code(), ExitCode::kInvalidMetadata);
  }
}

TEST(YamlDocument, ExportLoadsBackToTheSameEntities) {
  std::vector<DeltaLiveEntity> entities = {testing::full_entity(), testing::simple_entity("2")};
  entities[1].group = "main.etl";
  const std::string text = to_yaml_document(entities, "../schemas/config_schema.json");
  EXPECT_THAT(text, HasSubstr("# yaml-language-server: $schema=../schemas/config_schema.json"));
  const auto doc = parse_yaml_document(text);
  EXPECT_EQ(doc.entities, entities) << text;
  EXPECT_EQ(parse_yaml_document(to_yaml_document({})).entities.size(), 0u);
}

// The error of `yaml`, parsed in a child process that is killed after 3 s, so a parser that loops
// (yaml-cpp's LoadAll appended empty documents at ~1 GB/s) fails the test instead of hanging it.
std::string document_error_within_seconds(const std::string& yaml) {
  int fds[2];
  if (::pipe(fds) != 0) {
    ADD_FAILURE() << "pipe failed";
    return "";
  }
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(fds[0]);
    ::alarm(3);
    const std::string message = document_error(yaml);
    for (size_t done = 0; done < message.size();) {
      const ssize_t n = ::write(fds[1], message.data() + done, message.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    std::_Exit(0);
  }
  ::close(fds[1]);
  std::string message;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) message.append(buffer, n);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "parsing did not end within 3 s (or crashed): " << yaml;
  return message;
}

TEST(YamlDocument, TokenThatCannotStartADocumentIsMalformedNotAHang) {
  EXPECT_THAT(document_error_within_seconds(","),
              HasSubstr("f.yml:1:1: error: malformed YAML: unexpected ','"));
  EXPECT_THAT(document_error_within_seconds("delta_live_store: []\n,\n"),
              HasSubstr("f.yml:2:1: error: malformed YAML: "));
  EXPECT_THAT(document_error_within_seconds("delta_live_store: []\n...\n,\n"),
              HasSubstr("f.yml:3:1: error: malformed YAML: unexpected ','"));
  EXPECT_THAT(document_error_within_seconds("? ,"), HasSubstr("malformed YAML"));
}

TEST(YamlDocument, SecondDocumentIsAnErrorAtItsStart) {
  EXPECT_THAT(document_error("delta_live_store: []\n---\nx: 1\n"),
              HasSubstr("f.yml:2:1: error: more than one YAML document"));
  EXPECT_THAT(document_error("delta_live_store: []\n---\n---\n"),
              HasSubstr("more than one YAML document"));
}

TEST(YamlDocument, SelfReferencingAliasIsAnErrorNotAStackOverflow) {
  EXPECT_THAT(document_error_within_seconds("delta_live_store: &a [*a]\n"),
              HasSubstr("f.yml:1:1: error: the YAML nests deeper than 64 levels or its aliases"));
  EXPECT_THAT(document_error_within_seconds(
                  "delta_live_store:\n  - &e {entity_id: a, source: s, tags: {t: *e}}\n"),
              HasSubstr("aliases ('*name')"));
}

TEST(YamlDocument, AliasesExpandingExponentiallyAreAnError) {
  std::string yaml = "x0: &x0 [a, a, a, a, a, a, a, a]\n";
  for (int i = 1; i < 12; ++i) {
    const std::string prev = "*x" + std::to_string(i - 1);
    yaml += "x" + std::to_string(i) + ": &x" + std::to_string(i) + " [" + prev + ", " + prev +
            ", " + prev + ", " + prev + ", " + prev + ", " + prev + ", " + prev + ", " + prev +
            "]\n";
  }
  yaml += "delta_live_store: [*x11]\n";  // 8^12 values
  EXPECT_THAT(document_error_within_seconds(yaml), HasSubstr("aliases ('*name') expand it"));
}

TEST(YamlDocument, AliasesWithinTheBudgetStillWork) {
  const auto doc = parse_yaml_document(
      "delta_live_store:\n"
      "  - {entity_id: a, source: s, destination: d1, source_format: dlt, tags: &t {k: v}}\n"
      "  - {entity_id: b, source: s, destination: d2, source_format: dlt, tags: *t}\n");
  ASSERT_EQ(doc.entities.size(), 2u);
  EXPECT_EQ(doc.entities[1].tags.at("k"), "v");
}

TEST(YamlDocument, DeepNestingIsAnError) {
  EXPECT_THAT(document_error_within_seconds("delta_live_store: " + std::string(100, '[') +
                                            std::string(100, ']') + "\n"),
              HasSubstr("nests deeper than 64 levels"));
}

TEST(YamlDocument, UnterminatedDoubleQuoteSwallowingTheNextEntityIsAnError) {
  // Valid YAML: entity 1's source runs to the quote ending line 6, taking entity b2 into the
  // string; entity 1 then gets b2's destination and b2 disappears.
  const std::string yaml =
      "delta_live_store:\n"
      "  - entity_id: \"1\"\n"
      "    source: \"/data/a\n"
      "    destination: a\n"
      "  - entity_id: b2\n"
      "    source: /data/b\"\n"
      "    destination: b\n";
  EXPECT_THAT(document_error(yaml),
              HasSubstr("f.yml:3:13: error: entity '1': source: this quoted string runs over 4 "
                        "lines and contains 'destination:' on line 4; is its closing \" missing?"));
}

TEST(YamlDocument, UnterminatedSingleQuoteSwallowingKeysIsAnError) {
  const std::string yaml =
      "delta_live_store:\n"
      "  - entity_id: '1'\n"
      "    comment: 'the first\n"
      "    source: /data/a\n"
      "    destination: a'\n";
  EXPECT_THAT(document_error(yaml),
              HasSubstr("f.yml:3:14: error: entity '1': comment: this quoted string runs over 3 "
                        "lines and contains 'source:' on line 4; is its closing ' missing?"));
}

TEST(YamlDocument, QuotedStringSwallowingNestedKeysIsAnError) {
  const std::string yaml =
      "delta_live_store:\n"
      "  - entity_id: '1'\n"
      "    source: /data/a\n"
      "    destination: a\n"
      "    source_format: dlt\n"
      "    apply_changes:\n"
      "      sequence_by: \"ts\n"
      "      where: x > 1\"\n";
  EXPECT_THAT(document_error(yaml),
              HasSubstr("f.yml:7:20: error: entity '1': apply_changes: this quoted string runs "
                        "over 2 lines and contains 'where:' on line 8"));
}

TEST(YamlDocument, MultiLineQuotedStringWithoutKeysIsFine) {
  const auto doc = parse_yaml_document(
      "delta_live_store:\n"
      "  - entity_id: '1'\n"
      "    source: a\n"
      "    destination: b\n"
      "    source_format: dlt\n"
      "    comment: \"a comment: long\n"
      "      and folded, with: colons \\\" and an escaped quote\"\n");
  ASSERT_EQ(doc.entities.size(), 1u);
  EXPECT_EQ(doc.entities[0].comment,
            "a comment: long and folded, with: colons \" and an escaped quote");
}

TEST(YamlDocument, InvalidUtf8InAValueIsAnError) {
  // Found by fuzz_yaml_document: accepted, then the export did not load back to the same entities
  // and to_json threw nlohmann's "invalid UTF-8 byte" (fuzz/corpus/yaml_document/invalid_utf8.yml).
  EXPECT_THAT(document_error("delta_live_store:\n"
                             "  - entity_id: a\n"
                             "    source: s\n"
                             "    destination: d\n"
                             "    source_format: dlt\n"
                             "    comment: \"caf\xC3 \xAD!\"\n"),
              HasSubstr("f.yml:6:14: error: entity 'a': comment: this value is not valid UTF-8 "
                        "(byte 0xC3 at offset 3)"));
  EXPECT_THAT(
      document_error("delta_live_store:\n  - {entity_id: a, tags: {k: \"\xED\xA0\x80\"}}\n"),
      HasSubstr("f.yml:2:30: error: entity 'a': tags: this value is not valid UTF-8"));
  const auto doc = parse_yaml_document(
      "delta_live_store:\n"
      "  - {entity_id: a, source: s, destination: d, source_format: dlt, comment: \"caf\xC3\xA9 "
      "\xF0\x9F\x98\x80\"}\n");
  EXPECT_EQ(doc.entities.at(0).comment, "caf\xC3\xA9 \xF0\x9F\x98\x80");
}

TEST(YamlDocument, MissingFileIsNotFound) {
  EXPECT_THROW(load_yaml_document("/nonexistent/x.yml"), NotFoundError);
}

}  // namespace
}  // namespace dls

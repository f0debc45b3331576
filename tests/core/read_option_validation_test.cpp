// validate() checks read_options against the options each source understands
// (read_option_names.h), the list the pipeline's sources use too: an option `dls run` would refuse
// is refused by `dls load`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/test_entities.h"
#include "dls/core/read_option_names.h"
#include "dls/core/validation.h"

namespace dls {
namespace {

using ::testing::HasSubstr;
using testing::simple_entity;

const Diagnostic* error_at(const Diagnostics& all, const std::string& field) {
  for (const auto& d : all) {
    if (d.field == field && d.is_error()) return &d;
  }
  return nullptr;
}

std::string dump(const Diagnostics& all) {
  std::string out;
  for (const auto& d : all) out += d.to_string() + "\n";
  return out;
}

TEST(ReadOptionValidation, UnknownOptionIsAnErrorWithTheClosestOption) {
  DeltaLiveEntity e = simple_entity();
  e.read_options["heder"] = "true";
  const auto all = validate(e);
  const Diagnostic* d = error_at(all, "read_options.heder");
  ASSERT_TRUE(d) << dump(all);
  EXPECT_THAT(d->message, HasSubstr("not a read option of the cloudFiles (csv) source"));
  EXPECT_THAT(d->message, HasSubstr("did you mean header"));
}

TEST(ReadOptionValidation, OptionsDependOnTheFormat) {
  DeltaLiveEntity csv = simple_entity();
  csv.source_format = "csv";
  csv.read_options = {{"sep", ";"}, {"header", "true"}};
  EXPECT_FALSE(has_errors(validate(csv))) << dump(validate(csv));
  DeltaLiveEntity json = csv;
  json.source_format = "json";
  EXPECT_TRUE(error_at(validate(json), "read_options.sep")) << dump(validate(json));
  DeltaLiveEntity cloud = simple_entity();
  cloud.read_options = {{"cloudFiles.format", "parquet"}, {"header", "true"}};
  EXPECT_TRUE(error_at(validate(cloud), "read_options.header"));
  DeltaLiveEntity delta = simple_entity();
  delta.source_format = "delta";
  delta.source = "main.etl.t";
  delta.read_options = {{"startingVersion", "3"}, {"cloudFiles.format", "csv"}};
  EXPECT_TRUE(error_at(validate(delta), "read_options.cloudFiles.format"));
  EXPECT_FALSE(error_at(validate(delta), "read_options.startingVersion"));
}

TEST(ReadOptionValidation, NamesCompareCaseInsensitivelyButNotTwice) {
  DeltaLiveEntity e = simple_entity();
  e.read_options = {{"CLOUDFILES.FORMAT", "CSV"}, {"Header", "true"}};
  EXPECT_FALSE(has_errors(validate(e))) << dump(validate(e));
  e.read_options["header"] = "false";
  const auto all = validate(e);
  ASSERT_TRUE(has_errors(all));
  EXPECT_THAT(dump(all), HasSubstr("given twice"));
}

TEST(ReadOptionValidation, CloudFilesFormatMustBeAFormat) {
  DeltaLiveEntity e = simple_entity();
  e.read_options = {{"cloudFiles.format", "jsn"}};
  const Diagnostic* d = error_at(validate(e), "read_options.cloudFiles.format");
  ASSERT_TRUE(d);
  EXPECT_THAT(d->message, HasSubstr("did you mean json"));
}

TEST(ReadOptionValidation, SourcesTheLocalEngineDoesNotReadAreNotChecked) {
  // orc runs on Databricks only; its options are Databricks' to check.
  DeltaLiveEntity xml = simple_entity();
  xml.read_options = {{"cloudFiles.format", "xml"}, {"rowTag", "r"}};
  EXPECT_FALSE(has_errors(validate(xml))) << dump(validate(xml));
  EXPECT_FALSE(supported_read_options("orc", std::nullopt));
}

TEST(ReadOptionValidation, KafkaOptionsAreCheckedAndKafkaDotSettingsPassThrough) {
  DeltaLiveEntity kafka = simple_entity();
  kafka.source_format = "kafka";
  kafka.read_options = {{"kafka.bootstrap.servers", "h:9092"},
                        {"kafka.security.protocol", "SASL_SSL"},
                        {"subscribe", "t"},
                        {"startingOffsets", "earliest"}};
  EXPECT_FALSE(has_errors(validate(kafka))) << dump(validate(kafka));
  kafka.read_options["startingOffset"] = "earliest";
  const Diagnostic* d = error_at(validate(kafka), "read_options.startingOffset");
  ASSERT_TRUE(d);
  EXPECT_THAT(d->message, HasSubstr("startingOffsets"));
}

TEST(ReadOptionValidation, CloudFilesWithoutFormatAcceptsTheOptionsOfAnyFormat) {
  DeltaLiveEntity e = simple_entity();
  e.read_options = {{"multiLine", "true"}, {"wholetext", "true"}};
  EXPECT_FALSE(has_errors(validate(e))) << dump(validate(e));
  e.read_options["bogus"] = "1";
  EXPECT_TRUE(error_at(validate(e), "read_options.bogus"));
}

// The hook through which layers that can parse Spark SQL check every text of an entity.
std::optional<SparkTextProblem> refuse_texts_with_bang(SparkTextKind kind, std::string_view text) {
  if (text.find('!') == std::string_view::npos) return std::nullopt;
  return SparkTextProblem{kind == SparkTextKind::kSelectItem ? "bad item" : "bad expression",
                          text.find("!!") == std::string_view::npos};
}

TEST(SparkTextValidation, InstalledCheckerSeesEveryTextWithItsKindAndField) {
  const SparkTextChecker before = spark_text_checker();
  set_spark_text_checker(&refuse_texts_with_bang);
  DeltaLiveEntity e = testing::full_entity();
  e.select_expr = {"id", "x!"};
  e.expectations.expect_all_or_drop["p"] = "a!";
  e.apply_changes->sequence_by = "s!";
  e.apply_changes->where = "w!";
  e.apply_changes->apply_as_deletes = "d!!";  // the checker calls this a warning
  const auto all = validate(e);
  set_spark_text_checker(before);
  const Diagnostic* item = error_at(all, "select_expr[1]");
  ASSERT_TRUE(item) << dump(all);
  EXPECT_EQ(item->message, "'x!': bad item");
  ASSERT_TRUE(error_at(all, "expectations.expect_all_or_drop.p")) << dump(all);
  EXPECT_EQ(error_at(all, "expectations.expect_all_or_drop.p")->message, "'a!': bad expression");
  EXPECT_TRUE(error_at(all, "apply_changes.sequence_by"));
  EXPECT_TRUE(error_at(all, "apply_changes.where"));
  EXPECT_FALSE(error_at(all, "apply_changes.apply_as_deletes"));
  EXPECT_THAT(dump(all),
              HasSubstr("warning: entity 'orders_silver': apply_changes.apply_as_deletes"));
  EXPECT_FALSE(error_at(all, "select_expr[0]"));
}

}  // namespace
}  // namespace dls

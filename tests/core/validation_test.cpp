#include "dls/core/validation.h"

#include <gtest/gtest.h>

#include "core/test_entities.h"
#include "dls/core/error.h"

namespace dls {
namespace {

using testing::full_entity;
using testing::simple_entity;

// The diagnostic for `field` with `severity`, or nullptr.
const Diagnostic* find(const Diagnostics& all, const std::string& field, Severity severity) {
  for (const auto& d : all) {
    if (d.field == field && d.severity == severity) return &d;
  }
  return nullptr;
}

std::string dump(const Diagnostics& all) {
  std::string out;
  for (const auto& d : all) out += d.to_string() + "\n";
  return out;
}

TEST(Validation, CleanEntitiesHaveNoDiagnostics) {
  EXPECT_TRUE(validate(simple_entity()).empty()) << dump(validate(simple_entity()));
  EXPECT_TRUE(validate(full_entity()).empty()) << dump(validate(full_entity()));
}

TEST(Validation, RequiredFieldsAreErrors) {
  DeltaLiveEntity e;
  auto all = validate(e);
  EXPECT_TRUE(find(all, "entity_id", Severity::kError)) << dump(all);
  EXPECT_TRUE(find(all, "source", Severity::kError));
  EXPECT_TRUE(find(all, "destination", Severity::kError));
}

TEST(Validation, BadEnumsAreErrorsWithSuggestions) {
  DeltaLiveEntity e = simple_entity("7");
  e.source_format = "cloudfile";
  e.destination_type = "tabel";
  auto all = validate(e);
  const Diagnostic* format = find(all, "source_format", Severity::kError);
  ASSERT_TRUE(format) << dump(all);
  EXPECT_EQ(format->entity_id, "7");
  EXPECT_NE(format->message.find("did you mean cloudFiles?"), std::string::npos) << format->message;
  const Diagnostic* type = find(all, "destination_type", Severity::kError);
  ASSERT_TRUE(type);
  EXPECT_NE(type->to_string().find("entity '7': destination_type: 'tabel' is not a destination "
                                   "type; expected table, view or sink (did you mean table?)"),
            std::string::npos)
      << type->to_string();
}

TEST(Validation, ScdTypeMustBeOneOrTwo) {
  DeltaLiveEntity e = full_entity();
  e.apply_changes->stored_as_scd_type = 3;
  EXPECT_TRUE(find(validate(e), "apply_changes.stored_as_scd_type", Severity::kError));
}

TEST(Validation, ApplyChangesNeedsSequenceBy) {
  DeltaLiveEntity e = full_entity();
  e.apply_changes->sequence_by = "";
  EXPECT_TRUE(find(validate(e), "apply_changes.sequence_by", Severity::kError));
}

TEST(Validation, UnsafeDestinationIsAnError) {
  for (const char* bad : {"../escape", "a.b.c.d", "has space", "a..b", "/abs/path", "1abc"}) {
    DeltaLiveEntity e = simple_entity();
    e.destination = bad;
    EXPECT_TRUE(find(validate(e), "destination", Severity::kError)) << bad;
  }
  for (const char* good : {"t", "s.t", "main.s.t", "_x1"}) {
    DeltaLiveEntity e = simple_entity();
    e.destination = good;
    EXPECT_TRUE(validate(e).empty()) << good;
  }
}

TEST(Validation, DltSourceMustBeATableNameDeltaMayBeAPath) {
  DeltaLiveEntity e = simple_entity();
  e.source_format = "dlt";
  e.source = "../x";
  EXPECT_TRUE(find(validate(e), "source", Severity::kError));
  e.source_format = "delta";
  e.source = "/tables/x";
  EXPECT_FALSE(find(validate(e), "source", Severity::kError));
  e.source = "bad name";
  EXPECT_TRUE(find(validate(e), "source", Severity::kError));
}

TEST(Validation, EmptyNamesAndRulesAreErrors) {
  DeltaLiveEntity e = simple_entity();
  e.primary_keys = {""};
  e.expectations.expect_all = {{"r", " "}};
  auto all = validate(e);
  EXPECT_TRUE(find(all, "primary_keys[0]", Severity::kError)) << dump(all);
  EXPECT_TRUE(find(all, "expectations.expect_all.r", Severity::kError)) << dump(all);
}

TEST(Validation, ApplyChangesWithoutPrimaryKeysIsAnError) {
  // The pipeline cannot merge without keys (it refused at run time what load accepted).
  DeltaLiveEntity e = full_entity();
  e.primary_keys.clear();
  auto all = validate(e);
  const Diagnostic* d = find(all, "apply_changes", Severity::kError);
  ASSERT_TRUE(d) << dump(all);
  EXPECT_NE(d->message.find("primary_keys"), std::string::npos);
}

TEST(Validation, TruncatesWithScd2Warns) {
  DeltaLiveEntity e = full_entity();
  e.apply_changes->apply_as_truncates = "op = 'TRUNCATE'";
  EXPECT_TRUE(find(validate(e), "apply_changes.apply_as_truncates", Severity::kWarning));
  e.apply_changes->stored_as_scd_type = 1;
  e.apply_changes->track_history_column_list.clear();
  EXPECT_TRUE(validate(e).empty()) << dump(validate(e));
}

TEST(Validation, TrackHistoryWithScd1Warns) {
  DeltaLiveEntity e = full_entity();
  e.apply_changes->stored_as_scd_type = 1;
  EXPECT_TRUE(find(validate(e), "apply_changes.track_history_column_list", Severity::kWarning));
}

TEST(Validation, QuarantineWithoutExpectAllWarns) {
  DeltaLiveEntity e = simple_entity();
  e.is_quarantined = true;
  EXPECT_TRUE(find(validate(e), "is_quarantined", Severity::kWarning));
  e.expectations.expect_all = {{"r", "x > 0"}};
  EXPECT_TRUE(validate(e).empty());
}

TEST(Validation, MutuallyExclusiveListsWarn) {
  DeltaLiveEntity e = full_entity();
  e.apply_changes->column_list = {"a"};
  e.apply_changes->ignore_null_updates = true;
  auto all = validate(e);
  EXPECT_TRUE(find(all, "apply_changes.except_column_list", Severity::kWarning)) << dump(all);
  EXPECT_TRUE(find(all, "apply_changes.ignore_null_updates", Severity::kWarning)) << dump(all);
}

TEST(Validation, CombinationsThePipelineIgnoresWarn) {
  DeltaLiveEntity e = simple_entity();
  e.read_options.clear();
  e.destination_type = "view";
  e.partition_cols = {"p"};
  auto all = validate(e);
  EXPECT_FALSE(has_errors(all));
  EXPECT_TRUE(find(all, "read_options", Severity::kWarning)) << dump(all);
  EXPECT_TRUE(find(all, "partition_cols", Severity::kWarning)) << dump(all);

  DeltaLiveEntity batch = full_entity();
  batch.source_format = "parquet";
  EXPECT_TRUE(find(validate(batch), "apply_changes", Severity::kWarning));
}

TEST(Validation, ValidateOrThrowCollectsAllErrors) {
  DeltaLiveEntity e;
  e.entity_id = "9";
  e.source_format = "nope";
  try {
    validate_or_throw(e);
    FAIL() << "expected MetadataErrors";
  } catch (const MetadataErrors& error) {
    EXPECT_EQ(error.errors().size(), 3u) << error.what();  // source, destination, source_format
    EXPECT_EQ(error.exit_code(), ExitCode::kInvalidMetadata);
  }
}

}  // namespace
}  // namespace dls

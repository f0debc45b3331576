#include "dls/core/predicate_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace dls {
namespace {

using ::testing::HasSubstr;

std::string parse_error(const std::string& text, int* column = nullptr) {
  try {
    parse_predicate(text, "--where");
  } catch (const PredicateSyntaxError& e) {
    if (column) *column = e.column();
    return e.what();
  }
  return "";
}

TEST(PredicateParser, ParsesTheDesignExample) {
  EXPECT_EQ(parse_predicate("by_group('main.etl') & ~by_has_tag('pii') | (by_is_enabled() & "
                            "by_source(\"x\"))"),
            (by_group("main.etl") & ~by_has_tag("pii")) | (by_is_enabled() & by_source("x")));
}

TEST(PredicateParser, PrecedenceIsNotThenAndThenOr) {
  EXPECT_EQ(parse_predicate("by_all() | by_group('a') & ~by_group('b')"),
            by_all() | (by_group("a") & (~by_group("b"))));
  EXPECT_EQ(parse_predicate("~by_group('a') & by_group('b')"), (~by_group("a")) & by_group("b"));
  EXPECT_EQ(parse_predicate("by_group('a') & by_group('b') & by_group('c')"),
            (by_group("a") & by_group("b")) & by_group("c"));
  EXPECT_EQ(parse_predicate("by_group('a') | by_group('b') | by_group('c')"),
            (by_group("a") | by_group("b")) | by_group("c"));
  EXPECT_EQ(parse_predicate("~~by_all()"), ~~by_all());
  EXPECT_EQ(parse_predicate("(by_group('a') | by_group('b')) & by_group('c')"),
            (by_group("a") | by_group("b")) & by_group("c"));
}

TEST(PredicateParser, ParsesEveryFilter) {
  EXPECT_EQ(parse_predicate("by_all()"), by_all());
  EXPECT_EQ(parse_predicate("by_id('u')"), by_id("u"));
  EXPECT_EQ(parse_predicate("by_destination_type('view')"), by_destination_type("view"));
  EXPECT_EQ(parse_predicate("by_entity_id('1')"), by_entity_id("1"));
  EXPECT_EQ(parse_predicate("by_group('')"), by_group(""));
  EXPECT_EQ(parse_predicate("by_has_tag('pii')"), by_has_tag("pii"));
  EXPECT_EQ(parse_predicate("by_has_tag_value('k', \"v\")"), by_has_tag_value("k", "v"));
  EXPECT_EQ(parse_predicate("by_source('s')"), by_source("s"));
  EXPECT_EQ(parse_predicate("by_destination('d')"), by_destination("d"));
  EXPECT_EQ(parse_predicate("by_is_enabled()"), by_is_enabled());
  EXPECT_EQ(parse_predicate("by_is_enabled(false)"), by_is_enabled(false));
  EXPECT_EQ(parse_predicate("by_is_latest(true)"), by_is_latest());
  EXPECT_EQ(parse_predicate("by_created_ts_between('2024-01-01', '2024-01-02T00:00:00Z')"),
            by_created_ts_between(*parse_timestamp("2024-01-01"), *parse_timestamp("2024-01-02")));
  EXPECT_EQ(parse_predicate("by_created_by('a')"), by_created_by("a"));
  EXPECT_EQ(parse_predicate("by_modified_by('b')"), by_modified_by("b"));
  EXPECT_EQ(parse_predicate("by_reference_ts('2024-01-01 12:00:00')"),
            by_reference_ts(*parse_timestamp("2024-01-01T12:00:00Z")));
  EXPECT_EQ(parse_predicate("by_is_streaming(false)"), by_is_streaming(false));
  EXPECT_EQ(parse_predicate("  by_group ( 'a' )  "), by_group("a"));
}

TEST(PredicateParser, PrintedPredicatesParseBackEqual) {
  const std::vector<Predicate> samples = {
      by_all(),
      by_group("main.etl") & ~by_has_tag("pii"),
      by_group("a") | (by_source("b") & by_is_enabled()),
      (by_group("a") | by_source("b")) & by_is_latest(false),
      by_all() & (by_all() & by_all()),
      by_all() | (by_all() | by_all()),
      ~(by_all() | by_all()) & ~~by_is_streaming(),
      by_has_tag_value("it's \"quoted\"", "back\\slash\nnewline"),
      by_created_ts_between(-5, 1704164645000006LL) | by_reference_ts(0),
      by_id("x") & by_destination_type("view") & by_entity_id("1") & by_destination("d") &
          by_created_by("u") & by_modified_by("m"),
  };
  for (const auto& p : samples) {
    EXPECT_EQ(parse_predicate(p.to_string()), p) << p.to_string();
    EXPECT_EQ(parse_predicate(p.to_string()).to_string(), p.to_string());
  }
}

TEST(PredicateParser, ReportsColumnOfUnknownFilter) {
  int column = 0;
  EXPECT_EQ(parse_error("by_grup('main.etl')", &column),
            "--where: unknown filter 'by_grup' at column 1 (did you mean by_group?)\n"
            "  by_grup('main.etl')\n"
            "  ^");
  EXPECT_EQ(column, 1);
  EXPECT_THAT(parse_error("by_all() & by_has_tags('x')", &column),
              HasSubstr("unknown filter 'by_has_tags' at column 12 (did you mean by_has_tag?)\n"
                        "  by_all() & by_has_tags('x')\n"
                        "             ^"));
  EXPECT_EQ(column, 12);
}

TEST(PredicateParser, ReportsSyntaxErrorsWithPositions) {
  int column = 0;
  EXPECT_THAT(parse_error("by_group('a'", &column), HasSubstr("expected ')'"));
  EXPECT_EQ(column, 13);
  EXPECT_THAT(parse_error("by_group('a') &", &column), HasSubstr("expected a filter"));
  EXPECT_EQ(column, 16);
  EXPECT_THAT(parse_error("by_group('a) & by_all()", &column), HasSubstr("unterminated string"));
  EXPECT_EQ(column, 10);
  EXPECT_THAT(parse_error("(by_all()", &column), HasSubstr("to close the '(' at column 1"));
  EXPECT_THAT(parse_error("by_all() by_all()", &column), HasSubstr("unexpected 'by_all'"));
  EXPECT_EQ(column, 10);
  EXPECT_THAT(parse_error("", &column), HasSubstr("empty filter"));
  EXPECT_THAT(parse_error("by_group == 'a'"), HasSubstr("unexpected character '='"));
  EXPECT_THAT(parse_error("!by_all()"), HasSubstr("use '~' for not"));
  EXPECT_THAT(parse_error("by_all() and by_all()"), HasSubstr("unexpected 'and'"));
  EXPECT_THAT(parse_error("not by_all()"), HasSubstr("use &, | and ~"));
}

TEST(PredicateParser, ChecksArguments) {
  EXPECT_THAT(parse_error("by_group()"),
              HasSubstr("by_group takes 1 argument, got 0: by_group('string')"));
  EXPECT_THAT(parse_error("by_has_tag_value('k')"), HasSubstr("takes 2 arguments, got 1"));
  EXPECT_THAT(parse_error("by_group('a', 'b')"), HasSubstr("takes 1 argument, got 2"));
  EXPECT_THAT(parse_error("by_group(true)"), HasSubstr("expects a quoted string here"));
  EXPECT_THAT(parse_error("by_group(main)"), HasSubstr("expected an argument"));
  EXPECT_THAT(parse_error("by_is_enabled('yes')"),
              HasSubstr("at most one argument, true or false"));
  EXPECT_THAT(parse_error("by_reference_ts('yesterday')"),
              HasSubstr("'yesterday' is not a timestamp"));
}

TEST(PredicateParser, RejectsByPredicateClearly) {
  int column = 0;
  EXPECT_THAT(parse_error("by_all() | by_predicate('x')", &column),
              HasSubstr("by_predicate takes a C++ function and cannot be written as text"));
  EXPECT_EQ(column, 12);
}

TEST(PredicateParser, ErrorsAreInvalidMetadata) {
  try {
    parse_predicate("by_nothing()");
    FAIL();
  } catch (const InvalidMetadataError& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::kInvalidMetadata);
    EXPECT_THAT(e.what(), HasSubstr("filter: unknown filter 'by_nothing'"));
  }
}

}  // namespace
}  // namespace dls

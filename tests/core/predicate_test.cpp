#include "dls/core/predicate.h"

#include <gtest/gtest.h>

#include "core/test_entities.h"

namespace dls {
namespace {

DeltaLiveEntity versioned() {
  DeltaLiveEntity e = testing::full_entity();
  e.id = "v1";
  e.created_ts = 1000;
  e.expired_ts = 2000;
  e.created_by = "alice";
  e.modified_by = "bob";
  e.is_latest = false;
  return e;
}

TEST(Predicate, EveryFilterMatchesItsField) {
  const DeltaLiveEntity e = versioned();
  struct Case {
    Predicate yes;
    Predicate no;
  };
  const std::vector<Case> cases = {
      {by_all(), ~by_all()},
      {by_id("v1"), by_id("v2")},
      {by_destination_type("table"), by_destination_type("view")},
      {by_entity_id("orders_silver"), by_entity_id("orders")},
      {by_group("main.etl"), by_group("")},
      {by_has_tag("pii"), by_has_tag("gdpr")},
      {by_has_tag_value("owner", "sales"), by_has_tag_value("owner", "ops")},
      {by_source("orders_bronze"), by_source("x")},
      {by_destination("main.etl.orders_silver"), by_destination("orders_silver")},
      {by_is_enabled(), by_is_enabled(false)},
      {by_is_latest(false), by_is_latest()},
      {by_created_ts_between(1000, 1000), by_created_ts_between(1001, 5000)},
      {by_created_by("alice"), by_created_by("bob")},
      {by_modified_by("bob"), by_modified_by("alice")},
      {by_reference_ts(1999), by_reference_ts(2000)},
      {by_is_streaming(), by_is_streaming(false)},
      {by_predicate([](const DeltaLiveEntity& x) { return x.comment.has_value(); }, "has_comment"),
       by_predicate([](const DeltaLiveEntity&) { return false; }, "never")},
  };
  for (const auto& c : cases) {
    EXPECT_TRUE(c.yes.matches(e)) << c.yes.to_string();
    EXPECT_FALSE(c.no.matches(e)) << c.no.to_string();
  }
}

TEST(Predicate, ReferenceTsSelectsTheVersionValidThen) {
  DeltaLiveEntity old_version = versioned();  // [1000, 2000)
  DeltaLiveEntity current = versioned();
  current.created_ts = 2000;
  current.expired_ts.reset();
  EXPECT_FALSE(by_reference_ts(999).matches(old_version));
  EXPECT_TRUE(by_reference_ts(1000).matches(old_version));
  EXPECT_FALSE(by_reference_ts(2000).matches(old_version));
  EXPECT_TRUE(by_reference_ts(2000).matches(current));
  EXPECT_TRUE(by_reference_ts(1'000'000).matches(current));
  DeltaLiveEntity unstored;
  EXPECT_FALSE(by_reference_ts(0).matches(unstored));
  EXPECT_FALSE(by_created_ts_between(0, 10).matches(unstored));
}

TEST(Predicate, OperatorsCombine) {
  const DeltaLiveEntity e = versioned();
  EXPECT_TRUE((by_group("main.etl") & by_has_tag("pii")).matches(e));
  EXPECT_FALSE((by_group("main.etl") & ~by_has_tag("pii")).matches(e));
  EXPECT_TRUE((by_group("x") | by_has_tag("pii")).matches(e));
  EXPECT_FALSE((by_group("x") | ~by_all()).matches(e));
  EXPECT_TRUE(Predicate().matches(e));
}

TEST(Predicate, EqualityIsStructural) {
  EXPECT_EQ(by_group("a") & ~by_has_tag("b"), by_group("a") & ~by_has_tag("b"));
  EXPECT_NE(by_group("a") & by_group("b"), by_group("b") & by_group("a"));
  EXPECT_NE(by_group("a"), by_source("a"));
  EXPECT_NE(by_is_enabled(true), by_is_enabled(false));
  EXPECT_EQ(by_is_enabled(), by_is_enabled(true));
  EXPECT_NE((by_all() & by_all()) & by_all(), by_all() & (by_all() & by_all()));
  auto custom = by_predicate([](const DeltaLiveEntity&) { return true; }, "c");
  Predicate copy = custom;
  EXPECT_EQ(custom, copy);
  EXPECT_NE(custom, by_predicate([](const DeltaLiveEntity&) { return true; }, "c"));
}

TEST(Predicate, PrintsTheTextVocabulary) {
  EXPECT_EQ((by_group("main.etl") & ~by_has_tag("pii")).to_string(),
            "by_group('main.etl') & ~by_has_tag('pii')");
  EXPECT_EQ((by_group("a") | (by_source("b") & by_is_enabled())).to_string(),
            "by_group('a') | by_source('b') & by_is_enabled()");
  EXPECT_EQ(((by_group("a") | by_source("b")) & by_is_latest(false)).to_string(),
            "(by_group('a') | by_source('b')) & by_is_latest(false)");
  EXPECT_EQ((by_all() & (by_all() & by_all())).to_string(), "by_all() & (by_all() & by_all())");
  EXPECT_EQ((~(by_all() | by_all())).to_string(), "~(by_all() | by_all())");
  EXPECT_EQ(by_has_tag_value("it's", "a\\b").to_string(), R"(by_has_tag_value('it\'s', 'a\\b'))");
  EXPECT_EQ(by_created_ts_between(0, 1).to_string(),
            "by_created_ts_between('1970-01-01T00:00:00.000000Z', '1970-01-01T00:00:00.000001Z')");
  EXPECT_EQ(by_predicate([](const DeltaLiveEntity&) { return true; }, "mine").to_string(),
            "by_predicate('mine')");
}

TEST(Predicate, ExposesItsTreeForPushdown) {
  Predicate p = by_group("g") & ~by_has_tag_value("k", "v");
  EXPECT_EQ(p.kind(), Predicate::Kind::kAnd);
  ASSERT_EQ(p.children().size(), 2u);
  EXPECT_EQ(p.children()[0].strings(), std::vector<std::string>{"g"});
  EXPECT_EQ(p.children()[1].kind(), Predicate::Kind::kNot);
  EXPECT_EQ(p.children()[1].children()[0].strings(), (std::vector<std::string>{"k", "v"}));
  EXPECT_EQ(by_reference_ts(5).timestamps(), std::vector<Timestamp>{5});
  EXPECT_FALSE(by_is_streaming(false).flag());
}

}  // namespace
}  // namespace dls

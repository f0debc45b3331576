// LoadSummary and the helpers that turn a store's StoreChange into one.
#include "dls/loaders/load_summary.h"

#include <gtest/gtest.h>

#include "dls/loaders/loader_support.h"

namespace dls {
namespace {

TEST(LoadSummary, DisabledEntitiesAreSeparatedFromUpdates) {
  StoreChange change;
  change.version = 4;
  change.inserted = {"5"};
  change.updated = {"1", "2"};
  change.unchanged = {"3"};
  const LoadSummary s = summarize("f.yml", change, {"2"});
  EXPECT_EQ(s.inserted, (std::vector<std::string>{"5"}));
  EXPECT_EQ(s.updated, (std::vector<std::string>{"1"}));
  EXPECT_EQ(s.disabled, (std::vector<std::string>{"2"}));
  EXPECT_EQ(s.unchanged, (std::vector<std::string>{"3"}));
  EXPECT_EQ(s.to_text(),
            "loaded f.yml: 1 inserted, 1 updated, 1 unchanged, 1 disabled (version 4)");

  const StoreChange back = to_store_change(s);
  EXPECT_EQ(back.updated, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(back.version, 4);
}

TEST(LoadSummary, NoChangeSaysSo) {
  LoadSummary s;
  s.source = "d";
  s.version = 7;
  s.unchanged = {"1"};
  EXPECT_FALSE(s.changed());
  EXPECT_EQ(s.to_text(),
            "loaded d: 0 inserted, 0 updated, 1 unchanged, 0 disabled (no change, "
            "version 7)");
}

TEST(LoadSummary, JsonHasListsCountsAndWarnings) {
  LoadSummary s;
  s.source = "f.yml";
  s.version = 2;
  s.inserted = {"1", "2"};
  s.warnings.push_back({Severity::kWarning, "1", "is_quarantined", "no expect_all rules",
                        SourceLocation{"f.yml", 3, 5}});
  const auto j = s.to_json();
  EXPECT_EQ(j["counts"]["inserted"], 2);
  EXPECT_EQ(j["inserted"], nlohmann::json::array({"1", "2"}));
  EXPECT_EQ(j["version"], 2);
  EXPECT_TRUE(j["changed"].get<bool>());
  EXPECT_EQ(j["warnings"][0],
            "f.yml:3:5: warning: entity '1': is_quarantined: no expect_all rules");
}

}  // namespace
}  // namespace dls

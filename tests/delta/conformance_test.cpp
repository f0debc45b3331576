// Conformance with tables written by Spark, delta-rs and others: every case of
// shared/testdata/delta/MANIFEST.json (see its README) is one parameterized test, so a new case in
// the manifest is picked up without code changes and shows up in ctest under its own name.
//
// A case that our reader refuses with UnsupportedFeatureError is a KNOWN GAP. The gaps are listed
// explicitly below: a new gap fails its test, and a case in the list that starts reading fails too
// (so the list is updated when a gap is closed). Nothing is skipped silently, and a case that
// returns rows must return exactly the expected ones.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "dls/delta/delta_error.h"
#include "dls/delta/snapshot.h"
#include "dls/delta/table_scan.h"
#include "dls/sql/connection.h"
#include "dls/sql/database.h"
#include "dls/sql/quote.h"
#include "support/test_support.h"

namespace dls::delta {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

/// Cases the reader refuses, with the reason. Each must fail with UnsupportedFeatureError.
const std::map<std::string, std::string>& known_gaps() {
  static const std::map<std::string, std::string> gaps = {
      // Not a gap to close: the table declares the unknown reader feature 'blahabl' and
      // minReaderVersion 5, so every reader must refuse it.
      {"simple_table_features", "unknown reader feature blahabl, minReaderVersion 5 (by design)"},
      {"spark-shredded-variant-preview-delta",
       "variant type (reader features variantType, variantShredding-preview)"},
      {"spark-variant-checkpoint", "variant type (reader feature variantType-preview)"},
      {"spark-variant-stable-feature-checkpoint", "variant type (reader feature variantType)"},
  };
  return gaps;
}

fs::path delta_testdata() {
  return testing::testdata_dir() / "delta";
}

std::vector<json> load_cases() {
  std::ifstream in(delta_testdata() / "MANIFEST.json");
  if (!in) return {};
  json manifest = json::parse(in);
  std::vector<json> cases;
  for (auto& c : manifest.at("cases")) cases.push_back(c);
  return cases;
}

const std::vector<json>& all_cases() {
  static const std::vector<json> cases = load_cases();
  return cases;
}

std::string test_name(const ::testing::TestParamInfo<json>& info) {
  std::string name = info.param.at("name").get<std::string>();
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

std::string sql_list(const std::vector<std::string>& columns) {
  std::string out;
  for (const auto& c : columns) out += (out.empty() ? "" : ", ") + sql::quote_identifier(c);
  return out;
}

class Conformance : public ::testing::TestWithParam<json> {
 protected:
  void SetUp() override {
    const json& c = GetParam();
    name_ = c.at("name").get<std::string>();
    // Tests never write into testdata: the table is read from a private copy.
    root_ = (tmp_.path() / "table").string();
    fs::copy(delta_testdata() / name_, root_, fs::copy_options::recursive);
    con_.execute("SET TimeZone = 'UTC'");
  }

  /// Compares the scan with an expected Parquet file (or glob) as multisets.
  void expect_contents(const std::string& scan_sql, const std::string& expected_rel,
                       const std::set<std::string>& ignore, const std::string& label) {
    const std::string expected =
        "read_parquet(" + sql::quote_literal((delta_testdata() / expected_rel).string()) + ")";
    std::vector<std::string> columns;
    for (const auto& row : con_.query("DESCRIBE SELECT * FROM " + expected).rows()) {
      std::string col = row.at(0).as_string();
      if (!ignore.count(col)) columns.push_back(col);
    }
    const std::string cols = sql_list(columns);
    const std::string ours = "(SELECT " + cols + " FROM (" + scan_sql + "))";
    const std::string theirs = "(SELECT " + cols + " FROM " + expected + ")";
    auto missing = con_.query("SELECT count(*) FROM (" + theirs + " EXCEPT ALL " + ours + ")")
                       .scalar()
                       .as_int();
    auto extra = con_.query("SELECT count(*) FROM (" + ours + " EXCEPT ALL " + theirs + ")")
                     .scalar()
                     .as_int();
    EXPECT_EQ(missing, 0) << label << ": expected rows missing from our reading of "
                          << expected_rel;
    EXPECT_EQ(extra, 0) << label << ": rows we read that " << expected_rel << " does not hold";
  }

  void check_version(const json& c, const json& v) {
    const int64_t version = v.at("version").get<int64_t>();
    const std::string label = name_ + " @ v" + std::to_string(version);
    const bool readable = v.value("readable", true);
    if (!readable) {
      try {
        Snapshot snap = Snapshot::load(local_storage(), root_, VersionSpec{version, {}});
        TableScan scan(snap);
        con_.query("SELECT count(*) FROM (" + scan.sql(con_) + ")");
        ADD_FAILURE() << label << " must fail (" << v.value("why", "") << ") but read fine";
      } catch (const Error& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find(root_), std::string::npos) << label << ": error names no table: " << msg;
        EXPECT_NE(msg.find(std::to_string(version)), std::string::npos)
            << label << ": error names no version: " << msg;
      }
      return;
    }

    Snapshot snap = Snapshot::load(local_storage(), root_, VersionSpec{version, {}});
    ASSERT_EQ(snap.version(), version) << label;

    if (v.contains("paths") && v["paths"].is_array()) {
      std::multiset<std::string> expected, actual;
      for (const auto& p : v["paths"]) expected.insert(p.get<std::string>());
      for (const auto& f : snap.files()) actual.insert(f.path);
      EXPECT_EQ(actual, expected) << label << ": active file set";
    }
    if (v.contains("files") && v["files"].is_number()) {
      EXPECT_EQ(static_cast<int64_t>(snap.files().size()), v["files"].get<int64_t>())
          << label << ": number of active files";
    }
    if (v.contains("txn") && v["txn"].is_object()) {
      std::map<std::string, int64_t> expected;
      for (auto it = v["txn"].begin(); it != v["txn"].end(); ++it)
        expected[it.key()] = it.value().get<int64_t>();
      EXPECT_EQ(snap.transactions(), expected) << label << ": txn versions";
    }

    const bool is_latest = version == c.at("latest_version").get<int64_t>();
    const bool has_rows = v.contains("rows") && v["rows"].is_number();
    std::optional<std::string> expected_file;
    if (v.contains("expected") && v["expected"].is_string()) expected_file = v["expected"];
    if (!expected_file && is_latest && c.contains("expected_latest") &&
        c["expected_latest"].is_string() && has_rows)
      expected_file = c["expected_latest"];
    const bool has_checksum = v.contains("checksum") && v["checksum"].is_object() && has_rows;
    if (!has_rows && !expected_file) return;  // data files absent: only the log can be checked

    TableScan scan(snap);
    const std::string scan_sql = scan.sql(con_);
    if (has_rows) {
      auto rows = con_.query("SELECT count(*) FROM (" + scan_sql + ")").scalar().as_int();
      EXPECT_EQ(rows, v["rows"].get<int64_t>()) << label << ": row count";
    }
    if (has_checksum) {
      const std::string col = v["checksum"].at("sum_of").get<std::string>();
      auto sum = con_.query("SELECT sum(" + sql::quote_identifier(col) + ")::BIGINT FROM (" +
                            scan_sql + ")")
                     .scalar();
      EXPECT_EQ(sum.is_null() ? 0 : sum.as_int(), v["checksum"].at("value").get<int64_t>())
          << label << ": sum(" << col << ")";
    }
    if (expected_file) {
      std::set<std::string> ignore;
      if (c.contains("expected_ignore_columns"))
        for (const auto& i : c["expected_ignore_columns"]) ignore.insert(i.get<std::string>());
      expect_contents(scan_sql, *expected_file, ignore, label);
    }
    if (is_latest && c.contains("expected_latest_values")) {
      const auto& ev = c["expected_latest_values"];
      const std::string col = ev.at("column").get<std::string>();
      std::vector<int64_t> expected, actual;
      for (const auto& x : ev.at("values")) expected.push_back(x.get<int64_t>());
      for (const auto& row : con_.query("SELECT " + sql::quote_identifier(col) + "::BIGINT FROM (" +
                                        scan_sql + ") ORDER BY 1")
                                 .rows())
        actual.push_back(row.at(0).as_int());
      std::sort(expected.begin(), expected.end());
      EXPECT_EQ(actual, expected) << label << ": values of " << col;
    }
  }

  testing::TempDir tmp_;
  std::string name_, root_;
  sql::Database db_;
  sql::Connection con_{db_};
};

TEST_P(Conformance, ReadsEveryListedVersion) {
  const json& c = GetParam();
  const bool known_gap = known_gaps().count(name_) > 0;
  try {
    for (const auto& v : c.at("versions")) {
      check_version(c, v);
      if (HasFatalFailure()) return;
    }
  } catch (const UnsupportedFeatureError& e) {
    if (known_gap) {
      std::cout << "KNOWN GAP " << name_ << " (" << known_gaps().at(name_) << "): " << e.what()
                << "\n";
      return;
    }
    FAIL() << name_ << ": refused with UnsupportedFeatureError but it is not a listed known gap "
           << "(add it to known_gaps() with the reason, or fix the reader): " << e.what();
  } catch (const std::exception& e) {
    FAIL() << name_ << ": " << e.what();
  }
  EXPECT_FALSE(known_gap) << name_
                          << " now reads correctly: remove it from known_gaps() in this test";
}

INSTANTIATE_TEST_SUITE_P(Manifest, Conformance, ::testing::ValuesIn(all_cases()), test_name);

TEST(ConformanceManifest, SimpleTableFeaturesIsRefused) {
  testing::TempDir tmp;
  const std::string root = (tmp.path() / "t").string();
  fs::copy(delta_testdata() / "simple_table_features", root, fs::copy_options::recursive);
  try {
    Snapshot::load(local_storage(), root);
    FAIL() << "a table with the unknown reader feature blahabl must be refused";
  } catch (const UnsupportedFeatureError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(root), std::string::npos) << msg;
    EXPECT_NE(msg.find("blahabl"), std::string::npos) << msg;
  }
}

TEST(ConformanceManifest, KnownGapsAreManifestCases) {
  ASSERT_FALSE(all_cases().empty()) << "cannot read " << (delta_testdata() / "MANIFEST.json");
  std::set<std::string> names;
  for (const auto& c : all_cases()) names.insert(c.at("name").get<std::string>());
  std::cout << "Known gaps (" << known_gaps().size() << " of " << names.size() << " cases):\n";
  for (const auto& [name, why] : known_gaps()) {
    std::cout << "  " << name << ": " << why << "\n";
    EXPECT_TRUE(names.count(name)) << "known gap " << name << " is not in the manifest";
  }
}

}  // namespace
}  // namespace dls::delta

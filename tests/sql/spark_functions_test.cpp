// Runs every example of ../shared/testdata/spark_sql/functions.json (Spark 4.1's documented input
// -> output pairs) through the dialect layer: translate, run on DuckDB, render as Spark, compare.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "dls/sql/connection.h"
#include "dls/sql/database.h"
#include "dls/sql/spark/dialect.h"

namespace dls::sql::spark {
namespace {

// Spark's ExpressionInfoSuite normalization: drop whitespace after each newline, trim both ends.
std::string normalize(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    out += s[i];
    if (s[i] == '\n') {
      while (i + 1 < s.size() && (s[i + 1] == ' ' || s[i + 1] == '\t')) ++i;
    }
  }
  size_t b = out.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = out.find_last_not_of(" \t\r\n");
  return out.substr(b, e - b + 1);
}

TEST(SparkFunctions, DISABLED_DocumentedExamplesProduceSparkOutput) {
  std::ifstream in(std::string(DLS_TESTDATA_DIR) + "/spark_sql/functions.json");
  ASSERT_TRUE(in) << "functions.json not found under " << DLS_TESTDATA_DIR;
  auto doc = nlohmann::json::parse(in);
  Database db;
  auto con = db.connect();
  con.execute("SET TimeZone = 'UTC'");
  size_t passed = 0, unsupported = 0, total = 0;
  std::vector<std::string> failures;
  for (const auto& ex : doc["examples"]) {
    ++total;
    std::string sql = ex["sql"], expected = ex["expected"], fn = ex["function"];
    std::string duck;
    try {
      duck = translate_query(sql);
    } catch (const UnsupportedSparkFunctionError&) {
      ++unsupported;
      continue;
    } catch (const UnsupportedSparkSyntaxError&) {
      ++unsupported;
      continue;
    } catch (const std::exception& e) {
      failures.push_back(fn + ": " + sql + "\n    translation error: " + e.what());
      continue;
    }
    try {
      auto result = render_spark_result(con, duck);
      std::string got;
      for (size_t r = 0; r < result.rows.size(); ++r) {
        if (r) got += "\n";
        for (size_t c = 0; c < result.rows[r].size(); ++c)
          got += (c ? "\t" : "") + result.rows[r][c];
      }
      if (normalize(got) == normalize(expected)) {
        ++passed;
      } else {
        failures.push_back(fn + ": " + sql + "\n    expected: " + expected +
                           "\n    got:      " + got + "\n    duckdb: " + duck);
      }
    } catch (const std::exception& e) {
      failures.push_back(fn + ": " + sql + "\n    error: " + e.what() + "\n    duckdb: " + duck);
    }
  }
  for (const auto& f : failures) std::cout << "MISMATCH " << f << "\n";
  std::cout << "functions.json: " << passed << " passed, " << unsupported << " unsupported, "
            << failures.size() << " failed, " << total << " total (" << (100.0 * passed / total)
            << "% pass)\n";
  EXPECT_TRUE(failures.empty()) << failures.size() << " supported examples do not match Spark";
  EXPECT_GE(static_cast<double>(passed) / total, 0.90);
}

}  // namespace
}  // namespace dls::sql::spark

// Runs every example of ../shared/testdata/spark_sql/functions.json (Spark 4.1's documented input
// -> output pairs) through the dialect layer: translate, run on DuckDB, render as Spark, compare.
//
// The supported list is the function registry plus the operators the printer translates
// (supported_operators()). An example whose function is on that list must give Spark's documented
// output; an example of any other function must be rejected with UnsupportedSparkFunctionError
// naming it. The share of examples on the supported list is the coverage (target: 90%).
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "dls/sql/connection.h"
#include "dls/sql/database.h"
#include "dls/sql/spark/dialect.h"
#include "dls/sql/spark/function_registry.h"

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

bool on_supported_list(const std::string& fn) {
  if (FunctionRegistry::instance().find(fn)) return true;
  for (const auto& op : supported_operators()) {
    if (op.name == fn) return true;
  }
  return false;
}

nlohmann::json load_examples() {
  std::ifstream in(std::string(DLS_TESTDATA_DIR) + "/spark_sql/functions.json");
  if (!in) throw std::runtime_error("functions.json not found under " DLS_TESTDATA_DIR);
  return nlohmann::json::parse(in);
}

TEST(SparkFunctions, DocumentedExamplesProduceSparkOutput) {
  auto doc = load_examples();
  Database db;
  auto con = db.connect();
  con.execute("SET TimeZone = 'UTC'");
  size_t passed = 0, supported = 0, total = 0;
  std::vector<std::string> failures;
  for (const auto& ex : doc["examples"]) {
    ++total;
    std::string sql = ex["sql"], expected = ex["expected"], fn = ex["function"];
    if (!on_supported_list(fn)) continue;  // checked by UnsupportedFunctionsAreRejectedByName
    ++supported;
    std::string duck;
    try {
      duck = translate_query(sql);
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
  double coverage = static_cast<double>(supported) / static_cast<double>(total);
  std::cout << "functions.json coverage: " << supported << " of " << total
            << " examples have a supported function (" << 100.0 * coverage << "%); " << passed
            << " match Spark's output, " << failures.size() << " do not\n";
  EXPECT_TRUE(failures.empty()) << failures.size() << " supported examples do not match Spark";
  EXPECT_GE(coverage, 0.90);
}

TEST(SparkFunctions, UnsupportedFunctionsAreRejectedByName) {
  auto doc = load_examples();
  std::map<std::string, int> unsupported;
  for (const auto& ex : doc["examples"]) {
    std::string sql = ex["sql"], fn = ex["function"];
    if (on_supported_list(fn)) continue;
    ++unsupported[fn];
    try {
      std::string duck = translate_query(sql);
      ADD_FAILURE() << fn << " is not on the supported list but " << sql << " translated to "
                    << duck;
    } catch (const UnsupportedSparkFunctionError& e) {
      EXPECT_EQ(e.function(), fn) << sql << ": " << e.what();
      EXPECT_NE(std::string(e.what()).find("'" + fn + "'"), std::string::npos) << e.what();
    } catch (const std::exception& e) {
      ADD_FAILURE() << sql << ": expected UnsupportedSparkFunctionError, got " << e.what();
    }
  }
  std::cout << "unsupported functions in functions.json:";
  for (const auto& [fn, n] : unsupported) std::cout << " " << fn << "(" << n << ")";
  std::cout << "\n";
}

}  // namespace
}  // namespace dls::sql::spark

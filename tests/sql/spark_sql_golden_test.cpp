// Spark's own SQL tests (../shared/testdata/spark_sql_tests: SQLQueryTestSuite golden files) run
// through the same Spark SQL session `dls query --dialect spark` uses for a script, one session per
// file, statements in order. A query matches when its rendered rows equal Spark's (as sorted lines
// unless the query has a top-level ORDER BY, as Spark's runner compares); a statement Spark rejects
// matches when dls rejects it with an error too. Result schemas (column names and types) are not
// compared.
//
// docs/spark-sql.md holds the per-file table of matches; it is the floor: a file that matches fewer
// cases than the table says fails the test. After an improvement, regenerate the table:
//   DLS_UPDATE_SPARK_GOLDEN=1 ./test_sql --gtest_filter='SparkSqlGolden.*'
// Every mismatch is listed in spark_sql_golden_report.txt in the test's working directory.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "dls/core/error.h"
#include "dls/sql/database.h"
#include "dls/sql/spark/script.h"
#include "support/test_support.h"

namespace dls::sql::spark {
namespace {

const std::string kDoc = std::string(DLS_SOURCE_DIR) + "/docs/spark-sql.md";
const std::string kBegin = "<!-- spark-sql-golden:begin -->";
const std::string kEnd = "<!-- spark-sql-golden:end -->";

struct FileScore {
  int queries = 0, queries_matched = 0;
  int errors = 0, errors_matched = 0;
  int total() const { return queries + errors; }
  int matched() const { return queries_matched + errors_matched; }
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  std::stringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) out.push_back(line);
  return out;
}

std::string rstrip(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  return s;
}

std::string file_name(const std::string& path) {  // results/window.sql.out -> window
  std::string n = path.substr(std::string("results/").size());
  return n.substr(0, n.size() - std::string(".sql.out").size());
}

std::string table(const std::map<std::string, FileScore>& scores) {
  std::ostringstream o;
  o << "| File | Queries matched | Errors matched | Matched | % |\n|---|---:|---:|---:|---:|\n";
  FileScore sum;
  for (const auto& [name, s] : scores) {
    o << "| " << name << " | " << s.queries_matched << " / " << s.queries << " | "
      << s.errors_matched << " / " << s.errors << " | " << s.matched() << " / " << s.total()
      << " | " << (s.total() ? 100 * s.matched() / s.total() : 100) << " |\n";
    sum.queries += s.queries;
    sum.queries_matched += s.queries_matched;
    sum.errors += s.errors;
    sum.errors_matched += s.errors_matched;
  }
  o << "| **all** | " << sum.queries_matched << " / " << sum.queries << " | " << sum.errors_matched
    << " / " << sum.errors << " | " << sum.matched() << " / " << sum.total() << " | "
    << (sum.total() ? 100 * sum.matched() / sum.total() : 100) << " |\n";
  return o.str();
}

// The per-file "matched" column of the table in the doc (the floor).
std::map<std::string, int> floor_from_doc(const std::string& doc) {
  std::map<std::string, int> out;
  size_t b = doc.find(kBegin), e = doc.find(kEnd);
  if (b == std::string::npos || e == std::string::npos) return out;
  for (const auto& line : lines_of(doc.substr(b, e - b))) {
    if (line.rfind("| ", 0) != 0 || line.rfind("| File", 0) == 0 || line.rfind("| **", 0) == 0)
      continue;
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, '|')) cells.push_back(cell);
    if (cells.size() < 5) continue;
    std::string name = cells[1].substr(1, cells[1].size() - 2);
    out[name] = std::atoi(cells[4].c_str());
  }
  return out;
}

TEST(SparkSqlGolden, SparkSqlTestSuiteFilesMatchAtLeastTheDocumentedCounts) {
  std::ifstream in(testing::testdata_dir() / "spark_sql_tests" / "cases.json");
  ASSERT_TRUE(in) << "missing ../shared/testdata/spark_sql_tests/cases.json";
  nlohmann::json cases = nlohmann::json::parse(in);

  std::map<std::string, std::vector<const nlohmann::json*>> by_file;
  for (const auto& c : cases) by_file[c.at("file").get<std::string>()].push_back(&c);

  std::map<std::string, FileScore> scores;
  std::ofstream report("spark_sql_golden_report.txt");
  for (const auto& [file, file_cases] : by_file) {
    Database db;
    Connection con = db.connect();
    SparkSession session(con);
    FileScore& score = scores[file_name(file)];
    for (const nlohmann::json* c : file_cases) {
      const std::string kind = c->at("kind");
      const std::string query = c->at("query");
      const bool expect_error = c->at("is_error");
      std::string error;
      StatementResult result;
      try {
        result = session.execute(query);
      } catch (const Error& e) {
        error = e.what();
        if (error.empty()) error = "(empty message)";
      }
      if (kind != "query" && kind != "error") continue;  // setup statements are not scored
      bool matched = false;
      std::vector<std::string> expected, actual;
      if (expect_error) {
        ++score.errors;
        matched = !error.empty();
        score.errors_matched += matched;
      } else {
        ++score.queries;
        if (error.empty()) {
          expected = lines_of(c->at("output").get<std::string>());
          for (const auto& row : result.result.rows) {
            std::string line;
            for (size_t i = 0; i < row.size(); ++i) line += (i ? "\t" : "") + row[i];
            actual.push_back(rstrip(line));
          }
          for (auto& l : expected) l = rstrip(l);
          if (!result.ordered) {
            std::sort(expected.begin(), expected.end());
            std::sort(actual.begin(), actual.end());
          }
          // Spark writes one empty line for a single row of one empty string, and nothing for no
          // rows; both read back as no lines.
          if (actual.size() == 1 && actual[0].empty() && expected.empty()) actual.clear();
          matched = expected == actual;
        }
        score.queries_matched += matched;
      }
      if (!matched) {
        report << "=== " << file << " #" << c->at("index").get<int>() << "\n" << query << "\n";
        if (expect_error) {
          report << "--- Spark: error " << c->value("error_class", c->value("exception", ""))
                 << "\n--- dls: no error\n";
        } else if (!error.empty()) {
          report << "--- dls error: " << error.substr(0, 400) << "\n";
        } else {
          report << "--- Spark:\n" << c->at("output").get<std::string>() << "\n--- dls:\n";
          for (const auto& l : actual) report << l << "\n";
        }
      }
    }
  }

  std::string doc = testing::read_file(kDoc);
  std::string generated = table(scores);
  std::cout << generated;
  if (std::getenv("DLS_UPDATE_SPARK_GOLDEN")) {
    size_t b = doc.find(kBegin), e = doc.find(kEnd);
    ASSERT_NE(b, std::string::npos) << kDoc << " lacks " << kBegin;
    ASSERT_NE(e, std::string::npos) << kDoc << " lacks " << kEnd;
    doc = doc.substr(0, b + kBegin.size()) + "\n" + generated + doc.substr(e);
    testing::write_file(kDoc, doc);
    return;
  }
  auto floor = floor_from_doc(doc);
  ASSERT_FALSE(floor.empty()) << kDoc << " has no golden-test table between " << kBegin << " and "
                              << kEnd << "; run with DLS_UPDATE_SPARK_GOLDEN=1";
  for (const auto& [name, s] : scores) {
    ASSERT_TRUE(floor.count(name)) << name << " is missing from the table in " << kDoc;
    EXPECT_GE(s.matched(), floor.at(name))
        << name << ": " << s.matched() << " of " << s.total()
        << " cases match Spark, fewer than the documented " << floor.at(name)
        << " (see spark_sql_golden_report.txt)";
  }
}

}  // namespace
}  // namespace dls::sql::spark

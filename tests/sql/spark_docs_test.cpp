// docs/spark-sql.md must agree with the function registry: its generated tables list exactly the
// registered functions, the operators and the known-unsupported functions.
//
// To regenerate the tables after changing the registry:
//   DLS_UPDATE_SPARK_DOC=1 ./test_sql --gtest_filter='SparkDocs.*'
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "dls/sql/spark/function_registry.h"

namespace dls::sql::spark {
namespace {

const std::string kDoc = std::string(DLS_SOURCE_DIR) + "/docs/spark-sql.md";

std::string escape_cell(std::string s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

std::string functions_table() {
  std::ostringstream o;
  o << "| Function | Category | Notes |\n|---|---|---|\n";
  for (const SparkFunction* f : FunctionRegistry::instance().all())
    o << "| `" << f->name << "` | " << f->category << " | " << escape_cell(f->notes) << " |\n";
  return o.str();
}

std::string operators_table() {
  std::ostringstream o;
  o << "| Operator | Syntax | Notes |\n|---|---|---|\n";
  for (const auto& op : supported_operators())
    o << "| `" << escape_cell(op.name) << "` | `" << escape_cell(op.syntax) << "` | "
      << escape_cell(op.notes) << " |\n";
  return o.str();
}

std::string unsupported_table() {
  std::ostringstream o;
  o << "| Function | Why |\n|---|---|\n";
  for (const auto& [name, why] : FunctionRegistry::instance().unsupported())
    o << "| `" << name << "` | " << escape_cell(why) << " |\n";
  return o.str();
}

std::string read_doc() {
  std::ifstream in(kDoc);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The text between <!-- NAME:begin --> and <!-- NAME:end --> (exclusive, without the newlines
// next to the markers).
std::string section(const std::string& doc, const std::string& name, size_t* begin = nullptr,
                    size_t* end = nullptr) {
  std::string b = "<!-- " + name + ":begin -->\n", e = "<!-- " + name + ":end -->";
  size_t i = doc.find(b), j = doc.find(e);
  if (i == std::string::npos || j == std::string::npos || j < i) return "";
  if (begin) *begin = i + b.size();
  if (end) *end = j;
  return doc.substr(i + b.size(), j - i - b.size());
}

// The backticked names in the first column of a markdown table.
std::set<std::string> first_column(const std::string& table) {
  std::set<std::string> out;
  std::istringstream in(table);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("| `", 0) != 0) continue;
    size_t close = line.find("` |", 3);
    std::string name = line.substr(3, close - 3);
    std::string unescaped;
    for (size_t i = 0; i < name.size(); ++i) {
      if (name[i] == '\\' && i + 1 < name.size() && name[i + 1] == '|') continue;
      unescaped += name[i];
    }
    out.insert(unescaped);
  }
  return out;
}

TEST(SparkDocs, GeneratedTablesMatchTheRegistry) {
  std::string doc = read_doc();
  ASSERT_FALSE(doc.empty()) << kDoc << " is missing";
  const std::vector<std::pair<std::string, std::string>> sections = {
      {"functions", functions_table()},
      {"operators", operators_table()},
      {"unsupported", unsupported_table()}};
  if (std::getenv("DLS_UPDATE_SPARK_DOC")) {
    for (const auto& [name, table] : sections) {
      size_t b = 0, e = 0;
      section(doc, name, &b, &e);
      ASSERT_GT(e, 0u) << "markers for " << name << " not found";
      doc.replace(b, e - b, table);
    }
    std::ofstream(kDoc) << doc;
  }
  for (const auto& [name, table] : sections) {
    EXPECT_EQ(section(doc, name), table)
        << "docs/spark-sql.md section '" << name
        << "' is out of date; regenerate it with DLS_UPDATE_SPARK_DOC=1 (see this test)";
  }
}

TEST(SparkDocs, EveryListedFunctionIsRegistered) {
  std::string doc = read_doc();
  const auto& reg = FunctionRegistry::instance();
  auto listed = first_column(section(doc, "functions"));
  EXPECT_GT(listed.size(), 100u);
  for (const auto& name : listed) EXPECT_NE(reg.find(name), nullptr) << name;
  for (const SparkFunction* f : reg.all()) EXPECT_TRUE(listed.count(f->name)) << f->name;
  std::set<std::string> ops;
  for (const auto& op : supported_operators()) ops.insert(op.name);
  EXPECT_EQ(first_column(section(doc, "operators")), ops);
  for (const auto& name : first_column(section(doc, "unsupported")))
    EXPECT_EQ(reg.find(name), nullptr) << name << " is listed as unsupported but registered";
}

}  // namespace
}  // namespace dls::sql::spark

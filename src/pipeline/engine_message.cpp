#include "pipeline/engine_message.h"

#include <regex>

namespace dls::pipeline {
namespace {

// A dls-internal name (`__dls_src`, `"__dls_t4_0"."id"`) qualifying a column: dropped, so that
// `__dls_t4_0.id` reads `id`.
std::string without_internal_names(std::string text) {
  static const std::regex kQualifier(R"re("?__dls_[A-Za-z0-9_]*"?\.)re");
  text = std::regex_replace(text, kQualifier, "");
  static const std::regex kName(R"re("?__dls_[A-Za-z0-9_]*"?)re");
  return std::regex_replace(text, kName, "(generated)");
}

}  // namespace

EngineProblem explain_engine_error(std::string_view message) {
  std::string text(message);
  // The first line holds the error; the rest is candidates, the generated SQL and a caret.
  if (auto nl = text.find('\n'); nl != std::string::npos) text.resize(nl);
  // "Binder Error: ...", "Conversion Error: ...", "Parser Error: ...".
  static const std::regex kKind(R"re(^(?:[A-Za-z ]+ )?Error: )re");
  text = std::regex_replace(text, kKind, "");
  EngineProblem out;
  std::smatch m;
  static const std::regex kColumn(R"re(Referenced column "([^"]*)" not found)re");
  static const std::regex kTable(R"re(Referenced table "([^"]*)" not found)re");
  static const std::regex kStruct(R"re(Could not find key "([^"]*)" in struct)re");
  if (std::regex_search(text, m, kColumn)) {
    out.missing_column = without_internal_names(m[1].str());
  } else if (std::regex_search(text, m, kTable)) {
    out.missing_table = without_internal_names(m[1].str());
  } else if (std::regex_search(text, m, kStruct)) {
    out.missing_column = m[1].str();
  }
  // Advice about SQL the user did not write.
  for (const char* cut : {" Did you mean", " Candidate bindings", "\tCandidate", " Perhaps",
                          " If you want", " To use", " Use COLUMNS", " Consider"}) {
    if (auto at = text.find(cut); at != std::string::npos) text.resize(at);
  }
  while (!text.empty() && (text.back() == '!' || text.back() == ' ' || text.back() == '.')) {
    text.pop_back();
  }
  out.detail = without_internal_names(text);
  return out;
}

std::string describe_engine_problem(const EngineProblem& problem,
                                    const std::vector<std::string>& available_columns) {
  std::string columns;
  for (const auto& c : available_columns) columns += (columns.empty() ? "" : ", ") + c;
  if (columns.empty()) columns = "(none)";
  if (problem.missing_column) {
    return "column `" + *problem.missing_column + "` does not exist; available columns: " + columns;
  }
  if (problem.missing_table) {
    return "`" + *problem.missing_table +
           "` is neither a column nor a table in scope (the rows have no qualifier); available "
           "columns: " +
           columns;
  }
  return problem.detail + "; available columns: " + columns;
}

}  // namespace dls::pipeline

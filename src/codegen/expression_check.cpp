#include "dls/codegen/expression_check.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "dls/codegen/codegen_error.h"
#include "dls/codegen/sql_lexer.h"
#include "dls/sql/spark/text_check.h"

namespace dls::codegen {
namespace {

// Words that start or continue a query: outside parentheses they mean the text is more than one
// expression.
constexpr std::string_view kQueryWords[] = {
    "select",  "from",   "where",     "group",      "having",  "order", "limit",  "union",
    "except",  "minus",  "intersect", "window",     "lateral", "join",  "insert", "with",
    "qualify", "offset", "cluster",   "distribute", "sort",    "into",
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The first token outside parentheses that cannot belong to one expression, or nullptr.
const SqlToken* top_level_intruder(const SqlLexResult& lexed) {
  int depth = 0;
  for (const auto& t : lexed.tokens) {
    if (t.kind == SqlToken::Kind::kSymbol) {
      if (t.text == "(" || t.text == "[") ++depth;
      if (t.text == ")" || t.text == "]") --depth;
      if (depth == 0 && t.text == ",") return &t;
      continue;
    }
    if (depth != 0 || t.kind != SqlToken::Kind::kWord) continue;
    const std::string word = lower(t.text);
    if (std::find(std::begin(kQueryWords), std::end(kQueryWords), word) != std::end(kQueryWords)) {
      return &t;
    }
  }
  return nullptr;
}

}  // namespace

void check_pasted_expression(std::string_view text, SparkTextKind kind, std::string_view entity_id,
                             std::string_view field) {
  check_sql_fragment(text, entity_id, field);
  const auto problem = sql::spark::check_metadata_text(kind, text);
  const std::string what = kind == SparkTextKind::kSelectItem
                               ? "one select item (`expression [AS alias]` or `*`)"
                               : "one Spark SQL expression";
  const std::string where = "entity '" + std::string(entity_id) + "': " + std::string(field) + ": ";
  if (problem && problem->is_error) {
    throw CodegenError(where + "`" + std::string(text) + "` is not " + what + ": " +
                       problem->message +
                       "\nThe generated SQL pastes it as written, so it must be " + what +
                       " and nothing else; fix the expression");
  }
  if (problem) {
    // Valid Spark the local parser cannot read to the end: check what it could not.
    const SqlLexResult lexed = tokenize_sql(text);
    if (const SqlToken* t = top_level_intruder(lexed)) {
      throw CodegenError(where + "`" + std::string(text) + "` is not " + what + ": '" + t->text +
                         "' at position " + std::to_string(t->offset) +
                         " starts another clause or item; the generated SQL pastes the text as "
                         "written, so it must be " +
                         what + " and nothing else; fix the expression");
    }
  }
}

}  // namespace dls::codegen

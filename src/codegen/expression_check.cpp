#include "dls/codegen/expression_check.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "dls/codegen/codegen_error.h"
#include "dls/sql/spark/spark_error.h"
#include "dls/sql/spark/text_check.h"
#include "dls/sql/spark/tokenizer.h"

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

using sql::spark::Token;

// The first token outside parentheses that cannot belong to one expression, or nullptr.
const Token* top_level_intruder(const std::vector<Token>& tokens) {
  int depth = 0;
  for (const auto& t : tokens) {
    if (t.kind == Token::Kind::kOperator) {
      if (t.text == "(" || t.text == "[") ++depth;
      if (t.text == ")" || t.text == "]") --depth;
      if (depth == 0 && t.text == ",") return &t;
      continue;
    }
    if (depth != 0 || t.kind != Token::Kind::kIdentifier) continue;
    const std::string word = lower(t.text);
    if (std::find(std::begin(kQueryWords), std::end(kQueryWords), word) != std::end(kQueryWords)) {
      return &t;
    }
  }
  return nullptr;
}

}  // namespace

void check_sql_fragment(std::string_view fragment, std::string_view entity_id,
                        std::string_view field) {
  auto fail = [&](const std::string& what) {
    throw CodegenError("entity '" + std::string(entity_id) + "': " + std::string(field) + ": " +
                       what + " in Spark SQL `" + std::string(fragment) +
                       "`; the generated SQL would not keep it in place. Fix the expression "
                       "(it must be one expression or column list, without ';' or '--' comments)");
  };
  std::vector<Token> tokens;
  try {
    tokens = sql::spark::tokenize(fragment, {.comments = true});
  } catch (const sql::spark::SparkSyntaxError& e) {
    fail(e.what());
  }
  int depth = 0;
  bool empty = true;
  for (const auto& t : tokens) {
    if (t.kind == Token::Kind::kComment) {
      if (t.text.rfind("--", 0) == 0) fail("a '--' comment");
      continue;
    }
    if (t.kind == Token::Kind::kEnd) break;
    empty = false;
    if (t.kind != Token::Kind::kOperator) continue;
    if (t.text == ";") fail("a ';'");
    if (t.text == "(") ++depth;
    if (t.text == ")" && --depth < 0) fail("an unmatched ')'");
  }
  if (empty) fail("empty expression");
  if (depth != 0) fail("an unclosed '('");
}

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
    const std::vector<Token> tokens = sql::spark::tokenize(text);
    if (const Token* t = top_level_intruder(tokens)) {
      throw CodegenError(where + "`" + std::string(text) + "` is not " + what + ": '" + t->text +
                         "' at position " + std::to_string(t->position) +
                         " starts another clause or item; the generated SQL pastes the text as "
                         "written, so it must be " +
                         what + " and nothing else; fix the expression");
    }
  }
}

}  // namespace dls::codegen

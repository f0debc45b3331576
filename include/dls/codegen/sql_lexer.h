// A small lexer for Spark SQL text, used to keep metadata expressions in their place.
//
// Metadata carries Spark SQL fragments (select_expr, expectation rules, apply_changes conditions,
// sequence_by, source_schema) that the generators paste into statements. check_sql_fragment()
// accepts a fragment only when it is one self-contained piece of SQL: every string literal, quoted
// identifier and block comment closed, parentheses balanced, and no ';' or '--' line comment
// outside literals — so a fragment can neither end the statement it is pasted into nor comment
// out generated text after it. The lexer follows Spark's rules: '...' and "..." are string
// literals with backslash escapes, `...` is an identifier with `` for a backtick, /* */ and --
// are comments. Tests also use tokenize_sql() to check generated files structurally.
// Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace dls::codegen {

struct SqlToken {
  enum class Kind {
    kWord,              ///< keyword, identifier or number
    kString,            ///< '...' or "..." (text includes the quotes)
    kQuotedIdentifier,  ///< `...` (text includes the backticks)
    kLineComment,       ///< -- up to the end of the line
    kBlockComment,      ///< /* ... */
    kSymbol,            ///< one punctuation character ( ) , ; . = etc.
  };
  Kind kind;
  std::string text;
  std::size_t offset;  ///< byte offset in the input
};

struct SqlLexResult {
  std::vector<SqlToken> tokens;  ///< whitespace is skipped
  std::string error;             ///< "" when the text lexed completely; else what was unterminated
};

/// Splits `text` into tokens; stops at the first unterminated literal, identifier or comment.
SqlLexResult tokenize_sql(std::string_view text);

/// The unescaped value of a kString token ('it\'s' → it's).
std::string unquote_sql_string(std::string_view token_text);

/// The identifier of a kQuotedIdentifier token (`a``b` → a`b).
std::string unquote_sql_identifier(std::string_view token_text);

/// Throws CodegenError "entity 'E': FIELD: ..." when `fragment` is not one self-contained SQL
/// fragment (see the header comment) or is empty.
void check_sql_fragment(std::string_view fragment, std::string_view entity_id,
                        std::string_view field);

}  // namespace dls::codegen

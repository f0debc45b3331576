// A lexer for DuckDB SQL text, precise enough to rewrite queries safely: it knows where string
// literals ('it''s', E'\n', $$dollar$$), quoted identifiers ("a ""b"""), line (--) and block
// (/* nested */) comments begin and end, so rewriting never touches their contents.
//
// Tokens cover the input exactly: concatenating every token's text gives back the input.
// Unterminated strings, identifiers and comments extend to the end of the input (DuckDB reports the
// error when the query runs). All functions are pure and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dls::catalog {

enum class TokenKind {
  kWhitespace,
  kComment,           // -- ... or /* ... */
  kWord,              // an unquoted identifier or keyword
  kQuotedIdentifier,  // "..."
  kString,            // '...', E'...', $tag$...$tag$
  kNumber,
  kOperator,     // one or more operator characters: = => := :: <> ...
  kPunctuation,  // one of . , ( ) ; [ ] { }
  kOther,        // anything else (e.g. a $1 parameter)
};

struct Token {
  TokenKind kind;
  size_t offset;          // byte offset in the input
  std::string_view text;  // a view into the input

  /// Whitespace and comments: tokens that do not change the meaning.
  bool is_trivia() const { return kind == TokenKind::kWhitespace || kind == TokenKind::kComment; }
  /// A kWord equal to `keyword`, ignoring ASCII case.
  bool is_keyword(std::string_view keyword) const;
  /// A kPunctuation or kOperator whose text is `symbol`.
  bool is_symbol(std::string_view symbol) const;
};

/// Splits `sql` into tokens (the returned views point into `sql`).
std::vector<Token> tokenize_sql(std::string_view sql);

/// The identifier a kWord or kQuotedIdentifier token names (quotes removed, "" unescaped).
std::string identifier_value(const Token& token);

/// The value of a kString token (quotes removed; '' unescaped; backslash escapes of E'' strings).
std::string string_value(const Token& token);

/// Splits a script into statements at top-level semicolons. Statements holding only whitespace
/// and comments are dropped; each returned view keeps its comments and excludes the ';'.
std::vector<std::string_view> split_statements(std::string_view sql);

}  // namespace dls::catalog

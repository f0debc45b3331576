// Tokenizer for Spark SQL text.
//
// Spark lexical rules honoured: '...' and "..." are both string literals with Spark's backslash
// escapes (\n, \t, \\, \', \uXXXX, ...; \% and \_ keep their backslash) and a doubled quote
// standing for one ('it''s'); r'...' / R"..." are raw
// strings; X'..' is a binary literal; `...` quotes an identifier (`` doubles a backtick);
// \uXXXX takes exactly four hex digits (a UTF-16 surrogate pair written as two escapes is one
// character; a lone surrogate is an error); numbers carry Spark's type suffixes (L, S, Y, D, F,
// BD); `--` and `/* */` are comments.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace dls::sql::spark {

struct Token {
  enum class Kind {
    kIdentifier,        // bare word (keywords too: the parser decides, case-insensitively)
    kQuotedIdentifier,  // `...`, text without the backticks
    kNumber,            // text as written, suffix included (e.g. "10L", "2.5BD", "1e3")
    kString,            // text with escapes processed
    kBinary,            // X'...': text is the hex digits
    kOperator,          // punctuation and operators: ( ) [ ] , . ; + - * / % = == != <> < <= > >=
                        // <=> && || ! ~ & | ^ :: -> => :
    kComment,           // only with TokenizeOptions::comments: text as written ("-- ..." or
                        // "/* ... */")
    kEnd,
  };
  Kind kind = Kind::kEnd;
  std::string text;
  size_t position = 0;  // byte offset in the input

  bool is_op(std::string_view op) const { return kind == Kind::kOperator && text == op; }
  /// A bare identifier equal to `word`, ignoring case (keywords).
  bool is_word(std::string_view word) const;
};

struct TokenizeOptions {
  /// Keep comments as kComment tokens (checks of pasted SQL must see them); by default they are
  /// skipped like whitespace.
  bool comments = false;
};

/// Splits `input` into tokens, ending with one kEnd token. Throws SparkSyntaxError with the
/// position of an unterminated string/identifier/comment or an unexpected character.
std::vector<Token> tokenize(std::string_view input, TokenizeOptions options = {});

}  // namespace dls::sql::spark

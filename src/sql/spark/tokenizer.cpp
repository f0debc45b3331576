#include "dls/sql/spark/tokenizer.h"

#include <cctype>

#include "dls/sql/spark/spark_error.h"

#include "dls/core/utf8.h"

namespace dls::sql::spark {

namespace {

bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

class Lexer {
 public:
  Lexer(std::string_view in, TokenizeOptions options) : in_(in), options_(options) {}

  std::vector<Token> run() {
    std::vector<Token> out;
    while (true) {
      skip_space(out);
      if (i_ >= in_.size()) break;
      out.push_back(next());
    }
    out.push_back(Token{Token::Kind::kEnd, "", in_.size()});
    return out;
  }

 private:
  [[noreturn]] void fail(const std::string& what, size_t pos) const {
    throw SparkSyntaxError(describe_position("Spark SQL syntax error: " + what, in_, pos), pos);
  }

  char peek(size_t k = 0) const { return i_ + k < in_.size() ? in_[i_ + k] : '\0'; }

  // Skips whitespace and comments; comments go to `out` when the options keep them.
  void skip_space(std::vector<Token>& out) {
    while (i_ < in_.size()) {
      char c = in_[i_];
      const size_t start = i_;
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i_;
        continue;
      }
      if (c == '-' && peek(1) == '-') {
        while (i_ < in_.size() && in_[i_] != '\n') ++i_;
      } else if (c == '/' && peek(1) == '*') {
        size_t end = in_.find("*/", i_ + 2);
        if (end == std::string_view::npos) fail("unterminated comment", start);
        i_ = end + 2;
      } else {
        break;
      }
      if (options_.comments) {
        out.push_back(
            Token{Token::Kind::kComment, std::string(in_.substr(start, i_ - start)), start});
      }
    }
  }

  Token next() {
    size_t start = i_;
    char c = in_[i_];
    // Raw strings r'..' and binary literals X'..'.
    if ((c == 'r' || c == 'R') && (peek(1) == '\'' || peek(1) == '"')) {
      ++i_;
      return Token{Token::Kind::kString, read_string(true), start};
    }
    if ((c == 'x' || c == 'X') && peek(1) == '\'') {
      ++i_;
      std::string hex = read_string(true);
      for (char h : hex) {
        if (!std::isxdigit(static_cast<unsigned char>(h)))
          fail("invalid hex digit in binary literal", start);
      }
      return Token{Token::Kind::kBinary, hex, start};
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
        static_cast<unsigned char>(c) >= 0x80) {
      while (i_ < in_.size() && (std::isalnum(static_cast<unsigned char>(in_[i_])) ||
                                 in_[i_] == '_' || static_cast<unsigned char>(in_[i_]) >= 0x80)) {
        ++i_;
      }
      return Token{Token::Kind::kIdentifier, std::string(in_.substr(start, i_ - start)), start};
    }
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '.' && std::isdigit(static_cast<unsigned char>(peek(1))))) {
      return read_number();
    }
    if (c == '\'' || c == '"') {
      std::string text = read_string(false);
      return Token{Token::Kind::kString, text, start};
    }
    if (c == '`') {
      ++i_;
      std::string text;
      while (true) {
        if (i_ >= in_.size()) fail("unterminated `quoted identifier`", start);
        if (in_[i_] == '`') {
          if (peek(1) == '`') {
            text += '`';
            i_ += 2;
            continue;
          }
          ++i_;
          break;
        }
        text += in_[i_++];
      }
      return Token{Token::Kind::kQuotedIdentifier, text, start};
    }
    static const char* const kOps[] = {
        "<=>", "==", "!=", "<>", "<=", ">=", "&&", "||", "::", "->", "=>", "(",
        ")",   "[",  "]",  ",",  ".",  ";",  "+",  "-",  "*",  "/",  "%",  "=",
        "<",   ">",  "!",  "~",  "&",  "|",  "^",  ":",  "{",  "}"};
    for (const char* op : kOps) {
      std::string_view o(op);
      if (in_.substr(i_, o.size()) == o) {
        i_ += o.size();
        return Token{Token::Kind::kOperator, std::string(o), start};
      }
    }
    fail(std::string("unexpected character '") + c + "'", start);
  }

  Token read_number() {
    size_t start = i_;
    while (std::isdigit(static_cast<unsigned char>(peek()))) ++i_;
    if (peek() == '.' && !(std::isalpha(static_cast<unsigned char>(peek(1))) &&
                           !(peek(1) == 'e' || peek(1) == 'E'))) {
      ++i_;
      while (std::isdigit(static_cast<unsigned char>(peek()))) ++i_;
    }
    if ((peek() == 'e' || peek() == 'E') && (std::isdigit(static_cast<unsigned char>(peek(1))) ||
                                             ((peek(1) == '+' || peek(1) == '-') &&
                                              std::isdigit(static_cast<unsigned char>(peek(2)))))) {
      i_ += 2;
      while (std::isdigit(static_cast<unsigned char>(peek()))) ++i_;
    }
    // Type suffixes.
    if ((peek() == 'B' || peek() == 'b') && (peek(1) == 'D' || peek(1) == 'd')) {
      i_ += 2;
    } else if (std::string_view("LlSsYyDdFf").find(peek()) != std::string_view::npos &&
               peek() != '\0') {
      ++i_;
    }
    if (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '_') {
      fail("invalid number literal", start);
    }
    return Token{Token::Kind::kNumber, std::string(in_.substr(start, i_ - start)), start};
  }

  // At a quote character; returns the content. Consecutive literals are concatenated by the parser.
  std::string read_string(bool raw) {
    size_t start = i_;
    char q = in_[i_++];
    std::string out;
    while (true) {
      if (i_ >= in_.size()) fail("unterminated string literal", start);
      char c = in_[i_++];
      if (c == q) {
        // A doubled quote inside a literal is one quote character ('it''s', "say ""hi"""), as
        // in Spark 4's lexer; a raw string ends at its first closing quote.
        if (!raw && peek() == q) {
          out += q;
          ++i_;
          continue;
        }
        break;
      }
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= in_.size()) fail("unterminated string literal", start);
      char e = in_[i_++];
      if (raw) {
        // A raw string keeps the backslash; an escaped quote does not end it.
        out += '\\';
        out += e;
        continue;
      }
      switch (e) {
        case '0':
        case '1':
        case '2':
        case '3':
          if (i_ + 1 < in_.size() && in_[i_] >= '0' && in_[i_] <= '7' && in_[i_ + 1] >= '0' &&
              in_[i_ + 1] <= '7') {
            out += static_cast<char>((e - '0') * 64 + (in_[i_] - '0') * 8 + (in_[i_ + 1] - '0'));
            i_ += 2;
          } else if (e == '0') {
            out += '\0';
          } else {
            out += e;
          }
          break;
        case 'b':
          out += '\b';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'Z':
          out += '\x1A';
          break;
        case '%':
          out += "\\%";
          break;
        case '_':
          out += "\\_";
          break;
        case 'u': {
          const size_t escape = i_ - 2;
          char32_t cp = read_hex4(escape);
          // A UTF-16 surrogate pair written as two escapes (Java strings, hence Spark) is one
          // code point; a lone surrogate is no character and could not be written as UTF-8.
          if (cp >= 0xD800 && cp <= 0xDBFF && peek() == '\\' && peek(1) == 'u') {
            i_ += 2;
            const char32_t low = read_hex4(i_ - 2);
            if (low < 0xDC00 || low > 0xDFFF) fail("\\u escape: unpaired UTF-16 surrogate", escape);
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xD800 && cp <= 0xDFFF) {
            fail("\\u escape: unpaired UTF-16 surrogate", escape);
          }
          append_utf8(out, cp);
          break;
        }
        default:
          out += e;
          break;
      }
    }
    return out;
  }

  // The four hex digits after "\\u" (i_ is just past the 'u'); `escape` is the backslash's offset.
  // Exactly four hex digits: fewer would take the closing quote or the next characters as digits.
  char32_t read_hex4(size_t escape) {
    char32_t cp = 0;
    for (size_t k = 0; k < 4; ++k) {
      const char h = peek(k);
      if (!std::isxdigit(static_cast<unsigned char>(h))) {
        fail("invalid \\u escape (expected four hex digits, as in \\u00e9)", escape);
      }
      cp = cp * 16 +
           static_cast<char32_t>(std::isdigit(static_cast<unsigned char>(h))
                                     ? h - '0'
                                     : std::tolower(static_cast<unsigned char>(h)) - 'a' + 10);
    }
    i_ += 4;
    return cp;
  }

  std::string_view in_;
  TokenizeOptions options_;
  size_t i_ = 0;
};

}  // namespace

bool Token::is_word(std::string_view word) const {
  return kind == Kind::kIdentifier && ieq(text, word);
}

std::vector<Token> tokenize(std::string_view input, TokenizeOptions options) {
  return Lexer(input, options).run();
}

}  // namespace dls::sql::spark

#include "dls/catalog/sql_tokenizer.h"

#include <cctype>

namespace dls::catalog {
namespace {

bool is_word_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool is_word_char(char c) {
  return is_word_start(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$';
}
bool is_digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c));
}
bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c));
}
bool is_operator_char(char c) {
  switch (c) {
    case '+':
    case '-':
    case '*':
    case '/':
    case '<':
    case '>':
    case '=':
    case '~':
    case '!':
    case '@':
    case '#':
    case '%':
    case '^':
    case '&':
    case '|':
    case '`':
    case '?':
    case ':':
      return true;
    default:
      return false;
  }
}
bool is_punctuation(char c) {
  switch (c) {
    case '.':
    case ',':
    case '(':
    case ')':
    case ';':
    case '[':
    case ']':
    case '{':
    case '}':
      return true;
    default:
      return false;
  }
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// End of a quoted run starting at `i` (the opening quote), where a doubled quote is an escape.
// With `backslash`, a backslash escapes the next character (E'' strings).
size_t end_of_quoted(std::string_view s, size_t i, char quote, bool backslash) {
  size_t j = i + 1;
  while (j < s.size()) {
    if (backslash && s[j] == '\\') {
      j += 2;
      continue;
    }
    if (s[j] == quote) {
      if (j + 1 < s.size() && s[j + 1] == quote) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    ++j;
  }
  return s.size();
}

// A dollar-quote tag ($$ or $tag$) starting at `i`, or npos-length 0 when there is none.
size_t dollar_tag_length(std::string_view s, size_t i) {
  if (s[i] != '$') return 0;
  size_t j = i + 1;
  if (j < s.size() && is_digit(s[j])) return 0;  // $1 is a parameter
  while (j < s.size() && (is_word_start(s[j]) || is_digit(s[j]))) ++j;
  if (j < s.size() && s[j] == '$') return j + 1 - i;
  return 0;
}

size_t end_of_block_comment(std::string_view s, size_t i) {
  int depth = 0;
  size_t j = i;
  while (j < s.size()) {
    if (s.compare(j, 2, "/*") == 0) {
      ++depth;
      j += 2;
    } else if (s.compare(j, 2, "*/") == 0) {
      j += 2;
      if (--depth == 0) return j;
    } else {
      ++j;
    }
  }
  return s.size();
}

}  // namespace

bool Token::is_keyword(std::string_view keyword) const {
  return kind == TokenKind::kWord && iequals(text, keyword);
}

bool Token::is_symbol(std::string_view symbol) const {
  return (kind == TokenKind::kPunctuation || kind == TokenKind::kOperator) && text == symbol;
}

std::vector<Token> tokenize_sql(std::string_view s) {
  std::vector<Token> tokens;
  size_t i = 0;
  auto emit = [&](TokenKind kind, size_t end) {
    tokens.push_back(Token{kind, i, s.substr(i, end - i)});
    i = end;
  };
  while (i < s.size()) {
    char c = s[i];
    if (is_space(c)) {
      size_t j = i;
      while (j < s.size() && is_space(s[j])) ++j;
      emit(TokenKind::kWhitespace, j);
    } else if (s.compare(i, 2, "--") == 0) {
      size_t j = s.find('\n', i);
      emit(TokenKind::kComment, j == std::string_view::npos ? s.size() : j);
    } else if (s.compare(i, 2, "/*") == 0) {
      emit(TokenKind::kComment, end_of_block_comment(s, i));
    } else if (c == '\'') {
      emit(TokenKind::kString, end_of_quoted(s, i, '\'', false));
    } else if ((c == 'E' || c == 'e') && i + 1 < s.size() && s[i + 1] == '\'') {
      emit(TokenKind::kString, end_of_quoted(s, i + 1, '\'', true));
    } else if (c == '"') {
      emit(TokenKind::kQuotedIdentifier, end_of_quoted(s, i, '"', false));
    } else if (size_t tag = dollar_tag_length(s, i); tag > 0) {
      size_t close = s.find(s.substr(i, tag), i + tag);
      emit(TokenKind::kString, close == std::string_view::npos ? s.size() : close + tag);
    } else if (is_word_start(c)) {
      size_t j = i;
      while (j < s.size() && is_word_char(s[j])) ++j;
      emit(TokenKind::kWord, j);
    } else if (is_digit(c) || (c == '.' && i + 1 < s.size() && is_digit(s[i + 1]))) {
      size_t j = i;
      while (j < s.size() &&
             (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_' || s[j] == '.')) {
        // Stop before ".." or a '.' that starts a qualified name (e.g. "1.x" is rare; keep simple).
        if (s[j] == '.' && j + 1 < s.size() && s[j + 1] == '.') break;
        ++j;
      }
      emit(TokenKind::kNumber, j);
    } else if (is_punctuation(c)) {
      emit(TokenKind::kPunctuation, i + 1);
    } else if (is_operator_char(c)) {
      size_t j = i;
      while (j < s.size() && is_operator_char(s[j]) && s.compare(j, 2, "--") != 0 &&
             s.compare(j, 2, "/*") != 0) {
        ++j;
      }
      emit(TokenKind::kOperator, j);
    } else if (c == '$') {
      size_t j = i + 1;
      while (j < s.size() && is_word_char(s[j])) ++j;
      emit(TokenKind::kOther, j);
    } else {
      emit(TokenKind::kOther, i + 1);
    }
  }
  return tokens;
}

std::string identifier_value(const Token& token) {
  if (token.kind != TokenKind::kQuotedIdentifier) return std::string(token.text);
  std::string_view body = token.text.substr(1);
  if (!body.empty() && body.back() == '"') body.remove_suffix(1);
  std::string out;
  for (size_t i = 0; i < body.size(); ++i) {
    out += body[i];
    if (body[i] == '"' && i + 1 < body.size() && body[i + 1] == '"') ++i;
  }
  return out;
}

std::string string_value(const Token& token) {
  std::string_view t = token.text;
  if (!t.empty() && t[0] == '$') {
    size_t tag = t.find('$', 1) + 1;
    std::string_view body = t.substr(tag);
    if (body.size() >= tag) body.remove_suffix(tag);
    return std::string(body);
  }
  bool backslash = !t.empty() && (t[0] == 'E' || t[0] == 'e');
  if (backslash) t.remove_prefix(1);
  std::string_view body = t.substr(1);
  if (!body.empty() && body.back() == '\'') body.remove_suffix(1);
  std::string out;
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (backslash && c == '\\' && i + 1 < body.size()) {
      char n = body[++i];
      switch (n) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        default:
          out += n;
          break;
      }
      continue;
    }
    out += c;
    if (c == '\'' && i + 1 < body.size() && body[i + 1] == '\'') ++i;
  }
  return out;
}

std::vector<std::string_view> split_statements(std::string_view sql) {
  std::vector<std::string_view> statements;
  size_t start = 0;
  bool meaningful = false;
  auto flush = [&](size_t end) {
    if (meaningful) statements.push_back(sql.substr(start, end - start));
    meaningful = false;
  };
  for (const Token& token : tokenize_sql(sql)) {
    if (token.is_symbol(";")) {
      flush(token.offset);
      start = token.offset + 1;
    } else if (!token.is_trivia()) {
      meaningful = true;
    }
  }
  flush(sql.size());
  return statements;
}

}  // namespace dls::catalog

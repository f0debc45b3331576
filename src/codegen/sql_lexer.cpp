#include "dls/codegen/sql_lexer.h"

#include <cctype>

#include "dls/codegen/codegen_error.h"

namespace dls::codegen {

SqlLexResult tokenize_sql(std::string_view text) {
  SqlLexResult result;
  std::size_t i = 0;
  const std::size_t n = text.size();
  auto is_word = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
  };
  while (i < n) {
    const char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    if (c == '\'' || c == '"') {
      ++i;
      bool closed = false;
      while (i < n) {
        if (text[i] == '\\') {
          i += 2;
          continue;
        }
        if (text[i] == c) {
          closed = true;
          ++i;
          break;
        }
        ++i;
      }
      if (!closed) {
        result.error = "unterminated string literal starting at byte " + std::to_string(start);
        return result;
      }
      result.tokens.push_back(
          {SqlToken::Kind::kString, std::string(text.substr(start, i - start)), start});
    } else if (c == '`') {
      ++i;
      bool closed = false;
      while (i < n) {
        if (text[i] == '`') {
          if (i + 1 < n && text[i + 1] == '`') {
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        ++i;
      }
      if (!closed) {
        result.error = "unterminated quoted identifier starting at byte " + std::to_string(start);
        return result;
      }
      result.tokens.push_back(
          {SqlToken::Kind::kQuotedIdentifier, std::string(text.substr(start, i - start)), start});
    } else if (c == '-' && i + 1 < n && text[i + 1] == '-') {
      while (i < n && text[i] != '\n') ++i;
      result.tokens.push_back(
          {SqlToken::Kind::kLineComment, std::string(text.substr(start, i - start)), start});
    } else if (c == '/' && i + 1 < n && text[i + 1] == '*') {
      const std::size_t end = text.find("*/", i + 2);
      if (end == std::string_view::npos) {
        result.error = "unterminated block comment starting at byte " + std::to_string(start);
        return result;
      }
      i = end + 2;
      result.tokens.push_back(
          {SqlToken::Kind::kBlockComment, std::string(text.substr(start, i - start)), start});
    } else if (is_word(c)) {
      while (i < n && is_word(text[i])) ++i;
      result.tokens.push_back(
          {SqlToken::Kind::kWord, std::string(text.substr(start, i - start)), start});
    } else {
      ++i;
      result.tokens.push_back({SqlToken::Kind::kSymbol, std::string(1, c), start});
    }
  }
  return result;
}

std::string unquote_sql_string(std::string_view t) {
  std::string out;
  if (t.size() < 2) return out;
  for (std::size_t i = 1; i + 1 < t.size(); ++i) {
    if (t[i] != '\\' || i + 2 >= t.size()) {
      out += t[i];
      continue;
    }
    const char e = t[++i];
    switch (e) {
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case '0':
        out += '\0';
        break;
      case 'u': {
        if (i + 4 < t.size()) {
          const unsigned long cp = std::stoul(std::string(t.substr(i + 1, 4)), nullptr, 16);
          i += 4;
          if (cp < 0x80) {
            out += static_cast<char>(cp);
          } else if (cp < 0x800) {
            out += static_cast<char>(0xc0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3f));
          } else {
            out += static_cast<char>(0xe0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
          }
        }
        break;
      }
      default:
        out += e;
    }
  }
  return out;
}

std::string unquote_sql_identifier(std::string_view t) {
  std::string out;
  if (t.size() < 2) return out;
  for (std::size_t i = 1; i + 1 < t.size(); ++i) {
    out += t[i];
    if (t[i] == '`') ++i;
  }
  return out;
}

void check_sql_fragment(std::string_view fragment, std::string_view entity_id,
                        std::string_view field) {
  auto fail = [&](const std::string& what) {
    throw CodegenError("entity '" + std::string(entity_id) + "': " + std::string(field) + ": " +
                       what + " in Spark SQL `" + std::string(fragment) +
                       "`; the generated SQL would not keep it in place. Fix the expression "
                       "(it must be one expression or column list, without ';' or '--' comments)");
  };
  const SqlLexResult lexed = tokenize_sql(fragment);
  if (!lexed.error.empty()) fail(lexed.error);
  if (lexed.tokens.empty()) fail("empty expression");
  int depth = 0;
  for (const auto& token : lexed.tokens) {
    if (token.kind == SqlToken::Kind::kLineComment) fail("a '--' comment");
    if (token.kind != SqlToken::Kind::kSymbol) continue;
    if (token.text == ";") fail("a ';'");
    if (token.text == "(") ++depth;
    if (token.text == ")" && --depth < 0) fail("an unmatched ')'");
  }
  if (depth != 0) fail("an unclosed '('");
}

}  // namespace dls::codegen

#include "dls/codegen/quoting.h"

#include <cstdio>

#include <nlohmann/json.hpp>

namespace dls::codegen {

std::string quote_identifier(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  out += '`';
  return out;
}

std::string quote_table_name(std::string_view name) {
  std::string out;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = name.find('.', start);
    out += quote_identifier(
        name.substr(start, dot == std::string_view::npos ? name.npos : dot - start));
    if (dot == std::string_view::npos) break;
    out += '.';
    start = dot + 1;
  }
  return out;
}

std::string quote_identifier_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) {
    if (!out.empty()) out += ", ";
    out += quote_identifier(name);
  }
  return out;
}

std::string sql_string_literal(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '\'':
        out += "\\'";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (u < 0x20 || u == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", u);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '\'';
  return out;
}

std::string sql_comment_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? ' ' : c;
  }
  return out;
}

std::string python_string_literal(std::string_view value) {
  // JSON escapes only '"', '\\' and control characters; other UTF-8 text is kept as is, which a
  // Python 3 source file (UTF-8 by default) reads back unchanged. \uXXXX escapes are avoided:
  // Python reads a JSON surrogate pair as two lone surrogates, not one character.
  return nlohmann::json(std::string(value))
      .dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
}

}  // namespace dls::codegen

#include "dls/codegen/yaml_text.h"

#include <cstdio>
#include <set>

#include "dls/core/utf8.h"

namespace dls::codegen {
namespace {

// Decodes one UTF-8 sequence at s[i]; returns the code point (0xFFFD for invalid bytes) and
// advances i.
char32_t decode_utf8(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  int len = b0 < 0x80 ? 1 : (b0 >> 5) == 6 ? 2 : (b0 >> 4) == 14 ? 3 : (b0 >> 3) == 30 ? 4 : 0;
  if (len == 0 || i + len > s.size()) {
    ++i;
    return 0xFFFD;
  }
  char32_t cp = len == 1 ? b0 : b0 & (0x7F >> len);
  for (int k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b >> 6) != 2) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  i += len;
  return cp;
}

bool plain_key(std::string_view key) {
  static const std::set<std::string_view> kSpecial = {"true", "false", "yes", "no", "on",
                                                      "off",  "null",  "y",   "n",  "~"};
  if (key.empty() || kSpecial.count(key)) return false;
  if (key.front() == '-' || key.front() == '.' || key.front() == '$') {
    return false;
  }
  for (char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  // Keys that read as numbers stay strings only when quoted.
  const bool numeric = key.find_first_not_of("0123456789.-+eE_") == std::string_view::npos;
  return !numeric;
}

std::string scalar(const nlohmann::ordered_json& v) {
  if (v.is_string()) return yaml_quote(v.get_ref<const std::string&>());
  if (v.is_null()) return "null";
  return v.dump();
}

void emit(std::string& out, const nlohmann::ordered_json& v, int indent);

void emit_entry_value(std::string& out, const nlohmann::ordered_json& v, int indent) {
  if ((v.is_object() || v.is_array()) && !v.empty()) {
    out += "\n";
    emit(out, v, indent);
  } else if (v.is_object()) {
    out += " {}\n";
  } else if (v.is_array()) {
    out += " []\n";
  } else {
    out += " " + scalar(v) + "\n";
  }
}

void emit(std::string& out, const nlohmann::ordered_json& v, int indent) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  if (v.is_object()) {
    for (const auto& [key, value] : v.items()) {
      out += pad + (plain_key(key) ? key : yaml_quote(key)) + ":";
      emit_entry_value(out, value, indent + 2);
    }
  } else if (v.is_array()) {
    for (const auto& item : v) {
      if (item.is_object() && !item.empty()) {
        // "- key: value" then the other keys aligned under the first.
        std::string nested;
        emit(nested, item, indent + 2);
        out += pad + "- " + nested.substr(static_cast<std::size_t>(indent) + 2);
      } else if ((item.is_array() && !item.empty())) {
        out += pad + "-\n";
        emit(out, item, indent + 2);
      } else {
        out += pad + "-";
        emit_entry_value(out, item, indent + 2);
      }
    }
  } else {
    out += pad + scalar(v) + "\n";
  }
}

}  // namespace

std::string yaml_quote(std::string_view value) {
  std::string out = "\"";
  std::size_t i = 0;
  while (i < value.size()) {
    const char32_t cp = decode_utf8(value, i);
    switch (cp) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      default:
        break;
    }
    // YAML's printable set: x9 xA xD x20-x7E x85 xA0-xD7FF xE000-xFFFD x10000-x10FFFF.
    const bool printable =
        (cp >= 0x20 && cp <= 0x7E) || cp == 0x85 || (cp >= 0xA0 && cp <= 0xD7FF) ||
        (cp >= 0xE000 && cp <= 0xFFFD && cp != 0xFEFF) || (cp >= 0x10000 && cp <= 0x10FFFF);
    if (printable) {
      append_utf8(out, cp);
    } else {
      char buf[12];
      std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(cp));
      out += buf;
    }
  }
  return out + "\"";
}

std::string to_yaml_text(const nlohmann::ordered_json& document, std::string_view header) {
  std::string out;
  if (!header.empty()) {
    std::string line;
    auto flush = [&] {
      out += "# " + line + "\n";
      line.clear();
    };
    for (char c : header) {
      if (c == '\n') {
        flush();
      } else {
        line += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
      }
    }
    if (!line.empty()) flush();
  }
  emit(out, document, 0);
  return out;
}

}  // namespace dls::codegen

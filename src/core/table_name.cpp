#include "dls/core/table_name.h"

namespace dls {

bool is_safe_name_part(std::string_view part) {
  if (part.empty()) return false;
  for (std::size_t i = 0; i < part.size(); ++i) {
    const char c = part[i];
    const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!(alpha || (i > 0 && digit))) return false;
  }
  return true;
}

bool is_safe_table_name(std::string_view name) {
  int parts = 0;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = name.find('.', start);
    const std::string_view part =
        name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!is_safe_name_part(part) || ++parts > 3) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

}  // namespace dls

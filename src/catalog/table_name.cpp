#include "dls/catalog/table_name.h"

#include <vector>

#include "dls/core/error.h"

namespace dls::catalog {
namespace {

constexpr std::string_view kRule = "name parts must match [A-Za-z_][A-Za-z0-9_]*";

bool is_alpha(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::vector<std::string_view> split_dots(std::string_view name) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) {
      parts.push_back(name.substr(start));
      return parts;
    }
    parts.push_back(name.substr(start, dot - start));
    start = dot + 1;
  }
}

[[noreturn]] void reject(std::string_view name, const std::string& why) {
  throw InvalidMetadataError("invalid table name '" + std::string(name) + "': " + why +
                             " (a table name is `catalog.schema.table`, `schema.table` or " +
                             "`table`; " + std::string(kRule) +
                             "; use a path containing '/' for a table outside the warehouse)");
}

}  // namespace

bool is_valid_name_part(std::string_view part) noexcept {
  if (part.empty() || !is_alpha(part[0])) return false;
  for (char c : part) {
    if (!is_alpha(c) && !is_digit(c)) return false;
  }
  return true;
}

void validate_name_part(std::string_view part, std::string_view what) {
  if (is_valid_name_part(part)) return;
  throw InvalidMetadataError("invalid " + std::string(what) + " '" + std::string(part) +
                             "': " + std::string(kRule));
}

TableName parse_table_name(std::string_view name, const std::optional<Namespace>& default_ns) {
  if (name.empty()) reject(name, "the name is empty");
  auto parts = split_dots(name);
  if (parts.size() > 3) {
    reject(name,
           "it has " + std::to_string(parts.size()) + " dot-separated parts, at most 3 allowed");
  }
  for (auto part : parts) {
    if (part.empty()) reject(name, "it has an empty part (leading, trailing or doubled '.')");
    if (!is_valid_name_part(part))
      reject(name, "the part '" + std::string(part) + "' is not valid");
  }
  if (parts.size() == 3)
    return {std::string(parts[0]), std::string(parts[1]), std::string(parts[2])};
  if (parts.size() == 2) {
    return {std::string(kDefaultCatalog), std::string(parts[0]), std::string(parts[1])};
  }
  if (!default_ns) {
    reject(name,
           "a bare table name needs a default `catalog.schema` here; write `schema.table` "
           "or `catalog.schema.table`");
  }
  return {default_ns->catalog, default_ns->schema, std::string(parts[0])};
}

Namespace parse_namespace(std::string_view text) {
  auto parts = split_dots(text);
  bool ok = parts.size() == 2 && is_valid_name_part(parts[0]) && is_valid_name_part(parts[1]);
  if (!ok) {
    throw InvalidMetadataError("invalid namespace '" + std::string(text) +
                               "': expected `catalog.schema`, where " + std::string(kRule));
  }
  return {std::string(parts[0]), std::string(parts[1])};
}

}  // namespace dls::catalog

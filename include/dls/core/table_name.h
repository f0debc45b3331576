// The safe-name rule for tables and views (DESIGN §4).
//
// A table name is one to three dot-separated parts (`table`, `schema.table`,
// `catalog.schema.table`), each matching [A-Za-z_][A-Za-z0-9_]*. Anything else — empty parts, "..",
// slashes, spaces, quotes — is unsafe, so a name can never escape the warehouse directory. Paths
// (names containing '/') are not table names; callers that accept paths test for '/' first.
#pragma once

#include <string_view>

namespace dls {

/// True when `part` matches [A-Za-z_][A-Za-z0-9_]*.
bool is_safe_name_part(std::string_view part);

/// True when `name` is 1-3 safe parts joined by '.'.
bool is_safe_table_name(std::string_view name);

}  // namespace dls

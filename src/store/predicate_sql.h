// Filter pushdown: a Predicate as a DuckDB WHERE clause over the control table's columns, so the
// store converts only candidate rows into entities. The clause is a superset filter: every row
// whose entity matches the predicate passes it; callers still evaluate the predicate in C++ on
// what comes back (by_predicate and by_has_tag_value cannot be translated and pass everything).
// Exact leaves follow read_entities' conversion (NULL string → "", NULL booleans → defaults).
// Internal to the store layer; pure.
#pragma once

#include <optional>
#include <string>

#include "dls/core/predicate.h"

namespace dls::store_detail {

/// The exact SQL of `predicate`, or std::nullopt when some part cannot be translated.
std::optional<std::string> exact_sql(const Predicate& predicate);

/// A WHERE clause every matching row passes ("true" when nothing can be pushed down).
std::string pushdown_sql(const Predicate& predicate);

}  // namespace dls::store_detail

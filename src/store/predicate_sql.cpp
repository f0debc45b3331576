#include "store/predicate_sql.h"

#include "dls/sql/quote.h"

namespace dls::store_detail {

namespace {

using Kind = Predicate::Kind;
using sql::quote_literal;

std::string string_equals(const char* column, const std::string& value) {
  // read_entities reads a NULL string column as "".
  return "(coalesce(" + sql::quote_identifier(column) + ", '') = " + quote_literal(value) + ")";
}

std::string optional_equals(const char* column, const std::string& value) {
  return "coalesce(" + sql::quote_identifier(column) + " = " + quote_literal(value) + ", false)";
}

std::string flag_equals(const char* column, bool fallback, bool value) {
  return std::string("(coalesce(") + column + ", " + (fallback ? "true" : "false") +
         ") = " + (value ? "true" : "false") + ")";
}

}  // namespace

std::optional<std::string> exact_sql(const Predicate& p) {
  const auto& s = p.strings();
  switch (p.kind()) {
    case Kind::kAll:
      return "true";
    case Kind::kId:
      return optional_equals("id", s.at(0));
    case Kind::kEntityId:
      return string_equals("entity_id", s.at(0));
    case Kind::kDestinationType:
      return string_equals("destination_type", s.at(0));
    case Kind::kGroup:
      return string_equals("group", s.at(0));
    case Kind::kSource:
      return string_equals("source", s.at(0));
    case Kind::kDestination:
      return string_equals("destination", s.at(0));
    case Kind::kCreatedBy:
      return optional_equals("created_by", s.at(0));
    case Kind::kModifiedBy:
      return optional_equals("modified_by", s.at(0));
    case Kind::kHasTag:
      return "coalesce(map_contains(tags, " + quote_literal(s.at(0)) + "), false)";
    case Kind::kIsEnabled:
      return flag_equals("is_enabled", true, p.flag());
    case Kind::kIsLatest:
      return flag_equals("is_latest", false, p.flag());
    case Kind::kIsStreaming:
      return flag_equals("is_streaming", true, p.flag());
    case Kind::kCreatedTsBetween: {
      const auto& ts = p.timestamps();
      return "coalesce(epoch_us(created_ts) BETWEEN " + std::to_string(ts.at(0)) + " AND " +
             std::to_string(ts.at(1)) + ", false)";
    }
    case Kind::kReferenceTs: {
      const std::string ts = std::to_string(p.timestamps().at(0));
      return "coalesce(epoch_us(created_ts) <= " + ts + " AND (expired_ts IS NULL OR " + ts +
             " < epoch_us(expired_ts)), false)";
    }
    case Kind::kAnd:
    case Kind::kOr: {
      auto a = exact_sql(p.children().at(0));
      auto b = exact_sql(p.children().at(1));
      if (!a || !b) return std::nullopt;
      return "(" + *a + (p.kind() == Kind::kAnd ? " AND " : " OR ") + *b + ")";
    }
    case Kind::kNot: {
      auto a = exact_sql(p.children().at(0));
      if (!a) return std::nullopt;
      return "(NOT " + *a + ")";
    }
    case Kind::kHasTagValue:  // a map lookup whose NULL/"" cases differ from the C++ semantics
    case Kind::kCustom:
      return std::nullopt;
  }
  return std::nullopt;
}

std::string pushdown_sql(const Predicate& p) {
  if (auto exact = exact_sql(p)) return *exact;
  if (p.kind() == Kind::kAnd) {
    return "(" + pushdown_sql(p.children().at(0)) + " AND " + pushdown_sql(p.children().at(1)) +
           ")";
  }
  return "true";
}

}  // namespace dls::store_detail

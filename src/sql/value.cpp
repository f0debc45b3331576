#include "dls/sql/value.h"

#include <cmath>
#include <sstream>

#include "dls/core/error.h"

namespace dls::sql {

bool Value::as_bool() const {
  if (auto* b = std::get_if<bool>(&v_)) return *b;
  throw Error("SQL value is not a BOOLEAN: " + to_string());
}

int64_t Value::as_int() const {
  if (auto* i = std::get_if<int64_t>(&v_)) return *i;
  if (auto* b = std::get_if<bool>(&v_)) return *b ? 1 : 0;
  throw Error("SQL value is not an integer: " + to_string());
}

double Value::as_double() const {
  if (auto* d = std::get_if<double>(&v_)) return *d;
  if (auto* i = std::get_if<int64_t>(&v_)) return static_cast<double>(*i);
  throw Error("SQL value is not a number: " + to_string());
}

const std::string& Value::as_string() const {
  if (auto* s = std::get_if<std::string>(&v_)) return *s;
  throw Error("SQL value is not text: " + to_string());
}

std::string Value::to_string() const {
  if (is_null()) return "NULL";
  if (auto* b = std::get_if<bool>(&v_)) return *b ? "true" : "false";
  if (auto* i = std::get_if<int64_t>(&v_)) return std::to_string(*i);
  if (auto* d = std::get_if<double>(&v_)) {
    if (std::isnan(*d)) return "NaN";
    if (std::isinf(*d)) return *d > 0 ? "Infinity" : "-Infinity";
    std::ostringstream out;
    out.precision(17);
    out << *d;
    return out.str();
  }
  return std::get<std::string>(v_);
}

std::optional<std::string> Value::to_optional_string() const {
  if (is_null()) return std::nullopt;
  return to_string();
}

}  // namespace dls::sql

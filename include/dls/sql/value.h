// A single SQL value read from a DuckDB result, in the small set of C++ types dls needs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace dls::sql {

/// NULL, BOOLEAN, any integer (as int64), any float (as double) or text. Text also carries BLOBs
/// (raw bytes), DATE ("YYYY-MM-DD"), TIMESTAMP/TIMESTAMPTZ ("YYYY-MM-DD HH:MM:SS[.ffffff]", UTC),
/// DECIMAL and every other type DuckDB renders as VARCHAR.
class Value {
 public:
  Value() = default;
  Value(bool v) : v_(v) {}                    // NOLINT(google-explicit-constructor)
  Value(int64_t v) : v_(v) {}                 // NOLINT
  Value(double v) : v_(v) {}                  // NOLINT
  Value(std::string v) : v_(std::move(v)) {}  // NOLINT

  bool is_null() const { return std::holds_alternative<std::monostate>(v_); }
  bool is_bool() const { return std::holds_alternative<bool>(v_); }
  bool is_int() const { return std::holds_alternative<int64_t>(v_); }
  bool is_double() const { return std::holds_alternative<double>(v_); }
  bool is_string() const { return std::holds_alternative<std::string>(v_); }

  /// Typed accessors; they throw dls::Error when the value holds another type (or NULL).
  bool as_bool() const;
  int64_t as_int() const;
  double as_double() const;  // ints convert
  const std::string& as_string() const;

  /// A readable rendering: NULL as "NULL", booleans as true/false, numbers as in SQL.
  std::string to_string() const;
  std::optional<std::string> to_optional_string() const;

  bool operator==(const Value& other) const = default;

 private:
  std::variant<std::monostate, bool, int64_t, double, std::string> v_;
};

}  // namespace dls::sql

// Spark SQL data types, as written in CAST targets, DDL schema strings and typed literals, and
// their DuckDB equivalents.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace dls::sql::spark {

/// A Spark data type. kUnknown is used by the translator when a type cannot be inferred statically
/// (e.g. a column reference without a schema).
struct SparkType {
  enum class Kind {
    kUnknown,
    kNull,
    kBoolean,
    kTinyInt,
    kSmallInt,
    kInt,
    kBigInt,
    kFloat,
    kDouble,
    kDecimal,
    kString,
    kBinary,
    kDate,
    kTimestamp,     // TIMESTAMP / TIMESTAMP_LTZ
    kTimestampNtz,  // TIMESTAMP_NTZ
    kTime,
    kYearMonthInterval,
    kDayTimeInterval,
    kArray,
    kMap,
    kStruct,
  };
  struct Field;

  Kind kind = Kind::kUnknown;
  int precision = 0;  // kDecimal
  int scale = 0;      // kDecimal
  /// kArray: {element}; kMap: {key, value}.
  std::vector<SparkType> children;
  /// kStruct: the fields in order.
  std::vector<Field> fields;

  static SparkType of(Kind k);
  static SparkType decimal(int p, int s);
  static SparkType array(SparkType element);
  static SparkType map(SparkType key, SparkType value);

  bool is(Kind k) const { return kind == k; }
  bool known() const { return kind != Kind::kUnknown; }
  bool is_integral() const;
  bool is_numeric() const;  // integral, decimal, float, double
  bool is_string_like() const { return kind == Kind::kString; }
  bool is_datetime() const {
    return kind == Kind::kDate || kind == Kind::kTimestamp || kind == Kind::kTimestampNtz;
  }
  const SparkType& element() const { return children.at(0); }

  /// Spark's own spelling: INT, BIGINT, DECIMAL(10,2), ARRAY<STRING>, STRUCT<a: INT>.
  std::string spark_name() const;
  /// The DuckDB type that holds this type's values: INTEGER, DECIMAL(10,2), VARCHAR[],
  /// STRUCT("a" INTEGER), MAP(VARCHAR, INTEGER). TIMESTAMP and TIMESTAMP_NTZ both map to DuckDB
  /// TIMESTAMP (UTC wall clock; the local engine's session time zone is UTC). Throws
  /// UnsupportedSparkSyntaxError for kUnknown/kNull.
  std::string duckdb_name() const;

  bool operator==(const SparkType& other) const;
};

struct SparkType::Field {
  std::string name;
  SparkType type;
  bool nullable = true;
  std::string comment;
  bool operator==(const Field& other) const = default;
};

// Defined once Field is complete: clang (14 to 16) with libstdc++ 12 instantiates the vectors'
// constexpr members at an in-class definition and rejects the incomplete Field (the fuzz build).
inline SparkType SparkType::of(Kind k) {
  return SparkType{k};
}

/// The numeric type wide enough for both (Spark's type widening for arithmetic and CASE branches);
/// kUnknown when either is unknown or they are not both numeric.
SparkType wider_numeric(const SparkType& a, const SparkType& b);

}  // namespace dls::sql::spark

#include "dls/sql/spark/spark_type.h"

#include <algorithm>

#include "dls/sql/quote.h"
#include "dls/sql/spark/spark_error.h"

namespace dls::sql::spark {

using K = SparkType::Kind;

SparkType SparkType::decimal(int p, int s) {
  SparkType t{K::kDecimal};
  t.precision = p;
  t.scale = s;
  return t;
}

SparkType SparkType::array(SparkType element) {
  SparkType t{K::kArray};
  t.children.push_back(std::move(element));
  return t;
}

SparkType SparkType::map(SparkType key, SparkType value) {
  SparkType t{K::kMap};
  t.children.push_back(std::move(key));
  t.children.push_back(std::move(value));
  return t;
}

bool SparkType::is_integral() const {
  return kind == K::kTinyInt || kind == K::kSmallInt || kind == K::kInt || kind == K::kBigInt;
}

bool SparkType::is_numeric() const {
  return is_integral() || kind == K::kDecimal || kind == K::kFloat || kind == K::kDouble;
}

bool SparkType::operator==(const SparkType& o) const {
  return kind == o.kind && precision == o.precision && scale == o.scale && children == o.children &&
         fields == o.fields;
}

std::string SparkType::spark_name() const {
  switch (kind) {
    case K::kUnknown:
      return "UNKNOWN";
    case K::kNull:
      return "VOID";
    case K::kBoolean:
      return "BOOLEAN";
    case K::kTinyInt:
      return "TINYINT";
    case K::kSmallInt:
      return "SMALLINT";
    case K::kInt:
      return "INT";
    case K::kBigInt:
      return "BIGINT";
    case K::kFloat:
      return "FLOAT";
    case K::kDouble:
      return "DOUBLE";
    case K::kDecimal:
      return "DECIMAL(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
    case K::kString:
      return "STRING";
    case K::kBinary:
      return "BINARY";
    case K::kDate:
      return "DATE";
    case K::kTimestamp:
      return "TIMESTAMP";
    case K::kTimestampNtz:
      return "TIMESTAMP_NTZ";
    case K::kTime:
      return "TIME";
    case K::kYearMonthInterval:
      return "INTERVAL YEAR TO MONTH";
    case K::kDayTimeInterval:
      return "INTERVAL DAY TO SECOND";
    case K::kArray:
      return "ARRAY<" + element().spark_name() + ">";
    case K::kMap:
      return "MAP<" + children.at(0).spark_name() + ", " + children.at(1).spark_name() + ">";
    case K::kStruct: {
      std::string out = "STRUCT<";
      for (size_t i = 0; i < fields.size(); ++i) {
        if (i) out += ", ";
        out += fields[i].name + ": " + fields[i].type.spark_name();
        if (!fields[i].nullable) out += " NOT NULL";
      }
      return out + ">";
    }
  }
  return "UNKNOWN";
}

std::string SparkType::duckdb_name() const {
  switch (kind) {
    case K::kUnknown:
    case K::kNull:
      throw UnsupportedSparkSyntaxError(
          "the Spark type " + spark_name() + " has no DuckDB equivalent", 0);
    case K::kBoolean:
      return "BOOLEAN";
    case K::kTinyInt:
      return "TINYINT";
    case K::kSmallInt:
      return "SMALLINT";
    case K::kInt:
      return "INTEGER";
    case K::kBigInt:
      return "BIGINT";
    case K::kFloat:
      return "FLOAT";
    case K::kDouble:
      return "DOUBLE";
    case K::kDecimal:
      return "DECIMAL(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
    case K::kString:
      return "VARCHAR";
    case K::kBinary:
      return "BLOB";
    case K::kDate:
      return "DATE";
    case K::kTimestamp:
    case K::kTimestampNtz:
      return "TIMESTAMP";
    case K::kTime:
      return "TIME";
    case K::kYearMonthInterval:
    case K::kDayTimeInterval:
      return "INTERVAL";
    case K::kArray:
      return element().duckdb_name() + "[]";
    case K::kMap:
      return "MAP(" + children.at(0).duckdb_name() + ", " + children.at(1).duckdb_name() + ")";
    case K::kStruct: {
      std::string out = "STRUCT(";
      for (size_t i = 0; i < fields.size(); ++i) {
        if (i) out += ", ";
        out += quote_identifier(fields[i].name) + " " + fields[i].type.duckdb_name();
      }
      return out + ")";
    }
  }
  return "VARCHAR";
}

namespace {
int rank(K k) {
  switch (k) {
    case K::kTinyInt:
      return 1;
    case K::kSmallInt:
      return 2;
    case K::kInt:
      return 3;
    case K::kBigInt:
      return 4;
    case K::kDecimal:
      return 5;
    case K::kFloat:
      return 6;
    case K::kDouble:
      return 7;
    default:
      return 0;
  }
}
int integral_digits(K k) {
  switch (k) {
    case K::kTinyInt:
      return 3;
    case K::kSmallInt:
      return 5;
    case K::kInt:
      return 10;
    default:
      return 20;
  }
}
}  // namespace

SparkType wider_numeric(const SparkType& a, const SparkType& b) {
  if (a.is(K::kNull)) return b;
  if (b.is(K::kNull)) return a;
  if (!a.is_numeric() || !b.is_numeric()) return SparkType{};
  if (a.kind == K::kDecimal || b.kind == K::kDecimal) {
    if (a.kind == K::kFloat || a.kind == K::kDouble || b.kind == K::kFloat || b.kind == K::kDouble)
      return SparkType::of(K::kDouble);
    auto p_s = [](const SparkType& t) {
      return t.kind == K::kDecimal ? std::pair{t.precision, t.scale}
                                   : std::pair{integral_digits(t.kind), 0};
    };
    auto [p1, s1] = p_s(a);
    auto [p2, s2] = p_s(b);
    int scale = std::max(s1, s2);
    int whole = std::max(p1 - s1, p2 - s2);
    return SparkType::decimal(std::min(38, whole + scale), scale);
  }
  return rank(a.kind) >= rank(b.kind) ? a : b;
}

}  // namespace dls::sql::spark

// The Delta table schema: Spark's JSON type system (PROTOCOL.md "Schema Serialization Format")
// and its mapping to DuckDB types.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace dls::delta {

struct StructField;

/// A Delta data type. kind is one of: a primitive name ("string", "long", "integer", "short",
/// "byte", "float", "double", "decimal", "boolean", "binary", "date", "timestamp",
/// "timestamp_ntz", "variant"), or "struct", "array", "map".
struct DataType {
  std::string kind;
  int precision = 0, scale = 0;          // decimal
  std::vector<StructField> fields;       // struct
  std::shared_ptr<DataType> element;     // array
  bool contains_null = true;             // array
  std::shared_ptr<DataType> key, value;  // map
  bool value_contains_null = true;       // map

  static DataType primitive(std::string name);
  static DataType decimal(int precision, int scale);
  static DataType array(DataType element, bool contains_null = true);
  static DataType map(DataType key, DataType value, bool value_contains_null = true);
  static DataType structure(std::vector<StructField> fields);

  bool is_primitive() const;
  /// Spark's JSON form: "long", {"type":"struct",...}, {"type":"array",...}, "decimal(10,2)".
  nlohmann::json to_json() const;
  static DataType from_json(const nlohmann::json& j);
  /// DuckDB's spelling: BIGINT, VARCHAR, DECIMAL(10,2), STRUCT("a" INTEGER), INTEGER[],
  /// MAP(VARCHAR, BIGINT), TIMESTAMP WITH TIME ZONE (timestamp), TIMESTAMP (timestamp_ntz).
  /// Throws UnsupportedFeatureError for types DuckDB cannot represent (variant).
  std::string to_duckdb() const;
  /// Parses a DuckDB type name as printed by DESCRIBE (the inverse of to_duckdb, plus the integer
  /// and float aliases). Throws dls::Error for types Delta cannot store (e.g. UHUGEINT, UNION).
  static DataType from_duckdb(const std::string& duckdb_type);
  bool operator==(const DataType& other) const;
};

/// Spark SQL's spelling of a type, as DESCRIBE TABLE shows it: bigint, decimal(10,2),
/// array<string>, map<string,int>, struct<a:int,b:string>.
std::string spark_type_name(const DataType& type);

struct StructField {
  std::string name;
  DataType type;
  bool nullable = true;
  nlohmann::json metadata = nlohmann::json::object();
  bool operator==(const StructField& other) const;
};

/// The table's top-level struct.
struct Schema {
  std::vector<StructField> fields;
  const StructField* find(const std::string& name) const;  // case-insensitive, as Spark
  std::string to_json_string() const;                      // for Metadata::schema_string
  static Schema from_json_string(const std::string& schema_string);
  bool operator==(const Schema& other) const = default;
};

}  // namespace dls::delta

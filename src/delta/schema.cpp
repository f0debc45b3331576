// The Delta schema: Spark's JSON type system and its mapping to and from DuckDB type names.
#include "dls/delta/schema.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string_view>

#include "dls/core/error.h"
#include "dls/delta/delta_error.h"
#include "dls/sql/quote.h"

namespace dls::delta {

using nlohmann::json;

namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

StructField field_from_json(const json& j) {
  if (!j.is_object()) throw Error("schema: a struct field must be a JSON object");
  StructField f;
  auto name = j.find("name");
  if (name == j.end() || !name->is_string()) throw Error("schema: a struct field has no name");
  f.name = name->get<std::string>();
  auto type = j.find("type");
  if (type == j.end()) throw Error("schema: field '" + f.name + "' has no type");
  f.type = DataType::from_json(*type);
  auto nullable = j.find("nullable");
  f.nullable = nullable == j.end() || !nullable->is_boolean() || nullable->get<bool>();
  auto metadata = j.find("metadata");
  if (metadata != j.end() && metadata->is_object()) f.metadata = *metadata;
  return f;
}

json field_to_json(const StructField& f) {
  return {{"name", f.name},
          {"type", f.type.to_json()},
          {"nullable", f.nullable},
          {"metadata", f.metadata.is_object() ? f.metadata : json::object()}};
}

bool same_type(const std::shared_ptr<DataType>& a, const std::shared_ptr<DataType>& b) {
  if (!a || !b) return !a && !b;
  return *a == *b;
}

/// A recursive-descent parser of DuckDB type names as DESCRIBE prints them:
/// BIGINT, DECIMAL(10,2), VARCHAR[], INTEGER[3], STRUCT("a b" INTEGER, c VARCHAR[]),
/// MAP(VARCHAR, BIGINT), TIMESTAMP WITH TIME ZONE.
class DuckTypeParser {
 public:
  explicit DuckTypeParser(std::string_view text) : s_(text) {}

  DataType parse_all() {
    DataType t = parse_type();
    skip_ws();
    if (pos_ != s_.size()) fail("unexpected text");
    return t;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw Error("cannot map DuckDB type '" + std::string(s_) + "' to a Delta type: " + why);
  }
  void skip_ws() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool peek(char c) {
    skip_ws();
    return pos_ < s_.size() && s_[pos_] == c;
  }
  void expect(char c) {
    if (!peek(c)) fail(std::string("expected '") + c + "'");
    ++pos_;
  }
  std::string word() {
    skip_ws();
    size_t start = pos_;
    while (pos_ < s_.size() &&
           (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_'))
      ++pos_;
    if (start == pos_) fail("expected a type name");
    return std::string(s_.substr(start, pos_ - start));
  }
  /// A struct field name: "quoted ""name""" or a bare word.
  std::string name() {
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == '"') {
      std::string out;
      ++pos_;
      while (pos_ < s_.size()) {
        if (s_[pos_] == '"') {
          if (pos_ + 1 < s_.size() && s_[pos_ + 1] == '"') {
            out.push_back('"');
            pos_ += 2;
            continue;
          }
          ++pos_;
          return out;
        }
        out.push_back(s_[pos_++]);
      }
      fail("unterminated quoted name");
    }
    return word();
  }
  int number() {
    skip_ws();
    size_t start = pos_;
    while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    if (start == pos_) fail("expected a number");
    return std::stoi(std::string(s_.substr(start, pos_ - start)));
  }
  /// Skips a balanced parenthesised group (e.g. ENUM('a', 'b')).
  void skip_group() {
    expect('(');
    int depth = 1;
    bool in_quote = false;
    while (pos_ < s_.size() && depth > 0) {
      char c = s_[pos_++];
      if (in_quote) {
        if (c == '\'') in_quote = false;
      } else if (c == '\'') {
        in_quote = true;
      } else if (c == '(') {
        ++depth;
      } else if (c == ')') {
        --depth;
      }
    }
    if (depth != 0) fail("unbalanced parentheses");
  }

  DataType parse_type() {
    DataType t = parse_base();
    // Postfix list/array markers: X[] (LIST) and X[N] (ARRAY) both become a Delta array.
    while (peek('[')) {
      ++pos_;
      skip_ws();
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      expect(']');
      t = DataType::array(std::move(t));
    }
    return t;
  }

  DataType parse_base() {
    std::string w = upper(word());
    if (w == "STRUCT" || w == "ROW") {
      expect('(');
      std::vector<StructField> fields;
      if (!peek(')')) {
        for (;;) {
          StructField f;
          f.name = name();
          f.type = parse_type();
          fields.push_back(std::move(f));
          if (peek(',')) {
            ++pos_;
            continue;
          }
          break;
        }
      }
      expect(')');
      return DataType::structure(std::move(fields));
    }
    if (w == "MAP") {
      expect('(');
      DataType k = parse_type();
      expect(',');
      DataType v = parse_type();
      expect(')');
      return DataType::map(std::move(k), std::move(v));
    }
    if (w == "LIST") {
      expect('(');
      DataType e = parse_type();
      expect(')');
      return DataType::array(std::move(e));
    }
    if (w == "DECIMAL" || w == "NUMERIC") {
      if (!peek('(')) return DataType::decimal(18, 3);  // DuckDB's default
      ++pos_;
      int p = number();
      int s = 0;
      if (peek(',')) {
        ++pos_;
        s = number();
      }
      expect(')');
      if (p < 1 || p > 38 || s < 0 || s > p) fail("decimal precision must be 1..38");
      return DataType::decimal(p, s);
    }
    if (w == "TIMESTAMP") {
      // TIMESTAMP WITH TIME ZONE
      size_t save = pos_;
      skip_ws();
      size_t start = pos_;
      while (pos_ < s_.size() &&
             (std::isalpha(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == ' '))
        ++pos_;
      std::string rest = upper(s_.substr(start, pos_ - start));
      while (!rest.empty() && rest.back() == ' ') {
        rest.pop_back();
        --pos_;
      }
      if (rest == "WITH TIME ZONE") return DataType::primitive("timestamp");
      pos_ = save;
      return DataType::primitive("timestamp_ntz");
    }
    if (w == "ENUM") {
      skip_group();
      return DataType::primitive("string");
    }
    if (w == "VARCHAR" || w == "CHAR" || w == "BPCHAR" || w == "TEXT" || w == "STRING") {
      if (peek('(')) skip_group();  // VARCHAR(n): the length is not enforced by DuckDB either
      return DataType::primitive("string");
    }
    if (w == "UUID" || w == "JSON") return DataType::primitive("string");
    if (w == "BIGINT" || w == "INT8" || w == "LONG" || w == "UINTEGER")
      return DataType::primitive("long");
    if (w == "INTEGER" || w == "INT" || w == "INT4" || w == "SIGNED" || w == "USMALLINT")
      return DataType::primitive("integer");
    if (w == "SMALLINT" || w == "INT2" || w == "SHORT" || w == "UTINYINT")
      return DataType::primitive("short");
    if (w == "TINYINT" || w == "INT1") return DataType::primitive("byte");
    if (w == "FLOAT" || w == "FLOAT4" || w == "REAL") return DataType::primitive("float");
    if (w == "DOUBLE" || w == "FLOAT8") return DataType::primitive("double");
    if (w == "BOOLEAN" || w == "BOOL" || w == "LOGICAL") return DataType::primitive("boolean");
    if (w == "BLOB" || w == "BYTEA" || w == "BINARY" || w == "VARBINARY")
      return DataType::primitive("binary");
    if (w == "DATE") return DataType::primitive("date");
    if (w == "TIMESTAMPTZ") return DataType::primitive("timestamp");
    if (w == "DATETIME" || w == "TIMESTAMP_US" || w == "TIMESTAMP_MS" || w == "TIMESTAMP_S" ||
        w == "TIMESTAMP_NS")
      return DataType::primitive("timestamp_ntz");
    fail(
        "Delta has no equivalent type (use a cast: e.g. UBIGINT/HUGEINT to DECIMAL(38,0), "
        "TIME/INTERVAL to VARCHAR)");
  }

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

DataType DataType::primitive(std::string name) {
  DataType t;
  t.kind = std::move(name);
  return t;
}

DataType DataType::decimal(int precision, int scale) {
  DataType t;
  t.kind = "decimal";
  t.precision = precision;
  t.scale = scale;
  return t;
}

DataType DataType::array(DataType element, bool contains_null) {
  DataType t;
  t.kind = "array";
  t.element = std::make_shared<DataType>(std::move(element));
  t.contains_null = contains_null;
  return t;
}

DataType DataType::map(DataType key, DataType value, bool value_contains_null) {
  DataType t;
  t.kind = "map";
  t.key = std::make_shared<DataType>(std::move(key));
  t.value = std::make_shared<DataType>(std::move(value));
  t.value_contains_null = value_contains_null;
  return t;
}

DataType DataType::structure(std::vector<StructField> fields) {
  DataType t;
  t.kind = "struct";
  t.fields = std::move(fields);
  return t;
}

bool DataType::is_primitive() const {
  return kind != "struct" && kind != "array" && kind != "map";
}

json DataType::to_json() const {
  if (kind == "decimal") {
    return "decimal(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
  }
  if (kind == "struct") {
    json fs = json::array();
    for (const auto& f : fields) fs.push_back(field_to_json(f));
    return {{"type", "struct"}, {"fields", std::move(fs)}};
  }
  if (kind == "array") {
    return {
        {"type", "array"}, {"elementType", element->to_json()}, {"containsNull", contains_null}};
  }
  if (kind == "map") {
    return {{"type", "map"},
            {"keyType", key->to_json()},
            {"valueType", value->to_json()},
            {"valueContainsNull", value_contains_null}};
  }
  return kind;
}

DataType DataType::from_json(const json& j) {
  if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    if (s.rfind("decimal", 0) == 0) {
      // "decimal(p,s)", possibly with spaces; bare "decimal" is Spark's default (10,0).
      if (s == "decimal") return decimal(10, 0);
      int p = 0, sc = 0;
      if (std::sscanf(s.c_str(), "decimal(%d,%d)", &p, &sc) == 2 ||
          std::sscanf(s.c_str(), "decimal( %d , %d )", &p, &sc) == 2) {
        return decimal(p, sc);
      }
      throw Error("schema: invalid decimal type '" + s + "'");
    }
    if (s == "int") return primitive("integer");
    if (s.rfind("varchar(", 0) == 0 || s.rfind("char(", 0) == 0) return primitive("string");
    // Unknown primitive names are kept as they are: reading such a column fails in to_duckdb()
    // with an UnsupportedFeatureError that names the type, rather than here.
    return primitive(s);
  }
  if (!j.is_object()) throw Error("schema: a type must be a string or an object: " + j.dump());
  auto type = j.find("type");
  if (type == j.end() || !type->is_string()) throw Error("schema: a complex type has no 'type'");
  const std::string& kind = type->get_ref<const std::string&>();
  if (kind == "struct") {
    std::vector<StructField> fs;
    auto fields = j.find("fields");
    if (fields != j.end() && fields->is_array()) {
      fs.reserve(fields->size());
      for (const auto& f : *fields) fs.push_back(field_from_json(f));
    }
    return structure(std::move(fs));
  }
  if (kind == "array") {
    auto et = j.find("elementType");
    if (et == j.end()) throw Error("schema: array type without elementType");
    auto cn = j.find("containsNull");
    return array(from_json(*et), cn == j.end() || !cn->is_boolean() || cn->get<bool>());
  }
  if (kind == "map") {
    auto kt = j.find("keyType");
    auto vt = j.find("valueType");
    if (kt == j.end() || vt == j.end()) throw Error("schema: map type without keyType/valueType");
    auto vcn = j.find("valueContainsNull");
    return map(from_json(*kt), from_json(*vt),
               vcn == j.end() || !vcn->is_boolean() || vcn->get<bool>());
  }
  throw Error("schema: unknown complex type '" + kind + "'");
}

std::string DataType::to_duckdb() const {
  if (kind == "string") return "VARCHAR";
  if (kind == "long") return "BIGINT";
  if (kind == "integer") return "INTEGER";
  if (kind == "short") return "SMALLINT";
  if (kind == "byte") return "TINYINT";
  if (kind == "float") return "FLOAT";
  if (kind == "double") return "DOUBLE";
  if (kind == "boolean") return "BOOLEAN";
  if (kind == "binary") return "BLOB";
  if (kind == "date") return "DATE";
  if (kind == "timestamp") return "TIMESTAMP WITH TIME ZONE";
  if (kind == "timestamp_ntz") return "TIMESTAMP";
  if (kind == "decimal") {
    return "DECIMAL(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
  }
  if (kind == "struct") {
    std::string out = "STRUCT(";
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i) out += ", ";
      out += sql::quote_identifier(fields[i].name) + " " + fields[i].type.to_duckdb();
    }
    return out + ")";
  }
  if (kind == "array") return element->to_duckdb() + "[]";
  if (kind == "map") return "MAP(" + key->to_duckdb() + ", " + value->to_duckdb() + ")";
  if (kind == "void") return "INTEGER";  // Spark's NullType: always NULL
  if (kind == "variant") {
    throw UnsupportedFeatureError(
        "the Delta type 'variant' is not supported by dls yet (the table uses the variantType "
        "feature); refusing to read rather than return wrong values");
  }
  throw UnsupportedFeatureError("the Delta type '" + kind + "' is not supported by dls");
}

DataType DataType::from_duckdb(const std::string& duckdb_type) {
  return DuckTypeParser(duckdb_type).parse_all();
}

bool DataType::operator==(const DataType& other) const {
  if (kind != other.kind) return false;
  if (kind == "decimal") return precision == other.precision && scale == other.scale;
  if (kind == "struct") return fields == other.fields;
  if (kind == "array")
    return contains_null == other.contains_null && same_type(element, other.element);
  if (kind == "map") {
    return value_contains_null == other.value_contains_null && same_type(key, other.key) &&
           same_type(value, other.value);
  }
  return true;
}

bool StructField::operator==(const StructField& other) const {
  return name == other.name && type == other.type && nullable == other.nullable &&
         metadata == other.metadata;
}

const StructField* Schema::find(const std::string& name) const {
  for (const auto& f : fields)
    if (f.name == name) return &f;
  for (const auto& f : fields)
    if (iequals(f.name, name)) return &f;
  return nullptr;
}

std::string Schema::to_json_string() const {
  json fs = json::array();
  for (const auto& f : fields) fs.push_back(field_to_json(f));
  return json{{"type", "struct"}, {"fields", std::move(fs)}}.dump();
}

Schema Schema::from_json_string(const std::string& schema_string) {
  json j;
  try {
    j = json::parse(schema_string);
  } catch (const json::exception& e) {
    throw Error(std::string("schema: invalid JSON in schemaString: ") + e.what());
  }
  DataType t = DataType::from_json(j);
  if (t.kind != "struct") throw Error("schema: the table schema must be a struct");
  Schema s;
  s.fields = std::move(t.fields);
  return s;
}

// Spark SQL's spelling of a type, as DESCRIBE TABLE shows it: bigint, decimal(10,2),
// array<string>, map<string,int>, struct<a:int,b:string>.
std::string spark_type_name(const DataType& t) {
  if (t.kind == "struct") {
    std::string s = "struct<";
    for (size_t i = 0; i < t.fields.size(); ++i) {
      if (i) s += ",";
      s += t.fields[i].name + ":" + spark_type_name(t.fields[i].type);
    }
    return s + ">";
  }
  if (t.kind == "array") return "array<" + (t.element ? spark_type_name(*t.element) : "?") + ">";
  if (t.kind == "map") {
    return "map<" + (t.key ? spark_type_name(*t.key) : "?") + "," +
           (t.value ? spark_type_name(*t.value) : "?") + ">";
  }
  if (t.kind == "decimal") {
    return "decimal(" + std::to_string(t.precision) + "," + std::to_string(t.scale) + ")";
  }
  if (t.kind == "long") return "bigint";
  if (t.kind == "integer") return "int";
  if (t.kind == "short") return "smallint";
  if (t.kind == "byte") return "tinyint";
  return t.kind;
}

}  // namespace dls::delta

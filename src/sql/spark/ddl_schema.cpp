#include "dls/sql/spark/ddl_schema.h"

#include <algorithm>
#include <set>

#include "dls/sql/spark/parser.h"
#include "dls/sql/spark/spark_error.h"

namespace dls::sql::spark {

std::vector<ColumnSpec> parse_ddl_schema(std::string_view ddl) {
  if (ddl.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    throw InvalidMetadataError(
        "empty Spark DDL schema: expected columns such as 'id INT, name STRING'");
  }
  static const std::string kPrefix = "STRUCT<";
  std::string wrapped = kPrefix + std::string(ddl) + ">";
  SparkType t;
  try {
    t = parse_type(wrapped);
  } catch (const SparkSyntaxError& e) {
    size_t pos = e.position() >= kPrefix.size() ? e.position() - kPrefix.size() : 0;
    pos = std::min(pos, ddl.size());
    std::string what = e.what();
    std::string head = what.substr(0, what.find(" at position "));
    throw SparkSyntaxError(describe_position(head + " in DDL schema", ddl, pos), pos);
  }
  std::vector<ColumnSpec> out;
  std::set<std::string> seen;
  for (auto& f : t.fields) {
    std::string key = f.name;
    std::transform(key.begin(), key.end(), key.begin(), ::tolower);
    if (!seen.insert(key).second) {
      throw InvalidMetadataError("duplicate column '" + f.name + "' in Spark DDL schema '" +
                                 std::string(ddl) + "'");
    }
    out.push_back(ColumnSpec{f.name, f.type, f.type.duckdb_name(), f.nullable, f.comment});
  }
  return out;
}

}  // namespace dls::sql::spark

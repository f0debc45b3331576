#include "dls/sql/spark/dialect.h"

#include "dls/sql/spark/parser.h"

namespace dls::sql::spark {

std::string translate_expression(std::string_view spark_expr, const TranslateOptions& options) {
  auto e = parse_expression(spark_expr);
  Printer p(spark_expr, options);
  return p.expr(*e).sql;
}

std::string translate_select_item(std::string_view spark_item, const TranslateOptions& options) {
  std::string q = "SELECT " + std::string(spark_item);
  auto parsed = parse_query(q);
  if (parsed->items.size() != 1 || !parsed->from.empty() || parsed->where || parsed->next) {
    throw SparkSyntaxError("Spark SQL syntax error: expected one select expression, got '" +
                               std::string(spark_item) + "'",
                           0);
  }
  Printer p(q, options);
  std::string sql = p.query(*parsed);
  return sql.substr(7);  // drop "SELECT "
}

std::string translate_query(std::string_view spark_sql, const TranslateOptions& options) {
  auto q = parse_query(spark_sql);
  Printer p(spark_sql, options);
  return p.query(*q);
}

}  // namespace dls::sql::spark

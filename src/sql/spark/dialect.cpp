#include "dls/sql/spark/dialect.h"

#include <set>

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
  // A generator in a select list becomes a lateral view of the query; one select item alone
  // cannot hold it, so translate it as an expression, which refuses it with its reason.
  if (parsed->items[0].expr->kind == Expr::Kind::kFunction) {
    static const std::set<std::string> kGenerators = {
        "explode", "explode_outer", "posexplode", "posexplode_outer",
        "inline",  "inline_outer",  "stack"};
    if (kGenerators.count(parsed->items[0].expr->name)) p.expr(*parsed->items[0].expr);
  }
  std::string sql = p.query(*parsed);
  return sql.substr(7);  // drop "SELECT "
}

std::string translate_query(std::string_view spark_sql, const TranslateOptions& options) {
  auto q = parse_query(spark_sql);
  Printer p(spark_sql, options);
  return p.query(*q);
}

}  // namespace dls::sql::spark

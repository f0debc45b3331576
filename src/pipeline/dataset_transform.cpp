#include "dls/pipeline/dataset_transform.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>

#include "dls/core/error.h"
#include "dls/sql/quote.h"
#include "dls/sql/spark/dialect.h"
#include "dls/sql/spark/parser.h"
#include "dls/sql/sql_error.h"
#include "pipeline/engine_message.h"
#include "pipeline/storage_type.h"

namespace dls::pipeline {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

/// The DuckDB SQL of a select_expr entry whose Spark type is TIMESTAMP (LTZ) -- a cast,
/// to_timestamp, current_timestamp... -- made a TIMESTAMP WITH TIME ZONE so that the column is
/// written as a Delta `timestamp` (see storage_type.h); nullopt for every other entry, translated
/// as usual. Only aliased entries: an unaliased expression keeps the name the translation gives it.
std::optional<std::string> as_utc_timestamp(const std::string& item) {
  const std::string q = "SELECT " + item;
  auto parsed = sql::spark::parse_query(q);
  if (parsed->items.size() != 1 || parsed->items[0].alias.empty()) return std::nullopt;
  sql::spark::Printer printer(q);
  auto typed = printer.expr(*parsed->items[0].expr);
  if (!typed.type.is(sql::spark::SparkType::Kind::kTimestamp)) return std::nullopt;
  return "CAST(" + typed.sql + " AS TIMESTAMP WITH TIME ZONE) AS " +
         sql::quote_identifier(parsed->items[0].alias);
}

/// DuckDB SQL of one select_expr entry; `options` may give the source columns' Spark types.
std::string translate_item(const std::string& item, const sql::spark::TranslateOptions& options) {
  if (auto utc = as_utc_timestamp(item)) return *utc;
  return sql::spark::translate_select_item(item, options);
}

}  // namespace

std::string DatasetTransform::explain_failure(sql::Connection& con, const std::string& input_sql,
                                              const std::string& star,
                                              const sql::SqlError& error) const {
  // The columns the items can use, as the user sees them (hidden ones left out).
  std::vector<std::string> columns;
  try {
    for (const auto& row :
         con.query("DESCRIBE SELECT " + star + " FROM (" + input_sql + ") AS __dls_src").rows()) {
      columns.push_back(row.at(0).as_string());
    }
  } catch (const sql::SqlError&) {
  }
  // The first item that does not bind on its own is the one to name.
  for (size_t i = 0; i < items_.size(); ++i) {
    const auto& [spark, duck] = items_[i];
    const std::string item = trim(duck) == "*" ? star : duck;
    try {
      con.query("DESCRIBE SELECT " + item + " FROM (" + input_sql + ") AS __dls_src");
    } catch (const sql::SqlError& e) {
      return "entity '" + entity_id_ + "': select_expr[" + std::to_string(i) + "] `" + spark +
             "`: " + describe_engine_problem(explain_engine_error(e.what()), columns) +
             ". Fix the expression (select_expr is Spark SQL over the source's columns)";
    }
  }
  std::string items;
  for (const auto& [spark, duck] : items_) items += (items.empty() ? "`" : "`, `") + spark;
  if (!items.empty()) items += "`";
  return "entity '" + entity_id_ + "': select_expr [" + items +
         "] does not apply to the source rows: " +
         describe_engine_problem(explain_engine_error(error.what()), columns);
}

DatasetTransform DatasetTransform::compile(const DeltaLiveEntity& entity) {
  DatasetTransform t;
  t.entity_id_ = entity.entity_id;
  if (entity.source_schema && !trim(*entity.source_schema).empty()) {
    try {
      std::vector<SchemaColumn> cols;
      for (const auto& c : sql::spark::parse_ddl_schema(*entity.source_schema)) {
        cols.push_back({c.name, storage_duckdb_type(c.spark_type)});
      }
      t.schema_ = std::move(cols);
    } catch (const Error& e) {
      throw InvalidMetadataError("entity '" + entity.entity_id + "': source_schema '" +
                                 *entity.source_schema + "': " + e.what());
    }
  }
  for (const auto& item : entity.select_expr) {
    try {
      t.items_.emplace_back(item, translate_item(item, {}));
    } catch (const Error& e) {
      throw InvalidMetadataError("entity '" + entity.entity_id + "': select_expr '" + item +
                                 "': " + e.what());
    }
  }
  for (size_t i = 0; i < entity.where_clause.size(); ++i) {
    const std::string& predicate = entity.where_clause[i];
    try {
      t.where_.emplace_back(predicate, sql::spark::translate_expression(predicate));
    } catch (const Error& e) {
      throw InvalidMetadataError("entity '" + entity.entity_id + "': where_clause[" +
                                 std::to_string(i) + "] '" + predicate + "': " + e.what());
    }
  }
  return t;
}

std::string DatasetTransform::apply(sql::Connection& con, const std::string& source_sql,
                                    const std::vector<std::string>& hidden) const {
  // Source columns (name as written, lower-case key).
  std::map<std::string, std::string> present;
  std::set<std::string> binary;  // lower-case names of BLOB columns
  for (const auto& row :
       con.query("DESCRIBE SELECT * FROM (" + source_sql + ") AS __dls_src").rows()) {
    present[lower(row.at(0).as_string())] = row.at(0).as_string();
    if (row.at(1).as_string() == "BLOB") binary.insert(lower(row.at(0).as_string()));
  }
  if (schema_) {
    binary.clear();
    for (const auto& c : *schema_) {
      if (c.duckdb_type == "BLOB") binary.insert(lower(c.name));
    }
  }
  // Spark's CAST(binary AS STRING) decodes UTF-8 where DuckDB's escapes the bytes: the items are
  // translated again knowing which columns are BINARY (a Kafka key/value, a binary file column).
  auto items = items_;
  auto where = where_;
  if (!binary.empty()) {
    sql::spark::TranslateOptions options;
    options.column_type =
        [&binary](const std::vector<std::string>& path) -> std::optional<sql::spark::SparkType> {
      if (path.size() != 1 || !binary.count(lower(path.back()))) return std::nullopt;
      return sql::spark::SparkType::of(sql::spark::SparkType::Kind::kBinary);
    };
    for (auto& [spark, duck] : items) duck = translate_item(spark, options);
    for (auto& [spark, duck] : where) duck = sql::spark::translate_expression(spark, options);
  }
  std::string current = source_sql;
  std::vector<std::string> hidden_present;  // as written in the source
  for (const auto& h : hidden) {
    auto it = present.find(lower(h));
    if (it != present.end()) hidden_present.push_back(it->second);
  }
  if (present.count("_metadata") && std::find(hidden_present.begin(), hidden_present.end(),
                                              present["_metadata"]) == hidden_present.end()) {
    hidden_present.push_back(present["_metadata"]);
  }
  const bool has_hidden = !hidden_present.empty();
  if (schema_) {
    std::string select;
    bool has_rescued = false;
    for (const auto& c : *schema_) {
      auto it = present.find(lower(c.name));
      std::string value = it == present.end() ? "NULL" : sql::quote_identifier(it->second);
      if (lower(c.name) == "_rescued_data") has_rescued = true;
      select += (select.empty() ? "" : ", ") + std::string("TRY_CAST(") + value + " AS " +
                c.duckdb_type + ") AS " + sql::quote_identifier(c.name);
    }
    if (!has_rescued && present.count("_rescued_data")) {
      select += ", " + sql::quote_identifier(present["_rescued_data"]);
    }
    for (const auto& h : hidden_present) {
      if (lower(h) != "_rescued_data") select += ", " + sql::quote_identifier(h);
    }
    current = "SELECT " + select + " FROM (" + current + ") AS __dls_src";
  }
  std::string star = "*";
  if (has_hidden) {
    star = "* EXCLUDE (";
    for (size_t i = 0; i < hidden_present.size(); ++i) {
      star += (i ? ", " : "") + sql::quote_identifier(hidden_present[i]);
    }
    star += ")";
  }
  std::string select;
  for (const auto& [spark, duck] : items) {
    select += (select.empty() ? "" : ", ") + (trim(duck) == "*" ? star : duck);
  }
  if (select.empty()) select = star;
  std::string out = select == "*" && !schema_
                        ? source_sql
                        : "SELECT " + select + " FROM (" + current + ") AS __dls_src";
  std::vector<std::vector<sql::Value>> described;
  try {
    described = con.query("DESCRIBE SELECT * FROM (" + out + ") AS __dls_out").rows();
  } catch (const sql::SqlError& e) {
    throw InvalidMetadataError(explain_failure(con, current, star, e));
  }
  if (!where.empty()) {
    // where_clause filters the rows select_expr produced (dlt-meta: selectExpr, then where).
    std::vector<std::string> columns;
    for (const auto& row : described) columns.push_back(row.at(0).as_string());
    std::string condition;
    for (size_t i = 0; i < where.size(); ++i) {
      const std::string one = "(" + where[i].second + ")";
      try {
        con.query("DESCRIBE SELECT * FROM (" + out + ") AS __dls_sel WHERE " + one);
      } catch (const sql::SqlError& e) {
        throw InvalidMetadataError(
            "entity '" + entity_id_ + "': where_clause[" + std::to_string(i) + "] `" +
            where[i].first +
            "`: " + describe_engine_problem(explain_engine_error(e.what()), columns) +
            ". Fix the predicate (where_clause is Spark SQL over the columns select_expr "
            "produces)");
      }
      condition += (condition.empty() ? "" : " AND ") + one;
    }
    out = "SELECT * FROM (" + out + ") AS __dls_sel WHERE " + condition;
  }
  // Types a Delta table cannot hold, made Spark-compatible: DuckDB's sum() of integers is a
  // HUGEINT (Spark: a bigint or decimal), UBIGINT has no Delta type either.
  std::string replace;
  for (const auto& row : described) {
    const std::string type = row.at(1).as_string();
    std::string to;
    if (type == "HUGEINT" || type == "UHUGEINT") to = "DECIMAL(38,0)";
    if (type == "UBIGINT") to = "DECIMAL(20,0)";
    if (to.empty()) continue;
    const std::string col = sql::quote_identifier(row.at(0).as_string());
    replace +=
        (replace.empty() ? "" : ", ") + std::string("CAST(") + col + " AS " + to + ") AS " + col;
  }
  if (!replace.empty()) out = "SELECT * REPLACE (" + replace + ") FROM (" + out + ") AS __dls_out";
  return out;
}

}  // namespace dls::pipeline

#include "dls/pipeline/expectations.h"

#include "dls/core/error.h"
#include "dls/sql/quote.h"
#include "dls/sql/spark/dialect.h"
#include "dls/sql/sql_error.h"
#include "pipeline/engine_message.h"

namespace dls::pipeline {

namespace {

std::string ok_column(size_t i) {
  return "\"__dls_ok_" + std::to_string(i) + "\"";
}

const char* field_name(ExpectationAction action) {
  switch (action) {
    case ExpectationAction::kWarn:
      return "expect_all";
    case ExpectationAction::kDrop:
      return "expect_all_or_drop";
    case ExpectationAction::kFail:
      return "expect_all_or_fail";
  }
  return "?";
}

}  // namespace

std::string to_string(ExpectationAction action) {
  switch (action) {
    case ExpectationAction::kWarn:
      return "warn";
    case ExpectationAction::kDrop:
      return "drop";
    case ExpectationAction::kFail:
      return "fail";
  }
  return "?";
}

ExpectationSet ExpectationSet::compile(const DeltaLiveEntity& entity) {
  ExpectationSet set;
  set.entity_id_ = entity.entity_id;
  auto add = [&](const StringMap& rules, ExpectationAction action) {
    for (const auto& [name, expr] : rules) {
      Expectation x;
      x.name = name;
      x.spark_sql = expr;
      x.action = action;
      try {
        x.duckdb_sql = sql::spark::translate_expression(expr);
      } catch (const Error& e) {
        throw InvalidMetadataError("entity '" + entity.entity_id + "': " + field_name(action) +
                                   " rule '" + name + "' (" + expr + "): " + e.what());
      }
      set.rules_.push_back(std::move(x));
    }
  };
  add(entity.expectations.expect_all, ExpectationAction::kWarn);
  add(entity.expectations.expect_all_or_drop, ExpectationAction::kDrop);
  add(entity.expectations.expect_all_or_fail, ExpectationAction::kFail);
  set.quarantine_ = entity.is_quarantined && !entity.expectations.expect_all.empty();
  return set;
}

std::string ExpectationSet::annotate_sql(const std::string& input_sql) const {
  std::string s = "SELECT *";
  for (size_t i = 0; i < rules_.size(); ++i) {
    s += ", coalesce(CAST((" + rules_[i].duckdb_sql + ") AS BOOLEAN), false) AS " + ok_column(i);
  }
  return s + " FROM (" + input_sql + ") AS __dls_input";
}

void ExpectationSet::check_binds(sql::Connection& con, const std::string& input_sql) const {
  if (rules_.empty()) return;
  try {
    con.query("DESCRIBE " + annotate_sql(input_sql));
    return;
  } catch (const sql::SqlError&) {
  }
  // Something does not bind: name every rule that does not, in the user's terms.
  std::vector<std::string> columns;
  try {
    for (const auto& row :
         con.query("DESCRIBE SELECT * FROM (" + input_sql + ") AS __dls_input").rows()) {
      columns.push_back(row.at(0).as_string());
    }
  } catch (const sql::SqlError&) {
  }
  std::string message;
  for (const auto& rule : rules_) {
    try {
      con.query("DESCRIBE SELECT CAST((" + rule.duckdb_sql + ") AS BOOLEAN) FROM (" + input_sql +
                ") AS __dls_input");
    } catch (const sql::SqlError& e) {
      message += std::string(message.empty() ? "" : "\n") + "entity '" + entity_id_ +
                 "', expectation '" + rule.name + "' (" + field_name(rule.action) + ") `" +
                 rule.spark_sql +
                 "`: " + describe_engine_problem(explain_engine_error(e.what()), columns) +
                 ". Fix the rule (a Spark SQL condition over the dataset's columns)";
    }
  }
  if (message.empty()) {
    message = "entity '" + entity_id_ +
              "': the expectations cannot be evaluated together on the dataset's rows";
  }
  throw InvalidMetadataError(message);
}

std::string ExpectationSet::exclude_list() const {
  if (rules_.empty()) return "";
  std::string s = " EXCLUDE (";
  for (size_t i = 0; i < rules_.size(); ++i) s += (i ? ", " : "") + ok_column(i);
  return s + ")";
}

std::string ExpectationSet::passes(ExpectationAction action) const {
  std::string s;
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (rules_[i].action == action) s += (s.empty() ? "" : " AND ") + ok_column(i);
  }
  return s.empty() ? "TRUE" : "(" + s + ")";
}

EvaluatedBatch ExpectationSet::evaluate(sql::Connection& con, const std::string& annotated_table,
                                        const std::string& dataset) const {
  const std::string table = sql::quote_identifier(annotated_table);
  const std::string drop_ok = passes(ExpectationAction::kDrop);
  const std::string warn_ok = quarantine_ ? passes(ExpectationAction::kWarn) : "TRUE";
  std::string q = "SELECT count(*), count(*) FILTER (WHERE NOT " + drop_ok +
                  "), count(*) FILTER (WHERE " + drop_ok + " AND " + warn_ok +
                  "), count(*) FILTER (WHERE " + drop_ok + " AND NOT " + warn_ok + ")";
  for (size_t i = 0; i < rules_.size(); ++i) {
    q += ", count(*) FILTER (WHERE " + ok_column(i) + ")";
  }
  auto row = con.query(q + " FROM " + table).rows().at(0);
  EvaluatedBatch out;
  out.input_rows = row.at(0).as_int();
  out.dropped_rows = row.at(1).as_int();
  out.output_rows = row.at(2).as_int();
  out.quarantined_rows = row.at(3).as_int();
  for (size_t i = 0; i < rules_.size(); ++i) {
    ExpectationMetrics m;
    m.name = rules_[i].name;
    m.dataset = dataset;
    m.action = rules_[i].action;
    m.passed_records = row.at(4 + i).as_int();
    m.failed_records = out.input_rows - m.passed_records;
    out.metrics.push_back(m);
    if (m.action == ExpectationAction::kFail && m.failed_records > 0 && !out.failure) {
      auto example =
          con.query("SELECT CAST(to_json(__dls_row) AS VARCHAR) FROM (SELECT *" + exclude_list() +
                    " FROM " + table + " WHERE NOT " + ok_column(i) + " LIMIT 1) AS __dls_row")
              .scalar();
      out.failure = "expectation '" + m.name + "' (expect_all_or_fail: " + rules_[i].spark_sql +
                    ") failed on " + std::to_string(m.failed_records) + " of " +
                    std::to_string(out.input_rows) + " rows of " + dataset +
                    " (a NULL result counts as failed); example row: " +
                    example.to_optional_string().value_or("?") + ". Nothing was committed to " +
                    dataset + "; fix the data or the rule, then run again";
    }
  }
  return out;
}

std::string ExpectationSet::valid_rows_sql(const std::string& annotated_table) const {
  std::string where = passes(ExpectationAction::kDrop);
  if (quarantine_) where += " AND " + passes(ExpectationAction::kWarn);
  return "SELECT *" + exclude_list() + " FROM " + sql::quote_identifier(annotated_table) +
         " WHERE " + where;
}

std::string ExpectationSet::invalid_rows_sql(const std::string& annotated_table) const {
  std::string errors;
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (rules_[i].action != ExpectationAction::kWarn) continue;
    errors += (errors.empty() ? "" : ", ") + std::string("CASE WHEN NOT ") + ok_column(i) +
              " THEN " + sql::quote_literal(rules_[i].name) + " END";
  }
  if (errors.empty()) errors = "NULL";
  return "SELECT *" + exclude_list() + ", CAST(list_filter([" + errors +
         "], __dls_x -> __dls_x IS NOT NULL) AS VARCHAR[]) AS \"_errors\" FROM " +
         sql::quote_identifier(annotated_table) + " WHERE " + passes(ExpectationAction::kDrop) +
         " AND NOT " + passes(ExpectationAction::kWarn);
}

}  // namespace dls::pipeline

#include "dls/sql/connection.h"

#include "dls/sql/database.h"
#include "dls/sql/sql_error.h"

namespace dls::sql {

Connection::Connection(Database& db) {
  if (duckdb_connect(db.handle(), &con_) == DuckDBError) {
    throw SqlError("cannot connect to DuckDB database", "");
  }
}

Connection::Connection(Connection&& other) noexcept : con_(other.con_) {
  other.con_ = nullptr;
}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    if (con_) duckdb_disconnect(&con_);
    con_ = other.con_;
    other.con_ = nullptr;
  }
  return *this;
}

Connection::~Connection() {
  if (con_) duckdb_disconnect(&con_);
}

Result Connection::query(std::string_view sql) {
  std::string text(sql);
  duckdb_result result;
  if (duckdb_query(con_, text.c_str(), &result) == DuckDBError) {
    const char* err = duckdb_result_error(&result);
    std::string message = err ? err : "unknown DuckDB error";
    duckdb_destroy_result(&result);
    throw SqlError(message, std::move(text));
  }
  return Result(result);
}

void Connection::execute(std::string_view sql) {
  query(sql);
}

PreparedStatement Connection::prepare(std::string_view sql) {
  std::string text(sql);
  duckdb_prepared_statement stmt = nullptr;
  if (duckdb_prepare(con_, text.c_str(), &stmt) == DuckDBError) {
    const char* err = duckdb_prepare_error(stmt);
    std::string message = err ? err : "unknown DuckDB error";
    duckdb_destroy_prepare(&stmt);
    throw SqlError(message, std::move(text));
  }
  return PreparedStatement(stmt, std::move(text));
}

Appender Connection::appender(const std::string& table, const std::string& schema) {
  duckdb_appender app = nullptr;
  if (duckdb_appender_create(con_, schema.empty() ? nullptr : schema.c_str(), table.c_str(),
                             &app) == DuckDBError) {
    const char* err = duckdb_appender_error(app);
    std::string message = err ? err : "unknown DuckDB error";
    duckdb_appender_destroy(&app);
    throw SqlError("cannot create appender for " + table + ": " + message, "");
  }
  return Appender(app, table);
}

void Connection::interrupt() {
  if (con_) duckdb_interrupt(con_);
}

std::optional<Connection::QueryProgress> Connection::query_progress() const {
  if (!con_) return std::nullopt;
  duckdb_query_progress_type p = duckdb_query_progress(con_);
  if (p.percentage < 0) return std::nullopt;
  return QueryProgress{p.percentage, p.rows_processed, p.total_rows_to_process};
}

void Connection::enable_query_progress() {
  execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false");
}

}  // namespace dls::sql

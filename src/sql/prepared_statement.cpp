#include "dls/sql/prepared_statement.h"

#include "dls/sql/sql_error.h"

namespace dls::sql {

PreparedStatement::PreparedStatement(duckdb_prepared_statement stmt, std::string sql)
    : stmt_(stmt), sql_(std::move(sql)) {}

PreparedStatement::PreparedStatement(PreparedStatement&& other) noexcept
    : stmt_(other.stmt_), sql_(std::move(other.sql_)) {
  other.stmt_ = nullptr;
}

PreparedStatement& PreparedStatement::operator=(PreparedStatement&& other) noexcept {
  if (this != &other) {
    if (stmt_) duckdb_destroy_prepare(&stmt_);
    stmt_ = other.stmt_;
    sql_ = std::move(other.sql_);
    other.stmt_ = nullptr;
  }
  return *this;
}

PreparedStatement::~PreparedStatement() {
  if (stmt_) duckdb_destroy_prepare(&stmt_);
}

size_t PreparedStatement::parameter_count() const {
  return duckdb_nparams(stmt_);
}

void PreparedStatement::check(duckdb_state state, size_t index) {
  if (state == DuckDBError) {
    const char* err = duckdb_prepare_error(stmt_);
    throw SqlError("cannot bind parameter " + std::to_string(index) +
                       (err ? std::string(": ") + err : std::string()),
                   sql_);
  }
}

PreparedStatement& PreparedStatement::bind_null(size_t index) {
  check(duckdb_bind_null(stmt_, index), index);
  return *this;
}
PreparedStatement& PreparedStatement::bind(size_t index, bool value) {
  check(duckdb_bind_boolean(stmt_, index, value), index);
  return *this;
}
PreparedStatement& PreparedStatement::bind(size_t index, int64_t value) {
  check(duckdb_bind_int64(stmt_, index, value), index);
  return *this;
}
PreparedStatement& PreparedStatement::bind(size_t index, double value) {
  check(duckdb_bind_double(stmt_, index, value), index);
  return *this;
}
PreparedStatement& PreparedStatement::bind(size_t index, std::string_view value) {
  check(duckdb_bind_varchar_length(stmt_, index, value.data(), value.size()), index);
  return *this;
}
PreparedStatement& PreparedStatement::bind(size_t index, const Value& value) {
  if (value.is_null()) return bind_null(index);
  if (value.is_bool()) return bind(index, value.as_bool());
  if (value.is_int()) return bind(index, value.as_int());
  if (value.is_double()) return bind(index, value.as_double());
  return bind(index, std::string_view(value.as_string()));
}
PreparedStatement& PreparedStatement::bind_blob(size_t index, std::string_view bytes) {
  check(duckdb_bind_blob(stmt_, index, bytes.data(), bytes.size()), index);
  return *this;
}
PreparedStatement& PreparedStatement::bind_timestamp_micros(size_t index, int64_t micros) {
  duckdb_timestamp ts{micros};
  check(duckdb_bind_timestamp(stmt_, index, ts), index);
  return *this;
}
void PreparedStatement::clear_bindings() {
  duckdb_clear_bindings(stmt_);
}

Result PreparedStatement::execute() {
  duckdb_result result;
  if (duckdb_execute_prepared(stmt_, &result) == DuckDBError) {
    const char* err = duckdb_result_error(&result);
    std::string message = err ? err : "unknown DuckDB error";
    duckdb_destroy_result(&result);
    throw SqlError(message, sql_);
  }
  return Result(result);
}

}  // namespace dls::sql

#include "dls/sql/appender.h"

#include "dls/sql/sql_error.h"

namespace dls::sql {

Appender::Appender(duckdb_appender appender, std::string table)
    : appender_(appender), table_(std::move(table)) {}

Appender::Appender(Appender&& other) noexcept
    : appender_(other.appender_), table_(std::move(other.table_)) {
  other.appender_ = nullptr;
}

Appender& Appender::operator=(Appender&& other) noexcept {
  if (this != &other) {
    if (appender_) duckdb_appender_destroy(&appender_);
    appender_ = other.appender_;
    table_ = std::move(other.table_);
    other.appender_ = nullptr;
  }
  return *this;
}

Appender::~Appender() {
  if (appender_) duckdb_appender_destroy(&appender_);
}

void Appender::check(duckdb_state state, const char* what) {
  if (state == DuckDBError) {
    const char* err = duckdb_appender_error(appender_);
    throw SqlError(std::string("appender into ") + table_ + ": " + what + " failed" +
                       (err ? std::string(": ") + err : std::string()),
                   "");
  }
}

Appender& Appender::append(duckdb_value value) {
  check(duckdb_append_value(appender_, value), "append");
  return *this;
}

Appender& Appender::append_null() {
  check(duckdb_append_null(appender_), "append");
  return *this;
}
Appender& Appender::append(bool value) {
  check(duckdb_append_bool(appender_, value), "append");
  return *this;
}
Appender& Appender::append(int64_t value) {
  check(duckdb_append_int64(appender_, value), "append");
  return *this;
}
Appender& Appender::append(double value) {
  check(duckdb_append_double(appender_, value), "append");
  return *this;
}
Appender& Appender::append(std::string_view value) {
  check(duckdb_append_varchar_length(appender_, value.data(), value.size()), "append");
  return *this;
}
Appender& Appender::append(const Value& value) {
  if (value.is_null()) return append_null();
  if (value.is_bool()) return append(value.as_bool());
  if (value.is_int()) return append(value.as_int());
  if (value.is_double()) return append(value.as_double());
  return append(std::string_view(value.as_string()));
}
Appender& Appender::append_blob(std::string_view bytes) {
  check(duckdb_append_blob(appender_, bytes.data(), bytes.size()), "append");
  return *this;
}
Appender& Appender::append_timestamp_micros(int64_t micros) {
  check(duckdb_append_timestamp(appender_, duckdb_timestamp{micros}), "append");
  return *this;
}
void Appender::end_row() {
  check(duckdb_appender_end_row(appender_), "end_row");
}
void Appender::flush() {
  check(duckdb_appender_flush(appender_), "flush");
}
void Appender::close() {
  check(duckdb_appender_close(appender_), "close");
}

}  // namespace dls::sql

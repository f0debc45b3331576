// RAII over a DuckDB appender: the fast path to load rows into a table.
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "dls/sql/value.h"

namespace dls::sql {

/// Append values column by column, then end_row(). close() flushes and reports errors; the
/// destructor closes silently (errors are lost there, so call close()). Move-only.
class Appender {
 public:
  Appender(duckdb_appender appender, std::string table);
  Appender(Appender&& other) noexcept;
  Appender& operator=(Appender&& other) noexcept;
  Appender(const Appender&) = delete;
  Appender& operator=(const Appender&) = delete;
  ~Appender();

  Appender& append_null();
  Appender& append(bool value);
  Appender& append(int64_t value);
  Appender& append(int value) { return append(static_cast<int64_t>(value)); }
  Appender& append(double value);
  Appender& append(std::string_view value);
  Appender& append(const char* value) { return append(std::string_view(value)); }
  Appender& append(const std::string& value) { return append(std::string_view(value)); }
  Appender& append(const Value& value);
  Appender& append_blob(std::string_view bytes);
  Appender& append_timestamp_micros(int64_t micros);
  /// A value built with DuckDB's C API, for nested types (STRUCT, LIST, MAP); DuckDB casts it to
  /// the column's type. The caller keeps ownership of `value`.
  Appender& append(duckdb_value value);
  void end_row();
  void flush();
  void close();

  /// The C API handle, e.g. for duckdb_appender_column_type; owned by this object.
  duckdb_appender handle() const { return appender_; }

 private:
  void check(duckdb_state state, const char* what);
  duckdb_appender appender_ = nullptr;
  std::string table_;
};

}  // namespace dls::sql

// RAII over a DuckDB prepared statement with typed parameter binding.
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "dls/sql/result.h"
#include "dls/sql/value.h"

namespace dls::sql {

/// Parameters are 1-based, as in DuckDB. Bindings persist across execute() calls until rebound or
/// clear_bindings(). Move-only.
class PreparedStatement {
 public:
  PreparedStatement(duckdb_prepared_statement stmt, std::string sql);
  PreparedStatement(PreparedStatement&& other) noexcept;
  PreparedStatement& operator=(PreparedStatement&& other) noexcept;
  PreparedStatement(const PreparedStatement&) = delete;
  PreparedStatement& operator=(const PreparedStatement&) = delete;
  ~PreparedStatement();

  size_t parameter_count() const;
  PreparedStatement& bind_null(size_t index);
  PreparedStatement& bind(size_t index, bool value);
  PreparedStatement& bind(size_t index, int64_t value);
  PreparedStatement& bind(size_t index, int value) {
    return bind(index, static_cast<int64_t>(value));
  }
  PreparedStatement& bind(size_t index, double value);
  PreparedStatement& bind(size_t index, std::string_view value);
  PreparedStatement& bind(size_t index, const char* value) {
    return bind(index, std::string_view(value));
  }
  PreparedStatement& bind(size_t index, const std::string& value) {
    return bind(index, std::string_view(value));
  }
  PreparedStatement& bind(size_t index, const Value& value);
  PreparedStatement& bind_blob(size_t index, std::string_view bytes);
  /// Binds a TIMESTAMP given as microseconds since the Unix epoch (UTC).
  PreparedStatement& bind_timestamp_micros(size_t index, int64_t micros);
  void clear_bindings();

  Result execute();

 private:
  void check(duckdb_state state, size_t index);
  duckdb_prepared_statement stmt_ = nullptr;
  std::string sql_;
};

}  // namespace dls::sql

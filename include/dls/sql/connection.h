// RAII over a DuckDB connection: queries, prepared statements and appenders.
#pragma once

#include <duckdb.h>

#include <string>
#include <string_view>

#include "dls/sql/appender.h"
#include "dls/sql/prepared_statement.h"
#include "dls/sql/result.h"

namespace dls::sql {

class Database;

/// One connection. Move-only; not thread-safe (use one per thread). Every failing call throws
/// SqlError carrying DuckDB's message and the statement text.
class Connection {
 public:
  explicit Connection(Database& db);
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  /// Runs one or more statements; returns the result of the last one.
  Result query(std::string_view sql);
  /// Runs statements, discarding results.
  void execute(std::string_view sql);
  /// Prepares one statement with `?` or `$n` parameters.
  PreparedStatement prepare(std::string_view sql);
  /// An appender into an existing table (`schema` may be empty for the default schema).
  Appender appender(const std::string& table, const std::string& schema = "");

  /// Interrupts the query running on this connection (from another thread).
  void interrupt();

  duckdb_connection handle() const { return con_; }

 private:
  duckdb_connection con_ = nullptr;
};

}  // namespace dls::sql

// RAII over a DuckDB connection: queries, prepared statements and appenders.
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <optional>
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

  /// DuckDB's progress of the query running on this connection, asked from another thread:
  /// nullopt when none runs or DuckDB cannot estimate it. Tracked only after
  /// enable_query_progress().
  struct QueryProgress {
    double percent = 0;  // 0..100
    uint64_t rows_processed = 0;
    uint64_t total_rows = 0;
  };
  std::optional<QueryProgress> query_progress() const;
  /// Makes DuckDB track the progress of this connection's queries (printing nothing).
  void enable_query_progress();

  duckdb_connection handle() const { return con_; }

 private:
  duckdb_connection con_ = nullptr;
};

}  // namespace dls::sql

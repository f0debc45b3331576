// RAII over a DuckDB database handle.
//
// A Database is an in-process DuckDB instance: in memory (path "") or a file. It is safe to open
// several Connections from several threads on one Database (DuckDB's guarantee); a Connection
// itself must be used by one thread at a time. The Database must outlive its Connections.
#pragma once

#include <duckdb.h>

#include <map>
#include <string>

namespace dls::sql {

class Connection;

class Database {
 public:
  /// Opens (or creates) the database. `options` are DuckDB configuration flags such as
  /// {"threads","2"} or {"memory_limit","4GB"}. Throws SqlError with DuckDB's message on failure.
  explicit Database(const std::string& path = "",
                    const std::map<std::string, std::string>& options = {});
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  Connection connect();
  duckdb_database handle() const { return db_; }

 private:
  duckdb_database db_ = nullptr;
};

}  // namespace dls::sql

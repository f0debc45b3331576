#include "dls/sql/database.h"

#include "dls/sql/connection.h"
#include "dls/sql/sql_error.h"

namespace dls::sql {

Database::Database(const std::string& path, const std::map<std::string, std::string>& options) {
  duckdb_config config = nullptr;
  if (duckdb_create_config(&config) == DuckDBError)
    throw SqlError("cannot create DuckDB config", "");
  for (const auto& [key, value] : options) {
    if (duckdb_set_config(config, key.c_str(), value.c_str()) == DuckDBError) {
      duckdb_destroy_config(&config);
      throw SqlError("invalid DuckDB option " + key + "=" + value, "");
    }
  }
  char* error = nullptr;
  duckdb_state state = duckdb_open_ext(path.empty() ? nullptr : path.c_str(), &db_, config, &error);
  duckdb_destroy_config(&config);
  if (state == DuckDBError) {
    std::string message = error ? error : "unknown error";
    if (error) duckdb_free(error);
    duckdb_close(&db_);
    throw SqlError("cannot open DuckDB database" + (path.empty() ? std::string() : " " + path) +
                       ": " + message,
                   "");
  }
}

Database::~Database() {
  duckdb_close(&db_);
}

Connection Database::connect() {
  return Connection(*this);
}

}  // namespace dls::sql

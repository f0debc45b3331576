#include "delta/engine.h"

namespace dls::delta::engine {

sql::Database& database() {
  // Leaked on purpose: destroying DuckDB during static destruction races with other static
  // destructors (and with threads still holding connections at exit).
  static sql::Database* db = new sql::Database("", {{"threads", "2"}});
  return *db;
}

sql::Connection connect() {
  return database().connect();
}

}  // namespace dls::delta::engine

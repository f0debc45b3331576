#include "delta/duckdb_actions.h"
#include "dls/delta/engine.h"
#include "dls/sql/database.h"

namespace dls::delta {

namespace {

/// Engine over one in-memory database with one connection per call (a Connection is not
/// thread-safe, the Database is), so calls from several threads run side by side.
class DuckDbEngine final : public Engine {
 public:
  std::vector<Action> read_parquet_actions(const std::vector<std::string>& files,
                                           const std::vector<std::string>& columns) override {
    sql::Connection con = db_.connect();
    return duckdb_read_parquet_actions(con, files, columns);
  }

  std::string write_parquet_actions(const std::vector<Action>& actions) override {
    sql::Connection con = db_.connect();
    return duckdb_write_parquet_actions(con, actions);
  }

 private:
  // The log's files are small next to user data: two threads are plenty and leave the cores to
  // the user's queries.
  sql::Database db_{"", {{"threads", "2"}}};
};

}  // namespace

std::shared_ptr<Engine> duckdb_engine() {
  // Leaked on purpose: destroying DuckDB during static destruction races with other static
  // destructors (and with threads still holding connections at exit).
  static auto* engine = new std::shared_ptr<Engine>(std::make_shared<DuckDbEngine>());
  return *engine;
}

}  // namespace dls::delta

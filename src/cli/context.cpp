#include "context.h"

#include <ostream>

#include "dls/sql/sql_error.h"

namespace dls::cli {

Context::Context(GlobalOptions options, std::ostream& out, std::ostream& err)
    : options_(std::move(options)), out_(out), err_(err) {}

Context::~Context() {
  connection_.reset();  // before the database it belongs to
  database_.reset();
}

OutputFormat Context::output_format(std::initializer_list<OutputFormat> allowed,
                                    std::string_view command) const {
  if (!options_.format) return OutputFormat::kTable;
  return parse_output_format(*options_.format, allowed, command);
}

const catalog::Warehouse& Context::warehouse() {
  if (!warehouse_) {
    warehouse_ = catalog::Warehouse::locate(options_.warehouse);
    debug("warehouse: " + warehouse_->root().string());
  }
  return *warehouse_;
}

sql::Connection& Context::connection() {
  if (!connection_) {
    database_ = std::make_unique<sql::Database>();
    connection_.emplace(database_->connect());
    try {
      connection_->execute("SET TimeZone = 'UTC'");
    } catch (const sql::SqlError&) {
      // DuckDB built without ICU has no TimeZone setting and already works in UTC.
    }
  }
  return *connection_;
}

void Context::info(std::string_view message) {
  if (!options_.quiet) err_ << message << "\n";
}

void Context::debug(std::string_view message, int level) {
  if (options_.verbosity >= level) err_ << "dls: " << message << "\n";
}

void Context::warn(std::string_view message) {
  err_ << "dls: warning: " << message << "\n";
}

}  // namespace dls::cli

// The state a `dls` command runs with: the global options (DESIGN §9), the output streams and the
// resources commands share, opened lazily (the warehouse, one in-memory DuckDB connection).
//
// Conventions every command follows: data goes to out() in the format chosen with --format;
// progress and messages go to err() through info()/debug()/warn(), never to stdout; failures are
// thrown as dls::Error (the App maps them to exit codes). One Context per invocation; not
// thread-safe.
#pragma once

#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "dls/catalog/warehouse.h"
#include "dls/cli/output.h"
#include "dls/sql/connection.h"
#include "dls/sql/database.h"

namespace dls::cli {

/// The options every command accepts (before or after the command name).
struct GlobalOptions {
  std::optional<std::string> warehouse;          // --warehouse DIR
  std::string store = "main.dls.control_table";  // --store NAME: the control table
  std::optional<std::string> format;             // --format NAME; commands validate it
  int verbosity = 0;                             // -v (repeatable)
  bool quiet = false;                            // --quiet
};

class Context {
 public:
  Context(GlobalOptions options, std::ostream& out, std::ostream& err);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  const GlobalOptions& options() const { return options_; }

  /// The --format of a command producing data: one of `allowed`, default `table`. Throws
  /// UsageError naming `command` and the allowed formats.
  OutputFormat output_format(std::initializer_list<OutputFormat> allowed,
                             std::string_view command) const;

  /// The warehouse (--warehouse, else $DLS_WAREHOUSE, else ./warehouse), located on first use.
  const catalog::Warehouse& warehouse();

  /// One in-memory DuckDB connection (TimeZone UTC), opened on first use.
  sql::Connection& connection();

  /// Data output (stdout).
  std::ostream& out() { return out_; }
  /// Message output (stderr).
  std::ostream& err() { return err_; }

  /// A progress message on stderr, unless --quiet.
  void info(std::string_view message);
  /// A detail on stderr with -v (level 1) or -vv (level 2).
  void debug(std::string_view message, int level = 1);
  /// "dls: warning: ..." on stderr (shown even with --quiet).
  void warn(std::string_view message);

 private:
  GlobalOptions options_;
  std::ostream& out_;
  std::ostream& err_;
  std::optional<catalog::Warehouse> warehouse_;
  std::unique_ptr<sql::Database> database_;
  std::optional<sql::Connection> connection_;
};

}  // namespace dls::cli

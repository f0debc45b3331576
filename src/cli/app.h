// The `dls` command-line application: global options (DESIGN §9), every command group of
// command_groups.cpp, and the mapping of failures to exit codes and messages.
//
// Exit codes: 0 ok; dls::Error::exit_code() for library errors (1 failure, 2 usage, 3 invalid
// metadata/config, 4 data quality); 2 for command-line parse errors (CLI11's message and a hint to
// --help); 1 for any other exception. Errors are printed to `err` as "dls: error: <message>".
#pragma once

#include <CLI/CLI.hpp>

#include <iosfwd>
#include <memory>
#include <string>

#include "command_registry.h"
#include "context.h"

namespace dls::cli {

class App {
 public:
  /// Builds the parser with the global options and every registered command.
  App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  /// Parses `argv` (argv[0] is the program name) and runs the selected command. Data goes to
  /// `out`, messages and errors to `err`. Returns the process exit code; never throws. Call once.
  int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

  /// "dls <version> (DuckDB <version>)".
  static std::string version_string();

 private:
  std::string overview() const;

  CLI::App app_;
  GlobalOptions options_;
  std::unique_ptr<CommandRegistry> registry_;
};

}  // namespace dls::cli

#include "app.h"

#include <duckdb.h>

#include <ostream>
#include <string_view>

#include "dls/core/error.h"
#include "dls/core/suggest.h"
#include "dls/loaders/spark_text_check.h"

namespace dls::cli {
namespace {

constexpr const char* kDescription =
    "dls — Delta Live Store: metadata-driven, declarative ETL on Delta Lake tables.\n"
    "Runs pipelines locally on DuckDB and generates Databricks / Spark pipelines from the same "
    "metadata.";

// "table describe NAME_OR_PATH" lines for every leaf command under `app`.
void collect_commands(const CLI::App& app, const std::string& prefix,
                      std::vector<std::pair<std::string, std::string>>& out) {
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    std::string path = prefix + sub->get_name();
    auto children = sub->get_subcommands([](const CLI::App*) { return true; });
    if (!children.empty()) {
      collect_commands(*sub, path + " ", out);
      continue;
    }
    std::string usage = path;
    for (const CLI::Option* opt : sub->get_options()) {
      if (opt->get_positional()) {
        std::string name = opt->get_name(true, false);
        usage += opt->get_required() ? " " + name : " [" + name + "]";
      }
    }
    out.emplace_back(usage, sub->get_description());
  }
}

// "table describe" for the deepest subcommand the parser reached.
std::string parsed_command_path(const CLI::App& root) {
  std::string path;
  const CLI::App* app = &root;
  while (true) {
    auto subs = app->get_subcommands();
    if (subs.empty()) return path;
    app = subs.front();
    path += " " + app->get_name();
  }
}

// The option `name` ("--warehouse", "-v") of `app` or of an app above it (global options fall
// through), or nullptr.
const CLI::Option* find_option(const CLI::App* app, const std::string& name) {
  for (; app; app = app->get_parent()) {
    if (const CLI::Option* opt = app->get_option_no_throw(name)) return opt;
  }
  return nullptr;
}

// After a parse error: the first word of the command line that stands where a command name must
// and names none, as "unknown command 'lst' (did you mean list?)" — CLI11 itself only says that
// a subcommand is required, or that the word is an extra argument. Words after a command that
// takes positional arguments are arguments, never commands. "" when there is no such word.
std::string unknown_command(const CLI::App& root, int argc, const char* const* argv) {
  const CLI::App* app = &root;
  std::string path = "dls";
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word == "--") return "";
    if (word.size() > 1 && word[0] == '-') {
      if (word.find('=') != std::string::npos) continue;  // --name=value
      const CLI::Option* opt = find_option(app, word);
      if (opt && opt->get_type_size_max() > 0 && opt->get_expected_max() > 0) ++i;  // its value
      continue;
    }
    const auto subcommands = app->get_subcommands([](const CLI::App*) { return true; });
    if (subcommands.empty()) return "";
    if (const CLI::App* sub = [&]() -> const CLI::App* {
          for (const CLI::App* s : subcommands) {
            if (s->check_name(word)) return s;
          }
          return nullptr;
        }()) {
      app = sub;
      path += " " + sub->get_name();
      continue;
    }
    if (!app->get_options([](const CLI::Option* o) { return o->get_positional(); }).empty()) {
      return "";
    }
    std::vector<std::string> names;
    for (const CLI::App* s : subcommands) names.push_back(s->get_name());
    std::vector<std::string_view> candidates(names.begin(), names.end());
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    return "unknown command '" + (path == "dls" ? "" : path.substr(4) + " ") + word + "'" +
           did_you_mean(word, candidates) + "; the commands of '" + path + "' are: " + list;
  }
  return "";
}

}  // namespace

App::App() : app_(kDescription, "dls") {
  // Every command validates metadata the same way: Spark SQL texts are parsed (validation.h).
  install_spark_text_check();
  registry_ = std::make_unique<CommandRegistry>(app_);
  app_.set_version_flag(
      "--version", [] { return version_string(); }, "Print the dls and DuckDB versions and exit");
  app_.fallthrough();  // global options are accepted after the command name too
  app_.require_subcommand(1);
  const char* global = "Global options";
  app_.add_option("--warehouse", options_.warehouse,
                  "Warehouse directory holding tables by name (default: $DLS_WAREHOUSE, else "
                  "./warehouse)")
      ->type_name("DIR")
      ->group(global);
  app_.add_option("--store", options_.store, "Control table of the metadata store")
      ->type_name("NAME")
      ->capture_default_str()
      ->group(global);
  app_.add_option("--format", options_.format,
                  "Output format of data: table (default), json, yaml or csv; each command "
                  "lists the formats it supports")
      ->type_name("FORMAT")
      ->group(global);
  app_.add_flag("-v,--verbose", options_.verbosity,
                "Print more detail on stderr (the SQL run, locations); repeat for more")
      ->group(global);
  app_.add_flag("-q,--quiet", options_.quiet, "Print only data and errors")->group(global);
  register_all_commands(*registry_);
  app_.footer([this] { return overview(); });
}

std::string App::version_string() {
  return std::string("dls ") + DLS_VERSION + " (DuckDB " + duckdb_library_version() + ")";
}

std::string App::overview() const {
  std::vector<std::pair<std::string, std::string>> commands;
  collect_commands(app_, "dls ", commands);
  size_t width = 0;
  for (const auto& [usage, _] : commands) width = std::max(width, usage.size());
  std::string s = "\nCommands:\n";
  for (const auto& [usage, description] : commands) {
    s += "  " + usage + std::string(width - usage.size() + 2, ' ') + description + "\n";
  }
  if (!registry_->examples().empty()) {
    s += "\nExamples:\n";
    for (const auto& e : registry_->examples()) s += "  " + e + "\n";
  }
  s += "\nNames: catalog.schema.table is <warehouse>/<catalog>/<schema>/<table>; schema.table uses "
       "catalog main;\n"
       "a name containing '/' is a path. Name parts match [A-Za-z_][A-Za-z0-9_]*.\n"
       "Exit codes: 0 ok, 1 failure, 2 usage, 3 invalid metadata/config, 4 data-quality "
       "failure.\n"
       "Run 'dls COMMAND --help' for the options of a command.\n";
  return s;
}

int App::run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  try {
    try {
      app_.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      if (e.get_exit_code() == 0) return app_.exit(e, out, err);  // --help, --version
      std::string command = parsed_command_path(app_);
      const std::string unknown = unknown_command(app_, argc, argv);
      err << "dls: error: " << (unknown.empty() ? std::string(e.what()) : unknown) << "\n"
          << "Run 'dls" << command << " --help' for usage.\n";
      return static_cast<int>(ExitCode::kUsage);
    }
    if (!registry_->selected()) {
      err << "dls: error: no command given\nRun 'dls --help' for usage.\n";
      return static_cast<int>(ExitCode::kUsage);
    }
    Context context(options_, out, err);
    registry_->selected()(context);
    out.flush();
    return static_cast<int>(ExitCode::kOk);
  } catch (const Error& e) {
    out.flush();
    // Diagnostics lists already say "error: " per line; don't say it twice.
    std::string_view message = e.what();
    if (message.rfind("error: ", 0) == 0) message.remove_prefix(7);
    err << "dls: error: " << message << "\n";
    return static_cast<int>(e.exit_code());
  } catch (const std::exception& e) {
    out.flush();
    err << "dls: error: " << e.what() << "\n";
    return static_cast<int>(ExitCode::kFailure);
  } catch (...) {
    err << "dls: error: unknown failure\n";
    return static_cast<int>(ExitCode::kFailure);
  }
}

}  // namespace dls::cli

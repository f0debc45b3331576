// How commands plug into `dls`.
//
// A command group is one file in src/cli/ defining `void register_<group>(CommandRegistry&)` and
// one line in DLS_COMMAND_GROUPS (command_groups.cpp); the order of that list is the order of
// `dls --help`. A registration function adds its subcommands with add_command (runs an action)
// or add_group (a parent like `table` that only holds subcommands), then declares options on the
// returned CLI::App. Option values must outlive parsing: keep them in a struct held by a
// shared_ptr that the action captures:
//
//   void register_greet(CommandRegistry& r) {
//     auto name = std::make_shared<std::string>();
//     CLI::App* cmd = r.add_command(r.root(), "greet", "Say hello",
//                                   {"dls greet world"},
//                                   [name](Context& ctx) { ctx.out() << "hello " << *name << "\n";
//                                   });
//     cmd->add_option("NAME", *name, "Who to greet")->required();
//   }
//
// Actions run after the whole command line parsed successfully, with a Context (context.h) that
// carries the global options. They report failure by throwing dls::Error (exit code included).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

#include "context.h"

namespace dls::cli {

using CommandAction = std::function<void(Context&)>;

class CommandRegistry {
 public:
  explicit CommandRegistry(CLI::App& root) : root_(root) {}
  CommandRegistry(const CommandRegistry&) = delete;
  CommandRegistry& operator=(const CommandRegistry&) = delete;

  /// The `dls` application.
  CLI::App& root() { return root_; }

  /// Adds `parent name` running `action`. `examples` (full command lines) are shown in its help
  /// and in `dls --help`.
  CLI::App* add_command(CLI::App& parent, const std::string& name, const std::string& description,
                        std::vector<std::string> examples, CommandAction action);

  /// Adds `parent name`, a group whose subcommands do the work (one is required).
  CLI::App* add_group(CLI::App& parent, const std::string& name, const std::string& description);

  /// The command the command line selected (empty before parsing or when none was).
  const CommandAction& selected() const { return selected_; }

  /// Every example registered, in registration order.
  const std::vector<std::string>& examples() const { return examples_; }

 private:
  CLI::App& root_;
  CommandAction selected_;
  std::vector<std::string> examples_;
};

/// Calls every register function of DLS_COMMAND_GROUPS (command_groups.cpp).
void register_all_commands(CommandRegistry& registry);

}  // namespace dls::cli

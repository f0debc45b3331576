#include "command_registry.h"

namespace dls::cli {

CLI::App* CommandRegistry::add_command(CLI::App& parent, const std::string& name,
                                       const std::string& description,
                                       std::vector<std::string> examples, CommandAction action) {
  CLI::App* cmd = parent.add_subcommand(name, description);
  if (!examples.empty()) {
    std::string footer = "\nExamples:\n";
    for (const auto& e : examples) footer += "  " + e + "\n";
    cmd->footer(footer);
  }
  examples_.insert(examples_.end(), examples.begin(), examples.end());
  cmd->callback([this, action = std::move(action)] { selected_ = action; });
  return cmd;
}

CLI::App* CommandRegistry::add_group(CLI::App& parent, const std::string& name,
                                     const std::string& description) {
  CLI::App* group = parent.add_subcommand(name, description);
  group->require_subcommand(1);
  return group;
}

}  // namespace dls::cli

// The list of command groups of `dls`, in the order `dls --help` shows them.
// To add a group: write src/cli/<group>_commands.cpp defining
// `void register_<group>(CommandRegistry&)` in namespace dls::cli, and add one X(...) line here.
#include "command_registry.h"

#define DLS_COMMAND_GROUPS(X)   \
  X(register_store_commands)    \
  X(register_entity_commands)   \
  X(register_load_commands)     \
  X(register_run_commands)      \
  X(register_validate_commands) \
  X(register_history_commands)  \
  X(register_query_command)     \
  X(register_table_commands)    \
  X(register_generate_commands) \
  X(register_serve_command)

namespace dls::cli {

#define DLS_DECLARE_GROUP(fn) void fn(CommandRegistry&);
DLS_COMMAND_GROUPS(DLS_DECLARE_GROUP)
#undef DLS_DECLARE_GROUP

void register_all_commands(CommandRegistry& registry) {
#define DLS_CALL_GROUP(fn) fn(registry);
  DLS_COMMAND_GROUPS(DLS_CALL_GROUP)
#undef DLS_CALL_GROUP
}

}  // namespace dls::cli

#include "selection.h"

#include "dls/core/error.h"
#include "store_location.h"

namespace dls::cli {
void add_selection_options(CLI::App* cmd, SelectionArgs& s, bool with_select) {
  cmd->add_option("--where", s.where, "Filter of the entities (e.g. \"by_group('sales')\")");
  cmd->add_option("--group", s.group, "The group of entities (the pipeline)");
  cmd->add_option("--target", s.target,
                  "catalog.schema where bare destinations go (default: the group when it is a "
                  "catalog.schema, else main.default)");
  cmd->add_option("--pipeline", s.pipeline,
                  "Pipeline name: its state under <warehouse>/_pipelines/NAME (default: the "
                  "group, non-name characters as '_', else 'default')");
  if (with_select) {
    cmd->add_option("-s,--select", s.select,
                    "dbt-like selection within --group/--where (repeatable, a union): NAME, "
                    "+NAME (and its upstream), NAME+ (and its downstream), +NAME+, "
                    "tag:KEY=VALUE or tag:KEY")
        ->type_name("SELECTOR")
        ->allow_extra_args(false);
  }
}

Selection select(Context& ctx, const SelectionArgs& args) {
  DeltaLiveStore store = open_initialized_store(ctx);
  Selection s = pipeline::select_entities(store, args, "--where");
  ctx.debug("pipeline '" + s.pipeline + "', target " + s.target.to_string() + ", " +
            std::to_string(s.entities.size()) + " entities" +
            (s.has_select() ? ", " + std::to_string(s.selected.size()) + " selected" : ""));
  return s;
}

}  // namespace dls::cli

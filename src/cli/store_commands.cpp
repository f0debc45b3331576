// `dls store init|destroy|status`: create, delete and inspect the control table (DESIGN §3, §9).
#include <memory>

#include "command_registry.h"
#include "confirmation.h"
#include "dls/core/error.h"
#include "dls/core/timestamp.h"
#include "dls/store/control_table_schema.h"
#include "store_location.h"

namespace dls::cli {
namespace {

using ojson = nlohmann::ordered_json;

void init(Context& ctx) {
  catalog::TableLocation location;
  DeltaLiveStore store = open_store(ctx, location);
  const bool existed = store.is_initialized();
  store.initialize();
  ctx.info(std::string(existed ? "control table already exists: " : "created control table ") +
           location.display() + " at " + location.root.string() + " (version " +
           std::to_string(store.version()) + ")");
}

void destroy(Context& ctx, bool yes) {
  catalog::TableLocation location;
  DeltaLiveStore store = open_store(ctx, location);
  if (!store.is_initialized()) {
    store.destroy();  // removes a half-created table; refuses a directory that is not one
    ctx.info("no control table " + location.display() + " at " + location.root.string() +
             "; nothing to delete");
    return;
  }
  if (!store.is_control_table()) {
    throw InvalidMetadataError(
        "dls store destroy: " + location.display() + " (at " + location.root.string() +
        ") is a Delta table but not a dls control table (no property " + kControlTableProperty +
        "=true); refusing to delete it, nothing was deleted");
  }
  confirm_destructive(ctx, yes, "dls store destroy",
                      "This deletes the control table " + location.display() + " at " +
                          location.root.string() + " with every version of every entity (" +
                          std::to_string(store.status().history_rows) + " rows)");
  store.destroy();
  ctx.info("deleted control table " + location.display() + " and all its history");
}

void status(Context& ctx) {
  OutputFormat format = ctx.output_format(
      {OutputFormat::kTable, OutputFormat::kJson, OutputFormat::kYaml}, "dls store status");
  catalog::TableLocation location;
  DeltaLiveStore store = open_store(ctx, location);
  StoreStatus s = store.status();
  ojson doc = ojson::object();
  doc["name"] = location.name ? ojson(location.name->to_string()) : ojson(nullptr);
  doc["location"] = s.location;
  doc["initialized"] = s.initialized;
  doc["version"] = s.initialized ? ojson(s.version) : ojson(nullptr);
  doc["latest_entities"] = s.latest_entities;
  doc["enabled_entities"] = s.enabled_entities;
  doc["history_rows"] = s.history_rows;
  doc["groups"] = s.groups;
  if (format != OutputFormat::kTable) {
    render_document(doc, format, ctx.out());
    return;
  }
  DataTable table;
  table.columns = {"property", "value"};
  for (const auto& [key, value] : doc.items()) {
    std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    if (key == "groups") {
      text.clear();
      for (const auto& g : s.groups) text += (text.empty() ? "" : ", ") + g;
    }
    table.rows.push_back({key, text});
  }
  RenderOptions options;
  options.row_count = false;
  options.max_cell_width = 200;
  render_table(table, OutputFormat::kTable, ctx.out(), options);
  if (!s.initialized) ctx.info("the control table does not exist yet: run 'dls store init'");
}

}  // namespace

void register_store_commands(CommandRegistry& r) {
  CLI::App* group =
      r.add_group(r.root(), "store",
                  "Create, delete and inspect the control table (--store NAME, default "
                  "main.dls.control_table)");
  r.add_command(*group, "init",
                "Create the control table (a Delta table holding every version of every entity, "
                "marked with the table property dls.controlTable=true; an older control table "
                "without it gets it). Idempotent.",
                {"dls store init", "dls --store main.meta.entities store init"}, init);
  auto yes = std::make_shared<bool>(false);
  CLI::App* destroy_cmd = r.add_command(
      *group, "destroy",
      "Delete the control table and all its history. Asks for confirmation on a terminal; "
      "otherwise needs --yes. Only a dls control table is deleted (a table with the property "
      "dls.controlTable=true, or an older one with the control table's columns); any other "
      "Delta table is refused (exit 3). Idempotent: no table, nothing to do.",
      {"dls store destroy", "dls --store main.meta.entities store destroy --yes"},
      [yes](Context& ctx) { destroy(ctx, *yes); });
  destroy_cmd->add_flag("-y,--yes", *yes,
                        "Delete without asking (required when stdin is not a terminal)");
  destroy_cmd->footer(destroy_cmd->get_footer() +
                      "\nExit codes: 0 deleted (or nothing to delete); 2 not confirmed (no "
                      "terminal and no --yes); 3 the table is not a control table; 1 cancelled "
                      "at the prompt.\n");
  r.add_command(*group, "status",
                "Show the control table's location, version, entity counts and groups. Formats: "
                "table, json, yaml.",
                {"dls store status", "dls store status --format json"}, status);
}

}  // namespace dls::cli

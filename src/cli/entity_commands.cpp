// Entity management commands (DESIGN §9): `dls upsert --json`, `dls list`, `dls show`,
// `dls enable`, `dls disable`. Data goes to stdout in --format table|json|yaml; summaries of what
// changed go to stderr.
#include <iostream>
#include <iterator>
#include <memory>
#include <set>

#include "command_registry.h"
#include "dls/core/entity_codec.h"
#include "dls/core/entity_diff.h"
#include "dls/core/error.h"
#include "dls/core/predicate_parser.h"
#include "dls/core/suggest.h"
#include "store_location.h"

namespace dls::cli {
namespace {

using ojson = nlohmann::ordered_json;

ojson ordered(const nlohmann::json& j) {
  return ojson::parse(j.dump());
}

ojson entities_json(const EntityList& list) {
  return ordered(list.to_json());
}

std::string summary_of(const StoreChange& change, const std::string& verb) {
  std::string s = verb + ": " + std::to_string(change.inserted.size()) + " inserted, " +
                  std::to_string(change.updated.size()) + " updated, " +
                  std::to_string(change.unchanged.size()) + " unchanged";
  s += change.changed() ? " (control table version " + std::to_string(change.version) + ")"
                        : " (nothing committed; version " + std::to_string(change.version) + ")";
  return s;
}

/// What a write did, per entity: inserted / `updated_word` / unchanged.
void render_change(Context& ctx, const StoreChange& change, const std::string& updated_word) {
  OutputFormat format =
      ctx.output_format({OutputFormat::kTable, OutputFormat::kJson, OutputFormat::kYaml}, "dls");
  if (format != OutputFormat::kTable) {
    ojson doc = ojson::object();
    doc["version"] = change.version;
    doc["inserted"] = change.inserted;
    doc[updated_word] = change.updated;
    doc["unchanged"] = change.unchanged;
    render_document(doc, format, ctx.out());
    return;
  }
  DataTable table;
  table.columns = {"entity_id", "change"};
  for (const auto& id : change.inserted) table.rows.push_back({id, "inserted"});
  for (const auto& id : change.updated) table.rows.push_back({id, updated_word});
  for (const auto& id : change.unchanged) table.rows.push_back({id, "unchanged"});
  render_table(table, OutputFormat::kTable, ctx.out());
}

// ---- upsert -------------------------------------------------------------------------------

struct UpsertArgs {
  std::string json;
};

void upsert(Context& ctx, const UpsertArgs& args) {
  std::string text = args.json;
  if (text == "-") text.assign(std::istreambuf_iterator<char>(std::cin), {});
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw InvalidMetadataError("--json: not valid JSON at byte " + std::to_string(e.byte) + ": " +
                               e.what());
  }
  if (!doc.is_object() && !doc.is_array()) {
    throw InvalidMetadataError(
        "--json: expected an entity object or an array of entity objects, "
        "got " +
        std::string(doc.type_name()));
  }
  Diagnostics warnings;
  std::vector<DeltaLiveEntity> entities = entities_from_json(doc, &warnings);
  for (const auto& w : warnings) ctx.warn(w.to_string());
  DeltaLiveStore store = open_initialized_store(ctx);
  StoreChange change = store.upsert(entities);
  ctx.info(summary_of(change, "upsert"));
  render_change(ctx, change, "updated");
}

// ---- list ---------------------------------------------------------------------------------

struct ListArgs {
  std::optional<std::string> where;
  bool history = false;
};

void render_entities(Context& ctx, const EntityList& list, std::string_view command) {
  OutputFormat format =
      ctx.output_format({OutputFormat::kTable, OutputFormat::kJson, OutputFormat::kYaml}, command);
  switch (format) {
    case OutputFormat::kJson:
    case OutputFormat::kYaml:
      render_document(entities_json(list), format, ctx.out());
      break;
    default:
      ctx.out() << list.to_table();
      break;
  }
}

void list(Context& ctx, const ListArgs& args) {
  std::optional<Predicate> where;
  if (args.where) where = parse_predicate(*args.where, "--where");
  DeltaLiveStore store = open_initialized_store(ctx);
  EntityList found = args.history ? store.find_history(where.value_or(by_all()))
                     : where      ? store.find_entities(*where)
                                  : store.find_entities();
  render_entities(ctx, found, "dls list");
}

// ---- show ---------------------------------------------------------------------------------

struct ShowArgs {
  std::string entity_id;
  bool history = false;
};

std::string value_text(const ojson& v) {
  return v.is_null() ? "(none)" : v.is_string() ? "'" + v.get<std::string>() + "'" : v.dump();
}

void show(Context& ctx, const ShowArgs& args) {
  OutputFormat format = ctx.output_format(
      {OutputFormat::kTable, OutputFormat::kJson, OutputFormat::kYaml}, "dls show");
  DeltaLiveStore store = open_initialized_store(ctx);
  EntityList versions = store.find_history(by_entity_id(args.entity_id));
  if (versions.empty()) {
    std::vector<std::string> ids;
    for (const auto& e : store.find_entities(by_all())) ids.push_back(e.entity_id);
    std::vector<std::string_view> candidates(ids.begin(), ids.end());
    throw NotFoundError("no entity '" + args.entity_id + "' in the control table" +
                        did_you_mean(args.entity_id, candidates) + "; 'dls list' shows them");
  }
  if (!args.history) {
    // The latest version (find_history is newest first).
    const DeltaLiveEntity& latest = versions[0];
    ojson doc = ordered(to_json(latest));
    render_document(doc, format == OutputFormat::kTable ? OutputFormat::kYaml : format, ctx.out());
    return;
  }
  ojson all = ojson::array();
  for (size_t i = 0; i < versions.size(); ++i) {
    ojson item = ojson::object();
    item["version"] = versions.size() - i;  // 1 = first version
    item["entity"] = ordered(to_json(versions[i]));
    item["changes"] =
        i + 1 < versions.size() ? entity_diff(versions[i + 1], versions[i]) : ojson::array();
    all.push_back(item);
  }
  if (format != OutputFormat::kTable) {
    render_document(all, format, ctx.out());
    return;
  }
  // Readable: newest first, each version's header, then what changed since the one before it.
  auto& out = ctx.out();
  for (size_t i = 0; i < versions.size(); ++i) {
    const DeltaLiveEntity& v = versions[i];
    out << "version " << (versions.size() - i) << " of " << versions.size() << "  id "
        << v.id.value_or("?") << "  created "
        << (v.created_ts ? format_timestamp(*v.created_ts) : "?") << " by "
        << v.created_by.value_or("?") << (v.is_latest ? "  (latest)" : "")
        << (v.is_enabled ? "" : "  (disabled)") << "\n";
    const ojson& changes = all[i]["changes"];
    if (i + 1 == versions.size()) {
      out << "  first version\n";
    } else if (changes.empty()) {
      out << "  no change to the metadata\n";
    }
    for (const auto& c : changes) {
      out << "  " << c["field"].get<std::string>() << ": " << value_text(c["from"]) << " -> "
          << value_text(c["to"]) << "\n";
    }
    if (i + 1 < versions.size()) out << "\n";
  }
  out << "\nlatest version:\n";
  render_document(ordered(to_json(versions[0])), OutputFormat::kYaml, out);
}

// ---- enable / disable ---------------------------------------------------------------------

struct SwitchArgs {
  std::optional<std::string> where;
  std::vector<std::string> entity_ids;
};

void set_enabled(Context& ctx, const SwitchArgs& args, bool enable) {
  const std::string command = enable ? "dls enable" : "dls disable";
  if (args.where.has_value() == !args.entity_ids.empty()) {
    throw UsageError(command + ": give either --where PRED or one or more ENTITY_IDs (not both)");
  }
  Predicate predicate;
  if (args.where) {
    predicate = parse_predicate(*args.where, "--where");
  } else {
    predicate = by_entity_id(args.entity_ids[0]);
    for (size_t i = 1; i < args.entity_ids.size(); ++i) {
      predicate = predicate | by_entity_id(args.entity_ids[i]);
    }
  }
  DeltaLiveStore store = open_initialized_store(ctx);
  if (!args.where) {
    EntityList latest = store.find_entities(predicate);
    std::set<std::string> present;
    for (const auto& e : latest) present.insert(e.entity_id);
    for (const auto& id : args.entity_ids) {
      if (!present.count(id)) {
        throw NotFoundError("no entity '" + id + "' in the control table; nothing was " +
                            (enable ? "enabled" : "disabled") + " ('dls list' shows them)");
      }
    }
  }
  StoreChange change = enable ? store.enable(predicate) : store.disable(predicate);
  const std::string verb = enable ? "enabled" : "disabled";
  ctx.info(verb + " " + std::to_string(change.updated.size()) + " entities (" +
           std::to_string(change.unchanged.size()) + " already " + verb + ", " +
           (enable ? "upstream" : "downstream") + " included)" +
           (change.changed() ? "; control table version " + std::to_string(change.version)
                             : "; nothing committed"));
  render_change(ctx, change, verb);
}

void add_switch_command(CommandRegistry& r, bool enable) {
  auto args = std::make_shared<SwitchArgs>();
  const std::string name = enable ? "enable" : "disable";
  CLI::App* cmd = r.add_command(
      r.root(), name,
      enable ? "Enable entities and, recursively, everything upstream of them (whose destination "
               "is an enabled entity's source). Each change is a new version."
             : "Disable entities and, recursively, everything downstream of them (whose source "
               "is a disabled entity's destination). Each change is a new version.",
      {"dls " + name + " orders_bronze", "dls " + name + " --where \"by_group('main.etl')\""},
      [args, enable](Context& ctx) { set_enabled(ctx, *args, enable); });
  cmd->add_option("--where", args->where, "A filter, e.g. \"by_group('g') & by_has_tag('pii')\"")
      ->type_name("PRED");
  cmd->add_option("ENTITY_ID", args->entity_ids, "Entity ids")->type_name("ENTITY_ID");
}

}  // namespace

void register_entity_commands(CommandRegistry& r) {
  {
    auto args = std::make_shared<UpsertArgs>();
    CLI::App* cmd = r.add_command(
        r.root(), "upsert",
        "Insert or update entities given as JSON (one object or an array). Unchanged entities "
        "get no new version; one commit for all. Formats: table, json, yaml.",
        {"dls upsert --json '{\"entity_id\": \"1\", \"source\": \"/data/in\", \"destination\": "
         "\"t1\", \"source_format\": \"csv\"}'"},
        [args](Context& ctx) { upsert(ctx, *args); });
    cmd->add_option("--json", args->json, "The entity object or array ('-' reads stdin)")
        ->type_name("JSON")
        ->required();
  }
  {
    auto args = std::make_shared<ListArgs>();
    CLI::App* cmd = r.add_command(
        r.root(), "list",
        "List entities: without --where the latest enabled ones; with --where the latest "
        "versions matching it (disabled included); --history searches all versions, newest "
        "first. Formats: table, json, yaml.",
        {"dls list", "dls list --where \"by_group('main.etl') & ~by_has_tag('pii')\"",
         "dls list --history --where \"by_entity_id('1')\" --format json"},
        [args](Context& ctx) { list(ctx, *args); });
    cmd->add_option("--where", args->where, "A filter over entities (the by_* vocabulary)")
        ->type_name("PRED");
    cmd->add_flag("--history", args->history, "Search every version, not just the latest");
  }
  {
    auto args = std::make_shared<ShowArgs>();
    CLI::App* cmd = r.add_command(
        r.root(), "show",
        "Show an entity's latest version; --history shows every version, newest first, with "
        "what changed between consecutive versions. Formats: table, json, yaml.",
        {"dls show orders_silver", "dls show orders_silver --history"},
        [args](Context& ctx) { show(ctx, *args); });
    cmd->add_option("ENTITY_ID", args->entity_id, "The entity's id")->required();
    cmd->add_flag("--history", args->history, "Every version with the differences between them");
  }
  add_switch_command(r, true);
  add_switch_command(r, false);
}

}  // namespace dls::cli

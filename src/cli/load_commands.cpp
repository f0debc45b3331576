// `dls load yaml|dir|json` and `dls export yaml`: fill the control table from outside metadata and
// write it back as YAML (DESIGN §9).
//
// Every load validates everything before writing anything: invalid metadata prints each problem
// as "file:line:column: error: ..." on stderr and exits 3 with the control table unchanged. A load
// prints one summary (inserted/updated/unchanged/disabled) on stdout: a line by default, a
// document with --format json|yaml (given before the command name for `load dir`, whose own
// --format names the format of the data files).
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

#include "command_registry.h"
#include "dls/core/error.h"
#include "dls/loaders/directory_loader.h"
#include "dls/loaders/json_loader.h"
#include "dls/loaders/yaml_exporter.h"
#include "dls/loaders/yaml_loader.h"
#include "store_location.h"

namespace dls::cli {
namespace {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

// The control table named by --store (unsafe names are exit 3); loaders check it exists after
// validating their input, so that bad metadata is reported first.
DeltaLiveStore store_of(Context& ctx) {
  catalog::TableLocation location;
  return open_store(ctx, location);
}

std::string read_stdin() {
  return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
}

// Runs a load; invalid metadata is printed one problem per line and rethrown as one short error,
// so that the locations start their lines (editors and CI annotate them).
template <typename Load>
LoadSummary run_load(Context& ctx, const std::string& source, Load&& load) {
  try {
    return load();
  } catch (const MetadataErrors& e) {
    for (const auto& line : e.errors()) ctx.err() << line << "\n";
    throw InvalidMetadataError(std::to_string(e.errors().size()) +
                               (e.errors().size() == 1 ? " error" : " errors") + " in " + source +
                               "; nothing was loaded (the control table is unchanged)");
  }
}

void print_summary(Context& ctx, const LoadSummary& summary, std::string_view command) {
  const OutputFormat format =
      ctx.output_format({OutputFormat::kTable, OutputFormat::kJson, OutputFormat::kYaml}, command);
  for (const auto& w : summary.warnings) ctx.err() << w.to_string() << "\n";
  if (format == OutputFormat::kTable) {
    ctx.out() << summary.to_text() << "\n";
    if (ctx.options().verbosity > 0) {
      auto list = [&](const char* what, const std::vector<std::string>& ids) {
        for (const auto& id : ids) ctx.err() << "  " << what << " " << id << "\n";
      };
      list("inserted", summary.inserted);
      list("updated", summary.updated);
      list("disabled", summary.disabled);
      for (const auto& m : summary.moved) {
        ctx.err() << "  moved " << m.entity_id << " from group " << describe_group(m.from_group)
                  << " to " << describe_group(m.to_group) << "\n";
      }
    }
    return;
  }
  render_document(ojson::parse(summary.to_json().dump()), format, ctx.out());
}

// "k=v" → (k, v); the key must not be empty.
std::pair<std::string, std::string> key_value(const std::string& text, const char* option) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw UsageError(std::string(option) + " expects KEY=VALUE, got '" + text + "'");
  }
  return {text.substr(0, eq), text.substr(eq + 1)};
}

StringMap key_values(const std::vector<std::string>& items, const char* option) {
  StringMap out;
  for (const auto& item : items) {
    auto [k, v] = key_value(item, option);
    out[k] = v;
  }
  return out;
}

// --- load yaml / json ---------------------------------------------------------------------------

struct FileArgs {
  std::string file;
  bool allow_move = false;
};

// --allow-move on every load: entity ids are global, so taking an entity from another group is
// refused unless asked for (load_plan.h).
void add_allow_move_flag(CLI::App* cmd, bool& flag) {
  cmd->add_flag("--allow-move", flag,
                "Let the input move entities from the group the control table holds them in to "
                "another group (refused otherwise, since entity ids are global); the summary "
                "names the moved entities");
}

void load_yaml(Context& ctx, const FileArgs& args) {
  const YamlLoader loader =
      args.file == "-" ? YamlLoader::from_text(read_stdin(), "<stdin>") : YamlLoader(args.file);
  const std::string source = args.file == "-" ? "<stdin>" : args.file;
  DeltaLiveStore store = store_of(ctx);
  const LoadSummary summary =
      run_load(ctx, source, [&] { return loader.run(store, {.allow_move = args.allow_move}); });
  print_summary(ctx, summary, "dls load yaml");
}

void load_json(Context& ctx, const FileArgs& args) {
  const JsonLoader loader =
      args.file == "-" ? JsonLoader::from_text(read_stdin(), "<stdin>") : JsonLoader(args.file);
  const std::string source = args.file == "-" ? "<stdin>" : args.file;
  DeltaLiveStore store = store_of(ctx);
  const LoadSummary summary =
      run_load(ctx, source, [&] { return loader.run(store, {.allow_move = args.allow_move}); });
  print_summary(ctx, summary, "dls load json");
}

// --- load dir -----------------------------------------------------------------------------------

struct DirArgs {
  std::string path;
  bool medallion = false;
  std::string group;
  std::optional<std::string> file_format;
  std::string source_format = "cloudFiles";
  std::vector<std::string> options;
  std::optional<std::string> source_schema;
  std::string prefix;
  std::string bronze_suffix = "_bronze";
  std::string silver_suffix = "_silver";
  std::vector<std::string> tags;
  std::vector<std::string> expect;
  std::vector<std::string> expect_or_drop;
  std::vector<std::string> expect_or_fail;
  bool quarantine = false;
  std::vector<std::string> primary_keys;
  bool dry_run = false;
  bool allow_move = false;
};

bool is_file_format(std::string_view format) {
  return std::find(std::begin(kFileFormats), std::end(kFileFormats), format) !=
         std::end(kFileFormats);
}

DirectoryFactoryOptions factory_options(const DirArgs& args) {
  DirectoryFactoryOptions o;
  o.group = args.group;
  o.source_format = args.source_format;
  if (!is_valid_source_format(o.source_format)) {
    std::string valid;
    for (auto f : kSourceFormats) valid += (valid.empty() ? "" : ", ") + std::string(f);
    throw UsageError("--source-format '" + o.source_format + "' is not one of " + valid);
  }
  if (args.file_format) {
    if (!is_file_format(*args.file_format)) {
      std::string valid;
      for (auto f : kFileFormats) valid += (valid.empty() ? "" : ", ") + std::string(f);
      throw UsageError("--format '" + *args.file_format +
                       "' is not a file format; expected one of " + valid +
                       " (the output format goes before the command: dls --format json load dir "
                       "...)");
    }
    if (o.source_format == "cloudFiles") {
      o.file_format = args.file_format;
    } else if (*args.file_format != o.source_format) {
      throw UsageError("--format " + *args.file_format + " contradicts --source-format " +
                       o.source_format + " (a batch source reads files of its own format)");
    }
  }
  o.read_options = key_values(args.options, "--option");
  o.source_schema = args.source_schema;
  o.bronze.prefix = args.prefix;
  o.silver.prefix = args.prefix;
  o.bronze.suffix = args.bronze_suffix;
  o.silver.suffix = args.silver_suffix;
  const StringMap tags = key_values(args.tags, "--tag");
  o.bronze.tags = tags;
  o.silver.tags = tags;
  // Quality rules and keys belong to the last layer: silver with --medallion, else bronze.
  LayerOptions& last = args.medallion ? o.silver : o.bronze;
  last.expectations.expect_all = key_values(args.expect, "--expect");
  last.expectations.expect_all_or_drop = key_values(args.expect_or_drop, "--expect-or-drop");
  last.expectations.expect_all_or_fail = key_values(args.expect_or_fail, "--expect-or-fail");
  last.is_quarantined = args.quarantine;
  last.primary_keys = args.primary_keys;
  return o;
}

void load_dir(Context& ctx, const DirArgs& args) {
  const DirectoryFactoryOptions options = factory_options(args);
  const DirectoryLoader loader(args.path, args.medallion ? medallion_from_directory_entry(options)
                                                         : entity_from_directory_entry(options));
  if (args.dry_run) {
    std::vector<DeltaLiveEntity> entities;
    run_load(ctx, args.path, [&] {
      entities = loader.entities();
      return LoadSummary{};
    });
    ctx.out() << export_yaml(entities);
    ctx.info("dry run: " + std::to_string(entities.size()) +
             " entities made from the sub-directories of " + args.path + "; nothing was written");
    return;
  }
  DeltaLiveStore store = store_of(ctx);
  const LoadSummary summary =
      run_load(ctx, args.path, [&] { return loader.run(store, {.allow_move = args.allow_move}); });
  print_summary(ctx, summary, "dls load dir");
}

// --- export yaml --------------------------------------------------------------------------------

struct ExportArgs {
  std::string file;
  std::optional<std::string> schema;
  bool no_schema = false;
};

void export_yaml_command(Context& ctx, const ExportArgs& args) {
  const bool to_stdout = args.file.empty() || args.file == "-";
  std::string schema_ref;
  if (!args.no_schema) {
    const fs::path target = to_stdout ? fs::current_path() / "export.yml" : fs::path(args.file);
    if (args.schema) {
      schema_ref = *args.schema;
    } else if (fs::exists(default_schema_path())) {
      schema_ref = schema_reference(default_schema_path(), target);
    }
  }
  DeltaLiveStore store = open_initialized_store(ctx);
  // Into a file: sources under its directory are written relative to it (portable round trips);
  // on stdout they stay absolute, since where the text ends up is unknown.
  const std::string yaml =
      to_stdout ? export_yaml(store, schema_ref) : export_yaml_file(store, args.file, schema_ref);
  if (to_stdout) {
    ctx.out() << yaml;
    return;
  }
  // Written next to the target and renamed over it: a failed export never leaves half a file.
  const fs::path target(args.file);
  const fs::path temp = target.string() + ".tmp";
  std::error_code ec;
  if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << yaml;
    if (!out.flush()) {
      throw Error("cannot write " + temp.string() + ": " + std::strerror(errno) +
                  " (choose another FILE, or leave it out to print to stdout)");
    }
  }
  fs::rename(temp, target, ec);
  if (ec) {
    fs::remove(temp, ec);
    throw Error("cannot write " + target.string() + ": " + ec.message());
  }
  ctx.info("exported the latest entities of " + ctx.options().store + " to " + target.string());
}

}  // namespace

void register_load_commands(CommandRegistry& r) {
  CLI::App* load =
      r.add_group(r.root(), "load", "Load metadata into the control table (validated first)");
  {
    auto args = std::make_shared<FileArgs>();
    CLI::App* cmd = r.add_command(
        *load, "yaml",
        "Load a YAML file: validate, disable each group's entities missing from it, upsert",
        {"dls load yaml examples/retail/pipeline.yml"},
        [args](Context& ctx) { load_yaml(ctx, *args); });
    cmd->add_option("FILE", args->file, "The YAML file ('-' reads stdin)")->required();
    add_allow_move_flag(cmd, args->allow_move);
  }
  {
    auto args = std::make_shared<DirArgs>();
    CLI::App* cmd = r.add_command(
        *load, "dir",
        "Load one entity (or a bronze+silver pair) per sub-directory of a local directory",
        {"dls load dir /data/landing --medallion --group main.etl --format csv"},
        [args](Context& ctx) { load_dir(ctx, *args); });
    cmd->add_option("PATH", args->path, "Directory whose sub-directories hold one dataset each")
        ->required();
    cmd->add_flag("--medallion", args->medallion,
                  "A bronze entity and a silver entity (source_format dlt) per directory");
    cmd->add_option("--group", args->group, "Group of the entities")->type_name("G");
    cmd->add_option("--format", args->file_format,
                    "Format of the data files (csv, json, parquet, avro, orc, xml, text): "
                    "cloudFiles.format of the Auto Loader source; default: detected from the "
                    "file extensions")
        ->type_name("FILE_FORMAT");
    cmd->add_option("--source-format", args->source_format,
                    "source_format of the bronze entities: cloudFiles (incremental, default) or "
                    "a batch format such as csv or parquet")
        ->type_name("FORMAT");
    cmd->add_option("--option", args->options,
                    "A read option of the bronze entities (wins over derived ones); repeatable")
        ->type_name("KEY=VALUE")
        ->allow_extra_args(false);
    cmd->add_option("--source-schema", args->source_schema,
                    "Spark DDL schema of the files, e.g. 'id INT, name STRING'")
        ->type_name("DDL");
    cmd->add_option("--prefix", args->prefix,
                    "Prefix of every destination, e.g. 'main.etl.' or 'raw_'");
    cmd->add_option("--bronze-suffix", args->bronze_suffix, "Suffix of bronze destinations")
        ->capture_default_str();
    cmd->add_option("--silver-suffix", args->silver_suffix, "Suffix of silver destinations")
        ->capture_default_str();
    cmd->add_option("--tag", args->tags, "A tag on every entity; repeatable")
        ->type_name("KEY=VALUE")
        ->allow_extra_args(false);
    cmd->add_option("--expect", args->expect,
                    "An expect_all rule on the last layer (silver with --medallion); repeatable")
        ->type_name("NAME=EXPR")
        ->allow_extra_args(false);
    cmd->add_option("--expect-or-drop", args->expect_or_drop,
                    "An expect_all_or_drop rule on the last layer; repeatable")
        ->type_name("NAME=EXPR")
        ->allow_extra_args(false);
    cmd->add_option("--expect-or-fail", args->expect_or_fail,
                    "An expect_all_or_fail rule on the last layer; repeatable")
        ->type_name("NAME=EXPR")
        ->allow_extra_args(false);
    cmd->add_flag("--quarantine", args->quarantine,
                  "Quarantine rows failing the --expect rules of the last layer");
    cmd->add_option("--primary-key", args->primary_keys,
                    "A primary key column of the last layer; repeatable")
        ->type_name("COLUMN")
        ->allow_extra_args(false);
    cmd->add_flag("--dry-run", args->dry_run,
                  "Print the entities as YAML instead of loading them (no store needed)");
    add_allow_move_flag(cmd, args->allow_move);
  }
  {
    auto args = std::make_shared<FileArgs>();
    CLI::App* cmd = r.add_command(
        *load, "json", "Upsert the entities of a JSON array (no group synchronisation)",
        {"dls load json entities.json", "dls --format json list | dls load json -"},
        [args](Context& ctx) { load_json(ctx, *args); });
    cmd->add_option("FILE", args->file, "The JSON file ('-' reads stdin)")->required();
    add_allow_move_flag(cmd, args->allow_move);
  }

  CLI::App* exp = r.add_group(r.root(), "export", "Export metadata from the control table");
  {
    auto args = std::make_shared<ExportArgs>();
    CLI::App* cmd = r.add_command(
        *exp, "yaml", "Write the latest entities (enabled or not) in the YAML file format",
        {"dls export yaml metadata.yml"},
        [args](Context& ctx) { export_yaml_command(ctx, *args); });
    cmd->add_option("FILE", args->file, "Output file (default: stdout)");
    cmd->add_option("--schema", args->schema,
                    "Reference written in the '# yaml-language-server: $schema=' comment "
                    "(default: this installation's schemas/config_schema.json, relative to FILE)")
        ->type_name("REF");
    cmd->add_flag("--no-schema", args->no_schema, "Leave out the schema comment");
  }
}

}  // namespace dls::cli

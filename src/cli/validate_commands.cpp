// `dls validate` and `dls compile` (issue 14): what `dls run` would check and run, without
// reading data or writing anything.
//
// validate: every problem of the selected entities (pipeline/pipeline_check.h: each entity's
// fields and Spark SQL, read options, the graph — duplicate destinations, missing upstreams,
// cycles —, table ownership, select_expr and expectations bound against the upstream schemas),
// one per line as "error: entity 'ID': FIELD: message" (warnings too), or a JSON/YAML list with
// --format. Exit 3 when there is any error, else 0 and "N entities valid".
// compile: per selected dataset, the DuckDB SQL the local engine runs and the Spark SQL
// (Lakeflow) the same entity is generated as (`dls generate databricks`).
#include <memory>

#include "command_registry.h"
#include "dls/codegen/codegen_error.h"
#include "dls/codegen/pipeline_sources.h"
#include "dls/core/error.h"
#include "dls/pipeline/pipeline_check.h"
#include "selection.h"

namespace dls::cli {
namespace {

using ojson = nlohmann::ordered_json;

struct CompileArgs {
  SelectionArgs selection;
  std::vector<std::string> datasets;  // --dataset
};

std::string severity_name(Severity s) {
  return s == Severity::kError ? "error" : "warning";
}

/// Runs the checks on the selection (with the upstream of the selected datasets, whose schemas
/// they read); keeps the diagnostics about selected entities and the pipeline as a whole.
pipeline::PipelineCheck check_selection(Context& ctx, const Selection& s) {
  if (s.entities.empty()) {
    throw NotFoundError("no enabled entities match the selection; see 'dls list'");
  }
  pipeline::PipelineCheckOptions options;
  options.pipeline = s.pipeline;
  options.target = s.target;
  pipeline::PipelineCheck check =
      pipeline::check_pipeline(ctx.warehouse(), s.picked(true), options);
  std::erase_if(check.diagnostics, [&](const Diagnostic& d) {
    return !d.entity_id.empty() && !s.is_selected(d.entity_id);
  });
  std::erase_if(check.datasets,
                [&](const pipeline::CompiledDataset& d) { return !s.is_selected(d.entity_id); });
  return check;
}

size_t count_errors(const Diagnostics& diagnostics) {
  size_t n = 0;
  for (const auto& d : diagnostics) n += d.is_error() ? 1 : 0;
  return n;
}

[[noreturn]] void fail(const Diagnostics& diagnostics, size_t entities) {
  const size_t errors = count_errors(diagnostics);
  throw InvalidMetadataError(std::to_string(errors) + (errors == 1 ? " problem" : " problems") +
                             " in " + std::to_string(entities) +
                             (entities == 1 ? " entity" : " entities") +
                             "; `dls run` would refuse them (nothing was read or written)");
}

void validate(Context& ctx, const SelectionArgs& args) {
  const OutputFormat format = ctx.output_format(
      {OutputFormat::kTable, OutputFormat::kJson, OutputFormat::kYaml}, "dls validate");
  const Selection s = select(ctx, args);
  const pipeline::PipelineCheck check = check_selection(ctx, s);
  const size_t entities = s.has_select() ? s.selected.size() : s.entities.size();
  if (format == OutputFormat::kTable) {
    for (const auto& d : check.diagnostics) ctx.out() << d.to_string() << "\n";
  } else {
    ojson list = ojson::array();
    for (const auto& d : check.diagnostics) {
      ojson item{{"severity", severity_name(d.severity)},
                 {"entity_id", d.entity_id.empty() ? ojson(nullptr) : ojson(d.entity_id)},
                 {"field", d.field.empty() ? ojson(nullptr) : ojson(d.field)},
                 {"message", d.message}};
      if (d.location) {
        item["location"] = {
            {"file", d.location->file}, {"line", d.location->line}, {"column", d.location->column}};
      }
      list.push_back(std::move(item));
    }
    render_document(list, format, ctx.out());
  }
  if (check.has_errors()) fail(check.diagnostics, entities);
  const std::string valid = std::to_string(entities) + (entities == 1 ? " entity" : " entities") +
                            " valid (pipeline '" + s.pipeline + "', target " +
                            s.target.to_string() + ")";
  if (format == OutputFormat::kTable) {
    ctx.out() << valid << "\n";
  } else {
    ctx.info(valid);
  }
}

/// The Lakeflow SQL `entity` is generated as (`dls generate databricks`) in a pipeline of the
/// entities of its group in `pipeline` (so that its upstream datasets are the pipeline's), with
/// the warnings about it as comments; or a comment saying why it cannot be generated.
std::string spark_sql_of(const DeltaLiveEntity& entity,
                         const std::vector<DeltaLiveEntity>& pipeline) {
  codegen::PipelinePlan plan;
  plan.name = codegen::resource_name(entity.group);
  plan.group = entity.group;
  for (const auto& e : pipeline) {
    if (e.group == entity.group) plan.entities.push_back(e);
  }
  std::vector<codegen::CodegenWarning> warnings;
  try {
    // Each generated file starts with the entity it comes from.
    const std::string mark = "from entity " + entity.entity_id + " (";
    std::string out;
    for (const auto& file :
         codegen::generate_pipeline_sources(plan, codegen::Target::kDatabricks, warnings)) {
      if (file.content.find(mark) == std::string::npos) continue;
      out += (out.empty() ? "" : "\n") + file.content;
    }
    for (const auto& w : warnings) {
      if (w.entity_id != entity.entity_id) continue;
      out += "-- warning: " + (w.field.empty() ? "" : w.field + ": ") + w.message + "\n";
    }
    return out;
  } catch (const Error& e) {
    return std::string("-- not generated: ") + e.what() + "\n";
  }
}

bool names_dataset(const pipeline::CompiledDataset& d, const std::string& name,
                   const catalog::Namespace& ns) {
  if (name == d.name || name == d.qualified_name || name == d.entity_id) return true;
  try {
    return catalog::parse_table_name(name, ns).to_string() == d.qualified_name;
  } catch (const Error&) {
    return false;
  }
}

void compile(Context& ctx, const CompileArgs& args) {
  const OutputFormat format =
      ctx.output_format({OutputFormat::kTable, OutputFormat::kJson}, "dls compile");
  const Selection s = select(ctx, args.selection);
  pipeline::PipelineCheck check = check_selection(ctx, s);
  for (const auto& name : args.datasets) {
    const bool known = std::any_of(check.datasets.begin(), check.datasets.end(),
                                   [&](const auto& d) { return names_dataset(d, name, s.target); });
    if (!known) {
      std::string list;
      for (const auto& d : check.datasets) list += (list.empty() ? "" : ", ") + d.qualified_name;
      throw UsageError("--dataset " + name + ": no such dataset in the selection (datasets: " +
                       (list.empty() ? "none" : list) + ")");
    }
  }
  if (!args.datasets.empty()) {
    std::erase_if(check.datasets, [&](const pipeline::CompiledDataset& d) {
      return std::none_of(args.datasets.begin(), args.datasets.end(),
                          [&](const std::string& n) { return names_dataset(d, n, s.target); });
    });
  }
  std::map<std::string, const DeltaLiveEntity*> by_id;
  for (const auto& e : s.entities) by_id[e.entity_id] = &e;
  ojson list = ojson::array();
  for (const auto& d : check.datasets) {
    const std::string spark = spark_sql_of(*by_id.at(d.entity_id), s.entities);
    if (format == OutputFormat::kTable) {
      ctx.out() << "-- dataset " << d.qualified_name << " (" << pipeline::to_string(d.kind)
                << "), entity '" << d.entity_id << "'\n"
                << "-- reads: " << d.input << "\n"
                << "-- DuckDB SQL (local engine):\n"
                << (d.duckdb_sql ? *d.duckdb_sql + ";"
                                 : std::string("-- (not compiled: see dls validate)"))
                << (d.kind == pipeline::DatasetKind::kSink
                        ? "\n-- Python (a Lakeflow sink: create_sink + append_flow, dls generate "
                          "databricks):\n"
                        : "\n-- Spark SQL (Lakeflow, dls generate databricks):\n")
                << spark << "\n";
      continue;
    }
    ojson columns = ojson::array();
    for (const auto& [name, type] : d.columns) columns.push_back({{"name", name}, {"type", type}});
    list.push_back({{"dataset", d.qualified_name},
                    {"entity_id", d.entity_id},
                    {"kind", pipeline::to_string(d.kind)},
                    {"reads", d.input},
                    {"upstream", d.upstream},
                    {"duckdb_sql", d.duckdb_sql ? ojson(*d.duckdb_sql) : ojson(nullptr)},
                    {"spark_sql", spark},
                    {"columns", columns}});
  }
  if (format != OutputFormat::kTable) render_document(list, format, ctx.out());
  for (const auto& d : check.diagnostics) {
    if (d.is_error()) ctx.err() << d.to_string() << "\n";
  }
  if (check.has_errors()) {
    fail(check.diagnostics, s.has_select() ? s.selected.size() : s.entities.size());
  }
}

}  // namespace

void register_validate_commands(CommandRegistry& r) {
  {
    auto args = std::make_shared<SelectionArgs>();
    CLI::App* cmd = r.add_command(
        r.root(), "validate",
        "Check a pipeline's entities as `dls run` would, without reading data or writing: "
        "fields, Spark SQL bound against upstream schemas, read options, cycles, duplicate "
        "destinations, table ownership; every problem listed",
        {"dls validate --group main.sales", "dls --format json validate --select +orders_gold"},
        [args](Context& ctx) { validate(ctx, *args); });
    add_selection_options(cmd, *args);
    cmd->footer(
        cmd->get_footer() +
        "\nOutput: one line per problem, \"error: entity 'ID': FIELD: message\" (warnings as "
        "\"warning: ...\"), then \"N entities valid\" when there is no error; --format "
        "json|yaml: a list of {severity, entity_id, field, message}.\n"
        "Upstream schemas come from existing tables, the files of a file source (DuckDB infers "
        "them from a sample) or the declared source_schema; a dataset whose input schema is "
        "unknown is not bound (a warning says so).\n"
        "Selectors (--select, repeatable, a union; AND with --group/--where): NAME, +NAME (and "
        "upstream), NAME+ (and downstream), +NAME+, tag:KEY=VALUE, tag:KEY. NAME is a "
        "destination, catalog.schema.table or entity_id; an unknown NAME exits 2.\n"
        "Exit codes: 0 no error; 3 at least one error (invalid metadata); 2 usage.\n");
  }
  {
    auto args = std::make_shared<CompileArgs>();
    CLI::App* cmd = r.add_command(
        r.root(), "compile",
        "Print the DuckDB SQL each dataset runs locally and the Spark SQL (Lakeflow) it is "
        "generated as, without running anything",
        {"dls compile --group main.sales --dataset orders_silver",
         "dls --format json compile --select tag:layer=gold"},
        [args](Context& ctx) { compile(ctx, *args); });
    add_selection_options(cmd, args->selection);
    cmd->add_option("--dataset", args->datasets,
                    "Only this dataset (destination, catalog.schema.table or entity_id); "
                    "repeatable")
        ->type_name("NAME")
        ->allow_extra_args(false);
    cmd->footer(
        cmd->get_footer() +
        "\nOutput: per dataset, a commented block with the DuckDB query (its input, "
        "source_schema, select_expr and one __dls_ok_<i> column per expectation rule; an "
        "upstream dataset's rows appear as __dls_input_<n>) and the Lakeflow SQL; --format "
        "json: a list of {dataset, entity_id, kind, reads, upstream, duckdb_sql, spark_sql, "
        "columns}. Problems go to stderr and exit 3, as with dls validate.\n");
  }
}

}  // namespace dls::cli

// `dls generate databricks|spark --out DIR` (DESIGN §8, issue 5): the entities of the control
// table as a Databricks Asset Bundle or an Apache Spark Declarative Pipelines project; and
// `dls deploy --bundle DIR`, which runs `databricks bundle validate` and `deploy` on a generated
// bundle when the Databricks CLI is installed.
//
// Entities: the latest enabled versions matching --where (or of --group), default all enabled.
// Warnings (entity features the target cannot express) go to stderr; metadata that cannot be
// generated fails with exit code 3 and nothing is written.
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "command_registry.h"
#include "dls/codegen/databricks_bundle.h"
#include "dls/codegen/spark_project.h"
#include "dls/core/error.h"
#include "dls/core/predicate_parser.h"
#include "store_location.h"

namespace dls::cli {
namespace {

namespace fs = std::filesystem;

struct GenerateArgs {
  std::string out;
  std::optional<std::string> where;
  std::optional<std::string> group;
  std::optional<std::string> target;
  std::string bundle_name = "dls";
  std::optional<std::string> source_volume;
  std::optional<std::string> storage;
  std::optional<std::string> spark_warehouse;
};

Predicate selection(const GenerateArgs& args) {
  if (args.where && args.group) throw UsageError("generate: give --where or --group, not both");
  if (args.where) return parse_predicate(*args.where, "--where") & by_is_enabled();
  if (args.group) return by_group(*args.group) & by_is_enabled();
  return by_is_enabled();
}

void write_project(Context& ctx, const codegen::GeneratedProject& project, const fs::path& out,
                   std::size_t entities) {
  for (const auto& w : project.warnings()) ctx.warn(w.to_string());
  project.write_to(out);
  ctx.info("generated " + std::to_string(project.files().size()) + " files for " +
           std::to_string(entities) + " entities in " + out.string() +
           (project.warnings().empty()
                ? ""
                : " (" + std::to_string(project.warnings().size()) + " warnings)"));
  for (const auto& f : project.files()) ctx.out() << (out / f.path).string() << "\n";
}

void generate(Context& ctx, const GenerateArgs& args, bool databricks) {
  const Predicate predicate = selection(args);
  DeltaLiveStore store = open_initialized_store(ctx);
  const EntityList entities = store.find_entities(predicate);
  if (entities.empty()) {
    throw InvalidMetadataError("generate: no enabled entity matches " + predicate.to_string() +
                               " in the control table; check the filter with 'dls list --where'");
  }
  const fs::path out = fs::absolute(args.out);
  if (databricks) {
    codegen::DatabricksBundleOptions options;
    options.bundle_name = args.bundle_name;
    options.target = args.target;
    options.control_table = ctx.options().store;
    if (args.source_volume) options.source_volume = *args.source_volume;
    write_project(ctx, codegen::generate_databricks_bundle(entities, options), out,
                  entities.size());
  } else {
    codegen::SparkProjectOptions options;
    options.target = args.target;
    options.storage_root = args.storage ? *args.storage : "file://" + (out / "storage").string();
    if (args.spark_warehouse)
      options.spark_warehouse = fs::absolute(*args.spark_warehouse).string();
    write_project(ctx, codegen::generate_spark_project(entities, options), out, entities.size());
  }
}

bool have_program(const std::string& name) {
  return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

void deploy(Context& ctx, const std::string& bundle_dir, const std::string& target,
            bool validate_only) {
  if (!fs::exists(fs::path(bundle_dir) / "databricks.yml")) {
    throw UsageError("deploy: no databricks.yml in " + bundle_dir +
                     ": generate the bundle first with 'dls generate databricks --out " +
                     bundle_dir + "'");
  }
  if (!have_program("databricks")) {
    throw Error(
        "deploy: the Databricks CLI ('databricks') is not installed or not on PATH. "
        "Install it (https://docs.databricks.com/dev-tools/cli/install.html), "
        "authenticate with 'databricks configure', then run 'dls deploy' again — or run "
        "'databricks bundle deploy -t " +
        target + "' in " + bundle_dir + " yourself");
  }
  const std::string cd = "cd " + shell_quote(bundle_dir) + " && ";
  for (const std::string verb : {"validate", "deploy"}) {
    if (verb == "deploy" && validate_only) break;
    ctx.info("running: databricks bundle " + verb + " -t " + target);
    const int status =
        std::system((cd + "databricks bundle " + verb + " -t " + shell_quote(target)).c_str());
    if (status != 0) {
      throw Error("deploy: 'databricks bundle " + verb + " -t " + target + "' failed in " +
                  bundle_dir + " (its output is above)");
    }
  }
}

}  // namespace

void register_generate_commands(CommandRegistry& r) {
  CLI::App* group = r.add_group(r.root(), "generate",
                                "Generate a Databricks bundle or a Spark pipelines project");
  for (const bool databricks : {true, false}) {
    auto args = std::make_shared<GenerateArgs>();
    const std::string name = databricks ? "databricks" : "spark";
    CLI::App* cmd = r.add_command(
        *group, name,
        databricks ? "A Databricks Asset Bundle: Lakeflow SQL pipelines, a job, the metadata"
                   : "An Apache Spark Declarative Pipelines project (Spark 4.2)",
        databricks ? std::vector<std::string>{"dls generate databricks --out bundle",
                                              "dls generate databricks --out bundle --group "
                                              "main.etl --target main.sales"}
                   : std::vector<std::string>{"dls generate spark --out spark_project",
                                              "dls generate spark --out sdp --spark-warehouse "
                                              "spark_wh"},
        [args, databricks](Context& ctx) { generate(ctx, *args, databricks); });
    cmd->add_option("--out", args->out, "Output directory (created; files are overwritten)")
        ->required();
    cmd->add_option("--where", args->where, "Entities to generate (the by_* vocabulary)");
    cmd->add_option("--group", args->group, "Entities of this group only");
    cmd->add_option("--target", args->target, "Default catalog.schema of the datasets");
    if (databricks) {
      cmd->add_option("--bundle-name", args->bundle_name, "bundle.name (default dls)");
      cmd->add_option("--source-volume", args->source_volume,
                      "Where relative source paths are read (default /Volumes/main/dls/sources)");
    } else {
      cmd->add_option("--storage", args->storage,
                      "Storage root URI of the pipelines (default file://<out>/storage)");
      cmd->add_option("--spark-warehouse", args->spark_warehouse,
                      "Run on a local Spark with Delta: each dataset at W/<catalog>/<schema>/"
                      "<table>/ (a dls warehouse's layout); writes <out>/<pipeline>/run-local.sh")
          ->type_name("W");
    }
  }

  auto dir = std::make_shared<std::string>();
  auto target = std::make_shared<std::string>("dev");
  auto validate_only = std::make_shared<bool>(false);
  CLI::App* cmd = r.add_command(
      r.root(), "deploy", "Validate and deploy a generated bundle with the Databricks CLI",
      {"dls deploy --bundle bundle", "dls deploy --bundle bundle -t prod --validate-only"},
      [dir, target, validate_only](Context& ctx) { deploy(ctx, *dir, *target, *validate_only); });
  cmd->add_option("--bundle", *dir, "The directory written by 'dls generate databricks'")
      ->required();
  cmd->add_option("-t,--bundle-target", *target, "Bundle target (dev or prod; default dev)");
  cmd->add_flag("--validate-only", *validate_only, "Run 'databricks bundle validate' only");
}

}  // namespace dls::cli

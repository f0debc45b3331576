// `dls events`, `dls updates`, `dls quality` (DESIGN §7, §9; issue 14): what past updates did, read
// from the pipeline's event log (<warehouse>/_pipelines/<pipeline>/event_log, a Delta table; its
// columns and details are described in dls/pipeline/event_log.h).
//
// events  — the log itself, newest last, narrowed by --update (an id or its prefix), --level and
//           --dataset;
// updates — one row per update: when, how long, its final state, datasets per status, rows
//           written and rows that failed a rule;
// quality — one row per rule and update: passed and failed rows, for the last N updates.
// --dataset takes a qualified name (main.sales.orders) or its last part (orders).
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "command_registry.h"
#include "dls/core/error.h"
#include "dls/pipeline/event_history.h"

namespace dls::cli {
namespace {

struct HistoryArgs {
  std::optional<std::string> pipeline;
  int64_t last = 100;
  std::optional<std::string> update;   // events only
  std::optional<std::string> level;    // events only
  std::optional<std::string> dataset;  // events and quality
};

// A DuckDB query (in parentheses) over the event log of the pipeline the arguments name.
std::string event_log_scan(Context& ctx, const HistoryArgs& args) {
  const std::string name = pipeline::pick_pipeline(ctx.warehouse(), args.pipeline);
  return pipeline::event_log_scan(ctx.warehouse(), ctx.connection(), name);
}

// JSON text columns (details) become nested values in json/csv output.
void parse_json_column(DataTable& t, const std::string& column) {
  auto it = std::find(t.columns.begin(), t.columns.end(), column);
  if (it == t.columns.end()) return;
  const size_t i = static_cast<size_t>(it - t.columns.begin());
  for (auto& row : t.rows) {
    if (row[i].is_string()) {
      Cell parsed = Cell::parse(row[i].get<std::string>(), nullptr, false);
      if (!parsed.is_discarded()) row[i] = parsed;
    }
  }
}

void render(Context& ctx, sql::Result result, OutputFormat format,
            const std::string& json_column = "") {
  DataTable t = DataTable::from_values(result.column_names(), result.rows());
  if (!json_column.empty() && format != OutputFormat::kTable) parse_json_column(t, json_column);
  RenderOptions options;
  options.max_cell_width = 100;
  render_table(t, format, ctx.out(), options);
}

void events(Context& ctx, const HistoryArgs& args) {
  OutputFormat format = ctx.output_format(
      {OutputFormat::kTable, OutputFormat::kJson, OutputFormat::kCsv}, "dls events");
  pipeline::EventQuery query;
  query.last = args.last;
  query.update = args.update;
  query.level = args.level;
  query.dataset = args.dataset;
  if (query.last < 1) throw UsageError("--last must be at least 1");
  const std::string scan = event_log_scan(ctx, args);
  auto result =
      ctx.connection().query(pipeline::events_sql(scan, query, format == OutputFormat::kTable));
  render(ctx, std::move(result), format, "details");
}

void updates(Context& ctx, const HistoryArgs& args) {
  OutputFormat format = ctx.output_format(
      {OutputFormat::kTable, OutputFormat::kJson, OutputFormat::kCsv}, "dls updates");
  if (args.last < 1) throw UsageError("--last must be at least 1");
  const std::string scan = event_log_scan(ctx, args);
  render(ctx,
         ctx.connection().query(
             pipeline::updates_sql(scan, args.last, format == OutputFormat::kTable)),
         format);
}

void quality(Context& ctx, const HistoryArgs& args) {
  OutputFormat format = ctx.output_format(
      {OutputFormat::kTable, OutputFormat::kJson, OutputFormat::kCsv}, "dls quality");
  if (args.last < 1) throw UsageError("--last must be at least 1");
  const std::string scan = event_log_scan(ctx, args);
  render(ctx,
         ctx.connection().query(
             pipeline::quality_sql(scan, args.last, args.dataset, format == OutputFormat::kTable)),
         format);
}

void add_pipeline_option(CLI::App* cmd, HistoryArgs& args) {
  cmd->add_option("--pipeline", args.pipeline,
                  "Pipeline name (default: the only pipeline with an event log, else 'default')");
}

}  // namespace

void register_history_commands(CommandRegistry& r) {
  const std::string footer =
      "\nThe event log is a Delta table: query it with dls query \"SELECT * FROM "
      "delta_scan('<warehouse>/_pipelines/<pipeline>/event_log')\".\n";

  auto events_args = std::make_shared<HistoryArgs>();
  CLI::App* events_cmd = r.add_command(
      r.root(), "events",
      "Show a pipeline's event log (update and flow progress, data quality, errors)",
      {"dls events --last 20", "dls events --pipeline sales --format json",
       "dls events --update 7bd3f243 --level WARN", "dls events --dataset orders_silver"},
      [events_args](Context& ctx) { events(ctx, *events_args); });
  add_pipeline_option(events_cmd, *events_args);
  events_cmd->add_option("--last", events_args->last,
                         "Show the last N events (default 100) that match the filters");
  events_cmd->add_option("--update", events_args->update,
                         "Only the events of this update (its id, or a prefix as 'dls updates' "
                         "shows it)");
  events_cmd->add_option("--level", events_args->level,
                         "Only events of this level: INFO, WARN, ERROR or METRICS");
  events_cmd->add_option("--dataset", events_args->dataset,
                         "Only events of this dataset (catalog.schema.table, or the table name)");
  events_cmd->footer(events_cmd->get_footer() + footer);

  auto updates_args = std::make_shared<HistoryArgs>();
  updates_args->last = 20;
  CLI::App* updates_cmd = r.add_command(
      r.root(), "updates",
      "Show a pipeline's past updates: start, duration, status, datasets completed/failed/"
      "skipped, rows written and rows that failed an expectation",
      {"dls updates", "dls updates --pipeline sales --last 5 --format json"},
      [updates_args](Context& ctx) { updates(ctx, *updates_args); });
  add_pipeline_option(updates_cmd, *updates_args);
  updates_cmd->add_option("--last", updates_args->last, "Show the last N updates (default 20)");
  updates_cmd->footer(updates_cmd->get_footer() +
                      "\nstatus is the update's last state in the event log: COMPLETED, FAILED, "
                      "CANCELED, or RUNNING for an update that is running or never ended.\n" +
                      footer);

  auto quality_args = std::make_shared<HistoryArgs>();
  quality_args->last = 10;
  CLI::App* quality_cmd = r.add_command(
      r.root(), "quality",
      "Show data quality per expectation rule over a pipeline's updates: rows passed and failed "
      "per update",
      {"dls quality", "dls quality --dataset orders_silver --last 5 --format json"},
      [quality_args](Context& ctx) { quality(ctx, *quality_args); });
  add_pipeline_option(quality_cmd, *quality_args);
  quality_cmd->add_option("--last", quality_args->last, "Rules of the last N updates (default 10)");
  quality_cmd->add_option("--dataset", quality_args->dataset,
                          "Only the rules of this dataset (catalog.schema.table, or the table "
                          "name)");
  quality_cmd->footer(quality_cmd->get_footer() + footer);
}

}  // namespace dls::cli

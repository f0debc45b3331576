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
#include <cctype>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "command_registry.h"
#include "dls/core/error.h"
#include "dls/delta/delta_table.h"
#include "dls/delta/table_scan.h"
#include "dls/sql/quote.h"

namespace dls::cli {
namespace {

struct HistoryArgs {
  std::optional<std::string> pipeline;
  int64_t last = 100;
  std::optional<std::string> update;   // events only
  std::optional<std::string> level;    // events only
  std::optional<std::string> dataset;  // events and quality
};

// The pipeline named by --pipeline, else the only one with an event log (or 'default').
std::string pick_pipeline(Context& ctx, const std::optional<std::string>& name) {
  if (name) {
    catalog::validate_name_part(*name, "pipeline name");
    return *name;
  }
  std::filesystem::path root = ctx.warehouse().root() / std::string(catalog::kPipelinesDir);
  std::vector<std::string> found;
  std::error_code ec;
  if (std::filesystem::is_directory(root, ec)) {
    for (const auto& e : std::filesystem::directory_iterator(root)) {
      if (std::filesystem::exists(e.path() / "event_log" / "_delta_log")) {
        found.push_back(e.path().filename().string());
      }
    }
  }
  std::sort(found.begin(), found.end());
  if (found.size() == 1) return found[0];
  if (std::find(found.begin(), found.end(), "default") != found.end()) return "default";
  if (found.empty()) {
    throw NotFoundError("no pipeline has an event log in the warehouse " +
                        ctx.warehouse().root().string() + " yet; run 'dls run' first");
  }
  std::string list;
  for (const auto& f : found) list += (list.empty() ? "" : ", ") + f;
  throw UsageError("several pipelines have event logs (" + list + "): choose with --pipeline");
}

// A DuckDB query (in parentheses) over the event log of the pipeline the arguments name.
std::string event_log_scan(Context& ctx, const HistoryArgs& args) {
  std::string pipeline = pick_pipeline(ctx, args.pipeline);
  std::filesystem::path root = ctx.warehouse().pipeline_dir(pipeline) / "event_log";
  if (!delta::DeltaTable::exists(root.string())) {
    throw NotFoundError("pipeline '" + pipeline + "' has no event log (at " + root.string() +
                        "); run 'dls run' first");
  }
  return "(" +
         delta::TableScan(delta::DeltaTable::open(root.string()).snapshot()).sql(ctx.connection()) +
         ")";
}

// SQL condition: the event's dataset is `name` (qualified) or ends in '.<name>'.
std::string dataset_condition(const std::string& column, const std::string& name) {
  return "(" + column + " = " + sql::quote_literal(name) + " OR " + column + " LIKE " +
         sql::quote_literal("%." + name) + ")";
}

void check_last(const HistoryArgs& args) {
  if (args.last < 1) throw UsageError("--last must be at least 1");
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
  check_last(args);
  std::vector<std::string> where;
  if (args.update) {
    if (args.update->empty()) throw UsageError("--update needs an update id (or its prefix)");
    where.push_back("starts_with(origin.update_id, " + sql::quote_literal(*args.update) + ")");
  }
  if (args.level) {
    std::string level = *args.level;
    std::transform(level.begin(), level.end(), level.begin(), ::toupper);
    if (level != "INFO" && level != "WARN" && level != "ERROR" && level != "METRICS") {
      throw UsageError("--level must be INFO, WARN, ERROR or METRICS, not '" + *args.level + "'");
    }
    where.push_back("level = " + sql::quote_literal(level));
  }
  if (args.dataset) where.push_back(dataset_condition("origin.dataset_name", *args.dataset));
  std::string filter;
  for (const auto& w : where) filter += (filter.empty() ? " WHERE " : " AND ") + w;

  const bool full = format != OutputFormat::kTable;
  std::string columns =
      full ? "id, sequence, strftime(timestamp, '%Y-%m-%dT%H:%M:%S.%gZ') AS timestamp, "
             "origin.update_id AS update_id, origin.flow_name AS flow_name, "
             "origin.dataset_name AS dataset, level, event_type, message, details"
           : "strftime(timestamp, '%Y-%m-%d %H:%M:%S') AS timestamp, "
             "left(origin.update_id, 8) AS \"update\", level, event_type, "
             "origin.dataset_name AS dataset, message";
  sql::Connection& con = ctx.connection();
  auto result =
      con.query("SELECT " + columns + " FROM (SELECT * FROM " + event_log_scan(ctx, args) + filter +
                " ORDER BY timestamp DESC, sequence DESC LIMIT " + std::to_string(args.last) +
                ") AS e ORDER BY e.timestamp, e.sequence");
  render(ctx, std::move(result), format, "details");
}

void updates(Context& ctx, const HistoryArgs& args) {
  OutputFormat format = ctx.output_format(
      {OutputFormat::kTable, OutputFormat::kJson, OutputFormat::kCsv}, "dls updates");
  check_last(args);
  const bool table = format == OutputFormat::kTable;
  // The final flow_progress event of a dataset carries its status, metrics and data quality;
  // the last update_progress event the update's state (RUNNING when it never ended).
  const std::string flow_status = "json_extract_string(details, '$.flow_progress.status')";
  const std::string failed_records =
      "coalesce(list_sum(CAST(json_extract(details, "
      "'$.flow_progress.data_quality.expectations[*].failed_records') AS BIGINT[])), 0)";
  std::string sql =
      "WITH e AS (SELECT * FROM " + event_log_scan(ctx, args) +
      "), u AS (SELECT origin.update_id AS update_id, min(timestamp) AS started, "
      "max(timestamp) AS ended, "
      "arg_max(json_extract_string(details, '$.update_progress.state'), sequence) "
      "FILTER (WHERE event_type = 'update_progress') AS state, "
      "count(*) FILTER (WHERE event_type = 'flow_progress' AND " +
      flow_status +
      " = 'COMPLETED') AS completed, "
      "count(*) FILTER (WHERE event_type = 'flow_progress' AND " +
      flow_status +
      " = 'FAILED') AS failed, "
      "count(*) FILTER (WHERE event_type = 'flow_progress' AND " +
      flow_status +
      " = 'SKIPPED') AS skipped, "
      "coalesce(sum(CAST(json_extract(details, '$.flow_progress.metrics.num_output_rows') AS "
      "BIGINT)) FILTER (WHERE event_type = 'flow_progress'), 0) AS rows_written, "
      "sum(" +
      failed_records +
      ") FILTER (WHERE event_type = 'flow_progress') AS rule_failures "
      "FROM e GROUP BY origin.update_id ORDER BY started DESC LIMIT " +
      std::to_string(args.last) + ") SELECT " +
      (table ? "left(update_id, 8) AS \"update\", strftime(started, '%Y-%m-%d %H:%M:%S') AS "
               "started, printf('%.2f s', epoch_ms(ended - started) / 1000.0) AS duration, "
             : "update_id, strftime(started, '%Y-%m-%dT%H:%M:%S.%gZ') AS started, "
               "epoch_ms(ended - started) AS duration_ms, ") +
      "coalesce(state, 'RUNNING') AS status, completed, failed, skipped, rows_written, "
      "coalesce(rule_failures, 0) AS failed_records FROM u ORDER BY u.started";
  render(ctx, ctx.connection().query(sql), format);
}

void quality(Context& ctx, const HistoryArgs& args) {
  OutputFormat format = ctx.output_format(
      {OutputFormat::kTable, OutputFormat::kJson, OutputFormat::kCsv}, "dls quality");
  check_last(args);
  const bool table = format == OutputFormat::kTable;
  std::string dataset_filter =
      args.dataset ? " AND " + dataset_condition("r.dataset", *args.dataset) : "";
  std::string sql =
      "WITH e AS (SELECT * FROM " + event_log_scan(ctx, args) +
      "), last_updates AS (SELECT origin.update_id AS update_id, min(timestamp) AS started "
      "FROM e GROUP BY origin.update_id ORDER BY started DESC LIMIT " +
      std::to_string(args.last) +
      "), rules AS (SELECT origin.update_id AS update_id, unnest(from_json(json_extract(details, "
      "'$.flow_progress.data_quality.expectations'), "
      "'[{\"name\":\"VARCHAR\",\"dataset\":\"VARCHAR\",\"action\":\"VARCHAR\","
      "\"passed_records\":\"BIGINT\",\"failed_records\":\"BIGINT\"}]')) AS r "
      "FROM e WHERE event_type = 'flow_progress' AND "
      "json_extract(details, '$.flow_progress.data_quality.expectations') IS NOT NULL) "
      "SELECT " +
      (table ? "left(u.update_id, 8) AS \"update\", strftime(u.started, '%Y-%m-%d %H:%M:%S') "
               "AS started, "
             : "u.update_id AS update_id, strftime(u.started, '%Y-%m-%dT%H:%M:%S.%gZ') AS "
               "started, ") +
      "r.dataset AS dataset, r.name AS rule, r.action AS action, r.passed_records AS passed, "
      "r.failed_records AS failed FROM rules JOIN last_updates AS u USING (update_id) WHERE true" +
      dataset_filter + " ORDER BY u.started, dataset, rule";
  render(ctx, ctx.connection().query(sql), format);
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

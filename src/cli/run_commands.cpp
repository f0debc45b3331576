// `dls run`, `dls graph` (DESIGN §7, §9): run a pipeline update on the local engine,
// show its dataset graph (the event log is read by history_commands.cpp).
//
// Which entities: the latest, enabled versions in the control table (--store), narrowed by
// --group G and/or --where PRED (disabled entities never run). Without either, the store must hold
// one group only (else: choose one with --group).
// Pipeline name (its state: <warehouse>/_pipelines/<name>/): --pipeline NAME, else the group with
// every character outside [A-Za-z0-9_] replaced by '_' ("main.etl" -> "main_etl"), else
// "default".
// Target (where bare destinations go): --target catalog.schema, else the group when it is a valid
// `catalog.schema`, else main.default.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <set>

#include "cancel_signal.h"
#include "command_registry.h"
#include "confirmation.h"
#include "dls/core/error.h"
#include "dls/core/predicate_parser.h"
#include "dls/delta/delta_table.h"
#include "dls/delta/table_scan.h"
#include "dls/pipeline/pipeline_graph.h"
#include "dls/pipeline/pipeline_runner.h"
#include "run_progress.h"
#include "selection.h"
#include "store_location.h"

namespace dls::cli {
namespace {

struct RunArgs {
  SelectionArgs selection;
  std::vector<std::string> full_refresh;
  CLI::Option* full_refresh_option = nullptr;  // given (with or without names)?
  bool yes = false;                            // --yes: a full refresh of everything unasked
  int parallelism = 0;
  bool no_deps = false;  // --no-deps: only the --select'ed datasets, upstream tables as they are
};

std::string failed_expectations(const pipeline::DatasetUpdate& d) {
  std::string s;
  for (const auto& m : d.expectations) {
    if (m.failed_records == 0) continue;
    s += (s.empty() ? "" : ", ") + m.name + " (" + pipeline::to_string(m.action) +
         "): " + std::to_string(m.failed_records);
  }
  return s;
}

// The same as a JSON list (for --format json): one object per rule that failed rows.
Cell failed_expectations_list(const pipeline::DatasetUpdate& d) {
  Cell list = Cell::array();
  for (const auto& m : d.expectations) {
    if (m.failed_records == 0) continue;
    list.push_back(Cell{{"name", m.name},
                        {"action", pipeline::to_string(m.action)},
                        {"failed_records", m.failed_records}});
  }
  return list;
}

// dbt's closing line: "Done. 5 completed, 1 failed, 0 skipped, 2 rules warned". Up-to-date
// datasets count as completed; a rule warned when it is a warn rule that failed rows.
std::string done_line(const pipeline::PipelineUpdate& u) {
  size_t completed = 0, failed = 0, skipped = 0, warned = 0;
  for (const auto& d : u.datasets) {
    switch (d.status) {
      case pipeline::DatasetStatus::kFailed:
        ++failed;
        break;
      case pipeline::DatasetStatus::kSkipped:
        ++skipped;
        break;
      default:
        ++completed;
    }
    for (const auto& m : d.expectations) {
      if (m.action == pipeline::ExpectationAction::kWarn && m.failed_records > 0) ++warned;
    }
  }
  return "Done. " + std::to_string(completed) + " completed, " + std::to_string(failed) +
         " failed, " + std::to_string(skipped) + " skipped, " + std::to_string(warned) +
         (warned == 1 ? " rule warned" : " rules warned");
}

bool has_sink(const pipeline::PipelineGraph& graph) {
  for (const auto& d : graph.datasets()) {
    if (d.kind == pipeline::DatasetKind::kSink) return true;
  }
  return false;
}

bool ran(const pipeline::DatasetUpdate& d) {
  return d.status == pipeline::DatasetStatus::kCompleted ||
         d.status == pipeline::DatasetStatus::kFullRefresh ||
         d.status == pipeline::DatasetStatus::kFailed;
}

void render_summary(Context& ctx, const pipeline::PipelineUpdate& u, OutputFormat format) {
  DataTable t;
  t.columns = {"dataset", "kind",    "status",      "input",
               "output",  "dropped", "quarantined", "failed_expectations",
               "duration"};
  // A full refresh adds the rows of each refreshed table before and after (extra columns).
  const bool refreshed = std::any_of(u.datasets.begin(), u.datasets.end(),
                                     [](const auto& d) { return d.full_refresh; });
  if (refreshed) {
    t.columns.insert(t.columns.end() - 1, "rows_before");
    t.columns.insert(t.columns.end() - 1, "rows_after");
  }
  // Tables written by several flows (or once flows) add the flow of each row (an extra column).
  const bool flows = std::any_of(u.datasets.begin(), u.datasets.end(),
                                 [](const auto& d) { return d.shared || d.once; });
  if (flows) t.columns.insert(t.columns.begin() + 1, "flow");
  for (const auto& d : u.datasets) {
    auto count = [&](int64_t n) { return ran(d) ? Cell(n) : Cell(nullptr); };
    std::string fe = failed_expectations(d);
    Cell fe_cell = format == OutputFormat::kJson ? failed_expectations_list(d)
                   : fe.empty()                  ? Cell(nullptr)
                                                 : Cell(fe);
    t.rows.push_back({d.name, pipeline::to_string(d.kind), pipeline::to_string(d.status),
                      count(d.num_input_rows), count(d.num_output_rows), count(d.dropped_records),
                      count(d.quarantined_rows), fe_cell});
    if (flows) t.rows.back().insert(t.rows.back().begin() + 1, Cell(d.flow_name));
    if (refreshed) {
      auto optional = [](const std::optional<int64_t>& n) { return n ? Cell(*n) : Cell(nullptr); };
      t.rows.back().push_back(optional(d.rows_before));
      t.rows.back().push_back(optional(d.rows_after));
    }
    t.rows.back().push_back(format == OutputFormat::kTable ? Cell(seconds(d.duration_ms))
                                                           : Cell(d.duration_ms));
  }
  if (format != OutputFormat::kTable) t.columns.back() = "duration_ms";
  RenderOptions options;
  options.row_count = false;
  options.max_cell_width = 80;
  render_table(t, format, ctx.out(), options);
}

void run(Context& ctx, const RunArgs& args) {
  const bool full_refresh_given = args.full_refresh_option->count() > 0;
  OutputFormat format =
      ctx.output_format({OutputFormat::kTable, OutputFormat::kJson, OutputFormat::kCsv}, "dls run");
  Selection s = select(ctx, args.selection);
  if (s.entities.empty()) {
    throw NotFoundError("no enabled entities match the selection; see 'dls list'");
  }
  const std::vector<DeltaLiveEntity> entities = pipeline::entities_to_run(
      s, args.no_deps, [&ctx](const std::string& note) { ctx.debug(note); });
  auto graph = pipeline::PipelineGraph::build(entities, s.target.catalog, s.target.schema);
  pipeline::PipelineOptions options;
  options.pipeline = s.pipeline;
  options.target = s.target;
  options.parallelism = args.parallelism;
  options.source_factory = pipeline::default_source_factory();
  if (full_refresh_given) {
    // A bare --full-refresh reaches us as one empty name (CLI11 2.1): it means every dataset.
    std::vector<std::string> named = args.full_refresh;
    std::erase(named, std::string());
    if (named.empty()) {
      options.full_refresh_all = true;
      // Everything is emptied and read again: confirmed on a terminal, --yes otherwise.
      confirm_destructive(ctx, args.yes, "dls run --full-refresh",
                          "A full refresh of every dataset of pipeline '" + s.pipeline + "' (" +
                              std::to_string(graph.datasets().size()) +
                              " datasets) empties their tables and checkpoints and reprocesses "
                              "all input still available at their sources" +
                              (has_sink(graph) ? " (sinks keep what they hold: their flows write "
                                                 "the input to them again)"
                                               : ""));
    } else {
      options.full_refresh = named;
    }
  }
  CancelOnSignal cancel_on_signal;
  options.cancelled = [] { return CancelOnSignal::requested(); };
  ProgressDisplay progress(ctx, graph.datasets().size(), ::isatty(STDERR_FILENO) == 1);
  options.on_progress = [&progress](const pipeline::DatasetProgress& p) { progress.update(p); };
  ctx.info("pipeline '" + s.pipeline + "': update of " + std::to_string(graph.datasets().size()) +
           " datasets into " + s.target.to_string() +
           (full_refresh_given ? " (full refresh)" : ""));
  pipeline::PipelineRunner runner(ctx.warehouse(), std::move(graph), std::move(options));
  pipeline::PipelineUpdate update = runner.run();
  progress.finish();
  render_summary(ctx, update, format);
  for (const auto& d : update.datasets) {
    for (const auto& w : d.warnings) ctx.warn(d.name + ": " + w);
  }
  ctx.info(done_line(update));
  if (update.cancelled) {
    throw Error("the update " + update.update_id + " of pipeline '" + s.pipeline +
                    "' was CANCELED (interrupted): datasets not finished committed nothing of "
                    "their current batch; run again to continue",
                ExitCode::kCancelled);
  }
  if (!update.ok()) {
    throw Error("the update of pipeline '" + s.pipeline + "' failed:\n" + update.failure_summary(),
                update.exit_code());
  }
  ctx.info("update " + update.update_id + " completed in " + seconds(update.duration_ms));
}

void graph(Context& ctx, const SelectionArgs& args) {
  std::string format = ctx.options().format.value_or("text");
  if (format != "text" && format != "dot" && format != "mermaid") {
    throw UsageError("dls graph: unknown --format '" + format + "'; use text, dot or mermaid");
  }
  Selection s = select(ctx, args);
  auto g = pipeline::PipelineGraph::build(s.entities, s.target.catalog, s.target.schema);
  ctx.out() << g.render(format);
}

}  // namespace

void register_run_commands(CommandRegistry& r) {
  auto run_args = std::make_shared<RunArgs>();
  CLI::App* run_cmd = r.add_command(
      r.root(), "run",
      "Run a pipeline update: the enabled entities of a group as a DAG of streaming tables, "
      "materialized views and views, incrementally and exactly once",
      {"dls run --group sales", "dls run --full-refresh silver_orders",
       "dls run --group sales --select +orders_silver", "dls run --select orders_gold --no-deps",
       "dls run --group sales --full-refresh --yes",
       "dls run --where \"by_group('sales') & ~by_has_tag('slow')\" --target main.sales"},
      [run_args](Context& ctx) { run(ctx, *run_args); });
  add_selection_options(run_cmd, run_args->selection);
  CLI::Option* fr = run_cmd->add_option(
      "--full-refresh", run_args->full_refresh,
      "Clear and reprocess the named datasets (all when none is named, which asks for "
      "confirmation on a terminal and needs --yes otherwise): targets, checkpoints and state. "
      "A table with the property pipelines.reset.allowed=false keeps its rows and checkpoints");
  fr->expected(0, -1);
  run_cmd->add_flag("-y,--yes", run_args->yes,
                    "Confirm a --full-refresh of every dataset without asking (required when "
                    "stdin is not a terminal)");
  run_cmd->add_option("-j,--parallelism", run_args->parallelism,
                      "Datasets run at once (default: min(4, cores))");
  run_cmd->add_flag("--no-deps", run_args->no_deps,
                    "With --select: run only the selected datasets, reading their upstream "
                    "datasets' tables as they are (without it, the upstream datasets of the "
                    "selection run first)");
  run_cmd->footer(
      run_cmd->get_footer() +
      "\nSelection: --select picks datasets among --group/--where (see 'dls validate "
      "--help'); the update runs them and everything upstream of them, or only them with "
      "--no-deps. An unknown dataset name in --select exits 2.\n"
      "Output: a summary table per dataset (--format table|json|csv); progress on "
      "stderr.\nExit codes: 0 every dataset completed or was up to date; 4 an "
      "expect_all_or_fail rule failed; 1 another failure (failed datasets skip their "
      "downstream, others still run); 3 invalid metadata (cycle, missing upstream, a "
      "table the pipeline may not write); 2 usage (also: --full-refresh of every "
      "dataset without a terminal and without --yes); 130 interrupted (Ctrl-C or SIGTERM: "
      "the update ends CANCELED, nothing half-written; a second Ctrl-C exits at "
      "once).\n"
      "Tags become table properties dls.tag.<key>. An expectation that evaluates to "
      "NULL counts as failed.\n"
      "Ownership: a table records the pipeline that created it (table property "
      "pipelines.pipelineId); an update that would write a table of another pipeline, "
      "an existing table no pipeline owns, a dls control table or a _pipelines.* name "
      "exits 3 before writing anything (move a table with 'dls table set-owner').\n"
      "A change of an entity's comment, tags or table_properties reaches its table on "
      "the next update (one metadata commit). A fully refreshed dataset shows "
      "FULL_REFRESH with its rows before and after.\n");
  run_args->full_refresh_option = fr;

  auto graph_args = std::make_shared<SelectionArgs>();
  CLI::App* graph_cmd =
      r.add_command(r.root(), "graph",
                    "Show a pipeline's dataset graph (--format text|dot|mermaid; default text)",
                    {"dls graph --group sales", "dls graph --group sales --format mermaid"},
                    [graph_args](Context& ctx) { graph(ctx, *graph_args); });
  add_selection_options(graph_cmd, *graph_args, false);
}

}  // namespace dls::cli

#include "dls/pipeline/event_history.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <vector>

#include "dls/core/error.h"
#include "dls/delta/delta_table.h"
#include "dls/delta/table_scan.h"
#include "dls/sql/quote.h"

namespace dls::pipeline {
namespace {

// SQL condition: the event's dataset is `name` (qualified) or ends in '.<name>'.
std::string dataset_condition(const std::string& column, const std::string& name) {
  return "(" + column + " = " + sql::quote_literal(name) + " OR " + column + " LIKE " +
         sql::quote_literal("%." + name) + ")";
}

void check_last(int64_t last) {
  if (last < 1) throw UsageError("--last must be at least 1");
}

}  // namespace

bool has_event_log(const catalog::Warehouse& warehouse, const std::string& pipeline) {
  return delta::DeltaTable::exists((warehouse.pipeline_dir(pipeline) / "event_log").string());
}

std::string pick_pipeline(const catalog::Warehouse& warehouse,
                          const std::optional<std::string>& name) {
  if (name) {
    catalog::validate_name_part(*name, "pipeline name");
    return *name;
  }
  std::filesystem::path root = warehouse.root() / std::string(catalog::kPipelinesDir);
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
                        warehouse.root().string() + " yet; run 'dls run' first");
  }
  std::string list;
  for (const auto& f : found) list += (list.empty() ? "" : ", ") + f;
  throw UsageError("several pipelines have event logs (" + list + "): choose with --pipeline");
}

std::string event_log_scan(const catalog::Warehouse& warehouse, sql::Connection& con,
                           const std::string& pipeline) {
  std::filesystem::path root = warehouse.pipeline_dir(pipeline) / "event_log";
  if (!delta::DeltaTable::exists(root.string())) {
    throw NotFoundError("pipeline '" + pipeline + "' has no event log (at " + root.string() +
                        "); run 'dls run' first");
  }
  return "(" + delta::TableScan(delta::DeltaTable::open(root.string()).snapshot()).sql(con) + ")";
}

std::string events_sql(const std::string& scan, const EventQuery& query, bool display) {
  check_last(query.last);
  if (query.offset < 0) throw UsageError("the offset must be at least 0");
  std::vector<std::string> where;
  if (query.update) {
    if (query.update->empty()) throw UsageError("--update needs an update id (or its prefix)");
    where.push_back("starts_with(origin.update_id, " + sql::quote_literal(*query.update) + ")");
  }
  if (query.level) {
    std::string level = *query.level;
    std::transform(level.begin(), level.end(), level.begin(), ::toupper);
    if (level != "INFO" && level != "WARN" && level != "ERROR" && level != "METRICS") {
      throw UsageError("--level must be INFO, WARN, ERROR or METRICS, not '" + *query.level + "'");
    }
    where.push_back("level = " + sql::quote_literal(level));
  }
  if (query.dataset) where.push_back(dataset_condition("origin.dataset_name", *query.dataset));
  std::string filter;
  for (const auto& w : where) filter += (filter.empty() ? " WHERE " : " AND ") + w;

  std::string columns =
      !display ? "id, sequence, strftime(timestamp, '%Y-%m-%dT%H:%M:%S.%gZ') AS timestamp, "
                 "origin.update_id AS update_id, origin.flow_name AS flow_name, "
                 "origin.dataset_name AS dataset, level, event_type, message, details"
               : "strftime(timestamp, '%Y-%m-%d %H:%M:%S') AS timestamp, "
                 "left(origin.update_id, 8) AS \"update\", level, event_type, "
                 "origin.dataset_name AS dataset, message";
  return "SELECT " + columns + " FROM (SELECT * FROM " + scan + filter +
         " ORDER BY timestamp DESC, sequence DESC LIMIT " + std::to_string(query.last) +
         (query.offset ? " OFFSET " + std::to_string(query.offset) : "") +
         ") AS e ORDER BY e.timestamp, e.sequence";
}

std::string updates_sql(const std::string& scan, int64_t last, bool display) {
  check_last(last);
  // The final flow_progress event of a dataset carries its status, metrics and data quality;
  // the last update_progress event the update's state (RUNNING when it never ended).
  const std::string flow_status = "json_extract_string(details, '$.flow_progress.status')";
  const std::string failed_records =
      "coalesce(list_sum(CAST(json_extract(details, "
      "'$.flow_progress.data_quality.expectations[*].failed_records') AS BIGINT[])), 0)";
  return "WITH e AS (SELECT * FROM " + scan +
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
         std::to_string(last) + ") SELECT " +
         (display ? "left(update_id, 8) AS \"update\", strftime(started, '%Y-%m-%d %H:%M:%S') AS "
                    "started, printf('%.2f s', epoch_ms(ended - started) / 1000.0) AS duration, "
                  : "update_id, strftime(started, '%Y-%m-%dT%H:%M:%S.%gZ') AS started, "
                    "epoch_ms(ended - started) AS duration_ms, ") +
         "coalesce(state, 'RUNNING') AS status, completed, failed, skipped, rows_written, "
         "coalesce(rule_failures, 0) AS failed_records FROM u ORDER BY u.started";
}

std::string quality_sql(const std::string& scan, int64_t last,
                        const std::optional<std::string>& dataset, bool display) {
  check_last(last);
  std::string dataset_filter = dataset ? " AND " + dataset_condition("r.dataset", *dataset) : "";
  return "WITH e AS (SELECT * FROM " + scan +
         "), last_updates AS (SELECT origin.update_id AS update_id, min(timestamp) AS started "
         "FROM e GROUP BY origin.update_id ORDER BY started DESC LIMIT " +
         std::to_string(last) +
         "), rules AS (SELECT origin.update_id AS update_id, unnest(from_json(json_extract("
         "details, '$.flow_progress.data_quality.expectations'), "
         "'[{\"name\":\"VARCHAR\",\"dataset\":\"VARCHAR\",\"action\":\"VARCHAR\","
         "\"passed_records\":\"BIGINT\",\"failed_records\":\"BIGINT\"}]')) AS r "
         "FROM e WHERE event_type = 'flow_progress' AND "
         "json_extract(details, '$.flow_progress.data_quality.expectations') IS NOT NULL) "
         "SELECT " +
         (display ? "left(u.update_id, 8) AS \"update\", strftime(u.started, '%Y-%m-%d "
                    "%H:%M:%S') AS started, "
                  : "u.update_id AS update_id, strftime(u.started, '%Y-%m-%dT%H:%M:%S.%gZ') AS "
                    "started, ") +
         "r.dataset AS dataset, r.name AS rule, r.action AS action, r.passed_records AS passed, "
         "r.failed_records AS failed FROM rules JOIN last_updates AS u USING (update_id) WHERE "
         "true" +
         dataset_filter + " ORDER BY u.started, dataset, rule";
}

}  // namespace dls::pipeline

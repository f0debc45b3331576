// Queries over a pipeline's event log (event_log.h) that `dls events`, `dls updates`,
// `dls quality` and `dls serve` share: which pipeline, the scan of its log, and the SQL of the
// three views. Every function builds SQL for one DuckDB connection; nothing is cached, so a
// result always reflects the log's latest commit. Thread-safe when each thread uses its own
// connection.
//
//   events  — the log itself, narrowed by update (an id or its prefix), level and dataset;
//   updates — one row per update: when, how long, its final state, datasets per status, rows
//             written and rows that failed a rule;
//   quality — one row per rule and update: passed and failed rows, for the last N updates.
// A dataset filter takes a qualified name (main.sales.orders) or its last part (orders).
// `display` picks the CLI's table columns (short ids, formatted times); otherwise full ids,
// ISO-8601 timestamps and numbers, as JSON output wants them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "dls/catalog/warehouse.h"
#include "dls/sql/connection.h"

namespace dls::pipeline {

struct EventQuery {
  int64_t last = 100;  // the newest `last` matching events ...
  int64_t offset = 0;  // ... after skipping the newest `offset` ones
  std::optional<std::string> update;
  std::optional<std::string> level;  // INFO, WARN, ERROR or METRICS (any case)
  std::optional<std::string> dataset;
};

/// The pipeline `name` (validated as a name part), else the only one with an event log, else
/// "default" when it has one. NotFoundError when no pipeline has a log; UsageError when several
/// do and none is named.
std::string pick_pipeline(const catalog::Warehouse& warehouse,
                          const std::optional<std::string>& name);

/// True when `pipeline` has an event log in the warehouse.
bool has_event_log(const catalog::Warehouse& warehouse, const std::string& pipeline);

/// "(SELECT ...)": the rows of the pipeline's event log. NotFoundError when it has none.
std::string event_log_scan(const catalog::Warehouse& warehouse, sql::Connection& con,
                           const std::string& pipeline);

/// The SQL of the events view over `scan` (oldest first). UsageError for a bad level, an empty
/// update id or last < 1 / offset < 0.
std::string events_sql(const std::string& scan, const EventQuery& query, bool display);

/// The SQL of the updates view (oldest of the last `last` first). UsageError when last < 1.
std::string updates_sql(const std::string& scan, int64_t last, bool display);

/// The SQL of the quality view over the last `last` updates. UsageError when last < 1.
std::string quality_sql(const std::string& scan, int64_t last,
                        const std::optional<std::string>& dataset, bool display);

}  // namespace dls::pipeline

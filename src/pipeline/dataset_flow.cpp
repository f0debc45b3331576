#include "pipeline/dataset_flow.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <functional>
#include <stdexcept>

#include "dls/catalog/table_name.h"
#include "dls/core/error.h"
#include "dls/pipeline/apply_changes.h"
#include "dls/pipeline/offsets_log.h"
#include "dls/pipeline/table_ownership.h"
#include "dls/sql/quote.h"
#include "pipeline/sinks/sink_writer.h"
#include "pipeline/target_table.h"
#include "pipeline/view_registry.h"

namespace dls::pipeline {

namespace {

constexpr const char* kCancelled = "the update was cancelled";

/// Thrown between two batches of a dataset when the update is cancelled (run_dataset: FAILED).
struct UpdateCancelled : std::runtime_error {
  UpdateCancelled() : std::runtime_error(kCancelled) {}
};

/// Sums a batch's counts into the dataset's; `output_rows`: the rows written to the destination.
void add_metrics(DatasetUpdate& result, const EvaluatedBatch& e, int64_t output_rows) {
  result.num_input_rows += e.input_rows;
  result.num_output_rows += output_rows;
  result.dropped_records += e.dropped_rows;
  result.quarantined_rows += e.quarantined_rows;
  if (result.expectations.empty()) {
    result.expectations = e.metrics;
    return;
  }
  for (size_t i = 0; i < e.metrics.size() && i < result.expectations.size(); ++i) {
    result.expectations[i].passed_records += e.metrics[i].passed_records;
    result.expectations[i].failed_records += e.metrics[i].failed_records;
  }
}

struct Targets {
  TargetTable main;
  std::optional<TargetTable> invalid;
};

Targets targets_of(const FlowEnvironment& env, bool quarantine) {
  const DatasetNode& node = env.node;
  // Through the warehouse's resolver, which refuses reserved names (check_write_targets has
  // refused them, with the entity's name, before the update began).
  catalog::TableName name = catalog::parse_table_name(node.qualified_name);
  Targets t{TargetTable(env.warehouse.resolve(name).root, node.qualified_name, node.entity,
                        env.options.pipeline),
            std::nullopt};
  if (quarantine) {
    catalog::TableName invalid = name;
    invalid.table += "_invalid";
    t.invalid.emplace(env.warehouse.resolve(invalid).root, invalid.to_string(), node.entity,
                      env.options.pipeline);
  }
  return t;
}

/// Whether `table` has committed batch `batch` of the flow `app_id` (its txn version, DESIGN §7).
bool has_committed(const TargetTable& table, const std::string& app_id, int64_t batch) {
  auto v = table.txn_version(app_id);
  return v && *v >= batch;
}

/// The batch number after the last one `app_id` committed to either table (0 for none), so that a
/// batch number is never reused for the same appId.
int64_t next_txn_version(const Targets& t, const std::string& app_id) {
  std::optional<int64_t> base = t.main.txn_version(app_id);
  if (t.invalid) {
    auto iv = t.invalid->txn_version(app_id);
    if (iv && (!base || *iv > *base)) base = iv;
  }
  return base ? *base + 1 : 0;
}

void drop_temp(sql::Connection& con, const std::string& table) {
  try {
    con.execute("DROP TABLE IF EXISTS " + sql::quote_identifier(table));
  } catch (const std::exception&) {
  }
}

/// Whether this pipeline owns `table` (recorded owner, else only its txn ids): a quarantine table
/// left from an older definition is cleared by a full refresh only then.
bool owned_by_pipeline(const TargetTable& table, const std::string& pipeline) {
  if (!table.exists()) return false;
  delta::Snapshot snap = delta::DeltaTable::open(table.root().string()).snapshot();
  if (auto owner = recorded_owner(snap)) return *owner == pipeline;
  return txn_writers(snap) == std::vector<std::string>{pipeline};
}

/// `pipelines.reset.allowed` (a table property of the entity, default true): false keeps the
/// table's rows and checkpoints on a full refresh (Databricks' documented behaviour).
bool reset_allowed(const DeltaLiveEntity& entity) {
  auto it = entity.table_properties.find("pipelines.reset.allowed");
  if (it == entity.table_properties.end()) return true;
  std::string v = it->second;
  std::transform(v.begin(), v.end(), v.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return v != "false";
}

void full_refresh(sql::Connection& con, FlowEnvironment& env, DatasetUpdate& result) {
  const std::string& flow = env.flow_key;
  result.full_refresh = true;
  if (!env.clears_table) {
    // Another flow of the table (the first) has cleared it: this flow only starts over.
    env.state.begin_full_refresh(flow);
    env.state.finish_full_refresh(flow);
    return;
  }
  Targets t = targets_of(env, true);
  result.rows_before = t.main.row_count(con);
  result.version_before = t.main.version();
  env.state.begin_full_refresh(flow);
  t.main.clear(con);
  // A quarantine table left from an older definition is cleared too, when it is this pipeline's.
  if (env.node.entity.is_quarantined || owned_by_pipeline(*t.invalid, env.options.pipeline)) {
    t.invalid->clear(con);
  }
  env.state.finish_full_refresh(flow);
}

/// Where a streaming flow's batches go — a table with its quarantine table, or a sink — as the
/// batch loop (run_batches) needs it.
struct BatchDestination {
  /// Whether every part of the batch is committed (the log's last batch then needs no re-run).
  std::function<bool(int64_t batch)> all_committed;
  /// Whether no part of the batch is committed (a failed batch then leaves the offsets log).
  std::function<bool(int64_t batch)> none_committed;
  /// The batch number to start from when the offsets log is empty (first run, full refresh).
  std::function<int64_t()> first_batch;
  /// Processes the batch's rows (`input`, into the temporary table `temp`) and commits them as
  /// batch `batch`, adding the output metrics to the result.
  std::function<void(const SourceBatch& input, const std::string& temp, int64_t batch)> write;
};

/// The streaming batch loop of a flow (DESIGN §7): plan the next batch after the committed one,
/// log its offsets, read and write it; a logged batch not fully committed (a killed process) is
/// re-run with exactly its offsets first.
void run_batches(sql::Connection& con, FlowEnvironment& env, DatasetUpdate& result, Source& source,
                 const BatchDestination& destination) {
  OffsetsLog log(env.state.checkpoint_dir(env.flow_key));
  // A batch that failed (a corrupt, unreadable or vanished file, a FAILFAST record, an
  // expect_or_fail rule ...) before any of its output was committed is taken out of the offsets
  // log, so that the next update plans again from the input that is there then. Kept, it would
  // name the same files on every run: a file removed to get past the failure would fail the
  // dataset forever. A batch committed to one table but not the other (quarantine) stays, to be
  // completed with exactly these offsets; so does every batch of a process that was killed.
  auto forget_if_uncommitted = [&](int64_t batch) {
    try {
      if (destination.none_committed(batch)) log.forget(batch);
    } catch (const std::exception&) {
      // Keep the entry: the next update re-runs the batch (the safe default).
    }
  };

  nlohmann::json committed = nullptr;
  int64_t next = 0;
  std::optional<OffsetsLog::Entry> pending;
  if (auto last = log.latest()) {
    if (destination.all_committed(last->batch)) {
      committed = last->offsets;
      next = last->batch + 1;
    } else {
      pending = last;
    }
  } else {
    next = destination.first_batch();
  }
  auto report_backlog = [&] {
    if (auto backlog = source.backlog()) {
      result.backlog_files = backlog->files;
      result.backlog_bytes = backlog->bytes;
    }
  };

  while (true) {
    // Cancelled (PipelineOptions::cancelled): stop between two batches; the committed ones stay.
    if (env.options.cancelled && env.options.cancelled()) throw UpdateCancelled();
    OffsetsLog::Entry batch;
    if (pending) {
      batch = *pending;
      pending.reset();
    } else {
      std::optional<nlohmann::json> planned = source.plan(committed);
      if (!planned) break;
      batch = OffsetsLog::Entry{next, *planned};
      log.write(batch.batch, batch.offsets);
    }
    const std::string temp = env.temp_prefix + std::to_string(batch.batch);
    try {
      SourceBatch input = source.batch(con, batch.offsets);
      destination.write(input, temp, batch.batch);
      result.num_batches++;
      result.num_input_files += input.input_files;
      result.num_input_bytes += input.input_bytes;
    } catch (...) {
      drop_temp(con, temp);
      forget_if_uncommitted(batch.batch);
      throw;
    }
    drop_temp(con, temp);
    committed = batch.offsets;
    next = batch.batch + 1;
    log.purge_before(batch.batch);
    report_backlog();
    if (env.batch_committed) env.batch_committed(result);
  }
  report_backlog();
  result.status = result.num_batches ? DatasetStatus::kCompleted : DatasetStatus::kUpToDate;
}

void run_streaming(sql::Connection& con, FlowEnvironment& env, DatasetUpdate& result,
                   const DatasetTransform& transform, const ExpectationSet& expectations) {
  const std::string& flow = env.flow_key;
  const DeltaLiveEntity& entity = env.node.entity;
  const std::string app_id = flow_app_id(env.options.pipeline, flow);
  Targets t = targets_of(env, expectations.quarantine());
  // Metadata changes of the entity reach the tables before any data commit.
  t.main.sync_metadata();
  if (t.invalid) t.invalid->sync_metadata();
  auto source = env.options.source_factory(env.node.entity, env.source_context);

  BatchDestination destination;
  destination.all_committed = [&](int64_t batch) {
    return has_committed(t.main, app_id, batch) &&
           (!t.invalid || has_committed(*t.invalid, app_id, batch));
  };
  destination.none_committed = [&](int64_t batch) {
    return !has_committed(t.main, app_id, batch) &&
           (!t.invalid || !has_committed(*t.invalid, app_id, batch));
  };
  // No log (first run, or after a full refresh): continue the table's txn numbering.
  destination.first_batch = [&] { return next_txn_version(t, app_id); };
  destination.write = [&](const SourceBatch& input, const std::string& temp, int64_t batch) {
    ProcessedRows rows = process_rows(con, transform, expectations, input.sql, temp,
                                      env.node.qualified_name, source->hidden_columns());
    const std::string valid_sql = expectations.valid_rows_sql(rows.table);
    delta::WriteOptions w;
    w.txn_app_id = app_id;
    w.txn_version = batch;
    w.operation = "STREAMING UPDATE";
    w.operation_parameters = {
        {"outputMode", "Append"}, {"queryId", app_id}, {"epochId", std::to_string(batch)}};
    if (!entity.apply_changes) t.main.ensure_schema(con, valid_sql, false);
    if (t.invalid) {
      const std::string invalid_sql = expectations.invalid_rows_sql(rows.table);
      t.invalid->ensure_schema(con, invalid_sql, false);
      t.invalid->append(con, invalid_sql, w);
    }
    if (entity.apply_changes) {
      // CDC: the rows that passed the drop and quarantine rules are the change events merged
      // into the target, with the same txn (appId, batch) as an append would carry.
      ApplyChangesRequest request;
      request.target_root = t.main.root().string();
      request.state_root = env.state.cdc_state_dir(flow).string();
      request.changes_sql = valid_sql;
      request.keys = entity.primary_keys;
      request.spec = *entity.apply_changes;
      request.entity = entity.entity_id;
      request.txn_app_id = app_id;
      request.txn_version = batch;
      request.create_options = t.main.create_options();
      request.tombstone_gc_threshold_seconds =
          tombstone_gc_threshold_seconds(entity.table_properties, entity.entity_id);
      ApplyChangesMetrics m = apply_changes(con, request);
      result.num_upserted_rows += m.num_upserted_rows;
      result.num_deleted_rows += m.num_deleted_rows;
      result.num_tombstones_removed += m.num_tombstones_removed;
      add_metrics(result, rows.evaluation, m.num_upserted_rows + m.num_deleted_rows);
    } else {
      t.main.append(con, valid_sql, w);
      add_metrics(result, rows.evaluation, rows.evaluation.output_rows);
    }
  };
  run_batches(con, env, result, *source, destination);
}

SinkContext sink_context(const FlowEnvironment& env) {
  return SinkContext{env.node.entity, env.warehouse, env.options.target,
                     env.state.checkpoint_dir(env.flow_key), env.options.pipeline};
}

/// A sink's flow: the streaming batch loop (write-ahead offsets log, batch numbers per flow)
/// written by the sink's writer (sinks/sink_writer.h) instead of a table. A batch in the log that
/// the sink holds already is not written again; expectations are refused on sinks.
void run_sink(sql::Connection& con, FlowEnvironment& env, DatasetUpdate& result,
              const DatasetTransform& transform, const ExpectationSet& expectations) {
  const std::string app_id = flow_app_id(env.options.pipeline, env.flow_key);
  std::unique_ptr<SinkWriter> writer = make_sink_writer(sink_context(env));
  auto source = env.options.source_factory(env.node.entity, env.source_context);

  BatchDestination destination;
  destination.all_committed = [&](int64_t batch) { return writer->has_committed(app_id, batch); };
  destination.none_committed = [&](int64_t batch) { return !writer->has_committed(app_id, batch); };
  destination.first_batch = [&] { return writer->next_batch(app_id); };
  destination.write = [&](const SourceBatch& input, const std::string& temp, int64_t batch) {
    ProcessedRows rows = process_rows(con, transform, expectations, input.sql, temp,
                                      env.node.qualified_name, source->hidden_columns());
    const int64_t written =
        writer->write(con, expectations.valid_rows_sql(rows.table), app_id, batch);
    add_metrics(result, rows.evaluation, written);
  };
  run_batches(con, env, result, *source, destination);
}

/// A full refresh of a sink's flow: Databricks never clears a sink, so only the flow starts over
/// (its checkpoint and source state are removed): the next batches reprocess the whole input and
/// append it after what the sink holds. Says so in a warning.
void full_refresh_sink(sql::Connection& con, FlowEnvironment& env, DatasetUpdate& result) {
  std::unique_ptr<SinkWriter> writer = make_sink_writer(sink_context(env));
  result.full_refresh = true;
  result.rows_before = writer->row_count(con);
  env.state.begin_full_refresh(env.flow_key);
  env.state.finish_full_refresh(env.flow_key);
  result.warnings.push_back(
      "the full refresh did not clear the sink " + env.node.name + " (" + writer->describe() +
      (result.rows_before ? ", " + std::to_string(*result.rows_before) + " rows" : "") +
      "): a sink keeps its data; only the flow " + env.node.flow_name +
      " restarted its checkpoint, so its whole input is written to the sink again");
}

/// A once flow: one batch read of the whole source appended to the table, exactly once. The
/// batch number is recorded (state document of the flow) before the append, which carries it as
/// its txn version, so a process killed between the two neither loses nor repeats the backfill;
/// "done" is recorded after it. A full refresh removes the record: the flow runs again.
void run_once(sql::Connection& con, FlowEnvironment& env, DatasetUpdate& result,
              const DatasetTransform& transform, const ExpectationSet& expectations) {
  const std::string& flow = env.flow_key;
  const std::string app_id = flow_app_id(env.options.pipeline, flow);
  Targets t = targets_of(env, expectations.quarantine());
  t.main.sync_metadata();
  if (t.invalid) t.invalid->sync_metadata();
  std::optional<nlohmann::json> saved = env.state.load(flow);
  if (saved && saved->value("once_done", false)) {
    result.status = DatasetStatus::kUpToDate;
    return;
  }
  int64_t batch = 0;
  if (saved && saved->contains("once_batch") && (*saved)["once_batch"].is_number_integer()) {
    batch = (*saved)["once_batch"].get<int64_t>();
  } else {
    // Continue the table's txn numbering of this appId (a full refresh keeps the txn actions).
    batch = next_txn_version(t, app_id);
    env.state.save(flow, {{"once_batch", batch}});
  }
  const bool main_done = has_committed(t.main, app_id, batch);
  const bool invalid_done = !t.invalid || has_committed(*t.invalid, app_id, batch);
  if (!main_done || !invalid_done) {
    auto source = env.options.source_factory(env.node.entity, env.source_context);
    const std::string source_sql = source->full_sql(con);
    const std::string temp = env.temp_prefix + "once";
    try {
      ProcessedRows rows = process_rows(con, transform, expectations, source_sql, temp,
                                        env.node.qualified_name, source->hidden_columns());
      const std::string valid_sql = expectations.valid_rows_sql(rows.table);
      delta::WriteOptions w;
      w.txn_app_id = app_id;
      w.txn_version = batch;
      w.operation = "WRITE";
      w.operation_parameters = {{"mode", "Append"}, {"flow", env.node.flow_name}, {"once", "true"}};
      if (!invalid_done) {
        const std::string invalid_sql = expectations.invalid_rows_sql(rows.table);
        t.invalid->ensure_schema(con, invalid_sql, false);
        t.invalid->append(con, invalid_sql, w);
      }
      if (!main_done) {
        t.main.ensure_schema(con, valid_sql, false);
        t.main.append(con, valid_sql, w);
      }
      add_metrics(result, rows.evaluation, rows.evaluation.output_rows);
      result.num_batches = 1;
    } catch (...) {
      drop_temp(con, temp);
      throw;
    }
    drop_temp(con, temp);
  }
  env.state.save(flow, {{"once_batch", batch}, {"once_done", true}, {"ran_at_ms", now_ms()}});
  result.status = DatasetStatus::kCompleted;
}

void run_materialized_view(sql::Connection& con, FlowEnvironment& env, DatasetUpdate& result,
                           const DatasetTransform& transform, const ExpectationSet& expectations) {
  const std::string& flow = env.flow_key;
  Targets t = targets_of(env, expectations.quarantine());
  const std::string fingerprint = env.views.fingerprint(env.node);
  auto saved = env.state.load(flow);
  auto version = t.main.version();
  auto invalid_version = t.invalid ? t.invalid->version() : std::nullopt;
  const bool up_to_date =
      saved && (*saved)["fingerprint"] == fingerprint && version &&
      (*saved)["version"] == *version &&
      (!t.invalid || (invalid_version && (*saved)["invalid_version"] == *invalid_version));
  // Metadata changes of the entity reach the tables before any data commit. A metadata commit
  // of an up-to-date view moves the versions its state records, so that they still match.
  auto synced = t.main.sync_metadata();
  auto invalid_synced = t.invalid ? t.invalid->sync_metadata() : std::nullopt;
  if (up_to_date) {
    if (synced || invalid_synced) {
      nlohmann::json state = *saved;
      if (synced) state["version"] = *synced;
      if (invalid_synced) state["invalid_version"] = *invalid_synced;
      env.state.save(flow, state);
    }
    result.status = DatasetStatus::kUpToDate;
    return;
  }
  auto source = env.options.source_factory(env.node.entity, env.source_context);
  const std::string source_sql = source->full_sql(con);
  const std::string temp = env.temp_prefix + "mv";
  try {
    ProcessedRows rows = process_rows(con, transform, expectations, source_sql, temp,
                                      env.node.qualified_name, source->hidden_columns());
    const std::string valid_sql = expectations.valid_rows_sql(rows.table);
    delta::WriteOptions w;
    w.operation_parameters = {{"materializedView", "true"}};
    nlohmann::json state = {{"fingerprint", fingerprint}};
    if (t.invalid) {
      const std::string invalid_sql = expectations.invalid_rows_sql(rows.table);
      t.invalid->ensure_schema(con, invalid_sql, true);
      state["invalid_version"] = t.invalid->overwrite(con, invalid_sql, w).version;
    }
    t.main.ensure_schema(con, valid_sql, true);
    state["version"] = t.main.overwrite(con, valid_sql, w).version;
    state["refreshed_at_ms"] = now_ms();
    env.state.save(flow, state);
    add_metrics(result, rows.evaluation, rows.evaluation.output_rows);
    result.num_batches = 1;
  } catch (...) {
    drop_temp(con, temp);
    throw;
  }
  drop_temp(con, temp);
  result.status = DatasetStatus::kCompleted;
}

/// After a full refresh that succeeded: status FULL_REFRESH with the rows after, and a warning
/// when a streaming table was emptied because its source had nothing left to reprocess.
void finish_full_refresh_report(sql::Connection& con, FlowEnvironment& env, DatasetUpdate& result) {
  Targets t = targets_of(env, false);
  result.rows_after = t.main.row_count(con);
  result.status = DatasetStatus::kFullRefresh;
  // Several flows write the table: the first reports the rows before, and the rows after are only
  // final once every flow ran, so no "emptied" warning.
  if (!env.clears_table || env.node.flows_of_table > 1) return;
  if (env.node.kind == DatasetKind::kStreamingTable && result.num_batches == 0 &&
      result.rows_before.value_or(0) > 0 && result.rows_after == 0) {
    std::string warning = "the full refresh emptied " + t.main.name() + " (" +
                          std::to_string(*result.rows_before) +
                          " rows before, 0 after): its source '" + env.node.entity.source +
                          "' had no input left to reprocess";
    if (result.version_before) {
      warning += "; the old rows are still readable with delta_scan('" + t.main.root().string() +
                 "', version => " + std::to_string(*result.version_before) +
                 ") until the table is vacuumed";
    }
    result.warnings.push_back(warning);
  }
}

}  // namespace

void check_apply_changes(const DeltaLiveEntity& entity, DatasetKind kind) {
  if (!entity.apply_changes) return;
  const std::string prefix = "entity '" + entity.entity_id + "': ";
  if (entity.primary_keys.empty()) {
    throw InvalidMetadataError(prefix +
                               "apply_changes needs primary_keys (the keys the change events are "
                               "merged by); add primary_keys or remove apply_changes");
  }
  if (kind != DatasetKind::kStreamingTable) {
    throw InvalidMetadataError(
        prefix +
        "apply_changes needs a streaming table (is_streaming true and a table "
        "destination), not a " +
        to_string(kind));
  }
  validate_apply_changes(entity.primary_keys, *entity.apply_changes, entity.entity_id);
  tombstone_gc_threshold_seconds(entity.table_properties, entity.entity_id);
}

std::string flow_app_id(const std::string& pipeline, const std::string& flow) {
  return pipeline + "/" + flow;
}

ProcessedRows process_rows(sql::Connection& con, const DatasetTransform& transform,
                           const ExpectationSet& expectations, const std::string& source_sql,
                           const std::string& temp_table, const std::string& dataset,
                           const std::vector<std::string>& hidden_columns) {
  const std::string transformed = transform.apply(con, source_sql, hidden_columns);
  expectations.check_binds(con, transformed);  // errors in the user's terms, not the engine's
  con.execute("CREATE OR REPLACE TEMP TABLE " + sql::quote_identifier(temp_table) + " AS " +
              expectations.annotate_sql(transformed));
  ProcessedRows rows{temp_table, expectations.evaluate(con, temp_table, dataset)};
  if (rows.evaluation.failure) {
    drop_temp(con, temp_table);
    throw DataQualityError(*rows.evaluation.failure);
  }
  return rows;
}

void run_dataset(sql::Connection& con, FlowEnvironment& env, DatasetUpdate& result) {
  auto start = std::chrono::steady_clock::now();
  try {
    const DeltaLiveEntity& entity = env.node.entity;
    if (entity.apply_changes) {
      check_apply_changes(entity, env.node.kind);
      result.apply_changes = true;
    }
    DatasetTransform transform = DatasetTransform::compile(entity);
    ExpectationSet expectations = ExpectationSet::compile(entity);
    const bool pending = env.state.full_refresh_pending(env.flow_key);
    if (env.node.kind == DatasetKind::kSink && (env.full_refresh || pending)) {
      full_refresh_sink(con, env, result);
    } else if (env.node.kind != DatasetKind::kView && (env.full_refresh || pending)) {
      if (pending || reset_allowed(entity)) {
        full_refresh(con, env, result);
      } else {
        result.warnings.push_back(
            "not fully refreshed: its table property pipelines.reset.allowed = false keeps its "
            "rows and checkpoints; only new input was processed");
      }
    }
    switch (env.node.kind) {
      case DatasetKind::kStreamingTable:
        if (env.node.once) {
          run_once(con, env, result, transform, expectations);
        } else {
          run_streaming(con, env, result, transform, expectations);
        }
        break;
      case DatasetKind::kMaterializedView:
        run_materialized_view(con, env, result, transform, expectations);
        break;
      case DatasetKind::kSink:
        run_sink(con, env, result, transform, expectations);
        break;
      case DatasetKind::kView:
        // Computed on demand by its readers (ViewRegistry); here only its definition is checked
        // (a source over another view is not created: that would compute the other view).
        if (std::none_of(env.node.upstream.begin(), env.node.upstream.end(),
                         [&](const std::string& u) { return env.views.is_view(u); })) {
          env.options.source_factory(entity, env.source_context);
        }
        result.status = DatasetStatus::kCompleted;
        break;
    }
    if (result.full_refresh && env.node.kind == DatasetKind::kSink) {
      result.rows_after = make_sink_writer(sink_context(env))->row_count(con);
      result.status = DatasetStatus::kFullRefresh;
    } else if (result.full_refresh) {
      finish_full_refresh_report(con, env, result);
    }
  } catch (const Error& e) {
    result.status = DatasetStatus::kFailed;
    result.error = e.what();
    result.error_code = e.exit_code();
  } catch (const std::exception& e) {
    result.status = DatasetStatus::kFailed;
    result.error = e.what();
    result.error_code = ExitCode::kFailure;
  }
  // A query the runner interrupted because the update was cancelled fails with DuckDB's
  // "INTERRUPT Error: Interrupted!"; say why.
  if (result.status == DatasetStatus::kFailed && result.error &&
      result.error->find("INTERRUPT Error") != std::string::npos && env.options.cancelled &&
      env.options.cancelled()) {
    result.error = std::string(kCancelled) + " (its running query was interrupted)";
  }
  result.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - start)
                           .count();
}

}  // namespace dls::pipeline

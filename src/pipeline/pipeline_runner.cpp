#include "dls/pipeline/pipeline_runner.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "dls/catalog/table_name.h"
#include "dls/core/error.h"
#include "dls/pipeline/event_log.h"
#include "dls/pipeline/pipeline_state.h"
#include "dls/sql/database.h"
#include "pipeline/dataset_flow.h"
#include "pipeline/flow_keys.h"
#include "pipeline/query_progress_poller.h"
#include "pipeline/view_registry.h"
#include "pipeline/write_plan.h"

namespace dls::pipeline {

namespace {

nlohmann::json expectations_json(const DatasetUpdate& d) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& m : d.expectations) {
    list.push_back({{"name", m.name},
                    {"dataset", m.dataset},
                    {"action", to_string(m.action)},
                    {"passed_records", m.passed_records},
                    {"failed_records", m.failed_records}});
  }
  return list;
}

PipelineEvent flow_event(const DatasetUpdate& d, const std::string& status) {
  PipelineEvent e;
  e.event_type = "flow_progress";
  // A dataset's only flow is named after it (as in DLT); flows of a shared table by flow name.
  const std::string flow = d.shared || d.once ? d.flow_name : d.name;
  e.flow_name = flow;
  e.dataset_name = d.name;
  nlohmann::json progress = {{"status", status}};
  // A sink's flow: its num_output_rows are the rows written to the sink (Kafka, Delta).
  if (d.kind == DatasetKind::kSink) progress["sink"] = true;
  if (d.shared || d.once) {
    progress["flow_name"] = d.flow_name;
    progress["entity_id"] = d.entity_id;
    if (d.once) progress["once"] = true;
  }
  if (status == "RUNNING") {
    e.message = "Flow '" + flow + "' is RUNNING.";
  } else {
    progress["metrics"] = {{"num_output_rows", d.num_output_rows},
                           {"num_input_rows", d.num_input_rows},
                           {"dropped_records", d.dropped_records},
                           {"num_quarantined_rows", d.quarantined_rows},
                           {"num_batches", d.num_batches}};
    // Auto Loader's backlog metrics, as Databricks reports them in flow_progress.
    if (d.backlog_files) progress["metrics"]["backlog_files"] = *d.backlog_files;
    if (d.backlog_bytes) progress["metrics"]["backlog_bytes"] = *d.backlog_bytes;
    if (d.apply_changes) {
      progress["metrics"]["num_upserted_rows"] = d.num_upserted_rows;
      progress["metrics"]["num_deleted_rows"] = d.num_deleted_rows;
      progress["metrics"]["num_tombstones_removed"] = d.num_tombstones_removed;
    }
    if (!d.expectations.empty() || d.dropped_records) {
      progress["data_quality"] = {{"dropped_records", d.dropped_records},
                                  {"expectations", expectations_json(d)}};
    }
    progress["up_to_date"] = d.status == DatasetStatus::kUpToDate;
    e.message = "Flow '" + flow + "' has " +
                (status == "COMPLETED" ? std::string("COMPLETED")
                 : status == "FAILED"  ? "FAILED"
                                       : "been SKIPPED") +
                (d.error ? ": " + *d.error : std::string("."));
    if (d.status == DatasetStatus::kFullRefresh) {
      progress["full_refresh"] = {{"rows_before", d.rows_before.value_or(0)},
                                  {"rows_after", d.rows_after.value_or(0)}};
      e.message = "Flow '" + flow +
                  "' has COMPLETED a FULL_REFRESH: " + std::to_string(d.rows_before.value_or(0)) +
                  " rows before, " + std::to_string(d.rows_after.value_or(0)) + " after.";
    }
    if (!d.warnings.empty()) {
      progress["warnings"] = d.warnings;
      for (const auto& w : d.warnings) e.message += " Warning: " + w + ".";
    }
    if (status == "COMPLETED") {
      e.level = d.failed_expectation_records() > 0 || !d.warnings.empty() ? "WARN" : "INFO";
    } else {
      e.level = status == "FAILED" ? "ERROR" : "WARN";
    }
  }
  e.details = {{"flow_progress", progress}};
  if (status == "FAILED" && d.error) {
    e.details["error"] = {{"message", *d.error}, {"exit_code", static_cast<int>(d.error_code)}};
  }
  return e;
}

/// The time the source's backlog should take at the rate the dataset has read so far: by bytes
/// when both are known, else by files; nullopt without a backlog or before anything was read.
std::optional<int64_t> backlog_eta_ms(const DatasetUpdate& d, int64_t elapsed_ms) {
  auto at_rate = [elapsed_ms](int64_t done, int64_t left) {
    return static_cast<int64_t>(static_cast<double>(elapsed_ms) * static_cast<double>(left) /
                                static_cast<double>(done));
  };
  if (d.backlog_bytes && *d.backlog_bytes > 0 && d.num_input_bytes > 0) {
    return at_rate(d.num_input_bytes, *d.backlog_bytes);
  }
  if (d.backlog_files && *d.backlog_files > 0 && d.num_input_files > 0) {
    return at_rate(d.num_input_files, *d.backlog_files);
  }
  if (d.backlog_files && *d.backlog_files == 0) return 0;
  return std::nullopt;
}

}  // namespace

struct PipelineRunner::Impl {
  catalog::Warehouse warehouse;
  PipelineGraph graph;
  PipelineOptions options;
  bool ran = false;

  PipelineUpdate run();
};

PipelineRunner::PipelineRunner(catalog::Warehouse warehouse, PipelineGraph graph,
                               PipelineOptions options)
    : impl_(std::make_unique<Impl>(
          Impl{std::move(warehouse), std::move(graph), std::move(options), false})) {}

PipelineRunner::~PipelineRunner() = default;

PipelineUpdate PipelineRunner::run() {
  return impl_->run();
}

PipelineUpdate PipelineRunner::Impl::run() {
  if (ran) throw UsageError("a PipelineRunner runs one update; create a new one");
  ran = true;
  if (!options.source_factory) {
    throw UsageError("PipelineOptions::source_factory is required (default_source_factory())");
  }
  const auto started = std::chrono::steady_clock::now();
  const std::filesystem::path dir = warehouse.pipeline_dir(options.pipeline);
  const auto& nodes = graph.datasets();

  std::set<std::string> refresh;
  for (const auto& name : options.full_refresh) {
    std::string q = catalog::parse_table_name(name, options.target).to_string();
    if (!graph.find(q)) {
      std::string list;
      for (const auto& n : nodes) list += (list.empty() ? "" : ", ") + n.qualified_name;
      throw UsageError("--full-refresh " + name + ": no dataset " + q +
                       " in this pipeline (datasets: " + (list.empty() ? "none" : list) + ")");
    }
    refresh.insert(q);
  }

  // Plan time: refuse, before anything is written (not even the lock file), every table this
  // pipeline may not write (reserved names, control tables, other pipelines' tables).
  check_write_targets(warehouse, graph, options);

  PipelineLock lock(dir, options.pipeline);
  PipelineState state(dir);
  // Each flow's checkpoint/state name; recorded so that other flows coming and going never move it.
  const std::vector<std::string> keys = flow_keys(graph, state);
  record_flow_keys(graph, keys, state);
  std::map<const DatasetNode*, size_t> node_index;
  for (size_t i = 0; i < graph.datasets().size(); ++i) node_index[&graph.datasets()[i]] = i;
  PipelineUpdate update;
  update.pipeline = options.pipeline;
  update.update_id = options.update_id.empty() ? random_id() : options.update_id;
  update.target = options.target.to_string();
  EventLog events(state.event_log_dir(), options.pipeline, update.update_id);

  int workers = options.parallelism;
  if (workers <= 0) {
    workers = static_cast<int>(std::min(4u, std::max(1u, std::thread::hardware_concurrency())));
  }
  sql::Database db("", {});
  sql::Connection main_con(db);
  main_con.execute("SET TimeZone = 'UTC'");
  std::vector<std::unique_ptr<sql::Connection>> connections;
  for (int i = 0; i < workers; ++i) {
    connections.push_back(std::make_unique<sql::Connection>(db));
    connections.back()->execute("SET TimeZone = 'UTC'");
    if (options.on_progress) connections.back()->enable_query_progress();
  }

  {
    PipelineEvent e;
    e.event_type = "create_update";
    e.message = "Update " + update.update_id.substr(0, 6) + " started by USER_ACTION.";
    nlohmann::json selection = nlohmann::json::array();
    for (const auto& r : refresh) selection.push_back(r);
    e.details = {{"create_update",
                  {{"cause", "USER_ACTION"},
                   {"full_refresh", options.full_refresh_all},
                   {"full_refresh_selection", selection},
                   {"target", update.target},
                   {"num_datasets", nodes.size()}}}};
    events.record(e);
    for (const char* s : {"STARTING", "RUNNING"}) {
      PipelineEvent p;
      p.event_type = "update_progress";
      p.message = "Update " + update.update_id.substr(0, 6) + " is " + s + ".";
      p.details = {{"update_progress", {{"state", s}}}};
      events.record(p);
    }
    events.flush(main_con);
  }

  auto context_for = [this, &keys, &node_index](const DatasetNode& node) {
    SourceContext c;
    auto it = node_index.find(&node);
    c.state_dir =
        PipelineState(warehouse.pipeline_dir(options.pipeline))
            .source_state_dir(it != node_index.end() ? keys[it->second] : node.qualified_name);
    c.resolve_table = [wh = warehouse, ns = options.target](const std::string& name) {
      return wh.resolve(name, ns).root;
    };
    return c;
  };
  ViewRegistry views(db, graph, options.target, options.source_factory, context_for);
  auto full_context = [&](const DatasetNode& node) {
    SourceContext c = context_for(node);
    c.view_sql = [&views](const std::string& name) { return views.view_sql(name); };
    return c;
  };

  update.datasets.resize(nodes.size());
  std::map<std::string, std::vector<size_t>> index;  // a table -> its flows, in graph order
  for (size_t i = 0; i < nodes.size(); ++i) {
    index[nodes[i].qualified_name].push_back(i);
    DatasetUpdate& d = update.datasets[i];
    d.name = nodes[i].qualified_name;
    d.entity_id = nodes[i].entity.entity_id;
    d.flow_name = nodes[i].flow_name;
    d.shared = nodes[i].flows_of_table > 1;
    d.once = nodes[i].once;
    d.kind = nodes[i].kind;
  }

  enum class State { kWaiting, kRunning, kDone };
  std::vector<State> states(nodes.size(), State::kWaiting);
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<size_t> free_connections;
  for (int i = 0; i < workers; ++i) free_connections.push_back(static_cast<size_t>(i));
  std::deque<size_t> finished;
  std::vector<std::thread> threads;
  std::mutex progress_mutex;
  auto progress = [&](const DatasetProgress& p) {
    if (!options.on_progress) return;
    std::lock_guard l(progress_mutex);
    options.on_progress(p);
  };

  // When each dataset started, and the connection slot it runs on (both set by this thread).
  std::vector<std::chrono::steady_clock::time_point> started_at(nodes.size());
  std::vector<size_t> slot_of(nodes.size(), 0);
  auto elapsed_ms = [&started_at](size_t i) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 started_at[i])
        .count();
  };
  auto finished_progress = [&](size_t i) {
    DatasetProgress p;
    p.name = update.datasets[i].name;
    p.finished = true;
    p.kind = DatasetProgress::Kind::kFinished;
    p.result = &update.datasets[i];
    p.elapsed_ms = update.datasets[i].duration_ms;
    progress(p);
  };
  QueryProgressPoller poller(connections.size());

  auto finish_skipped = [&](size_t i, const std::string& reason) {
    DatasetUpdate& d = update.datasets[i];
    d.status = DatasetStatus::kSkipped;
    d.error = reason;
    states[i] = State::kDone;
    events.record(flow_event(d, "SKIPPED"));
    finished_progress(i);
  };

  size_t done = 0;
  bool interrupted = false;  // the running datasets' connections were interrupted (cancelled)
  while (done < nodes.size()) {
    // Start what can start.
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (states[i] != State::kWaiting) continue;
      bool ready = true;
      std::optional<std::string> blocked;
      for (const auto& u : nodes[i].upstream) {
        for (size_t ui : index.at(u)) {  // every flow writing the upstream table
          if (states[ui] != State::kDone) {
            ready = false;
            break;
          }
          auto st = update.datasets[ui].status;
          if (st == DatasetStatus::kFailed || st == DatasetStatus::kSkipped) {
            blocked = "upstream dataset " + u +
                      (nodes[ui].flows_of_table > 1 ? " (flow " + nodes[ui].flow_name + ")" : "") +
                      (st == DatasetStatus::kFailed ? " failed" : " was skipped");
          }
        }
        if (!ready) break;
      }
      // The flows of one table run one after the other, in graph order (a full refresh
      // clears the table once, before its first flow writes); a failed flow does not stop the
      // next one.
      const std::vector<size_t>& siblings = index.at(nodes[i].qualified_name);
      for (size_t s : siblings) {
        if (s == i) break;
        if (states[s] != State::kDone) ready = false;
      }
      if (!ready) continue;
      if (!blocked && options.cancelled && options.cancelled()) {
        blocked = "the update was cancelled";
        update.cancelled = true;
      }
      if (blocked) {
        finish_skipped(i, *blocked);
        ++done;
        continue;
      }
      std::unique_lock l(mutex);
      if (free_connections.empty()) break;
      size_t slot = free_connections.back();
      free_connections.pop_back();
      l.unlock();
      states[i] = State::kRunning;
      started_at[i] = std::chrono::steady_clock::now();
      slot_of[i] = slot;
      poller.reset(slot);
      events.record(flow_event(update.datasets[i], "RUNNING"));
      {
        DatasetProgress p;
        p.name = nodes[i].qualified_name;
        p.result = &update.datasets[i];  // its name and flow (the worker has not started yet)
        progress(p);
      }
      threads.emplace_back([&, i, slot] {
        FlowEnvironment env{nodes[i],
                            warehouse,
                            options,
                            state,
                            views,
                            full_context(nodes[i]),
                            options.full_refresh_all || refresh.count(nodes[i].qualified_name) > 0,
                            "__dls_t" + std::to_string(i) + "_",
                            keys[i],
                            index.at(nodes[i].qualified_name).front() == i};
        env.batch_committed = [&, i](const DatasetUpdate& totals) {
          DatasetProgress p;
          p.name = totals.name;
          p.kind = DatasetProgress::Kind::kBatchCommitted;
          p.result = &totals;
          p.elapsed_ms = elapsed_ms(i);
          p.eta_ms = backlog_eta_ms(totals, p.elapsed_ms);
          progress(p);
        };
        run_dataset(*connections[slot], env, update.datasets[i]);
        std::lock_guard g(mutex);
        free_connections.push_back(slot);
        finished.push_back(i);
        cv.notify_all();
      });
    }
    // Wait for one to finish.
    std::unique_lock l(mutex);
    if (done >= nodes.size()) break;
    if (!options.cancelled && !options.on_progress) {
      cv.wait(l, [&] { return !finished.empty(); });
    } else {
      // Cancellation reaches the running datasets too: their queries are interrupted (a query
      // between two of a dataset's statements is not; the dataset then stops at its next batch).
      while (!cv.wait_for(l, std::chrono::milliseconds(50), [&] { return !finished.empty(); })) {
        if (options.on_progress && poller.due()) {
          // Which datasets run on which connection changes only on this thread.
          for (size_t i = 0; i < nodes.size(); ++i) {
            if (states[i] != State::kRunning) continue;
            auto q = poller.poll(slot_of[i], *connections[slot_of[i]]);
            if (!q) continue;
            DatasetProgress p;
            p.name = nodes[i].qualified_name;
            p.kind = DatasetProgress::Kind::kQueryProgress;
            p.elapsed_ms = elapsed_ms(i);
            p.query_percent = q->percent;
            p.eta_ms = q->eta_ms;
            l.unlock();
            progress(p);
            l.lock();
          }
        }
        if (!options.cancelled || interrupted || !options.cancelled()) continue;
        interrupted = true;
        for (size_t slot = 0; slot < connections.size(); ++slot) {
          if (std::find(free_connections.begin(), free_connections.end(), slot) ==
              free_connections.end()) {
            connections[slot]->interrupt();
          }
        }
      }
    }
    while (!finished.empty()) {
      size_t i = finished.front();
      finished.pop_front();
      states[i] = State::kDone;
      ++done;
      DatasetUpdate& d = update.datasets[i];
      if (d.kind == DatasetKind::kView) {
        if (auto ev = views.evaluation(d.name)) {
          d.num_input_rows = ev->input_rows;
          d.num_output_rows = ev->output_rows;
          d.dropped_records = ev->dropped_rows;
          d.expectations = ev->metrics;
        }
      }
      std::string status = d.status == DatasetStatus::kFailed ? "FAILED" : "COMPLETED";
      events.record(flow_event(d, status));
      l.unlock();
      finished_progress(i);
      l.lock();
    }
    l.unlock();
    if (events.ms_since_flush() > 2000) {
      try {
        events.flush(main_con);
      } catch (const std::exception&) {
        // retried at the end of the update
      }
    }
  }
  for (auto& t : threads) t.join();

  // Views computed after their own step (by later readers): report their counts.
  for (size_t i = 0; i < nodes.size(); ++i) {
    DatasetUpdate& d = update.datasets[i];
    if (d.kind != DatasetKind::kView || d.status != DatasetStatus::kCompleted) continue;
    if (auto ev = views.evaluation(d.name)) {
      d.num_input_rows = ev->input_rows;
      d.num_output_rows = ev->output_rows;
      d.dropped_records = ev->dropped_rows;
      d.expectations = ev->metrics;
    }
  }

  update.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - started)
                           .count();
  // A cancellation that came while the last datasets ran still ends the update CANCELED.
  if (options.cancelled && options.cancelled()) update.cancelled = true;
  PipelineEvent end;
  end.event_type = "update_progress";
  bool ok = update.ok();
  std::string state_name = update.cancelled ? "CANCELED" : ok ? "COMPLETED" : "FAILED";
  end.level = ok ? "INFO" : update.cancelled ? "WARN" : "ERROR";
  end.message = "Update " + update.update_id.substr(0, 6) + " is " + state_name + ".";
  end.details = {{"update_progress", {{"state", state_name}}}};
  if (!ok) {
    end.details["error"] = {{"message", update.failure_summary()},
                            {"exit_code", static_cast<int>(update.exit_code())}};
  }
  events.record(end);
  events.flush(main_con);
  return update;
}

}  // namespace dls::pipeline

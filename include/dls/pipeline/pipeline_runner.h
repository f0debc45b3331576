// PipelineRunner: runs one update of a pipeline (DESIGN §7) — the local equivalent of a DLT
// pipeline update.
//
// - Order and parallelism: datasets run in the graph's topological order; a dataset starts when
//   all its upstream datasets are done, and up to `parallelism` independent datasets run at once,
//   each on its own DuckDB connection over one in-memory Database.
// - Datasets: a streaming table appends only new input, batch by batch, exactly once (write-ahead
//   offsets log + Delta txn action appId "<pipeline>/<flow>", version = batch number; see
//   offsets_log.h); a materialized view is recomputed (one overwrite commit) only when the
//   fingerprint of its input and definition changed; a view is not persisted: it is computed,
//   once per update, when a reader asks for it (SourceContext::view_sql).
// - Targets: `<catalog>.<schema>.<table>` of the warehouse (a bare destination resolves in the
//   pipeline's target namespace), resolved by catalog::Warehouse::resolve. A table is created on
//   its first write with the entity's partition_cols, table_properties, comment, tags as table
//   properties `dls.tag.<key>`, and its owner pipelines.pipelineId = the pipeline's name
//   (table_ownership.h). Later changes of table_properties, tags and comment reach an existing
//   table on the next update as one metadata-only commit before the dataset's data commit (none
//   when nothing changed); partition_cols of an existing table are not changed (a full refresh
//   does not re-create it either). New columns are added to a streaming table's schema; a
//   materialized view (or an empty table) takes the new schema as is.
// - Write plan: before anything is written (no lock, no event log, no commit), run() refuses with
//   MetadataErrors (exit code 3) naming the entity and its destination every dataset that would
//   write a reserved name (`_pipelines.*`), a dls control table, a table owned by another
//   pipeline or an existing table no pipeline owns (table_ownership.h).
// - Full refresh: clears the dataset's table (one TRUNCATE commit), its checkpoints and state,
//   then reprocesses all available input; the dataset's status is FULL_REFRESH with its rows
//   before and after, and a warning when a streaming table was emptied because its source had
//   no input left. An entity with table property `pipelines.reset.allowed = false` is not
//   cleared: its rows and checkpoints stay, only new input is processed (with a warning).
// - Change data capture: a streaming table whose entity has primary_keys and apply_changes merges
//   each batch (after the transform and the expectations: dropped and quarantined rows never reach
//   the merge) with apply_changes (apply_changes.h), with the same txn (appId, batch) as an
//   append; its CDC state lives in the flow's checkpoints (PipelineState::cdc_state_dir) and is
//   removed by a full refresh. A bad spec, apply_changes without primary_keys or on a dataset
//   that is not a streaming table is an InvalidMetadataError when the graph is built.
// - Quarantine: `<table>` and `<table>_invalid` are written with the same txn (appId, batch), so
//   after a crash a re-run of the batch writes exactly the part that was not committed.
// - Failure isolation: a dataset that fails commits nothing of its failing batch (batches before
//   it in the same update stay committed), its downstream datasets are SKIPPED, all other datasets
//   still run. run() returns the PipelineUpdate; it throws only for problems of the whole
//   pipeline (another update holds the lock: dls::Error; an unknown --full-refresh dataset:
//   UsageError; a refused write plan: MetadataErrors).
// - Event log: create_update, update_progress and flow_progress events (event_log.h).
// One PipelineRunner runs one update; run() may be called once.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dls/catalog/warehouse.h"
#include "dls/pipeline/pipeline_graph.h"
#include "dls/pipeline/pipeline_update.h"
#include "dls/pipeline/source.h"

namespace dls::pipeline {

using SourceFactory =
    std::function<std::unique_ptr<Source>(const DeltaLiveEntity&, const SourceContext&)>;

/// make_source (source.h) as a SourceFactory.
SourceFactory default_source_factory();

/// A change of one dataset's state, for progress displays. Reported when a dataset starts, after
/// each batch it commits, about once a second while one of its queries runs (when DuckDB can
/// estimate the query's progress), and when it finishes.
struct DatasetProgress {
  enum class Kind {
    kStarted,
    kBatchCommitted,  // `result`: the dataset's totals so far (batches, files, rows, backlog)
    kQueryProgress,   // `query_percent`: DuckDB's estimate for the dataset's running query
    kFinished,        // `result`: the dataset's result
  };
  std::string name;                       // qualified
  bool finished = false;                  // kind == kFinished
  const DatasetUpdate* result = nullptr;  // kBatchCommitted and kFinished (valid during the call)
  Kind kind = Kind::kStarted;
  int64_t elapsed_ms = 0;  // since the dataset started
  double query_percent = 0;
  /// Estimated time left, where known: after a batch, from the rate of the bytes (else files)
  /// read so far and the source's backlog; during a query, from the rate of its progress.
  std::optional<int64_t> eta_ms;
};

struct PipelineOptions {
  /// The pipeline's name: its state directory <warehouse>/_pipelines/<pipeline> and the txn appId
  /// prefix. Must be a valid name part.
  std::string pipeline = "default";
  /// Where bare destinations resolve.
  catalog::Namespace target{"main", "default"};
  /// Full refresh of every dataset, or of the named ones (destination as written, or qualified).
  bool full_refresh_all = false;
  std::vector<std::string> full_refresh;
  /// Datasets run at once (0: min(4, hardware threads)).
  int parallelism = 0;
  /// Creates the sources; default_source_factory() unless a test supplies fakes.
  SourceFactory source_factory;
  /// Called (serialised, from worker threads and the thread that called run()) as datasets start,
  /// commit batches, make progress in a long query and finish (DatasetProgress).
  std::function<void(const DatasetProgress&)> on_progress;
  /// Asked before each dataset starts, every 50 ms while datasets run (from the thread that
  /// called run()) and before each batch of a streaming table (from the dataset's thread): it
  /// must be cheap and thread-safe. Once it returns true no further dataset starts (those not yet
  /// started are SKIPPED, "the update was cancelled"); the running ones are interrupted (their
  /// DuckDB query, else at their next batch) and FAILED with "the update was cancelled": the
  /// batches they committed stay, the one in progress is not written (each batch is one atomic
  /// commit per table, DESIGN §7, so every table stays readable and the next update resumes).
  /// run() then returns the update. The Python package's Ctrl-C handling uses it; empty: never
  /// cancelled.
  std::function<bool()> cancelled;
  /// The update's id (event log origin.update_id); empty: a new random UUID. Lets a caller that
  /// runs the update on another thread (`dls serve`) name it before it starts.
  std::string update_id;
};

class PipelineRunner {
 public:
  PipelineRunner(catalog::Warehouse warehouse, PipelineGraph graph, PipelineOptions options);
  ~PipelineRunner();
  PipelineRunner(const PipelineRunner&) = delete;
  PipelineRunner& operator=(const PipelineRunner&) = delete;

  PipelineUpdate run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dls::pipeline

// The live progress of `dls run` on stderr (DESIGN §9): on a terminal, one status line redrawn in
// place with each running dataset's batches, files and rows read, elapsed time and ETA where
// known, and a line per finished dataset; otherwise (a pipe, a log file) plain lines only: a
// dataset starting, its committed batches (the first, then at most one line a second), a long
// query's progress (one line per 10 s), a dataset finishing. --quiet keeps only the plain line of
// each finished dataset.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "context.h"
#include "dls/pipeline/pipeline_runner.h"

namespace dls::cli {

/// "1.25 s".
std::string seconds(int64_t ms);
/// The dataset, with its flow when the table has several (or it is a once flow).
std::string flow_label(const pipeline::DatasetUpdate& d);
/// "orders: COMPLETED (1200 rows read in 2 batches, 1190 rows written, 3 files read, ...)".
std::string finished_line(const pipeline::DatasetUpdate& d);

class ProgressDisplay {
 public:
  using Clock = std::chrono::steady_clock;
  /// `tty`: whether stderr is a terminal (redrawn status line) or not (plain lines). `now`: the
  /// clock that spaces plain lines (tests pass their own); empty: Clock::now.
  ProgressDisplay(Context& ctx, size_t total, bool tty,
                  std::function<Clock::time_point()> now = {});

  /// Called serialised by the runner (PipelineOptions::on_progress).
  void update(const pipeline::DatasetProgress& p);
  /// Clears the status line before the summary.
  void finish();

 private:
  struct Running {
    std::string label;
    int64_t batches = 0;
    int64_t files = 0;
    int64_t rows_read = 0;
    int64_t elapsed_ms = 0;
    std::optional<double> query_percent;
    std::optional<int64_t> eta_ms;
    // Plain mode: when this dataset last printed a batch line (none yet: the first batch prints)
    // and a line about its running query (counted from its start).
    std::optional<Clock::time_point> last_batch_line;
    Clock::time_point last_query_line;
  };
  void plain_line(Running& r, const pipeline::DatasetProgress& p);
  void clear_line();
  void draw();

  Context& ctx_;
  size_t total_;
  bool tty_;
  size_t done_ = 0;
  std::map<std::string, Running> running_;  // by dataset name, in name order
  std::function<Clock::time_point()> now_;
};

}  // namespace dls::cli

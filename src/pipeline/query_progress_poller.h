// Samples DuckDB's progress estimate of the queries running on an update's connections, for
// DatasetProgress reports of datasets whose work is one long query (materialized views, big
// batches). Used only by the thread that runs the update (PipelineRunner::run). Internal to the
// pipeline layer.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "dls/sql/connection.h"

namespace dls::pipeline {

class QueryProgressPoller {
 public:
  using Clock = std::chrono::steady_clock;

  explicit QueryProgressPoller(size_t connections,
                               std::chrono::milliseconds interval = std::chrono::seconds(1));

  /// True at most once per interval (then the caller polls every running connection).
  bool due();
  /// A new dataset starts on connection `slot`: forget what was seen there.
  void reset(size_t slot);

  struct Sample {
    double percent = 0;             // of the query running now, 0..100
    std::optional<int64_t> eta_ms;  // from the rate since this query was first seen, when > 0
  };
  /// The progress of the query running on `con` (connection `slot`), or nullopt when DuckDB has
  /// no estimate (no query, or one it cannot measure).
  std::optional<Sample> poll(size_t slot, const sql::Connection& con);

 private:
  struct Seen {
    bool running = false;  // a query's progress was seen at the last poll
    double first_percent = 0;
    double last_percent = 0;
    Clock::time_point first_seen;
  };
  std::vector<Seen> seen_;
  std::chrono::milliseconds interval_;
  Clock::time_point last_due_;
};

}  // namespace dls::pipeline

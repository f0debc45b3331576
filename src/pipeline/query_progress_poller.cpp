#include "pipeline/query_progress_poller.h"

namespace dls::pipeline {

QueryProgressPoller::QueryProgressPoller(size_t connections, std::chrono::milliseconds interval)
    : seen_(connections), interval_(interval), last_due_(Clock::now()) {}

bool QueryProgressPoller::due() {
  const Clock::time_point now = Clock::now();
  if (now - last_due_ < interval_) return false;
  last_due_ = now;
  return true;
}

void QueryProgressPoller::reset(size_t slot) {
  seen_.at(slot) = Seen{};
}

std::optional<QueryProgressPoller::Sample> QueryProgressPoller::poll(size_t slot,
                                                                     const sql::Connection& con) {
  Seen& s = seen_.at(slot);
  std::optional<sql::Connection::QueryProgress> q = con.query_progress();
  if (!q) {
    s.running = false;
    return std::nullopt;
  }
  const Clock::time_point now = Clock::now();
  // A percentage going back means the dataset's next query (a dataset runs several): its rate is
  // measured afresh. A small step back is DuckDB's estimate wobbling, not a new query.
  if (!s.running || q->percent + 1.0 < s.last_percent) {
    s = Seen{true, q->percent, q->percent, now};
  }
  s.last_percent = q->percent;
  Sample out;
  out.percent = q->percent;
  const double done = q->percent - s.first_percent;
  const auto waited =
      std::chrono::duration_cast<std::chrono::milliseconds>(now - s.first_seen).count();
  if (done > 0 && waited > 0) {
    out.eta_ms = static_cast<int64_t>(static_cast<double>(waited) * (100.0 - q->percent) / done);
  }
  return out;
}

}  // namespace dls::pipeline

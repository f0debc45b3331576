// One pipeline update started through the REST API, running on its own thread.
//
// The job owns the thread that runs the update (pipeline::PipelineRunner) and records its
// progress as a list of JSON events (dataset start, progress and finish, and a last "update" event
// with the final state) that readers poll or wait for (server-sent events). Every method is
// thread-safe. cancel() asks the runner to stop (PipelineOptions::cancelled); the update then
// ends CANCELED in the event log. The destructor cancels a running update and joins its thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace dls::server {

class UpdateJob {
 public:
  /// Progress events a job records: {"type": "dataset", "dataset", "status", "metrics"?} as a
  /// dataset starts and finishes, {"type": "progress", "dataset", "elapsed_ms", "metrics"? (after a
  /// batch), "query_percent"? (during a long query), "eta_ms"?} while it runs, and finally
  /// {"type": "update", "status": COMPLETED|FAILED|CANCELED, "error"?}.
  using Event = nlohmann::ordered_json;
  /// Runs the update on the job's thread; `record` publishes a progress event, `cancelled`
  /// tells whether cancel() was called. Returns the final event (type "update").
  using Body = std::function<Event(const std::function<void(Event)>& record,
                                   const std::function<bool()>& cancelled)>;

  UpdateJob(std::string update_id, std::string pipeline);
  ~UpdateJob();
  UpdateJob(const UpdateJob&) = delete;
  UpdateJob& operator=(const UpdateJob&) = delete;

  /// Starts `body` on the job's thread. Call once.
  void start(Body body);
  /// Asks the update to stop. Returns false when it had already finished.
  bool cancel();
  bool cancel_requested() const { return cancel_.load(); }
  bool finished() const;
  /// Waits for the thread to end.
  void join();

  const std::string& update_id() const { return update_id_; }
  const std::string& pipeline() const { return pipeline_; }
  /// RUNNING, CANCELING, COMPLETED, FAILED or CANCELED.
  std::string status() const;
  /// Events from index `from` on, waiting up to `wait_ms` for one when there is none yet.
  std::vector<Event> events_since(size_t from, int wait_ms) const;
  /// Every event so far.
  std::vector<Event> events() const { return events_since(0, 0); }

 private:
  void record(Event event);

  std::string update_id_;
  std::string pipeline_;
  std::atomic<bool> cancel_{false};
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<Event> events_;
  std::string status_ = "RUNNING";
  bool finished_ = false;
  std::thread thread_;
};

}  // namespace dls::server

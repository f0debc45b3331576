#include "dls/server/update_job.h"

#include <chrono>
#include <exception>

namespace dls::server {

UpdateJob::UpdateJob(std::string update_id, std::string pipeline)
    : update_id_(std::move(update_id)), pipeline_(std::move(pipeline)) {}

UpdateJob::~UpdateJob() {
  cancel();
  join();
}

void UpdateJob::start(Body body) {
  thread_ = std::thread([this, body = std::move(body)] {
    Event last;
    try {
      last = body([this](Event e) { record(std::move(e)); }, [this] { return cancel_.load(); });
    } catch (const std::exception& e) {
      last = Event{{"type", "update"}, {"status", "FAILED"}, {"error", e.what()}};
    }
    std::lock_guard lock(mutex_);
    status_ = last.value("status", std::string("FAILED"));
    events_.push_back(std::move(last));
    finished_ = true;
    changed_.notify_all();
  });
}

bool UpdateJob::cancel() {
  std::lock_guard lock(mutex_);
  if (finished_) return false;
  cancel_.store(true);
  status_ = "CANCELING";
  changed_.notify_all();
  return true;
}

bool UpdateJob::finished() const {
  std::lock_guard lock(mutex_);
  return finished_;
}

void UpdateJob::join() {
  if (thread_.joinable()) thread_.join();
}

std::string UpdateJob::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

void UpdateJob::record(Event event) {
  std::lock_guard lock(mutex_);
  events_.push_back(std::move(event));
  changed_.notify_all();
}

std::vector<UpdateJob::Event> UpdateJob::events_since(size_t from, int wait_ms) const {
  std::unique_lock lock(mutex_);
  if (wait_ms > 0 && events_.size() <= from && !finished_) {
    changed_.wait_for(lock, std::chrono::milliseconds(wait_ms),
                      [&] { return events_.size() > from || finished_; });
  }
  if (from >= events_.size()) return {};
  return std::vector<Event>(events_.begin() + static_cast<std::ptrdiff_t>(from), events_.end());
}

}  // namespace dls::server

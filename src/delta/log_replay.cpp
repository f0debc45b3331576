#include "delta/log_replay.h"

#include <algorithm>

namespace dls::delta {

void LogReplay::apply(Action&& action) {
  std::visit(
      [this](auto&& a) {
        using T = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<T, AddFile>) {
          std::string key = a.key();
          files_.insert_or_assign(std::move(key), std::move(a));
        } else if constexpr (std::is_same_v<T, RemoveFile>) {
          files_.erase(a.key());
        } else if constexpr (std::is_same_v<T, Protocol>) {
          protocol_ = std::move(a);
          protocol_version_ = current_version_;
        } else if constexpr (std::is_same_v<T, Metadata>) {
          metadata_ = std::move(a);
          metadata_version_ = current_version_;
        } else if constexpr (std::is_same_v<T, SetTransaction>) {
          transactions_[a.app_id] = a.version;
        } else if constexpr (std::is_same_v<T, DomainMetadata>) {
          if (a.removed)
            domains_.erase(a.domain);
          else
            domains_[a.domain] = std::move(a);
        } else if constexpr (std::is_same_v<T, CommitInfo>) {
          if (auto ict = a.in_commit_timestamp()) last_ict_ = ict;
        }
        // OtherAction (cdc, checkpointMetadata, sidecar, unknown): no effect on the state.
      },
      std::move(action));
}

void LogReplay::apply_checkpoint(std::vector<Action>&& actions) {
  current_version_ = -1;
  files_.reserve(actions.size());
  for (Action& a : actions) apply(std::move(a));
}

void LogReplay::apply_commit(int64_t version, std::vector<Action>&& actions) {
  current_version_ = version;
  last_ict_.reset();
  for (Action& a : actions) apply(std::move(a));
}

std::vector<AddFile> LogReplay::take_files() {
  // Sort pointers to the entries, then move each AddFile once (it is large: moving it through a
  // sort costs more than the comparisons).
  std::vector<std::pair<const std::string*, AddFile*>> order;
  order.reserve(files_.size());
  for (auto& [key, file] : files_) order.emplace_back(&key, &file);
  std::sort(order.begin(), order.end(),
            [](const auto& a, const auto& b) { return *a.first < *b.first; });
  std::vector<AddFile> out;
  out.reserve(order.size());
  for (auto& [key, file] : order) out.push_back(std::move(*file));
  files_.clear();
  return out;
}

}  // namespace dls::delta

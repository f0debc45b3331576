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
  std::vector<std::pair<std::string, AddFile>> entries(std::make_move_iterator(files_.begin()),
                                                       std::make_move_iterator(files_.end()));
  files_.clear();
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<AddFile> out;
  out.reserve(entries.size());
  for (auto& e : entries) out.push_back(std::move(e.second));
  return out;
}

}  // namespace dls::delta

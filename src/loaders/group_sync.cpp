#include "dls/loaders/group_sync.h"

#include <deque>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace dls {

DeltaLiveEntity without_generated_columns(DeltaLiveEntity entity) {
  entity.id.reset();
  entity.created_ts.reset();
  entity.expired_ts.reset();
  entity.created_by.reset();
  entity.modified_by.reset();
  entity.hash.reset();
  entity.is_latest = true;
  return entity;
}

std::vector<DeltaLiveEntity> entities_to_disable(const EntityList& latest,
                                                 const YamlDocument& document) {
  std::unordered_set<std::string> in_file;
  for (const auto& e : document.entities) in_file.insert(e.entity_id);
  std::unordered_set<std::string> synced_groups;
  for (const auto& [group, _] : document.groups) {
    if (!group.empty()) synced_groups.insert(group);
  }

  // Downstream edges: destination → indexes of the entities reading it.
  std::unordered_multimap<std::string, std::size_t> readers;
  for (std::size_t i = 0; i < latest.size(); ++i) readers.emplace(latest[i].source, i);

  std::vector<bool> visited(latest.size(), false);
  std::deque<std::size_t> queue;
  for (std::size_t i = 0; i < latest.size(); ++i) {
    const auto& e = latest[i];
    if (e.is_enabled && synced_groups.count(e.group) && !in_file.count(e.entity_id)) {
      visited[i] = true;
      queue.push_back(i);
    }
  }
  while (!queue.empty()) {
    const std::size_t i = queue.front();
    queue.pop_front();
    auto [begin, end] = readers.equal_range(latest[i].destination);
    for (auto it = begin; it != end; ++it) {
      const std::size_t j = it->second;
      // The file wins: an entity it lists is upserted as written, and its readers stay as they are.
      if (visited[j] || in_file.count(latest[j].entity_id)) continue;
      visited[j] = true;
      queue.push_back(j);
    }
  }

  std::vector<DeltaLiveEntity> out;
  for (std::size_t i = 0; i < latest.size(); ++i) {
    if (!visited[i] || !latest[i].is_enabled) continue;
    DeltaLiveEntity copy = without_generated_columns(latest[i]);
    copy.is_enabled = false;
    out.push_back(std::move(copy));
  }
  return out;
}

}  // namespace dls

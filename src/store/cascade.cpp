#include "store/cascade.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <unordered_map>

namespace dls::store_detail {

std::vector<size_t> cascade_closure(const EntityList& latest, const Predicate& seeds,
                                    CascadeDirection direction) {
  const bool down = direction == CascadeDirection::kDownstream;
  // Downstream: the entities reading a disabled entity's destination, indexed by source.
  // Upstream: the entities writing an enabled entity's source, indexed by destination.
  std::unordered_multimap<std::string_view, size_t> by_link;
  by_link.reserve(latest.size());
  for (size_t i = 0; i < latest.size(); ++i) {
    by_link.emplace(down ? latest[i].source : latest[i].destination, i);
  }
  std::vector<char> seen(latest.size(), 0);
  std::vector<size_t> queue;
  for (size_t i = 0; i < latest.size(); ++i) {
    if (seeds.matches(latest[i])) {
      seen[i] = 1;
      queue.push_back(i);
    }
  }
  for (size_t head = 0; head < queue.size(); ++head) {
    const DeltaLiveEntity& e = latest[queue[head]];
    auto [first, last] = by_link.equal_range(down ? e.destination : e.source);
    for (auto it = first; it != last; ++it) {
      if (!seen[it->second]) {
        seen[it->second] = 1;
        queue.push_back(it->second);
      }
    }
  }
  std::sort(queue.begin(), queue.end());
  return queue;
}

}  // namespace dls::store_detail

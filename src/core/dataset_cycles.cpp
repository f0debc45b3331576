#include "dls/core/dataset_cycles.h"

#include <algorithm>
#include <functional>
#include <map>
#include <string>

namespace dls {

std::vector<std::vector<std::size_t>> find_cycles(const UpstreamLists& upstream) {
  const std::size_t n = upstream.size();
  // Tarjan's strongly connected components, iteratively (deep graphs must not exhaust the stack).
  constexpr std::size_t kUnvisited = static_cast<std::size_t>(-1);
  std::vector<std::size_t> index(n, kUnvisited), low(n, 0);
  std::vector<bool> on_stack(n, false);
  std::vector<std::size_t> stack;
  std::vector<std::vector<std::size_t>> components;
  std::size_t next_index = 0;
  for (std::size_t root = 0; root < n; ++root) {
    if (index[root] != kUnvisited) continue;
    std::vector<std::pair<std::size_t, std::size_t>> frames{{root, 0}};  // (node, next edge)
    index[root] = low[root] = next_index++;
    stack.push_back(root);
    on_stack[root] = true;
    while (!frames.empty()) {
      auto& [v, edge] = frames.back();
      if (edge < upstream[v].size()) {
        const std::size_t w = upstream[v][edge++];
        if (w >= n) continue;
        if (index[w] == kUnvisited) {
          index[w] = low[w] = next_index++;
          stack.push_back(w);
          on_stack[w] = true;
          frames.push_back({w, 0});
        } else if (on_stack[w]) {
          low[v] = std::min(low[v], index[w]);
        }
        continue;
      }
      const std::size_t done = v;
      frames.pop_back();
      if (!frames.empty()) low[frames.back().first] = std::min(low[frames.back().first], low[done]);
      if (low[done] != index[done]) continue;
      std::vector<std::size_t> component;
      std::size_t w = 0;
      do {
        w = stack.back();
        stack.pop_back();
        on_stack[w] = false;
        component.push_back(w);
      } while (w != done);
      const bool self_loop =
          std::find(upstream[done].begin(), upstream[done].end(), done) != upstream[done].end();
      if (component.size() > 1 || self_loop) components.push_back(std::move(component));
    }
  }

  std::vector<std::vector<std::size_t>> cycles;
  for (auto& component : components) {
    std::sort(component.begin(), component.end());
    // A cycle inside the component through its smallest node: walk upstream, within the
    // component, until a node repeats; the repeat closes a cycle (every node of a strongly
    // connected component has an upstream inside it).
    const auto inside = [&](std::size_t v) {
      return std::binary_search(component.begin(), component.end(), v);
    };
    std::map<std::size_t, std::size_t> position;
    std::vector<std::size_t> path;
    std::size_t v = component.front();
    while (!position.count(v)) {
      position[v] = path.size();
      path.push_back(v);
      std::size_t next = v;
      for (std::size_t u : upstream[v]) {
        if (u < n && inside(u)) {
          next = u;
          break;
        }
      }
      v = next;
    }
    // path walks downstream→upstream; the cycle is path[position[v]..], reversed to upstream first.
    std::vector<std::size_t> cycle(path.begin() + static_cast<std::ptrdiff_t>(position[v]),
                                   path.end());
    std::reverse(cycle.begin(), cycle.end());
    std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
    cycles.push_back(std::move(cycle));
  }
  std::sort(cycles.begin(), cycles.end(),
            [](const auto& a, const auto& b) { return a.front() < b.front(); });
  return cycles;
}

UpstreamLists upstream_by_name(const std::vector<DeltaLiveEntity>& entities) {
  std::multimap<std::string, std::size_t> writers;  // table name -> entity writing it
  for (std::size_t j = 0; j < entities.size(); ++j) {
    const auto& e = entities[j];
    if (e.destination.empty()) continue;
    writers.emplace(e.destination, j);
    if (e.is_quarantined) writers.emplace(e.destination + "_invalid", j);
  }
  UpstreamLists upstream(entities.size());
  for (std::size_t i = 0; i < entities.size(); ++i) {
    if (entities[i].source.empty()) continue;
    auto [begin, end] = writers.equal_range(entities[i].source);
    for (auto it = begin; it != end; ++it) upstream[i].push_back(it->second);
  }
  return upstream;
}

}  // namespace dls

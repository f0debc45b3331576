#include "pipeline/flow_keys.h"

#include <map>
#include <set>

namespace dls::pipeline {

namespace {

std::string record_name(const std::string& table) {
  return table + "@flows";
}

}  // namespace

std::vector<std::string> flow_keys(const PipelineGraph& graph, const PipelineState& state) {
  const auto& nodes = graph.datasets();
  std::map<std::string, std::vector<size_t>> by_table;  // flows in graph (flow-name) order
  for (size_t i = 0; i < nodes.size(); ++i) by_table[nodes[i].qualified_name].push_back(i);
  std::vector<std::string> keys(nodes.size());
  for (const auto& [table, flows] : by_table) {
    nlohmann::json record = nlohmann::json::object();
    if (auto saved = state.load(record_name(table)); saved && saved->is_object()) record = *saved;
    std::set<std::string> used;
    for (const auto& [flow, key] : record.items()) {
      if (key.is_string()) used.insert(key.get<std::string>());
    }
    for (size_t i : flows) {
      auto it = record.find(nodes[i].flow_name);
      if (it != record.end() && it->is_string()) keys[i] = it->get<std::string>();
    }
    for (size_t i : flows) {
      if (!keys[i].empty()) continue;
      if (used.insert(table).second) {
        keys[i] = table;
      } else {
        keys[i] = table + "@" + nodes[i].flow_name;
        used.insert(keys[i]);
      }
    }
  }
  return keys;
}

void record_flow_keys(const PipelineGraph& graph, const std::vector<std::string>& keys,
                      PipelineState& state) {
  const auto& nodes = graph.datasets();
  std::map<std::string, nlohmann::json> records;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].kind != DatasetKind::kStreamingTable && nodes[i].kind != DatasetKind::kSink) {
      continue;
    }
    const std::string name = record_name(nodes[i].qualified_name);
    auto it = records.find(name);
    if (it == records.end()) {
      nlohmann::json record = nlohmann::json::object();
      if (auto saved = state.load(name); saved && saved->is_object()) record = *saved;
      it = records.emplace(name, std::move(record)).first;
    }
    it->second[nodes[i].flow_name] = keys[i];
  }
  for (const auto& [name, record] : records) {
    auto saved = state.load(name);
    if (!saved || *saved != record) state.save(name, record);
  }
}

}  // namespace dls::pipeline

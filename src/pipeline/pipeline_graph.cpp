#include "dls/pipeline/pipeline_graph.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "dls/catalog/table_name.h"
#include "dls/core/dataset_cycles.h"
#include "dls/core/error.h"
#include "dls/core/flow_sharing.h"
#include "dls/sql/spark/table_references.h"
#include "pipeline/dataset_flow.h"

namespace dls::pipeline {

namespace {

/// The qualified name `text` denotes in `ns`, or nullopt when it is not a table name (a path, a
/// topic, a name with characters a table name cannot have).
std::optional<std::string> qualify(const std::string& text, const catalog::Namespace& ns) {
  if (text.empty() || text.find('/') != std::string::npos) return std::nullopt;
  try {
    return catalog::parse_table_name(text, ns).to_string();
  } catch (const Error&) {
    return std::nullopt;
  }
}

std::string describe_entity(const DeltaLiveEntity& e) {
  return "'" + e.entity_id + "'";
}

/// Escapes a label for a double-quoted DOT or Mermaid string.
std::string escape_label(const std::string& s, bool mermaid) {
  std::string out;
  for (char c : s) {
    if (c == '"') {
      out += mermaid ? "#quot;" : "\\\"";
    } else if (c == '\\' && !mermaid) {
      out += "\\\\";
    } else if (c == '\n') {
      out += mermaid ? "<br/>" : "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string node_details(const DatasetNode& n) {
  std::string s = to_string(n.kind);
  if (n.kind == DatasetKind::kSink && n.entity.sink_format) {
    s += " " + *n.entity.sink_format;
    for (const char* key : {"path", "tableName", "topic"}) {
      if (auto it = n.entity.sink_options.find(key); it != n.entity.sink_options.end()) {
        s += std::string(" ") + key + "=" + it->second;
      }
    }
  }
  if (n.flows_of_table > 1 || n.once) s += (n.once ? ", once flow " : ", flow ") + n.flow_name;
  const auto& x = n.entity.expectations;
  size_t rules = x.expect_all.size() + x.expect_all_or_drop.size() + x.expect_all_or_fail.size();
  if (rules) s += ", " + std::to_string(rules) + (rules == 1 ? " expectation" : " expectations");
  if (n.entity.is_quarantined) s += ", quarantine";
  return s;
}

/// The error for entity `e` reading the sink `sink`: sinks are leaves of the graph.
std::string reads_sink(const DeltaLiveEntity& e, const DatasetNode& sink) {
  return "entity " + describe_entity(e) + " reads " + sink.qualified_name +
         ", the sink written by entity " + describe_entity(sink.entity) +
         ", but sinks cannot be read: a sink's rows leave the pipeline (Kafka, an outside Delta "
         "table). Read the sink's source instead, or make it a table (destination_type table)";
}

std::string source_label(const DatasetNode& n) {
  if (n.entity.query) return "query";
  return n.entity.source_format + ": " + n.entity.source;
}

}  // namespace

std::string to_string(DatasetKind kind) {
  switch (kind) {
    case DatasetKind::kStreamingTable:
      return "streaming table";
    case DatasetKind::kMaterializedView:
      return "materialized view";
    case DatasetKind::kView:
      return "view";
    case DatasetKind::kSink:
      return "sink";
  }
  return "?";
}

PipelineGraph PipelineGraph::build(const std::vector<DeltaLiveEntity>& entities,
                                   const std::string& target_catalog,
                                   const std::string& target_schema) {
  return *assemble(entities, target_catalog, target_schema, nullptr);
}

std::optional<PipelineGraph> PipelineGraph::check(const std::vector<DeltaLiveEntity>& entities,
                                                  const std::string& target_catalog,
                                                  const std::string& target_schema,
                                                  Diagnostics& problems) {
  return assemble(entities, target_catalog, target_schema, &problems);
}

std::optional<PipelineGraph> PipelineGraph::assemble(const std::vector<DeltaLiveEntity>& entities,
                                                     const std::string& target_catalog,
                                                     const std::string& target_schema,
                                                     Diagnostics* problems) {
  catalog::validate_name_part(target_catalog, "target catalog");
  catalog::validate_name_part(target_schema, "target schema");
  const catalog::Namespace ns{target_catalog, target_schema};
  // Without `problems` the first problem throws (InvalidMetadataError); with it every problem is
  // recorded and the datasets concerned are left out of the checks that follow.
  bool failed = false;
  auto problem = [&](const DeltaLiveEntity& e, const std::string& field,
                     const std::string& message) {
    if (!problems) throw InvalidMetadataError(message);
    problems->push_back({Severity::kError, e.entity_id, field, message, std::nullopt});
    failed = true;
  };

  std::vector<DatasetNode> nodes;
  std::map<std::string, size_t> by_name;  // qualified destination -> its first flow's node
  std::map<std::string, std::vector<size_t>> writers;  // qualified destination -> every flow
  for (const auto& entity : entities) {
    DatasetNode node;
    node.entity = entity;
    node.name = entity.destination;
    node.flow_name = effective_flow_name(entity);
    node.once = entity.once;
    try {
      node.qualified_name = catalog::parse_table_name(entity.destination, ns).to_string();
    } catch (const Error& e) {
      problem(entity, "destination",
              "entity " + describe_entity(entity) + ": destination '" + entity.destination +
                  "' is not a valid table name: " + e.what());
      continue;
    }
    if (entity.destination_type == "view") {
      node.kind = DatasetKind::kView;
    } else if (entity.destination_type == "sink") {
      node.kind = DatasetKind::kSink;
    } else {
      // A once flow appends (one batch) to a streaming table, whatever its source's mode.
      node.kind = entity.is_streaming || entity.once ? DatasetKind::kStreamingTable
                                                     : DatasetKind::kMaterializedView;
    }
    // Plan time: a bad CDC spec fails the whole update (exit 3) before anything runs.
    try {
      check_apply_changes(entity, node.kind);
    } catch (const InvalidMetadataError& e) {
      problem(entity, "apply_changes", e.what());
    }
    auto [it, inserted] = by_name.emplace(node.qualified_name, nodes.size());
    if (!inserted) {
      // Another flow into the same table: allowed for streaming appends and once flows only.
      std::string why;
      const DeltaLiveEntity* other = nullptr;
      for (size_t w : writers[node.qualified_name]) {
        why = shared_destination_problem(nodes[w].entity, entity);
        other = &nodes[w].entity;
        if (!why.empty()) break;
      }
      if (!why.empty()) {
        problem(entity, why.find("flow name") != std::string::npos ? "flow_name" : "destination",
                "entities " + describe_entity(*other) + " and " + describe_entity(entity) +
                    " both write the destination " + node.qualified_name + ", but " + why + "; " +
                    shared_destination_rule());
        continue;
      }
    }
    writers[node.qualified_name].push_back(nodes.size());
    nodes.push_back(std::move(node));
  }
  for (const auto& [name, flows] : writers) {
    for (size_t w : flows) nodes[w].flows_of_table = static_cast<int>(flows.size());
  }
  // Quarantine tables are datasets too: a reader of `<destination>_invalid` depends on the entity.
  std::map<std::string, size_t> invalid_names;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].entity.is_quarantined) invalid_names[nodes[i].qualified_name + "_invalid"] = i;
  }

  std::vector<std::vector<size_t>> upstream(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    const auto& e = nodes[i].entity;
    if (e.query) {
      // A query's edges are the tables it names (CTE names are not tables).
      sql::spark::TableReferences refs;
      try {
        refs = sql::spark::analyze_table_references(*e.query);
      } catch (const Error& ex) {
        problem(e, "query", "entity " + describe_entity(e) + ": query: " + ex.what());
        continue;
      }
      const bool streaming = nodes[i].kind == DatasetKind::kStreamingTable;
      if (streaming && !refs.streaming()) {
        problem(e, "query",
                "entity " + describe_entity(e) +
                    ": query reads no table with STREAM(name), but is_streaming is true: a "
                    "streaming table processes the new rows of a stream; read its input with "
                    "STREAM(name), or set is_streaming: false to make it a materialized view");
      }
      if (!streaming && refs.streaming()) {
        for (const auto& t : refs.tables) {
          if (!t.streaming) continue;
          problem(e, "query",
                  "entity " + describe_entity(e) + ": query reads STREAM(" +
                      sql::spark::joined_name(t.names) + ") at position " +
                      std::to_string(t.position) + ", but the dataset is not a streaming table " +
                      (nodes[i].kind == DatasetKind::kView ? "(a view)" : "(is_streaming: false)") +
                      "; set is_streaming: true, or read the table without STREAM");
          break;
        }
      }
      if (streaming) {
        for (const auto& p : refs.problems) {
          problem(e, "query",
                  "entity " + describe_entity(e) + ": query at position " +
                      std::to_string(p.position) + ": " + p.message);
        }
      }
      std::set<size_t> seen;
      for (const auto& t : refs.tables) {
        const std::string written = sql::spark::joined_name(t.names);
        std::optional<std::string> name = qualify(written, ns);
        std::optional<size_t> up;
        if (name) {
          if (auto it = by_name.find(*name); it != by_name.end()) {
            up = it->second;
          } else if (auto inv = invalid_names.find(*name); inv != invalid_names.end()) {
            up = inv->second;
          }
        }
        if (!up) {
          std::string list;
          for (const auto& n : nodes) list += (list.empty() ? "" : ", ") + n.qualified_name;
          problem(e, "query",
                  "entity " + describe_entity(e) + ": query names '" + written + "' at position " +
                      std::to_string(t.position) + (name ? " (" + *name + ")" : "") +
                      ", which is not a dataset of this pipeline; the pipeline's datasets are: " +
                      (list.empty() ? "(none)" : list) +
                      ". Select the upstream entity too (is it disabled or in another group?), "
                      "or read an outside table through an entity with source_format delta");
          continue;
        }
        if (nodes[*up].kind == DatasetKind::kSink) {
          problem(e, "query", reads_sink(e, nodes[*up]));
          continue;
        }
        if (*up == i) {
          problem(e, "query",
                  "entity " + describe_entity(e) + ": query reads its own destination " +
                      nodes[i].qualified_name + " at position " + std::to_string(t.position) +
                      " (a cycle of one dataset)");
          continue;
        }
        if (seen.insert(*up).second) {
          auto w = writers.find(nodes[*up].qualified_name);
          if (w != writers.end() && nodes[*up].qualified_name == *name) {
            for (size_t f : w->second) upstream[i].push_back(f);
          } else {
            upstream[i].push_back(*up);
          }
          nodes[i].upstream.push_back(nodes[*up].qualified_name);
        }
      }
      continue;
    }
    std::optional<std::string> src = qualify(e.source, ns);
    std::optional<size_t> up;
    if (src) {
      if (auto it = by_name.find(*src); it != by_name.end()) {
        up = it->second;
      } else if (auto inv = invalid_names.find(*src); inv != invalid_names.end()) {
        up = inv->second;
      }
    }
    if (up && nodes[*up].kind == DatasetKind::kSink) {
      problem(e, "source", reads_sink(e, nodes[*up]));
      continue;
    }
    if (up && *up == i) {
      problem(e, "source",
              "entity " + describe_entity(e) + " reads its own destination " +
                  nodes[i].qualified_name + " (a cycle of one dataset)");
      continue;
    }
    if (!up && e.source_format == "dlt") {
      std::vector<std::string> names;
      for (const auto& n : nodes) names.push_back(n.qualified_name);
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      problem(e, "source",
              "entity " + describe_entity(e) + " has source_format dlt but its source '" +
                  e.source + "'" + (src ? " (" + *src + ")" : "") +
                  " is not a dataset of this pipeline; the pipeline's datasets are: " +
                  (list.empty() ? "(none)" : list) +
                  ". Select the upstream entity too (is it disabled or in another group?) or "
                  "read the table with source_format delta");
    }
    if (up) {
      // A reader of a table written by several flows depends on each of them.
      auto w = writers.find(nodes[*up].qualified_name);
      if (w != writers.end() && nodes[*up].qualified_name == *src) {
        for (size_t f : w->second) upstream[i].push_back(f);
      } else {
        upstream[i].push_back(*up);
      }
      nodes[i].upstream.push_back(nodes[*up].qualified_name);
    }
  }

  // Kahn's algorithm, ties broken by name so the order is stable.
  std::vector<size_t> indegree(nodes.size(), 0);
  std::vector<std::vector<size_t>> downstream(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    indegree[i] = upstream[i].size();
    for (size_t u : upstream[i]) downstream[u].push_back(i);
  }
  auto by_qualified = [&](size_t a, size_t b) {
    if (nodes[a].qualified_name != nodes[b].qualified_name) {
      return nodes[a].qualified_name < nodes[b].qualified_name;
    }
    return nodes[a].flow_name < nodes[b].flow_name;
  };
  std::set<size_t, decltype(by_qualified)> ready(by_qualified);
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (indegree[i] == 0) ready.insert(i);
  }
  std::vector<size_t> order;
  while (!ready.empty()) {
    size_t n = *ready.begin();
    ready.erase(ready.begin());
    order.push_back(n);
    for (size_t d : downstream[n]) {
      if (--indegree[d] == 0) ready.insert(d);
    }
  }
  if (order.size() != nodes.size()) {
    // The same search `dls load` runs on the metadata (core/dataset_cycles.h): every cycle.
    for (const std::vector<size_t>& cycle : find_cycles(upstream)) {
      std::string chain, ids;
      for (size_t c : cycle) {
        chain += nodes[c].qualified_name + " -> ";
        ids += (ids.empty() ? "" : ", ") + describe_entity(nodes[c].entity);
      }
      chain += nodes[cycle.front()].qualified_name;
      problem(nodes[cycle.front()].entity, "source",
              "the pipeline has a cycle: " + chain + " (entities " + ids +
                  "); a dataset cannot read, directly or indirectly, its own output");
    }
  }
  if (failed) return std::nullopt;
  PipelineGraph graph;
  for (size_t i : order) graph.nodes_.push_back(std::move(nodes[i]));
  return graph;
}

const DatasetNode* PipelineGraph::find(const std::string& qualified_name) const {
  for (const auto& n : nodes_) {
    if (n.qualified_name == qualified_name) return &n;
  }
  return nullptr;
}

std::vector<std::string> PipelineGraph::downstream_of(const std::string& qualified_name) const {
  std::set<std::string> found{qualified_name};
  std::vector<std::string> out;
  // Topological order: every upstream of a node comes before it, so one pass suffices.
  for (const auto& n : nodes_) {
    if (found.count(n.qualified_name)) continue;
    for (const auto& u : n.upstream) {
      if (found.count(u)) {
        found.insert(n.qualified_name);
        out.push_back(n.qualified_name);
        break;
      }
    }
  }
  return out;
}

std::string PipelineGraph::render(const std::string& format) const {
  std::map<std::string, std::vector<size_t>> index;  // a table -> the flows writing it
  for (size_t i = 0; i < nodes_.size(); ++i) index[nodes_[i].qualified_name].push_back(i);
  std::vector<std::vector<size_t>> children(nodes_.size());
  for (size_t i = 0; i < nodes_.size(); ++i) {
    for (const auto& u : nodes_[i].upstream) {
      for (size_t w : index.at(u)) children[w].push_back(i);
    }
  }
  std::string out;
  if (format == "text") {
    if (nodes_.empty()) return "(no datasets)\n";
    std::vector<bool> shown(nodes_.size(), false);
    std::function<void(size_t, const std::string&, bool, bool)> print =
        [&](size_t i, const std::string& prefix, bool root, bool last) {
          const DatasetNode& n = nodes_[i];
          std::string line = root ? "" : prefix + (last ? "└── " : "├── ");
          line += n.qualified_name + "  [" + node_details(n) + "]";
          if (root) line += "  <- " + source_label(n);
          if (shown[i] && !children[i].empty()) {
            out += line + "  (see above)\n";
            return;
          }
          out += line + "\n";
          shown[i] = true;
          std::string child_prefix = root ? "" : prefix + (last ? "    " : "│   ");
          for (size_t c = 0; c < children[i].size(); ++c) {
            print(children[i][c], child_prefix, false, c + 1 == children[i].size());
          }
        };
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (nodes_[i].upstream.empty()) print(i, "", true, true);
    }
    return out;
  }
  if (format == "dot") {
    out = "digraph pipeline {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n";
    for (size_t i = 0; i < nodes_.size(); ++i) {
      const DatasetNode& n = nodes_[i];
      const char* shape = n.kind == DatasetKind::kView               ? "ellipse"
                          : n.kind == DatasetKind::kMaterializedView ? "box3d"
                                                                     : "box";
      out += "  n" + std::to_string(i) + " [shape=" + shape + ", label=\"" +
             escape_label(n.qualified_name + "\n" + node_details(n), false) + "\"];\n";
      if (n.upstream.empty()) {
        out += "  s" + std::to_string(i) + " [shape=note, style=dashed, label=\"" +
               escape_label(source_label(n), false) + "\"];\n";
        out += "  s" + std::to_string(i) + " -> n" + std::to_string(i) + ";\n";
      }
    }
    for (size_t i = 0; i < nodes_.size(); ++i) {
      for (size_t c : children[i]) {
        out += "  n" + std::to_string(i) + " -> n" + std::to_string(c) + ";\n";
      }
    }
    return out + "}\n";
  }
  if (format == "mermaid") {
    out = "flowchart LR\n";
    for (size_t i = 0; i < nodes_.size(); ++i) {
      const DatasetNode& n = nodes_[i];
      std::string label =
          "\"" + escape_label(n.qualified_name + "\n" + node_details(n), true) + "\"";
      std::string id = "n" + std::to_string(i);
      if (n.kind == DatasetKind::kView) {
        out += "  " + id + "(" + label + ")\n";
      } else if (n.kind == DatasetKind::kMaterializedView) {
        out += "  " + id + "[[" + label + "]]\n";
      } else {
        out += "  " + id + "[" + label + "]\n";
      }
      if (n.upstream.empty()) {
        out += "  s" + std::to_string(i) + "[/\"" + escape_label(source_label(n), true) +
               "\"/] --> " + id + "\n";
      }
    }
    for (size_t i = 0; i < nodes_.size(); ++i) {
      for (size_t c : children[i]) {
        out += "  n" + std::to_string(i) + " --> n" + std::to_string(c) + "\n";
      }
    }
    return out;
  }
  throw UsageError("unknown graph format '" + format + "': use text, dot or mermaid");
}

}  // namespace dls::pipeline

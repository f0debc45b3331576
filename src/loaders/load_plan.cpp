#include "dls/loaders/load_plan.h"

#include <map>
#include <unordered_map>
#include <unordered_set>

#include "dls/core/dataset_cycles.h"
#include "dls/core/error.h"
#include "dls/core/flow_sharing.h"
#include "dls/loaders/group_sync.h"
#include "dls/sql/spark/table_references.h"

namespace dls {

namespace {

std::string last_part(const std::string& name) {
  auto dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(dot + 1);
}

/// The query checks `dls run` makes, with names compared as written (the loaders know no target
/// catalog.schema): each table a query names must be the destination of an enabled entity of its
/// group (the same name, or the same last part: `orders` and `main.shop.orders`), the dataset must
/// be a streaming table exactly when it reads STREAM(name), and a streaming query must be one the
/// local engine can run. Appends query edges to `upstream` and messages to `errors`.
void check_queries(const std::vector<DeltaLiveEntity>& after, const std::vector<bool>& from_input,
                   UpstreamLists& upstream, std::vector<std::string>& errors,
                   const std::string& source) {
  for (std::size_t i = 0; i < after.size(); ++i) {
    const DeltaLiveEntity& e = after[i];
    if (!e.query) continue;
    const std::string where = source + ": error: entity '" + e.entity_id + "': query: ";
    sql::spark::TableReferences refs;
    try {
      refs = sql::spark::analyze_table_references(*e.query);
    } catch (const Error&) {
      continue;  // malformed: validation reported it
    }
    const bool streaming = e.destination_type != "view" && e.is_streaming;
    if (from_input[i]) {
      if (streaming && !refs.streaming()) {
        errors.push_back(where +
                         "reads no table with STREAM(name), but is_streaming is true; read its "
                         "input with STREAM(name), or set is_streaming: false to make it a "
                         "materialized view");
      }
      for (const auto& t : refs.tables) {
        if (t.streaming && !streaming) {
          errors.push_back(where + "reads STREAM(" + sql::spark::joined_name(t.names) +
                           ") at position " + std::to_string(t.position) +
                           ", but the dataset is not a streaming table; set is_streaming: true, "
                           "or read the table without STREAM");
          break;
        }
      }
      if (streaming) {
        for (const auto& p : refs.problems) {
          errors.push_back(where + "at position " + std::to_string(p.position) + ": " + p.message);
        }
      }
    }
    for (const auto& t : refs.tables) {
      const std::string written = sql::spark::joined_name(t.names);
      std::vector<std::size_t> found;
      for (std::size_t j = 0; j < after.size(); ++j) {
        if (after[j].group != e.group || after[j].destination.empty()) continue;
        for (const std::string& out :
             {after[j].destination,
              after[j].is_quarantined ? after[j].destination + "_invalid" : std::string()}) {
          if (out.empty()) continue;
          if (out == written || last_part(out) == last_part(written)) found.push_back(j);
        }
      }
      if (found.empty() && from_input[i]) {
        errors.push_back(where + "'" + written + "' at position " + std::to_string(t.position) +
                         " is not the destination of an enabled entity of group " +
                         describe_group(e.group) +
                         ", so `dls run` would refuse it; load the upstream entity too, or read "
                         "an outside table through an entity with source_format delta");
      }
      for (std::size_t j : found) upstream[i].push_back(j);
    }
  }
}

}  // namespace

std::string describe_group(const std::string& group) {
  return group.empty() ? "'' (no group)" : "'" + group + "'";
}

LoadPlan plan_load(const EntityList& latest, const std::vector<DeltaLiveEntity>& loaded,
                   const YamlDocument* sync, const LoadOptions& options,
                   const std::string& source) {
  LoadPlan plan;
  std::vector<std::string> errors;

  std::unordered_map<std::string, std::size_t> stored;  // entity_id -> index in latest
  for (std::size_t i = 0; i < latest.size(); ++i) stored.emplace(latest[i].entity_id, i);

  for (const auto& e : loaded) {
    auto it = stored.find(e.entity_id);
    if (it == stored.end() || latest[it->second].group == e.group) continue;
    const std::string& from = latest[it->second].group;
    if (options.allow_move) {
      plan.moved.push_back({e.entity_id, from, e.group});
      continue;
    }
    errors.push_back(
        source + ": error: entity '" + e.entity_id + "': group: the entity is in group " +
        describe_group(from) + " in the control table and this load puts it in group " +
        describe_group(e.group) +
        "; entity ids are global, so loading it would move it out of its group. Give it "
        "another entity_id, or pass --allow-move to move it");
  }

  if (sync) {
    plan.to_disable = entities_to_disable(latest, *sync);
    for (const auto& e : plan.to_disable) plan.disabled_ids.push_back(e.entity_id);
  }

  // The enabled entities once the load is committed: the loaded versions replace the stored ones,
  // the disabled copies turn theirs off.
  std::unordered_set<std::string> replaced;
  for (const auto& e : loaded) replaced.insert(e.entity_id);
  for (const auto& e : plan.to_disable) replaced.insert(e.entity_id);
  std::vector<DeltaLiveEntity> after;
  std::vector<bool> from_input;
  for (const auto& e : latest) {
    if (e.is_enabled && !replaced.count(e.entity_id)) {
      after.push_back(e);
      from_input.push_back(false);
    }
  }
  for (const auto& e : loaded) {
    if (e.is_enabled) {
      after.push_back(e);
      from_input.push_back(true);
    }
  }
  // Only cycles through an entity of this load are its problem (others predate it).
  UpstreamLists upstream = upstream_by_name(after);
  check_queries(after, from_input, upstream, errors, source);
  // A sink is a leaf: its rows leave the pipeline (Kafka, an outside Delta table), so no dataset
  // of the pipeline reads it.
  for (std::size_t i = 0; i < after.size(); ++i) {
    for (std::size_t j : upstream[i]) {
      if (after[j].destination_type != "sink" || (!from_input[i] && !from_input[j])) continue;
      errors.push_back(source + ": error: entity '" + after[i].entity_id +
                       "': " + (after[i].query ? "query" : "source") + ": reads the sink " +
                       after[j].destination + " (written by '" + after[j].entity_id + "'" +
                       (from_input[j] ? "" : ", in the control table") +
                       "), but sinks cannot be read: a sink's rows leave the pipeline. Read the "
                       "sink's source instead, or make it a table");
      break;
    }
  }
  for (const auto& cycle : find_cycles(upstream)) {
    bool touches_input = false;
    for (std::size_t i : cycle) touches_input = touches_input || from_input[i];
    if (!touches_input) continue;
    std::string chain, ids;
    for (std::size_t i : cycle) {
      chain += after[i].destination + " -> ";
      ids += (ids.empty() ? "'" : ", '") + after[i].entity_id + "'" +
             (from_input[i] ? "" : " (in the control table)");
    }
    chain += after[cycle.front()].destination;
    const DeltaLiveEntity& first = after[cycle.front()];
    errors.push_back(source + ": error: entity '" + first.entity_id +
                     "': " + (first.query ? "query: " : "source: ") +
                     (cycle.size() == 1
                          ? "the entity reads its own destination " + first.destination
                          : "the entities " + ids + " read each other in a cycle: " + chain) +
                     "; a dataset cannot read, directly or indirectly, its own output, so `dls "
                     "run` would refuse them. Change a source (or disable one of them)");
  }
  // Two enabled entities of one group (one pipeline) writing one destination: allowed only as
  // append flows (core/flow_sharing.h); the pipeline graph refuses the rest with the same rule.
  // Names compare as written.
  std::map<std::pair<std::string, std::string>, std::vector<std::size_t>> writers;
  for (std::size_t i = 0; i < after.size(); ++i) {
    if (after[i].destination.empty()) continue;
    auto& list = writers[std::pair(after[i].group, after[i].destination)];
    for (std::size_t w : list) {
      if (!from_input[i] && !from_input[w]) continue;
      const std::string why = shared_destination_problem(after[w], after[i]);
      if (why.empty()) continue;
      errors.push_back(source + ": error: entity '" + after[i].entity_id + "': " +
                       (why.find("flow name") != std::string::npos ? "flow_name" : "destination") +
                       ": entities '" + after[w].entity_id + "'" +
                       (from_input[w] ? "" : " (in the control table)") + " and '" +
                       after[i].entity_id + "' both write the destination " + after[i].destination +
                       ", but " + why + "; " + shared_destination_rule() +
                       ", so `dls run` would refuse them. Change a destination (or disable one "
                       "of them)");
      break;
    }
    list.push_back(i);
  }
  if (!errors.empty()) throw MetadataErrors(std::move(errors));
  return plan;
}

}  // namespace dls

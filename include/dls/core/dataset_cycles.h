// Cycles among datasets (DESIGN §7: "cycles and missing upstreams are errors that name the
// entities"). Two layers need them and must agree: `dls load` refuses metadata whose enabled
// entities read each other in a circle (loaders/load_plan.h), and the pipeline refuses to plan
// such a graph (pipeline/pipeline_graph.h). Both build the upstream lists their own way (the
// pipeline resolves names in its target catalog.schema; the loaders, which know no target, compare
// names as written) and share the search here.
//
// Pure and thread-safe.
#pragma once

#include <cstddef>
#include <vector>

#include "dls/core/entity.h"

namespace dls {

/// Node i reads the nodes upstream[i] (indexes into the same vector).
using UpstreamLists = std::vector<std::vector<std::size_t>>;

/// One cycle per group of nodes that read each other in a circle (per strongly connected
/// component holding a cycle, a self-loop included), in order of each group's smallest index.
/// Each cycle lists its nodes upstream first (cycle[k] is read by cycle[k + 1], the last is read by
/// the first) starting at its smallest index. Empty when the graph is acyclic. O(nodes + edges).
std::vector<std::vector<std::size_t>> find_cycles(const UpstreamLists& upstream);

/// The upstream lists of `entities` with names compared as written: entity j is upstream of
/// entity i when i's source equals j's destination, or j's destination + "_invalid" when j is
/// quarantined (the quarantine table is j's output too). Empty names never match.
UpstreamLists upstream_by_name(const std::vector<DeltaLiveEntity>& entities);

}  // namespace dls

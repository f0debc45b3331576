// The pipeline graph (DESIGN §7): one dataset per entity, an edge from the dataset an entity reads
// to the entity. An entity depends on the entity whose `destination` equals its `source` (for any
// source_format, so a `delta` source naming a pipeline dataset is an edge too); `source_format:
// dlt` requires such an upstream. Names compare after resolution to catalog.schema.table in the
// pipeline's target (a bare name and its qualified form are the same dataset).
//
// Flows: a node is one flow (one entity) writing one dataset. Several nodes may write one
// streaming table (append flows, each with its own flow_name, checkpoint and metrics) when every
// writer is a streaming append or a once flow (`once: true`, a batch backfill): no apply_changes,
// no query, no view, and the same table_properties, partition_cols, comment, tags and
// is_quarantined. Anything else writing a shared destination is an error naming both entities and
// the rule. A reader of a shared table depends on every flow writing it; flows of one table that
// are ready together are listed in flow-name order.
//
// Sinks (destination_type sink, kind kSink) are leaves: several streaming append flows may write
// one sink by the same rule (with the same sink_format and sink_options), and an entity whose
// source or query names a sink is an error ("sinks cannot be read").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dls/core/diagnostic.h"
#include "dls/core/entity.h"

namespace dls::pipeline {

enum class DatasetKind {
  kStreamingTable,    // is_streaming: append only the new input
  kMaterializedView,  // not streaming: recomputed when its input changed
  kView,              // destination_type view: not persisted, computed for its readers
  kSink,  // destination_type sink: a streaming flow's rows leave the pipeline (Kafka, Delta)
};

std::string to_string(DatasetKind kind);

struct DatasetNode {
  DeltaLiveEntity entity;
  std::string name;            // the destination as written in the metadata
  std::string qualified_name;  // catalog.schema.table in the pipeline target
  DatasetKind kind = DatasetKind::kStreamingTable;
  std::vector<std::string> upstream;  // qualified names of the pipeline datasets it reads
  std::string flow_name;              // entity.flow_name, else the entity_id
  bool once = false;                  // a once flow (a batch backfill; kind is kStreamingTable)
  int flows_of_table = 1;             // how many nodes (flows) write qualified_name
};

class PipelineGraph {
 public:
  /// Builds the graph. Throws InvalidMetadataError naming the entities for: two entities with the
  /// same destination that may not share it (see above), a cycle (the message lists the cycle), a
  /// `dlt` source with no upstream dataset in the selection, a source or query reading a sink.
  static PipelineGraph build(const std::vector<DeltaLiveEntity>& entities,
                             const std::string& target_catalog, const std::string& target_schema);

  /// The same checks as build(), every problem recorded instead of the first thrown: appends to
  /// `problems` one error per invalid destination, bad apply_changes spec, pair of entities
  /// writing one destination, `dlt` source without upstream and cycle (with the messages build()
  /// throws), and returns the graph when there was none (nullopt otherwise). `dls validate`.
  /// Throws InvalidMetadataError only for an invalid target catalog or schema.
  static std::optional<PipelineGraph> check(const std::vector<DeltaLiveEntity>& entities,
                                            const std::string& target_catalog,
                                            const std::string& target_schema,
                                            Diagnostics& problems);

  /// Datasets in a topological order (upstream first; ties by name, so the order is stable).
  const std::vector<DatasetNode>& datasets() const { return nodes_; }
  /// The first flow writing `qualified_name` (nullptr when none).
  const DatasetNode* find(const std::string& qualified_name) const;
  /// Every dataset downstream of `qualified_name`, transitively.
  std::vector<std::string> downstream_of(const std::string& qualified_name) const;

  /// "text" (an indented tree), "dot" (Graphviz) or "mermaid" (flowchart LR).
  std::string render(const std::string& format) const;

 private:
  static std::optional<PipelineGraph> assemble(const std::vector<DeltaLiveEntity>& entities,
                                               const std::string& target_catalog,
                                               const std::string& target_schema,
                                               Diagnostics* problems);
  std::vector<DatasetNode> nodes_;
};

}  // namespace dls::pipeline

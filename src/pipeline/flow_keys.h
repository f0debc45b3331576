// The state key of each flow (pipeline_state.h): the name its checkpoint, offsets log, saved
// state and Delta txn appId are kept under. Internal to the pipeline layer.
//
// A table's first flow keeps the key of the table's qualified name (what a single-entity dataset
// has always used, so existing checkpoints stay valid); every other flow of a shared table gets
// "<qualified name>@<flow name>". Which flow owns which key is recorded in the state document
// "<qualified name>@flows" (flow name -> key), so adding, removing or renaming other flows never
// moves a flow to another checkpoint (adding a flow never reprocesses the others' input). A table
// written before this record existed and now shared by several new flows gives the table key to
// its first flow in graph order.
#pragma once

#include <string>
#include <vector>

#include "dls/pipeline/pipeline_graph.h"
#include "dls/pipeline/pipeline_state.h"

namespace dls::pipeline {

/// The key of every node of `graph`, in graph order. Reads the records; writes nothing.
std::vector<std::string> flow_keys(const PipelineGraph& graph, const PipelineState& state);

/// Records the keys flow_keys() returned for the streaming tables and sinks of `graph` (a document
/// is written only when it changes).
void record_flow_keys(const PipelineGraph& graph, const std::vector<std::string>& keys,
                      PipelineState& state);

}  // namespace dls::pipeline

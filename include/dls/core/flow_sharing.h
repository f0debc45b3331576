// When several entities may write one destination (append flows, DLT's `@append_flow` /
// `CREATE FLOW ... AS INSERT INTO`): the rule shared by `dls load` (loaders) and `dls run`
// (the pipeline graph), so both refuse the same metadata with the same words.
//
// Every writer of a shared table must be a streaming append or a once flow: is_streaming true or
// once true, no apply_changes (a CDC target has one flow), no query, not a view; and the writers
// must agree on the table: the same table_properties, partition_cols, comment, tags and
// is_quarantined. Flow names (flow_name, else entity_id) are unique per table. A sink
// (destination_type sink) may have several streaming append flows by the same rule; its writers
// must also agree on sink_format and sink_options, and a sink and a table never share a name.
#pragma once

#include <string>

#include "dls/core/entity.h"

namespace dls {

/// The flow name of `entity`: its flow_name, else its entity_id.
std::string effective_flow_name(const DeltaLiveEntity& entity);

/// Why `a` and `b` may not both write their (same) destination, naming the entity at fault and
/// the rule broken; "" when they may.
std::string shared_destination_problem(const DeltaLiveEntity& a, const DeltaLiveEntity& b);

/// The rule, as a sentence fragment for error messages ("several entities may write one table
/// only as append flows (...)").
std::string shared_destination_rule();

}  // namespace dls

#include "dls/core/flow_sharing.h"

namespace dls {

namespace {

/// Why `e` may not write a table another flow writes too ("" when it may).
std::string flow_refusal(const DeltaLiveEntity& e) {
  if (e.destination_type == "view") return "it is a view";
  if (e.apply_changes) return "it has apply_changes (a CDC flow needs its table to itself)";
  if (e.query) return "it is defined by a query";
  if (!e.is_streaming && !e.once) {
    return "it is not streaming (a materialized view; set once: true for a one-time backfill)";
  }
  return "";
}

/// Why writers `a` and `b` of one table disagree on the table ("" when they agree).
std::string table_mismatch(const DeltaLiveEntity& a, const DeltaLiveEntity& b) {
  if (a.destination_type != b.destination_type) {
    return "one writes it as a " + a.destination_type + ", the other as a " + b.destination_type;
  }
  if (a.sink_format != b.sink_format) return "their sink_format differ";
  if (a.sink_options != b.sink_options) return "their sink_options differ";
  if (a.table_properties != b.table_properties) return "their table_properties differ";
  if (a.partition_cols != b.partition_cols) return "their partition_cols differ";
  if (a.comment != b.comment) return "their comments differ";
  if (a.tags != b.tags) return "their tags differ";
  if (a.is_quarantined != b.is_quarantined) return "their is_quarantined differ";
  return "";
}

}  // namespace

std::string effective_flow_name(const DeltaLiveEntity& entity) {
  return entity.flow_name ? *entity.flow_name : entity.entity_id;
}

std::string shared_destination_problem(const DeltaLiveEntity& a, const DeltaLiveEntity& b) {
  for (const DeltaLiveEntity* e : {&a, &b}) {
    if (auto why = flow_refusal(*e); !why.empty()) return "'" + e->entity_id + "': " + why;
  }
  if (auto why = table_mismatch(a, b); !why.empty()) return why;
  if (effective_flow_name(a) == effective_flow_name(b)) {
    return "both have the flow name '" + effective_flow_name(a) +
           "' (flow names are unique per table: set flow_name on one of them)";
  }
  return "";
}

std::string shared_destination_rule() {
  return "several entities may write one table or sink only as append flows (is_streaming true "
         "or once true; no apply_changes, query or view; the same destination_type, sink_format, "
         "sink_options, table_properties, partition_cols, comment, tags and is_quarantined; "
         "distinct flow names)";
}

}  // namespace dls

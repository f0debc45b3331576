// Table ownership (issue 15): every table a pipeline writes records the pipeline that owns it, in
// the table property `pipelines.pipelineId` (the property Databricks sets on the tables of a
// Lakeflow pipeline), and no pipeline writes a table that another one owns.
//
// Who owns a table:
// - the pipeline named by its `pipelines.pipelineId` property. A pipeline sets it when it creates
//   a table (its destination, its `<destination>_invalid` quarantine table, an apply_changes
//   target and the CDC state table under its state directory);
// - a table written by an older dls (no property) belongs to the pipeline whose exactly-once txn
//   appIds ("<pipeline>/<flow>") it carries, or, when it carries none (a materialized view),
//   to the pipeline that holds state for the flow. That pipeline adopts it on its next update:
//   one metadata-only commit (SET TBLPROPERTIES) adds the property;
// - any other table (made outside a pipeline, or whose owner cannot be told) has no owner, and no
//   pipeline writes it until `dls table set-owner NAME PIPELINE` gives it one.
// Ownership moves only explicitly, with set_table_owner (`dls table set-owner`).
// All functions are thread-safe; the writes are ordinary Delta commits (optimistic concurrency).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dls/delta/snapshot.h"

namespace dls::pipeline {

/// The table property naming the pipeline that owns a table.
inline constexpr const char* kOwnerProperty = "pipelines.pipelineId";

/// The owner recorded in the table's properties, if any.
std::optional<std::string> recorded_owner(const delta::Snapshot& snapshot);

/// The pipelines whose txn appIds ("<pipeline>/<flow>") the table carries, sorted, unique.
std::vector<std::string> txn_writers(const delta::Snapshot& snapshot);

/// What set_table_owner did.
struct OwnerChange {
  std::optional<std::string> previous;  // the recorded owner before
  int64_t version = -1;                 // the table's version after
  bool changed = false;                 // false: `pipeline` owned it already (no commit)
};

/// Makes `pipeline` the owner of the Delta table at `table_root`: one metadata-only commit
/// (operation SET TBLPROPERTIES) setting pipelines.pipelineId; no commit when it is the owner
/// already. Throws InvalidMetadataError for an invalid pipeline name or when the table is a dls
/// control table (never owned by a pipeline); the Delta layer's errors for a missing table.
OwnerChange set_table_owner(const std::string& table_root, const std::string& pipeline);

}  // namespace dls::pipeline

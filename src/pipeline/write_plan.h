// The write plan check of an update: before anything is written (no lock file, no event log, no
// commit), every table the update would write is checked against the rules of
// table_ownership.h. Internal to the pipeline layer.
#pragma once

#include "dls/catalog/warehouse.h"
#include "dls/core/diagnostic.h"
#include "dls/pipeline/pipeline_graph.h"
#include "dls/pipeline/pipeline_runner.h"

namespace dls::pipeline {

/// Throws MetadataErrors (exit code 3), one message per refused table naming the entity, its
/// destination as written and the table, when a dataset of `graph` would write:
/// - a reserved name (the `_pipelines` catalog: pipeline state; Warehouse::resolve refuses it);
/// - a dls control table (store/control_table_schema.h: is_control_table), of any store;
/// - a table owned by another pipeline, or an existing table no pipeline owns (see
///   table_ownership.h; `dls table set-owner` moves or gives ownership).
/// Views are not written and not checked. Reads only; thread-safe.
void check_write_targets(const catalog::Warehouse& warehouse, const PipelineGraph& graph,
                         const PipelineOptions& options);

/// The refusals of check_write_targets, one error per refused table (entity_id set, field
/// "destination", the same message), without the closing "nothing was written" line. Throws only
/// for a table dls cannot write at all (delta::UnsupportedFeatureError).
Diagnostics write_target_problems(const catalog::Warehouse& warehouse, const PipelineGraph& graph,
                                  const PipelineOptions& options);

}  // namespace dls::pipeline
